"""Single-leg balance (``single-leg-balance``): holds, touchdowns, sway, left vs right.

How a hold is found (numbers from ``single_leg_balance.toml``):

1. **Lift signal.** Per frame, the height of each foot's lowest point (ankle,
   heel, toe) is taken from the pose model's 3D world landmarks (metres, hip
   origin), which carry no camera perspective: a foot standing further from
   the camera sits higher in the *picture* but not in 3D. The signed
   difference right-minus-left, divided by the person's leg length (hip to
   ankle, same landmarks), is the lift signal: ``+`` means the right foot is
   higher. Being a ratio of two lengths on the same body it does not depend on
   camera distance or resolution. When the track has no world landmarks the
   same is measured in the picture, perpendicular to the floor line; so too
   when the person has their back to the camera (``back_to_the_camera``) and
   the picture shows a bigger lift than the 3D feet (``lift_extent``). When a
   foot is below the visibility threshold in most frames (the far foot of a
   side view), the pose model's estimate of it is used (``fill_hidden_legs``)
   and the holds are flagged.
2. **Baseline.** A staggered double stance leaves a small steady offset; the
   median of the signal over frames with both feet down is subtracted.
3. **Hysteresis.** A hold is a stretch where one foot is above
   ``lift_off_leg`` that reaches ``lift_on_leg`` somewhere (stretches apart
   only by frames without landmarks are one). Its start and end are timed by
   the steepest tangent of the foot-height edge extended to the floor level,
   with the slope fitted over ``edge_slope_window_s`` (``_tangent_onset``);
   a touchdown edge that is only the 3D foot settling after a fast drop is
   timed at the drop (``touchdown_tail_slope_ratio``).
   Dips shorter than ``min_touchdown_s`` are merged; stretches shorter than
   ``min_hold_s`` are steps, not holds.
4. **Hops.** The stance foot's lowest point rising ``hop_rise_leg`` above its
   floor level during a hold ends the hold (``ended_by == "hop"``); a hold
   resumes after landing.

Physically implausible evidence is not a touchdown:

- **The ankle must come down, and go up.** The free foot's height is never
  taken lower than its ankle allows (``ankle_checked_height``): heel and toe
  snapping onto the other foot (the pose model's far-foot error) while the
  ankle stays up does not end a hold. Nor is it taken higher than its ankle
  rose (a rigid foot's lowest point cannot rise more than its ankle): heel
  and toe jitter "up" while the ankle is down is no lift and does not delay a
  touchdown. Heel and toe "down" while the ankle is *unseen* are no evidence
  of a touchdown either: between two lifts such frames count as unseen (a
  far foot's heel and toe pulled onto the stance foot while its ankle drops
  below the visibility threshold split holds at 15 and 24 fps). A dip kept
  inside a hold only because of this (heel and toe on the floor for
  ``min_touchdown_s`` or more) is said: a flag on the hold's ``duration_s``
  and on ``touchdowns``.
- **A stance-leg change needs a touchdown** of at least ``min_touchdown_s``
  and ``min_leg_change_s`` in all; the lift signal switching feet faster is a
  left/right label swap and is undone (``undo_label_jumps``).
- **Visibility gaps.** Where conditioning dropped the feet (low visibility)
  but the pose model still placed them, its estimate fills the lift signal;
  frames with no detection stay gaps, bridged up to ``max_bridge_s``.
- **Uncertain ends are said.** A hold's ``start_uncertain``/``end_uncertain``
  is True, with a flag on ``start_s``/``end_s`` saying when and why, when
  frames within ``boundary_evidence_s`` inside the hold (twice that outside)
  are unseen, only estimated, relabelled, or overruled by the ankle
  (including a run of at least ``min_touchdown_s`` in which only the ankle
  put the foot above ``lift_on_leg``, heel and toe reading lower:
  ``weak_evidence_frames``).

Each hold ends by ``"touchdown"``, ``"hop"``, ``"end of video"`` or
``"lost tracking"`` (the person left the picture), and starts by
``"lift-off"``, ``"hop landing"``, or one of three starts the video saw only a
bound of: ``"start of video"``, ``"first detection"`` (nobody was found before)
and ``"tracking regained"`` (the foot was already up when the person was found
again after more than ``boundary_evidence_s``). A lift-off or touchdown hidden
in a stretch where the foot was not seen, of at most ``unseen_edge_max_s``, is
timed at the middle of the stretch (off by at most half of it); in a longer one
only a bound is known. Open ends and stretches inside
a hold where nobody was found (``min_touchdown_s`` or more: a touchdown there
would not be seen) are said in flags. A touchdown followed by a
new hold on the same leg within ``resume_window_s`` is an interruption:
counted in ``touchdowns`` and cued.

**Stance leg.** The higher foot is the free one. In front and oblique views
the pose model's left/right labels are used. In a side view the model often
swaps the labels of overlapping legs, so the stance leg is decided from depth
(the stance foot nearer or further from the camera than the free foot, from
the model's relative depth) and the side facing the camera (a person facing
image-left shows the camera their left side, assuming the video is not
mirrored). When depth and labels disagree, or depth is ambiguous, the hold
carries a flag saying the side is unsure.

**Sway.** The body centre is the **hip midpoint** (not a segment-weighted
centre of mass: the arms and free leg move during a hold and their landmarks
are the noisiest), reported on both horizontal body axes: medio-lateral
(``sway_ml_cm``, + toward the person's right) and antero-posterior
(``sway_ap_cm``, + forward), as a top view of the sway path.

- The **picture axis** (the hip midpoint along the floor line, in cm through
  the calibration) is the primary measurement: in a front or back view it *is*
  ML, in a side view AP, in an oblique view a mix (``sway_x_cm``, kept as is).
- The **depth axis** (toward/away from the camera) is not in the picture. It
  comes from the pose model's 3D world landmarks: the hip midpoint relative to
  the stance ankle (the world origin is the hip midpoint, so this is minus the
  stance ankle), scaled to cm with the same calibration as the picture axis
  (cm per world metre = the leg's calibrated length in cm over its world
  length).
- The person's frame per hold: the ML axis is the pelvis line (left to right
  hip, horizontal, averaged over the hold as an axis so a left/right label
  swap does not flip it), AP is perpendicular to it, forward being where the
  toes point (heel to toe of both feet). The horizontal sway vector in camera
  axes (picture axis, depth) is projected on these axes. In front/back and
  side views the primary axis is the picture axis alone; the other axis is the
  projection and carries a flag (monocular depth is rough); in an oblique view
  both ML and AP mix in depth and both are flagged.

``sway_path_cm`` and ``sway_velocity_cm_s`` are along the primary (picture)
axis. ``sway_ml_rms_cm`` and ``sway_ap_rms_cm`` are RMS about the hold's mean;
``sway_area_cm2`` (95% confidence ellipse, ``pi * chi2_{0.95,2} *
sqrt(det(cov))``) is from the two, and is always flagged as approximate.
Sway leaves out ``settle_s`` at each end of a hold.

**Stance knee** flexion (degrees, 0 = straight) is the 3D angle between thigh
and shank from the world landmarks (a front view cannot see the bend in the
picture; flagged there). **Arm use** is the share of hold time with a wrist
held out: further than ``arm_out_torso`` torso lengths, horizontally, from
under its own shoulder (a relaxed arm hangs under the shoulder whatever the
trunk does, so a forward hinge is not arm use). A wrist within
``hand_on_foot_torso`` of the free ankle is holding the foot and is not
judged; with no wrist judged in most of a hold, arm use is None and flagged.
It tells where the hands are, not why: the cue says so.

Score (0-100, None without a hold)::

    score = 60 * min(1, longest_hold_s / target_hold_min_s)
          + 20 * steadiness
          + 20 * max(0, 1 - touchdowns / 2)

with ``steadiness = clip((poor - v) / (poor - good), 0, 1)`` from the sway
velocity ``v`` (good/poor from the TOML); without sway numbers the 20 sway
points go to the hold time (``80 * min(1, ...)``).
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.drills.base import Cue, DrillContext, DrillResult, NormComparison
from formcheck.drills.common import (
    append_flag,
    fill_hidden_legs,
    knee_flexion_3d,
    leg_length,
    lowest_point_height,
    nan_median,
)
from formcheck.drills.common import floor_up_px as _floor_up_px
from formcheck.drills.common import true_runs as _runs
from formcheck.landmarks import Landmark, side_landmark
from formcheck.signals import butterworth_zero_phase, robust_sd
from formcheck.thresholds import load_thresholds
from formcheck.views import QualityIssue, ViewResult

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SIDES = ("left", "right")
FOOT_PARTS = ("ankle", "heel", "foot_index")
CHI2_95_2DOF = 5.991464547107979
"""chi-square quantile (0.95, 2 degrees of freedom) for the 95% ellipse."""

ENDED_BY = ("touchdown", "hop", "end of video", "lost tracking")
STARTED_BY = ("lift-off", "start of video", "first detection", "tracking regained", "hop landing")
"""How a hold's start was seen: the lift-off itself, or only a bound on it (the video
or the pose began with the foot already up, or the pose came back after a gap longer
than ``boundary_evidence_s`` with the foot already up), or a hop's landing."""

SWAY_AXIS_BY_VIEW = {
    "front": "ml",
    "back": "ml",
    "side": "ap",
    "oblique": "mixed",
}
"""Which horizontal body axis the picture's horizontal shows, by view."""

AXIS_WORDS = {
    "ml": "medio-lateral (side to side)",
    "ap": "antero-posterior (front to back)",
    "mixed": "picture horizontal (a mix of side-to-side and front-to-back)",
}

# --------------------------------------------------------------- norms
SPRINGER_2007_EO_BEST_S: dict[str, float] = {
    "18-39": 44.8,
    "40-49": 41.9,
    "50-59": 41.2,
    "60-69": 32.1,
    "70-79": 21.3,
    "80-99": 9.7,
}
"""Unipedal stance time, eyes open, best of 3 trials (s), women and men
averaged. Springer et al. 2007, J Geriatr Phys Ther 30(1):8 (n=549); trials
were stopped at 45 s. NOT VERIFIED against the paper's table (its full text was
not reachable when this was written; the age groups and the 45 s cap are from
the abstract): treat the values as approximate, and correct them from Table 2
of the paper."""

SPRINGER_2007_EC_BEST_S: dict[str, float] = {
    "18-39": 15.0,
    "40-49": 12.8,
    "50-59": 8.3,
    "60-69": 4.4,
    "70-79": 3.2,
    "80-99": 2.0,
}
"""Unipedal stance time, eyes closed, best of 3 trials (s), women and men
averaged. Springer et al. 2007 (as above)."""

SPRINGER_SOURCE = "Springer et al. 2007, J Geriatr Phys Ther 30(1):8 (n=549)"

# --------------------------------------------------------------- messages
AREA_FLAG = (
    "sway area is approximate: one camera sees one horizontal axis; the other axis of the "
    "area comes from the pose model's depth estimate"
)

MSG_PICTURE_HEIGHTS = (
    "foot heights measured in the picture (no 3D landmarks): a foot further from "
    "the camera looks higher"
)
MSG_PICTURE_FALLBACK = (
    "foot heights measured in the picture (the pose model's 3D feet were missing in most "
    "frames): a foot further from the camera looks higher"
)
MSG_PICTURE_FROM_BEHIND = (
    "foot heights measured in the picture: filmed from behind, the pose model's 3D feet "
    "hardly lift a foot raised behind you; in the picture a foot set further forward also "
    "looks higher, so check that each hold is one the video shows"
)
MSG_HIDDEN_FOOT = (
    "your {side} foot was hidden (below the pose model's visibility threshold) in "
    "{pct:.0f}% of the frames: its height is the pose model's estimate of the hidden foot, "
    "so hold start and end are less certain"
)

