"""Regression test on the committed rendered samples: video -> pose model -> drill -> truth.

Each test runs MediaPipe (full model) on one clip of ``sample_videos/`` and
``analyze_track`` with the figure's true height, and checks the drill's
headline numbers against the clip's truth file. Tolerances are stated per
check; where the bench (``bench/accuracy.py``, docs/ACCURACY.md "Rendered
truth") shows formcheck outside them today, the check is an ``xfail`` naming
the gap, so a fix shows up as XPASS. Slow (pose model): ~1-2 min in all;
the first two tests (how the render-derived corrections are applied) are
quick synthetic ones.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from pathlib import Path
from typing import Any

import pytest

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.report import Report
from formcheck.track import PoseTrack

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"

slow = pytest.mark.slow


def truth_of(name: str) -> dict[str, Any]:
    """The truth file of sample ``name``."""
    return json.loads((SAMPLES / f"{name}.truth.json").read_text())


@functools.cache
def _track(name: str, model: str) -> PoseTrack:
    from formcheck.pose import extract_track

    return extract_track(SAMPLES / f"{name}.mp4", model_path=Path(model))


def run(name: str, model: Path, **variant: Any) -> Report:
    """Analyse sample ``name`` with its drill and the figure's true height."""
    truth = truth_of(name)
    drill = {"balance": "single-leg-balance"}.get(truth["drill"], truth["drill"])
    return analyze_track(
        _track(name, str(model)),
        drill,
        DrillOptions(height_cm=truth["figure"]["height_cm"], variant=variant),
    )


def reps(report: Report) -> list[dict[str, Any]]:
    return [e for e in report.events if e["kind"] == "rep" and not e["partial"]]


def lunges(report: Report) -> list[dict[str, Any]]:
    return [e for e in report.events if e["kind"] == "lunge"]


# ------------------------------------------------- how the corrections are applied
def test_heel_rise_factor_applies_to_mediapipe_tracks_only() -> None:
    from formcheck.drills.calf_raise import load_calf_thresholds
    from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize

    syn = synthesize(CalfRaiseProfile(reps=3), CameraSpec(view="side"), NoiseSpec.low(), seed=1)
    opts = DrillOptions(height_cm=syn.truth.height_cm)
    mp_track = dataclasses.replace(syn.track, model_variant="full")
    plain = analyze_track(syn.track, "calf-raise", opts)
    as_mp = analyze_track(mp_track, "calf-raise", opts)
    th = load_calf_thresholds()
    factor = th.heel_rise_scale_side
    assert factor > 1.0
    # the same MediaPipe-labelled track with every factor 1: the landmark's own rise
    # (pose-model tracks get no geometric heel-travel step, synthetic ones do, so
    # the synthetic report is not the base of the factor)
    ones = {f"heel_rise_scale_{v}": 1.0 for v in ("side", "front_oblique", "front", "away")}
    unscaled = analyze_track(mp_track, "calf-raise", dataclasses.replace(opts, thresholds=ones))
    # synthetic landmarks sit where the body model puts them: no factor
    assert plain.summary["mean_heel_rise_cm"] == pytest.approx(8.0, abs=0.5)
    # the same landmarks labelled as MediaPipe's: every rep scaled by the side factor
    assert as_mp.summary["rep_count"] == plain.summary["rep_count"] == 3
    assert unscaled.summary["rep_count"] == 3
    # 1%: the reported rounding (0.01 cm of ~8-12 cm)
    assert as_mp.summary["mean_heel_rise_cm"] == pytest.approx(
        factor * unscaled.summary["mean_heel_rise_cm"], rel=0.01
    )
    # and the synthetic report (the sole's rise, which the heel landmark exceeds by
    # ~3%: HeelTravel) carries no factor
    assert as_mp.summary["mean_heel_rise_cm"] > factor * plain.summary["mean_heel_rise_cm"]


