"""The page's History part: profile picker, "save this session", and the History view.

Data shaping (trend rows, the asymmetry band, change sentences, tables, the
thumbnail) is plain functions, testable without a browser; the ``render_*``
functions draw them with Streamlit. All history logic (storage, trends,
personal bests, smallest real change) is ``formcheck.history``: this module
only asks it and shows the answers.

Nothing is written to the store unless the person asks: the store file is not
even created until they create a profile, save a session or import a CSV.
"""

from __future__ import annotations

import base64
import io
import math
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt

from formcheck.errors import sentence_case
from formcheck.history import (
    LEG_ASYMMETRY_CM,
    SMALLEST_REAL_CHANGE,
    Change,
    HistoryStore,
    Profile,
    Session,
    TrendPoint,
    compare_last_by_leg,
    default_path,
    session_legs,
)
from formcheck.ui import cards

if TYPE_CHECKING:
    from formcheck.report import Report

THUMB_MAX_SIDE = 240
"""Longer side of the stored thumbnail, pixels (a few kB as JPEG)."""

NO_PROFILE = "(no profile)"
"""The profile picker's first entry: analyse without saving."""

BOTH = "both legs"
UNKNOWN_LEG = "leg not recorded"


@dataclass(frozen=True)
class TrendSpec:
    """One trend chart of the History view.

    Attributes:
        metric: summary key charted (stored top-level, leg '').
        title: chart title.
        per_leg_metric: name of the same number in the drill's per-leg dict,
            when it differs (calf raise: ``rep_count`` overall, ``reps`` per leg).
        band: draw the knee-to-wall left-right asymmetry band.
    """

    metric: str
    title: str
    per_leg_metric: str | None = None
    band: bool = False


TRENDS: dict[str, tuple[TrendSpec, ...]] = {
    "knee-to-wall": (
        TrendSpec(
            "best_toe_to_wall_cm",
            "Knee-to-wall: best toe-to-wall distance, left vs right",
            band=True,
        ),
        TrendSpec("best_tibia_angle_deg", "Knee-to-wall: best tibia angle"),
    ),
    "single-leg-balance": (
        TrendSpec("longest_hold_s", "Balance: longest hold"),
        TrendSpec("sway_velocity_cm_s", "Balance: sway velocity (lower is steadier)"),
    ),
    "calf-raise": (
        TrendSpec("rep_count", "Calf raises: reps", per_leg_metric="reps"),
        TrendSpec("mean_heel_rise_cm", "Calf raises: mean heel rise"),
    ),
}
"""Per drill: the charts shown first (the summary keys checked against what the
drills write; any other stored number can be charted from a list)."""

BEST_METRICS: dict[str, tuple[str, ...]] = {
    "knee-to-wall": ("best_toe_to_wall_cm", "best_tibia_angle_deg"),
    "single-leg-balance": ("longest_hold_s", "total_hold_s", "sway_velocity_cm_s"),
    "calf-raise": ("rep_count", "reps", "mean_heel_rise_cm", "max_heel_rise_cm"),
}
"""Per drill: metrics whose personal best is shown (other drills: those with a
smallest real change)."""

LOWER_IS_BETTER: frozenset[str] = frozenset(
    {
        "sway_path_cm",
        "sway_velocity_cm_s",
        "sway_area_cm2",
        "sway_ap_rms_cm",
        "touchdowns",
        "fatigue_pct",
        "rise_cv_pct",
        "asymmetry_cm",
        "asymmetry_deg",
        "left_right_difference_cm",
        "difference_cm",
    }
)
"""Metrics where a smaller number is the better one (bests and change wording)."""


# ------------------------------------------------------------------ store
def store_exists(path: Path | None = None) -> bool:
    """Whether the history file exists yet (opening would create it)."""
    return (path or default_path()).is_file()


def age_in(birth_year: int, year: int | None = None) -> int:
    """Age in whole years this calendar year (the age norms use years)."""
    return (year or datetime.now(UTC).year) - birth_year


