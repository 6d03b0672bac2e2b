"""Lateral hops (``lateral-hops``): hop count, rhythm, landing knee bend, hop width.

The runner hops side to side over a line (30 s, or 3 x 15 hops), on both feet
or on one leg. A two-foot jump in place counts as one hop too. Numbers come
from ``lateral_hops.toml`` (unit and source per key).

How a hop is found:

1. **Foot height.** Per frame, the lowest point of the feet (ankle, heel,
   toe landmarks of both feet; in a single-leg hop that is the stance foot)
   is measured in the picture perpendicular to the floor line and divided by
   the person's leg length in pixels: leg lengths, independent of zoom.
2. **Flights** are peaks of that trace rising at least ``min_apex_leg`` above
   the contacts on *both* sides (scipy ``find_peaks``, apexes at least
   ``min_period_s`` apart), during which the hips rise too
   (``min_hip_to_foot_rise`` of the feet's rise: the whole body leaves the
   floor). A hop is counted at its **landing**: a flight already under way at
   the first frame counts (its take-off is unknown), a flight cut off by the
   end of the video does not.
3. **Timing.** The trace crosses ``timing_level`` of the apex on the way up
   and down; a ballistic flight is a parabola, whose width at fraction ``q``
   of its apex is ``flight * sqrt(1 - q)``, so take-off and landing are
   extrapolated from the two crossings. Contact time = next take-off minus
   landing. Jump height from flight time: ``g * flight^2 / 8`` (Bosco et al.
   1983's flight-time method).
4. **Width** = the sideways distance between the feet's centre during the
   contact before and after a flight, along the floor line in cm (needs a
   front or back view; in a side view hops go toward the camera and no
   width is reported).
5. **Landing knee bend** = the deepest knee flexion during the contact after a
   landing: from the picture in a side view (the near leg, or the stance
   leg), else from the pose model's 3D landmarks (flagged).
6. **Single-leg variant**: the other foot stays ``single_leg_lift_leg`` above
   the stance foot through the contacts.

Norms: none published for contact time, width or knee bend in this drill; the
report compares the hop count with the seed programme's set of 15.

Score (0-100, None without a hop)::

    score = 40 * soft + 30 * steady(contact CV) + 30 * steady(width CV)

``soft`` = share of landings with knee flexion >= ``soft_landing_min_deg``;
``steady(cv) = clip(1 - cv / cv_poor_pct, 0, 1)``. Without widths (side view)
the width part goes to the rhythm part; with fewer than 3 contacts (no CV)
the rhythm part counts as 1 only when there is nothing to measure it on, and
the score is flagged.
"""

from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.signal import find_peaks

from formcheck.angles import compute_angles
from formcheck.drills.base import Cue, DrillContext, DrillResult, NormComparison
from formcheck.drills.common import (
    fill_nans,
    knee_flexion_3d,
    leg_length,
    lowest_point_height,
    moving_median,
)
from formcheck.drills.common import floor_up_px as _floor_up_px
from formcheck.landmarks import Landmark, side_landmark
from formcheck.thresholds import load_thresholds
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]

SIDES = ("left", "right")
FOOT_PARTS = ("ankle", "heel", "foot_index")
G = 9.81
"""Gravity, m/s^2."""

NORMS_NOTE = (
    "no published norms for contact time, hop width or landing knee bend in this drill; "
    "the hop count is compared with the seed programme (3 x 15 hops)"
)

MSG_STIFF = (
    "land softer: your knees bent only {deg:.0f} deg on the landing at {time:.1f} s "
    "(aim for at least {min:.0f} deg)"
)
MSG_STIFF_MANY = (
    "land softer: {n} of {total} landings had less than {min:.0f} deg of knee bend "
    "(first at {time:.1f} s)"
)
MSG_RHYTHM = (
    "keep a steady rhythm: your ground contacts varied by {cv:.0f}% (longest {long:.2f} s "
    "at {time:.1f} s)"
)
MSG_WIDTH = "keep your hops the same width: widths varied by {cv:.0f}% (narrowest {w:.0f} cm at {time:.1f} s)"
MSG_KNEE_IMPOSSIBLE = (
    "the landing knee read {deg:.0f} deg of flexion, outside the {lo:.0f}-{hi:.0f} deg a knee "
    "can bend: the landmarks were off the leg; film side-on with the whole body in the picture"
)
MSG_CONTACT_UNSEEN = (
    "the person left the picture between these two hops, so the time on the ground is "
    "unknown: stay in the picture for the whole set"
)
MSG_CONTACT_PAUSE = (
    "{s:.1f} s between these two hops is a stop (standing, walking or out of view), not a "
    "rebound, so it is left out of the rhythm"
)
MSG_SET = "{n} hops: {verdict}"


