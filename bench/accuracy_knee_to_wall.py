"""Accuracy of the knee-to-wall drill: synthetic truth and real labelled clips.

Prints markdown tables:
- synthetic: per view and noise preset (seeds 0..N-1), attempts found vs
  truth, toe-to-wall and tibia-angle errors (mean absolute and worst, over
  attempts matched in order), the toe-to-wall error against the wall's
  distance from the foot_index landmark (the synthetic toe tip is 0.004 H
  ahead of it, which the drill does not assume for MediaPipe), heel-lift
  verdicts and leg names right;
- heel lift: per case and noise, true lifts found / missed (and how many of the
  misses carry the "uncertain" flag), false lifts, unknown verdicts, right verdicts
  flagged uncertain (``--heel-only`` for this table alone; ``--first-seed`` for
  held-out seeds);
- rendered (``--renders``): heel verdicts of MediaPipe on the committed sample and
  six rendered side-view lunge clips (rendered into a cache when missing);
- real (``--real``): shared clips from ../shared/videos vs labels.json
  (attempt count, peak-time errors, wall method, toe-to-wall range).

Usage: python bench/accuracy_knee_to_wall.py [--seeds 3] [--real] [--heel-only]
       [--first-seed 12] [--noises none,low,realistic] [--views side-near,oblique-far]
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


def _synthetic_run(
    profile: KneeToWallProfile, view: str, near: str, noise: str, seed: int
) -> tuple[Any, Any]:
    """One synthetic clip and its knee-to-wall report (the knee touches the wall)."""
    syn = synthesize(
        profile,
        camera=CameraSpec(view=view, near_side=near),
        noise=NoiseSpec.preset(noise),
        seed=seed,
    )
    rep = analyze_track(
        syn.track,
        "knee-to-wall",
        DrillOptions(height_cm=syn.truth.height_cm, variant={"knee_touches_wall": True}),
    )
    return syn, rep


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
                syn, rep = _synthetic_run(profile, view, near, noise, seed)
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


def heel_lift_table(seeds: range, noises: list[str], views: list[tuple[str, str]]) -> str:
    """Heel-lift verdicts per case and noise: the generator lifts the heel 2.5 cm in
    one attempt of three (``KneeToWallProfile``), the other two keep it flat."""
    rows = [
        "| view (tested leg near?) | noise | true lifts found / missed (missed but flagged"
        " uncertain) | false lifts (flagged) of heel-down | unknown | right verdicts flagged"
        " uncertain | rise of lifted cm (mean / min) | rise of flat cm (mean / max) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    profile = KneeToWallProfile()
    for view, near in views:
        for noise in noises:
            found = missed = missed_flag = false = false_flag = unknown = right_flag = 0
            n_down = 0
            up: list[float] = []
            down: list[float] = []
            for seed in seeds:
                syn, rep = _synthetic_run(profile, view, near, noise, seed)
                truth = syn.truth.events_of("lunge")
                if len(rep.events) != len(truth):
                    continue
                for ev, tr in zip(rep.events, truth, strict=True):
                    said = ev["heel_lifted"]
                    flagged = "uncertain" in ev["flags"].get("heel_lifted", "")
                    if said is None:
                        unknown += 1
                        continue
                    (up if tr["heel_lifted"] else down).append(ev["heel_rise_cm"])
                    if tr["heel_lifted"]:
                        found += said
                        missed += not said
                        missed_flag += (not said) and flagged
                    else:
                        n_down += 1
                        false += said
                        false_flag += said and flagged
                    right_flag += (said == tr["heel_lifted"]) and flagged
            rows.append(
                f"| {view} ({'yes' if near == 'right' else 'no'}) | {noise} | {found} / {missed}"
                f" ({missed_flag}) | {false} ({false_flag}) of {n_down} | {unknown} | {right_flag} |"
                f" {np.mean(up):.2f} / {np.min(up):.2f} | {np.mean(down):.2f} / {np.max(down):.2f} |"
                if up and down
                else f"| {view} | {noise} | - | - | {unknown} | - | - | - |"
            )
    return "\n".join(rows)


HEEL_RENDERS: dict[str, tuple[float, str, tuple[tuple[float, float], ...]]] = {
    # name: (figure height cm, tested = near leg, ((toe-to-wall cm, heel lift cm), ...))
    "A": (175.0, "right", ((6.0, 0.0), (14.0, 0.0))),
    "B": (165.0, "right", ((11.0, 0.0), (9.0, 2.5))),
    "C": (185.0, "left", ((8.0, 2.0), (13.0, 0.0))),
    "D": (170.0, "right", ((12.0, 1.0), (5.0, 3.0))),
    "E": (180.0, "right", ((13.0, 2.5), (10.0, 0.0))),
    "F": (160.0, "right", ((12.0, 0.0), (12.0, 2.5))),
}
"""Side-view lunges rendered to check MediaPipe's heel (session 6; A and B's flat
lunges set the heel-flexion slope in knee_to_wall.toml, the rest check it)."""
RENDER_CACHE = Path.home() / ".cache" / "formcheck" / "renders" / "k2w_heel"
AUDIT_CACHE = Path.home() / ".cache" / "formcheck" / "audit"
AUDIT_CLIPS = (
    "ktw_side_default_p1",
    "ktw_side_floor",
    "ktw_side_floor_p1",
    "ktw_side_near",
    "ktw_side_shelf",
    "ktw_side_tall",
)
"""bench/render_audit.py's knee-to-wall clips (first lunge only, heel flat)."""