def thumbnail_jpeg(video: bytes, max_side: int = THUMB_MAX_SIDE) -> bytes | None:
    """A small JPEG of the frame in the middle of an MP4 (the annotated video).

    Returns None when the bytes hold no decodable frame.
    """
    import av

    try:
        with av.open(io.BytesIO(video), mode="r") as container:
            stream = container.streams.video[0]
            duration = (
                float(stream.duration * stream.time_base)
                if stream.duration is not None and stream.time_base is not None
                else (container.duration or 0) / 1e6
            )
            mid = duration / 2.0
            if mid > 0 and stream.time_base is not None:
                container.seek(int(mid / stream.time_base), stream=stream, backward=True)
            picked = None
            for frame in container.decode(stream):
                picked = frame
                if frame.time is None or frame.time >= mid:
                    break
            if picked is None:
                return None
            image = picked.to_image()
    except (av.FFmpegError, IndexError, ValueError, OSError):
        return None
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()


def kept_video_path(store_path: Path, digest: str, original: Path | tuple[bytes, str]) -> str:
    """Where the video of a saved session is kept, when the person asks for it.

    A sample (a file on this computer) is kept by its path; an upload (bytes
    and extension) is copied once into ``videos/`` next to the history file.
    """
    if isinstance(original, Path):
        return str(original.resolve())
    data, ext = original
    folder = store_path.parent / "videos"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{digest[:16]}{ext}"
    if not out.exists():
        tmp = out.with_name(out.name + ".partial")
        tmp.write_bytes(data)
        tmp.replace(out)
    return str(out)


# ------------------------------------------------------------------ trends
def _day(recorded_at: str) -> str:
    return recorded_at[:10]


def trend_rows(
    store: HistoryStore, profile: str, drill: str, spec: TrendSpec
) -> list[dict[str, Any]]:
    """Chart rows of one metric over time: {"date", "leg", "value", "session"}.

    A session's per-leg values are used when it has them; otherwise its
    overall value, labelled with the one leg the session measured (a
    single-leg set), "both legs", or "leg not recorded".
    """
    per_leg_name = spec.per_leg_metric or spec.metric
    overall = store.trend(profile, drill, spec.metric)
    legged = [p for p in store.trend(profile, drill, per_leg_name) if p.leg]
    by_session: dict[int, list[TrendPoint]] = {}
    for p in legged:
        by_session.setdefault(p.session_id, []).append(p)
    summaries = {s.id: s.summary for s in store.sessions(profile, drill)}
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    for p in overall:
        if p.leg:
            continue
        seen.add(p.session_id)
        if p.session_id in by_session:
            rows += [_row(q, q.leg) for q in by_session[p.session_id]]
            continue
        legs = session_legs(summaries.get(p.session_id, {}))
        label = legs[0] if len(legs) == 1 else (BOTH if len(legs) == 2 else UNKNOWN_LEG)
        rows.append(_row(p, label))
    for sid, points in by_session.items():  # per-leg values without an overall one
        if sid not in seen:
            rows += [_row(q, q.leg) for q in points]
    rows.sort(key=lambda r: (r["date"], r["session"], r["leg"]))
    return rows


def _row(p: TrendPoint, leg: str) -> dict[str, Any]:
    return {"date": p.recorded_at, "leg": leg, "value": p.value, "session": p.session_id}


def asymmetry_band(
    rows: list[dict[str, Any]], width: float = LEG_ASYMMETRY_CM
) -> list[dict[str, Any]]:
    """Per day with both legs measured: the band ``width`` below the better leg.

    Legs are taken per calendar day (people often film each leg as its own
    video); each leg's best value of the day counts. A leg whose dot lies
    below the band is more than ``width`` behind the other.
    """
    best: dict[str, dict[str, float]] = {}
    for r in rows:
        if r["leg"] in ("left", "right"):
            of_day = best.setdefault(_day(r["date"]), {})
            of_day[r["leg"]] = max(of_day.get(r["leg"], -math.inf), float(r["value"]))
    out = []
    for day, legs in sorted(best.items()):
        if len(legs) == 2:
            top = max(legs.values())
            out.append(
                {
                    "date": f"{day}T00:00:00+00:00",
                    "end": f"{day}T23:59:59+00:00",
                    "top": top,
                    "bottom": top - width,
                }
            )
    return out


