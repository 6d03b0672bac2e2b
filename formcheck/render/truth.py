"""The truth file written beside every rendered clip, and its checker.

A truth file is JSON (``<clip>.truth.json``). Top level:

* ``schema``: ``"formcheck.render.truth/1"``.
* ``clip``: mp4 file name; ``frame_count``; ``fps``; ``width``; ``height``.
* ``world``: a sentence naming the frame (synth world: metres, origin on the
  floor, +y up, +x the way the person faces, +z the person's right).
* ``camera``: ``position``, ``forward``, ``up`` (synth world), ``focal_px``, and
  the ``view`` name, distance, height and tilt it was made from.
* ``figure``: ``height_cm`` (floor to top of the head mesh, standing),
  ``palette`` index.
* ``wall_x_m``: x of the wall face, or null.
* ``step``: ``{"edge_x_m", "height_m"}`` of the step a calf-raise set on a
  step stands on (heights are then above the step's top), or null.
* ``drill``, ``profile`` (the motion parameters), ``events`` (reps, holds,
  lunges, touchdowns from the generator, times in seconds), ``seed``.
* ``frames``: per-frame arrays, outer index = frame:
  ``time_s`` (T,); ``joints_3d`` (T, 33, 3) metres; ``joints_2d`` (T, 33, 2)
  pixels (x right, y down, origin at the top-left corner of the image);
  per side ``left`` / ``right``: ``heel_point_3d`` / ``toe_point_3d`` (T, 3)
  and ``heel_point_2d`` / ``toe_point_2d`` (T, 2): where the rendered sole
  meets the floor under the heel and at the toe pivot (see
  ``formcheck.render.figure.foot_contact``); ``heel_height_cm`` /
  ``toe_height_cm`` (T,) heights of those mesh points above the floor;
  ``sole_lowest_cm`` (T,); ``knee_front_3d`` / ``knee_front_2d``;
  ``ankle_dorsiflexion_deg`` (T,) = 90 - angle(shank, foot), positive when
  the knee is over the toes, negative in a calf raise; ``tibia_inclination_deg``
  (T,) = angle of ankle->knee from vertical, positive with the knee ahead of
  the ankle (what an inclinometer on the shin reads); ``knee_flexion_deg`` (T,);
  optional extra series (``sagittal_*_deg``: the generator's angles with the
  definitions of ``formcheck.angles``, as an ideal side camera sees them).

Numbers are rounded (0.1 mm, 0.01 px, 0.01 deg) to keep the files small.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark
from formcheck.render.coords import CameraPose
from formcheck.render.figure import FigureDims, Part, body_axes, foot_contact

SCHEMA = "formcheck.render.truth/1"
WORLD_FRAME = (
    "synth world: metres; origin on the floor midway between the heels at the start; "
    "+y up; +x the direction the person faces; +z the person's right"
)
FloatArray = npt.NDArray[np.float64]
SIDE_KEYS = (
    "heel_point_3d",
    "toe_point_3d",
    "heel_point_2d",
    "toe_point_2d",
    "heel_height_cm",
    "toe_height_cm",
    "sole_lowest_cm",
    "knee_front_3d",
    "knee_front_2d",
    "ankle_dorsiflexion_deg",
    "tibia_inclination_deg",
    "knee_flexion_deg",
)
TOP_KEYS = (
    "schema",
    "clip",
    "frame_count",
    "fps",
    "width",
    "height",
    "world",
    "camera",
    "figure",
    "wall_x_m",
    "drill",
    "profile",
    "events",
    "seed",
    "frames",
)


def _angle_deg(a: FloatArray, b: FloatArray) -> FloatArray:
    """Unsigned angle (T,) between row vectors a and b (T, 3), degrees."""
    cos = np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def leg_angles(joints: FloatArray, side: str) -> dict[str, FloatArray]:
    """Ankle, tibia and knee angles (T,) in degrees of one leg from 3D joints (T, 33, 3).

    ``tibia_inclination_deg`` is signed by the body's forward direction
    (pelvis frame), measured in the sagittal plane of the body.
    """
    s = side.upper()
    hip, knee, ankle, heel, toe = (
        joints[:, int(Landmark[f"{s}_{p}"])] for p in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")
    )
    shank = knee - ankle
    dorsi = 90.0 - _angle_deg(shank, toe - heel)
    _, _, forward = body_axes(joints)
    up = np.array([0.0, 1.0, 0.0])
    fwd_h = forward - up * np.sum(forward * up, axis=-1, keepdims=True)
    fwd_h /= np.linalg.norm(fwd_h, axis=-1, keepdims=True)
    tibia = np.degrees(np.arctan2(np.sum(shank * fwd_h, axis=-1), shank[:, 1]))
    knee_flex = 180.0 - _angle_deg(hip - knee, ankle - knee)
    return {
        "ankle_dorsiflexion_deg": dorsi,
        "tibia_inclination_deg": tibia,
        "knee_flexion_deg": knee_flex,
    }


def figure_height_m(parts: list[Part]) -> float:
    """Floor-to-crown height (m) of the figure in its first frame (top of the hair/head mesh)."""
    tops = [p.vertices[0, :, 1].max() for p in parts if p.name in ("head", "hair")]
    return float(max(tops))


def _r(x: npt.ArrayLike, nd: int) -> Any:
    return np.round(np.asarray(x, dtype=np.float64), nd).tolist()


def build_truth(
    *,
    joints: FloatArray,
    times_s: FloatArray,
    parts: list[Part],
    dims: FigureDims,
    camera: CameraPose,
    fps: float,
    clip_name: str,
    view: dict[str, Any],
    palette: int,
    wall_x: float | None,
    drill: str,
    profile: dict[str, Any],
    events: list[dict[str, Any]],
    seed: int,
    extra_series: dict[str, dict[str, FloatArray]] | None = None,
    step: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The truth dictionary for one clip (see module docstring for the layout)."""
    t = joints.shape[0]
    frames: dict[str, Any] = {
        "time_s": _r(times_s, 5),
        "joints_3d": _r(joints, 4),
        "joints_2d": _r(camera.project(joints), 2),
    }
    for side in ("left", "right"):
        fc = foot_contact(parts, joints, side, dims)
        ang = leg_angles(joints, side)
        frames[side] = {
            "heel_point_3d": _r(fc.heel_point, 4),
            "toe_point_3d": _r(fc.toe_point, 4),
            "heel_point_2d": _r(camera.project(fc.heel_point), 2),
            "toe_point_2d": _r(camera.project(fc.toe_point), 2),
            "heel_height_cm": _r(fc.heel_point[:, 1] * 100, 2),
            "toe_height_cm": _r(fc.toe_point[:, 1] * 100, 2),
            "sole_lowest_cm": _r(fc.lowest * 100, 2),
            "knee_front_3d": _r(fc.knee_front, 4),
            "knee_front_2d": _r(camera.project(fc.knee_front), 2),
            **{k: _r(v, 2) for k, v in ang.items()},
            **{k: _r(v, 2) for k, v in (extra_series or {}).get(side, {}).items()},
        }
    return {
        "schema": SCHEMA,
        "clip": clip_name,
        "frame_count": int(t),
        "fps": float(fps),
        "width": int(camera.width),
        "height": int(camera.height),
        "world": WORLD_FRAME,
        "camera": {
            "position": _r(camera.position, 4),
            "forward": _r(camera.forward, 6),
            "up": _r(camera.up, 6),
            "focal_px": round(float(camera.focal_px), 3),
            **view,
        },
        "figure": {"height_cm": round(figure_height_m(parts) * 100, 2), "palette": palette},
        "wall_x_m": None if wall_x is None else round(float(wall_x), 4),
        "step": None
        if step is None
        else {"edge_x_m": round(float(step[0]), 4), "height_m": round(float(step[1]), 4)},
        "drill": drill,
        "profile": profile,
        "events": events,
        "seed": int(seed),
        "frames": frames,
    }


