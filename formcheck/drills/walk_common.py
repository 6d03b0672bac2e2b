"""Plumbing shared by the walking drills (heel, toe, inversion and eversion walks).

``formcheck.drills.steps`` finds the steps; this module holds what every walk
drill then does the same way around its own measure:

- ``setup_walk``: thresholds (the drill's and the step thresholds), the walk
  signals and the steps, in one ``WalkSetup``;
- per step: ``step_events`` runs the loop over the steps (stance core,
  ``stance_flags`` for unreliable landmarks, a cut step and the far leg, the
  drill's own notes, ``step_event`` for the report's dict) around the drill's
  ``measure(step, core)``, which uses ``core_median``, ``stance_lowest`` and
  ``below``; ``view_notes`` gives a view's note for some keys;
- per walk: ``values_by_leg`` and ``left_right`` (left vs right summary),
  ``view_flag`` and ``add_calibration_note`` (summary flags),
  ``weakest_step`` and ``finish_cues`` (cues), ``reference_norm`` (a
  comparison with a reference value where no norm is published), ``clamp01``,
  ``steps_term`` and ``weighted_score`` (the score formula's terms),
  ``walk_series`` and ``walk_result`` (the ``DrillResult``).

Everything a drill measures (toe lift, heel height, tilt), its cues, norms and
score weights stays in the drill's module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from formcheck.drills import steps as st
from formcheck.drills.base import Cue, DrillContext, DrillResult, NormComparison
from formcheck.drills.common import append_flag
from formcheck.track import PoseTrack
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")

TOWARD_CAMERA_VIEWS = frozenset({"front", "back"})
"""Views in which the person walks toward or away from the camera."""

TOWARD_CAMERA_STEP_NOTE = (
    "walking toward or away from the camera, steps are harder to see than side-on"
)
"""Flag on ``step_count`` when the walk was filmed from the front or back."""


@dataclass(frozen=True)
class WalkSetup(Generic[T]):
    """What every walk drill starts from.

    Attributes:
        th: the drill's thresholds (its frozen dataclass).
        sth: the step thresholds (``steps.toml``).
        track: the conditioned track.
        ws: the walk signals (body size, foot points, reliability per side).
        times_s: (T,) frame times, s.
        view: the camera view ("side", "oblique", "front", "back", "unknown").
        steps: the steps found, in time order.
        rejected: "not_a_step" events (movements that went nowhere).
    """

    th: T
    sth: st.StepThresholds
    track: PoseTrack
    ws: st.WalkSignals
    times_s: FloatArray
    view: str
    steps: list[st.Step]
    rejected: list[dict[str, Any]]


def setup_walk(ctx: DrillContext, drill_cls: type[T], drill_toml: str) -> WalkSetup[T]:
    """Load thresholds, compute the walk signals and find the steps of a walk in ``ctx``.

    User overrides are split between ``drill_cls`` (loaded from ``drill_toml``)
    and the step thresholds (``steps.split_overrides``). Steps are found with
    ``toward_camera=True`` in the front and back views (``TOWARD_CAMERA_VIEWS``).
    """
    th, sth = st.split_overrides(dict(ctx.options.thresholds), drill_cls, drill_toml)
    track = ctx.conditioned.track
    ws = st.walk_signals(track, ctx.conditioned.reliable, sth)
    view = ctx.view.view
    steps, rejected = ws.find_steps(sth, toward_camera=view in TOWARD_CAMERA_VIEWS)
    return WalkSetup(
        th=th,
        sth=sth,
        track=track,
        ws=ws,
        times_s=ws.times_s,
        view=view,
        steps=steps,
        rejected=rejected,
    )


# ------------------------------------------------------------- per step
def foot_ends_px(
    track: PoseTrack, times_s: FloatArray, side: str, part: str = "foot_index"
) -> tuple[FloatArray, FloatArray]:
    """(T, 2) heel and (T, 2) ``part`` landmark of one foot, pixels, NaNs filled along time."""
    heel = st.fill_nans(times_s, st.landmark_px(track, side, "heel"))
    other = st.fill_nans(times_s, st.landmark_px(track, side, part))
    return heel, other


def stance_flags(
    ctx: DrillContext, ws: st.WalkSignals, step: st.Step, *, far_leg: bool = True
) -> dict[str, str]:
    """Per-step reasons the step's numbers are less reliable (``steps.step_flags``).

    With ``far_leg`` the far leg in a side view is flagged too
    (``steps.far_leg_note``).
    """
    view = ctx.view.view
    note = st.far_leg_note(view, ctx.view.near_side, step.leg) if far_leg else None
    return st.step_flags(step, ws.reliable[step.leg], view, note)


def view_notes(keys: Sequence[str], view: str, notes: Mapping[str, str]) -> dict[str, str]:
    """``{k: notes[view]}`` for every key in ``keys`` when the view has a note, else ``{}``."""
    return {k: notes[view] for k in keys} if view in notes else {}


def view_flag(
    flags: dict[str, str], keys: Sequence[str], view: str, notes: Mapping[str, str]
) -> None:
    """Set ``flags[k] = notes[view]`` for every key in ``keys`` when the view has a note."""
    flags.update(view_notes(keys, view, notes))


def core_median(values: FloatArray, core: slice, nd: int = 2) -> float | None:
    """Median of the finite ``values[core]`` rounded for the report (None when none)."""
    return st.rnd(st.nanmedian(values[core]), nd)


def stance_lowest(
    values: FloatArray, step: st.Step, max_stance_s: float, smoothing_s: float, times_s: FloatArray
) -> float:
    """Lowest value over a step's stance after a moving median over ``smoothing_s`` (NaN if none).

    Args:
        values: (T,) a per-frame height of one foot (e.g. cm).
        step: the step; its stance is cut at ``max_stance_s`` (``steps.stance_span``).
        smoothing_s: length of the moving median, s (one landmark's jitter is not a touch).
        times_s: (T,) frame times, s.
    """
    span = st.stance_span(step, max_stance_s, times_s)
    smooth = st.moving_median(values[span], round(smoothing_s / st.median_dt(times_s)))
    return float(np.nanmin(smooth)) if np.isfinite(smooth).any() else float("nan")


def below(value: float, limit: float) -> bool:
    """True when ``value`` is finite and under ``limit`` (a touch or a drop)."""
    return bool(np.isfinite(value) and value < limit)


def step_event(step: st.Step, measures: Mapping[str, Any], flags: dict[str, str]) -> dict[str, Any]:
    """The report's event of one step: kind, index, leg, start/end (s), the measures, flags."""
    return {
        "kind": "step",
        "index": step.index,
        "leg": step.leg,
        "start_s": st.rnd(step.off_s),
        "end_s": st.rnd(step.strike_s),
        **measures,
        "flags": flags,
    }


def step_events(
    ctx: DrillContext,
    w: WalkSetup[Any],
    core_fraction: float,
    max_stance_s: float,
    measure: Callable[[st.Step, slice], Mapping[str, Any]],
    notes: Callable[[st.Step], Mapping[str, str]] | None = None,
    *,
    far_leg: bool = True,
) -> list[dict[str, Any]]:
    """The report's step events of a walk, one per step in ``w.steps``.

    Args:
        ctx: the drill context (view, near side).
        w: the walk (``setup_walk``).
        core_fraction, max_stance_s: the stance core measured
            (``steps.stance_core``).
        measure: ``(step, core) -> {name: value}``, the drill's measures of
            one step, in the order they appear in the event.
        notes: ``step -> {name: reason}``, the drill's per-step flags added
            after ``stance_flags`` (e.g. ``view_notes``); None for none.
        far_leg: flag the far leg in a side view (``stance_flags``).
    """
    events: list[dict[str, Any]] = []
    for step in w.steps:
        core = st.stance_core(step, core_fraction, max_stance_s, w.times_s)
        flags = stance_flags(ctx, w.ws, step, far_leg=far_leg)
        if notes is not None:
            flags.update(notes(step))
        events.append(step_event(step, measure(step, core), flags))
    return events


# ------------------------------------------------------------- per walk
def weakest_step(
    events: Sequence[Mapping[str, Any]], key: str, sign: float = 1.0
) -> Mapping[str, Any]:
    """The first event with the lowest ``sign * event[key]`` (events with None skipped)."""
    return min((e for e in events if e[key] is not None), key=lambda e: sign * e[key])


def finish_cues(cues: list[Cue], n_steps: int, target_steps: int, done: str | None) -> list[Cue]:
    """Append ``set_size_cues``; then, when there is still no cue, the info cue ``done``.

    ``done`` is the "well done" sentence, or None when the walk cannot earn it
    (no step, nothing measured).
    """
    cues += set_size_cues(n_steps, target_steps)
    if done is not None and not cues:
        cues.append(Cue(None, "info", done))
    return cues


def reference_norm(
    metric: str, value: float, nd: int, unit: str, norm: str, source: str, reference: float
) -> NormComparison:
    """A comparison with a reference value: verdict "at or above" ``reference`` or "below".

    ``value`` is rounded to ``nd`` decimals for the report; the verdict uses it unrounded.
    """
    return NormComparison(
        metric=metric,
        value=round(value, nd),
        unit=unit,
        norm=norm,
        source=source,
        verdict="at or above" if value >= reference else "below",
    )


def values_by_leg(
    events: Sequence[Mapping[str, Any]], key: str, sign: float = 1.0
) -> dict[str, list[float]]:
    """Side -> ``sign * event[key]`` of that leg's steps, where ``event[key]`` is not None."""
    return {
        s: [sign * e[key] for e in events if e["leg"] == s and e[key] is not None] for s in st.SIDES
    }


def left_right(
    per_leg: Mapping[str, list[float]], key: str, nd: int
) -> dict[str, dict[str, Any]] | None:
    """Left vs right summary: side -> steps and the mean under ``key``; None unless both legs."""
    if not all(per_leg.values()):
        return None
    return {s: {"steps": len(v), key: st.rnd(float(np.mean(v)), nd)} for s, v in per_leg.items()}


def add_calibration_note(flags: dict[str, str], key: str, note: str | None) -> None:
    """Append the cm-scale note (``steps.calibration_note``) to ``flags[key]`` (or set it)."""
    append_flag(flags, key, note)


def set_size_cues(n_steps: int, target_steps: int) -> list[Cue]:
    """The info cue when some steps but fewer than ``target_steps`` were taken (else none)."""
    if 0 < n_steps < target_steps:
        return [Cue(None, "info", f"{n_steps} steps: take at least {target_steps} for a full set")]
    return []


def clamp01(x: float) -> float:
    """``x`` limited to [0, 1] (a score term)."""
    return max(0.0, min(1.0, x))


def steps_term(n_steps: int, target_steps: int) -> float:
    """Score term for the number of steps: ``min(1, n_steps / target_steps)``."""
    return min(1.0, n_steps / target_steps)


def weighted_score(weights: Mapping[str, float], terms: Mapping[str, float]) -> float:
    """``round(100 * sum(weights[k] * terms[k]), 1)``, summed in the order of ``weights``.

    ``terms`` must hold exactly the keys of ``weights``, each term in [0, 1].
    """
    if set(terms) != set(weights):
        raise ValueError(f"score terms {sorted(terms)} do not match weights {sorted(weights)}")
    total = 0.0
    for k, w in weights.items():
        total += w * terms[k]
    return round(100 * total, 1)


def walk_series(
    times_s: FloatArray, steps: list[st.Step], per_side: Mapping[str, Mapping[str, FloatArray]]
) -> dict[str, FloatArray]:
    """Per-frame series: "steps" (running count) then ``f"{side}_{name}"`` for each side.

    Args:
        times_s: (T,) frame times, s.
        steps: the steps.
        per_side: name (with its unit, e.g. "toe_lift_deg") -> side -> (T,) values.
    """
    series: dict[str, FloatArray] = {"steps": st.steps_series(times_s, steps)}
    for s in st.SIDES:
        for name, values in per_side.items():
            series[f"{s}_{name}"] = values[s]
    return series


def walk_result(
    w: WalkSetup[Any],
    per_side: Mapping[str, Mapping[str, FloatArray]],
    *,
    summary: dict[str, Any],
    events: list[dict[str, Any]],
    cues: list[Cue],
    score: float | None,
    flags: dict[str, str],
    norms: list[NormComparison],
    warnings: list[QualityIssue],
) -> DrillResult:
    """A walk drill's ``DrillResult``.

    Events are the steps and ``w.rejected`` in time order, series are
    ``walk_series(w.times_s, w.steps, per_side)``, the overlay is the step count.
    """
    return DrillResult(
        summary=summary,
        events=sorted(events + w.rejected, key=lambda e: e.get("start_s") or 0.0),
        cues=cues,
        score=score,
        flags=flags,
        norms=norms,
        series=walk_series(w.times_s, w.steps, per_side),
        warnings=warnings,
        overlay=("steps",),
    )