MSG_UNCONFIRMED_TOUCHDOWN = (
    "possible touchdown at {lo:.1f}-{hi:.1f} s counted as part of the hold: the free foot's heel "
    "and toe read the floor while its ankle was not seen (the pose model often misplaces "
    "heel and toe); if you did touch down, this hold was two"
)
MSG_FOOT_UNCLEAR = "the {role} foot was seen clearly in only {pct:.0f}% of the hold's frames"
MSG_TOUCHDOWN = "you touched down at {time:.1f} s ({leg} leg hold, after {held:.1f} s)"
MSG_HOP = "you hopped at {time:.1f} s ({leg} leg hold): keep the stance foot planted"
MSG_STARTED_BEFORE = (
    "the video starts during this hold: it began before the first frame, so it lasted longer "
    "than measured; start filming before you lift the foot"
)
MSG_FIRST_DETECTION = (
    "you were first found in the picture at {time:.1f} s with the foot already up: the hold "
    "began before that, so it lasted longer than measured; stand fully in the picture, in "
    "good light, before you lift the foot"
)
MSG_TRACKING_REGAINED = (
    "you were lost from the picture from {lo:.1f} s to {time:.1f} s and the foot was already "
    "up when you were found again: the lift-off was not seen, so the hold may have begun "
    "earlier and lasted longer than measured"
)
MSG_UNSEEN_INSIDE = (
    "you were lost from the picture at {spans} during this hold: it is counted as one hold "
    "through that, but a touchdown then would not be seen"
)
MSG_LIFT_OFF_IN_GAP = (
    "your foot was not seen from {lo:.2f} s to {hi:.2f} s and was off the floor when seen "
    "again: the lift-off was not seen, so the hold is timed from {time:.2f} s, the middle of "
    "that stretch (within {pm:.2f} s)"
)
MSG_TOUCHDOWN_IN_GAP = (
    "your foot was not seen from {lo:.2f} s to {hi:.2f} s and was back on the floor when seen "
    "again: the touchdown was not seen, so the hold is timed to {time:.2f} s, the middle of "
    "that stretch (within {pm:.2f} s)"
)
MSG_LOST_TRACKING = (
    "you were lost from the picture from {time:.1f} s{until} with the foot still up: the "
    "touchdown was not seen, so the hold may have lasted longer than measured; keep your "
    "whole body and both feet in the picture"
)
MSG_WALKING = (
    "a foot was off the floor at {spans} while you walked (your hips travelled across the "
    "picture): steps, not a balance hold, so not counted"
)
MSG_SWAY_GREW = (
    "sway grew after {after:.0f} s of the {leg} leg hold ({ratio:.1f}x faster than at the start)"
)
MSG_SOFT_KNEE = (
    "soften the stance knee: your {leg} knee was almost straight ({deg:.0f} deg); "
    "a slight bend helps balance"
)
MSG_ARMS = (
    "your hands were held out away from your sides {pct:.0f}% of the time on the {leg} leg: "
    "arms out help balance; as it gets easier, try it with relaxed arms or hands on hips"
)
MSG_ARMS_UNJUDGED = (
    "arm use not measured: your hands were holding the raised foot or not seen for most of the hold"
)
MSG_SHORT = (
    "longest hold {held:.1f} s: build up to {target:.0f} s on each leg (runners' target "
    "{target:.0f}-{target_max:.0f} s)"
)
MSG_ON_TARGET = "longest hold {held:.1f} s: on target ({target:.0f}-{target_max:.0f} s)"

HOLD_TIME_DECIMALS = 3
"""Decimals of every hold time (s), events and summary alike: a summary rounded
again from the events' values read 2.9 s on the page for a hold shown as 2.8 s
(2.849 -> 2.85 -> 2.9)."""


MSG_LR = "your {weak} leg held {diff:.1f} s less than your {strong} leg: give it extra practice"


@dataclass(frozen=True)
class BalanceThresholds:
    """Thresholds of the drill (see ``single_leg_balance.toml`` for units and sources)."""

    lift_on_leg: float
    lift_off_leg: float
    min_hold_s: float
    max_hold_travel_leg_s: float
    min_touchdown_s: float
    min_leg_change_s: float
    boundary_evidence_s: float
    edge_slope_window_s: float
    touchdown_tail_slope_ratio: float
    resume_window_s: float
    hop_rise_leg: float
    max_bridge_s: float
    unseen_edge_max_s: float
    hop_reference_s: float
    max_hop_air_s: float
    settle_s: float
    min_sway_s: float
    sway_depth_cutoff_hz: float
    sway_foot_outlier_cm: float
    sway_growth_min_hold_s: float
    sway_growth_ratio: float
    sway_velocity_good_cm_s: float
    sway_velocity_poor_cm_s: float
    knee_soft_min_deg: float
    arm_out_torso: float
    hand_on_foot_torso: float
    arm_use_cue_pct: float
    target_hold_min_s: float
    target_hold_max_s: float
    left_right_cue_s: float
    min_reliable_fraction: float

    def __post_init__(self) -> None:
        if not 0.0 < self.lift_off_leg < self.lift_on_leg:
            raise ValueError(
                "thresholds: need 0 < lift_off_leg < lift_on_leg, got "
                f"{self.lift_off_leg} and {self.lift_on_leg}"
            )


def load_balance_thresholds(overrides: dict[str, Any] | None = None) -> BalanceThresholds:
    """The drill's thresholds from its TOML file plus ``overrides``."""
    return load_thresholds(BalanceThresholds, "single_leg_balance.toml", overrides)


# =============================================================== pure functions
@dataclass(frozen=True)
class HoldSpan:
    """One single-leg stance found in the lift signal.

    Attributes:
        start_s, end_s: lift-off and touchdown times (s, sub-frame).
        start_i, end_i: first and last frame index inside the hold.
        free_side: "left"/"right" by the signal's labels (the higher foot).
        ended_by: one of ``ENDED_BY``.
        unconfirmed_touchdowns_s: (start, end) times (s) of dips inside the
            hold that heel and toe put on the floor for ``min_touchdown_s`` or
            more while the ankle was unseen: taken as part of the hold (a
            touchdown needs the ankle), but a real touchdown cannot be ruled out.
        started_by: one of ``STARTED_BY``.
        unseen_before_s: for "tracking regained", when the pose was last seen
            before the hold (s); the lift-off lies between it and ``start_s``.
        unseen_after_s: for "lost tracking", when the pose was next seen (s),
            NaN when never again.
        start_gap_s, end_gap_s: (last seen, seen again) times (s) of a
            stretch without the foot that hid the lift-off (touchdown), whose
            middle ``start_s`` (``end_s``) is (``unseen_edge_max_s``); None
            when the edge was seen or only a bound of it is known.
    """

    start_s: float
    end_s: float
    start_i: int
    end_i: int
    free_side: str
    ended_by: str
    unconfirmed_touchdowns_s: tuple[tuple[float, float], ...] = ()
    started_by: str = "lift-off"
    unseen_before_s: float = math.nan
    unseen_after_s: float = math.nan
    start_gap_s: tuple[float, float] | None = None
    end_gap_s: tuple[float, float] | None = None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def _foot_idx(side: str) -> list[int]:
    return [int(side_landmark(side, p)) for p in FOOT_PARTS]


def lift_signal(points: FloatArray, up: FloatArray) -> tuple[FloatArray, float]:
    """Signed free-foot height in leg lengths: right foot height minus left.

    Args:
        points: (T, 33, D) landmark positions (world metres, or image pixels).
        up: (D,) unit "up" vector in the frame of ``points``.

    Returns:
        (signal (T,) in leg lengths, + = right foot higher; leg length in the
        unit of ``points``).
    """
    leg = leg_length(points)
    h_left = lowest_point_height(points[:, _foot_idx("left")], up)
    h_right = lowest_point_height(points[:, _foot_idx("right")], up)
    if not math.isfinite(leg) or leg <= 0:
        return np.full(points.shape[0], np.nan), math.nan
    return (h_right - h_left) / leg, leg


def ankle_lift_signal(points: FloatArray, up: FloatArray) -> FloatArray:
    """Signed ankle height difference in leg lengths: right ankle minus left (T,).

    The cross-check of ``lift_signal``: the ankle landmark is the foot's most
    reliable point (the heel and toe are the ones the pose model misplaces,
    e.g. a far foot's heel and toe snapping onto the near foot), and a foot
    that really touches down brings its ankle down with it.

    Args:
        points: (T, 33, D) landmark positions (world metres, or image pixels).
        up: (D,) unit "up" vector in the frame of ``points``.
    """
    leg = leg_length(points)
    if not math.isfinite(leg) or leg <= 0:
        return np.full(points.shape[0], np.nan)
    h = {
        side: points[:, int(side_landmark(side, "ankle"))] @ np.asarray(up, dtype=np.float64)
        for side in SIDES
    }
    return np.asarray((h["right"] - h["left"]) / leg, dtype=np.float64)


def ankle_checked_height(
    x: FloatArray, xa: FloatArray, on_level: float, margin: float
) -> FloatArray:
    """Free-foot height (T,) that the ankle confirms: ``x`` kept within the ankle's bounds.

    A foot is rigid, so its ankle bounds its lowest point from both sides
    (both heights measured from their double-stance levels):

    - **Not much lower:** while the foot is up its lowest point sits a steady
      distance below its ankle (``offset``, the median of ``xa - x`` over frames
      with ``x >= on_level``, at least 0: the lowest point is never higher
      relative to the ankle than in flat stance). Where the lowest point drops
      much further than that below the ankle (heel and toe misplaced onto the
      other foot, while the ankle stays up), the ankle's evidence wins:
      ``x >= xa - offset - margin``. A real touchdown brings the ankle down too,
      so it is unaffected.
    - **Not higher:** standing flat, the foot's lowest points (heel, toes) are
      as far below its ankle as they ever get in the vertical (tilting a rigid
      foot either way only lowers the heel or the toes relative to the ankle),
      so the lowest point cannot rise more than its ankle: ``x <= xa + margin``.
      Heel and toe placed "up" while the ankle stays at floor level (jitter of
      the low-visibility heel and toe) are not a lifted foot.

    NaN in ``xa`` leaves ``x`` as is.

    Args:
        x: (T,) free-foot lowest-point height above its double-stance level, leg lengths.
        xa: (T,) free-ankle height above the stance ankle, minus its double-stance
            level, leg lengths.
        on_level: the lift "on" level, leg lengths.
        margin: noise allowance, leg lengths.
    """
    both = np.isfinite(x) & np.isfinite(xa)
    out = np.where(both, np.fmin(x, xa + margin), x)
    up = both & (x >= on_level)
    if up.sum() < 5:
        return np.asarray(out, dtype=np.float64)
    # never negative: a foot's lowest point cannot be higher, relative to its ankle,
    # than when it stands flat (the double-stance level both signals are measured from)
    offset = max(0.0, float(np.median(xa[up] - x[up])))
    floor = xa - offset - margin
    return np.asarray(np.where(both, np.fmax(out, floor), out), dtype=np.float64)


def undo_label_jumps(
    times_s: FloatArray,
    signal: FloatArray,
    baseline: float,
    th: BalanceThresholds,
) -> BoolArray:
    """Frames (T,) whose lift signal is flipped by a left/right label swap.

    Changing the stance leg needs a touchdown: the lifted foot comes down and
    stays down (``min_touchdown_s``) before the other lifts, which takes at
    least ``min_leg_change_s``. So the lift signal going from one foot clearly
    up (``lift_on_leg``) to the other foot clearly up with no touchdown seen
    in between, and either less than ``min_touchdown_s`` of floor-level or
    unseen frames between them or less than ``min_leg_change_s`` in all, is no
    leg change but the pose model exchanging the legs' labels (which
    conditioning misses when the swap spans a lift-off, touchdown or gap). Inside
    each stretch off the floor, the jumps cut the stretch into pieces of
    alternating labelling; the pieces of the labelling held for the shorter
    time are the swapped ones (labels are right most of the time).

    Args:
        times_s: (T,) s. signal: (T,) lift signal, leg lengths (NaN = unseen).
        baseline: its double-stance level.
        th: thresholds (``lift_on_leg``, ``lift_off_leg``, ``min_touchdown_s``).

    Returns:
        (T,) bool, True where the sign of ``signal - baseline`` must be flipped.
    """
    n = signal.shape[0]
    flip = np.zeros(n, dtype=bool)
    if n < 2:
        return flip
    frame_s = float(np.median(np.diff(times_s)))
    y = signal - baseline
    seen = np.isfinite(y)
    yz = np.where(seen, y, 0.0)
    on_floor = seen & (np.abs(yz) < th.lift_off_leg)
    # touchdowns long enough to be real: the only places a leg change can happen
    down = np.zeros(n, dtype=bool)
    for a, e in _runs(on_floor):
        if (e - a) * frame_s >= th.min_touchdown_s - 1e-9:
            down[a:e] = True
    clear = np.flatnonzero(seen & (np.abs(yz) >= th.lift_on_leg))
    jumps: set[int] = set()
    for i, j in itertools.pairwise(clear):
        between = slice(i + 1, j)
        unsure_s = float((on_floor[between] | ~seen[between]).sum()) * frame_s
        quick = times_s[j] - times_s[i] < th.min_leg_change_s - 1e-9
        if (
            yz[i] * yz[j] < 0
            and not down[between].any()
            and (unsure_s < th.min_touchdown_s or quick)
        ):
            jumps.add(int(j))
    if not jumps:
        return flip
    for a, e in _runs(~down):
        cuts = [a, *sorted(k for k in jumps if a < k < e), e]
        if len(cuts) == 2:
            continue
        pieces = list(itertools.pairwise(cuts))
        dur = [0.0, 0.0]
        for k, (p0, p1) in enumerate(pieces):
            dur[k % 2] += float(seen[p0:p1].sum())
        minority = 0 if dur[0] < dur[1] else 1
        for k, (p0, p1) in enumerate(pieces):
            if k % 2 == minority:
                flip[p0:p1] = True
    return flip