def write_truth(truth: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``truth`` as compact JSON (atomic rename); returns the path."""
    check_truth(truth)
    out = Path(path)
    tmp = out.with_name(out.name + ".partial")
    tmp.write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    os.replace(tmp, out)
    return out


def load_truth(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a truth file; raises ValueError naming what is wrong."""
    truth: dict[str, Any] = json.loads(Path(path).read_text())
    check_truth(truth)
    return truth


def check_truth(truth: dict[str, Any]) -> None:
    """Raise ValueError if ``truth`` does not follow the layout in the module docstring."""
    missing = [k for k in TOP_KEYS if k not in truth]
    if missing:
        raise ValueError(f"truth file lacks {missing}")
    if truth["schema"] != SCHEMA:
        raise ValueError(f"truth schema {truth['schema']!r}; this formcheck reads {SCHEMA!r}")
    n = truth["frame_count"]
    fr = truth["frames"]
    shapes: dict[str, tuple[int, ...]] = {
        "time_s": (n,),
        "joints_3d": (n, 33, 3),
        "joints_2d": (n, 33, 2),
    }
    for key, shape in shapes.items():
        got = np.asarray(fr[key], dtype=np.float64).shape
        if got != shape:
            raise ValueError(f"truth frames.{key}: expected shape {shape}, got {got}")
    for side in ("left", "right"):
        for key in SIDE_KEYS:
            arr = np.asarray(fr[side][key], dtype=np.float64)
            want = (n, 3) if key.endswith("_3d") else (n, 2) if key.endswith("_2d") else (n,)
            if arr.shape != want:
                raise ValueError(
                    f"truth frames.{side}.{key}: expected shape {want}, got {arr.shape}"
                )
    times = np.asarray(fr["time_s"])
    if n > 1 and not np.all(np.diff(times) > 0):
        raise ValueError("truth frames.time_s must be strictly increasing")
    if not truth["fps"] > 0:
        raise ValueError(f"truth fps must be positive, got {truth['fps']}")
