"""Heel rise in cm from a heel landmark's rise: the camera's view of the foot and the pose model.

A heel landmark's rise in the picture is not the heel's rise. Two things
stand between them, and this module turns one into the other for the calf
raise (``formcheck.drills.calf_raise``):

- **Camera geometry** (tracks whose landmarks sit where the body model puts
  them, ``model_variant`` "synthetic"): as the heel rises it also travels
  along the foot, which a camera in front or behind sees as height, and the
  landmark is not the sole under the heel (``HeelTravel``,
  ``heel_travel_correction``, ``correct_heel_travel``).
- **Where the pose model puts the heel** (MediaPipe tracks): render-derived
  per-view factors (``heel_rise_scale``) with their cross-render spread
  (``heel_rise_rel_sd``), and a gain for bent-knee reps side-on
  (``bent_knee_share_per_deg``, ``bent_knee_rise_gain``); derivations in
  docs/ACCURACY.md ("Rendered truth").

Lengths in cm, angles in degrees unless a name says otherwise; (T,) arrays
are per frame of the conditioned track.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from formcheck.drills.base import DrillContext
from formcheck.drills.common import nan_median

if TYPE_CHECKING:
    from formcheck.drills.calf_raise import CalfRaiseThresholds, LegTraces, RepCandidate

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def heel_travel_geometry(ctx: DrillContext) -> HeelTravel | None:
    """The foot's geometry for the heel's depth travel, scaled to the person's stature.

    Only for tracks whose landmarks sit where the body model puts them
    (``model_variant`` "synthetic"); None for pose-model tracks, whose
    render-derived per-view factors (``heel_rise_scale``) already hold the
    heel's travel for their render camera, and whose standing toe and heel
    landmarks do not show the floor's slope (the toe landmark sits 2-4 cm
    above the heel landmark side-on, where the body model has -0.7 cm, and
    from behind the model guesses a toe it cannot see; docs/ACCURACY.md).

    The stature is the one the cm scale was made from: the height the
    person gave, else the calibration's assumed average
    (``ASSUMED_HEIGHT_CM``); with another scale (foot length, marker) and
    no height the assumed average (a 10% error in stature moves the
    correction by ~10% of its ~0.8 cm).
    """
    from formcheck.calibration import ASSUMED_HEIGHT_CM

    if ctx.track.model_variant != "synthetic":
        return None
    h = ctx.options.height_cm
    return HeelTravel.from_stature(float(h) if h else ASSUMED_HEIGHT_CM)


def heel_rise_scale(ctx: DrillContext, th: CalfRaiseThresholds) -> FloatArray:
    """(T,) factor on the heel landmark's rise per frame (render-derived correction).

    MediaPipe's heel landmark sits up the back of the shoe with the foot
    flat and slides down it as the heel rises, so it rises less than the
    heel does, by how much depending on the view (docs/ACCURACY.md,
    "Rendered truth"). Per frame: ``heel_rise_scale_away`` in back views and
    rear-oblique segments, else the factor of the frame's view (side,
    oblique, front; 1 for an unknown view). Tracks not from MediaPipe
    (``model_variant`` "synthetic") get 1 throughout.
    """
    return _per_view(ctx, th, "heel_rise_scale", synthetic=1.0, unknown=1.0)


def heel_rise_rel_sd(ctx: DrillContext, th: CalfRaiseThresholds) -> FloatArray:
    """(T,) relative SD (fraction) of the factor ``heel_rise_scale`` per frame.

    How far one clip's true heel rise can sit from the factor's reading:
    the cross-render spread of true / read rise in the frame's view
    (``heel_rise_rel_sd_*``; camera height, figure, shoes and colours move
    where the pose model puts the heel). 0 on synthetic tracks (no factor);
    the largest view's value where the view is unknown (no factor either).
    """
    worst = max(
        th.heel_rise_rel_sd_side,
        th.heel_rise_rel_sd_front_oblique,
        th.heel_rise_rel_sd_front,
        th.heel_rise_rel_sd_away,
    )
    return _per_view(ctx, th, "heel_rise_rel_sd", synthetic=0.0, unknown=worst)


def bent_knee_share_per_deg(ctx: DrillContext, th: CalfRaiseThresholds) -> FloatArray:
    """(T,) fall of the pose model's read share of the heel rise per degree of knee bend.

    Side-on, MediaPipe reads less of a bent-knee rep's heel rise than of a
    straight-knee one, the less the more the knee is bent (13 bent-knee
    renders read 0.60-1.01, median 0.81, of the straight-knee render of the
    same camera and colours; 15 / 25 / 35 deg: 0.80 / 0.68 / 0.61 in one
    palette, 0.87 / 0.74 / 0.72 in another; docs/ACCURACY.md). ``th.bent_knee_rise_share_per_deg`` on side-view
    frames of pose-model tracks; 0 elsewhere (synthetic tracks: their heel
    is the body model's; oblique: the bent-knee render reads like the
    straight ones; front and back: not measured). Used by
    ``bent_knee_rise_gain``.
    """
    track = ctx.conditioned.track
    n = len(track.timestamps_s)
    if ctx.track.model_variant == "synthetic":
        return np.zeros(n)
    views = np.asarray(ctx.view.per_frame)
    if len(views) != n:
        views = np.full(n, ctx.view.view)
    return np.where(views == "side", th.bent_knee_rise_share_per_deg, 0.0).astype(np.float64)


def bent_knee_rise_gain(knee_deg: float, share_per_deg: float, th: CalfRaiseThresholds) -> float:
    """Gain (>= 1) on a rep's factor-corrected heel rise for its knee bend.

    ``knee_deg``: the rep's knee flexion as read (median over the rep, deg);
    ``share_per_deg``: ``bent_knee_share_per_deg`` at the rep's top. The
    read share of the rise falls as ``1 - share_per_deg x knee`` (fitted on
    bent-knee renders, knee flexion as the drill reads it), so the gain is
    its inverse. Only for reps the drill calls bent (knee at least
    ``bent_knee_deg``): straight-knee reps keep the straight-knee factor
    alone, exactly. The bend is capped at ``bent_knee_rise_knee_max_deg``,
    the most rendered (no extrapolation).
    """
    if not np.isfinite(knee_deg) or knee_deg < th.bent_knee_deg or share_per_deg <= 0:
        return 1.0
    k = min(float(knee_deg), th.bent_knee_rise_knee_max_deg)
    return 1.0 / max(1.0 - share_per_deg * k, 0.5)


def _per_view(
    ctx: DrillContext, th: CalfRaiseThresholds, prefix: str, *, synthetic: float, unknown: float
) -> FloatArray:
    """(T,) the threshold ``<prefix>_<view class>`` of each frame's view.

    View classes: "side", "front_oblique" (oblique), "front", "away" (back
    and rear-oblique segments). ``synthetic`` throughout on synthetic
    tracks, ``unknown`` for a frame of no known view.
    """
    track = ctx.conditioned.track
    times = np.asarray(track.timestamps_s, dtype=np.float64)
    if ctx.track.model_variant == "synthetic":
        return np.full(len(times), synthetic)
    per_view = {
        "side": float(getattr(th, f"{prefix}_side")),
        "oblique": float(getattr(th, f"{prefix}_front_oblique")),
        "front": float(getattr(th, f"{prefix}_front")),
        "back": float(getattr(th, f"{prefix}_away")),
    }
    views = np.asarray(ctx.view.per_frame)
    if len(views) != len(times):
        views = np.full(len(times), ctx.view.view)
    out = np.array([per_view.get(str(v), unknown) for v in views], dtype=np.float64)
    for seg in ctx.view.segments:
        if seg.view == "oblique" and seg.oblique == "rear":
            out[(times >= seg.start_s) & (times < seg.end_s)] = per_view["back"]
    return out


# ------------------------------------------------- the heel's travel in depth
@dataclass(frozen=True)
class HeelTravel:
    """Where the heel landmark sits on the foot, for its travel along the foot as it rises.

    In a heel raise the rearfoot turns about the metatarsal heads, so the
    heel, besides rising, moves along the foot towards the toes. Seen from
    the front or the back that travel is in depth, and a camera above the
    floor sees depth as height (a point below its eye level coming nearer
    looks lower). The standing foot shows how much: its heel and toe
    landmarks lie a foot's span apart along the floor, so the toe's height
    over the heel in the picture, less the two landmarks' own difference in
    height, over the span is the floor's apparent height per cm of depth
    along the foot (``heel_travel_correction``).

    All lengths in cm, in the foot frame (along the foot, up); from the body
    proportions of ``formcheck.synth.body`` (Winter 2009 foot length 0.152 H,
    metatarsal heads at 0.72 of it; BlazePose heel and foot_index points).

    The heel landmark is not the sole under the heel (the point whose rise
    is the heel rise, as a linear encoder under the heel measures it): it
    sits at the back of the heel, a little above the sole, so it rises a
    little more (``sole_rise_cm``).

    Attributes:
        lever_cm: heel landmark to the metatarsal heads, along the foot.
        height_cm: heel landmark above the sole (the pivot's level).
        span_cm: heel landmark to the toe landmark (foot_index), along the foot.
        toe_over_heel_cm: toe landmark above the heel landmark on a flat foot.
        sole_lever_cm: the sole under the heel (its contact point) to the
            metatarsal heads, along the foot.
    """

    lever_cm: float
    height_cm: float
    span_cm: float
    toe_over_heel_cm: float
    sole_lever_cm: float

    @classmethod
    def from_stature(cls, stature_cm: float) -> HeelTravel:
        """The body model's foot scaled to ``stature_cm``."""
        from formcheck.synth.body import FOOT_POINTS

        hx, hy = FOOT_POINTS["heel"]
        mx, _ = FOOT_POINTS["mtp"]
        tx, ty = FOOT_POINTS["foot_index"]
        cx, _ = FOOT_POINTS["heel_contact"]
        h = float(stature_cm)
        return cls(
            lever_cm=(mx - hx) * h,
            height_cm=hy * h,
            span_cm=(tx - hx) * h,
            toe_over_heel_cm=(ty - hy) * h,
            sole_lever_cm=(mx - cx) * h,
        )

    def _turn(self, rise_cm: FloatArray) -> FloatArray:
        """Turn of the rearfoot (rad) that raises the heel landmark by ``rise_cm`` (>= 0)."""
        radius = float(np.hypot(self.lever_cm, self.height_cm))
        phi = float(np.arctan2(self.height_cm, self.lever_cm))
        s = np.clip((np.clip(rise_cm, 0.0, None) + self.height_cm) / radius, -1.0, 1.0)
        return np.asarray(np.arcsin(s) - phi, dtype=np.float64)

    def sole_rise_cm(self, rise_cm: npt.ArrayLike) -> FloatArray:
        """Rise (cm) of the sole under the heel for a rise of the heel landmark (cm).

        The same turn ``a`` raises the sole's contact point ``sole_lever sin a``
        (body model: 8.0 cm for the landmark's 8.25). Rises at or below 0
        (standing, noise) are returned unchanged.
        """
        r = np.asarray(rise_cm, dtype=np.float64)
        sole = self.sole_lever_cm * np.sin(self._turn(np.nan_to_num(r)))
        return np.asarray(np.where(r > 0, sole, r), dtype=np.float64)

    def travel_cm(self, rise_cm: npt.ArrayLike) -> FloatArray:
        """Travel (cm) of the heel landmark towards the toes for a rise of it (cm).

        The heel landmark at (-lever, height) from the metatarsal heads turned
        by ``a`` rises ``lever sin a - height (1 - cos a)`` and moves forward
        ``lever (1 - cos a) + height sin a``; rises outside the reachable
        range are clipped to it (a negative rise: no travel).
        """
        a = self._turn(np.asarray(rise_cm, dtype=np.float64))
        return np.asarray(
            self.lever_cm * (1.0 - np.cos(a)) + self.height_cm * np.sin(a), dtype=np.float64
        )


def floor_slope(toe_over_heel_cm: float, geom: HeelTravel, max_slope: float) -> float:
    """Apparent height (cm) per cm of travel along the foot, from the standing foot's picture.

    ``(toe_over_heel_cm - geom.toe_over_heel_cm) / geom.span_cm``: negative
    when the toes point at the camera (the nearer toe looks lower), positive
    from behind, ~0 side-on. Bounded to +-``max_slope``; 0 when unknown.
    """
    if not np.isfinite(toe_over_heel_cm) or geom.span_cm <= 0:
        return 0.0
    s = (float(toe_over_heel_cm) - geom.toe_over_heel_cm) / geom.span_cm
    return float(np.clip(s, -max_slope, max_slope))


HEEL_TRAVEL_NEWTON_STEPS = 8
"""Newton steps solving ``measured = true + slope * travel(true)`` for the
foot's turn (quadratic convergence: under 1e-9 cm for rises up to 10 cm of
a 175 cm person and slopes up to +-``max_floor_slope``; a heel rises 9.3 cm
at the median, Sleeswijk Visser et al. 2025). Beyond ~12 cm at the steepest
slope from the front the apparent rise stops growing, so it has no unique
answer there."""


def heel_travel_correction(
    measured_cm: npt.ArrayLike, slope: float, geom: HeelTravel
) -> FloatArray:
    """Heel rise (cm) with the apparent height of the heel's travel in depth removed.

    Solves ``measured = true + slope * travel(true)`` (``HeelTravel.travel_cm``,
    ``floor_slope``) for the foot's turn ``a`` by Newton's method, where
    ``true = lever sin a - height (1 - cos a)``; elementwise on arrays.
    Rises at or below 0 (standing, noise) are returned unchanged.
    """
    m = np.asarray(measured_cm, dtype=np.float64)
    if slope == 0.0:
        return m.copy()
    lever, h = geom.lever_cm, geom.height_cm
    radius = float(np.hypot(lever, h))
    phi = float(np.arctan2(h, lever))
    pos = np.where(np.isfinite(m), np.clip(m, 0.0, None), 0.0)
    a = np.arcsin(np.clip((pos + h) / radius, -1.0, 1.0)) - phi  # the turn if slope were 0
    for _ in range(HEEL_TRAVEL_NEWTON_STEPS):
        sa, ca = np.sin(a), np.cos(a)
        g = lever * sa - h * (1 - ca) + slope * (lever * (1 - ca) + h * sa) - pos
        dg = lever * ca - h * sa + slope * (lever * sa + h * ca)
        a = np.clip(a - g / np.where(np.abs(dg) > 1e-9, dg, 1e-9), 0.0, 0.5 * np.pi)
    true = lever * np.sin(a) - h * (1 - np.cos(a))
    return np.asarray(np.where(m > 0, true, m), dtype=np.float64)


def _standing_offset(tr: LegTraces, rows: list[IntArray | None]) -> float:
    """Median toe-over-heel offset (cm) over the standing rows given (NaN if none seen)."""
    if tr.toe_over_heel_cm is None:
        return float("nan")
    idx = [w for w in rows if w is not None and w.size]
    if not idx:
        return float("nan")
    return nan_median(np.asarray(tr.toe_over_heel_cm)[np.concatenate(idx)])


MIN_SLOPE_FRAMES = 10
"""Fewest standing frames of a view for the floor's slope to be taken from
them (a third of a second at 30 fps); fewer: the rep's own standing frames."""


def correct_heel_travel(
    cands: list[RepCandidate],
    tr: LegTraces,
    geom: HeelTravel,
    th: CalfRaiseThresholds,
    views: npt.NDArray[Any] | None = None,
    at_level: npt.NDArray[np.bool_] | None = None,
) -> float:
    """Scale each candidate's rise (in place) to the sole's rise without the heel's depth travel.

    At the set's typical rise ``r`` (the median of the leg's reps), the
    landmark's rise less the apparent height of its travel in depth
    (``heel_travel_correction``), turned into the rise of the sole under the
    heel (``HeelTravel.sole_rise_cm``), is ``k * r``; every candidate's rise
    is multiplied by that ``k``. Taken at the typical rise and applied as a
    ratio because the travel grows with the square of the foot's turn: per
    rep, a rise that noise made too high would be pushed higher still from
    the front (at heavy noise a 14 cm reading of an 8 cm rep became 18). A
    rep at half the typical height is off by ~0.1 cm for it.

    The floor's slope (``floor_slope``) comes from the toe-over-heel offset
    over the leg's standing frames (outside every candidate) filmed from the
    same view as the candidate's top (``views``, (T,) per-frame view names;
    a person may turn between reps): a median over many frames, so a swap or
    a misplaced toe moves it little. With fewer than ``MIN_SLOPE_FRAMES``
    such frames, the candidate's own standing frames before and after.

    On a step (``at_level``: (T,) bool, the frames where the heel trace is
    at the foot's flat level, ``calf_step``) the standing frames are those:
    a heel lowered below the step tilts the foot, and its toe-over-heel
    offset is no floor slope.

    Returns ``k`` over all the leg's standing frames (for the series; 1
    without a rep).
    """
    n = len(tr.heel_cm)
    outside = np.ones(n, dtype=bool)
    for c in cands:
        outside[c.start_i : c.end_i + 1] = False
    if at_level is not None and len(at_level) == n:
        outside = at_level.copy()
    rises = [c.heel_rise_cm for c in cands if c.is_rep and c.heel_rise_cm > 0]
    typical = float(np.median(rises)) if rises else float("nan")

    def ratio(offset: float, rise: float) -> float:
        slope = floor_slope(offset, geom, th.max_floor_slope)
        if not (np.isfinite(rise) and rise > 0):
            return 1.0
        return float(geom.sole_rise_cm(heel_travel_correction(rise, slope, geom))) / rise

    for c in cands:
        rows = outside
        if views is not None and len(views) == n:
            rows = outside & (views == views[c.peak_i])
        if rows.sum() >= MIN_SLOPE_FRAMES:
            offset = _standing_offset(tr, [np.flatnonzero(rows)])
        else:
            offset = _standing_offset(tr, [c.baseline_left, c.baseline_right])
        if not np.isfinite(offset):
            offset = _standing_offset(tr, [np.flatnonzero(outside)])
        c.heel_rise_cm *= ratio(offset, typical if np.isfinite(typical) else c.heel_rise_cm)
    return ratio(_standing_offset(tr, [np.flatnonzero(outside)]), typical)


def bent_knee_gain_note(gain: float) -> str:
    """The flag of a bent-knee rep whose rise was raised by ``bent_knee_rise_gain``."""
    return (
        f"bent knee: raised {100 * (gain - 1):.0f}% because the pose model reads less of "
        "a bent-knee heel rise side-on (rendered truth)"
    )


def model_spread_note(rel_sd: float) -> str:
    """The flag of a heel rise read through a render-derived factor (``rel_sd``: fraction).

    The part before the colon is the short form the page's cards show.
    """
    return (
        f"about ±{100 * rel_sd:.0f}% from the pose model: where it puts the heel varies "
        "with camera height, shoes and lighting"
    )