def weak_evidence_frames(
    signal: FloatArray,
    ankle: FloatArray | None,
    baseline: float,
    free_side: str,
    th: BalanceThresholds,
    times_s: FloatArray | None = None,
) -> BoolArray:
    """Frames (T,) where the free foot's floor contact rests on no or weak evidence.

    Weak: no lift signal (NaN), or the heel/toe said "down" (at most
    ``lift_off_leg``) while the ankle said "up" (``ankle_checked_height``
    overruled them). With ``times_s`` (T,) s, also the runs of at least
    ``min_touchdown_s`` in which heel and toe stayed below ``lift_on_leg``
    and only the ankle put the foot at or above it: heel and toe misplaced
    low for that long (the pose model's far-foot error) leave the ankle as the
    only evidence of the lift, and where the ankle is then unseen the lift
    cannot be timed (a lift-off read late). Single frames of it are jitter.
    ``signal`` and ``ankle`` are the lift signals the holds were found in
    (after label repair); ``free_side`` picks the sign. The opposite overrule
    (heel/toe "up" while the ankle is down) is not weak evidence: it is the
    everyday jitter of heel and toe at floor level, which the ankle corrects
    (flagging it doubled the flagged ends under heavy synthetic noise, 9 -> 19
    of 32 per view, with every such end within 0.2 s).
    """
    sign = 1.0 if free_side == "right" else -1.0
    x = sign * (signal - baseline)
    weak = ~np.isfinite(x)
    if ankle is not None:
        ba = double_stance_baseline(ankle, th.lift_on_leg, th.lift_off_leg)
        xe = ankle_checked_height(x, sign * (ankle - ba), th.lift_on_leg, th.lift_off_leg)
        with np.errstate(invalid="ignore"):
            weak |= (x <= th.lift_off_leg) & (xe > th.lift_off_leg)
            ankle_only = (x < th.lift_on_leg) & (xe >= th.lift_on_leg)
        if times_s is not None and times_s.shape[0] > 1:
            frame_s = float(np.median(np.diff(times_s)))
            for a, e in _runs(ankle_only):
                if (e - a) * frame_s >= th.min_touchdown_s - 1e-9:
                    weak[a:e] = True
    return np.asarray(weak, dtype=bool)


def boundary_uncertain(
    times_s: FloatArray, at_s: float, weak: BoolArray, window_s: float, *, outward: float
) -> list[float] | None:
    """``[first, last]`` times (s) of weak frames near a hold boundary ``at_s``, else None.

    The window reaches ``window_s`` into the hold and ``2 * window_s`` out of it
    (``outward`` -1 before a start, +1 after an end): weak evidence (a lifted foot
    not seen, or seen "down" by mistake) makes a lift-off look late and a
    touchdown early, so the true boundary lies outward of the one found.
    """
    lo = at_s - window_s * (2.0 if outward < 0 else 1.0)
    hi = at_s + window_s * (2.0 if outward > 0 else 1.0)
    near = np.flatnonzero((times_s >= lo - 1e-9) & (times_s <= hi + 1e-9) & weak)
    if near.size == 0:
        return None
    return [float(times_s[near[0]]), float(times_s[near[-1]])]


def double_stance_baseline(signal: FloatArray, on_level: float, width: float) -> float:
    """The lift signal's level with both feet down (its densest value below ``on_level``).

    A staggered stance leaves a steady offset (one foot placed further back
    or on its toes); it is removed before thresholds apply. Among frames with
    ``|signal| < on_level`` (a larger offset cannot be told from a hold), the
    window of ``width`` holding the most frames is the double stance; its
    median is returned. 0 with fewer than 5 such frames.
    """
    cand = np.sort(signal[np.isfinite(signal) & (np.abs(signal) < on_level)])
    if cand.size < 5:
        return 0.0
    right = np.searchsorted(cand, cand + width, side="right")
    i = int(np.argmax(right - np.arange(cand.size)))
    return float(np.median(cand[i : right[i]]))


def _crossing_time(times: FloatArray, x: FloatArray, i0: int, i1: int, level: float) -> float:
    """Time where x crosses ``level`` between frames i0 and i1 (linear), else times[i1]."""
    a, b = x[i0], x[i1]
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        return float(times[i1])
    f = (level - a) / (b - a)
    f = min(max(f, 0.0), 1.0)
    return float(times[i0] + f * (times[i1] - times[i0]))


def local_slopes(
    times_s: FloatArray, x: FloatArray, idx: npt.NDArray[np.intp], window_s: float
) -> tuple[FloatArray, FloatArray]:
    """Least-squares line through the samples within ``window_s / 2`` of each of ``idx``.

    Args:
        times_s: (T,) s, increasing. x: (T,) values (NaN = unseen, left out).
        idx: (K,) frame indices.
        window_s: full width of the window, s.

    Returns:
        (slope (K,) per second, value of the line at each frame (K,)); NaN where
        fewer than 3 samples were seen.
    """
    slope = np.full(idx.shape[0], np.nan)
    value = np.full(idx.shape[0], np.nan)
    half = 0.5 * window_s + 1e-9
    lo = np.searchsorted(times_s, times_s[idx] - half, side="left")
    hi = np.searchsorted(times_s, times_s[idx] + half, side="right")
    for k, i in enumerate(idx):
        w = np.arange(lo[k], hi[k])
        w = w[np.isfinite(x[w])]
        if w.size < 3:
            continue
        dt = times_s[w] - times_s[i]
        dtc = dt - dt.mean()
        den = float(dtc @ dtc)
        if den <= 0:
            continue
        m = float(dtc @ (x[w] - x[w].mean())) / den
        slope[k] = m
        value[k] = float(x[w].mean()) - m * float(dt.mean())
    return slope, value


def _how_started(
    times_s: FloatArray, x: FloatArray, seen: BoolArray, a: int, th: BalanceThresholds
) -> tuple[str, float]:
    """How the hold whose first frame above ``lift_off_leg`` is ``a`` began (``STARTED_BY``).

    Only a bound on the lift-off is known when no frame before ``a`` was seen
    ("start of video" at frame 0, else "first detection"), or when the foot was
    already at ``lift_on_leg`` in the first frame after more than
    ``boundary_evidence_s`` unseen ("tracking regained"). Returns the kind and,
    for "tracking regained", the time (s) the foot was last seen before it.
    """
    if a == 0:
        return "start of video", math.nan
    before = np.flatnonzero(seen[:a])
    if before.size == 0:
        return "first detection", math.nan
    last_seen = float(times_s[before[-1]])
    if (
        before[-1] < a - 1
        and times_s[a] - last_seen > th.boundary_evidence_s
        and x[a] >= th.lift_on_leg
    ):
        return "tracking regained", last_seen
    return "lift-off", math.nan


def _hidden_edge(
    times_s: FloatArray,
    x: FloatArray,
    seen: BoolArray,
    a: int,
    e: int,
    th: BalanceThresholds,
    *,
    rising: bool,
) -> tuple[float, float] | None:
    """(last seen, seen again) times (s) of a short unseen stretch that hid a hold's edge.

    The lift-off (``rising``) was hidden when, after the last frame with the
    foot near the floor (below half of ``lift_on_leg``) before its first frame
    at ``lift_on_leg`` in the run ``[a, e)``, the foot was not seen for longer
    than ``boundary_evidence_s`` (a shorter stretch leaves enough of the edge
    to time it): the foot left the floor in that stretch or at its end.
    Mirrored for the touchdown after the run's last frame at ``lift_on_leg``.
    None when there is no such stretch, or when it is longer than
    ``unseen_edge_max_s`` (only a bound of the edge is then known).
    """
    above = np.flatnonzero(x[a:e] >= th.lift_on_leg)
    if above.size == 0:
        return None
    floor = seen & (x < 0.5 * th.lift_on_leg)
    if rising:
        on = a + int(above[0])
        low = np.flatnonzero(floor[:on])
        if low.size == 0:
            return None
        lo = int(low[-1])
        hi = lo + 1 + int(np.argmax(seen[lo + 1 : on + 1]))
    else:
        on = a + int(above[-1])
        low = np.flatnonzero(floor[on:])
        if low.size == 0:
            return None
        hi = on + int(low[0])
        lo = int(np.flatnonzero(seen[:hi])[-1])
    gap_s = float(times_s[hi] - times_s[lo])
    if hi - lo < 2 or not th.boundary_evidence_s < gap_s <= th.unseen_edge_max_s:
        return None
    return float(times_s[lo]), float(times_s[hi])


def _drop_before_a_tail(
    times_s: FloatArray, x: FloatArray, lo: int, m: float, th: BalanceThresholds
) -> tuple[float, float] | None:
    """(time of the steepest sample, its tangent's floor time) of a drop just before a touchdown edge.

    The touchdown edge of ``_tangent_onset`` starts at the last sample ``lo``
    at ``lift_on_leg``. When the ``edge_slope_window_s`` before it falls at
    least ``touchdown_tail_slope_ratio`` times faster than the edge's steepest
    slope ``m`` (per second, < 0), the edge is a slow tail after the foot
    came down, not the coming down: the pose model's 3D foot settles for
    0.2-0.4 s after it lands (toes first, then the heel; the stance foot
    rising as the weight moves), which put the real clips' touchdowns up to
    0.46 s after their labels. The tangent is then taken at the drop. None
    when there is no such drop.
    """
    n = x.shape[0]
    dt = float(np.median(np.diff(times_s))) if n > 1 else 0.0
    if dt <= 0 or lo <= 0:
        return None
    rows = np.arange(max(0, lo - max(1, round(th.edge_slope_window_s / dt))), lo)
    rows = rows[np.isfinite(x[rows])]
    if rows.size == 0:
        return None
    slope, value = local_slopes(times_s, x, rows, th.edge_slope_window_s)
    if not np.isfinite(slope).any():
        return None
    j = int(np.nanargmin(slope))
    mo = float(slope[j])
    if mo >= 0 or mo > th.touchdown_tail_slope_ratio * m:
        return None
    tj = float(times_s[rows[j]])
    return tj, tj - float(value[j]) / mo


def _tangent_onset(
    times_s: FloatArray,
    x: FloatArray,
    a: int,
    e: int,
    th: BalanceThresholds,
    *,
    rising: bool,
    fallback: float,
) -> float:
    """Lift-off (``rising``) or touchdown time by the steepest-tangent method.

    The tangent to the foot-height trace at its steepest point on the edge is
    extended to the floor level (x = 0): the usual onset estimate in
    biomechanics, insensitive to a slow drift of the foot before it really
    leaves (weight shift, heel peel) and to the exact threshold. The edge runs
    from the ``lift_off_leg`` crossing to the first sample at the ``lift_on_leg``
    level. The slope at each edge sample is the least-squares slope over
    ``edge_slope_window_s`` around it, not a one-frame difference: the steepest
    of noisy one-frame slopes is biased steep, which pulls the onset toward the
    steepest point (lift-offs late, touchdowns early). A touchdown edge that
    is only a slow tail after a fast drop is timed at the drop
    (``_drop_before_a_tail``). The result is kept
    between the last floor-level sample before the edge and the steepest point;
    ``fallback`` (the threshold crossing) when the edge is not usable.

    Args:
        times_s: (T,) s. x: (T,) free-foot height above baseline, leg lengths.
        a, e: the hold's [start, stop) frame run above ``lift_off_leg``.
    """
    n = x.shape[0]
    above = np.flatnonzero(x[a:e] >= th.lift_on_leg)
    if above.size == 0:
        return fallback
    if rising:
        lo, hi = (a - 1 if np.isfinite(x[a - 1]) else a), a + int(above[0])
    else:
        lo, hi = a + int(above[-1]), min(e, n - 1)
    # a single sample when a gap hid the foot's rise: its neighbours still give the slope
    idx = np.arange(lo, hi + 1)
    slope, value = local_slopes(times_s, x, idx, th.edge_slope_window_s)
    ok = np.isfinite(slope)
    if not ok.any():
        return fallback
    k = int(np.nanargmax(slope)) if rising else int(np.nanargmin(slope))
    m = float(slope[k])
    if (rising and m <= 0) or (not rising and m >= 0):
        return fallback
    tk = float(times_s[idx[k]])
    onset = tk - float(value[k]) / m
    if not rising and th.touchdown_tail_slope_ratio > 0:
        # a slow tail after a fast drop: the foot landed before the edge began
        tail = _drop_before_a_tail(times_s, x, lo, m, th)
        if tail is not None:
            tk, onset = tail
    # never past the floor-level samples around the edge
    if rising:
        floor_i = np.flatnonzero(np.isfinite(x[: lo + 1]) & (x[: lo + 1] <= 0.0))
        earliest = float(times_s[floor_i[-1]]) if floor_i.size else float(times_s[0])
        return float(min(max(onset, earliest), tk))
    floor_i = np.flatnonzero(np.isfinite(x[hi:]) & (x[hi:] <= 0.0))
    latest = float(times_s[hi + floor_i[0]]) if floor_i.size else float(times_s[-1])
    return float(max(min(onset, latest), tk))


