"""Landmark conditioning: from raw MediaPipe landmarks to signals worth measuring.

Pipeline of ``condition_track`` (recorded video, ``live=False``):

1. **Left/right swap repair** (``continuity_swaps``): the leg landmarks of
   both sides exchanging places between frames are relabelled back, choosing
   for the whole clip the labelling under which the legs move least from
   frame to frame. It runs on all positions, before the threshold: a
   low-visibility far leg still tells which leg is which.
2. **Visibility threshold.** A landmark whose ``visibility`` is below
   ``min_visibility`` (or that is NaN) becomes NaN. ``reliable`` records which
   samples survived.
3. **Gap interpolation** (``interpolate_gaps``): gaps up to ``max_gap_s`` long
   are filled linearly in time; longer gaps (and gaps at either end) stay NaN.
4. **Zero-phase low-pass** (``butterworth_zero_phase``): a Butterworth filter
   run forwards and backwards (no lag) on each NaN-free stretch separately.

For live use (``live=True``) steps 3 and 4 need the future, so they are
replaced by a causal One-Euro filter (``OneEuroFilter``); swap repair compares
each frame with a running median of the past (``repair_swaps``, causal).

Non-uniform timestamps (phone variable-frame-rate video): gap lengths are
measured in seconds from ``timestamps_s``, interpolation is linear in time, and
the Butterworth filter, which assumes uniform sampling, is run on each stretch
resampled to a uniform grid at the stretch's median frame interval and then
read back at the original frame times. When the frame intervals of a stretch
are uniform to within 5% the stretch is filtered directly (no resampling).

All functions here are NumPy/SciPy only (no cv2) and keep NaN rows, so row
``i`` stays video frame ``i``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import signal as sps

from formcheck.landmarks import NUM_LANDMARKS, Landmark, side_landmark
from formcheck.track import PoseTrack

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

LEG_PARTS = ("hip", "knee", "ankle", "heel", "foot_index")
"""Leg landmarks that a side-view swap exchanges (hip to toe)."""

_SWAP_PARTS = ("knee", "ankle", "heel", "foot_index")
"""Leg landmarks used to *decide* a swap (the hips almost coincide in side view)."""


@dataclass(frozen=True)
class ConditioningConfig:
    """Settings of ``condition_track``.

    Attributes:
        min_visibility: landmarks with MediaPipe visibility below this (0..1)
            become NaN. 0.5 is MediaPipe's own drawing threshold
            (``drawing_utils._VISIBILITY_THRESHOLD``).
        max_gap_s: gaps up to this long (seconds) are interpolated linearly;
            longer ones stay NaN. 0.25 s is under half of the fastest drill
            movement phase we measure (a calf-raise rise of ~0.5-1 s), so a
            filled gap cannot hide a turning point.
        cutoff_hz: Butterworth low-pass cut-off (Hz). 6 Hz is the standard
            cut-off for gait and lower-limb kinematics (Winter, Biomechanics
            and Motor Control of Human Movement, 4th ed. 2009, ch. 2); the
            drills' movements are slower than running.
        order: Butterworth order per pass (the zero-phase result has twice the
            attenuation slope).
        repair_swaps: relabel left/right leg swaps.
        swap_ratio: live only (``repair_swaps``): a frame is a swap when the
            swapped labelling fits the recent past at least this many times
            better than the kept one (a ratio, so it is independent of body
            size and resolution). Recorded video uses ``continuity_swaps``.
        one_euro_min_cutoff_hz: One-Euro minimum cut-off (live), Hz.
        one_euro_beta: One-Euro speed coefficient per (normalised image unit
            per second); with 5, a foot moving at 0.5 frame-heights per second
            raises the cut-off from 1 Hz to 3.5 Hz.
        one_euro_d_cutoff_hz: One-Euro cut-off of the speed estimate, Hz.
    """

    min_visibility: float = 0.5
    max_gap_s: float = 0.25
    cutoff_hz: float = 6.0
    order: int = 4
    repair_swaps: bool = True
    swap_ratio: float = 2.0
    one_euro_min_cutoff_hz: float = 1.0
    one_euro_beta: float = 5.0
    one_euro_d_cutoff_hz: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_visibility <= 1.0:
            raise ValueError(f"min_visibility must be in [0, 1], got {self.min_visibility}")
        if self.max_gap_s < 0:
            raise ValueError(f"max_gap_s must be >= 0, got {self.max_gap_s}")
        if self.cutoff_hz <= 0:
            raise ValueError(f"cutoff_hz must be > 0, got {self.cutoff_hz}")
        if self.order < 1:
            raise ValueError(f"order must be >= 1, got {self.order}")
        if self.swap_ratio <= 1.0:
            raise ValueError(f"swap_ratio must be > 1, got {self.swap_ratio}")


@dataclass(frozen=True, eq=False)
class Conditioned:
    """Result of ``condition_track``.

    Attributes:
        track: cleaned track (same timestamps and shape as the input; landmarks
            NaN where unreliable and not interpolated).
        reliable: (T, 33) bool, True where the landmark was seen with
            visibility >= threshold in that frame (not interpolated, not NaN).
        interpolated: (T, 33) bool, True where a gap was filled.
        swapped: (T,) bool, True where the left/right leg labels were
            exchanged back by the swap repair.
        config: the settings used.
    """

    track: PoseTrack
    reliable: BoolArray
    interpolated: BoolArray
    swapped: BoolArray
    config: ConditioningConfig = field(default_factory=ConditioningConfig)

    def reliable_fraction(self, landmarks: list[Landmark] | tuple[Landmark, ...]) -> FloatArray:
        """(T,) fraction (0..1) of the given landmarks that are reliable in each frame."""
        idx = [int(m) for m in landmarks]
        return self.reliable[:, idx].mean(axis=1).astype(np.float64)

    def all_reliable(self, landmarks: list[Landmark] | tuple[Landmark, ...]) -> BoolArray:
        """(T,) True where every one of ``landmarks`` is reliable."""
        idx = [int(m) for m in landmarks]
        return np.asarray(self.reliable[:, idx].all(axis=1))


# --------------------------------------------------------------------- stretches
def nan_free_runs(valid: BoolArray) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of the runs of True in a (T,) bool array (stop exclusive)."""
    v = np.asarray(valid, dtype=bool)
    if v.size == 0:
        return []
    d = np.diff(np.concatenate(([0], v.astype(np.int8), [0])))
    starts = np.flatnonzero(d == 1)
    stops = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


