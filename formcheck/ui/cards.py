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
        "set_count",
        "mean_heel_rise_cm",
        "left_mean_heel_rise_cm",
        "right_mean_heel_rise_cm",
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
    "set_count": "Sets",
    "height_change_over_sets_pct": "Height lost, first set to last",
    "rise_cv_pct": "Rise variation",
    "fatigue_pct": "Height lost over the set",
    "variant_detected": "Knee variant seen",
    "best_tibia_angle_deg": "Best tibia angle",
    "max_tibia_angle_any_deg": "Largest tibia angle, any attempt",
    "implausible_attempts": "Attempts set aside (implausible)",
    "short_of_wall_attempts": "Attempts where the knee stopped short of the wall",
    "left_right_difference_cm": "Left-right difference",
    "left_mean_heel_rise_cm": "Left leg: mean heel rise",
    "right_mean_heel_rise_cm": "Right leg: mean heel rise",
    "mean_up_s": "Rise time (mean)",
    "mean_hold_s": "Time at the top (mean)",
    "mean_down_s": "Lowering time (mean)",
    "cadence_reps_per_min": "Cadence",
    "hops_per_min": "Hop rate",
}
"""Labels that read better than the key (the unit still comes from the key)."""

NEGATIVE_LABELS: dict[str, str] = {
    "fatigue_pct": "Height gained over the set",
    "height_change_over_sets_pct": "Height gained, first set to last",
}
"""Labels for a negative value whose sign reverses the meaning (the card then shows
its size: "Height gained over the set 1.0%", not "Height lost over the set -1.0%")."""

DIRECTIONS: dict[str, str] = {"ml": "side-to-side", "ap": "front-to-back"}
"""Key words naming a body axis (medio-lateral, antero-posterior): put in front."""

QUALIFIERS: dict[str, str] = {
    "rms": "RMS",
    "se": "standard error",
    "cv": "variation",
    "3d": "3D",
    "x": "along the picture",
}
"""Key words that qualify a measure: shown in brackets after it, before the unit."""

_STATS = ("max", "min", "mean", "median")
"""Statistics that some keys put after the unit ("down_s_max"); read as a prefix."""

_BY = "_by_"
"""``heel_rise_cm_by_leg``: a value per leg (shown as "by leg" before the unit)."""


def describe(key: str) -> tuple[str, list[str], str]:
    """A summary/event key in words: (label, qualifiers, unit).

    ``"sway_ml_rms_cm"`` -> ("Side-to-side sway", ["RMS"], "cm");
    ``"heel_rise_cm_by_leg"`` -> ("Heel rise", ["by leg"], "cm").
    """
    extra: list[str] = []
    ends_in_unit = any(key.endswith(suffix) for suffix, _ in _UNITS)  # "hops_per_min"
    for stat in _STATS:  # "down_s_max" -> "max_down_s" (the unit ends the key)
        if key.endswith("_" + stat) and key != stat and not ends_in_unit:
            key = f"{stat}_{key[: -len(stat) - 1]}"
            break
    if _BY in key:
        key, by = key.split(_BY, 1)
        extra.append("by " + by.replace("_", " "))
    base, unit = key, ""
    for suffix, shown in _UNITS:
        if key.endswith(suffix):
            base, unit = key[: -len(suffix)], shown
            break
    if key in LABELS:
        return LABELS[key], extra, unit
    words, front, quals = [], [], []
    for w in base.split("_"):
        if w in DIRECTIONS:
            front.append(DIRECTIONS[w])
        elif w in QUALIFIERS:
            quals.append(QUALIFIERS[w])
        elif w:
            words.append(w)
    label = " ".join(front + words).strip() or key
    return label[:1].upper() + label[1:], quals + extra, unit


def split_unit(key: str) -> tuple[str, str]:
    """``"mean_heel_rise_cm"`` -> ("Mean heel rise", "cm"); qualifiers stay in the label
    (``"sway_ml_rms_cm"`` -> ("Side-to-side sway (RMS)", "cm"))."""
    label, quals, unit = describe(key)
    return (f"{label} ({', '.join(quals)})" if quals else label), unit


def key_label(key: str) -> str:
    """A key as a heading with its unit: ``"sway_ml_rms_cm"`` -> "Side-to-side sway (RMS, cm)"."""
    label, quals, unit = describe(key)
    inside = quals + ([unit] if unit else [])
    return f"{label} ({', '.join(inside)})" if inside else label


def sentence(text: str) -> str:
    """``text`` as a sentence: first letter capitalised, one full stop at the end."""
    text = text.strip().rstrip(".").rstrip()
    return (text[:1].upper() + text[1:] + ".") if text else ""