def detect_holds(
    times_s: FloatArray,
    signal: FloatArray,
    th: BalanceThresholds,
    baseline: float | None = None,
    ankle: FloatArray | None = None,
) -> list[HoldSpan]:
    """Holds from the lift signal (leg lengths, + = right foot higher).

    Args:
        times_s: (T,) frame times, s.
        signal: (T,) lift signal; NaN where a foot was not seen.
        th: thresholds (``lift_on_leg``, ``lift_off_leg``, ``min_hold_s``,
            ``min_touchdown_s``).
        baseline: double-stance offset; estimated when None.
        ankle: (T,) ``ankle_lift_signal`` of the same track, or None. When given,
            the free foot's height is ``ankle_checked_height``: a "touchdown" of
            the heel and toe while the ankle stays up is not one; nor is one
            while the ankle is unseen (such frames count as unseen: a dip
            between two lifts is merged unless the foot was seen down, ankle
            included, for ``min_touchdown_s``).

    Returns:
        holds in time order (``ended_by`` is "touchdown", "end of video" or
        "lost tracking"; hops are split later by ``split_hops``).
    """
    n = signal.shape[0]
    if n == 0:
        return []
    b = (
        double_stance_baseline(signal, th.lift_on_leg, th.lift_off_leg)
        if baseline is None
        else baseline
    )
    seen = np.isfinite(signal)
    spans: list[HoldSpan] = []
    bridged: list[tuple[float, float]] = []
    ba = (
        double_stance_baseline(ankle, th.lift_on_leg, th.lift_off_leg) if ankle is not None else 0.0
    )
    for sign, free in ((1.0, "right"), (-1.0, "left")):
        x = sign * (signal - b)
        if ankle is not None:
            x = ankle_checked_height(x, sign * (ankle - ba), th.lift_on_leg, th.lift_off_leg)
        up = seen & (x > th.lift_off_leg)
        # Runs separated only by unseen frames are one: a gap may hide the rest of a rise
        # (the foot seen leaving the floor, not yet at lift_on_leg, then lost).
        joined: list[list[int]] = []
        for a, e in _runs(up):
            if (
                joined
                and not seen[joined[-1][1] : a].any()
                and times_s[a] - times_s[joined[-1][1] - 1] <= th.max_bridge_s
            ):
                joined[-1][1] = e
            else:
                joined.append([a, e])
        runs = [(a, e) for a, e in joined if np.nanmax(x[a:e]) > th.lift_on_leg]
        merged: list[list[int]] = []
        unconfirmed: list[list[tuple[float, float]]] = []
        frame_s = float(np.median(np.diff(times_s))) if n > 1 else 0.0
        for a, e in runs:
            if merged:
                _, pe = merged[-1]
                gap_s = times_s[a] - times_s[pe - 1]
                down = seen[pe:a] & ~(x[pe:a] > th.lift_off_leg)
                heel_toe_down_s = float(down.sum()) * frame_s
                if ankle is not None:
                    # heel and toe "down" while the ankle is unseen: the pose model's
                    # far-foot error looks just like this; a touchdown needs the ankle
                    down &= np.isfinite(ankle[pe:a])
                down_s = float(down.sum()) * frame_s
                # Merge when the foot was not *seen* down for a touchdown's length: a
                # one-frame dip is a glitch, a stretch without landmarks (or without the
                # ankle) is no evidence.
                if down_s < th.min_touchdown_s - 1e-9 and gap_s <= th.max_bridge_s:
                    merged[-1][1] = e
                    bridged.append((float(times_s[pe - 1]), float(times_s[a])))
                    if heel_toe_down_s >= th.min_touchdown_s - 1e-9:
                        unconfirmed[-1].append((float(times_s[pe]), float(times_s[a - 1])))
                    continue
            merged.append([a, e])
            unconfirmed.append([])
        for (a, e), dips in zip(merged, unconfirmed, strict=True):
            last = e - 1
            started, unseen_from = _how_started(times_s, x, seen, a, th)
            start = (
                _crossing_time(times_s, x, a - 1, a, th.lift_off_leg)
                if a > 0 and seen[a - 1]
                else float(times_s[a])
            )
            if started == "lift-off" and a > 0:
                # also when the foot was hidden just before (far leg in side view):
                # the tangent extrapolates the rise back to the floor level
                start = _tangent_onset(times_s, x, a, e, th, rising=True, fallback=start)
            start_gap = _hidden_edge(times_s, x, seen, a, e, th, rising=True)
            if start_gap is not None:
                start = 0.5 * (start_gap[0] + start_gap[1])
            unseen_to = math.nan
            if e >= n:
                end, ended = float(times_s[last]), "end of video"
            elif not seen[e]:
                end, ended = float(times_s[last]), "lost tracking"
                after = np.flatnonzero(seen[e:])
                unseen_to = float(times_s[e + after[0]]) if after.size else math.nan
            else:
                end = _crossing_time(times_s, x, last, e, th.lift_off_leg)
                end = _tangent_onset(times_s, x, a, e, th, rising=False, fallback=end)
                ended = "touchdown"
            end_gap = None if e >= n else _hidden_edge(times_s, x, seen, a, e, th, rising=False)
            if end_gap is not None:
                end = 0.5 * (end_gap[0] + end_gap[1])
            if end - start >= th.min_hold_s:
                spans.append(
                    HoldSpan(
                        start,
                        end,
                        a,
                        last,
                        free,
                        ended,
                        tuple(dips),
                        started,
                        unseen_from,
                        unseen_to,
                        start_gap,
                        end_gap,
                    )
                )
    spans.sort(key=lambda s: s.start_s)
    return spans


TRAVEL_PERCENTILES = (5.0, 95.0)
"""Percentiles (low, high) of the hips' positions along the floor over a hold;
the gap between them is the hold's travel: the span of nearly every frame, not
of its two ends, so one stray frame (a detection of something else as the
person walks out of the picture) neither makes a walk look like standing
still nor a hold like a walk."""


def hold_travel_leg_s(u_px: FloatArray, hold: HoldSpan, leg_px: float) -> float:
    """How fast the hips travelled along the floor during ``hold``, leg lengths per second.

    ``u_px``: (T,) the hip midpoint along the floor line in the picture, px.
    The span of its positions over the hold (``TRAVEL_PERCENTILES``) over the
    hold's duration; 0.0 when unknown (unseen hips, no leg length). The span,
    not the last position minus the first: a person walking out of the
    picture after a hold was read as a 1.3 s hold on the other leg when its
    last frame was a stray detection back where the walk began (the real
    flamingo clip read at 480 px; the ends gave 0.08 leg/s, the span 0.49).
    """
    sl = slice(hold.start_i, hold.end_i + 1)
    u = u_px[sl]
    u = u[np.isfinite(u)]
    duration = hold.end_s - hold.start_s
    if u.size < 2 or not math.isfinite(leg_px) or leg_px <= 0 or duration <= 0:
        return 0.0
    lo, hi = np.percentile(u, TRAVEL_PERCENTILES)
    return float((hi - lo) / leg_px / duration)


_HOP_LANDING: dict[str, Any] = {
    "started_by": "hop landing",
    "unseen_before_s": math.nan,
    "start_gap_s": None,
}


def split_hops(
    times_s: FloatArray,
    stance_height: FloatArray,
    hip_height: FloatArray,
    hold: HoldSpan,
    th: BalanceThresholds,
) -> list[HoldSpan]:
    """Split a hold where the stance foot leaves the floor (a hop).

    A hop is a stretch in which the stance foot's lowest point is more than
    ``hop_rise_leg`` above its level over the preceding ``hop_reference_s``,
    lasting at most ``max_hop_air_s``, while the hip midpoint rises by at least
    half as much (the whole body leaves the floor; a foot-landmark glitch does
    not move the hips).

    Args:
        times_s: (T,) frame times, s.
        stance_height: (T,) height of the stance foot's lowest point, in leg
            lengths, along the up direction (any origin).
        hip_height: (T,) height of the hip midpoint, same units and direction.
        hold: the hold to check.
        th: thresholds.

    Returns:
        the hold itself when there is no hop, else the pieces: each piece but
        the last ends by "hop"; the next piece starts at landing. Pieces
        shorter than ``min_hold_s`` are dropped.
    """
    i0, i1 = hold.start_i, hold.end_i
    hops: list[tuple[int, int]] = []
    i = i0
    while i <= i1:
        ref_sl = (times_s >= times_s[i] - th.hop_reference_s) & (times_s < times_s[i])
        ref_sl[: max(i0, 0)] = False
        if ref_sl.sum() >= 3 and math.isfinite(stance_height[i]):
            ref_f = nan_median(stance_height[ref_sl])
            ref_h = nan_median(hip_height[ref_sl])  # NaN when the hips were not seen: no hop
            if stance_height[i] - ref_f > th.hop_rise_leg:
                j = i
                while j + 1 <= i1 and stance_height[j + 1] - ref_f > th.hop_rise_leg:
                    j += 1
                air_s = times_s[j] - times_s[i]
                seg = slice(i, j + 1)
                foot_rise = float(np.nanmax(stance_height[seg])) - ref_f
                hip_seg = hip_height[seg][np.isfinite(hip_height[seg])]
                hip_rise = float(hip_seg.max()) - ref_h if hip_seg.size else math.nan
                if air_s <= th.max_hop_air_s and j < i1 and hip_rise >= 0.5 * foot_rise:
                    hops.append((i, j + 1))
                i = j + 1
                continue
        i += 1
    if not hops:
        return [hold]
    pieces: list[HoldSpan] = []
    start_s, start_i = hold.start_s, i0

    def dips(lo: float, hi: float) -> tuple[tuple[float, float], ...]:
        return tuple(d for d in hold.unconfirmed_touchdowns_s if lo <= d[0] <= hi)

    first = True
    for take_i, land_i in hops:
        end_i = max(take_i - 1, start_i)
        end_s = float(times_s[end_i])
        if end_s - start_s >= th.min_hold_s:
            pieces.append(
                replace(
                    hold,
                    start_s=start_s,
                    end_s=end_s,
                    start_i=start_i,
                    end_i=end_i,
                    ended_by="hop",
                    unconfirmed_touchdowns_s=dips(start_s, end_s),
                    unseen_after_s=math.nan,
                    end_gap_s=None,
                    **({} if first else _HOP_LANDING),
                )
            )
        start_s, start_i, first = float(times_s[land_i]), land_i, False
    if hold.end_s - start_s >= th.min_hold_s:
        pieces.append(
            replace(
                hold,
                start_s=start_s,
                start_i=start_i,
                unconfirmed_touchdowns_s=dips(start_s, hold.end_s),
                **({} if first else _HOP_LANDING),
            )
        )
    return pieces


