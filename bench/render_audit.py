"""Render audit: do formcheck's numbers hold for cameras and people it has not seen?

The render-derived corrections (calf-raise heel-rise factors, knee-to-wall
tibia offset and knee-landmark offset; heel-walk toe-lift factors, not audited
here) were derived from renders made with one camera set-up (``formcheck/render`` defaults: a
175 cm figure, 640x480, 30 fps, camera 3.5 m away, lens 1.0 m up, tilted 5 deg
down, 55 deg horizontal field of view, side views from the figure's right).
This script renders the headline drills with ONE thing changed at a time
(camera height and tilt, distance, portrait frame, frame rate, figure height,
near side, colour palette), runs the pose model and ``analyze_track`` (what ``formcheck
analyze --height-cm`` runs) and prints truth vs formcheck per metric.

Clips are rendered into ``~/.cache/formcheck/audit`` (never the repo); the
baseline (default camera) clips are the committed ``sample_videos/`` and the
``bench/render_matrix.py`` cache. Pose tracks are cached beside the clips.

Usage::

    python bench/render_audit.py --render [--only NAME ...]   # render missing clips
    python bench/render_audit.py [--only NAME ...] [--json out.json]  # table
    python bench/render_audit.py --summary                    # one line per clip
    python bench/render_audit.py --list

Results and their causes: docs/ACCURACY.md, "Other cameras and people".
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # formcheck without an install

AUDIT = Path.home() / ".cache" / "formcheck" / "audit"
ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT.parent / "shared" / "models" / "pose_landmarker_full.task"


@dataclass(frozen=True)
class Clip:
    """One audit clip: a render preset with one thing changed from the default."""

    drill: str
    """Render preset (``python -m formcheck.render --drill``)."""
    view: str
    varied: str
    """What differs from the default set-up, in words."""
    frames: int
    """Frames rendered (the first rep / lunge / hold only)."""
    args: dict[str, str] = field(default_factory=dict)
    """Extra ``formcheck.render`` options (name without dashes -> value)."""
    height_cm: float = 175.0
    """The figure's height (``--height-cm``), also given to the analysis."""
    palette: int = 0
    """Colour set of the figure's clothes and skin (``formcheck.render.figure.PALETTES``);
    the render's motion does not depend on its seed, so a second palette is
    the repeat that changes what the pose model sees."""


# Frame budgets: calf raise 3.4 s (lead-in and the first rep, 0.8-3.0 s, with
# 0.4 s standing after it); knee-to-wall 3.5 s (the first lunge, heel down,
# 0.5-3.1 s); balance 4.5 s (the hold 0.8-3.8 s and its touchdown).
CALF_S, KTW_S, BAL_S = 3.4, 3.5, 4.5


def _n(seconds: float, fps: float = 30.0) -> int:
    return math.ceil(seconds * fps)