def calibration_note(cal: dict[str, Any]) -> str | None:
    """How centimetres were measured, as one sentence (None when not known).

    Args:
        cal: ``Report.calibration`` ({"method", "uncertainty_pct", "detail", ...}).
    """
    detail = str(cal.get("detail") or "").strip().rstrip(".")
    if not detail:
        return None
    pct = cal.get("uncertainty_pct")
    within = f" (±{pct:.0f}%)" if isinstance(pct, int | float) and math.isfinite(pct) else ""
    if detail.startswith("from "):
        return f"Centimetres{within} are scaled {detail}."
    if cal.get("method") == "assumed":
        return f"Centimetres are approximate{within}: formcheck {detail}."
    return f"Centimetre scale{within}: {detail}."


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
    return f"{text}{unit}" if unit in ("%", "°") or unit.startswith("/") else f"{text} {unit}"


def _norm_text(report: Report, key: str) -> str | None:
    texts = [f"{n.norm} ({n.source}): {n.verdict}" for n in report.norms if n.metric == key]
    return "; ".join(texts) if texts else None


NOTE_MIN_CHARS = 15
"""A text value this long ("picture (side view)", a sentence about norms) is a note,
not a card: a metric card shows about 14 characters in its large font and cuts
the rest off ("picture (side…")."""


