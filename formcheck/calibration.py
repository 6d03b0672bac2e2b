"""Pixels to centimetres, and the floor line heights are measured from.

Every ``Calibration`` carries its ``method`` and an honest ``uncertainty_pct``
(one standard deviation, percent of the cm value), built as the quadrature
sum of a *model error* (how far the anthropometric or geometric assumption can
be off for a person we have not seen) and the *spread* of the per-frame
estimates (standard error of their median over roughly independent samples).

Methods:

- ``from_height``: the user's stature. In standing frames (both knees and hips
  within 15 deg of straight, heels down) the eye level's height above the
  floor line is measured in pixels, perpendicular to the floor. MediaPipe's
  eye landmarks sit at 0.936 H (eye height, Drillis & Contini 1966 via Winter
  2009 Fig. 4.1; Pheasant's *Bodyspace* gives 0.935-0.937) and the floor line
  passes through the heel landmarks, which sit ~0.012 H (~2 cm) above the sole
  (back of the heel, a little above the floor), so the measured span is
  ``(0.936 - 0.012) H = 0.924 H``. Model error 1.5%: eye-height/stature CV
  ~0.5% (Pheasant), heel-landmark level +-0.005 H (0.5%), eye landmark
  placement +-1 cm (0.6%), head tilt and posture ~1%.
- ``from_foot_length``: heel-to-foot_index landmark distance of a flat foot =
  0.97 x foot length (the heel landmark sits ~0.5 cm inside the back of the
  heel and foot_index ~0.5 cm behind the toe tip); model error 4% (landmark
  placement 3%, foot yaw to the image plane up to 15 deg costs up to 3.4%;
  the 75th percentile of the per-frame lengths is used, as turning the foot
  only ever shortens it).
- ``from_aruco``: a printed marker of known side length (``formcheck.aruco``);
  scale in the marker's plane, uncertainty from its perspective distortion.
- ``assumed``: no user input, a population-average adult height of 170 cm
  (NCD-RisC 2016 adult means ~175 cm men, ~162 cm women; SD ~9 cm over both
  sexes, 5.3%), so about +-6% with the method error.

Scales hold **in the person's plane** (the plane through the body facing the
camera); points much nearer or farther (the far foot in a side view, a wall)
are off by the ratio of distances.

Only NumPy here; cv2 is imported lazily for the ArUco method.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from formcheck.angles import compute_angles
from formcheck.landmarks import Landmark, side_landmark
from formcheck.signals import robust_sd
from formcheck.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

EYE_HEIGHT_FRAC = 0.936
"""Eye height / stature (Winter 2009 Fig. 4.1; Pheasant, Bodyspace)."""
HEEL_LANDMARK_FRAC = 0.012
"""Height of MediaPipe's heel landmark above the sole / stature (~2 cm; judgement)."""
EYE_SPAN_FRAC = EYE_HEIGHT_FRAC - HEEL_LANDMARK_FRAC
"""Eye landmark above the heel-landmark floor line, as a fraction of stature."""
HEIGHT_MODEL_ERROR_PCT = 1.5
LEG_SPAN_FRAC = 0.491
"""Thigh + shank (hip-knee-ankle landmarks) / stature (0.245 + 0.246, Winter 2009)."""
LEG_MODEL_ERROR_PCT = 5.0
"""Segment-length proportions vary ~4% between people, plus hip-landmark placement."""
LEG_MAX_DEPTH_LEAN_DEG = 30.0
"""Degrees. A leg's thigh-plus-shank chain leaning more than this toward or away
from the camera (in the world landmarks) is not used for the leg-length scale:
its picture is over 13% short, and dividing by the cosine would magnify the
world landmarks' depth error (judgement; a camera pitched 20 deg down leans a
standing leg 20 deg in camera axes, which must still count)."""
FOOT_LANDMARK_RATIO = 0.97
FOOT_MODEL_ERROR_PCT = 4.0
ASSUMED_HEIGHT_CM = 170.0
ASSUMED_HEIGHT_SD_PCT = 5.3
STANDING_MAX_DEG = 15.0
"""Knee and hip within this of straight count as standing (normal standing knee
flexion is 0-5 deg; 15 deg allows a soft knee without losing >0.6% of height)."""
INDEPENDENT_FRAMES_PER_S = 2.0 * 6.0
"""After the 6 Hz low-pass, samples closer than 1/(2*6 Hz) are not independent."""


@dataclass(frozen=True)
class Calibration:
    """Pixel-to-centimetre scale in the person's plane.

    Attributes:
        method: "height", "foot_length", "aruco", "assumed" (or "height+legs"
            when the head was not visible).
        cm_per_px: centimetres per pixel of the upright frame.
        uncertainty_pct: one-SD relative uncertainty of cm values, percent.
        detail: a sentence for the report saying what was used.
    """

    method: str
    cm_per_px: float
    uncertainty_pct: float
    detail: str

    def to_cm(self, px: npt.ArrayLike) -> FloatArray:
        """Pixel lengths to centimetres."""
        return np.asarray(px, dtype=np.float64) * self.cm_per_px


