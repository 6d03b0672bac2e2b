"""Calf raise: single-leg sets on one leg, then the other, in one clip.

A runner doing the heel-rise test, or single-leg calf raises, usually does
one leg and then the other without stopping the camera. The rest of the
drill chooses the legs to measure once for the whole clip (the near leg
side-on; from the front, both feet unless one is held up all clip long), so
such a clip was measured on one leg throughout: both legs' reps were
counted as that leg's (a synthetic 10-rep left set followed by a 12-rep
right set read "22 reps, right leg", and the heel-rise test compared 22
with the single-leg norms).

Here the clip is split where the foot held off the floor changes: each
stretch in which one foot stands at least ``FREE_FOOT_ABOVE_CM`` above the
other (in the picture and, where the pose model gives 3D feet, in 3D too,
as ``calf_raise._held_up``) for ``SWITCH_MIN_SET_S`` or longer is a
single-leg stretch on the other leg. When the clip has such stretches on
both legs, each stretch is measured on its own (its own slice of the clip:
floor and cm scale stay the clip's), on its standing leg.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.drills.base import DrillContext
from formcheck.drills.common import moving_median

FloatArray = npt.NDArray[np.float64]

SWITCH_MIN_SET_S = 4.0
"""s. Shortest stretch with one foot held up that counts as a single-leg set:
two reps at the heel-rise test's 60 bpm (one rise per 2 s). A foot lifted
for a moment (a step, a stumble) is shorter."""

SWITCH_SMOOTH_S = 1.0
"""s. Window of the moving median over the two feet's height difference:
longer than a rep's rise and fall of the body (which carries the free foot
up and down by a few cm), short enough to place a leg change within ~0.5 s."""


@dataclass(frozen=True)
class StanceStretch:
    """A stretch of frames ``start:stop`` standing on ``leg`` (the other foot held up)."""

    start: int
    stop: int
    leg: str


def held_up_foot(
    times_s: FloatArray,
    foot_cm: dict[str, FloatArray],
    sole_3d_cm: dict[str, FloatArray | None],
    *,
    above_cm: float,
    level_3d_cm: float,
) -> npt.NDArray[np.str_]:
    """(T,) the foot held off the floor in each frame: "left", "right" or "" (neither, unknown).

    Args:
        times_s: (T,) frame times, s.
        foot_cm: side -> (T, k) heights of k foot landmarks in the picture,
            cm (the same k for both feet, e.g. heel, toe, ankle; any common
            floor; NaN unseen): the feet are compared landmark by landmark,
            and the median of those differences is taken.
        sole_3d_cm: side -> (T,) the foot's lowest point in the pose model's
            3D landmarks, cm (``calf_raise.sole_height_3d_cm``), or None.
        above_cm: a foot this far above the other in the picture is held up
            (``calf_raise.FREE_FOOT_ABOVE_CM``).
        level_3d_cm: ... unless the 3D feet stand within this of each other
            (``calf_raise.FREE_FOOT_3D_CM``): a foot further from the camera.
    """
    t = np.asarray(times_s, dtype=np.float64)
    out = np.full(t.size, "", dtype="<U5")
    if t.size < 2:
        return out
    dt = float(np.median(np.diff(t)))
    win = round(SWITCH_SMOOTH_S / dt) if dt > 0 else 1
    diff = np.asarray(foot_cm["left"] - foot_cm["right"], dtype=np.float64)
    if diff.ndim == 2:
        seen = np.isfinite(diff).any(axis=1)
        per_frame = np.full(len(diff), np.nan)
        per_frame[seen] = np.nanmedian(diff[seen], axis=1)
        diff = per_frame
    d = moving_median(diff, win)
    with np.errstate(invalid="ignore"):
        out[d >= above_cm] = "left"
        out[d <= -above_cm] = "right"
    left3, right3 = sole_3d_cm.get("left"), sole_3d_cm.get("right")
    if left3 is not None and right3 is not None:
        d3 = moving_median(left3 - right3, win)
        with np.errstate(invalid="ignore"):
            out[np.abs(d3) < level_3d_cm] = ""  # level in 3D: on the floor, further away
    return out


def held_up_runs(times_s: FloatArray, free: npt.NDArray[np.str_]) -> list[tuple[int, int, str]]:
    """Runs ``(start, stop, foot)`` of frames with ``foot`` held up, from ``held_up_foot``.

    Runs shorter than ``SWITCH_MIN_SET_S`` (a step, a glitch) are dropped
    one at a time, shortest first. A run's length for this counts its
    neighbours with the same foot up, across frames where neither is (the
    pose model placing the free foot on the standing one for a second or
    two, a foot put down for a rest), so a glitch inside a set does not cut
    it into pieces too short to keep. Those neighbours are returned joined
    across gaps shorter than ``SWITCH_MIN_SET_S`` and apart across longer
    ones: side-on, a long gap can be a set on the near leg between two on
    the far one, whose held-up far foot the pose model places near the
    floor (``with_the_other_leg_between``). ``stretches_of_runs`` joins them.
    """
    t = np.asarray(times_s, dtype=np.float64)
    runs: list[tuple[int, int, str]] = []
    i, n = 0, len(free)
    while i < n:
        j = i
        while j < n and free[j] == free[i]:
            j += 1
        if free[i]:
            runs.append((i, j, str(free[i])))
        i = j
    while True:  # drop the shortest joined run under SWITCH_MIN_SET_S, again
        runs = _joined(runs, t, SWITCH_MIN_SET_S)
        groups = _groups(runs)
        span = [t[runs[g[-1]][1] - 1] - t[runs[g[0]][0]] for g in groups]
        short = [k for k, d in enumerate(span) if d < SWITCH_MIN_SET_S]
        if not short:
            return runs
        drop = set(groups[min(short, key=lambda k: span[k])])
        runs = [r for k, r in enumerate(runs) if k not in drop]


def _groups(runs: list[tuple[int, int, str]]) -> list[list[int]]:
    """Indices of ``runs`` grouped where neighbours have the same foot up."""
    out: list[list[int]] = []
    for k, (_, _, foot) in enumerate(runs):
        if out and runs[out[-1][-1]][2] == foot:
            out[-1].append(k)
        else:
            out.append([k])
    return out


def stretches_of_runs(runs: list[tuple[int, int, str]], n: int) -> list[StanceStretch]:
    """Stretches standing on the foot not up in each run, extended to halfway to the next.

    Neighbouring runs with the same foot up are one stretch; the first
    starts at frame 0 and the last stops at ``n``, so a rep at a stretch's
    edge, which the moving median places late or early, stays inside it.
    Empty without runs (no foot held up long enough).
    """
    runs = _joined(runs)
    out = []
    for k, (_, _, foot) in enumerate(runs):
        start = 0 if k == 0 else (runs[k - 1][1] + runs[k][0]) // 2
        stop = n if k == len(runs) - 1 else (runs[k][1] + runs[k + 1][0]) // 2
        out.append(StanceStretch(start, stop, "right" if foot == "left" else "left"))
    return out


def with_the_other_leg_between(
    times_s: FloatArray, runs: list[tuple[int, int, str]], other: str
) -> list[StanceStretch]:
    """Stretches on the feet of ``runs`` and, in the gaps between them, on ``other``.

    For a clip whose single-leg stretches are all on one leg while the leg
    the rest of the clip shows reps on is the foot held up in them: side-on,
    a set on the far leg (the near foot held up, seen) and a set on the near
    leg (the far foot held up behind it, which the pose model places near
    the floor, so no run shows it). Gaps of ``SWITCH_MIN_SET_S`` or longer,
    before, between and after the runs, become stretches on ``other``
    (``other`` is held up in no run: the caller checks); shorter gaps stay
    with the runs. Each stretch extends to halfway to the next
    (``stretches_of_runs``).
    """
    t = np.asarray(times_s, dtype=np.float64)
    n = len(t)
    up_of_other = "left" if other == "right" else "right"
    edges = [0, *(x for a, b, _ in runs for x in (a, b)), n]
    pieces: list[tuple[int, int, str]] = []
    for k, (a, b, foot) in enumerate(runs):
        gap_start, gap_stop = edges[2 * k], a
        if gap_stop - gap_start > 0 and t[gap_stop - 1] - t[gap_start] >= SWITCH_MIN_SET_S:
            pieces.append((gap_start, gap_stop, up_of_other))
        pieces.append((a, b, foot))
    last = runs[-1][1] if runs else 0
    if last < n and t[n - 1] - t[last] >= SWITCH_MIN_SET_S:
        pieces.append((last, n, up_of_other))
    return stretches_of_runs(_joined(pieces), n)


def _joined(
    runs: list[tuple[int, int, str]], times_s: FloatArray | None = None, within_s: float = 0.0
) -> list[tuple[int, int, str]]:
    """Neighbouring runs with the same foot up joined into one.

    With ``times_s``, only those whose gap (its first to last frame, as
    ``with_the_other_leg_between`` measures it) is shorter than ``within_s``.
    """
    out: list[tuple[int, int, str]] = []
    for a, b, foot in runs:
        if (
            out
            and out[-1][2] == foot
            and (times_s is None or times_s[a - 1] - times_s[out[-1][1]] < within_s)
        ):
            out[-1] = (out[-1][0], b, foot)
        else:
            out.append((a, b, foot))
    return out


def legs_switched(stretches: list[StanceStretch]) -> bool:
    """True when the clip has single-leg stretches on both legs."""
    return len({s.leg for s in stretches}) == 2


def slice_context(ctx: DrillContext, start: int, stop: int) -> DrillContext:
    """``ctx`` for frames ``start:stop`` (floor, calibration, options and quality kept)."""
    cond = ctx.conditioned
    n = len(cond.track)
    sl = np.s_[start:stop]
    conditioned = dataclasses.replace(
        cond,
        track=cond.track.slice(start, stop),
        reliable=cond.reliable[sl],
        interpolated=cond.interpolated[sl],
        swapped=cond.swapped[sl],
    )
    view = ctx.view
    per_frame = np.asarray(view.per_frame)
    yaw = np.asarray(view.yaw_deg)
    view = dataclasses.replace(
        view,
        per_frame=per_frame[sl] if len(per_frame) == n else per_frame,
        yaw_deg=yaw[sl] if len(yaw) == n else yaw,
    )
    track = ctx.track.slice(start, stop) if len(ctx.track) == n else ctx.track
    return dataclasses.replace(ctx, track=track, conditioned=conditioned, view=view)
