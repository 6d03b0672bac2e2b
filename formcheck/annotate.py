"""Drawing on video frames: small annotator objects that compute nothing.

Every annotator has ``annotate(frame, ...) -> frame``: it takes an RGB frame
(H, W, 3) uint8 and values that were measured elsewhere, draws them in place
and returns the same array. Nothing here measures: positions come in as
pixels, numbers come in as numbers (the drill's per-frame ``series``).

Colours are RGB (frames are RGB throughout formcheck). The person's left side
is drawn orange and the right side blue, so a runner can tell the legs apart
whatever way they face.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.landmarks import SKELETON, Landmark

RGB = tuple[int, int, int]

LEFT_COLOR: RGB = (255, 150, 30)
"""Orange: the person's left side."""
RIGHT_COLOR: RGB = (40, 150, 255)
"""Blue: the person's right side."""
CENTER_COLOR: RGB = (235, 235, 235)
"""Light grey: bones joining the two sides (shoulders, hips)."""
DOUBTFUL_COLOR: RGB = (150, 150, 150)
"""Grey: a landmark below the visibility threshold (drawn thin, dashed look)."""

COUNTER_SERIES: dict[str, str] = {
    "reps": "reps {value:.0f}",
    "hold_s": "hold {value:.1f} s",
    "attempts": "attempt {value:.0f}",
}
"""Series shown large as the counter / timer, with their format."""

_UNITS: dict[str, str] = {
    "cm": "cm",
    "deg": "deg",
    "s": "s",
    "pct": "%",
    "cm_s": "cm/s",
    "cm2": "cm2",
    "px": "px",
}
"""Name suffix -> unit printed after the value (longest suffix wins)."""


def _side_color(a: Landmark, b: Landmark) -> RGB:
    names = (a.name, b.name)
    if all(n.startswith("LEFT_") for n in names):
        return LEFT_COLOR
    if all(n.startswith("RIGHT_") for n in names):
        return RIGHT_COLOR
    return CENTER_COLOR


def format_value(name: str, value: float) -> str:
    """Human text for one per-frame value: ``heel_height_cm`` 3.21 -> "heel height 3.2 cm".

    Counter series (``reps``, ``hold_s``) use ``COUNTER_SERIES``. NaN prints as
    "--" (not measured in this frame), never as a number.
    """
    if name in COUNTER_SERIES and math.isfinite(value):
        return COUNTER_SERIES[name].format(value=value)
    label, unit = name, ""
    for suffix in sorted(_UNITS, key=len, reverse=True):
        if name.endswith("_" + suffix):
            label, unit = name[: -len(suffix) - 1], _UNITS[suffix]
            break
    label = label.replace("_", " ")
    if not math.isfinite(value):
        return f"{label} --"
    digits = 0 if abs(value) >= 100 else 1
    text = f"{value:.{digits}f}"
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")  # no "-0.0"
    return f"{label} {text} {unit}".rstrip()


def _scale(frame: npt.NDArray[np.uint8]) -> float:
    """Drawing scale: 1.0 for a 720-pixel short side."""
    return max(0.4, min(frame.shape[0], frame.shape[1]) / 720.0)


