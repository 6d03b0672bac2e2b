"""Memory benchmark: peak RSS of ``extract_track`` on a 1-minute and a 10-minute video.

    python bench/memory.py [--minutes 1 10] [--tmp DIR] [--json out.json]

Each video is the shared knee-to-wall clip looped to length at 360x640, 30 fps
(generated in a temporary folder). Each run is a fresh process; it reports
its peak RSS and its RSS at every 10% of the video, so growth with length
shows. Target (issue 6): the 10-minute peak within 20% of the 1-minute peak.
The landmark arrays themselves grow by design: 33 x (3 + 1 + 1 + 3) float32
per frame = 1056 bytes, 19 MB for 10 minutes at 30 fps.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common


def child(video: str, model: str, workers: int) -> None:
    """Track ``video`` in this process and print a JSON line with the figures."""
    from formcheck.pose import extract_track

    base = common.rss_mb()
    samples: list[tuple[int, float]] = []

    def progress(done: int, total: int) -> None:
        if total and (done * 10) // total != ((done - 1) * 10) // total:
            samples.append((done, round(common.rss_mb(), 1)))

    t0 = time.perf_counter()
    if workers == 1:
        track = extract_track(video, model_path=model, progress=progress)
    else:
        from formcheck.parallel import extract_track_parallel

        track = extract_track_parallel(video, model_path=model, progress=progress, workers=workers)
    secs = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "frames": len(track),
                "seconds": secs,
                "fps": len(track) / secs,
                "rss_before_mb": base,
                "peak_rss_mb": common.peak_rss_mb(),
                "children_peak_rss_mb": common.children_peak_rss_mb(),
                "rss_samples": samples,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--tmp", type=Path, help="folder for generated videos (default: a temp dir)")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.model, args.workers)
        return
    model = common.models().get("full")
    if model is None:
        raise SystemExit("no full pose model found in ../shared/models or models/")
    tmp = args.tmp or Path(tempfile.mkdtemp(prefix="formcheck-bench-"))
    out: dict[str, object] = {"machine": common.machine(), "runs": {}}
    runs: dict[str, object] = {}
    for minutes in args.minutes:
        video = common.make_long_clip(tmp, minutes)
        res = common.run_child(
            Path(__file__),
            ["--child", str(video), "--model", str(model), "--workers", str(args.workers)],
        )
        runs[f"{minutes:g} min"] = res
        print(
            f"{minutes:g} min: {res['frames']} frames in {res['seconds']:.0f} s "
            f"({res['fps']:.1f} fps); RSS before {res['rss_before_mb']:.0f} MB, "
            f"peak {res['peak_rss_mb']:.0f} MB; samples {res['rss_samples']}",
            flush=True,
        )
    out["runs"] = runs
    out["load_after"] = common.load_average()
    peaks = [r["peak_rss_mb"] for r in runs.values()]  # type: ignore[index]
    if len(peaks) >= 2:
        print(f"peak RSS ratio longest/shortest: {peaks[-1] / peaks[0]:.3f} (target <= 1.20)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
