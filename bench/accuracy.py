"""End-to-end accuracy on rendered clips with truth, and the physics/label checks on real clips.

Runs the pose model and ``formcheck.analysis.analyze_track`` (what ``formcheck
analyze`` runs) on rendered clips of the headline drills (calf-raise,
knee-to-wall, single-leg-balance) across camera views, and compares the
drill's numbers with the clip's truth file. Prints markdown tables: one row
per clip (drill, view) and metric with truth, measured value and error.

``--before`` disables the render-derived corrections (passes the drills'
neutral threshold values as overrides), ``--after`` (default) keeps them, and
``--both`` prints both tables, so before/after come from one script and one
set of pose tracks. ``--real`` adds the real-clip checks (no cm labels there):

* calf raise, ``calf_raise_double_front_oblique`` / ``calf_raise_weighted_turning``:
  with the knees held, the hips rise as much as the ankles, and the ankle's
  rise follows from the heel's rise and the foot's geometry (the foot pivots
  on the metatarsal heads; proportions of ``formcheck.synth.body``: heel
  contact to metatarsal heads 0.1034 H, ankle 0.032 H ahead of the heel
  contact and 0.039 H above the floor). Per rep: the hip rise predicted from
  the reported heel rise vs the hip rise measured (large, well-tracked
  landmarks), with the same cm scale, so the ratio needs no height.
* knee-to-wall, ``knee_to_wall_side``: toe-to-wall and the knee's gap to the
  wall at each drive vs the hand labels.

Clips: committed side views from ``sample_videos/``, the other views from the
render cache (``bench/render_matrix.py``; missing clips are skipped). Pose
tracks are cached in ``~/.cache/formcheck/tracks``.

Usage::

    python bench/accuracy.py [--both | --before | --after] [--real] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_matrix import COMMITTED, DEFAULT_CACHE, MATRIX, clip_path

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.errors import FormcheckError
from formcheck.landmarks import Landmark
from formcheck.track import PoseTrack, load_track, save_track

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MODEL = SHARED / "models" / "pose_landmarker_full.task"
TRACKS = Path.home() / ".cache" / "formcheck" / "tracks"

NEUTRAL: dict[str, dict[str, Any]] = {
    "calf-raise": {
        "heel_rise_scale_side": 1.0,
        "heel_rise_scale_front_oblique": 1.0,
        "heel_rise_scale_front": 1.0,
        "heel_rise_scale_away": 1.0,
        "bent_knee_rise_share_per_deg": 0.0,
    },
    "knee-to-wall": {"knee_landmark_behind_joint_fraction_of_height": 0.0, "tibia_offset_deg": 0.0},
}
"""Threshold overrides that switch the render-derived corrections off (the
values the drills used before them)."""

DRILL_OF = {
    "calf-raise": "calf-raise",
    "knee-to-wall": "knee-to-wall",
    "balance": "single-leg-balance",
}
"""Truth ``drill`` field -> formcheck drill name."""

# foot geometry as fractions of stature (formcheck.synth.body: Winter 2009,
# foot length 0.152 H after Drillis & Contini; metatarsal heads at 72% and the
# ankle at 25% of the foot length from the back of the heel)
HEEL_TO_MTP_H = 0.1034
ANKLE_AHEAD_H = 0.032
ANKLE_HEIGHT_H = 0.039


def body_rise_from_heel(heel_rise: float, height: float) -> float:
    """Rise of the ankle (= hips with the knees held) for a heel rise, same unit as ``height``.

    The rearfoot turns by theta about the metatarsal heads: the heel contact
    rises ``L sin(theta)``, the ankle ``(L - a) sin(theta) - h (1 - cos(theta))``.
    """
    lever = HEEL_TO_MTP_H * height
    s = min(1.0, max(0.0, heel_rise / lever))
    c = math.sqrt(1.0 - s * s)
    return (lever - ANKLE_AHEAD_H * height) * s - ANKLE_HEIGHT_H * height * (1.0 - c)


def neutral(drill: str) -> dict[str, Any]:
    """``NEUTRAL`` overrides of ``drill`` that its thresholds know (older drills: none)."""
    import dataclasses

    from formcheck.drills.calf_raise import CalfRaiseThresholds
    from formcheck.drills.knee_to_wall import KneeToWallThresholds

    cls: dict[str, Any] = {"calf-raise": CalfRaiseThresholds, "knee-to-wall": KneeToWallThresholds}
    if drill not in cls:
        return {}
    known = {f.name for f in dataclasses.fields(cls[drill])}
    return {k: v for k, v in NEUTRAL[drill].items() if k in known}


def track_for(name: str, mp4: Path) -> PoseTrack:
    """Pose track of ``mp4`` (full model), cached as ``TRACKS/<name>.npz``."""
    cached = TRACKS / f"{name}.npz"
    if cached.exists():
        return load_track(cached)
    from formcheck.pose import extract_track

    track = extract_track(mp4, model_path=MODEL)
    TRACKS.mkdir(parents=True, exist_ok=True)
    save_track(track, cached)
    return track


def clips(cache: Path) -> list[tuple[str, Path]]:
    """Benchmark clips that exist: (name, mp4)."""
    names = list(COMMITTED) + list(MATRIX)
    out = [(n, clip_path(n, cache)) for n in names]
    return [(n, p) for n, p in out if p.exists() and _truth_path(p).exists()]


def _truth_path(mp4: Path) -> Path:
    return mp4.with_name(mp4.stem + ".truth.json")


Row = dict[str, Any]


def _row(clip: str, view: str, drill: str, metric: str, truth: Any, got: Any) -> Row:
    err = None
    if (
        isinstance(truth, int | float)
        and isinstance(got, int | float)
        and not isinstance(got, bool)
    ):
        err = round(float(got) - float(truth), 2)
    return {
        "clip": clip,
        "view": view,
        "drill": drill,
        "metric": metric,
        "truth": truth,
        "got": got,
        "error": err,
    }


def _nearest(events: list[dict[str, Any]], t: float, key: str = "peak_s") -> dict[str, Any] | None:
    cands = [e for e in events if e.get(key) is not None]
    if not cands:
        return None
    best = min(cands, key=lambda e: abs(float(e[key]) - t))
    return best if abs(float(best[key]) - t) < 1.0 else None


def eval_calf(clip: str, view: str, truth: dict[str, Any], rep: Any) -> list[Row]:
    """Rep count and per-rep heel rise against the truth's reps within the clip."""
    end = truth["frame_count"] / truth["fps"]
    t_reps = [e for e in truth["events"] if e["kind"] == "rep" and e["leg"] == "right"]
    t_reps = [e for e in t_reps if e["end_s"] <= end]
    got = [e for e in rep.events if e["kind"] == "rep" and not e["partial"]]
    rows = [_row(clip, view, "calf-raise", "rep_count", len(t_reps), rep.summary["rep_count"])]
    for k, e in enumerate(t_reps):
        m = _nearest(got, e["peak_s"])
        rows.append(
            _row(
                clip,
                view,
                "calf-raise",
                f"heel_rise_cm rep {k + 1}",
                e["heel_rise_cm"],
                None if m is None else m["heel_rise_cm"],
            )
        )
        if m is not None:
            rows.append(
                _row(clip, view, "calf-raise", f"peak_s rep {k + 1}", e["peak_s"], m["peak_s"])
            )
    knee = float(np.mean([e["knee_flexion_deg"] for e in t_reps])) if t_reps else float("nan")
    rows.append(
        _row(
            clip,
            view,
            "calf-raise",
            "variant",
            "bent" if knee > 12 else "straight",
            rep.summary.get("variant_detected"),
        )
    )
    return rows


