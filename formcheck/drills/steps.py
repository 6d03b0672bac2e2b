"""Step segmentation shared by the walking drills (heel, toe, inversion, eversion walks).

A step is one **swing** of a foot: the foot leaves the floor, moves, and lands
again. In a walk one foot is always on the floor, and a foot on the floor
stands still in the picture (the camera does not move), so the swing is found
where the foot moves in the image:

1. Per foot, a foot point (mean of heel, ankle and toe landmarks, pixels) is
   divided by the person's size in the picture (``body_px``, stature in
   pixels, per frame), so speeds are in **body heights per second** and do
   not depend on resolution, zoom or walking toward the camera.
2. The speed is the displacement over a short centred window
   (``speed_window_s``). A swing is a stretch above the *on* level
   (``swing_on_fraction`` of the foot's typical swing speed, and at least
   ``min_swing_speed_hps``), extended to where the speed falls under the
   *off* level (hysteresis), lasting at least ``min_swing_s``.
3. A swing must carry the foot somewhere: the stance positions just before
   and just after (medians over ``stance_compare_s``) differ by at least
   ``min_step_fraction`` of body height, for the heel and the toe alike. A landmark
   that jumps and jumps back (a misplaced far foot) is not a step. Nor is a
   swing of one foot during a swing of the other in which the other foot
   travels further: in a walk one foot always stands, so the standing foot's
   landmarks were pulled along (the legs passing each other side-on).
4. After a step the foot stands until its next swing (or the clip's end):
   that **stance** is where the drills measure toe lift, heel height or tilt.

All numbers come from ``steps.toml`` (unit and source per key).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.drills.common import fill_nans as _fill_nans_1d
from formcheck.drills.common import moving_median
from formcheck.drills.common import nan_median as nanmedian
from formcheck.landmarks import Landmark, side_landmark
from formcheck.thresholds import load_thresholds, thresholds_from_mapping
from formcheck.track import PoseTrack

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SIDES = ("left", "right")

FOOT_LENGTH_FRAC = 0.152
"""Foot length as a fraction of stature (Winter 2009, Biomechanics and Motor
Control of Human Movement, Fig. 4.1). The heel and toe landmarks sit at the
back of the heel and the tip of the toes, so their distance is about this."""

BALL_FRAC = 0.68
"""Distance from the heel's floor contact to the ball of the foot (metatarsal
heads), fraction of foot length: the metatarsal heads sit at ~72% of foot
length from the back of the heel, and the heel's contact point ~4% of foot
length in front of the back of the heel (Winter 2009 proportions)."""


MIN_END_SEEN = 0.5
"""Fraction of frames in which a heel or toe landmark must be seen to count in
``find_steps`` (judgement: an end seen less than half the time is mostly filled in)."""


@dataclass(frozen=True)
class StepThresholds:
    """Step segmentation thresholds; see ``steps.toml`` for units and sources."""

    speed_window_s: float
    toward_speed_window_s: float
    body_smoothing_s: float
    swing_on_fraction: float
    swing_off_fraction: float
    min_swing_speed_hps: float
    min_swing_s: float
    max_swing_s: float
    merge_gap_s: float
    min_step_fraction: float
    stance_compare_s: float
    typical_speed_percentile: float
    flat_min_s: float
    flat_percentile: float


def load_step_thresholds(overrides: dict[str, Any] | None = None) -> StepThresholds:
    """Thresholds from ``steps.toml`` with optional overrides by name."""
    return load_thresholds(StepThresholds, "steps.toml", overrides)


def split_overrides(
    overrides: dict[str, Any], drill_cls: type[Any], drill_toml: str
) -> tuple[Any, StepThresholds]:
    """Split user overrides between a walking drill's thresholds and the step thresholds.

    Keys of ``StepThresholds`` go to the step thresholds, every other key to
    the drill's; unknown keys are rejected by the drill's loader (the message
    lists the drill's keys).
    """
    step_keys = {f.name for f in fields(StepThresholds)}
    step = {k: v for k, v in overrides.items() if k in step_keys}
    rest = {k: v for k, v in overrides.items() if k not in step_keys}
    return load_thresholds(drill_cls, drill_toml, rest), load_step_thresholds(step)


@dataclass
class Step:
    """One step: a swing of ``leg`` and the stance that follows it.

    Indices are frame rows (inclusive), times in seconds.

    Attributes:
        index: 1-based step number in time order.
        leg: "left" or "right" (the swinging foot).
        off_i, strike_i: frames where the foot leaves and lands.
        stance: (first, last) frames of the stance after landing, until the
            same foot swings again or the clip ends.
        displacement_h: stance-to-stance foot displacement, body heights.
        cut: True when the swing touches the clip's start or end.
    """

    index: int
    leg: str
    off_i: int
    strike_i: int
    off_s: float
    strike_s: float
    stance: tuple[int, int]
    displacement_h: float
    cut: bool = False


# ------------------------------------------------------------- small helpers
def median_dt(times_s: FloatArray) -> float:
    """Median frame interval, s (1/30 for fewer than two frames)."""
    dt = np.diff(times_s)
    return float(np.median(dt)) if dt.size else 1.0 / 30.0


def fill_nans(times_s: FloatArray, x: FloatArray) -> FloatArray:
    """``common.fill_nans`` for (T,) or, column by column, (T, k) arrays."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        return np.stack([fill_nans(times_s, x[:, j]) for j in range(x.shape[1])], axis=1)
    return _fill_nans_1d(times_s, x)


def rnd(x: float | None, nd: int = 2) -> float | None:
    """Round for the report; None for None/NaN."""
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


# ------------------------------------------------------------- track signals
def body_size_px(track: PoseTrack, times_s: FloatArray, smoothing_s: float) -> FloatArray:
    """(T,) the person's stature in pixels per frame, smoothed (moving median).

    Eye level to the lowest foot landmark / 0.924 (``views.person_height_px``),
    with NaNs filled along time. Dividing by it makes lengths and speeds
    independent of zoom and of walking toward or away from the camera.
    """
    from formcheck.views import person_height_px

    raw = np.asarray(person_height_px(track), dtype=np.float64)
    raw = np.where(raw > 0, raw, np.nan)
    sm = moving_median(raw, round(smoothing_s / median_dt(times_s)))
    return fill_nans(times_s, sm)


def foot_point_px(track: PoseTrack, side: str) -> FloatArray:
    """(T, 2) mean of the heel, ankle and toe landmarks of one foot, pixels.

    Each landmark's gaps are filled along time *before* averaging: averaging
    whichever landmarks happen to be seen would jump when one of them hides.
    """
    px = track.pixels.astype(np.float64)
    times = np.asarray(track.timestamps_s, dtype=np.float64)
    pts = [
        fill_nans(times, px[:, int(side_landmark(side, p))])
        for p in ("heel", "ankle", "foot_index")
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmean(np.stack(pts), axis=0), dtype=np.float64)


def foot_speed_hps(
    times_s: FloatArray, pos_px: FloatArray, body_px: FloatArray, window_s: float
) -> FloatArray:
    """(T,) speed of a point in body heights per second over a centred window.

    The pixel displacement is divided by the body size *after* differencing: a
    foot standing still keeps its pixel position even while the person (and so
    the body size) grows in the picture.

    Args:
        times_s: (T,) frame times, s.
        pos_px: (T, 2) position in pixels, NaNs filled.
        body_px: (T,) body size in pixels (stature), NaNs filled.
        window_s: window length, s (displacement from t - w/2 to t + w/2).
    """
    n = len(times_s)
    half = max(1, round(0.5 * window_s / median_dt(times_s)))
    lo = np.clip(np.arange(n) - half, 0, n - 1)
    hi = np.clip(np.arange(n) + half, 0, n - 1)
    dt = times_s[hi] - times_s[lo]
    d = np.linalg.norm(pos_px[hi] - pos_px[lo], axis=1) / body_px
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(dt > 0, d / np.where(dt > 0, dt, 1.0), 0.0)


# ------------------------------------------------------------- segmentation
def find_swings(
    times_s: FloatArray, speed_hps: FloatArray, th: StepThresholds
) -> list[tuple[int, int]]:
    """Swing intervals (first, last frame) of one foot from its speed (body heights/s).

    Hysteresis between ``swing_on_fraction`` and ``swing_off_fraction`` of the
    foot's typical swing speed (a high percentile of its speed), never below
    ``min_swing_speed_hps``; gaps under ``merge_gap_s`` are joined; swings
    shorter than ``min_swing_s`` or longer than ``max_swing_s`` are dropped.
    """
    v = np.nan_to_num(np.asarray(speed_hps, dtype=np.float64), nan=0.0)
    n = v.size
    if n < 3:
        return []
    typical = float(np.percentile(v, th.typical_speed_percentile))
    on = max(th.min_swing_speed_hps, th.swing_on_fraction * typical)
    off = max(0.5 * th.min_swing_speed_hps, th.swing_off_fraction * typical)
    above = v >= on
    runs: list[list[int]] = []
    i = 0
    while i < n:
        if not above[i]:
            i += 1
            continue
        a = i
        while a > 0 and v[a - 1] >= off:
            a -= 1
        b = i
        while b < n - 1 and v[b + 1] >= off:
            b += 1
        if runs and a <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], b)
        else:
            runs.append([a, b])
        i = b + 1
    merged: list[list[int]] = []
    for r in runs:
        if merged and times_s[r[0]] - times_s[merged[-1][1]] < th.merge_gap_s:
            merged[-1][1] = r[1]
        else:
            merged.append(r)
    return [
        (a, b) for a, b in merged if th.min_swing_s <= times_s[b] - times_s[a] <= th.max_swing_s
    ]


