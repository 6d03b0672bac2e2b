"""Shape a ``Report`` for display: metric cards, event rows, cue rows.

Pure functions (no Streamlit), so the page logic is testable without a browser.
Which summary numbers are headline cards is a per-drill table; every other
scalar in the summary still appears under "all numbers". A card carries the
published norm for its metric (``Report.norms``) and the trust flag for it
(``Report.flags``) so the page shows them next to the number.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from formcheck.report import Report

HEADLINES: dict[str, tuple[str, ...]] = {
    "calf-raise": (
        "rep_count",
        "mean_heel_rise_cm",
        "max_heel_rise_cm",
        "total_vertical_cm",
        "fatigue_pct",
        "rise_cv_pct",
        "mean_up_s",
        "mean_hold_s",
        "mean_down_s",
        "variant_detected",
    ),
    "single-leg-balance": (
        "longest_hold_s",
        "total_hold_s",
        "touchdowns",
        "sway_path_cm",
        "sway_velocity_cm_s",
        "sway_area_cm2",
    ),
    "knee-to-wall": (
        "best_toe_to_wall_cm",
        "best_tibia_angle_deg",
        "left_right_difference_cm",
    ),
}
"""Summary keys shown as cards, per drill, in order (missing keys are skipped)."""

COUNT_KEYS: dict[str, str] = {
    "calf-raise": "rep_count",
    "single-leg-balance": "longest_hold_s",
    "knee-to-wall": "best_toe_to_wall_cm",
}
"""The one number each drill is about (shown first, and checked by the browser test)."""

LIVE_COUNTERS: dict[str, tuple[str, str, str]] = {
    "calf-raise": ("reps", "Reps (live)", "{:.0f}"),
    "single-leg-balance": ("hold_s", "Hold (live)", "{:.1f} s"),
    "knee-to-wall": ("attempts", "Attempts (live)", "{:.0f}"),
}
"""Per drill: (overlay series, label, format) of the big live counter."""

_UNITS: tuple[tuple[str, str], ...] = (
    ("_cm_s", "cm/s"),
    ("_cm2", "cm²"),
    ("_cm", "cm"),
    ("_deg", "°"),
    ("_pct", "%"),
    ("_per_min", "/min"),
    ("_s", "s"),
)
"""Key suffix -> unit shown (first match wins: longer suffixes first)."""


@dataclass(frozen=True)
class Card:
    """One metric card.

    Attributes:
        key: summary key.
        label: "Mean heel rise".
        value: "5.2 cm" (or "—" when not measured).
        norm: "about 12 cm in healthy adults (Hoch & McKeon 2011): below typical", or None.
        flag: why this number is less reliable, or None.
    """

    key: str
    label: str
    value: str
    norm: str | None
    flag: str | None


LABELS: dict[str, str] = {
    "rep_count": "Reps",
    "rise_cv_pct": "Rise variation",
    "fatigue_pct": "Height lost over the set",
    "variant_detected": "Knee variant seen",
    "best_tibia_angle_deg": "Best tibia angle",
    "left_right_difference_cm": "Left-right difference",
}
"""Labels that read better than the key (the unit still comes from the key)."""


def split_unit(key: str) -> tuple[str, str]:
    """``"mean_heel_rise_cm"`` -> ("Mean heel rise", "cm")."""
    base, unit = key, ""
    for suffix, shown in _UNITS:
        if key.endswith(suffix):
            base, unit = key[: -len(suffix)], shown
            break
    if key in LABELS:
        return LABELS[key], unit
    label = base.replace("_", " ").strip()
    return (label[:1].upper() + label[1:]) if label else key, unit


def format_number(value: Any, unit: str = "") -> str:
    """A display string for a summary value: numbers rounded sensibly, None as "—"."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"
        if text.lstrip("-").strip("0.") == "":
            text = text.lstrip("-")  # no "-0.0"
    elif isinstance(value, str):
        text = value.replace("_", " ")
    else:
        text = json.dumps(value, default=str)
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "°") else f"{text} {unit}"


