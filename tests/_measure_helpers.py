"""Builders of small hand-made pose tracks for the measurement tests.

A ``Pose`` is a dict of landmark -> (x_px, y_px); ``track_from_poses`` turns a
list of them into a ``PoseTrack`` (unlisted landmarks are NaN with visibility 0).
"""

from __future__ import annotations

import numpy as np

from formcheck.landmarks import NUM_LANDMARKS, Landmark
from formcheck.track import PoseTrack

Pose = dict[Landmark, tuple[float, float]]


def track_from_poses(
    poses: list[Pose],
    *,
    width: int = 1000,
    height: int = 2000,
    fps: float = 30.0,
    times_s: np.ndarray | None = None,
    z: dict[Landmark, float] | None = None,
    visibility: float = 0.99,
    num_people: np.ndarray | None = None,
) -> PoseTrack:
    """PoseTrack from per-frame pixel positions of named landmarks."""
    n = len(poses)
    lm = np.full((n, NUM_LANDMARKS, 3), np.nan, np.float32)
    vis = np.zeros((n, NUM_LANDMARKS), np.float32)
    for i, pose in enumerate(poses):
        for m, (x, y) in pose.items():
            lm[i, int(m)] = (x / width, y / height, (z or {}).get(m, 0.0))
            vis[i, int(m)] = visibility
    t = np.arange(n) / fps if times_s is None else np.asarray(times_s, np.float64)
    return PoseTrack(
        landmarks=lm,
        visibility=vis,
        presence=vis.copy(),
        world=np.full((n, NUM_LANDMARKS, 3), np.nan, np.float32),
        timestamps_s=t,
        width=width,
        height=height,
        fps=fps,
        source="constructed",
        model_variant="synthetic",
        num_people=num_people if num_people is not None else np.ones(n, np.int16),
    )


def side_pose(
    *,
    facing: str = "right",
    tibia_deg: float = 0.0,
    foot_deg: float = 0.0,
    knee_flex_deg: float = 0.0,
    hip_flex_deg: float = 0.0,
    scale: float = 1.0,
    ankle=(500.0, 1800.0),
) -> Pose:
    """A stick figure seen from the side, built from chosen angles (pixels).

    tibia_deg: shank from vertical, + knee forward; foot_deg: heel above toe;
    knee_flex_deg: thigh direction relative to the shank; hip_flex_deg: trunk
    turned forward relative to the thigh line.
    Both legs are placed identically (left and right overlap).
    """
    s = 1.0 if facing == "right" else -1.0

    def at(p: np.ndarray, length: float, ang_from_up_deg: float) -> np.ndarray:
        a = np.radians(ang_from_up_deg)
        return p + scale * length * np.array([s * np.sin(a), -np.cos(a)])

    ank = np.asarray(ankle, float)
    knee = at(ank, 430.0, tibia_deg)
    # thigh from knee to hip: shank direction rotated back by the knee flexion
    hip = at(knee, 430.0, tibia_deg - knee_flex_deg)
    # trunk: the knee->hip line continued, turned forward by the hip flexion
    shoulder = at(hip, 520.0, tibia_deg - knee_flex_deg + hip_flex_deg)
    heel = at(ank, 80.0, 180.0 + 60.0 + foot_deg)  # behind and below the ankle
    # toe: from the heel along the foot line, tilted down by foot_deg
    f = np.radians(foot_deg)
    toe = heel + scale * 250.0 * np.array([s * np.cos(f), np.sin(f)])
    nose = shoulder + scale * np.array([s * 60.0, -220.0])
    ear = shoulder + scale * np.array([-s * 20.0, -230.0])
    pose: Pose = {Landmark.NOSE: tuple(nose)}
    for side in ("LEFT", "RIGHT"):
        pose[Landmark[f"{side}_ANKLE"]] = tuple(ank)
        pose[Landmark[f"{side}_KNEE"]] = tuple(knee)
        pose[Landmark[f"{side}_HIP"]] = tuple(hip)
        pose[Landmark[f"{side}_SHOULDER"]] = tuple(shoulder)
        pose[Landmark[f"{side}_HEEL"]] = tuple(heel)
        pose[Landmark[f"{side}_FOOT_INDEX"]] = tuple(toe)
        pose[Landmark[f"{side}_EAR"]] = tuple(ear)
        pose[Landmark[f"{side}_EYE"]] = tuple(nose + scale * np.array([-s * 15.0, -20.0]))
    return pose