def test_knee_corrections_apply_to_mediapipe_tracks_only() -> None:
    from formcheck.drills.knee_to_wall import load_knee_to_wall_thresholds
    from formcheck.synth import CameraSpec, KneeToWallProfile, NoiseSpec, synthesize

    syn = synthesize(KneeToWallProfile(), CameraSpec(view="side"), NoiseSpec.low(), seed=1)
    opts = DrillOptions(height_cm=syn.truth.height_cm, variant={"knee_touches_wall": True})
    plain = lunges(analyze_track(syn.track, "knee-to-wall", opts))
    as_mp = lunges(
        analyze_track(dataclasses.replace(syn.track, model_variant="full"), "knee-to-wall", opts)
    )
    th = load_knee_to_wall_thresholds()
    assert plain and len(as_mp) == len(plain)
    for p, m in zip(plain, as_mp, strict=True):
        # tibia: a constant offset (0.1 deg: the reported rounding)
        assert m["tibia_angle_deg"] - p["tibia_angle_deg"] == pytest.approx(
            th.tibia_offset_deg, abs=0.11
        )
    # the wall (at the knee's front) moves forward by the landmark offset along the
    # floor, so toe-to-wall grows by about offset x cos(tibia) (0.2 cm: rounding,
    # the wall is taken at the deepest attempt)
    tib = max(p["tibia_angle_deg"] for p in plain)
    shift = th.knee_landmark_behind_joint_fraction_of_height * syn.truth.height_cm
    for p, m in zip(plain, as_mp, strict=True):
        if p["toe_to_wall_cm"] is not None:
            assert m["toe_to_wall_cm"] - p["toe_to_wall_cm"] == pytest.approx(
                shift * math.cos(math.radians(tib + th.tibia_offset_deg)), abs=0.2
            )


# ------------------------------------------------------------------ calf raise
@slow
def test_calf_raise_straight_knee_side(shared_model: Path) -> None:
    truth = truth_of("calf_raise_side")
    rep = run("calf_raise_side", shared_model)
    true_reps = [e for e in truth["events"] if e["leg"] == "right"]
    assert rep.summary["rep_count"] == len(true_reps) == 2
    assert rep.summary["variant_detected"] == "straight"
    for got, want in zip(reps(rep), true_reps, strict=True):
        # 1 cm: the heel-rise accuracy the drill aims at (issue 4: 0.5 cm at 1.96 SD
        # of the landmark noise) plus the render-derived correction's spread
        assert got["heel_rise_cm"] == pytest.approx(want["heel_rise_cm"], abs=1.0)
        # 0.3 s: the time tolerance of the real-clip labels
        assert got["peak_s"] == pytest.approx(want["peak_s"], abs=0.3)


@slow
@pytest.mark.parametrize(
    ("name", "note"),
    [("calf_raise_single_back", "calf_free_foot"), ("calf_raise_single_side", "calf_far_leg")],
)
def test_calf_raise_single_leg_measures_the_standing_leg(
    name: str, note: str, shared_model: Path
) -> None:
    # standing on the left leg, the right foot held up behind: from behind its
    # rises merged with the standing leg's (double-leg, 11.2 cm for 8); side-on,
    # near the camera, the pose model lost it and no rep was found
    truth = truth_of(name)
    rep = run(name, shared_model)
    true_reps = [e for e in truth["events"] if e["kind"] == "rep"]
    assert {e["leg"] for e in true_reps} == {"left"}
    assert rep.summary["rep_count"] == len(true_reps) == 2
    assert {e["leg"] for e in reps(rep)} == {"left"}
    assert rep.summary["stance"] == "single"
    assert note in {w.code for w in rep.warnings}
    for got, want in zip(reps(rep), true_reps, strict=True):
        assert got["peak_s"] == pytest.approx(want["peak_s"], abs=0.3)
        # 2 SD of the pose model's per-clip spread (about 12%, docs/ACCURACY.md)
        assert got["heel_rise_cm"] == pytest.approx(want["heel_rise_cm"], rel=0.24)


@slow
def test_calf_raise_change_of_legs_side_on_measures_each_set_on_its_leg(
    shared_model: Path,
) -> None:
    # 3 reps on the left (far) leg, the right foot held up, then 3 on the right (near)
    # leg, the left foot held up behind it, which the pose model placed near the floor:
    # the right leg was measured all clip long and the left leg's set read as weight shifts
    truth = truth_of("calf_raise_leg_change_side")
    rep = run("calf_raise_leg_change_side", shared_model)
    true_reps = [e for e in truth["events"] if e["kind"] == "rep"]
    got = reps(rep)
    assert [e["leg"] for e in got] == [e["leg"] for e in true_reps] == ["left"] * 3 + ["right"] * 3
    assert rep.summary["set_count"] == 2
    assert "calf_legs_changed" in {w.code for w in rep.warnings}
    for g, want in zip(got, true_reps, strict=True):
        assert g["peak_s"] == pytest.approx(want["peak_s"], abs=0.3)
        # 2 SD of the pose model's per-clip spread (about 12%, docs/ACCURACY.md)
        assert g["heel_rise_cm"] == pytest.approx(want["heel_rise_cm"], rel=0.24)
        if g["leg"] == "left":  # the far foot, behind the near leg: said so
            assert "behind your other leg" in g["flags"]["heel_rise_cm"]


