"""Steadying a hand-held clip's landmarks with the camera's measured motion.

``formcheck.camera_tracking`` measures, per frame, the similarity transform
(2, 3) from the frame's pixels to the first frame's (``PoseTrack.camera``).
Here those transforms are judged and applied:

- ``camera_motion``: how far the camera moved, as the largest shift it gave
  the person's middle (the hip midpoint), in px and as a fraction of the
  person's height in the picture; and how much of the clip could not be
  followed.
- ``steady_track``: the track with every landmark moved into the first
  frame's pixels, when the camera moved more than ``STILL_FRACTION`` of the
  person's height (a camera on a stand moves less, and its landmarks are
  left exactly as they were). Frames whose transform is unknown get one
  interpolated in time from their neighbours.
- ``camera_motion_issue``: what the runner is told.
- ``join_segments``: transforms of a clip extracted in segments
  (``formcheck.parallel``), each measured against its own first frame,
  brought to the first segment's first frame through the frames the
  segments share.

The 3D world landmarks are left alone: they are relative to the hips, and a
camera's shift does not move them (a turn of a few degrees tilts them by as
much, under the pose model's own spread).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark
from formcheck.track import PoseTrack
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]

STILL_FRACTION = 0.01
"""Fraction of the person's height in the picture. A camera whose motion
moved the person's middle less than this (95th percentile over the clip) is
taken as still and its landmarks are left untouched: 1% of a 175 cm person is
1.75 cm, about the heel-rise MDC. Shared clips filmed from a stand measure
0.01-0.50%; the two filmed hand-held 1.7% (a slow drift) and 12%; rendered
clips have plain walls and are not followed at all (docs/ACCURACY.md,
"Session 18: a hand-held camera")."""
UNFOLLOWED_WARN_FRACTION = 0.2
"""Fraction of frames. A moving camera whose background could not be
followed in more than this share of the clip: the numbers are warned about."""
SHIFT_NOTE_FRACTION = 0.05
"""Fraction of the person's height: camera motion beyond this is named in the note."""


@dataclass(frozen=True)
class CameraMotion:
    """How the camera moved over a clip.

    Attributes:
        measured: the track holds camera transforms (extracted by this
            formcheck from a video file; live and synthetic tracks do not)
            and the background was followed in at least one frame after the
            first (the first is the reference, known by definition).
        moved_px: 95th percentile over the frames of the shift the camera
            gave the person's middle, px (0 when not measured).
        moved_fraction: ``moved_px`` over the person's height in the picture.
        unfollowed_fraction: share of frames whose transform is unknown.
        steadied: the landmarks were moved into the first frame's pixels.
    """

    measured: bool
    moved_px: float
    moved_fraction: float
    unfollowed_fraction: float
    steadied: bool


def _person_middle_and_height(track: PoseTrack) -> tuple[FloatArray, float]:
    """(T, 2) hip midpoint (px, NaN unseen) and the person's median height in the picture (px)."""
    px = track.pixels.astype(np.float64)
    mid = 0.5 * (px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP])
    y = px[track.detected, :, 1]
    y = y[np.isfinite(y).any(axis=1)]
    if not len(y):
        return mid, float(track.height)
    tall = np.nanmax(y, axis=1) - np.nanmin(y, axis=1)
    return mid, max(float(np.median(tall)), 1.0)


def _apply(a: FloatArray, xy: FloatArray) -> FloatArray:
    """Points (T, ..., 2) moved by per-frame transforms (T, 2, 3)."""
    lin = np.einsum("tij,t...j->t...i", a[:, :, :2], xy)
    shift = a[:, :, 2].reshape((a.shape[0],) + (1,) * (xy.ndim - 2) + (2,))
    return np.asarray(lin + shift, dtype=np.float64)


def filled_transforms(camera: FloatArray, times_s: FloatArray) -> FloatArray:
    """(T, 2, 3) transforms with unknown (NaN) frames interpolated in time.

    Each of the 6 entries is interpolated linearly between the nearest known
    frames (held at the ends); identity throughout when none is known.
    """
    out = np.array(camera, dtype=np.float64)
    known = np.isfinite(out).all(axis=(1, 2))
    if not known.any():
        return np.broadcast_to(np.eye(2, 3), out.shape).copy()
    if known.all():
        return out
    t = np.asarray(times_s, dtype=np.float64)
    flat = out.reshape(len(out), 6)
    for k in range(6):
        flat[~known, k] = np.interp(t[~known], t[known], flat[known, k])
    return flat.reshape(out.shape)


def camera_motion(track: PoseTrack) -> CameraMotion:
    """How the camera moved over ``track`` (``CameraMotion``; nothing measured: all zero)."""
    return _judged(track)[0]