@dataclass(frozen=True)
class HopThresholds:
    """Thresholds of the drill (see ``lateral_hops.toml`` for units and sources)."""

    min_apex_leg: float
    min_apex_of_median: float
    period_match: float
    min_period_s: float
    max_flight_s: float
    timing_level: float
    min_hip_to_foot_rise: float
    single_leg_lift_leg: float
    last_landing_window_s: float
    soft_landing_min_deg: float
    cv_poor_pct: float
    width_cv_cue_pct: float
    rhythm_cv_cue_pct: float
    target_hops_per_set: int
    min_reliable_fraction: float
    knee_min_deg: float
    knee_max_deg: float
    max_contact_s: float

    def __post_init__(self) -> None:
        if not 0.0 < self.timing_level < 1.0:
            raise ValueError(f"thresholds: timing_level must be in (0, 1), got {self.timing_level}")


def load_hop_thresholds(overrides: dict[str, Any] | None = None) -> HopThresholds:
    """The drill's thresholds from its TOML file plus ``overrides``."""
    return load_thresholds(HopThresholds, "lateral_hops.toml", overrides)


# =============================================================== pure functions
@dataclass(frozen=True)
class Flight:
    """One flight found in the foot-height trace.

    Attributes:
        takeoff_s: take-off time (s), None when the flight began before the video.
        landing_s: landing time (s).
        apex_leg: rise of the feet above the lower of the two contacts, leg lengths.
        peak_i: frame of the apex; ``up_i``/``down_i``: frames of the
            ``timing_level`` crossings (flight frames are ``up_i..down_i``).
    """

    takeoff_s: float | None
    landing_s: float
    apex_leg: float
    peak_i: int
    up_i: int
    down_i: int

    @property
    def flight_s(self) -> float | None:
        return None if self.takeoff_s is None else self.landing_s - self.takeoff_s


def _cross(t: FloatArray, x: FloatArray, i0: int, i1: int, level: float) -> float:
    a, b = float(x[i0]), float(x[i1])
    if a == b:
        return float(t[i1])
    f = min(1.0, max(0.0, (level - a) / (b - a)))
    return float(t[i0] + f * (t[i1] - t[i0]))


