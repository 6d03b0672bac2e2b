"""``formcheck analyze``: measure a drill on a video (or a saved track).

formcheck analyze VIDEO --drill NAME [--height-cm H] [--leg left|right|auto]
    [--json report.json] [--csv frames.csv] [--video annotated.mp4]
    [--track track.npz] [--option KEY=VALUE ...] [--threshold KEY=VALUE ...]
    [--save [--profile NAME]] [--verbose | --quiet]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from formcheck.drills import drill_names


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``analyze`` subcommand."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "analyze",
        help="measure a drill on a video and print the result",
        description="Measure a drill on a video: reps, heights in cm, holds, angles, cues and a score.",
    )
    p.add_argument(
        "video", nargs="?", help="the video file (optional with --track unless --video is asked)"
    )
    p.add_argument(
        "--drill", required=True, choices=drill_names(), help="which drill the video shows"
    )
    p.add_argument(
        "--height-cm", type=float, help="your height in cm: turns pixels into centimetres"
    )
    p.add_argument(
        "--foot-length-cm", type=float, help="your foot (shoe) length in cm, another way to get cm"
    )
    p.add_argument(
        "--marker-cm",
        type=float,
        help="side in cm of a printed ArUco marker (4x4, 5x5, 6x6 or original dictionary) in the "
        "picture: another way to get cm",
    )
    p.add_argument(
        "--leg", choices=("left", "right", "auto"), default="auto", help="leg to analyse"
    )
    p.add_argument(
        "--track",
        metavar="NPZ",
        help="use a saved pose track (from `formcheck track`); skips pose extraction",
    )
    p.add_argument("--save-track", metavar="NPZ", help="also save the extracted pose track here")
    p.add_argument("--json", metavar="PATH", help="write the report as JSON")
    p.add_argument("--csv", metavar="PATH", help="write the per-frame table as CSV")
    p.add_argument(
        "--video", dest="video_out", metavar="MP4", help="write an annotated H.264 video"
    )
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="drill option, e.g. heel_rise_test=true or knee=bent (repeatable)",
    )
    p.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a drill threshold from its TOML file (repeatable)",
    )
    p.add_argument("--model", metavar="TASK", help="pose model bundle (.task) to use")
    p.add_argument("--model-variant", choices=("lite", "full", "heavy"), default="full")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes for pose extraction (default: one per CPU core for clips of 4 s or "
        "more; 1 = a single process)",
    )
    p.add_argument("--save", action="store_true", help="store the result in your local history")
    p.add_argument("--profile", default="me", help="history profile to save under (default: me)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="also print every stored field of each rep / hold / attempt",
    )
    return p


def parse_pairs(pairs: list[str], what: str) -> dict[str, Any]:
    """``["a=1", "b=true", "c=bent"]`` -> ``{"a": 1, "b": True, "c": "bent"}``."""
    from formcheck.errors import FormcheckError

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            example = "knee=bent" if what == "option" else "min_rise_cm=2"
            raise FormcheckError(
                f"Write --{what} as KEY=VALUE, e.g. --{what} {example} (got {pair!r})."
            )
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        out[key.strip()] = value
    return out


def run(args: argparse.Namespace) -> int:
    """Run the analysis; returns the exit code."""
    from formcheck.analysis import analyze_track
    from formcheck.drills.base import DrillOptions
    from formcheck.errors import FormcheckError
    from formcheck.report import write_text_atomic
    from formcheck.text_report import format_report
    from formcheck.track import load_track, save_track

    if args.track is None and args.video is None:
        raise FormcheckError(
            "Give a VIDEO to analyse, or --track with a pose track saved by "
            "`formcheck track VIDEO -o track.npz`."
        )
    if args.video_out and args.video is None:
        raise FormcheckError(
            "An annotated --video is drawn on the source VIDEO: give VIDEO as well as --track."
        )
    options = DrillOptions(
        height_cm=args.height_cm,
        leg=args.leg,
        foot_length_cm=args.foot_length_cm,
        marker_size_cm=args.marker_cm,
        variant=parse_pairs(args.option, "option"),
        thresholds=parse_pairs(args.threshold, "threshold"),
    )
    if args.track:
        track = load_track(args.track)
    else:
        from formcheck.cli import progress_printer
        from formcheck.parallel import extract_track_parallel

        track = extract_track_parallel(
            Path(args.video),
            workers=args.workers,
            model_path=args.model,
            variant=args.model_variant,
            progress=None if args.quiet else progress_printer("pose"),
        )
        if args.save_track:
            save_track(track, args.save_track)
    expected = None
    if args.video is not None:
        from formcheck.video import probe_video

        expected = probe_video(args.video).duration_s
    calibration = None
    if args.marker_cm is not None:
        if args.video is None:
            raise FormcheckError(
                "The marker (--marker-cm) is measured on the source VIDEO: give VIDEO as well "
                "as --track."
            )
        from formcheck.analysis import marker_calibration

        calibration = marker_calibration(args.video, args.marker_cm, track)
    try:
        report = analyze_track(
            track, args.drill, options, calibration=calibration, expected_duration_s=expected
        )
    except ValueError as exc:  # bad threshold/option names come back as ValueError
        raise FormcheckError(str(exc)) from exc
    if args.json:
        write_text_atomic(args.json, report.to_json())
    if args.csv:
        write_text_atomic(args.csv, report.frames_csv())
    if args.video_out:
        from formcheck.cli import progress_printer
        from formcheck.video_out import write_annotated_video

        write_annotated_video(
            args.video,
            track,
            report,
            args.video_out,
            progress=None if args.quiet else progress_printer("video"),
        )
    if args.save:
        from formcheck.history import HistoryStore

        with HistoryStore() as store:
            session_id = store.save_report(report.to_dict(), profile=args.profile)
        if not args.quiet:
            print(f"saved as session {session_id} in {store.path}", file=sys.stderr)
    if not args.quiet:
        print(format_report(report, verbose=args.verbose))
    return 0
