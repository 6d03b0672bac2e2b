"""Inversion/eversion walks: synthetic truth (steps exact, tilt within tolerance), failure paths.

Stated tolerances (front and back views, 5 m, 720p):
- steps: exact for noise none/low/realistic;
- tilt per step: within 8 degrees for none/low (low noise: ~3 degrees wobble per step); under realistic noise a step's
  tilt rests on a ~5 cm lever (ankle over heel) and wobbles by ~10 degrees, so
  only the walk's median tilt is held to 6 degrees.
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.drills import get_drill
from formcheck.drills.base import DrillOptions
from formcheck.drills.edge_walk import lateral_sign, tilt_deg
from formcheck.landmarks import Landmark
from formcheck.synth import CameraSpec, NoiseSpec, synthesize
from formcheck.synth.edge_walk import EdgeWalkProfile

DRILL_OF = {"outer": "inversion-walk", "inner": "eversion-walk"}


def _run(edge: str, view: str, noise: str, seed: int = 0, **kw: object):  # type: ignore[no-untyped-def]
    syn = synthesize(
        EdgeWalkProfile(edge=edge, steps=10, **kw),  # type: ignore[arg-type]
        CameraSpec(view=view, distance_m=5.0),
        NoiseSpec.preset(noise),
        seed=seed,
    )
    r = analyze_track(syn.track, DRILL_OF[edge], DrillOptions(height_cm=syn.truth.height_cm))
    return syn, r


def test_tilt_from_a_constructed_offset() -> None:
    body = np.full(3, 400.0)
    lever = 0.027 * 400.0
    lateral = lever * np.sin(np.radians([0.0, 20.0, -10.0]))
    assert np.allclose(tilt_deg(lateral, body, 0.027), [0.0, 20.0, -10.0])


def test_lateral_side_follows_the_hips() -> None:
    px = np.zeros((2, 33, 2))
    px[0, int(Landmark.RIGHT_HIP), 0], px[0, int(Landmark.LEFT_HIP), 0] = 100.0, 200.0  # facing
    px[1, int(Landmark.RIGHT_HIP), 0], px[1, int(Landmark.LEFT_HIP), 0] = (
        200.0,
        100.0,
    )  # from behind
    assert lateral_sign(px, "right").tolist() == [-1.0, 1.0]
    assert lateral_sign(px, "left").tolist() == [1.0, -1.0]


@pytest.mark.parametrize("edge", ["outer", "inner"])
@pytest.mark.parametrize("view", ["front", "back"])
@pytest.mark.parametrize("noise", ["none", "low"])
def test_steps_and_tilt_per_step(edge: str, view: str, noise: str) -> None:
    syn, r = _run(edge, view, noise, flat_steps=(3,))
    truth = syn.truth.events_of("step")
    steps = [e for e in r.events if e["kind"] == "step"]
    assert r.summary["step_count"] == len(truth) == 10
    assert [e["leg"] for e in steps] == [e["leg"] for e in truth]
    for e, t in zip(steps, truth, strict=True):
        assert abs(e["tilt_deg"] - t["tilt_deg"]) < 8.0
    assert [e["on_edge"] for e in steps] == [not t["flat"] for t in truth]
    assert r.summary["flat_steps"] == 1
    motion = "inversion" if edge == "outer" else "eversion"
    assert "rough" in r.flags[f"median_{motion}_deg"]
    assert any("landed flat" in c.message for c in r.cues)


@pytest.mark.parametrize("edge", ["outer", "inner"])
@pytest.mark.parametrize("view", ["front", "back"])
def test_realistic_noise_steps_exact_and_median_tilt(edge: str, view: str) -> None:
    syn, r = _run(edge, view, "realistic")
    truth = syn.truth.events_of("step")
    assert r.summary["step_count"] == len(truth) == 10
    motion = "inversion" if edge == "outer" else "eversion"
    true_median = float(np.median([abs(t["tilt_deg"]) for t in truth]))
    assert abs(r.summary[f"median_{motion}_deg"] - true_median) < 6.0


def test_wrong_direction_scores_low_and_says_so() -> None:
    # walking on the inner edges but analysed as an inversion walk
    syn = synthesize(
        EdgeWalkProfile(edge="inner", steps=10),
        CameraSpec(view="front", distance_m=5.0),
        NoiseSpec.low(),
    )
    r = analyze_track(syn.track, "inversion-walk", DrillOptions(height_cm=syn.truth.height_cm))
    assert r.summary["median_inversion_deg"] < 0
    assert r.summary["flat_steps"] == r.summary["step_count"] == 10
    assert r.score is not None and r.score < 20


def test_side_view_counts_steps_but_refuses_tilt() -> None:
    syn = synthesize(
        EdgeWalkProfile(edge="outer", steps=10), CameraSpec(view="side"), NoiseSpec.low()
    )
    r = analyze_track(syn.track, "inversion-walk", DrillOptions(height_cm=syn.truth.height_cm))
    assert r.summary["step_count"] == 10
    assert r.summary["median_inversion_deg"] is None
    assert r.score is None
    msgs = {w.code: w.message for w in r.warnings}
    assert "walking toward the camera" in msgs["inversion_walk_view"]
    assert "wrong_view" in msgs


def test_standing_still_gives_no_steps_and_a_warning() -> None:
    syn = synthesize(
        EdgeWalkProfile(edge="inner", steps=1, lead_in_s=3.0),
        CameraSpec(view="front", distance_m=5.0),
        NoiseSpec.low(),
    )
    r = analyze_track(syn.track.slice(0, 60), "eversion-walk")
    assert r.summary["step_count"] == 0
    assert r.score is None
    assert any(w.code == "eversion_walk_no_steps" for w in r.warnings)


def test_registered_names_and_unknown_threshold() -> None:
    assert get_drill("inversion-walk").name == "inversion-walk"
    assert get_drill("eversion-walk").name == "eversion-walk"
    syn = synthesize(EdgeWalkProfile(steps=2), CameraSpec(view="front"), NoiseSpec.none())
    with pytest.raises(ValueError, match="unknown threshold"):
        analyze_track(syn.track, "inversion-walk", DrillOptions(thresholds={"tilt": 3}))
