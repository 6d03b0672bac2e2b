"""Timed stretches: ``soleus-wall-stretch``, ``deep-squat-hold``, ``calf-step-stretch``.

One module, three ``Drill`` objects sharing the logic (module attributes
``SOLEUS_WALL_STRETCH``, ``DEEP_SQUAT_HOLD``, ``CALF_STEP_STRETCH``). Numbers come
from ``stretch_hold.toml`` (unit and source per key).

How a hold is found (image pixels in the body frame of ``formcheck.angles``:
``u`` along the floor the way the person faces, ``h`` along the floor normal):

1. **In position**: lunge stretches need a split stance (feet at least
   ``min_split_foot_lengths`` foot lengths apart, front/back leg by position,
   ``knee_to_wall.front_side_per_frame``); the deep squat needs the hips
   ``squat_drop_leg`` leg lengths below their standing level.
2. **Still**: the hip midpoint and the stretched leg's knee move slower than
   ``still_speed_hps`` body heights per second (displacement over
   ``speed_window_s``).
3. A **hold** is a run of still, in-position frames of at least ``min_hold_s``
   (moves shorter than ``merge_gap_s`` merged). Each hold is a repeat.
4. **Heel down**: the stretched heel (both for the squat) rising more than
   ``heel_lift_cm`` above its level around the hold (10th percentile over the
   hold and ``heel_context_s`` either side: the heel is down while getting in), for
   ``heel_lift_min_s``, ends the *valid* hold: ``valid_hold_s`` counts only
   time with the heel down.
5. **Depth**: the stretched shank's angle from the floor normal
   (``tibia_angle_deg``, + knee forward, what an inclinometer on the shin reads)
   and the knee's distance ahead of the toes (``knee_forward_cm``), medians over
   the valid hold. ``ankle_dorsiflexion_deg`` = shin angle + the foot's tilt
   (toes up +): in a toes-up calf stretch the shin may lean back (negative
   tibia angle, flagged with this explanation) while the ankle is dorsiflexed.
6. **Plausibility** (``implausible_stretch``): a weight-bearing stretch holds
   the ankle at least ``min_dorsiflexion_deg`` and the shin at most
   ``max_tibia_deg``; otherwise the hold's angles are flagged
   (``depth_plausible`` False) with what to change, and left out of the
   summary's angles. The ``heel_height_cm`` series is the heel above each
   hold's own floor level, NaN outside holds.

Stretched leg: ``calf-step-stretch`` the front leg (toes up on the wall or
step, knee straight), ``soleus-wall-stretch`` the back leg (knee bent, heel
down), ``deep-squat-hold`` both; ``options.variant["stretched_leg"]``
("front"/"back") overrides.

Norms: no published norms for stretch depth in these positions; the hold time
is compared with the seed programme (30 s-1 min). Knee-to-wall norms (Hoch &
McKeon 2011) apply to the knee-to-wall test, not to these stretches.

Score (0-100, None without a hold)::

    score = 70 * min(1, longest_valid_hold_s / target_hold_min_s)
          + 30 * (valid hold time / hold time)
"""

from __future__ import annotations

import contextlib
import math
import warnings as _warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.angles import body_frame
from formcheck.drills.base import Cue, DrillContext, DrillResult, NormComparison
from formcheck.drills.common import (
    append_flag,
    fill_nans,
    front_side_per_frame,
    leg_length,
    leg_traces,
    moving_median,
    select_front,
)
from formcheck.drills.common import floor_up_px as _floor_up_px
from formcheck.drills.common import true_runs as _runs
from formcheck.landmarks import Landmark
from formcheck.thresholds import load_thresholds
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NORMS_NOTE = (
    "no published norms for depth in these stretches; the hold time is compared with the "
    "seed programme (30 s to 1 min)"
)
MSG_HEEL = (
    "keep your heel down: it lifted at {time:.1f} s, {held:.1f} s into the {leg} leg hold; "
    "the hold counts until then"
)
MSG_SHORT = (
    "hold longer: your longest valid hold was {held:.0f} s (aim for {target:.0f}-{top:.0f} s)"
)
MSG_ON_TARGET = "longest valid hold {held:.0f} s: on target ({target:.0f}-{top:.0f} s)"
MSG_SHIN_BACK = (
    "the shin leans {back:.0f} deg back because the toes are up on the wall or step: the "
    "stretch depth is the ankle's angle, {dorsi:.0f} deg past neutral (ankle_dorsiflexion_deg)"
)
MSG_SHIN_BACK_SUMMARY = (
    "the shin leans {back:.0f} deg back because the toes are up on the wall or step: the "
    "stretch depth is the ankle's angle (ankle_dorsiflexion_deg)"
)
MSG_LR = "your {weak} leg's stretch was {diff:.0f} deg shallower than your {strong} leg's"


