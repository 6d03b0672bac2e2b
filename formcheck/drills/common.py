"""Small, general helpers shared by several drills.

One drill = one module: a drill imports these instead of another drill's
internals, so changing one drill never breaks another. Everything here is a
pure function on arrays (or reads only ``ctx.floor``); no thresholds.

Coordinate conventions: image pixels have x right, y down; "up" vectors are
unit vectors in the frame of the points they are used with.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import side_landmark
from formcheck.signals import apply_swaps, butterworth_zero_phase, nan_free_runs

if TYPE_CHECKING:
    from formcheck.drills.base import DrillContext

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")

__all__ = [
    "LegTrace",
    "fill_nans",
    "floor_up_px",
    "front_side_per_frame",
    "knee_flexion_3d",
    "leg_length",
    "leg_traces",
    "lowest_point_height",
    "moving_median",
    "nan_median",
    "select_front",
    "true_runs",
]


# ------------------------------------------------------------------ flags
def append_flag(flags: dict[str, str], key: str, note: str | None) -> None:
    """Add ``note`` to ``flags[key]`` after what is there ("a; b"), or set it; None: no change."""
    if note:
        flags[key] = f"{flags[key]}; {note}" if key in flags else note


# ------------------------------------------------------------------ 1-D signals
def nan_median(x: npt.ArrayLike) -> float:
    """NaN-ignoring median of any array; NaN (without a warning) when nothing is finite."""
    a = np.asarray(x, dtype=np.float64)
    return float(np.median(a[np.isfinite(a)])) if np.isfinite(a).any() else float("nan")


def true_runs(mask: npt.ArrayLike) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` index runs where the (T,) bool ``mask`` is True (stop exclusive)."""
    return nan_free_runs(np.asarray(mask, dtype=bool))


def fill_nans(times_s: FloatArray, x: FloatArray) -> FloatArray:
    """Linearly interpolate NaNs in ``x`` over ``times_s`` (edges held).

    Args:
        times_s: (T,) increasing times, s.
        x: (T,) values in any unit, NaN where missing.

    Returns:
        (T,) float64 copy with NaNs filled; all-NaN input stays all-NaN.
    """
    ok = np.isfinite(x)
    if ok.all() or not ok.any():
        return x.astype(np.float64, copy=True)
    return np.interp(times_s, times_s[ok], x[ok]).astype(np.float64)


def moving_median(x: FloatArray, n: int) -> FloatArray:
    """Centred moving median over ``n`` samples, NaN-aware.

    Args:
        x: (T,) values in any unit, NaN where missing.
        n: window in samples; rounded up to odd; edges use shorter windows.

    Returns:
        (T,) float64, NaN only where the whole window is NaN.
    """
    n = max(1, int(n) | 1)
    if n == 1 or x.size == 0:
        return x.astype(np.float64, copy=True)
    half = n // 2
    padded = np.concatenate([np.full(half, np.nan), x.astype(np.float64), np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, n)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(windows, axis=1), dtype=np.float64)


# --------------------------------------------------------------------- body
def lowest_point_height(points: FloatArray, up: FloatArray) -> FloatArray:
    """Height of the lowest of several points along ``up``.

    Args:
        points: (T, K, D) positions (any unit).
        up: (D,) unit vector pointing up in the same frame.

    Returns:
        (T,) the minimum over K of ``points . up`` (NaN-aware; NaN when all are NaN).
    """
    h = np.einsum("tkd,d->tk", points, up)
    out = np.full(h.shape[0], np.nan)
    ok = np.isfinite(h).any(axis=1)
    out[ok] = np.nanmin(h[ok], axis=1)
    return out


def leg_length(points: FloatArray) -> float:
    """Median over frames of the longer hip-to-ankle distance (the straighter leg).

    Args:
        points: (T, 33, D) landmark positions (world metres or pixels).

    Returns:
        leg length in the unit of ``points``; NaN when never seen.
    """
    lengths = []
    for side in SIDES:
        hip = points[:, side_landmark(side, "hip")]
        ankle = points[:, side_landmark(side, "ankle")]
        lengths.append(np.linalg.norm(hip - ankle, axis=1))
    both = np.stack(lengths, axis=1)
    per_frame = np.full(both.shape[0], np.nan)
    ok = np.isfinite(both).any(axis=1)
    per_frame[ok] = np.nanmax(both[ok], axis=1)
    if not np.isfinite(per_frame).any():
        return math.nan
    return float(np.nanmedian(per_frame))


