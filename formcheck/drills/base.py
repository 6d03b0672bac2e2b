"""The small surface every drill shares: context in, ``DrillResult`` out.

A drill module defines one object satisfying ``Drill`` and registers it in
``formcheck.drills.DRILLS``. It receives a ``DrillContext`` (the raw and the
conditioned track, the view, the floor and the cm calibration, the user's
options) and returns a ``DrillResult``. It never draws, never reads files and
never imports cv2 or mediapipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # annotations only: keeps this module importable on its own
    from formcheck.calibration import Calibration, FloorLine
    from formcheck.signals import Conditioned
    from formcheck.track import PoseTrack
    from formcheck.views import QualityIssue, ViewResult

Severity = Literal["info", "warning", "error"]
Leg = Literal["left", "right"]
LegChoice = Literal["left", "right", "auto"]


@dataclass(frozen=True)
class DrillOptions:
    """What the user told us.

    Attributes:
        height_cm: the person's height in cm, for cm calibration (None: unknown).
        leg: which leg to analyse; "auto" lets the drill decide (e.g. the leg
            nearer the camera, or both).
        foot_length_cm: known foot length in cm (another calibration route).
        marker_size_cm: side of an ArUco marker in the picture, in cm.
        variant: drill-specific options, e.g. {"heel_rise_test": True}.
        thresholds: overrides of the drill's TOML thresholds, by name.
    """

    height_cm: float | None = None
    leg: LegChoice = "auto"
    foot_length_cm: float | None = None
    marker_size_cm: float | None = None
    variant: Mapping[str, Any] = field(default_factory=dict)
    thresholds: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DrillContext:
    """Everything a drill may use.

    Attributes:
        track: the track as extracted (raw landmarks), steadied when the
            camera moved (``formcheck.camera_steadying``).
        conditioned: cleaned landmarks plus reliability masks (see signals).
        view: camera view classification.
        floor: the floor line in the image, or None when the feet were never
            seen standing.
        calibration: pixels to centimetres, with method and uncertainty.
        options: the user's options.
        quality: framing/view issues found before the drill ran.
        picture: the landmarks where the pose model put them in each frame,
            when the camera moved and ``track`` was steadied (None: the
            same as ``track``); for whether a point was inside the picture.
    """

    track: PoseTrack
    conditioned: Conditioned
    view: ViewResult
    floor: FloorLine | None
    calibration: Calibration
    options: DrillOptions
    quality: tuple[QualityIssue, ...] = ()
    picture: PoseTrack | None = None


@dataclass(frozen=True)
class Cue:
    """A plain-language cue tied to a time in the video (seconds)."""

    time_s: float | None
    severity: Severity
    message: str


@dataclass(frozen=True)
class NormComparison:
    """One measured value beside a published norm.

    Attributes:
        metric: summary key the value comes from.
        value: the measured value, in ``unit``.
        unit: e.g. "cm", "s", "deg", "reps".
        norm: the reference as people would say it ("about 12 cm in healthy adults").
        source: short citation ("Hoch & McKeon 2011").
        verdict: one short phrase ("below the typical range", "on target").
    """

    metric: str
    value: float
    unit: str
    norm: str
    source: str
    verdict: str


@dataclass
class DrillResult:
    """What a drill returns.

    Attributes:
        summary: headline numbers, JSON-serialisable, keys with units in
            their names (``mean_heel_rise_cm``).
        events: per-rep / per-hold / per-attempt dicts, each with a "kind".
        cues: plain-language advice tied to times.
        score: 0-100 or None when it cannot be scored honestly.
        flags: metric name -> why that number is less reliable. Shown next to
            the number; also set on events under "flags".
        norms: comparisons with published norms.
        series: per-frame signals, (T,) float arrays aligned with the track's
            frames, for the CSV export and plots (e.g. "heel_height_cm").
        warnings: problems found by the drill itself.
        overlay: names of ``series`` to print on annotated video frames, in
            order (e.g. ("reps", "heel_height_cm")); the annotator turns
            "heel_height_cm" into "heel height 3.2 cm".
    """

    summary: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    score: float | None = None
    flags: dict[str, str] = field(default_factory=dict)
    norms: list[NormComparison] = field(default_factory=list)
    series: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    warnings: list[QualityIssue] = field(default_factory=list)
    overlay: tuple[str, ...] = ()


class Drill(Protocol):
    """One drill. Implementations are plain objects registered in ``DRILLS``.

    Attributes:
        name: CLI name, e.g. "calf-raise".
        title: human title, e.g. "Calf raises".
        accepted_views: camera views the drill can measure from.
        how_to_film: a few sentences: where to put the phone, what must be in view.
        measures: one line: what the drill reports.
    """

    name: str
    title: str
    accepted_views: frozenset[str]
    how_to_film: str
    measures: str

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Measure the drill in ``ctx`` and return the result."""
        ...