@dataclass(frozen=True)
class StretchThresholds:
    """Thresholds of the stretches (see ``stretch_hold.toml`` for units and sources)."""

    still_speed_hps: float
    speed_window_s: float
    min_hold_s: float
    merge_gap_s: float
    min_split_foot_lengths: float
    squat_drop_leg: float
    heel_lift_cm: float
    heel_lift_min_s: float
    heel_context_s: float
    target_hold_min_s: float
    target_hold_max_s: float
    min_reliable_fraction: float
    min_dorsiflexion_deg: float
    max_tibia_deg: float


def load_stretch_thresholds(overrides: dict[str, Any] | None = None) -> StretchThresholds:
    """Thresholds from the TOML file plus ``overrides`` (unknown keys -> ValueError)."""
    return load_thresholds(StretchThresholds, "stretch_hold.toml", overrides)


# =============================================================== pure functions
def speed_per_s(times_s: FloatArray, xy: FloatArray, window_s: float) -> FloatArray:
    """(T,) speed of a (T, 2) point: displacement over a centred ``window_s``, per second."""
    t = np.asarray(times_s, dtype=np.float64)
    n = t.shape[0]
    if n < 2:
        return np.full(n, np.nan)
    dt = float(np.median(np.diff(t)))
    half = max(1, round(0.5 * window_s / dt))
    a = np.clip(np.arange(n) - half, 0, n - 1)
    b = np.clip(np.arange(n) + half, 0, n - 1)
    d = np.linalg.norm(xy[b] - xy[a], axis=1)
    span = t[b] - t[a]
    return np.where(span > 0, d / np.where(span > 0, span, 1.0), np.nan)


def find_holds(
    times_s: FloatArray, still: BoolArray, th: StretchThresholds
) -> list[tuple[int, int]]:
    """[start, stop) frame runs of ``still`` lasting ``min_hold_s``, gaps < ``merge_gap_s`` merged."""
    t = np.asarray(times_s, dtype=np.float64)
    runs = _runs(np.asarray(still, dtype=bool))
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and t[a] - t[merged[-1][1] - 1] < th.merge_gap_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged if t[b - 1] - t[a] >= th.min_hold_s]


def heel_lift_time(
    times_s: FloatArray,
    heel_cm: FloatArray,
    a: int,
    b: int,
    th: StretchThresholds,
    heel_u_cm: FloatArray | None = None,
) -> float | None:
    """First time in frames [a, b) the heel stays ``heel_lift_cm`` above its floor level
    for ``heel_lift_min_s``; None if it stays down.

    The floor level is the 10th percentile of the heel height over the hold and
    ``heel_context_s`` either side, using only frames where the heel is within
    ``heel_lift_cm`` of its place in the hold along the floor (``heel_u_cm``, cm):
    in an oblique view a foot set down elsewhere sits at another height in the picture.
    """
    seg = heel_cm[a:b]
    if not np.isfinite(seg).any():
        return None
    base = heel_floor_level(times_s, heel_cm, a, b, th, heel_u_cm)
    with np.errstate(invalid="ignore"):
        up = seg - base > th.heel_lift_cm
    for s, e in _runs(up):
        if times_s[a + e - 1] - times_s[a + s] >= th.heel_lift_min_s:
            return float(times_s[a + s])
    return None


