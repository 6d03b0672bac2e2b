"""A local history of analysed sessions: SQLite, one file, per-user data dir.

What is kept per session: date, profile (person), drill, leg, options, summary
metrics, score, cues, the full report JSON and a small thumbnail; never the
video unless the caller passes its path. Several people can share one store
(a coach with athletes): each session belongs to a profile with a height and a
birth year (for age norms).

Safety: WAL journal mode, every write is one transaction (``BEGIN IMMEDIATE``),
a busy timeout lets two processes save at once, and the schema carries a
version (``PRAGMA user_version``) with forward migrations. A process killed in
the middle of a write loses only that write.

Trends and comparisons use ``SMALLEST_REAL_CHANGE``: the change a metric must
exceed before it is more than measurement noise.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError

SCHEMA_VERSION = 2
"""Current schema version; ``MIGRATIONS[v]`` upgrades v -> v + 1."""

_V1 = """
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    height_cm REAL,
    birth_year INTEGER,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    recorded_at TEXT NOT NULL,
    drill TEXT NOT NULL,
    leg TEXT,
    options_json TEXT NOT NULL,
    summary_json TEXT NOT NULL,
    score REAL,
    cues_json TEXT NOT NULL,
    report_json TEXT NOT NULL,
    source TEXT,
    video_path TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX sessions_by_profile ON sessions(profile_id, drill, recorded_at);