def find_flights(
    times_s: FloatArray, foot_h: FloatArray, hip_h: FloatArray, th: HopThresholds
) -> list[Flight]:
    """Flights in a foot-height trace (see the module docstring, steps 2-3).

    Args:
        times_s: (T,) frame times, s.
        foot_h: (T,) height of the lowest foot point, leg lengths, + up (any
            origin); NaN gaps are interpolated.
        hip_h: (T,) hip-midpoint height, same units (NaN: the hip check is skipped).
        th: thresholds.

    Returns:
        flights in time order, each counted as one hop.
    """
    t = np.asarray(times_s, dtype=np.float64)
    n = t.shape[0]
    if n < 3 or not np.isfinite(foot_h).any():
        return []
    h = fill_nans(t, np.asarray(foot_h, dtype=np.float64))
    hip = fill_nans(t, np.asarray(hip_h, dtype=np.float64))
    dt = float(np.median(np.diff(t)))
    q = th.timing_level
    stretch = 1.0 / math.sqrt(1.0 - q)
    peaks, _ = find_peaks(
        h, prominence=th.min_apex_leg, distance=max(1, round(th.min_period_s / dt))
    )
    out: list[Flight] = []
    bounds = [0, *peaks.tolist(), n - 1]
    for k, p in enumerate(peaks.tolist()):
        lo, hi = bounds[k], bounds[k + 2]
        left = h[lo : p + 1]
        right = h[p : hi + 1]
        base_l, base_r = float(np.min(left)), float(np.min(right))
        apex_l, apex_r = h[p] - base_l, h[p] - base_r
        if min(apex_l, apex_r) < th.min_apex_leg:
            continue  # a flight cut by the video's end, or a wobble on a step
        lvl_l, lvl_r = base_l + q * apex_l, base_r + q * apex_r
        i = p
        while i > lo and h[i - 1] >= lvl_l:
            i -= 1
        j = p
        while j < hi and h[j + 1] >= lvl_r:
            j += 1
        if i == 0 or j == n - 1:
            continue
        t_up = _cross(t, h, i - 1, i, lvl_l)
        t_down = _cross(t, h, j, j + 1, lvl_r)
        if np.isfinite(hip).all():
            hip_rise = float(np.max(hip[i : j + 1]) - np.min(hip[lo : hi + 1]))
            if hip_rise < th.min_hip_to_foot_rise * min(apex_l, apex_r):
                continue
        mid, half = 0.5 * (t_up + t_down), 0.5 * (t_down - t_up) * stretch
        if 2.0 * half > th.max_flight_s:
            continue
        out.append(Flight(mid - half, mid + half, float(min(apex_l, apex_r)), p, i, j))
    # a flight already under way in the first frame: descending to a contact
    first_peak = out[0].peak_i if out else n - 1
    c0 = int(np.argmin(h[: first_peak + 1]))
    if c0 > 0 and h[0] - h[c0] >= th.min_apex_leg and h[0] > h[min(1, n - 1)]:
        lvl = h[c0] + q * (h[0] - h[c0])
        j = 0
        while j < c0 and h[j + 1] >= lvl:
            j += 1
        # without the apex the parabola cannot be extrapolated: landing at the crossing
        # of the lowest level seen plus min_apex_leg * q (close to the floor)
        low = h[c0] + q * th.min_apex_leg
        jl = j
        while jl < c0 and h[jl + 1] >= low:
            jl += 1
        landing = _cross(t, h, jl, min(jl + 1, n - 1), low)
        out.insert(0, Flight(None, landing, float(h[0] - h[c0]), 0, 0, jl))
    if out:
        typical = float(np.median([f.apex_leg for f in out]))
        out = [f for f in out if f.apex_leg >= th.min_apex_of_median * typical]
    return out


def hidden_hops(
    landings_s: list[float], unseen_s: FloatArray, th: HopThresholds
) -> list[tuple[int, float]]:
    """Hops hidden in tracking gaps, inferred from the rhythm.

    Args:
        landings_s: landing times of the flights found, s, in order.
        unseen_s: (M,) times of frames in which the feet were not tracked, s.
        th: thresholds (``period_match``).

    Returns:
        (index of the landing before, inferred landing time s) per hidden hop:
        between two landings whose interval is ``m`` median periods (``m >= 2``,
        within ``period_match`` of a period) with an untracked frame between them,
        ``m - 1`` hops are inferred, evenly spaced.
    """
    if len(landings_s) < 3:
        return []
    gaps = np.diff(landings_s)
    period = float(np.median(gaps))
    if period <= 0:
        return []
    out: list[tuple[int, float]] = []
    for k, g in enumerate(gaps):
        m = round(g / period)
        if m < 2 or abs(g / period - m) > th.period_match:
            continue
        a, b = landings_s[k], landings_s[k + 1]
        if not np.any((unseen_s > a) & (unseen_s < b)):
            continue
        out.extend((k, a + j * g / m) for j in range(1, m))
    return out


def cv_pct(values: list[float]) -> float | None:
    """Coefficient of variation (sample SD / mean, %) of 3 or more values, else None."""
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=np.float64)
    if v.size < 3 or v.mean() <= 0:
        return None
    return float(100.0 * v.std(ddof=1) / v.mean())


def steadiness(cv: float | None, cv_poor: float) -> float | None:
    """1 for a CV of 0, falling linearly to 0 at ``cv_poor`` (percent); None without a CV."""
    if cv is None:
        return None
    return float(min(1.0, max(0.0, 1.0 - cv / cv_poor)))