def heel_floor_level(
    times_s: FloatArray,
    heel_cm: FloatArray,
    a: int,
    b: int,
    th: StretchThresholds,
    heel_u_cm: FloatArray | None = None,
) -> float:
    """The heel's floor level for the hold in frames [a, b), cm (see ``heel_lift_time``);
    NaN when the heel is not seen."""
    if not np.isfinite(heel_cm[a:b]).any():
        return float("nan")
    around = (times_s >= times_s[a] - th.heel_context_s) & (
        times_s <= times_s[b - 1] + th.heel_context_s
    )
    if heel_u_cm is not None and np.isfinite(heel_u_cm[a:b]).any():
        place = float(np.nanmedian(heel_u_cm[a:b]))
        with np.errstate(invalid="ignore"):
            around &= np.abs(heel_u_cm - place) <= th.heel_lift_cm
    around[a:b] = True
    return float(np.nanpercentile(heel_cm[around], 10))


def _depth_median(events: list[dict[str, Any]]) -> float | None:
    """Median ``ankle_dorsiflexion_deg`` of the holds with a plausible depth (None: none)."""
    vals = [
        e["ankle_dorsiflexion_deg"]
        for e in events
        if e["ankle_dorsiflexion_deg"] is not None and e["depth_plausible"]
    ]
    return _r(float(np.median(vals)), 1) if vals else None


def implausible_stretch(
    tibia_deg: float, dorsiflexion_deg: float, th: StretchThresholds
) -> str | None:
    """Why a hold's shin reading is impossible for a stretch, or None.

    Args:
        tibia_deg: the stretched shin from vertical, deg (+ knee forward).
        dorsiflexion_deg: the shin's angle past neutral relative to the foot,
            deg (``tibia_deg`` + the foot's tilt, toes up +); NaN skips it.
        th: thresholds (``min_dorsiflexion_deg``, ``max_tibia_deg``).

    A weight-bearing calf or soleus stretch holds the ankle dorsiflexed (that
    is what stretches the calf) and no ankle lets the shin lean further than
    ``max_tibia_deg``. A shin leaning back is fine when the toes are up on a
    wall or step by more (the ankle is still dorsiflexed).
    """
    if np.isfinite(tibia_deg) and tibia_deg > th.max_tibia_deg:
        return (
            f"the shin read {tibia_deg:.0f} deg from vertical, more than any ankle allows "
            f"({th.max_tibia_deg:.0f} deg): the landmarks were off the shin; film side-on"
        )
    if np.isfinite(dorsiflexion_deg) and dorsiflexion_deg < th.min_dorsiflexion_deg:
        return (
            f"the ankle read {-dorsiflexion_deg:.0f} deg pointed (plantarflexed), which cannot "
            "stretch the calf: the landmarks were on the other leg or squeezed by the view; "
            "film side-on with both feet in the picture"
        )
    return None


