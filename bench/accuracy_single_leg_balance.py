"""Accuracy of the single-leg balance drill: hold start/end and sway errors vs truth.

Synthetic: per view and noise preset (3 seeds each, 2 holds per clip) through
``analyze_track``; sway RMS per body axis (ML, AP) against the generator's
hip-centre sway (1.5 cm ML, 1.0 cm AP amplitude, one 11 s hold), marking which
axis is the picture's and which comes from the model's depth. Real: the shared clips vs ``../shared/videos/labels.json``
(needs the pose model; skipped with --synthetic-only). Prints markdown tables.

    python bench/accuracy_single_leg_balance.py [--synthetic-only] [--tracks DIR]
        [--seeds N] [--noise none,low,realistic,heavy] [--views front,side,oblique,back]
        [--holds-only] [--lift-s S] [--lower-s S] [--fps F] [--list]

``--lift-s`` / ``--lower-s`` change how long the free foot takes to rise / come down
(raised cosine; default 0.5 / 0.4 s): a slow, smooth lift (1.0 / 0.8 s) is the
hardest case for the lift-off and touchdown times. ``--fps`` sets the camera's
frame rate (default 30). Both apply to the hold table only. ``--list`` names
each clip whose hold count is off and each end beyond 0.2 s (flagged or not).

``--tracks DIR`` reads ``DIR/<clip>.npz`` pose tracks instead of extracting.
"""

from __future__ import annotations

import argparse
import json
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.synth import BalanceProfile, CameraSpec, NoiseSpec, synthesize
from formcheck.track import load_track

SHARED = Path(__file__).resolve().parents[2] / "shared"
CLIPS = [
    "balance_both_legs_front_oblique.mp4",
    "balance_flamingo_side.mp4",
    "balance_hinge_oblique.mp4",
    "leg_circles_front.mp4",
]
PROFILE = BalanceProfile(duration=20.0, stance_leg="left", holds=((2.0, 9.0), (13.0, 18.5)))


VIEWS = ("front", "side", "oblique", "back")