def asymmetry_text(rows: list[dict[str, Any]], unit: str = "cm") -> str | None:
    """The latest value of each leg and whether they differ by more than the band."""
    latest: dict[str, dict[str, Any]] = {}
    for r in rows:  # rows are oldest first
        if r["leg"] in ("left", "right"):
            latest[r["leg"]] = r
    if len(latest) < 2:
        return None
    left, right = latest["left"]["value"], latest["right"]["value"]
    diff = abs(left - right)
    verdict = (
        f"more than the {LEG_ASYMMETRY_CM:g} {unit} worth attention: work on the "
        f"{'left' if left < right else 'right'} side"
        if diff > LEG_ASYMMETRY_CM
        else f"within {LEG_ASYMMETRY_CM:g} {unit}: no asymmetry worth attention"
    )
    return (
        f"Latest: left {left:.1f} {unit} ({_day(latest['left']['date'])}), right {right:.1f} "
        f"{unit} ({_day(latest['right']['date'])}): difference {diff:.1f} {unit}, {verdict}."
    )


def trend_chart(
    rows: list[dict[str, Any]], title: str, y_title: str, band: list[dict[str, Any]] | None = None
) -> Any:
    """An Altair chart of ``trend_rows`` coloured by leg, with the band behind."""
    legs = sorted({r["leg"] for r in rows}, key=_leg_order)
    colours = {"left": "#1f77b4", "right": "#d62728", BOTH: "#2ca02c", UNKNOWN_LEG: "#7f7f7f"}
    colour = alt.Color(
        "leg:N",
        title="leg",
        scale=alt.Scale(domain=legs, range=[colours.get(g, "#9467bd") for g in legs]),
    )
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("date:T", title="session date", axis=alt.Axis(format="%d %b", tickCount="day")),
        y=alt.Y("value:Q", title=y_title),  # from zero: noise does not look like progress
        color=colour,
        tooltip=[
            alt.Tooltip("date:T", title="date", format="%Y-%m-%d %H:%M"),
            alt.Tooltip("leg:N"),
            alt.Tooltip("value:Q", format=".1f"),
        ],
    )
    layers: list[Any] = []
    if band:
        layers.append(
            alt.Chart(alt.Data(values=band))
            .mark_rect(opacity=0.25, color="#888888")
            .encode(
                x="date:T",
                x2="end:T",
                y="bottom:Q",
                y2="top:Q",
                tooltip=[alt.Tooltip("top:Q", title="better leg", format=".1f")],
            )
        )
    layers += [base.mark_line(), base.mark_point(filled=True, size=70)]
    return alt.layer(*layers).properties(title=title, height=260)


def _leg_order(leg: str) -> tuple[int, str]:
    return ({"left": 0, "right": 1, BOTH: 2}.get(leg, 3), leg)


# ------------------------------------------------------------------ numbers
def metric_label(metric: str, leg: str = "") -> str:
    """ "Best toe to wall (left)" for a stored metric name and leg."""
    label, _unit = cards.split_unit(metric)
    return f"{label} ({leg})" if leg else label


def metric_unit(metric: str) -> str:
    """The unit shown after a metric's numbers ("cm", "s", "reps", ...)."""
    src = SMALLEST_REAL_CHANGE.get(metric)
    if src is not None:
        return "°" if src.unit == "deg" else src.unit
    if metric in ("rep_count", "reps"):
        return "reps"
    return cards.split_unit(metric)[1]


def _number(value: float, unit: str) -> str:
    text = f"{value:.0f}" if unit == "reps" or abs(value) >= 100 else f"{value:.1f}"
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return f"{text}{unit}" if unit == "°" else f"{text} {unit}".strip()


def _signed(value: float, unit: str) -> str:
    text = _number(abs(value), unit)
    if text.split()[0].strip("0.°") == "":
        return text
    return ("+" if value > 0 else "−") + text


