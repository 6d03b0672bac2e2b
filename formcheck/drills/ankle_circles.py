"""Ankle circles: circles of the free foot while standing on the other leg.

Method
------
1. Single-leg intervals: the balance drill's hold detection (public API of
   ``formcheck.drills.single_leg_balance``: lift signal from world landmarks,
   else the picture; its TOML thresholds).
2. In each interval, the free foot's toe-minus-ankle vector in the picture
   (x along the floor line, y up), smoothed over ``smooth_s`` and centred on
   its median, is the toe path around the ankle. Its angle is unwrapped
   (frames closer to the centre than ``min_radius_fraction`` of the median
   radius do not move it).
3. Angular speed (smoothed over ``speed_window_s``) splits the interval into
   runs of one direction (pauses/reversals under ``bridge_s`` bridged); each
   run's whole turns are counted with the three-quarter rule
   (``floor(turns + 1 - count_fraction)``).
4. Direction is reported as the runner sees it (looking down the front of
   their body): a camera in front mirrors it, so the picture's sense is
   reversed for front and oblique views.
5. Range of the toe path: 2nd-98th percentile width and height of the
   centred toe path, cm (calibration scale at the hips; the foot is a little
   nearer the camera).
6. Whole-leg circles: when the ankle's own path (relative to the hip
   midpoint) is larger (RMS radius, ``whole_leg_ratio``) than the toe's path
   around the ankle, the circles are counted on the ankle path instead, are
   flagged, and a warning says to keep the shin still.
7. Stance stability: side-to-side hip-midpoint sway (RMS, cm) per interval and
   touchdowns (an interval ended by the free foot touching down, followed by
   another one on the same stance leg).

Score (0-100) = 100 x (0.6 x completion + 0.25 x range + 0.15 x steadiness):
completion = mean over the 4 (foot, direction) pairs of
min(1, ankle circles / target) (whole-leg circles do not count);
range = min(1, mean toe range / range_target_cm); steadiness = 1 with no
touchdown and sway under ``sway_unsteady_cm``, minus 0.25 per touchdown and
0.5 when unsteady (not below 0). None when no circle was found.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.drills.base import Cue, DrillContext, DrillResult, NormComparison
from formcheck.drills.common import fill_nans, floor_up_px, true_runs
from formcheck.drills.single_leg_balance import (
    HoldSpan,
    detect_holds,
    double_stance_baseline,
    lift_signal,
    load_balance_thresholds,
)
from formcheck.landmarks import Landmark, side_landmark
from formcheck.thresholds import load_thresholds
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]

MIRRORED_VIEWS = frozenset({"front", "oblique"})
"""Views whose camera faces the runner: the picture shows circles mirrored."""
DIRECTIONS = ("clockwise", "counterclockwise")
SCORE_WEIGHTS = {"completion": 0.6, "range": 0.25, "steady": 0.15}
"""Weights of the score terms (module docstring); they sum to 1."""
PAIRS = tuple((leg, d) for leg in ("left", "right") for d in DIRECTIONS)

MSG_WHOLE_LEG = (
    "your whole leg circled ({t0:.1f}-{t1:.1f} s): keep the shin still and turn only the foot "
    "at the ankle"
)
MSG_FEW = "{leg} foot, {direction}: {count} circles of {target}: finish the set"
MSG_SMALL = "your circles were small (toe path {range:.0f} cm): draw bigger circles with your toes"
MSG_TOUCHDOWN = "you touched down at {time:.1f} s while circling the {leg} foot"
MSG_UNSTEADY = "your hips swayed {sway:.1f} cm on the {leg} leg: steady the stance first"


@dataclass(frozen=True)
class AnkleCirclesThresholds:
    """Thresholds from ``ankle_circles.toml`` (units and sources there)."""

    target_per_direction: int
    count_fraction: float
    smooth_s: float
    speed_window_s: float
    min_speed_rad_s: float
    bridge_s: float
    min_radius_fraction: float
    whole_leg_ratio: float
    min_circle_radius_cm: float
    range_target_cm: float
    sway_unsteady_cm: float


def load_ankle_circles_thresholds(
    overrides: dict[str, Any] | None = None,
) -> AnkleCirclesThresholds:
    """Thresholds from the TOML file plus ``overrides`` (unknown keys -> ValueError)."""
    return load_thresholds(AnkleCirclesThresholds, "ankle_circles.toml", overrides)


@dataclass(frozen=True)
class CircleRun:
    """Circles in one direction.

    Attributes:
        start_i, end_i: first and last frame (inclusive) of the run.
        turns: signed turns of the path's angle over the run (+ counterclockwise
            in the plane of the path given to ``find_circle_runs``).
        count: whole circles (three-quarter rule), >= 1.
    """

    start_i: int
    end_i: int
    turns: float
    count: int


def _moving_mean(x: FloatArray, n: int) -> FloatArray:
    """Centred moving mean over ``n`` (odd) samples of a NaN-free (T,) array, edges shortened."""
    n = max(1, int(n) | 1)
    if n == 1 or x.size == 0:
        return x.astype(np.float64, copy=True)
    k = np.ones(n)
    num = np.convolve(x, k, mode="same")
    den = np.convolve(np.ones_like(x), k, mode="same")
    return np.asarray(num / den, dtype=np.float64)


def unwrapped_angle(xy: FloatArray, min_radius_fraction: float) -> FloatArray:
    """Unwrapped angle of a centred 2-D path.

    Args:
        xy: (T, 2) NaN-free path, any unit, centred on its median.
        min_radius_fraction: frames shorter than this fraction of the median
            radius keep the previous angle.

    Returns:
        (T,) radians, counterclockwise positive in the (x, y) plane.
    """
    r = np.hypot(xy[:, 0], xy[:, 1])
    ang = np.arctan2(xy[:, 1], xy[:, 0])
    med = float(np.median(r)) if r.size else 0.0
    out = np.zeros(len(xy))
    last = math.nan
    acc = 0.0
    for i in range(len(xy)):
        if r[i] > min_radius_fraction * med and med > 0:
            if math.isfinite(last):
                acc += (ang[i] - last + math.pi) % (2 * math.pi) - math.pi
            last = float(ang[i])
        out[i] = acc
    return out


def find_circle_runs(
    times_s: FloatArray, xy: FloatArray, th: AnkleCirclesThresholds, min_radius: float = 0.0
) -> list[CircleRun]:
    """Runs of circles of one direction in a 2-D path.

    Args:
        times_s: (T,) frame times, s.
        xy: (T, 2) path (e.g. toe minus ankle), any unit, x right and y up of
            the plane the sense refers to; NaN where unseen (filled linearly).
        th: thresholds (smoothing, speed, bridging, three-quarter rule).
        min_radius: smallest circle radius (unit of ``xy``): frames nearer the
            centre than this do not move the angle (landmark jitter there is
            not a circle).

    Returns:
        runs in time order, each with at least one whole circle.
    """
    n = len(times_s)
    if n < 3:
        return []
    filled = np.stack([fill_nans(times_s, xy[:, k]) for k in range(2)], axis=1)
    if not np.isfinite(filled).all():
        return []
    dt = float(np.median(np.diff(times_s)))
    sm = np.stack([_moving_mean(filled[:, k], round(th.smooth_s / dt)) for k in range(2)], axis=1)
    sm = sm - np.median(sm, axis=0)
    r = np.hypot(sm[:, 0], sm[:, 1])
    frac = th.min_radius_fraction
    if min_radius > 0 and np.median(r) > 0:
        frac = max(frac, min_radius / float(np.median(r)))
    theta = unwrapped_angle(sm, frac)
    omega = np.gradient(theta, times_s)
    omega = _moving_mean(omega, round(th.speed_window_s / dt))
    sign = np.where(omega > th.min_speed_rad_s, 1, np.where(omega < -th.min_speed_rad_s, -1, 0))
    # bridge short interruptions inside a run of one sign
    bridge = max(1, round(th.bridge_s / dt))
    for s in (1, -1):
        runs = true_runs(sign == s)
        for (_, e0), (s1, _) in itertools.pairwise(runs):
            if s1 - e0 <= bridge:
                sign[e0:s1] = s
    # runs of one sign in time order; neighbours of the same sign (a pause, no
    # circling the other way in between) are one run
    spans = sorted((a, b, s) for s in (1, -1) for a, b in true_runs(sign == s))
    joined: list[list[int]] = []
    for a, b, s in spans:
        if joined and joined[-1][2] == s:
            joined[-1][1] = b
        else:
            joined.append([a, b, s])
    out: list[CircleRun] = []
    half = round(0.5 * th.speed_window_s / dt)  # the speed smoothing moved each edge inward
    for k, (a, b, s) in enumerate(joined):
        a = max(a - half, joined[k - 1][1] if k else 0)
        b = min(b + half, joined[k + 1][0] if k + 1 < len(joined) else n)
        turns = float(theta[b - 1] - theta[a]) / (2 * math.pi)
        count = math.floor(abs(turns) + 1.0 - th.count_fraction)
        if count >= 1 and np.sign(turns) == s:
            out.append(CircleRun(a, b - 1, turns, count))
    out.sort(key=lambda r: r.start_i)
    return out


def merge_label_swaps(holds: list[HoldSpan], min_touchdown_s: float) -> list[HoldSpan]:
    """Join holds separated by less than a touchdown's length (a leg-label swap).

    The free foot cannot come down and go up again faster than
    ``min_touchdown_s``; two holds closer than that (whatever their labels) are
    one hold whose labels swapped. The joined hold takes the label of its
    longer part.
    """
    out: list[HoldSpan] = []
    for h in holds:
        if out and h.start_s - out[-1].end_s < min_touchdown_s:
            p = out[-1]
            side = p.free_side if p.duration_s >= h.duration_s else h.free_side
            out[-1] = replace(
                p,
                end_s=h.end_s,
                end_i=h.end_i,
                free_side=side,
                ended_by=h.ended_by,
                unconfirmed_touchdowns_s=p.unconfirmed_touchdowns_s + h.unconfirmed_touchdowns_s,
            )
        else:
            out.append(h)
    return out


def _rms_radius(xy: FloatArray) -> float:
    ok = np.isfinite(xy).all(axis=1)
    if ok.sum() < 3:
        return math.nan
    c = xy[ok] - np.median(xy[ok], axis=0)
    return float(np.sqrt(np.mean(np.sum(c**2, axis=1))))


def _range_cm(xy: FloatArray, cm_per_px: float) -> tuple[float, float]:
    ok = np.isfinite(xy).all(axis=1)
    if ok.sum() < 3:
        return math.nan, math.nan
    lo = np.percentile(xy[ok], 2, axis=0)
    hi = np.percentile(xy[ok], 98, axis=0)
    w, h = (hi - lo) * cm_per_px
    return float(w), float(h)


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


class AnkleCirclesDrill:
    """The ankle-circles drill (see the module docstring)."""

    name = "ankle-circles"
    title = "Ankle circles"
    accepted_views = frozenset({"front", "oblique"})
    how_to_film = (
        "Put the phone at knee to hip height 2-3 m in front of you (straight on, or up to "
        "45 degrees to one side), whole body and both feet in the picture. Stand on one leg, "
        "lift the other foot a little in front of you and draw circles with your toes, "
        "keeping the shin still: 10 one way, 10 the other, then change feet."
    )
    measures = (
        "circles per foot and direction, range of the toe path (cm), whole-leg circling, "
        "hip sway and touchdowns of the stance leg"
    )

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Count and measure the circles in ``ctx`` (see the module docstring)."""
        th = load_ankle_circles_thresholds(dict(ctx.options.thresholds))
        return _analyze(ctx, th)


