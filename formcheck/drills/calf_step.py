"""Calf raises on a step: the heels lowered below the step's level between reps.

Runners with Achilles or calf trouble are told to do their heel raises on a
step's edge, letting the heels sink below the step on the way down (the
eccentric heel-drop programmes; the straight- and bent-knee sets of the
issue's seeds are done this way). On a step the heel trace of a rep no
longer starts and ends at the foot's flat level: it falls below it. Measured
from the bottoms, every rise would read the rise *and* the drop (13 cm for an
8 cm rise over a 5 cm drop), the first rep of a set only half of that, and
the heel coming back up to level after the last drop would look like one
more, partial rep.

This module finds the foot's **flat level** (the heel trace while the runner
stands still, foot flat on the step, before the first rep or after the
last), decides whether the set's lowest points between reps lie clearly below
it, and if they do measures each rep's rise from the flat level (the same
height as on flat ground, comparable with the norms) and its **drop** below
it (``RepCandidate.heel_drop_cm``). A rise that only comes back up to the flat
level is not a rep.

Heights in cm (the heel trace's units), times in seconds, indices frame rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from formcheck.drills.base import Cue
from formcheck.drills.common import fill_nans, moving_median

if TYPE_CHECKING:
    from formcheck.drills.calf_raise import CalfRaiseThresholds, LegTraces, Rep, RepCandidate

FloatArray = npt.NDArray[np.float64]

STEP_LEVEL_REASON = (
    "the heel only came back up to the step's level from below it: the end of a lowering, "
    "not a rise"
)
"""Why a rise of the heel from below the step up to its level is not a rep."""


def _top_cm(c: RepCandidate) -> float:
    """The heel trace at ``c``'s top (its rise plus the mean of its standing levels)."""
    return c.heel_rise_cm + (float(np.mean(c.levels)) if c.levels else 0.0)


def _still_levels(
    ds: FloatArray, win: int, tolerance_cm: float, below_cm: float
) -> list[tuple[int, int, float]]:
    """Stretches ``(start, stop, level)`` where ``ds`` stays within ``tolerance_cm`` for ``win`` rows.

    Only stretches whose level lies under ``below_cm`` count (a rep's held
    top is not a place the foot stands flat). Overlapping windows are joined.
    """
    n = ds.size
    if n < win or win < 2:
        return []
    view = np.lib.stride_tricks.sliding_window_view(ds, win)
    still = (view.max(axis=1) - view.min(axis=1)) <= tolerance_cm
    covered = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(still):
        covered[i : i + win] = True
    edges = np.diff(np.concatenate([[0], covered.astype(np.int8), [0]]))
    out = []
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        level = float(np.median(ds[a:b]))
        if level < below_cm:
            out.append((int(a), int(b), level))
    return out


def _bottom_cm(own: FloatArray, ds: FloatArray, lo: int, hi: int, level: float) -> float:
    """The heel landmark's own height at the bottom of a lowering in rows [lo, hi).

    The bottom is found on the smoothed combined trace ``ds``: the stretch
    where it lies in the lower half of its fall below ``level``; the height
    is the median of ``own`` over the middle third of that stretch in time,
    chosen by time and not by height, so noise troughs do not deepen it.
    """
    seg = ds[lo:hi]
    low = float(np.min(seg))
    rows = np.flatnonzero(seg <= 0.5 * (level + low)) + lo
    i = lo + int(np.argmin(seg))
    # the contiguous run around the lowest sample
    a, b = i, i
    while a - 1 in rows:
        a -= 1
    while b + 1 in rows:
        b += 1
    third = (b - a + 1) // 3
    vals = own[a + third : b + 1 - third]
    vals = vals[np.isfinite(vals)]
    return float(np.median(vals)) if vals.size else float("nan")


def measure_drops(
    times_s: FloatArray, tr: LegTraces, cands: list[RepCandidate], th: CalfRaiseThresholds
) -> float | None:
    """Re-measure one leg's candidates (in place) when its heel sank below a step between reps.

    Searched on each of the leg's ``spans`` apart, like the reps. The flat
    level is the higher of the still stretches (``flat_level_min_s`` long,
    within ``flat_level_tolerance_cm``, below the tops by more than half the
    typical rise) before the first rep's top and after the last rep's top. A
    rep's lowering is its lowest point between its top and the next rep's
    (or the end of the span), found on the smoothed combined trace
    (``_bottom_cm``). The set is on
    a step when at least ``step_min_drop_share`` of its reps lowered the heel
    ``min_heel_drop_cm`` or more below the flat level (and at least two
    did). Then a candidate whose top does not clear the flat level by
    ``min_rise_cm`` is no rep (``STEP_LEVEL_REASON``); the others are judged
    again on their whole travel with the flat level as their only standing
    level (the levels either side differ by the drop, which is no step or
    turn); each candidate's rise becomes its top above the flat level, and
    each rep gets ``heel_drop_cm``: the heel landmark's own fall below its
    flat level at the bottom of the lowering (0 for a lowering that stayed
    above ``min_heel_drop_cm``).

    Returns the flat level (cm, the heel trace's units) when the leg was on
    a step in any span, else None (candidates untouched).
    """
    from formcheck.drills.calf_raise import (
        _why_not_a_rep,
        toe_lift_noise_cm,
        toe_standing_noise_cm,
    )

    n = len(times_s)
    found: float | None = None
    for a, b in tr.spans or ((0, n),):
        inside = [c for c in cands if a <= c.peak_i < b]
        own = tr.rise_cm if tr.heel_landmark_cm is None else tr.heel_landmark_cm
        level = _span_level(times_s[a:b], tr.rise_cm[a:b], own[a:b], inside, a, th)
        if level is None:
            continue
        flat, drops = level
        found = flat if found is None else max(found, flat)
        # the candidates' baseline rows index the whole clip, not the span
        toe_noise = max(toe_lift_noise_cm(inside), toe_standing_noise_cm(tr.toe_cm, inside))
        for c in inside:
            top = _top_cm(c)
            if top - flat < th.min_rise_cm:
                c.reason = STEP_LEVEL_REASON
            elif c.is_rep or (c.reason or "").startswith("the heel did not come back"):
                # judged on the whole travel from the bottoms, which the toe's
                # and the body's lifts are measured against too; the standing
                # levels either side may differ by the drop
                c.reason = _why_not_a_rep(c, th, [flat], toe_noise_cm=toe_noise)
            c.heel_rise_cm = top - flat
            c.levels = [flat]
        for c, depth in drops:
            c.heel_drop_cm = depth
    return found


