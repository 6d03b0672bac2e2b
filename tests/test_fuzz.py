"""Fuzzing the file readers: malformed files give FormcheckError, nothing else.

- ``load_track``: mutated bytes of a real .npz (flips, overwrites, cuts) and
  .npz files of random arrays (dtypes, shapes, missing/extra members) ->
  a valid ``PoseTrack`` or ``TrackFormatError``.
- ``read_report_json``: random JSON values, mutated report text, nasty
  constants -> the report dict or ``FormcheckError``.
- ``parse_history_csv`` / ``HistoryStore.import_csv``: random rows and
  mutations of a real export -> rows or ``FormcheckError``; a refused file
  imports nothing.

Examples are bounded (``max_examples``) and need no deadline, so the whole
file runs in seconds.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from formcheck.errors import FormcheckError, TrackFormatError
from formcheck.history import CSV_COLUMNS, HistoryStore, parse_history_csv
from formcheck.report import read_report_json
from formcheck.synth import CalfRaiseProfile, synthesize
from formcheck.track import PoseTrack, load_track, save_track

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def track_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real saved track (short synthetic calf-raise set), as bytes."""
    track = synthesize(CalfRaiseProfile()).track.slice(0, 40)
    path = save_track(track, tmp_path_factory.mktemp("fuzz") / "t.npz")
    return path.read_bytes()


def _load_or_refuse(path: Path) -> None:
    try:
        track = load_track(path)
    except TrackFormatError as exc:
        assert str(path) in str(exc) or path.name in str(exc)
        return
    assert isinstance(track, PoseTrack)  # what loads is a checked track


# ---------------------------------------------------------------- tracks
mutation = st.tuples(st.floats(0.0, 1.0, exclude_max=True), st.integers(0, 255))


@FUZZ
@given(
    edits=st.lists(mutation, min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.floats(0.0, 1.0)),
)
def test_mutated_track_bytes(
    edits: list[tuple[float, int]], cut: float | None, track_bytes: bytes, tmp_path: Path
) -> None:
    data = bytearray(track_bytes)
    for where, value in edits:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    path = tmp_path / "mutated.npz"
    path.write_bytes(bytes(data))
    _load_or_refuse(path)


@FUZZ
@given(start=st.floats(0.0, 1.0, exclude_max=True), junk=st.binary(min_size=1, max_size=64))
def test_track_with_junk_spliced_in(
    start: float, junk: bytes, track_bytes: bytes, tmp_path: Path
) -> None:
    at = int(start * len(track_bytes))
    path = tmp_path / "spliced.npz"
    path.write_bytes(track_bytes[:at] + junk + track_bytes[at + len(junk) :])
    _load_or_refuse(path)


_FIELDS = (
    "format_version", "landmarks", "visibility", "presence", "world", "timestamps_s",
    "num_people", "frame_size", "fps", "source", "model_variant",
)  # fmt: skip

_dtypes = st.sampled_from(
    [np.float32, np.float64, np.float16, np.int8, np.int16, np.int64, np.uint8, np.bool_,
     np.complex64, "U3", "S3", "M8[s]"]
)  # fmt: skip

random_array = hnp.arrays(
    dtype=_dtypes,
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
    elements=None,
)

# near-valid: right shapes for T frames, any dtype/values, sometimes wrong
near_valid_shapes = {
    "landmarks": (33, 3), "visibility": (33,), "presence": (33,), "world": (33, 3),
    "timestamps_s": (), "num_people": (),
}  # fmt: skip