def _stance_jump(
    pos: FloatArray, body_px: FloatArray, a: int, b: int, lo: int, hi: int, pad: int, span: int
) -> float:
    """Stance-to-stance displacement of a (T, 2) point around swing [a, b], body heights.

    Medians over at most ``span`` frames of the stance just before lift-off
    (from ``lo``) and just after landing (up to ``hi``).
    """
    end_before = max(lo + 1, a - pad + 1)
    start_after = min(b + pad, hi)
    before = pos[max(lo, end_before - span) : end_before]
    after = pos[start_after : min(hi + 1, start_after + span)]
    if len(before) == 0 or len(after) == 0:
        return float("nan")
    size = float(np.nanmedian(body_px[a : b + 1]))
    jump = np.median(after, axis=0) - np.median(before, axis=0)
    return float(np.linalg.norm(jump)) / size


def _whole_foot(speeds: list[FloatArray], seen: list[BoolArray]) -> FloatArray:
    """(T,) speed of the whole foot: the slower of its heel and toe, else the foot point.

    ``speeds[0]``/``seen[0]`` are the foot point's; the rest the ends'. An end
    counts when it is seen in at least ``MIN_END_SEEN`` of the frames (its
    short gaps are interpolated); an end hidden most of the clip (the toes
    behind the heel seen from behind) is held constant by the filling and
    would look like a foot standing still.
    """
    ends = [v for v, ok in zip(speeds[1:], seen[1:], strict=True) if ok.mean() >= MIN_END_SEEN]
    if not ends:
        return speeds[0]
    return np.asarray(np.min(np.stack(ends), axis=0), dtype=np.float64)