@dataclass(frozen=True)
class FloorLine:
    """The floor as a line in the image (pixels of the upright frame).

    Attributes:
        point: (2,) a point on the line: the resting level of the heel landmarks.
        normal: (2,) unit vector perpendicular to the floor, pointing up.
        rest_px: resting height of each foot landmark above the line, px
            (keys like "left_heel", "right_foot_index"); NaN if never seen.
        method: how the normal was found ("image-up", "given", "body-axis").
    """

    point: FloatArray
    normal: FloatArray
    rest_px: dict[str, float] = field(default_factory=dict)
    method: str = "image-up"

    @property
    def direction(self) -> FloatArray:
        """(2,) unit vector along the floor (image-right-ish)."""
        return np.array([-self.normal[1], self.normal[0]])

    @property
    def tilt_deg(self) -> float:
        """Angle of the floor normal from image up (+ = rolled clockwise)."""
        return float(np.degrees(np.arctan2(self.normal[0], -self.normal[1])))


def height_above_floor(points_px: npt.ArrayLike, floor: FloorLine) -> FloatArray:
    """Perpendicular distance above the floor line, px (negative below).

    Args:
        points_px: (..., 2) pixel positions.
    Returns:
        (...) float64 heights in pixels along ``floor.normal``.
    """
    p = np.asarray(points_px, dtype=np.float64)
    return np.asarray((p - floor.point) @ floor.normal)


def heel_height_px(track: PoseTrack, floor: FloorLine, side: str) -> FloatArray:
    """(T,) height of one heel landmark above its own resting level, px."""
    h = height_above_floor(track.xy(side_landmark(side, "heel")), floor)
    rest = floor.rest_px.get(f"{side}_heel", np.nan)
    return np.asarray(h - (rest if np.isfinite(rest) else 0.0))


# ------------------------------------------------------- heel height, rigid foot
RIGID_FOOT_MIN_CORR = 0.8
"""Smallest correlation of the ankle's and the heel's heights over the clip for
the two to be combined (``rigid_foot_heel_height``). Judgement: with equal
noise on both, the correlation is r = S / (S + N), so at 0.8 the shared
motion's variance S is 4 times each landmark's noise variance N and the fitted
ratio is well determined; a clip without heel raises (standing still) falls
below it and keeps the heel landmark alone."""

RIGID_FOOT_RATIO_RANGE = (0.3, 1.5)
"""Accepted range of the fitted ankle-rise / heel-rise ratio ``k``.

Geometry: the foot pivots about the ball (toe joints ~0.73 of the foot length
from the heel, the ankle ~0.25), so the ankle rises ~(0.73 - 0.25) / 0.73 =
0.66 of the heel (the synthetic body model: 0.57-0.64). MediaPipe's heel
landmark rises only 0.49-0.70 of the true heel (renders, docs/ACCURACY.md),
which can lift the ratio to ~0.66 / 0.49 = 1.35. Outside this range the foot
is not rotating about its forefoot (steps, turns, tracking errors) and the
heel landmark is used alone."""

HEEL_HEIGHT_CUTOFF_HZ = 3.0
"""Hz. Low-pass cut-off of the per-frame heel height (``foot_heel_height_px``).

The motion band of a calf raise: prescribed tempos are 1-2 s up and 2-3 s
down, the heel-rise test 1 s up and 1 s down (60 bpm, one rise per two
beats); even a brisk raise takes ~0.5 s per phase. A 3 Hz zero-phase
Butterworth (order 4 each way) changes a 0.5 s raised-cosine ramp of 8 cm by
at most 0.06 cm (0.3 cm for a 0.3 s ramp), while it halves the band, and so
about 0.7x the white jitter, left by the 6 Hz conditioning filter."""


def rigid_foot_heel_height(
    heel: npt.ArrayLike, ankle: npt.ArrayLike
) -> tuple[FloatArray, float | None]:
    """Heel height estimated from the heel **and** the ankle landmark of one foot.

    In a heel raise the foot turns as one rigid piece about the ball of the
    foot, which stays on the floor, so the ankle rises by a fixed fraction
    ``k`` of the heel's rise (``RIGID_FOOT_RATIO_RANGE``). The two landmarks'
    errors are independent (each foot landmark wobbles on its own), so two
    noisy views of one rise average to a better one. ``k`` is fitted over the
    clip by total least squares on the pairs (heel, ankle) (well determined:
    rises of several cm against ~0.5 cm noise), with one refit without
    outliers (residuals over 3 robust SDs: swaps, far-foot errors). Assuming
    equal noise on both landmarks (MediaPipe publishes no per-landmark
    accuracy), the best estimate of the heel per frame is the orthogonal
    projection of (heel, ankle) onto the fitted line:
    ``heel_est = h0 + ((heel - h0) + k (ankle - a0)) / (1 + k**2)`` with
    (h0, a0) the line's centre. It is in the heel landmark's own units and
    offset (a rise read from it is a heel-landmark rise).

    Args:
        heel: (T,) heel landmark height above the floor (any unit, e.g. px or cm).
        ankle: (T,) ankle landmark height, same unit and floor; NaN where unseen.

    Returns:
        ``(heel_est, k)``: (T,) float64 estimate (the heel alone where the
        ankle is NaN), and the fitted ratio, or None when the two do not move
        as a rigid foot (correlation under ``RIGID_FOOT_MIN_CORR``, ``k``
        outside ``RIGID_FOOT_RATIO_RANGE``, fewer than 10 frames); then the
        heel is returned unchanged.
    """
    h = np.asarray(heel, dtype=np.float64)
    a = np.asarray(ankle, dtype=np.float64)
    ok = np.isfinite(h) & np.isfinite(a)
    if ok.sum() < 10:
        return h.copy(), None
    use = ok.copy()
    k = h0 = a0 = corr = float("nan")
    for it in range(2):
        h0, a0 = float(np.mean(h[use])), float(np.mean(a[use]))
        x = np.stack([h[use] - h0, a[use] - a0], axis=1)
        cov = x.T @ x
        if cov[0, 0] <= 0 or cov[1, 1] <= 0:
            return h.copy(), None
        corr = float(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]))
        _, vecs = np.linalg.eigh(cov)
        d = vecs[:, -1]
        if abs(d[0]) < 1e-12:
            return h.copy(), None
        k = float(d[1] / d[0])
        if it == 1:
            break
        # drop outliers (label swaps, misplaced feet) and fit again
        resid = (a - a0) - k * (h - h0)
        r = resid[ok]
        mad = robust_sd(r)
        use = ok & (np.abs(resid - np.median(r)) <= 3.0 * mad) if mad > 0 else ok
        if use.sum() < 10:
            return h.copy(), None
    lo, hi = RIGID_FOOT_RATIO_RANGE
    if corr < RIGID_FOOT_MIN_CORR or not lo <= k <= hi:
        return h.copy(), None
    out = h.copy()
    out[ok] = h0 + ((h[ok] - h0) + k * (a[ok] - a0)) / (1.0 + k * k)
    return out, k