CLIPS: dict[str, Clip] = {
    # --- calf raise, side (default is sample_videos/calf_raise_side.mp4)
    "calf_side_floor": Clip(
        "calf-raise",
        "side",
        "phone on the floor (lens 0.3 m, tilted 5 deg up)",
        _n(CALF_S),
        {"cam-height": "0.3", "tilt": "-5"},
    ),
    "calf_side_near": Clip(
        "calf-raise",
        "side",
        "near (2.2 m, 75 deg fov)",
        _n(CALF_S),
        {"distance": "2.2", "fov": "75"},
    ),
    "calf_side_portrait": Clip(
        "calf-raise",
        "side",
        "portrait 720x1280 (40 deg horizontal fov)",
        _n(CALF_S),
        {"size": "720x1280", "fov": "40"},
    ),
    "calf_side_tall": Clip(
        "calf-raise", "side", "tall figure (195 cm)", _n(CALF_S), {"height-cm": "195"}, 195.0
    ),
    "calf_side_short": Clip(
        "calf-raise", "side", "short figure (155 cm)", _n(CALF_S), {"height-cm": "155"}, 155.0
    ),
    "calf_side_60fps": Clip("calf-raise", "side", "60 fps", _n(CALF_S, 60), {"fps": "60"}),
    "calf_side_shelf": Clip(
        "calf-raise",
        "side",
        "phone on a shelf (lens 1.6 m, tilted 15 deg down)",
        _n(CALF_S),
        {"cam-height": "1.6", "tilt": "15"},
    ),
    "calf_side_far": Clip("calf-raise", "side", "far (5 m)", _n(CALF_S), {"distance": "5"}),
    "calf_side_left": Clip(
        "calf-raise", "side", "filmed from the left", _n(CALF_S), {"near-side": "left"}
    ),
    "calf_oblique_floor": Clip(
        "calf-raise",
        "oblique",
        "phone on the floor (lens 0.3 m, tilted 5 deg up)",
        _n(CALF_S),
        {"cam-height": "0.3", "tilt": "-5"},
    ),
    # --- knee-to-wall, side (default is sample_videos/knee_to_wall_side.mp4)
    "ktw_side_floor": Clip(
        "knee-to-wall",
        "side",
        "phone on the floor (lens 0.3 m, tilted 5 deg up)",
        _n(KTW_S),
        {"cam-height": "0.3", "tilt": "-5"},
    ),
    "ktw_side_near": Clip(
        "knee-to-wall",
        "side",
        "near (2.2 m, 75 deg fov)",
        _n(KTW_S),
        {"distance": "2.2", "fov": "75"},
    ),
    "ktw_side_tall": Clip(
        "knee-to-wall", "side", "tall figure (195 cm)", _n(KTW_S), {"height-cm": "195"}, 195.0
    ),
    "ktw_side_shelf": Clip(
        "knee-to-wall",
        "side",
        "phone on a shelf (lens 1.6 m, tilted 15 deg down)",
        _n(KTW_S),
        {"cam-height": "1.6", "tilt": "15"},
    ),
    # --- single-leg balance (defaults: sample_videos/balance_side.mp4, render cache front)
    "balance_front_floor": Clip(
        "balance",
        "front",
        "phone on the floor (lens 0.3 m, tilted 5 deg up)",
        _n(BAL_S),
        {"cam-height": "0.3", "tilt": "-5"},
    ),
    "balance_side_24fps": Clip("balance", "side", "24 fps", _n(BAL_S, 24), {"fps": "24"}),
    "balance_front_portrait": Clip(
        "balance",
        "front",
        "portrait 720x1280 (40 deg horizontal fov)",
        _n(BAL_S),
        {"size": "720x1280", "fov": "40"},
    ),
    "balance_side_short": Clip(
        "balance", "side", "short figure (155 cm)", _n(BAL_S), {"height-cm": "155"}, 155.0
    ),
    # --- repeats in another colour set (palette 1) of the calf-raise set-ups
    # that failed, and of the default
    "calf_side_default_p1": Clip("calf-raise", "side", "default, palette 1", _n(CALF_S), palette=1),
    "calf_side_floor_p1": Clip(
        "calf-raise",
        "side",
        "phone on the floor, palette 1",
        _n(CALF_S),
        {"cam-height": "0.3", "tilt": "-5"},
        palette=1,
    ),
    "calf_side_short_p1": Clip(
        "calf-raise",
        "side",
        "short figure (155 cm), palette 1",
        _n(CALF_S),
        {"height-cm": "155"},
        155.0,
        palette=1,
    ),
    "calf_oblique_default_p1": Clip(
        "calf-raise", "oblique", "default, palette 1", _n(CALF_S), palette=1
    ),
    "ktw_side_default_p1": Clip("knee-to-wall", "side", "default, palette 1", _n(KTW_S), palette=1),
    "ktw_side_floor_p1": Clip(
        "knee-to-wall",
        "side",
        "phone on the floor, palette 1",
        _n(KTW_S),
        {"cam-height": "0.3", "tilt": "-5"},
        palette=1,
    ),
    "balance_side_default_p1": Clip("balance", "side", "default, palette 1", _n(BAL_S), palette=1),
    # --- palettes 2 and 3 (light skin with dark shoes; dark skin with red shoes)
    # at the default camera, where the corrections were derived
    "calf_side_default_p2": Clip("calf-raise", "side", "default, palette 2", _n(CALF_S), palette=2),
    "calf_side_default_p3": Clip("calf-raise", "side", "default, palette 3", _n(CALF_S), palette=3),
    "calf_oblique_default_p2": Clip(
        "calf-raise", "oblique", "default, palette 2", _n(CALF_S), palette=2
    ),
    "calf_oblique_default_p3": Clip(
        "calf-raise", "oblique", "default, palette 3", _n(CALF_S), palette=3
    ),
    "ktw_side_default_p2": Clip("knee-to-wall", "side", "default, palette 2", _n(KTW_S), palette=2),
    "ktw_side_default_p3": Clip("knee-to-wall", "side", "default, palette 3", _n(KTW_S), palette=3),
    "calf_side_far_p1": Clip(
        "calf-raise", "side", "far (5 m), palette 1", _n(CALF_S), {"distance": "5"}, palette=1
    ),
}
"""Audit clips (seed 0); each changes one thing from the default."""


