"""A report as plain text for the terminal (what ``formcheck analyze`` prints).

Numbers read in words with their units, labelled like the page does
(``formcheck.ui.cards``: ``split_unit``, ``format_number``). Each rep / hold /
attempt is one short line with the numbers that matter for its drill
(``EVENT_LINES``), e.g.::

    attempt 1 (left leg) at 1.2 s: toe to wall 7.3 cm, tibia angle 25.0 deg,
        heel down, knee 3.6 cm short of the wall - not a valid depth

(one line in the output). A number less reliable than usual carries a mark
``[n]`` right after it; the reason is spelled out once under "notes". Every
field of every event is printed with ``verbose=True`` (``formcheck analyze
--verbose``) and is in the JSON report (``--json``); per-frame numbers are in
the CSV (``--csv``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from formcheck.report import Report
from formcheck.ui.cards import NEGATIVE_LABELS, describe, format_number, split_unit

UNIT_TEXT: dict[str, str] = {"°": "deg", "cm²": "cm2"}
"""Units as the terminal shows them (plain ASCII, as on any console)."""

NOT_MEASURED = "not measured"
"""What a line says for the headline number of an event that was not measured."""

MORE_DETAIL = (
    "(every field of each event: add --verbose; the full report: --json; per-frame numbers: --csv)"
)
"""The one line telling where the full detail is."""


@dataclass(frozen=True)
class EventLine:
    """How one drill's events read as one line.

    Attributes:
        keys: event keys shown, in order. Numbers print as "label value unit";
            the first key always prints ("not measured" when missing), the
            others only when measured. Keys in ``WORDS`` print as words.
        verdicts: event keys (yes/no) -> (text when yes, text when no), put at
            the end of the line after " - " (None: nothing printed).
        leg_word: "leg" or "foot" (ankle circles name the circling foot).
    """

    keys: tuple[str, ...]
    verdicts: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    leg_word: str = "leg"


_STRETCH = EventLine(
    ("hold_s", "valid_hold_s", "tibia_angle_deg", "knee_forward_cm", "heel_lifted")
)
_EDGE = EventLine(("tilt_deg", "on_edge"))

EVENT_LINES: dict[str, EventLine] = {
    "calf-raise": EventLine(
        ("heel_rise_cm", "up_s", "hold_s", "down_s", "knee_flexion_deg"),
        {"partial": ("partial rep", None)},
    ),
    "single-leg-balance": EventLine(
        ("duration_s", "sway_path_cm", "sway_velocity_cm_s", "sway_area_cm2", "ended_by")
    ),
    "knee-to-wall": EventLine(
        ("toe_to_wall_cm", "tibia_angle_deg", "heel_lifted", "knee_to_wall_gap_cm"),
        {"valid": ("a valid depth", "not a valid depth")},
    ),
    "heel-walk": EventLine(
        ("toe_lift_deg", "forefoot_height_cm", "forefoot_touched", "toe_in_deg")
    ),
    "toe-walk": EventLine(("heel_height_cm", "heel_dropped", "knee_flexion_deg")),
    "lateral-hops": EventLine(
        ("flight_s", "contact_s", "width_cm", "landing_knee_flexion_deg"),
        {"inferred": ("inferred from the rhythm of the others", None)},
    ),
    "inversion-walk": _EDGE,
    "eversion-walk": _EDGE,
    "soleus-wall-stretch": _STRETCH,
    "deep-squat-hold": _STRETCH,
    "calf-step-stretch": _STRETCH,
    "ankle-circles": EventLine(
        ("count", "direction", "toe_range_cm", "hip_sway_rms_cm"),
        {"whole_leg": ("the whole leg circled, not only the ankle", None)},
        leg_word="foot",
    ),
}
"""Per drill: which event numbers its one-line summary shows (others: ``_fallback``)."""

KIND_LINES: dict[tuple[str, str], EventLine] = {
    ("calf-raise", "set"): EventLine(
        ("reps", "partial_reps", "mean_heel_rise_cm", "fatigue_pct", "rest_before_s")
    ),
}
"""Per (drill, event kind): a line for a kind other than the drill's main one."""