def synthetic(
    seeds: int = 3,
    noises: tuple[str, ...] = ("none", "low", "realistic", "heavy"),
    views: tuple[str, ...] = VIEWS,
    profile: BalanceProfile = PROFILE,
    fps: float = 30.0,
    list_bad: bool = False,
) -> None:
    bad_lines: list[str] = []
    print(
        "| view | noise | holds found / true | median err s | max err s | stance leg ok "
        "| ends > 0.2 s (of them flagged uncertain) | ends flagged uncertain |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for view in views:
        for noise in noises:
            errs: list[float] = []
            found = true = legs_ok = bad = bad_flagged = flagged = 0
            for seed in range(seeds):
                syn = synthesize(
                    profile, CameraSpec(view=view, fps=fps), NoiseSpec.preset(noise), seed=seed
                )
                rep = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
                truth = [e for e in syn.truth.events if e["kind"] == "hold"]
                found += len(rep.events)
                true += len(truth)
                if list_bad and len(rep.events) != len(truth):
                    got = ", ".join(f"{e['start_s']:.2f}-{e['end_s']:.2f}" for e in rep.events)
                    bad_lines.append(
                        f"- {view} {noise} seed {seed}: {len(rep.events)} holds ({got})"
                    )
                if len(rep.events) == len(truth):
                    for g, t in zip(rep.events, truth, strict=True):
                        for k in ("start", "end"):
                            err = abs(g[f"{k}_s"] - t[f"{k}_s"])
                            unsure = bool(g.get(f"{k}_uncertain"))
                            errs.append(err)
                            flagged += unsure
                            bad += err > 0.2
                            bad_flagged += err > 0.2 and unsure
                            if list_bad and err > 0.2:
                                bad_lines.append(
                                    f"- {view} {noise} seed {seed}: {k} {g[f'{k}_s']:.3f} s for "
                                    f"{t[f'{k}_s']:.3f} s ({'flagged' if unsure else 'NOT flagged'})"
                                )
                        legs_ok += g["stance_leg"] == profile.stance_leg
            med = f"{np.median(errs):.3f}" if errs else "-"
            mx = f"{np.max(errs):.3f}" if errs else "-"
            print(
                f"| {view} | {noise} | {found}/{true} | {med} | {mx} | {legs_ok}/{true} "
                f"| {bad} ({bad_flagged}) | {flagged}/{len(errs)} |"
            )
    if bad_lines:
        print("\nHold counts off and ends beyond 0.2 s:")
        print("\n".join(bad_lines))


SWAY_PROFILE = BalanceProfile(
    duration=14.0, stance_leg="left", holds=((2.0, 13.0),), sway_ml_cm=1.5, sway_ap_cm=1.0
)
PICTURE_AXIS = {"front": "ml", "back": "ml", "side": "ap", "oblique": "-"}


def sway(seeds: int = 3) -> None:
    print(
        "\n| view | noise | picture axis | ML RMS err cm (mean / max) | AP RMS err cm "
        "(mean / max) | true ML / AP RMS cm | area cm2 (mean) |"
    )
    print("|---|---|---|---|---|---|---|")
    for view in ("front", "side", "oblique", "back"):
        for noise in ("none", "low", "realistic"):
            e_ml: list[float] = []
            e_ap: list[float] = []
            areas: list[float] = []
            for seed in range(seeds):
                syn = synthesize(
                    SWAY_PROFILE, CameraSpec(view=view), NoiseSpec.preset(noise), seed=seed
                )
                rep = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
                s, tr = rep.summary, syn.truth.summary
                e_ml.append(abs(s["sway_ml_rms_cm"] - tr["sway_ml_rms_cm"]))
                e_ap.append(abs(s["sway_ap_rms_cm"] - tr["sway_ap_rms_cm"]))
                areas.append(s["sway_area_cm2"])
            tr = syn.truth.summary
            print(
                f"| {view} | {noise} | {PICTURE_AXIS[view]} | {np.mean(e_ml):.2f} / "
                f"{np.max(e_ml):.2f} | {np.mean(e_ap):.2f} / {np.max(e_ap):.2f} | "
                f"{tr['sway_ml_rms_cm']:.2f} / {tr['sway_ap_rms_cm']:.2f} | {np.mean(areas):.1f} |"
            )


def real(tracks: Path | None) -> None:
    labels = {e["file"]: e for e in json.loads((SHARED / "videos" / "labels.json").read_text())}
    print(
        "\n| clip | label intervals (s) | found (s) | max err s | tol s | stance (found / label) |"
    )
    print("|---|---|---|---|---|---|")
    for name in CLIPS:
        if tracks is not None:
            track = load_track(tracks / f"{name}.npz")
        else:
            from formcheck.pose import extract_track

            track = extract_track(
                SHARED / "videos" / name,
                model_path=SHARED / "models" / "pose_landmarker_full.task",
            )
        rep = analyze_track(track, "single-leg-balance", DrillOptions())
        lab = labels[name]
        want = lab["single_leg_intervals_s"]
        got = [(e["start_s"], e["end_s"]) for e in rep.events]
        err = "-"
        if len(got) == len(want):
            err = f"{max(max(abs(a - c), abs(b - d)) for (a, b), (c, d) in zip(got, want, strict=True)):.2f}"
        shown = ", ".join(f"{a:.2f}-{b:.2f}" for a, b in got)
        wanted = ", ".join(f"{a:.2f}-{b:.2f}" for a, b in want)
        legs = ",".join(e["stance_leg"] for e in rep.events)
        print(
            f"| {name} | {wanted} | {shown} | {err} | {lab['time_tolerance_s']} | {legs} / {lab['stance_leg']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic-only", action="store_true")
    parser.add_argument("--sway-only", action="store_true", help="only the sway table")
    parser.add_argument("--tracks", type=Path, default=None)
    parser.add_argument("--seeds", type=int, default=3, help="seeds per view and noise")
    parser.add_argument(
        "--noise", default="none,low,realistic,heavy", help="comma-separated noise presets"
    )
    parser.add_argument(
        "--views", default=",".join(VIEWS), help="comma-separated views (hold table)"
    )
    parser.add_argument("--holds-only", action="store_true", help="only the synthetic hold table")
    parser.add_argument(
        "--lift-s", type=float, default=PROFILE.lift_s, help="free foot's rise time, s"
    )
    parser.add_argument(
        "--lower-s", type=float, default=PROFILE.lower_s, help="free foot's lowering time, s"
    )
    parser.add_argument("--fps", type=float, default=30.0, help="camera frame rate (hold table)")
    parser.add_argument(
        "--list",
        action="store_true",
        help="list each clip whose hold count is off and each end beyond 0.2 s (hold table)",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.sway_only:
        sway()
        return
    profile = replace(PROFILE, lift_s=args.lift_s, lower_s=args.lower_s)
    synthetic(
        args.seeds,
        tuple(args.noise.split(",")),
        tuple(args.views.split(",")),
        profile,
        args.fps,
        list_bad=args.list,
    )
    if args.holds_only:
        return
    sway()
    if not args.synthetic_only:
        real(args.tracks)


if __name__ == "__main__":
    main()
