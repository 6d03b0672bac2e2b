"""Calf raises (``calf-raise``): reps, heel rise in cm, tempo, knee variant, fatigue.

How a rep is found (all numbers from ``calf_raise.toml``):

1. Per measured leg, the heel's height above the floor line (perpendicular
   to it, cm) is the rep trace (``LegTraces.rise_cm``; the toe is tested
   apart). The foot turns as one rigid piece about its ball, so the ankle
   and, knees held, the body above rise by fixed fractions of the heel's
   rise; the heel, ankle and body heights (the body read from both hips,
   both shoulders and the leg's own knee, ``body_rise_reading``), whose
   errors are independent, are combined into one heel height, each weighted
   by its own error as estimated from the three together
   (``formcheck.calibration.one_factor_heel_height``, fitted per leg over
   the frames with the toe down; heel and ankle alone,
   ``rigid_foot_heel_height``, when the three do not move together; facing
   the camera the other heel takes the ankle's place in a double-leg set,
   ``with_the_other_heel``, ``RIGID_FOOT_VIEWS``).
2. Candidate reps are peaks of the smoothed trace whose prominence is at least
   ``min_rise_cm`` (the MDC95 of heel height). Each candidate is measured
   against its **own local baseline** (median standing level just before and
   just after it), never a global start value: rendered truth shows the
   standing heel drifting ~0.7 cm after the first rep (issue 8). A rep is a
   rise and a return: two tops with the heel not back down between them are
   one rep when the dip stays above half the rise, or when they are closer
   than ``min_rep_period_fraction`` of the set's own median period
   (``_merge_close_peaks``); between two reps whose valley stays above the
   edge level, each rep ends at the valley's lowest point (only the clip's
   ends cut a rep).
3. A candidate is a rep only if it looks like one physically: it lasts at
   least ``min_rep_s``, and at least ``min_rep_duration_fraction`` of the
   set's own median rep time (``_reject_off_tempo``); the heel comes back to
   the level it rose from (a turn or a step shifts the heel-to-toe offset for
   good); the toe stays down over the upper half of the rise (a step, a hop
   or a turn lifts the whole foot; ``_toe_lift``); the hip rises with the heel
   (a weight shift peels one heel up while the body stays or sinks). Rejected
   candidates are kept as ``"not_a_rep"`` events with the reason.
4. A rep cut by the start or end of the clip, or rising less than
   ``partial_fraction`` of the set's median rise, is a partial rep: reported,
   flagged, not counted in ``rep_count``.
5. Each rep's rise is then turned from the heel landmark's into the heel's:
   on tracks whose landmarks sit where the body model puts them, the
   apparent height of the heel's travel along the foot (depth, seen from
   the front or the back; the slope from the standing foot's own picture)
   is removed and the landmark's rise becomes the sole's (``HeelTravel``);
   on pose-model tracks a render-derived factor per view does both
   (``heel_rise_scale``). Reps are found and judged before either.
   The factor holds on average over the renders; one clip's true rise
   sits ~12% (relative SD, ``heel_rise_rel_sd``) either side of its
   reading, since where the pose model puts the heel varies with the
   camera's height, the shoes and the lighting. That spread is shared by
   every rep of a clip, so it enters each rep's standard error
   (``heel_rise_se_cm``), the set mean's uncertainty and comparisons with
   norms in full, with a flag saying so, and not left vs right or fatigue
   (same camera: it cancels). Side-on, the pose model reads less of a
   bent-knee rise the more the knee is bent (rendered truth), so a rep whose
   knee reads bent (``bent_knee_deg``) gets ``bent_knee_rise_gain`` on top
   of the side factor, with a flag; straight-knee reps are untouched.

Legs: ``options.leg`` if given; otherwise the near leg in side view (the far
leg when the near one shows no rep and the far one does,
``_far_leg_if_near_foot_is_up``) and both legs in other views when both are
measurable (from behind a foot is "seen" by its heel: the toes are hidden),
less a foot held off the floor all clip long (``_without_a_foot_held_up``).
Reps found on both legs at the
same time are one double-leg rep (``leg == "both"``, per-leg rises under
``heel_rise_cm_by_leg``); a rise on one leg whose top lies inside the other
leg's rep is part of that rep (``_drop_split_pieces``).

Stance (``summary["stance"]``, per rep ``events[i]["stance"]``): "double",
"single" or "unknown", from the other foot where it was seen (both heels
raised with the toes down; or the whole free foot moving up with the body);
a far foot hidden side-on gives "unknown", never "single" (``stance_of_rep``);
a foot standing ``FREE_FOOT_ABOVE_CM`` above the other over a rep makes it "single".

Phase times (per rep, seconds): timed between the 10% and 90% crossings of
the rise (``edge_fraction`` / ``plateau_fraction``; noise hides a ramp's
very start and end) and reported as whole phases, ``up_s``, ``hold_s``,
``down_s``, for a smooth ramp (``phase_times``); ``down_s_max`` is the
longest the lowering can have taken. ``peak_s`` is the middle of the time
above 90%.

``fatigue_pct``: how much the heel rise fell from the first third of the
complete reps to the last third, in % of the first (positive = heights fell;
a ratio, no cm scale). None with fewer than ``fatigue_min_reps`` reps, or
when the two thirds were filmed from different views (not comparable).

Cues fire only beyond the measurement's uncertainty: "rise higher" when the
mean rise plus its 95% uncertainty is under ``rise_higher_cm``, "lower
slowly" when ``down_s_max`` is under ``min_down_s``. The knee cue corrects
only against the version the runner named (``variant["knee"]``); without
it a bent knee is reported as the bent-knee (soleus) version.

Score (0-100, None without a complete rep)::

    score = 100 * (0.4 * min(1, mean_rise / norm_peak_height_cm)
                   + 0.2 * max(0, 1 - rise_cv_pct / 30)
                   + 0.2 * min(1, mean_down_s / target_down_s)
                   + 0.2 * complete_reps / (complete_reps + partial_reps))

height against the published median, consistency (a CV of 30% scores 0),
a controlled lowering, and whole reps.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.signal import find_peaks

from formcheck.drills.base import (
    Cue,
    DrillContext,
    DrillResult,
    NormComparison,
)
from formcheck.drills.calf_heights import (
    HeelTravel,
    bent_knee_gain_note,
    bent_knee_rise_gain,
    bent_knee_share_per_deg,
    correct_heel_travel,
    heel_rise_rel_sd,
    heel_rise_scale,
    heel_travel_geometry,
    model_spread_note,
)
from formcheck.drills.calf_leg_switch import (
    StanceStretch,
    held_up_foot,
    held_up_runs,
    legs_switched,
    slice_context,
    stretches_of_runs,
    with_the_other_leg_between,
)
from formcheck.drills.calf_sets import (
    CalfSet,
    SetRep,
    group_sets,
    height_change_over_sets_pct,
    set_event,
    set_fatigue,
    set_numbers,
    sets_fatigue,
    typical_rep_s,
)
from formcheck.drills.calf_step import Place, step_cues, step_levels, step_summary
from formcheck.drills.common import (
    SIDES,
    append_flag,
    fill_hidden_legs,
    fill_nans,
    moving_median,
    true_runs,
)
from formcheck.drills.steps import floor_along_px
from formcheck.landmarks import Landmark, side_landmark
from formcheck.signals import robust_sd
from formcheck.thresholds import load_thresholds
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

SCORE_WEIGHTS = {"height": 0.4, "consistency": 0.2, "tempo": 0.2, "complete": 0.2}
"""Weights of the score terms (see the module docstring); they sum to 1."""

CV_ZERO_SCORE_PCT = 30.0
"""Rise CV (%) at which the consistency term of the score reaches 0.

Judgement: a set whose rep heights scatter by a third of their mean is not a
controlled set."""

VIEW_CM_FLAGS = {
    "front": "front view: the heel is hidden behind the foot, so its height is the "
    "model's guess; film side-on for accurate heel rise",
    "back": "back view: the toes are hidden in front of the heel, so the rise is "
    "measured against a guessed toe; film side-on for accurate heel rise",
    "oblique": "oblique view: part of the foot is hidden, heel rise is less accurate than side-on",
    "unknown": "camera view unclear: heel rise may be inaccurate",
}
"""View -> why cm values from that view are less accurate (side view: no flag)."""

MSG_DROP_APPROXIMATE = (
    "approximate: below the step the heel is read from its own landmark alone, and that "
    "was checked on synthetic clips only (about ±0.7 cm there, more from the front)"
)
"""Flag of every rep's ``heel_drop_cm`` (``calf_step``; docs/ACCURACY.md, session 19)."""

GUESSED_HEEL_VIEWS = frozenset({"front"})
"""Views in which the heel's height is the pose model's guess (``VIEW_CM_FLAGS``):
two legs' heights from them are not compared (``_left_right``)."""

MSG_LEGS_NOT_COMPARED = (
    "front view: each heel's height is the model's guess, so the two legs' heights are "
    "not compared; film each leg side-on, near the camera, to compare them"
)

VIEW_ANGLE_FLAGS = {
    "front": "front view: knee and ankle angles are foreshortened; film side-on",
    "back": "back view: knee and ankle angles are foreshortened; film side-on",
    "oblique": "oblique view: knee and ankle angles are partly foreshortened",
    "unknown": "camera view unclear: angles may be inaccurate",
}
"""View -> why sagittal angles from that view are less accurate."""


@dataclass(frozen=True)
class CalfRaiseThresholds:
    """Thresholds of the calf-raise drill; see ``calf_raise.toml`` for units and sources."""

    min_rise_cm: float
    min_rep_s: float
    min_rep_period_fraction: float
    min_rep_duration_fraction: float
    max_toe_lift_fraction: float
    max_baseline_step_fraction: float
    min_body_rise_fraction: float
    step_max_ankle_extension_deg: float
    step_min_knee_bend_deg: float
    step_min_hip_travel_cm: float
    edge_fraction: float
    plateau_fraction: float
    smoothing_s: float
    baseline_window_s: float
    min_leg_reliable_fraction: float
    max_rise_se_cm: float
    partial_fraction: float
    bent_knee_deg: float
    bent_knee_target_deg: float
    min_down_s: float
    target_down_s: float
    rise_higher_cm: float
    fatigue_cue_pct: float
    steady_rise_cv_pct: float
    fatigue_min_reps: int
    set_rest_min_s: float
    set_rest_periods: float
    set_min_leg_reps: int
    norm_reps_men: int
    norm_reps_women: int
    norm_reps: int
    norm_peak_height_cm: float
    norm_total_vertical_cm: float
    sem_cm: float
    bent_knee_rise_underread: float
    bent_knee_rise_share_per_deg: float
    bent_knee_rise_knee_max_deg: float
    bent_knee_rise_rel_sd: float
    test_period_s: float
    test_period_tolerance: float
    heel_rise_scale_side: float
    heel_rise_scale_front_oblique: float
    heel_rise_scale_front: float
    heel_rise_scale_away: float
    heel_rise_rel_sd_side: float
    heel_rise_rel_sd_front_oblique: float
    heel_rise_rel_sd_front: float
    heel_rise_rel_sd_away: float
    max_floor_slope: float
    min_heel_drop_cm: float
    step_min_drop_share: float
    flat_level_min_s: float
    flat_level_tolerance_cm: float
    flat_level_short_s: float


def load_calf_thresholds(overrides: dict[str, Any] | None = None) -> CalfRaiseThresholds:
    """Thresholds from ``calf_raise.toml`` with optional overrides by name."""
    return load_thresholds(CalfRaiseThresholds, "calf_raise.toml", overrides)


# ---------------------------------------------------------------- leg traces
@dataclass(frozen=True)
class LegTraces:
    """Per-frame signals of one leg, all (T,) float64 aligned with the track.

    Heights are in cm above the floor line, measured perpendicular to it (or
    image-up when no floor was found; then only differences are meaningful).

    Attributes:
        heel_cm: heel height, from the heel, ankle and body landmarks
            (``body_rise_reading``,
            ``formcheck.calibration.one_factor_heel_height``, else
            ``rigid_foot_heel_height``; the heel landmark alone when they do
            not move together; in front view with the other heel and the
            body, ``with_the_other_heel``), in the heel landmark's
            units and offset; interpolated over frames where the pose model
            put the foot onto the other, held-up foot
            (``placed_on_the_other_foot``), where the toe is NaN too.
        toe_cm: foot_index (toe tip) landmark height; on pose-model tracks
            NaN in back-view frames, where the toes are hidden in front of
            the heel: the model's guess there rises with the heel, which
            read every rendered back-view rep as the whole foot leaving the
            floor (synthetic tracks keep their toe: its noise is not a guess
            that follows the heel).
        body_cm: hip-midpoint height (the body's rise); NaN when hips unseen.
        plantarflexion_deg: ankle plantarflexion (minus ``ankle_dorsiflexion``);
            NaN when not available.
        knee_flexion_deg: knee flexion, 0 = straight; NaN when not available.
        reliable: (T,) bool, heel and toe seen (not interpolated) in the frame;
            in back-view frames the heel alone (``_foot_seen``); False where
            the foot was put onto the other foot.
        toe_over_heel_cm: (T,) height of the toe landmark above the heel
            landmark in the picture, cm at the foot's scale (from the raw
            track, so a toe the model guesses behind the heel counts), for
            the heel's depth travel (``heel_travel_correction``); None: not
            measured.
        heel_guessed: (T,) bool, the heel is the pose model's placement of a
            heel hidden behind its foot, filmed from the front
            (``front_hidden_heel``); those frames are not ``reliable``.
            None: never.
        sole_3d_cm: (T,) the foot's lowest point (heel or toe) along the
            body's axis in the pose model's 3D world landmarks, cm, with an
            offset common to both feet (``sole_height_3d_cm``), for telling
            a foot held up from one set further from the camera; None: no
            3D landmarks.
        heel_scale_rel_se: relative SE (fraction) of ``heel_cm``'s scale where
            it combines several readings (``one_factor_scale_rel_se``): an
            error shared by every rep of the leg; 0 for the heel alone.
        hips_along_cm: (T,) the hip midpoint's position along the floor line
            in the picture, cm (any origin), for telling a step (the body
            moves on) from a heel raise (it ends where it started); None: not
            measured.
        spans: frame spans ``(start, stop)`` the leg is measured over, each
            searched for reps on its own (a single-leg set on each leg,
            ``calf_leg_switch``; NaN between them); None: the whole clip.
        heel_landmark_cm: (T,) the heel landmark's own height (not combined
            with the ankle and body), at the foot's scale, for a heel's drop
            below a step (``calf_step``), where the readings no longer rise
            and fall in fixed proportions; None: ``heel_cm``.
    """

    heel_cm: FloatArray
    toe_cm: FloatArray
    body_cm: FloatArray
    plantarflexion_deg: FloatArray
    knee_flexion_deg: FloatArray
    reliable: BoolArray
    toe_over_heel_cm: FloatArray | None = None
    heel_guessed: BoolArray | None = None
    sole_3d_cm: FloatArray | None = None
    heel_scale_rel_se: float = 0.0
    hips_along_cm: FloatArray | None = None
    spans: tuple[tuple[int, int], ...] | None = None
    heel_landmark_cm: FloatArray | None = None

    @property
    def rise_cm(self) -> FloatArray:
        """(T,) heel height above the floor, cm: the rep trace (the toe is tested apart)."""
        return self.heel_cm


@dataclass
class RepCandidate:
    """A rise of the heel trace, measured; a rep if ``reason`` is None.

    Indices are frame rows; times in seconds; heights in cm.
    """

    peak_i: int
    start_s: float | None
    peak_s: float
    end_s: float | None
    heel_rise_cm: float
    up_s: float | None
    hold_s: float
    down_s: float | None
    start_i: int
    end_i: int
    plateau: tuple[int, int]
    baseline_left: IntArray | None
    baseline_right: IntArray | None
    toe_lift_cm: float
    body_rise_cm: float
    truncated: bool
    mid_up_s: float | None = None
    mid_down_s: float | None = None
    steep_up_s: float | None = None
    steep_down_s: float | None = None
    levels: list[float] = field(default_factory=list)
    top_window_s: tuple[float, float] | None = None
    reason: str | None = None
    flags: list[str] = field(default_factory=list)
    bent_knee_gain: float = 1.0
    heel_drop_cm: float | None = None

    @property
    def is_rep(self) -> bool:
        """True when the candidate passed every test of a rep (complete or not)."""
        return self.reason is None


# ------------------------------------------------------------ small helpers
def _median_dt(times_s: FloatArray) -> float:
    dt = np.diff(times_s)
    return float(np.median(dt)) if dt.size else 1.0 / 30.0


