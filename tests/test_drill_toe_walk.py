"""Toe-walk drill: synthetic truth (steps exact, heel height within tolerance, drops)."""

from __future__ import annotations

import pytest

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.synth import CameraSpec, NoiseSpec, ToeWalkProfile, synthesize


@pytest.mark.parametrize("noise", ["none", "low", "realistic"])
@pytest.mark.parametrize(
    "view",
    [
        "side",
        "oblique",  # the floor seen in perspective: heights need the path's image direction
    ],
)
def test_synthetic_steps_heel_height_and_drops(view: str, noise: str) -> None:
    # 12 steps filmed obliquely from 4 m walk the feet out of the bottom of the frame
    # (the drill then warns "feet_out_of_frame"); 5 m keeps them in view
    camera = CameraSpec(view=view, distance_m=4.0 if view == "side" else 5.0)
    syn = synthesize(ToeWalkProfile(steps=12, drop_steps=(3,)), camera, NoiseSpec.preset(noise))
    r = analyze_track(syn.track, "toe-walk", DrillOptions(height_cm=syn.truth.height_cm))
    truth = syn.truth.events_of("step")
    steps = [e for e in r.events if e["kind"] == "step"]
    assert r.summary["step_count"] == len(truth) == 12
    assert [e["heel_dropped"] for e in steps] == [e["heel_dropped"] for e in truth]
    # stated tolerance (the same side-on and oblique): heel height within 2 cm per step
    # (realistic noise), 0.5 cm on average
    errs = [
        e["heel_height_cm"] - t["heel_height_cm"]
        for e, t in zip(steps, truth, strict=True)
        if not t["heel_dropped"]
    ]
    assert max(abs(x) for x in errs) < 2.0
    assert abs(sum(errs) / len(errs)) < 0.5
    assert r.summary["heel_drops"] == 1
    assert not any(w.code == "feet_out_of_frame" for w in r.warnings)


def test_oblique_view_flags_heel_height() -> None:
    syn = synthesize(ToeWalkProfile(steps=6), CameraSpec(view="oblique"), NoiseSpec.low())
    r = analyze_track(syn.track, "toe-walk", DrillOptions(height_cm=syn.truth.height_cm))
    assert r.summary["step_count"] == 6
    assert "oblique" in r.flags["mean_heel_height_cm"]
