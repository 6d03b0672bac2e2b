"""The session history store: saving, trends, migrations, concurrency, crashes, CSV."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from formcheck.errors import FormcheckError
from formcheck.history import _V1, CSV_COLUMNS, SCHEMA_VERSION, HistoryStore


def report(drill: str = "knee-to-wall", **summary: Any) -> dict[str, Any]:
    """A minimal report dict of the real layout."""
    return {
        "formcheck_version": "test",
        "drill": drill,
        "options": {"leg": "auto"},
        "video": {
            "fps": 30,
            "frames": 10,
            "duration_s": 0.33,
            "width": 64,
            "height": 64,
            "source": "x.mp4",
        },
        "quality": {"pose_detected_fraction": 1.0, "view": "side", "trusted": True, "warnings": []},
        "calibration": {"method": "height", "cm_per_px": 0.3, "uncertainty_pct": 3.0},
        "summary": summary,
        "events": [],
        "cues": [{"time_s": 1.0, "severity": "info", "message": "good"}],
        "score": 80.0,
    }


def test_save_list_trend_delete(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.db") as store:
        store.add_profile("ana", height_cm=168, birth_year=1990)
        a = store.save_report(
            report(best_toe_to_wall_cm=9.0), profile="ana", recorded_at="2026-11-01"
        )
        b = store.save_report(
            report(best_toe_to_wall_cm=11.5), profile="ana", recorded_at="2026-11-08"
        )
        store.save_report(report(best_toe_to_wall_cm=3.0), profile="ben", recorded_at="2026-11-02")
        trend = store.trend("ana", "knee-to-wall", "best_toe_to_wall_cm")
        assert [p.value for p in trend] == [9.0, 11.5]
        assert [s.id for s in store.sessions("ana")] == [a, b]
        best = store.personal_bests("ana", "knee-to-wall")
        assert best["best_toe_to_wall_cm"].value == 11.5
        store.delete_session(a)
        assert [s.id for s in store.sessions("ana")] == [b]
        assert store.trend("ana", "knee-to-wall", "best_toe_to_wall_cm")[0].value == 11.5
        with pytest.raises(FormcheckError, match="no session"):
            store.delete_session(a)


def test_per_leg_metrics_are_stored_by_leg(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.db") as store:
        store.save_report(
            report(
                legs={"left": {"best_toe_to_wall_cm": 8.0}, "right": {"best_toe_to_wall_cm": 10.0}}
            )
        )
        trend = store.trend("me", "knee-to-wall", "best_toe_to_wall_cm")
        assert {(p.leg, p.value) for p in trend} == {("left", 8.0), ("right", 10.0)}


def test_compare_last_uses_smallest_real_change(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.db") as store:
        store.save_report(
            report(best_toe_to_wall_cm=9.0, best_tibia_angle_deg=35.0), recorded_at="2026-11-01"
        )
        store.save_report(
            report(best_toe_to_wall_cm=10.0, best_tibia_angle_deg=41.0), recorded_at="2026-11-05"
        )
        changes = {c.metric: c for c in store.compare_last("me", "knee-to-wall")}
        # +1.0 cm is inside the 1.6 cm MDC; +6 degrees is beyond the 4.6 degree MDC
        assert changes["best_toe_to_wall_cm"].real is False
        assert changes["best_tibia_angle_deg"].real is True
        assert changes["best_tibia_angle_deg"].change == pytest.approx(6.0)


def test_migrates_a_version_1_file(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(_V1)
    conn.execute("INSERT INTO profiles(name, created_at) VALUES ('ana', '2026-01-01')")
    conn.execute(
        "INSERT INTO sessions(profile_id, recorded_at, drill, leg, options_json, summary_json, score, cues_json, "
        "report_json, created_at) VALUES (1, '2026-01-02T00:00:00+00:00', 'calf-raise', 'left', '{}', ?, 70, '[]', '{}', 'x')",
        (json.dumps({"rep_count": 21, "mean_heel_rise_cm": 8.5}),),
    )
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    with HistoryStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [p.value for p in store.trend("ana", "calf-raise", "rep_count")] == [21.0]
        assert store.thumbnail(1) is None


def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(FormcheckError, match="newer formcheck"):
        HistoryStore(path)


def test_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(FormcheckError, match="cannot be opened"):
        HistoryStore(path)


def _writer(path: str, who: str, n: int) -> None:
    with HistoryStore(path) as store:
        for i in range(n):
            store.save_report(report(best_toe_to_wall_cm=float(i)), profile=who)


def test_two_processes_save_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "h.db")
    HistoryStore(path).close()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, who, 25)) for who in ("ana", "ben")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    with HistoryStore(path) as store:
        assert len(store.sessions("ana")) == 25
        assert len(store.sessions("ben")) == 25


def test_a_process_killed_mid_write_loses_only_that_write(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with HistoryStore(path) as store:
        store.save_report(report(best_toe_to_wall_cm=7.0))
    script = textwrap.dedent(
        f"""
        import os, signal, json
        from formcheck.history import HistoryStore
        store = HistoryStore({str(path)!r})
        conn = store._conn
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO profiles(name, created_at) VALUES ('ghost', 'x')")
        print("inside", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -signal.SIGKILL and "inside" in proc.stdout
    with HistoryStore(path) as store:
        assert [p.name for p in store.profiles()] == ["me"]
        assert store.trend("me", "knee-to-wall", "best_toe_to_wall_cm")[0].value == 7.0
        store.save_report(report(best_toe_to_wall_cm=8.0))  # still writable
        assert len(store.sessions()) == 2


def test_csv_round_trip(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "a.db") as store:
        store.save_report(
            report(best_toe_to_wall_cm=9.0), profile="ana", recorded_at="2026-11-01T08:00:00"
        )
        store.save_report(
            report("calf-raise", rep_count=20), profile="ana", recorded_at="2026-11-03"
        )
        assert store.export_csv(tmp_path / "h.csv") == 2
    with HistoryStore(tmp_path / "b.db") as other:
        assert other.import_csv(tmp_path / "h.csv") == 2
        assert other.trend("ana", "calf-raise", "rep_count")[0].value == 20.0
        assert other.sessions("ana")[0].recorded_at == "2026-11-01T08:00:00+00:00"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # a field missing
        ("ana,2026-11-01,knee-to-wall,left,80,{},{}", "line 3: expected 8 fields"),
        # a date that is not a date
        ("ana,yesterday,knee-to-wall,left,80,{},{},[]", "line 3: date"),
        # a score out of range
        (
            "ana,2026-11-01,knee-to-wall,left,180,{},{},[]",
            "line 3: score must be between 0 and 100",
        ),
        # summary not JSON
        ("ana,2026-11-01,knee-to-wall,left,80,{oops,{},[]", "line 3"),
        # leg not a leg
        ("ana,2026-11-01,knee-to-wall,middle,80,{},{},[]", "line 3: leg"),
    ],
)
def test_import_rejects_malformed_csv_naming_the_line(
    tmp_path: Path, line: str, expected: str
) -> None:
    good = 'ana,2026-10-01,knee-to-wall,left,80,"{""best_toe_to_wall_cm"": 9}",{},[]'
    path = tmp_path / "bad.csv"
    path.write_text(",".join(CSV_COLUMNS) + "\n" + good + "\n" + line + "\n", encoding="utf-8")
    with HistoryStore(tmp_path / "h.db") as store:
        with pytest.raises(FormcheckError, match=expected):
            store.import_csv(path)
        assert store.sessions() == []  # nothing imported from a bad file


