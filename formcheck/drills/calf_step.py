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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from formcheck.drills.base import Cue
from formcheck.drills.common import fill_nans, moving_median
from formcheck.signals import robust_sd

if TYPE_CHECKING:
    from formcheck.drills.calf_raise import CalfRaiseThresholds, LegTraces, Rep, RepCandidate

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

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


def _bottom_rows(ds: FloatArray, lo: int, hi: int, level: float) -> tuple[int, int]:
    """Rows ``[a, b)`` of the bottom of a lowering in rows [lo, hi) of the smoothed trace ``ds``.

    The stretch where ``ds`` lies in the lower half of its fall below
    ``level``, around its lowest sample; its middle third in time, chosen
    by time and not by height, so noise troughs do not deepen it.
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
    return a + third, b + 1 - third


def _bottom_cm(own: FloatArray, rows: tuple[int, int]) -> float:
    """The heel landmark's own height ``own`` (cm) at a lowering's bottom ``rows`` (median)."""
    vals = own[rows[0] : rows[1]]
    vals = vals[np.isfinite(vals)]
    return float(np.median(vals)) if vals.size else float("nan")


@dataclass(frozen=True)
class StepLevel:
    """Where one leg stood flat on the step.

    Attributes:
        flat_cm: the foot's flat level (cm, the heel trace's units; the
            highest over the leg's spans).
        rows: (T,) bool, the frames the level was read on (the foot standing
            still and flat on the step), for the other foot of a double-leg
            set (``measure_drops``'s ``shared_rows``).
    """

    flat_cm: float
    rows: BoolArray


@dataclass(frozen=True)
class Place:
    """Where the runner stands, per frame: a drop below a step is read only in place.

    A heel landmark lower than the step's flat level after a rep is a drop
    only while the runner still stands where, and as, they stood flat: on
    the real turning clip (flat ground) the heel read 7-13 cm "below the
    step" while the runner turned round and walked away, and 3-4 cm low
    all through the reps after the turn (the rear-oblique view reads the
    standing heel lower), which took the set for one on a step.

    Attributes:
        turn: (T,) int, the lasting turns (``ViewResult.turns_s``) before
            each frame; a flat level read before a turn does not apply
            after it.
        hips_judged: (T,) bool, frames whose hip position along the floor
            is judged (side-on or oblique: from the front a shift of weight
            moves the hips across the picture), against
            ``step_min_hip_travel_cm``.
    """

    turn: npt.NDArray[np.int64]
    hips_judged: BoolArray

    @classmethod
    def of(cls, times_s: FloatArray, views: npt.NDArray[Any], turns_s: tuple[float, ...]) -> Place:
        """From per-frame view names and the clip's turn times (s)."""
        turn = np.searchsorted(np.asarray(turns_s, dtype=np.float64), times_s, side="right")
        judged = np.isin(np.asarray(views).astype(str), ("side", "oblique"))
        return cls(turn.astype(np.int64), judged)


def _in_place(
    times_s: FloatArray,
    hips_cm: FloatArray | None,
    place: Place | None,
    flat_rows: BoolArray,
    th: CalfRaiseThresholds,
) -> BoolArray:
    """(n,) bool over a span: the runner stands where and as on ``flat_rows`` (all arrays cut to the span).

    No lasting turn between, and the hips (smoothed over ``smoothing_s``)
    within ``step_min_hip_travel_cm`` along the floor of where they stood
    flat; frames whose hips are not judged, or unseen, pass.
    """
    n = len(flat_rows)
    ok = np.ones(n, dtype=bool)
    if place is None or len(place.turn) != n:
        return ok
    ids = place.turn[flat_rows]
    if ids.size:
        ok &= place.turn == int(np.bincount(ids).argmax())
    if hips_cm is not None and np.isfinite(hips_cm).sum() >= 3:
        dt = float(np.median(np.diff(times_s))) if n > 1 else 1.0 / 30.0
        hips = moving_median(fill_nans(times_s, hips_cm), max(1, round(th.smoothing_s / dt)))
        hips = np.where(place.hips_judged & np.isfinite(hips_cm), hips, np.nan)
        ref = hips[flat_rows & np.isfinite(hips)]
        if ref.size:
            with np.errstate(invalid="ignore"):
                ok &= ~(np.abs(hips - float(np.median(ref))) >= th.step_min_hip_travel_cm)
    return ok


def _body_witness(
    times_s: FloatArray,
    body_cm: FloatArray | None,
    knee_deg: FloatArray | None,
    reps: list[RepCandidate],
    flat_rows: BoolArray,
    th: CalfRaiseThresholds,
) -> Callable[[tuple[int, int]], float] | None:
    """How far the hips say the heel went below the step, for a lowering's bottom rows (cm).

    On a step the ankle, and the body above it, go down with the heel (the
    foot turns about the toe joints); on flat ground they cannot, unless
    the knees bend. Side-on, a pose model follows the hips better than a
    heel below a step: on the rendered step (5 cm drops) MediaPipe's heel
    landmark fell 1.9-2.9 cm, the hip midpoint 3.7 cm (the truth's ankle
    3.45), while on the flat-ground alternating render the hips stayed at
    their standing level as the near heel landmark sank 1.8 cm. The
    returned function gives the hips' fall below their flat level over
    ``rows`` (a lowering's bottom, ``_bottom_rows``), divided by the set's
    body rise per cm of heel rise (median over ``reps``), in heel cm; 0
    where the knee bent ``step_min_knee_bend_deg`` / 2 more than standing
    flat (the hips going down with a bending knee). None without hips, or
    when the body did not rise with the heel (below
    ``min_body_rise_fraction``).
    """
    if body_cm is None or len(reps) < 2 or not np.isfinite(body_cm[flat_rows]).any():
        return None
    ratios = [
        c.body_rise_cm / c.heel_rise_cm
        for c in reps
        if np.isfinite(c.body_rise_cm) and c.heel_rise_cm > 0
    ]
    if not ratios or float(np.median(ratios)) < th.min_body_rise_fraction:
        return None
    ratio = float(np.median(ratios))
    dt = float(np.median(np.diff(times_s))) if len(times_s) > 1 else 1.0 / 30.0
    win = max(1, round(th.smoothing_s / dt))
    body = moving_median(fill_nans(times_s, body_cm), win)
    body_flat = float(np.nanmedian(body[flat_rows]))
    knee = None
    if knee_deg is not None and np.isfinite(knee_deg[flat_rows]).any():
        knee = moving_median(fill_nans(times_s, knee_deg), win)
    knee_flat = float(np.nanmedian(knee[flat_rows])) if knee is not None else float("nan")

    def drop(rows: tuple[int, int]) -> float:
        seg = body[rows[0] : rows[1]]
        if not np.isfinite(seg).any():
            return 0.0
        if knee is not None and np.isfinite(knee[rows[0] : rows[1]]).any():
            bend = float(np.nanmedian(knee[rows[0] : rows[1]])) - knee_flat
            if bend >= 0.5 * th.step_min_knee_bend_deg:
                return 0.0
        return (body_flat - float(np.nanmedian(seg))) / ratio

    return drop


def _until_moved(in_place: BoolArray, lo: int, hi: int) -> int:
    """The end of rows [lo, hi) cut at the first row not ``in_place`` (lo when ``lo`` is not)."""
    off = np.flatnonzero(~in_place[lo:hi])
    return hi if not off.size else lo + int(off[0])


def measure_drops(
    times_s: FloatArray,
    tr: LegTraces,
    cands: list[RepCandidate],
    th: CalfRaiseThresholds,
    shared_rows: BoolArray | None = None,
    place: Place | None = None,
) -> StepLevel | None:
    """Re-measure one leg's candidates (in place) when its heel sank below a step between reps.

    Searched on each of the leg's ``spans`` apart, like the reps. The flat
    level is the higher of the still stretches (``flat_level_min_s`` long,
    within ``flat_level_tolerance_cm``, below the tops by more than half the
    typical rise) before the first rep's top and after the last rep's top. A
    rep's lowering is its lowest point between its top and the next rep's
    (or the end of the span), found on the smoothed combined trace
    (``_bottom_rows``). The set is on
    a step when at least ``step_min_drop_share`` of its reps lowered the heel
    ``min_heel_drop_cm`` or more below the flat level (and at least two
    did), or half of it on the heel landmark while the hips went down the
    whole of it (``_body_witness``: a pose model follows the hips below a
    step better than the heel). Then a candidate whose top does not clear the flat level by
    ``min_rise_cm`` is no rep (``STEP_LEVEL_REASON``); the others are judged
    again on their whole travel with the flat level as their only standing
    level (the levels either side differ by the drop, which is no step or
    turn), their toe's and body's lifts measured from the frames standing
    flat (at the bottoms of the drops the toe landmark moves with the foot's
    turn: on a rendered step MediaPipe put the far foot's toe 6 cm lower
    there, which read every rise as the whole foot leaving the floor); each
    candidate's rise becomes its top above the flat level, and each rep gets
    ``heel_drop_cm``: the heel landmark's own fall below its flat level at
    the bottom of the lowering (0 for a lowering that stayed above
    ``min_heel_drop_cm``).

    ``shared_rows``: (T,) bool, where the other foot of a double-leg set
    stood flat on the step (``StepLevel.rows``): both feet stand on the same
    step, so a span of this leg with no flat stretch of its own (or whose
    rises were all taken for the foot leaving the floor) takes its level
    over those rows, as long as this foot stood still there too; with
    shared rows its drops need only half of ``min_heel_drop_cm`` (the step is known: on a
    rendered step side-on, MediaPipe read a 5 cm drop 2.7 cm deep on the far
    foot and 1.9-2.0 cm on the near one, while on a flat-ground render a
    near heel landmark sank 1.8 cm between reps).

    ``place``: where the runner stands per frame; a lowering is searched
    only up to the first frame the runner turned or moved from where the
    flat level was read (``Place``). None: not judged.

    Returns the leg's ``StepLevel`` when it was on a step in any span, else
    None (candidates untouched).
    """
    from formcheck.drills.calf_raise import (
        FOOT_UP_REASON,
        _lift,
        _toe_lift,
        _why_not_a_rep,
        toe_lift_noise_cm,
        toe_standing_noise_cm,
    )

    n = len(times_s)
    found: float | None = None
    used = np.zeros(n, dtype=bool)
    own = tr.rise_cm if tr.heel_landmark_cm is None else tr.heel_landmark_cm
    for a, b in tr.spans or ((0, n),):
        inside = [c for c in cands if a <= c.peak_i < b]
        shared = None if shared_rows is None or len(shared_rows) != n else shared_rows[a:b]
        hips = None if tr.hips_along_cm is None else tr.hips_along_cm[a:b]
        span_place = (
            None
            if place is None or len(place.turn) != n
            else Place(place.turn[a:b], place.hips_judged[a:b])
        )
        level = _span_level(
            times_s[a:b],
            tr.rise_cm[a:b],
            own[a:b],
            inside,
            a,
            th,
            shared,
            hips,
            span_place,
            tr.body_cm[a:b],
            tr.knee_flexion_deg[a:b],
        )
        if level is None:
            continue
        flat, drops, rows, in_place = level
        used[a:b] |= rows
        found = flat if found is None else max(found, flat)
        flat_idx = np.flatnonzero(rows) + a
        # a rise where the runner no longer stands where the flat level was read
        # (turned round, moved along) is left as it was measured
        inside = [c for c in inside if in_place[c.peak_i - a]]
        for c in inside:
            if c.is_rep or (c.reason or "").startswith(FOOT_UP_REASON):
                c.toe_lift_cm = _toe_lift(
                    times_s, tr.toe_cm, c.plateau, (c.mid_up_s, c.mid_down_s), flat_idx, None
                )
                c.body_rise_cm = _lift(tr.body_cm, c.plateau, flat_idx, None)
        # the candidates' baseline rows index the whole clip
        toe_noise = max(toe_lift_noise_cm(inside), toe_standing_noise_cm(tr.toe_cm, inside))
        for c in inside:
            top = _top_cm(c)
            reason = c.reason or ""
            if top - flat < th.min_rise_cm:
                c.reason = STEP_LEVEL_REASON
            elif c.is_rep or reason.startswith(("the heel did not come back", FOOT_UP_REASON)):
                # judged on the whole travel from the flat level, which the
                # toe's and the body's lifts are measured against too; the
                # standing levels either side may differ by the drop
                c.heel_rise_cm = top - flat
                c.reason = _why_not_a_rep(c, th, [flat], toe_noise_cm=toe_noise)
            c.heel_rise_cm = top - flat
            c.levels = [flat]
        for c, depth in drops:
            if depth is not None:
                c.heel_drop_cm = depth
    return None if found is None else StepLevel(found, used)


def _span_level(
    times_s: FloatArray,
    d: FloatArray,
    own: FloatArray,
    cands: list[RepCandidate],
    offset: int,
    th: CalfRaiseThresholds,
    shared: BoolArray | None = None,
    hips_cm: FloatArray | None = None,
    place: Place | None = None,
    body_cm: FloatArray | None = None,
    knee_deg: FloatArray | None = None,
) -> tuple[float, list[tuple[RepCandidate, float | None]], BoolArray, BoolArray] | None:
    """``(flat level, [(rep, drop cm), ...], flat rows, in place)`` of one span (rows from ``offset``).

    None off a step. A rep whose top is not in place (``_in_place``) has no
    drop (None); it still counts among the reps that had to drop. ``shared`` as ``measure_drops``'s ``shared_rows``,
    ``hips_cm`` (``LegTraces.hips_along_cm``) and ``place`` cut to the span.
    """
    from formcheck.drills.calf_raise import FOOT_UP_REASON

    if np.isfinite(d).sum() < 3:
        return None
    dt = float(np.median(np.diff(times_s))) if len(times_s) > 1 else 1.0 / 30.0
    ds = moving_median(fill_nans(times_s, d), max(1, round(th.smoothing_s / dt)))
    reps = sorted((c for c in cands if c.is_rep), key=lambda c: c.peak_i)
    level = _own_flat_level(ds, reps, offset, dt, th) if len(reps) >= 2 else None
    # with the other foot on the step, the step is known: half the drop will do
    min_drop = th.min_heel_drop_cm if shared is None else 0.5 * th.min_heel_drop_cm
    if level is None and shared is not None and shared.sum() >= 2:
        # the other foot's flat frames, where this foot must have stood still too
        still = ds[shared]
        if float(np.max(still) - np.min(still)) > 2.0 * th.flat_level_tolerance_cm:
            return None
        reps = sorted(
            (c for c in cands if c.is_rep or (c.reason or "").startswith(FOOT_UP_REASON)),
            key=lambda c: c.peak_i,
        )
        if len(reps) < 2:
            return None
        level = (float(np.median(still)), shared.copy())
    if level is None:
        return None
    flat, flat_rows = level
    # the drop is read on the heel landmark alone, from its own flat level
    # over the same still frames
    own_flat = float(np.nanmedian(own[flat_rows])) if np.isfinite(own[flat_rows]).any() else None
    if own_flat is None:
        return None
    drops: list[tuple[RepCandidate, float | None]] = []
    n = len(ds)
    in_place = _in_place(times_s, hips_cm, place, flat_rows, th)
    witness = _body_witness(times_s, body_cm, knee_deg, reps, flat_rows, th)
    for k, c in enumerate(reps):
        lo = c.plateau[1] - offset + 1
        hi = reps[k + 1].plateau[0] - offset if k + 1 < len(reps) else n
        if not in_place[c.plateau[0] - offset : lo].all():
            drops.append((c, None))
            continue
        # read while the runner still stands where the flat level was read
        hi = _until_moved(in_place, lo, hi) if lo < hi else hi
        fall = flat - float(np.min(ds[lo:hi])) if hi - lo >= 2 else 0.0
        if fall < 0.5 * min_drop or (fall < min_drop and witness is None):
            drops.append((c, 0.0))
            continue
        rows = _bottom_rows(ds, lo, hi, flat)
        bottom = _bottom_cm(own, rows)
        v = own_flat - bottom if np.isfinite(bottom) else 0.0
        if (fall < min_drop or v < min_drop) and (
            v < 0.5 * min_drop or witness is None or witness(rows) < min_drop
        ):
            # short of the drop on the heel, and the hips did not go down for it
            v = 0.0
        drops.append((c, v))
    ok = {id(c) for c, v in drops if v is not None and v > 0.0}
    deep = len(ok)
    if deep < 2 or deep < th.step_min_drop_share * len(reps):
        return None
    kept = [(c, None if v is None else v if id(c) in ok else 0.0) for c, v in drops]
    return flat, kept, flat_rows, in_place


def _own_flat_level(
    ds: FloatArray, reps: list[RepCandidate], offset: int, dt: float, th: CalfRaiseThresholds
) -> tuple[float, BoolArray] | None:
    """``(flat level, rows)`` from the smoothed trace ``ds`` of one span, or None.

    The highest still stretch outside the set (before the first rep's top,
    after the last's): standing flat on the step (a hang below the step
    before the first rise or after the last is lower). Stretches are
    ``flat_level_min_s`` long; without one, ``flat_level_short_s`` will do
    when there is one at each end and the highest of each agree within
    ``flat_level_tolerance_cm`` (``_short_ends``).
    """
    tops = [_top_cm(c) for c in reps]
    levels = [lv for c in reps for lv in c.levels]
    typical = float(np.median(np.array(tops) - np.median(levels))) if levels else float("nan")
    if not np.isfinite(typical) or typical <= 0:
        return None
    below = float(np.median(tops)) - 0.5 * typical
    win = max(2, round(th.flat_level_min_s / dt))
    still = _still_levels(ds, win, th.flat_level_tolerance_cm, below)
    side = _side_of_the_set(reps, tops, below, offset)
    still = [x for x in still if side(x)]
    if not still and _steady_levels(reps, th):
        win = max(2, round(th.flat_level_short_s / dt))
        short = _still_levels(ds, win, th.flat_level_tolerance_cm, below)
        still = _short_ends(short, side, th)
    if not still:
        return None
    ends = np.array([lv for _, _, lv in still])
    flat = float(np.median(ends[ends >= ends.max() - th.flat_level_tolerance_cm]))
    rows = np.zeros(len(ds), dtype=bool)
    for s, e, lv in still:
        if lv >= ends.max() - th.flat_level_tolerance_cm:
            rows[s:e] = True
    return flat, rows


def _side_of_the_set(
    reps: list[RepCandidate], tops: list[float], below: float, offset: int
) -> Callable[[tuple[int, int, float]], int]:
    """Where a still stretch ``(start, stop, level)`` (span rows) lies: -1 before the set, 1 after, 0 in it.

    Before the first full-height top (one reaching ``below``) or after the
    last; a lower "rep" outside those is the heel coming back up to the
    step's level from a hang, so a stillness before it (after the set) or
    after it (before the set) is that hang, not the foot standing flat (0).
    """
    full = [k for k, top in enumerate(tops) if top >= below]
    first = reps[full[0]].plateau[0] - offset
    last = reps[full[-1]].plateau[1] - offset
    # the heel's way up to the level from a hang, before the set and after it
    up_before = min((c.plateau[1] - offset for c in reps[: full[0]]), default=first)
    up_after = max((c.plateau[0] - offset for c in reps[full[-1] + 1 :]), default=last)

    def side(x: tuple[int, int, float]) -> int:
        s, e, _ = x
        if e <= first and s < up_before:
            return -1
        return 1 if s > last and e > up_after else 0

    return side


def _steady_levels(reps: list[RepCandidate], th: CalfRaiseThresholds) -> bool:
    """Whether the set's standing levels between reps agree within half ``flat_level_tolerance_cm``.

    Robust SD (MAD) of the levels either side of each rep but the set's
    outer two. A brief stillness at each end (``_short_ends``) can agree by
    chance on a trace that wanders: on a heavy-noise synthetic single-leg
    set on flat ground from the front the levels between reps spread over
    5 cm and two 0.6 s stretches at its ends took it for a set on a step.
    """
    inner = [lv for c in reps for lv in c.levels][1:-1]
    if len(inner) < 3:
        return False
    x = np.asarray(inner, dtype=np.float64)
    sd = robust_sd(x)
    return sd <= 0.5 * th.flat_level_tolerance_cm


def _short_ends(
    still: list[tuple[int, int, float]],
    side: Callable[[tuple[int, int, float]], int],
    th: CalfRaiseThresholds,
) -> list[tuple[int, int, float]]:
    """The highest of short still stretches before the set and after it, if the two agree.

    ``side``: where a stretch lies (``_side_of_the_set``). A runner who
    steps onto the step and starts at once stands flat only briefly; one
    brief stillness could be a pause anywhere, so it takes one at each end
    of the set, level with each other (within ``flat_level_tolerance_cm``).
    Empty otherwise.
    """
    before = [x for x in still if side(x) == -1]
    after = [x for x in still if side(x) == 1]
    if not before or not after:
        return []
    a = max(before, key=lambda x: x[2])
    b = max(after, key=lambda x: x[2])
    return [a, b] if abs(a[2] - b[2]) <= th.flat_level_tolerance_cm else []


def step_levels(
    times_s: FloatArray,
    traces: dict[str, LegTraces],
    per_leg: dict[str, list[RepCandidate]],
    th: CalfRaiseThresholds,
    witnesses: dict[str, tuple[LegTraces, list[RepCandidate]]] | None = None,
    place: Place | None = None,
) -> dict[str, StepLevel]:
    """``measure_drops`` on every leg, then again on a leg of the same set not found on its own.

    A leg found on a step lends its flat frames (``StepLevel.rows``) to a leg
    that was not, when most of that leg's rises (reps, or rises taken for
    the foot leaving the floor) have their top inside one of the found
    leg's reps and its toe stands with the found leg's toe there (a foot
    held up beside the stance foot rises and sinks with the body too): the
    two feet rose together, on the same step. Legs whose rises fall
    elsewhere (the sets of a single-leg clip, one leg after the other) are
    left alone. ``witnesses``: legs not measured (the far leg side-on), with
    their candidates, that may lend their flat frames but are not changed
    (copies are measured). ``place``: as ``measure_drops``'s. Returns the
    measured legs' levels.
    """
    import copy

    from formcheck.drills.calf_raise import FOOT_UP_REASON, FREE_FOOT_ABOVE_CM

    found: dict[str, StepLevel] = {}
    all_traces = dict(traces)
    all_cands = dict(per_leg)
    for leg, (tr, cands) in (witnesses or {}).items():
        if leg not in traces:
            all_traces[leg] = tr
            all_cands[leg] = copy.deepcopy(cands)
    for leg, tr in all_traces.items():
        level = measure_drops(times_s, tr, all_cands[leg], th, place=place)
        if level is not None:
            found[leg] = level
    for leg, tr in traces.items():
        if leg in found or not found:
            continue
        rises = [c for c in per_leg[leg] if c.is_rep or (c.reason or "").startswith(FOOT_UP_REASON)]
        for other, level in list(found.items()):
            if other == leg:
                continue
            spans = [
                (c.start_s if c.start_s is not None else -np.inf, c.end_s or np.inf)
                for c in all_cands[other]
                if c.is_rep
            ]
            together = sum(any(lo <= c.peak_s <= hi for lo, hi in spans) for c in rises)
            if not rises or together < 0.5 * len(rises):
                continue
            # a foot held up beside the stance foot rises and sinks with the body:
            # on the step its toe stands with the other toe
            toes = [_nanmedian_or_nan(t.toe_cm[level.rows]) for t in (tr, all_traces[other])]
            if not np.isfinite(toes).all() or abs(toes[0] - toes[1]) >= FREE_FOOT_ABOVE_CM:
                continue
            shared = measure_drops(times_s, tr, per_leg[leg], th, level.rows, place)
            if shared is not None:
                found[leg] = shared
                break
    return {leg: level for leg, level in found.items() if leg in traces}


def _nanmedian_or_nan(x: FloatArray) -> float:
    """Median of the finite values of ``x``; NaN when there are none."""
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


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
