"""What following the background (``formcheck.camera_tracking``) costs per frame.

    python bench/camera_tracking.py [--clips NAME ...] [--max-side N] [--json out.json]

Decodes each shared clip once (as ``extract_track`` would, at ``--max-side``),
then times ``CameraTracker.update`` alone on every frame, with the person's
landmarks from a pose track of the clip (extracted here, not timed). Prints
wall and CPU milliseconds per frame (median and 95th percentile) and the
loadavg; the pose model itself takes 30-150 ms a frame on the benchmark
machine (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

DEFAULT_CLIPS = ("calf_raise_double_front_oblique.mp4", "knee_to_wall_side.mp4", "jumps_side_7.mp4")


def measure(clip: Path, model: str, max_side: int | None) -> dict[str, object]:
    """Per-frame cost of the tracker on ``clip``."""
    from formcheck.camera_tracking import CameraTracker
    from formcheck.pose import extract_track
    from formcheck.video import iter_frames

    track = extract_track(clip, model_path=model, max_side=max_side)
    frames = [f.rgb for f in iter_frames(clip, max_side=max_side)]
    tracker = CameraTracker(track.width, track.height)
    wall, cpu = [], []
    for rgb, lm in zip(frames, track.landmarks, strict=False):
        w0, c0 = time.perf_counter(), time.process_time()
        tracker.update(rgb, lm)
        wall.append(1000 * (time.perf_counter() - w0))
        cpu.append(1000 * (time.process_time() - c0))
    h, w = frames[0].shape[:2]
    return {
        "clip": clip.name,
        "frame": f"{w}x{h}",
        "frames": len(frames),
        "wall_ms_median": round(float(np.median(wall)), 2),
        "wall_ms_p95": round(float(np.percentile(wall, 95)), 2),
        "cpu_ms_median": round(float(np.median(cpu)), 2),
        "loadavg_1min": round(common.load_average()[0], 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", nargs="*", default=list(DEFAULT_CLIPS))
    ap.add_argument("--max-side", type=int, default=0, help="0: full size (the CLI's default)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    model = str(common.models()["full"])
    rows = [
        measure(common.SHARED_VIDEOS / name, model, args.max_side or None) for name in args.clips
    ]
    for r in rows:
        print(json.dumps(r))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