# =============================================================== the drill
@dataclass(frozen=True)
class StretchHold:
    """One timed stretch (see the module docstring)."""

    name: str
    title: str
    stretched_leg: str  # "front", "back" or "both"
    how_to_film: str
    measures: str
    accepted_views: frozenset[str] = frozenset({"side", "oblique"})

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Measure the holds in ``ctx``."""
        th = load_stretch_thresholds(dict(ctx.options.thresholds))
        which = str(ctx.options.variant.get("stretched_leg", self.stretched_leg))
        if which not in ("front", "back", "both"):
            raise ValueError(f"unknown stretched_leg {which!r}; expected one of ['front', 'back']")
        return _analyze(ctx, th, which)


def _r(x: float | None, nd: int = 2) -> float | None:
    return round(float(x), nd) if x is not None and math.isfinite(x) else None


def _analyze(ctx: DrillContext, th: StretchThresholds, which: str) -> DrillResult:
    clean = ctx.conditioned.track
    t = np.asarray(clean.timestamps_s, dtype=np.float64)
    n = len(t)
    px = clean.pixels.astype(np.float64)
    up = _floor_up_px(ctx)
    fwd, upv = body_frame(clean, up=up)
    legs = leg_traces(px, fwd, upv)
    cm_per_px = float(ctx.calibration.cm_per_px)
    flags: dict[str, str] = {}
    warnings: list[QualityIssue] = []
    cues: list[Cue] = []
    leg_px = leg_length(px)
    body_px = leg_px / 0.53 if math.isfinite(leg_px) else math.nan  # Winter 2009: leg ~0.53 H

    hip = 0.5 * (px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP])
    hip_h = hip @ up
    if which == "both":
        standing = float(np.nanpercentile(hip_h, 95)) if np.isfinite(hip_h).any() else math.nan
        with np.errstate(invalid="ignore"):
            in_pos = standing - hip_h >= th.squat_drop_leg * leg_px
        label = np.full(n, "both", dtype=object)
        stretched = [legs["left"], legs["right"]]
    else:
        front_side, _ = front_side_per_frame(legs, th.min_split_foot_lengths)
        in_pos = np.asarray([f is not None for f in front_side])
        front, back = select_front(legs, front_side)
        stretched = [front if which == "front" else back]
        label = np.asarray(
            [
                (f if which == "front" else ("left" if f == "right" else "right"))
                if f is not None
                else None
                for f in front_side
            ],
            dtype=object,
        )
    with warnings_ctx():
        knee_xy = np.stack(
            [
                np.nanmean([lt.knee_u for lt in stretched], axis=0),
                np.nanmean([lt.knee_h for lt in stretched], axis=0),
            ],
            axis=1,
        )
    hip_sp = speed_per_s(t, fill_nans_2d(t, hip), th.speed_window_s) / body_px
    knee_sp = speed_per_s(t, fill_nans_2d(t, knee_xy), th.speed_window_s) / body_px
    with np.errstate(invalid="ignore"):
        still = (hip_sp < th.still_speed_hps) & (knee_sp < th.still_speed_hps) & in_pos
    with warnings_ctx():
        tibia = np.nanmean([lt.tibia_deg for lt in stretched], axis=0)
        # the foot's tilt above the floor (toes up +): the ankle angle is shin + tilt
        tilt = np.nanmean(
            [
                np.degrees(np.arctan2(lt.toe_h - lt.heel_h, lt.toe_u - lt.heel_u))
                for lt in stretched
            ],
            axis=0,
        )
    with warnings_ctx():
        knee_fwd = np.nanmean([lt.knee_u - lt.toe_u for lt in stretched], axis=0) * cm_per_px
        heel_cm = np.nanmax([lt.heel_h for lt in stretched], axis=0) * cm_per_px
        heel_u = np.nanmean([lt.heel_u for lt in stretched], axis=0) * cm_per_px
    heel_series = np.full(n, np.nan)
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0 / 30.0
    heel_cm = moving_median(heel_cm, max(3, round(0.2 / dt)))

    events: list[dict[str, Any]] = []
    hold_series = np.zeros(n)
    rel = ctx.conditioned.reliable
    for k, (a, b) in enumerate(find_holds(t, still, th)):
        start, end = float(t[a]), float(t[b - 1])
        lift = heel_lift_time(t, heel_cm, a, b, th, heel_u)
        # the overlay's heel height: above this hold's own floor level (each foot and
        # place has its own level in the picture), unknown outside holds
        heel_series[a:b] = heel_cm[a:b] - heel_floor_level(t, heel_cm, a, b, th, heel_u)
        valid_end = lift if lift is not None else end
        v = (t >= start) & (t <= valid_end)
        leg_names = [x for x in label[a:b] if x is not None]
        leg = max(set(leg_names), key=leg_names.count) if leg_names else None
        ev_flags: dict[str, str] = {}
        seen = float(
            rel[a:b][:, [int(Landmark.LEFT_HEEL), int(Landmark.RIGHT_HEEL)]].any(axis=1).mean()
        )
        if seen < th.min_reliable_fraction:
            ev_flags["valid_hold_s"] = (
                f"the heels were seen clearly in only {100 * seen:.0f}% of the hold's frames"
            )
        ev = {
            "kind": "hold",
            "index": k,
            "leg": leg,
            "start_s": _r(start, 3),
            "end_s": _r(end, 3),
            "hold_s": _r(end - start),
            "valid_hold_s": _r(valid_end - start),
            "heel_lifted": lift is not None,
            "heel_lift_s": _r(lift, 3),
            "tibia_angle_deg": _r(
                float(np.nanmedian(tibia[v])) if np.isfinite(tibia[v]).any() else None, 1
            ),
            "knee_forward_cm": _r(
                float(np.nanmedian(knee_fwd[v])) if np.isfinite(knee_fwd[v]).any() else None, 1
            ),
            "ankle_dorsiflexion_deg": _r(
                float(np.nanmedian(tibia[v] + tilt[v]))
                if np.isfinite(tibia[v] + tilt[v]).any()
                else None,
                1,
            ),
            "flags": ev_flags,
        }
        tib_v, dorsi_v = ev["tibia_angle_deg"], ev["ankle_dorsiflexion_deg"]
        why = implausible_stretch(
            math.nan if not isinstance(tib_v, float) else tib_v,
            math.nan if not isinstance(dorsi_v, float) else dorsi_v,
            th,
        )
        if why is None and isinstance(tib_v, float) and isinstance(dorsi_v, float) and tib_v < 0:
            ev_flags["tibia_angle_deg"] = MSG_SHIN_BACK.format(back=-tib_v, dorsi=dorsi_v)
        ev["depth_plausible"] = why is None
        if why is not None:
            for key in ("tibia_angle_deg", "knee_forward_cm", "ankle_dorsiflexion_deg"):
                ev_flags[key] = why
        events.append(ev)
        hold_series[a:b] = np.clip(t[a:b] - start, 0.0, valid_end - start)
        if lift is not None:
            cues.append(
                Cue(
                    lift,
                    "warning",
                    MSG_HEEL.format(time=lift, held=lift - start, leg=leg or "stretched"),
                )
            )

    valid = [e["valid_hold_s"] for e in events]
    total = sum(e["hold_s"] for e in events)
    summary: dict[str, Any] = {
        "holds": len(events),
        "longest_valid_hold_s": _r(max(valid)) if valid else 0.0,
        "total_valid_hold_s": _r(sum(valid)) if valid else 0.0,
        "total_hold_s": _r(total),
        "heel_lifts": sum(e["heel_lifted"] for e in events),
        "stretched_leg": which,
        "norms_note": NORMS_NOTE,
    }
    by_leg: dict[str, Any] = {}
    for side in ("left", "right"):
        evs = [e for e in events if e["leg"] == side]
        if evs:
            tib = [
                e["tibia_angle_deg"]
                for e in evs
                if e["tibia_angle_deg"] is not None and e["depth_plausible"]
            ]
            by_leg[side] = {
                "holds": len(evs),
                "longest_valid_hold_s": _r(max(e["valid_hold_s"] for e in evs)),
                "tibia_angle_deg": _r(float(np.median(tib)), 1) if tib else None,
                "ankle_dorsiflexion_deg": _depth_median(evs),
            }
    summary["by_leg"] = by_leg
    tibs = [
        e["tibia_angle_deg"]
        for e in events
        if e["tibia_angle_deg"] is not None and e["depth_plausible"]
    ]
    summary["tibia_angle_deg"] = _r(float(np.median(tibs)), 1) if tibs else None
    summary["ankle_dorsiflexion_deg"] = _depth_median(events)
    if len(by_leg) == 2 and all(by_leg[s]["tibia_angle_deg"] is not None for s in by_leg):
        diff = by_leg["left"]["tibia_angle_deg"] - by_leg["right"]["tibia_angle_deg"]
        summary["left_minus_right_tibia_deg"] = _r(diff, 1)
    if len(by_leg) == 2 and all(by_leg[s]["ankle_dorsiflexion_deg"] is not None for s in by_leg):
        diff = by_leg["left"]["ankle_dorsiflexion_deg"] - by_leg["right"]["ankle_dorsiflexion_deg"]
        summary["left_minus_right_ankle_deg"] = _r(diff, 1)
    if ctx.view.view not in ("side", "oblique"):
        flags["tibia_angle_deg"] = flags["knee_forward_cm"] = (
            f"{ctx.view.view} view: the shin's forward lean is not visible; film from the side"
        )
    elif ctx.view.view == "oblique":
        flags["tibia_angle_deg"] = (
            "oblique view: the shin's lean is foreshortened in the picture and reads smaller"
        )
    tib_sum = summary["tibia_angle_deg"]
    if isinstance(tib_sum, float) and tib_sum < 0:
        shin_note = MSG_SHIN_BACK_SUMMARY.format(back=-tib_sum)
        append_flag(flags, "tibia_angle_deg", shin_note)
    if which != "both" and ctx.view.view == "side":
        flags["leg"] = (
            "side view: the leg's name comes from the pose model's labels of the front foot, "
            "which often swap in side view"
        )
    if not events:
        warnings.append(
            QualityIssue(
                "no_hold",
                "warning",
                "no stretch hold found: get into the stretch and keep still for a few seconds, "
                "side-on to the camera with your whole body and both feet in the picture",
            )
        )
    norms: list[NormComparison] = []
    if events:
        best = summary["longest_valid_hold_s"]
        target, top = th.target_hold_min_s, th.target_hold_max_s
        on = best >= target
        norms.append(
            NormComparison(
                "longest_valid_hold_s",
                float(best),
                "s",
                f"{target:.0f}-{top:.0f} s per hold",
                "runners' seed programme (no published norm)",
                "on target" if on else "shorter than the target",
            )
        )
        cues.append(
            Cue(
                None,
                "info",
                (MSG_ON_TARGET if on else MSG_SHORT).format(held=best, target=target, top=top),
            )
        )
        # the depth of a stretch is the ankle's angle (the shin's lean with the foot
        # flat, less than it when the toes are up on a wall or step)
        if "left_minus_right_ankle_deg" in summary:
            d = summary["left_minus_right_ankle_deg"]
            if abs(d) >= 4.6:  # knee-to-wall MDC in degrees (Powden et al. 2015)
                weak, strong = ("left", "right") if d < 0 else ("right", "left")
                cues.append(Cue(None, "info", MSG_LR.format(weak=weak, strong=strong, diff=abs(d))))
    score = None
    if events:
        score = round(
            70.0 * min(1.0, summary["longest_valid_hold_s"] / th.target_hold_min_s)
            + 30.0 * (summary["total_valid_hold_s"] / total if total > 0 else 0.0),
            1,
        )
    return DrillResult(
        summary=summary,
        events=events,
        cues=cues,
        score=score,
        flags=flags,
        norms=norms,
        series={
            "hold_s": hold_series,
            "tibia_angle_deg": np.asarray(tibia, dtype=np.float64),
            "heel_height_cm": np.asarray(heel_series, dtype=np.float64),
        },
        warnings=warnings,
        overlay=("hold_s", "tibia_angle_deg", "heel_height_cm"),
    )


@contextlib.contextmanager
def warnings_ctx() -> Iterator[None]:
    """Silence numpy's all-NaN warnings (frames without the leg are NaN by design)."""
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)
        yield


