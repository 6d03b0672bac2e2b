"""``python -m formcheck.render``: render a drill preset to an MP4 and its truth file.

Example::

    python -m formcheck.render --drill calf-raise --view side \\
        --out sample_videos/calf_raise_side.mp4
    python -m formcheck.render --drill calf-raise --view front --yaw 45 \\
        --max-frames 120 --out /tmp/calf_raise_yaw45.mp4
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from formcheck.render.drills import PRESETS, job_for, preset

CALF_PRESETS = frozenset({"calf-raise", "calf-raise-bent-knee", "calf-raise-step"})
"""Presets that take ``--knee-flexion``, ``--heel-rise`` and ``--leg``."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m formcheck.render",
        description="Render a synthetic drill clip (H.264 MP4) and its truth JSON.",
    )
    p.add_argument("--drill", required=True, choices=sorted(PRESETS), help="motion preset")
    p.add_argument("--view", default="side", choices=["side", "front", "oblique", "back"])
    p.add_argument("--near-side", default="right", choices=["left", "right"])
    p.add_argument(
        "--yaw",
        type=float,
        default=0.0,
        help="extra camera azimuth around the person, degrees, added to --view's "
        "(+ moves the camera from the person's front toward their right: "
        "--view front --yaw 45 is front-right oblique, --yaw 90 the right side)",
    )
    p.add_argument(
        "--out", required=True, type=Path, help="output .mp4 (truth: .truth.json beside)"
    )
    p.add_argument("--distance", type=float, default=3.5, help="camera distance, m")
    p.add_argument("--cam-height", type=float, default=1.0, help="lens height above floor, m")
    p.add_argument("--tilt", type=float, default=5.0, help="camera tilt down, degrees")
    p.add_argument("--fov", type=float, default=55.0, help="horizontal field of view, degrees")
    p.add_argument("--size", default="640x480", help="WIDTHxHEIGHT in pixels")
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--height-cm", type=float, default=175.0, help="figure's height, cm")
    p.add_argument("--palette", type=int, default=None, help="colour set 0-3 (default: seed mod 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--crf", type=int, default=28, help="x264 quality (lower = larger file)")
    p.add_argument("--max-frames", type=int, default=None, help="render only the first N frames")
    p.add_argument(
        "--knee-flexion",
        type=float,
        default=None,
        help="knee bend held through a calf-raise set, degrees (default: the preset's, "
        "0 straight-knee, 25 bent-knee)",
    )
    p.add_argument(
        "--leg",
        choices=["left", "right", "both"],
        default=None,
        help="calf-raise presets: the standing leg of a single-leg set (the other foot is "
        "held up behind), or both (the default)",
    )
    p.add_argument(
        "--heel-rise",
        type=float,
        default=None,
        help="heel rise of each calf-raise rep, cm (default: the preset's, 8 straight-knee, "
        "6 bent-knee)",
    )
    p.add_argument(
        "--heel-drop",
        type=float,
        default=None,
        help="calf-raise-step: how far the heels sink below the step between reps, cm "
        "(default: the preset's, 5)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from formcheck.render.clip import render_clip
    from formcheck.render.figure import SEED_PALETTES
    from formcheck.synth.camera import CameraSpec

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print(f"--size must look like 640x480, got {args.size!r}", file=sys.stderr)
        return 2
    pr = preset(args.drill)
    profile = pr.make()
    overrides = {  # profile field: (flag, value)
        "knee_flexion_deg": ("--knee-flexion", args.knee_flexion),
        "heel_rise_cm": ("--heel-rise", args.heel_rise),
        "leg": ("--leg", args.leg),
        "drop_cm": ("--heel-drop", args.heel_drop),
    }
    limits = {
        "knee_flexion_deg": (0.0, 90.0),
        "heel_rise_cm": (0.5, 20.0),
        "drop_cm": (0.5, 10.0),
    }
    for field, (flag, value) in overrides.items():
        if value is None:
            continue
        if args.drill not in CALF_PRESETS:
            print(f"{flag} applies to calf-raise presets, not {args.drill!r}", file=sys.stderr)
            return 2
        if field == "drop_cm" and args.drill != "calf-raise-step":
            print(f"{flag} applies to calf-raise-step, not {args.drill!r}", file=sys.stderr)
            return 2
        if field in limits:
            lo, hi = limits[field]
            if not lo <= value < hi:
                print(f"{flag} must be in [{lo:g}, {hi:g}), got {value:g}", file=sys.stderr)
                return 2
        profile = dataclasses.replace(profile, **{field: value})
    camera = CameraSpec(
        view=args.view,
        distance_m=args.distance,
        height_m=args.cam_height,
        tilt_deg=args.tilt,
        width=width,
        height=height,
        fps=args.fps,
        fov_deg=args.fov,
        near_side=args.near_side,
        yaw_deg=args.yaw,
    )
    palette = args.seed % SEED_PALETTES if args.palette is None else args.palette
    job = job_for(
        profile,
        camera,
        drill=pr.drill,
        height_cm=args.height_cm,
        palette=palette,
        seed=args.seed,
        max_frames=args.max_frames,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()

    def progress(done: int, total: int) -> None:
        if done == total or done % 30 == 0:
            print(f"\r{done}/{total} frames", end="" if done < total else "\n", file=sys.stderr)

    mp4, truth = render_clip(job, args.out, crf=args.crf, progress=progress)
    took = time.monotonic() - start
    print(f"wrote {mp4} ({mp4.stat().st_size / 1024:.0f} KiB) and {truth} in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