MAD_TO_SD = 1.4826
"""Standard deviations per median absolute deviation, for normally distributed values."""


def robust_sd(x: npt.ArrayLike, centre: float | None = None) -> float:
    """Robust standard deviation of ``x`` (its unit): ``MAD_TO_SD`` x median |x - centre|.

    ``centre`` is the median of ``x`` unless given (0.0 for differences whose
    expected value is zero, a known level otherwise). A few outliers (a
    swapped label, a misplaced foot, a step among heel raises) barely move
    it. ``x`` must be finite and non-empty (NaN otherwise).
    """
    a = np.asarray(x, dtype=np.float64)
    c = float(np.median(a)) if centre is None else centre
    return MAD_TO_SD * float(np.median(np.abs(a - c)))


# -------------------------------------------------------------------- gap filling
def interpolate_gaps(
    x: npt.ArrayLike, times_s: npt.ArrayLike, max_gap_s: float
) -> tuple[FloatArray, BoolArray]:
    """Fill NaN gaps of at most ``max_gap_s`` seconds by linear interpolation in time.

    Args:
        x: (T,) or (T, ...) samples; each column is handled independently.
        times_s: (T,) strictly increasing sample times, seconds (may be non-uniform).
        max_gap_s: longest gap to fill, measured from the last sample before the
            gap to the first sample after it minus one frame interval, i.e. the
            duration of the missing stretch.

    Returns:
        (filled copy of x as float64, bool mask of the same shape, True where filled).
        Gaps at the start or end (no sample on one side) are never filled.
    """
    arr = np.array(x, dtype=np.float64, copy=True)
    t = np.asarray(times_s, dtype=np.float64)
    if arr.shape[0] != t.shape[0]:
        raise ValueError(f"x has {arr.shape[0]} samples but times_s has {t.shape[0]}")
    flat = arr.reshape(arr.shape[0], -1)
    filled = np.zeros(flat.shape, dtype=bool)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        good = np.isfinite(col)
        if good.all() or good.sum() < 2:
            continue
        gi = np.flatnonzero(good)
        # gaps lie between consecutive good samples that are not neighbours
        jumps = np.flatnonzero(np.diff(gi) > 1)
        for k in jumps:
            a, b = gi[k], gi[k + 1]
            # duration of the missing part: from the first missing frame's time
            # to the last missing frame's time plus one local frame interval
            gap_s = t[b] - t[a] - (t[b] - t[b - 1])
            if gap_s <= max_gap_s + 1e-9:
                seg = np.arange(a + 1, b)
                w = (t[seg] - t[a]) / (t[b] - t[a])
                col[seg] = col[a] + w * (col[b] - col[a])
                filled[seg, j] = True
    return arr, filled.reshape(arr.shape)