ONE_FACTOR_MIN_FRAMES = 30
"""Fewest frames with all three signals for ``one_factor_heel_height`` to fit
(about 1 s at 30 fps: under that the covariances are too noisy)."""

ONE_FACTOR_MIN_PSI_FRACTION = 0.005
"""Floor of each signal's own-error variance, as a fraction of its variance
(an SD of 7% of the signal's): keeps one almost noise-free signal (e.g.
perfect synthetic landmarks) from taking all the weight on a covariance
estimate that is itself noisy. Judgement; 2% (an SD of 14%) capped the hips'
weight at realistic noise and gave 0.41 cm per-rep error for 0.38."""


ONE_FACTOR_RESAMPLES = 200
"""Block-bootstrap resamples behind ``one_factor_scale_rel_se`` (at 200 the
SE itself moves by ~5% of its value from one set of resamples to another)."""


def _one_factor_fit(c: FloatArray) -> tuple[FloatArray, FloatArray] | None:
    """Loadings and own-error variances ``(lam, psi)`` of three signals from their covariance.

    None when a pair of signals does not move together (a covariance <= 0).
    """
    c01, c02, c12 = c[0, 1], c[0, 2], c[1, 2]
    if min(c01, c02, c12) <= 0:
        return None
    lam = np.sqrt([c01 * c02 / c12, c01 * c12 / c02, c02 * c12 / c01])
    var = np.diag(c)
    psi = np.maximum(var - lam**2, ONE_FACTOR_MIN_PSI_FRACTION * var)
    return lam, psi


def one_factor_scale_rel_se(x: FloatArray, block_frames: int) -> float:
    """Relative SE (fraction) of the scale of ``one_factor_heel_height``'s estimate.

    The loadings are fitted on one clip, so the estimate's scale (cm read
    per cm of common rise) is off by however the landmarks' wobble happened
    to line up with the reps in that clip, and that error is shared by every
    rep. Moving-block bootstrap over the fit frames (``x``: (n, 3) heel,
    second reading, body, in time order; blocks of ``block_frames`` keep the
    wobble's own correlation in time): the SD, over ``ONE_FACTOR_RESAMPLES``
    refits, of the refitted estimate's response to the full fit's common
    rise, relative to the full fit's. Deterministic (a fixed seed). 0 when
    there are fewer than two blocks or the full fit fails.
    """
    n = len(x)
    block = max(1, int(block_frames))
    full = _one_factor_fit(np.cov(x, rowvar=False, bias=True))
    if full is None or n < 2 * block:
        return 0.0
    lam_full = full[0]
    rng = np.random.default_rng(0)
    n_blocks = int(np.ceil(n / block))
    starts = rng.integers(0, n - block + 1, size=(ONE_FACTOR_RESAMPLES, n_blocks))
    offsets = np.arange(block)
    ratios = []
    for row in starts:
        idx = (row[:, None] + offsets[None, :]).ravel()[:n]
        fit = _one_factor_fit(np.cov(x[idx], rowvar=False, bias=True))
        if fit is None:
            continue
        lam, psi = fit
        w = lam / psi
        gain = lam[0] * float(w @ lam_full) / float(np.sum(lam**2 / psi))
        ratios.append(gain / lam_full[0])
    if len(ratios) < ONE_FACTOR_RESAMPLES // 2:
        return 0.0
    return float(np.std(ratios))