TIME_KEYS = ("start_s", "end_s", "peak_s", "takeoff_s", "landing_s")
"""Event keys that are times in the video (seconds), shown as "at 1.2 s" or "1.0-3.7 s"."""

NOUNS: dict[str, str] = {"lunge": "attempt", "circles": "set"}
"""Event kind -> what the line calls it (other kinds read as they are: rep, hold, step, hop)."""

LABELS: dict[str, str] = {
    "toe_to_wall_cm": "toe to wall",
    "up_s": "up",
    "hold_s": "hold",
    "down_s": "down",
    "duration_s": "held",
    "flight_s": "flight",
    "contact_s": "contact",
    "landing_knee_flexion_deg": "landing knee flexion",
    "valid_hold_s": "heel down for",
    "mean_heel_rise_cm": "mean heel rise",
    "fatigue_pct": "height lost",
    "rest_before_s": "after a rest of",
}
"""Shorter labels for a line (others: the page's label, lower case)."""

NEGATIVE_WORDS: dict[str, str] = {"fatigue_pct": "height gained"}
"""Event keys whose negative value reverses the label's meaning: the label for its size."""

COUNTED: dict[str, str] = {"reps": "reps", "partial_reps": "partial"}
"""Event keys that are counts, read "8 reps" (a count of 0 is left out)."""

WORDS: dict[str, tuple[str, str, str]] = {
    "heel_lifted": ("heel lifted", "heel down", "heel lift not checked"),
    "forefoot_touched": ("forefoot touched down", "toes up", "toe contact not checked"),
    "heel_dropped": ("heel dropped", "heel up", "heel drop not checked"),
    "on_edge": ("on the edge", "flat", "edge not checked"),
}
"""Yes/no event keys as words: (yes, no, not known)."""


def _number(value: Any, unit: str) -> str:
    """A value with its unit as the terminal shows it ("25.0 deg", "7.3 cm", "3")."""
    if not unit and isinstance(value, float) and value.is_integer():
        value = int(value)  # counts stored as floats (3.0 attempts) read as counts
    return format_number(value, UNIT_TEXT.get(unit, unit))


def _measured(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and not math.isfinite(value))


class Notes:
    """Flag reasons numbered in order of appearance; one number per distinct reason."""

    def __init__(self) -> None:
        self.by_reason: dict[str, tuple[int, list[str]]] = {}

    def mark(self, key: str, reason: str) -> str:
        """ " [n]": the mark to put after the number ``key`` flagged with ``reason``."""
        label, quals, unit = describe(key)
        inside = quals + ([UNIT_TEXT.get(unit, unit)] if unit else [])
        shown = f"{label} ({', '.join(inside)})" if inside else label
        n, labels = self.by_reason.setdefault(reason, (len(self.by_reason) + 1, []))
        if shown not in labels:
            labels.append(shown)
        return f" [{n}]"

    def lines(self) -> list[str]:
        return [
            f"  [{n}] {', '.join(labels)}: {reason}"
            for reason, (n, labels) in self.by_reason.items()
        ]


def _part(key: str, value: Any, event: dict[str, Any], first: bool) -> str | None:
    """One "label value unit" piece of an event line (None: nothing to show)."""
    if key in WORDS:
        yes, no, unknown = WORDS[key]
        return unknown if value is None else (yes if value else no)
    if key == "knee_to_wall_gap_cm":  # knee-to-wall: where the knee stopped
        reached = event.get("knee_reached_wall")
        if reached is True:
            return "knee at the wall"
        if reached is False and _measured(value):
            return f"knee {_number(value, 'cm')} short of the wall"
        return None
    if key == "count":  # ankle circles: "10 circles"
        return f"{_number(value, '')} circles" if _measured(value) else None
    if key in COUNTED:  # a set: "8 reps", "1 partial"
        return f"{_number(value, '')} {COUNTED[key]}" if _measured(value) and value else None
    if key in NEGATIVE_WORDS and isinstance(value, int | float) and value < 0:
        return f"{NEGATIVE_WORDS[key]} {_number(-value, split_unit(key)[1])}"
    if key == "direction":
        return str(value) if value else None
    label, unit = split_unit(key)
    label = LABELS.get(key, label[:1].lower() + label[1:])
    if not _measured(value):
        return f"{label} {NOT_MEASURED}" if first else None
    if isinstance(value, str):
        return f"{label} {value.replace('_', ' ')}"
    return f"{label} {_number(value, unit)}"