@st.composite
def track_members(draw: st.DrawFn) -> dict[str, Any]:
    t = draw(st.integers(0, 5))
    out: dict[str, Any] = {}
    for name in _FIELDS:
        if draw(st.integers(0, 9)) == 0:
            continue  # member missing
        if name in near_valid_shapes and draw(st.booleans()):
            shape = (t, *near_valid_shapes[name])
            out[name] = draw(
                hnp.arrays(dtype=st.sampled_from([np.float32, np.float64, np.int16]), shape=shape)
            )
        elif name == "format_version" and draw(st.booleans()):
            out[name] = np.array(draw(st.integers(-(2**40), 2**40)))
        elif name == "frame_size" and draw(st.booleans()):
            out[name] = np.array(draw(st.lists(st.integers(-(2**62), 2**62), max_size=3)))
        elif name in ("source", "model_variant") and draw(st.booleans()):
            out[name] = np.array(draw(st.text(max_size=20)))
        else:
            out[name] = draw(random_array)
    if draw(st.booleans()):
        out["extra"] = draw(random_array)
    return out


@FUZZ
@given(members=track_members())
def test_random_arrays_in_a_track_file(members: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "random.npz"
    try:
        np.savez(path, **members)
    except (ValueError, TypeError):  # numpy cannot write this combination at all
        return
    _load_or_refuse(path)


@FUZZ
@given(name=st.sampled_from(_FIELDS), payload=st.binary(max_size=200))
def test_a_member_replaced_by_raw_bytes(
    name: str, payload: bytes, track_bytes: bytes, tmp_path: Path
) -> None:
    """A zip whose member is not a .npy at all (or a tampered header)."""
    src = io.BytesIO(track_bytes)
    path = tmp_path / "member.npz"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = payload if info.filename == f"{name}.npy" else zin.read(info)
            zout.writestr(info.filename, data)
    _load_or_refuse(path)


def test_the_fuzz_target_can_fail(track_bytes: bytes, tmp_path: Path) -> None:
    """An unchanged file loads, and a junk file is refused (the check bites both ways)."""
    good = tmp_path / "good.npz"
    good.write_bytes(track_bytes)
    assert len(load_track(good)) == 40
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04" + bytes(50))
    with pytest.raises(TrackFormatError):
        load_track(bad)


# ---------------------------------------------------------------- reports
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def report_like(draw: st.DrawFn) -> Any:
    """A dict with the report keys, each with a random value (some missing)."""
    keys = ["formcheck_version", "drill", "video", "quality", "calibration", "summary",
            "events", "cues", "score", "options", "flags", "norms"]  # fmt: skip
    return {k: draw(json_values) for k in keys if draw(st.integers(0, 7))}


def _read_or_refuse(path: Path) -> None:
    try:
        data = read_report_json(path)
    except FormcheckError:
        return
    assert isinstance(data, dict) and isinstance(data["drill"], str)


@FUZZ
@given(value=st.one_of(json_values, report_like()))
def test_random_json_as_a_report(value: Any, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(value))
    _read_or_refuse(path)


VALID_REPORT = json.dumps(
    {"formcheck_version": "0.1", "drill": "calf-raise", "video": {"fps": 30}, "quality": {},
     "calibration": {}, "summary": {"rep_count": 12}, "events": [], "cues": [], "score": 80.5}
)  # fmt: skip


@FUZZ
@given(
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.text(max_size=3)), max_size=6)
)
def test_mutated_report_text(edits: list[tuple[float, str]], tmp_path: Path) -> None:
    text = VALID_REPORT
    for where, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + 1 :]
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _read_or_refuse(path)


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_as_a_report(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(data)
    _read_or_refuse(path)


NASTY_JSON = {
    "deep_nesting": "[" * 100_000 + "]" * 100_000,
    "huge_integer": '{"score": ' + "9" * 5000 + "}",
    "nan_literal": VALID_REPORT.replace("80.5", "NaN"),
    "bom": "\ufeff" + VALID_REPORT,
    "top_level_list": "[" + VALID_REPORT + "]",
    "bool_score": VALID_REPORT.replace("80.5", "true"),
}


@pytest.mark.parametrize("name", sorted(NASTY_JSON))
def test_nasty_report_files(name: str, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(NASTY_JSON[name], encoding="utf-8")
    _read_or_refuse(path)


def test_a_folder_or_valid_report(tmp_path: Path) -> None:
    with pytest.raises(FormcheckError, match="cannot read report"):
        read_report_json(tmp_path)
    path = tmp_path / "ok.json"
    path.write_text(VALID_REPORT)
    assert read_report_json(path)["summary"] == {"rep_count": 12}


# --------------------------------------------------------------- history CSV
def _csv_text(rows: list[list[str]], header: tuple[str, ...] = CSV_COLUMNS) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


GOOD_ROW = ["me", "2026-01-02T08:30:00+00:00", "calf-raise", "left", "71.5",
            '{"rep_count": 14}', '{"leg": "left"}', "[]"]  # fmt: skip

field_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "NaN", "inf", "-1", "101", "0001-01-01T00:00:00+14:00",
                     "9999-12-31T23:59:59-14:00", "{}", "[]", '{"a": NaN}', "[" * 2000,
                     "1" * 5000, "x" * 100, "\x00", "left", "both"]),
)  # fmt: skip