# 3D stick figure in the body frame (metres): x forward, y up, z the person's right.
_H = 1.75
_BODY3D: dict[str, tuple[float, float, float]] = {
    "NOSE": (0.10, 1.60, 0.0),
    "LEFT_EYE": (0.08, 1.64, -0.03),
    "RIGHT_EYE": (0.08, 1.64, 0.03),
    "LEFT_EAR": (-0.01, 1.62, -0.075),
    "RIGHT_EAR": (-0.01, 1.62, 0.075),
    "LEFT_SHOULDER": (0.0, 1.43, -0.19),
    "RIGHT_SHOULDER": (0.0, 1.43, 0.19),
    "LEFT_HIP": (0.0, 0.93, -0.10),
    "RIGHT_HIP": (0.0, 0.93, 0.10),
    "LEFT_KNEE": (0.02, 0.50, -0.10),
    "RIGHT_KNEE": (0.02, 0.50, 0.10),
    "LEFT_ANKLE": (0.0, 0.07, -0.10),
    "RIGHT_ANKLE": (0.0, 0.07, 0.10),
    "LEFT_HEEL": (-0.05, 0.02, -0.10),
    "RIGHT_HEEL": (-0.05, 0.02, 0.10),
    "LEFT_FOOT_INDEX": (0.20, 0.015, -0.10),
    "RIGHT_FOOT_INDEX": (0.20, 0.015, 0.10),
    "LEFT_WRIST": (0.0, 0.85, -0.25),
    "RIGHT_WRIST": (0.0, 0.85, 0.25),
}


def figure_track(
    yaw_deg: float | np.ndarray,
    *,
    n: int = 30,
    width: int = 1080,
    height: int = 1920,
    px_per_m: float = 900.0,
    noise_px: float = 0.0,
    seed: int = 0,
) -> PoseTrack:
    """Orthographic view of a standing 3D figure turned by ``yaw_deg``.

    yaw 0: facing the camera; +90: facing image-right (right side nearer);
    -90: facing image-left; 180: back to the camera. ``z`` (image depth, x
    units) and ``world`` (metres, camera-aligned, y down) are filled.
    """
    rng = np.random.default_rng(seed)
    yaws = np.broadcast_to(np.asarray(yaw_deg, dtype=float), (n,))
    lm = np.full((n, NUM_LANDMARKS, 3), np.nan, np.float32)
    world = np.full((n, NUM_LANDMARKS, 3), np.nan, np.float32)
    vis = np.zeros((n, NUM_LANDMARKS), np.float32)
    for i, yaw in enumerate(np.radians(yaws)):
        # body forward in camera coords (x right, z away): yaw 0 -> (0, -1) toward camera
        fwd = np.array([np.sin(yaw), -np.cos(yaw)])
        right = np.array([-np.cos(yaw), -np.sin(yaw)])  # body right: image-left when facing
        for name, (bx, by, bz) in _BODY3D.items():
            cx, cz = bx * fwd + bz * right
            cy = -by
            m = int(Landmark[name])
            world[i, m] = (cx, cy + 0.93, cz)
            u = width / 2 + px_per_m * cx + rng.normal(0, noise_px)
            v = height * 0.95 + px_per_m * cy + rng.normal(0, noise_px)
            lm[i, m] = (u / width, v / height, px_per_m * cz / width)
            vis[i, m] = 0.95
    return PoseTrack(
        landmarks=lm,
        visibility=vis,
        presence=vis.copy(),
        world=world,
        timestamps_s=np.arange(n) / 30.0,
        width=width,
        height=height,
        fps=30.0,
        source="figure",
        model_variant="synthetic",
    )