@slow
def test_calf_raise_bent_knee_side_counts_and_variant(shared_model: Path) -> None:
    rep = run("calf_raise_bent_knee_side", shared_model)
    assert rep.summary["rep_count"] == 2
    assert rep.summary["variant_detected"] == "bent"


@slow
@pytest.mark.xfail(
    strict=True,
    reason="known gap: this render is the lowest-reading of 14 bent-knee side renders "
    "(0.47 of the rise; 0.68 of its straight-knee twin): with the knee-bend gain it reads "
    "4.97 / 4.74 cm of 6 (docs/ACCURACY.md 'Rendered truth')",
)
def test_calf_raise_bent_knee_side_heel_rise(shared_model: Path) -> None:
    truth = truth_of("calf_raise_bent_knee_side")
    true_rise = truth["profile"]["heel_rise_cm"]
    got = reps(run("calf_raise_bent_knee_side", shared_model))
    assert got
    for e in got:
        assert e["heel_rise_cm"] == pytest.approx(true_rise, abs=1.0)


@slow
def test_calf_raise_bent_knee_side_gain_moves_the_rise_towards_the_truth(
    shared_model: Path,
) -> None:
    # the knee-bend gain (bent_knee_rise_share_per_deg) fires on this pose-model
    # bent-knee sample and brings each rep nearer its true 6 cm than the side factor alone
    true_rise = truth_of("calf_raise_bent_knee_side")["profile"]["heel_rise_cm"]
    on = reps(run("calf_raise_bent_knee_side", shared_model))
    off = reps(
        analyze_track(
            _track("calf_raise_bent_knee_side", str(shared_model)),
            "calf-raise",
            DrillOptions(
                height_cm=truth_of("calf_raise_bent_knee_side")["figure"]["height_cm"],
                thresholds={"bent_knee_rise_share_per_deg": 0.0},
            ),
        )
    )
    assert len(on) == len(off) == 2
    for a, b in zip(on, off, strict=True):
        assert a["peak_s"] == b["peak_s"]
        assert "bent knee: raised" in a["flags"]["heel_rise_cm"]
        assert "bent knee: raised" not in b["flags"].get("heel_rise_cm", "")
        assert abs(a["heel_rise_cm"] - true_rise) < abs(b["heel_rise_cm"] - true_rise)
        assert a["heel_rise_se_cm"] > b["heel_rise_se_cm"]  # its wider spread (16% vs 12%)


# ------------------------------------------------------------------ knee to wall
@slow
def test_knee_to_wall_side(shared_model: Path) -> None:
    truth = truth_of("knee_to_wall_side")
    rep = run("knee_to_wall_side", shared_model, knee_touches_wall=True)
    got = lunges(rep)
    want = [e for e in truth["events"] if e["kind"] == "lunge"]
    assert len(got) == len(want) == 2
    for g, w in zip(got, want, strict=True):
        assert g["peak_s"] == pytest.approx(w["peak_s"], abs=0.4)
        # 2 deg: under the 4.6 deg inter-rater MDC (Powden et al. 2015)
        assert g["tibia_angle_deg"] == pytest.approx(w["tibia_angle_deg"], abs=2.0)
    assert got[1]["heel_lifted"] is True  # the 2.5 cm heel lift is seen


@slow
@pytest.mark.xfail(
    strict=True,
    reason="known gap: MediaPipe's foot_index sits 2.5-3.3 cm behind the rendered shoe's "
    "toe tip, so toe-to-wall reads ~2.6 cm long (not corrected: the barefoot real clip "
    "does not show it; docs/ACCURACY.md)",
)
def test_knee_to_wall_side_toe_to_wall(shared_model: Path) -> None:
    truth = truth_of("knee_to_wall_side")
    got = lunges(run("knee_to_wall_side", shared_model, knee_touches_wall=True))
    want = [e for e in truth["events"] if e["kind"] == "lunge"]
    # heel down: toe-to-wall from the knee's contact within the 1.6 cm MDC (Powden et al. 2015)
    assert got[0]["toe_to_wall_cm"] == pytest.approx(want[0]["toe_to_wall_cm"], abs=1.6)


