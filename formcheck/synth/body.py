"""Kinematic body model: segment lengths from height, feet, legs, trunk, arms, head.

World frame (the synth world, shared with ``formcheck.render``): metres; origin
on the floor midway between the heels' contact points at the start of a motion;
+y up; +x the direction the person faces; +z the person's right (right-handed:
x cross y = z).

Proportions of height H follow the segment-length diagram of Drillis & Contini
(1966) as reproduced in D. A. Winter, *Biomechanics and Motor Control of Human
Movement*, 4th ed. (Wiley 2009), Fig. 4.1: ankle (lateral malleolus) height
0.039H, knee 0.285H, hip (greater trochanter) 0.530H, shoulder 0.818H, chin
0.870H, eye 0.936H; shank 0.246H, thigh 0.245H, upper arm 0.186H, forearm
0.146H, hand 0.108H, foot length 0.152H, foot breadth 0.055H, hip width 0.191H,
shoulder width 0.259H, head (chin to vertex) 0.130H. The vertical chain
ankle + shank + thigh + trunk (hip to shoulder 0.288H) + neck (0.052H) + head
(0.130H) sums to H.

Where Winter gives no number, the values are stated approximations (each
marked *approx.* below): landmark positions inside the body outline
(BlazePose puts hip and shoulder landmarks near the joint centres, narrower
than the outline widths), the foot's internal points and the face points.

Angles in this module are radians; lengths metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# ----------------------------------------------------------- proportions of H
# Winter (2009) Fig. 4.1 (Drillis & Contini 1966), fractions of height.
ANKLE_HEIGHT = 0.039
SHANK = 0.246
THIGH = 0.245
TRUNK = 0.288  # hip (0.530H) to shoulder (0.818H)
NECK = 0.052  # shoulder (0.818H) to chin (0.870H)
HEAD = 0.130  # chin to vertex
UPPER_ARM = 0.186
FOREARM = 0.146
HAND = 0.108
FOOT_LENGTH = 0.152
FOOT_BREADTH = 0.055
HIP_WIDTH = 0.191
SHOULDER_WIDTH = 0.259

# approx.: hip joint centres sit ~0.55 of the bi-trochanteric width apart
# (Bell et al. 1990, J Biomech 23(6):617, place them ~0.36 of the inter-ASIS
# width medial of each ASIS); shoulder landmarks at ~0.85 of Winter's shoulder
# width (biacromial breadth ~0.22H in adult anthropometric surveys).
HIP_JOINT_SPACING = 0.55 * HIP_WIDTH
SHOULDER_SPACING = 0.85 * SHOULDER_WIDTH

# approx.: foot geometry in the foot frame (origin: heel contact point, the
# bottom of the sole under the heel; x forward along the foot, y up), as
# fractions of H. The foot's back edge is 0.006H behind the contact point; the
# toe tip is FOOT_LENGTH in front of the back edge. The ankle joint centre
# sits ~25% of foot length in front of the back of the heel at malleolus height;
# the metatarsal heads (ball of the foot) at ~72% of foot length.
HEEL_BACK = -0.006
FOOT_POINTS: dict[str, tuple[float, float]] = {
    "heel_contact": (0.0, 0.0),
    "heel": (HEEL_BACK, 0.012),  # BlazePose heel: back of the heel, a little above the sole
    "ankle": (HEEL_BACK + 0.25 * FOOT_LENGTH, ANKLE_HEIGHT),
    "mtp": (HEEL_BACK + 0.72 * FOOT_LENGTH, 0.0),  # sole under the metatarsal heads
    "toe_tip": (HEEL_BACK + FOOT_LENGTH, 0.004),  # front of the big toe, near the floor
    "foot_index": (HEEL_BACK + FOOT_LENGTH - 0.004, 0.008),  # BlazePose foot_index
}
REARFOOT = ("heel_contact", "heel", "ankle", "mtp")
"""Points that move with the rearfoot; the rest (toes) stay flat in a calf raise."""

KNEE_FRONT = 0.028
"""approx.: front of the knee (patella surface) ahead of the knee joint centre, fraction of H
(knee depth ~0.056H); this is what touches the wall in the knee-to-wall test."""

# approx.: face points relative to the shoulder centre in the trunk frame
# (forward, up, right), fractions of H; heights from Winter (eye 0.936H, chin
# 0.870H); interpupillary distance ~0.036H, head breadth ~0.085H.
FACE_POINTS: dict[str, tuple[float, float, float]] = {
    "NOSE": (0.057, 0.087, 0.0),
    "LEFT_EYE_INNER": (0.047, 0.118, -0.009),
    "LEFT_EYE": (0.045, 0.118, -0.018),
    "LEFT_EYE_OUTER": (0.040, 0.118, -0.027),
    "RIGHT_EYE_INNER": (0.047, 0.118, 0.009),
    "RIGHT_EYE": (0.045, 0.118, 0.018),
    "RIGHT_EYE_OUTER": (0.040, 0.118, 0.027),
    "LEFT_EAR": (-0.005, 0.105, -0.042),
    "RIGHT_EAR": (-0.005, 0.105, 0.042),
    "MOUTH_LEFT": (0.047, 0.070, -0.014),
    "MOUTH_RIGHT": (0.047, 0.070, 0.014),
}


@dataclass(frozen=True)
class BodyModel:
    """Segment lengths of one person, metres.

    Build with ``BodyModel.from_height(height_cm)``. Every length is a fixed
    fraction of height from Winter (2009) Fig. 4.1 (see module docstring).
    """

    height_m: float
    ankle_height: float
    shank: float
    thigh: float
    trunk: float
    neck: float
    head: float
    upper_arm: float
    forearm: float
    hand: float
    foot_length: float
    foot_breadth: float
    hip_spacing: float
    shoulder_spacing: float
    knee_front: float

    @classmethod
    def from_height(cls, height_cm: float = 175.0) -> BodyModel:
        """Body of the given standing height (cm, 100..230)."""
        if not (100.0 <= float(height_cm) <= 230.0):
            raise ValueError(f"height_cm must be between 100 and 230, got {height_cm}")
        h = float(height_cm) / 100.0
        return cls(
            height_m=h,
            ankle_height=ANKLE_HEIGHT * h,
            shank=SHANK * h,
            thigh=THIGH * h,
            trunk=TRUNK * h,
            neck=NECK * h,
            head=HEAD * h,
            upper_arm=UPPER_ARM * h,
            forearm=FOREARM * h,
            hand=HAND * h,
            foot_length=FOOT_LENGTH * h,
            foot_breadth=FOOT_BREADTH * h,
            hip_spacing=HIP_JOINT_SPACING * h,
            shoulder_spacing=SHOULDER_SPACING * h,
            knee_front=KNEE_FRONT * h,
        )

    @property
    def height_cm(self) -> float:
        return self.height_m * 100.0

    @property
    def leg_length(self) -> float:
        """Hip joint to ankle joint with the knee straight, metres."""
        return self.thigh + self.shank

    @property
    def standing_hip_height(self) -> float:
        """Hip joint height in upright stance, metres (0.530H)."""
        return self.ankle_height + self.shank + self.thigh

    def foot_point(self, name: str) -> FloatArray:
        """(3,) point of the foot frame (x forward, y up, z right), metres."""
        x, y = FOOT_POINTS[name]
        return np.array([x, y, 0.0]) * self.height_m

    @property
    def heel_to_mtp(self) -> float:
        """Horizontal distance heel contact -> metatarsal heads (the calf-raise lever), m."""
        return float(self.foot_point("mtp")[0])


# ------------------------------------------------------------ vector helpers
def unit(v: FloatArray) -> FloatArray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.asarray(v / np.where(n > 0, n, 1.0))


def rot_z(points: FloatArray, angle: FloatArray, pivot: FloatArray) -> FloatArray:
    """Rotate (T, 3) points about the z axis through (T, 3) pivots by (T,) angles (CCW in x-y)."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    d = points - pivot
    x = d[:, 0:1] * c - d[:, 1:2] * s
    y = d[:, 0:1] * s + d[:, 1:2] * c
    return np.asarray(pivot + np.concatenate([x, y, d[:, 2:3]], axis=1))


