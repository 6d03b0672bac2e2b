"""The calf raise's per-view heel-rise factors on pose-model tracks, from every render.

For each straight-knee calf-raise render with truth (the original renders, the
render audit's clips and the session-6 knee/chest-height camera renders, when
present), the drill is run on the cached MediaPipe track with the factors
switched off (``bench/accuracy.py`` ``neutral``) and with the factors in
``calf_raise.toml``; each rep's reading is matched to the truth's rep
(``bench/accuracy.py`` ``eval_calf``). Per view class (the factor the drill
applied at the rep's top: side, front-oblique, front, away) it prints:

- the pooled factor ``sum(true) / sum(read)`` over all straight-knee reps of
  that class, and the relative SD of ``true / read`` over the clips (one value
  per clip, the clip's own sum ratio): the factor's cross-render spread;
- per clip: truth, reading, the toml factor's result, the pooled factor's, and
  the leave-one-clip-out result (factor pooled over the other clips);
- bent-knee renders (never pooled): the toml and the pooled factors' results.

Run: python bench/calf_factors.py [--json out.json]   (tracks must be cached:
``python bench/render_audit.py --render`` / ``bench/accuracy.py`` extract them;
clips without a cached track are skipped, none is extracted here).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import _nearest, eval_calf, neutral
from render_matrix import DEFAULT_CACHE, clip_path

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.drills.calf_raise import load_calf_thresholds
from formcheck.track import PoseTrack, load_track

HOME = Path.home() / ".cache" / "formcheck"
AUDIT = HOME / "audit"
CAMERAS = Path("/tmp/cg/renders")  # session-6 knee / chest height renders (not kept)
BENT = HOME / "renders" / "bent"  # session-6 bent-knee side renders (bench/calf_bent.py)

CLASSES = ("side", "front_oblique", "front", "away")
"""Factor classes, as the keys ``heel_rise_scale_<class>`` in calf_raise.toml."""

BEFORE = {"side": 1.44, "front_oblique": 1.92, "front": 2.06, "away": 1.0}
"""The factors before session 6 (one render per view at one camera), compared with."""


def clips() -> list[tuple[str, Path, Path, bool]]:
    """(name, mp4, track npz, bent_knee) of every calf-raise render whose track is cached."""
    out: list[tuple[str, Path, Path, bool]] = []
    for name in (
        "calf_raise_side",
        "calf_raise_oblique",
        "calf_raise_front",
        "calf_raise_back",
        "calf_raise_bent_knee_side",
        "calf_raise_bent_knee_oblique",
    ):
        out.append((name, clip_path(name, DEFAULT_CACHE), HOME / "tracks" / f"{name}.npz", False))
    for mp4 in sorted(AUDIT.glob("calf_*.mp4")):
        out.append((mp4.stem, mp4, AUDIT / "tracks" / f"{mp4.stem}.npz", False))
    for mp4 in sorted(CAMERAS.glob("calf_raise_*_*.mp4")):
        out.append((mp4.stem, mp4, mp4.with_suffix(".npz"), False))
    for mp4 in sorted(BENT.glob("bent_*.mp4")):
        out.append((f"calf_raise_bent_knee_{mp4.stem[5:]}", mp4, mp4.with_suffix(".npz"), True))
    for mp4 in sorted(BENT.glob("ctl_*.mp4")):  # controls: other rise / knee pairs
        out.append((f"calf_raise_control_{mp4.stem[4:]}", mp4, mp4.with_suffix(".npz"), True))
    return [
        (n, m, t, "bent_knee" in n or "control" in n)
        for n, m, t, _ in out
        if m.exists() and t.exists() and m.with_name(m.stem + ".truth.json").exists()
    ]


def _held_out(clip: str) -> bool:
    """Bent-knee renders and the bent-knee study's controls: never pooled."""
    return "bent_knee" in clip or "control" in clip


def _rises(rows: list[dict[str, Any]]) -> dict[str, tuple[float, float | None]]:
    return {
        r["metric"]: (float(r["truth"]), None if r["got"] is None else float(r["got"]))
        for r in rows
        if r["metric"].startswith("heel_rise_cm rep")
    }