# ------------------------------------------------------------- zero-phase filter
def _filter_stretch(seg: FloatArray, t: FloatArray, sos: FloatArray, fs: float) -> FloatArray:
    """Zero-phase filter one NaN-free stretch (n, k) sampled at times t (n,)."""
    n = seg.shape[0]
    default_pad = 3 * (2 * sos.shape[0] + 1)  # scipy's default padlen for sosfiltfilt
    padlen = min(default_pad, n - 1)
    dt = np.diff(t)
    uniform = dt.size == 0 or (dt.max() - dt.min()) <= 0.05 * np.median(dt)
    if uniform:
        return np.asarray(sps.sosfiltfilt(sos, seg, axis=0, padtype="odd", padlen=padlen))
    # non-uniform: resample to a uniform grid, filter, read back at the frame times
    step = 1.0 / fs
    grid = np.arange(t[0], t[-1] + 0.5 * step, step)
    if grid.size < 2:
        return seg
    res = np.stack([np.interp(grid, t, seg[:, j]) for j in range(seg.shape[1])], axis=1)
    pad = min(default_pad, grid.size - 1)
    out = np.asarray(sps.sosfiltfilt(sos, res, axis=0, padtype="odd", padlen=pad))
    return np.stack([np.interp(t, grid, out[:, j]) for j in range(seg.shape[1])], axis=1)


MIN_FILTER_SAMPLES = 4
"""Stretches shorter than this are left unfiltered: with 3 or fewer samples the
odd-extension padding is the signal itself and filtering only invents values."""


def butterworth_zero_phase(
    x: npt.ArrayLike,
    fs_hz: float,
    cutoff_hz: float,
    order: int = 4,
    *,
    times_s: npt.ArrayLike | None = None,
) -> FloatArray:
    """Zero-phase Butterworth low-pass, applied per NaN-free stretch.

    Args:
        x: (T,) or (T, ...) samples; NaN marks missing samples, which stay NaN.
        fs_hz: sampling rate (Hz). With ``times_s`` given, the rate is taken per
            stretch from the median frame interval instead.
        cutoff_hz: -3 dB cut-off of *one* pass (Hz). If it is at or above 95% of
            the Nyquist frequency the data is returned unfiltered (nothing to cut).
        order: Butterworth order of one pass.
        times_s: optional (T,) sample times for non-uniform sampling (see module doc).

    Returns:
        float64 array of x's shape. Stretches shorter than scipy's padding are
        filtered with the padding shortened to the stretch length minus one;
        stretches shorter than ``MIN_FILTER_SAMPLES`` are returned as they are.
    """
    arr = np.array(x, dtype=np.float64, copy=True)
    shape = arr.shape
    flat = arr.reshape(shape[0], -1)
    t = (
        np.arange(shape[0], dtype=np.float64) / fs_hz
        if times_s is None
        else np.asarray(times_s, dtype=np.float64)
    )
    if t.shape[0] != shape[0]:
        raise ValueError(f"x has {shape[0]} samples but times_s has {t.shape[0]}")
    # columns with identical NaN pattern are filtered together
    valid = np.isfinite(flat)
    patterns: dict[bytes, list[int]] = {}
    for j in range(flat.shape[1]):
        patterns.setdefault(valid[:, j].tobytes(), []).append(j)
    for cols in patterns.values():
        for a, b in nan_free_runs(valid[:, cols[0]]):
            n = b - a
            if n < MIN_FILTER_SAMPLES:
                continue
            tt = t[a:b]
            fs = fs_hz if times_s is None else 1.0 / float(np.median(np.diff(tt)))
            if cutoff_hz >= 0.95 * fs / 2.0:
                continue
            sos = sps.butter(order, cutoff_hz, btype="low", fs=fs, output="sos")
            flat[a:b, cols] = _filter_stretch(flat[a:b, cols], tt, sos, fs)
    return flat.reshape(shape)


