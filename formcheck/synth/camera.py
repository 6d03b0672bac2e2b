"""Pinhole camera placed around the person, and projection into MediaPipe's conventions.

The camera is an ideal pinhole with square pixels and the principal point at
the image centre (``width/2, height/2``); pixel x runs from 0 at the left edge
to ``width`` at the right edge (the same convention as
``formcheck.render.coords.CameraPose``). Camera axes: x image-right, y
image-down, z along the optical axis (away from the camera).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

VIEWS = ("side", "front", "back", "oblique")
# azimuth (degrees about +y, measured from +x toward +z) of the camera seen from
# the person, for near_side="right"; near_side="left" mirrors it (z -> -z).
_AZIMUTH = {"front": 0.0, "oblique": 45.0, "side": 90.0, "back": 180.0}


@dataclass(frozen=True)
class CameraSpec:
    """Where the camera stands and what it records.

    Attributes:
        view: "side" (camera on the person's ``near_side``), "front" (person
            faces the camera), "back", or "oblique" (45 degrees between front
            and the ``near_side``).
        distance_m: horizontal distance from the camera to the centre of the
            motion (midpoint of the hip path), metres.
        height_m: lens height above the floor, metres.
        tilt_deg: optical axis below horizontal, degrees (+ looks down).
        yaw_deg: extra azimuth of the camera around the person, degrees
            (+ moves the camera from the person's front toward their right).
        width, height: frame size in pixels.
        fps: frames per second (frame i at i / fps seconds).
        focal_px: focal length in pixels; if None, from ``fov_deg``.
        fov_deg: horizontal field of view, degrees (used when focal_px is None).
        near_side: "right" or "left": which side of the person faces the
            camera in side and oblique views.
    """

    view: str = "side"
    distance_m: float = 4.0
    height_m: float = 1.0
    tilt_deg: float = 0.0
    yaw_deg: float = 0.0
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    focal_px: float | None = None
    fov_deg: float = 60.0
    near_side: str = "right"

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValueError(f"unknown view {self.view!r}; expected one of {list(VIEWS)}")
        if self.near_side not in ("left", "right"):
            raise ValueError(f"near_side must be 'left' or 'right', got {self.near_side!r}")
        if not (self.distance_m > 0 and self.width > 0 and self.height > 0 and self.fps > 0):
            raise ValueError("distance_m, width, height and fps must be positive")
        if not (0 < self.fov_deg < 170):
            raise ValueError(f"fov_deg must be in (0, 170), got {self.fov_deg}")

    @property
    def focal(self) -> float:
        """Focal length in pixels."""
        if self.focal_px is not None:
            return float(self.focal_px)
        return 0.5 * self.width / math.tan(math.radians(self.fov_deg) / 2)

    @property
    def azimuth_deg(self) -> float:
        """Direction person -> camera about +y, degrees from +x toward +z."""
        az = _AZIMUTH[self.view]
        if self.near_side == "left":
            az = -az
        return az + self.yaw_deg

    def place(self, target: npt.ArrayLike) -> PlacedCamera:
        """The camera aimed at ``target`` (3,) (only its x and z are used)."""
        tgt = np.asarray(target, dtype=np.float64)
        az = math.radians(self.azimuth_deg)
        out = np.array([math.cos(az), 0.0, math.sin(az)])  # person -> camera, horizontal
        pos = (
            np.array([tgt[0], 0.0, tgt[2]])
            + self.distance_m * out
            + np.array([0.0, self.height_m, 0.0])
        )
        tilt = math.radians(self.tilt_deg)
        fwd = math.cos(tilt) * (-out) + math.sin(tilt) * np.array([0.0, -1.0, 0.0])
        right = np.cross(fwd, np.array([0.0, 1.0, 0.0]))
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        return PlacedCamera(
            position=pos,
            rotation=np.stack([right, down, fwd]),
            focal_px=self.focal,
            width=self.width,
            height=self.height,
        )


@dataclass(frozen=True, eq=False)
class PlacedCamera:
    """A camera in the synth world.

    Attributes:
        position: (3,) camera centre, world metres.
        rotation: (3, 3) rows = camera x (image right), y (image down), z
            (optical axis) in world coordinates; ``p_cam = rotation @ (p - position)``.
        focal_px, width, height: intrinsics (principal point at the centre).
    """

    position: FloatArray
    rotation: FloatArray
    focal_px: float
    width: int
    height: int

    @property
    def forward(self) -> FloatArray:
        """(3,) optical axis in the world."""
        return np.asarray(self.rotation[2])

    @property
    def up(self) -> FloatArray:
        """(3,) image-up direction in the world (for ``render.coords.CameraPose``)."""
        return np.asarray(-self.rotation[1])

    def to_camera(self, points: FloatArray) -> FloatArray:
        """World points (..., 3) -> camera coordinates (..., 3), metres."""
        return np.asarray((points - self.position) @ self.rotation.T)

    def pixels(self, cam: FloatArray) -> FloatArray:
        """Camera coordinates (..., 3) -> pixels (..., 2); NaN at or behind the camera."""
        z = cam[..., 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = self.width / 2.0 + self.focal_px * cam[..., 0] / z
            v = self.height / 2.0 + self.focal_px * cam[..., 1] / z
        out = np.stack([u, v], axis=-1)
        out[z <= 1e-6] = np.nan
        return out

    def project(self, points: FloatArray) -> FloatArray:
        """World points (..., 3) -> pixels (..., 2)."""
        return self.pixels(self.to_camera(points))

    def cm_per_px(self, point: FloatArray) -> float:
        """Centimetres per pixel in the plane facing the camera through ``point`` (3,)."""
        depth = float(self.to_camera(np.asarray(point, dtype=np.float64))[2])
        return 100.0 * depth / self.focal_px