def rot_y(points: FloatArray, yaw: FloatArray, pivot: FloatArray) -> FloatArray:
    """Rotate (T, 3) points about +y through pivots by (T,) yaw (positive turns +x toward -z)."""
    c, s = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    d = points - pivot
    x = d[:, 0:1] * c + d[:, 2:3] * s
    z = -d[:, 0:1] * s + d[:, 2:3] * c
    return np.asarray(pivot + np.concatenate([x, d[:, 1:2], z], axis=1))


def lean_dir(fwd: FloatArray, side: FloatArray) -> FloatArray:
    """(T, 3) unit direction tilted from +y by ``fwd`` toward +x and ``side`` toward +z.

    The projection on the x-y plane makes exactly angle ``fwd`` with +y, so
    sagittal angles measured from a side view equal the parameters.
    """
    return unit(np.stack([np.tan(fwd), np.ones_like(fwd), np.tan(side)], axis=1))


# --------------------------------------------------------------------- feet
def planted_foot(
    body: BodyModel,
    heel_pos: FloatArray,
    yaw: FloatArray,
    heel_rise: FloatArray,
    toe_lift: FloatArray,
) -> dict[str, FloatArray]:
    """Foot points for a foot on the floor.

    Args:
        heel_pos: (T, 3) where the heel contact point is when the heel is down.
        yaw: (T,) foot direction about +y (0 = along +x; positive turns toward -z, the left).
        heel_rise: (T,) rotation of the rearfoot about the metatarsal heads,
            radians, heel up (the toes stay flat on the floor, as in a calf raise).
        toe_lift: (T,) rotation of the whole foot about the heel contact point,
            radians, toes up (heel walk).

    Returns:
        ``{name: (T, 3)}`` for every name in ``FOOT_POINTS``, world metres.
    """
    n = heel_pos.shape[0]
    zero = np.zeros((n, 3))
    pts = {k: np.broadcast_to(body.foot_point(k), (n, 3)).copy() for k in FOOT_POINTS}
    mtp = pts["mtp"].copy()
    for k in REARFOOT:
        pts[k] = rot_z(pts[k], -heel_rise, mtp)
    pivot = pts["heel_contact"].copy()
    for k in pts:
        pts[k] = rot_z(pts[k], toe_lift, pivot)
    for k in pts:
        pts[k] = rot_y(pts[k], yaw, zero) + heel_pos
    return pts