def _nanmedian(x: FloatArray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _crossing_time(times_s: FloatArray, y: FloatArray, i0: int, i1: int, level: float) -> float:
    """Time between samples i0 and i1 (adjacent) where ``y`` crosses ``level`` (linear)."""
    y0, y1 = float(y[i0]), float(y[i1])
    if not (np.isfinite(y0) and np.isfinite(y1)) or y0 == y1:
        return float(times_s[i1])
    f = min(1.0, max(0.0, (level - y0) / (y1 - y0)))
    return float(times_s[i0] + f * (times_s[i1] - times_s[i0]))


# ------------------------------------------------------------ rep search
def find_rep_candidates(
    times_s: FloatArray,
    rise_cm: FloatArray,
    th: CalfRaiseThresholds,
    *,
    toe_cm: FloatArray | None = None,
    body_cm: FloatArray | None = None,
) -> list[RepCandidate]:
    """Find heel rises in a heel-relative-to-toe trace and test whether each is a rep.

    Args:
        times_s: (T,) frame times, seconds, increasing.
        rise_cm: (T,) heel height relative to the toe, cm (any constant
            offset; NaN where unseen).
        th: thresholds.
        toe_cm: (T,) toe height above the floor, cm, for the forefoot-down test
            (None: test skipped).
        body_cm: (T,) hip-midpoint height, cm, for the body-rises test
            (None or all-NaN: test skipped).

    Returns:
        Candidates in time order; ``reason`` is None for reps (complete or
        cut by the clip's ends: ``truncated``), else why it is not a rep.
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    d = np.asarray(rise_cm, dtype=np.float64)
    n = d.size
    if n < 3 or np.isfinite(d).sum() < 3:
        return []
    dt = _median_dt(times_s)
    filled = fill_nans(times_s, d)
    ds = moving_median(filled, round(th.smoothing_s / dt))
    floor_level = float(np.percentile(ds, 5))
    # Pad with the standing level so rises cut by the clip's ends are still peaks.
    padded = np.concatenate([[floor_level], ds, [floor_level]])
    peaks, _ = find_peaks(padded, prominence=th.min_rise_cm)
    groups = _merge_close_peaks(
        [int(p) - 1 for p in peaks if 1 <= p <= n],
        ds,
        times_s,
        period_fraction=th.min_rep_period_fraction,
        edge_fraction=th.edge_fraction,
    )
    win = max(1, round(th.baseline_window_s / dt))
    out: list[RepCandidate] = []
    for k, (p, first, last) in enumerate(groups):
        lo = groups[k - 1][2] if k > 0 else 0
        hi = groups[k + 1][1] if k + 1 < len(groups) else n - 1
        vl = lo + int(np.argmin(ds[lo : first + 1]))
        vr = last + int(np.argmin(ds[last : hi + 1]))
        top = float(ds[p])
        left_ok = top - float(ds[vl]) >= th.min_rise_cm
        right_ok = top - float(ds[vr]) >= th.min_rise_cm
        if not (left_ok or right_ok):
            continue
        ef = th.edge_fraction
        bl = (
            _standing(ds, lo, p, float(ds[vl]) + ef * (top - float(ds[vl])), win, nearest_end=True)
            if left_ok
            else None
        )
        br = (
            _standing(ds, p, hi, float(ds[vr]) + ef * (top - float(ds[vr])), win, nearest_end=False)
            if right_ok
            else None
        )
        levels = [
            _nanmedian(d[w]) if np.isfinite(d[w]).any() else _nanmedian(ds[w])
            for w in (bl, br)
            if w is not None
        ]
        base = float(np.mean(levels))
        base_l = levels[0] if bl is not None else base
        base_r = levels[-1] if br is not None else base
        rough = top - base
        # the top: contiguous stretch around the peak above plateau_fraction of the rise
        plat_level = base + th.plateau_fraction * rough
        a, b = p, p
        while a > 0 and ds[a - 1] >= plat_level:
            a -= 1
        while b < n - 1 and ds[b + 1] >= plat_level:
            b += 1
        top_level = _nanmedian(d[a : b + 1])
        if not np.isfinite(top_level):
            top_level = top
        rise = top_level - base
        # edges: where the smoothed trace is within edge_fraction of the rise of
        # its own baseline on that side (the heel may settle elsewhere after a rep)
        start_s: float | None = None
        end_s: float | None = None
        si, ei = a, b
        # a merged group's edges lie outside all of its tops
        if bl is not None:
            level = base_l + th.edge_fraction * (top_level - base_l)
            i = min(a, first)
            while i > lo and ds[i] > level:
                i -= 1
            if ds[i] <= level:
                si = i
                start_s = _crossing_time(times_s, ds, i, min(i + 1, n - 1), level)
        if start_s is None and k > 0:
            # between two reps the heel did not get back down to the edge level:
            # the rep starts at the lowest point between them (only the clip's
            # start can cut a rep)
            si = vl
            start_s = float(times_s[vl])
        if br is not None:
            level = base_r + th.edge_fraction * (top_level - base_r)
            i = max(b, last)
            while i < hi and ds[i] > level:
                i += 1
            if ds[i] <= level:
                ei = i
                end_s = _crossing_time(times_s, ds, i - 1, i, level)
        if end_s is None and k + 1 < len(groups):
            ei = vr  # as above: only the clip's end can cut a rep
            end_s = float(times_s[vr])
        # a merged group's top, for timing, runs from its first top to its last
        ta_i, tb_i = min(a, first), max(b, last)
        while ta_i > 0 and ds[ta_i - 1] >= plat_level:
            ta_i -= 1
        while tb_i < n - 1 and ds[tb_i + 1] >= plat_level:
            tb_i += 1
        t_a = (
            _crossing_time(times_s, ds, ta_i - 1, ta_i, plat_level)
            if ta_i > 0
            else float(times_s[ta_i])
        )
        t_b = (
            _crossing_time(times_s, ds, tb_i, tb_i + 1, plat_level)
            if tb_i < n - 1
            else float(times_s[tb_i])
        )
        truncated = start_s is None or end_s is None
        mid = {
            f: _outward_crossings(times_s, ds, ta_i, tb_i, base + f * rough)
            for f in MID_RAMP_LEVELS
        }
        mid_up = mid[0.5][0]
        mid_down = mid[0.5][1]
        lo_up, hi_up = mid[MID_RAMP_LEVELS[0]][0], mid[MID_RAMP_LEVELS[-1]][0]
        hi_dn, lo_dn = mid[MID_RAMP_LEVELS[-1]][1], mid[MID_RAMP_LEVELS[0]][1]
        steep_up = None if lo_up is None or hi_up is None else max(0.0, hi_up - lo_up)
        steep_down = None if lo_dn is None or hi_dn is None else max(0.0, lo_dn - hi_dn)
        cand = RepCandidate(
            peak_i=p,
            start_s=start_s,
            peak_s=_top_centre(times_s, ds, a, b, plat_level),
            end_s=end_s,
            heel_rise_cm=rise,
            up_s=None if start_s is None else max(0.0, t_a - start_s),
            hold_s=max(0.0, t_b - t_a),
            down_s=None if end_s is None else max(0.0, end_s - t_b),
            start_i=si,
            end_i=ei,
            plateau=(a, b),
            baseline_left=bl,
            baseline_right=br,
            toe_lift_cm=_toe_lift(times_s, toe_cm, (a, b), (mid_up, mid_down), bl, br),
            body_rise_cm=_lift(body_cm, (a, b), bl, br),
            truncated=truncated,
            mid_up_s=mid_up,
            mid_down_s=mid_down,
            steep_up_s=steep_up,
            steep_down_s=steep_down,
        )
        cand.levels = levels
        out.append(cand)
    # whether it is a rep is decided on the height-based rise and levels
    toe_noise = max(toe_lift_noise_cm(out), toe_standing_noise_cm(toe_cm, out))
    for cand in out:
        cand.reason = _why_not_a_rep(cand, th, cand.levels, toe_noise_cm=toe_noise)
    _reject_off_tempo(out, th)
    _timed_rises(times_s, d, out, th)
    return out


MID_RAMP_LEVELS = (0.3, 0.5, 0.7)
"""Fractions of the rise at which the ramps are timed: the middle of each ramp
(50%) and its steep part (30% to 70%), where noise moves the crossings least."""

RAMP_HALF_SPANS = 1.91
"""Half a ramp's duration as a multiple of its 30%-70% time.

A raised-cosine (smooth) ramp spends 0.262 of its duration between 30% and
70% (half the ramp: 1.91 times that); a linear ramp 0.4 (half: 1.25 times).
Taking the larger keeps the top and standing windows off the ramps whichever
of the two shapes the rep has (a linear rep only loses some of its top)."""

MIN_TOP_S = 0.2
"""s. Shortest top window: a rep without a hold is measured over this much
time around its apex (judgement: ~6 frames at 30 fps average jitter, yet the
heel of a pointed rep stays within ~2% of its apex over it)."""


def _outward_crossings(
    times_s: FloatArray, ds: FloatArray, a: int, b: int, level: float
) -> tuple[float | None, float | None]:
    """Times where ``ds`` last rises through ``level`` before row ``a`` and first falls after ``b``."""
    n = ds.size
    i, j = a, b
    while i > 0 and ds[i - 1] >= level:
        i -= 1
    while j < n - 1 and ds[j + 1] >= level:
        j += 1
    up = _crossing_time(times_s, ds, i - 1, i, level) if i > 0 else None
    down = _crossing_time(times_s, ds, j, j + 1, level) if j < n - 1 else None
    return up, down


TIMED_RISE_MAX_DEV = 0.5
"""Largest relative difference between the time-windowed and the height-based
rise for the time-windowed one to be used (judgement: landmark noise moves a
rise by ~1 cm of ~8; a rep whose windows miss its top by half the rise is not
shaped like stand-up-hold-down, and keeps the height-based value)."""


def _timed_rises(
    times_s: FloatArray, d: FloatArray, cands: list[RepCandidate], th: CalfRaiseThresholds
) -> None:
    """Measure each whole rep's rise on windows chosen **by time**, not by height.

    The top is the stretch between the ends of the up and down ramps, found
    from the ramps' 50% crossings (where the smoothed trace is steepest, so
    noise moves them least) and the set's median 30-70% ramp times
    (``RAMP_HALF_SPANS``; at least ``MIN_TOP_S`` around the apex); the standing levels are the ``baseline_window_s``
    before the up ramp and after the down ramp (not past a neighbouring
    rep). Picking samples by height would favour noise peaks at the top and
    noise troughs at the bottom and inflate the rise. ``heel_rise_cm`` becomes
    the median of the raw trace on the top minus the mean of the two standing
    medians; candidates cut by the clip, or whose timed rise is off the
    height-based one by more than ``TIMED_RISE_MAX_DEV``, keep the
    height-based rise. Whether a candidate is a rep was decided before, on
    the height-based rise.
    """
    whole = [c for c in cands if not c.truncated and c.mid_up_s is not None and c.mid_down_s]
    ups = [c.steep_up_s for c in whole if c.steep_up_s]
    downs = [c.steep_down_s for c in whole if c.steep_down_s]
    if not whole or not ups or not downs:
        return
    half_up = RAMP_HALF_SPANS * float(np.median(ups))
    half_down = RAMP_HALF_SPANS * float(np.median(downs))
    for k, c in enumerate(cands):
        if c not in whole or c.mid_up_s is None or c.mid_down_s is None:
            continue
        t_top0 = c.mid_up_s + half_up
        t_top1 = c.mid_down_s - half_down
        if t_top1 - t_top0 < MIN_TOP_S:  # (almost) no hold: around the apex
            centre = 0.5 * (t_top0 + t_top1)
            t_top0, t_top1 = centre - 0.5 * MIN_TOP_S, centre + 0.5 * MIN_TOP_S
        top = _window(times_s, d, t_top0, t_top1)
        t_l1 = c.mid_up_s - half_up
        t_r0 = c.mid_down_s + half_down
        prev = cands[k - 1] if k > 0 else None
        nxt = cands[k + 1] if k + 1 < len(cands) else None
        t_l0 = t_l1 - th.baseline_window_s
        if prev is not None and prev.mid_down_s is not None:
            t_l0 = max(t_l0, prev.mid_down_s + half_down)
        t_r1 = t_r0 + th.baseline_window_s
        if nxt is not None and nxt.mid_up_s is not None:
            t_r1 = min(t_r1, nxt.mid_up_s - half_up)
        left = _window(times_s, d, t_l0, t_l1)
        right = _window(times_s, d, t_r0, t_r1)
        if not (np.isfinite(top) and np.isfinite(left) and np.isfinite(right)):
            continue
        timed = top - 0.5 * (left + right)
        if abs(timed - c.heel_rise_cm) > TIMED_RISE_MAX_DEV * c.heel_rise_cm:
            continue  # not trapezoid-shaped (an odd rep or a non-rep): keep the height-based rise
        c.heel_rise_cm = timed
        c.levels = [left, right]
        c.top_window_s = (t_top0, t_top1)


def _window(times_s: FloatArray, d: FloatArray, t0: float, t1: float) -> float:
    """Median of ``d`` over times in [t0, t1] (the nearest sample if none falls inside)."""
    if t1 < t0:
        return float("nan")
    sel = (times_s >= t0) & (times_s <= t1)
    if not sel.any():
        sel = np.zeros(times_s.shape, bool)
        sel[int(np.argmin(np.abs(times_s - 0.5 * (t0 + t1))))] = True
    return _nanmedian(d[sel])


def _merge_close_peaks(
    peaks: list[int],
    ds: FloatArray,
    times_s: FloatArray | None = None,
    *,
    period_fraction: float = 0.0,
    edge_fraction: float = 0.0,
) -> list[tuple[int, int, int]]:
    """Join peaks of one rep: ``(kept peak, first peak, last peak)`` rows per rep.

    A rep ends only when the heel comes back down. Two neighbouring peaks are
    one rep when

    - the dip between them stays above half their height (a wobble at the
      top, a landmark glitch), measured from the standing level on either
      side; or
    - they are closer in time than ``period_fraction`` of the set's own
      median peak-to-peak period (a set has a tempo: a second top at over
      twice the set's cadence is a glitch in the rep, not a rep) **and** the
      dip between them does not come back to standing (stays above
      ``edge_fraction`` of their height, the level at which a rep starts and
      ends). The period is taken from the peaks found (at least 4, so 3
      periods); a noise trough that reaches the standing level still splits
      a rep.

    The higher peak of a group is kept; the group's first and last peaks
    bound its top (the edges are searched outward from them).

    Args:
        peaks: candidate peak rows, increasing.
        ds: (T,) smoothed heel trace, cm.
        times_s: (T,) frame times, s (None: the tempo rule is not used).
        period_fraction: fraction (0..1) of the median period (0: not used).
        edge_fraction: fraction (0..1) of the rise under which the heel is standing.
    """
    groups = [(p, p, p) for p in peaks]
    period = None
    if times_s is not None and period_fraction > 0 and len(peaks) >= 4:
        period = float(np.median(np.diff(times_s[peaks])))
    changed = True
    while changed and len(groups) > 1:
        changed = False
        for k in range(len(groups) - 1):
            (p1, f1, _), (p2, _, l2) = groups[k], groups[k + 1]
            lo = groups[k - 1][2] if k > 0 else 0
            hi = groups[k + 2][1] if k + 2 < len(groups) else len(ds) - 1
            base = max(float(np.min(ds[lo : f1 + 1])), float(np.min(ds[l2 : hi + 1])))
            dip = float(np.min(ds[groups[k][2] : groups[k + 1][1] + 1]))
            lower = min(float(ds[p1]), float(ds[p2]))
            close = (
                period is not None
                and times_s is not None
                and float(times_s[p2] - times_s[p1]) < period_fraction * period
                and dip - base > edge_fraction * (lower - base)
            )
            if dip - base > 0.5 * (lower - base) or close:
                groups[k : k + 2] = [(p1 if ds[p1] >= ds[p2] else p2, f1, l2)]
                changed = True
                break
    return groups


def _top_centre(times_s: FloatArray, ds: FloatArray, a: int, b: int, level: float) -> float:
    """Peak time: centre of the top of the rep weighted by height above ``level`` (s).

    On a flat hold this is the middle of the hold; when the heel is highest early
    (or late) in the hold it moves there, without jumping to one noisy sample.
    """
    w = np.clip(ds[a : b + 1] - level, 0.0, None)
    w = np.where(np.isfinite(w), w, 0.0)
    if w.sum() <= 0:
        return float(0.5 * (times_s[a] + times_s[b]))
    return float(np.sum(w * times_s[a : b + 1]) / np.sum(w))


def _standing(
    ds: FloatArray, lo: int, hi: int, level: float, win: int, *, nearest_end: bool
) -> IntArray:
    """Indices of standing samples (``ds <= level``) in [lo, hi], the ``win`` nearest the rep.

    Taking every low sample next to the rep, rather than a window centred on
    the lowest one, avoids measuring the rise from a noise trough.
    """
    idx = np.flatnonzero(ds[lo : hi + 1] <= level) + lo
    return idx[-win:] if nearest_end else idx[:win]


def _lift(
    x: FloatArray | None,
    plateau: tuple[int, int],
    bl: IntArray | None,
    br: IntArray | None,
) -> float:
    """Median of ``x`` on the plateau minus its median on the baselines (NaN if unknown)."""
    if x is None:
        return float("nan")
    x = np.asarray(x, dtype=np.float64)
    bases = [_nanmedian(x[w]) for w in (bl, br) if w is not None and w.size]
    bases = [v for v in bases if np.isfinite(v)]
    top = _nanmedian(x[plateau[0] : plateau[1] + 1])
    if not bases or not np.isfinite(top):
        return float("nan")
    return top - float(np.mean(bases))


MIN_TOE_SEEN_FRACTION = 0.5
"""Fraction (0..1) of the upper half of a rise in which the toe must have been
seen for its lift to be measured; otherwise the toe test is skipped (the
other tests still apply). Judgement: a median over fewer than half of the
frames is decided by whichever stretch of the top happened to be seen."""


def _toe_lift(
    times_s: FloatArray,
    toe_cm: FloatArray | None,
    plateau: tuple[int, int],
    mid: tuple[float | None, float | None],
    bl: IntArray | None,
    br: IntArray | None,
) -> float:
    """The toe's lift (cm) over the upper half of a rise, chosen by time; NaN if unseen.

    A foot that leaves the floor (a step, a hop, a free foot carried up)
    keeps its toe up while the heel is in the upper half of its rise, so
    the lift is the median toe height between the rise's 50% crossings
    (``mid``, s) minus the standing medians. The window is chosen by time,
    not by heel height: frames where noise lifts the heel (a leg-label swap,
    a misplaced foot, which move the toe as well) would otherwise make up
    the top. NaN when the toe was seen in under ``MIN_TOE_SEEN_FRACTION`` of
    the window. Falls back to the height-based top (``plateau`` rows) when a
    50% crossing is missing (a rep cut by the clip).
    """
    if toe_cm is None:
        return float("nan")
    t0, t1 = mid
    if t0 is None or t1 is None or t1 <= t0:
        return _lift(toe_cm, plateau, bl, br)
    sel = (times_s >= t0) & (times_s <= t1)
    if not sel.any():
        return _lift(toe_cm, plateau, bl, br)
    rows = np.flatnonzero(sel)
    if np.isfinite(toe_cm[rows]).mean() < MIN_TOE_SEEN_FRACTION:
        return float("nan")
    return _lift(toe_cm, (int(rows[0]), int(rows[-1])), bl, br)


FOOT_UP_REASON = "the whole foot left the floor"
"""Start of the reason given to a candidate whose toes rose with the heel."""

TOE_LIFT_MIN_SIGMAS = 3.0
"""A toe lift counts as the whole foot leaving the floor only when it is also
this many times the toe's noise (``toe_lift_noise_cm``): at 3, noise alone
passes about 1 candidate in 700 (one-sided normal tail)."""


def toe_lift_noise_cm(cands: list[RepCandidate]) -> float:
    """Robust SD (cm) of the candidates' toe lifts about their median: the toe's noise.

    In a set of heel raises the toes stay down, so the toe lifts measured on
    the candidates scatter by the toe landmark's noise (at the top windows,
    where it matters); steps and hops among them are outliers the median
    ignores (1.4826 * median absolute deviation). Centred on the median: a
    foot that leaves the floor with every rise (a single-leg set's free foot,
    carried up by the body) lifts by about the same each time, so its scatter
    stays small and its lifts still stand out. 0 with fewer than 3
    candidates (the toe test then uses the fraction alone).
    """
    lifts = np.array([c.toe_lift_cm for c in cands if np.isfinite(c.toe_lift_cm)])
    if lifts.size < 3:
        return 0.0
    return robust_sd(lifts)


def toe_standing_noise_cm(toe_cm: FloatArray | None, cands: list[RepCandidate]) -> float:
    """Error (cm) of a toe lift, from the toe's standing levels before and after each candidate.

    Standing before and after a rise, the toe is on the floor both times, so
    the difference of its two standing medians is measurement noise alone
    (the same reasoning as ``rise_noise_cm`` for the heel), whatever the
    candidates were (a free foot held up rests at one level between rises).
    Robust spread of the differences (1.4826 * median |difference|, the
    expected difference being 0) over sqrt(2) is one window's error; a lift
    is a top window minus the mean of two standing windows: times
    sqrt(1 + 1/2). 0 with fewer than 3 candidates standing on both sides.
    """
    if toe_cm is None:
        return 0.0
    x = np.asarray(toe_cm, dtype=np.float64)
    diffs = []
    for c in cands:
        if c.baseline_left is None or c.baseline_right is None:
            continue
        if not (c.baseline_left.size and c.baseline_right.size):
            continue
        diff = _nanmedian(x[c.baseline_left]) - _nanmedian(x[c.baseline_right])
        if np.isfinite(diff):
            diffs.append(diff)
    if len(diffs) < 3:
        return 0.0
    return float(robust_sd(diffs, 0.0) / np.sqrt(2.0) * np.sqrt(1.5))


def _why_not_a_rep(
    c: RepCandidate, th: CalfRaiseThresholds, levels: list[float], *, toe_noise_cm: float = 0.0
) -> str | None:
    """None if ``c`` is a rep, else the plain-language reason it is not.

    ``toe_noise_cm``: the set's toe-lift noise (``toe_lift_noise_cm``); a toe
    lift within ``TOE_LIFT_MIN_SIGMAS`` of it is not taken as a step.
    """
    if c.heel_rise_cm < th.min_rise_cm:
        return (
            f"heel rose only {c.heel_rise_cm:.1f} cm (under {th.min_rise_cm:g} cm: sway or noise)"
        )
    if c.start_s is not None and c.end_s is not None and c.end_s - c.start_s < th.min_rep_s:
        return f"too quick ({c.end_s - c.start_s:.2f} s): a bounce or landmark jitter"
    if len(levels) == 2 and abs(levels[0] - levels[1]) > th.max_baseline_step_fraction * (
        c.heel_rise_cm + 0.5 * abs(levels[0] - levels[1])
    ):
        return "the heel did not come back to where it started (a step, a turn or a view change)"
    if np.isfinite(c.toe_lift_cm) and c.toe_lift_cm > max(
        th.max_toe_lift_fraction * c.heel_rise_cm, TOE_LIFT_MIN_SIGMAS * toe_noise_cm
    ):
        return f"{FOOT_UP_REASON} (a step, a hop or a turn), not a heel raise"
    if np.isfinite(c.body_rise_cm) and c.body_rise_cm < th.min_body_rise_fraction * c.heel_rise_cm:
        return "the body did not rise with the heel (a weight shift), not a heel raise"
    return None


def _reject_off_tempo(cands: list[RepCandidate], th: CalfRaiseThresholds) -> None:
    """Reject reps far quicker than the set's own reps (``min_rep_duration_fraction``).

    A set of calf raises keeps a tempo: each rep rises and comes back down in
    about the same time. A "rep" lasting (edge to edge) under
    ``min_rep_duration_fraction`` of the median duration of the set's whole
    reps is a landmark glitch or a bounce between reps, not a rep. Needs 3
    whole reps to know the tempo; the absolute ``min_rep_s`` applies always.
    """
    whole = [
        c.end_s - c.start_s
        for c in cands
        if c.is_rep and c.start_s is not None and c.end_s is not None
    ]
    if len(whole) < 3:
        return
    typical = float(np.median(whole))
    for c in cands:
        if c.is_rep and c.start_s is not None and c.end_s is not None:
            dur = c.end_s - c.start_s
            if dur < th.min_rep_duration_fraction * typical:
                c.reason = (
                    f"too quick for this set ({dur:.2f} s against {typical:.2f} s for the "
                    "other reps): a bounce or landmark jitter"
                )


ANGLE_VIEWS = frozenset({"side", "oblique"})
"""Views in which the ankle and knee angles can tell a step from a heel raise."""


def _reject_steps(
    cands: list[RepCandidate], tr: LegTraces, views: npt.NDArray[np.str_], th: CalfRaiseThresholds
) -> None:
    """Reject rises that are steps, not heel raises.

    A heel raise turns the foot about the toes, extending the ankle, and ends
    where it started; a step (walking away after the set) or a knee driven
    forward lifts the heel by bending the knee over a still or flexing ankle,
    and the hips may rise with it (so the body test passes). Rejected: the knee
    bent and the ankle did not extend (``step_max_ankle_extension_deg``,
    ``step_min_knee_bend_deg``), or the hips stood ``step_min_hip_travel_cm``
    or more apart along the floor before and after. Judged only where every
    frame of the rise is in ``ANGLE_VIEWS``.
    """
    for c in cands:
        if not c.is_rep or len(views) != len(tr.knee_flexion_deg):
            continue
        if not set(views[c.start_i : c.end_i + 1].tolist()) <= ANGLE_VIEWS:
            continue
        travel = _hip_travel_cm(tr, c)
        if travel >= th.step_min_hip_travel_cm:
            c.reason = (
                f"your hips moved {travel:.0f} cm along the floor from before this rise to "
                "after it: a step, not a heel raise"
            )
            continue
        ankle = _lift(tr.plantarflexion_deg, c.plateau, c.baseline_left, c.baseline_right)
        knee = _lift(tr.knee_flexion_deg, c.plateau, c.baseline_left, c.baseline_right)
        if ankle <= th.step_max_ankle_extension_deg and knee >= th.step_min_knee_bend_deg:
            c.reason = (
                f"the knee bent {knee:.0f}° while the ankle did not extend "
                f"({ankle:+.0f}°): a step, not a heel raise"
            )


def _hip_travel_cm(tr: LegTraces, c: RepCandidate) -> float:
    """Distance (cm) along the floor between the hips standing before and after ``c``; 0 unknown."""
    if tr.hips_along_cm is None or c.baseline_left is None or c.baseline_right is None:
        return 0.0
    before = tr.hips_along_cm[c.baseline_left]
    after = tr.hips_along_cm[c.baseline_right]
    if not (np.isfinite(before).any() and np.isfinite(after).any()):
        return 0.0
    return float(abs(np.nanmedian(after) - np.nanmedian(before)))


def rise_noise_cm(cands: list[RepCandidate]) -> float | None:
    """Standard error (cm) of one rep's rise, from the set's own consistency.

    Two estimates, the larger is returned:

    - **Standing levels.** The heel stands at the same level before and after
      a rep, so the difference of the two standing medians is pure
      measurement noise of a window level (jitter, slow landmark wobble, the
      heel settling). Their robust spread over the set (1.4826 * MAD, no
      centring: the expected difference is 0) over sqrt(2) is one window's
      error ``s``; a rise is a top window minus the mean of two standing
      windows, so its error is ``s * sqrt(1 + 1/2)``. It misses errors that
      only the top windows carry.
    - **Rep to rep** (4 whole reps or more): successive reps' rises differ by
      their noise plus how much the person varied; the robust spread of the
      successive differences (1.4826 * median |difference|) over sqrt(2)
      bounds one rep's error from above, and a smooth trend such as fatigue
      adds little to it (a 3 cm loss over 20 reps is 0.15 cm per step).

    None with fewer than 3 whole reps.
    """
    whole = [c for c in cands if c.top_window_s and len(c.levels) == 2 and c.is_rep]
    diffs = [c.levels[0] - c.levels[1] for c in whole]
    if len(diffs) < 3:
        return None
    s = robust_sd(diffs, 0.0) / np.sqrt(2.0)
    se = float(s * np.sqrt(1.5))
    if len(whole) >= 4:
        steps = np.diff([c.heel_rise_cm for c in whole])
        se = max(se, robust_sd(steps, 0.0) / np.sqrt(2.0))
    return se


def classify_partial(reps: list[RepCandidate], th: CalfRaiseThresholds) -> tuple[list[bool], float]:
    """Which reps are partial, and the set's typical (median) rise in cm.

    A rep is partial when cut by the clip's start or end, or when it rises
    less than ``partial_fraction`` of the median rise of the complete reps.
    """
    complete = [r.heel_rise_cm for r in reps if not r.truncated]
    pool = complete or [r.heel_rise_cm for r in reps]
    typical = float(np.median(pool)) if pool else float("nan")
    partial = [r.truncated or r.heel_rise_cm < th.partial_fraction * typical for r in reps]
    return partial, typical


# ------------------------------------------------------------ merging legs
@dataclass
class Rep:
    """One rep across the measured legs (``leg`` "left", "right" or "both")."""

    leg: str
    parts: dict[str, RepCandidate]
    partial: bool = False

    def _mean(self, name: str) -> float | None:
        vals = [getattr(c, name) for c in self.parts.values()]
        vals = [v for v in vals if v is not None and np.isfinite(v)]
        return float(np.mean(vals)) if vals else None

    @property
    def truncated(self) -> bool:
        """True when any leg's rise was cut by the clip's start or end."""
        return any(c.truncated for c in self.parts.values())

    @property
    def heel_rise_cm(self) -> float:
        """Mean heel rise over the measured legs, cm."""
        return float(np.mean([c.heel_rise_cm for c in self.parts.values()]))

    @property
    def peak_s(self) -> float:
        """Mean peak time over the measured legs, s."""
        return float(np.mean([c.peak_s for c in self.parts.values()]))

    @property
    def heel_drop_cm(self) -> float | None:
        """Mean drop below the step's level over the legs measured on a step, cm (None: flat)."""
        return self._mean("heel_drop_cm")