def _norm_text(report: Report, key: str) -> str | None:
    texts = [f"{n.norm} ({n.source}): {n.verdict}" for n in report.norms if n.metric == key]
    return "; ".join(texts) if texts else None


def cards(report: Report) -> list[Card]:
    """Headline cards for the report's drill, then cards for any normed metric not yet shown."""
    keys = [k for k in HEADLINES.get(report.drill, ()) if k in report.summary]
    if not keys:  # a drill without a table: every scalar summary value
        keys = [k for k, v in report.summary.items() if _is_scalar(v)]
    keys += [n.metric for n in report.norms if n.metric not in keys and n.metric in report.summary]
    out = []
    for key in dict.fromkeys(keys):
        label, unit = split_unit(key)
        out.append(
            Card(
                key=key,
                label=label,
                value=format_number(report.summary.get(key), unit),
                norm=_norm_text(report, key),
                flag=report.flags.get(key),
            )
        )
    return out


def shared_flags(card_list: list[Card]) -> dict[str, list[str]]:
    """Flags carried by two or more cards: flag text -> the labels of those cards.

    The page states such a flag once in full and marks each card it concerns
    with its short form (``short_flag``), instead of repeating the sentence.
    """
    by_text: dict[str, list[str]] = {}
    for c in card_list:
        if c.flag:
            by_text.setdefault(c.flag, []).append(c.label)
    return {text: labels for text, labels in by_text.items() if len(labels) > 1}


def short_flag(text: str) -> str:
    """The part of a flag before its first colon ("cm scale assumed (±6%)")."""
    head = text.split(":", 1)[0].strip()
    return head if head and len(head) < len(text) else text


def other_flags(report: Report) -> list[tuple[str, str]]:
    """(label, reason) of flags whose metric has no card (shown as a list)."""
    shown = {c.key for c in cards(report)}
    return [(split_unit(k)[0], why) for k, why in report.flags.items() if k not in shown]


def all_numbers(report: Report) -> list[dict[str, str]]:
    """Every summary value as rows {"what", "value"} (nested values as text)."""
    rows = []
    for key, value in report.summary.items():
        label, unit = split_unit(key)
        rows.append({"what": label, "value": format_number(value, unit)})
    return rows


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, int | float | str | bool)


def event_rows(report: Report) -> list[dict[str, Any]]:
    """One row per rep / hold / attempt, columns labelled with units; flags as text."""
    rows = []
    for i, event in enumerate(report.events, start=1):
        row: dict[str, Any] = {"#": i}
        for key, value in event.items():
            if key == "flags":
                row["trust"] = "; ".join(f"{k}: {v}" for k, v in value.items()) if value else ""
                continue
            label, unit = split_unit(key)
            col = f"{label} ({unit})" if unit else label
            if isinstance(value, float):
                row[col] = None if not math.isfinite(value) else round(value, 2)
            elif isinstance(value, dict | list):
                row[col] = json.dumps(value, default=str)
            else:
                row[col] = value
        rows.append(row)
    return rows


def clock(time_s: float | None) -> str:
    """Seconds as "m:ss.s" ("—" for None)."""
    if time_s is None or not math.isfinite(time_s):
        return "—"
    minutes, seconds = divmod(max(0.0, time_s), 60.0)
    return f"{int(minutes)}:{seconds:04.1f}"


def cue_rows(report: Report) -> list[dict[str, str]]:
    """Cues as rows {"time", "severity", "cue"} in time order."""
    return [
        {"time": clock(c.time_s), "severity": c.severity, "cue": c.message} for c in report.cues
    ]


def headline(report: Report) -> str:
    """One sentence for the top of the results, e.g. "3 reps" or "longest hold 31.2 s"."""
    key = COUNT_KEYS.get(report.drill)
    if key is None or key not in report.summary:
        first = next(iter(cards(report)), None)  # a drill without an entry: its first number
        return f"{first.label.lower()} {first.value}" if first else "done"
    value = report.summary[key]
    if key == "rep_count":
        return f"{format_number(value)} reps"
    label, unit = split_unit(key)
    return f"{label.lower()} {format_number(value, unit)}"
