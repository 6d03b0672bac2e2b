"""ankle-circles drill: constructed paths, synthetic truth, the shared whole-leg clip."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.drills import get_drill
from formcheck.drills.ankle_circles import (
    find_circle_runs,
    load_ankle_circles_thresholds,
    unwrapped_angle,
)
from formcheck.drills.base import DrillOptions
from formcheck.synth import CameraSpec, NoiseSpec, synthesize
from formcheck.synth.ankle_circles import AnkleCirclesProfile

TH = load_ankle_circles_thresholds()
FPS = 30.0


def _circle(turns: float, period_s: float = 1.5, r: float = 20.0, lead_s: float = 1.0) -> Any:
    """(times, (T, 2) path): still at the centre, then ``turns`` turns of radius ``r``
    (sign = sense, counterclockwise +), then still at the centre."""
    dur = abs(turns) * period_s
    t = np.arange(0, dur + 2 * lead_s, 1 / FPS)
    u = np.clip((t - lead_s) / period_s, 0, abs(turns)) * math.copysign(1.0, turns)
    ang = 2 * math.pi * u
    on = ((t >= lead_s) & (t <= lead_s + dur)).astype(float)
    xy = np.stack([r * on * np.cos(ang), r * on * np.sin(ang)], axis=1)
    return t, xy


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        (3.0, 3),  # whole turns counted exactly
        (-3.0, 3),  # clockwise: same count, negative turns
        (2.9, 3),  # three-quarter rule: the last circle 90% done counts
        (2.6, 2),  # ... 60% done does not (ends are measured to ~0.07 turn: the smoothing)
    ],
)
def test_count_and_sense_of_a_constructed_circle(turns: float, expected: int) -> None:
    t, xy = _circle(turns)
    runs = find_circle_runs(t, xy, TH)
    assert len(runs) == 1
    assert runs[0].count == expected
    assert math.copysign(1.0, runs[0].turns) == math.copysign(1.0, turns)


def test_direction_change_splits_into_two_runs() -> None:
    _, a = _circle(3.0, lead_s=0.5)
    _, b = _circle(-4.0, lead_s=0.5)
    t = np.arange(len(a) + len(b)) / FPS
    runs = find_circle_runs(t, np.concatenate([a, b]), TH)
    assert [(r.count, r.turns > 0) for r in runs] == [(3, True), (4, False)]


def test_still_foot_with_jitter_has_no_circle() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(0, 10, 1 / FPS)
    xy = rng.normal(0, 1.0, (len(t), 2))
    assert find_circle_runs(t, xy, TH, min_radius=3.0) == []  # 3 SD of the jitter


def test_unwrapped_angle_ignores_points_near_the_centre() -> None:
    xy = np.array([[1.0, 0.0], [0.0, 0.01], [0.0, 1.0], [-1.0, 0.0]])
    ang = unwrapped_angle(xy, 0.3)
    assert ang[-1] == pytest.approx(math.pi)
    assert ang[1] == 0.0  # too close to the centre: the angle did not move


def _run(profile: AnkleCirclesProfile, view: str, noise: NoiseSpec, seed: int = 1) -> Any:
    syn = synthesize(profile, CameraSpec(view=view), noise, seed=seed)
    rep = analyze_track(syn.track, "ankle-circles", DrillOptions(height_cm=175.0))
    return syn, rep


def _counts(events: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for e in events:
        key = (e["leg"], e["direction"])
        out[key] = out.get(key, 0) + e["count"]
    return out


PROFILE = AnkleCirclesProfile(
    duration=22.0,
    holds=((2.0, 20.0),),
    blocks=((0, "clockwise", 5), (0, "counterclockwise", 5)),
    circle_s=1.5,
)


@pytest.mark.parametrize(
    ("view", "noise", "seed"),
    [
        ("front", NoiseSpec.none(), 1),
        ("front", NoiseSpec.low(), 1),
        ("oblique", NoiseSpec.low(), 1),
        # realistic noise: exact in 11 of 12 clips (front and oblique, seeds 0-5) since
        # swaps are repaired by continuity (formcheck.signals.continuity_swaps)
        ("front", NoiseSpec.realistic(), 2),
        ("oblique", NoiseSpec.realistic(), 3),
        pytest.param(
            "oblique",
            NoiseSpec.realistic(),
            1,  # the one clip of the 12 measured that is not exact
            marks=pytest.mark.xfail(
                strict=True,
                reason="known gap: realistic noise (foot outliers) can add a turn at the end "
                "of a set (oblique seed 1: 6 clockwise for 5)",
            ),
        ),
    ],
)
def test_synthetic_counts_and_directions_exact(view: str, noise: NoiseSpec, seed: int) -> None:
    syn, rep = _run(PROFILE, view, noise, seed)
    truth = {(e["leg"], e["direction"]): e["count"] for e in syn.truth.events_of("circles")}
    assert _counts(rep.events) == truth
    assert not any(e["whole_leg"] for e in rep.events)
    assert not any(w.code == "whole_leg_circles" for w in rep.warnings)


def test_synthetic_toe_range_within_a_fifth_of_truth() -> None:
    syn, rep = _run(PROFILE, "front", NoiseSpec.low())
    true_range = syn.truth.events_of("circles")[0]["toe_range_cm"]
    got = rep.summary["toe_range_cm"]
    # scale at the hip plane; the foot is ~0.3 m nearer a 4 m camera (+8%)
    assert got == pytest.approx(true_range, rel=0.2)


def test_left_foot_circles_are_named_left() -> None:
    p = AnkleCirclesProfile(
        duration=14.0,
        stance_leg="right",
        holds=((2.0, 12.0),),
        blocks=((0, "counterclockwise", 5),),
        circle_s=1.5,
    )
    _, rep = _run(p, "front", NoiseSpec.low())
    assert _counts(rep.events) == {("left", "counterclockwise"): 5}


def test_whole_leg_circles_warn_and_do_not_count_as_ankle_circles() -> None:
    p = AnkleCirclesProfile(
        duration=22.0,
        holds=((2.0, 20.0),),
        blocks=((0, "clockwise", 5), (0, "counterclockwise", 5)),
        circle_s=1.5,
        whole_leg=True,
    )
    _, rep = _run(p, "front", NoiseSpec.low())
    assert any(w.code == "whole_leg_circles" for w in rep.warnings)
    assert rep.summary["circle_count"] == 0
    assert rep.events and all(e["whole_leg"] and "count" in e["flags"] for e in rep.events)


@pytest.mark.xfail(
    strict=True,
    reason="known gap: lowering the leg after whole-leg circles adds ~0.8 turn to the last run",
)
def test_whole_leg_circle_count_exact() -> None:
    p = AnkleCirclesProfile(
        duration=22.0,
        holds=((2.0, 20.0),),
        blocks=((0, "clockwise", 5), (0, "counterclockwise", 5)),
        circle_s=1.5,
        whole_leg=True,
    )
    _, rep = _run(p, "front", NoiseSpec.low())
    assert rep.summary["whole_leg_circle_count"] == 10


def test_standing_still_has_no_circles_and_says_why() -> None:
    p = AnkleCirclesProfile(duration=10.0, holds=(), blocks=())
    _, rep = _run(p, "front", NoiseSpec.low())
    assert rep.events == [] and rep.score is None
    assert any(w.code == "no_hold" for w in rep.warnings)


def test_registered_and_unknown_threshold_rejected() -> None:
    assert get_drill("ankle-circles").name == "ankle-circles"
    with pytest.raises(ValueError):
        load_ankle_circles_thresholds({"no_such_key": 1})


@pytest.mark.slow
def test_real_leg_circles_are_reported_as_whole_leg(tracked_clip: Any) -> None:
    """The shared clip shows whole-leg sweeps labelled as ankle circles: the honest
    outcome is the whole-leg warning and no ankle circles counted."""
    track = tracked_clip("leg_circles_front.mp4")
    rep = analyze_track(track, "ankle-circles", DrillOptions())
    assert any(w.code == "whole_leg_circles" for w in rep.warnings) or not rep.events
    assert rep.summary["circle_count"] == 0