def change_text(change: Change) -> str:
    """One comparison in words: "+1.0 cm: within the 1.6 cm measurement error"."""
    unit = metric_unit(change.metric)
    shift = _signed(change.change, unit)
    src = SMALLEST_REAL_CHANGE.get(change.metric)
    if change.smallest_real_change is None or src is None:
        return f"{shift} (no smallest real change known for this number)"
    what = "smallest real change" if src.source.startswith("judgement") else "measurement error"
    threshold = _number(change.smallest_real_change, unit)
    if not change.real:
        return f"{shift}: within the {threshold} {what}, so not a real change"
    better = (change.change < 0) if change.metric in LOWER_IS_BETTER else (change.change > 0)
    kind = "real improvement" if better else "real decline"
    return f"{shift}: {kind} (more than the {threshold} {what})"


def compare_rows(changes: Iterable[Change]) -> tuple[list[str], list[dict[str, str]]]:
    """(sentences for metrics with a smallest real change, table rows of the others)."""
    sentences: list[str] = []
    rows: list[dict[str, str]] = []
    for c in changes:
        unit = metric_unit(c.metric)
        if c.smallest_real_change is not None:
            sentences.append(
                f"**{metric_label(c.metric, c.leg)}**: {_number(c.previous, unit)} → "
                f"{_number(c.last, unit)}, {change_text(c)}"
            )
        else:
            rows.append(
                {
                    "number": metric_label(c.metric, c.leg),
                    "previous": _number(c.previous, unit),
                    "last": _number(c.last, unit),
                    "change": _signed(c.change, unit),
                }
            )
    return sentences, rows


def best_rows(bests: dict[str, TrendPoint], metrics: Iterable[str]) -> list[dict[str, str]]:
    """Table rows of the personal bests of ``metrics`` (per leg where stored by leg)."""
    wanted = list(metrics)
    rows = []
    for key, point in bests.items():
        metric = key.split("[", 1)[0]
        if metric not in wanted:
            continue
        unit = metric_unit(metric)
        by_leg = any(k.startswith(f"{metric}[") for k in bests)
        rows.append(
            {
                "number": metric_label(metric, point.leg or ("either leg" if by_leg else "")),
                "best": _number(point.value, unit),
                "on": _day(point.recorded_at),
                "_order": f"{wanted.index(metric):03d}{_leg_order(point.leg)[0]}",
            }
        )
    rows.sort(key=lambda r: r["_order"])
    for r in rows:
        del r["_order"]
    return rows


def session_label(s: Session) -> str:
    """ "2026-11-08 · Knee-to-wall · right · score 74 (#12)" for pickers."""
    parts = [s.recorded_at[:16].replace("T", " "), _drill_title(s.drill)]
    legs = session_legs(s.summary)
    if legs:
        parts.append(" + ".join(legs))
    if s.score is not None:
        parts.append(f"score {s.score:.0f}")
    return " · ".join(parts) + f" (#{s.id})"


def session_rows(sessions: list[Session], thumbs: dict[int, bytes | None]) -> list[dict[str, Any]]:
    """Table rows of the session list, newest first, with a thumbnail data URL."""
    rows = []
    for s in reversed(sessions):
        key = cards.COUNT_KEYS.get(s.drill)
        headline = ""
        if key is not None and key in s.summary:
            headline = cards.format_number(s.summary[key], cards.split_unit(key)[1])
        thumb = thumbs.get(s.id)
        rows.append(
            {
                "picture": "data:image/jpeg;base64," + base64.b64encode(thumb).decode()
                if thumb
                else None,
                "date": s.recorded_at[:16].replace("T", " "),
                "drill": _drill_title(s.drill),
                "legs": " + ".join(session_legs(s.summary)) or "—",
                "result": headline or "—",
                "score": "—" if s.score is None else f"{s.score:.0f}",
                "id": s.id,
            }
        )
    return rows


def _drill_title(name: str) -> str:
    from formcheck.drills import get_drill

    try:
        return get_drill(name).title
    except Exception:  # an imported session of a drill this version lacks
        return name


def export_text(store: HistoryStore, profile: str | None = None) -> str:
    """The history CSV (``HistoryStore.export_csv``) as text."""
    with tempfile.TemporaryDirectory(prefix="formcheck-export-") as tmp:
        path = Path(tmp) / "history.csv"
        store.export_csv(path, profile)
        return path.read_text(encoding="utf-8")