def merge_legs(per_leg: dict[str, list[RepCandidate]]) -> list[Rep]:
    """Join reps found on both legs at the same time into double-leg reps.

    Two reps overlap when each one's peak lies inside the other's
    start..end span (a truncated edge counts as open).
    """
    items = sorted(
        ((leg, c) for leg, cands in per_leg.items() for c in cands if c.is_rep),
        key=lambda lc: lc[1].peak_s,
    )
    reps: list[Rep] = []
    for leg, c in items:
        last = reps[-1] if reps else None
        if (
            last is not None
            and leg not in last.parts
            and all(_overlap(c, o) for o in last.parts.values())
        ):
            last.parts[leg] = c
            last.leg = "both"
            continue
        reps.append(Rep(leg=leg, parts={leg: c}))
    return _drop_split_pieces(reps)


def _drop_split_pieces(reps: list[Rep]) -> list[Rep]:
    """Join one-leg reps to the double-leg rep they are a piece of.

    Both heels rise together in a double-leg rep. A rise seen on one leg
    alone whose top lies inside another leg's rep (its start..end) is that
    rep seen on this leg: it joins the rep when the rep has no part on this
    leg yet, and otherwise it is the rest of the rep, split in two on this
    leg by landmark noise, kept as a ``"not_a_rep"`` with the reason.
    """
    kept: list[Rep] = []
    for r in reps:
        if len(r.parts) != 1:
            kept.append(r)
            continue
        ((leg, c),) = r.parts.items()
        host = next(
            (
                o
                for o in reps
                if o is not r
                and any(ol != leg and _inside(c.peak_s, oc) for ol, oc in o.parts.items())
            ),
            None,
        )
        if host is None:
            kept.append(r)
        elif leg not in host.parts:
            host.parts[leg] = c
            host.leg = "both"
        else:
            c.reason = (
                f"part of the rep at {host.peak_s:.1f} s, split in two on the {leg} leg "
                "by landmark noise"
            )
    return kept


def _inside(t: float, c: RepCandidate) -> bool:
    """``t`` (s) lies within ``c``'s start..end (a cut edge counts as open)."""
    lo = -np.inf if c.start_s is None else c.start_s
    hi = np.inf if c.end_s is None else c.end_s
    return bool(lo <= t <= hi)


def _overlap(a: RepCandidate, b: RepCandidate) -> bool:
    return _inside(a.peak_s, b) and _inside(b.peak_s, a)


# ------------------------------------------------------------ summary and cues
def cv_pct(values: list[float]) -> float | None:
    """Coefficient of variation in % (sample SD / mean); None with < 2 values."""
    if len(values) < 2:
        return None
    mean = float(np.mean(values))
    return 100.0 * float(np.std(values, ddof=1)) / mean if mean > 0 else None


def _mean_or_none(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(vals)) if vals else None


def _round(x: float | None, nd: int = 2) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


# ------------------------------------------------------------ measuring a track
MAX_DEPTH_SCALE_DEV = 0.15
"""Largest correction of a foot's cm scale for its depth (fraction).

Geometry: a foot is at most about half a hip width plus a foot length
(~0.2 m) nearer or farther than the body's plane; at 1.5 m, the nearest
sensible filming distance, that is 13%."""

TOE_DOWN_CM = 3.5
"""cm. A toe within this of its resting level counts as on the floor when
comparing the two shanks (judgement: 2% of a 175 cm stature; a calf raise
keeps the toes down, a lifted free foot is far higher)."""


KNEES_ALIKE_DEG = 20.0
"""Degrees. Both feet count as on the floor for ``leg_depth_scales`` only where
the two knees are bent within this of each other: a single-leg set's free
foot, held up behind with its knee bent 60-90 degrees, rests at its own
lifted level, which the toe-down test alone takes for the floor (its
foreshortened shank then read the stance foot's scale 15% low)."""


def _knees_alike(ctx: DrillContext) -> npt.NDArray[np.bool_]:
    """(T,) the two knees bent alike (within ``KNEES_ALIKE_DEG``).

    In 3D from the world landmarks (a knee bent backward does not show from
    the front); in the picture when the track has no world landmarks.
    """
    from formcheck.angles import compute_angles
    from formcheck.calibration import knee_bend_3d_deg

    track = ctx.conditioned.track
    world = np.asarray(track.world, dtype=np.float64)
    bends = []
    for s in ("left", "right"):
        if np.isfinite(world).any():
            bends.append(knee_bend_3d_deg(world, s))
            continue
        try:
            a = compute_angles(track, s, names=["knee_flexion"], facing=ctx.view.facing)
        except ValueError:
            return np.zeros(len(track), dtype=bool)
        bends.append(np.asarray(a["knee_flexion"], dtype=np.float64))
    with np.errstate(invalid="ignore"):
        return np.asarray(np.abs(bends[0] - bends[1]) < KNEES_ALIKE_DEG)


def leg_depth_scales(ctx: DrillContext) -> dict[str, float]:
    """Per-leg factor on the cm scale for the foot's distance from the camera.

    The calibration's cm per pixel holds in the body's plane; a foot nearer
    the camera (the near foot side-on or oblique) looks bigger, so its rise
    reads high, and the far foot's low. The two shanks (knee to ankle) are
    the same length and, with both feet on the floor, about equally upright,
    so their pixel lengths give the ratio of the feet's depths. Taking the
    body's plane midway between the feet, leg ``s`` gets
    ``2 * L_other / (L_s + L_other)`` (medians of the shank lengths in
    frames where both toes are down and the knees and ankles reliable),
    bounded by ``MAX_DEPTH_SCALE_DEV``; 1.0 when that cannot be measured
    (fewer than 10 such frames, e.g. a single-leg set).
    """
    ones = {"left": 1.0, "right": 1.0}
    track = ctx.conditioned.track
    if ctx.floor is None or len(track) == 0:
        return ones
    from formcheck.calibration import height_above_floor

    px = track.landmarks[:, :, :2].astype(np.float64) * np.array([track.width, track.height])
    rel = ctx.conditioned.reliable
    band_px = TOE_DOWN_CM / ctx.calibration.cm_per_px
    use = _knees_alike(ctx)
    shank: dict[str, FloatArray] = {}
    for s in ("left", "right"):
        knee, ankle, toe = (side_landmark(s, p) for p in ("knee", "ankle", "foot_index"))
        shank[s] = np.linalg.norm(px[:, int(knee)] - px[:, int(ankle)], axis=1)
        rest = ctx.floor.rest_px.get(f"{s}_foot_index", np.nan)
        if not np.isfinite(rest):
            return ones
        toe_h = height_above_floor(px[:, int(toe)], ctx.floor) - rest
        with np.errstate(invalid="ignore"):
            use &= np.abs(toe_h) < band_px
        use &= rel[:, int(knee)] & rel[:, int(ankle)] & np.isfinite(shank[s])
    if use.sum() < 10:
        return ones
    lengths = {s: float(np.median(shank[s][use])) for s in shank}
    total = lengths["left"] + lengths["right"]
    if total <= 0:
        return ones
    out = {}
    for s, other in (("left", "right"), ("right", "left")):
        f = 2.0 * lengths[other] / total
        out[s] = float(np.clip(f, 1.0 - MAX_DEPTH_SCALE_DEV, 1.0 + MAX_DEPTH_SCALE_DEV))
    return out


MSG_HEEL_HIDDEN = (
    "your {side} heel was hidden behind your foot all clip long: the pose model's "
    "low-visibility placement of it was used, and it may read low"
)

MSG_FOOT_BEHIND = (
    "your {side} foot was behind your other leg: the pose model's low-visibility "
    "placement of it was used{and_so}; for the best numbers turn your {side} side to the camera"
)

RIGID_FOOT_VIEWS = frozenset({"side", "oblique", "back"})
"""Views in which the heel is combined with the ankle and the body (``leg_traces``).

The combination assumes the landmarks' errors are independent, which
holds where the camera sees both; facing the camera (front view) the heel
is hidden behind the foot and the model places it from the rest of the
foot, so its error follows the ankle's: there the heel is combined with the
other heel and the body instead (``with_the_other_heel``)."""


