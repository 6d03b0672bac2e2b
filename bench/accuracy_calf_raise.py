"""Accuracy of the calf-raise drill: synthetic truth per noise preset and view,
and the shared real clips vs their hand labels. Prints markdown tables.

Run: python bench/accuracy_calf_raise.py [--seeds N] [--views side,...] [--noise low,...] [--real]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.errors import FormcheckError
from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = [
    "calf_raise_double_front_oblique.mp4",
    "calf_raise_weighted_turning.mp4",
    "calf_raise_single_lower_leg_only.mp4",
]


def synthetic(
    seeds: int,
    views: tuple[str, ...] = ("side", "oblique", "front", "back"),
    noises: tuple[str, ...] = ("low", "realistic", "heavy"),
) -> None:
    print(
        "| view | noise | runs | count exact | per-rep heel rise MAE cm | worst cm | bias cm | set-mean abs err cm | peak time MAE s | up / hold / down MAE s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for view in views:
        for noise in noises:
            exact = 0
            errs: list[float] = []
            set_errs: list[float] = []
            terr: list[float] = []
            phase_err: dict[str, list[float]] = {"up_s": [], "hold_s": [], "down_s": []}
            for seed in range(seeds):
                syn = synthesize(
                    CalfRaiseProfile(reps=8),
                    CameraSpec(view=view),
                    getattr(NoiseSpec, noise)(),
                    seed=seed,
                )
                rep = analyze_track(
                    syn.track, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm)
                )
                truth = float(np.mean([e["heel_rise_cm"] for e in syn.truth.events]))
                peaks = sorted({e["peak_s"] for e in syn.truth.events})
                exact += rep.summary["rep_count"] == 8
                reps = [e for e in rep.events if e["kind"] == "rep" and not e["partial"]]
                errs += [e["heel_rise_cm"] - truth for e in reps]
                if rep.summary["mean_heel_rise_cm"] is not None:
                    set_errs.append(abs(rep.summary["mean_heel_rise_cm"] - truth))
                for e in reps:
                    terr.append(min(abs(e["peak_s"] - p) for p in peaks))
                    near = min(syn.truth.events, key=lambda t, e=e: abs(t["peak_s"] - e["peak_s"]))
                    for k, v in phase_err.items():
                        if e[k] is not None:
                            v.append(abs(e[k] - near[k]))
            mae = np.mean(np.abs(errs)) if errs else float("nan")
            bias = np.mean(errs) if errs else float("nan")
            worst = np.max(np.abs(errs)) if errs else float("nan")
            print(
                f"| {view} | {noise} | {seeds} | {exact}/{seeds} | {mae:.2f} | {worst:.2f} | {bias:+.2f} | "
                f"{np.mean(set_errs) if set_errs else float('nan'):.2f} | "
                f"{np.mean(terr) if terr else float('nan'):.2f} | "
                + " / ".join(f"{np.mean(v) if v else float('nan'):.2f}" for v in phase_err.values())
                + " |"
            )


def real() -> None:
    from formcheck.pose import extract_track

    labels = {e["file"]: e for e in json.loads((SHARED / "videos" / "labels.json").read_text())}
    print("\n| clip | reps (label) | reps found | peak errors s (tol) | note |")
    print("|---|---|---|---|---|")
    for name in REAL:
        lab = labels[name]
        track = extract_track(
            SHARED / "videos" / name, model_path=SHARED / "models" / "pose_landmarker_full.task"
        )
        try:
            rep = analyze_track(track, "calf-raise", DrillOptions())
        except FormcheckError as err:
            print(f"| {name} | {lab['reps']} | - | - | error: {err} |")
            continue
        peaks = [e["peak_s"] for e in rep.events if e["kind"] == "rep" and not e["partial"]]
        errs = [round(abs(a - b), 2) for a, b in zip(peaks, lab["rep_peaks_s"], strict=False)]
        print(
            f"| {name} | {lab['reps']} | {rep.summary['rep_count']} | {errs} "
            f"({lab.get('time_tolerance_s')}) | mean rise {rep.summary['mean_heel_rise_cm']} cm |"
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--real", action="store_true")
    ap.add_argument("--views", default="side,oblique,front,back", help="comma-separated views")
    ap.add_argument(
        "--noise", default="low,realistic,heavy", help="comma-separated presets (none, low, ...)"
    )
    args = ap.parse_args()
    synthetic(args.seeds, tuple(args.views.split(",")), tuple(args.noise.split(",")))
    if args.real:
        real()
