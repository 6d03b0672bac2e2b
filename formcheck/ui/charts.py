"""Altair charts of a report's per-frame series and events.

Which series each drill plots is a small table (``PLOTS``); names not present
in a report are skipped, so a drill adding or renaming a series never breaks
the page, it only drops a line. Charts are returned, not drawn: the page calls
``st.altair_chart``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import altair as alt
import numpy as np

if TYPE_CHECKING:
    from formcheck.report import Report

_MAX_POINTS = 1500
"""Series are thinned to at most this many points per line (browser speed)."""


@dataclass(frozen=True)
class TimePlot:
    """A chart of series over time.

    Attributes:
        title: chart title.
        pattern: regular expression selecting series names to draw.
        y_title: y axis title with unit.
        event_kind: events of this kind are marked at their ``time_key``.
        time_key: event field with the time to mark (seconds).
        value_key: event field drawn as a point at that time (None: a rule).
    """

    title: str
    pattern: str
    y_title: str
    event_kind: str | None = None
    time_key: str = "peak_s"
    value_key: str | None = None


PLOTS: dict[str, tuple[TimePlot, ...]] = {
    "calf-raise": (
        TimePlot(
            "Heel rise above your standing level (reps marked)",
            r"^(left|right)_heel_rise_cm$",
            "heel rise (cm)",
            event_kind="rep",
        ),
    ),
    "single-leg-balance": (
        TimePlot(
            "Sway over time",
            r"^(sway|com|centre|center).*_(ml|ap|x|y)_cm$",
            "sway (cm)",
            event_kind="hold",
            time_key="start_s",
        ),
        TimePlot("Free foot height", r"^(left_|right_)?(free_)?foot_height_cm$", "height (cm)"),
    ),
    "knee-to-wall": (
        TimePlot(
            "Tibia angle over time (attempts marked)",
            r"^(left_|right_)?tibia_angle_deg$",
            "tibia from vertical (°)",
            event_kind="lunge",
            value_key="tibia_angle_deg",
        ),
        TimePlot("Toe to wall", r"^(left_|right_)?toe_to_wall_cm$", "toe to wall (cm)"),
    ),
}

SWAY_PAIRS: tuple[tuple[str, str], ...] = (
    ("sway_ml_cm", "sway_ap_cm"),
    ("com_ml_cm", "com_ap_cm"),
    ("com_x_cm", "com_y_cm"),
    ("sway_x_cm", "sway_y_cm"),
)
"""(medio-lateral, antero-posterior) series pairs drawn as the sway path from above."""


def _thin(n: int) -> np.ndarray:
    step = max(1, math.ceil(n / _MAX_POINTS))
    return np.arange(0, n, step)


def series_label(name: str) -> str:
    """A series name as the legend shows it, without the unit (the y axis has it):
    ``"left_heel_rise_cm"`` -> "Left heel rise", ``"sway_ml_cm"`` -> "Side-to-side sway"."""
    from formcheck.ui.cards import split_unit

    return split_unit(name)[0]


def _long_table(
    times: np.ndarray, series: dict[str, np.ndarray], names: list[str]
) -> list[dict[str, Any]]:
    idx = _thin(len(times))
    rows = []
    for name in names:
        values = series[name]
        for i in idx:
            v = float(values[i])
            if math.isfinite(v):
                rows.append({"time (s)": float(times[i]), "value": v, "series": series_label(name)})
    return rows


def time_chart(report: Report, plot: TimePlot) -> Any:
    """``plot`` drawn from ``report``, or None when no matching series has data."""
    names = [n for n in sorted(report.series) if re.search(plot.pattern, n)]
    rows = _long_table(np.asarray(report.times_s), report.series, names)
    if not rows:
        return None
    lines = (
        alt.Chart(alt.Data(values=rows))
        .mark_line()
        .encode(
            x=alt.X("time (s):Q"),
            y=alt.Y("value:Q", title=plot.y_title),
            color=alt.Color("series:N", title=None),
        )
    )
    layers: list[Any] = [lines]
    marks = event_marks(report, plot)
    if marks:
        data = alt.Data(values=marks)
        if plot.value_key is None:
            layers.append(
                alt.Chart(data)
                .mark_rule(strokeDash=[4, 3], color="gray")
                .encode(x="time (s):Q", tooltip=["label:N", "time (s):Q"])
            )
            layers.append(
                alt.Chart(data)
                .mark_text(dy=-6, baseline="bottom", color="gray")
                .encode(x="time (s):Q", y=alt.value(0), text="label:N")
            )
        else:
            layers.append(
                alt.Chart(data)
                .mark_point(size=120, filled=True)
                .encode(
                    x="time (s):Q",
                    y="value:Q",
                    color=alt.Color(
                        "status:N",
                        title="attempt",
                        scale=alt.Scale(
                            domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())
                        ),
                    ),
                    tooltip=["label:N", "status:N", "time (s):Q", "value:Q"],
                )
            )
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(title=plot.title, height=260)
    )


STATUS_COLOURS: dict[str, str] = {
    "deepest valid": "#1a9850",
    "valid": "#91bfdb",
    "heel lifted (not valid)": "#d73027",
    "not valid": "#fc8d59",
}
"""Attempt marker status -> colour (green best, blue valid, red / orange not valid)."""


def _is_valid(event: dict[str, Any]) -> bool:
    """The drill's own verdict (``valid``) when it gives one; else valid unless the heel lifted."""
    if event.get("valid") is not None:
        return bool(event["valid"])
    return not event.get("heel_lifted", False)