def eval_ktw(clip: str, view: str, truth: dict[str, Any], rep: Any) -> list[Row]:
    """Per lunge: tibia angle, toe-to-wall (wall from the knee's contact), heel lift."""
    end = truth["frame_count"] / truth["fps"]
    t_l = [e for e in truth["events"] if e["kind"] == "lunge" and e["end_s"] <= end + 0.5]
    got = [e for e in rep.events if e["kind"] == "lunge"]
    rows = [_row(clip, view, "knee-to-wall", "attempts", len(t_l), len(got))]
    for k, e in enumerate(t_l):
        m = _nearest(got, e["peak_s"])
        g = lambda key, m=m: None if m is None else m.get(key)  # noqa: E731
        rows.append(
            _row(
                clip,
                view,
                "knee-to-wall",
                f"tibia_angle_deg lunge {k + 1}",
                round(e["tibia_angle_deg"], 1),
                g("tibia_angle_deg"),
            )
        )
        rows.append(
            _row(
                clip,
                view,
                "knee-to-wall",
                f"toe_to_wall_cm lunge {k + 1}",
                e["toe_to_wall_cm"],
                g("toe_to_wall_cm"),
            )
        )
        rows.append(
            _row(
                clip,
                view,
                "knee-to-wall",
                f"heel_lifted lunge {k + 1}",
                e["heel_lifted"],
                g("heel_lifted"),
            )
        )
    return rows


