"""Accuracy of the knee-to-wall drill: synthetic truth and real labelled clips.

Prints markdown tables:
- synthetic: per view and noise preset (seeds 0..N-1), attempts found vs
  truth, toe-to-wall and tibia-angle errors (mean absolute and worst, over
  attempts matched in order), the toe-to-wall error against the wall's
  distance from the foot_index landmark (the synthetic toe tip is 0.004 H
  ahead of it, which the drill does not assume for MediaPipe), heel-lift
  verdicts and leg names right;
- real (``--real``): shared clips from ../shared/videos vs labels.json
  (attempt count, peak-time errors, wall method, toe-to-wall range).

Usage: python bench/accuracy_knee_to_wall.py [--seeds 3] [--real]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.synth import synthesize
from formcheck.synth.camera import CameraSpec
from formcheck.synth.noise import NoiseSpec
from formcheck.synth.profiles import KneeToWallProfile

VIEWS = [("side", "right"), ("side", "left"), ("oblique", "right"), ("oblique", "left")]
NOISES = ["none", "low", "realistic", "heavy"]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = ["knee_to_wall_side.mp4", "ankle_rocks_waist_down.mp4"]


def synthetic_table(seeds: int) -> str:
    rows = [
        "| view (tested leg near?) | noise | attempts found/true | toe-to-wall err cm (mean / max)"
        " | vs foot_index cm (mean / max) | tibia err deg (mean / max) | heel-lift verdicts right"
        " | legs named right |",
        "|---|---|---|---|---|---|---|---|",
    ]
    profile = KneeToWallProfile()  # right leg tested: near when near_side == "right"
    for view, near in VIEWS:
        for noise in NOISES:
            found = true = right = verdicts = named = 0
            ttw_err: list[float] = []
            fi_err: list[float] = []
            tib_err: list[float] = []
            for seed in range(seeds):
                syn = synthesize(
                    profile,
                    camera=CameraSpec(view=view, near_side=near),
                    noise=NoiseSpec.preset(noise),
                    seed=seed,
                )
                rep = analyze_track(
                    syn.track,
                    "knee-to-wall",
                    DrillOptions(
                        height_cm=syn.truth.height_cm, variant={"knee_touches_wall": True}
                    ),
                )
                truth = syn.truth.events_of("lunge")
                found += len(rep.events)
                true += len(truth)
                if len(rep.events) != len(truth):
                    continue
                for ev, tr in zip(rep.events, truth, strict=True):
                    verdicts += 1
                    right += ev["heel_lifted"] == tr["heel_lifted"]
                    named += ev["leg"] == tr["leg"]
                    if ev["toe_to_wall_cm"] is not None:
                        ttw_err.append(abs(ev["toe_to_wall_cm"] - tr["toe_to_wall_cm"]))
                        # the wall's distance from the foot_index landmark itself (the
                        # synthetic toe tip sits 0.004 H ahead of it): the estimator's
                        # error without that definition offset
                        k = int(np.argmin(np.abs(syn.truth.times_s - tr["peak_s"])))
                        fi_x = syn.truth.feet[tr["leg"]]["foot_index"][k, 0]
                        assert syn.truth.wall_x_m is not None
                        fi_err.append(
                            abs(ev["toe_to_wall_cm"] - 100.0 * (syn.truth.wall_x_m - fi_x))
                        )
                    if ev["tibia_angle_deg"] is not None:
                        tib_err.append(abs(ev["tibia_angle_deg"] - tr["tibia_angle_deg"]))

            def fmt(e: list[float]) -> str:
                return f"{np.mean(e):.2f} / {np.max(e):.2f}" if e else "-"

            rows.append(
                f"| {view} ({'yes' if near == 'right' else 'no'}) | {noise} | {found}/{true} | "
                f"{fmt(ttw_err)} | {fmt(fi_err)} | {fmt(tib_err)} | {right}/{verdicts} | "
                f"{named}/{verdicts} |"
            )
    return "\n".join(rows)


def real_table() -> str:
    from formcheck.pose import extract_track

    labels = {e["file"]: e for e in json.loads((SHARED / "videos" / "labels.json").read_text())}
    rows = [
        "| clip | attempts found/labelled | peak-time errors s (tolerance) | wall method |"
        " toe-to-wall cm (labelled range) | tibia deg | heel lifted |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in REAL:
        lab = labels[name]
        track = extract_track(
            SHARED / "videos" / name, model_path=SHARED / "models" / "pose_landmarker_full.task"
        )
        rep = analyze_track(track, "knee-to-wall")
        peaks = [e["peak_s"] for e in rep.events]
        errs = (
            ", ".join(f"{abs(a - b):.2f}" for a, b in zip(peaks, lab["rep_peaks_s"], strict=True))
            if len(peaks) == len(lab["rep_peaks_s"])
            else f"found {peaks}"
        )
        ttw = [e["toe_to_wall_cm"] for e in rep.events]
        rng: Any = lab.get("toe_to_wall_cm_range")
        rows.append(
            f"| {name} | {len(peaks)}/{lab['reps']} | {errs} ({lab['time_tolerance_s']}) | "
            f"{rep.summary['wall_method']} | {ttw} ({rng}) | "
            f"{[e['tibia_angle_deg'] for e in rep.events]} | "
            f"{[e['heel_lifted'] for e in rep.events]} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--real", action="store_true", help="also run the shared real clips")
    args = ap.parse_args(argv)
    print("## knee-to-wall: synthetic truth (knee touches the wall; wall from knee contact)\n")
    print(synthetic_table(args.seeds))
    if args.real:
        print("\n## knee-to-wall: real clips vs labels.json\n")
        print(real_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