def _pulled_along(
    speed: FloatArray,
    other_speed: FloatArray,
    other_swings: list[tuple[int, int]],
    a: int,
    b: int,
) -> bool:
    """True when a swing [a, b] of one foot is the other foot's swing seen through it.

    In a walk one foot always stands: the feet never swing at the same time.
    When a swing of this foot overlaps a swing of the other foot and the other
    foot travelled further over frames ``a..b`` (speed summed over the frames,
    its path in body heights times the frame rate), this foot is the standing
    one and its landmarks were pulled along by the swinging foot, as happens
    in a side view when the legs pass each other and the far foot's landmarks
    drift toward the near foot's (and back).
    """
    if not any(oa <= b and ob >= a for oa, ob in other_swings):
        return False
    mine = float(np.nansum(speed[a : b + 1]))
    theirs = float(np.nansum(other_speed[a : b + 1]))
    return theirs > mine


MSG_PULLED_ALONG = (
    "the other foot was swinging at the same time and moved further: this foot's landmarks "
    "were pulled along by it (the legs passing each other), not a step"
)
MSG_NOWHERE = (
    "the foot moved but did not go anywhere (a landmark jump, a shuffle, or one end of the "
    "foot lifting and lowering), not a step"
)


def _not_a_step(side: str, start_s: float, end_s: float, reason: str) -> dict[str, Any]:
    """The record of a rejected swing (``kind`` "not_a_step") with its reason."""
    return {
        "kind": "not_a_step",
        "leg": side,
        "start_s": rnd(float(start_s)),
        "end_s": rnd(float(end_s)),
        "reason": reason,
    }


Swing = tuple[str, int, int, float, bool]
"""A swing kept as a step: (leg, first frame, last frame, displacement in body heights, cut)."""