# ---------------------------------------------------------------- One-Euro (live)
class OneEuroFilter:
    """Causal One-Euro filter (Casiez, Roussel & Vogel, CHI 2012), vectorised.

    An adaptive low-pass: the cut-off rises with the signal's speed, so slow
    drifts are smoothed hard (little jitter) and fast moves follow with little
    lag. Works on arrays of any fixed shape (e.g. (33, 3) per frame); each
    element is filtered independently. A NaN input returns NaN for that element
    and resets its state, so the next valid sample starts afresh.

    Args:
        min_cutoff_hz: cut-off at zero speed (Hz).
        beta: cut-off increase per unit of speed (units of x per second).
        d_cutoff_hz: cut-off of the speed estimate (Hz).
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 5.0, d_cutoff_hz: float = 1.0):
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0 or beta < 0:
            raise ValueError("One-Euro cut-offs must be > 0 and beta >= 0")
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: FloatArray | None = None
        self._dx: FloatArray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: FloatArray | float, dt: float) -> FloatArray:
        tau = 1.0 / (2.0 * np.pi * np.asarray(cutoff_hz, dtype=np.float64))
        return np.asarray(1.0 / (1.0 + tau / dt))

    def reset(self) -> None:
        """Forget all state."""
        self._x = self._dx = None
        self._t = None

    def __call__(self, x: npt.ArrayLike, time_s: float) -> FloatArray:
        """Filter one sample taken at ``time_s`` (seconds, increasing); returns float64."""
        xv = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t is None or self._dx is None or self._x.shape != xv.shape:
            self._x = xv.copy()
            self._dx = np.zeros_like(xv)
            self._t = float(time_s)
            return xv.copy()
        dt = float(time_s) - self._t
        if dt <= 0:
            raise ValueError(f"One-Euro time must increase: {time_s} after {self._t}")
        self._t = float(time_s)
        prev = self._x
        fresh = ~np.isfinite(prev) & np.isfinite(xv)
        dx = np.where(np.isfinite(prev), (xv - prev) / dt, 0.0)
        a_d = self._alpha(self.d_cutoff_hz, dt)
        dx_hat = a_d * dx + (1.0 - a_d) * np.nan_to_num(self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = self._alpha(cutoff, dt)
        out = a * xv + (1.0 - a) * prev
        out = np.where(fresh, xv, out)
        dx_hat = np.where(fresh | ~np.isfinite(xv), 0.0, dx_hat)
        self._x = out
        self._dx = dx_hat
        return out.copy()


# ------------------------------------------------------------------- swap repair
IntArray = npt.NDArray[np.intp]


def _leg_indices(parts: tuple[str, ...]) -> tuple[IntArray, IntArray]:
    left = np.array([int(side_landmark("left", p)) for p in parts], dtype=np.intp)
    right = np.array([int(side_landmark("right", p)) for p in parts], dtype=np.intp)
    return left, right


def _swap_legs_inplace(arr: npt.NDArray[np.generic], frames: BoolArray) -> None:
    """Exchange left and right leg rows (hip to toe) of ``arr`` (T, 33, ...) in ``frames``."""
    li, ri = _leg_indices(LEG_PARTS)
    rows = np.flatnonzero(frames)
    tmp = arr[np.ix_(rows, li)].copy()
    arr[np.ix_(rows, li)] = arr[np.ix_(rows, ri)]
    arr[np.ix_(rows, ri)] = tmp


SWAP_REFERENCE_S = 1.5
"""Window of the running median each frame is compared with, seconds: several
times longer than a typical swap episode (0.1-0.5 s), so swapped frames stay a
minority inside it and the median follows the correctly labelled legs."""


def _running_median(x: FloatArray, half: int, causal: bool) -> FloatArray:
    """NaN-ignoring running median along axis 0 of (T, K) over +-half (or the past 2*half)."""
    n = x.shape[0]
    out = np.full_like(x, np.nan)
    for t in range(n):
        if causal:
            a, b = max(0, t - 2 * half), t + 1
        else:  # full-width window, shifted inwards at the ends of the clip
            a = min(max(0, t - half), max(0, n - (2 * half + 1)))
            b = min(n, a + 2 * half + 1)
        win = x[a:b]
        ok = np.isfinite(win)
        if ok.any():
            with np.errstate(all="ignore"):
                col = np.where(
                    ok.any(axis=0), np.nanmedian(np.where(ok, win, np.nan), axis=0), np.nan
                )
            out[t] = col
    return out


def _swap_input(
    landmarks_px: npt.ArrayLike, times_s: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray]:
    """(T, 33, 2) positions in pixels and (T,) times (30 fps when not given) for swap finding."""
    p = np.asarray(landmarks_px, dtype=np.float64)[:, :, :2]
    n = p.shape[0]
    t = np.arange(n) / 30.0 if times_s is None else np.asarray(times_s, dtype=np.float64)
    return p, t


def repair_swaps(
    landmarks_px: npt.ArrayLike,
    *,
    ratio: float = 2.0,
    causal: bool = False,
    times_s: npt.ArrayLike | None = None,
) -> BoolArray:
    """Find frames whose left and right leg labels are exchanged.

    A label swap (MediaPipe's classic side-view failure) shows as both legs'
    landmarks jumping to where the *other* leg is. Each frame's knee, ankle,
    heel and toe landmarks are compared with a running median of the track
    (``SWAP_REFERENCE_S`` wide, centred; the past only when ``causal``): the
    mean distance to the reference with the labels kept (``d_keep``) and
    exchanged (``d_swap``). The frame is swapped when ``d_keep > ratio *
    d_swap``. Legs lying on top of each other give ``d_keep ~ d_swap`` and are
    never swapped (nor does it matter there); every frame is decided on its
    own, so one wrong decision cannot propagate along the clip.

    Args:
        landmarks_px: (T, 33, 2+) landmark positions in pixels (NaN allowed).
        ratio: > 1; how much better the swapped labelling must fit.
        causal: only look backwards (live use).
        times_s: (T,) frame times for the window length (default 30 fps).

    Returns:
        (T,) bool, True where the frame's leg labels must be exchanged.
    """
    p, t = _swap_input(landmarks_px, times_s)
    n = p.shape[0]
    if n < 3:
        return np.zeros(n, dtype=bool)
    dt = float(np.median(np.diff(t)))
    half = max(1, round(SWAP_REFERENCE_S / 2 / dt))
    li, ri = _leg_indices(_SWAP_PARTS)
    legs_l = p[:, li].reshape(n, -1)
    legs_r = p[:, ri].reshape(n, -1)
    ref_l = _running_median(legs_l, half, causal).reshape(n, -1, 2)
    ref_r = _running_median(legs_r, half, causal).reshape(n, -1, 2)
    cur_l = legs_l.reshape(n, -1, 2)
    cur_r = legs_r.reshape(n, -1, 2)

    def dist(a: FloatArray, b: FloatArray) -> FloatArray:
        return np.asarray(np.linalg.norm(a - b, axis=2))

    with np.errstate(all="ignore"):
        keep = dist(cur_l, ref_l) + dist(cur_r, ref_r)
        swap = dist(cur_l, ref_r) + dist(cur_r, ref_l)
        ok = np.isfinite(keep) & np.isfinite(swap)
        d_keep = np.where(ok, keep, 0.0).sum(axis=1)
        d_swap = np.where(ok, swap, 0.0).sum(axis=1)
    enough = ok.sum(axis=1) >= 2
    return np.asarray(enough & (d_keep > ratio * d_swap))


SWAP_SWITCH_COST = 0.5
"""Cost of changing the labelling between two frames, as a multiple of the
track's median frame-to-frame movement of the decision landmarks (summed over
them, px). A change is taken only where keeping the labels would make the legs
jump by more than this (a real swap makes both legs jump to the other leg's
place at its start and end); landmark jitter alone (which is what the median
movement of a mostly still drill measures) cannot pay it. Measured on the
synthetic generator (docs/ACCURACY.md, "Swaps"): 0.5 finds every swapped frame
at realistic noise in side, oblique, front and back views for calf raises,
balance, knee-to-wall, walks and hops; 1.5 already misses the small side-view
swaps of a double-leg calf raise."""

SWAP_STATE_COST = 0.01
"""Cost per frame of the exchanged labelling, same unit: breaks the tie the
continuity alone leaves (exchanging the labels of every frame fits equally
well), so stretches without evidence keep MediaPipe's labels."""

