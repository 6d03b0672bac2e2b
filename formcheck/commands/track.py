"""``formcheck track VIDEO -o track.npz``: extract and save the pose track of a video."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from formcheck.commands import ProgressBar
from formcheck.models import VARIANTS

_FEW_DETECTIONS = 0.5
"""Below this fraction of frames with a person the summary says how to film."""


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``track`` subcommand."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "track",
        help="extract the pose track of a video and save it (.npz)",
        description="Run pose estimation on every frame of a video and save the track as .npz.",
    )
    p.add_argument("video", help="the video file (mp4, mov, webm, avi, ...)")
    p.add_argument("-o", "--output", required=True, metavar="NPZ", help="where to save the track")
    p.add_argument(
        "--model-variant",
        choices=VARIANTS,
        default="full",
        help="pose model: lite (fastest), full (default) or heavy (most accurate)",
    )
    p.add_argument("--model", metavar="PATH", help="use this .task model bundle")
    p.add_argument(
        "--max-side",
        type=int,
        metavar="PX",
        help="shrink frames so the longer side is at most PX pixels before the model",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes for pose extraction (default: one per CPU core for clips of 4 s or "
        "more; 1 = a single process)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def run(args: argparse.Namespace) -> int:
    """Extract, save, print a one-line summary; returns the exit status."""
    from formcheck.parallel import extract_track_parallel
    from formcheck.track import save_track
    from formcheck.video import DecodeStats

    bar = None if args.quiet else ProgressBar(Path(args.video).name)
    stats = DecodeStats()
    start = time.perf_counter()
    try:
        track = extract_track_parallel(
            args.video,
            workers=args.workers,
            model_path=args.model,
            variant=args.model_variant,
            progress=bar,
            max_side=args.max_side,
            stats=stats,
        )
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - start
    out = save_track(track, args.output)
    n = len(track)
    pct = 100.0 * track.detected_fraction
    print(
        f"{out}: {n} frames ({track.duration_s:.1f} s of video), person detected in "
        f"{pct:.1f}% of frames, {n / max(elapsed, 1e-9):.1f} frames/s "
        f"({track.model_variant} model)"
    )
    for note in stats.messages:
        print(f"note: {note}", file=sys.stderr)
    from formcheck.analysis import truncation_issue
    from formcheck.video import probe_video

    cut = truncation_issue(track, probe_video(args.video).duration_s)
    if cut is not None:
        print(f"warning: {cut.message}", file=sys.stderr)
    crowded = float((track.num_people > 1).mean()) if n else 0.0
    if crowded > 0:
        print(
            f"note: more than one person in {100 * crowded:.0f}% of frames; the track follows "
            "the largest, most central person at the start",
            file=sys.stderr,
        )
    if n and track.detected_fraction < _FEW_DETECTIONS:
        print(
            f"warning: no person found in {100 - pct:.0f}% of frames: film from further away so "
            "your whole body, feet included, is in the picture, in good light",
            file=sys.stderr,
        )
    return 0
