"""Knee-to-wall (weight-bearing lunge) drill: ``knee-to-wall``.

The runner stands in a split stance facing a wall and drives the front knee
forward over the toes (knee towards the wall, heel down). We measure, per
attempt (``events[i]["kind"] == "lunge"``):

- ``tibia_angle_deg``: the front shank (ankle->knee landmark) from the floor
  normal at the deepest point, + knee forward of the ankle: what an
  inclinometer on the shin reads (``formcheck.angles`` "tibia_inclination").
- ``toe_to_wall_cm``: wall minus front toe (``foot_index`` landmark) along the
  floor, when the wall position is known; None otherwise (never made up).
- ``heel_lifted``: the front heel rose more than ``heel_lift_cm`` above its
  standing height at the deepest point (``heel_rise_cm``, median over the
  hold; ``heel_rise`` says how); such an attempt is not a valid depth.
  ``heel_rise_se_cm`` is its standard error from the trace's own noise, and a
  reading within ``heel_uncertain_z`` of them from the line is flagged
  "uncertain" in ``flags["heel_lifted"]``. On MediaPipe tracks the heel
  landmark's rise with deep ankle flexion (``ankle_flexion_deg``: shin lean
  minus the foot's pitch change) is taken off first
  (``heel_flexion_correction_cm``; render-derived, knee_to_wall.toml).
- ``knee_forward_cm``: the **front of the knee** (what touches the wall, what
  a physio sees) ahead of the front toes along the floor, cm; negative = the
  knee's front is behind the toes. With the wall known,
  ``knee_forward_cm + knee_to_wall_gap_cm == toe_to_wall_cm``.
- ``knee_reached_wall``: the knee's front came within
  ``knee_touch_tolerance_cm`` (the knee landmark's placement uncertainty) of
  the wall; None when the wall is unknown.
- ``valid`` / ``invalid_reasons``: an attempt counts as a maximal depth only
  with the heel seen down, plausible values, and (wall known) the knee at the
  wall. ``implausible`` lists the values anatomy rules out
  (``implausible_values``: shin leaning outside ``tibia_plausible_*_deg``,
  knee further from the toes than a shank or foot length, heel below the
  floor); each is flagged with the reason and what to change. Best values,
  norms and the score use valid attempts only.

How it works (all in image pixels, in the body frame of ``formcheck.angles``:
``forward`` along the floor the way the person faces, ``up`` the floor normal):

1. The **front leg** in each frame is the one whose foot (heel-toe midpoint) is
   further forward; only frames in a split stance (feet at least
   ``min_split_foot_lengths`` foot lengths apart) count. This uses positions,
   not MediaPipe's left/right labels, so a label swap cannot turn the back leg
   into the measured leg.
2. **Attempts** are peaks of the front tibia angle with a prominence of at
   least ``drive_min_prominence_deg`` (scipy.signal.find_peaks per NaN-free
   stretch); ``peak_s`` is the deepest frame, ``start_s``/``end_s`` where the
   angle is ``attempt_bounds_rel_height`` of the way back down; attempts never
   overlap (neighbours part at the knee's furthest-back point between them).
   A drive the video cut (already deep at the first frame, or still deep at
   the last: ``cut_by`` "start of video" / "end of video") is kept when what
   is seen of it shows a lunge (``_cut_drive_is_a_lunge``: a side or oblique
   view, the knee travelling ``cut_drive_min_prominence_deg`` of shin lean and
   half the biggest whole drive's, the front foot planted, the knee's front
   ahead of the toes); its shin angle is flagged as the least it reached.
3. **Which leg** (name): for a non-mirrored video, a person facing image-right
   shows the camera their right side (facing left: their left side). If one
   foot is clearly nearer the camera (its heel lower in the picture by a
   tenth of a foot length or more), the front leg is the near side when the
   front foot is the nearer one, else the far side. This geometric answer is
   compared with MediaPipe's label of the front foot: agreement -> "medium"
   confidence, disagreement -> the geometric answer with "low" (MediaPipe
   mislabels the near leg in side views, issue 8), no depth cue -> the label
   with "low". Mirrored (selfie) video swaps the geometric answer. In an
   oblique view the front foot is nearer (or further) because it is ahead,
   whatever its side, so the label decides, with "low" confidence.
4. **The wall** (summary ``wall_method``), first that applies:
   ``"given"`` - ``options.variant["wall_x_px"]`` (image x of the wall at the
   front foot, pixels; e.g. from ``formcheck.wall`` or the user);
   ``"hands"`` - a hand landmark rests still ahead of the knee through the
   attempts (hands on the wall, as the test is usually done);
   ``"knee_contact"`` - ``options.variant["knee_touches_wall"]`` is true: the
   wall is at the front of the knee at its most forward point (knee landmark
   plus ``knee_front_fraction_of_height`` and, for MediaPipe tracks,
   ``knee_landmark_behind_joint_fraction_of_height``, scaled from the
   person's own shank);
   ``"unknown"`` - no toe-to-wall distance is reported.
   With the knee-contact wall, every attempt whose knee came within
   ``knee_touch_tolerance_cm`` of the most forward one measures the wall once,
   and the wall is their median (the most forward alone is the largest of
   several noisy readings, biased beyond the wall).
5. **Oblique views**: when the normal visibility threshold hides so many leg
   landmarks that fewer knee drives are found (a foot hidden behind the other
   leg is reported with visibility just under 0.5), the drill retries with
   the leg landmarks down to ``occluded_leg_min_visibility`` and keeps that
   when it finds more drives (warning ``occluded_leg``, summary
   ``occluded_leg_landmarks``; the filled landmarks count as unreliable, so the
   attempts resting on them carry that flag). Distances along the floor are
   stretched by the squeeze of ``forward_foreshortening`` (the front foot's
   image length over the upright shank's, against the body's foot/shank
   proportion; the upright shank from the tested leg's standing frames). The tibia angle comes from
   the 3D world landmarks (``world_tibia_deg``; summary ``tibia_source``
   "world"), because part of the shin's lean is a motion in depth that the
   picture shows both squeezed and shifted up or down (camera not at knee
   height), which no single image factor undoes; "image" otherwise.

Score (0-100, None when the wall is unknown or no valid attempt):
``80 * min(1, best_toe_to_wall_cm / norm_mean_cm)`` (depth against the
Hoch & McKeon 2011 mean) ``+ 20 * (attempts with the heel down / attempts)``
``- 10`` if the left-right difference exceeds ``asymmetry_cm``; clipped to 0-100.
"""

from __future__ import annotations

import dataclasses
import warnings as _warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy.signal import find_peaks, medfilt, peak_widths

from formcheck.angles import body_frame
from formcheck.calibration import leg_chains_px
from formcheck.drills.base import Cue, DrillContext, DrillResult, NormComparison
from formcheck.drills.common import (
    LegTrace,
    append_flag,
    front_side_per_frame,
    leg_traces,
    select_front,
)
from formcheck.landmarks import side_landmark
from formcheck.signals import interpolate_gaps, nan_free_runs
from formcheck.thresholds import load_thresholds
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")
WALL_METHODS = ("given", "hands", "knee_contact", "unknown")
"""Values of ``summary["wall_method"]``."""


def _median(x: npt.ArrayLike) -> float:
    """NaN-ignoring median; NaN (without a warning) when nothing is finite."""
    a = np.asarray(x, dtype=np.float64)
    return float(np.median(a[np.isfinite(a)])) if np.isfinite(a).any() else float("nan")


MSG_NO_VALID = (
    "No attempt counts as a valid depth yet (of {n}: {lifted} with the heel lifted, {short} "
    "with the knee short of the wall, {implausible} with readings no lunge can produce): each "
    "needs the heel down and the knee touching the wall."
)

NEAR_FOOT_MIN_FOOT_LENGTHS = 0.1
"""Foot lengths by which one heel must sit lower in the picture to call that
foot nearer the camera. Judgement: with the camera above the floor, a foot a
step nearer sits visibly lower; less than a tenth of a foot is landmark noise."""


@dataclass(frozen=True)
class KneeToWallThresholds:
    """Thresholds from ``knee_to_wall.toml`` (units and sources there)."""

    drive_min_prominence_deg: float
    cut_drive_min_prominence_deg: float
    cut_drive_max_foot_travel: float
    min_attempt_separation_s: float
    attempt_bounds_rel_height: float
    min_split_foot_lengths: float
    heel_lift_cm: float
    heel_window_s: float
    knee_front_fraction_of_height: float
    shank_fraction_of_height: float
    hand_still_cm: float
    hand_still_fraction: float
    knee_touch_tolerance_cm: float
    wall_overshoot_cm: float
    asymmetry_cm: float
    norm_mean_cm: float
    deg_per_cm: float
    mdc_cm: float
    mdc_deg: float
    max_unreliable_fraction: float
    smooth_window_s: float
    deep_phase_cm: float
    bridge_gap_s: float
    heel_baseline_margin_s: float
    heel_noise_max_lag_s: float
    heel_uncertain_z: float
    heel_flexion_artefact_start_deg: float
    heel_flexion_artefact_cm_per_deg: float
    heel_flexion_artefact_sd_cm: float
    foot_to_shank_ratio: float
    min_foreshortening: float
    toe_tip_ahead_of_landmark_fraction_of_height: float
    knee_landmark_behind_joint_fraction_of_height: float
    tibia_offset_deg: float
    pose_model_toe_to_wall_sd_cm: float
    pose_model_tibia_sd_deg: float
    tibia_plausible_min_deg: float
    tibia_plausible_max_deg: float
    heel_sink_cm: float
    occluded_leg_min_visibility: float
    not_a_lunge_knee_behind_toes_cm: float


def load_knee_to_wall_thresholds(overrides: dict[str, Any] | None = None) -> KneeToWallThresholds:
    """Thresholds from the TOML file plus ``overrides`` (unknown keys -> ValueError)."""
    return load_thresholds(KneeToWallThresholds, "knee_to_wall.toml", overrides)