def leg_traces(
    ctx: DrillContext,
    side: str,
    *,
    scale: float = 1.0,
    fit_frames: BoolArray | None = None,
) -> LegTraces:
    """Heights (cm, perpendicular to the floor) and angles of one leg from ``ctx``.

    ``scale`` multiplies the cm scale of the foot's heights (heel, toe) for
    the foot's depth (``leg_depth_scales``); the hips stay in the body's plane.
    ``fit_frames``: (T,) bool, the only frames the combined heel reading
    may be fitted on (``_refitted_on_a_step``); None: every frame with the
    toes down.
    """
    from formcheck.angles import compute_angles

    track = ctx.conditioned.track
    px = track.landmarks[:, :, :2].astype(np.float64) * np.array([track.width, track.height])
    cm = ctx.calibration.cm_per_px
    heel_guessed = front_hidden_heel(ctx, side, px)
    behind = far_foot_hidden(ctx, side, px)
    filled = fill_hidden_legs(ctx)[1] if heel_guessed.any() or behind.any() else px
    if heel_guessed.any():
        i_heel = int(side_landmark(side, "heel"))
        px[heel_guessed, i_heel] = filled[heel_guessed, i_heel]
    angle_track = track
    if behind.any():
        for part in ("knee", "ankle", "heel", "foot_index"):
            i = int(side_landmark(side, part))
            gone = behind & ~np.isfinite(px[:, i]).all(axis=1)
            px[gone, i] = filled[gone, i]
        heel_guessed = heel_guessed | behind
        lms = np.array(track.landmarks, copy=True)
        lms[:, :, :2] = px / np.array([track.width, track.height])
        angle_track = dataclasses.replace(track, landmarks=lms.astype(track.landmarks.dtype))

    def height(lms: list[Landmark]) -> FloatArray:
        pts = np.mean([px[:, int(m)] for m in lms], axis=0)
        if ctx.floor is not None:
            from formcheck.calibration import height_above_floor

            h_px = np.asarray(height_above_floor(pts, ctx.floor), dtype=np.float64)
        else:
            h_px = -pts[:, 1]
            h_px = h_px - np.nanpercentile(h_px, 5) if np.isfinite(h_px).any() else h_px
        return h_px * cm

    heel = side_landmark(side, "heel")
    toe = side_landmark(side, "foot_index")
    up = None if ctx.floor is None else getattr(ctx.floor, "normal", None)
    try:
        ang = compute_angles(
            angle_track,
            side,
            up=up,
            names=["ankle_dorsiflexion", "knee_flexion"],
            facing=ctx.view.facing,
        )
        pf = -ang["ankle_dorsiflexion"]
        knee = ang["knee_flexion"]
    except ValueError:
        pf = knee = np.full(len(track), np.nan)
    rel = ctx.conditioned.reliable
    from formcheck.calibration import one_factor_heel_height, rigid_foot_heel_height

    heel_cm = height([heel])
    toe_cm = height([toe])
    other = "right" if side == "left" else "left"
    other_toe_cm = height([side_landmark(other, "foot_index")])
    snapped = np.zeros(len(heel_cm), dtype=bool)
    if _nanmedian(other_toe_cm) - _nanmedian(toe_cm) >= FREE_FOOT_ABOVE_CM:
        # the other foot is held up: frames where this foot was put onto it are not its own
        snapped = placed_on_the_other_foot(px, side, cm)
    if snapped.any():
        times = np.asarray(track.timestamps_s, dtype=np.float64)
        heel_cm[snapped] = np.nan
        toe_cm[snapped] = np.nan
        heel_cm = fill_nans(times, heel_cm)
    toe_seen = toe_cm.copy()
    if snapped.any():
        toe_cm = fill_nans(times, toe_cm)
    hidden = np.zeros(len(toe_cm), dtype=bool)
    views = np.asarray(ctx.view.per_frame)
    if len(views) == len(hidden):
        hidden = views == "back"
    if ctx.track.model_variant != "synthetic":
        # from behind the toes are hidden in front of the heel: a pose model
        # only guesses them, and its guess rises with the heel
        toe_seen[hidden] = np.nan
    heel_own_cm = heel_cm.copy()
    body_cm = height([Landmark.LEFT_HIP, Landmark.RIGHT_HIP])
    body_reading = body_rise_reading(
        [height([m]) for m in (*BODY_RISE_LANDMARKS, side_landmark(side, "knee"))]
    )
    block = max(1, round(SCALE_SE_BLOCK_S * track.fps))
    scale_rel_se = 0.0
    if ctx.view.view in RIGID_FOOT_VIEWS:
        ankle_cm = height([side_landmark(side, "ankle")])
        with np.errstate(invalid="ignore"):
            toe_down = np.abs(toe_cm - _nanmedian(toe_cm)) < TOE_DOWN_CM
        # the body is in the body's plane: bring it to the foot's depth scale
        if fit_frames is not None:
            toe_down &= fit_frames
        fused, info = one_factor_heel_height(
            heel_cm, ankle_cm, body_reading / scale, fit_frames=toe_down, block_frames=block
        )
        if info is None:
            fused, _ = rigid_foot_heel_height(heel_cm, ankle_cm)
        else:
            scale_rel_se = info["scale_rel_se"]
        heel_cm = fused
    else:
        heel_cm, scale_rel_se = with_the_other_heel(
            heel_cm,
            toe_cm,
            height([side_landmark(other, "heel")]),
            other_toe_cm,
            body_reading,
            knees_alike=_knees_alike(ctx) if fit_frames is None else _knees_alike(ctx) & fit_frames,
            block_frames=block,
        )
    return LegTraces(
        heel_cm=scale * heel_cm,
        toe_cm=scale * toe_seen,
        body_cm=body_cm,
        plantarflexion_deg=np.asarray(pf, dtype=np.float64),
        knee_flexion_deg=np.asarray(knee, dtype=np.float64),
        reliable=_foot_seen(rel, heel, toe, hidden) & ~snapped & ~heel_guessed,
        toe_over_heel_cm=scale * _toe_over_heel_px(ctx, side) * cm,
        heel_guessed=heel_guessed if heel_guessed.any() else None,
        sole_3d_cm=sole_height_3d_cm(ctx, side),
        heel_scale_rel_se=scale_rel_se,
        heel_landmark_cm=scale * heel_own_cm,
        hips_along_cm=floor_along_px(
            ctx, 0.5 * (px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP])
        )
        * cm,
    )


SCALE_SE_BLOCK_S = 1.0
"""s. Block length of the bootstrap behind ``LegTraces.heel_scale_rel_se``:
longer than a landmark's slow wobble (the synthetic noise model's is 0.5 s)
and shorter than a rep. On synthetic side-on sets (realistic noise, 16
seeds) the SE came out 0.027 of the rise on average against clip-mean
errors of 0.035 RMS (RMS error / SE 1.33 with 1 s blocks, 1.38 with 2 s)."""


BODY_RISE_LANDMARKS = (
    Landmark.LEFT_HIP,
    Landmark.RIGHT_HIP,
    Landmark.LEFT_SHOULDER,
    Landmark.RIGHT_SHOULDER,
)
"""Landmarks whose heights read the body's rise in a heel raise, with the
measured leg's own knee (``body_rise_reading``). Why these: above the ankle
the body rises as one piece when the knees are held; the other knee is left
out because in a single-leg set that leg is held up and moves on its own."""


def body_rise_reading(heights_cm: list[FloatArray]) -> FloatArray:
    """(T,) the body's rise (cm, about its median level) read from several landmarks' heights.

    Each landmark wobbles on its own, so the mean of their rises wobbles
    less than any one: with both hips, both shoulders and the leg's own knee
    (``BODY_RISE_LANDMARKS``) the heel read through ``one_factor_heel_height``
    moves less than with the hips alone (synthetic 8-rep sets, realistic
    noise, seeds 0-23 per view, per-rep error side 0.33 -> 0.26 cm, front
    0.30 -> 0.25, oblique 0.32 -> 0.25, set means unchanged; heavy noise
    counts exact 95 of 96 clips, was 94; docs/ACCURACY.md). Each landmark is taken about its own median height and the mean is
    over the landmarks seen in that frame, so a landmark lost for a few
    frames neither leaves the frame without a reading nor shifts it by the
    gap between a shoulder's and a hip's height (averaging the heights
    themselves left the heel alone wherever any one was lost, and a heavy
    noise side clip miscounted). NaN where none is seen.
    """
    rows = np.stack([np.asarray(h, dtype=np.float64) for h in heights_cm])
    seen = np.isfinite(rows)
    levels = np.array(
        [np.median(r[ok]) if ok.any() else 0.0 for r, ok in zip(rows, seen, strict=True)]
    )
    dev = np.where(seen, rows - levels[:, None], 0.0)
    count = seen.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, dev.sum(axis=0) / count, np.nan)


def sole_height_3d_cm(
    ctx: DrillContext, side: str, world: FloatArray | None = None
) -> FloatArray | None:
    """(T,) the foot's lowest point along the body's axis in the 3D world landmarks, cm.

    The axis is the median direction from the mid-ankles to the
    mid-shoulders (a standing body's vertical), so a camera pitched down
    does not turn the feet's depth into height. The world landmarks are in
    metres about the hips: heights of the two feet share one offset. NaN in
    back-view frames: from behind the pose model flattens a foot held up
    behind the body (3 cm in 3D for 18 cm in the picture on a rendered
    single-leg set; balance found the same, ``single_leg_balance.lift_extent``).
    None when the track has no 3D landmarks for the foot. ``world``: (T, 33, 3)
    world landmarks to use instead of the conditioned track's (e.g. with the
    hidden legs put back, ``fill_hidden_legs``).
    """
    if world is None:
        world = np.asarray(ctx.conditioned.track.world, dtype=np.float64)
    if world.ndim != 3 or not np.isfinite(world).any():
        return None
    ank = 0.5 * (world[:, Landmark.LEFT_ANKLE] + world[:, Landmark.RIGHT_ANKLE])
    sh = 0.5 * (world[:, Landmark.LEFT_SHOULDER] + world[:, Landmark.RIGHT_SHOULDER])
    axis = sh - ank
    norm = np.linalg.norm(axis, axis=1)
    ok = np.isfinite(norm) & (norm > 0)
    if not ok.any():
        return None
    up = np.median(axis[ok] / norm[ok, None], axis=0)
    up = up / np.linalg.norm(up)
    sole = world[:, [int(side_landmark(side, "heel")), int(side_landmark(side, "foot_index"))]]
    h = sole @ up
    views = np.asarray(ctx.view.per_frame)
    if len(views) == len(h):
        h[views == "back"] = np.nan
    seen = np.isfinite(h).any(axis=1)
    if not seen.any():
        return None
    out = np.full(len(h), np.nan)
    out[seen] = 100.0 * np.nanmin(h[seen], axis=1)
    return out


HIDDEN_HEEL_FRACTION = 0.5
"""From the front, a heel missing (below the visibility threshold) in more
than this share of the front-view frames, while its toe is seen, counts as
hidden behind the foot for the clip, not as lost in places (judgement: the
share above which ``choose_legs`` calls a foot unseen; the pose model's
occasional drops stay gaps)."""


def front_hidden_heel(ctx: DrillContext, side: str, px: FloatArray) -> BoolArray:
    """(T,) frames where foot ``side``'s heel is hidden behind the foot, filmed from the front.

    Facing the camera the heel is behind the foot: the pose model places it
    from the rest of the foot, with low visibility, and the conditioning
    drops it (rendered single-leg set from the front: the standing heel's
    visibility 0.41 median against 0.84 for its toe; no rep was found and
    the held-up foot was measured instead). Where the heel is missing in over
    ``HIDDEN_HEEL_FRACTION`` of the front-view frames while its toe is
    reliable, its frames missing there are returned, for the pose model's
    placement (``fill_hidden_legs``) to be used and flagged. ``px``: the
    conditioned (T, 33, 2) pixels.
    """
    n = len(px)
    none = np.zeros(n, dtype=bool)
    views = np.asarray(ctx.view.per_frame)
    if len(views) != n:
        return none
    front = views == "front"
    heel, toe = (int(side_landmark(side, p)) for p in ("heel", "foot_index"))
    missing = front & ~np.isfinite(px[:, heel]).all(axis=1) & ctx.conditioned.reliable[:, toe]
    if not front.any() or missing.sum() <= HIDDEN_HEEL_FRACTION * front.sum():
        return none
    return np.asarray(missing, dtype=bool)


def far_foot_hidden(ctx: DrillContext, side: str, px: FloatArray) -> BoolArray:
    """(T,) side-on frames where the far foot ``side`` is hidden behind the near leg.

    Side-on, the far foot stands behind the near leg: the pose model still
    places it, but with visibility under the threshold, and the conditioning
    drops it (a rendered single-leg set on the far leg: heel visibility
    0.37-0.56, and no rep found on either leg: the near foot was the one held
    up). Where the far foot's heel is missing in over ``HIDDEN_HEEL_FRACTION``
    of the side-on frames, its side-on frames with the heel missing are
    returned, for the pose model's placement of the heel, ankle and toe
    (``fill_hidden_legs``) to be used and flagged. ``px``: the conditioned
    (T, 33, 2) pixels.
    """
    n = len(px)
    none = np.zeros(n, dtype=bool)
    views = np.asarray(ctx.view.per_frame)
    if len(views) != n or ctx.view.near_side in (None, side):
        return none
    side_on = views == "side"
    heel = int(side_landmark(side, "heel"))
    missing = side_on & ~np.isfinite(px[:, heel]).all(axis=1)
    if not side_on.any() or missing.sum() <= HIDDEN_HEEL_FRACTION * side_on.sum():
        return none
    return np.asarray(missing, dtype=bool)


def with_the_other_heel(
    heel_cm: FloatArray,
    toe_cm: FloatArray,
    other_heel_cm: FloatArray,
    other_toe_cm: FloatArray,
    body_cm: FloatArray,
    *,
    knees_alike: npt.NDArray[np.bool_] | None = None,
    block_frames: int | None = None,
) -> tuple[FloatArray, float]:
    """(T,) heel height (cm) facing the camera: the heel, the other heel and the body combined.

    Facing the camera, the heel's own ankle is no independent second
    reading (``RIGID_FOOT_VIEWS``), but in a double-leg set the other foot's
    heel is: both heels and the hips rise together, and each landmark
    wobbles on its own. ``one_factor_heel_height`` weights the three by
    their own errors, so the heel reads from all of them (synthetic
    double-leg sets from the front, seeds 0-23: heavy noise counts exact in
    24 of 24 clips, was 12; realistic noise per-rep error 0.29 cm mean, was
    0.49). The heel's loading on the common rise is fitted on the whole
    clip, so a leg that rises less all set long still reads less; a
    difference in one rep only is smoothed towards the other leg.

    Only with both feet on the floor: frames with both toes within
    ``TOE_DOWN_CM`` of their resting level (and ``knees_alike``), and the
    two heels' standing levels within ``FREE_FOOT_ABOVE_CM``. A single-leg
    set's free foot moves with the body, not the heel, and shares the
    body's sway: it is no independent reading, and the heel is used alone.
    The heel alone also when the fit fails (``one_factor_heel_height``).

    Returns the heel height and the relative SE of its scale
    (``one_factor_scale_rel_se`` with ``block_frames``; 0 for the heel alone).
    """
    with np.errstate(invalid="ignore"):
        both_down = (np.abs(toe_cm - _nanmedian(toe_cm)) < TOE_DOWN_CM) & (
            np.abs(other_toe_cm - _nanmedian(other_toe_cm)) < TOE_DOWN_CM
        )
    if knees_alike is not None:
        both_down &= knees_alike
    gap = _nanmedian(heel_cm[both_down]) - _nanmedian(other_heel_cm[both_down])
    if not both_down.any() or not abs(gap) < FREE_FOOT_ABOVE_CM:
        return heel_cm, 0.0
    from formcheck.calibration import one_factor_heel_height

    fused, info = one_factor_heel_height(
        heel_cm, other_heel_cm, body_cm, fit_frames=both_down, block_frames=block_frames
    )
    return fused, 0.0 if info is None else info["scale_rel_se"]


SNAP_FRACTION = 0.5
"""A foot counts as put onto the other foot where the two feet are closer in
the picture than this fraction of their usual distance. Why: a pose model
that loses a foot places it on the other one (the synthetic far-foot error
pulls it 50-100% of the way); a single-leg set's free foot, carried up and
down with the body, keeps its distance from the standing foot within a few
cm of its usual ~25 cm. On synthetic single-leg sets (realistic noise, 96
clips) 0.4 misses 2 reps more and 0.6 counts the same: the lower kept, the
further from real motion."""

SNAP_SPELL_FRACTION = 0.75
"""A spell of a foot put onto the other (``SNAP_FRACTION``) lasts while the
feet stay nearer than this fraction of their usual distance, or unseen
(judgement: halfway between the spell's threshold and the usual distance;
the spell's own noise crossed 0.5 every few frames and cut it up)."""

SNAP_MIN_SEPARATION_CM = 10.0
"""cm. The test runs only when the feet are usually at least this far apart
in the picture (side-on, a double-leg set's feet overlap and come close all
the time)."""

SNAP_CONTEXT_FRAMES = 10
"""Frames either side of a close spell whose positions tell which foot moved
(judgement: a third of a second at 30 fps, shorter than a rep's rise)."""