@dataclass(frozen=True)
class SkeletonAnnotator:
    """Draws bones and joints.

    Attributes:
        thickness: bone width in pixels at a 720-pixel short side (scaled).
        radius: joint radius at a 720-pixel short side (scaled).
    """

    thickness: int = 3
    radius: int = 4

    def annotate(
        self,
        frame: npt.NDArray[np.uint8],
        points_px: npt.NDArray[np.floating],
        reliable: npt.NDArray[np.bool_] | None = None,
    ) -> npt.NDArray[np.uint8]:
        """Draw the skeleton.

        Args:
            frame: (H, W, 3) uint8 RGB, drawn on in place.
            points_px: (33, 2) landmark positions in pixels of ``frame``
                (x right, y down); NaN rows are skipped.
            reliable: (33,) bool, False draws that landmark's bones grey and
                thin (the model was unsure). None: all reliable.
        """
        s = _scale(frame)
        thick = max(1, round(self.thickness * s))
        rad = max(1, round(self.radius * s))
        ok = np.all(np.isfinite(points_px), axis=1)
        rel = np.ones(len(points_px), bool) if reliable is None else np.asarray(reliable, bool)
        for a, b in SKELETON:
            if not (ok[a] and ok[b]):
                continue
            good = bool(rel[a] and rel[b])
            color = _side_color(a, b) if good else DOUBTFUL_COLOR
            pa = (round(float(points_px[a, 0])), round(float(points_px[a, 1])))
            pb = (round(float(points_px[b, 0])), round(float(points_px[b, 1])))
            cv2.line(frame, pa, pb, color, thick if good else max(1, thick // 2), cv2.LINE_AA)
        for lm in Landmark:
            if lm < Landmark.LEFT_SHOULDER or not ok[lm]:
                continue  # face points are clutter for ankle drills
            p = (round(float(points_px[lm, 0])), round(float(points_px[lm, 1])))
            color = _side_color(lm, lm) if rel[lm] else DOUBTFUL_COLOR
            cv2.circle(frame, p, rad, color, -1, cv2.LINE_AA)
            cv2.circle(frame, p, rad, (20, 20, 20), 1, cv2.LINE_AA)
        return frame


def _text_panel(
    frame: npt.NDArray[np.uint8],
    lines: Sequence[str],
    origin: tuple[int, int],
    font_scale: float,
    thickness: int,
    align_right: bool = False,
) -> npt.NDArray[np.uint8]:
    """Draw ``lines`` on a dark translucent box whose top corner is ``origin``."""
    if not lines:
        return frame
    font = cv2.FONT_HERSHEY_SIMPLEX
    sizes = [cv2.getTextSize(t, font, font_scale, thickness) for t in lines]
    line_h = max(h + base for (_, h), base in sizes) + max(2, round(6 * font_scale))
    width = max(w for (w, _), _ in sizes)
    pad = max(4, round(8 * font_scale))
    x0, y0 = origin
    if align_right:
        x0 = x0 - width - 2 * pad
    x0, y0 = max(0, x0), max(0, y0)
    x1 = min(frame.shape[1] - 1, x0 + width + 2 * pad)
    y1 = min(frame.shape[0] - 1, y0 + line_h * len(lines) + pad)
    box = frame[y0:y1, x0:x1]
    box[...] = (box.astype(np.uint16) * 2 // 5).astype(np.uint8)  # darken to 40%
    for i, text in enumerate(lines):
        y = y0 + pad + line_h * i + sizes[i][0][1]
        cv2.putText(
            frame, text, (x0 + pad, y), font, font_scale, (255, 255, 255), thickness, cv2.LINE_AA
        )
    return frame


@dataclass(frozen=True)
class ValuesAnnotator:
    """Prints the drill's per-frame values (e.g. "heel height 3.2 cm") top left.

    Attributes:
        font_scale: OpenCV font scale at a 720-pixel short side (scaled).
    """

    font_scale: float = 0.7

    def annotate(
        self, frame: npt.NDArray[np.uint8], values: Mapping[str, float]
    ) -> npt.NDArray[np.uint8]:
        """Draw one line per ``values`` item (series name -> value this frame)."""
        s = _scale(frame)
        lines = [format_value(k, v) for k, v in values.items()]
        margin = round(10 * s)
        return _text_panel(
            frame, lines, (margin, margin), self.font_scale * s, max(1, round(2 * s))
        )


@dataclass(frozen=True)
class CounterAnnotator:
    """Prints the rep counter / hold timer large, top right.

    Attributes:
        font_scale: OpenCV font scale at a 720-pixel short side (scaled).
    """

    font_scale: float = 1.4

    def annotate(self, frame: npt.NDArray[np.uint8], text: str | None) -> npt.NDArray[np.uint8]:
        """Draw ``text`` (e.g. "reps 3", "hold 12.4 s"); None draws nothing."""
        if not text:
            return frame
        s = _scale(frame)
        margin = round(10 * s)
        return _text_panel(
            frame,
            [text],
            (frame.shape[1] - margin, margin),
            self.font_scale * s,
            max(2, round(3 * s)),
            align_right=True,
        )


@dataclass(frozen=True)
class MessageAnnotator:
    """Prints a short status line at the bottom (e.g. "no person in view")."""

    font_scale: float = 0.7

    def annotate(self, frame: npt.NDArray[np.uint8], text: str | None) -> npt.NDArray[np.uint8]:
        """Draw ``text`` bottom left; None draws nothing."""
        if not text:
            return frame
        s = _scale(frame)
        fs = self.font_scale * s
        h = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, fs, max(1, round(2 * s)))[0][1]
        y = frame.shape[0] - round(3 * h) - round(10 * s)
        return _text_panel(frame, [text], (round(10 * s), y), fs, max(1, round(2 * s)))


@dataclass(frozen=True)
class FrameAnnotator:
    """Skeleton + values + counter + status line, the composition used everywhere."""

    skeleton: SkeletonAnnotator = SkeletonAnnotator()
    values: ValuesAnnotator = ValuesAnnotator()
    counter: CounterAnnotator = CounterAnnotator()
    message: MessageAnnotator = MessageAnnotator()

    def annotate(
        self,
        frame: npt.NDArray[np.uint8],
        points_px: npt.NDArray[np.floating] | None,
        reliable: npt.NDArray[np.bool_] | None,
        values: Mapping[str, float],
        message: str | None = None,
    ) -> npt.NDArray[np.uint8]:
        """Draw everything for one frame.

        Args:
            frame: (H, W, 3) uint8 RGB, drawn on in place.
            points_px: (33, 2) pixels or None when no person was found.
            reliable: (33,) bool or None.
            values: overlay series name -> value at this frame; names in
                ``COUNTER_SERIES`` go to the counter, the rest to the values panel.
            message: optional status line.
        """
        if points_px is not None:
            self.skeleton.annotate(frame, points_px, reliable)
        counter = [format_value(k, v) for k, v in values.items() if k in COUNTER_SERIES]
        others = {k: v for k, v in values.items() if k not in COUNTER_SERIES}
        self.values.annotate(frame, others)
        self.counter.annotate(frame, "  ".join(counter) if counter else None)
        self.message.annotate(frame, message)
        return frame