def one_factor_heel_height(
    heel: npt.ArrayLike,
    ankle: npt.ArrayLike,
    body: npt.ArrayLike,
    *,
    fit_frames: npt.ArrayLike | None = None,
    block_frames: int | None = None,
) -> tuple[FloatArray, dict[str, float] | None]:
    """Heel height from the heel, the ankle and the body, each weighted by its own error.

    In a heel raise the heel, the ankle and the whole body above it rise
    together: the foot turns about its ball, so the ankle (and, knees held,
    the hips) rise by a fixed fraction of the heel's rise. Each signal is
    that one common rise ``f`` scaled (``x_i = m_i + lam_i * f + e_i``) plus
    its own error ``e_i``: landmark wobble, and whatever the signal does
    that is not the rise (hips swaying or bending, a foot landmark slipping).
    With three signals whose errors are independent, the one-factor model is
    identified from their covariances alone: ``lam_i**2 = C_ij C_ik / C_jk``
    and each own-error variance ``psi_i = C_ii - lam_i**2`` (floored at
    ``ONE_FACTOR_MIN_PSI_FRACTION`` of ``C_ii``). The per-frame estimate of
    ``f`` weights each signal by ``lam_i / psi_i`` (Bartlett's factor
    score), so a signal that wobbles or moves on its own counts for little;
    the heel estimate is ``m_heel + lam_heel * f``, in the heel landmark's
    units and offset (a rise read from it is a heel-landmark rise). The hip
    landmarks wobble about half as much as the foot ones, which is where
    most of the gain comes from.

    Args:
        heel: (T,) heel landmark height above the floor (any unit, e.g. cm).
        ankle: (T,) ankle landmark height, same unit and floor.
        body: (T,) hip-midpoint height, same unit and floor.
        fit_frames: (T,) bool, frames to fit the model on (e.g. forefoot on
            the floor, so walking in or out of the picture does not count);
            None: all frames where the three are seen.
        block_frames: block length (frames) for ``one_factor_scale_rel_se``
            (about 1 s of video); None: that SE is not estimated (0).

    Returns:
        ``(heel_est, info)``: the (T,) estimate (the heel alone where any of
        the three is NaN) and ``{"ankle_ratio", "body_ratio", "heel_sd",
        "ankle_sd", "body_sd", "scale_rel_se"}`` (the signals' rises per unit
        of heel rise, their own-error SDs in the input unit, and the
        estimate's scale error, a fraction); or the heel unchanged and
        None when the model does not hold (fewer than
        ``ONE_FACTOR_MIN_FRAMES`` frames, or a pair of signals not moving
        together: a covariance <= 0).
    """
    h = np.asarray(heel, dtype=np.float64)
    a = np.asarray(ankle, dtype=np.float64)
    b = np.asarray(body, dtype=np.float64)
    ok = np.isfinite(h) & np.isfinite(a) & np.isfinite(b)
    fit = ok if fit_frames is None else ok & np.asarray(fit_frames, dtype=bool)
    if fit.sum() < ONE_FACTOR_MIN_FRAMES:
        return h.copy(), None
    x = np.stack([h, a, b], axis=1)
    mean = x[fit].mean(axis=0)
    xc = x[fit] - mean
    model = _one_factor_fit(xc.T @ xc / len(xc))
    if model is None:
        return h.copy(), None
    lam, psi = model
    w = lam / psi
    score = ((x[ok] - mean) @ w) / float(np.sum(lam**2 / psi))
    out = h.copy()
    out[ok] = mean[0] + lam[0] * score
    sd = np.sqrt(psi)
    info = {
        "ankle_ratio": float(lam[1] / lam[0]),
        "body_ratio": float(lam[2] / lam[0]),
        "heel_sd": float(sd[0]),
        "ankle_sd": float(sd[1]),
        "body_sd": float(sd[2]),
        "scale_rel_se": 0.0
        if block_frames is None
        else one_factor_scale_rel_se(x[fit], block_frames),
    }
    return out, info


def foot_heel_height_px(
    track: PoseTrack,
    floor: FloorLine,
    side: str,
    *,
    cutoff_hz: float | None = HEEL_HEIGHT_CUTOFF_HZ,
) -> FloatArray:
    """(T,) heel height above its resting level, px, from the heel and ankle landmarks.

    ``heel_height_px`` combined with the ankle's height by
    ``rigid_foot_heel_height`` (the heel alone when the foot does not move
    rigidly), then low-passed at ``cutoff_hz`` (zero-phase, per NaN-free
    stretch; None: not filtered). For recorded video; use on a conditioned
    track.
    """
    heel = heel_height_px(track, floor, side)
    ankle = height_above_floor(track.xy(side_landmark(side, "ankle")), floor)
    est, _ = rigid_foot_heel_height(heel, ankle)
    if cutoff_hz is None or len(est) == 0:
        return est
    from formcheck.signals import butterworth_zero_phase

    return butterworth_zero_phase(
        est, 1.0, cutoff_hz, times_s=np.asarray(track.timestamps_s, dtype=np.float64)
    )


# ------------------------------------------------------------------ floor
def _unit(v: npt.ArrayLike) -> FloatArray:
    a = np.asarray(v, dtype=np.float64)
    n = float(np.linalg.norm(a))
    if not np.isfinite(n) or n == 0:
        raise ValueError("up must be a finite non-zero 2D vector")
    return a / n


def standing_frames(track: PoseTrack) -> npt.NDArray[np.bool_]:
    """(T,) True where both knees and hips are within ``STANDING_MAX_DEG`` of straight."""
    ok = np.ones(len(track), dtype=bool)
    for side in ("left", "right"):
        a = compute_angles(track, side, names=["knee_flexion", "hip_flexion"], facing="right")
        with np.errstate(invalid="ignore"):
            ok &= (np.abs(a["knee_flexion"]) < STANDING_MAX_DEG) & (
                np.abs(a["hip_flexion"]) < STANDING_MAX_DEG
            )
    return ok