def _fallback(event: dict[str, Any]) -> EventLine:
    """A drill without an ``EVENT_LINES`` entry: its first six measured numbers with units."""
    keys = [
        k
        for k, v in event.items()
        if isinstance(v, int | float)
        and not isinstance(v, bool)
        and split_unit(k)[1]
        and k not in TIME_KEYS
    ]
    return EventLine(tuple(keys[:6]))


def _when(event: dict[str, Any]) -> str:
    """ "at 1.2 s" (the event's peak) or "3.0-19.6 s" (its span), "" without times."""
    peak, start, end = (_seconds(event.get(k)) for k in ("peak_s", "start_s", "end_s"))
    if peak is not None:
        return f"at {peak:.1f} s"
    if start is not None and end is not None and end > start:
        return f"{start:.1f}-{end:.1f} s"
    return f"at {start:.1f} s" if start is not None else ""


def _seconds(value: Any) -> float | None:
    """A time field as seconds (None when missing or not finite)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def event_line(drill: str, event: dict[str, Any], number: int | None, notes: Notes) -> str:
    """One event as a line, e.g. "rep 2 (right leg) at 4.5 s: heel rise 7.8 cm, up 0.6 s, ...".

    Args:
        drill: the report's drill name (picks the numbers shown).
        event: one of ``Report.events``.
        number: its number among the events of its kind (None: not counted,
            e.g. "not_a_rep").
        notes: where flags are numbered (marks "[n]" go after the flagged number).
    """
    kind = str(event.get("kind", "event"))
    spec = KIND_LINES.get((drill, kind)) or EVENT_LINES.get(drill) or _fallback(event)
    flags = event.get("flags") or {}
    if not isinstance(flags, dict):  # an older report: a list of flag texts
        flags = {"event": "; ".join(str(f) for f in flags)}
    leg = event.get("leg") or event.get("stance_leg")
    noun = "not counted" if number is None else f"{NOUNS.get(kind, kind)} {number}"
    if leg:
        legs = f"both {spec.leg_word}s".replace("foots", "feet") if leg == "both" else None
        leg_mark = notes.mark("leg", str(flags["leg"])) if "leg" in flags else ""
        noun = f"{noun} ({legs or f'{leg} {spec.leg_word}'}{leg_mark})"
    when = _when(event)
    if when:  # a flag on a time (start, end, peak) goes next to the time
        when += _marks(notes, {k: flags[k] for k in TIME_KEYS if k in flags})
    head = f"{noun} {when}" if when else noun
    if number is None:  # rejected movement: its reason says it all
        reason = event.get("reason") or kind.replace("_", " ")
        return f"{head}: {reason}"
    parts = []
    for i, key in enumerate(spec.keys):
        if key not in event:
            continue
        text = _part(key, event[key], event, first=i == 0)
        if text is None:
            continue
        if key in flags:
            text += notes.mark(key, str(flags[key]))
        parts.append(text)
    # flags about the whole event ("landmarks": not an event field) end the line; flags
    # on numbers the line does not show are printed with them (--verbose, JSON)
    whole = {k: why for k, why in flags.items() if k not in event and k != "leg"}
    verdicts = [
        text
        for key, (yes, no) in spec.verdicts.items()
        if isinstance(event.get(key), bool) and (text := yes if event[key] else no) is not None
    ]
    line = f"{head}: {', '.join(parts) or NOT_MEASURED}{_marks(notes, whole)}"
    return line + (f" - {'; '.join(verdicts)}" if verdicts else "")


def _marks(notes: Notes, flags: dict[str, Any]) -> str:
    """The marks " [n]" of several flags, each distinct mark once."""
    return "".join(dict.fromkeys(notes.mark(k, str(why)) for k, why in flags.items()))


def _summary_value(key: str, value: Any) -> str:
    """A summary value in words: numbers with units, per-leg dicts spelled out."""
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if isinstance(v, dict):
                items.append(f"{k}: {_summary_value(k, v)}")
            else:
                label, unit = split_unit(k)
                items.append(f"{label.lower()} {_plain(v, unit)}")
        return ", ".join(items) if items else "-"
    if isinstance(value, list):
        return ", ".join(_plain(v, "") for v in value) if value else "-"
    return _plain(value, split_unit(key)[1])


def _plain(value: Any, unit: str) -> str:
    if not _measured(value):
        return NOT_MEASURED if unit else "-"
    if isinstance(value, dict | list):
        return _summary_value("", value)
    return _number(value, unit)


def _facing(quality: dict[str, Any]) -> str:
    parts = []
    if quality.get("facing"):
        parts.append(f"facing image-{quality['facing']}")
    if quality.get("near_side"):
        parts.append(f"{quality['near_side']} leg nearer the camera")
    return f" ({', '.join(parts)})" if parts else ""


def _raw(value: Any) -> str:
    """A field as it is stored (for --verbose): yes/no, '-', 2-3 significant digits."""
    if isinstance(value, bool) or value is None:
        return "-" if value is None else ("yes" if value else "no")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} {_raw(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_raw(v) for v in value) + "]"
    return str(value)


def format_report(report: Report, verbose: bool = False) -> str:
    """Human-readable summary: quality, calibration, headline numbers, events, cues.

    Args:
        report: the analysis result.
        verbose: also print every stored field of each event under its line.
    """
    d = report.to_dict()
    q, c = d["quality"], d["calibration"]
    notes = Notes()
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
    labels = [split_unit(k)[0] for k in d["summary"]]
    for key, value in d["summary"].items():
        label, unit = split_unit(key)
        if labels.count(label) > 1 and unit:  # "asymmetry_cm" and "asymmetry_deg"
            label = f"{label} ({UNIT_TEXT.get(unit, unit)})"
        if key in NEGATIVE_LABELS and isinstance(value, int | float) and value < 0:
            label, value = NEGATIVE_LABELS[key], -value
        mark = notes.mark(key, str(flags[key])) if key in flags else ""
        lines.append(f"  {label}: {_summary_value(key, value)}{mark}")
    if d["norms"]:
        lines.append("against norms:")
        for n in d["norms"]:
            label = split_unit(n["metric"])[0]
            unit = UNIT_TEXT.get(n["unit"], n["unit"])
            value = format_number(n["value"], unit)
            lines.append(f"  {label} {value}: {n['verdict']} ({n['norm']}; {n['source']})")
    if d["events"]:
        lines.append(f"events ({len(d['events'])}):")
        counts: dict[str, int] = {}
        for e in d["events"]:
            kind = str(e.get("kind", ""))
            number = None
            if not kind.startswith("not_"):
                number = counts[kind] = counts.get(kind, 0) + 1
            lines.append("  " + event_line(d["drill"], e, number, notes))
            if verbose:
                flagged = e.get("flags") if isinstance(e.get("flags"), dict) else {}
                lines.append(
                    "      all: "
                    + ", ".join(
                        f"{k} {_raw(v)}" + (notes.mark(k, str(flagged[k])) if k in flagged else "")
                        for k, v in e.items()
                        if k != "flags"
                    )
                )
        if not verbose:
            lines.append("  " + MORE_DETAIL)
    if notes.by_reason:
        lines.append("notes (numbers marked [n] are less reliable):")
        lines += notes.lines()
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