def _join_swapped_swings(found: list[Swing], times_s: FloatArray) -> list[Swing]:
    """Join two pieces of one swing whose leg labels the pose model swapped part-way.

    In a walk one foot always stands, so the two feet never swing at the same
    time. Two kept swings of different legs that overlap (each moved more than
    the other over its own frames, so neither was pulled along) and together
    last no longer than ``JOINED_SWING_MAX`` times the walk's median swing are
    one swing seen as two: MediaPipe swapped the near and far leg mid-swing
    (seen on side-view renders). Two real swings of consecutive steps whose
    detected edges overlap span about two swings and stay apart. The joined
    swing takes the leg that moved further and its displacement.

    Args:
        found: swings in time order of their first frame.
        times_s: (T,) frame times, s.

    Returns:
        The swings with such pairs joined, in time order.
    """
    if len(found) < 3:
        return found
    typical = float(np.median([times_s[b] - times_s[a] for _, a, b, _, _ in found]))
    out: list[Swing] = []
    for sw in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and sw[0] != prev[0]
            and sw[1] <= prev[2]
            and times_s[max(prev[2], sw[2])] - times_s[prev[1]] <= JOINED_SWING_MAX * typical
        ):
            out.pop()
            lead = max(prev, sw, key=lambda s: s[3])
            out.append((lead[0], prev[1], max(prev[2], sw[2]), lead[3], prev[4] or sw[4]))
        else:
            out.append(sw)
    return out


JOINED_SWING_MAX = 1.25
"""Longest joined swing, in median swings of the walk. Judgement: a swing split
at a label swap spans one swing (a swing's length varies ~10-20% within a
walk); two consecutive real swings span two swings plus the double support."""


def find_steps(
    times_s: FloatArray,
    pos_px: dict[str, FloatArray],
    body_px: FloatArray,
    th: StepThresholds,
    *,
    ends_px: dict[str, FloatArray] | None = None,
    ends_seen: dict[str, BoolArray] | None = None,
    toward_camera: bool = False,
) -> tuple[list[Step], list[dict[str, Any]]]:
    """Steps of both feet from their pixel positions.

    Args:
        times_s: (T,) frame times, s.
        pos_px: side -> (T, 2) foot point, pixels (NaNs filled).
        body_px: (T,) body size (stature) in pixels, NaNs filled.
        th: thresholds.
        ends_px: side -> (T, 2, 2) heel and toe landmarks, pixels (NaNs
            filled). When given, a foot's speed and stance-to-stance
            displacement are the *smaller* of its heel's and its toe's: a
            swinging foot moves as a whole, while a foot rocking on the floor
            (rising onto the heels or toes, a forefoot touch, a heel drop)
            moves one end only, which is not a step.
        ends_seen: side -> (T, 2) bool, heel / toe landmark actually seen in
            that frame. An end that is not seen (filled in, e.g. the toes
            hidden behind the heel from behind) is no evidence of standing
            still: where neither end is seen the foot point's speed is used,
            where one is, that one's.
        toward_camera: the person walks toward or away from the camera (front
            or back view): only the vertical image motion counts (perspective
            moves a stepping foot down or up the picture and the swing lifts
            it; its sideways motion is only landmark noise), over the longer
            ``toward_speed_window_s`` (the motion is a few pixels per step).

    Returns:
        (steps in time order, rejected movements as report events with a
        "reason").
    """
    n = len(times_s)
    window = th.toward_speed_window_s if toward_camera else th.speed_window_s
    keep = np.array([0.0, 1.0]) if toward_camera else np.array([1.0, 1.0])
    pts: dict[str, list[FloatArray]] = {}
    seen: dict[str, list[BoolArray]] = {}
    for side, pos in pos_px.items():
        foot = np.asarray(pos, dtype=np.float64) * keep
        pts[side] = [foot]
        seen[side] = [np.ones(n, dtype=bool)]
        if ends_px is not None and side in ends_px:
            e = np.asarray(ends_px[side], dtype=np.float64)
            ok = (
                np.asarray(ends_seen[side], dtype=bool)
                if ends_seen is not None and side in ends_seen
                else np.ones((n, 2), dtype=bool)
            )
            pts[side] += [e[:, 0] * keep, e[:, 1] * keep]
            seen[side] += [ok[:, 0], ok[:, 1]]
    pad = max(1, round(0.5 * window / median_dt(times_s)))
    span = max(1, round(th.stance_compare_s / median_dt(times_s)))
    found: list[Swing] = []
    rejected: list[dict[str, Any]] = []
    swings: dict[str, list[tuple[int, int]]] = {}
    whole: dict[str, FloatArray] = {}
    for side, plist in pts.items():
        if not np.isfinite(plist[0]).any() or not np.isfinite(body_px).any():
            swings[side] = []
            continue
        speeds = [foot_speed_hps(times_s, p, body_px, window) for p in plist]
        whole[side] = _whole_foot(speeds, seen[side])
        swings[side] = find_swings(times_s, whole[side], th)
    for side, sw in swings.items():
        other = [s for s in whole if s != side]
        for k, (a, b) in enumerate(sw):
            if other and _pulled_along(whole[side], whole[other[0]], swings[other[0]], a, b):
                rejected.append(_not_a_step(side, times_s[a], times_s[b], MSG_PULLED_ALONG))
                continue
            lo = sw[k - 1][1] if k > 0 else 0
            hi = sw[k + 1][0] if k + 1 < len(sw) else n - 1
            jumps = [_stance_jump(p, body_px, a, b, lo, hi, pad, span) for p in pts[side]]
            ends = [
                j
                for j, ok in zip(jumps[1:], seen[side][1:], strict=True)
                if ok.mean() >= MIN_END_SEEN
            ]
            disp = float(min(ends)) if ends else jumps[0]
            cut = a == 0 or b == n - 1
            if np.isfinite(disp) and disp < th.min_step_fraction:
                rejected.append(_not_a_step(side, times_s[a], times_s[b], MSG_NOWHERE))
                continue
            found.append((side, a, b, disp, cut))
    found = _join_swapped_swings(sorted(found, key=lambda s: s[1]), times_s)
    steps: list[Step] = []
    for k, (side, a, b, disp, cut) in enumerate(found):
        nxt = next((s[1] for s in found[k + 1 :] if s[0] == side), n)
        steps.append(
            Step(
                index=k + 1,
                leg=side,
                off_i=a,
                strike_i=b,
                off_s=float(times_s[a]),
                strike_s=float(times_s[b]),
                stance=(min(b + 1, n - 1), max(min(b + 1, n - 1), nxt - 1)),
                displacement_h=disp,
                cut=cut,
            )
        )
    return steps, rejected