# ----------------------------------------------------------------- geometry
def forward_foreshortening(
    front: LegTrace, foot_to_shank_ratio: float, upright_leg: LegTrace | None = None
) -> float:
    """How much distances along the floor are squeezed in the picture (0..1], or NaN.

    In an oblique view the person's forward axis turns towards the camera and
    shows shorter, while the upright shank keeps its length. The ratio of the
    front foot's image length (median, foot flat) to the shank's image length
    when it stands upright, over the body's foot-to-shank proportion,
    estimates the squeeze (medians: jitter does not inflate it).

    Args:
        front: (T,) traces of the front leg (NaN outside the split stance).
        foot_to_shank_ratio: the body's foot over shank length.
        upright_leg: the same body leg in every frame it is seen (standing and
            resting between attempts included), whose least tilted quarter of
            frames gives the upright shank. Default ``front``. Only a leg that
            is seen standing gives a truly upright shank: the split-stance
            frames alone hold mostly drives (shank tilted, hence shorter in an
            oblique picture), and which of them count would depend on whether
            the far foot happened to be seen.
    """
    foot = front.foot_px
    leg = front if upright_leg is None else upright_leg
    shank = leg.shank_px
    tib = np.abs(leg.tibia_deg)
    if not (np.isfinite(foot).any() and np.isfinite(tib).any()):
        return float("nan")
    with np.errstate(invalid="ignore"):
        upright = tib <= np.nanpercentile(tib, 25)  # the shank's least tilted quarter
    return _median(foot) / (_median(shank[upright]) * foot_to_shank_ratio)


def world_tibia_deg(
    world: npt.NDArray[np.floating[Any]],
    front_lbl: npt.NDArray[np.object_],
    up_image: npt.ArrayLike | None,
) -> FloatArray:
    """Front tibia angle from the floor normal from 3D world landmarks, degrees.

    In an oblique view the shin's forward lean is partly a motion in depth:
    the picture shows it squeezed, and (camera above or below the knee) the
    depth motion also shifts the knee up or down in the picture, which a
    single squeeze factor cannot undo. The world landmarks (metres, camera
    axes: x right, y down, z away) carry that depth. The forward axis is the
    horizontal direction perpendicular to the hip axis (median over the
    clip), pointing from heel to toe; the up axis is the image floor normal
    lifted to 3D, which assumes the phone is not pitched (how_to_film asks for
    a level camera at knee height).

    Args:
        world: (T, 33, 3) world landmarks, metres (NaN unseen).
        front_lbl: (T,) "left"/"right"/None, the front leg per frame.
        up_image: floor normal in the image (pixels, (2,)); None: image up.

    Returns:
        (T,) degrees, + knee forward of the ankle; NaN where the front leg is
        unknown or unseen, or everywhere when the axes cannot be found.
    """
    w = np.asarray(world, dtype=np.float64)
    n = len(w)
    out = np.full(n, np.nan)
    up2 = np.array([0.0, -1.0]) if up_image is None else np.asarray(up_image, dtype=np.float64)
    up = np.array([up2[0], up2[1], 0.0]) / float(np.hypot(up2[0], up2[1]))
    hip = w[:, int(side_landmark("left", "hip"))] - w[:, int(side_landmark("right", "hip"))]
    if not np.isfinite(hip).all(axis=1).any():
        return out
    hip_axis = np.nanmedian(hip, axis=0)
    fwd = np.cross(up, hip_axis)  # horizontal, perpendicular to the hips
    fwd -= (fwd @ up) * up
    norm = float(np.linalg.norm(fwd))
    if not np.isfinite(norm) or norm == 0.0:
        return out
    fwd /= norm
    for side in SIDES:
        rows = np.asarray(front_lbl == side, dtype=bool)
        knee = w[rows, int(side_landmark(side, "knee"))]
        ankle = w[rows, int(side_landmark(side, "ankle"))]
        foot = w[:, int(side_landmark(side, "foot_index"))] - w[:, int(side_landmark(side, "heel"))]
        sign = np.sign(np.nanmedian(foot @ fwd)) if np.isfinite(foot).all(axis=1).any() else 1.0
        v = knee - ankle
        out[rows] = np.degrees(np.arctan2(sign * (v @ fwd), v @ up))
    return out


def _stretch_u(leg: LegTrace, squeeze: float) -> LegTrace:
    """``leg`` with every along-floor coordinate divided by ``squeeze``."""
    return dataclasses.replace(
        leg,
        knee_u=leg.knee_u / squeeze,
        ankle_u=leg.ankle_u / squeeze,
        heel_u=leg.heel_u / squeeze,
        toe_u=leg.toe_u / squeeze,
    )


# ----------------------------------------------------------------- attempts
@dataclass(frozen=True)
class Drive:
    """One forward knee drive.

    Attributes:
        peak: frame index of the deepest point: the centroid of the deepest
            phase weighted by how far each frame is above its threshold (the
            middle of a flat hold, the top of a sharp drive).
        deep_start, deep_stop: frame slice [deep_start, deep_stop) spanning
            the deepest phase (frames within ``deep_depth`` of the top): a hold
            at the wall is all of it.
        start_s, end_s: interpolated times where the signal is
            ``bounds_rel_height`` of the prominence below the top.
        prominence: height of the peak above the lows around it (signal units).
        cut_by: "start of video" or "end of video" when the signal is already
            (still) near the top at its first (last) known sample: the video
            saw only part of this drive; None for a whole drive.
    """

    peak: int
    deep_start: int
    deep_stop: int
    start_s: float
    end_s: float
    prominence: float
    cut_by: str | None = None


def find_drives(
    signal: npt.ArrayLike,
    times_s: npt.ArrayLike,
    *,
    min_prominence: float,
    min_separation_s: float,
    bounds_rel_height: float,
    deep_depth: float,
    fine: npt.ArrayLike | None = None,
) -> list[Drive]:
    """Forward knee drives: peaks of ``signal``, per NaN-free stretch.

    Args:
        signal: (T,) how far forward the front knee is (any unit; NaN unknown).
        times_s: (T,) frame times, seconds.
        min_prominence: a peak must stand this far above the lows around it.
        min_separation_s: closer peaks merge (the higher one is kept).
        bounds_rel_height: start/end at this fraction of the prominence below the peak.
        deep_depth: the deepest phase is where the signal is within this
            distance (signal units) below the top within the drive's bounds.
        fine: (T,) the same signal without smoothing, used to place the
            deepest phase (default: ``signal``).
    """
    x = np.asarray(signal, dtype=np.float64)
    t = np.asarray(times_s, dtype=np.float64)
    fine_all = x if fine is None else np.asarray(fine, dtype=np.float64)
    drives: list[Drive] = []
    if len(t) < 3:
        return drives
    dt = float(np.median(np.diff(t)))
    distance = max(1, round(min_separation_s / dt)) if dt > 0 else 1
    known = np.flatnonzero(np.isfinite(x))
    for a, b in nan_free_runs(np.isfinite(x)):
        seg = x[a:b]
        if len(seg) < 3:
            continue
        peaks, props = find_peaks(seg, prominence=min_prominence, distance=distance)
        _, _, left, right = peak_widths(seg, peaks, rel_height=bounds_rel_height)
        proms = [float(v) for v in props["prominences"]]
        cuts: list[str | None] = [None] * len(peaks)
        for p, prom, lo, hi, cut in _cut_drives(
            seg,
            peaks,
            min_prominence,
            distance,
            bounds_rel_height,
            first=a == known[0],
            last=b == known[-1] + 1,
        ):
            peaks, proms = np.append(peaks, p), [*proms, prom]
            left, right, cuts = np.append(left, lo), np.append(right, hi), [*cuts, cut]
        idx = np.arange(len(seg), dtype=np.float64)
        for k, p in enumerate(peaks):
            prom = proms[k]
            # search the deepest phase where the smoothed signal stays in the
            # top half of this drive, contiguous around its peak
            half = seg[p] - 0.5 * prom
            i0 = p
            while i0 > 0 and seg[i0 - 1] >= half:
                i0 -= 1
            i1 = p + 1
            while i1 < len(seg) and seg[i1] >= half:
                i1 += 1
            near = fine_all[a + i0 : a + i1]
            # the top from a 3-frame running median: one jittery frame (a landmark
            # about to be lost is the noisiest) must not set it and shrink the phase
            padded = np.pad(near, 1, constant_values=np.nan)
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows
                steady = np.nanmedian(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)
            top = np.nanmax(steady) if np.isfinite(steady).any() else seg[p]
            level = top - min(deep_depth, 0.5 * prom)
            excess = np.where(np.isfinite(near) & (near >= level), near - level, 0.0)
            inside = np.flatnonzero(excess > 0)
            if len(inside) == 0:
                inside = np.array([p - i0])
                excess = np.zeros(len(near))
                excess[p - i0] = 1.0
            # centroid weighted by height above the level: middle of a flat hold,
            # the top of a sharp drive
            centre = float(np.sum(excess * np.arange(len(near))) / np.sum(excess))
            drives.append(
                Drive(
                    peak=int(a + i0 + round(centre)),
                    deep_start=int(a + i0 + inside[0]),
                    deep_stop=int(a + i0 + inside[-1] + 1),
                    start_s=float(np.interp(left[k], idx, t[a:b])),
                    end_s=float(np.interp(right[k], idx, t[a:b])),
                    prominence=prom,
                    cut_by=cuts[k],
                )
            )
    # a cut drive is seen falling (or rising) only: it counts when that is at least
    # half of the biggest whole drive's rise, so settling into the stance at a cut
    # is not an attempt
    whole = [d.prominence for d in drives if d.cut_by is None]
    floor = CUT_DRIVE_MIN_SHARE * max(whole) if whole else 0.0
    drives = [d for d in drives if d.cut_by is None or d.prominence >= floor]
    # attempts cannot overlap: two neighbours part at the lowest point of the
    # signal between their peaks (where the knee was furthest back)
    drives.sort(key=lambda d: d.peak)
    valleys = [
        valley_time(x, t, drives[j].peak, drives[j + 1].peak) for j in range(len(drives) - 1)
    ]
    for j in range(len(drives)):
        lo_s = valleys[j - 1] if j > 0 else float(t[0])
        hi_s = valleys[j] if j + 1 < len(drives) else float(t[-1])
        drives[j] = dataclasses.replace(
            drives[j],
            start_s=max(drives[j].start_s, lo_s),
            end_s=min(drives[j].end_s, hi_s),
        )
    return drives