def ellipse_area_95(xy: FloatArray) -> float:
    """Area of the 95% confidence ellipse of 2D points (unit of xy squared).

    ``pi * chi2_{0.95,2} * sqrt(det(cov))`` (Schubert & Kirchner 2014 use the
    same definition for centre-of-pressure sway). NaN rows are dropped; NaN
    with fewer than 3 points.
    """
    ok = np.isfinite(xy).all(axis=1)
    if ok.sum() < 3:
        return math.nan
    cov = np.cov(xy[ok].T)
    det = float(np.linalg.det(cov))
    return math.pi * CHI2_95_2DOF * math.sqrt(max(det, 0.0))


def sway_1d(times_s: FloatArray, u_cm: FloatArray) -> dict[str, float]:
    """Path (cm), mean velocity (cm/s) and RMS about the mean (cm) of a 1D sway trace.

    NaN samples are skipped (the path is summed over consecutive seen samples).
    """
    ok = np.isfinite(u_cm)
    if ok.sum() < 3:
        return {"path_cm": math.nan, "velocity_cm_s": math.nan, "rms_cm": math.nan}
    du = np.abs(np.diff(u_cm))
    both = ok[1:] & ok[:-1]
    path = float(du[both].sum())
    dt = np.diff(times_s)[both].sum()
    rms = float(np.sqrt(np.mean((u_cm[ok] - u_cm[ok].mean()) ** 2)))
    return {
        "path_cm": path,
        "velocity_cm_s": path / dt if dt > 0 else math.nan,
        "rms_cm": rms,
    }


def person_axes_xz(world: FloatArray) -> tuple[FloatArray, FloatArray] | None:
    """The person's right and forward directions on the floor, in camera axes.

    Args:
        world: (T, 33, 3) world landmarks (metres; camera-aligned axes x right,
            y down, z away from the camera, as MediaPipe gives them), over the
            frames of one hold.

    Returns:
        (right, forward): (2,) unit vectors in the horizontal (x, z) plane,
        or None when the hips are never seen. The pelvis line (left hip to
        right hip) is averaged as an *axis* (doubled angles), so frames with
        swapped left/right labels do not cancel it; forward is perpendicular,
        on the side the toes point to (heel to toe of both feet); when the
        feet give no direction, the hip labels decide (forward = left x up).
    """
    lr = world[:, Landmark.RIGHT_HIP][:, [0, 2]] - world[:, Landmark.LEFT_HIP][:, [0, 2]]
    ok = np.isfinite(lr).all(axis=1) & (np.linalg.norm(lr, axis=1) > 0)
    if not ok.any():
        return None
    ang = np.arctan2(lr[ok, 1], lr[ok, 0])
    axis_ang = 0.5 * math.atan2(float(np.sin(2 * ang).mean()), float(np.cos(2 * ang).mean()))
    right = np.array([math.cos(axis_ang), math.sin(axis_ang)])
    if float(np.median(lr[ok] @ right)) < 0:  # labels say the other way
        right = -right
    # forward = right x up (up = -y): (rx, rz) -> (-rz, rx) in (x, z)
    forward = np.array([-right[1], right[0]])
    toes = []
    for side in SIDES:
        v = world[:, side_landmark(side, "foot_index")] - world[:, side_landmark(side, "heel")]
        toes.append(v[:, [0, 2]])
    tv = np.concatenate(toes)
    tv = tv[np.isfinite(tv).all(axis=1)]
    if tv.shape[0]:
        along = float(np.median(tv @ forward))
        if along < 0:  # the toes point the other way: the labels were swapped
            forward, right = -forward, -right
    return right, forward