def render(name: str, out_dir: Path = AUDIT) -> Path:
    """Render clip ``name`` into ``out_dir`` unless it (and its truth) is there."""
    out = out_dir / f"{name}.mp4"
    if out.exists() and out.with_suffix("").with_suffix(".truth.json").exists():
        return out
    c = CLIPS[name]
    cmd = [
        sys.executable,
        "-m",
        "formcheck.render",
        "--drill",
        c.drill,
        "--view",
        c.view,
        "--seed",
        "0",
        "--palette",
        str(c.palette),
        "--crf",
        "23",
        "--max-frames",
        str(c.frames),
        "--out",
        str(out),
    ]
    for k, v in c.args.items():
        cmd += [f"--{k}", v]
    start = time.monotonic()
    subprocess.run(cmd, check=True)
    print(f"{name}: rendered in {time.monotonic() - start:.0f} s", file=sys.stderr)
    return out


# ------------------------------------------------------------------ baselines
def baselines() -> dict[str, tuple[Clip, Path]]:
    """Default-camera clips the audit compares against (committed samples, render cache)."""
    from render_matrix import DEFAULT_CACHE, clip_path

    base = {
        "calf_side_default": ("calf_raise_side", Clip("calf-raise", "side", "default", 0)),
        "calf_oblique_default": ("calf_raise_oblique", Clip("calf-raise", "oblique", "default", 0)),
        "ktw_side_default": ("knee_to_wall_side", Clip("knee-to-wall", "side", "default", 0)),
        "balance_side_default": ("balance_side", Clip("balance", "side", "default", 0)),
        "balance_front_default": ("balance_front", Clip("balance", "front", "default", 0)),
    }
    return {k: (c, clip_path(src, DEFAULT_CACHE)) for k, (src, c) in base.items()}


# ------------------------------------------------------------------ truth camera
def project(camera: dict[str, Any], width: int, height: int, pts: np.ndarray) -> np.ndarray:
    """Pinhole projection of world points (..., 3) m with the truth's camera -> (..., 2) px."""
    pos = np.asarray(camera["position"], dtype=np.float64)
    fwd = np.asarray(camera["forward"], dtype=np.float64)
    up = np.asarray(camera["up"], dtype=np.float64)
    right = np.cross(fwd, up)
    d = np.asarray(pts, dtype=np.float64) - pos
    z = d @ fwd
    x = width / 2 + camera["focal_px"] * (d @ right) / z
    y = height / 2 - camera["focal_px"] * (d @ up) / z
    return np.stack([x, y], axis=-1)


def true_cm_per_px(truth: dict[str, Any], joint: str, frame: int = 0) -> float:
    """True cm per image pixel of a small vertical movement of ``joint`` at ``frame``.

    The scale that turns a heel's rise (or any vertical motion at that joint)
    into cm: 1 cm straight up at the joint, projected with the truth's camera.
    """
    from formcheck.landmarks import Landmark

    p = np.asarray(truth["frames"]["joints_3d"][frame][int(Landmark[joint.upper()])])
    a, b = project(
        truth["camera"],
        truth["width"],
        truth["height"],
        np.stack([p, p + np.array([0.0, 0.01, 0.0])]),
    )
    return 1.0 / float(np.linalg.norm(b - a))


def true_cm_per_px_horizontal(truth: dict[str, Any], joint: str, frame: int = 0) -> float:
    """True cm per pixel of a small movement of ``joint`` toward the person's front (+x)."""
    from formcheck.landmarks import Landmark

    p = np.asarray(truth["frames"]["joints_3d"][frame][int(Landmark[joint.upper()])])
    a, b = project(
        truth["camera"],
        truth["width"],
        truth["height"],
        np.stack([p, p + np.array([0.01, 0.0, 0.0])]),
    )
    return 1.0 / float(np.linalg.norm(b - a))