def heel_render_table(cache: Path) -> str:
    """Render the ``HEEL_RENDERS`` clips missing from ``cache`` (~4 min each on 2
    shared cores; 1.5 s holds, the sample's camera), run the full pose model
    (tracks cached beside them) and tabulate the heel verdicts, with the committed
    ``sample_videos/knee_to_wall_side.mp4`` first."""
    from formcheck.pose import extract_track
    from formcheck.render.clip import render_clip
    from formcheck.render.drills import job_for
    from formcheck.synth.profiles import LungeAttempt
    from formcheck.track import load_track, save_track

    cache.mkdir(parents=True, exist_ok=True)
    sample = Path(__file__).resolve().parents[1] / "sample_videos" / "knee_to_wall_side.mp4"
    clips: list[tuple[str, Path]] = [("sample", sample)]
    for i, (name, (height, leg, attempts)) in enumerate(HEEL_RENDERS.items()):
        mp4 = cache / f"k2w_{name}.mp4"
        if not mp4.exists():
            profile = KneeToWallProfile(
                leg=leg,
                attempts=tuple(LungeAttempt(a, heel_lift_cm=b) for a, b in attempts),
                approach_s=1.0,
                hold_s=1.5,
                return_s=0.8,
                rest_s=0.4,
                lead_in_s=0.5,
                lead_out_s=0.5,
            )
            camera = CameraSpec(  # the committed samples' camera (formcheck.render defaults)
                view="side",
                near_side=leg,
                distance_m=3.5,
                height_m=1.0,
                tilt_deg=5.0,
                width=640,
                height=480,
                fps=30.0,
                fov_deg=55.0,
            )
            job = job_for(profile, camera, drill="knee-to-wall", height_cm=height, palette=i % 2)
            render_clip(job, mp4, crf=23)
        clips.append((name, mp4))
    # the first (heel-down) lunge of the sample's motion under other cameras, palettes
    # and a taller figure, when bench/render_audit.py has rendered them (not fitted on)
    for name in AUDIT_CLIPS:
        mp4 = AUDIT_CACHE / f"{name}.mp4"
        if mp4.exists():
            clips.append((name, mp4))
    rows = [
        "| clip | true tibia deg | true heel lift cm | flexion read deg | heel rise cm (SE)"
        " | MediaPipe correction cm | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    model = SHARED / "models" / "pose_landmarker_full.task"
    for name, mp4 in clips:
        npz = cache / f"{mp4.stem}.track.npz"  # pose tracks cached beside the renders
        if npz.exists():
            track = load_track(npz)
        else:
            track = extract_track(mp4, model_path=model)
            save_track(track, npz)
        truth = json.loads(mp4.with_suffix(".truth.json").read_text())
        rep = analyze_track(
            track,
            "knee-to-wall",
            DrillOptions(
                height_cm=truth["figure"]["height_cm"], variant={"knee_touches_wall": True}
            ),
        )
        end_s = truth["frame_count"] / truth["fps"]  # audit clips stop after the first lunge
        for tr in (e for e in truth["events"] if e["kind"] == "lunge" and e["end_s"] <= end_s):
            got = [e for e in rep.events if abs(e["peak_s"] - tr["peak_s"]) <= 1.0]
            if not got:
                rows.append(
                    f"| {name} | {tr['tibia_angle_deg']:.1f} | {tr['heel_lift_cm']} |"
                    " - | - | - | not found |"
                )
                continue
            e = got[0]
            flag = " (uncertain)" if "uncertain" in e["flags"].get("heel_lifted", "") else ""
            verdict = {True: "lifted", False: "down", None: "unknown"}[e["heel_lifted"]]
            rows.append(
                f"| {name} | {tr['tibia_angle_deg']:.1f} | {tr['heel_lift_cm']} |"
                f" {e['ankle_flexion_deg']} | {e['heel_rise_cm']} ({e['heel_rise_se_cm']}) |"
                f" {e['heel_flexion_correction_cm']} | {verdict}{flag} |"
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
    ap.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (or --first-seed..)")
    ap.add_argument("--first-seed", type=int, default=0, help="heel table: first seed")
    ap.add_argument("--real", action="store_true", help="also run the shared real clips")
    ap.add_argument(
        "--heel-only", action="store_true", help="only the heel-lift verdict table (faster)"
    )
    ap.add_argument("--noises", default="none,low,realistic,heavy", help="heel table: presets")
    ap.add_argument(
        "--views",
        default="side-near,side-far,oblique-near,oblique-far",
        help="heel table: cases (tested right leg near or far)",
    )
    ap.add_argument(
        "--renders",
        action="store_true",
        help=f"heel verdicts on rendered lunges (renders missing clips into {RENDER_CACHE})",
    )
    args = ap.parse_args(argv)
    if args.renders:
        print("## knee-to-wall: heel lift on rendered lunges (MediaPipe full)\n")
        print(heel_render_table(RENDER_CACHE))
        return 0
    if not args.heel_only:
        print("## knee-to-wall: synthetic truth (knee touches the wall; wall from knee contact)\n")
        print(synthetic_table(args.seeds))
    views = [
        (v.split("-")[0], "right" if v.split("-")[1] == "near" else "left")
        for v in args.views.split(",")
    ]
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    print(f"\n## knee-to-wall: heel-lift verdicts, seeds {seeds.start}-{seeds.stop - 1}\n")
    print(heel_lift_table(seeds, args.noises.split(","), views))
    if args.real:
        print("\n## knee-to-wall: real clips vs labels.json\n")
        print(real_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