def _span_level(
    times_s: FloatArray,
    d: FloatArray,
    own: FloatArray,
    cands: list[RepCandidate],
    offset: int,
    th: CalfRaiseThresholds,
) -> tuple[float, list[tuple[RepCandidate, float]]] | None:
    """``(flat level, [(rep, drop cm), ...])`` of one span (rows from ``offset``), or None off a step."""
    reps = sorted((c for c in cands if c.is_rep), key=lambda c: c.peak_i)
    if len(reps) < 2 or np.isfinite(d).sum() < 3:
        return None
    dt = float(np.median(np.diff(times_s))) if len(times_s) > 1 else 1.0 / 30.0
    ds = moving_median(fill_nans(times_s, d), max(1, round(th.smoothing_s / dt)))
    tops = [_top_cm(c) for c in reps]
    levels = [lv for c in reps for lv in c.levels]
    typical = float(np.median(np.array(tops) - np.median(levels))) if levels else float("nan")
    if not np.isfinite(typical) or typical <= 0:
        return None
    win = max(2, round(th.flat_level_min_s / dt))
    still = _still_levels(
        ds, win, th.flat_level_tolerance_cm, float(np.median(tops)) - 0.5 * typical
    )
    first = reps[0].plateau[0] - offset
    last = reps[-1].plateau[1] - offset
    ends = np.array([lv for s, e, lv in still if e <= first or s > last])
    if not ends.size:
        return None
    # standing flat is the highest place the heel rests outside the set (a
    # hang below the step before the first rise or after the last is lower)
    flat = float(np.median(ends[ends >= ends.max() - th.flat_level_tolerance_cm]))
    # the drop is read on the heel landmark alone, from its own flat level
    # over the same still frames
    flat_rows = np.zeros(len(ds), dtype=bool)
    for s, e, lv in still:
        if (e <= first or s > last) and lv >= ends.max() - th.flat_level_tolerance_cm:
            flat_rows[s:e] = True
    own_flat = float(np.nanmedian(own[flat_rows])) if np.isfinite(own[flat_rows]).any() else None
    if own_flat is None:
        return None
    drops: list[tuple[RepCandidate, float]] = []
    n = len(ds)
    for k, c in enumerate(reps):
        lo = c.plateau[1] - offset + 1
        hi = reps[k + 1].plateau[0] - offset if k + 1 < len(reps) else n
        if hi - lo < 2 or flat - float(np.min(ds[lo:hi])) < th.min_heel_drop_cm:
            drops.append((c, 0.0))
            continue
        bottom = _bottom_cm(own, ds, lo, hi, flat)
        drops.append((c, own_flat - bottom if np.isfinite(bottom) else 0.0))
    deep = sum(v >= th.min_heel_drop_cm for _, v in drops)
    if deep < 2 or deep < th.step_min_drop_share * len(reps):
        return None
    return flat, [(c, v if v >= th.min_heel_drop_cm else 0.0) for c, v in drops]


def step_summary(complete: list[Rep], step_legs: list[str]) -> dict[str, Any]:
    """Summary keys of a set on a step: ``on_step``, ``mean_heel_drop_cm``, ``reps_below_step``.

    ``on_step`` is True when any measured leg's heel sank below the step
    (``measure_drops``); the mean drop is over the complete reps measured
    on a step, cm (None off a step); ``reps_below_step`` counts the
    complete reps whose drop reached ``min_heel_drop_cm``.
    """
    drops = [r.heel_drop_cm for r in complete if r.heel_drop_cm is not None]
    return {
        "on_step": bool(step_legs),
        "mean_heel_drop_cm": round(float(np.mean(drops)), 2) if drops else None,
        "reps_below_step": sum(d > 0 for d in drops) if step_legs else None,
    }


def step_cues(complete: list[Rep], step_legs: list[str]) -> list[Cue]:
    """What a runner on a step is told: how far the heels sank, and which reps did not."""
    if not step_legs:
        return []
    drops = [(r, r.heel_drop_cm) for r in complete if r.heel_drop_cm is not None]
    if not drops:
        return []
    below = [d for _, d in drops if d > 0]
    cues = [
        Cue(
            None,
            "info",
            f"on a step: your heels sank {np.mean(below):.1f} cm below the step on average; "
            "heel rise is measured from the step's level",
        )
    ]
    shallow = [k + 1 for k, (r, d) in enumerate(drops) if d == 0]
    if shallow:
        which = ", ".join(str(k) for k in shallow)
        cues.append(
            Cue(
                drops[shallow[0] - 1][0].peak_s,
                "warning",
                f"let your heels sink below the step on the way down: rep{'s' if len(shallow) > 1 else ''} "
                f"{which} stayed above it",
            )
        )
    return cues