SWAP_MEMORY_S = 0.5
"""After a stretch this long with no leg landmark (the person out of the
picture), the continuity starts afresh: positions before it say nothing about
the labels after it."""


SWAP_SIDE_COST = 0.2
"""Cost per frame of a labelling that puts the hips in the other order from
the shoulders, same unit as ``SWAP_STATE_COST``, times the frame's
``hip_order_evidence`` (0-1). The pelvis is rigid, so facing the camera, away
or at an angle, the left hip is on the left shoulder's side; MediaPipe's own
labels had it so in every one of 5,500 frames with the hips apart, in renders
and real clips (its brief label flips came with the hips together). The
continuity alone, whose tie-break is 0.01 per frame, kept a front render's
labels exchanged for 9 s after the feet had come together and flipped."""

SIDE_SHOULDERS_MIN, SIDE_SHOULDERS_FULL = 0.2, 0.4
"""Shoulder width across the picture as a fraction of the torso's length
(shoulder midpoint to hip midpoint): at or under the first the view is
side-on and the shoulders' order is noise; at or over the second, full weight
(facing the camera the ratio is about 0.7-0.9)."""

SIDE_HIPS_MIN, SIDE_HIPS_FULL = 0.1, 0.25
"""Hip width across the picture, same fraction (facing the camera about
0.5): hips closer than the first say nothing (side-on, or the labels
flickering), over the second, full weight."""