MSG_CUT_DRIVE = {
    "start of video": (
        "the video starts during this lunge: it may have gone deeper before the first frame, "
        "so this shin angle is the least it reached; start filming before you lunge"
    ),
    "end of video": (
        "the video ends during this lunge: it may have gone deeper after the last frame, so "
        "this shin angle is the least it reached; keep filming until you are back upright"
    ),
}
"""Flag of a lunge the video cut (``Drive.cut_by``) on its shin angle."""

MSG_LUNGE_CUT = (
    "the video starts or ends in the middle of a lunge (at {at}): it is measured from what "
    "was filmed, so its shin angle is the least it reached{whole}; start filming before "
    "you lunge and stop once you are back upright"
)
MSG_NO_WHOLE_LUNGE = ", and no lunge was filmed whole, so your deepest may not have been seen"

CUT_DRIVE_MIN_SHARE = 0.5
"""A drive the video cut counts when its seen fall (rise) is at least this share of
the biggest whole drive's prominence in the clip. Judgement: attempts in one clip reach
similar depths (the real clip's three: within 15% of each other); settling a few
degrees at a cut is far less."""


def _cut_drives(
    seg: FloatArray,
    peaks: npt.NDArray[np.intp],
    min_prominence: float,
    distance: int,
    bounds_rel_height: float,
    *,
    first: bool,
    last: bool,
) -> list[tuple[int, float, float, float, str]]:
    """Drives the video cut: the signal already high at its first sample and
    falling (``first``), or rising into its last (``last``).

    ``find_peaks`` sees no peak at an end of the signal, so each end is padded
    with a sample below everything. A peak this finds that has not fallen by
    ``min_prominence`` towards the cut end is a drive the video cut. Its
    prominence is its fall on the seen side only: to the lowest point before
    the neighbouring whole drive (or the other end). Only peaks not already in
    ``peaks`` (nor within ``distance`` of one) are returned, each as (index,
    prominence, left and right bound in fractional samples clipped to the
    segment, cut_by).
    """
    if not (first or last):
        return []
    low = float(np.min(seg)) - 2.0 * min_prominence - 1.0
    padded = np.concatenate([[low] if first else [], seg, [low] if last else []])
    shift = 1 if first else 0
    found, _ = find_peaks(padded, prominence=min_prominence, distance=distance)
    out: list[tuple[int, float, float, float, str]] = []
    for q in found:
        p = int(q) - shift
        if len(peaks) and np.min(np.abs(peaks - p)) < distance:
            continue
        if first and seg[p] - float(np.min(seg[: p + 1])) < min_prominence:
            cut, cut_base = "start of video", 0
            after = peaks[peaks > p]
            stop = int(after[0]) if len(after) else len(seg)
            base = p + int(np.argmin(seg[p:stop]))
            bases = (cut_base, base + shift)
        elif last and seg[p] - float(np.min(seg[p:])) < min_prominence:
            cut, cut_base = "end of video", len(padded) - 1
            before = peaks[peaks < p]
            begin = int(before[-1]) if len(before) else 0
            base = begin + int(np.argmin(seg[begin : p + 1]))
            bases = (base + shift, cut_base)
        else:
            continue
        prom = float(seg[p] - seg[base])
        if prom < min_prominence:
            continue
        _, _, left, right = peak_widths(
            padded,
            np.array([q]),
            rel_height=bounds_rel_height,
            prominence_data=(np.array([prom]), np.array([bases[0]]), np.array([bases[1]])),
        )
        lo = float(np.clip(left[0] - shift, 0.0, len(seg) - 1))
        hi = float(np.clip(right[0] - shift, 0.0, len(seg) - 1))
        out.append((p, prom, lo, hi, cut))
    return out


def _cut_drive_is_a_lunge(
    d: Drive,
    t: FloatArray,
    front: LegTrace,
    knee_ahead_of_toes_px: float,
    shank_px: float,
    foot_len_px: float,
    view: str,
    th: KneeToWallThresholds,
) -> bool:
    """Whether a drive the video cut (``d.cut_by``) shows enough to be an attempt.

    Half of it is unseen, so it must show a lunge in what is left: a side or
    oblique view, the knee's seen travel at least ``cut_drive_min_prominence_deg``
    of shin lean, the front foot planted (``cut_drive_max_foot_travel`` foot
    lengths) and the front of the knee ahead of the toe tips at its deepest.
    """
    if view not in ("side", "oblique"):
        return False
    w = (t >= d.start_s) & (t <= d.end_s)
    foot = front.foot_u[w]
    foot = foot[np.isfinite(foot)]
    if foot.size < 3 or not (np.isfinite(foot_len_px) and foot_len_px > 0):
        return False
    travel = float(np.percentile(foot, 90) - np.percentile(foot, 10))
    return bool(
        d.prominence >= shank_px * np.sin(np.radians(th.cut_drive_min_prominence_deg))
        and travel <= th.cut_drive_max_foot_travel * foot_len_px
        and knee_ahead_of_toes_px >= 0.0
    )


def valley_time(signal: npt.ArrayLike, times_s: npt.ArrayLike, i0: int, i1: int) -> float:
    """Time of the lowest finite ``signal`` sample in frames ``[i0, i1]`` (s).

    The boundary between two attempts peaking at frames ``i0 < i1``: the
    knee's furthest-back point between them. With no finite sample between
    them, the midpoint in time.
    """
    x = np.asarray(signal, dtype=np.float64)[i0 : i1 + 1]
    t = np.asarray(times_s, dtype=np.float64)
    if not np.isfinite(x).any():
        return float(0.5 * (t[i0] + t[i1]))
    return float(t[i0 + int(np.nanargmin(x))])


def smooth_signal(
    x: npt.ArrayLike, times_s: npt.ArrayLike, window_s: float, max_gap_s: float
) -> FloatArray:
    """Fill gaps up to ``max_gap_s`` and median-filter over ``window_s`` (per stretch).

    A running median removes single-frame landmark glitches (a knee label
    flipping for a frame) without rounding off the drive's peak.
    """
    t = np.asarray(times_s, dtype=np.float64)
    y, _ = interpolate_gaps(np.asarray(x, dtype=np.float64), t, max_gap_s)
    out = np.full_like(y, np.nan)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    k = max(1, round(window_s / dt)) | 1
    for a, b in nan_free_runs(np.isfinite(y)):
        seg = y[a:b]
        out[a:b] = medfilt(seg, k) if len(seg) >= k else seg
    return out


@dataclass(frozen=True)
class HeelRise:
    """The front heel's rise at one attempt's deepest phase, pixels (+ up).

    Attributes:
        rise_px: heel height at the deepest phase above the standing heel
            (NaN when the heel is unseen at depth or standing).
        se_px: standard error of ``rise_px`` from the trace's own noise (NaN
            when the noise cannot be measured: too few standing frames).
        depth_frames, standing_frames: how many frames each median used.
        pitch_change_deg: the foot's pitch (``foot_pitch_deg``) at depth minus
            standing, same frames and medians, degrees (+ heel up; NaN unknown).
    """

    rise_px: float
    se_px: float
    depth_frames: int
    standing_frames: int
    pitch_change_deg: float = float("nan")


def mean_variance(autocov: FloatArray, n: int) -> float:
    """Variance of the mean of ``n`` consecutive samples of a stationary noise.

    ``autocov`` (K+1,) is its autocovariance at lags 0..K frames (zero beyond):
    ``(1/n) * (g0 + 2 * sum_k (1 - k/n) g_k)``, never below the white-noise
    ``g0 / n``. NaN for ``n < 1``.
    """
    if n < 1 or not np.isfinite(autocov[0]):
        return float("nan")
    k = np.arange(1, min(len(autocov), n))
    v = float(autocov[0] + 2.0 * np.sum((1.0 - k / n) * autocov[k]))
    return max(v, float(autocov[0])) / n


def pitch_noise_autocov(pitch: FloatArray, standing: BoolArray, max_lag: int) -> FloatArray:
    """Autocovariance (lags 0..``max_lag`` frames, px^2) of the standing foot's pitch noise.

    ``pitch`` (T,) heel minus toe height, px; ``standing`` (T,) bool: frames
    with the foot flat and still (its true pitch constant), whose spread
    around their median is landmark noise. Lags whose covariance is not
    positive, and all after them, are 0 (the noise has decorrelated). NaN
    (all lags) with fewer than ``2 * max_lag`` standing frames.
    """
    out = np.full(max_lag + 1, np.nan)
    res = np.where(standing & np.isfinite(pitch), pitch, np.nan)
    if np.isfinite(res).sum() < 2 * max(max_lag, 1):
        return out
    res = res - np.nanmedian(res)
    for k in range(max_lag + 1):
        prod = res[: len(res) - k] * res[k:]
        ok = np.isfinite(prod)
        out[k] = float(np.mean(prod[ok])) if ok.any() else 0.0
    nonpos = np.flatnonzero(out <= 0.0)
    if len(nonpos):
        out[nonpos[0] :] = 0.0
    return out


