"""Turn benchmark JSON files into the Markdown tables of docs/BENCHMARKS.md.

    python bench/report.py --speed s.json [s2.json ...] [--memory m.json] [--downscale d.json]

Several speed files (repeated runs) are merged; each figure is the median
over repeats, and the spread (min-max) is shown for frames/s.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path
from typing import Any

KINDS = ("bare", "bare-threaded", "track", "parallel", "cli-track")


def _fps(entry: dict[str, Any]) -> float:
    return float(entry["frames"]) / float(entry["seconds"])


def speed_tables(files: list[Path], clip_fps: float = 30.0) -> str:
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    machine = None
    loads = []
    dropped = 0
    for f in files:
        data = json.loads(f.read_text())
        machine = machine or data["machine"]
        for r in data.get("pose", []):
            if r["bare"].get("detected", 1) < 0.5 * r["track"].get("detected", 0):
                # a reference that finds nobody where formcheck finds the person is
                # broken (e.g. the strided-frame bug fixed in bench/speed.py): skip
                dropped += 1
                continue
            rows.setdefault((r["variant"], r["clip"]), []).append(r)
            loads.append(r["load"][0])
    out = [
        "| model | clip | path | frames/s (median, min-max) | x real time | vs bare "
        "| CPU ms/frame | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (variant, clip), reps in rows.items():
        bare = statistics.median(_fps(r["bare"]) for r in reps)
        for kind in KINDS:
            fps = [_fps(r[kind]) for r in reps]
            med = statistics.median(fps)
            rss = [r[kind].get("peak_rss_mb") for r in reps if r[kind].get("peak_rss_mb")]
            tree = [r[kind]["tree_peak_rss_mb"] for r in reps if "tree_peak_rss_mb" in r[kind]]
            rss_txt = f"{statistics.median(rss):.0f}" if rss else "-"
            if tree:
                one = statistics.median(
                    r[kind]["worker_peak_rss_mb"] for r in reps if "worker_peak_rss_mb" in r[kind]
                )
                rss_txt = f"{statistics.median(tree):.0f} all processes ({one:.0f} per worker)"
            cpu = [1000 * r[kind]["cpu_s"] / r[kind]["frames"] for r in reps if "cpu_s" in r[kind]]
            cpu_txt = f"{statistics.median(cpu):.1f}" if cpu else "-"
            out.append(
                f"| {variant} | {clip} | {kind} | {med:.1f} ({min(fps):.1f}-{max(fps):.1f}) | "
                f"{med / clip_fps:.2f} | {med / bare:.3f} | {cpu_txt} | {rss_txt} |"
            )
    overhead = [
        f"{v} {c}: {statistics.median(_fps(r['bare']) / _fps(r['track']) for r in reps):.3f}"
        for (v, c), reps in rows.items()
    ]
    cpu_overhead = []
    for (v, c), reps in rows.items():
        ratios = [
            r["track"]["cpu_s"] / r["bare"]["cpu_s"]
            for r in reps
            if "cpu_s" in r["track"] and "cpu_s" in r["bare"]
        ]
        if ratios:
            cpu_overhead.append(f"{v} {c}: {statistics.median(ratios):.3f} ({len(ratios)} repeats)")
    head = ""
    if machine:
        head = (
            f"Run {machine['date']}, commit {machine['commit']}; load average (1 min) at the "
            f"pose runs: {min(loads):.1f}-{max(loads):.1f}; repeats per row: "
            + ", ".join(f"{c} {len(r)}" for (_, c), r in rows.items())
            + (f"; {dropped} repeat(s) with a broken reference skipped" if dropped else "")
            + ".\n\n"
        )
    text = (
        head + "\n".join(out) + "\n\nOverhead, wall (bare fps / track fps): " + "; ".join(overhead)
    )
    if cpu_overhead:
        text += "\n\nOverhead, CPU time (track / bare): " + "; ".join(cpu_overhead)
    return text


def analyze_table(files: list[Path]) -> str:
    out = [
        "| drill | clip | frames | analysis alone | CLI on saved track | CLI end to end |",
        "|---|---|---|---|---|---|",
    ]
    for f in files:
        for r in json.loads(f.read_text()).get("analyze", []):
            note = f" ({r['analysis_note']})" if r.get("analysis_note") else ""
            out.append(
                f"| {r['drill']} | {r['clip']} | {r['frames']} | "
                f"{1000 * r['analysis_alone_s']:.0f} ms{note} | {r['cli_on_saved_track_s']:.2f} s | "
                f"{r['end_to_end_s']:.1f} s |"
            )
    return "\n".join(out)


def live_table(files: list[Path]) -> str:
    """Live rows: back to back and camera at 30 fps (older files: synchronous ``process``)."""
    out = [
        "| run | load (1 min) | feed | processed fps | latency p50 / p95 / max (ms) "
        "| offered / processed / dropped | analyses |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, f in enumerate(files):
        r = json.loads(f.read_text()).get("live")
        if not r:
            continue
        load = r.get("load_before", [math.nan])[0]
        loads = f"{load:.1f}-{r['load_after'][0]:.1f}" if "load_after" in r else "-"

        def lat(x: dict[str, Any]) -> str:
            return (
                f"{x['latency_ms_p50']:.0f} / {x['latency_ms_p95']:.0f} / {x['latency_ms_max']:.0f}"
            )

        if "sync" in r:  # before the analysis thread: process() timed, analysis inline
            s = r["sync"]
            out.append(
                f"| {i + 1} | {loads} | synchronous process() | {s['fps']:.1f} | {lat(s)} | "
                f"{s['frames']} / {s['frames']} / 0 | {s['analyses']} |"
            )
        else:
            s = r["back_to_back"]
            out.append(
                f"| {i + 1} | {loads} | submit, back to back | {s['fps']:.1f} | {lat(s)} | "
                f"{s['frames']} / {s['processed']} / {s['frames'] - s['processed']} | "
                f"{s['analyses']} |"
            )
        p = r["paced_30fps"]
        latp = lat(p) if "latency_ms_p50" in p else "-"
        out.append(
            f"| {i + 1} | {loads} | submit, camera at 30 fps | {p['processed_fps']:.1f} | {latp} | "
            f"{p['offered']} / {p['processed']} / {p['dropped']} | {p['analyses']} |"
        )
    return "\n".join(out)


def memory_table(path: Path) -> str:
    data = json.loads(path.read_text())
    out = [
        "| video | frames | RSS after imports MB | peak RSS MB | RSS at 10% / 50% / 100% MB | frames/s |",
        "|---|---|---|---|---|---|",
    ]
    peaks = []
    for name, r in data["runs"].items():
        s = r["rss_samples"]
        pick = [s[0][1], s[len(s) // 2 - 1][1], s[-1][1]] if s else []
        peaks.append(r["peak_rss_mb"])
        out.append(
            f"| {name} | {r['frames']} | {r['rss_before_mb']:.0f} | {r['peak_rss_mb']:.0f} | "
            f"{' / '.join(f'{x:.0f}' for x in pick)} | {r['fps']:.1f} |"
        )
    if len(peaks) >= 2:
        out.append(f"\nPeak ratio longest / shortest: {peaks[-1] / peaks[0]:.3f} (target <= 1.20).")
    return "\n".join(out)


def downscale_table(path: Path) -> str:
    data = json.loads(path.read_text())
    out = [
        "| max_side | frames/s | peak RSS MB | median diff | p95 diff | median diff px (long side) | detection agrees |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in data["rows"]:
        if "median" in r:
            extra = (
                f"{r['median']:.4f} | {r['p95']:.4f} | {r['median_px_long_side']:.1f} | "
                f"{100 * r['detected_agree']:.1f}%"
            )
        else:
            extra = "reference | | | "
        out.append(f"| {r['max_side']} | {r['fps']:.1f} | {r['peak_rss_mb']:.0f} | {extra} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speed", type=Path, nargs="*", default=[])
    ap.add_argument("--memory", type=Path)
    ap.add_argument("--downscale", type=Path)
    a = ap.parse_args()
    if a.speed:
        print("## Pose extraction\n\n" + speed_tables(a.speed) + "\n")
        print("## Analysis\n\n" + analyze_table(a.speed) + "\n")
        print("## Live\n\n" + live_table(a.speed) + "\n")
    if a.memory:
        print("## Memory\n\n" + memory_table(a.memory) + "\n")
    if a.downscale:
        print("## Downscaling\n\n" + downscale_table(a.downscale) + "\n")


if __name__ == "__main__":
    main()