def test_import_rejects_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with (
        HistoryStore(tmp_path / "h.db") as store,
        pytest.raises(FormcheckError, match="line 1: expected the header"),
    ):
        store.import_csv(path)


def test_default_path_follows_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMCHECK_HISTORY", str(tmp_path / "x.db"))
    with HistoryStore() as store:
        assert store.path == tmp_path / "x.db"
    assert os.path.exists(tmp_path / "x.db")


@pytest.mark.parametrize(
    ("summary", "legs"),
    [
        ({"legs_measured": ["right"], "left_right": None}, ["right"]),  # calf raise, one leg
        ({"front_legs": ["left"], "legs": {"left": {"best_toe_to_wall_cm": 9.0}}}, ["left"]),
        ({"by_leg": {"left": {}, "right": {}}}, ["left", "right"]),  # balance, both legs
        ({"rep_count": 3}, []),  # says nothing
        ({"legs_measured": ["x"], "other": {"left": 1.0}}, []),  # no leg names / not a dict
    ],
)
def test_session_legs(summary: dict[str, Any], legs: list[str]) -> None:
    from formcheck.history import session_legs

    assert session_legs(summary) == legs


def test_compare_last_by_leg_compares_like_with_like(tmp_path: Path) -> None:
    from formcheck.history import compare_last_by_leg

    def k2w(leg: str, cm: float) -> dict[str, Any]:
        return report(
            best_toe_to_wall_cm=cm, front_legs=[leg], legs={leg: {"best_toe_to_wall_cm": cm}}
        )

    with HistoryStore(tmp_path / "h.db") as store:
        store.save_report(k2w("left", 9.0), recorded_at="2026-11-01T08:00")
        store.save_report(k2w("right", 12.0), recorded_at="2026-11-01T08:05")
        store.save_report(k2w("left", 10.0), recorded_at="2026-11-08T08:00")
        store.save_report(k2w("right", 12.5), recorded_at="2026-11-08T08:05")
        changes = compare_last_by_leg(store, "me", "knee-to-wall")
        # the store's own comparison is the same like-with-like one (it once set
        # the newest right-leg video against the left-leg one before it)
        assert store.compare_last("me", "knee-to-wall") == changes
    got = {(c.metric, c.leg): (c.previous, c.last, c.real) for c in changes}
    assert got == {
        ("best_toe_to_wall_cm", "left"): (9.0, 10.0, False),
        ("best_toe_to_wall_cm", "right"): (12.0, 12.5, False),
    }