def estimate_up(track: PoseTrack, *, min_frames: int = 10) -> FloatArray | None:
    """Floor normal from the body axis (mid-ankles to mid-shoulders) in standing frames.

    A standing body's ankle-to-shoulder line is vertical within ~2-3 deg
    (postural sway and the ankle lying slightly behind the line of gravity),
    so this is only worth using when the camera is rolled by more than that;
    ``estimate_floor`` switches to it above 5 deg. None with too few frames.
    """
    px = track.pixels.astype(np.float64)
    st = standing_frames(track)
    ank = 0.5 * (px[:, Landmark.LEFT_ANKLE] + px[:, Landmark.RIGHT_ANKLE])
    sh = 0.5 * (px[:, Landmark.LEFT_SHOULDER] + px[:, Landmark.RIGHT_SHOULDER])
    v = sh - ank
    ok = st & np.isfinite(v).all(axis=1)
    if ok.sum() < min_frames:
        return None
    u = v[ok] / np.linalg.norm(v[ok], axis=1, keepdims=True)
    m = np.median(u, axis=0)
    return _unit(m)


BODY_AXIS_MIN_TILT_DEG = 5.0


CAMERA_PITCH_MIN_FRAMES = 10
"""Fewest standing frames with 3D landmarks for ``estimate_camera_pitch``."""

STANDING_STILL_MIN_S = 0.5
"""Seconds. Only stretches of standing at least this long count for the
camera pitch and the eye-level scale: a body passing through straight knees
and hips on its way into a lunge leans forward (5 degrees of apparent pitch
and a 5% scale error on synthetic knee-to-wall clips); standing, it does
not."""