def _judged(track: PoseTrack) -> tuple[CameraMotion, FloatArray | None]:
    """``camera_motion`` and the transforms with unknown frames filled (None: not measured)."""
    cam = track.camera
    if cam.shape[0] != len(track) or len(track) == 0:
        return CameraMotion(False, 0.0, 0.0, 0.0, False), None
    known = np.asarray(np.isfinite(cam).all(axis=(1, 2)), dtype=bool)
    followed = bool(known[1:].any())
    mid, tall = _person_middle_and_height(track)
    centre = np.array([0.5 * track.width, 0.5 * track.height])
    mid = np.where(np.isfinite(mid), mid, centre)
    filled = filled_transforms(cam, track.timestamps_s)
    shift = np.linalg.norm(_apply(filled, mid[:, None, :])[:, 0] - mid, axis=1)
    moved = float(np.percentile(shift[known], 95)) if followed else 0.0
    frac = moved / tall
    motion = CameraMotion(
        measured=followed,
        moved_px=moved,
        moved_fraction=frac,
        unfollowed_fraction=float(1.0 - known.mean()),
        steadied=followed and frac >= STILL_FRACTION,
    )
    return motion, filled


def steady_track(track: PoseTrack) -> tuple[PoseTrack, CameraMotion]:
    """``track`` with its landmarks in the first frame's pixels when the camera moved.

    Returns the track unchanged (the same object) when the camera was still
    or its motion was not measured, with the ``CameraMotion`` judged.
    """
    motion, filled = _judged(track)
    if not motion.steadied or filled is None:
        return track, motion
    size = np.array([track.width, track.height], dtype=np.float64)
    lm = np.array(track.landmarks, dtype=np.float64)
    lm[:, :, :2] = _apply(filled, lm[:, :, :2] * size) / size
    return track.with_arrays(landmarks=lm.astype(np.float32)), motion


def camera_motion_issue(motion: CameraMotion) -> QualityIssue | None:
    """What the runner is told about a moving camera (None: still or not measured)."""
    if not motion.steadied:
        return None
    pct = 100.0 * motion.moved_fraction
    how = "a lot" if motion.moved_fraction >= SHIFT_NOTE_FRACTION else "a little"
    if motion.unfollowed_fraction > UNFOLLOWED_WARN_FRACTION:
        return QualityIssue(
            "camera_moved",
            "warning",
            f"the camera moved {how} (up to {pct:.0f}% of your height in the picture) and "
            f"formcheck could not follow the background in "
            f"{100 * motion.unfollowed_fraction:.0f}% of the clip, so heights and sway may "
            "hold the camera's motion: put the phone on a stand or lean it against something "
            "steady, with some of the room in view",
        )
    return QualityIssue(
        "camera_moved",
        "info",
        f"the camera moved {how} (up to {pct:.0f}% of your height in the picture); formcheck "
        "followed the background and took its motion out of your landmarks. A phone on a "
        "stand gives the steadiest numbers",
    )


def join_segments(parts: list[tuple[FloatArray, int]]) -> FloatArray:
    """Camera transforms of consecutive segments, all against the first segment's first frame.

    Args:
        parts: per segment, its (T_k, 2, 3) transforms (each against its own
            first frame) and how many of its first rows repeat the previous
            segment's last rows (its warm-up frames, 0 for the first).

    Returns:
        (sum of T_k less the overlaps, 2, 3): the earlier segment's rows are
        kept over an overlap. A segment with no frame known in both gets
        NaN throughout (its motion relative to the first frame is unknown).
    """
    joined = np.zeros((0, 2, 3))
    for cam, overlap in parts:
        cam = np.asarray(cam, dtype=np.float64)
        if len(joined) == 0:
            joined = cam
            continue
        link = _link(joined[len(joined) - overlap :] if overlap else joined[:0], cam[:overlap])
        rest = cam[overlap:]
        joined = np.concatenate([joined, _compose(link, rest)])
    return joined


def _as3(a: FloatArray) -> FloatArray:
    """(..., 2, 3) affine transforms as (..., 3, 3) matrices."""
    m = np.zeros((*a.shape[:-2], 3, 3))
    m[..., :2, :] = a
    m[..., 2, 2] = 1.0
    return m


def _link(earlier: FloatArray, later: FloatArray) -> FloatArray:
    """(2, 3) transform from the later segment's first frame to the earlier's, via shared frames.

    For a shared frame f: ``earlier(f) @ inverse(later(f))``; the median over
    the frames known in both. NaN when there is none.
    """
    both = np.isfinite(earlier).all(axis=(1, 2)) & np.isfinite(later).all(axis=(1, 2))
    if not both.any():
        return np.full((2, 3), np.nan)
    links = _as3(earlier[both]) @ np.linalg.inv(_as3(later[both]))
    return np.asarray(np.median(links[:, :2, :], axis=0), dtype=np.float64)


def _compose(link: FloatArray, cam: FloatArray) -> FloatArray:
    """(T, 2, 3): ``link`` after each of ``cam``'s transforms (NaN stays NaN)."""
    return np.asarray((_as3(link)[None] @ _as3(cam))[:, :2, :], dtype=np.float64)
