"""The CLI's plain-text report: event flags show their reasons, not only their keys."""

from __future__ import annotations

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize
from formcheck.text_report import format_report


def test_event_flag_reasons_are_printed() -> None:
    syn = synthesize(
        CalfRaiseProfile(reps=4),
        camera=CameraSpec(view="side"),
        noise=NoiseSpec.realistic(),
        seed=0,
    )
    report = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=175.0))
    flagged = [e for e in report.events if e.get("flags")]
    assert flagged, "realistic noise should flag at least one rep's heel rise"
    text = format_report(report)
    for event in flagged:
        for key, why in event["flags"].items():
            assert f"{key}: {why}" in text
