"""Assemble the 33 BlazePose joints from a pelvis, feet and upper-body pose.

A profile describes, per frame: the pelvis (hip midpoint), the trunk lean, the
arms, and for each foot its points (``body.planted_foot`` / ``body.free_foot``).
``assemble`` places the hips, solves the knees by two-link inverse kinematics
(knees bend toward the foot's forward direction) and returns a ``Motion``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import NUM_LANDMARKS, Landmark
from formcheck.synth.body import ArmPose, BodyModel, knee_ik, upper_body

FloatArray = npt.NDArray[np.float64]
SIDES = ("left", "right")
SIDE_SIGN = {"left": -1.0, "right": 1.0}
"""+z is the person's right."""


@dataclass(frozen=True)
class Motion:
    """Posed body over time (synth world, metres).

    Attributes:
        joints: (T, 33, 3) BlazePose landmark positions (``Landmark`` order).
        feet: ``{side: {point: (T, 3)}}`` with every ``body.FOOT_POINTS`` name
            (heel_contact, heel, ankle, mtp, toe_tip, foot_index).
        knee_front: ``{side: (T, 3)}`` front of the knee (patella surface).
        reach_error_m: (T,) largest distance an ankle was beyond a straight
            leg (0 when every pose was reachable; a profile bug otherwise).
    """

    joints: FloatArray
    feet: dict[str, dict[str, FloatArray]]
    knee_front: dict[str, FloatArray]
    reach_error_m: FloatArray

    def shifted(self, offset: FloatArray) -> Motion:
        """The same motion translated by ``offset`` (3,)."""
        return Motion(
            joints=self.joints + offset,
            feet={s: {k: v + offset for k, v in pts.items()} for s, pts in self.feet.items()},
            knee_front={s: v + offset for s, v in self.knee_front.items()},
            reach_error_m=self.reach_error_m,
        )


def hips(body: BodyModel, pelvis: FloatArray) -> dict[str, FloatArray]:
    """Hip joint centres (T, 3) either side of the pelvis point (no pelvic rotation)."""
    off = np.array([0.0, 0.0, 0.5 * body.hip_spacing])
    return {s: pelvis + SIDE_SIGN[s] * off for s in SIDES}


def foot_forward(feet: dict[str, FloatArray]) -> FloatArray:
    """(T, 3) horizontal unit direction heel -> toe of one foot."""
    d = feet["toe_tip"] - feet["heel"]
    d = d.copy()
    d[:, 1] = 0.0
    n = np.linalg.norm(d, axis=1, keepdims=True)
    return np.asarray(d / np.where(n > 1e-9, n, 1.0))


def assemble(
    body: BodyModel,
    pelvis: FloatArray,
    feet: dict[str, dict[str, FloatArray]],
    *,
    lean_fwd: FloatArray | None = None,
    lean_side: FloatArray | None = None,
    arms: ArmPose | None = None,
) -> Motion:
    """All 33 joints from the pelvis (T, 3), feet and upper-body angles (radians)."""
    n = pelvis.shape[0]
    zeros = np.zeros(n)
    joints = np.full((n, NUM_LANDMARKS, 3), np.nan)
    upper = upper_body(
        body,
        pelvis,
        zeros if lean_fwd is None else lean_fwd,
        zeros if lean_side is None else lean_side,
        ArmPose() if arms is None else arms,
    )
    for name, pts in upper.items():
        joints[:, Landmark[name]] = pts
    hip = hips(body, pelvis)
    reach = np.zeros(n)
    knee_front = {}
    for side in SIDES:
        up = side.upper()
        f = feet[side]
        fwd = foot_forward(f)
        knee, err = knee_ik(body, hip[side], f["ankle"], fwd)
        reach = np.maximum(reach, err)
        joints[:, Landmark[f"{up}_HIP"]] = hip[side]
        joints[:, Landmark[f"{up}_KNEE"]] = knee
        joints[:, Landmark[f"{up}_ANKLE"]] = f["ankle"]
        joints[:, Landmark[f"{up}_HEEL"]] = f["heel"]
        joints[:, Landmark[f"{up}_FOOT_INDEX"]] = f["foot_index"]
        shank = knee - f["ankle"]
        # forward normal of the shank in its sagittal plane (toward the foot's front)
        perp = fwd - shank * (np.sum(fwd * shank, axis=1) / np.sum(shank * shank, axis=1))[:, None]
        perp = perp / np.linalg.norm(perp, axis=1, keepdims=True)
        knee_front[side] = knee + body.knee_front * perp
    return Motion(joints=joints, feet=feet, knee_front=knee_front, reach_error_m=reach)