def event_marks(report: Report, plot: TimePlot) -> list[dict[str, Any]]:
    """Event markers for ``plot``: time, label ("rep 2"), value, status (valid or why not).

    An event is valid when the drill says so (its ``valid`` field; without one,
    when the heel did not lift); "deepest valid" marks the largest valid value,
    so an attempt the drill rejected (knee short of the wall) is never called that.
    """
    if plot.event_kind is None:
        return []
    events = [e for e in report.events if e.get("kind") == plot.event_kind]
    valid_values = [
        float(e[plot.value_key])
        for e in events
        if plot.value_key and isinstance(e.get(plot.value_key), int | float) and _is_valid(e)
    ]
    best = max(valid_values) if valid_values else None
    out = []
    for i, e in enumerate(events, start=1):
        t = e.get(plot.time_key)
        if not isinstance(t, int | float):
            continue
        row: dict[str, Any] = {"time (s)": float(t), "label": f"{plot.event_kind} {i}"}
        if e.get("partial"):
            row["label"] += " (partial)"
        if plot.value_key is not None:
            v = e.get(plot.value_key)
            if not isinstance(v, int | float):
                continue
            row["value"] = float(v)
            if e.get("heel_lifted", False):
                row["status"] = "heel lifted (not valid)"
            elif not _is_valid(e):
                row["status"] = "not valid"
            elif best is not None and float(v) == best:
                row["status"] = "deepest valid"
            else:
                row["status"] = "valid"
        out.append(row)
    return out


def sway_frames(report: Report) -> np.ndarray:
    """(T,) bool: the frames the sway numbers are measured on.

    Each hold's sway is measured on its steady part (``sway_window_s`` long,
    trimmed equally at both ends: stepping into and out of the hold moves the
    body far more than balancing does); all frames when no hold has one.
    """
    t = np.asarray(report.times_s, dtype=np.float64)
    use = np.zeros(len(t), dtype=bool)
    for e in report.events:
        win = e.get("sway_window_s")
        if e.get("kind") != "hold" or not win:
            continue
        trim = max(0.0, (float(e["end_s"]) - float(e["start_s"]) - float(win)) / 2.0)
        use |= (t >= float(e["start_s"]) + trim - 1e-6) & (t <= float(e["end_s"]) - trim + 1e-6)
    return use if use.any() else np.ones(len(t), dtype=bool)


def sway_path_chart(report: Report) -> alt.Chart | None:
    """The body centre's path seen from above (ML vs AP, cm) over the frames the sway
    numbers use (``sway_frames``), or None without those series."""
    for ml, ap in SWAY_PAIRS:
        if ml in report.series and ap in report.series:
            x, y = report.series[ml], report.series[ap]
            frames = np.flatnonzero(sway_frames(report)[: len(x)])
            idx = frames[_thin(len(frames))]
            rows = [
                {
                    "side to side (cm)": float(x[i]),
                    "front to back (cm)": float(y[i]),
                    "order": int(i),
                }
                for i in idx
                if math.isfinite(float(x[i])) and math.isfinite(float(y[i]))
            ]
            if not rows:
                return None
            return (
                alt.Chart(alt.Data(values=rows))
                .mark_line(point=False, opacity=0.8)
                .encode(
                    x=alt.X("side to side (cm):Q", scale=alt.Scale(zero=False)),
                    y=alt.Y("front to back (cm):Q", scale=alt.Scale(zero=False)),
                    order="order:Q",
                )
                .properties(
                    title="Sway path seen from above (the steady part of each hold)",
                    height=300,
                    width=300,
                )
            )
    return None


def charts_for(report: Report) -> list[Any]:
    """Every chart the report supports, in display order."""
    out: list[Any] = []
    if report.drill == "single-leg-balance":
        path = sway_path_chart(report)
        if path is not None:
            out.append(path)
    for plot in PLOTS.get(report.drill, ()):
        chart = time_chart(report, plot)
        if chart is not None:
            out.append(chart)
    return out
