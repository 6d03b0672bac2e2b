"""Heel-walk drill: synthetic truth (steps exact, toe lift within tolerance, touches), failure paths."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.drills.steps import (
    _join_swapped_swings,
    find_steps,
    find_swings,
    load_step_thresholds,
)
from formcheck.synth import (
    STANDING_FOOT_TO_FLOOR_DEG,
    CameraSpec,
    HeelWalkProfile,
    NoiseSpec,
    synthesize,
)

TH = load_step_thresholds()


def test_swings_found_on_a_constructed_speed_trace() -> None:
    t = np.arange(0, 6, 1 / 30)
    v = np.zeros_like(t)
    for start in (1.0, 2.5, 4.0):  # three 0.4 s swings at 0.8 body heights/s
        v[(t >= start) & (t < start + 0.4)] = 0.8
    v[(t > 5.0) & (t < 5.03)] = 0.8  # one-frame jump: not a swing
    swings = find_swings(t, v, TH)
    assert len(swings) == 3
    assert [round(t[a], 1) for a, _ in swings] == [1.0, 2.5, 4.0]


def test_standing_still_has_no_swings() -> None:
    t = np.arange(0, 5, 1 / 30)
    v = np.abs(np.random.default_rng(0).normal(0, 0.01, t.size))
    assert find_swings(t, v, TH) == []


@pytest.mark.parametrize("noise", ["none", "low", "realistic"])
@pytest.mark.parametrize(
    "view",
    [
        "side",
        "oblique",  # the floor seen in perspective: heights need the path's image direction
    ],
)
def test_synthetic_steps_exact_and_toe_lift(view: str, noise: str) -> None:
    syn = synthesize(
        HeelWalkProfile(steps=10, touch_steps=(4,)),
        CameraSpec(view=view),
        NoiseSpec.preset(noise),
    )
    r = analyze_track(syn.track, "heel-walk", DrillOptions(height_cm=syn.truth.height_cm))
    truth = syn.truth.events_of("step")
    steps = [e for e in r.events if e["kind"] == "step"]
    assert r.summary["step_count"] == len(truth) == 10
    assert [e["leg"] for e in steps] == [e["leg"] for e in truth]
    assert [e["forefoot_touched"] for e in steps] == [e["forefoot_touched"] for e in truth]
    # stated tolerances (the same side-on and oblique): forefoot height 1.5 cm, toe
    # lift 5 degrees (realistic noise)
    for e, t in zip(steps, truth, strict=True):
        if t["forefoot_touched"]:
            continue
        assert abs(e["forefoot_height_cm"] - t["forefoot_height_cm"]) < 1.5
        lift = STANDING_FOOT_TO_FLOOR_DEG - t["foot_to_floor_deg"]
        assert abs(e["toe_lift_deg"] - lift) < 5.0
    assert r.summary["foot_direction"] == "unknown"  # side/oblique: cannot tell, and says so
    assert "foot_direction" in r.flags


def test_front_view_sees_toes_in_and_flags_toe_lift() -> None:
    syn = synthesize(
        HeelWalkProfile(steps=10, variant="in"),
        CameraSpec(view="front", distance_m=5.0),
        NoiseSpec.low(),
    )
    r = analyze_track(syn.track, "heel-walk", DrillOptions(height_cm=syn.truth.height_cm))
    assert r.summary["foot_direction"] == "in"
    assert "front view" in r.flags["mean_toe_lift_deg"]


def test_standing_still_gives_no_steps_and_a_warning() -> None:
    syn = synthesize(
        HeelWalkProfile(steps=1, lead_in_s=3.0), CameraSpec(view="side"), NoiseSpec.low()
    )
    short = syn.track.slice(0, 60)  # first 2 s: standing only
    r = analyze_track(short, "heel-walk")
    assert r.summary["step_count"] == 0
    assert r.score is None
    assert any(w.code == "heel_walk_no_steps" for w in r.warnings)


def test_unknown_threshold_rejected() -> None:
    syn = synthesize(HeelWalkProfile(steps=2), CameraSpec(view="side"), NoiseSpec.none())
    with pytest.raises(ValueError, match="unknown threshold"):
        analyze_track(syn.track, "heel-walk", DrillOptions(thresholds={"toe_lift": 3}))


@pytest.mark.parametrize("noise", ["none", "low", "realistic"])
def test_oblique_forefoot_touch_is_not_a_step(noise: str) -> None:
    # oblique: the step's forward motion is foreshortened while the forefoot touch
    # (a rotation about the heel, seen full size) is not; it used to count as 2 steps
    syn = synthesize(
        HeelWalkProfile(steps=10, touch_steps=(4,)),
        CameraSpec(view="oblique"),
        NoiseSpec.preset(noise),
    )
    r = analyze_track(syn.track, "heel-walk", DrillOptions(height_cm=syn.truth.height_cm))
    truth = syn.truth.events_of("step")
    steps = [e for e in r.events if e["kind"] == "step"]
    assert r.summary["step_count"] == len(truth) == 10
    assert [e["leg"] for e in steps] == [e["leg"] for e in truth]
    for e, t in zip(steps, truth, strict=True):  # each found swing holds its true mid-swing
        assert e["start_s"] < 0.5 * (t["start_s"] + t["end_s"]) < e["end_s"]
    assert [e["forefoot_touched"] for e in steps] == [e["forefoot_touched"] for e in truth]
    assert "oblique" in r.flags["mean_toe_lift_deg"]


def test_foot_rocking_on_its_heel_is_not_a_swing() -> None:
    # constructed: the toe rises and falls (heel fixed), then one real step moves both
    t = np.arange(0, 4, 1 / 30)
    body = np.full(t.size, 400.0)
    heel = np.zeros((t.size, 2))
    toe = np.tile([60.0, 0.0], (t.size, 1))
    toe[:, 1] -= 25.0 * np.exp(-(((t - 1.0) / 0.1) ** 2))  # toe lifts 25 px and lowers
    move = np.clip((t - 2.5) / 0.4, 0, 1) * 100.0  # one 100 px step at 2.5-2.9 s
    heel[:, 0] += move
    toe[:, 0] += move
    ends = {"right": np.stack([heel, toe], axis=1)}
    pos = {"right": 0.5 * (heel + toe)}
    steps, rejected = find_steps(t, pos, body, TH, ends_px=ends)
    assert [round(s.off_s, 1) for s in steps] == [2.5]
    assert rejected == []  # the rocking is not even a candidate swing


def test_standing_foot_pulled_along_by_the_swinging_foot_is_not_a_step() -> None:
    # constructed side view: while the left foot swings 100 px (1.0-1.4 s), the right
    # (standing) foot's landmarks are pulled 40 px along with it and settle 15 px from
    # where they were (the legs passing each other); then the right foot really steps
    t = np.arange(0, 4, 1 / 30)
    body = np.full(t.size, 400.0)

    def ramp(start: float, dur: float) -> np.ndarray:
        return np.clip((t - start) / dur, 0, 1)

    left_x = 100.0 * ramp(1.0, 0.4)
    pull = 40.0 * ramp(1.1, 0.2) - 25.0 * ramp(1.3, 0.2)  # out 40 px, back to +15 px
    right_x = pull + 100.0 * ramp(2.2, 0.4)
    ends: dict[str, np.ndarray] = {}
    for side, x in (("left", left_x), ("right", right_x)):
        heel = np.stack([x, np.zeros_like(x)], axis=1)
        ends[side] = np.stack([heel, heel + np.array([60.0, 0.0])], axis=1)
    pos = {s: e.mean(axis=1) for s, e in ends.items()}
    steps, rejected = find_steps(t, pos, body, TH, ends_px=ends)
    assert [(s.leg, round(s.off_s, 1)) for s in steps] == [("left", 1.0), ("right", 2.2)]
    assert [e["leg"] for e in rejected] == ["right"]
    assert "pulled along" in rejected[0]["reason"]


def _swing(leg: str, t0: float, t1: float, t: np.ndarray) -> tuple[str, int, int, float, bool]:
    return (leg, int(np.searchsorted(t, t0)), int(np.searchsorted(t, t1)), 0.15, False)


def test_one_swing_split_by_a_leg_label_swap_is_one_step() -> None:
    # a swing of 0.4 s whose labels swap half-way shows as two overlapping swings of
    # the two legs, together one swing long: one step, not two
    t = np.arange(0, 6, 1 / 30)
    found = [
        _swing("left", 1.0, 1.4, t),
        _swing("right", 2.0, 2.2, t),
        _swing("left", 2.17, 2.4, t),
        _swing("right", 3.0, 3.4, t),
        _swing("left", 4.0, 4.4, t),
    ]
    joined = _join_swapped_swings(found, t)
    assert [(leg, round(float(t[a]), 2)) for leg, a, *_ in joined] == [
        ("left", 1.0),
        ("right", 2.0),
        ("right", 3.0),
        ("left", 4.0),
    ]
    assert round(float(t[joined[1][2]]), 2) == 2.4


def test_consecutive_steps_whose_edges_overlap_stay_two() -> None:
    # at walking speed the detected edges of two real swings can overlap a little
    # (centred speed window); together they span two swings: not joined
    t = np.arange(0, 6, 1 / 30)
    found = [_swing("left", 1.0, 1.45, t), _swing("right", 1.4, 1.85, t)]
    found += [_swing("left", 3.0, 3.4, t), _swing("right", 4.0, 4.4, t)]
    assert _join_swapped_swings(found, t) == found


def test_far_foot_touch_is_not_judged_side_on_for_a_pose_model_track() -> None:
    # side-on the pose model guesses the far foot behind the near leg (its heel and toe
    # 2-5 cm off on the rendered heel walk, where the far foot "touched" on 2 of 3 steps):
    # its touches are not judged and the summary comes from the near leg's steps
    syn = synthesize(
        HeelWalkProfile(steps=6, touch_steps=(1, 2)), CameraSpec(view="side"), NoiseSpec.low()
    )
    track = dataclasses.replace(syn.track, model_variant="full")
    r = analyze_track(track, "heel-walk", DrillOptions(height_cm=syn.truth.height_cm))
    truth = syn.truth.events_of("step")
    steps = [e for e in r.events if e["kind"] == "step"]
    assert r.quality["near_side"] == "right"
    assert [e["leg"] for e in steps] == [t["leg"] for t in truth]
    assert [e["forefoot_touched"] for e in steps] == [
        t["forefoot_touched"] if t["leg"] == "right" else None for t in truth
    ]
    assert r.summary["forefoot_touches"] == 1  # the near foot's (step 3); step 2 is the far's
    assert "far leg" in r.flags["forefoot_touches"]
    assert r.summary["mean_toe_lift_deg"] == pytest.approx(
        np.mean([e["toe_lift_deg"] for e in steps if e["leg"] == "right"]), abs=0.05
    )


def test_toe_lift_factor_applies_to_pose_model_tracks_only() -> None:
    # render-derived: MediaPipe's toe landmark rises about half as much as the toes
    # (heel_walk.toml toe_lift_scale_side); synthetic landmarks sit where the body
    # model puts them, so only a track labelled as the pose model's is scaled, and
    # touches are still judged on the landmarks' own reading (a real touch must stay one)
    from formcheck.drills.heel_walk import HeelWalkThresholds
    from formcheck.drills.steps import split_overrides

    factor = split_overrides({}, HeelWalkThresholds, "heel_walk.toml")[0].toe_lift_scale_side
    assert factor > 1.0
    syn = synthesize(
        HeelWalkProfile(steps=6, touch_steps=(2,)), CameraSpec(view="side"), NoiseSpec.low()
    )
    opts = DrillOptions(height_cm=syn.truth.height_cm)
    plain = analyze_track(syn.track, "heel-walk", opts)
    as_mp = analyze_track(dataclasses.replace(syn.track, model_variant="full"), "heel-walk", opts)
    p_steps = [e for e in plain.events if e["kind"] == "step"]
    m_steps = [e for e in as_mp.events if e["kind"] == "step"]
    assert [e["leg"] for e in m_steps] == [e["leg"] for e in p_steps]
    assert len(p_steps) == 6
    near = [(p, m) for p, m in zip(p_steps, m_steps, strict=True) if p["leg"] == "right"]
    assert len(near) == 3
    for p, m in near:
        # both rounded to 0.1 deg: |m - factor * p| <= 0.05 + factor * 0.05
        assert m["toe_lift_deg"] == pytest.approx(factor * p["toe_lift_deg"], abs=0.16)
        assert m["forefoot_touched"] == p["forefoot_touched"]
        assert m["lowest_forefoot_cm"] == p["lowest_forefoot_cm"]
    assert [m["forefoot_touched"] for _, m in near] == [False, True, False]
    # the forefoot height follows the corrected toe lift (ball of the foot on a circle
    # about the heel), so it grows with it
    assert all(m["forefoot_height_cm"] > p["forefoot_height_cm"] for p, m in near)