def knee_flexion_3d(world: FloatArray, side: str) -> FloatArray:
    """Knee flexion from 3D thigh and shank vectors.

    Args:
        world: (T, 33, 3) world landmarks (any length unit).
        side: "left" or "right".

    Returns:
        (T,) degrees, 0 = straight; NaN where a point is missing.
    """
    hip = world[:, side_landmark(side, "hip")]
    knee = world[:, side_landmark(side, "knee")]
    ankle = world[:, side_landmark(side, "ankle")]
    a = knee - hip
    b = ankle - knee
    cos = np.einsum("td,td->t", a, b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def floor_up_px(ctx: DrillContext) -> FloatArray:
    """(2,) unit 'up' vector in pixel coordinates (y down), perpendicular to ``ctx.floor``.

    Uses the floor line's normal, else its direction, else straight up (0, -1).
    """
    floor = ctx.floor
    normal = getattr(floor, "normal", None) if floor is not None else None
    if normal is not None:
        v = np.asarray(normal, dtype=np.float64)[:2]
        if np.isfinite(v).all() and np.linalg.norm(v) > 0:
            v = v / np.linalg.norm(v)
            return v if v[1] < 0 else -v
    direction = getattr(floor, "direction", None) if floor is not None else None
    if direction is not None:
        d = np.asarray(direction, dtype=np.float64)[:2]
        if np.isfinite(d).all() and np.linalg.norm(d) > 0:
            d = d / np.linalg.norm(d)
            v = np.array([d[1], -d[0]])
            return v if v[1] < 0 else -v
    return np.array([0.0, -1.0])


# ------------------------------------------------- legs in the body frame (pixels)
@dataclasses.dataclass(frozen=True)
class LegTrace:
    """One labelled leg in body-frame pixels.

    Every array is (T,) float64, pixels: ``*_u`` along the floor (+ the way
    the person faces), ``*_h`` along the floor normal (+ up); NaN where unseen.
    """

    knee_u: FloatArray
    knee_h: FloatArray
    ankle_u: FloatArray
    ankle_h: FloatArray
    heel_u: FloatArray
    heel_h: FloatArray
    toe_u: FloatArray
    toe_h: FloatArray
    heel_image_y: FloatArray
    """(T,) raw image y of the heel, pixels (down = larger), for the depth cue."""

    @property
    def foot_u(self) -> FloatArray:
        """(T,) heel-toe midpoint along the floor, pixels."""
        return np.asarray(0.5 * (self.heel_u + self.toe_u))

    @property
    def tibia_deg(self) -> FloatArray:
        """(T,) tibia angle from the floor normal, degrees, + knee forward of the ankle."""
        return np.asarray(
            np.degrees(np.arctan2(self.knee_u - self.ankle_u, self.knee_h - self.ankle_h))
        )

    @property
    def shank_px(self) -> FloatArray:
        """(T,) ankle-knee length in the image, pixels."""
        return np.asarray(np.hypot(self.knee_u - self.ankle_u, self.knee_h - self.ankle_h))

    @property
    def foot_px(self) -> FloatArray:
        """(T,) heel-toe length in the image, pixels."""
        return np.asarray(np.hypot(self.toe_u - self.heel_u, self.toe_h - self.heel_h))


def leg_traces(
    pixels: npt.ArrayLike, forward: npt.ArrayLike, up: npt.ArrayLike
) -> dict[Side, LegTrace]:
    """Project each leg's landmarks into the body frame.

    Args:
        pixels: (T, 33, 2) landmark positions in image pixels (x right, y down).
        forward: (T, 2) unit vector along the floor, the way the person faces.
        up: (T, 2) unit floor normal, pointing up in the image.
    """
    px = np.asarray(pixels, dtype=np.float64)
    fwd = np.asarray(forward, dtype=np.float64)
    upv = np.asarray(up, dtype=np.float64)
    out: dict[Side, LegTrace] = {}
    for side in SIDES:

        def proj(part: str, axis: FloatArray, side: Side = side) -> FloatArray:
            p = px[:, int(side_landmark(side, part))]
            return np.asarray(np.einsum("ij,ij->i", p, axis))

        heel = px[:, int(side_landmark(side, "heel"))]
        out[side] = LegTrace(
            knee_u=proj("knee", fwd),
            knee_h=proj("knee", upv),
            ankle_u=proj("ankle", fwd),
            ankle_h=proj("ankle", upv),
            heel_u=proj("heel", fwd),
            heel_h=proj("heel", upv),
            toe_u=proj("foot_index", fwd),
            toe_h=proj("foot_index", upv),
            heel_image_y=np.asarray(heel[:, 1]),
        )
    return out


def front_side_per_frame(
    legs: dict[Side, LegTrace], min_split_foot_lengths: float
) -> tuple[npt.NDArray[np.object_], float]:
    """Which labelled leg is in front in each frame.

    A frame is a split stance when the feet (heel-toe midpoints) are at least
    ``min_split_foot_lengths`` foot lengths apart along the floor. When only
    one foot is seen, it is the front foot if its knee is ahead of the other knee,
    or, with the other leg wholly unseen, if it was the front foot in the
    nearest frame where the stance was known and has not moved since.

    Returns:
        ((T,) array of "left"/"right"/None: None where the feet are not in a
        split stance or not seen; foot length in pixels used for the test).
    """
    left, right = legs["left"], legs["right"]
    foot_len = nan_median(np.concatenate([left.foot_px, right.foot_px]))
    diff = left.foot_u - right.foot_u  # > 0: left foot ahead
    out = np.full(diff.shape, None, dtype=object)
    if not np.isfinite(foot_len) or foot_len <= 0:
        return out, float("nan")
    split = np.abs(diff) >= min_split_foot_lengths * foot_len
    out[split & (diff > 0)] = "left"
    out[split & (diff < 0)] = "right"
    # One foot hidden (the far foot behind the near leg): the seen foot is the
    # front one when its knee is the further forward (the back knee trails).
    knee_diff = left.knee_u - right.knee_u
    only_left = np.isfinite(left.foot_u) & ~np.isfinite(right.foot_u)
    only_right = np.isfinite(right.foot_u) & ~np.isfinite(left.foot_u)
    with np.errstate(invalid="ignore"):
        out[only_left & (knee_diff > 0)] = "left"
        out[only_right & (knee_diff < 0)] = "right"
    _carry_planted_front(out, {"left": left.foot_u, "right": right.foot_u}, 0.5 * foot_len)
    return out, foot_len


def _carry_planted_front(
    front: npt.NDArray[np.object_], foot_u: dict[Side, FloatArray], tolerance_px: float
) -> None:
    """Fill ``front`` in place where only one foot is seen and it stays where it stood.

    With the other leg wholly unseen (knee too), neither the feet nor the knees
    can be compared. The seen foot is still the front foot if it was the
    front foot in the nearest frame where the stance was known (before or
    after, nearest first) and has not moved from there by more than
    ``tolerance_px`` along the floor: a planted foot does not change sides.

    Args:
        front: (T,) "left"/"right"/None per frame, filled in place.
        foot_u: (T,) each leg's foot position along the floor, px (NaN unseen).
        tolerance_px: largest movement of the foot still called planted, px.
    """
    known = np.flatnonzero(front != None)  # noqa: E711
    if known.size == 0 or not np.isfinite(tolerance_px):
        return
    for i in np.flatnonzero(front == None):  # noqa: E711
        seen = [s for s in SIDES if np.isfinite(foot_u[s][i])]
        if len(seen) != 1:
            continue
        side = seen[0]
        pos = int(np.searchsorted(known, i))
        neighbours = sorted(
            (known[j] for j in (pos - 1, pos) if 0 <= j < known.size), key=lambda j: abs(j - i)
        )
        for j in neighbours:
            if front[j] == side and abs(foot_u[side][i] - foot_u[side][j]) <= tolerance_px:
                front[i] = side
                break


def select_front(
    legs: dict[Side, LegTrace], front: npt.NDArray[np.object_]
) -> tuple[LegTrace, LegTrace]:
    """(front leg, back leg) traces assembled frame by frame by position.

    The foot points (ankle, heel, toe) come from the foot further forward, the
    knee from the knee further forward (in a split stance the driving knee is
    ahead of the back knee), so a left/right label swap of single landmarks
    cannot put the back leg's point into the front leg. NaN where ``front``
    is None (no split stance).
    """
    names = [f.name for f in dataclasses.fields(LegTrace)]
    is_left = np.asarray(front == "left", dtype=bool)
    is_right = np.asarray(front == "right", dtype=bool)
    split = is_left | is_right
    f_arrays: dict[str, FloatArray] = {}
    b_arrays: dict[str, FloatArray] = {}
    knee_left_ahead = legs["left"].knee_u >= legs["right"].knee_u
    for name in names:
        lv, rv = getattr(legs["left"], name), getattr(legs["right"], name)
        pick_left = knee_left_ahead if name.startswith("knee") else is_left
        fa = np.where(pick_left, lv, rv)
        ba = np.where(pick_left, rv, lv)
        fa[~split] = np.nan
        ba[~split] = np.nan
        f_arrays[name], b_arrays[name] = fa, ba
    return LegTrace(**f_arrays), LegTrace(**b_arrays)


LEG_FILL_PARTS = ("knee", "ankle", "heel", "foot_index")
"""Leg landmarks put back from the raw track when conditioning dropped them."""


def fill_hidden_legs(ctx: DrillContext) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """The conditioned landmarks, with the legs' dropped points put back from the raw track.

    Conditioning drops a landmark below the visibility threshold. In a side
    view the far leg stands behind the near one for the whole clip: its foot
    is below the threshold in most frames although the pose model still places
    it (in the frame, presence high), usually well enough for a foot height.
    Here, where a leg landmark of ``LEG_FILL_PARTS`` is NaN in the conditioned
    track but the raw track has it with presence at or above the threshold,
    the raw value is used, after the same left/right swap repair and the same
    zero-phase low-pass as conditioning. Callers flag numbers resting on it.

    Returns:
        (world (T, 33, 3) metres, pixels (T, 33, 2), z (T, 33) relative depth,
        filled (T, 33) bool: True where a raw value was put back).
    """
    clean = ctx.conditioned.track
    cfg = ctx.conditioned.config
    raw = apply_swaps(ctx.track, ctx.conditioned.swapped)
    t = np.asarray(clean.timestamps_s, dtype=np.float64)
    scale = np.array([clean.width, clean.height], dtype=np.float64)
    world = np.asarray(clean.world, dtype=np.float64).copy()
    lm = np.asarray(clean.landmarks, dtype=np.float64).copy()
    raw_world = np.asarray(raw.world, dtype=np.float64)
    raw_lm = np.asarray(raw.landmarks, dtype=np.float64)
    presence = np.asarray(raw.presence, dtype=np.float64)
    idx = [int(side_landmark(s, p)) for s in ("left", "right") for p in LEG_FILL_PARTS]
    filled = np.zeros(lm.shape[:2], dtype=bool)
    with np.errstate(invalid="ignore"):
        present = ~(presence[:, idx] < cfg.min_visibility)  # NaN presence: unknown, allowed
    hole = ~np.isfinite(lm[:, idx]).all(axis=2)
    raw_ok = np.isfinite(raw_lm[:, idx]).all(axis=2) & present
    take = hole & raw_ok
    if take.any():
        fs = float(clean.fps)

        def smooth(points: FloatArray) -> FloatArray:
            seen = np.where(raw_ok[:, :, None], points[:, idx], np.nan)
            return butterworth_zero_phase(seen, fs, cfg.cutoff_hz, cfg.order, times_s=t)

        smooth_lm, smooth_w = smooth(raw_lm), smooth(raw_world)
        sub_lm, sub_w = lm[:, idx], world[:, idx]
        sub_lm[take] = smooth_lm[take]
        w_take = take & np.isfinite(smooth_w).all(axis=2)
        sub_w[w_take] = smooth_w[w_take]
        lm[:, idx], world[:, idx] = sub_lm, sub_w
        sub_f = filled[:, idx]
        sub_f[take] = True
        filled[:, idx] = sub_f
    return world, lm[:, :, :2] * scale, lm[:, :, 2], filled
