"""Synthetic ground truth: a posed body, a camera and MediaPipe-like noise.

``synthesize(profile, camera, noise, body, seed)`` returns a ``Synthetic``
with ``.track`` (a ``PoseTrack`` as MediaPipe would give it) and ``.truth``
(what really happened). Tests and benchmarks measure formcheck against it.

World frame (the "synth world"; shared with ``formcheck.render``)
-----------------------------------------------------------------
Metres. Origin on the floor midway between the two heels' contact points at
t = 0 of the profile. +y up; +x the direction the person faces; +z the
person's right (right-handed). The floor is y = 0.

Joints: ``pose_world_joints(profile, body, times_s) -> (T, 33, 3)``
--------------------------------------------------------------------
Row j is ``Landmark(j)`` (BlazePose order), each the point the pose model
reports, placed on a body whose segment lengths come from height
(Winter 2009 Fig. 4.1; see ``formcheck.synth.body``):

- hips, knees, ankles, shoulders, elbows, wrists: joint centres (hips
  0.105H apart, shoulders 0.22H apart). The front of the knee (what touches a
  wall) is ``body.knee_front`` (0.028H) ahead of the knee point.
- heel: back of the heel, 1.2% of H (2.1 cm at 1.75 m) above the sole and
  0.6% of H behind the heel's floor contact point.
- foot_index: near the tip of the big toe, 0.8% of H above the floor.
- ankle: 0.039H above the sole, a quarter foot length in front of the
  back of the heel.
- Feet pivot at the metatarsal heads (0.72 foot length from the back of
  the heel) during a calf raise: the toes stay flat, the heel rises.
- pinky / index / thumb: near the knuckles of a hand hanging palm-in.
- face points on a head above the shoulders (nose 0.905H, eyes 0.936H,
  ears 0.923H, mouth 0.888H high when upright).

Truth angles use the ``formcheck.angles`` definitions evaluated in the
sagittal (x-y) plane: see ``formcheck.synth.truth``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import NUM_LANDMARKS, Landmark
from formcheck.synth.ankle_circles import AnkleCirclesProfile
from formcheck.synth.body import BodyModel
from formcheck.synth.camera import CameraSpec, PlacedCamera
from formcheck.synth.gait import HeelWalkProfile, LateralHopsProfile, ToeWalkProfile
from formcheck.synth.noise import Corruption, NoiseSpec, corrupt
from formcheck.synth.pose import SIDES, Motion
from formcheck.synth.profiles import (
    BalanceProfile,
    CalfRaiseProfile,
    KneeToWallProfile,
    LungeAttempt,
    Profile,
)
from formcheck.synth.truth import STANDING_FOOT_TO_FLOOR_DEG, sagittal_angles
from formcheck.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "STANDING_FOOT_TO_FLOOR_DEG",
    "AnkleCirclesProfile",
    "BalanceProfile",
    "BodyModel",
    "CalfRaiseProfile",
    "CameraSpec",
    "HeelWalkProfile",
    "KneeToWallProfile",
    "LateralHopsProfile",
    "LungeAttempt",
    "NoiseSpec",
    "PlacedCamera",
    "Profile",
    "Synthetic",
    "ToeWalkProfile",
    "Truth",
    "pose_world_joints",
    "synthesize",
    "world_motion",
]


def _origin_offset(profile: Profile, body: BodyModel) -> FloatArray:
    m0 = profile.motion(body, np.zeros(1))
    mid = 0.5 * (m0.feet["left"]["heel_contact"][0] + m0.feet["right"]["heel_contact"][0])
    return np.array([-mid[0], 0.0, -mid[2]])


def world_motion(profile: Profile, body: BodyModel, times_s: npt.ArrayLike) -> Motion:
    """The posed body at ``times_s`` (T,) in the synth world (origin between the heels at t=0)."""
    t = np.asarray(times_s, dtype=np.float64).reshape(-1)
    return profile.motion(body, t).shifted(_origin_offset(profile, body))


def pose_world_joints(profile: Profile, body: BodyModel, times_s: npt.ArrayLike) -> FloatArray:
    """(T, 33, 3) BlazePose joints in the synth world, metres (see module docstring)."""
    return world_motion(profile, body, times_s).joints


@dataclass(frozen=True, eq=False)
class Truth:
    """What really happened in a synthetic clip.

    Attributes:
        times_s: (T,) frame times, s (frame i at i / fps).
        joints: (T, 33, 3) world joints, metres (synth world).
        feet: ``{side: {point: (T, 3)}}`` foot points in the world, including
            the sole points ``heel_contact``, ``mtp`` and ``toe_tip``.
        heel_height_cm: ``{side: (T,)}`` height of the heel contact point (the
            sole under the heel) above the floor, cm. 0 when the heel is down.
        forefoot_height_cm: ``{side: (T,)}`` height of the sole under the
            metatarsal heads, cm.
        angles: ``{side: {name: (T,)}}`` degrees, every ``formcheck.angles.ANGLES``
            name (ankle_dorsiflexion, tibia_inclination, knee_flexion,
            hip_flexion, foot_to_floor) in the sagittal plane.
        events: truth events (dicts; "kind" plus the drill report's keys).
        wall_x_m: wall plane x (m, world) or None.
        height_cm: the person's height.
        cm_per_px: centimetres per pixel at the depth of the mean hip midpoint.
        camera: the placed camera.
        view, near_side: the camera's view and the person's side nearer to it
            ("right"/"left"; None for front/back views).
        facing: image direction the person faces ("left"/"right"; None front/back).
        noise: the ``NoiseSpec`` used; ``corruption``: what it did per frame.
        clean_track: the track without noise (same timestamps).
    """

    times_s: FloatArray
    joints: FloatArray
    feet: dict[str, dict[str, FloatArray]]
    heel_height_cm: dict[str, FloatArray]
    forefoot_height_cm: dict[str, FloatArray]
    angles: dict[str, dict[str, FloatArray]]
    events: list[dict[str, Any]]
    wall_x_m: float | None
    height_cm: float
    cm_per_px: float
    camera: PlacedCamera
    view: str
    near_side: str | None
    facing: str | None
    noise: NoiseSpec
    corruption: Corruption
    clean_track: PoseTrack
    summary: dict[str, Any] = field(default_factory=dict)

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        """Events of one kind, in time order."""
        return [e for e in self.events if e["kind"] == kind]


@dataclass(frozen=True, eq=False)
class Synthetic:
    """A synthetic clip: the track a pose model would give, and the truth."""

    track: PoseTrack
    truth: Truth


def _base_visibility(
    cam: FloatArray, pix: FloatArray, camera: PlacedCamera, height_m: float
) -> tuple[FloatArray, FloatArray]:
    """Visibility and presence from self-occlusion and the frame edges (T, 33) each.

    A landmark farther from the camera than the hip midpoint, measured
    horizontally (along the camera's forward direction on the floor), is
    increasingly hidden behind the body: visibility falls from 0.98 by up to
    0.35 (0.5 for feet) as it goes 0.08H behind. Horizontal, not along the
    optical axis: a camera that looks down sees the feet below the hips
    farther along its axis, yet nothing hides them (with the axis depth, any
    pitch over ~10 degrees hid both feet). Outside the frame presence is 0.02
    and visibility 0.05.
    """
    hipmid = 0.5 * (cam[:, int(Landmark.LEFT_HIP)] + cam[:, int(Landmark.RIGHT_HIP)])
    rot = np.asarray(camera.rotation, dtype=np.float64)  # rows: camera axes in world coords
    level = rot[2].copy()
    level[1] = 0.0  # the optical axis on the floor (world y is up)
    norm = float(np.linalg.norm(level))
    level = level / norm if norm > 1e-9 else np.array([0.0, 0.0, 1.0]) @ rot
    depth = ((cam - hipmid[:, None, :]) @ rot) @ level  # camera -> world, then along the floor
    behind = np.clip(depth / (0.08 * height_m), 0.0, 1.0)
    drop = np.full(NUM_LANDMARKS, 0.35)
    for side in ("LEFT", "RIGHT"):
        for part in ("ANKLE", "HEEL", "FOOT_INDEX"):
            drop[int(Landmark[f"{side}_{part}"])] = 0.5
    vis = 0.98 - drop[None, :] * behind
    inside = (
        (pix[..., 0] >= 0)
        & (pix[..., 0] <= camera.width)
        & (pix[..., 1] >= 0)
        & (pix[..., 1] <= camera.height)
    )
    vis = np.where(inside, vis, 0.05)
    pres = np.where(inside, 0.98, 0.02)
    return vis, pres


def _to_track(
    cam: FloatArray,
    visibility: FloatArray,
    presence: FloatArray,
    camera: PlacedCamera,
    times: FloatArray,
    fps: float,
    missing: npt.NDArray[np.bool_],
    source: str,
) -> PoseTrack:
    """Camera-frame points -> PoseTrack in MediaPipe's conventions."""
    pix = camera.pixels(cam)
    hipmid = 0.5 * (cam[:, int(Landmark.LEFT_HIP)] + cam[:, int(Landmark.RIGHT_HIP)])
    lm = np.empty_like(cam)
    lm[..., 0] = pix[..., 0] / camera.width
    lm[..., 1] = pix[..., 1] / camera.height
    # MediaPipe z: depth relative to the hip midpoint, on the scale of x
    lm[..., 2] = (
        camera.focal_px * (cam[..., 2] - hipmid[:, None, 2]) / (hipmid[:, None, 2] * camera.width)
    )
    world = cam - hipmid[:, None, :]  # camera axes: x right, y down, z away; origin hip midpoint
    lm[missing] = np.nan
    world[missing] = np.nan
    vis = visibility.copy()
    pres = presence.copy()
    vis[missing] = np.nan
    pres[missing] = np.nan
    return PoseTrack(
        landmarks=lm.astype(np.float32),
        visibility=vis.astype(np.float32),
        presence=pres.astype(np.float32),
        world=world.astype(np.float32),
        timestamps_s=times,
        width=camera.width,
        height=camera.height,
        fps=fps,
        source=source,
        model_variant="synthetic",
        num_people=(~missing).astype(np.int16),
    )


def _fall_pct(first: list[float], last: list[float]) -> float:
    """How much lower the mean of ``last`` is than the mean of ``first``, % (heights, cm)."""
    a, b = float(np.mean(first)), float(np.mean(last))
    return 100.0 * (a - b) / a


def _summary(
    profile: Profile, events: list[dict[str, Any]], motion: Motion, times: FloatArray
) -> dict[str, Any]:
    """Drill-level truth numbers (the keys the drill reports use)."""
    out: dict[str, Any] = {}
    reps = [e for e in events if e["kind"] == "rep" and not e["partial"]]
    if isinstance(profile, CalfRaiseProfile):
        per_rep = sorted({e["index"]: e for e in reps}.values(), key=lambda e: e["index"])
        rises = [e["heel_rise_cm"] for e in per_rep]
        out["rep_count"] = len(per_rep)
        out["partial_count"] = len(profile.partial_reps)
        if rises:
            out["mean_heel_rise_cm"] = float(np.mean(rises))
            out["total_vertical_cm"] = float(np.sum(rises))
            # heights recover in a rest: a fall is each set's own, sets compared by their means
            by_set = [
                [e["heel_rise_cm"] for e in per_rep if e["set"] == k]
                for k in sorted({e["set"] for e in per_rep})
            ]
            falls = [_fall_pct(v[: max(1, len(v) // 3)], v[-max(1, len(v) // 3) :]) for v in by_set]
            out["set_count"] = len(by_set)
            out["reps_per_set"] = [len(v) for v in by_set]
            out["set_fatigue_pct"] = falls
            out["fatigue_pct"] = float(np.mean(falls))
            if len(by_set) > 1:
                out["height_change_over_sets_pct"] = _fall_pct(by_set[0], by_set[-1])
    holds = [e for e in events if e["kind"] == "hold"]
    if holds:
        durations = [e["end_s"] - e["start_s"] for e in holds]
        out["longest_hold_s"] = float(max(durations))
        out["total_hold_s"] = float(sum(durations))
        out["touchdowns"] = sum(e["kind"] == "touchdown" for e in events)
        hipmid = 0.5 * (
            motion.joints[:, int(Landmark.LEFT_HIP)] + motion.joints[:, int(Landmark.RIGHT_HIP)]
        )
        inside = np.zeros(times.shape, bool)
        for e in holds:
            inside |= (times >= e["start_s"]) & (times <= e["end_s"])
        if inside.sum() > 2:
            seg = hipmid[inside] * 100.0
            step = np.linalg.norm(np.diff(seg[:, [0, 2]], axis=0), axis=1)
            gaps = np.diff(np.flatnonzero(inside)) == 1
            out["sway_path_cm"] = float(step[gaps].sum())
            out["sway_velocity_cm_s"] = out["sway_path_cm"] / float(
                np.sum(np.diff(times)[np.flatnonzero(inside)[:-1]][gaps])
            )
            out["sway_ap_rms_cm"] = float(np.std(seg[:, 0]))
            out["sway_ml_rms_cm"] = float(np.std(seg[:, 2]))
    lunges = [e for e in events if e["kind"] == "lunge"]
    if lunges:
        valid = [e for e in lunges if not e["heel_lifted"]]
        if valid:
            best = max(valid, key=lambda e: e["toe_to_wall_cm"])
            out["best_toe_to_wall_cm"] = best["toe_to_wall_cm"]
            out["best_tibia_angle_deg"] = best["tibia_angle_deg"]
    return out


def synthesize(
    profile: Profile,
    camera: CameraSpec | None = None,
    noise: NoiseSpec | None = None,
    body: BodyModel | None = None,
    seed: int = 0,
    *,
    source: str = "synthetic",
) -> Synthetic:
    """Render ``profile`` through ``camera`` with ``noise`` into a track plus truth.

    Defaults: side view from the right at 4 m, 1280x720, 30 fps, 60 degree
    horizontal field of view; realistic noise; a 175 cm person. Everything
    random comes from ``numpy.random.default_rng(seed)``.
    """
    camera = CameraSpec() if camera is None else camera
    noise = NoiseSpec.realistic() if noise is None else noise
    body = BodyModel.from_height(175.0) if body is None else body
    n = max(1, int(np.floor(profile.duration_s * camera.fps + 1e-9)))
    times = np.arange(n) / camera.fps
    offset = _origin_offset(profile, body)
    motion = profile.motion(body, times).shifted(offset)
    if motion.reach_error_m.max() > 1e-3:
        raise AssertionError(  # a profile bug, not a user error
            f"profile posed an ankle {motion.reach_error_m.max() * 100:.1f} cm beyond a straight leg"
        )
    joints = motion.joints
    hipmid = 0.5 * (joints[:, int(Landmark.LEFT_HIP)] + joints[:, int(Landmark.RIGHT_HIP)])
    lo, hi = hipmid.min(axis=0), hipmid.max(axis=0)
    centre = 0.5 * (lo + hi)
    placed = camera.place(centre)
    cm_per_px = placed.cm_per_px(hipmid.mean(axis=0))
    cam_clean = placed.to_camera(joints)
    pix_clean = placed.pixels(cam_clean)
    vis0, pres0 = _base_visibility(cam_clean, pix_clean, placed, body.height_m)
    rng = np.random.default_rng(seed)
    corr = corrupt(
        cam_clean,
        vis0,
        noise,
        height_m=body.height_m,
        foot_length_m=body.foot_length,
        fps=camera.fps,
        rng=rng,
    )
    pres = pres0.copy()
    track = _to_track(
        corr.cam, corr.visibility, pres, placed, times, camera.fps, corr.missing, source
    )
    clean = _to_track(
        cam_clean, vis0, pres0, placed, times, camera.fps, np.zeros(n, bool), source + " (clean)"
    )
    events = profile.events(body)
    wall = profile.wall_x(body)
    view = camera.view
    near = camera.near_side if view in ("side", "oblique") else None
    facing = None
    if view in ("side", "oblique"):
        fwd_img = placed.rotation[0] @ np.array([1.0, 0.0, 0.0])
        facing = "right" if fwd_img > 0 else "left"
    truth = Truth(
        times_s=times,
        joints=joints,
        feet=motion.feet,
        heel_height_cm={s: 100.0 * motion.feet[s]["heel_contact"][:, 1] for s in SIDES},
        forefoot_height_cm={s: 100.0 * motion.feet[s]["mtp"][:, 1] for s in SIDES},
        angles={s: sagittal_angles(joints, s) for s in SIDES},
        events=events,
        wall_x_m=None if wall is None else wall + float(offset[0]),
        height_cm=body.height_cm,
        cm_per_px=cm_per_px,
        camera=placed,
        view=view,
        near_side=near,
        facing=facing,
        noise=noise,
        corruption=corr,
        clean_track=clean,
        summary=_summary(profile, events, motion, times),
    )
    return Synthetic(track=track, truth=truth)