# =============================================================== the drill
class LateralHops:
    """The lateral hops drill (see the module docstring)."""

    name = "lateral-hops"
    title = "Lateral hops"
    accepted_views = frozenset({"front", "back", "side", "oblique"})
    how_to_film = (
        "Put the phone at hip height 2-3 m away, facing you (a front view shows the hop "
        "width; a side view shows knee bend better), with your whole body and the floor "
        "around your feet in the picture. Stand still for a second, then hop side to side "
        "over a line (both feet, or one leg)."
    )
    measures = (
        "hop count, contact and flight times (rhythm), landing knee bend, hop width and "
        "its consistency, two-foot or single-leg"
    )

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Measure hops in ``ctx`` (see the module docstring)."""
        th = load_hop_thresholds(dict(ctx.options.thresholds))
        return _analyze(ctx, th)


def _r(x: float | None, nd: int = 2) -> float | None:
    return round(float(x), nd) if x is not None and math.isfinite(x) else None


def _foot_idx(side: str) -> list[int]:
    return [int(side_landmark(side, p)) for p in FOOT_PARTS]


def _analyze(ctx: DrillContext, th: HopThresholds) -> DrillResult:
    clean = ctx.conditioned.track
    t = np.asarray(clean.timestamps_s, dtype=np.float64)
    n = len(t)
    px = clean.pixels.astype(np.float64)
    world = np.asarray(clean.world, dtype=np.float64)
    up = _floor_up_px(ctx)
    along = np.array([-up[1], up[0]])
    if along[0] < 0:
        along = -along
    flags: dict[str, str] = {}
    warnings: list[QualityIssue] = []
    cues: list[Cue] = []
    view = ctx.view.view
    cm_per_px = float(ctx.calibration.cm_per_px)

    leg_px = leg_length(px)
    if not math.isfinite(leg_px) or leg_px <= 0:
        leg_px = math.nan
    both = _foot_idx("left") + _foot_idx("right")
    foot_h = lowest_point_height(px[:, both], up) / leg_px
    hip_px = 0.5 * (px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP])
    hip_h = (hip_px @ up) / leg_px
    flights = find_flights(t, foot_h, hip_h, th) if math.isfinite(leg_px) else []
    leg_cm = leg_px * cm_per_px

    # ---- single-leg variant: one foot stays up through the contacts
    contact = np.ones(n, dtype=bool)
    for f in flights:
        contact[f.up_i : f.down_i + 1] = False
    # raw landmarks: a raised free foot behind the body is often below the visibility
    # threshold (dropped by conditioning) but still roughly placed, and far above the floor
    raw_world = np.asarray(ctx.track.world, dtype=np.float64)
    if np.isfinite(raw_world[:, both]).all(axis=(1, 2)).sum() >= 0.5 * n:
        down = np.array([0.0, -1.0, 0.0])
        wl = lowest_point_height(raw_world[:, _foot_idx("left")], down)
        wr = lowest_point_height(raw_world[:, _foot_idx("right")], down)
        diff = (wr - wl) / leg_length(raw_world)
    else:
        raw_px = ctx.track.pixels.astype(np.float64)
        diff = (
            lowest_point_height(raw_px[:, _foot_idx("right")], up)
            - lowest_point_height(raw_px[:, _foot_idx("left")], up)
        ) / leg_px
    d_med = float(np.nanmedian(diff[contact])) if np.isfinite(diff[contact]).any() else 0.0
    if flights and abs(d_med) >= th.single_leg_lift_leg:
        stance: list[str] = ["left" if d_med > 0 else "right"]
        variant = "single-leg"
        if view == "side":
            flags["stance_leg"] = (
                "side view: the pose model's left/right labels often swap, so the hopping leg "
                "may be named wrongly"
            )
    else:
        stance = list(SIDES)
        variant = "two-foot"

    # ---- knee flexion per frame
    if view == "side":
        knee_sides = stance if variant == "single-leg" else [ctx.view.near_side or "left"]
        knees = [
            compute_angles(clean, s, up=up, names=["knee_flexion"])["knee_flexion"]
            for s in knee_sides
        ]
        knee_source = "picture (side view)"
    else:
        knees = [knee_flexion_3d(world, s) for s in stance]
        knee_source = "pose model 3D landmarks"
        flags["landing_knee_flexion_deg"] = (
            f"{view} view: knee bend is hard to see in the picture; it comes from the pose "
            "model's 3D estimate"
        )
    with np.errstate(all="ignore"), _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)
        knee = np.nanmean(np.stack(knees), axis=0) if knees else np.full(n, np.nan)
    # a 0.15 s moving median: the deepest bend is a max, which landmark noise would bias up
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0 / 30.0
    knee = moving_median(knee, max(3, round(0.15 / dt)))

    # ---- feet centre along the floor (for widths)
    centre_idx = [int(side_landmark(s, "ankle")) for s in stance]
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)
        centre_u = np.nanmean(px[:, centre_idx] @ along, axis=1) * cm_per_px
    width_ok = view in ("front", "back", "oblique")
    if view == "oblique":
        flags["width_cm"] = (
            "oblique view: the picture's horizontal mixes side-to-side and front-to-back, so "
            "widths read short; film from the front for true widths"
        )
    elif not width_ok:
        flags["width_cm"] = (
            "side view: hops go toward and away from the camera, so their width cannot be "
            "measured; film from the front for widths"
        )
        flags["width_cv_pct"] = flags["width_cm"]
    if "width_cm" in flags:  # each hop's width and the set's mean, next to their cards
        flags["mean_width_cm"] = flags["width_cm"]

    rel = ctx.conditioned.reliable
    events: list[dict[str, Any]] = []
    hop_series = np.zeros(n)
    for k, f in enumerate(flights):
        prev_land = flights[k - 1].landing_s if k > 0 else None
        next_to = flights[k + 1].takeoff_s if k + 1 < len(flights) else None
        contact_before = (
            f.takeoff_s - prev_land if f.takeoff_s is not None and prev_land is not None else None
        )
        after_end = next_to if next_to is not None else f.landing_s + th.last_landing_window_s
        after = (t >= f.landing_s) & (t <= after_end)
        knee_deg = float(np.nanmax(knee[after])) if np.isfinite(knee[after]).any() else math.nan
        ev_flags: dict[str, str] = {}
        if math.isfinite(knee_deg) and not (th.knee_min_deg <= knee_deg <= th.knee_max_deg):
            ev_flags["landing_knee_flexion_deg"] = MSG_KNEE_IMPOSSIBLE.format(
                deg=knee_deg, lo=th.knee_min_deg, hi=th.knee_max_deg
            )
            knee_deg = math.nan  # withheld: no knee bends that way
        if contact_before is not None and prev_land is not None and f.takeoff_s is not None:
            gap = (t > prev_land) & (t < f.takeoff_s)
            feet_seen = rel[gap][:, _foot_idx("left") + _foot_idx("right")].any(axis=1)
            person = np.asarray(ctx.track.num_people)[gap] > 0
            if gap.any() and (not person.all() or feet_seen.mean() < th.min_reliable_fraction):
                ev_flags["contact_s"] = MSG_CONTACT_UNSEEN
                contact_before = None  # unknown, not contact
            elif contact_before > th.max_contact_s:
                ev_flags["contact_s"] = MSG_CONTACT_PAUSE.format(s=contact_before)
                contact_before = None  # a stop between hops, not a rebound
        width = None
        if width_ok and f.takeoff_s is not None:
            start_b = max(f.takeoff_s - 0.3, prev_land if prev_land is not None else -math.inf)
            before = (t >= start_b) & (t <= f.takeoff_s)
            after_w = (t >= f.landing_s) & (t <= min(after_end, f.landing_s + 0.3))
            if np.isfinite(centre_u[before]).any() and np.isfinite(centre_u[after_w]).any():
                width = abs(
                    float(np.nanmedian(centre_u[after_w])) - float(np.nanmedian(centre_u[before]))
                )
        sl = slice(f.up_i, f.down_i + 1)
        idx = [i for s in stance for i in _foot_idx(s)]
        seen = float(rel[sl][:, idx].all(axis=1).mean()) if f.down_i >= f.up_i else 0.0
        if seen < th.min_reliable_fraction:
            ev_flags["landing_s"] = (
                f"the feet were seen clearly in only {100 * seen:.0f}% of this flight's frames"
            )
        if f.takeoff_s is None:
            ev_flags["takeoff_s"] = "the flight began before the video: no take-off time"
        events.append(
            {
                "kind": "hop",
                "index": k,
                "leg": "both" if variant == "two-foot" else stance[0],
                "takeoff_s": _r(f.takeoff_s, 3),
                "landing_s": _r(f.landing_s, 3),
                "start_s": _r(f.takeoff_s if f.takeoff_s is not None else float(t[0]), 3),
                "end_s": _r(f.landing_s, 3),
                "flight_s": _r(f.flight_s, 3),
                "contact_s": _r(contact_before, 3),
                "jump_height_cm": _r(100.0 * G * f.flight_s**2 / 8.0)
                if f.flight_s is not None
                else None,
                "foot_rise_cm": _r(f.apex_leg * leg_cm),
                "width_cm": _r(width, 1),
                "landing_knee_flexion_deg": _r(knee_deg, 1),
                "flags": ev_flags,
            }
        )

    # ---- hops hidden where the feet were not tracked, inferred from the rhythm
    all_feet = _foot_idx("left") + _foot_idx("right")
    unseen = t[~rel[:, all_feet].any(axis=1)]
    for _, land in hidden_hops([f.landing_s for f in flights], unseen, th):
        events.append(
            {
                "kind": "hop",
                "index": -1,
                "leg": "both" if variant == "two-foot" else stance[0],
                "inferred": True,
                "takeoff_s": None,
                "landing_s": _r(land, 3),
                "start_s": _r(land, 3),
                "end_s": _r(land, 3),
                "flight_s": None,
                "contact_s": None,
                "jump_height_cm": None,
                "foot_rise_cm": None,
                "width_cm": None,
                "landing_knee_flexion_deg": None,
                "flags": {
                    "landing_s": "the feet were not tracked here: this hop is inferred from "
                    "the rhythm of the others and its time is approximate"
                },
            }
        )
    events.sort(key=lambda e: e["landing_s"])
    for k, e in enumerate(events):
        e["index"] = k
        e.setdefault("inferred", False)
        hop_series[t >= e["landing_s"]] = k + 1

    summary = _summary(events, variant, stance, knee_source, th)
    summary["norms_note"] = NORMS_NOTE
    if not events:
        warnings.append(
            QualityIssue(
                "no_hop",
                "warning",
                "no hop found: hop clearly off the floor (both feet leave it) with your feet "
                "and the floor around them in the picture",
            )
        )
    unsure = [e for e in events if "landing_s" in e["flags"]]
    if unsure:
        flags["hop_count"] = (
            f"{len(unsure)} of {len(events)} hops rest on feet the pose model did not see "
            "clearly (first at {:.1f} s)".format(unsure[0]["landing_s"])
        )
    cues.extend(_cues(events, summary, th))
    norms = _norms(summary, th)
    score, score_flag = _score(summary, th)
    if score_flag:
        flags["score"] = score_flag
    foot_cm = (
        (foot_h - np.nanpercentile(foot_h, 5)) * leg_cm if np.isfinite(foot_h).any() else foot_h
    )
    return DrillResult(
        summary=summary,
        events=events,
        cues=cues,
        score=score,
        flags=flags,
        norms=norms,
        series={
            "hops": hop_series,
            "foot_height_cm": np.asarray(foot_cm, dtype=np.float64),
            "knee_flexion_deg": np.asarray(knee, dtype=np.float64),
        },
        warnings=warnings,
        overlay=("hops", "foot_height_cm", "knee_flexion_deg"),
    )


def _mean(values: list[Any]) -> float | None:
    v = [x for x in values if x is not None]
    return float(np.mean(v)) if v else None


def _summary(
    events: list[dict[str, Any]],
    variant: str,
    stance: list[str],
    knee_source: str,
    th: HopThresholds,
) -> dict[str, Any]:
    contacts = [e["contact_s"] for e in events if e["contact_s"] is not None]
    flights = [e["flight_s"] for e in events if e["flight_s"] is not None]
    widths = [e["width_cm"] for e in events if e["width_cm"] is not None]
    knees = [e["landing_knee_flexion_deg"] for e in events]
    knees_ok = [k for k in knees if k is not None]
    span = events[-1]["landing_s"] - events[0]["landing_s"] if len(events) >= 2 else None
    out: dict[str, Any] = {
        "hop_count": len(events),
        "variant": variant,
        "hopping_leg": stance[0] if variant == "single-leg" else "both",
        "mean_contact_s": _r(_mean(contacts), 3),
        "mean_flight_s": _r(_mean(flights), 3),
        "contact_cv_pct": _r(cv_pct(contacts), 1),
        "hops_per_min": _r(60.0 * (len(events) - 1) / span, 1) if span else None,
        "mean_jump_height_cm": _r(_mean([e["jump_height_cm"] for e in events]), 1),
        "mean_width_cm": _r(_mean(widths), 1),
        "width_cv_pct": _r(cv_pct(widths), 1),
        "mean_landing_knee_flexion_deg": _r(_mean(knees_ok), 1),
        "soft_landing_pct": _r(
            100.0 * sum(k >= th.soft_landing_min_deg for k in knees_ok) / len(knees_ok), 1
        )
        if knees_ok
        else None,
        "knee_source": knee_source,
    }
    return out


def _cues(events: list[dict[str, Any]], summary: dict[str, Any], th: HopThresholds) -> list[Cue]:
    cues: list[Cue] = []
    stiff = [
        e
        for e in events
        if e["landing_knee_flexion_deg"] is not None
        and e["landing_knee_flexion_deg"] < th.soft_landing_min_deg
    ]
    if len(stiff) == 1:
        e = stiff[0]
        cues.append(
            Cue(
                e["landing_s"],
                "warning",
                MSG_STIFF.format(
                    deg=e["landing_knee_flexion_deg"],
                    time=e["landing_s"],
                    min=th.soft_landing_min_deg,
                ),
            )
        )
    elif stiff:
        cues.append(
            Cue(
                stiff[0]["landing_s"],
                "warning",
                MSG_STIFF_MANY.format(
                    n=len(stiff),
                    total=len(events),
                    min=th.soft_landing_min_deg,
                    time=stiff[0]["landing_s"],
                ),
            )
        )
    cv = summary["contact_cv_pct"]
    if cv is not None and cv > th.rhythm_cv_cue_pct:
        longest = max(
            (e for e in events if e["contact_s"] is not None), key=lambda e: e["contact_s"]
        )
        cues.append(
            Cue(
                longest["takeoff_s"],
                "info",
                MSG_RHYTHM.format(cv=cv, long=longest["contact_s"], time=longest["takeoff_s"]),
            )
        )
    wcv = summary["width_cv_pct"]
    if wcv is not None and wcv > th.width_cv_cue_pct:
        narrow = min((e for e in events if e["width_cm"] is not None), key=lambda e: e["width_cm"])
        cues.append(
            Cue(
                narrow["landing_s"],
                "info",
                MSG_WIDTH.format(cv=wcv, w=narrow["width_cm"], time=narrow["landing_s"]),
            )
        )
    return cues


def _norms(summary: dict[str, Any], th: HopThresholds) -> list[NormComparison]:
    n = summary["hop_count"]
    if n == 0:
        return []
    verdict = "a full set" if n >= th.target_hops_per_set else "fewer than a set of the programme"
    return [
        NormComparison(
            "hop_count",
            float(n),
            "hops",
            f"{th.target_hops_per_set} hops per set, 3 sets (or 30 s)",
            "runners' seed programme (no published norm)",
            verdict,
        )
    ]


def _score(summary: dict[str, Any], th: HopThresholds) -> tuple[float | None, str | None]:
    if summary["hop_count"] == 0:
        return None, None
    flag = None
    soft = summary["soft_landing_pct"]
    soft_part = soft / 100.0 if soft is not None else None
    rhythm = steadiness(summary["contact_cv_pct"], th.cv_poor_pct)
    width = steadiness(summary["width_cv_pct"], th.cv_poor_pct)
    if rhythm is None:
        rhythm = 1.0
        flag = "too few contacts to judge the rhythm (needs 4 hops or more)"
    if width is None:
        parts = [(40.0, soft_part), (60.0, rhythm)]
    else:
        parts = [(40.0, soft_part), (30.0, rhythm), (30.0, width)]
    known = [(w, v) for w, v in parts if v is not None]
    total_w = sum(w for w, _ in known)
    score = 100.0 * sum(w * v for w, v in known) / total_w if total_w else None
    return (round(score, 1) if score is not None else None), flag


DRILL = LateralHops()