def flat_level(
    values: FloatArray, seen: BoolArray, times_s: FloatArray, end_i: int, th: StepThresholds
) -> float:
    """The level of a foot measure while the person stood flat-footed before the walk.

    A walk drill's foot heights (heel over toe, toe over heel) are measured
    between two landmarks whose offset on a flat foot depends on where the pose
    model puts them on this person's foot (and shoe), so the person's own flat
    foot, seen before the first step, is a better zero than an anatomical
    average. The level is a low percentile (``flat_percentile``) of the
    measure, moving-median smoothed over ``flat_min_s`` (the shortest flat
    stretch accepted), over the frames before ``end_i`` (the first lift-off)
    in which both landmarks were seen: a person who stands, then rises onto
    the toes or heels before stepping, is flat in the lower part of that
    stretch.

    Args:
        values: (T,) the measure, any unit (e.g. fraction of stature).
        seen: (T,) bool, both landmarks of the measure seen in the frame.
        times_s: (T,) frame times, s.
        end_i: first frame not counted (the first step's lift-off).
        th: step thresholds (``flat_min_s``, ``flat_percentile``).

    Returns:
        The level, or NaN when fewer than ``flat_min_s`` of seen frames
        precede ``end_i``.
    """
    end_i = max(0, min(int(end_i), len(values)))
    v = np.where(np.asarray(seen[:end_i], dtype=bool), values[:end_i], np.nan)
    if np.isfinite(v).sum() * median_dt(times_s) < th.flat_min_s:
        return float("nan")
    smooth = moving_median(v, round(th.flat_min_s / median_dt(times_s)))
    return float(np.nanpercentile(smooth, th.flat_percentile))