def measure(name: str, mp4: Path, track: PoseTrack) -> list[dict[str, Any]]:
    """Per truth rep: truth cm, read without factor, read with the toml's factors, class.

    ``old`` is the rise with the per-view factors alone, ``full`` with every
    correction of the toml (the bent-knee gain too). Also the true knee flexion of the rep (``knee_true``, the profile's, deg) and the
    one the drill reads for the matched rep (``knee_read``: the event's
    ``knee_flexion_deg``, deg; None when no rep matched).
    """
    truth = json.loads(mp4.with_name(mp4.stem + ".truth.json").read_text())
    view = str(truth["camera"]["view"])
    h = float(truth["figure"]["height_cm"])
    th = load_calf_thresholds({})
    by_factor = {round(getattr(th, f"heel_rise_scale_{c}"), 3): c for c in CLASSES}
    raw_rep = analyze_track(
        track, "calf-raise", DrillOptions(height_cm=h, thresholds=neutral("calf-raise"))
    )
    # the per-view factors alone (the bent-knee gain off), and everything in the toml
    factors_only = {"bent_knee_rise_share_per_deg": 0.0}
    old_rep = analyze_track(track, "calf-raise", DrillOptions(height_cm=h, thresholds=factors_only))
    full_rep = analyze_track(track, "calf-raise", DrillOptions(height_cm=h))
    raw = _rises(eval_calf(name, view, truth, raw_rep))
    old = _rises(eval_calf(name, view, truth, old_rep))
    full = _rises(eval_calf(name, view, truth, full_rep))
    knee_true = float(truth["profile"].get("knee_flexion_deg", 0.0))
    t_reps = [e for e in truth["events"] if e["kind"] == "rep" and e["leg"] == "right"]
    got = [e for e in raw_rep.events if e["kind"] == "rep" and not e["partial"]]
    out = []
    for k, (metric, (t, m)) in enumerate(raw.items()):
        o = old[metric][1]
        ev = _nearest(got, t_reps[k]["peak_s"]) if k < len(t_reps) else None
        extra = {
            "full": full[metric][1],
            "knee_true": knee_true,
            "knee_read": None if ev is None else ev["knee_flexion_deg"],
            "view": view,
        }
        if m is None or o is None or m <= 0:
            out.append(
                {"clip": name, "rep": metric, "truth": t, "read": m, "old": o, "cls": None, **extra}
            )
            continue
        f = round(o / m, 2)
        cls = min(by_factor.items(), key=lambda kv: abs(kv[0] - f))[1]
        out.append(
            {"clip": name, "rep": metric, "truth": t, "read": m, "old": o, "cls": cls, **extra}
        )
    return out


def pooled(reps: list[dict[str, Any]]) -> float:
    """sum(true) / sum(read) over ``reps``."""
    return float(sum(r["truth"] for r in reps) / sum(r["read"] for r in reps))


def clip_ratios(reps: list[dict[str, Any]]) -> dict[str, float]:
    """Per clip: sum(true) / sum(read) of its reps."""
    names = sorted({r["clip"] for r in reps})
    return {n: pooled([r for r in reps if r["clip"] == n]) for n in names}


