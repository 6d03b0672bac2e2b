"""Bent-knee (soleus) calf raises on pose-model tracks, side-on: how much of the rise is read.

For every side-view calf-raise render with a cached MediaPipe track
(``bench/calf_factors.py`` ``clips``: the straight-knee renders, the bent-knee
renders in ``~/.cache/formcheck/renders/bent`` and its controls), the drill is
run with the per-view factors off and on (``calf_factors.measure``). Per clip
it prints the truth (rise, knee flexion), the knee flexion the drill reads,
the share of the true rise MediaPipe reads (no factor) and the rise with the
side factor alone and with the knee-flexion gain of ``calf_raise.toml``
(``bent_knee_rise_gain_per_deg_side`` above ``bent_knee_deg``), with the gain
refitted leaving the clip out (leave-one-clip-out).

Renders (side, 204 frames, 2 reps; ~2 min each on 2 cores)::

    python -m formcheck.render --drill calf-raise-bent-knee --view side --crf 23 \\
        --palette P [--knee-flexion K] [--heel-rise R] [--height-cm H] \\
        [--near-side left] [camera] --out ~/.cache/formcheck/renders/bent/bent_<name>.mp4

then ``formcheck.pose.extract_track`` (full model) to ``bent_<name>.npz`` beside
it (controls: ``ctl_<name>``). Run: ``python bench/calf_bent.py [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calf_factors import clips, measure

from formcheck.drills.calf_raise import load_calf_thresholds
from formcheck.track import load_track


def side_rows() -> list[dict[str, Any]]:
    """Per truth rep of every side-view calf render: ``calf_factors.measure`` rows + camera."""
    rows: list[dict[str, Any]] = []
    for name, mp4, npz, _held in clips():
        truth = json.loads(mp4.with_name(mp4.stem + ".truth.json").read_text())
        if truth["camera"]["view"] != "side":
            continue
        cam = truth["camera"]
        meta = {
            "palette": truth["figure"]["palette"],
            "height_cm": round(float(truth["figure"]["height_cm"])),
            "cam_height_m": cam["height_m"],
            "near_side": cam["near_side"],
        }
        rows += [{**r, **meta} for r in measure(name, mp4, load_track(npz))]
    return rows


PAIRS = {
    "calf_raise_bent_knee_side": "calf_raise_side",
    "calf_raise_bent_knee_k15": "calf_raise_side",
    "calf_raise_bent_knee_k35": "calf_raise_side",
    "calf_raise_bent_knee_p1": "calf_side_default_p1",
    "calf_raise_bent_knee_k15_p1": "calf_side_default_p1",
    "calf_raise_bent_knee_k35_p1": "calf_side_default_p1",
    "calf_raise_bent_knee_p2": "calf_side_default_p2",
    "calf_raise_bent_knee_k15_p2": "calf_side_default_p2",
    "calf_raise_bent_knee_p3": "calf_side_default_p3",
    "calf_raise_bent_knee_left": "calf_side_left",
    "calf_raise_bent_knee_knee_cam": "calf_raise_side_low",
    "calf_raise_bent_knee_chest_cam": "calf_raise_side_high",
    "calf_raise_bent_knee_short_p1": "calf_side_short_p1",
    "calf_raise_control_straight6": "calf_raise_side",
    "calf_raise_control_bent8": "calf_raise_side",
    "calf_raise_control_straight6_p1": "calf_side_default_p1",
}
"""Bent-knee render (or control) -> the straight-knee 8 cm render of the same camera,
palette, figure and side, for the share read relative to a straight knee."""

MODELS = ("step", "ramp", "share")
"""Corrections compared, each on side-view reps whose read knee flexion is at least
``bent_knee_deg`` (the drill's straight/bent boundary), so straight-knee reps keep
the side factor alone: ``step`` one bent-knee gain G; ``ramp`` gain 1 + a x (knee -
bent_knee_deg); ``share`` the share read falls linearly with the knee's bend from a
straight knee, gain 1 / (1 - c x knee). Knee flexion capped at ``max_deg``."""


def gain(model: str, p: float, knee: float, from_deg: float, max_deg: float) -> float:
    """The model's gain on the side-factor reading for a rep whose knee reads ``knee`` deg."""
    if knee < from_deg:
        return 1.0
    k = min(knee, max_deg)
    if model == "step":
        return p
    if model == "ramp":
        return 1.0 + p * (k - from_deg)
    return 1.0 / (1.0 - p * k)


def fit(
    model: str, rows: list[dict[str, Any]], scale: float, from_deg: float, max_deg: float
) -> float:
    """Least-squares parameter of ``model`` over ``rows`` (bent reps only count)."""
    rs = [r for r in rows if r["knee_read"] >= from_deg]
    if not rs:
        return 1.0 if model == "step" else 0.0
    need = np.array([r["truth"] / (scale * r["read"]) for r in rs])
    k = np.array([min(r["knee_read"], max_deg) for r in rs])
    if model == "step":
        return float(sum(r["truth"] for r in rs) / sum(scale * r["read"] for r in rs))
    if model == "ramp":
        x = k - from_deg
        return float(np.sum(x * (need - 1.0)) / np.sum(x * x))
    y = 1.0 - 1.0 / need
    return float(np.sum(k * y) / np.sum(k * k))


def analyse(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per rep: knee read, share read, rise with the factor, with each model fitted
    leaving the rep's clip out, and with the toml's correction."""
    th = load_calf_thresholds({})
    scale = th.heel_rise_scale_side
    k0 = th.bent_knee_deg
    kmax = th.bent_knee_rise_knee_max_deg
    p_toml = th.bent_knee_rise_share_per_deg
    ok = [
        r
        for r in rows
        if r["cls"] == "side" and r["read"] and r["knee_read"] is not None and r["full"]
    ]
    bent = [r for r in ok if "bent_knee" in r["clip"]]
    fitted = {m: fit(m, bent, scale, k0, kmax) for m in MODELS}
    straight_share: dict[str, float] = {}
    for r in ok:
        straight_share.setdefault(r["clip"], 0.0)
    for name in straight_share:
        mine = [r for r in ok if r["clip"] == name]
        straight_share[name] = sum(r["read"] for r in mine) / sum(r["truth"] for r in mine)
    out = []
    for r in ok:
        others = [b for b in bent if b["clip"] != r["clip"]]
        row = {
            **r,
            "share": r["read"] / r["truth"],
            "vs_straight": r["read"] / r["truth"] / straight_share[PAIRS[r["clip"]]]
            if PAIRS.get(r["clip"]) in straight_share
            else float("nan"),
            "with_factor": scale * r["read"],
            "with_toml": r["full"],  # the drill's own reading with the toml
        }
        for m in MODELS:
            p = fit(m, others, scale, k0, kmax)
            row[f"p_{m}"] = p
            row[f"with_{m}"] = scale * r["read"] * gain(m, p, r["knee_read"], k0, kmax)
        out.append(row)
    return {
        "scale": scale,
        "from_deg": k0,
        "max_deg": kmax,
        "toml": p_toml,
        "fitted": fitted,
        "rows": out,
    }


def _clip_err(rows: list[dict[str, Any]], key: str) -> tuple[float, float, float]:
    """Mean over clips of the clip's mean |error|, worst rep |error|, mean signed error (cm)."""
    per: dict[str, list[float]] = {}
    for r in rows:
        per.setdefault(r["clip"], []).append(r[key] - r["truth"])
    means = [float(np.mean(np.abs(v))) for v in per.values()]
    allv = [x for v in per.values() for x in v]
    return float(np.mean(means)), float(np.max(np.abs(allv))), float(np.mean(allv))


def markdown(res: dict[str, Any]) -> str:
    """Per-rep table and the summary per group, as markdown."""
    fitted = ", ".join(f"{m} {v:.4f}" for m, v in res["fitted"].items())
    lines = [
        f"side factor {res['scale']:.2f}; corrections from {res['from_deg']:.0f} deg read "
        f"knee flexion, capped at {res['max_deg']:.0f} deg; toml share per deg "
        f"{res['toml']:.4f}; fitted on all bent renders: {fitted}",
        "",
        "| clip | rep | palette | figure cm | camera m | near | knee true / read (deg) | "
        "rise true | read (no factor) | share read | / straight's | x factor | + toml | "
        + " | ".join(f"{m} LOO" for m in MODELS)
        + " |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|" + "---|" * len(MODELS),
    ]
    rows = sorted(res["rows"], key=lambda r: (r["knee_true"], r["clip"], r["rep"]))
    for r in rows:
        lines.append(
            f"| {r['clip']} | {r['rep'].split()[-1]} | {r['palette']} | {r['height_cm']} | "
            f"{r['cam_height_m']:.1f} | {r['near_side']} | {r['knee_true']:.0f} / "
            f"{r['knee_read']:.1f} | {r['truth']:.1f} | {r['read']:.2f} | {r['share']:.2f} | {r['vs_straight']:.2f} | "
            f"{r['with_factor']:.2f} | {r['with_toml']:.2f} | "
            + " | ".join(f"{r[f'with_{m}']:.2f}" for m in MODELS)
            + " |"
        )
    lines += [
        "",
        "| group | clips (reps) | share read, mean (SD over clips) | x factor: mean abs err "
        "(worst) bias cm | + toml | "
        + " | ".join(f"{m} LOO" for m in MODELS)
        + " | RMS relative error: x factor / share LOO |",
        "|---|---|---|---|---|" + "---|" * len(MODELS) + "---|",
    ]
    groups = {
        "straight knee": [r for r in rows if r["knee_true"] == 0 and "control" not in r["clip"]],
        "bent 15 deg": [r for r in rows if r["knee_true"] == 15],
        "bent 25 deg": [r for r in rows if r["knee_true"] == 25 and "control" not in r["clip"]],
        "bent 35 deg": [r for r in rows if r["knee_true"] == 35],
        "all bent": [r for r in rows if "bent_knee" in r["clip"]],
        "controls": [r for r in rows if "control" in r["clip"]],
    }
    for g, rs in groups.items():
        if not rs:
            continue
        per: dict[str, list[float]] = {}
        for r in rs:
            per.setdefault(r["clip"], []).append(r["share"])
        shares = [float(np.mean(v)) for v in per.values()]
        sd = float(np.std(shares, ddof=1)) if len(shares) > 1 else float("nan")
        cells = []
        for key in ("with_factor", "with_toml", *(f"with_{m}" for m in MODELS)):
            m, w, b = _clip_err(rs, key)
            cells.append(f"{m:.2f} ({w:.2f}) {b:+.2f}")
        rms = [
            100 * float(np.sqrt(np.mean([(r[k] / r["truth"] - 1.0) ** 2 for r in rs])))
            for k in ("with_factor", "with_share")
        ]
        lines.append(
            f"| {g} | {len(per)} ({len(rs)}) | {np.mean(shares):.2f} ({sd:.2f}) | "
            + " | ".join(cells)
            + f" | {rms[0]:.0f}% / {rms[1]:.0f}% |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the per-rep rows here")
    args = ap.parse_args(argv)
    res = analyse(side_rows())
    print(markdown(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
