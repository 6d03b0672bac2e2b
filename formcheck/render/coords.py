"""Coordinate frames and the pinhole camera shared by the renderer and its truth.

Two world frames meet here:

* **synth world** (``formcheck.synth``): metres; origin on the floor midway
  between the heels at the start; +y up; +x the way the person faces; +z the
  person's right. Right-handed (forward x up = right).
* **Blender world**: metres; +Z up; right-handed.

``synth_to_blender`` maps synth (x, y, z) to Blender (x, -z, y): forward stays
Blender +X, up becomes Blender +Z, the person's right becomes Blender -Y. It is a
proper rotation (determinant +1), so shapes are not mirrored.

The camera here is an ideal pinhole with square pixels and the principal point
at the image centre, exactly what Blender renders with ``sensor_fit =
"HORIZONTAL"`` and no lens shift. Pixel coordinates are continuous: x from 0 at
the left edge to ``width`` at the right edge, y from 0 at the top edge to
``height`` at the bottom edge (the centre of pixel column i is at x = i + 0.5),
the same convention as MediaPipe's normalised coordinates times the frame size.
Nothing here imports bpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

SYNTH_TO_BLENDER: FloatArray = np.array(
    [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]], dtype=np.float64
)
"""3x3 rotation: ``p_blender = SYNTH_TO_BLENDER @ p_synth``."""

SENSOR_WIDTH_MM = 36.0
"""Blender camera sensor width used to turn a focal length in pixels into mm."""


def synth_to_blender(points: npt.ArrayLike) -> FloatArray:
    """Synth-world points (..., 3) in metres -> Blender-world points (..., 3) in metres."""
    p = np.asarray(points, dtype=np.float64)
    return p @ SYNTH_TO_BLENDER.T


def blender_to_synth(points: npt.ArrayLike) -> FloatArray:
    """Inverse of ``synth_to_blender``: Blender-world (..., 3) -> synth-world (..., 3)."""
    p = np.asarray(points, dtype=np.float64)
    return p @ SYNTH_TO_BLENDER


def _unit(v: FloatArray) -> FloatArray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(n < 1e-12):
        raise ValueError("cannot normalise a zero-length vector")
    return v / n


@dataclass(frozen=True)
class CameraPose:
    """A pinhole camera in the synth world.

    Attributes:
        position: (3,) camera centre, synth world, metres.
        forward: (3,) unit viewing direction (optical axis), synth world.
        up: (3,) unit image-up direction, orthogonal to ``forward``.
        focal_px: focal length in pixels (square pixels).
        width: image width in pixels.
        height: image height in pixels.
    """

    position: FloatArray
    forward: FloatArray
    up: FloatArray
    focal_px: float
    width: int
    height: int

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        f = _unit(np.asarray(self.forward, dtype=np.float64).reshape(3))
        u = np.asarray(self.up, dtype=np.float64).reshape(3)
        u = _unit(u - f * float(u @ f))
        set_(self, "position", np.asarray(self.position, dtype=np.float64).reshape(3))
        set_(self, "forward", f)
        set_(self, "up", u)
        if not (self.focal_px > 0 and self.width > 0 and self.height > 0):
            raise ValueError(
                f"CameraPose needs positive focal_px and size, got "
                f"{self.focal_px}, {self.width}x{self.height}"
            )

    @property
    def right(self) -> FloatArray:
        """(3,) unit image-right direction in the synth world (forward x up)."""
        return np.cross(self.forward, self.up)

    @classmethod
    def look_at(
        cls,
        position: npt.ArrayLike,
        target: npt.ArrayLike,
        *,
        focal_px: float,
        width: int,
        height: int,
        world_up: npt.ArrayLike = (0.0, 1.0, 0.0),
    ) -> CameraPose:
        """Camera at ``position`` looking at ``target`` (synth world, metres), roll-free."""
        pos = np.asarray(position, dtype=np.float64)
        fwd = _unit(np.asarray(target, dtype=np.float64) - pos)
        return cls(pos, fwd, np.asarray(world_up, dtype=np.float64), focal_px, width, height)

    @property
    def lens_mm(self) -> float:
        """Blender focal length (mm) for a sensor of ``SENSOR_WIDTH_MM`` fitted horizontally."""
        return float(self.focal_px * SENSOR_WIDTH_MM / self.width)

    def project(self, points: npt.ArrayLike) -> FloatArray:
        """Synth-world points (..., 3) -> pixel coordinates (..., 2) (see module doc).

        Points at or behind the camera plane give NaN.
        """
        p = np.asarray(points, dtype=np.float64) - self.position
        depth = p @ self.forward
        x = p @ self.right
        y = p @ self.up
        with np.errstate(divide="ignore", invalid="ignore"):
            u = self.width / 2.0 + self.focal_px * x / depth
            v = self.height / 2.0 - self.focal_px * y / depth
        out = np.stack([u, v], axis=-1)
        out[depth <= 1e-9] = np.nan
        return out

    def depth(self, points: npt.ArrayLike) -> FloatArray:
        """Distance (...,) of points along the optical axis, metres."""
        return (np.asarray(points, dtype=np.float64) - self.position) @ self.forward

    def blender_matrix(self) -> FloatArray:
        """4x4 Blender ``matrix_world`` of the camera object.

        A Blender camera looks down its local -Z with local +Y as image up, so
        the rotation columns are (right, up, -forward), each mapped to Blender axes.
        """
        m = np.eye(4)
        m[:3, 0] = synth_to_blender(self.right)
        m[:3, 1] = synth_to_blender(self.up)
        m[:3, 2] = synth_to_blender(-self.forward)
        m[:3, 3] = synth_to_blender(self.position)
        return m