def eval_balance(clip: str, view: str, truth: dict[str, Any], rep: Any) -> list[Row]:
    """Hold start/end and touchdowns."""
    holds = [e for e in truth["events"] if e["kind"] == "hold"]
    got = [e for e in rep.events if e["kind"] == "hold"]
    s = rep.summary
    rows = [
        _row(clip, view, "single-leg-balance", "holds", len(holds), s.get("holds")),
        _row(
            clip,
            view,
            "single-leg-balance",
            # the summary's `touchdowns` counts only interruptions (a hold that resumes);
            # a hold ended by the free foot coming down says so in its `ended_by`
            "holds ended by a touchdown",
            sum(e["kind"] == "touchdown" for e in truth["events"]),
            sum(e.get("ended_by") == "touchdown" for e in got),
        ),
    ]
    if holds:
        longest = max(h["end_s"] - h["start_s"] for h in holds)
        rows.append(
            _row(
                clip,
                view,
                "single-leg-balance",
                "longest_hold_s",
                round(longest, 2),
                s.get("longest_hold_s"),
            )
        )
        m = got[0] if got else None
        rows.append(
            _row(
                clip,
                view,
                "single-leg-balance",
                "hold start_s",
                holds[0]["start_s"],
                None if m is None else m.get("start_s"),
            )
        )
        rows.append(
            _row(
                clip,
                view,
                "single-leg-balance",
                "hold end_s",
                holds[0]["end_s"],
                None if m is None else m.get("end_s"),
            )
        )
    return rows


EVALS: dict[str, Callable[[str, str, dict[str, Any], Any], list[Row]]] = {
    "calf-raise": eval_calf,
    "knee-to-wall": eval_ktw,
    "single-leg-balance": eval_balance,
}


def rendered(corrected: bool, cache: Path) -> list[Row]:
    """Rows for every available rendered clip, with or without the corrections."""
    rows: list[Row] = []
    for name, mp4 in clips(cache):
        truth = json.loads(_truth_path(mp4).read_text())
        drill = DRILL_OF[truth["drill"]]
        view = str(truth["camera"].get("view", "?"))
        track = track_for(name, mp4)
        overrides = {} if corrected else neutral(drill)
        variant = {"knee_touches_wall": True} if drill == "knee-to-wall" else {}
        try:
            rep = analyze_track(
                track,
                drill,
                DrillOptions(
                    height_cm=truth["figure"]["height_cm"], variant=variant, thresholds=overrides
                ),
            )
        except FormcheckError as err:
            rows.append(_row(name, view, drill, "analysis", "a report", f"error: {err}"))
            continue
        rows += EVALS[drill](name, view, truth, rep)
    return rows