@st.composite
def history_rows(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        row = list(GOOD_ROW)
        for i in draw(st.lists(st.integers(0, len(row) - 1), max_size=3)):
            row[i] = draw(field_text)
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))]
        rows.append(row)
    return rows


def _parse_or_refuse(path: Path) -> list[dict[str, Any]] | None:
    try:
        return parse_history_csv(path)
    except FormcheckError:
        return None


@FUZZ
@given(rows=history_rows())
def test_random_history_rows(rows: list[list[str]], tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(_csv_text(rows), encoding="utf-8")
    parsed = _parse_or_refuse(path)
    if parsed is not None:
        assert len(parsed) == len([r for r in rows if r])


@FUZZ
@given(data=st.binary(max_size=400), keep_header=st.booleans())
def test_random_bytes_as_a_history_csv(data: bytes, keep_header: bool, tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    head = (",".join(CSV_COLUMNS) + "\n").encode() if keep_header else b""
    path.write_bytes(head + data)
    _parse_or_refuse(path)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=history_rows())
def test_refused_import_changes_nothing(rows: list[list[str]], tmp_path: Path) -> None:
    """``import_csv`` imports all rows or none: a refused file leaves the store as it was."""
    path = tmp_path / "h.csv"
    path.write_text(_csv_text([GOOD_ROW, *rows]), encoding="utf-8")
    db = tmp_path / "history.sqlite"
    db.unlink(missing_ok=True)
    with HistoryStore(db) as store:
        before = len(store.sessions())
        try:
            added = store.import_csv(path)
        except FormcheckError:
            assert len(store.sessions()) == before
        else:
            # every row is imported once; rows repeating a session (same person,
            # time, drill and numbers) are skipped, so re-imports add nothing
            parsed = parse_history_csv(path)
            distinct = {
                (r["profile"], r["recorded_at"], r["drill"], json.dumps(r["summary"]))
                for r in parsed
            }
            assert len(parsed) == 1 + len([r for r in rows if r])
            assert len(store.sessions()) == before + added == before + len(distinct)


def test_history_nasty_files(tmp_path: Path) -> None:
    with pytest.raises(FormcheckError, match="cannot read"):
        parse_history_csv(tmp_path)  # a folder
    cases = {
        "far_past_with_offset": [*GOOD_ROW[:1], "0001-01-01T00:00:00+14:00", *GOOD_ROW[2:]],
        "huge_integer": [*GOOD_ROW[:5], '{"a": ' + "1" * 5000 + "}", *GOOD_ROW[6:]],
    }
    for name, row in cases.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(_csv_text([row]))
        with pytest.raises(FormcheckError, match="line 2"):
            parse_history_csv(path)
    ok = tmp_path / "ok.csv"
    ok.write_text(_csv_text([GOOD_ROW]))
    assert parse_history_csv(ok)[0]["summary"] == {"rep_count": 14}
