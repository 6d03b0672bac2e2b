"""Drill presets for rendering: synth motion profiles sized for short sample clips.

``PRESETS`` maps a preset name to a factory of a ``formcheck.synth`` motion
profile and the formcheck drill it exercises; ``job_for`` turns a profile and a
``CameraSpec`` into a ``RenderJob`` (joints, foot points, camera, truth events)
in the synth world, with the origin on the floor midway between the heels at
the first frame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark
from formcheck.render.clip import RenderJob
from formcheck.render.coords import CameraPose
from formcheck.synth import gait, world_motion
from formcheck.synth import profiles as prof
from formcheck.synth.body import BodyModel
from formcheck.synth.camera import CameraSpec
from formcheck.synth.truth import sagittal_angles

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Preset:
    """A named motion for a sample clip.

    Attributes:
        drill: formcheck drill name the clip exercises.
        make: builds the profile (frozen synth dataclass).
        about: one line for the README.
    """

    drill: str
    make: Callable[[], Any]
    about: str


def _single_leg_sets(legs: tuple[str, ...]) -> prof.CalfRaiseProfile:
    """Single-leg sets of 3 reps of 8 cm, one per entry of ``legs``, 3.5 s apart."""
    return prof.CalfRaiseProfile(
        reps=3,
        sets=len(legs),
        set_legs=legs,
        set_rest_s=3.5,
        heel_rise_cm=8.0,
        up_s=0.8,
        hold_s=0.3,
        down_s=0.9,
        rest_s=0.2,
        lead_in_s=1.0,
        lead_out_s=0.8,
    )


PRESETS: dict[str, Preset] = {
    "calf-raise": Preset(
        "calf-raise",
        lambda: prof.CalfRaiseProfile(
            reps=2,
            heel_rise_cm=8.0,
            up_s=0.8,
            hold_s=0.4,
            down_s=1.0,
            rest_s=0.4,
            lead_in_s=0.8,
            lead_out_s=0.8,
        ),
        "calf raises, both legs, straight knee: 2 reps of 8 cm heel rise",
    ),
    "calf-raise-step": Preset(
        "calf-raise",
        lambda: prof.CalfRaiseProfile(
            reps=3,
            heel_rise_cm=8.0,
            up_s=0.8,
            hold_s=0.4,
            down_s=1.0,
            rest_s=2.6,
            lead_in_s=1.5,
            lead_out_s=1.5,
            drop_cm=5.0,
        ),
        "calf raises on a step, both legs: 3 reps of 8 cm, the heels sinking 5 cm below "
        "the step between reps",
    ),
    "calf-raise-bent-knee": Preset(
        "calf-raise",
        lambda: prof.CalfRaiseProfile(
            reps=2,
            heel_rise_cm=6.0,
            up_s=0.8,
            hold_s=0.4,
            down_s=1.0,
            rest_s=0.4,
            lead_in_s=0.8,
            lead_out_s=0.8,
            knee_flexion_deg=25.0,
        ),
        "bent-knee (soleus) calf raises: knees bent 25 degrees, 2 reps of 6 cm",
    ),
    "calf-raise-leg-change": Preset(
        "calf-raise",
        lambda: _single_leg_sets(("left", "right")),
        "single-leg calf raises: 3 reps of 8 cm on the left leg, then 3 on the right",
    ),
    "calf-raise-alternating": Preset(
        "calf-raise",
        lambda: _single_leg_sets(("left", "right", "left")),
        "single-leg calf raises in alternating sets: 3 reps of 8 cm on the left leg, "
        "3 on the right, 3 on the left again",
    ),
    "balance": Preset(
        "balance",
        lambda: prof.BalanceProfile(
            duration=5.0,
            stance_leg="left",
            holds=((0.8, 3.8),),
            lift_s=0.5,
            lower_s=0.4,
            shift_s=0.5,
        ),
        "single-leg balance on the left leg: free (right) foot up at 0.8 s, touchdown at 3.8 s",
    ),
    "knee-to-wall": Preset(
        "knee-to-wall",
        lambda: prof.KneeToWallProfile(
            leg="right",
            attempts=(prof.LungeAttempt(10.0), prof.LungeAttempt(12.0, heel_lift_cm=2.5)),
            approach_s=1.0,
            hold_s=0.8,
            return_s=0.8,
            rest_s=0.4,
            lead_in_s=0.5,
            lead_out_s=0.5,
        ),
        "knee-to-wall, right leg: 10 cm with the heel down, then 12 cm with a 2.5 cm heel lift",
    ),
    "heel-walk": Preset(
        "heel-walk",
        lambda: gait.HeelWalkProfile(steps=6, lead_in_s=0.6, setup_s=0.6, lead_out_s=0.6),
        "heel walk: 6 steps of 25 cm on the heels, toes up 25 degrees",
    ),
    "toe-walk": Preset(
        "toe-walk",
        lambda: gait.ToeWalkProfile(steps=6, lead_in_s=0.6, setup_s=0.6, lead_out_s=0.6),
        "toe walk: 6 steps of 25 cm on the balls of the feet, heels 6 cm up",
    ),
    "lateral-hops": Preset(
        "lateral-hops",
        lambda: gait.LateralHopsProfile(hops=6, lead_in_s=0.6, lead_out_s=0.6),
        "lateral hops: 6 two-footed hops of 30 cm side to side",
    ),
}
"""Sample-clip motions by name; each a few seconds long."""


def preset(name: str) -> Preset:
    """The preset ``name``; ValueError listing the choices if unknown."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(
            f"unknown drill preset {name!r}; expected one of {sorted(PRESETS)}"
        ) from None


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