def depth_sway_cm(
    picture_cm: FloatArray,
    depth_cm: FloatArray,
    right: FloatArray,
    forward: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """(ML, AP) sway, cm, from the picture and depth axes of the camera.

    Args:
        picture_cm: (T,) hip midpoint along the picture's horizontal, cm
            (+ image right), any origin.
        depth_cm: (T,) hip midpoint depth relative to the stance ankle, cm
            (+ away from the camera), any origin.
        right, forward: (2,) person axes in camera (x, z) from ``person_axes_xz``.

    Returns:
        (ml, ap): (T,) each, cm, + toward the person's right / forward.
    """
    ml = picture_cm * right[0] + depth_cm * right[1]
    ap = picture_cm * forward[0] + depth_cm * forward[1]
    return ml, ap


def wrist_out(
    world: FloatArray,
    limit_torso: float,
    free_side: str | None = None,
    hand_on_foot_torso: float = 0.0,
) -> tuple[BoolArray, BoolArray]:
    """Arms held out from the body, frame by frame, in 3D.

    A wrist is *out* when its horizontal distance (world x-z plane) from its
    own shoulder is more than ``limit_torso`` torso lengths (shoulder midpoint
    to hip midpoint). Under gravity a relaxed arm hangs below its shoulder
    whatever the trunk does, so a forward hinge does not count; hands on the
    hips sit close under the shoulders too. A wrist within
    ``hand_on_foot_torso`` torso lengths of the free foot's ankle is holding
    the foot (a quad stretch): that wrist is not judged.

    Args:
        world: (T, 33, 3) world landmarks, metres (y down, about vertical for a
            level camera).
        limit_torso: horizontal wrist-shoulder distance, torso lengths.
        free_side: label of the raised foot, or None (no hand-on-foot test).
        hand_on_foot_torso: wrist-to-free-ankle distance, torso lengths.

    Returns:
        (out, judged): (T,) bool each. ``judged`` is False where no wrist could
        be judged (unseen, or every seen wrist holds the foot); ``out`` is True
        where a judged wrist is out.
    """
    sh = (world[:, Landmark.LEFT_SHOULDER] + world[:, Landmark.RIGHT_SHOULDER]) / 2
    hp = (world[:, Landmark.LEFT_HIP] + world[:, Landmark.RIGHT_HIP]) / 2
    torso = np.linalg.norm(sh - hp, axis=1)
    torso = np.where(torso > 0, torso, np.nan)
    out = np.zeros(world.shape[0], dtype=bool)
    judged = np.zeros(world.shape[0], dtype=bool)
    for side in SIDES:
        wrist = world[:, side_landmark(side, "wrist")]
        shoulder = world[:, side_landmark(side, "shoulder")]
        horiz = np.linalg.norm((wrist - shoulder)[:, [0, 2]], axis=1) / torso
        ok = np.isfinite(horiz)
        if free_side is not None and hand_on_foot_torso > 0:
            ankle = world[:, side_landmark(free_side, "ankle")]
            to_foot = np.linalg.norm(wrist - ankle, axis=1) / torso
            with np.errstate(invalid="ignore"):
                ok &= ~(to_foot < hand_on_foot_torso)
        with np.errstate(invalid="ignore"):
            out |= ok & (horiz > limit_torso)
        judged |= ok
    return out, judged


def lift_extent(signal: FloatArray, th: BalanceThresholds) -> float:
    """How far a foot is lifted at most (leg lengths): the 95th percentile of the
    lift signal's distance from its double-stance level; 0 without samples."""
    ok = np.isfinite(signal)
    if not ok.any():
        return 0.0
    base = double_stance_baseline(signal[ok], th.lift_on_leg, th.lift_off_leg)
    return float(np.percentile(np.abs(signal[ok] - base), 95))


BACK_TURNED_FRACTION = 0.5
"""Share of the clip's duration, in back or rear-oblique view, above which a
clip counts as filmed from behind (``back_to_the_camera``): most of it."""


def back_to_the_camera(view: ViewResult) -> bool:
    """True when the person has their back to the camera for most of the clip.

    Back and rear-oblique segments (``ViewSegment.toward == "rear"``) longer
    than ``BACK_TURNED_FRACTION`` of the segments' total duration. From
    behind, the pose model's 3D world feet under-read a foot lifted behind
    the body (MediaPipe full on rendered 3 s holds, the toe ~15 cm up: the
    free foot's lowest point 0.03 leg lengths up back-on and 0.065
    rear-oblique, against 0.10-0.14 in the picture, and its knee read
    straight), while the picture shows it clearly (7 of 7 holds found from
    it, 2 of 7 from the 3D feet; docs/ACCURACY.md). So from behind,
    foot heights are measured in the picture when it shows the bigger lift
    (``lift_extent``): neither view of the foot can over-read a lift behind
    the body (the picture foreshortens it, the 3D model flattens it), but a
    foot stepped forward, away from the camera, does look higher in the
    picture, so the holds are flagged. Side views are left out: side-on, the
    3D feet are right whichever way the person leans.
    """
    total = sum(seg.end_s - seg.start_s for seg in view.segments)
    behind = sum(
        seg.end_s - seg.start_s
        for seg in view.segments
        if seg.toward == "rear" and seg.view in ("back", "oblique")
    )
    return total > 0 and behind > BACK_TURNED_FRACTION * total


def other(side: str) -> str:
    """The other side."""
    return "left" if side == "right" else "right"


def near_side_from_facing(facing: str | None) -> str | None:
    """The body side toward the camera when the person faces image-left/right.

    A person facing image-left turns their left side to the camera (right =
    forward x up points away from the camera); this assumes an unmirrored video.
    """
    if facing in ("left", "right"):
        return facing
    return None


def stance_from_depth(
    z: FloatArray, hold: HoldSpan, near_side: str | None, margin: float = 0.05
) -> str | None:
    """Stance side from depth order in a side view, or None when unclear.

    Args:
        z: (T, 33) relative depth of the landmarks (smaller = nearer), as the
            pose model gives it (same scale as image x).
        hold: the hold; its ``free_side`` names the labels of the higher foot.
        near_side: the body side facing the camera.
        margin: depth difference (image widths) below which the order is unclear.
    """
    if near_side is None:
        return None
    sl = slice(hold.start_i, hold.end_i + 1)
    stance_lbl = other(hold.free_side)
    parts = ("ankle", "heel")
    zs = np.nanmedian([z[sl, side_landmark(stance_lbl, p)] for p in parts])
    zf = np.nanmedian([z[sl, side_landmark(hold.free_side, p)] for p in parts])
    if not (math.isfinite(zs) and math.isfinite(zf)) or abs(zs - zf) < margin:
        return None
    stance_is_near = zs < zf
    return near_side if stance_is_near else other(near_side)


# =============================================================== the drill
class SingleLegBalance:
    """The single-leg balance drill (see the module docstring)."""

    name = "single-leg-balance"
    title = "Single-leg balance"
    accepted_views = frozenset({"front", "back", "side", "oblique"})
    how_to_film = (
        "Put the phone at hip height 2-3 m away, facing you (front view shows side-to-side "
        "sway) or side-on (shows front-to-back sway), with your whole body and both feet in "
        "the picture. Stand still on both feet for 2 s, then lift one foot and hold; do the "
        "other leg in the same clip if you like."
    )
    measures = (
        "hold times, touchdowns, hip sway (path, velocity, 95% area), stance-knee bend, "
        "arm use, left vs right"
    )

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Measure holds, sway and form in ``ctx`` (see the module docstring)."""
        th = load_balance_thresholds(dict(ctx.options.thresholds))
        return _analyze(ctx, th)


def _analyze(ctx: DrillContext, th: BalanceThresholds) -> DrillResult:
    clean = ctx.conditioned.track
    t = np.asarray(clean.timestamps_s, dtype=np.float64)
    n = len(t)
    px = np.asarray(clean.landmarks[:, :, :2], dtype=np.float64) * np.array(
        [clean.width, clean.height], dtype=np.float64
    )
    world = np.asarray(clean.world, dtype=np.float64)
    z = np.asarray(clean.landmarks[:, :, 2], dtype=np.float64)
    up_px = _floor_up_px(ctx)
    flags: dict[str, str] = {}
    warnings: list[QualityIssue] = []
    cues: list[Cue] = []

    # ---- lift signal: world (no perspective) when available, else the picture
    feet = _foot_idx("left") + _foot_idx("right")
    raw_hips = np.asarray(ctx.track.landmarks[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]])
    person = np.asarray(np.isfinite(raw_hips).all(axis=(1, 2)), dtype=bool)
    feet_seen = np.asarray(np.isfinite(px[:, feet]).all(axis=(1, 2)), dtype=bool)
    filled_by_side: dict[str, BoolArray] = {side: np.zeros(n, dtype=bool) for side in SIDES}
    if person.any() and feet_seen[person].mean() < th.min_reliable_fraction:
        # a foot hidden most of the time (the far foot in a side view): the pose model's
        # estimate of it is the only evidence; use it and say so
        world, px, z, filled = fill_hidden_legs(ctx)
        filled_by_side = {
            side: np.asarray(filled[:, _foot_idx(side)].any(axis=1), dtype=bool) for side in SIDES
        }
        hidden = [
            MSG_HIDDEN_FOOT.format(side=side, pct=100 * float(filled_by_side[side][person].mean()))
            for side in SIDES
            if filled_by_side[side][person].any()
        ]
        if hidden:
            flags["holds"] = "; ".join(hidden)
    world_ok = np.isfinite(world[:, feet]).all(axis=(1, 2))
    px_ok = np.isfinite(px[:, feet]).all(axis=(1, 2))
    from_behind = back_to_the_camera(ctx.view)
    picture, _ = lift_signal(px, up_px)
    if world_ok.any() and world_ok.sum() >= 0.5 * px_ok.sum():
        signal, _ = lift_signal(world, np.array([0.0, -1.0, 0.0]))
        source = "3D world landmarks"
        if from_behind and lift_extent(signal, th) < lift_extent(picture, th):
            signal, source = picture, "picture, perpendicular to the floor line"
            flags["holds"] = MSG_PICTURE_FROM_BEHIND
    else:
        signal, source = picture, "picture, perpendicular to the floor line"
        track_has_world = bool(np.isfinite(np.asarray(ctx.track.world)[:, feet]).any())
        flags["holds"] = MSG_PICTURE_HEIGHTS if not track_has_world else MSG_PICTURE_FALLBACK
    leg_px = leg_length(px)
    cm_per_px = float(ctx.calibration.cm_per_px)
    leg_cm = leg_px * cm_per_px if math.isfinite(leg_px) else math.nan
    baseline = double_stance_baseline(signal, th.lift_on_leg, th.lift_off_leg)

    ankle_sig = (
        ankle_lift_signal(world, np.array([0.0, -1.0, 0.0]))
        if source == "3D world landmarks"
        else ankle_lift_signal(px, up_px)
    )
    # Frames where the conditioned feet are missing (visibility drops) but the pose
    # model still placed them: its low-visibility estimate, marked, is better evidence
    # of where a hold starts or ends than none. Frames without a detection stay NaN.
    estimated = np.zeros(n, dtype=bool)
    gaps = ~np.isfinite(signal)
    weak_why: dict[str, BoolArray] = {}
    if gaps.any() and person.any():
        world_f, px_f, _, _ = fill_hidden_legs(ctx)
        if source == "3D world landmarks":
            sig_f, _ = lift_signal(world_f, np.array([0.0, -1.0, 0.0]))
            ank_f = ankle_lift_signal(world_f, np.array([0.0, -1.0, 0.0]))
        else:
            sig_f, _ = lift_signal(px_f, up_px)
            ank_f = ankle_lift_signal(px_f, up_px)
        estimated = gaps & np.isfinite(sig_f)
        weak_why["estimated"] = estimated
        signal = np.where(estimated, sig_f, signal)
        ankle_sig = np.where(estimated & ~np.isfinite(ankle_sig), ank_f, ankle_sig)
    relabelled = undo_label_jumps(t, signal, baseline, th)
    if relabelled.any():
        signal = np.where(relabelled, 2 * baseline - signal, signal)
        ankle_b = double_stance_baseline(ankle_sig, th.lift_on_leg, th.lift_off_leg)
        ankle_sig = np.where(relabelled, 2 * ankle_b - ankle_sig, ankle_sig)
        weak_why["relabelled"] = relabelled
    holds = detect_holds(t, signal, th, baseline, ankle=ankle_sig)
    stance_h_all = {
        side: lowest_point_height(px[:, _foot_idx(side)], up_px) / leg_px for side in SIDES
    }
    hip_h = ((px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP]) / 2 @ up_px) / leg_px
    split: list[HoldSpan] = []
    for h in holds:
        split.extend(split_hops(t, stance_h_all[other(h.free_side)], hip_h, h, th))
    holds = split

    # ---- hips travelling along the floor: walking (away after the hold), not a hold
    floor_dir = np.array([-up_px[1], up_px[0]])
    if floor_dir[0] < 0:
        floor_dir = -floor_dir
    hip_mid = (px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP]) / 2
    u_px = hip_mid @ floor_dir
    walks = [h for h in holds if hold_travel_leg_s(u_px, h, leg_px) > th.max_hold_travel_leg_s]
    if walks:
        holds = [h for h in holds if h not in walks]
        spans = ", ".join(f"{h.start_s:.1f}-{h.end_s:.1f} s" for h in walks)
        warnings.append(QualityIssue("walking_not_a_hold", "info", MSG_WALKING.format(spans=spans)))

    view = ctx.view.view
    axis = SWAY_AXIS_BY_VIEW.get(view, "mixed")
    near = near_side_from_facing(ctx.view.facing)
    options_leg = ctx.options.leg

    # ---- sway centre: hip midpoint, along the floor line in the picture
    u_cm = u_px * cm_per_px
    world_scale = (
        leg_cm / leg_length(world) if math.isfinite(leg_length(world)) else math.nan
    )  # cm per world metre: world geometry in this person's calibrated size

    # each foot's own height in the lift signal's frame, for the standing foot's check
    if source == "3D world landmarks":
        world_up, world_leg = np.array([0.0, -1.0, 0.0]), leg_length(world)
        stance_h = {
            side: lowest_point_height(world[:, _foot_idx(side)], world_up) / world_leg
            for side in SIDES
        }
    else:
        stance_h = stance_h_all
    in_hold = np.zeros(n, dtype=bool)
    for h in holds:
        in_hold[h.start_i : h.end_i + 1] = True
    hold_s = np.zeros(n)
    sway_series = np.full(n, np.nan)
    ml_series = np.full(n, np.nan)
    ap_series = np.full(n, np.nan)
    height_series = np.abs(signal - baseline) * leg_cm
    events: list[dict[str, Any]] = []
    for k, h in enumerate(holds):
        sl = slice(h.start_i, h.end_i + 1)
        ml, ap = hold_sway_axes(
            u_cm[sl],
            world[sl],
            world_scale,
            other(h.free_side),
            axis,
            times_s=t[sl],
            depth_cutoff_hz=th.sway_depth_cutoff_hz,
            foot_outlier_m=th.sway_foot_outlier_cm / world_scale,
        )
        ev = _measure_hold(
            k,
            h,
            t,
            signal,
            baseline,
            leg_cm,
            u_cm,
            (ml, ap),
            world,
            z,
            near,
            view,
            axis,
            ctx,
            th,
        )
        hold_s[sl] = np.clip(t[sl] - h.start_s, 0.0, None)
        sway_series[sl] = u_cm[sl] - np.nanmean(u_cm[sl]) if np.isfinite(u_cm[sl]).any() else np.nan
        ml_series[sl] = ml
        ap_series[sl] = ap
        stance_up = stance_foot_off_floor(t, stance_h[other(h.free_side)], h, in_hold, th)
        _flag_boundaries(
            ev, h, t, signal, ankle_sig, baseline, {**weak_why, "stance_up": stance_up}, th
        )
        events.append(ev)

    # ---- interruptions (touchdowns), cues per hold
    touchdowns = 0
    for k, ev in enumerate(events):
        ev["interrupted"] = False
        if ev["ended_by"] == "touchdown" and k + 1 < len(events):
            nxt = events[k + 1]
            if (
                nxt["stance_leg"] == ev["stance_leg"]
                and nxt["start_s"] - ev["end_s"] <= th.resume_window_s
            ):
                ev["interrupted"] = True
                touchdowns += 1
                cues.append(
                    Cue(
                        ev["end_s"],
                        "warning",
                        MSG_TOUCHDOWN.format(
                            time=ev["end_s"], leg=ev["stance_leg"], held=ev["duration_s"]
                        ),
                    )
                )
        if ev["ended_by"] == "hop":
            cues.append(
                Cue(ev["end_s"], "warning", MSG_HOP.format(time=ev["end_s"], leg=ev["stance_leg"]))
            )
        cues.extend(ev.pop("_cues"))

    if options_leg in ("left", "right"):
        chosen = [e for e in events if e["stance_leg"] == options_leg]
        if len(chosen) < len(events):
            warnings.append(
                QualityIssue(
                    "other_leg_ignored",
                    "info",
                    f"holds on the {other(options_leg)} leg were left out because you chose "
                    f"the {options_leg} leg",
                )
            )
        events = chosen

    summary = _summary(events, touchdowns, axis, source, th)
    summary["sway_centre"] = "hip midpoint"
    summary["sway_axis"] = AXIS_WORDS[axis]
    if not events:
        why = (
            "no single-leg hold found: lift one foot clearly off the floor (at least to "
            "the height of your other ankle) and hold it there for a few seconds, with "
            "both feet in the picture"
        )
        if from_behind:
            why += (
                "; filmed from behind, a foot lifted behind you is hard for the pose model to "
                "place: film from the front or side-on"
            )
        warnings.append(QualityIssue("no_hold", "warning", why))
    _summary_flags(events, flags, axis, view)
    norms = _norms(summary, ctx, th)
    cues.extend(_summary_cues(summary, th))
    score = _score(summary, th)

    series: dict[str, FloatArray] = {
        "hold_s": hold_s,
        "free_foot_height_cm": height_series,
        "sway_ml_cm": ml_series,
        "sway_ap_cm": ap_series,
    }
    if axis == "mixed":
        series["sway_x_cm"] = sway_series
    return DrillResult(
        summary=summary,
        events=events,
        cues=cues,
        score=score,
        flags=flags,
        norms=norms,
        series=series,
        warnings=warnings,
        overlay=("hold_s", "free_foot_height_cm", _sway_series_name(axis)),
    )


STANCE_UP_SDS = 3.0
"""Robust SDs of the standing foot's own wobble in the hold above which it counts
as placed off the floor (``stance_foot_off_floor``): a noisy foot that wobbles
by 0.02 leg needs 0.06 (heavy synthetic noise flagged 28 more of 112 hold ends,
27 of them right, with a fixed ``lift_off_leg``)."""


def stance_foot_off_floor(
    times_s: FloatArray,
    stance_h: FloatArray,
    h: HoldSpan,
    in_hold: BoolArray,
    th: BalanceThresholds,
) -> BoolArray:
    """Frames (T,) where the hold's standing foot is placed off the floor, in runs.

    One foot stays on the floor through a hold's start and end, so a
    standing foot placed ``lift_off_leg`` or more above both its level in the
    hold and its level outside every hold (medians of ``stance_h``, its
    lowest point in leg lengths), and by ``STANCE_UP_SDS`` robust SDs of its
    wobble in the hold, for ``min_touchdown_s`` or longer is the pose
    model misplacing it: the lift signal, the difference of the two feet,
    then reads the lift late. Seen on a render filmed from behind at -45 deg,
    where the model raised both feet in the picture for 0.2 s after the true
    lift-off and the hold started 0.38 s late (docs/ACCURACY.md). Both levels
    are used because a person shifting their weight over the standing foot
    moves it in the picture (0.05 leg on that render).

    Args:
        times_s: (T,) frame times, s.
        stance_h: (T,) the standing foot's lowest point, leg lengths (NaN unseen).
        h: the hold.
        in_hold: (T,) bool, frames inside any hold.
        th: thresholds.
    """
    n = times_s.shape[0]
    out = np.zeros(n, dtype=bool)
    own = stance_h[h.start_i : h.end_i + 1]
    rest = stance_h[~in_hold]
    levels = [float(np.nanmedian(x)) for x in (own, rest) if np.isfinite(x).any()]
    if not levels or n < 2:
        return out
    own_ok = own[np.isfinite(own)]
    noise = robust_sd(own_ok, levels[0]) if own_ok.size else 0.0
    with np.errstate(invalid="ignore"):
        up = stance_h >= max(levels) + max(th.lift_off_leg, STANCE_UP_SDS * noise)
    frame_s = float(np.median(np.diff(times_s)))
    for a, e in _runs(up):
        if (e - a) * frame_s >= th.min_touchdown_s - 1e-9:
            out[a:e] = True
    return out


WEAK_WORDS = {
    "unseen": "not seen",
    "estimated": "seen only with low visibility (the pose model's estimate)",
    "relabelled": "labelled as the other leg by the pose model (repaired)",
    "overruled": "placed by its heel and toe on or near the floor while its ankle was up",
    "stance_up": "measured against a standing foot the pose model placed off the floor too",
}
MSG_BOUNDARY = (
    "hold {which} uncertain: around {time:.1f} s ({lo:.1f}-{hi:.1f} s) the free foot was {why}"
)


def _flag_boundaries(
    ev: dict[str, Any],
    h: HoldSpan,
    t: FloatArray,
    signal: FloatArray,
    ankle: FloatArray,
    baseline: float,
    weak_why: dict[str, BoolArray],
    th: BalanceThresholds,
) -> None:
    """Mark the hold's start/end uncertain when weak evidence lies near it (in place).

    Sets ``ev["start_uncertain"]``/``ev["end_uncertain"]`` (bool) and, when
    True, a flag on ``start_s``/``end_s`` saying when and why.
    """
    x = np.where(np.isfinite(signal), signal, np.nan)
    overruled = weak_evidence_frames(x, ankle, baseline, h.free_side, th, t) & np.isfinite(x)
    reasons = {"unseen": ~np.isfinite(x), **weak_why, "overruled": overruled}
    weak = np.zeros(t.shape[0], dtype=bool)
    for m in reasons.values():
        weak |= m
    for which, key, at, out in (
        ("start", "start_s", h.start_s, -1.0),
        ("end", "end_s", h.end_s, 1.0),
    ):
        if (which == "end" and h.ended_by == "end of video") or (
            which == "start" and h.started_by == "start of video"
        ):
            # the recording's own end: an exact bound, said by its own flag (_open_ends)
            ev[f"{which}_uncertain"] = False
            continue
        span = boundary_uncertain(t, at, weak, th.boundary_evidence_s, outward=out)
        ev[f"{which}_uncertain"] = span is not None
        if span is None:
            continue
        near = (t >= span[0]) & (t <= span[1])
        why = ", ".join(WEAK_WORDS[r] for r, m in reasons.items() if (m & near).any())
        msg = MSG_BOUNDARY.format(which=which, time=at, lo=span[0], hi=span[1], why=why)
        old = ev["flags"].get(key)
        ev["flags"][key] = f"{old}; {msg}" if old else msg


def _sway_series_name(axis: str) -> str:
    return {"ml": "sway_ml_cm", "ap": "sway_ap_cm"}.get(axis, "sway_x_cm")


DEPTH_FLAG = {
    "ml": (
        "sway_ap",
        "front-to-back sway estimated from depth: a {view} view does not show it, so it comes "
        "from the pose model's depth estimate, which is rough",
    ),
    "ap": (
        "sway_ml",
        "side-to-side sway estimated from depth: a {view} view does not show it, so it comes "
        "from the pose model's depth estimate, which is rough",
    ),
}
"""Primary picture axis -> (the depth-based axis's key stem, why it is flagged)."""

MIXED_FLAG = (
    "sway axes partly estimated from depth: in an oblique view side-to-side and front-to-back "
    "sway both mix in the pose model's depth estimate, which is rough"
)


def depth_axis_flags(axis: str, view: str) -> dict[str, str]:
    """Flags of the sway numbers resting on the model's depth (series and RMS keys)."""
    if axis in DEPTH_FLAG:
        stem, why = DEPTH_FLAG[axis]
        msg = why.format(view=view if view in ("front", "back", "side") else "this")
        return {f"{stem}_cm": msg, f"{stem}_rms_cm": msg}
    return {k: MIXED_FLAG for k in ("sway_ml_cm", "sway_ml_rms_cm", "sway_ap_cm", "sway_ap_rms_cm")}


def hold_sway_axes(
    u_cm: FloatArray,
    world: FloatArray,
    world_scale: float,
    stance_label: str,
    axis: str,
    times_s: FloatArray | None = None,
    depth_cutoff_hz: float | None = None,
    foot_outlier_m: float = math.inf,
) -> tuple[FloatArray, FloatArray]:
    """(ML, AP) sway of one hold, cm, each about its mean over the hold.

    Args:
        u_cm: (H,) hip midpoint along the picture's floor line, cm (+ image right).
        world: (H, 33, 3) world landmarks of the hold (metres, hip-midpoint origin).
        world_scale: cm per world metre (the calibrated leg over its world length).
        stance_label: the pose model's label of the stance foot over the hold
            (frame by frame, the lower foot is used).
        axis: the picture's axis for the view ("ml", "ap" or "mixed").
        times_s: (H,) frame times, s (needed for the depth low-pass).
        depth_cutoff_hz: low-pass cut-off of the depth trace (zero-phase
            Butterworth), Hz; None: not filtered.
        foot_outlier_m: heel/toe depth further than this from the ankle's
            (each about its mean over the hold), in world units, is left out.

    Returns:
        (ml, ap), (H,) each; the picture's axis is used alone for the primary
        axis in front/back ("ml") and side ("ap") views (signed into the
        person's frame); NaN when the hips or the stance ankle are never seen.
    """
    nan = np.full(u_cm.shape[0], np.nan)
    axes = person_axes_xz(world)
    if axes is None or not math.isfinite(world_scale):
        return nan, nan.copy()
    right, forward = axes
    # The stance foot is planted: its landmarks' depth (hip-midpoint origin) changes only
    # with the hip's sway and noise. Per frame the lower foot (world y points down) is
    # the stance one, so a left/right label swap of a few frames does not jump to the
    # raised foot. Heel and toe, each about its own mean, are averaged with the ankle
    # (independent noise) unless further than ``foot_outlier_m`` from it: a far foot's
    # heel and toe snap onto the near foot for whole episodes.
    idx = [side_landmark(stance_label, p) for p in FOOT_PARTS]
    idx_o = [side_landmark(other(stance_label), p) for p in FOOT_PARTS]
    own, oth = world[:, idx], world[:, idx_o]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        swapped = np.nanmax(oth[:, :, 1], axis=1) > np.nanmax(own[:, :, 1], axis=1)
        foot = np.where(swapped[:, None], oth[:, :, 2], own[:, :, 2])
        foot = foot - np.nanmean(foot, axis=0)
        ankle = foot[:, FOOT_PARTS.index("ankle")]
        foot[np.abs(foot - ankle[:, None]) > foot_outlier_m] = np.nan
        foot[:, FOOT_PARTS.index("ankle")] = ankle
        depth = -np.nanmean(foot, axis=1) * world_scale
    if depth_cutoff_hz is not None and times_s is not None and np.isfinite(depth).sum() > 3:
        depth = butterworth_zero_phase(depth, 0.0, depth_cutoff_hz, times_s=times_s)
    pic = u_cm - np.nanmean(u_cm) if np.isfinite(u_cm).any() else nan
    dep = depth - np.nanmean(depth) if np.isfinite(depth).any() else nan
    ml, ap = depth_sway_cm(pic, dep, right, forward)
    if axis == "ml":
        ml = pic * (1.0 if right[0] >= 0 else -1.0)
    elif axis == "ap":
        ap = pic * (1.0 if forward[0] >= 0 else -1.0)
    return ml - np.nanmean(ml), ap - np.nanmean(ap)


def _open_ends(h: HoldSpan) -> dict[str, str]:
    """Flags (``start_s``/``end_s`` -> message) of the ends the video did not see."""
    out = {}
    if h.started_by == "start of video":
        out["start_s"] = MSG_STARTED_BEFORE
    elif h.started_by == "first detection":
        out["start_s"] = MSG_FIRST_DETECTION.format(time=h.start_s)
    elif h.start_gap_s is not None:
        lo, hi = h.start_gap_s
        out["start_s"] = MSG_LIFT_OFF_IN_GAP.format(lo=lo, hi=hi, time=h.start_s, pm=hi - h.start_s)
    elif h.started_by == "tracking regained":
        out["start_s"] = MSG_TRACKING_REGAINED.format(lo=h.unseen_before_s, time=h.start_s)
    if h.end_gap_s is not None:
        lo, hi = h.end_gap_s
        out["end_s"] = MSG_TOUCHDOWN_IN_GAP.format(lo=lo, hi=hi, time=h.end_s, pm=hi - h.end_s)
    elif h.ended_by == "lost tracking":
        found = f" to {h.unseen_after_s:.1f} s" if math.isfinite(h.unseen_after_s) else ""
        out["end_s"] = MSG_LOST_TRACKING.format(time=h.end_s, until=found)
    return out


def _measure_hold(
    k: int,
    h: HoldSpan,
    t: FloatArray,
    signal: FloatArray,
    baseline: float,
    leg_cm: float,
    u_cm: FloatArray,
    ml_ap: tuple[FloatArray, FloatArray],
    world: FloatArray,
    z: FloatArray,
    near: str | None,
    view: str,
    axis: str,
    ctx: DrillContext,
    th: BalanceThresholds,
) -> dict[str, Any]:
    """Numbers of one hold (an event dict; ``_cues`` holds its cues, popped later)."""
    hold_flags: dict[str, str] = {}
    cues: list[Cue] = []
    label_stance = other(h.free_side)
    stance = label_stance
    method = "pose-model labels (the higher foot is the free one)"
    if view == "side":
        depth = stance_from_depth(z, h, near)
        if depth is None:
            hold_flags["stance_leg"] = (
                "stance leg unsure: in a side view the legs overlap and the depth order is unclear, so the "
                "stance leg comes from the pose model's labels, which often swap in side view"
            )
        else:
            stance = depth
            method = "depth order and the side facing the camera"
            if depth != label_stance:
                hold_flags["stance_leg"] = (
                    "stance leg taken from depth: in a side view the pose model's left/right labels disagree with the depth "
                    "order; the stance leg is taken from depth (assumes the video is not "
                    "mirrored)"
                )
    elif view == "back":
        hold_flags["stance_leg"] = (
            "left/right unchecked: in a back view they come from the pose model; check them"
        )
    elif view not in ("front", "oblique"):
        hold_flags["stance_leg"] = (
            "left/right unchecked: the view is unknown, so they come from the pose model"
        )

    sl = slice(h.start_i, h.end_i + 1)
    rel = ctx.conditioned.reliable[sl]
    unclear = []
    for role, lbl in (("free", h.free_side), ("stance", label_stance)):
        seen = float(rel[:, _foot_idx(lbl)].all(axis=1).mean()) if rel.shape[0] else 0.0
        if seen < th.min_reliable_fraction:
            unclear.append(MSG_FOOT_UNCLEAR.format(role=role, pct=100 * seen))
    if unclear:
        hold_flags["start_s"] = hold_flags["end_s"] = "; ".join(unclear)
    if h.unconfirmed_touchdowns_s:
        hold_flags["duration_s"] = "; ".join(
            MSG_UNCONFIRMED_TOUCHDOWN.format(lo=lo, hi=hi) for lo, hi in h.unconfirmed_touchdowns_s
        )
    frame_s = float(np.median(np.diff(t))) if t.shape[0] > 1 else 0.0
    # the hold's first and last frames are seen, so each unseen run has a seen frame each side
    hidden = [
        f"{t[h.start_i + a - 1]:.1f}-{t[h.start_i + e]:.1f} s"
        for a, e in _runs(~np.isfinite(signal[sl]))
        if (e - a) * frame_s >= th.min_touchdown_s - 1e-9
    ]
    if hidden:
        append_flag(hold_flags, "duration_s", MSG_UNSEEN_INSIDE.format(spans=", ".join(hidden)))
    for key, msg in _open_ends(h).items():
        append_flag(hold_flags, "duration_s", msg)
        append_flag(hold_flags, key, msg)

    ev: dict[str, Any] = {
        "kind": "hold",
        "index": k,
        "start_s": round(h.start_s, HOLD_TIME_DECIMALS),
        "end_s": round(h.end_s, HOLD_TIME_DECIMALS),
        "duration_s": round(h.duration_s, HOLD_TIME_DECIMALS),
        "stance_leg": stance,
        "stance_leg_method": method,
        "ended_by": h.ended_by,
        "started_by": h.started_by,
        "free_foot_peak_height_cm": _r(float(np.nanmax(np.abs(signal[sl] - baseline))) * leg_cm),
    }

    # ---- sway window: trim settle_s at each end
    w = (t >= h.start_s + th.settle_s) & (t <= h.end_s - th.settle_s)
    win_s = float(t[w][-1] - t[w][0]) if w.sum() > 1 else 0.0
    key_rms = {"ml": "sway_ml_rms_cm", "ap": "sway_ap_rms_cm"}.get(axis, "sway_x_rms_cm")
    if win_s >= th.min_sway_s:
        s1 = sway_1d(t[w], u_cm[w])
        ev["sway_path_cm"] = _r(s1["path_cm"])
        ev["sway_velocity_cm_s"] = _r(s1["velocity_cm_s"])
        ev[key_rms] = _r(s1["rms_cm"])
        ev["sway_window_s"] = _r(win_s)
        wh = w[sl]  # the window inside the hold's frames
        ml, ap = ml_ap
        for key, trace in (("sway_ml_rms_cm", ml[wh]), ("sway_ap_rms_cm", ap[wh])):
            ev[key] = _r(sway_1d(t[sl][wh], trace)["rms_cm"])
        ev["sway_area_cm2"] = _r(ellipse_area_95(np.stack([ml[wh], ap[wh]], axis=1)))
        hold_flags["sway_area_cm2"] = AREA_FLAG
        hold_flags.update(
            {k: v for k, v in depth_axis_flags(axis, view).items() if k.endswith("_rms_cm")}
        )
        if axis == "mixed":
            hold_flags["sway_path_cm"] = (
                "sway mixes two axes: in an oblique view the picture's horizontal mixes side-to-side and front-to-back sway"
            )
        if h.duration_s >= th.sway_growth_min_hold_s:
            idx = np.flatnonzero(w)
            third = len(idx) // 3
            first = sway_1d(t[idx[:third]], u_cm[idx[:third]])["velocity_cm_s"]
            last = sway_1d(t[idx[-third:]], u_cm[idx[-third:]])["velocity_cm_s"]
            ratio = last / first if first and first > 0 else math.nan
            ev["sway_growth_ratio"] = _r(ratio)
            if math.isfinite(ratio) and ratio >= th.sway_growth_ratio:
                after = float(t[idx[-third]] - h.start_s)
                cues.append(
                    Cue(
                        float(t[idx[-third]]),
                        "info",
                        MSG_SWAY_GREW.format(after=after, leg=stance, ratio=ratio),
                    )
                )
    else:
        ev["sway_path_cm"] = ev["sway_velocity_cm_s"] = ev[key_rms] = None
        ev["sway_ml_rms_cm"] = ev["sway_ap_rms_cm"] = None
        ev["sway_area_cm2"] = None
        hold_flags["sway_path_cm"] = (
            f"hold too short for sway (needs {th.min_sway_s:.0f} s after leaving out "
            f"{th.settle_s:.1f} s at each end)"
        )

    # ---- stance knee, arms
    knee_side = label_stance
    knee = knee_flexion_3d(world[sl], knee_side)
    knee_deg = float(np.nanmedian(knee)) if np.isfinite(knee).any() else math.nan
    ev["stance_knee_flexion_deg"] = _r(knee_deg)
    if view in ("front", "back"):
        hold_flags["stance_knee_flexion_deg"] = (
            "knee bend estimated in 3D: a front or back view does not show it; the angle comes from "
            "the pose model's 3D estimate"
        )
    if math.isfinite(knee_deg) and knee_deg < th.knee_soft_min_deg:
        cues.append(
            Cue(
                float(h.start_s + h.duration_s / 2),
                "info",
                MSG_SOFT_KNEE.format(leg=stance, deg=knee_deg),
            )
        )
    arm_out, arm_judged = wrist_out(world[sl], th.arm_out_torso, h.free_side, th.hand_on_foot_torso)
    judged_share = float(arm_judged.mean()) if arm_judged.size else 0.0
    arm_pct = (
        100.0 * float(arm_out[arm_judged].mean())
        if judged_share >= th.min_reliable_fraction
        else math.nan
    )
    ev["arm_use_pct"] = _r(arm_pct)
    if judged_share < th.min_reliable_fraction:
        hold_flags["arm_use_pct"] = MSG_ARMS_UNJUDGED
    if math.isfinite(arm_pct) and arm_pct > th.arm_use_cue_pct:
        cues.append(Cue(float(h.start_s), "info", MSG_ARMS.format(pct=arm_pct, leg=stance)))
    ev["flags"] = hold_flags
    ev["_cues"] = cues
    return ev


def _r(x: float, nd: int = 2) -> float | None:
    return round(float(x), nd) if x is not None and math.isfinite(x) else None


def _summary(
    events: list[dict[str, Any]],
    touchdowns: int,
    axis: str,
    source: str,
    th: BalanceThresholds,
) -> dict[str, Any]:
    del th
    key_rms = {"ml": "sway_ml_rms_cm", "ap": "sway_ap_rms_cm"}.get(axis, "sway_x_rms_cm")
    durations = [e["duration_s"] for e in events]
    out: dict[str, Any] = {
        "holds": len(events),
        "longest_hold_s": _r(max(durations), HOLD_TIME_DECIMALS) if durations else 0.0,
        "total_hold_s": _r(sum(durations), HOLD_TIME_DECIMALS) if durations else 0.0,
        "touchdowns": touchdowns,
        "lift_signal_source": source,
    }
    out.update(_pooled_sway(events, key_rms))
    knees = [
        e["stance_knee_flexion_deg"] for e in events if e["stance_knee_flexion_deg"] is not None
    ]
    out["stance_knee_flexion_deg"] = _r(float(np.median(knees))) if knees else None
    arms = [(e["arm_use_pct"], e["duration_s"]) for e in events if e["arm_use_pct"] is not None]
    wsum = sum(d for _, d in arms)
    out["arm_use_pct"] = _r(sum(p * d for p, d in arms) / wsum) if wsum > 0 else None
    by_leg: dict[str, Any] = {}
    for side in SIDES:
        evs = [e for e in events if e["stance_leg"] == side]
        if not evs:
            continue
        d = [e["duration_s"] for e in evs]
        leg_out: dict[str, Any] = {
            "holds": len(evs),
            "longest_hold_s": _r(max(d), HOLD_TIME_DECIMALS),
            "total_hold_s": _r(sum(d), HOLD_TIME_DECIMALS),
            "touchdowns": sum(1 for e in evs if e.get("interrupted")),
        }
        leg_out.update(_pooled_sway(evs, key_rms))
        by_leg[side] = leg_out
    out["by_leg"] = by_leg
    if len(by_leg) == 2:
        out["left_minus_right_longest_s"] = _r(
            by_leg["left"]["longest_hold_s"] - by_leg["right"]["longest_hold_s"]
        )
        vl, vr = by_leg["left"]["sway_velocity_cm_s"], by_leg["right"]["sway_velocity_cm_s"]
        out["left_minus_right_sway_velocity_cm_s"] = (
            _r(vl - vr) if vl is not None and vr is not None else None
        )
    return out


def _pooled_sway(events: list[dict[str, Any]], key_rms: str) -> dict[str, Any]:
    """Sway over several holds: path summed, velocity = path / time, RMS and area
    time-weighted (ML and AP RMS always; ``key_rms``, the picture axis's, too)."""
    keys = dict.fromkeys(("sway_ml_rms_cm", "sway_ap_rms_cm", key_rms))
    ok = [e for e in events if e.get("sway_path_cm") is not None]
    if not ok:
        return {
            "sway_path_cm": None,
            "sway_velocity_cm_s": None,
            "sway_area_cm2": None,
            **{k: None for k in keys},
        }
    path = sum(e["sway_path_cm"] for e in ok)
    win = sum(e["sway_window_s"] for e in ok)
    areas = [(e["sway_area_cm2"], e["sway_window_s"]) for e in ok if e["sway_area_cm2"] is not None]
    aw = sum(w for _, w in areas)
    out: dict[str, Any] = {
        "sway_path_cm": _r(path),
        "sway_velocity_cm_s": _r(path / win) if win > 0 else None,
        "sway_area_cm2": _r(sum(a * w for a, w in areas) / aw) if aw > 0 else None,
    }
    for k in keys:
        have = [(e[k], e["sway_window_s"]) for e in ok if e.get(k) is not None]
        kw = sum(w for _, w in have)
        out[k] = _r(math.sqrt(sum(v**2 * w for v, w in have) / kw)) if kw > 0 else None
    return out


def _summary_flags(
    events: list[dict[str, Any]], flags: dict[str, str], axis: str, view: str
) -> None:
    if any("stance_leg" in e["flags"] for e in events):
        flags["stance_leg"] = next(
            e["flags"]["stance_leg"] for e in events if "stance_leg" in e["flags"]
        )
    if any(e.get("sway_area_cm2") is not None for e in events):
        flags["sway_area_cm2"] = AREA_FLAG
    flags.update(depth_axis_flags(axis, view))
    if axis == "mixed":
        flags["sway_path_cm"] = flags["sway_velocity_cm_s"] = (
            "sway mixes two axes: in an oblique view it is measured along the picture's horizontal, a mix of "
            "side-to-side and front-to-back; film from the front (side-to-side) or the side "
            "(front-to-back) for a clean axis"
        )
    if view in ("front", "back"):
        flags["stance_knee_flexion_deg"] = (
            "knee bend estimated in 3D: a front or back view does not show it; the angle comes from "
            "the pose model's 3D estimate"
        )
    for e in events:
        for key in ("start_s", "end_s"):
            if key in e["flags"]:
                flags["longest_hold_s"] = e["flags"][key]
        if "duration_s" in e["flags"]:
            flags["touchdowns"] = flags["longest_hold_s"] = e["flags"]["duration_s"]


def _age_group(age: float) -> str:
    for name in SPRINGER_2007_EO_BEST_S:
        lo, hi = (float(x) for x in name.split("-"))
        if lo <= age <= hi:
            return name
    return "18-39" if age < 18 else "80-99"


def _norms(
    summary: dict[str, Any], ctx: DrillContext, th: BalanceThresholds
) -> list[NormComparison]:
    longest = summary["longest_hold_s"] or 0.0
    if summary["holds"] == 0:
        return []
    out = []
    if longest < th.target_hold_min_s:
        verdict = "below the runners' target"
    elif longest <= th.target_hold_max_s:
        verdict = "on target"
    else:
        verdict = "beyond the target"
    out.append(
        NormComparison(
            "longest_hold_s",
            float(longest),
            "s",
            f"{th.target_hold_min_s:.0f}-{th.target_hold_max_s:.0f} s on one leg",
            "runners' seed programme",
            verdict,
        )
    )
    variant = ctx.options.variant
    eyes_closed = bool(variant.get("eyes_closed", False))
    age = variant.get("age")
    group = _age_group(float(age)) if isinstance(age, int | float) else "18-39"
    table = SPRINGER_2007_EC_BEST_S if eyes_closed else SPRINGER_2007_EO_BEST_S
    ref = table[group]
    eyes = "eyes closed" if eyes_closed else "eyes open"
    who = f"age {group}" if age is not None else f"age {group} (give your age for your group)"
    out.append(
        NormComparison(
            "longest_hold_s",
            float(longest),
            "s",
            f"about {ref:.0f} s best of 3 trials, {eyes}, {who} (trials stopped at 45 s)",
            SPRINGER_SOURCE,
            "at or above the typical time" if longest >= ref else "below the typical time",
        )
    )
    return out


def _summary_cues(summary: dict[str, Any], th: BalanceThresholds) -> list[Cue]:
    cues: list[Cue] = []
    if summary["holds"] == 0:
        return cues
    longest = summary["longest_hold_s"]
    if longest < th.target_hold_min_s:
        cues.append(
            Cue(
                None,
                "info",
                MSG_SHORT.format(
                    held=longest, target=th.target_hold_min_s, target_max=th.target_hold_max_s
                ),
            )
        )
    else:
        cues.append(
            Cue(
                None,
                "info",
                MSG_ON_TARGET.format(
                    held=longest, target=th.target_hold_min_s, target_max=th.target_hold_max_s
                ),
            )
        )
    by_leg = summary["by_leg"]
    if len(by_leg) == 2:
        diff = by_leg["left"]["longest_hold_s"] - by_leg["right"]["longest_hold_s"]
        if abs(diff) >= th.left_right_cue_s:
            weak, strong = ("left", "right") if diff < 0 else ("right", "left")
            cues.append(Cue(None, "info", MSG_LR.format(weak=weak, strong=strong, diff=abs(diff))))
    return cues


def _score(summary: dict[str, Any], th: BalanceThresholds) -> float | None:
    if summary["holds"] == 0:
        return None
    hold_part = min(1.0, summary["longest_hold_s"] / th.target_hold_min_s)
    v = summary["sway_velocity_cm_s"]
    td_part = max(0.0, 1.0 - summary["touchdowns"] / 2.0)
    if v is None:
        score = 80.0 * hold_part + 20.0 * td_part
    else:
        span = th.sway_velocity_poor_cm_s - th.sway_velocity_good_cm_s
        steady = min(1.0, max(0.0, (th.sway_velocity_poor_cm_s - v) / span))
        score = 60.0 * hold_part + 20.0 * steady + 20.0 * td_part
    return round(score, 1)


DRILL = SingleLegBalance()
