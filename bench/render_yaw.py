"""How formcheck's view/yaw estimate reads on rendered clips of known camera yaw.

Renders short straight-knee calf-raise clips (``python -m formcheck.render
--view front --yaw Y``) with the camera turned Y degrees around the figure
(0 = facing the camera, 90 = profile; + = the figure's right side, - = left),
runs the pose model (``pose_landmarker_full.task``) and the default
conditioning, then ``formcheck.views.classify_view`` and the four yaw cues of
``formcheck.views.estimate_yaw`` (shoulder and hip widths, shoulder and hip
world depths). Prints a markdown table: true yaw, class, median estimate,
median of each cue, and the estimate of a *perfect tracker* (every landmark at
its truth projection, world landmarks = truth joints in camera axes), which
separates what MediaPipe does from what the figure's proportions do.

True yaw is per frame, from the truth file: the angle, in the floor plane,
between the figure's shoulder (and hip) line and the perpendicular to the line
of sight to its midpoint; the median over frames and both pairs is shown.

Set-ups (``--setups``): ``default`` is the render CLI's camera (3.5 m away,
lens 1.0 m up, 5 deg down, 55 deg field of view); ``high`` puts the lens 1.5 m
up, tilted 15 deg down (a phone on a shelf); ``near`` is 2.2 m away (with
``--size 720x1280``, portrait phone video, the figure fills half the frame
height). Each clip is 120 frames (4 s, the lead-in and the first rep) unless
``--frames`` says otherwise: ~40 s of rendering per 640x480 clip (~100 s at
720x1280) and a few seconds of pose model on the shared 2-core machine.

Renders and tracks go to a temporary folder, or to ``--out`` where existing
clips and tracks are reused. Nothing is written into the project.

Usage::

    python bench/render_yaw.py [--yaws 0 30 45 55 65 75 90] [--sides right left]
        [--setups default high] [--size 640x480] [--frames 120] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark
from formcheck.signals import condition_track
from formcheck.track import PoseTrack, load_track, save_track
from formcheck.views import (
    HIP_WIDTH_PER_TORSO,
    SHOULDER_WIDTH_PER_TORSO,
    classify_view,
    estimate_yaw,
)

FloatArray = npt.NDArray[np.float64]

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT.parent / "shared" / "models" / "pose_landmarker_full.task"

SETUPS: dict[str, dict[str, float]] = {
    "default": {"cam_height": 1.0, "tilt": 5.0, "distance": 3.5},
    "high": {"cam_height": 1.5, "tilt": 15.0, "distance": 3.5},
    "near": {"cam_height": 1.0, "tilt": 5.0, "distance": 2.2},
}
"""Camera set-ups: lens height (m), tilt down (deg), horizontal distance (m)."""

CUES = ("shoulder width", "hip width", "shoulder depth", "hip depth")
_PAIRS = (
    (Landmark.RIGHT_SHOULDER, Landmark.LEFT_SHOULDER),
    (Landmark.RIGHT_HIP, Landmark.LEFT_HIP),
)


def cue_yaws(track: PoseTrack) -> FloatArray:
    """(T, 4) yaw in degrees from each cue of ``estimate_yaw``, in ``CUES`` order.

    The same formulas as ``formcheck.views.estimate_yaw`` (widths: arccos(width /
    (reference x torso)) in pixels; depths: atan2(|dz|, |dx|) of the world
    landmarks), without its out-of-frame masking (the rendered figure is always
    fully in the picture); ``main`` checks their median against it.
    """
    px = track.pixels.astype(np.float64)
    world = track.world.astype(np.float64)
    sh = 0.5 * (px[:, Landmark.LEFT_SHOULDER] + px[:, Landmark.RIGHT_SHOULDER])
    hip = 0.5 * (px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP])
    torso = np.linalg.norm(sh - hip, axis=1)
    widths, depths = [], []
    for (a, b), ref in zip(_PAIRS, (SHOULDER_WIDTH_PER_TORSO, HIP_WIDTH_PER_TORSO), strict=True):
        w = np.linalg.norm(px[:, int(b)] - px[:, int(a)], axis=1)
        widths.append(np.degrees(np.arccos(np.clip(w / (ref * torso), 0.0, 1.0))))
        dw = world[:, int(b)] - world[:, int(a)]
        depths.append(np.degrees(np.arctan2(np.abs(dw[:, 2]), np.abs(dw[:, 0]))))
    return np.stack([widths[0], widths[1], depths[0], depths[1]], axis=1)


def _camera_rotation(cam: dict[str, Any]) -> FloatArray:
    """(3, 3) rows = camera right, down, forward in the synth world (truth ``camera``)."""
    fwd = np.asarray(cam["forward"], dtype=np.float64)
    down = -np.asarray(cam["up"], dtype=np.float64)
    right = np.cross(down, fwd)
    return np.stack([right / np.linalg.norm(right), down, fwd])


def true_yaw(truth: dict[str, Any]) -> FloatArray:
    """(T,) true yaw in degrees (0 facing/back to the camera, 90 profile), per frame.

    For the shoulder and the hip pair: the angle in the floor plane (synth x-z)
    between the pair's line and the perpendicular to the line of sight from the
    camera to the pair's midpoint; the mean of the two pairs.
    """
    joints = np.asarray(truth["frames"]["joints_3d"], dtype=np.float64)
    cam = np.asarray(truth["camera"]["position"], dtype=np.float64)
    out = []
    for a, b in _PAIRS:
        d = joints[:, int(b)] - joints[:, int(a)]
        sight = 0.5 * (joints[:, int(a)] + joints[:, int(b)]) - cam
        d2 = d[:, [0, 2]] / np.linalg.norm(d[:, [0, 2]], axis=1, keepdims=True)
        s2 = sight[:, [0, 2]] / np.linalg.norm(sight[:, [0, 2]], axis=1, keepdims=True)
        cos_to_sight = np.abs(np.sum(d2 * s2, axis=1))  # 1 = pair along the sight line
        out.append(np.degrees(np.arcsin(np.clip(cos_to_sight, 0.0, 1.0))))
    return np.asarray(np.mean(out, axis=0))


def perfect_track(truth: dict[str, Any]) -> PoseTrack:
    """A track with every landmark at its truth position: image landmarks at the
    truth projection, world landmarks = truth joints in camera axes around the hip centre."""
    j2 = np.asarray(truth["frames"]["joints_2d"], dtype=np.float64)
    j3 = np.asarray(truth["frames"]["joints_3d"], dtype=np.float64)
    n = j2.shape[0]
    lm = np.zeros((n, 33, 3))
    lm[:, :, 0] = j2[:, :, 0] / truth["width"]
    lm[:, :, 1] = j2[:, :, 1] / truth["height"]
    rot = _camera_rotation(truth["camera"])
    hip = 0.5 * (j3[:, int(Landmark.LEFT_HIP)] + j3[:, int(Landmark.RIGHT_HIP)])
    world = (j3 - hip[:, None, :]) @ rot.T
    lm[:, :, 2] = world[:, :, 2]  # only its sign is used (front/back vote)
    return PoseTrack(
        landmarks=lm.astype(np.float32),
        visibility=np.ones((n, 33), np.float32),
        presence=np.ones((n, 33), np.float32),
        world=world.astype(np.float32),
        timestamps_s=np.asarray(truth["frames"]["time_s"], dtype=np.float64),
        width=int(truth["width"]),
        height=int(truth["height"]),
        fps=float(truth["fps"]),
        model_variant="synthetic",
    )


def render(out: Path, yaw: float, setup: str, size: str, frames: int) -> Path:
    """Render a calf-raise clip seen from ``yaw`` degrees (+ right, - left) unless it exists."""
    if out.exists() and out.with_name(out.stem + ".truth.json").exists():
        return out
    s = SETUPS[setup]
    cmd = [
        sys.executable,
        "-m",
        "formcheck.render",
        "--drill",
        "calf-raise",
        "--view",
        "front",
        "--yaw",
        f"{yaw:g}",
        "--distance",
        f"{s['distance']:g}",
        "--cam-height",
        f"{s['cam_height']:g}",
        "--tilt",
        f"{s['tilt']:g}",
        "--size",
        size,
        "--crf",
        "23",
        "--max-frames",
        str(frames),
        "--out",
        str(out),
    ]
    start = time.monotonic()
    subprocess.run(cmd, check=True, capture_output=True)
    print(f"rendered {out.name} in {time.monotonic() - start:.0f} s", file=sys.stderr)
    return out


def track_of(mp4: Path) -> PoseTrack:
    """Pose track of ``mp4`` (full model), cached beside it as ``.npz``."""
    cached = mp4.with_suffix(".npz")
    if cached.exists():
        return load_track(cached)
    from formcheck.pose import extract_track

    track = extract_track(mp4, model_path=MODEL)
    save_track(track, cached)
    return track


def _med(x: FloatArray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmedian(x))


def measure(mp4: Path) -> dict[str, Any]:
    """Figures of one clip: true yaw, class, estimates and cue medians (degrees)."""
    truth = json.loads(mp4.with_name(mp4.stem + ".truth.json").read_text())
    raw = track_of(mp4)
    track = condition_track(raw).track
    result = classify_view(track)
    yaw = estimate_yaw(track)
    cues = cue_yaws(track)
    ok = np.isfinite(yaw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median_of_cues = np.nanmedian(cues[ok], axis=1)
    if not np.allclose(median_of_cues, yaw[ok], atol=1e-6):
        raise AssertionError("cue_yaws no longer matches formcheck.views.estimate_yaw")
    ideal = perfect_track(truth)
    return {
        "clip": mp4.stem,
        "true_yaw": _med(true_yaw(truth)),
        "view": result.view,
        "near": result.near_side,
        "detected": float(raw.detected.mean()),
        "estimate": _med(yaw),
        "cues": [_med(c) for c in cues.T],
        "perfect": _med(estimate_yaw(ideal)),
        "perfect_cues": [_med(c) for c in cue_yaws(ideal).T],
        "oblique_frames": float(np.mean(result.per_frame == "oblique")),
    }


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown table of ``measure`` rows."""
    head = (
        "| set-up | side | true yaw | class (near) | oblique frames | estimate | "
        + " | ".join(CUES)
        + " | perfect tracker | estimate - truth |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        cues = " | ".join(f"{c:.1f}" for c in r["cues"])
        lines.append(
            f"| {r['setup']} | {r['side']} | {r['true_yaw']:.1f} | {r['view']} ({r['near']}) | "
            f"{100 * r['oblique_frames']:.0f}% | {r['estimate']:.1f} | {cues} | "
            f"{r['perfect']:.1f} | {r['estimate'] - r['true_yaw']:+.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--yaws", nargs="+", type=float, default=[0, 30, 45, 55, 65, 75, 90])
    p.add_argument("--sides", nargs="+", default=["right"], choices=["right", "left"])
    p.add_argument("--setups", nargs="+", default=["default", "high"], choices=sorted(SETUPS))
    p.add_argument("--size", default="640x480", help="WIDTHxHEIGHT in pixels")
    p.add_argument("--frames", type=int, default=120, help="frames per clip (30 fps)")
    p.add_argument("--out", type=Path, default=None, help="keep renders and tracks here")
    p.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    args = p.parse_args(argv)
    if not MODEL.exists():
        print(f"pose model not found at {MODEL}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="formcheck-yaw-") as tmp:
        folder = args.out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for setup in args.setups:
            for side in args.sides:
                for yaw in args.yaws:
                    signed = (yaw if side == "right" else -yaw) + 0.0  # no "-0" name
                    name = f"calf_{setup}_{args.size}_{args.frames}f_yaw{signed:+g}.mp4"
                    mp4 = render(folder / name, signed, setup, args.size, args.frames)
                    row = measure(mp4)
                    row.update(setup=setup, side=side, nominal_yaw=yaw)
                    rows.append(row)
                    print(
                        f"{name}: truth {row['true_yaw']:.1f} estimate {row['estimate']:.1f}",
                        file=sys.stderr,
                    )
    print(f"Calf raise renders, {args.size}, {args.frames} frames, full pose model, degrees:\n")
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