def import_bytes(store: HistoryStore, data: bytes, name: str) -> int:
    """Import an uploaded history CSV; errors name the uploaded file and the line."""
    from formcheck.errors import FormcheckError

    safe = Path(name).name or "history.csv"
    with tempfile.TemporaryDirectory(prefix="formcheck-import-") as tmp:
        path = Path(tmp) / "upload.csv"
        path.write_bytes(data)
        try:
            return store.import_csv(path)
        except FormcheckError as exc:
            raise FormcheckError(str(exc).replace(str(path), safe)) from None


# ------------------------------------------------------------------ Streamlit
def render_profile_picker(st: Any) -> Profile | None:
    """Sidebar: who is training (and a form to add a person). Returns the profile or None.

    Picking a profile prefills the height field (key ``height_cm``) and age
    fields from its height and birth year; call before those fields are drawn.
    """
    from formcheck.errors import FormcheckError

    sb = st.sidebar
    pending = st.session_state.pop("profile_pending", None)
    if pending is not None:
        st.session_state["profile"] = pending
    profiles: list[Profile] = []
    if store_exists():
        try:
            with HistoryStore() as store:
                profiles = store.profiles()
        except FormcheckError as exc:
            sb.error(str(exc))
    names = [NO_PROFILE] + [p.name for p in profiles]
    if st.session_state.get("profile") not in names:
        st.session_state["profile"] = NO_PROFILE
    chosen = sb.selectbox(
        "Who is training?",
        names,
        key="profile",
        help="Pick a profile to save sessions to its history; its height fills the height field.",
    )
    with sb.expander("New profile", expanded=False), st.form("new-profile", clear_on_submit=True):
        name = st.text_input("Name", key="np-name")
        height = st.number_input(
            "Height (cm)",
            min_value=100.0,
            max_value=230.0,
            value=None,
            step=1.0,
            format="%.0f",
            key="np-height",
        )
        this_year = datetime.now(UTC).year
        birth = st.number_input(
            "Birth year",
            min_value=this_year - 110,
            max_value=this_year - 5,
            value=None,
            step=1,
            key="np-birth",
            help="For age-group norms (balance).",
        )
        if st.form_submit_button("Create profile"):
            if not name.strip():
                st.error("Give the profile a name.")
            else:
                try:
                    with HistoryStore() as store:
                        made = store.add_profile(
                            name,
                            height_cm=float(height) if height is not None else None,
                            birth_year=int(birth) if birth is not None else None,
                        )
                except FormcheckError as exc:
                    st.error(sentence_case(str(exc)))
                else:
                    st.session_state["profile_pending"] = made.name
                    st.rerun()
    profile = next((p for p in profiles if p.name == chosen), None)
    if st.session_state.get("prefilled_for") != chosen:
        st.session_state["prefilled_for"] = chosen
        if profile is not None:
            if profile.height_cm is not None:
                st.session_state["height_cm"] = float(profile.height_cm)
            if profile.birth_year is not None:
                for key in age_keys():
                    st.session_state[key] = age_in(profile.birth_year)
    return profile


def age_keys() -> list[str]:
    """Session-state keys of the drills' age fields (``opt-<drill>-age``)."""
    from formcheck.ui.options import VARIANT_NUMBERS

    return [
        f"opt-{d}-{n.key}"
        for d, fields in VARIANT_NUMBERS.items()
        for n in fields
        if n.key == "age"
    ]


