"""Accuracy of the ankle-circles drill against synthetic truth (and the shared
whole-leg clip with ``--real``). Prints markdown tables.

Synthetic: ``AnkleCirclesProfile`` (10 clockwise + 10 counterclockwise circles of
the right foot, 1.6 s each, +-20 deg), front and oblique views x noise presets x
3 seeds. ``--real`` runs the pose model on ../shared/videos/leg_circles_front.mp4
(whole-leg sweeps; labels in labels.json).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import MODELS_DIR, SHARED_VIDEOS

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.synth import CameraSpec, NoiseSpec, synthesize
from formcheck.synth.ankle_circles import AnkleCirclesProfile

SEEDS = (1, 2, 3)


def synthetic_rows() -> list[str]:
    rows = []
    for whole_leg in (False, True):
        profile = AnkleCirclesProfile(whole_leg=whole_leg)
        for view in ("front", "oblique"):
            for noise in ("none", "low", "realistic"):
                exact, errs, range_err, warned = 0, [], [], 0
                for seed in SEEDS:
                    syn = synthesize(
                        profile, CameraSpec(view=view), getattr(NoiseSpec, noise)(), seed=seed
                    )
                    rep = analyze_track(syn.track, "ankle-circles", DrillOptions(height_cm=175.0))
                    truth = {
                        (e["leg"], e["direction"]): e["count"]
                        for e in syn.truth.events_of("circles")
                    }
                    got: dict[tuple[str, str], int] = {}
                    for e in rep.events:
                        k = (e["leg"], e["direction"])
                        got[k] = got.get(k, 0) + e["count"]
                    exact += got == truth
                    errs += [abs(got.get(k, 0) - v) for k, v in truth.items()]
                    errs += [v for k, v in got.items() if k not in truth]
                    warned += any(w.code == "whole_leg_circles" for w in rep.warnings)
                    true_r = syn.truth.events_of("circles")[0]["toe_range_cm"]
                    if true_r is not None and rep.summary["toe_range_cm"] is not None:
                        range_err.append(rep.summary["toe_range_cm"] - true_r)
                rng = f"{np.mean(range_err):+.1f}" if range_err else "-"
                rows.append(
                    f"| {'whole leg' if whole_leg else 'ankle'} | {view} | {noise} | "
                    f"{exact}/{len(SEEDS)} | {np.mean(errs):.2f} / {max(errs)} | {rng} | "
                    f"{warned}/{len(SEEDS)} |"
                )
    return rows


def real_rows() -> list[str]:
    from formcheck.pose import extract_track

    name = "leg_circles_front.mp4"
    track = extract_track(SHARED_VIDEOS / name, model_path=MODELS_DIR / "pose_landmarker_full.task")
    rep = analyze_track(track, "ankle-circles", DrillOptions())
    warned = any(w.code == "whole_leg_circles" for w in rep.warnings)
    return [
        f"| {name} | ankle circles {rep.summary['circle_count']}, whole-leg circles "
        f"{rep.summary['whole_leg_circle_count']}, whole-leg warning {'yes' if warned else 'no'} "
        f"| 4 whole-leg sweeps (outward), no ankle circles |"
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--real", action="store_true", help="also run the shared clip")
    args = ap.parse_args()
    print("### ankle-circles, synthetic (10 cw + 10 ccw, 3 seeds)\n")
    print(
        "| circles | view | noise | counts exact | count error per direction mean / max "
        "| toe range error cm (mean) | whole-leg warning |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(synthetic_rows()))
    if args.real:
        print("\n### real clip\n\n| clip | formcheck | label |\n|---|---|---|")
        print("\n".join(real_rows()))


if __name__ == "__main__":
    main()