def table(rows: list[Row], title: str) -> str:
    """Markdown table of ``rows``."""
    out = [
        f"### {title}",
        "",
        "| clip | view | metric | truth | formcheck | error |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        err = "" if r["error"] is None else f"{r['error']:+.2f}"
        if r["error"] is None and r["truth"] != r["got"]:
            err = "**wrong**" if r["got"] is not None else "**missing**"
        out.append(
            f"| {r['clip']} | {r['view']} | {r['metric']} | {r['truth']} | {r['got']} | {err} |"
        )
    return "\n".join(out)


def summary_table(before: list[Row], after: list[Row]) -> str:
    """Mean absolute error per drill metric family and view, before vs after."""

    def fam(m: str) -> str:
        return m.split(" rep ")[0].split(" lunge ")[0]

    keys: dict[tuple[str, str, str], list[list[float]]] = {}
    for k, rows in enumerate((before, after)):
        for r in rows:
            if r["error"] is None or fam(r["metric"]) in ("peak_s",):
                continue
            key = (r["drill"], fam(r["metric"]), r["view"])
            keys.setdefault(key, [[], []])[k].append(abs(r["error"]))
    out = [
        "| drill | metric | view | n | mean abs error before | after |",
        "|---|---|---|---|---|---|",
    ]
    for (drill, metric, view), (b, a) in sorted(keys.items()):
        fb = f"{np.mean(b):.2f}" if b else "-"
        fa = f"{np.mean(a):.2f}" if a else "-"
        out.append(f"| {drill} | {metric} | {view} | {max(len(a), len(b))} | {fb} | {fa} |")
    return "\n".join(out)


# ------------------------------------------------------------------ real clips
def _med(x: np.ndarray, t: np.ndarray, a: float, b: float) -> float:
    sel = (t >= a) & (t <= b) & np.isfinite(x)
    return float(np.median(x[sel])) if sel.any() else float("nan")


def _up_cm(track: PoseTrack, marks: list[Landmark], cm_per_px: float) -> np.ndarray:
    y = track.landmarks[:, :, 1].astype(np.float64) * track.height
    return -np.mean([y[:, int(m)] for m in marks], axis=0) * cm_per_px


def _rep_view(track: PoseTrack, t_s: float) -> str:
    """View at ``t_s``: side, oblique (front-oblique), rear-oblique, front or back."""
    from formcheck.views import classify_view

    v = classify_view(track)
    i = int(np.argmin(np.abs(np.asarray(track.timestamps_s) - t_s)))
    name = str(v.per_frame[i]) if len(v.per_frame) > i else v.view
    for seg in v.segments:
        if seg.start_s <= t_s < seg.end_s and seg.view == "oblique" and seg.oblique == "rear":
            name = "rear-oblique"
    return name


def physics_rows(clip: str, track: PoseTrack, rep: Any, height: float) -> list[Row]:
    """Per rep: hip rise predicted from the reported heel rise vs the hip rise measured.

    ``height`` is the stature the cm scale was made from (the assumed 175 cm
    without a label: the ratio does not depend on it).
    """
    cm = float(rep.calibration["cm_per_px"])
    t = np.asarray(track.timestamps_s, dtype=np.float64)
    hip = _up_cm(track, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], cm)
    ankle = _up_cm(track, [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE], cm)
    rows: list[Row] = []

    def rise(x: np.ndarray, a: float | None, p: float, b: float | None) -> float:
        bases = [_med(x, t, a - 0.4, a)] if a is not None else []
        bases += [_med(x, t, b, b + 0.4)] if b is not None else []
        return _med(x, t, p - 0.2, p + 0.2) - float(np.nanmean(bases))

    for e in rep.events:
        if e["kind"] != "rep" or (e["start_s"] is None and e["end_s"] is None):
            continue
        a, p, b = e["start_s"], e["peak_s"], e["end_s"]
        measured = rise(hip, a, p, b)
        predicted = body_rise_from_heel(float(e["heel_rise_cm"]), height)
        rows.append(
            {
                "clip": clip,
                "rep": e["index"],
                "peak_s": p,
                "view": _rep_view(track, p),
                "heel_rise_cm": e["heel_rise_cm"],
                "hip_rise_predicted_cm": round(predicted, 2),
                "hip_rise_measured_cm": round(measured, 2),
                "ankle_rise_measured_cm": round(rise(ankle, a, p, b), 2),
                "ratio": round(predicted / measured, 2) if measured > 0 else None,
                "knee_flexion_deg": e["knee_flexion_deg"],
            }
        )
    return rows