def render_save_panel(
    st: Any,
    profile: Profile | None,
    report: Report,
    video: bytes | None,
    result_key: str,
    digest: str,
    original: Path | tuple[bytes, str],
) -> None:
    """The "Save this session" block under a result (nothing is saved unless pressed)."""
    from formcheck.errors import FormcheckError

    st.markdown("**Save to your history**")
    if profile is None:
        st.caption(
            "To follow your progress, pick or create a profile in the sidebar (Who is training?), "
            "then save this session. Nothing is saved unless you ask."
        )
        return
    saved: dict[str, int] = st.session_state.setdefault("saved_sessions", {})
    key = f"{result_key}|{profile.name}"
    if key in saved:
        st.success(
            f"Saved to {profile.name}'s history (session {saved[key]}). Open **History** at the "
            "top of the page to see your progress."
        )
        return
    c1, c2, c3 = st.columns([1, 2, 1])
    when = c1.date_input("Session date", value=date.today(), key="save-date")
    keep = c2.checkbox(
        "Keep the video file path",
        key="save-keep-video",
        help="Off: only the numbers, cues and a small picture are saved. On: a sample is kept "
        "by its path; an upload is copied next to the history file.",
    )
    if c3.button(f"Save this session for {profile.name}", key="save-session", type="primary"):
        try:
            recorded_at = None if when == date.today() else when.isoformat()
            thumb = thumbnail_jpeg(video) if video is not None else None
            with HistoryStore() as store:
                video_path = kept_video_path(store.path, digest, original) if keep else None
                session_id = store.save_report(
                    report.to_dict(),
                    profile=profile.name,
                    recorded_at=recorded_at,
                    thumbnail=thumb,
                    video_path=video_path,
                )
        except FormcheckError as exc:
            st.error(sentence_case(str(exc)))
            return
        saved[key] = session_id
        st.rerun()


def render_history(st: Any, default_profile: str | None, default_drill: str) -> None:
    """The History view: trends, personal bests, last vs previous, sessions, CSV."""
    from formcheck.drills import drill_names

    flash = st.session_state.pop("history_flash", None)
    if flash:
        st.success(flash)
    if not store_exists():
        st.info(
            "No history yet. Analyse a video, pick or create a profile in the sidebar, then "
            "press **Save this session**; or import a history CSV below."
        )
        _render_import(st)
        return
    with HistoryStore() as store:
        profiles = [p.name for p in store.profiles()]
        with_sessions = [p for p in profiles if store.sessions(p)]
        if not with_sessions:
            st.info(
                "No saved sessions yet. Analyse a video, then press **Save this session** under "
                "the result; or import a history CSV below."
            )
            _render_import(st)
            return
        index = with_sessions.index(default_profile) if default_profile in with_sessions else 0
        c1, c2 = st.columns(2)
        profile = c1.selectbox("Profile", with_sessions, index=index, key="hist-profile")
        sessions = store.sessions(profile)
        done = {s.drill for s in sessions}
        drills = [d for d in drill_names() if d in done] + sorted(done - set(drill_names()))
        latest = sessions[-1].drill
        start = default_drill if default_drill in drills else latest
        drill = c2.selectbox(
            "Drill", drills, index=drills.index(start), format_func=_drill_title, key="hist-drill"
        )
        drill_sessions = [s for s in sessions if s.drill == drill]
        st.caption(
            f"{len(drill_sessions)} saved session(s) of {_drill_title(drill)} for {profile}; "
            f"{len(sessions)} in all."
        )
        _render_trends(st, store, profile, drill)
        _render_bests_and_compare(st, store, profile, drill)
        _render_sessions(st, store, drill_sessions)
        st.markdown("**Export / import**")
        st.download_button(
            "Export all sessions (CSV)",
            export_text(store),
            "formcheck-history.csv",
            "text/csv",
            key="hist-export",
        )
    _render_import(st)


def _render_trends(st: Any, store: HistoryStore, profile: str, drill: str) -> None:
    stored = store.metric_names(profile, drill)
    specs = [s for s in TRENDS.get(drill, ()) if s.metric in stored or s.per_leg_metric in stored]
    shown = {s.metric for s in specs} | {s.per_leg_metric for s in specs if s.per_leg_metric}
    others = [m for m in stored if m not in shown]
    if others:
        pick = st.selectbox(
            "Chart another number",
            ["—", *others],
            format_func=lambda m: m if m == "—" else metric_label(m),
            key=f"hist-other-{drill}",
        )
        if pick != "—":
            specs.append(TrendSpec(pick, metric_label(pick)))
    if not specs:
        st.caption("No numbers to chart for this drill yet.")
        return
    st.markdown("**Progress**")
    for spec in specs:
        rows = trend_rows(store, profile, drill, spec)
        if not rows:
            continue
        unit = metric_unit(spec.metric)
        label = metric_label(spec.metric)
        band = asymmetry_band(rows) if spec.band else None
        st.altair_chart(
            trend_chart(rows, spec.title, f"{label} ({unit})" if unit else label, band),
            width="stretch",
        )
        if spec.band:
            text = asymmetry_text(rows, unit)
            st.caption(
                (text + " " if text else "")
                + f"Grey bars: the {LEG_ASYMMETRY_CM:g} cm below the better leg on days both legs "
                "were measured; a leg below the bar is behind by more than that "
                "(Hoch & McKeon 2011)."
            )