def heel_rise(
    heel_h: npt.ArrayLike,
    toe_h: npt.ArrayLike,
    drive: npt.ArrayLike,
    times_s: npt.ArrayLike,
    drives: list[Drive],
    j: int,
    standing: npt.ArrayLike,
    *,
    half_window_s: float,
    margin_s: float,
    bounds_rel_height: float,
    noise_max_lag_s: float,
    foot_pitch_deg: npt.ArrayLike | None = None,
) -> HeelRise:
    """The front heel's rise at attempt ``drives[j]``'s deepest phase, with its standard error.

    Medians, so landmark jitter does not bias the answer: the heel at depth
    is its median over the deepest phase (the hold at the wall; at least
    ``peak +/- half_window_s``); the standing heel is its median over the
    frames within ``margin_s`` before the attempt starts and after it ends
    (never into a neighbouring attempt) in which the knee is back beyond the
    attempt's bounds (``bounds_rel_height`` of the prominence below the top: a
    heel that lets go as the knee drives is already partly up half-way).

    The standard error comes from the trace's own noise: the standing foot's
    pitch (heel minus toe height, whose true value is constant while the foot
    stands flat) gives the noise autocovariance up to ``noise_max_lag_s``
    (heel and toe taken as equally noisy and independent, so the heel's is
    half the pitch's), and each median's variance is that of a mean of
    correlated samples (a slow landmark wobble counts fully).

    Args:
        heel_h, toe_h: (T,) front heel / toe (foot_index) height along the
            floor normal, pixels (+ up; NaN unseen).
        drive: (T,) the knee-forward signal the drives were found on.
        times_s: (T,) frame times, s.
        drives: every attempt of the clip, in time order; ``j`` the one measured.
        standing: (T,) bool, frames outside every attempt with this leg in front
            and its heel and toe reliably seen (for the noise only).
        foot_pitch_deg: (T,) the heel-to-toe line's tilt from the floor, degrees
            (+ heel up), for ``pitch_change_deg``; None: not computed.
    """
    h = np.asarray(heel_h, dtype=np.float64)
    toe = np.asarray(toe_h, dtype=np.float64)
    x = np.asarray(drive, dtype=np.float64)
    t = np.asarray(times_s, dtype=np.float64)
    d = drives[j]
    idx = np.arange(len(t))
    deep = ((idx >= d.deep_start) & (idx < d.deep_stop)) | (np.abs(t - t[d.peak]) <= half_window_s)
    top = float(np.nanmax(x[deep])) if np.isfinite(x[deep]).any() else float("nan")
    lo = drives[j - 1].end_s if j > 0 else -np.inf
    hi = drives[j + 1].start_s if j + 1 < len(drives) else np.inf
    with np.errstate(invalid="ignore"):
        back = x < top - bounds_rel_height * d.prominence
    near = (
        back
        & (t >= max(lo, d.start_s - margin_s))
        & (t <= min(hi, d.end_s + margin_s))
        & ((t <= d.start_s) | (t >= d.end_s))
    )
    n_deep, n_near = int(np.isfinite(h[deep]).sum()), int(np.isfinite(h[near]).sum())
    if n_deep == 0 or n_near == 0:
        return HeelRise(float("nan"), float("nan"), n_deep, n_near)
    rise = _median(h[deep]) - _median(h[near])
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    stand = np.asarray(standing, dtype=bool)
    g_heel = 0.5 * pitch_noise_autocov(h - toe, stand, max(1, round(noise_max_lag_s / dt)))
    se = float(np.sqrt(mean_variance(g_heel, n_deep) + mean_variance(g_heel, n_near)))
    pitch_change = float("nan")
    if foot_pitch_deg is not None:
        pitch = np.asarray(foot_pitch_deg, dtype=np.float64)
        pitch_change = _median(pitch[deep]) - _median(pitch[near])
    return HeelRise(rise, se, n_deep, n_near, pitch_change)


def heel_uncertain(rise_cm: float, se_cm: float, th: KneeToWallThresholds) -> bool:
    """True when a heel rise of ``rise_cm`` +/- ``se_cm`` (standard error) lies within
    ``heel_uncertain_z`` standard errors of the ``heel_lift_cm`` line: the lifted /
    down verdict could go either way. False when either is NaN."""
    if not (np.isfinite(rise_cm) and np.isfinite(se_cm)):
        return False
    return bool(abs(rise_cm - th.heel_lift_cm) < th.heel_uncertain_z * se_cm)


def hand_wall_u(
    hands_u: Mapping[str, FloatArray],
    windows: list[BoolArray],
    still_px: float,
    still_fraction: float,
) -> float | None:
    """Wall position (pixels along ``forward``) from hands resting on it, or None.

    A hand is on the wall when, over the attempt frames (``windows``, each a
    (T,) bool mask), it is seen in at least ``still_fraction`` of them and
    stays within ``still_px`` of its median there. The most forward such hand
    gives the wall: a hand cannot be beyond the wall it touches.
    """
    if not windows:
        return None
    mask = np.zeros_like(windows[0])
    for w in windows:
        mask |= w
    best: float | None = None
    for u in hands_u.values():
        seg = u[mask]
        seen = np.isfinite(seg)
        if seg.size == 0 or seen.mean() < still_fraction:
            continue
        med = float(np.nanmedian(seg))
        still = np.abs(seg[seen] - med) <= still_px
        if still.sum() < still_fraction * seg.size:
            continue
        best = med if best is None else max(best, med)
    return best


def knee_contact_wall_u(knee_front_u: list[float], touch_tolerance_px: float) -> float:
    """Wall position (pixels along ``forward``) from the knee's front at each attempt.

    The wall is one fixed plane and every attempt whose knee touched it
    measures it once, so the attempts are combined: the median knee-front
    position of the attempts within ``touch_tolerance_px`` of the most
    forward one (those that reached the wall, to within the knee landmark's
    placement error). The most forward attempt alone would be the largest of
    several noisy readings, biased beyond the wall by the landmark noise.

    Args:
        knee_front_u: front of the knee along the floor at each attempt's
            deepest phase, pixels (NaN: not seen).
        touch_tolerance_px: ``knee_touch_tolerance_cm`` in pixels.
    """
    x = np.asarray(knee_front_u, dtype=np.float64)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return float("nan")
    touching = x[x >= x.max() - touch_tolerance_px]
    return float(np.median(touching))


# ----------------------------------------------------------------- plausibility
def implausible_values(
    tibia_deg: float,
    knee_forward_cm: float,
    heel_rise_cm: float,
    shank_cm: float,
    foot_cm: float,
    th: KneeToWallThresholds,
    heel_rise_se_cm: float = 0.0,
) -> dict[str, str]:
    """Attempt values that anatomy rules out, metric -> plain-language reason.

    Args:
        tibia_deg: front shin from vertical at the deepest point, deg (+ knee forward).
        knee_forward_cm: front of the knee ahead of the toes along the floor, cm.
        heel_rise_cm: front heel above its standing height at the deepest point, cm.
        shank_cm, foot_cm: the person's shank (knee-ankle) and foot length, cm
            (NaN: the knee-forward bound is not checked).
        th: thresholds (``tibia_plausible_*_deg``, ``heel_sink_cm``, ``heel_uncertain_z``).
        heel_rise_se_cm: standard error of ``heel_rise_cm`` from the landmark
            noise, cm (NaN or 0: unknown, the bound is ``heel_sink_cm`` alone).

    Checks (NaN values are not checked here; unseen is flagged elsewhere):
    the shin leans forward within ``[tibia_plausible_min_deg,
    tibia_plausible_max_deg]`` at the top of a knee drive; the knee's front
    is no more than a shank length ahead of the toes (the shank cannot reach
    further) nor more than a foot length behind them (the knee is above or
    ahead of the ankle); the heel does not sink more than ``heel_sink_cm``
    below its standing height, beyond ``heel_uncertain_z`` standard errors of
    its landmark noise (a noisy reading of a flat heel scatters below zero as
    much as above).
    """
    out: dict[str, str] = {}
    if np.isfinite(tibia_deg) and not (
        th.tibia_plausible_min_deg <= tibia_deg <= th.tibia_plausible_max_deg
    ):
        out["tibia_angle_deg"] = (
            f"the front shin read {tibia_deg:.0f} deg from vertical at the deepest point, outside "
            f"the {th.tibia_plausible_min_deg:.0f}-{th.tibia_plausible_max_deg:.0f} deg forward "
            "lean possible in a knee drive: the landmarks were not on the front shin (the back "
            "leg, an ankle outside the picture, or an oblique view); film side-on with the whole "
            "front foot in the picture"
        )
    finite = np.isfinite([knee_forward_cm, shank_cm, foot_cm]).all()
    if finite and not (-foot_cm <= knee_forward_cm <= shank_cm):
        out["knee_forward_cm"] = (
            f"the knee read {knee_forward_cm:.0f} cm from the toes, beyond what a "
            f"{shank_cm:.0f} cm shank and a {foot_cm:.0f} cm foot allow: the front knee or "
            "toes were misplaced; film side-on with the whole front foot in the picture"
        )
    se = float(heel_rise_se_cm) if np.isfinite(heel_rise_se_cm) else 0.0
    if np.isfinite(heel_rise_cm) and heel_rise_cm < -th.heel_sink_cm - th.heel_uncertain_z * se:
        out["heel_rise_cm"] = (
            f"the front heel read {-heel_rise_cm:.1f} cm below its standing height, which is "
            "impossible (a heel cannot sink into the floor): the foot moved or the view mixed "
            "depth into height, so heel lift is unknown; film side-on and keep the foot still"
        )
    return out


# ----------------------------------------------------------------- leg name
def name_front_leg(
    label: Side,
    front_heel_y: float,
    back_heel_y: float,
    foot_len_px: float,
    facing_sign: float,
) -> tuple[Side, str, str]:
    """The front leg's body side, how it was decided, and how sure.

    Args:
        label: MediaPipe's label of the front foot.
        front_heel_y, back_heel_y: median image y of each heel (pixels, down +).
        foot_len_px: foot length in the image, pixels.
        facing_sign: +1 the person faces image-right, -1 image-left.

    Returns:
        (side, method "geometry"/"labels", confidence "medium"/"low").
    """
    dy = front_heel_y - back_heel_y
    if not (np.isfinite(dy) and np.isfinite(foot_len_px)) or abs(dy) < (
        NEAR_FOOT_MIN_FOOT_LENGTHS * foot_len_px
    ):
        return label, "labels", "low"
    near: Side = "right" if facing_sign > 0 else "left"
    far: Side = "left" if near == "right" else "right"
    geometric = near if dy > 0 else far
    return geometric, "geometry", "medium" if geometric == label else "low"


# ----------------------------------------------------------------- the drill
def _outside_frame(landmarks: npt.NDArray[np.float32], d: Drive, side: Side) -> bool:
    """True when the foot further forward (labelled ``side``) leaves the picture in the
    deepest phase. ``landmarks`` (T, 33, 3) normalised image coordinates."""
    cols = [int(side_landmark(side, p)) for p in ("heel", "foot_index", "ankle")]
    xy = landmarks[d.deep_start : d.deep_stop][:, cols, :2]
    with np.errstate(invalid="ignore"):
        out = (xy < 0.0) | (xy > 1.0)
    return bool(np.any(out))