def _ramp(x: FloatArray, lo: float, hi: float) -> FloatArray:
    """0 at or under ``lo``, 1 at or over ``hi``, linear between (NaN -> 0)."""
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(np.clip((x - lo) / (hi - lo), 0.0, 1.0), nan=0.0)


def hip_order_evidence(landmarks_px: npt.ArrayLike) -> tuple[FloatArray, BoolArray]:
    """Per frame: how far the hips' order tells the leg labels, and whether it says "exchanged".

    Args:
        landmarks_px: (T, 33, 2+) landmark positions in pixels (NaN allowed).

    Returns:
        weight: (T,) 0-1, the product of the shoulder-width and hip-width
            ramps (``SIDE_SHOULDERS_*``, ``SIDE_HIPS_*``); 0 where a landmark
            is missing.
        exchanged: (T,) True where the labelled hips are in the other order
            across the picture from the shoulders.
    """
    sh, hp = _across_torso(landmarks_px)
    with np.errstate(invalid="ignore"):
        weight = _ramp(np.abs(sh), SIDE_SHOULDERS_MIN, SIDE_SHOULDERS_FULL) * _ramp(
            np.abs(hp), SIDE_HIPS_MIN, SIDE_HIPS_FULL
        )
        exchanged = np.sign(sh) * np.sign(hp) < 0
    return weight, exchanged