def _bend_deg(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """(T,) how far the 3D chain a-b-c is from straight at b, degrees (NaN if unseen)."""
    u, v = a - b, c - b
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    return np.asarray(180.0 - np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


PITCH_MAX_KNEE_BEND_3D_DEG = 30.0
"""Degrees. Largest 3D knee or hip bend (either side) of a frame used for the
camera pitch: a front view shows no knee or hip bend in the picture, so a
lunge, a raised knee or a forward lean would pass the picture's straight-leg
test; straight joints read up to ~20 through the world landmarks' depth
noise (judgement)."""


def knee_bend_3d_deg(world: FloatArray, side: str) -> FloatArray:
    """(T,) how far one knee is from straight in 3D, degrees, from (T, 33, 3) world landmarks."""
    hip, knee, ank = (world[:, int(side_landmark(side, p))] for p in ("hip", "knee", "ankle"))
    return _bend_deg(hip, knee, ank)


def _knees_straight_in_3d(world: FloatArray) -> npt.NDArray[np.bool_]:
    """(T,) both knees and hips within ``PITCH_MAX_KNEE_BEND_3D_DEG`` of straight, in 3D."""
    ok = np.ones(world.shape[0], dtype=bool)
    for s in ("left", "right"):
        sh, hip, knee = (world[:, int(side_landmark(s, p))] for p in ("shoulder", "hip", "knee"))
        with np.errstate(invalid="ignore"):
            ok &= knee_bend_3d_deg(world, s) < PITCH_MAX_KNEE_BEND_3D_DEG
            ok &= _bend_deg(sh, hip, knee) < PITCH_MAX_KNEE_BEND_3D_DEG
    return ok


def _still_runs(mask: npt.NDArray[np.bool_], times_s: FloatArray) -> npt.NDArray[np.bool_]:
    """``mask`` keeping only its runs of True lasting at least ``STANDING_STILL_MIN_S``."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    d = np.diff(m.astype(np.int8))
    out = np.zeros(len(mask), dtype=bool)
    for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True):
        if times_s[b - 1] - times_s[a] >= STANDING_STILL_MIN_S:
            out[a:b] = True
    return out


def estimate_camera_pitch(track: PoseTrack) -> float | None:
    """How far the camera looks down (+) or up (-) at the person, degrees.

    MediaPipe's 3D world landmarks are in metres about the hips, with axes
    along the camera's (x right, y down, z away from the lens), so a standing
    body's ankle-to-shoulder line, vertical in the room, leans toward the
    lens by the camera's pitch: ``atan2(-z, -y)`` of that line. Median over
    the frames of standing still (knees and hips straight in the picture and
    the knees in 3D, ``PITCH_MAX_KNEE_BEND_3D_DEG``, for at least
    ``STANDING_STILL_MIN_S``) with the nose, shoulders and ankles inside
    the picture (the model guesses parts it cannot see); a body's own lean
    (2-3 degrees standing still) adds to it. None without
    world landmarks or with fewer than ``CAMERA_PITCH_MIN_FRAMES`` such
    frames.
    """
    w = np.asarray(track.world, dtype=np.float64)
    if len(track) == 0 or not np.isfinite(w).any():
        return None
    parts = [Landmark.NOSE, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]
    parts += [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]
    xy = np.asarray(track.landmarks, dtype=np.float64)[:, [int(p) for p in parts], :2]
    with np.errstate(invalid="ignore"):
        inside = ((xy > 0.0) & (xy < 1.0)).all(axis=(1, 2))
    st = standing_frames(track) & _knees_straight_in_3d(w) & inside
    st = _still_runs(st, np.asarray(track.timestamps_s, dtype=np.float64))
    ank = 0.5 * (w[:, Landmark.LEFT_ANKLE] + w[:, Landmark.RIGHT_ANKLE])
    sh = 0.5 * (w[:, Landmark.LEFT_SHOULDER] + w[:, Landmark.RIGHT_SHOULDER])
    v = sh - ank
    ok = st & np.isfinite(v).all(axis=1) & (np.linalg.norm(v, axis=1) > 0)
    if ok.sum() < CAMERA_PITCH_MIN_FRAMES:
        return None
    return float(np.degrees(np.median(np.arctan2(-v[ok, 2], -v[ok, 1]))))


REST_BAND_FRAC = 0.01
"""Width of the resting band of a foot landmark, fraction of stature (1.75 cm
for 175 cm): wider than filtered landmark jitter, narrower than a heel rise."""


REST_MIN_SHARE = 0.2
"""A band of foot heights counts as a resting level when it holds at least this
share of the densest band's frames (and ``REST_MIN_FRAMES``). Judgement: a
balance drill's free foot can be held up three times as long as it stands
(the densest band is then the lifted foot), and jitter below the floor never
piles up to a fifth of a resting level."""

REST_MIN_FRAMES = 10
"""Fewest frames in a resting band (a third of a second at 30 fps)."""


def _rest_cluster(h: FloatArray, width: float) -> npt.NDArray[np.bool_]:
    """Mask of the lowest dense band of ``width`` in heights ``h`` (larger = higher).

    A foot landmark at rest sits still, so its heights pile up at its resting
    level, and the floor is the lowest level a foot rests at: of the bands
    holding at least ``REST_MIN_SHARE`` of the densest band's frames (and
    ``REST_MIN_FRAMES``), the lowest. A foot held up longer than it stands
    (a single-leg balance's free foot, a toe walk's heel) piles up higher
    and is not taken for the floor. Unlike a low percentile this is not
    pulled down by jitter.
    """
    srt = np.sort(h)
    if srt.size == 0:
        return np.ones(h.shape, dtype=bool)
    counts = np.searchsorted(srt, srt + width, side="right") - np.arange(srt.size)
    need = max(REST_MIN_SHARE * float(counts.max()), float(min(REST_MIN_FRAMES, counts.max())))
    dense = np.flatnonzero(counts >= need)
    # the lowest dense band: from its first qualifying start, the densest start within a width
    first = int(dense[0])
    near = dense[srt[dense] <= srt[first] + width]
    i = int(near[np.argmax(counts[near])])
    lo, hi = srt[i], srt[i] + width
    return np.asarray((h >= lo) & (h <= hi))


def estimate_floor(
    track: PoseTrack, *, side: str | None = None, up: npt.ArrayLike | None = None
) -> FloorLine:
    """Floor line from the feet at rest.

    The normal is ``up`` if given; otherwise the standing body axis when it
    shows the camera rolled by more than 5 deg, else image up. Each foot
    landmark's resting level is the median of the lowest dense 1%-of-stature
    band of its heights (``_rest_cluster``): a resting foot sits still, so its
    heights pile up there, and a foot held up piles up higher. The line passes through the mean
    resting position of the heel landmarks of ``side`` (or both feet).
    """
    method = "given"
    if up is not None:
        normal = _unit(up)
    else:
        body = estimate_up(track)
        normal = np.array([0.0, -1.0])
        method = "image-up"
        if body is not None:
            tilt = np.degrees(np.arccos(np.clip(body @ normal, -1.0, 1.0)))
            if tilt > BODY_AXIS_MIN_TILT_DEG:
                normal, method = body, "body-axis"
    px = track.pixels.astype(np.float64)
    sides = ("left", "right") if side is None else (side,)
    legs = _leg_px(track)
    span = float(np.nanmedian(legs)) / LEG_SPAN_FRAC if np.isfinite(legs).any() else track.height
    rest_pos: dict[str, FloatArray] = {}
    for s in ("left", "right"):
        for part in ("heel", "foot_index"):
            p = px[:, int(side_landmark(s, part))]
            ok = np.isfinite(p).all(axis=1)
            if ok.sum() == 0:
                continue
            h = p[ok] @ normal
            near = _rest_cluster(h, width=REST_BAND_FRAC * span)
            rest_pos[f"{s}_{part}"] = np.median(p[ok][near], axis=0)
    heels = [rest_pos[f"{s}_heel"] for s in sides if f"{s}_heel" in rest_pos]
    if not heels:
        heels = list(rest_pos.values())
    if not heels:
        # nobody's feet: a floor at the bottom of the picture, flagged by method
        point = np.array([track.width / 2.0, float(track.height)])
        return FloorLine(point=point, normal=normal, rest_px={}, method=method + ",no-feet")
    point = np.mean(heels, axis=0)
    rest = {k: float((v - point) @ normal) for k, v in rest_pos.items()}
    return FloorLine(point=point, normal=normal, rest_px=rest, method=method)


# --------------------------------------------------------------- calibration
def _spread_pct(values: FloatArray, duration_s: float) -> float:
    """Standard error of the median of ``values`` in percent of it."""
    if values.size < 2:
        return 5.0
    med = float(np.median(values))
    mad_sd = robust_sd(values, med)
    n_eff = max(1.0, min(values.size, duration_s * INDEPENDENT_FRAMES_PER_S))
    return 100.0 * 1.2533 * mad_sd / np.sqrt(n_eff) / med


def _stature_px(track: PoseTrack, floor: FloorLine) -> FloatArray:
    """(T,) eye-level height above the floor line / EYE_SPAN_FRAC, px (NaN if unseen)."""
    px = track.pixels.astype(np.float64)
    eyes = 0.5 * (px[:, Landmark.LEFT_EYE] + px[:, Landmark.RIGHT_EYE])
    return np.asarray(height_above_floor(eyes, floor) / EYE_SPAN_FRAC)


def leg_chains_px(track: PoseTrack) -> FloatArray:
    """(T, 2) left and right hip-knee-ankle chain lengths, px (NaN: not usable).

    A chain's length (thigh plus shank, not hip to ankle) does not change as
    the knee bends in the picture's plane. The mean of the two legs puts the
    scale in the body's plane: side-on the near leg looks ~2% longer and the
    far one shorter (the longer of the two read the scale 2.3% low with
    perfect landmarks, 4% with realistic noise, on synthetic knee-to-wall
    clips; the mean 0.1% and 1.3%). One leg alone where only one is seen.

    A leg inclined toward or away from the camera shows shorter (filmed
    oblique, a split stance's back leg reaches back along the depth axis:
    10% short on synthetic knee-to-wall clips, which read the scale 2-5% off
    whenever noise let the far leg count). The world landmarks' axes are the
    camera's, so each segment's share in the picture's plane is the length of
    its x-y part over its 3D length; the chain is divided by that share, and
    a frame whose leg leans more than ``LEG_MAX_DEPTH_LEAN_DEG`` out of the
    plane does not count for that leg. Frames without world landmarks keep
    the picture's length.
    """
    px = track.pixels.astype(np.float64)
    world = np.asarray(track.world, dtype=np.float64)
    min_share = np.cos(np.radians(LEG_MAX_DEPTH_LEAN_DEG))
    out = []
    for s in ("left", "right"):
        idx = [int(side_landmark(s, p)) for p in ("hip", "knee", "ankle")]
        hip, knee, ank = (px[:, i] for i in idx)
        chain = np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ank - knee, axis=1)
        w_hip, w_knee, w_ank = (world[:, i] for i in idx)
        seg = (w_knee - w_hip, w_ank - w_knee)
        full = sum(np.linalg.norm(v, axis=1) for v in seg)
        in_plane = sum(np.linalg.norm(v[:, :2], axis=1) for v in seg)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = in_plane / full
            corrected = np.where(share >= min_share, chain / share, np.nan)
        out.append(np.where(np.isfinite(share), corrected, chain))
    return np.stack(out, axis=1)


def _leg_px(track: PoseTrack) -> FloatArray:
    """(T,) mean of the two legs' chain lengths (``leg_chains_px``) seen in each frame, px."""
    stack = leg_chains_px(track)
    res = np.full(len(track), np.nan)
    ok = np.isfinite(stack).any(axis=1)
    res[ok] = np.nanmean(stack[ok], axis=1)
    return res


def from_height(
    track: PoseTrack, height_cm: float, *, floor: FloorLine | None = None
) -> Calibration:
    """Scale from the person's stature (see module doc for the correction).

    Raises:
        ValueError: a height outside 50-250 cm (the message says what was given).
    """
    if not (50.0 <= float(height_cm) <= 250.0):
        raise ValueError(f"height must be between 50 and 250 cm, got {height_cm}")
    fl = floor or estimate_floor(track)
    stature = _stature_px(track, fl)
    heels_down = np.ones(len(track), dtype=bool)
    scale_guess = np.nanmedian(stature) if np.isfinite(stature).any() else np.nan
    for s in ("left", "right"):
        hh = heel_height_px(track, fl, s)
        with np.errstate(invalid="ignore"):
            heels_down &= ~(np.abs(hh) > 0.01 * scale_guess)  # within ~1.75 cm of rest
    use = standing_frames(track) & heels_down & np.isfinite(stature) & (stature > 0)
    world = np.asarray(track.world, dtype=np.float64)
    if np.isfinite(world).any():  # a bend toward the camera does not show in the picture
        use &= _knees_straight_in_3d(world)
    use = _still_runs(use, np.asarray(track.timestamps_s, dtype=np.float64))
    if use.sum() >= 3:
        vals = stature[use]
        spread = _spread_pct(vals, use.sum() / track.fps)
        unc = float(np.hypot(HEIGHT_MODEL_ERROR_PCT, spread))
        cm = float(height_cm) / float(np.median(vals))
        return Calibration(
            "height",
            cm,
            unc,
            f"from your height ({height_cm:.0f} cm): eye level above the floor in "
            f"{int(use.sum())} standing frames, taken as {EYE_SPAN_FRAC:.3f} of height",
        )
    chains = leg_chains_px(track)
    if np.isfinite(chains).sum() >= 3:
        vals = chains[np.isfinite(chains)]
        # each leg's least foreshortened, straightest frames, then the legs' mean
        # (the body's plane: the near leg alone reads it ~2-3% large)
        tops = [np.percentile(c[np.isfinite(c)], 90) for c in chains.T if np.isfinite(c).sum() >= 3]
        top = float(np.mean(tops)) if tops else float(np.percentile(vals, 90))
        cm = float(height_cm) * LEG_SPAN_FRAC / top
        return Calibration(
            "height+legs",
            cm,
            float(np.hypot(LEG_MODEL_ERROR_PCT, _spread_pct(vals[vals >= top * 0.97], 1.0))),
            f"from your height ({height_cm:.0f} cm) via your leg length "
            + _no_eye_scale_reason(track),
        )
    raise_no_body(track)
    raise AssertionError("unreachable")


HEAD_SEEN_MIN_FRACTION = 0.5
"""Share of frames (0..1) with both eyes found above which the head counts as
in view for ``_no_eye_scale_reason`` (judgement: most of the clip)."""


def _no_eye_scale_reason(track: PoseTrack) -> str:
    """Why ``from_height`` could not use the eye level, in brackets, and what helps.

    Side-on the far leg is usually hidden behind the near one (its landmarks
    are dropped for low visibility), so no frame shows *both* legs straight
    even when the person stands tall in full view: telling them to get their
    head in the picture would be wrong advice (render audit, docs/ACCURACY.md).
    """
    px = track.pixels.astype(np.float64)
    eyes = np.isfinite(px[:, [int(Landmark.LEFT_EYE), int(Landmark.RIGHT_EYE)]]).all(axis=(1, 2))
    if len(track) and float(eyes.mean()) >= HEAD_SEEN_MIN_FRACTION:
        legs = [
            np.isfinite(px[:, [int(side_landmark(s, p)) for p in ("hip", "knee", "ankle")]]).all(
                axis=(1, 2)
            )
            for s in ("left", "right")
        ]
        if float((legs[0] & legs[1]).mean()) < HEAD_SEEN_MIN_FRACTION:
            return (
                "(one leg was hidden behind the other most of the time, as it is side-on, so "
                "no moment of standing still showed both legs straight): about +-5% instead "
                "of +-1.5% from eye level"
            )
        return (
            "(no half second of standing still with knees straight and heels down): stand "
            "still for a moment before you start for a better scale"
        )
    return (
        "(no standing frame with the head in view): stand tall for a moment with your head "
        "in the picture for a better scale"
    )


def raise_no_body(track: PoseTrack) -> None:
    """Raise the AnalysisError used when no body is visible for calibration."""
    from formcheck.errors import AnalysisError

    raise AnalysisError(
        f"cannot size the picture in {track.source or 'this video'}: no frame shows your legs "
        "or your whole body; step back so your whole body is in the picture"
    )


def from_foot_length(
    track: PoseTrack, foot_cm: float, side: str, *, floor: FloorLine | None = None
) -> Calibration:
    """Scale from a known foot length (heel to tip of the longest toe, cm)."""
    if not (10.0 <= float(foot_cm) <= 40.0):
        raise ValueError(f"foot length must be between 10 and 40 cm, got {foot_cm}")
    heel = track.xy(side_landmark(side, "heel")).astype(np.float64)
    toe = track.xy(side_landmark(side, "foot_index")).astype(np.float64)
    length = np.linalg.norm(toe - heel, axis=1)
    fl = floor or estimate_floor(track, side=side)
    hh = heel_height_px(track, fl, side)
    with np.errstate(invalid="ignore"):
        flat = np.isfinite(length) & (np.abs(hh) < 0.1 * length)
    if flat.sum() < 3:
        flat = np.isfinite(length)
    if flat.sum() == 0:
        raise_no_body(track)
    vals = length[flat]
    ref = float(np.percentile(vals, 75))
    cm = float(foot_cm) * FOOT_LANDMARK_RATIO / ref
    spread = _spread_pct(vals, flat.sum() / track.fps)
    return Calibration(
        "foot_length",
        cm,
        float(np.hypot(FOOT_MODEL_ERROR_PCT, spread)),
        f"from your {side} foot length ({foot_cm:.1f} cm) in {int(flat.sum())} frames "
        "with the foot flat",
    )


def from_aruco(
    image_rgb: npt.NDArray[np.uint8], marker_size_cm: float, *, marker_id: int | None = None
) -> Calibration:
    """Scale from a printed ArUco marker (side ``marker_size_cm``) in an RGB image.

    The marker should lie in the plane you measure in (e.g. taped to the wall
    beside you, facing the camera). The uncertainty grows with the marker's
    perspective distortion (unequal sides) and with a small marker (corner
    error of ~0.5 px per side).

    Raises:
        AnalysisError: no marker found (the message says how to fix it).
    """
    from formcheck.aruco import detect_markers  # cv2 stays out of the numpy-only path

    if marker_size_cm <= 0:
        raise ValueError(f"marker size must be positive, got {marker_size_cm}")
    markers = detect_markers(image_rgb)
    if marker_id is not None:
        markers = [m for m in markers if m.marker_id == marker_id]
    if not markers:
        from formcheck.errors import AnalysisError

        raise AnalysisError(
            "no ArUco marker found: print the marker flat (no glare), make it at least "
            "1/20 of the picture wide, and keep it fully in view"
        )
    m = max(markers, key=lambda mk: mk.mean_side_px)
    sides = m.side_lengths_px
    distortion_pct = 100.0 * float(np.std(sides) / np.mean(sides))
    corner_pct = 100.0 * 0.5 / float(np.mean(sides))
    return Calibration(
        "aruco",
        float(marker_size_cm) / m.mean_side_px,
        float(np.hypot(distortion_pct, corner_pct)),
        f"from ArUco marker {m.marker_id} ({marker_size_cm:.1f} cm, {m.mean_side_px:.0f} px "
        "per side), valid in the marker's plane",
    )


def assumed(track: PoseTrack) -> Calibration:
    """Scale from a population-average adult height (no user input; +-6%)."""
    cal = from_height(track, ASSUMED_HEIGHT_CM)
    return Calibration(
        "assumed",
        cal.cm_per_px,
        float(np.hypot(ASSUMED_HEIGHT_SD_PCT, cal.uncertainty_pct)),
        f"assumed an average adult height of {ASSUMED_HEIGHT_CM:.0f} cm (no height given); "
        "enter your height for centimetre values within about 2%",
    )