def _analyze(ctx: DrillContext, th: AnkleCirclesThresholds) -> DrillResult:
    clean = ctx.conditioned.track
    t = np.asarray(clean.timestamps_s, dtype=np.float64)
    n = len(t)
    px = np.asarray(clean.landmarks[:, :, :2], dtype=np.float64) * np.array(
        [clean.width, clean.height], dtype=np.float64
    )
    world = np.asarray(clean.world, dtype=np.float64)
    up = floor_up_px(ctx)
    right = np.array([-up[1], up[0]])  # along the floor, image-right-ish
    plane = np.stack([right, up], axis=1)  # px -> (along floor, up)
    cm_per_px = float(ctx.calibration.cm_per_px)
    view = ctx.view.view
    mirror = -1.0 if view in MIRRORED_VIEWS or view == "unknown" else 1.0
    flags: dict[str, str] = {}
    warnings: list[QualityIssue] = []
    cues: list[Cue] = []

    bth = load_balance_thresholds()
    feet = [
        int(side_landmark(s, p)) for s in ("left", "right") for p in ("ankle", "heel", "foot_index")
    ]
    world_ok = np.isfinite(world[:, feet]).all(axis=(1, 2))
    px_ok = np.isfinite(px[:, feet]).all(axis=(1, 2))
    if world_ok.sum() >= max(1, 0.5 * px_ok.sum()):
        signal, _ = lift_signal(world, np.array([0.0, -1.0, 0.0]))
    else:
        signal, _ = lift_signal(px, up)
    # The double-stance level only from frames within lift_off_leg of level: a circling
    # foot dwells at the bottom of its circle, which the balance drill's wider band
    # (lift_on_leg) would take for a staggered stance.
    baseline = double_stance_baseline(signal, bth.lift_off_leg, bth.lift_off_leg)
    holds: list[HoldSpan] = detect_holds(t, signal, bth, baseline)
    holds = merge_label_swaps(holds, bth.min_touchdown_s)
    higher = np.where(signal - baseline >= 0, "right", "left")  # per-frame free foot label
    if ctx.options.leg in ("left", "right"):
        holds = [h for h in holds if h.free_side == ctx.options.leg]

    hip_mid = 0.5 * (px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP])
    hip_u_cm = (hip_mid @ right) * cm_per_px
    reliable = ctx.conditioned.reliable

    circles_series = np.zeros(n)
    angle_series = np.full(n, np.nan)
    events: list[dict[str, Any]] = []
    counted = dict.fromkeys(PAIRS, 0)
    touchdowns = 0
    sways: list[float] = []
    ranges: list[float] = []
    running = 0
    for k, h in enumerate(holds):
        sl = slice(h.start_i, h.end_i + 1)
        tt = t[sl]
        foot = h.free_side
        # the free foot frame by frame (the higher one): a left/right label swap of
        # the legs cannot put the stance foot into the circle
        is_r = (higher[sl] == "right")[:, None]
        toe = (
            np.where(
                is_r,
                px[sl, Landmark.RIGHT_FOOT_INDEX],
                px[sl, Landmark.LEFT_FOOT_INDEX],
            )
            @ plane
        )
        ankle = np.where(is_r, px[sl, Landmark.RIGHT_ANKLE], px[sl, Landmark.LEFT_ANKLE]) @ plane
        hip = hip_mid[sl] @ plane
        toe_rel = toe - ankle
        ankle_rel = ankle - hip
        r_toe, r_ank = _rms_radius(toe_rel), _rms_radius(ankle_rel)
        whole_leg = bool(math.isfinite(r_ank) and r_ank > th.whole_leg_ratio * r_toe)
        path = ankle_rel if whole_leg else toe_rel
        sway = float(np.nanstd(hip_u_cm[sl])) if np.isfinite(hip_u_cm[sl]).sum() > 2 else math.nan
        sways.append(sway)
        ended_td = h.ended_by == "touchdown" and any(
            o.free_side == foot and 0 < o.start_s - h.end_s <= bth.resume_window_s
            for o in holds[k + 1 :]
        )
        if ended_td:
            touchdowns += 1
            cues.append(Cue(h.end_s, "warning", MSG_TOUCHDOWN.format(time=h.end_s, leg=foot)))
        if math.isfinite(sway) and sway > th.sway_unsteady_cm:
            cues.append(
                Cue(
                    h.start_s,
                    "info",
                    MSG_UNSTEADY.format(sway=sway, leg=("left" if foot == "right" else "right")),
                )
            )
        parts = [int(side_landmark(foot, p)) for p in ("ankle", "foot_index")]
        unreliable = 1.0 - float(reliable[sl][:, parts].all(axis=1).mean())
        min_r = th.min_circle_radius_cm / cm_per_px if cm_per_px > 0 else 0.0
        for run in find_circle_runs(tt, path, th, min_r):
            direction = "counterclockwise" if mirror * run.turns > 0 else "clockwise"
            a, b = h.start_i + run.start_i, h.start_i + run.end_i
            w_cm, h_cm = _range_cm(toe_rel[run.start_i : run.end_i + 1], cm_per_px)
            ev_flags: dict[str, str] = {}
            if whole_leg:
                ev_flags["count"] = (
                    "whole-leg circles: the ankle moved more than the foot turned around it; "
                    "counted from the ankle's path, these are not ankle circles"
                )
                cues.append(Cue(float(t[a]), "warning", MSG_WHOLE_LEG.format(t0=t[a], t1=t[b])))
            else:
                counted[(foot, direction)] += run.count
                ranges.append(0.5 * (w_cm + h_cm))
            if unreliable > 0.2:
                ev_flags["toe_range_cm"] = (
                    f"foot landmarks unreliable in {100 * unreliable:.0f}% of the frames"
                )
            if view == "oblique":
                ev_flags.setdefault(
                    "toe_range_cm", "oblique view: the toe path's width is foreshortened"
                )
            events.append(
                {
                    "kind": "circles",
                    "start_s": float(t[a]),
                    "end_s": float(t[b]),
                    "leg": foot,
                    "stance_leg": "left" if foot == "right" else "right",
                    "direction": direction,
                    "count": run.count,
                    "turns": round(abs(run.turns), 2),
                    "whole_leg": whole_leg,
                    "toe_range_cm": _r(0.5 * (w_cm + h_cm)),
                    "toe_range_width_cm": _r(w_cm),
                    "toe_range_height_cm": _r(h_cm),
                    "hip_sway_rms_cm": _r(sway, 2),
                    "flags": ev_flags,
                }
            )
            running += run.count
            circles_series[b:] = running
        if np.isfinite(toe_rel).all(axis=1).any():
            c = toe_rel - np.nanmedian(toe_rel, axis=0)
            angle_series[sl] = np.degrees(np.arctan2(c[:, 1], mirror * c[:, 0]))

    events.sort(key=lambda e: e["start_s"])
    summary: dict[str, Any] = {
        "circle_count": int(sum(counted.values())),
        "circles": {f"{leg}_{d}": c for (leg, d), c in counted.items()},
        "whole_leg_circle_count": int(sum(e["count"] for e in events if e["whole_leg"])),
        "toe_range_cm": _r(float(np.mean(ranges))) if ranges else None,
        "hip_sway_rms_cm": _r(float(np.nanmax(sways)), 2)
        if any(math.isfinite(s) for s in sways)
        else None,
        "touchdowns": touchdowns,
        "single_leg_intervals": len(holds),
        "direction_frame": "as the runner sees it (looking down at the foot)",
        "range_scale": ctx.calibration.detail,
    }
    if view == "unknown":
        flags["direction"] = "camera view unknown: direction assumes the camera faced you"
    if summary["whole_leg_circle_count"]:
        flags["circle_count"] = "some circles were whole-leg circles and are not counted"
        warnings.append(
            QualityIssue(
                "whole_leg_circles",
                "warning",
                "your whole leg circled, not the foot: keep the shin still and draw the circle "
                "with your toes, turning at the ankle",
            )
        )
    if not holds:
        warnings.append(
            QualityIssue(
                "no_hold",
                "warning",
                "no single-leg stance found: stand on one leg with the other foot clearly off "
                "the floor, both feet in the picture",
            )
        )
    elif not events:
        warnings.append(
            QualityIssue(
                "no_circles",
                "warning",
                "no circles found: draw slow, full circles with your toes (at least one whole "
                "turn), facing the camera",
            )
        )
    norms = [
        NormComparison(
            metric=f"circles.{leg}_{d}",
            value=float(c),
            unit="circles",
            norm=f"{th.target_per_direction} each direction per foot",
            source="runners' ankle programme",
            verdict="done" if c >= th.target_per_direction else "short of the target",
        )
        for (leg, d), c in counted.items()
        if c
    ]
    for (leg, d), c in counted.items():
        if 0 < c < th.target_per_direction:
            cues.append(
                Cue(
                    None,
                    "info",
                    MSG_FEW.format(leg=leg, direction=d, count=c, target=th.target_per_direction),
                )
            )
    if ranges and float(np.mean(ranges)) < th.range_target_cm:
        cues.append(Cue(None, "info", MSG_SMALL.format(range=float(np.mean(ranges)))))
    score = _score(summary, counted, th)
    return DrillResult(
        summary=summary,
        events=events,
        cues=sorted(cues, key=lambda c: (c.time_s is None, c.time_s or 0.0)),
        score=score,
        flags=flags,
        norms=norms,
        series={"circles": circles_series, "toe_angle_deg": angle_series},
        warnings=warnings,
        overlay=("circles",),
    )


def _score(
    summary: dict[str, Any], counted: dict[tuple[str, str], int], th: AnkleCirclesThresholds
) -> float | None:
    """Score per the module docstring; None when no circle was found."""
    if not summary["circle_count"] and not summary["whole_leg_circle_count"]:
        return None
    completion = float(np.mean([min(1.0, c / th.target_per_direction) for c in counted.values()]))
    rng = summary["toe_range_cm"]
    range_term = min(1.0, rng / th.range_target_cm) if rng is not None else 0.0
    sway = summary["hip_sway_rms_cm"]
    steady = 1.0 - 0.25 * summary["touchdowns"]
    if sway is not None and sway > th.sway_unsteady_cm:
        steady -= 0.5
    steady = max(0.0, steady)
    w = SCORE_WEIGHTS
    return round(
        100.0 * (w["completion"] * completion + w["range"] * range_term + w["steady"] * steady), 1
    )


DRILL = AnkleCirclesDrill()
