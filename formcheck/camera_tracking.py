"""How the camera moved, from the background: for clips filmed hand-held.

A hand-held phone drifts and shakes; every landmark moves with it in the
picture, so a heel's height above a fixed floor line or the hips' sway would
take the camera's motion for the body's. ``CameraTracker`` follows corner
points of the background (the person's body masked out) from frame to frame
with pyramidal Lucas-Kanade optical flow and fits, per frame, the
similarity transform (shift, turn, zoom: 4 degrees of freedom, RANSAC) that
takes the frame's pixels to the first frame's. Each tracked point keeps its
position in the first frame, so the transform is fitted against those and
does not drift from chaining frame-to-frame steps; points lost (occluded,
off the picture, outliers) are replaced by new corners whose first-frame
positions come from the current transform.

The transforms are stored with the track (``PoseTrack.camera``) and applied
in analysis (``formcheck.camera_steadying``), never to the landmarks the
annotated video draws on the frames.

This module reads pixels (OpenCV); the arithmetic on transforms is in
``formcheck.camera_steadying``. Pixel units: the track's frame (``width`` x
``height``); the tracker works on a copy shrunk to ``WORK_SIDE``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import SKELETON, Landmark

WORK_SIDE = 360
"""px. Longer side of the grey copy the background is tracked on: a hand-held
drift of 5% of the frame is 18 px there, inside the 3-level pyramid's reach
(docs/BENCHMARKS.md gives the cost per frame)."""
MAX_POINTS = 150
"""Corner points followed at most."""
MIN_POINTS = 40
"""Fewest points agreeing on a transform (RANSAC inliers) for a frame's
transform to be taken; fewer: the frame's transform is unknown (NaN). Real
rooms filmed at 720-1920 px give 80-110 agreeing points a frame (5th
percentile 80, shared clips and their hand-held versions); a rendered
figure before a plain wall gives 15-28, all on what moves with the body
(its shadow, the fingers beyond the wrist landmarks), which read as a
camera moving 2-4% of the person's height (docs/ACCURACY.md)."""
MIN_SPREAD = 0.5
"""Fraction of the frame's width and of its height that the agreeing points
must span (each), else the frame's transform is unknown: a camera's motion
moves the whole picture, and points bunched in one place are most likely on
something that moves with the person. Real rooms: 0.62-0.97 (5th
percentile); renders' shadow and finger points: 0.35-0.52."""
REFILL_BELOW = 80
"""Fresh corners are looked for when fewer points than this are left."""
LIMB_WIDTH = 0.14
"""Fraction of the person's size (the larger side of their landmarks' box):
width of the band masked along each bone of the skeleton. The joints the
landmarks mark lie inside the body, whose outline reaches ~0.05-0.08 of the
height beyond them (thigh, belly, back), plus loose clothes."""
HEAD_RADIUS = 0.1
"""Fraction of the person's size: radius of the disc masked around the head
(the landmarks mark the face, not the skull's outline or the hair)."""
HAND_RADIUS = 0.06
"""Fraction of the person's size: radius of the disc masked around each
hand's landmarks (the fingers reach past them)."""
FOOT_RADIUS = 0.12
"""Fraction of the person's size: radius of the disc masked around each
foot's landmarks (the shoe, and the shadow where it meets the floor)."""
FB_MAX_PX = 0.7
"""px (work copy). Largest forward-backward error of a tracked point: a
point tracked to the next frame and back must land this near its start."""
RANSAC_PX = 1.0
"""px (work copy). Reprojection error under which a point agrees with a transform."""
MIN_CORNER_DISTANCE_PX = 8
"""px (work copy). Least distance between corners (spreads them over the background)."""

FloatArray = npt.NDArray[np.float64]

TORSO = (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP, Landmark.LEFT_HIP)
HEAD = (Landmark.NOSE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR)
HANDS = tuple(
    Landmark[f"{side}_{part}"]
    for side in ("LEFT", "RIGHT")
    for part in ("WRIST", "PINKY", "INDEX", "THUMB")
)
FEET = (
    Landmark.LEFT_HEEL,
    Landmark.LEFT_FOOT_INDEX,
    Landmark.RIGHT_HEEL,
    Landmark.RIGHT_FOOT_INDEX,
)


def _nan_transform() -> FloatArray:
    return np.full((2, 3), np.nan)