def report(rows: list[dict[str, Any]], before: dict[str, float] = BEFORE) -> dict[str, Any]:
    """Per class: pooled factor, relative SD over clips, per-clip table with leave-one-out.

    "old" is ``before`` (the factors compared with); "toml" the factor in use.
    """
    th = load_calf_thresholds({})
    res: dict[str, Any] = {}
    ok = [r for r in rows if r["cls"] is not None]
    for cls in CLASSES:
        straight = [r for r in ok if r["cls"] == cls and not _held_out(r["clip"])]
        if not straight:
            continue
        f_old = before[cls]
        f_toml = float(getattr(th, f"heel_rise_scale_{cls}"))
        f_new = pooled(straight)
        ratios = clip_ratios(straight)
        rel = np.array(list(ratios.values())) / f_new
        table = []
        for clip in ratios:
            mine = [r for r in straight if r["clip"] == clip]
            others = [r for r in straight if r["clip"] != clip]
            f_loo = pooled(others) if others else float("nan")
            for r in mine:
                table.append(
                    {
                        **r,
                        "with_old": f_old * r["read"],
                        "with_new": f_new * r["read"],
                        "with_toml": f_toml * r["read"],
                        "loo_factor": f_loo,
                        "with_loo": f_loo * r["read"],
                    }
                )
        bent = [r for r in ok if r["cls"] == cls and _held_out(r["clip"])]
        res[cls] = {
            "old": f_old,
            "toml": f_toml,
            "pooled": f_new,
            "clips": len(ratios),
            "reps": len(straight),
            "rel_sd": float(np.std(rel, ddof=1)) if len(rel) > 1 else float("nan"),
            "table": table,
            "bent": [
                {**r, "with_old": f_old * r["read"], "with_toml": f_toml * r["read"]} for r in bent
            ],
        }
    return res


def _errs(table: list[dict[str, Any]], key: str) -> tuple[float, float]:
    """Mean over clips of the clip's mean |error| (cm), and the worst rep's |error|."""
    per_clip: dict[str, list[float]] = {}
    for r in table:
        per_clip.setdefault(r["clip"], []).append(abs(r[key] - r["truth"]))
    means = [float(np.mean(v)) for v in per_clip.values()]
    worst = max(max(v) for v in per_clip.values())
    return float(np.mean(means)), worst


def markdown(res: dict[str, Any]) -> str:
    """The tables of ``report`` as markdown."""
    lines = [
        "| class | clips (reps) | factor before -> pooled (toml) | relative SD over clips | "
        "RMS relative error, leave-one-out | before: mean abs err (worst) cm | "
        "leave-one-out: mean abs err (worst) cm | toml: mean abs err (worst) cm |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cls, r in res.items():
        o, ow = _errs(r["table"], "with_old")
        c, cw = _errs(r["table"], "with_toml")
        if r["clips"] > 1:
            n, nw = _errs(r["table"], "with_loo")
            loo = f"{n:.2f} ({nw:.2f})"
            rms = np.sqrt(
                np.mean([((t["with_loo"] - t["truth"]) / t["truth"]) ** 2 for t in r["table"]])
            )
            rms_text = f"{100 * rms:.0f}%"
        else:
            loo = rms_text = "-"
        lines.append(
            f"| {cls} | {r['clips']} ({r['reps']}) | {r['old']:.2f} -> {r['pooled']:.2f} "
            f"({r['toml']:.2f}) | {100 * r['rel_sd']:.0f}% | {rms_text} | {o:.2f} ({ow:.2f}) | "
            f"{loo} | {c:.2f} ({cw:.2f}) |"
        )
    lines += [
        "",
        "| class | clip | rep | truth | read (no factor) | read/true | before | pooled | "
        "leave-one-out (factor) | toml |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for cls, r in res.items():
        for t in r["table"]:
            lines.append(
                f"| {cls} | {t['clip']} | {t['rep'].split()[-1]} | {t['truth']:.2f} | "
                f"{t['read']:.2f} | {t['read'] / t['truth']:.2f} | {t['with_old']:.2f} | "
                f"{t['with_new']:.2f} | {t['with_loo']:.2f} ({t['loo_factor']:.2f}) | "
                f"{t['with_toml']:.2f} |"
            )
        for t in r["bent"]:
            lines.append(
                f"| {cls} (bent knee, out of sample) | {t['clip']} | {t['rep'].split()[-1]} | "
                f"{t['truth']:.2f} | {t['read']:.2f} | {t['read'] / t['truth']:.2f} | "
                f"{t['with_old']:.2f} | - | - | {t['with_toml']:.2f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the per-rep rows here")
    args = ap.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for name, mp4, npz, _bent in clips():
        rows += measure(name, mp4, load_track(npz))
    missing = [r for r in rows if r["cls"] is None]
    for r in missing:
        print(f"not matched: {r['clip']} {r['rep']} (read {r['read']})", file=sys.stderr)
    res = report(rows)
    print(markdown(res))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "report": res}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