def flat_zero(
    flat: float, walked: float, assumed: float, cm_per_unit: float, min_change_cm: float
) -> tuple[float, str]:
    """The zero of a walk drill's foot height (flat foot's level) and where it came from.

    The pose model puts the heel and toe landmarks where it sees them on this
    person's foot (and shoe), not where the anatomical average puts them: on
    the rendered side view its near heel sits 4.2 cm lower relative to its
    toe on the flat foot than the average says (docs/RENDER_FINDINGS.md), so
    every toe-walk heel height read 4 cm low. The person's own flat foot, seen
    before the first step (``flat_level``), is then the zero, when:

    - the walk's stances rose clearly above it (``min_change_cm``, the
      drill's smallest real change): else the person may have started on the
      toes (heels) and that level is not a flat foot; and
    - it differs from the anatomical average by at least ``min_change_cm``:
      a smaller difference is within what landmark drift does to a level
      taken over a second (on synthetic toe walks at realistic noise it reads
      within 1.8 cm of the average, and using it would add that noise).

    Args:
        flat: measured flat level (NaN when not seen or not a pose-model track).
        walked: median level over the walk's stance cores of this leg.
        assumed: the anatomical average, same unit.
        cm_per_unit: cm of the drill's height per unit of the level.
        min_change_cm: the drill's smallest real change of that height, cm.

    Returns:
        (zero, "measured" or "assumed").
    """
    if (
        np.isfinite(flat)
        and cm_per_unit * (walked - flat) >= min_change_cm
        and cm_per_unit * abs(flat - assumed) >= min_change_cm
    ):
        return flat, "measured"
    return assumed, "assumed"


def stance_median(
    values: FloatArray,
    steps: list[Step],
    core_fraction: float,
    max_stance_s: float,
    times_s: FloatArray,
) -> float:
    """Median of ``values`` (T,) over the stance cores of ``steps`` (NaN without any)."""
    cores = [values[stance_core(x, core_fraction, max_stance_s, times_s)] for x in steps]
    return nanmedian(np.concatenate(cores)) if cores else float("nan")


def hidden_far_leg(ctx: Any, view: str) -> str | None:
    """The far leg in a side view of a pose-model track (its foot is not judged), else None.

    Side-on, the far foot is behind the near leg and the pose model guesses
    it: on the rendered side views its heel and toe landmarks are off by
    2-5 cm in stance (docs/RENDER_FINDINGS.md), as much as the heights
    measured, so the walk drills do not judge touches or drops on it and
    their summaries use the near leg's steps. Synthetic tracks
    (``model_variant`` "synthetic") place every landmark where the body model
    puts it, so both legs count there.
    """
    near = ctx.view.near_side
    if ctx.track.model_variant == "synthetic" or view != "side" or near not in SIDES:
        return None
    return "left" if near == "right" else "right"


def stance_core(step: Step, fraction: float, max_s: float, times_s: FloatArray) -> slice:
    """The middle ``fraction`` of a step's stance, at most ``max_s`` long (a slice of frames).

    The stance after the last step can last until the clip ends (the person
    stops); only its first ``max_s`` seconds count as part of the walk.
    """
    a, b = step.stance
    t0 = float(times_s[a])
    t1 = min(float(times_s[b]), t0 + max_s)
    mid, half = 0.5 * (t0 + t1), 0.5 * fraction * (t1 - t0)
    i0 = int(np.searchsorted(times_s, mid - half, side="left"))
    i1 = int(np.searchsorted(times_s, mid + half, side="right"))
    return slice(max(a, i0), max(max(a, i0) + 1, min(b + 1, i1)))


def stance_span(step: Step, max_s: float, times_s: FloatArray) -> slice:
    """The whole stance after a step, at most ``max_s`` long (a slice of frames)."""
    a, b = step.stance
    i1 = int(np.searchsorted(times_s, float(times_s[a]) + max_s, side="right"))
    return slice(a, max(a + 1, min(b + 1, i1)))


@dataclass(frozen=True)
class WalkSignals:
    """Per-frame signals of a walk, all aligned with the track's frames.

    Attributes:
        times_s: (T,) frame times, s.
        body_px: (T,) stature in pixels (smoothed).
        pos_px: side -> (T, 2) foot point, pixels (NaNs filled).
        reliable: side -> (T,) bool, heel, ankle and toe seen (not interpolated).
        ends_px: side -> (T, 2, 2) heel (``[:, 0]``) and toe (``[:, 1]``)
            landmarks, pixels (NaNs filled); see ``find_steps``.
        ends_seen: side -> (T, 2) bool, heel / toe seen (reliable) per frame.
    """

    times_s: FloatArray
    body_px: FloatArray
    pos_px: dict[str, FloatArray]
    reliable: dict[str, BoolArray]
    ends_px: dict[str, FloatArray]
    ends_seen: dict[str, BoolArray]

    def find_steps(
        self, th: StepThresholds, *, toward_camera: bool = False
    ) -> tuple[list[Step], list[dict[str, Any]]]:
        """``find_steps`` on these signals, heel and toe both required to move."""
        return find_steps(
            self.times_s,
            self.pos_px,
            self.body_px,
            th,
            ends_px=self.ends_px,
            ends_seen=self.ends_seen,
            toward_camera=toward_camera,
        )