@slow
def test_knee_to_wall_side_heel_down_not_called_lifted(shared_model: Path) -> None:
    got = lunges(run("knee_to_wall_side", shared_model, knee_touches_wall=True))
    assert got and got[0]["heel_lifted"] is False


# ------------------------------------------------------------------ other drills
@slow
def test_balance_side(shared_model: Path) -> None:
    truth = truth_of("balance_side")
    hold = next(e for e in truth["events"] if e["kind"] == "hold")
    rep = run("balance_side", shared_model)
    holds = [e for e in rep.events if e["kind"] == "hold"]
    assert len(holds) == 1
    assert holds[0]["start_s"] == pytest.approx(hold["start_s"], abs=0.3)
    assert holds[0]["end_s"] == pytest.approx(hold["end_s"], abs=0.3)
    # the hold ends with the free foot touching down (the drill's ``touchdowns``
    # counts interruptions, a foot down then up again on the same leg, so 0 here)
    assert holds[0]["ended_by"] == "touchdown"
    assert holds[0]["stance_leg"] == hold["stance_leg"]


@slow
def test_lateral_hops_front(shared_model: Path) -> None:
    truth = truth_of("lateral_hops_front")
    hops = [e for e in truth["events"] if e["kind"] == "hop"]
    rep = run("lateral_hops_front", shared_model)
    assert rep.summary["hop_count"] == len(hops)
    # 3 cm: a tenth of the 30 cm hop width
    assert rep.summary["mean_width_cm"] == pytest.approx(hops[0]["width_cm"], abs=3.0)


@slow
def test_toe_walk_side_steps(shared_model: Path) -> None:
    truth = truth_of("toe_walk_side")
    rep = run("toe_walk_side", shared_model)
    assert rep.summary["step_count"] == sum(e["kind"] == "step" for e in truth["events"])


@slow
def test_toe_walk_side_heel_height(shared_model: Path) -> None:
    rep = run("toe_walk_side", shared_model)
    assert rep.summary["mean_heel_height_cm"] == pytest.approx(6.0, abs=1.5)
    assert rep.summary["heel_drops"] == 0


@slow
def test_heel_walk_side_steps(shared_model: Path) -> None:
    truth = truth_of("heel_walk_side")
    rep = run("heel_walk_side", shared_model)
    assert rep.summary["step_count"] == sum(e["kind"] == "step" for e in truth["events"])


@slow
def test_heel_walk_seen_from_the_left_steps(shared_model: Path) -> None:
    # MediaPipe swaps the leg labels on most steps of this clip; one swap mid-swing
    # split a step in two (7 steps for 6) until the two pieces were joined
    # (steps._join_swapped_swings; this clip showed the failure, so it is in-sample)
    truth = truth_of("heel_walk_side_left")
    rep = run("heel_walk_side_left", shared_model)
    want = [e for e in truth["events"] if e["kind"] == "step"]
    got = [e for e in rep.events if e["kind"] == "step"]
    assert len(got) == len(want) == 6
    for g, w in zip(got, want, strict=True):  # each found swing holds its true mid-swing
        assert g["start_s"] < 0.5 * (w["start_s"] + w["end_s"]) < g["end_s"]


@slow
def test_heel_walk_side_toe_lift(shared_model: Path) -> None:
    # near leg's steps (the far foot is hidden side-on); MediaPipe's raw reading is
    # 13.6 of 25 deg, corrected by the render-derived toe_lift_scale_side (heel_walk.toml;
    # derived from this clip and five others, docs/ACCURACY.md "Rendered truth")
    truth = truth_of("heel_walk_side")
    steps = [e for e in truth["events"] if e["kind"] == "step"]
    rep = run("heel_walk_side", shared_model)
    # 4.6 deg: the minimal detectable change of a weight-bearing ankle angle (Powden et
    # al. 2015); over the six side renders the corrected mean was within 6 deg left out
    # of the derivation (2.4 deg on average)
    assert rep.summary["mean_toe_lift_deg"] == pytest.approx(
        truth["profile"]["toe_lift_deg"], abs=4.6
    )
    # 2 cm: the smallest real change of foot heights from video (heel_walk.toml)
    assert rep.summary["mean_forefoot_height_cm"] == pytest.approx(
        steps[0]["forefoot_height_cm"], abs=2.0
    )
