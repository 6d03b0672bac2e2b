"""The CLI's plain-text report: one line per event in words with units, flags next to
their number with the reason spelled out once, every field with ``verbose``."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from functools import cache
from typing import Any

import pytest

from formcheck.analysis import analyze_track
from formcheck.drills import drill_names
from formcheck.drills.base import DrillOptions
from formcheck.report import Report
from formcheck.synth import (
    AnkleCirclesProfile,
    BalanceProfile,
    CalfRaiseProfile,
    CameraSpec,
    HeelWalkProfile,
    KneeToWallProfile,
    LateralHopsProfile,
    NoiseSpec,
    ToeWalkProfile,
    synthesize,
)
from formcheck.text_report import (
    EVENT_LINES,
    KIND_LINES,
    MORE_DETAIL,
    Notes,
    event_line,
    format_report,
)

# the event the QA pass found unreadable as a raw "key value" dump
QA_LUNGE: dict[str, Any] = {
    "kind": "lunge", "index": 0, "start_s": 0.17, "peak_s": 1.2, "end_s": 1.82,
    "toe_to_wall_cm": 7.3, "tibia_angle_deg": 25.0, "knee_forward_cm": 3.7,
    "knee_to_wall_gap_cm": 3.6, "knee_reached_wall": False, "heel_rise_cm": 0.7,
    "heel_lifted": False, "leg": "left", "leg_method": "geometry", "leg_confidence": "medium",
    "valid": False, "invalid_reasons": ["the knee stopped about 4 cm short"], "implausible": [],
    "flags": {},
}  # fmt: skip


@cache
def _report(drill: str) -> Report:
    """A report of a synthetic clip of ``drill`` (realistic noise, 175 cm person)."""
    profiles: dict[str, tuple[Any, str]] = {
        "calf-raise": (CalfRaiseProfile(reps=4), "side"),
        "single-leg-balance": (BalanceProfile(), "front"),
        "knee-to-wall": (KneeToWallProfile(), "side"),
        "heel-walk": (HeelWalkProfile(), "side"),
        "toe-walk": (ToeWalkProfile(), "side"),
        "lateral-hops": (LateralHopsProfile(), "front"),
        "ankle-circles": (AnkleCirclesProfile(), "front"),
    }
    profile, view = profiles[drill]
    syn = synthesize(profile, camera=CameraSpec(view=view), noise=NoiseSpec.realistic(), seed=0)
    return analyze_track(syn.track, drill, DrillOptions(height_cm=175.0))


def test_a_lunge_reads_as_one_line_in_words_with_units() -> None:
    line = event_line("knee-to-wall", QA_LUNGE, 1, Notes())
    assert line == (
        "attempt 1 (left leg) at 1.2 s: toe to wall 7.3 cm, tibia angle 25.0 deg, heel down, "
        "knee 3.6 cm short of the wall - not a valid depth"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # knee touched, heel lifted: the verdict follows the event's "valid"
        ({"knee_reached_wall": True, "heel_lifted": True}, "heel lifted, knee at the wall - not"),
        # heel lift unknown: said, not shown as "heel down"
        ({"heel_lifted": None}, "heel lift not checked,"),
        # wall not found: the headline number says so; the gap is left out
        ({"toe_to_wall_cm": None, "knee_to_wall_gap_cm": None, "knee_reached_wall": None},
         "toe to wall not measured, tibia angle 25.0 deg, heel down - not"),
        ({"valid": True}, "short of the wall - a valid depth"),
    ],
)  # fmt: skip
def test_lunge_line_variants(change: dict[str, Any], expected: str) -> None:
    assert expected in event_line("knee-to-wall", {**QA_LUNGE, **change}, 1, Notes())


def test_a_flag_is_marked_next_to_its_number_and_explained_once() -> None:
    report = _report("calf-raise")
    flagged = [e for e in report.events if e.get("flags")]
    assert flagged, "realistic noise should flag at least one rep's heel rise"
    text = format_report(report)
    notes = dict(re.findall(r"^  \[(\d+)\] (.+)$", text, flags=re.MULTILINE))
    rep_lines = [line for line in text.splitlines() if line.startswith("  rep ")]
    reps = [e for e in report.events if e["kind"] == "rep"]
    assert len(rep_lines) == len(reps)
    for event, line in zip(reps, rep_lines, strict=True):
        for key, why in event.get("flags", {}).items():
            if key != "heel_rise_cm":
                continue
            m = re.search(rf"heel rise {event['heel_rise_cm']:.1f} cm \[(\d+)\]", line)
            assert m, line  # the mark right after the number it concerns
            assert notes[m.group(1)] == f"Heel rise (cm): {why}"
    assert len(set(notes.values())) == len(notes)  # each reason spelled out once


def test_event_lines_are_short_and_in_words() -> None:
    report = _report("calf-raise")
    text = format_report(report)
    first = next(e for e in report.events if e["kind"] == "rep")
    line = next(x for x in text.splitlines() if x.startswith("  rep 1 "))
    assert line.startswith(f"  rep 1 ({first['leg']} leg) at {first['peak_s']:.1f} s: ")
    for key, label, unit in [("heel_rise_cm", "heel rise", "cm"), ("up_s", "up", "s"),
                             ("down_s", "down", "s"), ("knee_flexion_deg", "knee flexion", "deg")]:  # fmt: skip
        assert f"{label} {first[key]:.1f} {unit}" in line
    for raw in ("heel_rise_cm", "peak_s", "partial no", "index"):
        assert raw not in text  # no raw keys without --verbose
    assert MORE_DETAIL in text and "°" not in text
    summary = report.summary
    assert f"  Mean heel rise: {summary['mean_heel_rise_cm']:.1f} cm" in text
    assert f"  Reps: {summary['rep_count']}\n" in text


def test_verbose_adds_every_field_of_every_event() -> None:
    report = _report("knee-to-wall")
    assert report.events
    text = format_report(report, verbose=True)
    all_lines = [line for line in text.splitlines() if line.startswith("      all: ")]
    assert len(all_lines) == len(report.events)
    for event, line in zip(report.events, all_lines, strict=True):
        for key in event:
            if key != "flags":
                assert f" {key} " in line, (key, line)
    assert MORE_DETAIL not in text


@pytest.mark.parametrize(
    "drill",
    ["calf-raise", "single-leg-balance", "knee-to-wall", "heel-walk", "toe-walk",
     "lateral-hops", "ankle-circles"],
)  # fmt: skip
def test_every_number_a_line_names_is_a_field_of_the_drills_events(drill: str) -> None:
    """A renamed event field would silently drop out of the line: the table must follow."""
    report = _report(drill)
    counted = [e for e in report.events if not str(e["kind"]).startswith("not_")]
    assert counted, drill
    fields = set().union(*counted)
    spec = EVENT_LINES[drill]
    assert set(spec.keys) <= fields, set(spec.keys) - fields
    assert set(spec.verdicts) <= fields, set(spec.verdicts) - fields


def test_every_drill_has_an_event_line() -> None:
    assert set(EVENT_LINES) == set(drill_names())


def test_a_calf_raise_set_reads_as_one_line() -> None:
    event = {"kind": "set", "index": 2, "leg": "left", "start_s": 51.6, "end_s": 80.7,
             "reps": 8, "partial_reps": 1, "mean_heel_rise_cm": 6.1, "fatigue_pct": 25.7,
             "rest_before_s": 21.3, "flags": {}}  # fmt: skip
    assert event_line("calf-raise", event, 2, Notes()) == (
        "set 2 (left leg) 51.6-80.7 s: 8 reps, 1 partial, mean heel rise 6.1 cm, "
        "height lost 25.7%, after a rest of 21.3 s"
    )
    first = {**event, "partial_reps": 0, "fatigue_pct": -3.0, "rest_before_s": None}
    assert event_line("calf-raise", first, 1, Notes()).endswith(
        "8 reps, mean heel rise 6.1 cm, height gained 3.0%"
    )


def test_set_lines_name_fields_of_the_set_events() -> None:
    """As for the drills' lines: a renamed set field would silently drop out."""
    sets = CalfRaiseProfile(reps=6, sets=2, set_rest_s=20.0)
    syn = synthesize(sets, camera=CameraSpec(view="side"), noise=NoiseSpec.low(), seed=0)
    report = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=175.0))
    events = [e for e in report.events if e["kind"] == "set"]
    assert len(events) == 2
    for (drill, kind), spec in KIND_LINES.items():
        assert (drill, kind) == ("calf-raise", "set")
        assert set(spec.keys) <= set().union(*events), set(spec.keys) - set().union(*events)
    text = format_report(report)
    assert text.count("\n  set ") == 2 and "\n  set 2 (right leg) " in text


def test_rejected_movements_are_not_numbered_and_say_why() -> None:
    report = _report("calf-raise")
    reason = "the heel rose less than 1 cm"
    extra = {"kind": "not_a_rep", "start_s": 0.1, "peak_s": 0.3, "end_s": 0.5,
             "heel_rise_cm": 0.4, "reason": reason}  # fmt: skip
    text = format_report(replace(report, events=[extra, *report.events]))
    assert f"  not counted at 0.3 s: {reason}\n" in text
    assert "  rep 1 (" in text  # numbering of counted reps unchanged


def test_text_report_does_not_need_streamlit() -> None:
    code = (
        "import sys; import formcheck.text_report; "
        "assert 'streamlit' not in sys.modules, 'streamlit imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
