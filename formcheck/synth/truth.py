"""Truth angles from 3D joints, with exactly the definitions of ``formcheck.angles``.

Each angle in ``formcheck.angles.ANGLES`` is evaluated on the world joints
projected onto the **sagittal plane** (world x = forward, y = up; z dropped):
what an ideal orthographic camera exactly side-on would see. In that plane:

- ``ankle_dorsiflexion`` = 90 - angle(ankle->knee, heel->foot_index); + dorsiflexion.
- ``tibia_inclination`` = angle of ankle->knee from vertical; + knee forward of the ankle.
- ``knee_flexion`` = 180 - angle(hip-knee-ankle) (signed; + flexion).
- ``hip_flexion`` = angle(hip->shoulder, hip->knee) - 180; + thigh forward.
- ``foot_to_floor`` = angle of heel->foot_index from the floor; + heel above toe.

Landmark points (BlazePose heel and foot_index, not the sole) define the
foot line, so ``foot_to_floor`` is not 0 standing flat: the heel landmark
sits 0.4% of H higher than foot_index, so it is ``STANDING_FOOT_TO_FLOOR_DEG``
(+1.55 degrees), and ``ankle_dorsiflexion`` with the shank vertical is -1.55.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from formcheck.angles import ANGLES
from formcheck.landmarks import Landmark, side_landmark
from formcheck.synth.body import FOOT_POINTS

FloatArray = npt.NDArray[np.float64]

_hx, _hy = FOOT_POINTS["heel"]
_tx, _ty = FOOT_POINTS["foot_index"]
STANDING_FOOT_TO_FLOOR_DEG = float(np.degrees(np.arctan2(_hy - _ty, _tx - _hx)))
"""``foot_to_floor`` of a flat foot with this model's landmark placement (degrees, + heel above toe)."""


def _part(side: str, part: str) -> Landmark:
    try:
        return Landmark[part.upper()]
    except KeyError:
        return side_landmark(side, part)


def sagittal_angles(joints: FloatArray, side: str) -> dict[str, FloatArray]:
    """Every ``ANGLES`` entry for one side, degrees (T,), from world joints (T, 33, 3)."""
    xy = joints[:, :, :2]
    out: dict[str, FloatArray] = {}
    for name, d in ANGLES.items():
        a0, a1 = (_part(side, p) for p in d.a)
        a = xy[:, int(a1)] - xy[:, int(a0)]
        if d.b == "up":
            b = np.broadcast_to(np.array([0.0, 1.0]), a.shape)
        elif d.b == "forward":
            b = np.broadcast_to(np.array([1.0, 0.0]), a.shape)
        elif isinstance(d.b, tuple):
            b0, b1 = (_part(side, p) for p in d.b)
            b = xy[:, int(b1)] - xy[:, int(b0)]
        else:
            raise ValueError(f"angle {name!r}: unsupported reference {d.b!r}")
        theta = np.degrees(np.arctan2(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], np.sum(a * b, axis=1)))
        val = d.offset_deg + d.sign * theta
        out[name] = (val + 180.0) % 360.0 - 180.0
    return out