def fill_nans_2d(times_s: FloatArray, xy: FloatArray) -> FloatArray:
    """(T, 2) with NaNs interpolated per coordinate over time."""
    return np.stack([fill_nans(times_s, xy[:, i]) for i in range(xy.shape[1])], axis=1)


_LUNGE_FILM = (
    "Film side-on at knee to hip height, 2-3 m away, whole body and both feet in the picture "
    "(the wall or step may be in view). Get into the stretch and hold still; do the other leg "
    "in the same clip if you like."
)

SOLEUS_WALL_STRETCH = StretchHold(
    name="soleus-wall-stretch",
    title="Soleus wall stretch (hold)",
    stretched_leg="back",
    how_to_film=_LUNGE_FILM,
    measures="hold time with the back heel down, back shin angle and knee forward, repeats, L/R",
)
CALF_STEP_STRETCH = StretchHold(
    name="calf-step-stretch",
    title="Calf stretch, toes up on a wall or step (hold)",
    stretched_leg="front",
    how_to_film=_LUNGE_FILM,
    measures="hold time with the front heel down, front shin angle and knee forward, repeats, L/R",
)
DEEP_SQUAT_HOLD = StretchHold(
    name="deep-squat-hold",
    title="Deep squat hold",
    stretched_leg="both",
    how_to_film=(
        "Film side-on at knee height, 2-3 m away, whole body and both feet in the picture. "
        "Squat as deep as you can with both heels down and hold still."
    ),
    measures="hold time with both heels down, shin angle (depth), repeats",
)