def _across_torso(landmarks_px: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(T,) left shoulder minus right, and left hip minus right, across the picture.

    As fractions of the torso's length (shoulder midpoint to hip midpoint);
    NaN where a landmark is missing.
    """
    x = np.asarray(landmarks_px, dtype=np.float64)[:, :, :2]
    sh = x[:, int(Landmark.LEFT_SHOULDER)] - x[:, int(Landmark.RIGHT_SHOULDER)]
    hp = x[:, int(Landmark.LEFT_HIP)] - x[:, int(Landmark.RIGHT_HIP)]
    sh_mid = 0.5 * (x[:, int(Landmark.LEFT_SHOULDER)] + x[:, int(Landmark.RIGHT_SHOULDER)])
    hip_mid = 0.5 * (x[:, int(Landmark.LEFT_HIP)] + x[:, int(Landmark.RIGHT_HIP)])
    with np.errstate(invalid="ignore", divide="ignore"):
        torso = np.linalg.norm(sh_mid - hip_mid, axis=1)
        return sh[:, 0] / torso, hp[:, 0] / torso


SWAP_VIS_COST = 0.05
"""Cost per frame of exchanging MediaPipe's labels where its visibilities say
which leg is nearer the camera, side-on: same unit as ``SWAP_STATE_COST``,
times ``near_leg_evidence`` (0-1). MediaPipe gives the leg it labels near the
higher visibility in every side-on frame of our renders (0.14-0.44 higher,
median per clip), including the frames where its labels are wrong, so this
is no evidence against its brief label flips (the continuity repairs those,
by their jumps); it breaks the continuity's long ties. Side-on, a render's
near foot lifting from beside the far one was labelled the far foot for 5
frames: the continuity then kept every later frame exchanged (249 frames
labelled against the render's truth, 5 with this cost; from the figure's
left, a heel walk 77 -> 18). Every other render, and the synthetic swaps
(whose visibilities are exchanged with the labels, as MediaPipe's), are
repaired as before from 0.01 to 0.1 (0.2 leaves 2 synthetic swapped frames
of a double-leg calf raise side-on); 0.05 is in the middle of that range."""

VIS_DIFF_MIN, VIS_DIFF_FULL = 0.1, 0.3
"""Visibility difference between the legs (mean of knee, ankle, heel and
toe): at or under the first it says nothing of which leg is nearer, at or
over the second, full weight (side-on renders: 0.14-0.44, median per clip;
front and back views mostly under 0.1)."""


def near_leg_evidence(visibility: npt.ArrayLike, landmarks_px: npt.ArrayLike) -> FloatArray:
    """(T,) 0-1: how surely MediaPipe's visibilities tell which leg is nearer the camera.

    The ramp of the two legs' visibility difference (``VIS_DIFF_MIN`` to
    ``VIS_DIFF_FULL``) times how side-on the frame is (1 at a shoulder width
    across the picture of ``SIDE_SHOULDERS_MIN`` of the torso's length or
    less, 0 at ``SIDE_SHOULDERS_FULL`` or more); 0 where unknown.

    Args:
        visibility: (T, 33) MediaPipe visibilities (NaN allowed).
        landmarks_px: (T, 33, 2+) landmark positions in pixels (NaN allowed).
    """
    v = np.asarray(visibility, dtype=np.float64)
    li, ri = _leg_indices(_SWAP_PARTS)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a frame without legs: NaN
        dv = np.nanmean(v[:, li], axis=1) - np.nanmean(v[:, ri], axis=1)
    width = np.abs(_across_torso(landmarks_px)[0])
    side_on = np.where(
        np.isfinite(width), 1.0 - _ramp(width, SIDE_SHOULDERS_MIN, SIDE_SHOULDERS_FULL), 0.0
    )
    return np.asarray(_ramp(np.abs(dv), VIS_DIFF_MIN, VIS_DIFF_FULL) * side_on)


def continuity_swaps(
    landmarks_px: npt.ArrayLike,
    *,
    times_s: npt.ArrayLike | None = None,
    switch_cost: float = SWAP_SWITCH_COST,
    visibility: npt.ArrayLike | None = None,
) -> BoolArray:
    """Frames whose left and right leg labels are exchanged, by continuity (recorded video).

    The labelling of each frame (kept or exchanged) is chosen so the legs'
    knee, ankle, heel and toe landmarks move as little as possible from frame
    to frame, over the whole clip at once (Viterbi, two states): the cost of a
    path is the summed movement of the eight landmarks between consecutive
    frames (px, each landmark compared with its last seen position), plus
    ``switch_cost`` times the median such movement per change of labelling,
    plus ``SWAP_STATE_COST`` times it per exchanged frame, plus
    ``SWAP_SIDE_COST`` times it, weighted by ``hip_order_evidence``, per frame
    whose labelling puts the hips in the other order from the shoulders
    (which the leg swap leaves alone), plus, with ``visibility``,
    ``SWAP_VIS_COST`` times it, weighted by ``near_leg_evidence``, per
    exchanged frame (side-on, MediaPipe's visibilities name the near leg).
    Unlike a comparison
    with a running average of positions, this is not fooled when both legs
    move together (a calf raise's ramp) or apart (a stride): only the jump a
    swap makes at its start and end counts.

    Args:
        landmarks_px: (T, 33, 2+) landmark positions in pixels (NaN allowed).
        times_s: (T,) frame times, for ``SWAP_MEMORY_S`` (default 30 fps).
        switch_cost: see ``SWAP_SWITCH_COST``.
        visibility: (T, 33) MediaPipe's visibilities, for ``SWAP_VIS_COST``;
            None: not used.

    Returns:
        (T,) bool, True where the frame's leg labels must be exchanged.
    """
    p, t = _swap_input(landmarks_px, times_s)
    n = p.shape[0]
    if n < 3:
        return np.zeros(n, dtype=bool)
    li, ri = _leg_indices(_SWAP_PARTS)
    legs = np.stack([p[:, li], p[:, ri]], axis=1)  # (T, 2 legs, K, 2)
    with np.errstate(invalid="ignore"):
        steps = np.nansum(np.linalg.norm(np.diff(legs, axis=0), axis=3), axis=(1, 2))
    moving = steps[steps > 0]
    scale = max(float(np.median(moving)) if moving.size else 0.0, 0.5)
    switch, state = switch_cost * scale, SWAP_STATE_COST * scale
    side_w, side_exchanged = hip_order_evidence(p)
    # per frame and labelling (kept, exchanged): the cost of its hips' order
    side = (
        SWAP_SIDE_COST
        * scale
        * side_w[:, None]
        * np.stack([side_exchanged, ~side_exchanged], axis=1)
    )
    if visibility is not None:
        side[:, 1] += SWAP_VIS_COST * scale * near_leg_evidence(visibility, p)
    # last seen positions of (leg, landmark) under each labelling path: (2 states, 2, K, 2)
    last = np.full((2, *legs.shape[1:]), np.nan)
    cost = np.array([0.0, state])
    back = np.zeros((n, 2), dtype=np.int8)
    seen_t = -np.inf
    for i in range(n):
        cur = legs[i]
        options = (cur, cur[::-1])  # kept, exchanged
        if np.isfinite(cur).any():
            if t[i] - seen_t > SWAP_MEMORY_S:
                last[:] = np.nan  # a long absence: start afresh
            seen_t = float(t[i])
        new_cost = np.empty(2)
        new_last = np.empty_like(last)
        for s in (0, 1):
            with np.errstate(invalid="ignore"):
                move = np.nansum(np.linalg.norm(options[s][None] - last, axis=3), axis=(1, 2))
            total = cost + move + np.where(np.arange(2) == s, 0.0, switch)
            q = int(np.argmin(total))
            back[i, s] = q
            new_cost[s] = total[q] + (state if s == 1 else 0.0) + side[i, s]
            new_last[s] = np.where(np.isfinite(options[s]), options[s], last[q])
        cost = new_cost - new_cost.min()
        last = new_last
    out = np.zeros(n, dtype=bool)
    s = int(np.argmin(cost))
    for i in range(n - 1, -1, -1):
        out[i] = s == 1
        s = int(back[i, s])
    return out


def apply_swaps(track: PoseTrack, swapped: BoolArray) -> PoseTrack:
    """Exchange left and right leg landmarks (hip to toe) in the frames marked ``swapped``."""
    sw = np.asarray(swapped, dtype=bool)
    if not sw.any():
        return track
    arrays = {}
    for name in ("landmarks", "visibility", "presence", "world"):
        a = np.array(getattr(track, name), copy=True)
        _swap_legs_inplace(a, sw)
        arrays[name] = a
    return track.with_arrays(**arrays)


# ------------------------------------------------------------------ whole track
def condition_track(
    track: PoseTrack, config: ConditioningConfig | None = None, *, live: bool = False
) -> Conditioned:
    """Clean a pose track: visibility threshold, swap repair, gap filling, low-pass.

    Args:
        track: raw track from pose extraction.
        config: settings (defaults suit recorded phone and webcam video).
        live: use causal processing only (One-Euro filter, forward swap
            repair, no interpolation), as for a webcam stream.

    Returns:
        ``Conditioned`` with the cleaned track and masks. Landmark ``z`` and
        ``world`` coordinates get the same treatment as x and y.
    """
    cfg = config or ConditioningConfig()
    lm = np.array(track.landmarks, dtype=np.float64, copy=True)
    world = np.array(track.world, dtype=np.float64, copy=True)
    vis = np.array(track.visibility, dtype=np.float64, copy=True)
    pres_out = np.array(track.presence, dtype=np.float32, copy=True)
    n = len(track)

    # swaps are found on all positions, before the visibility threshold: a
    # low-visibility far leg still tells which leg is which
    swapped = np.zeros(n, dtype=bool)
    if cfg.repair_swaps and n > 1:
        px = lm[:, :, :2] * np.array([track.width, track.height], dtype=np.float64)
        swapped = (
            repair_swaps(px, ratio=cfg.swap_ratio, causal=True, times_s=track.timestamps_s)
            if live
            else continuity_swaps(px, times_s=track.timestamps_s, visibility=vis)
        )
        if swapped.any():
            for arr in (lm, world, vis):
                _swap_legs_inplace(arr, swapped)
            _swap_legs_inplace(pres_out, swapped)

    seen = np.isfinite(lm).all(axis=2) & np.isfinite(vis) & (vis >= cfg.min_visibility)
    lm[~seen] = np.nan
    world[~seen] = np.nan

    t = track.timestamps_s
    interpolated = np.zeros((n, NUM_LANDMARKS), dtype=bool)
    if live:
        lm = _one_euro_track(lm, t, cfg)
        world = _one_euro_track(world, t, cfg)
    elif n > 0:
        lm, filled = interpolate_gaps(lm, t, cfg.max_gap_s)
        world, _ = interpolate_gaps(world, t, cfg.max_gap_s)
        interpolated = filled.all(axis=2) & ~seen
        lm = butterworth_zero_phase(lm, track.fps, cfg.cutoff_hz, cfg.order, times_s=t)
        world = butterworth_zero_phase(world, track.fps, cfg.cutoff_hz, cfg.order, times_s=t)

    vis_out = vis.astype(np.float32)
    clean = track.with_arrays(
        landmarks=lm.astype(np.float32),
        world=world.astype(np.float32),
        visibility=vis_out,
        presence=pres_out,
        num_people=track.num_people,
    )
    return Conditioned(
        track=clean,
        reliable=seen,
        interpolated=interpolated,
        swapped=swapped,
        config=cfg,
    )


def _one_euro_track(
    x: FloatArray, t: npt.NDArray[np.float64], cfg: ConditioningConfig
) -> FloatArray:
    """Run a One-Euro filter frame by frame over a (T, ...) array."""
    f = OneEuroFilter(cfg.one_euro_min_cutoff_hz, cfg.one_euro_beta, cfg.one_euro_d_cutoff_hz)
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = f(x[i], float(t[i]))
    return out
