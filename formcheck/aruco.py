"""ArUco marker detection (cv2.aruco), kept apart from the NumPy-only measuring code.

A printed marker of known side length gives a metric scale in its plane:

- ``MarkerDetection.mean_side_px``: for a marker facing the camera, cm/px =
  side_cm / mean_side_px (``formcheck.calibration.from_aruco``).
- ``MarkerDetection.plane(side_cm)``: a ``MarkerPlane`` holding the homography
  from image pixels to centimetres in the marker's plane, so distances between
  points lying in that plane (e.g. on the floor beside a marker lying on the
  floor) are exact even in perspective.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

DEFAULT_DICTIONARY = "DICT_4X4_50"
"""Dictionary searched by default (the smallest, most robust 4x4 set)."""
DICTIONARIES = ("DICT_4X4_50", "DICT_5X5_100", "DICT_6X6_250", "DICT_ARUCO_ORIGINAL")
"""Dictionaries ``detect_markers`` tries, in order, when none is named."""


@dataclass(frozen=True)
class MarkerDetection:
    """One detected marker.

    Attributes:
        marker_id: the marker's id in its dictionary.
        dictionary: the dictionary name (e.g. "DICT_4X4_50").
        corners_px: (4, 2) corner pixels, clockwise from the marker's top-left.
    """

    marker_id: int
    dictionary: str
    corners_px: FloatArray

    @property
    def side_lengths_px(self) -> FloatArray:
        """(4,) lengths of the four sides, px."""
        c = self.corners_px
        return np.linalg.norm(np.roll(c, -1, axis=0) - c, axis=1)

    @property
    def mean_side_px(self) -> float:
        """Mean side length, px."""
        return float(self.side_lengths_px.mean())

    def plane(self, side_cm: float) -> MarkerPlane:
        """Metric plane of this marker, for a marker of ``side_cm`` per side."""
        dst = np.array([[0, 0], [side_cm, 0], [side_cm, side_cm], [0, side_cm]], np.float64)
        h, _ = cv2.findHomography(self.corners_px.astype(np.float64), dst)
        if h is None:
            raise ValueError("marker corners are degenerate; cannot build its plane")
        return MarkerPlane(np.asarray(h, dtype=np.float64))


@dataclass(frozen=True)
class MarkerPlane:
    """Homography from image pixels to centimetres in a marker's plane.

    Attributes:
        homography: (3, 3) pixel -> plane-cm homography.
    """

    homography: FloatArray

    def to_cm(self, points_px: npt.ArrayLike) -> FloatArray:
        """(N, 2) pixel points (lying in the plane) to (N, 2) plane coordinates, cm."""
        p = np.asarray(points_px, dtype=np.float64).reshape(-1, 2)
        ph = np.c_[p, np.ones(len(p))] @ self.homography.T
        return np.asarray(ph[:, :2] / ph[:, 2:3])

    def distance_cm(self, a_px: npt.ArrayLike, b_px: npt.ArrayLike) -> float:
        """Distance in cm between two pixel points lying in the marker's plane."""
        pa, pb = self.to_cm(np.vstack([a_px, b_px]))
        return float(np.linalg.norm(pa - pb))


def _dictionary(name: str) -> cv2.aruco.Dictionary:
    if name not in DICTIONARIES:
        raise ValueError(f"unknown ArUco dictionary {name!r}; expected one of {list(DICTIONARIES)}")
    return cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, name))


def detect_markers(
    image_rgb: npt.NDArray[np.uint8], dictionary: str | None = None
) -> list[MarkerDetection]:
    """All ArUco markers in an RGB image (H, W, 3) uint8, with sub-pixel corners.

    Args:
        image_rgb: the upright frame.
        dictionary: one name from ``DICTIONARIES``; None tries each in turn and
            returns the markers of the first dictionary that finds any.
    """
    img = np.asarray(image_rgb)
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {img.shape} {img.dtype}")
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    names = (dictionary,) if dictionary else DICTIONARIES
    for name in names:
        det = cv2.aruco.ArucoDetector(_dictionary(name), params)
        corners, ids, _ = det.detectMarkers(gray)
        if ids is not None and len(ids):
            return [
                MarkerDetection(int(i), name, np.asarray(c, np.float64).reshape(4, 2))
                for c, i in zip(corners, ids.ravel(), strict=True)
            ]
    return []


def draw_marker_image(
    marker_id: int, side_px: int, dictionary: str = DEFAULT_DICTIONARY
) -> npt.NDArray[np.uint8]:
    """A printable marker image (side_px x side_px, uint8 grey), for tests and printing."""
    return np.asarray(cv2.aruco.generateImageMarker(_dictionary(dictionary), marker_id, side_px))