def _is_note(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= NOTE_MIN_CHARS


def cards(report: Report) -> list[Card]:
    """Headline cards for the report's drill, then cards for any normed metric not yet shown."""
    keys = [k for k in HEADLINES.get(report.drill, ()) if k in report.summary]
    if not keys:  # a drill without a table: every scalar summary value but long texts
        keys = [k for k, v in report.summary.items() if _is_scalar(v) and not _is_note(v)]
    keys += [n.metric for n in report.norms if n.metric not in keys and n.metric in report.summary]
    out = []
    for key in dict.fromkeys(keys):
        label, unit = split_unit(key)
        value = report.summary.get(key)
        if key in NEGATIVE_LABELS and isinstance(value, int | float) and value < 0:
            label, value = NEGATIVE_LABELS[key], -value
        out.append(
            Card(
                key=key,
                label=label,
                value=format_number(value, unit),
                norm=_norm_text(report, key),
                flag=report.flags.get(key),
            )
        )
    return out


def notes(report: Report) -> list[tuple[str, str]]:
    """(label, text) of the summary's long text values that are not cards.

    Only for a drill without a ``HEADLINES`` table (whose cards are every short
    scalar): e.g. ("Norms note", "no published norms for ..."). The page shows
    them as sentences under the cards; "all numbers" lists them too.
    """
    if any(k in report.summary for k in HEADLINES.get(report.drill, ())):
        return []
    return [
        (split_unit(k)[0], sentence(v.replace("_", " ") if " " not in v else v))
        for k, v in report.summary.items()
        if _is_note(v)
    ]


def split_measured(card_list: list[Card]) -> tuple[list[Card], list[str]]:
    """(cards to show, labels of the numbers not measured).

    A card without a number and without a flag saying why is not shown as a
    big "—": the page lists such labels in one line ("Not measured in this
    video: Mean heel rise, Max heel rise"), so a clip where the drill found
    nothing is not a wall of dashes. A card whose flag explains the gap stays.
    """
    missing = format_number(None)
    shown = [c for c in card_list if c.value != missing or c.flag]
    return shown, [c.label for c in card_list if c.value == missing and not c.flag]


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
    """(labels, reason) of flags whose metric has no card (shown as a list).

    A reason given for several such metrics is listed once, their labels
    joined ("Side-to-side sway (cm) and Side-to-side sway (RMS, cm)").
    """
    shown = {c.key for c in cards(report)}
    by_reason: dict[str, list[str]] = {}
    for k, why in report.flags.items():
        if k not in shown:
            by_reason.setdefault(why, []).append(key_label(k))
    return [(_joined(labels), why) for why, labels in by_reason.items()]


def _joined(words: list[str]) -> str:
    """["a"] -> "a"; ["a", "b"] -> "a and b"; ["a", "b", "c"] -> "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def all_numbers(report: Report) -> list[dict[str, str]]:
    """Every summary value as rows {"what", "value"} (nested values as text)."""
    rows = []
    for key, value in report.summary.items():
        label, unit = split_unit(key)
        rows.append({"what": label, "value": format_number(value, unit)})
    return rows


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, int | float | str | bool)


NO_NUMBER_PREFIX = "not_"
"""Event kinds that are not counted ("not_a_rep": a movement rejected as a rep) get no "#"."""


def _cell(value: Any) -> Any:
    """A table cell: numbers rounded (non-finite -> None), words with spaces, lists as text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return round(value, 2) if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return value.replace("_", " ") if " " not in value else value
    if isinstance(value, list | tuple):
        return ", ".join(str(_cell(v)) for v in value)
    return json.dumps(value, default=str)


def event_rows(report: Report) -> list[dict[str, Any]]:
    """One row per rep / hold / attempt, columns labelled with units; flags as text.

    "#" numbers the events of each kind from 1 in time order (the drill's own
    0- or 1-based ``index`` is dropped); rejected kinds ("not_a_rep") get none.
    A per-side dict ({"left": 3.1, "right": 2.9}) becomes one column per side,
    left out when it only repeats the row's own value. Missing values are None
    (``event_table`` shows them as "–").
    """
    rows = []
    counts: dict[str, int] = {}
    for event in report.events:
        kind = str(event.get("kind", ""))
        number: int | None = None
        if not kind.startswith(NO_NUMBER_PREFIX):
            number = counts[kind] = counts.get(kind, 0) + 1
        row: dict[str, Any] = {"#": number}
        for key, value in event.items():
            if key == "index":
                continue
            if key == "flags":
                row["trust"] = (
                    "; ".join(f"{key_label(k)}: {v}" for k, v in value.items()) if value else ""
                )
                continue
            if isinstance(value, dict):
                own = key.split(_BY, 1)[0]
                parts = {k: v for k, v in value.items() if not isinstance(v, dict | list)}
                if len(parts) == 1 and next(iter(parts.values())) == event.get(own):
                    continue  # one side only: the same number as the row's own column
                label, quals, unit = describe(own if _BY in key else key)
                for sub, v in parts.items():
                    inside = list(quals) + ([unit] if unit else [])
                    col = f"{label}, {sub}" + (f" ({', '.join(inside)})" if inside else "")
                    row[col] = _cell(v)
                continue
            row[key_label(key)] = _cell(value)
        rows.append(row)
    return rows


MISSING = "–"
"""What tables show for a value that was not measured."""


def event_table(report: Report) -> Any:
    """``event_rows`` as a pandas DataFrame (numbers stay numbers; "#" as whole numbers).

    Columns with no value in any row are left out. Missing values are NA; the
    page shows them as ``MISSING``
    (``st.dataframe(..., placeholder=MISSING)``).
    """
    import pandas as pd

    frame = pd.DataFrame(event_rows(report))
    frame = frame.dropna(axis=1, how="all")  # a column nothing was measured in says nothing
    if "#" in frame:
        frame["#"] = frame["#"].astype("Int64")
    return frame


def clock(time_s: float | None) -> str:
    """Seconds as "m:ss.s" ("—" for None)."""
    if time_s is None or not math.isfinite(time_s):
        return "—"
    minutes, seconds = divmod(max(0.0, time_s), 60.0)
    return f"{int(minutes)}:{seconds:04.1f}"


def time_left(elapsed_s: float, fraction: float) -> str | None:
    """Time left as text ("about 2 min left"), from the time taken and the fraction done.

    None until the estimate means something (5% done and 3 s elapsed). Rounded
    to 10 s under a minute, to half minutes above (a rate measured over a few
    seconds does not deserve more).
    """
    if fraction < 0.05 or fraction >= 1.0 or elapsed_s < 3.0:
        return None
    left = elapsed_s * (1.0 - fraction) / fraction
    if left < 10:
        return "a few seconds left"
    if left < 60:
        return f"about {round(left / 10) * 10:.0f} s left"
    minutes = round(left / 30) / 2
    return f"about {minutes:g} min left"


def cue_rows(report: Report) -> list[dict[str, str]]:
    """Cues as rows {"time", "severity", "cue"} in time order."""
    return [
        {"time": clock(c.time_s), "severity": c.severity, "cue": c.message} for c in report.cues
    ]


NOT_MEASURED = "not measured"
"""What the headline says instead of a missing number ("best toe to wall not measured")."""


def _headline_key(report: Report) -> str | None:
    """The summary key the headline shows (the drill's count key, else its first card)."""
    key = COUNT_KEYS.get(report.drill)
    if key is not None and key in report.summary:
        return key
    first = next(iter(cards(report)), None)
    return first.key if first else None


def headline(report: Report) -> str:
    """One sentence for the top of the results, e.g. "3 reps", "24 reps in 3 sets" or
    "longest hold 31.2 s".

    A headline number that was not measured reads "... not measured", never a bare dash.
    """
    key = _headline_key(report)
    if key is None:
        return "done"
    value = report.summary.get(key)
    label, unit = split_unit(key)
    shown = format_number(value, unit)
    if shown == format_number(None):
        return f"{label.lower()} {NOT_MEASURED}"
    if key == "rep_count":
        sets = report.summary.get("set_count")
        in_sets = f" in {sets} sets" if isinstance(sets, int) and sets > 1 else ""
        return f"{format_number(value)} reps{in_sets}"
    return f"{label.lower()} {shown}"


def headline_missing_reasons(report: Report) -> list[str]:
    """Why the headline number is missing, for the top of the results ([] when it is there).

    The flag on that number, if any, then the drill's set-level warnings (cues
    with no time, e.g. "No attempt counts as a valid depth yet ...").
    """
    key = _headline_key(report)
    if key is None or format_number(report.summary.get(key)) != format_number(None):
        return []
    reasons = [report.flags[key]] if report.flags.get(key) else []
    reasons += [
        c.message
        for c in report.cues
        if c.time_s is None and c.severity in ("warning", "error") and c.message not in reasons
    ]
    return reasons
