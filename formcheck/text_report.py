"""A report as plain text for the terminal (what ``formcheck analyze`` prints)."""

from __future__ import annotations

from typing import Any

from formcheck.report import Report


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else ("yes" if value else "no")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))  # counts stored as floats (3.0 attempts) read as counts
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def _facing(quality: dict[str, Any]) -> str:
    parts = []
    if quality.get("facing"):
        parts.append(f"facing image-{quality['facing']}")
    if quality.get("near_side"):
        parts.append(f"{quality['near_side']} leg nearer the camera")
    return f" ({', '.join(parts)})" if parts else ""


def format_report(report: Report) -> str:
    """Human-readable summary: quality, calibration, headline numbers, events, cues."""
    d = report.to_dict()
    q, c = d["quality"], d["calibration"]
    lines = [
        f"{d['drill']} - {d['video']['source'] or 'video'}: {d['video']['frames']} frames, "
        f"{d['video']['duration_s']:.1f} s, person in {100 * q['pose_detected_fraction']:.0f}% of frames",
        f"view: {q['view']}{_facing(q)}   trusted: {'yes' if q['trusted'] else 'NO'}",
        f"cm calibration: {c['method']}, {c['cm_per_px']:.3f} cm/px, +/- {c['uncertainty_pct']:.0f}%",
    ]
    if d["quality"]["warnings"]:
        lines.append("warnings:")
        lines += [f"  [{w['severity']}] {w['message']}" for w in d["quality"]["warnings"]]
    lines.append("summary:")
    flags = d.get("flags") or {}
    for key, value in d["summary"].items():
        flag = f"   (! {flags[key]})" if key in flags else ""
        lines.append(f"  {key}: {_fmt(value)}{flag}")
    if d["norms"]:
        lines.append("against norms:")
        lines += [
            f"  {n['metric']}: {_fmt(n['value'])} {n['unit']} - {n['verdict']} ({n['norm']}; {n['source']})"
            for n in d["norms"]
        ]
    if d["events"]:
        lines.append(f"events ({len(d['events'])}):")
        for e in d["events"]:
            shown = {
                k: v
                for k, v in e.items()
                if k not in ("kind", "flags") and not isinstance(v, dict | list)
            }
            extra = f"  ! {_event_flags(e['flags'])}" if e.get("flags") else ""
            lines.append(
                f"  {e['kind']}: " + ", ".join(f"{k} {_fmt(v)}" for k, v in shown.items()) + extra
            )
    if d["cues"]:
        lines.append("cues:")
        for cue in d["cues"]:
            at = f"{cue['time_s']:6.1f} s" if cue["time_s"] is not None else "        "
            lines.append(f"  {at}  {cue['message']}")
    score = d["score"]
    lines.append(
        f"score: {score:.0f}/100" if score is not None else "score: - (not enough to score)"
    )
    return "\n".join(lines)


def _event_flags(flags: dict[str, str] | list[str]) -> str:
    """An event's flags as text: each metric with the reason it is less reliable."""
    if isinstance(flags, dict):
        return "; ".join(f"{k}: {why}" for k, why in flags.items())
    return "; ".join(str(f) for f in flags)