def free_foot(
    body: BodyModel, ankle_pos: FloatArray, yaw: FloatArray, pitch: FloatArray
) -> dict[str, FloatArray]:
    """Rigid foot (toes in line) hanging from an ankle at ``ankle_pos`` (T, 3).

    ``pitch``: (T,) rotation about the ankle, radians, positive = toes up
    (0 = sole parallel to the floor).
    """
    n = ankle_pos.shape[0]
    ankle0 = np.broadcast_to(body.foot_point("ankle"), (n, 3))
    pts = {}
    for k in FOOT_POINTS:
        p = np.broadcast_to(body.foot_point(k), (n, 3)) - ankle0
        p = rot_z(p, pitch, np.zeros((n, 3)))
        p = rot_y(p, yaw, np.zeros((n, 3)))
        pts[k] = p + ankle_pos
    return pts


# ---------------------------------------------------------------------- legs
def hip_from_ankle(
    body: BodyModel,
    ankle: FloatArray,
    tibia: FloatArray,
    knee_flex: FloatArray,
    side_tilt: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Bottom-up leg: (knee, hip) (T, 3) from a planted ankle and joint angles.

    Args:
        tibia: (T,) shank inclination from vertical in the sagittal plane,
            radians, + knee forward of the ankle.
        knee_flex: (T,) knee flexion, radians (thigh inclination = tibia - knee_flex).
        side_tilt: (T,) frontal-plane tilt of the leg, radians, + knee and hip toward +z.
    """
    knee = ankle + body.shank * lean_dir(tibia, side_tilt)
    hip = knee + body.thigh * lean_dir(tibia - knee_flex, side_tilt)
    return knee, hip


def knee_ik(
    body: BodyModel, hip: FloatArray, ankle: FloatArray, forward: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Knee (T, 3) for given hip and ankle, bending toward ``forward`` (T, 3).

    Returns (knee, reach_error) where reach_error (T,) is how far (m) the ankle
    was beyond the straight leg (0 when reachable).
    """
    d = ankle - hip
    dist = np.linalg.norm(d, axis=1)
    lmax = body.thigh + body.shank
    lmin = abs(body.thigh - body.shank) + 1e-6
    err = np.maximum(dist - lmax, 0.0)
    length = np.clip(dist, lmin, lmax)
    dhat = unit(d)
    a = (body.thigh**2 - body.shank**2 + length**2) / (2 * length)
    h = np.sqrt(np.maximum(body.thigh**2 - a**2, 0.0))
    perp = forward - dhat * np.sum(forward * dhat, axis=1, keepdims=True)
    perp = unit(perp)
    knee = hip + dhat * a[:, None] + perp * h[:, None]
    return knee, err


def leg_fk(
    body: BodyModel,
    hip: FloatArray,
    hip_flex: FloatArray,
    knee_flex: FloatArray,
    side_tilt: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Top-down leg: (knee, ankle) (T, 3) from the hip and joint angles.

    ``hip_flex``: thigh forward of vertical (radians); ``knee_flex``: knee
    flexion (shank inclination = hip_flex - knee_flex, so the foot swings back);
    ``side_tilt``: abduction toward +z (radians, frontal plane).
    """
    thigh_dir = -lean_dir(-hip_flex, -side_tilt)  # pointing down and forward
    knee = hip + body.thigh * thigh_dir
    shank_dir = -lean_dir(-(hip_flex - knee_flex), -side_tilt)
    ankle = knee + body.shank * shank_dir
    return knee, ankle


# --------------------------------------------------------------- upper body
@dataclass(frozen=True)
class ArmPose:
    """Arm joint angles, radians, per frame (T,) or scalars.

    flexion: upper arm raised forward from hanging; abduction: raised sideways;
    elbow: elbow flexion (0 = straight).
    """

    flexion: FloatArray | float = 0.05
    abduction: FloatArray | float = 0.12
    elbow: FloatArray | float = 0.2


def upper_body(
    body: BodyModel,
    pelvis: FloatArray,
    lean_fwd: FloatArray,
    lean_side: FloatArray,
    arms: ArmPose,
) -> dict[str, FloatArray]:
    """Shoulders, arms, hands and face points, ``{LANDMARK_NAME: (T, 3)}``.

    ``pelvis``: (T, 3) hip midpoint; ``lean_fwd``/``lean_side``: trunk tilt from
    vertical toward +x / +z, radians (T,).
    """
    n = pelvis.shape[0]
    up = lean_dir(lean_fwd, lean_side)
    xaxis = np.broadcast_to(np.array([1.0, 0.0, 0.0]), (n, 3))
    fwd = unit(xaxis - up * np.sum(xaxis * up, axis=1, keepdims=True))
    right = np.cross(fwd, up)
    sc = pelvis + body.trunk * up
    out: dict[str, FloatArray] = {}
    for name, (f, u, r) in FACE_POINTS.items():
        h = body.height_m
        out[name] = sc + h * (f * fwd + u * up + r * right)
    for side, s in (("LEFT", -1.0), ("RIGHT", 1.0)):
        sh = sc + s * 0.5 * body.shoulder_spacing * right
        out[f"{side}_SHOULDER"] = sh
        fl = np.broadcast_to(np.asarray(arms.flexion, dtype=np.float64), (n,))[:, None]
        ab = np.broadcast_to(np.asarray(arms.abduction, dtype=np.float64), (n,))[:, None]
        el = np.broadcast_to(np.asarray(arms.elbow, dtype=np.float64), (n,))[:, None]
        d_up = unit(
            np.sin(fl) * np.cos(ab) * fwd - np.cos(fl) * np.cos(ab) * up + s * np.sin(ab) * right
        )
        elbow = sh + body.upper_arm * d_up
        perp = fwd - d_up * np.sum(fwd * d_up, axis=1, keepdims=True)
        perp = unit(np.where(np.linalg.norm(perp, axis=1, keepdims=True) < 1e-6, up, perp))
        d_fore = unit(np.cos(el) * d_up + np.sin(el) * perp)
        wrist = elbow + body.forearm * d_fore
        # hand points (BlazePose index/pinky/thumb sit near the knuckles); palm faces the body
        lateral = unit(np.cross(d_fore, perp)) * s
        out[f"{side}_ELBOW"] = elbow
        out[f"{side}_WRIST"] = wrist
        out[f"{side}_INDEX"] = wrist + body.hand * (0.75 * d_fore + 0.2 * perp)
        out[f"{side}_PINKY"] = wrist + body.hand * (0.65 * d_fore - 0.2 * perp)
        out[f"{side}_THUMB"] = wrist + body.hand * (0.35 * d_fore + 0.3 * perp + 0.1 * lateral)
    return out