class CameraTracker:
    """Per-frame transform (2, 3) from a frame's pixels to the first frame's.

    Usage: one tracker per clip (or per segment, see
    ``formcheck.camera_steadying.join_segments``); call ``update`` with each
    frame in order. The returned transform maps a point ``p`` (pixels of
    the track's frame, ``width`` x ``height``) to ``A[:, :2] @ p + A[:, 2]``
    in the first frame's pixels; all NaN when the background could not be
    followed in that frame (too plain, blurred, covered).
    """

    def __init__(self, width: int, height: int) -> None:
        """``width`` x ``height``: the track's frame size in pixels (landmarks are scaled to it)."""
        self._size = (int(width), int(height))
        self._prev: npt.NDArray[np.uint8] | None = None
        self._pts = np.zeros((0, 2), np.float32)  # current positions, work px
        self._ref = np.zeros((0, 2), np.float32)  # first-frame positions, work px
        self._last = np.eye(2, 3)  # last known transform, work px
        self._work_scale = 1.0  # track px per work px

    def update(
        self, rgb: npt.NDArray[np.uint8], landmarks: npt.NDArray[np.float32] | None
    ) -> FloatArray:
        """This frame's transform to the first frame (track pixels); NaN (2, 3) if unknown.

        Args:
            rgb: (H, W, 3) uint8 frame (any size: it is shrunk to ``WORK_SIDE``).
            landmarks: (33, 3) the person's landmarks in this frame,
                normalised image coordinates (NaN or None: no person), whose
                body is masked out of the background.
        """
        import cv2

        h, w = rgb.shape[:2]
        s = min(1.0, WORK_SIDE / max(h, w))
        ww, wh = max(1, round(w * s)), max(1, round(h * s))
        small: Any = rgb
        # halving (Gaussian) first is 2-3x cheaper than one area resize of a big frame
        while max(small.shape[:2]) >= 2 * WORK_SIDE:
            small = cv2.pyrDown(small)
        small = cv2.resize(small, (ww, wh), interpolation=cv2.INTER_AREA)
        grey = np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
        self._work_scale = self._size[0] / ww
        mask = _background_mask(wh, ww, landmarks)
        if self._prev is None:
            self._prev = grey
            self._pts = _corners(grey, mask, MAX_POINTS)
            self._ref = self._pts.copy()
            self._last = np.eye(2, 3)
            return self._to_track(self._last)
        if self._prev.shape != grey.shape:  # a change of frame size: nothing to follow
            self._prev = grey
            self._pts = self._ref = np.zeros((0, 2), np.float32)
            return _nan_transform()
        known = False
        if len(self._pts):
            pts, ref = self._follow(self._prev, grey, mask)
            if len(pts) >= MIN_POINTS:
                a, inl = cv2.estimateAffinePartial2D(
                    pts, ref, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX
                )
                keep = np.zeros(len(pts), bool) if inl is None else inl.ravel().astype(bool)
                if a is not None and keep.sum() >= MIN_POINTS and _spread(pts[keep], ww, wh):
                    pts, ref = pts[keep], ref[keep]
                    self._last = np.asarray(a, dtype=np.float64)
                    known = True
            self._pts, self._ref = pts, ref
        if len(self._pts) < REFILL_BELOW:
            # new corners take their first-frame position from the latest transform
            # (this frame's, or the last known one when the background was lost here)
            avoid = mask.copy()
            for x, y in self._pts:
                cv2.circle(avoid, (int(x), int(y)), MIN_CORNER_DISTANCE_PX, 0, -1)
            new = _corners(grey, avoid, MAX_POINTS - len(self._pts))
            if len(new):
                new_ref = (new @ self._last[:, :2].T + self._last[:, 2]).astype(np.float32)
                self._pts = np.concatenate([self._pts, new])
                self._ref = np.concatenate([self._ref, new_ref])
        self._prev = grey
        return self._to_track(self._last) if known else _nan_transform()

    def _follow(
        self, prev: npt.NDArray[np.uint8], grey: npt.NDArray[np.uint8], mask: npt.NDArray[np.uint8]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Points followed from ``prev`` to ``grey`` that pass the checks, with their references."""
        import cv2

        p0 = self._pts.reshape(-1, 1, 2)
        win, levels = (21, 21), 3
        p1, st1, _ = cv2.calcOpticalFlowPyrLK(
            prev, grey, p0, np.empty_like(p0), winSize=win, maxLevel=levels
        )
        back, st2, _ = cv2.calcOpticalFlowPyrLK(
            grey, prev, p1, np.empty_like(p0), winSize=win, maxLevel=levels
        )
        fb = np.linalg.norm((np.asarray(back) - p0).reshape(-1, 2), axis=1)
        p1 = np.asarray(p1).reshape(-1, 2)
        st1, st2 = np.asarray(st1), np.asarray(st2)
        ok = (st1.ravel() == 1) & (st2.ravel() == 1) & (fb < FB_MAX_PX)
        xi = np.clip(np.round(p1[:, 0]).astype(int), 0, grey.shape[1] - 1)
        yi = np.clip(np.round(p1[:, 1]).astype(int), 0, grey.shape[0] - 1)
        inside = (
            (p1[:, 0] >= 0)
            & (p1[:, 0] < grey.shape[1])
            & (p1[:, 1] >= 0)
            & (p1[:, 1] < grey.shape[0])
        )
        ok &= inside & (mask[yi, xi] > 0)  # not on the person now
        return p1[ok].astype(np.float32), self._ref[ok]

    def _to_track(self, a: FloatArray) -> FloatArray:
        """A work-copy transform in the track's pixels (same turn and zoom, shift scaled)."""
        out = np.array(a, dtype=np.float64)
        out[:, 2] *= self._work_scale
        return out


def _background_mask(
    h: int, w: int, landmarks: npt.NDArray[np.float32] | None
) -> npt.NDArray[np.uint8]:
    """(h, w) uint8 mask: 255 on the background, 0 on the person (``landmarks`` (33, 3) normalised).

    The person is the skeleton's bones drawn ``LIMB_WIDTH`` wide, the torso
    filled, and discs at the head, the hands and the feet: a pose that
    spreads (a hinge, arms out) masks its body, not the whole box around it.
    """
    import cv2

    mask = np.full((h, w), 255, np.uint8)
    if landmarks is None:
        return mask
    xy = np.asarray(landmarks, dtype=np.float64)[:, :2] * np.array([w, h])
    seen = np.isfinite(xy).all(axis=1)
    if not seen.any():
        return mask
    size = float(np.ptp(xy[seen], axis=0).max())
    pt = {int(i): (round(float(xy[i, 0])), round(float(xy[i, 1]))) for i in np.flatnonzero(seen)}
    limb = max(2, round(LIMB_WIDTH * size))
    for a, b in SKELETON:
        if int(a) in pt and int(b) in pt:
            cv2.line(mask, pt[int(a)], pt[int(b)], 0, limb)
    torso = [pt[int(m)] for m in TORSO if int(m) in pt]
    if len(torso) >= 3:
        cv2.fillPoly(mask, [np.array(torso, np.int32)], 0)
    head = [pt[int(m)] for m in HEAD if int(m) in pt]
    if head:
        c = np.mean(head, axis=0)
        cv2.circle(mask, (int(c[0]), int(c[1])), max(2, round(HEAD_RADIUS * size)), 0, -1)
    for parts, radius in ((FEET, FOOT_RADIUS), (HANDS, HAND_RADIUS)):
        for m in parts:
            if int(m) in pt:
                cv2.circle(mask, pt[int(m)], max(2, round(radius * size)), 0, -1)
    return mask


def _spread(pts: npt.NDArray[np.float32], w: int, h: int) -> bool:
    """Whether ``pts`` (work px) span ``MIN_SPREAD`` of the frame's width and of its height."""
    span = np.ptp(pts, axis=0)
    return bool(span[0] >= MIN_SPREAD * w and span[1] >= MIN_SPREAD * h)


def _corners(
    grey: npt.NDArray[np.uint8], mask: npt.NDArray[np.uint8], n: int
) -> npt.NDArray[np.float32]:
    """(N, 2) up to ``n`` corner points of ``grey`` inside ``mask`` (work px)."""
    import cv2

    if n <= 0:
        return np.zeros((0, 2), np.float32)
    pts = cv2.goodFeaturesToTrack(
        grey, maxCorners=n, qualityLevel=0.01, minDistance=MIN_CORNER_DISTANCE_PX, mask=mask
    )
    return np.zeros((0, 2), np.float32) if pts is None else pts.reshape(-1, 2).astype(np.float32)