STEP_HEIGHT_M = 0.18
"""Height of the rendered step, m (a stair's rise is 15-20 cm)."""

STEP_EDGE_BEHIND_BALL_M = 0.01
"""How far behind the balls of the feet the step's edge is, m: the forefoot
rests on the edge and the rearfoot overhangs it."""


def _step_under(profile: Any, motion: Any) -> tuple[float, float] | None:
    """``(edge_x, height)`` (m) of a step for a calf-raise set whose heels sink below it."""
    if not isinstance(profile, prof.CalfRaiseProfile) or profile.drop_cm <= 0:
        return None
    ball_x = min(float(motion.feet[s]["mtp"][0, 0]) for s in ("left", "right"))
    return ball_x - STEP_EDGE_BEHIND_BALL_M, STEP_HEIGHT_M


def job_for(
    profile: Any,
    camera: CameraSpec,
    *,
    drill: str,
    height_cm: float = 175.0,
    palette: int = 0,
    seed: int = 0,
    max_frames: int | None = None,
) -> RenderJob:
    """A ``RenderJob`` for ``profile`` seen by ``camera`` (frame i at i / fps seconds).

    The motion is moved so the world origin is on the floor midway between the
    heel contact points at t = 0 (``formcheck.synth.world_motion``); the camera
    aims where ``formcheck.synth.synthesize`` aims it (the middle of the hip path).
    """
    body = BodyModel.from_height(height_cm)
    n = int(np.floor(profile.duration_s * camera.fps + 1e-9))
    if max_frames is not None:
        n = min(n, max_frames)
    if n < 2:
        raise ValueError(f"profile too short for {camera.fps} fps: {profile.duration_s} s")
    t = np.arange(n) / camera.fps
    motion = world_motion(profile, body, t)
    m0 = profile.motion(body, np.zeros(1))
    offset = motion.joints[0, 0] - m0.joints[0, 0]  # the generator's origin shift
    hip_mid = motion.joints[:, [int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)]].mean(axis=1)
    # aimed like formcheck.synth.synthesize: at the middle of the hip path's extent
    placed = camera.place(0.5 * (hip_mid.min(axis=0) + hip_mid.max(axis=0)))
    cam = CameraPose(
        placed.position, placed.forward, placed.up, placed.focal_px, camera.width, camera.height
    )
    wall = profile.wall_x(body)
    step = _step_under(profile, motion)
    events = _jsonable(profile.events(body))
    sag = {
        side: {f"sagittal_{k}_deg": v for k, v in sagittal_angles(motion.joints, side).items()}
        for side in ("left", "right")
    }
    return RenderJob(
        joints=motion.joints,
        times_s=t,
        camera=cam,
        fps=camera.fps,
        height_m=body.height_m,
        wall_x=None if wall is None else float(wall + offset[0]),
        step=step,
        palette=palette,
        drill=drill,
        profile={"type": type(profile).__name__, **_jsonable(profile)},
        events=events,
        view={
            "view": camera.view,
            "near_side": camera.near_side,
            "distance_m": camera.distance_m,
            "height_m": camera.height_m,
            "tilt_deg": camera.tilt_deg,
            "yaw_deg": camera.yaw_deg,
            "origin_shift_m": [round(float(v), 5) for v in offset],
        },
        seed=seed,
        feet={s: {k: np.asarray(v) for k, v in pts.items()} for s, pts in motion.feet.items()},
        extra_series=sag,
    )