def test_compare_last_keeps_drill_variants_apart(tmp_path: Path) -> None:
    def calf(knee: str, rise: float) -> dict[str, Any]:
        r = report("calf-raise", mean_heel_rise_cm=rise)
        r["options"] = {"leg": "auto", "variant": {"knee": knee}}
        return r

    with HistoryStore(tmp_path / "h.db") as store:
        store.save_report(calf("straight", 8.0), recorded_at="2026-11-01")
        store.save_report(calf("bent", 5.0), recorded_at="2026-11-02")
        store.save_report(calf("straight", 9.0), recorded_at="2026-11-08")
        changes = store.compare_last("me", "calf-raise")
    # the newest (straight-knee) set is compared with the previous straight-knee set,
    # not with the bent-knee set in between
    assert [(c.metric, c.previous, c.last, c.real) for c in changes] == [
        ("mean_heel_rise_cm", 8.0, 9.0, True)
    ]


def test_importing_the_same_export_twice_adds_nothing(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "a.db") as store:
        store.save_report(report(best_toe_to_wall_cm=9.0), profile="ana", recorded_at="2026-11-01")
        store.export_csv(tmp_path / "h.csv")
        assert store.import_csv(tmp_path / "h.csv") == 0  # already there
        assert len(store.sessions()) == 1
    with HistoryStore(tmp_path / "b.db") as other:
        assert other.import_csv(tmp_path / "h.csv") == 1
        assert other.import_csv(tmp_path / "h.csv") == 0
        assert len(other.sessions()) == 1


def test_cli_trend_picks_the_only_profile_and_lists_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from formcheck.cli import main

    db = str(tmp_path / "h.db")
    with HistoryStore(db) as store:
        store.save_report(report(best_toe_to_wall_cm=9.0), profile="qa", recorded_at="2026-11-01")
        store.save_report(report(best_toe_to_wall_cm=10.5), profile="qa", recorded_at="2026-11-08")
    assert (
        main(
            [
                "history",
                "--db",
                db,
                "trend",
                "--drill",
                "knee-to-wall",
                "--metric",
                "best_toe_to_wall_cm",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "9.00" in out and "10.50" in out and "1.6 cm" in out
    assert (
        main(["history", "--db", db, "trend", "--drill", "knee-to-wall", "--metric", "bogus"]) == 1
    )
    err = capsys.readouterr().err
    assert "stored metrics: ['best_toe_to_wall_cm']" in err