def check_projection(truth: dict[str, Any]) -> float:
    """Largest pixel gap between ``project`` and the truth's own 2D joints (frame 0)."""
    j3 = np.asarray(truth["frames"]["joints_3d"][0])
    j2 = np.asarray(truth["frames"]["joints_2d"][0])
    return float(np.max(np.abs(project(truth["camera"], truth["width"], truth["height"], j3) - j2)))


def _frames(track: Any, t0: float, t1: float) -> np.ndarray:
    ts = np.asarray(track.timestamps_s, dtype=np.float64)
    return np.asarray((ts >= t0) & (ts <= t1))


def heel_landmark_offsets(track: Any, truth: dict[str, Any], side: str) -> tuple[float, float]:
    """Pose model's heel landmark above the truth's sole-heel contact point, cm (flat, top).

    Medians over the standing frames before the first rep and over its top
    (truth's ``top_start_s``..``top_end_s``), through the truth camera's
    scale at the heel. The difference is the rise the landmark loses.
    """
    from formcheck.landmarks import side_landmark

    ev = next(e for e in truth["events"] if e["kind"] == "rep" and e["leg"] == side)
    n = min(len(track), len(truth["frames"]["time_s"]))
    true_y = np.asarray(truth["frames"][side]["heel_point_2d"], dtype=np.float64)[:n, 1]
    got_y = track.pixels[:n, int(side_landmark(side, "heel")), 1].astype(np.float64)
    up_cm = (true_y - got_y) * true_cm_per_px(truth, f"{side}_heel")
    rest = _frames(track, 0.0, ev["start_s"] - 0.1)[:n]
    top = _frames(track, ev["top_start_s"], ev["top_end_s"])[:n]
    return float(np.nanmedian(up_cm[rest])), float(np.nanmedian(up_cm[top]))


def ktw_landmark_offsets(track: Any, truth: dict[str, Any], side: str) -> tuple[float, float]:
    """How far (cm) the toe and knee landmarks sit behind the toe tip and knee joint.

    Horizontal image distance toward the wall over the first lunge's hold
    (truth ``hold_start_s``..``hold_end_s``), medians, through the truth
    camera's horizontal scale at the toe; positive = behind (away from the wall).
    """
    from formcheck.landmarks import side_landmark

    ev = next(e for e in truth["events"] if e["kind"] == "lunge")
    n = min(len(track), len(truth["frames"]["time_s"]))
    sel = _frames(track, ev["hold_start_s"], ev["hold_end_s"])[:n]
    j2 = np.asarray(truth["frames"]["joints_2d"], dtype=np.float64)[:n]
    scale = true_cm_per_px_horizontal(truth, f"{side}_foot_index", int(np.flatnonzero(sel)[0]))
    out = []
    for part in ("foot_index", "knee"):
        i = int(side_landmark(side, part))
        toward = np.sign(np.median(j2[sel, int(side_landmark(side, "knee")), 0] - j2[sel, i, 0]))
        if part == "knee":  # the knee leans toward the wall, ahead of the toe
            toward = np.sign(
                np.median(j2[sel, i, 0] - j2[sel, int(side_landmark(side, "foot_index")), 0])
            )
        gap = (j2[sel, i, 0] - track.pixels[:n, i, 0][sel].astype(np.float64)) * toward
        out.append(float(np.nanmedian(gap)) * scale)
    return out[0], out[1]


# ------------------------------------------------------------------ measuring
def track_of(name: str, mp4: Path) -> Any:
    """Pose track of ``mp4`` (full model), cached beside the audit clips."""
    from formcheck.track import load_track, save_track

    cached = AUDIT / "tracks" / f"{name}.npz"
    bench_cache = Path.home() / ".cache" / "formcheck" / "tracks" / f"{mp4.stem}.npz"
    if not cached.exists() and bench_cache.exists():  # bench/accuracy.py's track
        cached = bench_cache
    if cached.exists():
        return load_track(cached)
    from formcheck.pose import extract_track

    track = extract_track(mp4, model_path=MODEL)
    cached.parent.mkdir(parents=True, exist_ok=True)
    save_track(track, cached)
    return track