"""

_V1_TO_V2 = """
ALTER TABLE sessions ADD COLUMN thumbnail BLOB;
CREATE TABLE metrics (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    leg TEXT NOT NULL DEFAULT '',
    value REAL NOT NULL,
    PRIMARY KEY (session_id, name, leg)
);
"""

MIGRATIONS: dict[int, str] = {0: _V1, 1: _V1_TO_V2}
"""SQL that takes the schema from version ``key`` to ``key + 1``."""


@dataclass(frozen=True)
class SmallestRealChange:
    """Smallest change of a metric that is more than noise.

    Attributes:
        value: the change, in the metric's unit.
        unit: unit of the metric.
        source: where the number comes from.
    """

    value: float
    unit: str
    source: str


SMALLEST_REAL_CHANGE: dict[str, SmallestRealChange] = {
    "best_toe_to_wall_cm": SmallestRealChange(
        1.6, "cm", "Powden et al. 2015, Man Ther 20(4):524 (MDC between raters)"
    ),
    "best_tibia_angle_deg": SmallestRealChange(
        4.6, "deg", "Powden et al. 2015 (MDC between raters)"
    ),
    "mean_heel_rise_cm": SmallestRealChange(
        0.8,
        "cm",
        "test-retest SEM of max heel-rise height, linear encoder (Sleeswijk Visser et al. 2025)",
    ),
    "max_heel_rise_cm": SmallestRealChange(
        0.8, "cm", "test-retest SEM of max heel-rise height (Sleeswijk Visser et al. 2025)"
    ),
    "rep_count": SmallestRealChange(
        3.0, "reps", "judgement: about 10% of the 21-25 rep norm (Hébert-Losier et al. 2017)"
    ),
    "longest_hold_s": SmallestRealChange(5.0, "s", "judgement: one sixth of the 30 s target hold"),
}
"""Per-metric smallest real change used by ``compare_last``."""

LEG_ASYMMETRY_CM = 1.5
"""Knee-to-wall left-right difference worth attention, cm (Hoch & McKeon 2011; Chisholm et al. 2012)."""

CSV_COLUMNS = (
    "profile",
    "recorded_at",
    "drill",
    "leg",
    "score",
    "summary_json",
    "options_json",
    "cues_json",
)
"""Columns of the history CSV export (one row per session)."""

MAX_IMPORT_BYTES = 50 * 1024 * 1024


def default_path() -> Path:
    """Where the store lives: $FORMCHECK_HISTORY, else the per-user data dir."""
    explicit = os.environ.get("FORMCHECK_HISTORY")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "formcheck" / "history.sqlite3"


@dataclass(frozen=True)
class Profile:
    """A person whose sessions are stored."""

    id: int
    name: str
    height_cm: float | None
    birth_year: int | None


@dataclass(frozen=True)
class Session:
    """One stored analysis (summary fields decoded; the report stays JSON text)."""

    id: int
    profile: str
    recorded_at: str
    drill: str
    leg: str | None
    score: float | None
    summary: dict[str, Any]
    options: dict[str, Any]
    cues: list[dict[str, Any]]
    source: str | None


@dataclass(frozen=True)
class TrendPoint:
    """One metric value at one session."""

    session_id: int
    recorded_at: str
    leg: str
    value: float


@dataclass(frozen=True)
class Change:
    """The last session against the previous one, for one metric."""

    metric: str
    leg: str
    previous: float
    last: float
    change: float
    smallest_real_change: float | None
    real: bool | None


class HistoryStore:
    """The session history in one SQLite file.

    Open with ``HistoryStore(path)`` (created and migrated as needed) and close
    with ``close()`` or use it as a context manager.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise FormcheckError(
                f"the history file {self.path} cannot be opened ({exc}); move it aside and formcheck "
                "starts a new one, or set FORMCHECK_HISTORY to another file"
            ) from exc

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    # ------------------------------------------------------------ plumbing
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole or not at all."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self._write() as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise FormcheckError(
                    f"{self.path} was written by a newer formcheck (schema {version}, this one reads "
                    f"up to {SCHEMA_VERSION}); upgrade formcheck"
                )
            while version < SCHEMA_VERSION:
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                if version == 1:
                    _backfill_metrics(conn)
                version += 1
                conn.execute(f"PRAGMA user_version={version}")

    # ------------------------------------------------------------ profiles
    def add_profile(
        self, name: str, height_cm: float | None = None, birth_year: int | None = None
    ) -> Profile:
        """Create a profile, or update height/birth year of an existing one."""
        name = _check_name(name)
        if height_cm is not None and not (50.0 <= height_cm <= 250.0):
            raise FormcheckError(
                f"height {height_cm} cm is not a human height; give it in cm (e.g. 175)"
            )
        this_year = datetime.now(UTC).year
        if birth_year is not None and not (this_year - 120 <= birth_year <= this_year):
            raise FormcheckError(f"birth year {birth_year} is not plausible")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO profiles(name, height_cm, birth_year, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET height_cm=COALESCE(excluded.height_cm, height_cm), "
                "birth_year=COALESCE(excluded.birth_year, birth_year)",
                (name, height_cm, birth_year, _now()),
            )
        return self.get_profile(name)

    def get_profile(self, name: str) -> Profile:
        """The profile called ``name`` (raises FormcheckError listing the profiles)."""
        row = self._conn.execute("SELECT * FROM profiles WHERE name = ?", (name,)).fetchone()
        if row is None:
            known = [p.name for p in self.profiles()]
            raise FormcheckError(f"no profile called {name!r}; profiles: {known or 'none yet'}")
        return Profile(row["id"], row["name"], row["height_cm"], row["birth_year"])

    def profiles(self) -> list[Profile]:
        """All profiles by name."""
        rows = self._conn.execute("SELECT * FROM profiles ORDER BY name").fetchall()
        return [Profile(r["id"], r["name"], r["height_cm"], r["birth_year"]) for r in rows]

    # ------------------------------------------------------------ sessions
    def save_report(
        self,
        report: Mapping[str, Any],
        *,
        profile: str = "me",
        recorded_at: str | None = None,
        thumbnail: bytes | None = None,
        video_path: str | None = None,
    ) -> int:
        """Store one report dict (``Report.to_dict()``); returns the session id."""
        from formcheck.report import validate_report_dict

        data = validate_report_dict(dict(report), "report")
        when = _check_time(recorded_at) if recorded_at else _now()
        summary = data.get("summary", {})
        options = data.get("options", {}) or {}
        leg = options.get("leg") if isinstance(options, dict) else None
        metrics = list(_numeric_metrics(summary))
        with self._write() as conn:
            row = conn.execute(
                "SELECT id FROM profiles WHERE name = ?", (_check_name(profile),)
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO profiles(name, created_at) VALUES (?, ?)", (profile, _now())
                )
                row = conn.execute("SELECT id FROM profiles WHERE name = ?", (profile,)).fetchone()
            cur = conn.execute(
                "INSERT INTO sessions(profile_id, recorded_at, drill, leg, options_json, summary_json, score, "
                "cues_json, report_json, source, video_path, created_at, thumbnail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row["id"],
                    when,
                    data["drill"],
                    leg,
                    json.dumps(options),
                    json.dumps(summary),
                    data.get("score"),
                    json.dumps(data.get("cues", [])),
                    json.dumps(data),
                    (data.get("video") or {}).get("source"),
                    video_path,
                    _now(),
                    thumbnail,
                ),
            )
            session_id = int(cur.lastrowid or 0)
            conn.executemany(
                "INSERT OR REPLACE INTO metrics(session_id, name, leg, value) VALUES (?, ?, ?, ?)",
                [(session_id, name, mleg, value) for name, mleg, value in metrics],
            )
        return session_id

    def sessions(self, profile: str | None = None, drill: str | None = None) -> list[Session]:
        """Stored sessions, oldest first, optionally for one profile and/or drill."""
        sql = (
            "SELECT s.*, p.name AS profile FROM sessions s JOIN profiles p ON p.id = s.profile_id "
            "WHERE (? IS NULL OR p.name = ?) AND (? IS NULL OR s.drill = ?) ORDER BY s.recorded_at, s.id"
        )
        rows = self._conn.execute(sql, (profile, profile, drill, drill)).fetchall()
        return [_session(r) for r in rows]

    def session(self, session_id: int) -> Session:
        """One session by id (FormcheckError when there is none)."""
        row = self._conn.execute(
            "SELECT s.*, p.name AS profile FROM sessions s JOIN profiles p ON p.id = s.profile_id WHERE s.id = ?",
            (session_id,),
        ).fetchone()
        if row is None:
            raise FormcheckError(f"no session {session_id}; `formcheck history list` shows the ids")
        return _session(row)

    def report_json(self, session_id: int) -> str:
        """The stored report JSON text of a session."""
        row = self._conn.execute(
            "SELECT report_json FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None:
            raise FormcheckError(f"no session {session_id}; `formcheck history list` shows the ids")
        return str(row["report_json"])

    def thumbnail(self, session_id: int) -> bytes | None:
        """The stored thumbnail image bytes, if any."""
        row = self._conn.execute(
            "SELECT thumbnail FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        return None if row is None or row["thumbnail"] is None else bytes(row["thumbnail"])

    def delete_session(self, session_id: int) -> None:
        """Delete one session (and its metrics)."""
        with self._write() as conn:
            cur = conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            if cur.rowcount == 0:
                raise FormcheckError(
                    f"no session {session_id}; `formcheck history list` shows the ids"
                )

    # ------------------------------------------------------------ trends
    def trend(self, profile: str, drill: str, metric: str) -> list[TrendPoint]:
        """Values of ``metric`` over time for one profile and drill, oldest first."""
        rows = self._conn.execute(
            "SELECT s.id, s.recorded_at, m.leg, m.value FROM metrics m JOIN sessions s ON s.id = m.session_id "
            "JOIN profiles p ON p.id = s.profile_id WHERE p.name = ? AND s.drill = ? AND m.name = ? "
            "ORDER BY s.recorded_at, s.id, m.leg",
            (profile, drill, metric),
        ).fetchall()
        return [TrendPoint(r[0], r[1], r[2], r[3]) for r in rows]

    def metric_names(self, profile: str, drill: str) -> list[str]:
        """Metric names stored for one profile and drill."""
        rows = self._conn.execute(
            "SELECT DISTINCT m.name FROM metrics m JOIN sessions s ON s.id = m.session_id "
            "JOIN profiles p ON p.id = s.profile_id WHERE p.name = ? AND s.drill = ? ORDER BY m.name",
            (profile, drill),
        ).fetchall()
        return [r[0] for r in rows]

    def personal_bests(
        self, profile: str, drill: str, *, lower_is_better: frozenset[str] = frozenset()
    ) -> dict[str, TrendPoint]:
        """Best value per metric (and leg): highest, or lowest for ``lower_is_better``."""
        best: dict[str, TrendPoint] = {}
        for metric in self.metric_names(profile, drill):
            for point in self.trend(profile, drill, metric):
                key = f"{metric}[{point.leg}]" if point.leg else metric
                old = best.get(key)
                better = old is None or (
                    point.value < old.value
                    if metric in lower_is_better
                    else point.value > old.value
                )
                if better:
                    best[key] = point
        return best

    def compare_last(self, profile: str, drill: str) -> list[Change]:
        """The newest session against the previous comparable one, metric by metric.

        Like with like (see ``compare_last_by_leg``): the same legs and the
        same drill variant (e.g. bent-knee calf raises are not compared with
        straight-knee ones, a left-leg knee-to-wall not with a right-leg one).
        """
        return compare_last_by_leg(self, profile, drill)

    def _metrics(self, session_id: int) -> dict[tuple[str, str], float]:
        rows = self._conn.execute(
            "SELECT name, leg, value FROM metrics WHERE session_id = ?", (session_id,)
        )
        return {(r[0], r[1]): float(r[2]) for r in rows}

    # ------------------------------------------------------------ CSV
    def export_csv(self, path: str | os.PathLike[str], profile: str | None = None) -> int:
        """Write sessions to CSV (columns ``CSV_COLUMNS``); returns the row count."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        sessions = self.sessions(profile)
        for s in sessions:
            writer.writerow(
                [
                    s.profile,
                    s.recorded_at,
                    s.drill,
                    s.leg or "",
                    "" if s.score is None else s.score,
                    json.dumps(s.summary),
                    json.dumps(s.options),
                    json.dumps(s.cues),
                ]
            )
        out = Path(path)
        tmp = out.with_name(out.name + ".partial")
        tmp.write_text(buf.getvalue(), encoding="utf-8")
        os.replace(tmp, out)
        return len(sessions)

    def import_csv(self, path: str | os.PathLike[str]) -> int:
        """Add the sessions of a CSV written by ``export_csv``; returns how many were new.

        The whole file is checked before anything is written: a malformed row
        raises FormcheckError naming its line, and nothing is imported. A row
        identical to a stored session (same profile, time, drill and summary)
        is skipped, so importing the same export twice adds nothing.
        """
        rows = parse_history_csv(path)
        imported = 0
        with self._write() as conn:
            for row in rows:
                if self._already_stored(conn, row):
                    continue  # importing the same export twice adds nothing
                imported += 1
                profile_row = conn.execute(
                    "SELECT id FROM profiles WHERE name = ?", (row["profile"],)
                ).fetchone()
                if profile_row is None:
                    conn.execute(
                        "INSERT INTO profiles(name, created_at) VALUES (?, ?)",
                        (row["profile"], _now()),
                    )
                    profile_row = conn.execute(
                        "SELECT id FROM profiles WHERE name = ?", (row["profile"],)
                    ).fetchone()
                report = {
                    "formcheck_version": "imported",
                    "drill": row["drill"],
                    "summary": row["summary"],
                    "options": row["options"],
                    "cues": row["cues"],
                    "score": row["score"],
                }
                cur = conn.execute(
                    "INSERT INTO sessions(profile_id, recorded_at, drill, leg, options_json, summary_json, score, "
                    "cues_json, report_json, source, video_path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
                    (
                        profile_row["id"],
                        row["recorded_at"],
                        row["drill"],
                        row["leg"],
                        json.dumps(row["options"]),
                        json.dumps(row["summary"]),
                        row["score"],
                        json.dumps(row["cues"]),
                        json.dumps(report),
                        _now(),
                    ),
                )
                session_id = int(cur.lastrowid or 0)
                conn.executemany(
                    "INSERT OR REPLACE INTO metrics(session_id, name, leg, value) VALUES (?, ?, ?, ?)",
                    [(session_id, n, leg, v) for n, leg, v in _numeric_metrics(row["summary"])],
                )
        return imported

    @staticmethod
    def _already_stored(conn: sqlite3.Connection, row: Mapping[str, Any]) -> bool:
        """True when a session with the same person, time, drill and numbers exists."""
        found = conn.execute(
            "SELECT 1 FROM sessions s JOIN profiles p ON p.id = s.profile_id WHERE p.name = ? "
            "AND s.recorded_at = ? AND s.drill = ? AND s.summary_json = ? LIMIT 1",
            (row["profile"], row["recorded_at"], row["drill"], json.dumps(row["summary"])),
        ).fetchone()
        return found is not None


def session_legs(summary: Mapping[str, Any]) -> list[str]:
    """The legs a stored summary measured, sorted ([] when it does not say).

    Read from the drills' own fields: a list under ``legs_measured`` or
    ``front_legs``, or the ``"left"``/``"right"`` keys of a nested per-leg dict
    (``legs``, ``by_leg``, ``left_right``, ...). Lets a view tell a single-leg
    set on the left from one on the right when its top-level metrics carry no
    leg.
    """
    found: set[str] = set()
    for key in ("legs_measured", "front_legs"):
        value = summary.get(key)
        if isinstance(value, list):
            found.update(v for v in value if v in ("left", "right"))
    for value in summary.values():
        if isinstance(value, dict):
            found.update(leg for leg in ("left", "right") if isinstance(value.get(leg), dict))
    return sorted(found)


def _variant_key(options: Mapping[str, Any]) -> str:
    """The drill variant a session was recorded with, as a comparable string."""
    variant = options.get("variant") if isinstance(options, Mapping) else None
    return json.dumps(variant or {}, sort_keys=True)


def compare_last_by_leg(store: HistoryStore, profile: str, drill: str) -> list[Change]:
    """The last session against the previous comparable one: like with like.

    Sessions are grouped by the drill variant they were recorded with
    (``options.variant``) and by the legs they measured (``session_legs``): a
    knee-to-wall on the left is compared with the previous one on the left,
    not with the right-leg video filmed a minute before. Within a single-leg
    group the overall numbers are labelled with that leg (and dropped where
    the per-leg copy says the same). When groups give the same (metric, leg),
    the group with the newer last session wins. Sorted by metric, then leg.
    """
    groups: dict[tuple[tuple[str, ...], str], list[Session]] = {}
    for s in store.sessions(profile, drill):  # oldest first
        group_key = (tuple(session_legs(s.summary)), _variant_key(s.options))
        groups.setdefault(group_key, []).append(s)
    out: dict[tuple[str, str], Change] = {}
    for (legs, _variant), group in sorted(
        groups.items(), key=lambda g: (g[1][-1].recorded_at, g[1][-1].id)
    ):
        if len(group) < 2:
            continue
        previous = store._metrics(group[-2].id)
        last = store._metrics(group[-1].id)
        for key in sorted(set(last) & set(previous)):
            name, leg = key
            if not leg and len(legs) == 1:
                if (name, legs[0]) in last:
                    continue
                leg = legs[0]
            src = SMALLEST_REAL_CHANGE.get(name)
            diff = last[key] - previous[key]
            out[(name, leg)] = Change(
                metric=name,
                leg=leg,
                previous=previous[key],
                last=last[key],
                change=diff,
                smallest_real_change=src.value if src else None,
                real=(abs(diff) > src.value) if src else None,
            )
    return [out[k] for k in sorted(out)]


def parse_history_csv(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read and check a history CSV; raise FormcheckError naming the bad line."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise FormcheckError(f"cannot read {p}: {exc.strerror or exc}") from exc
    if size > MAX_IMPORT_BYTES:
        raise FormcheckError(
            f"{p} is {size / 1e6:.0f} MB; a history export is far smaller, so this is not one"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FormcheckError(f"{p} is not UTF-8 text, so not a formcheck history export") from exc
    except OSError as exc:  # a folder, or unreadable
        raise FormcheckError(f"cannot read {p}: {exc.strerror or exc}") from exc
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise FormcheckError(
            f"{p} is empty; expected a header line {','.join(CSV_COLUMNS)}"
        ) from None
    except csv.Error as exc:
        raise FormcheckError(f"{p} line 1: not valid CSV ({exc})") from exc
    if tuple(header) != CSV_COLUMNS:
        raise FormcheckError(
            f"{p} line 1: expected the header {','.join(CSV_COLUMNS)}, got {','.join(header)[:200]}"
        )
    rows: list[dict[str, Any]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not record:
                continue
            rows.append(_parse_row(record, f"{p} line {line}"))
    except csv.Error as exc:
        raise FormcheckError(f"{p} line {reader.line_num}: not valid CSV ({exc})") from exc
    return rows


def _parse_row(record: list[str], where: str) -> dict[str, Any]:
    if len(record) != len(CSV_COLUMNS):
        raise FormcheckError(f"{where}: expected {len(CSV_COLUMNS)} fields, got {len(record)}")
    values = dict(zip(CSV_COLUMNS, record, strict=True))
    try:
        profile = _check_name(values["profile"])
    except FormcheckError as exc:
        raise FormcheckError(f"{where}: {exc}") from None
    try:
        recorded_at = _check_time(values["recorded_at"])
    except FormcheckError as exc:
        raise FormcheckError(f"{where}: {exc}") from None
    drill = values["drill"].strip()
    if not drill or len(drill) > 64:
        raise FormcheckError(f"{where}: the drill name is empty or too long")
    leg = values["leg"].strip() or None
    if leg not in (None, "left", "right", "auto", "both"):
        raise FormcheckError(f"{where}: leg must be left, right, auto or both, got {leg!r}")
    score: float | None = None
    if values["score"].strip():
        try:
            score = float(values["score"])
        except ValueError:
            raise FormcheckError(f"{where}: score {values['score']!r} is not a number") from None
        if not math.isfinite(score) or not 0.0 <= score <= 100.0:
            raise FormcheckError(f"{where}: score must be between 0 and 100, got {values['score']}")
    parsed: dict[str, Any] = {}
    for key, kind in (("summary_json", dict), ("options_json", dict), ("cues_json", list)):
        try:
            value = json.loads(values[key])
        except (ValueError, RecursionError):  # bad JSON, numbers too long, nesting too deep
            raise FormcheckError(f"{where}: column {key} is not valid JSON") from None
        if not isinstance(value, kind):
            raise FormcheckError(f"{where}: column {key} must be a JSON {kind.__name__}")
        parsed[key] = value
    return {
        "profile": profile,
        "recorded_at": recorded_at,
        "drill": drill,
        "leg": leg,
        "score": score,
        "summary": parsed["summary_json"],
        "options": parsed["options_json"],
        "cues": parsed["cues_json"],
    }


# ---------------------------------------------------------------- helpers
def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _backfill_metrics(conn: sqlite3.Connection) -> None:
    """Fill the v2 metrics table from the summaries stored by v1."""
    for row in conn.execute("SELECT id, summary_json FROM sessions").fetchall():
        try:
            summary = json.loads(row[1])
        except json.JSONDecodeError:
            continue
        conn.executemany(
            "INSERT OR REPLACE INTO metrics(session_id, name, leg, value) VALUES (?, ?, ?, ?)",
            [(row[0], n, leg, v) for n, leg, v in _numeric_metrics(summary)],
        )


def _numeric_metrics(summary: Any) -> Iterator[tuple[str, str, float]]:
    """(name, leg, value) for each finite number in a summary.

    Top-level numbers get leg ''. Nested per-leg dicts (``{"left": {...},
    "right": {...}}``, under any key) give one row per leg.
    """
    if not isinstance(summary, dict):
        return
    for key, value in summary.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and math.isfinite(value):
            yield str(key), "", float(value)
        elif isinstance(value, dict):
            for leg in ("left", "right"):
                sub = value.get(leg)
                if isinstance(sub, dict):
                    for name, v in sub.items():
                        if (
                            isinstance(v, int | float)
                            and not isinstance(v, bool)
                            and math.isfinite(v)
                        ):
                            yield str(name), leg, float(v)


def _session(row: sqlite3.Row) -> Session:
    return Session(
        id=row["id"],
        profile=row["profile"],
        recorded_at=row["recorded_at"],
        drill=row["drill"],
        leg=row["leg"],
        score=row["score"],
        summary=json.loads(row["summary_json"]),
        options=json.loads(row["options_json"]),
        cues=json.loads(row["cues_json"]),
        source=row["source"],
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 80 or any(ord(c) < 32 for c in cleaned):
        raise FormcheckError(f"profile name {name[:40]!r} must be 1-80 printable characters")
    return cleaned


def _check_time(text: str) -> str:
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FormcheckError(
            f"date {text[:40]!r} is not an ISO date like 2026-11-21 or 2026-11-21T08:30:00"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC).isoformat(timespec="seconds")
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its UTC offset
        raise FormcheckError(f"date {text[:40]!r} is out of range") from None
