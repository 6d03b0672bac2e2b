"""The page's History part with AppTest and a temporary store ($FORMCHECK_HISTORY).

Saving (only when asked, with a thumbnail, the video path only when ticked),
profiles prefilling height and age, the History view (trend data per leg, the
last-vs-previous wording with the smallest real change, delete with confirm,
CSV import errors naming the line), and the view's pure helpers.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from formcheck.history import LEG_ASYMMETRY_CM, Change, HistoryStore
from formcheck.synth import synthesize
from formcheck.synth.noise import NoiseSpec
from formcheck.synth.profiles import BalanceProfile, KneeToWallProfile
from formcheck.ui import history_view, options
from tests.test_app import REPS, Harness, _app, _metric, _tiny_mp4, _use_sample, harness

__all__ = ["harness"]  # the fixture, imported for use here


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "hist" / "history.sqlite3"
    monkeypatch.setenv("FORMCHECK_HISTORY", str(path))
    return path


def _report(drill: str, summary: dict[str, Any]) -> dict[str, Any]:
    """A minimal report dict of the real layout."""
    return {
        "formcheck_version": "test",
        "drill": drill,
        "options": {"leg": "auto"},
        "video": {"fps": 30, "frames": 10, "duration_s": 0.33, "width": 64, "height": 64},
        "quality": {"pose_detected_fraction": 1.0, "view": "side", "trusted": True, "warnings": []},
        "calibration": {"method": "height", "cm_per_px": 0.3, "uncertainty_pct": 3.0},
        "summary": summary,
        "events": [],
        "cues": [],
        "score": 80.0,
    }


def _k2w(leg: str, cm: float) -> dict[str, Any]:
    """A knee-to-wall summary as the drill writes it (per-leg dict under ``legs``)."""
    return _report(
        "knee-to-wall",
        {
            "attempts": 2,
            "best_toe_to_wall_cm": cm,
            "best_tibia_angle_deg": 30.0 + cm,
            "legs": {leg: {"best_toe_to_wall_cm": cm, "best_tibia_angle_deg": 30.0 + cm}},
            "front_legs": [leg],
        },
    )


def _create_profile(at: AppTest, name: str, height: float, birth: int) -> AppTest:
    at.sidebar.text_input(key="np-name").input(name)
    at.sidebar.number_input(key="np-height").set_value(height)
    at.sidebar.number_input(key="np-birth").set_value(birth)
    next(b for b in at.sidebar.button if b.label == "Create profile").click()
    return at.run()


def _all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


# ------------------------------------------------------------------ saving
def test_nothing_is_saved_or_created_without_asking(harness: Harness, store_path: Path) -> None:
    at = _use_sample(_app())
    assert not at.exception and _metric(at, "Reps") == str(REPS)
    assert "pick or create a profile" in _all_text(at)
    assert not any(b.key == "save-session" for b in at.button)
    assert not store_path.exists()  # not even an empty store file


def test_profile_prefills_height_and_age_then_saves_with_thumbnail(
    harness: Harness, store_path: Path
) -> None:
    at = _create_profile(_app(), "Ana", 181.0, 1990)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.sidebar.selectbox(key="profile").value == "Ana"
    assert at.sidebar.number_input(key="height_cm").value == 181.0
    at = _use_sample(at)
    assert harness.options[-1].height_cm == 181.0  # the prefilled height reaches the analysis
    with HistoryStore(store_path) as store:
        assert store.sessions() == []  # a profile, but no session before the button
    at.button(key="save-session").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Saved to Ana's history" in _all_text(at)
    with HistoryStore(store_path) as store:
        (s,) = store.sessions("Ana")
        assert s.drill == "calf-raise" and s.summary["rep_count"] == REPS
        thumb = store.thumbnail(s.id)
        row = store._conn.execute("SELECT video_path FROM sessions").fetchone()
    assert row[0] is None  # the video is never kept unless ticked
    assert thumb is not None and thumb[:2] == b"\xff\xd8" and len(thumb) < 40_000
    at.run()  # a rerun does not save twice
    with HistoryStore(store_path) as store:
        assert len(store.sessions()) == 1
    # the balance drill's age field is filled from the birth year
    at.sidebar.selectbox(key="drill").set_value("single-leg-balance").run()
    age = datetime.now(UTC).year - 1990
    assert at.sidebar.number_input(key="opt-single-leg-balance-age").value == age
    assert harness.options[-1].variant.get("age") == age


def test_keep_the_video_path_only_when_ticked(harness: Harness, store_path: Path) -> None:
    at = _use_sample(_create_profile(_app(), "Ben", 170.0, 1985))
    at.checkbox(key="save-keep-video").check()
    at.button(key="save-session").click().run()
    assert not at.exception and not at.error
    with HistoryStore(store_path) as store:
        row = store._conn.execute("SELECT video_path FROM sessions").fetchone()
    from formcheck.ui import samples

    assert row[0] == str((samples.SAMPLES_DIR / "calf_raise_tiny.mp4").resolve())


# ------------------------------------------------------------------ drill options
def test_knee_touches_wall_option_gives_a_toe_to_wall_distance(harness: Harness) -> None:
    harness.track = synthesize(KneeToWallProfile(), noise=NoiseSpec.low(), seed=3).track
    at = _app()
    at.sidebar.selectbox(key="drill").set_value("knee-to-wall").run()
    at = _use_sample(at)
    assert "variant" not in str(at.exception)
    without = harness.options[-1]
    assert "knee_touches_wall" not in without.variant
    at.sidebar.checkbox(key="opt-knee-to-wall-knee_touches_wall").check().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert harness.options[-1].variant == {"knee_touches_wall": True}
    assert _metric(at, "Best toe to wall").endswith(" cm")


def test_balance_eyes_closed_and_sex_reach_the_drills(harness: Harness) -> None:
    harness.track = synthesize(BalanceProfile(), noise=NoiseSpec.low(), seed=2).track
    at = _app()
    at.sidebar.selectbox(key="drill").set_value("single-leg-balance").run()
    at.sidebar.checkbox(key="opt-single-leg-balance-eyes_closed").check()
    at.sidebar.number_input(key="opt-single-leg-balance-age").set_value(45)
    at = _use_sample(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert harness.options[-1].variant == {"eyes_closed": True, "age": 45}
    assert "eyes closed" in _all_text(at) and "40-49" in _all_text(at)
    at.sidebar.selectbox(key="drill").set_value("calf-raise").run()
    at.sidebar.selectbox(key="opt-calf-raise-sex").set_value("female").run()
    assert not at.exception and not at.error
    assert harness.options[-1].variant == {"knee": "straight", "sex": "female"}


@pytest.mark.parametrize(
    ("drill", "ticked", "chosen", "expected"),
    [
        ("knee-to-wall", {"knee_touches_wall": True}, {}, {"knee_touches_wall": True}),
        ("knee-to-wall", {}, {}, {}),  # off: the key is left out (the wall stays unknown)
        ("single-leg-balance", {}, {"age": 70}, {"age": 70}),
        ("single-leg-balance", {}, {"age": None}, {}),  # empty age: left out
        ("calf-raise", {}, {"sex": None}, {"knee": "straight"}),
        ("calf-raise", {}, {"sex": "male", "age": 30}, {"knee": "straight", "sex": "male"}),
    ],
)
def test_variant_from_fields(
    drill: str, ticked: dict[str, bool], chosen: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert options.variant_from(drill, ticked, chosen) == expected


# ------------------------------------------------------------------ the History view
@pytest.fixture
def filled(store_path: Path) -> Path:
    """Ana: knee-to-wall, each leg filmed as its own video on two days."""
    with HistoryStore(store_path) as store:
        store.add_profile("Ana", height_cm=168, birth_year=1990)
        for day, left, right in (("2026-11-01", 9.0, 10.0), ("2026-11-08", 10.0, 12.0)):
            store.save_report(_k2w("left", left), profile="Ana", recorded_at=f"{day}T08:00")
            store.save_report(_k2w("right", right), profile="Ana", recorded_at=f"{day}T08:05")
    return store_path


def _history(at: AppTest) -> AppTest:
    at.radio(key="mode").set_value("History")
    return at.run()


def test_history_shows_trends_per_leg_and_the_comparison(harness: Harness, filled: Path) -> None:
    at = _app()
    at.sidebar.selectbox(key="profile").set_value("Ana").run()
    at.sidebar.selectbox(key="drill").set_value("knee-to-wall").run()
    at = _history(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.header[0].value == "History"
    charts = at.get("vega_lite_chart")
    spec = json.loads(charts[0].proto.spec)
    text = json.dumps(spec)
    assert "best toe-to-wall" in text
    values = [v for ds in spec.get("datasets", {}).values() for v in ds]
    values += [
        v for layer in spec.get("layer", []) for v in layer.get("data", {}).get("values", [])
    ]
    points = {(v["leg"], v["value"]) for v in values if "leg" in v}
    assert points == {("left", 9.0), ("left", 10.0), ("right", 10.0), ("right", 12.0)}
    bands = [v for v in values if "top" in v]
    assert [(b["top"], b["bottom"]) for b in bands] == [
        (10.0, 10.0 - LEG_ASYMMETRY_CM),
        (12.0, 12.0 - LEG_ASYMMETRY_CM),
    ]
    shown = _all_text(at)
    # left 9 -> 10 (+1.0, under the 1.6 cm MDC), right 10 -> 12 (+2.0): like with like
    assert "+1.0 cm: within the 1.6 cm measurement error" in shown
    assert "+2.0 cm: real improvement (more than the 1.6 cm measurement error)" in shown
    assert "difference 2.0 cm, more than the 1.5 cm" in shown
    assert "work on the left side" in shown


def test_delete_asks_first_and_cancel_keeps_it(harness: Harness, filled: Path) -> None:
    at = _history(_app())
    with HistoryStore(filled) as store:
        first = store.sessions("Ana")[0]
    at.selectbox(key="hist-pick").set_value(first.id).run()
    at.button(key="hist-delete").click().run()
    assert any("cannot be undone" in w.value for w in at.warning)
    with HistoryStore(filled) as store:
        assert len(store.sessions()) == 4  # nothing gone before the confirmation
    at.button(key="hist-delete-no").click().run()
    assert not any("cannot be undone" in w.value for w in at.warning)
    at.button(key="hist-delete").click().run()
    at.button(key="hist-delete-yes").click().run()
    assert not at.exception and not at.error
    assert "Deleted the session" in _all_text(at)
    with HistoryStore(filled) as store:
        assert first.id not in [s.id for s in store.sessions()]
        assert len(store.sessions()) == 3


def test_import_error_names_the_line_and_imports_nothing(harness: Harness, filled: Path) -> None:
    with HistoryStore(filled) as store:
        good = history_view.export_text(store)
    lines = good.splitlines()
    bad = "\n".join([*lines[:2], lines[2].replace("2026-11-01", "yesterday"), *lines[3:]]) + "\n"
    at = _history(_app())
    at.get("file_uploader")[0].set_value(("mine.csv", bad.encode(), "text/csv")).run()
    at.button(key="hist-import-go").click().run()
    assert not at.exception
    (err,) = at.error
    assert "Nothing was imported" in err.value and "mine.csv line 3" in err.value
    assert "formcheck-import-" not in err.value  # the temporary path is not shown
    with HistoryStore(filled) as store:
        assert len(store.sessions()) == 4
    with HistoryStore(filled) as store:  # an empty history: the good file brings all 4 back
        for s in store.sessions():
            store.delete_session(s.id)
    at.get("file_uploader")[0].set_value(("good.csv", good.encode(), "text/csv")).run()
    at.button(key="hist-import-go").click().run()
    assert not at.error and "Imported 4 session(s) from good.csv" in _all_text(at)
    with HistoryStore(filled) as store:
        assert len(store.sessions()) == 4
    assert "good.csv was imported" in _all_text(at)  # no second import button for it


def test_export_button_offers_the_csv(harness: Harness, filled: Path) -> None:
    at = _history(_app())
    (button,) = [b for b in at.get("download_button") if b.proto.label.startswith("Export")]
    assert "CSV" in button.proto.label


def test_history_without_a_store_says_how_to_start(harness: Harness, store_path: Path) -> None:
    at = _history(_app())
    assert not at.exception and not at.error
    assert "No history yet" in _all_text(at)
    assert not store_path.exists()


# ------------------------------------------------------------------ pure helpers
def test_trend_rows_label_single_leg_sessions_by_their_leg(store_path: Path) -> None:
    calf = {"rep_count": 20, "mean_heel_rise_cm": 8.0, "legs_measured": ["right"]}
    both = {
        "rep_count": 10,
        "legs_measured": ["left", "right"],
        "left_right": {"left": {"reps": 10}, "right": {"reps": 9}},
    }
    with HistoryStore(store_path) as store:
        store.save_report(_report("calf-raise", calf), recorded_at="2026-11-01")
        store.save_report(_report("calf-raise", {"rep_count": 18}), recorded_at="2026-11-02")
        store.save_report(_report("calf-raise", both), recorded_at="2026-11-03")
        spec = history_view.TRENDS["calf-raise"][0]
        rows = history_view.trend_rows(store, "me", "calf-raise", spec)
    assert [(r["leg"], r["value"]) for r in rows] == [
        ("right", 20.0),  # single-leg set: its overall number is that leg's
        (history_view.UNKNOWN_LEG, 18.0),
        ("left", 10.0),  # per-leg numbers replace the overall one
        ("right", 9.0),
    ]


def test_asymmetry_band_per_day_from_the_better_leg() -> None:
    rows = [
        {"date": "2026-11-01T08:00:00+00:00", "leg": "left", "value": 9.0, "session": 1},
        {"date": "2026-11-01T08:05:00+00:00", "leg": "right", "value": 12.0, "session": 2},
        {"date": "2026-11-01T09:00:00+00:00", "leg": "right", "value": 11.0, "session": 3},
        {"date": "2026-11-02T08:00:00+00:00", "leg": "left", "value": 9.5, "session": 4},
    ]
    band = history_view.asymmetry_band(rows)
    assert [(b["date"][:10], b["top"], b["bottom"]) for b in band] == [("2026-11-01", 12.0, 10.5)]
    text = history_view.asymmetry_text(rows)
    assert text is not None and "left 9.5 cm" in text and "right 11.0 cm" in text
    assert "difference 1.5 cm, within 1.5 cm" in text  # at the threshold: not flagged


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (Change("best_toe_to_wall_cm", "left", 9.0, 10.0, 1.0, 1.6, False),
         "+1.0 cm: within the 1.6 cm measurement error, so not a real change"),
        (Change("best_toe_to_wall_cm", "left", 12.0, 10.0, -2.0, 1.6, True),
         "−2.0 cm: real decline (more than the 1.6 cm measurement error)"),
        (Change("rep_count", "", 20.0, 25.0, 5.0, 3.0, True),
         "+5 reps: real improvement (more than the 3 reps smallest real change)"),
        (Change("sway_velocity_cm_s", "", 2.0, 1.0, -1.0, None, None),
         "−1.0 cm/s (no smallest real change known for this number)"),
    ],
)  # fmt: skip
def test_change_wording(change: Change, text: str) -> None:
    assert history_view.change_text(change) == text


def test_thumbnail_is_the_middle_frame(tmp_path: Path) -> None:
    from PIL import Image

    video = _tiny_mp4(tmp_path / "v.mp4", seconds=2.0).read_bytes()  # frame i has level 40+i
    thumb = history_view.thumbnail_jpeg(video)
    assert thumb is not None
    image = np.asarray(Image.open(io.BytesIO(thumb)))
    assert max(image.shape[:2]) <= history_view.THUMB_MAX_SIDE
    assert float(image.mean()) == pytest.approx(40 + 10, abs=3)  # frame 10 of 20
    assert history_view.thumbnail_jpeg(b"not a video") is None