def placed_on_the_other_foot(px: FloatArray, side: str, cm_per_px: float) -> BoolArray:
    """(T,) frames where the pose model put foot ``side`` onto the other foot.

    The feet (heel and toe midpoints, ``px``: (T, 33, 2) pixels) coming
    closer than ``SNAP_FRACTION`` of their median distance starts a spell
    (which lasts while they stay nearer than ``SNAP_SPELL_FRACTION``); the
    foot that moved away from where it was just before and after the spell
    (``SNAP_CONTEXT_FRAMES``, median positions) is the one misplaced, the
    other is left alone. All False when the feet are usually closer than
    ``SNAP_MIN_SEPARATION_CM``. Use where the other foot is held up (a
    single-leg set): the standing foot put onto the free foot reads as the
    whole foot leaving the floor, and cost synthetic single-leg sets a rep in
    7 of 96 clips at realistic noise.
    """
    other = "right" if side == "left" else "left"
    own = [int(side_landmark(side, p)) for p in ("heel", "foot_index")]
    oth = [int(side_landmark(other, p)) for p in ("heel", "foot_index")]
    a = px[:, own].mean(axis=1)
    b = px[:, oth].mean(axis=1)
    dist = np.linalg.norm(a - b, axis=1)
    usual = _nanmedian(dist)
    out = np.zeros(len(px), dtype=bool)
    if not usual * cm_per_px >= SNAP_MIN_SEPARATION_CM:
        return out
    with np.errstate(invalid="ignore"):
        close = dist < SNAP_FRACTION * usual
        # a spell lasts while the feet stay nearer than usual (or unseen), so
        # noise about the threshold does not cut it into pieces
        near = ~(dist >= SNAP_SPELL_FRACTION * usual)
    w = SNAP_CONTEXT_FRAMES
    for i0, i1 in true_runs(near):
        if not close[i0:i1].any():
            continue
        around = np.r_[max(0, i0 - w) : i0, i1 : min(len(px), i1 + w)]
        seen = around[np.isfinite(a[around]).all(axis=1) & np.isfinite(b[around]).all(axis=1)]
        if seen.size == 0:
            continue
        moved_a = _nanmedian(np.linalg.norm(a[i0:i1] - np.median(a[seen], axis=0), axis=1))
        moved_b = _nanmedian(np.linalg.norm(b[i0:i1] - np.median(b[seen], axis=0), axis=1))
        if moved_a > moved_b:
            out[i0:i1] = True
    return out


def _foot_seen(
    rel: npt.NDArray[np.bool_], heel: Landmark, toe: Landmark, hidden: BoolArray
) -> BoolArray:
    """(T,) the foot seen: heel and toe reliable; where ``hidden`` (back view), the heel alone.

    From behind, the toes are hidden in front of the heel by the foot
    itself: a toe not seen there is the view, not a poor clip. Requiring it
    left no leg "seen" from behind, and in a single-leg set the free foot,
    held up in full view, was measured instead of the standing one: every
    rep was rejected as the whole foot leaving the floor (0 of 6 reps on
    synthetic back-view single-leg sets, with perfect landmarks too).
    """
    seen = rel[:, int(heel)] & rel[:, int(toe)]
    if len(hidden) == len(seen):
        seen = seen | (rel[:, int(heel)] & hidden)
    return np.asarray(seen, dtype=bool)


def _toe_over_heel_px(ctx: DrillContext, side: str) -> FloatArray:
    """(T,) toe landmark above the heel landmark, px along the floor normal.

    From the raw track (the pose model's own guess where the toe is hidden
    behind the heel, e.g. from behind, which the conditioning drops); the
    conditioned track when the raw one is not aligned with it.
    """
    track = ctx.track if len(ctx.track) == len(ctx.conditioned.track) else ctx.conditioned.track
    px = track.landmarks[:, :, :2].astype(np.float64) * np.array([track.width, track.height])
    d = px[:, int(side_landmark(side, "foot_index"))] - px[:, int(side_landmark(side, "heel"))]
    up = np.array([0.0, -1.0]) if ctx.floor is None else np.asarray(ctx.floor.normal)
    return np.asarray(d @ up, dtype=np.float64)


def choose_legs(
    options_leg: str,
    view: str,
    near_side: str | None,
    reliable_fraction: dict[str, float],
    th: CalfRaiseThresholds,
) -> tuple[list[str], list[QualityIssue]]:
    """Legs to measure: the user's choice; else the near leg side-on; else every measurable leg."""
    issues: list[QualityIssue] = []
    usable = [
        s
        for s in ("left", "right")
        if reliable_fraction.get(s, 0.0) >= th.min_leg_reliable_fraction
    ]
    if options_leg in ("left", "right"):
        if options_leg not in usable:
            issues.append(
                QualityIssue(
                    "calf_leg_unreliable",
                    "warning",
                    f"your {options_leg} heel and toes were seen clearly in only "
                    f"{100 * reliable_fraction.get(options_leg, 0.0):.0f}% of frames: keep that "
                    "foot in the picture with light on it",
                )
            )
        return [options_leg], issues
    if view == "side" and near_side in ("left", "right"):
        return [near_side], issues
    if usable:
        return usable, issues
    best = max(("left", "right"), key=lambda s: reliable_fraction.get(s, 0.0))
    issues.append(
        QualityIssue(
            "calf_feet_unreliable",
            "warning",
            "your heels and toes were seen clearly in under half of the frames: step back "
            "so both feet are in the picture, on a floor that contrasts with your shoes",
        )
    )
    return [best], issues


def _candidates(times_s: FloatArray, tr: LegTraces, th: CalfRaiseThresholds) -> list[RepCandidate]:
    """Rep candidates of one leg's traces (the body test skipped without a hip trace).

    Each of the leg's ``spans`` is searched on its own: a rise is never
    joined across the stretch in between, where the leg is not measured.
    """
    out = []
    for a, b in tr.spans or ((0, len(times_s)),):
        body = tr.body_cm[a:b] if np.isfinite(tr.body_cm[a:b]).sum() >= 3 else None
        cands = find_rep_candidates(
            times_s[a:b], tr.rise_cm[a:b], th, toe_cm=tr.toe_cm[a:b], body_cm=body
        )
        out += [_shifted(c, a) for c in cands]
    return out


def _shifted(c: RepCandidate, rows: int) -> RepCandidate:
    """``c`` with its frame indices moved on by ``rows``."""
    if rows == 0:
        return c
    return dataclasses.replace(
        c,
        peak_i=c.peak_i + rows,
        start_i=c.start_i + rows,
        end_i=c.end_i + rows,
        plateau=(c.plateau[0] + rows, c.plateau[1] + rows),
        baseline_left=None if c.baseline_left is None else c.baseline_left + rows,
        baseline_right=None if c.baseline_right is None else c.baseline_right + rows,
    )


