"""Does shrinking big frames before the pose model change the landmarks? At what speed gain?

    python bench/downscale.py [--clip NAME] [--sides 1280 960 720 480] [--json out.json]

Runs ``extract_track`` on a 1080x1920 shared clip at full size and with
``max_side`` = each of ``--sides`` (fresh process each) and reports frames/s
and the landmark difference from the full-size track, in normalised image
units, on landmarks visible (> 0.5) in both. For scale: two runs of the same
frames whose tracker restarted once differ by a median 0.002 and a p95 of
0.006-0.008 (see ``formcheck/parallel.py``): differences at that level are
tracker noise, not a loss of accuracy.
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


def child(video: str, model: str, side: int, npz: str) -> None:
    """Track at ``max_side`` = ``side`` (0 = full size), save the track, print a JSON line."""
    from formcheck.pose import extract_track
    from formcheck.track import save_track

    t0 = time.perf_counter()
    tr = extract_track(video, model_path=model, max_side=side or None)
    secs = time.perf_counter() - t0
    save_track(tr, npz)
    print(json.dumps({"frames": len(tr), "seconds": secs, "peak_rss_mb": common.peak_rss_mb()}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", default=common.SOURCE_CLIP, help="shared clip name")
    ap.add_argument("--sides", type=int, nargs="+", default=[1280, 960, 720, 480])
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        video, model, side, npz = args.child
        child(video, model, int(side), npz)
        return
    import numpy as np

    from formcheck.track import load_track

    model = common.models().get("full")
    if model is None:
        raise SystemExit("no full pose model found")
    video = common.SHARED_VIDEOS / args.clip
    tmp = Path(tempfile.mkdtemp(prefix="formcheck-downscale-"))
    out: dict[str, object] = {"machine": common.machine(), "clip": args.clip, "rows": []}
    rows = []
    ref = None
    for side in [0, *args.sides]:
        npz = tmp / f"s{side}.npz"
        res = common.run_child(
            Path(__file__), ["--child", str(video), str(model), str(side), str(npz)]
        )
        tr = load_track(npz)
        row = {"max_side": side or "full", "fps": res["frames"] / res["seconds"], **res}
        if ref is None:
            ref = tr
        else:
            vis = (tr.visibility > 0.5) & (ref.visibility > 0.5)
            d = np.linalg.norm(tr.landmarks[..., :2] - ref.landmarks[..., :2], axis=2)[vis]
            row.update(
                median=float(np.median(d)),
                p95=float(np.percentile(d, 95)),
                median_px_long_side=float(np.median(d) * max(ref.width, ref.height)),
                detected_agree=float((tr.detected == ref.detected).mean()),
            )
        rows.append(row)
        print(json.dumps(row), flush=True)
    out["rows"] = rows
    out["load_after"] = common.load_average()
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