def _render_bests_and_compare(st: Any, store: HistoryStore, profile: str, drill: str) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**Personal bests**")
        metrics = BEST_METRICS.get(drill) or tuple(
            m for m in store.metric_names(profile, drill) if m in SMALLEST_REAL_CHANGE
        )
        rows = best_rows(
            store.personal_bests(profile, drill, lower_is_better=LOWER_IS_BETTER), metrics
        )
        if rows:
            st.dataframe(rows, hide_index=True, width="stretch")
        else:
            st.caption("No personal bests yet.")
    with right:
        st.markdown("**Last session against the one before** (leg by leg)")
        sentences, others = compare_rows(compare_last_by_leg(store, profile, drill))
        if not sentences and not others:
            st.caption("Save a second session of this drill to see what changed.")
            return
        for text in sentences:
            st.markdown(f"- {text}")
        if others:
            with st.expander("Other numbers"):
                st.dataframe(others, hide_index=True, width="stretch")


def _render_sessions(st: Any, store: HistoryStore, sessions: list[Session]) -> None:
    st.markdown("**Sessions**")
    thumbs = {s.id: store.thumbnail(s.id) for s in sessions}
    rows = session_rows(sessions, thumbs)
    if not any(thumbs.values()):
        for r in rows:
            del r["picture"]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        row_height=60 if any(thumbs.values()) else None,
        column_config={"picture": st.column_config.ImageColumn("picture", width="small")},
    )
    ids = [s.id for s in reversed(sessions)]
    labels = {s.id: session_label(s) for s in sessions}
    c1, c2 = st.columns([3, 1])
    pick = c1.selectbox(
        "Session",
        ids,
        format_func=lambda i: labels[i],
        key="hist-pick",
        label_visibility="collapsed",
    )
    if c2.button("Delete this session…", key="hist-delete"):
        st.session_state["hist-confirm"] = pick
    if st.session_state.get("hist-confirm") == pick:
        st.warning(f"Delete the session {labels[pick]}? This cannot be undone.")
        y, n, _ = st.columns([1, 1, 4])
        if y.button("Yes, delete it", key="hist-delete-yes", type="primary"):
            store.delete_session(pick)
            st.session_state.pop("hist-confirm", None)
            st.session_state["history_flash"] = f"Deleted the session {labels[pick]}."
            st.rerun()
        if n.button("Cancel", key="hist-delete-no"):
            st.session_state.pop("hist-confirm", None)
            st.rerun()


def _render_import(st: Any) -> None:
    from formcheck.errors import FormcheckError

    upload = st.file_uploader(
        "Import sessions from a formcheck history CSV (as exported here or by "
        "`formcheck history export`)",
        type=["csv"],
        key="hist-import",
    )
    if upload is None:
        return
    done: set[str] = st.session_state.setdefault("imported_files", set())
    file_id = str(getattr(upload, "file_id", "") or f"{upload.name}:{upload.size}")
    if file_id in done:
        st.caption(f"{upload.name} was imported.")
        return
    if st.button(f"Import {upload.name}", key="hist-import-go"):
        try:
            with HistoryStore() as store:
                n = import_bytes(store, upload.getvalue(), upload.name)
        except FormcheckError as exc:
            st.error(f"Nothing was imported: {sentence_case(str(exc))}")
            return
        done.add(file_id)
        st.session_state["history_flash"] = f"Imported {n} session(s) from {upload.name}."
        st.rerun()


__all__ = [
    "TRENDS",
    "TrendSpec",
    "age_in",
    "asymmetry_band",
    "asymmetry_text",
    "best_rows",
    "change_text",
    "compare_rows",
    "export_text",
    "import_bytes",
    "kept_video_path",
    "render_history",
    "render_profile_picker",
    "render_save_panel",
    "session_rows",
    "store_exists",
    "thumbnail_jpeg",
    "trend_chart",
    "trend_rows",
]