def _far_leg_if_near_foot_is_up(
    times_s: FloatArray,
    traces: dict[str, LegTraces],
    legs: list[str],
    warnings: list[QualityIssue],
    th: CalfRaiseThresholds,
) -> tuple[list[str], list[QualityIssue]]:
    """Side-on, the far leg when the near one is held up or has no rep, and the far one has reps.

    Side-on the near leg is measured (it is seen best). In a single-leg set
    on the far leg, the near foot is the free one, held off the floor: it
    rises with the body and its rises are rejected as the whole foot leaving
    the floor, or, when the pose model loses the foot held up behind (a
    rendered single-leg set: its heel "rose" 7-15 cm with the body still),
    as weight shifts and steps. When the near leg has no rep, or its foot
    stands ``FREE_FOOT_ABOVE_CM`` above the far one (noise let one of the
    free foot's rises pass as a rep: 1 of 6 reps on a synthetic set), the far
    leg, if it shows reps, is measured instead, and the report says so.
    """
    near = legs[0]
    far = "left" if near == "right" else "right"
    cands = _candidates(times_s, traces[near], th)
    held_up = _held_up(traces[far], traces[near])
    if any(c.is_rep for c in cands) and not held_up:
        return legs, warnings  # the near foot is not the one held up
    if not any(c.is_rep for c in _candidates(times_s, traces[far], th)):
        return legs, warnings
    lifted = [c for c in cands if c.reason is not None and c.reason.startswith(FOOT_UP_REASON)]
    if held_up or len(lifted) >= max(1, len(cands) // 2):
        why = f"your {near} foot, nearer the camera, stayed off the floor"
    else:
        why = (
            f"your {near} leg, nearer the camera, showed no clean heel raise (a foot held "
            "up, or tracked poorly)"
        )
    note = QualityIssue(
        "calf_far_leg",
        "info",
        f"{why}, so your {far} leg was measured; the camera sees it less well: for the best "
        f"numbers turn your {far} side to the camera",
    )
    return [far], [*warnings, note]


FREE_FOOT_ABOVE_CM = 10.0
"""cm. A foot whose standing level (10th percentile of its heel height over the
clip) is this far above the other foot's is held off the floor: a single-leg
set's free foot. Measured: 18 cm on a rendered single-leg set from behind
(MediaPipe), 28 cm on synthetic ones; under 3 cm between the two feet of every
double-leg set (renders and synthetic, all views). Judgement between them,
above the ~10 cm a foot placed 30 cm further from a level camera can read."""

FREE_FOOT_3D_CM = 9.0
"""cm. In the pose model's 3D world landmarks (heights along the body's axis,
``sole_height_3d_cm``), a foot standing less than this above the other is on
the floor, whatever the picture shows: a foot set further from the camera
looks higher in the picture (9-10 cm on the real front-oblique double-leg
clip, within 0.1 cm of ``FREE_FOOT_ABOVE_CM``) but not in 3D. Measured (10th
percentiles over the clip, one foot over the other): double-leg renders
within 3.4 cm, the two real double-leg clips 5.4-5.9 cm (MediaPipe's 3D
feet differ that much standing); single-leg renders 12.6 (side-on) to
17.4 cm (back views are not used). Judgement between them."""


def _standing_gap_cm(own: FloatArray, other: FloatArray, rows: slice | None) -> float:
    """How far (cm) ``other`` stands above ``own``: difference of their 10th percentiles over ``rows``."""
    a = own if rows is None else own[rows]
    b = other if rows is None else other[rows]
    if not (np.isfinite(a).any() and np.isfinite(b).any()):
        return float("nan")
    return float(np.nanpercentile(b, 10) - np.nanpercentile(a, 10))


def _foot_up_by_cm(own: LegTraces, other: LegTraces, rows: slice | None = None) -> float:
    """How far (cm) ``other``'s foot stands above ``own``'s in the picture (their heels)."""
    return _standing_gap_cm(own.heel_cm, other.heel_cm, rows)


def _foot_up_3d_cm(own: LegTraces, other: LegTraces, rows: slice | None = None) -> float:
    """``_foot_up_by_cm`` in the 3D world landmarks (``sole_3d_cm``); NaN without them."""
    if own.sole_3d_cm is None or other.sole_3d_cm is None:
        return float("nan")
    return _standing_gap_cm(own.sole_3d_cm, other.sole_3d_cm, rows)


def _level_in_3d(own: LegTraces, other: LegTraces, rows: slice | None = None) -> bool:
    """True when the 3D feet put ``other`` within ``FREE_FOOT_3D_CM`` of ``own``: not held up."""
    up = _foot_up_3d_cm(own, other, rows)
    return bool(np.isfinite(up) and up < FREE_FOOT_3D_CM)


def _held_up(own: LegTraces, other: LegTraces, rows: slice | None = None) -> bool:
    """``other``'s foot held off the floor: in the picture and, where there are 3D feet, in 3D."""
    up = _foot_up_by_cm(own, other, rows)
    return bool(up >= FREE_FOOT_ABOVE_CM) and not _level_in_3d(own, other, rows)


def _without_a_foot_held_up(
    traces: dict[str, LegTraces], legs: list[str], warnings: list[QualityIssue]
) -> tuple[list[str], list[QualityIssue]]:
    """Both legs chosen: drop a foot held off the floor all along (``FREE_FOOT_ABOVE_CM``).

    From the front or behind both feet are seen, and a single-leg set's free
    foot, held up, rises and falls with the body. Its toes hide it from
    behind (the toe test cannot reject it), so its "reps" merged with the
    standing leg's: the set read as double-leg, with the heights of two feet
    averaged (11.2 cm for a true 8 on a rendered set).
    """
    left, right = traces["left"], traces["right"]
    up = _foot_up_by_cm(left, right)
    if not np.isfinite(up) or abs(up) < FREE_FOOT_ABOVE_CM:
        return legs, warnings
    free, stance = ("right", "left") if up > 0 else ("left", "right")
    if _level_in_3d(traces[stance], traces[free]):
        return legs, warnings  # further from the camera, not held up
    return [stance], [*warnings, _free_foot_note(stance)]


class CalfRaiseDrill:
    """The ``calf-raise`` drill (see the module docstring for the method and score)."""

    name = "calf-raise"
    title = "Calf raises"
    accepted_views = frozenset({"side", "oblique", "front", "back"})
    how_to_film = (
        "Put the phone at shin to knee height, 2-3 m away, side-on to you (oblique or "
        "front also work, less accurately). Your whole body and both feet must stay in "
        "the picture; stand on a floor that contrasts with your shoes."
    )
    measures = (
        "reps, heel rise in cm, up/hold/down tempo, knee bend variant, fatigue, left vs right"
    )

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Measure a calf-raise set (or a heel-rise test) in ``ctx``."""
        th = load_calf_thresholds(dict(ctx.options.thresholds))
        track = ctx.conditioned.track
        times = np.asarray(track.timestamps_s, dtype=np.float64)
        scales = leg_depth_scales(ctx)
        measured: dict[str, LegTraces]
        auto = ctx.options.leg not in ("left", "right")
        runs = _held_up_runs(ctx, times) if auto else []
        if legs_switched(stretches := stretches_of_runs(runs, len(times))):
            measured, traces, warnings = _per_stretch_traces(ctx, times, stretches, scales, th)
        else:
            traces = {s: leg_traces(ctx, s, scale=scales[s]) for s in ("left", "right")}
            traces = _refitted_on_a_step(ctx, times, traces, scales, th)
            legs, warnings = _legs_to_measure(ctx, times, traces, th)
            measured = {s: traces[s] for s in legs}
            parts = _stretches_on_the_measured_leg_too(times, runs, legs, traces, th)
            if legs_switched(parts):
                measured, traces, warnings = _per_stretch_traces(ctx, times, parts, scales, th)
            elif parts:
                measured, warnings = _on_the_standing_leg(parts[0].leg, traces, warnings)
        return analyze_traces(
            times,
            measured,
            th,
            variant=dict(ctx.options.variant),
            views=np.asarray(ctx.view.per_frame)
            if len(ctx.view.per_frame) == len(times)
            else np.full(len(times), ctx.view.view),
            calibration_note=_calibration_note(ctx),
            warnings=warnings,
            rise_scale=heel_rise_scale(ctx, th),
            rise_rel_sd=heel_rise_rel_sd(ctx, th),
            bent_share_per_deg=bent_knee_share_per_deg(ctx, th),
            stance_traces=traces,
            cm_uncertainty_pct=float(ctx.calibration.uncertainty_pct),
            landmark_heel=ctx.track.model_variant != "synthetic",
            heel_travel=heel_travel_geometry(ctx),
            turns_s=ctx.view.turns_s,
        )


def _refitted_on_a_step(
    ctx: DrillContext,
    times: FloatArray,
    traces: dict[str, LegTraces],
    scales: dict[str, float],
    th: CalfRaiseThresholds,
) -> dict[str, LegTraces]:
    """``traces`` with the heel reading of a leg on a step fitted on the frames at or above its level.

    The heel, the ankle and the body rise in fixed proportions above the
    step's level, but not below it: turning about the toe joints, the
    ankle (~8 cm up) drops more per cm of heel than it rises (synthetic
    foot: 0.69 of the heel's drop, 0.59 of its rise), so one straight-line
    fit over both read an 8 cm rise as 7.8 cm and bent the rest. A leg found
    on a step (``measure_drops`` on a first pass) is read again with its
    fit (``one_factor_heel_height``) on the frames no lower than half of
    ``min_heel_drop_cm`` below the flat level. Other legs are unchanged.
    """
    views = np.asarray(ctx.view.per_frame)
    if len(views) != len(times):
        views = np.full(len(times), ctx.view.view)
    out = dict(traces)
    per_leg = {leg: _candidates(times, tr, th) for leg, tr in traces.items()}
    for leg, tr in traces.items():
        _reject_steps(per_leg[leg], tr, views, th)
    place = Place.of(times, views, ctx.view.turns_s)
    for leg, level in step_levels(times, traces, per_leg, th, place=place).items():
        with np.errstate(invalid="ignore"):
            above = traces[leg].rise_cm >= level.flat_cm - 0.5 * th.min_heel_drop_cm
        out[leg] = leg_traces(ctx, leg, scale=scales[leg], fit_frames=above)
    return out


def _legs_to_measure(
    ctx: DrillContext, times: FloatArray, traces: dict[str, LegTraces], th: CalfRaiseThresholds
) -> tuple[list[str], list[QualityIssue]]:
    """The legs to measure for the whole of ``ctx`` (``choose_legs`` and its two repairs)."""
    # a heel hidden behind its foot from the front is the view, not a poor clip
    frac = {s: _seen_fraction(traces[s]) if len(times) else 0.0 for s in traces}
    legs, warnings = choose_legs(ctx.options.leg, ctx.view.view, ctx.view.near_side, frac, th)
    if ctx.options.leg not in ("left", "right") and ctx.view.view == "side" and len(legs) == 1:
        legs, warnings = _far_leg_if_near_foot_is_up(times, traces, legs, warnings, th)
    if ctx.options.leg not in ("left", "right") and len(legs) == 2:
        legs, warnings = _without_a_foot_held_up(traces, legs, warnings)
    return legs, warnings


def _stretches_on_the_measured_leg_too(
    times: FloatArray,
    runs: list[tuple[int, int, str]],
    legs: list[str],
    traces: dict[str, LegTraces],
    th: CalfRaiseThresholds,
) -> list[StanceStretch]:
    """The clip's stretches when the one leg measured is the foot held up in every run.

    Side-on, a set on the far leg and then one on the near leg (or the other
    way round): the near foot, held up in the first, is seen off the floor
    (a run), but the far foot held up behind the near leg is placed near the
    floor by the pose model (a rendered clip: 3-5 cm above the standing
    foot, for a true 35), so it makes no run. The near leg, which has reps
    in the second set, was measured all clip long and the far leg's set was
    lost, read as weight shifts; in alternating sets (far, near, far) the
    near leg's set between the two runs was lost. Here the runs stand on
    their own leg, and the gaps of ``SWITCH_MIN_SET_S`` or more around and
    between them on the measured leg, where it has a rep
    (``with_the_other_leg_between``); without such a gap, the clip is one
    stretch on the runs' leg (the measured leg's reps were its free foot
    moving). Empty when the measured leg stands in a run, or when two legs
    or none are measured.
    """
    if not runs or len(legs) != 1 or any(foot != legs[0] for _, _, foot in runs):
        return []
    (leg,) = legs
    reps = [c.peak_i for c in _candidates(times, traces[leg], th) if c.is_rep]
    parts = [
        p
        for p in with_the_other_leg_between(times, runs, leg)
        if p.leg != leg or any(p.start <= i < p.stop for i in reps)
    ]
    if not legs_switched(parts):
        return [StanceStretch(0, len(times), "right" if leg == "left" else "left")]
    return stretches_of_runs(
        [(p.start, p.stop, "right" if p.leg == "left" else "left") for p in parts], len(times)
    )


def _on_the_standing_leg(
    stance: str, traces: dict[str, LegTraces], warnings: list[QualityIssue]
) -> tuple[dict[str, LegTraces], list[QualityIssue]]:
    """Measure ``stance`` only: the other foot was held up wherever it showed reps."""
    return {stance: traces[stance]}, [*warnings, _free_foot_note(stance)]


def _free_foot_note(stance: str) -> QualityIssue:
    """The note that the other foot was held up, so ``stance`` was measured."""
    free = "left" if stance == "right" else "right"
    return QualityIssue(
        "calf_free_foot",
        "info",
        f"your {free} foot stayed off the floor (held up), so your {stance} leg was measured",
    )


def _held_up_runs(ctx: DrillContext, times: FloatArray) -> list[tuple[int, int, str]]:
    """The clip's runs of frames with one foot held up (``calf_leg_switch.held_up_runs``).

    From the feet's heel, toe and ankle landmarks, with the pose model's
    placement of a foot the conditioning dropped (``fill_hidden_legs``): a
    foot held up behind the body is seen poorly, from the front most of all.
    """
    world, px, _, _ = fill_hidden_legs(ctx)
    foot_cm = {}
    for side in ("left", "right"):
        idx = [int(side_landmark(side, p)) for p in ("heel", "foot_index", "ankle")]
        xy = px[:, idx]
        if ctx.floor is not None:
            from formcheck.calibration import height_above_floor

            h = np.asarray(height_above_floor(xy, ctx.floor), dtype=np.float64)
        else:
            h = -xy[..., 1]
        foot_cm[side] = h * ctx.calibration.cm_per_px
    free = held_up_foot(
        times,
        foot_cm,
        {s: sole_height_3d_cm(ctx, s, world) for s in ("left", "right")},
        above_cm=FREE_FOOT_ABOVE_CM,
        level_3d_cm=FREE_FOOT_3D_CM,
    )
    return held_up_runs(times, free)


def _stitch_traces(parts: list[tuple[StanceStretch, LegTraces]], n: int) -> LegTraces:
    """One leg's traces over ``n`` frames from its traces over stretches (NaN / False elsewhere)."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(LegTraces):
        pieces = [(s, getattr(tr, f.name)) for s, tr in parts]
        if f.name == "heel_scale_rel_se":
            values[f.name] = max((float(v) for _, v in pieces), default=0.0)
            continue
        if f.name == "spans":
            values[f.name] = tuple((s.start, s.stop) for s, _ in parts)
            continue
        arrays = [(s, v) for s, v in pieces if v is not None]
        if not arrays:
            values[f.name] = None
            continue
        flag = np.asarray(arrays[0][1]).dtype == bool
        out = np.zeros(n, dtype=bool) if flag else np.full(n, np.nan)
        for s, v in arrays:
            out[s.start : s.stop] = v
        values[f.name] = out
    return LegTraces(**values)


def _per_stretch_traces(
    ctx: DrillContext,
    times: FloatArray,
    stretches: list[StanceStretch],
    scales: dict[str, float],
    th: CalfRaiseThresholds,
) -> tuple[dict[str, LegTraces], dict[str, LegTraces], list[QualityIssue]]:
    """Legs changed during the clip: each single-leg stretch measured on its own standing leg.

    Each stretch's combined heel reading is fitted on that stretch alone,
    and again on the frames at or above the step's level when the stretch
    is a set on a step (``_refitted_on_a_step``: without it, single-leg sets
    on a step read an 8 cm rise as 7.5 with perfect landmarks). Returns the
    measured traces (each leg over its own stretches, NaN elsewhere), both
    legs' traces over every stretch (for the stance of each rep) and a note
    saying which leg was measured when.
    """
    n = len(times)
    own: dict[str, list[tuple[StanceStretch, LegTraces]]] = {"left": [], "right": []}
    both: dict[str, list[tuple[StanceStretch, LegTraces]]] = {"left": [], "right": []}
    for st in stretches:
        sub = slice_context(ctx, st.start, st.stop)
        tr = {s: leg_traces(sub, s, scale=scales[s]) for s in ("left", "right")}
        sub_times = times[st.start : st.stop]
        tr = _refitted_on_a_step(sub, sub_times, tr, scales, th)
        for s in tr:
            both[s].append((st, tr[s]))
        own[st.leg].append((st, tr[st.leg]))
    measured = {s: _stitch_traces(p, n) for s, p in own.items() if p}
    spans = ", ".join(
        f"{st.leg} {times[st.start]:.1f}-{times[st.stop - 1]:.1f} s" for st in stretches
    )
    note = QualityIssue(
        "calf_legs_changed",
        "info",
        f"you changed legs during the clip: each single-leg set was measured on the leg you "
        f"stood on ({spans})",
    )
    return measured, {s: _stitch_traces(p, n) for s, p in both.items()}, [note]


def _seen_fraction(tr: LegTraces) -> float:
    """Share of frames the foot was seen in, counting a heel hidden from the front (0..1)."""
    seen = tr.reliable if tr.heel_guessed is None else tr.reliable | tr.heel_guessed
    return float(np.mean(seen))


def _calibration_note(ctx: DrillContext) -> str | None:
    """Why the cm values are uncertain (scale assumed or rough; camera pitched), or None."""
    cal = ctx.calibration
    notes = []
    if cal.method in ("assumed",) or cal.uncertainty_pct > 10.0:
        notes.append(
            f"cm scale {cal.method} (±{cal.uncertainty_pct:.0f}%): enter your height for "
            "accurate centimetres"
        )
    for q in ctx.quality:
        if q.code == "camera_looks_down":
            notes.append("the camera looks down on you: heights read low")
        elif q.code == "camera_looks_up":
            notes.append("the camera looks up at you: heights are distorted")
    return "; ".join(notes) or None


def analyze_traces(
    times_s: FloatArray,
    traces: dict[str, LegTraces],
    th: CalfRaiseThresholds,
    *,
    variant: dict[str, Any] | None = None,
    views: npt.NDArray[Any] | None = None,
    calibration_note: str | None = None,
    warnings: list[QualityIssue] | None = None,
    rise_scale: FloatArray | None = None,
    rise_rel_sd: FloatArray | None = None,
    bent_share_per_deg: FloatArray | None = None,
    stance_traces: dict[str, LegTraces] | None = None,
    cm_uncertainty_pct: float = 0.0,
    landmark_heel: bool = False,
    heel_travel: HeelTravel | None = None,
    turns_s: tuple[float, ...] = (),
) -> DrillResult:
    """The calf-raise analysis on per-leg traces (no track needed; used by tests).

    Args:
        times_s: (T,) frame times, s.
        traces: leg ("left"/"right") -> its traces; each leg is searched for reps.
        th: thresholds.
        variant: options.variant: {"heel_rise_test": bool, "knee": "straight"|"bent",
            "sex": "male"|"female"} (all optional).
        views: (T,) per-frame view names ("side", "front", ...), for flags
            and for where the hips' travel is judged.
        calibration_note: why cm values are uncertain (None: calibrated).
        warnings: issues found before (leg choice).
        rise_scale: (T,) factor on each rep's measured heel rise, taken at
            the rep's top (``heel_rise_scale``; None: 1). Reps are found and
            judged on the landmark's own rise, before the factor.
        rise_rel_sd: (T,) relative SD (fraction) of that factor, taken at the
            rep's top (``heel_rise_rel_sd``; None: 0). It does not average
            out over a clip's reps, so it enters each rep's standard error
            (``heel_rise_se_cm``), the set mean's uncertainty and the
            heel-rise test's comparisons with norms in full, with a flag
            saying so (``model_spread_note``); not left vs right or fatigue,
            where the camera, shoes and lighting are shared and it cancels.
        bent_share_per_deg: (T,) ``bent_knee_share_per_deg`` (None: 0): a rep
            whose knee reads bent gets ``bent_knee_rise_gain`` on top of
            ``rise_scale`` (taken at its top; its knee as its event reports
            it), a flag, and ``bent_knee_rise_rel_sd`` as its spread when that
            is larger; ``bent_knee_rise_underread`` then no longer widens the
            set's uncertainty (it would count the under-read twice).
        stance_traces: traces of both legs (measured or not), for telling a
            double-leg from a single-leg stance (``stance_of_rep``); None:
            ``traces``.
        cm_uncertainty_pct: uncertainty of the cm scale, % (calibration), for
            deciding whether a height cue is beyond what was measurable.
        landmark_heel: heights come from a pose model's heel landmark (not
            synthetic truth), whose known bent-knee under-read
            (``bent_knee_rise_underread``) widens the heel-rise uncertainty.
        heel_travel: the foot's geometry for removing the apparent height of
            the heel's travel in depth from each rep's rise, before
            ``rise_scale`` (``HeelTravel``, ``heel_travel_correction``; the
            slope from the leg's ``toe_over_heel_cm`` over the rep's own
            standing frames); None: not corrected.
        turns_s: times (s) of the lasting turns in the clip
            (``ViewResult.turns_s``): a step's flat level read before a turn
            is not applied after it (``calf_step.Place``).
    """
    variant = dict(variant or {})
    unknown = sorted(set(variant) - {"heel_rise_test", "knee", "sex"})
    if unknown:
        raise ValueError(
            f"unknown calf-raise variant option(s) {unknown}; expected some of "
            "['heel_rise_test', 'knee', 'sex']"
        )
    intended_knee = variant.get("knee")
    if intended_knee is not None and intended_knee not in ("straight", "bent"):
        raise ValueError(f"variant knee must be 'straight' or 'bent', got {intended_knee!r}")
    test_mode = bool(variant.get("heel_rise_test", False))
    n = len(times_s)
    views = np.full(n, "side") if views is None else np.asarray(views)
    result_warnings = list(warnings or [])

    per_leg: dict[str, list[RepCandidate]] = {}
    travel_ratios: dict[str, float] = {}
    step_legs: list[str] = []
    for leg, tr in traces.items():
        per_leg[leg] = _candidates(times_s, tr, th)
        _reject_steps(per_leg[leg], tr, views, th)
    witnesses = {}  # legs not measured (the far leg side-on) may show the step
    for leg, st in (stance_traces or {}).items():
        if leg not in traces:
            witnesses[leg] = (st, _candidates(times_s, st, th))
            _reject_steps(witnesses[leg][1], st, views, th)
    place = Place.of(times_s, views, turns_s)
    levels = step_levels(times_s, traces, per_leg, th, witnesses, place)
    for leg, tr in traces.items():
        at_level = None
        if leg in levels:
            step_legs.append(leg)
            with np.errstate(invalid="ignore"):
                at_level = np.abs(tr.rise_cm - levels[leg].flat_cm) <= th.flat_level_tolerance_cm
        landmark_rise = {id(c): c.heel_rise_cm for c in per_leg[leg]}
        if heel_travel is not None:
            travel_ratios[leg] = correct_heel_travel(
                per_leg[leg], tr, heel_travel, th, views, at_level
            )
        if rise_scale is not None and len(rise_scale) == n:
            for c in per_leg[leg]:
                top = np.asarray(rise_scale[c.plateau[0] : c.plateau[1] + 1], dtype=np.float64)
                c.heel_rise_cm *= float(np.median(top)) if top.size else 1.0
        if bent_share_per_deg is not None and len(bent_share_per_deg) == n:
            for c in per_leg[leg]:
                top = np.asarray(
                    bent_share_per_deg[c.plateau[0] : c.plateau[1] + 1], dtype=np.float64
                )
                knee = _nanmedian(tr.knee_flexion_deg[c.start_i : c.end_i + 1])
                share = float(np.median(top)) if top.size else 0.0
                c.bent_knee_gain = bent_knee_rise_gain(knee, share, th)
                c.heel_rise_cm *= c.bent_knee_gain
        for c in per_leg[leg]:  # a drop is read by the same landmarks as the rise
            before = landmark_rise[id(c)]
            if c.heel_drop_cm is not None and before > 0:
                c.heel_drop_cm *= c.heel_rise_cm / before
    reps = merge_legs(per_leg)
    dt = _median_dt(np.asarray(times_s, dtype=np.float64))
    all_legs = stance_traces if stance_traces is not None else traces
    rep_stances = [stance_of_rep(r, all_legs, th) for r in reps]
    rep_views = [_scale_at(rise_scale, r) for r in reps]
    rep_rel_sd = [_value_at(rise_rel_sd, r, 0.0) for r in reps]
    bent_corrected = [max(c.bent_knee_gain for c in r.parts.values()) > 1.0 for r in reps]
    rep_rel_sd = [
        max(v, th.bent_knee_rise_rel_sd) if bent else v
        for v, bent in zip(rep_rel_sd, bent_corrected, strict=True)
    ]
    rejected = [c for cands in per_leg.values() for c in cands if not c.is_rep]
    flat = [c for r in reps for c in r.parts.values()]
    partial_flags, typical = classify_partial(flat, th)
    noise = {leg: rise_noise_cm(cands) for leg, cands in per_leg.items()}
    by_id = {id(c): p for c, p in zip(flat, partial_flags, strict=True)}
    for r in reps:
        r.partial = any(by_id[id(c)] for c in r.parts.values())

    flags: dict[str, str] = {}
    events: list[dict[str, Any]] = []
    for i, r in enumerate(reps):
        ev = _rep_event(
            i, r, traces, times_s, views, th, typical, calibration_note, noise, dt, rep_rel_sd[i]
        )
        ev["stance"] = rep_stances[i]
        events.append(ev)
    for c in rejected:
        events.append(
            {
                "kind": "not_a_rep",
                "start_s": _round(c.start_s),
                "peak_s": _round(c.peak_s),
                "end_s": _round(c.end_s),
                "heel_rise_cm": _round(c.heel_rise_cm),
                "reason": c.reason,
            }
        )
    events.sort(key=lambda e: e.get("peak_s") or 0.0)

    complete = [r for r in reps if not r.partial]
    rise_list = [r.heel_rise_cm for r in complete]
    rep_events = [e for e in events if e["kind"] == "rep" and not e["partial"]]
    downs = [e["down_s"] for e in rep_events]
    ups = [e["up_s"] for e in rep_events]
    holds = [e["hold_s"] for e in rep_events]
    mean_rise = float(np.mean(rise_list)) if rise_list else None
    set_reps = [_set_rep(r, rep_views[i]) for i, r in enumerate(reps)]
    numbers = set_numbers(
        set_reps,
        rest_min_s=th.set_rest_min_s,
        rest_periods=th.set_rest_periods,
        min_leg_reps=th.set_min_leg_reps,
    )
    sets = group_sets(set_reps, numbers)
    set_of = {id(r): k for r, k in zip(reps, numbers, strict=True)}
    legs_changed = {r.leg for r in complete} == {"left", "right"}
    fat, fat_note = sets_fatigue(sets, th.fatigue_min_reps) if sets else (None, None)
    fat_by_leg: dict[str, float | None] = {}
    leg_sets: dict[str, list[CalfSet]] = {}
    if legs_changed:
        # one leg's set, then the other's: the thirds would compare the legs
        for leg in SIDES:
            on_leg = (s.on_leg(leg) for s in sets)
            leg_sets[leg] = [s for s in on_leg if s.reps]
            fat_by_leg[leg] = sets_fatigue(leg_sets[leg], th.fatigue_min_reps)[0]
        fat = None
        fat_note = "you did one leg's set, then the other's: each leg's own is under left vs right"
    if len(sets) > 1:
        for e in events:
            if e["kind"] == "rep":
                e["set"] = numbers[e["index"] - 1]
        rep_s = typical_rep_s(set_reps)
        events += [set_event(s, th.fatigue_min_reps, rep_s) for s in sets]
        events.sort(key=lambda e: e.get("peak_s", e.get("start_s")) or 0.0)
    cv = cv_pct(rise_list)
    knees = [e["knee_flexion_deg"] for e in events if e["kind"] == "rep" and not e["partial"]]
    knee_med = (
        _mean_or_none([float(np.median([k for k in knees if k is not None]))])
        if any(k is not None for k in knees)
        else None
    )
    detected = (
        None if knee_med is None else ("bent" if knee_med >= th.bent_knee_deg else "straight")
    )
    # the rep period within sets: a rest is not a slow rep
    periods = np.array(
        [b.peak_s - a.peak_s for a, b in pairwise(complete) if set_of[id(a)] == set_of[id(b)]]
    )
    over_sets = None if legs_changed else height_change_over_sets_pct(sets)
    several = (
        {
            "reps_per_set": [len(s.complete) for s in sets],
            "height_change_over_sets_pct": _round(over_sets, 1),
        }
        if len(sets) > 1
        else {}
    )
    summary: dict[str, Any] = {
        "rep_count": len(complete),
        "set_count": len(sets),
        **several,
        "partial_reps": len(reps) - len(complete),
        "ignored_movements": len(rejected),
        "legs_measured": sorted(traces),
        "stance": set_stance(rep_stances, [r.partial for r in reps]),
        "mean_heel_rise_cm": _round(mean_rise),
        "max_heel_rise_cm": _round(max(rise_list)) if rise_list else None,
        "total_vertical_cm": _round(float(np.sum(rise_list))) if rise_list else 0.0,
        "fatigue_pct": _round(fat, 1),
        "rise_cv_pct": _round(cv, 1),
        "mean_up_s": _round(_mean_or_none(ups)),
        "mean_hold_s": _round(_mean_or_none(holds)),
        "mean_down_s": _round(_mean_or_none(downs)),
        "rep_period_s": _round(float(np.median(periods))) if periods.size else None,
        "cadence_reps_per_min": _round(60.0 / float(np.median(periods)), 1)
        if periods.size
        else None,
        "median_knee_flexion_deg": _round(knee_med, 1),
        "variant_detected": detected,
        "variant_intended": intended_knee,
        "variant": None if detected is None else VARIANT_NAMES[detected],
        "heel_rise_test": test_mode,
        "left_right": _left_right(complete, th, views),
        **step_summary(complete, step_legs),
    }
    if summary["left_right"] is not None:
        for leg in ("left", "right"):  # for the page's cards
            summary[f"{leg}_mean_heel_rise_cm"] = summary["left_right"][leg]["mean_heel_rise_cm"]
        if summary["left_right"]["difference_meaningful"] is None:
            flags["left_right"] = MSG_LEGS_NOT_COMPARED
    for leg, value in fat_by_leg.items():
        summary["left_right"][leg]["fatigue_pct"] = _round(value, 1)
        if len(leg_sets[leg]) > 1:
            change = height_change_over_sets_pct(leg_sets[leg])
            summary["left_right"][leg]["height_change_over_sets_pct"] = _round(change, 1)
    # heights in cm carry the calibration note; ratios of heights (no scale)
    # carry only the view's accuracy
    cm_keys = ("mean_heel_rise_cm", "max_heel_rise_cm", "total_vertical_cm", "fatigue_pct")
    view_counts = {v: int(np.sum(views == v)) for v in np.unique(views)}
    bad_views = [v for v in view_counts if v in VIEW_CM_FLAGS and view_counts[v] > 0.2 * n]
    if bad_views:
        reason = "; ".join(VIEW_CM_FLAGS[v] for v in sorted(bad_views))
        for k in cm_keys:
            flags[k] = reason
        angle_reason = "; ".join(VIEW_ANGLE_FLAGS[v] for v in sorted(bad_views))
        flags["median_knee_flexion_deg"] = angle_reason
        flags["variant_detected"] = angle_reason
    complete_rel = [rep_rel_sd[i] for i, r in enumerate(reps) if not r.partial]
    set_rel_sd = float(np.mean(complete_rel)) if complete_rel else 0.0
    if set_rel_sd > 0:
        spread = model_spread_note(set_rel_sd)
        for k in cm_keys[:3]:
            append_flag(flags, k, spread)
    if calibration_note:
        for k in cm_keys[:3]:
            append_flag(flags, k, calibration_note)
    if any(r.partial for r in reps):
        flags.setdefault("rep_count", "partial reps are listed but not counted")
    if fat_note:
        flags["fatigue_pct"] = fat_note
    if summary["stance"] == "unknown" and reps:
        flags["stance"] = (
            "only one foot was seen clearly during the reps, so whether you stood on one "
            "leg or both cannot be told; "
            + (
                "keep both feet apart and in view"
                if set(views.tolist()) & {"front", "back"}
                else "film front-on or oblique to have it measured"
            )
        )
    scale_se = _mean_of_independent([tr.heel_scale_rel_se for tr in traces.values()]) or 0.0
    rise_unc = _rise_uncertainty_cm(
        mean_rise,
        len(complete),
        noise,
        cm_uncertainty_pct,
        th,
        float(np.hypot(set_rel_sd, scale_se)),
    )
    rise_upper = None
    if mean_rise is not None and rise_unc is not None:
        corrected = any(bent_corrected)
        factor = (
            th.bent_knee_rise_underread
            if landmark_heel and detected == "bent" and not corrected
            else 1.0
        )
        rise_upper = mean_rise * factor + rise_unc
        summary["mean_heel_rise_uncertainty_cm"] = _round(rise_unc)

    cues = _cues(
        reps,
        complete,
        events,
        th,
        mean_rise,
        rise_upper,
        fat if len(sets) == 1 else None,
        detected,
        intended_knee,
        test_mode,
        n_sets=len(sets),
        set_cues=_set_cues(sets, leg_sets if legs_changed else {"": sets}, th),
    )
    cues += step_cues(complete, step_legs)
    norms: list[NormComparison] = []
    if test_mode:
        norms, test_cues, test_warn = _heel_rise_test(
            complete, th, variant, summary, set_rel_sd, set_of
        )
        cues += test_cues
        result_warnings += test_warn
    if not reps:
        result_warnings.append(
            QualityIssue(
                "calf_no_reps",
                "warning",
                "no heel raise found: check that your feet are in the picture and that "
                "your heels leave the floor",
            )
        )
    for leg in ("left", "right"):  # each leg's mean carries the set mean's notes
        key = f"{leg}_mean_heel_rise_cm"
        if key in summary:
            for note in (flags.get("mean_heel_rise_cm"), flags.get("left_right")):
                append_flag(flags, key, note)
    score = _score(mean_rise, cv, _mean_or_none(list(downs)), len(complete), len(reps), th)
    series = _series(times_s, traces, reps, th, rise_scale, travel_ratios)
    return DrillResult(
        summary=summary,
        events=events,
        cues=cues,
        score=score,
        flags=flags,
        norms=norms,
        series=series,
        warnings=result_warnings,
        overlay=("reps", "heel_rise_cm"),
    )


VARIANT_NAMES = {"straight": "straight-knee", "bent": "bent-knee (soleus)"}
"""Detected knee variant -> the name the report gives it."""


def stance_of_rep(r: Rep, legs: dict[str, LegTraces], th: CalfRaiseThresholds) -> str:
    """Whether a rep was done on both feet: "double", "single" or "unknown".

    Decided from the **other** foot (the leg not carrying the rep's first
    measured part) over the rep's own windows (its top against its standing
    levels before and after), only where that foot was seen (reliable in at
    least ``min_leg_reliable_fraction`` of the rep's frames); a foot hidden
    behind the other (the far foot side-on) gives "unknown", never "single":

    - its heel rose at least ``min_rise_cm`` while its toe stayed down (toe
      lift at most ``max_toe_lift_fraction`` of the heel's): both heels
      raised, "double";
    - its toe rose at least ``min_rise_cm`` and more than
      ``max_toe_lift_fraction`` of its heel's rise: the whole foot moved up
      with the body, i.e. it hangs off the floor, "single";
    - otherwise (it stayed flat, or too little movement to tell) "unknown".

    Before all that: when over the rep the other foot stands at least
    ``FREE_FOOT_ABOVE_CM`` above this one (held up, even if not seen well),
    "single".
    """
    leg, c = next(iter(r.parts.items()))
    other = "left" if leg == "right" else "right"
    if other in r.parts:
        return "double"
    o = legs.get(other)
    if o is None:
        return "unknown"
    seg = slice(c.start_i, c.end_i + 1)
    own = legs.get(leg)
    if own is not None and _held_up(own, o, seg):
        return "single"  # the other foot held up, off the floor
    if float(np.mean(o.reliable[seg])) < th.min_leg_reliable_fraction:
        return "unknown"
    heel = _lift(o.heel_cm, c.plateau, c.baseline_left, c.baseline_right)
    toe = _lift(o.toe_cm, c.plateau, c.baseline_left, c.baseline_right)
    if not (np.isfinite(heel) and np.isfinite(toe)):
        return "unknown"
    if heel >= th.min_rise_cm and toe <= th.max_toe_lift_fraction * heel:
        return "double"
    if toe >= th.min_rise_cm and toe > th.max_toe_lift_fraction * max(heel, 0.0):
        if own is not None and _level_in_3d(own, o, seg):
            # on the floor beside this one in 3D: the toe is the pose model's guess of
            # a toe it cannot see, rising with the heel (rear-oblique)
            return "double" if heel >= th.min_rise_cm else "unknown"
        return "single"
    return "unknown"


def set_stance(per_rep: list[str], partial: list[bool]) -> str | None:
    """The set's stance from its complete reps' (``stance_of_rep``); None without reps.

    Reps that cannot tell are left out; "unknown" when none can, or when the
    reps that can disagree evenly.
    """
    known = [s for s, p in zip(per_rep, partial, strict=True) if not p and s != "unknown"]
    if not per_rep:
        return None
    if not known:
        return "unknown"
    double = known.count("double")
    single = known.count("single")
    if double == single:
        return "unknown"
    return "double" if double > single else "single"


def _scale_at(rise_scale: FloatArray | None, r: Rep) -> float:
    """The per-view heel-rise factor applied to the rep (median over its top; 1.0 without).

    Reps corrected by different factors were seen from different views, so
    their heights are not comparable within a ratio (``fatigue_pct``).
    """
    return _value_at(rise_scale, r, 1.0)


def _value_at(per_frame: FloatArray | None, r: Rep, default: float) -> float:
    """Median of a (T,) per-frame value over the rep's top (its first part's), rounded to 3."""
    c = next(iter(r.parts.values()))
    if per_frame is None or len(per_frame) <= c.plateau[1]:
        return default
    top = np.asarray(per_frame[c.plateau[0] : c.plateau[1] + 1], dtype=np.float64)
    return round(float(np.median(top)), 3) if top.size else default


def _rise_uncertainty_cm(
    mean_rise: float | None,
    n: int,
    noise: dict[str, float | None],
    cm_uncertainty_pct: float,
    th: CalfRaiseThresholds,
    rel_sd: float = 0.0,
) -> float | None:
    """95% uncertainty (cm) of the set's mean heel rise against a fixed target.

    ``1.96 * sqrt(sem_cm**2 + se_noise**2 / n + (mean * cm_uncertainty_pct / 100)**2
    + (mean * rel_sd)**2)``: the test-retest SEM of peak heel height (issue
    4: differences smaller are noise), the landmark noise of the mean of
    ``n`` reps (``rise_noise_cm``), the cm scale's uncertainty and
    ``rel_sd`` (a fraction): the scale error of the combined heel readings
    (``LegTraces.heel_scale_rel_se``) and, on pose-model tracks, the
    heel-rise factor's cross-render spread, both shared by every rep of the
    clip, so not divided by ``n``. None without a rep.
    """
    if mean_rise is None or n == 0:
        return None
    se = [v for v in noise.values() if v is not None]
    se_noise = float(np.mean(se)) if se else 0.0
    var = (
        th.sem_cm**2
        + se_noise**2 / n
        + (mean_rise * cm_uncertainty_pct / 100.0) ** 2
        + (mean_rise * rel_sd) ** 2
    )
    return float(1.96 * np.sqrt(var))


SMOOTH_10_90 = 0.590
"""Fraction of a smooth (raised-cosine) ramp's duration spent between 10% and
90% of its height. Phases are timed between the 10% and 90% crossings (noise
hides the ramp's very start and end); whole phases are these times divided by
this fraction (the synthetic and rendered reps are raised-cosine ramps)."""

SHAPE_10_90_RANGE = (0.507, 0.800)
"""The same fraction for the slowest-starting and the fastest-starting ramp a
person is likely to make: a minimum-jerk movement (Flash & Hogan 1985) and a
linear ramp. Bounds the whole phase when the ramp's shape is not known."""


SMOOTH_30_70 = 0.262
"""Fraction of a smooth (raised-cosine) ramp's duration spent between 30% and
70% of its height (minimum-jerk 0.220, linear 0.400)."""


def phase_times(c: RepCandidate, dt: float) -> dict[str, float | None]:
    """Whole up / hold / down phases of a rep (s), timed on the ramps' steep parts.

    Where the ramps' 30%-70% times and 50% crossings are known (whole reps):
    ``up_s = steep_up_s / SMOOTH_30_70`` (same for down), and the hold is
    the time between the 50% crossings less half of each ramp (a ramp's 50%
    crossing is its middle): ``hold_s = (mid_down - down/2) - (mid_up + up/2)``,
    at least 0. The steep middle of a ramp is where landmark noise moves the
    crossings least; the 10% and 90% crossings lie on the ramps' flat ends,
    where the slow foot-landmark wobble shifts them by tenths of a second
    (they read the ramps long and the hold short). Otherwise, from the
    10%-90% timings: ``up_s = up_10_90 / SMOOTH_10_90`` (same for down),
    ``hold_s`` the time above 90% less the ramps' parts above 90%.
    ``down_s_max`` is the longest the lowering can have taken: its 10-90%
    time plus two frame intervals (one per crossing) over the minimum-jerk
    fraction; ``down_s`` is at most that.
    """
    f = SMOOTH_10_90
    up = None if c.up_s is None else c.up_s / f
    down = None if c.down_s is None else c.down_s / f
    ramps = (up or 0.0) + (down or 0.0)
    hold = max(0.0, c.hold_s - 0.5 * (1.0 - f) * ramps)
    if (
        c.steep_up_s
        and c.steep_down_s
        and c.mid_up_s is not None
        and c.mid_down_s is not None
        and up is not None
        and down is not None
    ):
        up = c.steep_up_s / SMOOTH_30_70
        down = c.steep_down_s / SMOOTH_30_70
        hold = max(0.0, (c.mid_down_s - 0.5 * down) - (c.mid_up_s + 0.5 * up))
    down_max = None if c.down_s is None else (c.down_s + 2.0 * dt) / SHAPE_10_90_RANGE[0]
    if down is not None and down_max is not None:
        down = min(down, down_max)
    return {"up_s": up, "hold_s": hold, "down_s": down, "down_s_max": down_max}


def _mean_of_independent(ses: list[float | None]) -> float | None:
    """SE of the mean of readings with independent SEs ``ses`` (the unknown ones left out)."""
    known = [v for v in ses if v is not None]
    return float(np.sqrt(np.sum(np.square(known)))) / len(known) if known else None


def _set_rep(r: Rep, view: float) -> SetRep:
    """Rep ``r`` as the sets see it (``view``: its heel-rise factor)."""
    starts = [c.start_s for c in r.parts.values() if c.start_s is not None]
    ends = [c.end_s for c in r.parts.values() if c.end_s is not None]
    return SetRep(
        start_s=min(starts) if starts else None,
        peak_s=r.peak_s,
        end_s=max(ends) if ends else None,
        leg=r.leg,
        heel_rise_cm=r.heel_rise_cm,
        partial=r.partial,
        view=view,
    )


def _rep_event(
    i: int,
    r: Rep,
    traces: dict[str, LegTraces],
    times_s: FloatArray,
    views: npt.NDArray[Any],
    th: CalfRaiseThresholds,
    typical: float,
    calibration_note: str | None,
    noise: dict[str, float | None] | None = None,
    dt: float = 1.0 / 30.0,
    rel_sd: float = 0.0,
) -> dict[str, Any]:
    """The event of rep ``r`` (index ``i``): times, heights, phases, knee, flags.

    ``heel_rise_se_cm`` is the rise's standard error: the landmark noise
    (``rise_noise_cm`` of its legs), the scale error of its legs' combined
    heel readings (``LegTraces.heel_scale_rel_se * rise``, shared by the
    set's reps) and, on pose-model tracks, the factor's cross-render spread
    ``rel_sd * heel_rise_cm`` (``rel_sd``: fraction, 0 for synthetic
    tracks), in quadrature. The first two decide the "landmark noise" flag;
    the spread gets its own (``model_spread_note``).
    """
    parts = r.parts
    phases = [phase_times(c, dt) for c in parts.values()]
    starts = [c.start_s for c in parts.values() if c.start_s is not None]
    ends = [c.end_s for c in parts.values() if c.end_s is not None]
    knee_vals: list[float] = []
    pf_vals: list[float] = []
    rel_frac: list[float] = []
    guessed: list[str] = []
    for leg, c in parts.items():
        tr = traces[leg]
        seg = slice(c.start_i, c.end_i + 1)
        knee_vals.append(_nanmedian(tr.knee_flexion_deg[seg]))
        pf_vals.append(_lift(tr.plantarflexion_deg, c.plateau, c.baseline_left, c.baseline_right))
        rel_frac.append(float(np.mean(tr.reliable[seg])))
        if tr.heel_guessed is not None and tr.heel_guessed[seg].any():
            guessed.append(leg)
    lo = min(c.start_i for c in parts.values())
    hi = max(c.end_i for c in parts.values())
    rep_views = set(views[lo : hi + 1].tolist())
    flags: dict[str, str] = {}
    if r.truncated:
        flags["partial"] = "the clip starts or ends during this rep"
    elif r.partial:
        flags["partial"] = (
            f"rose {r.heel_rise_cm:.1f} cm, under {100 * th.partial_fraction:.0f}% of your "
            f"usual {typical:.1f} cm"
        )
    if guessed:
        legs = " and ".join(guessed)
        if "front" in rep_views:
            flags["heel_rise_cm"] = MSG_HEEL_HIDDEN.format(side=legs)
        else:  # the whole foot, and so the leg's angles, are the model's guess
            flags["heel_rise_cm"] = MSG_FOOT_BEHIND.format(
                side=legs, and_so=", and it may read low"
            )
            flags["knee_flexion_deg"] = MSG_FOOT_BEHIND.format(side=legs, and_so="")
            flags["plantarflexion_deg"] = flags["knee_flexion_deg"]
    elif min(rel_frac) < 1.0 - 1e-9:
        flags["heel_rise_cm"] = (
            f"heel or toe not clearly seen in {100 * (1 - min(rel_frac)):.0f}% of this rep's "
            "frames (filled in)"
        )
    # the rep's own noise, and its legs' scale errors (shared by the whole set)
    own = _mean_of_independent([(noise or {}).get(leg) for leg in parts])
    shared = _mean_of_independent(
        [traces[leg].heel_scale_rel_se * c.heel_rise_cm for leg, c in parts.items()]
    )
    rise_se = None if own is None and not shared else float(np.hypot(own or 0.0, shared or 0.0))
    if rise_se is not None and rise_se > th.max_rise_se_cm:
        steadier = (
            "the set's mean is steadier"
            if (own or 0.0) > (shared or 0.0)
            else "most of it is shared by the whole set"
        )
        note = (
            f"landmark noise: this rep's height is only good to about "
            f"±{1.96 * rise_se:.1f} cm; {steadier}"
        )
        append_flag(flags, "heel_rise_cm", note)
    cm_view = sorted(v for v in rep_views if v in VIEW_CM_FLAGS)
    if cm_view:
        reason = "; ".join(VIEW_CM_FLAGS[v] for v in cm_view)
        append_flag(flags, "heel_rise_cm", reason)
        angle_reason = "; ".join(VIEW_ANGLE_FLAGS[v] for v in cm_view)
        append_flag(flags, "knee_flexion_deg", angle_reason)
        append_flag(flags, "plantarflexion_deg", angle_reason)
    gain = max(c.bent_knee_gain for c in parts.values())
    if gain > 1.0:
        note = bent_knee_gain_note(gain)
        append_flag(flags, "heel_rise_cm", note)
    if rel_sd > 0:
        spread = model_spread_note(rel_sd)
        append_flag(flags, "heel_rise_cm", spread)
        sys_se = rel_sd * r.heel_rise_cm
        rise_se = sys_se if rise_se is None else float(np.hypot(rise_se, sys_se))
    if calibration_note:
        append_flag(flags, "heel_rise_cm", calibration_note)
    if r.heel_drop_cm is not None:
        flags["heel_drop_cm"] = MSG_DROP_APPROXIMATE
    return {
        "kind": "rep",
        "index": i + 1,
        "start_s": _round(min(starts)) if starts else None,
        "peak_s": _round(r.peak_s),
        "end_s": _round(max(ends)) if ends else None,
        "heel_rise_cm": _round(r.heel_rise_cm),
        "heel_rise_cm_by_leg": {leg: _round(c.heel_rise_cm) for leg, c in parts.items()},
        "heel_rise_se_cm": _round(rise_se),
        "heel_drop_cm": _round(r.heel_drop_cm),
        "plantarflexion_deg": _round(_mean_or_none(list(pf_vals)), 1),
        "up_s": _round(_mean_or_none([ph["up_s"] for ph in phases])),
        "hold_s": _round(_mean_or_none([ph["hold_s"] for ph in phases])),
        "down_s": _round(_mean_or_none([ph["down_s"] for ph in phases])),
        "down_s_max": _round(_mean_or_none([ph["down_s_max"] for ph in phases])),
        "knee_flexion_deg": _round(_mean_or_none(list(knee_vals)), 1),
        "leg": r.leg,
        "partial": r.partial,
        "flags": flags,
    }


def _left_right(
    complete: list[Rep], th: CalfRaiseThresholds, views: npt.NDArray[Any]
) -> dict[str, Any] | None:
    """Per-leg reps, mean rise and total vertical; None when only one leg was measured.

    The difference is judged against the smallest real difference of two
    legs' heights (from the test-retest SEM), except where the heel is the
    pose model's guess (``GUESSED_HEEL_VIEWS``) at either leg's reps' tops:
    there ``difference_meaningful`` is None (not judged). Filmed from the
    front, a rendered change of legs read 9.5 and 4.7 cm for two legs that
    both rose 8 cm, a "meaningful" 4.8 cm difference.
    """
    per: dict[str, list[float]] = {"left": [], "right": []}
    guessed = False
    for r in complete:
        for leg, c in r.parts.items():
            per[leg].append(c.heel_rise_cm)
            guessed |= 0 <= c.peak_i < len(views) and str(views[c.peak_i]) in GUESSED_HEEL_VIEWS
    if not per["left"] or not per["right"]:
        return None
    out: dict[str, Any] = {
        leg: {
            "reps": len(v),
            "mean_heel_rise_cm": _round(float(np.mean(v))),
            "total_vertical_cm": _round(float(np.sum(v))),
        }
        for leg, v in per.items()
    }
    diff = float(np.mean(per["left"]) - np.mean(per["right"]))
    mdc = 1.96 * np.sqrt(2.0) * th.sem_cm
    out["difference_cm"] = _round(diff)
    out["difference_meaningful"] = None if guessed else bool(abs(diff) > mdc)
    out["smallest_real_difference_cm"] = _round(float(mdc))
    return out


def _cues(
    reps: list[Rep],
    complete: list[Rep],
    events: list[dict[str, Any]],
    th: CalfRaiseThresholds,
    mean_rise: float | None,
    rise_upper: float | None,
    fat: float | None,
    detected: str | None,
    intended: str | None,
    test_mode: bool,
    *,
    n_sets: int = 1,
    set_cues: list[Cue] | None = None,
) -> list[Cue]:
    """Cues; each fires only when the difference is beyond what was measured.

    "rise higher" when even the top of the mean rise's uncertainty
    (``rise_upper``, cm) is under ``rise_higher_cm``; "lower slowly" when even
    the longest the lowering can have taken (``down_s_max``) is under
    ``min_down_s``; the knee cue only against the version the runner said
    they do (without it, a bent knee is reported as the bent-knee version).
    ``set_cues`` (``_set_cues``: heights falling within or across sets) go
    where the fall over a lone set would; the closing "good reps" line,
    "in N sets" with ``n_sets`` > 1, comes only when no other cue did.
    """
    cues: list[Cue] = []
    rep_events = [e for e in events if e["kind"] == "rep"]
    for e in rep_events:
        if e["partial"] and "clip" not in e["flags"].get("partial", ""):
            cues.append(
                Cue(
                    e["peak_s"],
                    "warning",
                    f"rise higher: rep {e['index']} was a partial rep ({e['heel_rise_cm']:.1f} cm)",
                )
            )
    if mean_rise is not None and rise_upper is not None and rise_upper < th.rise_higher_cm:
        first = complete[0].peak_s if complete else None
        cues.append(
            Cue(
                first,
                "warning",
                f"rise higher: your heels rose {mean_rise:.1f} cm on average; "
                f"aim for at least {th.rise_higher_cm:g} cm",
            )
        )
    if not test_mode:
        fast = [
            e
            for e in rep_events
            if not e["partial"]
            and e["down_s"] is not None
            and e["down_s_max"] is not None
            and e["down_s_max"] < th.min_down_s
        ]
        if fast:
            worst = min(fast, key=lambda e: e["down_s"])
            cues.append(
                Cue(
                    worst["peak_s"],
                    "warning",
                    f"lower slowly (down took about {worst['down_s']:.1f} s; take at least "
                    f"{th.min_down_s:g} s)",
                )
            )
    if detected == "bent" and intended == "straight":
        cues.append(
            Cue(
                None,
                "warning",
                "keep the knee straight (it was bent "
                f"{_knee_of(rep_events):.0f} degrees) for the straight-knee version",
            )
        )
    elif detected == "straight" and intended == "bent":
        cues.append(
            Cue(
                None,
                "warning",
                f"bend the knee ~{th.bent_knee_target_deg:.0f} degrees for the soleus version",
            )
        )
    elif detected == "bent" and intended is None:
        cues.append(
            Cue(
                None,
                "info",
                f"bent-knee (soleus) version: your knees were bent about "
                f"{_knee_of(rep_events):.0f} degrees",
            )
        )
    if fat is not None and fat >= th.fatigue_cue_pct:
        last = complete[-1].peak_s if complete else None
        cues.append(Cue(last, "info", f"heights fell {fat:.0f}% over the set"))
    cues += set_cues or []
    if complete and not cues:
        cv = cv_pct([r.heel_rise_cm for r in complete])
        in_sets = f" in {n_sets} sets" if n_sets > 1 else ""
        if cv is None or cv <= th.steady_rise_cv_pct:
            cues.append(
                Cue(None, "info", f"{len(complete)} good reps{in_sets}: steady height and tempo")
            )
        else:
            cues.append(
                Cue(
                    None,
                    "info",
                    f"{len(complete)} complete reps{in_sets}; their measured heights varied by "
                    f"{cv:.0f}% (see each rep's height and its notes)",
                )
            )
    return cues


def _set_cues(
    sets: list[CalfSet], by_leg: dict[str, list[CalfSet]], th: CalfRaiseThresholds
) -> list[Cue]:
    """Cues on heights falling within a set, and from a leg's first set to its last.

    ``by_leg``: the sets of each leg after a change of legs ({"left": ...,
    "right": ...}), or {"": sets} (one leg or both throughout). The fall
    over a lone set is ``_cues``' ("over the set"); a leg's lone set is
    "over your left leg's set"; with several, each set is named.
    """
    cues: list[Cue] = []
    named = len(sets) > 1 and any(len(group) > 1 for group in by_leg.values())
    for leg, group in by_leg.items():
        whose = f" ({leg} leg)" if leg else ""
        for s in group:
            value = set_fatigue(s, th.fatigue_min_reps)[0]
            if value is None or value < th.fatigue_cue_pct:
                continue
            where = f"set {s.number}{whose}" if named else f"your {leg} leg's set"
            if leg or named:
                cues.append(
                    Cue(s.reps[-1].peak_s, "info", f"heights fell {value:.0f}% over {where}")
                )
        change = height_change_over_sets_pct(group)
        if change is not None and change >= th.fatigue_cue_pct:
            whose_set = f"your {leg} leg's" if leg else "your"
            cues.append(
                Cue(
                    group[-1].reps[0].peak_s,
                    "info",
                    f"{whose_set} last set rose {change:.0f}% less than the first",
                )
            )
    return cues


def _knee_of(rep_events: list[dict[str, Any]]) -> float:
    vals = [e["knee_flexion_deg"] for e in rep_events if e["knee_flexion_deg"] is not None]
    return float(np.median(vals)) if vals else float("nan")


def _heel_rise_test(
    complete: list[Rep],
    th: CalfRaiseThresholds,
    variant: dict[str, Any],
    summary: dict[str, Any],
    rel_sd: float = 0.0,
    set_of: dict[int, int] | None = None,
) -> tuple[list[NormComparison], list[Cue], list[QualityIssue]]:
    """Heel-rise test mode: reps, peak height and total vertical vs published norms.

    The test is done on one leg; when single-leg reps were found on both
    legs (one leg tested, then the other), each leg is compared on its own
    (summary keys ``left_rep_count``, ``right_peak_heel_rise_cm``, ...), and
    the beat is checked between reps of the same leg.

    The test ends when the runner stops: when a leg's reps (or the clip's)
    go on after a rest (``set_of``: ``id(rep)`` -> its set number), only the
    first set's are compared with the norms, under keys starting ``test_``
    when one leg or both were tested throughout, with a warning.

    Heights are "about the median" within their uncertainty: the test-retest
    SEM (``sem_cm``; ``sqrt(n)`` of it for the total) and, on pose-model
    tracks, the heel-rise factor's cross-render spread (``rel_sd``, a
    fraction of the height, shared by every rep), in quadrature.
    """
    cues: list[Cue] = []
    warns: list[QualityIssue] = []
    if any(r.leg == "both" for r in complete):
        warns.append(
            QualityIssue(
                "calf_test_double_leg",
                "warning",
                "the heel-rise test is done on one leg, but both heels rose: lift the other "
                "foot off the floor, and tell formcheck which leg you test",
            )
        )
    by_leg = {leg: [r for r in complete if r.leg == leg] for leg in ("left", "right")}
    per_leg = all(by_leg.values()) and not any(r.leg == "both" for r in complete)
    groups = [(f"{leg}_", g) for leg, g in by_leg.items()] if per_leg else [("", complete)]
    groups = [_until_first_rest(prefix, g, set_of or {}, warns) for prefix, g in groups]
    off = 0
    for _, group in groups:
        for a, b in pairwise(group):
            period = b.peak_s - a.peak_s
            if abs(period - th.test_period_s) > th.test_period_tolerance * th.test_period_s:
                off += 1
    summary["off_metronome_reps"] = off
    if off:
        cues.append(
            Cue(
                None,
                "info",
                f"{off} reps were off the 60 bpm beat: one rise every "
                f"{th.test_period_s:g} s (up on one beat, down on the next)",
            )
        )
    norms: list[NormComparison] = []
    for prefix, group in groups:
        norms += _test_norms([r.heel_rise_cm for r in group], prefix, th, variant, summary, rel_sd)
    return norms, cues, warns


def _until_first_rest(
    prefix: str, group: list[Rep], set_of: dict[int, int], warns: list[QualityIssue]
) -> tuple[str, list[Rep]]:
    """The heel-rise test's reps of ``group``: those of its first set (see ``_heel_rise_test``)."""
    if not group:
        return prefix, group
    first = set_of.get(id(group[0]), 1)
    kept = [r for r in group if set_of.get(id(r), 1) == first]
    if len(kept) == len(group):
        return prefix, group
    leg = f" on your {prefix.rstrip('_')} leg" if prefix else ""
    warns.append(
        QualityIssue(
            "calf_test_rested",
            "warning",
            f"you rested after {len(kept)} reps{leg} (at {kept[-1].peak_s:.1f} s): the "
            "heel-rise test ends when you stop, so only those reps are compared with the "
            f"norms; the {len(group) - len(kept)} reps after the rest count in the totals only",
        )
    )
    return prefix or "test_", kept


def _test_norms(
    heights: list[float],
    prefix: str,
    th: CalfRaiseThresholds,
    variant: dict[str, Any],
    summary: dict[str, Any],
    rel_sd: float,
) -> list[NormComparison]:
    """One leg's heel-rise test (its complete reps' ``heights``, cm) against the norms.

    ``prefix`` ("" or "left_"/"right_") starts the summary keys it adds
    (``rep_count`` for a prefix, ``peak_heel_rise_cm``) and the norms' metrics.
    """
    n = len(heights)
    peak = max(heights) if heights else None
    total = float(np.sum(heights)) if heights else 0.0
    if prefix:
        summary[f"{prefix}rep_count"] = n
        summary[f"{prefix}total_vertical_cm"] = _round(total)
    sex = variant.get("sex")
    norm_reps = {"male": th.norm_reps_men, "female": th.norm_reps_women}.get(str(sex))
    sem_note = f"differences under {th.sem_cm:g} cm (test-retest SEM) are noise"
    peak_noise = th.sem_cm
    if rel_sd > 0 and peak is not None:
        peak_noise = float(np.hypot(th.sem_cm, rel_sd * peak))
        sem_note = (
            f"differences under {peak_noise:.1f} cm are noise here (test-retest SEM "
            f"{th.sem_cm:g} cm, and {model_spread_note(rel_sd)})"
        )
    norms = [
        NormComparison(
            metric=f"{prefix}rep_count",
            value=float(n),
            unit="reps",
            norm=(
                f"median {norm_reps} reps"
                if norm_reps is not None
                else f"median {th.norm_reps_men} reps men, {th.norm_reps_women} women"
            ),
            source="Hébert-Losier et al. 2017, Physiotherapy 103(4):446 (n=566)",
            verdict=_verdict(
                n,
                norm_reps
                if norm_reps is not None
                else 0.5 * (th.norm_reps_men + th.norm_reps_women),
                2.0,
            ),
        ),
        NormComparison(
            metric=f"{prefix}rep_count",
            value=float(n),
            unit="reps",
            norm=f"median {th.norm_reps} reps (dominant leg)",
            source="Sleeswijk Visser et al. 2025, Braz J Phys Ther (n=500)",
            verdict=_verdict(n, th.norm_reps, 2.0),
        ),
    ]
    if peak is not None:
        summary[f"{prefix}peak_heel_rise_cm"] = _round(peak)
        norms.append(
            NormComparison(
                metric=f"{prefix}peak_heel_rise_cm",
                value=round(peak, 2),
                unit="cm",
                norm=f"median {th.norm_peak_height_cm:g} cm; {sem_note}",
                source="Sleeswijk Visser et al. 2025, Braz J Phys Ther (n=500)",
                verdict=_verdict(peak, th.norm_peak_height_cm, peak_noise),
            )
        )
    norms.append(
        NormComparison(
            metric=f"{prefix}total_vertical_cm",
            value=round(total, 1),
            unit="cm",
            norm=f"median {th.norm_total_vertical_cm:g} cm",
            source="Sleeswijk Visser et al. 2025, Braz J Phys Ther (n=500)",
            verdict=_verdict(
                total,
                th.norm_total_vertical_cm,
                float(np.hypot(th.sem_cm * max(1, n) ** 0.5, rel_sd * total)),
            ),
        )
    )
    return norms


def _verdict(value: float, median: float, noise: float) -> str:
    if abs(value - median) <= noise:
        return "about the median"
    return "above the median" if value > median else "below the median"


def _score(
    mean_rise: float | None,
    cv: float | None,
    mean_down: float | None,
    n_complete: int,
    n_all: int,
    th: CalfRaiseThresholds,
) -> float | None:
    """Score per the module docstring; None without a complete rep."""
    if mean_rise is None or n_complete == 0:
        return None
    w = SCORE_WEIGHTS
    height = min(1.0, mean_rise / th.norm_peak_height_cm)
    consistency = 1.0 if cv is None else max(0.0, 1.0 - cv / CV_ZERO_SCORE_PCT)
    tempo = 0.0 if mean_down is None else min(1.0, mean_down / th.target_down_s)
    whole = n_complete / n_all
    total = (
        w["height"] * height
        + w["consistency"] * consistency
        + w["tempo"] * tempo
        + w["complete"] * whole
    )
    return round(100.0 * total, 1)


def _series(
    times_s: FloatArray,
    traces: dict[str, LegTraces],
    reps: list[Rep],
    th: CalfRaiseThresholds,
    rise_scale: FloatArray | None = None,
    travel_ratios: dict[str, float] | None = None,
) -> dict[str, FloatArray]:
    """Per-frame series for plots, CSV and the overlay.

    ``<leg>_heel_height_cm`` is the heel landmark above the floor line;
    ``<leg>_heel_rise_cm`` and ``heel_rise_cm`` (mean over legs) are the heel
    above the standing level (the median outside reps), times the leg's
    depth-travel ratio ``travel_ratios[leg]`` (``calf_heights.correct_heel_travel``) and
    the same view-dependent landmark correction as the reps' heights, so the
    plot and the overlay agree with the rep table.
    """
    del th
    n = len(times_s)
    scale = (
        np.asarray(rise_scale, dtype=np.float64)
        if rise_scale is not None and len(rise_scale) == n
        else np.ones(n)
    )
    standing = np.ones(n, dtype=bool)
    for r in reps:
        for c in r.parts.values():
            if c.start_s is not None and c.end_s is not None:
                standing[(times_s >= c.start_s) & (times_s <= c.end_s)] = False
    out: dict[str, FloatArray] = {}
    rise_stack = []
    for leg, tr in traces.items():
        out[f"{leg}_heel_height_cm"] = tr.heel_cm
        out[f"{leg}_knee_flexion_deg"] = tr.knee_flexion_deg
        out[f"{leg}_plantarflexion_deg"] = tr.plantarflexion_deg
        rest = tr.heel_cm[standing & np.isfinite(tr.heel_cm)]
        finite = tr.heel_cm[np.isfinite(tr.heel_cm)]
        if rest.size:
            level = float(np.median(rest))
        elif finite.size:
            level = float(np.percentile(finite, 10))
        else:
            level = float("nan")
        raw = tr.heel_cm - level
        raw = raw * (travel_ratios or {}).get(leg, 1.0)
        rise = raw * scale
        out[f"{leg}_heel_rise_cm"] = rise
        rise_stack.append(rise)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out["heel_rise_cm"] = (
                np.nanmean(np.vstack(rise_stack), axis=0) if rise_stack else np.full(n, np.nan)
            )
    count = np.zeros(n)
    for r in reps:
        if r.partial:
            continue
        end = max((c.end_s for c in r.parts.values() if c.end_s is not None), default=r.peak_s)
        count[times_s >= end] += 1
    out["reps"] = count
    return out


DRILL = CalfRaiseDrill()
"""The registered drill object."""