def walk_signals(track: PoseTrack, reliable: BoolArray, th: StepThresholds) -> WalkSignals:
    """Foot positions in body heights and reliability per side, from a conditioned track.

    Args:
        track: conditioned track.
        reliable: (T, 33) reliability mask (``Conditioned.reliable``).
        th: step thresholds (body-size smoothing).
    """
    times = np.asarray(track.timestamps_s, dtype=np.float64)
    body = body_size_px(track, times, th.body_smoothing_s)
    pos: dict[str, FloatArray] = {}
    rel: dict[str, BoolArray] = {}
    ends: dict[str, FloatArray] = {}
    seen: dict[str, BoolArray] = {}
    for s in SIDES:
        pos[s] = fill_nans(times, foot_point_px(track, s))
        ends[s] = np.stack(
            [fill_nans(times, landmark_px(track, s, q)) for q in ("heel", "foot_index")], axis=1
        )
        seen[s] = np.asarray(
            reliable[:, [int(side_landmark(s, q)) for q in ("heel", "foot_index")]], dtype=bool
        )
        idx = [int(side_landmark(s, q)) for q in ("heel", "ankle", "foot_index")]
        rel[s] = np.asarray(reliable[:, idx].all(axis=1), dtype=bool)
    return WalkSignals(
        times_s=times, body_px=body, pos_px=pos, reliable=rel, ends_px=ends, ends_seen=seen
    )


def landmark_px(track: PoseTrack, side: str, part: str) -> FloatArray:
    """(T, 2) pixel position of one landmark of one side, float64."""
    return np.asarray(track.pixels[:, int(side_landmark(side, part))], dtype=np.float64)


def knee_px(track: PoseTrack, side: str) -> FloatArray:
    """(T, 2) knee pixel position."""
    return np.asarray(track.pixels[:, int(side_landmark(side, "knee"))], dtype=np.float64)


def hip_mid_px(track: PoseTrack) -> FloatArray:
    """(T, 2) midpoint of the hips, pixels."""
    px = track.pixels.astype(np.float64)
    return 0.5 * (px[:, int(Landmark.LEFT_HIP)] + px[:, int(Landmark.RIGHT_HIP)])


__all__ = [
    "BALL_FRAC",
    "FOOT_LENGTH_FRAC",
    "Step",
    "StepThresholds",
    "WalkSignals",
    "find_steps",
    "find_swings",
    "flat_level",
    "flat_zero",
    "foot_speed_hps",
    "hidden_far_leg",
    "load_step_thresholds",
    "split_overrides",
    "stance_median",
    "thresholds_from_mapping",
    "walk_signals",
]


# ------------------------------------------------------------- shared by walk drills
def floor_heights_px(ctx: Any, pts_px: FloatArray) -> FloatArray:
    """(T,) heights of (T, 2) pixel points along the floor normal (image up without a floor)."""
    if ctx.floor is not None:
        from formcheck.calibration import height_above_floor

        return np.asarray(height_above_floor(pts_px, ctx.floor), dtype=np.float64)
    return np.asarray(-pts_px[:, 1], dtype=np.float64)


def floor_along_px(ctx: Any, pts_px: FloatArray) -> FloatArray:
    """(T,) positions of (T, 2) pixel points along the floor line (image right without a floor)."""
    if ctx.floor is not None:
        return np.asarray(pts_px @ ctx.floor.direction, dtype=np.float64)
    return np.asarray(pts_px[:, 0], dtype=np.float64)


def calibration_note(ctx: Any) -> str | None:
    """Why cm values are uncertain (assumed scale or > 10% uncertainty), else None."""
    cal = ctx.calibration
    if cal.method == "assumed" or cal.uncertainty_pct > 10.0:
        return (
            f"cm scale {cal.method} (±{cal.uncertainty_pct:.0f}%): enter your height for "
            "accurate centimetres"
        )
    return None


def stature_cm(ctx: Any, body_px: FloatArray) -> float:
    """The person's stature in cm: the user's height, else the calibration times the pixel size."""
    if ctx.options.height_cm is not None:
        return float(ctx.options.height_cm)
    return float(ctx.calibration.cm_per_px * nanmedian(body_px))


