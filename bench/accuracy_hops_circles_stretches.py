"""Accuracy of lateral-hops and the timed stretches vs synthetic truth (and the
shared real clips when a stored track is given). Prints markdown tables.

    python bench/accuracy_hops_circles_stretches.py [--tracks DIR]

``--tracks DIR`` holds ``<clip>.npz`` tracks (``formcheck track``) of the shared
clips; without it only synthetic rows are printed. Ankle circles: not built yet.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.synth import CameraSpec, LateralHopsProfile, NoiseSpec, synthesize
from formcheck.synth.profiles import KneeToWallProfile, LungeAttempt
from formcheck.track import load_track

SEEDS = (1, 2, 3)


def hops_rows() -> list[str]:
    rows = []
    for view in ("front", "side", "oblique"):
        for noise in ("none", "low", "realistic"):
            cnt, to, land, width, knee = [], [], [], [], []
            for seed in SEEDS:
                syn = synthesize(
                    LateralHopsProfile(hops=12),
                    CameraSpec(view=view),
                    getattr(NoiseSpec, noise)(),
                    seed=seed,
                )
                r = analyze_track(syn.track, "lateral-hops", DrillOptions(height_cm=175.0))
                tr = syn.truth.events_of("hop")
                cnt.append(r.summary["hop_count"] - len(tr))
                if len(r.events) == len(tr):
                    for e, x in zip(r.events, tr, strict=True):
                        if e["inferred"]:
                            continue
                        to.append(abs(e["takeoff_s"] - x["takeoff_s"]))
                        land.append(abs(e["landing_s"] - x["landing_s"]))
                        knee.append(
                            abs(e["landing_knee_flexion_deg"] - x["landing_knee_flexion_deg"])
                        )
                        if e["width_cm"] is not None:
                            width.append(abs(e["width_cm"] - x["width_cm"]))
            f = lambda v: f"{np.mean(v):.3f} / {np.max(v):.3f}" if v else "-"  # noqa: E731
            rows.append(
                f"| {view} | {noise} | {max(map(abs, cnt))} | {f(to)} | {f(land)} | "
                f"{f(width)} | {f(knee)} |"
            )
    return rows


def stretch_rows() -> list[str]:
    rows = []
    prof = KneeToWallProfile(
        attempts=(LungeAttempt(9.0), LungeAttempt(11.0, heel_lift_cm=2.5)), hold_s=5.0
    )
    for noise in ("none", "low", "realistic"):
        st, en, tib, heel = [], [], [], 0
        for seed in SEEDS:
            syn = synthesize(prof, CameraSpec(view="side"), getattr(NoiseSpec, noise)(), seed=seed)
            r = analyze_track(syn.track, "calf-step-stretch", DrillOptions(height_cm=175.0))
            for e, x in zip(r.events, syn.truth.events_of("lunge"), strict=False):
                st.append(abs(e["start_s"] - x["hold_start_s"]))
                en.append(abs(e["end_s"] - x["hold_end_s"]))
                tib.append(abs(e["tibia_angle_deg"] - x["tibia_angle_deg"]))
                heel += e["heel_lifted"] != x["heel_lifted"]
        rows.append(
            f"| side | {noise} | {np.mean(st):.2f} / {np.max(st):.2f} | {np.mean(en):.2f} / "
            f"{np.max(en):.2f} | {np.mean(tib):.1f} / {np.max(tib):.1f} | {heel} |"
        )
    return rows


def real_rows(tracks: Path) -> list[str]:
    labels = {e["file"]: e for e in json.loads(Path("../shared/videos/labels.json").read_text())}
    rows = []
    for name, drill in (
        ("jumps_side_7.mp4", "lateral-hops"),
        ("single_leg_bounds_side.mp4", "lateral-hops"),
        ("calf_wall_stretch_oblique.mp4", "calf-step-stretch"),
    ):
        path = tracks / f"{name}.npz"
        if not path.exists():
            continue
        r = analyze_track(load_track(path), drill)
        lab = labels[name]
        if drill == "lateral-hops":
            got = f"{r.summary['hop_count']} hops"
            want = f"{lab['reps']} (+/-{lab.get('reps_tolerance', 0)})"
        else:
            got = ", ".join(f"{e['start_s']:.2f}-{e['end_s']:.2f} s {e['leg']}" for e in r.events)
            want = ", ".join(f"{a}-{b} s" for a, b in lab["holds_s"]) + f" {lab['front_leg']}"
        rows.append(f"| {name} | {drill} | {got} | {want} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=Path, default=None)
    args = ap.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    print("### lateral-hops, synthetic (12 hops, 3 seeds; errors mean / max)\n")
    print(
        "| view | noise | max count error | take-off s | landing s | width cm | landing knee deg |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(hops_rows()))
    print(
        "\n### calf-step-stretch, synthetic (2 holds of 5 s, one with the heel lifted; 3 seeds)\n"
    )
    print("| view | noise | start s | end s | tibia deg | heel-lift mistakes |")
    print("|---|---|---|---|---|---|")
    print("\n".join(stretch_rows()))
    if args.tracks:
        print("\n### real clips\n\n| clip | drill | formcheck | label |\n|---|---|---|---|")
        print("\n".join(real_rows(args.tracks)))


if __name__ == "__main__":
    main()