def _deep(x: FloatArray, d: Drive) -> float:
    """Median of ``x`` over the deepest phase of drive ``d`` (NaN if unseen)."""
    seg = x[d.deep_start : d.deep_stop]
    return float(np.nanmedian(seg)) if np.isfinite(seg).any() else float("nan")


def planted_toe_u(front: LegTrace, window: BoolArray, same_leg: BoolArray) -> float:
    """The front toes' position along the floor during one attempt, pixels (NaN if unseen).

    The test keeps the front foot planted through the attempt, so its toes
    stay put while the knee drives and returns: every frame of the attempt
    (``window``) measures them, not only the deepest phase, and the foot is
    rigid, so the heel measures them too (heel plus the foot's heel-to-toe
    length along the floor, the median over every frame this leg was in
    front). The answer is the mean of the toe's and the heel's estimates
    (medians over the window): two landmarks with independent errors, each
    averaged over the whole attempt, so one landmark's slow wobble in the few
    seconds of the deepest phase moves it less. A lifting heel moves the
    heel landmark forward a little (the foot pivots at the ball: about 0.4 cm
    for a 2.5 cm lift, only while lifted), and such an attempt is not a valid
    depth anyway.

    Args:
        front: (T,) front-leg traces (NaN outside the split stance).
        window: (T,) bool, the attempt's frames.
        same_leg: (T,) bool, frames in which the same labelled leg is in front.
    """
    toe = _median(front.toe_u[window])
    length = _median((front.toe_u - front.heel_u)[same_leg])
    heel = _median(front.heel_u[window]) + length
    both = np.array([toe, heel])
    return float(np.mean(both[np.isfinite(both)])) if np.isfinite(both).any() else float("nan")


LEG_PARTS = ("hip", "knee", "ankle", "heel", "foot_index")


def with_occluded_legs(ctx: DrillContext, min_visibility: float) -> DrillContext | None:
    """``ctx`` with hidden leg landmarks filled from the raw track where seen leniently.

    For the leg landmarks (hip to foot_index, both sides) that the normal
    visibility threshold hid, takes the pose model's own position in that
    frame (image and world) when its visibility is at least
    ``min_visibility``, after the left/right swaps the conditioning repaired
    (``conditioned.swapped``). Frame by frame and unfiltered, so it is causal
    like the live conditioning. Everything else, and ``reliable``, stay as they
    were: the filled landmarks count as unreliable and the attempts resting on
    them are flagged. None when nothing would be filled.
    """
    strict = ctx.conditioned
    raw_lm = np.array(ctx.track.landmarks, dtype=np.float64, copy=True)
    raw_w = np.array(ctx.track.world, dtype=np.float64, copy=True)
    vis = np.array(ctx.track.visibility, dtype=np.float64, copy=True)
    swapped = np.asarray(strict.swapped, dtype=bool)
    if swapped.any():
        for part in LEG_PARTS:
            li, ri = int(side_landmark("left", part)), int(side_landmark("right", part))
            for arr in (raw_lm, raw_w, vis):
                arr[swapped, li], arr[swapped, ri] = arr[swapped, ri], arr[swapped, li].copy()
    cols = np.array([int(side_landmark(s, p)) for s in SIDES for p in LEG_PARTS])
    lm = np.array(strict.track.landmarks, copy=True)
    world = np.array(strict.track.world, copy=True)
    with np.errstate(invalid="ignore"):
        hidden = (
            ~np.isfinite(lm[:, cols]).all(axis=2)
            & np.isfinite(raw_lm[:, cols]).all(axis=2)
            & (vis[:, cols] >= min_visibility)
        )
    if not hidden.any():
        return None
    sub_lm, sub_w = lm[:, cols], world[:, cols]
    sub_lm[hidden] = raw_lm[:, cols][hidden]
    sub_w[hidden] = raw_w[:, cols][hidden]
    lm[:, cols], world[:, cols] = sub_lm, sub_w
    track = dataclasses.replace(strict.track, landmarks=lm, world=world)
    return dataclasses.replace(ctx, conditioned=dataclasses.replace(strict, track=track))


def _fmt(x: float | None, nd: int = 1) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


