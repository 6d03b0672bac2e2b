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