def step_flags(step: Step, reliable: BoolArray, view: str, leg_note: str | None) -> dict[str, str]:
    """Per-step reasons the step's numbers are less reliable."""
    flags: dict[str, str] = {}
    a, b = step.stance
    frac = float(np.mean(reliable[a : b + 1])) if b >= a else 0.0
    if frac < 1.0 - 1e-9:
        flags["landmarks"] = (
            f"heel, ankle or toe not clearly seen in {100 * (1 - frac):.0f}% of this stance "
            "(filled in)"
        )
    if step.cut:
        flags["cut"] = "the clip starts or ends during this step"
    if leg_note:
        flags["leg"] = leg_note
    return flags


def steps_series(times_s: FloatArray, steps: list[Step]) -> FloatArray:
    """(T,) running step count (a step counts from its landing)."""
    count = np.zeros(len(times_s))
    for s in steps:
        count[times_s >= s.strike_s] += 1
    return count


def far_leg_note(view: str, near_side: str | None, leg: str) -> str | None:
    """Flag text for the far leg in a side view (hidden behind the near one)."""
    if view == "side" and near_side in SIDES and leg != near_side:
        return "far leg in a side view: partly hidden behind the near leg, less accurate"
    return None


def no_steps_issue(code: str) -> Any:
    """The warning when no step was found."""
    from formcheck.views import QualityIssue

    return QualityIssue(
        code,
        "warning",
        "no step found: walk across the picture (or toward the camera for the edge walks) "
        "with both feet in view the whole time",
    )


# ------------------------------------------------------------- heights in oblique views
MIN_PATH_SIN = 0.5
"""``walk_floor_direction`` falls back to the floor line when the walking path's
image makes less than 30 degrees with image vertical (sin < 0.5): walking almost
straight at the camera, the path's image is too close to the vertical to separate
a depth offset from a height (judgement; 1 / sin amplifies errors at most 2x)."""


def walk_floor_direction(ctx: Any, ws: WalkSignals) -> FloatArray:
    """(2,) unit image direction of the walking path on the floor (x >= 0).

    The feet walk along a straight line on the floor, and a straight line on the
    floor is a straight line in the picture (perspective maps lines to lines):
    its direction is the principal axis of both feet's points over the clip.
    A foot pointing along the path lies on this image direction too (parallel
    floor lines a few cm apart have practically the same image direction), so
    the part of a heel-to-toe image vector along it is the foot's horizontal
    extent, and the rest (along "up") is a height. Falls back to the floor line
    (``floor_along_px``'s direction) when the feet move less than a foot length
    or the path is within 30 degrees of image vertical (``MIN_PATH_SIN``).
    """
    up = floor_up(ctx)
    fallback = np.array([-up[1], up[0]])
    fallback = fallback if fallback[0] >= 0 else -fallback
    pts = np.concatenate([ws.pos_px[s] for s in SIDES])
    pts = pts[np.isfinite(pts).all(axis=1)]
    if pts.shape[0] < 3:
        return fallback
    centred = pts - pts.mean(axis=0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    d = vt[0] / np.linalg.norm(vt[0])
    extent = sv[0] / np.sqrt(pts.shape[0])  # SD along the path, px
    if extent < FOOT_LENGTH_FRAC * nanmedian(ws.body_px) or abs(_cross(d, up)) < MIN_PATH_SIN:
        return fallback
    return d if d[0] >= 0 else -d


def floor_up(ctx: Any) -> FloatArray:
    """(2,) unit image direction of 'up' (the floor normal; image up without a floor)."""
    if ctx.floor is not None:
        n = np.asarray(ctx.floor.normal, dtype=np.float64)
        return n / np.linalg.norm(n)
    return np.array([0.0, -1.0])


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0])


def rise_px(vec_px: FloatArray, path_dir: FloatArray, up: FloatArray) -> FloatArray:
    """(T,) height of one point above another, px, with the floor seen in perspective.

    ``vec_px`` (T, 2) from the lower point to the upper one is split into a part
    along the walking path's image direction (horizontal extent on the floor,
    whatever its foreshortening) and a part along ``up`` (the height):
    ``vec = a * path_dir + h * up``, so ``h = (path_dir x vec) / (path_dir x up)``.
    Side-on (path_dir perpendicular to up) this is the plain height along ``up``.
    In an oblique view the path runs toward or away from the camera and the
    floor, seen from above, rises in the picture with distance: a toe nearer
    the camera than its heel then looks lower than it is (ground-plane
    perspective; 17 cm of depth at 5 m with the lens 1 m up is ~3.5 cm), which
    the plain height along ``up`` would read as a lower toe.
    """
    return np.asarray(_cross(path_dir, vec_px) / _cross(path_dir, up), dtype=np.float64)