@dataclass(frozen=True)
class KneeToWallDrill:
    """The knee-to-wall drill (see the module docstring)."""

    name: str = "knee-to-wall"
    title: str = "Knee to wall"
    accepted_views: frozenset[str] = frozenset({"side", "oblique"})
    how_to_film: str = (
        "Put the phone side-on at knee height, 2-3 m away, so the wall, your whole "
        "front foot and both knees are in the picture. Face the wall in a split stance "
        "and drive the front knee to the wall, heel down; do each leg. Go barefoot: in "
        "shoes the pose model places the toes inside the shoe and the distance reads long."
    )
    measures: str = (
        "Toe-to-wall distance (cm) and tibia angle (deg) at each knee drive, heel lift, "
        "left vs right."
    )

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Measure the knee drives in ``ctx`` (see the module docstring)."""
        th = load_knee_to_wall_thresholds(dict(ctx.options.thresholds))
        result = _analyze(ctx, th)
        if ctx.view.view != "oblique" or th.occluded_leg_min_visibility >= float(
            ctx.conditioned.config.min_visibility
        ):
            return result
        # An oblique view hides the far leg behind the near one: the pose model
        # still places its foot, but reports it with a visibility just under the
        # threshold, so a far tested leg loses its split stance. Retry with the
        # legs' landmarks the model was less sure of, and keep that only when it
        # finds more knee drives (their numbers carry the unreliable flag).
        relaxed = with_occluded_legs(ctx, th.occluded_leg_min_visibility)
        if relaxed is None:
            return result
        second = _analyze(relaxed, th)
        if len(second.events) <= len(result.events):
            return result
        second.summary["occluded_leg_landmarks"] = True
        second.warnings[:] = [w for w in second.warnings if w.code != "no_split_stance"]
        second.warnings.append(
            QualityIssue(
                "occluded_leg",
                "warning",
                f"{len(second.events)} knee drives were measured on landmarks the pose model "
                "was unsure of (a foot hidden behind the other leg, reported with visibility "
                f"{th.occluded_leg_min_visibility:.2f}-{ctx.conditioned.config.min_visibility:.2f}), "
                "so their numbers are less reliable: film with the tested leg nearer the camera, "
                "side-on",
            )
        )
        return second


MIN_SPLIT_FRAMES = 2
"""Fewest frames of a drive's deepest phase that must show the split stance (one
frame alone could be a misplaced foot), unless the phase is shorter."""

MAX_DEPTH_SCALE_DEV = 0.06
"""Largest correction of the cm scale for the front foot's depth (±6%: feet
~0.3 m apart across the line of sight at 2.5 m or more)."""


def front_foot_depth_scale(
    legs: dict[Side, LegTrace], front_lbl: npt.ArrayLike, ctx: DrillContext
) -> float:
    """Factor on the body-plane cm scale for the front foot's distance from the camera.

    The calibration's cm per pixel holds in the body's plane, midway between
    the legs; side-on the near leg is nearer the camera and looks bigger, so
    its distances read long (+2.5% on synthetic clips), the far leg's short.
    The two legs are the same length, so their pixel lengths give the ratio
    of the legs' depths: the front leg gets ``2 * L_back / (L_front + L_back)``,
    within ``MAX_DEPTH_SCALE_DEV``; 1.0 when it cannot be measured.

    Side-on the lengths are the shanks' (medians over the frames where both
    are seen; side-on a shank's lean is in the picture's plane). In an oblique
    view a leg leaning toward or away from the camera also shows shorter, so
    the lengths there are each leg's hip-knee-ankle chain with its depth lean
    taken out through the world landmarks (``calibration.leg_chains_px``,
    90th percentile of each leg's frames, as the calibration takes them).
    Front and back views: 1.0 (the drill does not measure depth there).
    """
    view = ctx.view.view
    if view not in ("side", "oblique"):
        return 1.0
    seen = [x for x in np.asarray(front_lbl, dtype=object).tolist() if x is not None]
    if not seen:
        return 1.0
    tested: Side = "left" if seen.count("left") > seen.count("right") else "right"
    other: Side = "right" if tested == "left" else "left"
    if view == "side":
        a, b = legs[tested].shank_px, legs[other].shank_px
        ok = np.isfinite(a) & np.isfinite(b)
        if ok.sum() < 10:
            return 1.0
        la, lb = float(np.median(a[ok])), float(np.median(b[ok]))
    else:
        chains = leg_chains_px(ctx.conditioned.track)
        col = {"left": 0, "right": 1}
        a, b = chains[:, col[tested]], chains[:, col[other]]
        if np.isfinite(a).sum() < 10 or np.isfinite(b).sum() < 10:
            return 1.0
        la, lb = float(np.nanpercentile(a, 90)), float(np.nanpercentile(b, 90))
    if la + lb <= 0:
        return 1.0
    return float(
        np.clip(2.0 * lb / (la + lb), 1.0 - MAX_DEPTH_SCALE_DEV, 1.0 + MAX_DEPTH_SCALE_DEV)
    )


def _analyze(ctx: DrillContext, th: KneeToWallThresholds) -> DrillResult:
    track = ctx.conditioned.track
    n = len(track)
    t = np.asarray(track.timestamps_s, dtype=np.float64)
    px = track.pixels.astype(np.float64)
    up_vec: Any = None
    floor = ctx.floor
    if floor is not None and getattr(floor, "normal", None) is not None:
        up_vec = np.asarray(floor.normal, dtype=np.float64)
    facing = ctx.view.facing if ctx.view.facing in ("left", "right") else None
    fwd, upv = body_frame(track, up=up_vec, facing=facing)
    facing_sign = float(np.sign(np.nanmedian(fwd[:, 0]))) or 1.0
    legs = leg_traces(px, fwd, upv)
    front_lbl, foot_len = front_side_per_frame(legs, th.min_split_foot_lengths)
    front, back = select_front(legs, front_lbl)
    squeeze = 1.0
    if ctx.view.view == "oblique":
        lbls_seen = [x for x in front_lbl if x is not None]
        tested: Side = "left" if lbls_seen.count("left") > lbls_seen.count("right") else "right"
        squeeze = forward_foreshortening(front, th.foot_to_shank_ratio, legs[tested])
        if np.isfinite(squeeze):
            squeeze = float(np.clip(squeeze, th.min_foreshortening, 1.0))
            legs = {k: _stretch_u(v, squeeze) for k, v in legs.items()}
            front, back = select_front(legs, front_lbl)
        else:
            squeeze = 1.0
    # MediaPipe's knee landmark sits behind the joint centre: the knee's front
    # is further ahead of it and the shank reads a constant angle too upright
    # (render-derived; knee_to_wall.toml). Synthetic tracks put the landmark
    # at the joint centre, so they get neither correction.
    mediapipe = ctx.track.model_variant != "synthetic"
    tibia_base = front.tibia_deg
    tibia_source = "image"
    if ctx.view.view == "oblique":
        tib_w = world_tibia_deg(track.world, front_lbl, up_vec)
        seen = np.isfinite(tib_w) | ~np.isfinite(tibia_base)
        if np.isfinite(tib_w).any() and seen.mean() >= 1.0 - th.max_unreliable_fraction:
            tibia_base, tibia_source = tib_w, "world"
    tibia = tibia_base + (th.tibia_offset_deg if mediapipe else 0.0)
    knee_front_fraction = th.knee_front_fraction_of_height + (
        th.knee_landmark_behind_joint_fraction_of_height if mediapipe else 0.0
    )
    cm_per_px = float(ctx.calibration.cm_per_px) * front_foot_depth_scale(legs, front_lbl, ctx)
    flags: dict[str, str] = {}
    warnings: list[QualityIssue] = []
    cues: list[Cue] = []

    if ctx.view.view not in ("side",):
        flags["toe_to_wall_cm"] = (
            f"filmed from a {ctx.view.view} view: distances along the floor are foreshortened "
            f"(corrected by a factor {1 / squeeze:.2f} estimated from your foot's length, which "
            "varies between people); film side-on for exact numbers"
        )
        flags["tibia_angle_deg"] = (
            f"filmed from a {ctx.view.view} view: the shin's forward lean is partly towards the "
            "camera, so it was measured from the pose model's 3D estimate (less certain in depth, "
            "and assuming a level phone); film side-on for exact numbers"
            if tibia_source == "world"
            else flags["toe_to_wall_cm"].replace(
                "distances along the floor are",
                "the shin's forward lean and distances along the floor are",
            )
        )

    # --- scale: the person's shank in pixels (90th percentile: least foreshortened)
    shank_all = np.concatenate([legs["left"].shank_px, legs["right"].shank_px])
    shank_ref = (
        float(np.nanpercentile(shank_all, 90)) if np.isfinite(shank_all).any() else float("nan")
    )
    knee_front_px = shank_ref * knee_front_fraction / th.shank_fraction_of_height
    toe_tip_px = (
        shank_ref * th.toe_tip_ahead_of_landmark_fraction_of_height / th.shank_fraction_of_height
    )
    shank_cm = shank_ref * cm_per_px  # the person's shank and foot, for plausibility bounds
    foot_cm = shank_cm * th.foot_to_shank_ratio

    def knee_front_u(d: Drive) -> float:
        """Front of the knee along the floor in the deepest phase, pixels.

        The knee's front surface lies perpendicular to the shank ahead of the
        joint centre (as in the synthetic body model), so its reach along the
        floor is the offset times cos(tibia angle)."""
        tib = _median(tibia_s[d.deep_start : d.deep_stop])
        reach = knee_front_px * np.cos(np.radians(tib)) if np.isfinite(tib) else knee_front_px
        return _deep(front.knee_u, d) + float(reach)

    # --- attempts: peaks of the front knee's forward position (camera assumed still)
    gap_s = float(ctx.conditioned.config.max_gap_s)
    # the leading knee in every frame (also before the split stance, so a drive
    # starting from standing keeps its full rise); drives must peak in a split stance
    lead_knee = np.fmax(legs["left"].knee_u, legs["right"].knee_u)
    # for finding drives each knee's own gaps are bridged first: a front knee
    # hidden for a moment would otherwise hand the lead to the back knee and
    # split one drive in two (the deepest phase is still placed on seen frames:
    # a bridge from a noisy last frame can hold a false top for its length)
    bridged = np.fmax(*(interpolate_gaps(legs[s].knee_u, t, th.bridge_gap_s)[0] for s in SIDES))
    drive = smooth_signal(bridged, t, th.smooth_window_s, th.bridge_gap_s)
    tibia_s = smooth_signal(tibia, t, th.smooth_window_s, gap_s)
    min_prom_px = shank_ref * np.sin(np.radians(th.drive_min_prominence_deg))
    drives = (
        find_drives(
            drive,
            t,
            min_prominence=min_prom_px,
            min_separation_s=th.min_attempt_separation_s,
            bounds_rel_height=th.attempt_bounds_rel_height,
            deep_depth=th.deep_phase_cm / cm_per_px,
            fine=interpolate_gaps(lead_knee, t, gap_s)[0],
        )
        if np.isfinite(min_prom_px)
        else []
    )
    # a drive counts when the feet are in a split stance for most of its deepest
    # phase (not just at one frame, which a dropped or swapped foot can blank);
    # frames where the stance cannot be judged (a foot unseen and no label) do not
    # count against it
    split = np.asarray(front_lbl != None, dtype=bool)  # noqa: E711
    judged = split | (np.isfinite(legs["left"].foot_u) & np.isfinite(legs["right"].foot_u))
    drives = [
        d
        for d in drives
        if split[d.deep_start : d.deep_stop].sum()
        >= max(
            min(MIN_SPLIT_FRAMES, d.deep_stop - d.deep_start),
            0.5 * judged[d.deep_start : d.deep_stop].sum(),
        )
    ]
    drives = [
        d
        for d in drives
        if d.cut_by is None
        or _cut_drive_is_a_lunge(
            d,
            t,
            front,
            knee_front_u(d)
            - planted_toe_u(front, (t >= d.start_s) & (t <= d.end_s), split)
            - toe_tip_px,
            shank_ref,
            foot_len,
            ctx.view.view,
            th,
        )
    ]
    if not np.isfinite(foot_len) or not np.any(front_lbl != None):  # noqa: E711
        warnings.append(
            QualityIssue(
                "no_split_stance",
                "warning",
                "no split stance found: stand with one foot a step in front of the other, "
                "both feet in the picture, and film side-on",
            )
        )

    # --- wall
    windows = [(t >= d.start_s) & (t <= d.end_s) for d in drives]
    wall_u: float | None = None
    wall_method = "unknown"
    given = ctx.options.variant.get("wall_x_px")
    if given is not None:
        # a vertical wall line at image x; its position along forward at the front foot
        toe_y = _median(front.heel_image_y)  # the wall line at floor level
        wall_pt = np.array([float(given), toe_y if np.isfinite(toe_y) else 0.0])
        wall_u = float(np.nanmedian(fwd @ wall_pt)) / squeeze
        wall_method = "given"
    if wall_u is None and drives:
        hands: dict[str, FloatArray] = {
            s: np.asarray(px[:, int(side_landmark(s, "index"))] @ np.nanmedian(fwd, axis=0))
            / squeeze
            for s in SIDES
        }
        for s in SIDES:  # unreliable hand landmarks do not count
            hands[s] = np.where(
                ctx.conditioned.reliable[:, int(side_landmark(s, "index"))], hands[s], np.nan
            )
        u = hand_wall_u(hands, windows, th.hand_still_cm / cm_per_px, th.hand_still_fraction)
        if u is not None:
            knee_front_max = max(knee_front_u(d) for d in drives)
            toe_max = max(_deep(front.toe_u, d) for d in drives)
            if u > toe_max and knee_front_max <= u + th.wall_overshoot_cm / cm_per_px:
                wall_u, wall_method = u, "hands"
    if wall_u is None and drives and bool(ctx.options.variant.get("knee_touches_wall", False)):
        wall_u = knee_contact_wall_u(
            [knee_front_u(d) for d in drives], th.knee_touch_tolerance_cm / cm_per_px
        )
        wall_method = "knee_contact"

    # --- per attempt
    events: list[dict[str, Any]] = []
    reliable = ctx.conditioned.reliable
    # the foot's tilt from the floor (+ heel up), degrees, and the foot standing
    # between attempts (its flat pitch and the heel's noise)
    foot_pitch = np.degrees(np.arctan2(front.heel_h - front.toe_h, front.toe_u - front.heel_u))
    standing = np.ones(n, dtype=bool)
    for d in drives:
        standing &= (t < d.start_s) | (t > d.end_s)
    for i, d in enumerate(drives):
        p = d.peak
        deep = slice(d.deep_start, d.deep_stop)
        win = (t >= d.start_s) & (t <= d.end_s)
        lbls = [x for x in front_lbl[win] if x is not None]
        label: Side = "left" if lbls.count("left") >= lbls.count("right") else "right"
        back_lbl: Side = "right" if label == "left" else "left"
        fy = _median(legs[label].heel_image_y[win])
        by = _median(legs[back_lbl].heel_image_y[win])
        if ctx.view.view == "oblique":
            # the front foot sits nearer the camera (front-oblique) or further
            # (rear-oblique) because it is ahead, whichever side it is: the heels'
            # heights in the picture say nothing about the side, so the labels decide
            leg, leg_method, leg_conf = label, "labels", "low"
        else:
            leg, leg_method, leg_conf = name_front_leg(label, fy, by, foot_len, facing_sign)
        heel = heel_rise(
            front.heel_h,
            front.toe_h,
            drive,
            t,
            drives,
            i,
            standing
            & (front_lbl == label)
            & reliable[:, int(side_landmark(label, "heel"))]
            & reliable[:, int(side_landmark(label, "foot_index"))],
            half_window_s=0.5 * th.heel_window_s,
            margin_s=th.heel_baseline_margin_s,
            bounds_rel_height=th.attempt_bounds_rel_height,
            noise_max_lag_s=th.heel_noise_max_lag_s,
            foot_pitch_deg=foot_pitch,
        )
        rise_cm = heel.rise_px * cm_per_px
        rise_se_cm = heel.se_px * cm_per_px
        tib_deep = _median(tibia_s[deep])
        # MediaPipe's heel landmark rises with deep ankle flexion, heel flat
        # (render-derived; knee_to_wall.toml): taken off its reading, and the
        # correction's own scatter added to the standard error
        flexion = tib_deep - heel.pitch_change_deg
        flex_corr_cm = 0.0
        if mediapipe and np.isfinite(flexion):
            flex_corr_cm = th.heel_flexion_artefact_cm_per_deg * max(
                0.0, flexion - th.heel_flexion_artefact_start_deg
            )
            if flex_corr_cm > 0.0:
                rise_cm -= flex_corr_cm
                # the correction's scatter is known even when the noise is not (short clip)
                noise_se = rise_se_cm if np.isfinite(rise_se_cm) else 0.0
                rise_se_cm = float(np.hypot(noise_se, th.heel_flexion_artefact_sd_cm))
        # inside the picture of its own frame (a steadied track is in the first frame's)
        seen_in = track if ctx.picture is None else ctx.picture
        outside = _outside_frame(seen_in.landmarks, d, label)
        if outside:
            rise_cm = float("nan")  # a foot partly outside the picture is guessed, not seen
        toe_u = planted_toe_u(front, win, front_lbl == label) + toe_tip_px
        ttw = None if wall_u is None else (wall_u - toe_u) * cm_per_px
        gap = None if wall_u is None else (wall_u - knee_front_u(d))
        knee_gap_cm = None if gap is None else gap * cm_per_px
        knee_fwd_cm = (knee_front_u(d) - toe_u) * cm_per_px
        bad = implausible_values(tib_deep, knee_fwd_cm, rise_cm, shank_cm, foot_cm, th, rise_se_cm)
        if "heel_rise_cm" in bad:
            rise_cm = float("nan")  # withheld: the reading is impossible, the reason is flagged
        heel_known = bool(np.isfinite(rise_cm))
        heel_lifted: bool | None = bool(rise_cm > th.heel_lift_cm) if heel_known else None
        ev_flags: dict[str, str] = {}
        parts = [side_landmark(label, part) for part in ("knee", "ankle", "heel", "foot_index")]
        cols = np.array([int(m) for m in parts])
        unrel = 1.0 - float(np.mean(reliable[win][:, cols])) if win.any() else 1.0
        if unrel > th.max_unreliable_fraction:
            ev_flags["tibia_angle_deg"] = (
                f"{100 * unrel:.0f}% of the front-leg landmarks in this attempt were not "
                "seen clearly (filled in or low confidence)"
            )
        if outside:
            ev_flags["heel_lifted"] = (
                "the front foot was partly outside the picture at the deepest point, so "
                "heel lift could not be checked"
            )
            if ttw is not None:
                ev_flags["toe_to_wall_cm"] = "the front toes were outside the picture"
        elif not heel_known:
            ev_flags["heel_lifted"] = "the front heel was not seen at the deepest point"
        elif heel_uncertain(rise_cm, rise_se_cm, th):
            why_se = (
                "landmark noise and where the pose model puts a flexed ankle's heel"
                if flex_corr_cm > 0.0
                else "landmark noise"
            )
            ev_flags["heel_lifted"] = (
                f"uncertain: the heel read {rise_cm:.1f} cm (give or take {rise_se_cm:.1f} cm: "
                f"{why_se}) above its standing height, too close to the "
                f"{th.heel_lift_cm:.1f} cm line to say for sure whether it lifted; hold the "
                "deepest point for a few seconds with the whole front foot in view"
            )
        if d.cut_by is not None:
            append_flag(ev_flags, "tibia_angle_deg", MSG_CUT_DRIVE[d.cut_by])
        if leg_conf == "low":
            ev_flags["leg"] = (
                "which leg this is was decided with low confidence "
                f"({'labels' if leg_method == 'labels' else 'geometry and labels disagree'})"
            )
        ev_flags.update(bad)
        if "heel_rise_cm" in bad:
            ev_flags["heel_lifted"] = bad["heel_rise_cm"]
        if "tibia_angle_deg" in bad:
            # the same landmarks place the knee and toes: distances rest on them too
            ev_flags.setdefault("knee_forward_cm", bad["tibia_angle_deg"])
            if ttw is not None:
                ev_flags.setdefault("toe_to_wall_cm", bad["tibia_angle_deg"])
        if knee_gap_cm is not None and not np.isfinite(knee_gap_cm):
            knee_gap_cm = None  # the knee unseen in the deepest phase: no gap, not "short"
        reached = None if knee_gap_cm is None else bool(knee_gap_cm <= th.knee_touch_tolerance_cm)
        reasons: list[str] = []
        if heel_lifted is True:
            reasons.append("the heel lifted")
        elif heel_lifted is None:
            reasons.append("heel lift could not be checked")
        if "tibia_angle_deg" in bad or "knee_forward_cm" in bad:
            reasons.append("the front shin was not measured plausibly")
        if reached is False:
            reasons.append(
                f"the knee stopped about {knee_gap_cm:.0f} cm short of the wall (more than the "
                f"{th.knee_touch_tolerance_cm:.0f} cm measurement tolerance), so this is not a "
                "maximal toe-to-wall distance"
            )
        valid = not reasons
        events.append(
            {
                "kind": "lunge",
                "index": i,
                "start_s": round(d.start_s, 3),
                "peak_s": round(float(t[p]), 3),
                "end_s": round(d.end_s, 3),
                "toe_to_wall_cm": _fmt(ttw),
                "tibia_angle_deg": _fmt(tib_deep),
                "knee_forward_cm": _fmt(knee_fwd_cm),
                "knee_to_wall_gap_cm": _fmt(knee_gap_cm),
                "knee_reached_wall": reached,
                "heel_rise_cm": _fmt(rise_cm),
                "heel_rise_se_cm": _fmt(rise_se_cm if heel_known else float("nan"), 2),
                "heel_flexion_correction_cm": _fmt(flex_corr_cm, 2),
                "ankle_flexion_deg": _fmt(flexion),
                "heel_lifted": heel_lifted,
                "leg": leg,
                "leg_method": leg_method,
                "leg_confidence": leg_conf,
                "cut_by": d.cut_by,
                "valid": bool(valid),
                "invalid_reasons": reasons,
                "implausible": sorted(bad),
                "flags": ev_flags,
            }
        )
    _ = back
    # the front of the knee per frame (what touches the wall; see knee_front_u)
    reach_px = knee_front_px * np.cos(np.radians(np.nan_to_num(tibia_s, nan=0.0)))
    knee_front_series = np.asarray(front.knee_u + reach_px, dtype=np.float64)
    result = _summarise(
        ctx,
        th,
        events,
        wall_method,
        flags,
        warnings,
        cues,
        t,
        n,
        front,
        wall_u,
        tibia,
        cm_per_px,
        toe_tip_px,
        knee_front_series,
    )
    result.summary["tibia_source"] = tibia_source  # "image" or "world" (oblique, 3D landmarks)
    return result


def _summarise(
    ctx: DrillContext,
    th: KneeToWallThresholds,
    events: list[dict[str, Any]],
    wall_method: str,
    flags: dict[str, str],
    warnings: list[QualityIssue],
    cues: list[Cue],
    t: FloatArray,
    n: int,
    front: LegTrace,
    wall_u: float | None,
    tibia: FloatArray,
    cm_per_px: float,
    toe_tip_px: float,
    knee_front_series: FloatArray,
) -> DrillResult:
    valid = [e for e in events if e["valid"] and e["tibia_angle_deg"] is not None]
    # The shin angle is the dorsiflexion measure itself (an inclinometer on the
    # shin): it counts with the heel down and plausible values, even where the
    # knee stopped short of the wall (then it may not be the deepest possible).
    angle_ok = [
        e
        for e in events
        if e["tibia_angle_deg"] is not None
        and e["heel_lifted"] is False
        and "tibia_angle_deg" not in e["implausible"]
        and "knee_forward_cm" not in e["implausible"]
    ]
    summary: dict[str, Any] = {
        "attempts": len(events),
        "valid_attempts": len(valid),
        "wall_method": wall_method,
        "wall_known": wall_u is not None,
        "best_toe_to_wall_cm": None,
        "best_tibia_angle_deg": None,
    }
    by_leg: dict[str, dict[str, float | None]] = {}
    for leg in SIDES:
        mine = [e for e in valid if e["leg"] == leg]
        angled = [e for e in angle_ok if e["leg"] == leg]
        if not angled:
            continue
        ttws = [e["toe_to_wall_cm"] for e in mine if e["toe_to_wall_cm"] is not None]
        by_leg[leg] = {
            "best_toe_to_wall_cm": max(ttws) if ttws else None,
            "best_tibia_angle_deg": max(e["tibia_angle_deg"] for e in angled),
            "attempts": float(len(mine)),
        }
    if valid:
        ttws = [e["toe_to_wall_cm"] for e in valid if e["toe_to_wall_cm"] is not None]
        summary["best_toe_to_wall_cm"] = max(ttws) if ttws else None
    if angle_ok:
        deepest = max(angle_ok, key=lambda e: e["tibia_angle_deg"])
        summary["best_tibia_angle_deg"] = deepest["tibia_angle_deg"]
        if deepest["knee_reached_wall"] is False:
            flags["best_tibia_angle_deg"] = (
                "your knee stopped short of the wall in this attempt, so this shin angle may "
                "not be your deepest: move the foot closer and drive the knee to the wall"
            )
        if deepest["cut_by"] is not None:
            append_flag(flags, "best_tibia_angle_deg", MSG_CUT_DRIVE[deepest["cut_by"]])
    if ctx.track.model_variant != "synthetic":
        _pose_model_spread(flags, summary, th)
    angles = [e for e in events if e["tibia_angle_deg"] is not None]
    top = max(angles, key=lambda e: e["tibia_angle_deg"]) if angles else None
    summary["max_tibia_angle_any_deg"] = top["tibia_angle_deg"] if top else None
    if top is not None and "tibia_angle_deg" in top["flags"]:
        flags["max_tibia_angle_any_deg"] = top["flags"]["tibia_angle_deg"]
    implausible = [e for e in events if e["implausible"]]
    summary["implausible_attempts"] = len(implausible)
    summary["short_of_wall_attempts"] = sum(1 for e in events if e["knee_reached_wall"] is False)
    if implausible:
        warnings.append(
            QualityIssue(
                "implausible_values",
                "warning",
                f"{len(implausible)} of {len(events)} knee drives gave values no lunge can "
                "produce (a shin leaning back, or a heel below the floor), so they do not count: "
                "film side-on at knee height with the whole front foot and both knees in the "
                "picture",
            )
        )
    # plausible readings only: a misread drive is already reported as implausible
    reaches = [
        e["knee_forward_cm"]
        for e in events
        if e["knee_forward_cm"] is not None and not e["implausible"]
    ]
    summary["not_a_lunge"] = bool(reaches) and max(reaches) < -th.not_a_lunge_knee_behind_toes_cm
    if summary["not_a_lunge"]:
        warnings.append(
            QualityIssue(
                "not_a_lunge",
                "warning",
                f"your knee never came over your toes (it stayed at least {-max(reaches):.0f} cm "
                "behind them in every knee drive), so this does not look like a knee-to-wall "
                "lunge and its numbers mean little: if you filmed another drill, choose that "
                "drill; otherwise drive the front knee forward over the toes to the wall",
            )
        )
    summary["legs"] = by_leg
    asym_cm: float | None = None
    asym_deg: float | None = None
    if len(by_leg) == 2:
        left, right = by_leg["left"], by_leg["right"]
        if left["best_toe_to_wall_cm"] is not None and right["best_toe_to_wall_cm"] is not None:
            asym_cm = round(
                float(left["best_toe_to_wall_cm"]) - float(right["best_toe_to_wall_cm"]), 1
            )
        if left["best_tibia_angle_deg"] is not None and right["best_tibia_angle_deg"] is not None:
            asym_deg = round(
                float(left["best_tibia_angle_deg"]) - float(right["best_tibia_angle_deg"]), 1
            )
    summary["asymmetry_cm"] = asym_cm
    summary["asymmetry_deg"] = asym_deg
    if asym_cm is not None:
        summary["asymmetry_exceeds_threshold"] = abs(asym_cm) > th.asymmetry_cm
    elif asym_deg is not None:
        summary["asymmetry_exceeds_threshold"] = abs(asym_deg) > th.asymmetry_cm * th.deg_per_cm
    else:
        summary["asymmetry_exceeds_threshold"] = None
    legs_seen = sorted({e["leg"] for e in events})
    summary["front_legs"] = legs_seen

    # --- cues
    for e in events:
        if e["heel_lifted"]:
            # a reading near the line (flagged uncertain) is said as what it is
            maybe = "uncertain" in e["flags"].get("heel_lifted", "")
            cues.append(
                Cue(
                    e["peak_s"],
                    "warning",
                    f"At {e['peak_s']:.1f} s your {e['leg']} heel "
                    + (
                        f"probably lifted ({e['heel_rise_cm']:.1f} cm, close to the "
                        f"{th.heel_lift_cm:.1f} cm line)"
                        if maybe
                        else f"lifted ({e['heel_rise_cm']:.1f} cm)"
                    )
                    + ": that attempt does not count. Keep the heel pressed down and move "
                    "the foot a little closer to the wall.",
                )
            )
        elif e["knee_reached_wall"] is False:
            cues.append(
                Cue(
                    e["peak_s"],
                    "info",
                    f"At {e['peak_s']:.1f} s your knee stopped about {e['knee_to_wall_gap_cm']:.0f} cm "
                    "short of the wall, so that attempt does not count as your maximum (the "
                    "distance counts only when the knee touches). Move the foot closer until it "
                    "does with the heel down.",
                )
            )
    unknown_heel = [e for e in events if e["heel_lifted"] is None]
    if unknown_heel:
        cues.append(
            Cue(
                unknown_heel[0]["peak_s"],
                "warning",
                f"Heel lift could not be checked in {len(unknown_heel)} of {len(events)} "
                "attempts (front foot not fully in the picture, or its height reading was impossible), "
                "so they do not count as a valid "
                "depth: keep the whole front foot in view.",
            )
        )
    if events and not valid and len(unknown_heel) < len(events):
        lifted = sum(1 for e in events if e["heel_lifted"])
        short = summary["short_of_wall_attempts"]
        if lifted == len(events):
            text = "No attempt kept the heel down, so there is no valid depth yet."
        else:
            text = MSG_NO_VALID.format(
                n=len(events), lifted=lifted, short=short, implausible=len(implausible)
            )
        cues.append(Cue(None, "warning", text))
    if wall_u is None and events:
        cues.append(
            Cue(
                None,
                "info",
                "The wall was not found, so only the shin angle is reported. Put your hands on "
                "the wall, or tell formcheck your knee touches the wall, to get the toe-to-wall "
                "distance.",
            )
        )
    if summary["asymmetry_exceeds_threshold"]:
        worse = "left" if (asym_cm if asym_cm is not None else asym_deg or 0.0) < 0 else "right"
        diff_txt = (
            f"{abs(asym_cm):.1f} cm" if asym_cm is not None else f"{abs(asym_deg or 0):.0f} degrees"
        )
        cues.append(
            Cue(
                None,
                "warning",
                f"Your {worse} ankle reaches {diff_txt} less than the other: a difference over "
                f"{th.asymmetry_cm:.1f} cm is worth attention.",
            )
        )

    # --- norms
    norms: list[NormComparison] = []
    best = summary["best_toe_to_wall_cm"]
    if best is not None:
        verdict = (
            "below the typical range"
            if best < th.norm_mean_cm - th.mdc_cm
            else "about typical"
            if best <= th.norm_mean_cm + th.mdc_cm
            else "above the mean"
        )
        norms.append(
            NormComparison(
                "best_toe_to_wall_cm",
                float(best),
                "cm",
                f"about {th.norm_mean_cm:.0f} cm in healthy adults; changes under "
                f"{th.mdc_cm} cm are within measurement error",
                "Hoch & McKeon 2011; Powden et al. 2015",
                verdict,
            )
        )
    if asym_cm is not None:
        norms.append(
            NormComparison(
                "asymmetry_cm",
                float(abs(asym_cm)),
                "cm",
                f"left-right difference over {th.asymmetry_cm} cm is worth attention",
                "Hoch & McKeon 2011; Chisholm et al. 2012",
                "worth attention" if abs(asym_cm) > th.asymmetry_cm else "within normal difference",
            )
        )

    # --- score
    score: float | None = None
    if best is not None and events:
        heel_down = sum(1 for e in events if e["heel_lifted"] is False) / len(events)
        s = 80.0 * min(1.0, float(best) / th.norm_mean_cm) + 20.0 * heel_down
        if summary["asymmetry_exceeds_threshold"]:
            s -= 10.0
        score = float(np.clip(round(s, 1), 0.0, 100.0))

    # --- series
    heel_series = np.full(n, np.nan)
    if events:
        base = np.nanpercentile(front.heel_h, 10) if np.isfinite(front.heel_h).any() else np.nan
        heel_series = (front.heel_h - base) * cm_per_px
    series: dict[str, FloatArray] = {
        "tibia_angle_deg": np.asarray(tibia, dtype=np.float64),
        "knee_forward_cm": np.asarray((knee_front_series - front.toe_u - toe_tip_px) * cm_per_px),
        "heel_height_cm": np.asarray(heel_series, dtype=np.float64),
    }
    overlay: tuple[str, ...] = ("tibia_angle_deg",)
    if wall_u is not None:
        series["toe_to_wall_cm"] = np.asarray((wall_u - front.toe_u - toe_tip_px) * cm_per_px)
        overlay = ("toe_to_wall_cm", "tibia_angle_deg")
    count = np.zeros(n)
    for e in events:
        count[t >= e["peak_s"] - 1e-9] += 1
    series["attempts"] = count
    cut = [e for e in events if e["cut_by"] is not None]
    if cut:
        warnings.append(
            QualityIssue(
                "lunge_cut",
                "info" if len(cut) < len(events) else "warning",
                MSG_LUNGE_CUT.format(
                    at=", ".join(f"{e['peak_s']:.1f} s" for e in cut),
                    whole="" if len(cut) < len(events) else MSG_NO_WHOLE_LUNGE,
                ),
            )
        )
    if not events:
        warnings.append(
            QualityIssue(
                "no_attempts",
                "warning",
                "no knee drive found: in a split stance, drive the front knee forward over the "
                "toes and back, side-on to the camera",
            )
        )
    return DrillResult(
        summary=summary,
        events=events,
        cues=cues,
        score=score,
        flags=flags,
        norms=norms,
        series=series,
        warnings=warnings,
        overlay=overlay,
    )


def _pose_model_spread(
    flags: dict[str, str], summary: dict[str, Any], th: KneeToWallThresholds
) -> None:
    """Say, next to the best distance and angle, how far a pose-model reading may be off.

    Only for a number the summary has (not for one that was not measured).
    Where a clip's own flag is already there (an oblique view, a knee short of
    the wall) it is kept and this one follows it.
    """
    texts = {
        "best_toe_to_wall_cm": (
            f"from the pose model: good to about ±{th.pose_model_toe_to_wall_sd_cm:.0f} cm (where "
            "it places your toes and knee varies with shoes, clothes and camera height; in shoes "
            "it can read a few cm long): film barefoot, side-on at knee height, and compare "
            "clips filmed the same way"
        ),
        "best_tibia_angle_deg": (
            f"from the pose model: good to about ±{th.pose_model_tibia_sd_deg:.0f}° (how it reads "
            "the shin varies with clothes and camera height): compare clips filmed the same way"
        ),
    }
    for key, text in texts.items():
        if summary.get(key) is not None:
            append_flag(flags, key, text)


DRILL = KneeToWallDrill()