def audit_clip(name: str, clip: Clip, mp4: Path) -> list[dict[str, Any]]:
    """Rows (metric, truth, formcheck, error) for one clip, with and without corrections."""
    from accuracy import DRILL_OF, EVALS, neutral

    from formcheck.analysis import analyze_track
    from formcheck.drills.base import DrillOptions
    from formcheck.errors import FormcheckError

    truth = json.loads(mp4.with_name(mp4.stem + ".truth.json").read_text())
    drill = DRILL_OF[truth["drill"]]
    view = str(truth["camera"]["view"])
    gap = check_projection(truth)
    if gap > 0.5:  # the truth camera must reproduce the truth's own 2D joints
        raise RuntimeError(f"{name}: truth camera projection off by {gap:.2f} px")
    track = track_of(name, mp4)
    variant = {"knee_touches_wall": True} if drill == "knee-to-wall" else {}
    h = float(truth["figure"]["height_cm"])
    rows: list[dict[str, Any]] = []

    def row(metric: str, t: Any, g: Any, raw: Any = None) -> None:
        err = None
        if isinstance(t, int | float) and isinstance(g, int | float) and not isinstance(g, bool):
            err = round(float(g) - float(t), 2)
        rows.append(
            {
                "clip": name,
                "varied": clip.varied,
                "drill": drill,
                "view": view,
                "metric": metric,
                "truth": t,
                "got": g,
                "error": err,
                "raw": raw,
            }
        )

    reports = {}
    for corrected in (True, False):
        opts = DrillOptions(
            height_cm=h, variant=variant, thresholds={} if corrected else neutral(drill)
        )
        try:
            reports[corrected] = analyze_track(track, drill, opts)
        except FormcheckError as err:
            row("analysis", "a report", f"error: {err}")
            return rows
    rep, raw = reports[True], reports[False]
    raw_rows_list = EVALS[drill](name, view, truth, raw)
    raw_rows = {r["metric"]: r["got"] for r in raw_rows_list}
    for r in EVALS[drill](name, view, truth, rep):
        row(r["metric"], r["truth"], r["got"], raw_rows.get(r["metric"]))
    if drill == "single-leg-balance":
        # the truth's touchdown ends its hold; formcheck's summary "touchdowns"
        # counts only interruptions (a new hold follows), so compare the end
        holds = [e for e in rep.events if e["kind"] == "hold"]
        t_end = next((e["ended_by"] for e in truth["events"] if e["kind"] == "hold"), None)
        row("hold ended by", t_end, holds[0]["ended_by"] if holds else None)
        if holds:
            row(
                "hold start / end flagged uncertain",
                "-",
                f"{holds[0].get('start_uncertain')} / {holds[0].get('end_uncertain')}",
            )
    q = rep.quality
    row("view", view, q["view"])
    foot = "right_heel" if truth["camera"].get("near_side", "right") == "right" else "left_heel"
    row(
        "cm_per_px (truth at the near heel)",
        round(true_cm_per_px(truth, foot), 4),
        round(float(rep.calibration["cm_per_px"]), 4),
    )
    row(
        "cm_per_px (truth at the hip)",
        round(true_cm_per_px(truth, "right_hip"), 4),
        round(float(rep.calibration["cm_per_px"]), 4),
    )
    cal = float(rep.calibration["cm_per_px"])
    heel_scale = true_cm_per_px(truth, foot)
    if drill == "calf-raise":
        # the pose model's own heel rise in pixels over the true one (the
        # inverse of the per-view factor the drill multiplies by): uncorrected
        # cm back to px with formcheck's scale, truth cm to px at the heel
        for r in raw_rows_list:
            if r["metric"].startswith("heel_rise_cm") and isinstance(r["got"], float):
                row(
                    r["metric"].replace("heel_rise_cm", "landmark rise / true rise (px)"),
                    "-",
                    round((r["got"] / cal) / (r["truth"] / heel_scale), 3),
                )
    row("scale error at the heel (%)", 0.0, round(100.0 * (cal / heel_scale - 1.0), 1))
    near = foot.split("_")[0]
    if drill == "calf-raise":
        rest, top = heel_landmark_offsets(track, truth, near)
        row(
            "heel landmark above the sole-heel point, flat / top (cm)",
            "-",
            f"{rest:.1f} / {top:.1f}",
        )
    if drill == "knee-to-wall":
        toe, knee = ktw_landmark_offsets(track, truth, near)
        row(
            "toe / knee landmark behind the toe tip / knee joint (cm)",
            "-",
            f"{toe:.1f} / {knee:.1f}",
        )
    row("calibration", "height", rep.calibration["method"])
    row("camera pitch (deg, + down)", truth["camera"]["tilt_deg"], q.get("camera_pitch_deg"))
    row("warnings", "-", ", ".join(sorted({w.code for w in rep.warnings})) or "-")
    return rows


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.2f}" if abs(v) >= 0.1 or v == 0 else f"{v:.4f}"
    return "-" if v is None else str(v)


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown table: clip, what varied, metric, truth, formcheck, error, uncorrected."""
    out = [
        "| clip | varied | metric | truth | formcheck | error | without corrections |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        err = "" if r["error"] is None else f"{r['error']:+.2f}"
        if (
            r["error"] is None
            and r["truth"] not in (r["got"], "-")
            and r["metric"] not in ("warnings", "calibration")
        ):
            err = "**wrong**" if r["got"] is not None else "**missing**"
        raw = "" if r["raw"] is None or r["raw"] == r["got"] else _fmt(r["raw"])
        out.append(
            f"| {r['clip']} | {r['varied']} | {r['metric']} | {_fmt(r['truth'])} | "
            f"{_fmt(r['got'])} | {err} | {raw} |"
        )
    return "\n".join(out)


SUMMARY_METRICS = (
    "rep_count",
    "heel_rise_cm rep 1",
    "heel_rise_cm rep 2",
    "peak_s rep 1",
    "landmark rise / true rise (px) rep 1",
    "attempts",
    "toe_to_wall_cm lunge 1",
    "tibia_angle_deg lunge 1",
    "heel_lifted lunge 1",
    "holds",
    "hold start_s",
    "hold end_s",
    "hold ended by",
    "view",
    "scale error at the heel (%)",
    "heel landmark above the sole-heel point, flat / top (cm)",
    "toe / knee landmark behind the toe tip / knee joint (cm)",
    "camera pitch (deg, + down)",
)
"""Metrics of the one-line-per-clip summary (``--summary``)."""


def summary(rows: list[dict[str, Any]]) -> str:
    """Markdown table, one line per clip: truth -> formcheck (error) of the key metrics."""
    out = ["| clip | varied | truth -> formcheck (error) |", "|---|---|---|"]
    clips: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        clips.setdefault(r["clip"], []).append(r)
    for name, rs in clips.items():
        parts = []
        for r in rs:
            if r["metric"] not in SUMMARY_METRICS:
                continue
            err = "" if r["error"] is None else f" ({r['error']:+.2f})"
            if r["truth"] == "-":
                parts.append(f"{r['metric']} {_fmt(r['got'])}")
            else:
                parts.append(f"{r['metric']} {_fmt(r['truth'])} -> {_fmt(r['got'])}{err}")
        out.append(f"| {name} | {rs[0]['varied']} | {'; '.join(parts)} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--render", action="store_true", help="render missing clips and exit")
    p.add_argument("--only", nargs="*", default=None, help="only these clip names")
    p.add_argument("--list", action="store_true", help="list the clips and exit")
    p.add_argument("--no-baselines", action="store_true", help="skip the default-camera clips")
    p.add_argument("--json", type=Path, default=None, help="write the rows as JSON")
    p.add_argument("--summary", action="store_true", help="one line per clip")
    args = p.parse_args(argv)
    if args.list:
        for n, c in CLIPS.items():
            print(f"{n}: {c.drill} {c.view}, {c.varied}, {c.frames} frames, {c.args}")
        return 0
    names = args.only or list(CLIPS)
    unknown = sorted(set(names) - set(CLIPS) - set(baselines()))
    if unknown:
        raise ValueError(f"unknown clip(s) {unknown}; expected some of {sorted(CLIPS)}")
    if args.render:
        AUDIT.mkdir(parents=True, exist_ok=True)
        for n in names:
            if n in CLIPS:
                render(n)
        return 0
    todo: list[tuple[str, Clip, Path]] = []
    if not args.no_baselines:
        todo += [
            (n, c, mp4)
            for n, (c, mp4) in baselines().items()
            if (args.only is None or n in args.only) and mp4.exists()
        ]
    for n in names:
        if n in CLIPS:
            mp4 = AUDIT / f"{n}.mp4"
            if mp4.exists():
                todo.append((n, CLIPS[n], mp4))
            else:
                print(f"{n}: not rendered (run with --render)", file=sys.stderr)
    rows: list[dict[str, Any]] = []
    for n, c, mp4 in todo:
        rows += audit_clip(n, c, mp4)
    print(summary(rows) if args.summary else table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