def real_calf(corrected: bool, cache: Path) -> list[Row]:
    """``physics_rows`` on the real calf-raise clips and, for reference, the rendered ones.

    On the renders the truth says what the ratio is when the heel rise is
    right (the hip landmark's own error).
    """
    rows: list[Row] = []
    th = {} if corrected else neutral("calf-raise")
    for clip in ("calf_raise_double_front_oblique", "calf_raise_weighted_turning"):
        mp4 = SHARED / "videos" / f"{clip}.mp4"
        if mp4.exists():
            track = track_for(f"real_{clip}", mp4)
            rep = analyze_track(track, "calf-raise", DrillOptions(thresholds=th))
            rows += physics_rows(clip, track, rep, 175.0)
    for name, mp4 in clips(cache):
        truth = json.loads(_truth_path(mp4).read_text())
        if truth["drill"] != "calf-raise":
            continue
        h = float(truth["figure"]["height_cm"])
        track = track_for(name, mp4)
        rep = analyze_track(track, "calf-raise", DrillOptions(height_cm=h, thresholds=th))
        for r in physics_rows(name, track, rep, h):
            true_hip = body_rise_from_heel(float(truth["profile"]["heel_rise_cm"]), h)
            r["clip"] = f"{name} (render; hip from the true heel {true_hip:.2f})"
            rows.append(r)
    return rows


def real_ktw(corrected: bool) -> list[dict[str, Any]]:
    """Knee-to-wall on the real side clip: numbers per drive vs the labels."""
    mp4 = SHARED / "videos" / "knee_to_wall_side.mp4"
    if not mp4.exists():
        return []
    track = track_for("real_knee_to_wall_side", mp4)
    rep = analyze_track(
        track, "knee-to-wall", DrillOptions(thresholds={} if corrected else neutral("knee-to-wall"))
    )
    out = []
    for e in rep.events:
        if e["kind"] == "lunge":
            out.append(
                {
                    k: e.get(k)
                    for k in (
                        "peak_s",
                        "toe_to_wall_cm",
                        "knee_to_wall_gap_cm",
                        "tibia_angle_deg",
                        "heel_lifted",
                        "leg",
                    )
                }
                | {"wall_method": rep.summary.get("wall_method")}
            )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = p.add_mutually_exclusive_group()
    g.add_argument("--before", action="store_true", help="corrections off")
    g.add_argument("--after", action="store_true", help="corrections on (default)")
    g.add_argument("--both", action="store_true", help="both tables and a summary")
    p.add_argument("--real", action="store_true", help="also the real-clip checks")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="render cache")
    p.add_argument("--json", type=Path, default=None, help="write all rows as JSON")
    args = p.parse_args(argv)
    modes = [False, True] if args.both else [not args.before]
    result: dict[str, Any] = {}
    for corrected in modes:
        label = "after" if corrected else "before"
        rows = rendered(corrected, args.cache)
        result[label] = rows
        print(table(rows, f"Rendered clips, corrections {'on' if corrected else 'off'} ({label})"))
        print()
        if args.real:
            rc = real_calf(corrected, args.cache)
            result[f"real_calf_{label}"] = rc
            print(f"### Real calf raises ({label}): hip rise predicted from the heel vs measured\n")
            print(
                "| clip | rep | peak s | view | heel rise cm | hip rise from heel cm "
                "| hip rise measured cm | ratio | ankle landmark rise cm |"
            )
            print("|---|---|---|---|---|---|---|---|---|")
            for r in rc:
                print(
                    f"| {r['clip']} | {r['rep']} | {r['peak_s']} | {r['view']} | {r['heel_rise_cm']} | "
                    f"{r['hip_rise_predicted_cm']} | {r['hip_rise_measured_cm']} | {r['ratio']} | "
                    f"{r['ankle_rise_measured_cm']} |"
                )
            rk = real_ktw(corrected)
            result[f"real_ktw_{label}"] = rk
            print(f"\n### Real knee-to-wall ({label})\n")
            print(
                "| peak s | toe to wall cm | knee to wall gap cm | tibia deg | heel lifted | wall |"
            )
            print("|---|---|---|---|---|---|")
            for r in rk:
                print(
                    f"| {r['peak_s']} | {r['toe_to_wall_cm']} | {r['knee_to_wall_gap_cm']} | "
                    f"{r['tibia_angle_deg']} | {r['heel_lifted']} | {r['wall_method']} |"
                )
            print()
    if args.both:
        print("### Summary: mean absolute error, before vs after\n")
        print(summary_table(result["before"], result["after"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
