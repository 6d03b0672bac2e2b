"""Tests of the calf-raise drill: rep logic on constructed traces, synthetic
done-means (issue 4) over noise presets and views, real shared clips."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.drills.calf_heights import (
    HeelTravel,
    bent_knee_rise_gain,
    floor_slope,
    heel_travel_correction,
)
from formcheck.drills.calf_leg_switch import (
    held_up_runs,
    stretches_of_runs,
    with_the_other_leg_between,
)
from formcheck.drills.calf_raise import (
    LegTraces,
    _without_a_foot_held_up,
    analyze_traces,
    body_rise_reading,
    classify_partial,
    find_rep_candidates,
    load_calf_thresholds,
    placed_on_the_other_foot,
    with_the_other_heel,
)
from formcheck.errors import AnalysisError
from formcheck.landmarks import side_landmark
from formcheck.render.drills import PRESETS
from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize
from formcheck.track import PoseTrack, load_track

FPS = 30.0
TH = load_calf_thresholds()


def trapezoid_reps(
    rises: list[float],
    *,
    up: float = 1.0,
    hold: float = 0.5,
    down: float = 1.5,
    rest: float = 1.0,
    lead: float = 1.5,
    drift_after_first: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """(times_s, heel_cm, peak centres) for reps of known rise (cm)."""
    cycle = up + hold + down + rest
    t = np.arange(0, lead * 2 + cycle * len(rises), 1 / FPS)
    h = np.zeros_like(t)
    peaks = []
    for i, r in enumerate(rises):
        t0 = lead + i * cycle
        ramp_up = np.clip((t - t0) / up, 0, 1)
        ramp_down = np.clip((t - (t0 + up + hold)) / down, 0, 1)
        h += r * (ramp_up - ramp_down)
        peaks.append(t0 + up + hold / 2)
    if drift_after_first:
        h -= drift_after_first * (t > lead + up + hold + down)
    return t, h, peaks


def traces_for(
    heel: np.ndarray, *, toe: np.ndarray | None = None, body: np.ndarray | None = None
) -> LegTraces:
    n = heel.size
    return LegTraces(
        heel_cm=heel,
        toe_cm=np.zeros(n) if toe is None else toe,
        body_cm=0.7 * heel if body is None else body,
        plantarflexion_deg=2.5 * heel,
        knee_flexion_deg=np.full(n, 2.0),
        reliable=np.ones(n, bool),
    )


# ------------------------------------------------------------ constructed traces
def test_reps_counted_and_measured_against_local_baselines_despite_drift() -> None:
    # the standing heel settles 0.7 cm lower after the first rep (rendered truth, issue 8)
    t, h, peaks = trapezoid_reps([8.0, 8.0, 8.0, 8.0], drift_after_first=0.7)
    cands = find_rep_candidates(t, h, TH, toe_cm=np.zeros_like(h), body_cm=0.7 * h)
    reps = [c for c in cands if c.is_rep]
    assert len(reps) == 4
    # the first rep comes down to 0.7 cm below its start: mean of its two baselines
    assert reps[0].heel_rise_cm == pytest.approx(8.0 + 0.35, abs=0.1)
    for c in reps[1:]:
        assert c.heel_rise_cm == pytest.approx(8.0, abs=0.1)
    for c, p in zip(reps, peaks, strict=True):
        assert c.peak_s == pytest.approx(p, abs=0.1)
        assert c.up_s == pytest.approx(0.8, abs=0.1)  # 10% -> 90% of a 1 s linear rise
    for c in reps[1:]:  # the first rep's lowering ends in the 0.7 cm settling step
        assert c.down_s == pytest.approx(1.2, abs=0.1)  # 90% -> 10% of a 1.5 s lowering


def test_weight_shift_is_not_a_rep() -> None:
    # one heel peels 3 cm off the floor while the hip sinks: a weight shift
    t, h, _ = trapezoid_reps([3.0])
    cands = find_rep_candidates(t, h, TH, toe_cm=np.zeros_like(h), body_cm=-0.3 * h)
    assert len(cands) == 1 and not cands[0].is_rep
    assert "weight shift" in (cands[0].reason or "")


def test_step_lifting_the_whole_foot_is_not_a_rep() -> None:
    t, h, _ = trapezoid_reps([6.0], up=0.3, hold=0.2, down=0.3)
    cands = find_rep_candidates(t, h, TH, toe_cm=0.9 * h, body_cm=0.2 * h)
    assert cands and not any(c.is_rep for c in cands)


def test_turning_round_shifts_the_heel_for_good_and_is_not_a_rep() -> None:
    # heel-to-floor offset jumps by 7 cm (front-oblique to rear-oblique) with an overshoot
    t = np.arange(0, 8, 1 / FPS)
    h = np.where(t < 4, 0.0, -7.0) + 4.0 * np.exp(-(((t - 4.0) / 0.3) ** 2))
    cands = find_rep_candidates(t, h, TH, toe_cm=np.zeros_like(h), body_cm=np.zeros_like(h))
    assert not any(c.is_rep for c in cands)


def test_a_noise_trough_in_the_hold_does_not_split_a_rep() -> None:
    # the heel reads 70% lower for 0.3 s in the middle of the third rep's hold:
    # the rep's two tops are far closer than the set's period and the heel is
    # not back to standing between them, so it is one rep, not two cut pieces
    t, h, peaks = trapezoid_reps([8.0] * 6, hold=1.0)
    trough = np.abs(t - peaks[2]) < 0.15
    h[trough] = 0.3 * 8.0
    result = analyze_traces(t, {"right": traces_for(h)}, TH)
    assert result.summary["rep_count"] == 6
    assert result.summary["partial_reps"] == 0


def test_reps_whose_valley_stays_above_standing_are_both_whole() -> None:
    # between reps 2 and 3 the heel comes down only to 20% of the rise (a
    # noisy valley): both are whole reps, cut only by the clip's ends
    t, h, peaks = trapezoid_reps([8.0] * 5)
    valley = (t > peaks[1]) & (t < peaks[2])
    h[valley] = np.maximum(h[valley], 0.2 * 8.0)
    result = analyze_traces(t, {"right": traces_for(h)}, TH)
    assert result.summary["rep_count"] == 5
    assert result.summary["partial_reps"] == 0


def test_a_rep_split_on_one_leg_is_one_double_leg_rep() -> None:
    # both heels rise together; the left heel reads standing for 0.2 s in the
    # middle of the third rep's hold, splitting it in two on that leg only
    t, h, peaks = trapezoid_reps([8.0] * 5, hold=1.0)
    left = h.copy()
    left[np.abs(t - peaks[2]) < 0.1] = 0.0
    result = analyze_traces(t, {"left": traces_for(left), "right": traces_for(h)}, TH)
    assert result.summary["rep_count"] == 5
    reps = [e for e in result.events if e["kind"] == "rep"]
    assert [e["leg"] for e in reps] == ["both"] * 5


def test_a_quick_bump_between_reps_is_off_the_sets_tempo() -> None:
    # a 0.5 s, 6 cm bump (a landmark glitch) in the rest between reps that take ~3 s
    t, h, peaks = trapezoid_reps([8.0] * 5, rest=2.5)
    t_bump = peaks[1] + 0.25 + 1.5 + 1.25  # mid-rest
    h += 6.0 * np.clip(1.0 - np.abs(t - t_bump) / 0.25, 0.0, None)
    cands = find_rep_candidates(t, h, TH, toe_cm=np.zeros_like(h), body_cm=0.7 * h)
    assert sum(c.is_rep for c in cands) == 5
    bump = min(cands, key=lambda c: abs(c.peak_s - t_bump))
    assert not bump.is_rep and "too quick for this set" in (bump.reason or "")


def test_a_toe_glitch_over_part_of_the_top_is_not_a_step() -> None:
    # a leg-label swap reads the toe 7 cm up (and the heel 2 cm up) for 0.3 s
    # at one rep's top; over the upper half of the rise the toe stays down
    t, h, peaks = trapezoid_reps([8.0] * 6)
    toe = np.zeros_like(h)
    glitch = np.abs(t - peaks[3]) < 0.15
    toe[glitch] += 7.0
    h[glitch] += 2.0
    cands = find_rep_candidates(t, h, TH, toe_cm=toe, body_cm=0.7 * h)
    assert sum(c.is_rep for c in cands) == 6


def test_sway_below_the_smallest_real_change_is_not_a_rep() -> None:
    t = np.arange(0, 10, 1 / FPS)
    h = 0.9 * np.sin(2 * np.pi * 0.3 * t)  # 1.8 cm peak-to-peak < 2.2 cm MDC
    assert not any(c.is_rep for c in find_rep_candidates(t, h, TH))


def test_partial_and_clip_edge_reps_flagged_not_counted() -> None:
    t, h, _ = trapezoid_reps([8.0, 8.0, 3.0, 8.0, 8.0])
    reps = [c for c in find_rep_candidates(t, h, TH, body_cm=0.7 * h) if c.is_rep]
    partial, typical = classify_partial(reps, TH)
    assert typical == pytest.approx(8.0, abs=0.1)
    assert partial == [False, False, True, False, False]
    # a clip that starts at the top and ends at the top: two cut reps, none complete
    t2 = np.arange(0, 5, 1 / FPS)
    h2 = 7.0 * ((t2 < 0.8) | (t2 > 4.2))
    result = analyze_traces(t2, {"right": traces_for(h2)}, TH)
    assert result.summary["rep_count"] == 0
    assert result.summary["partial_reps"] == 2


def test_summary_fatigue_cues_and_both_legs() -> None:
    rises = list(np.linspace(9.0, 6.0, 9))  # falls a third over the set
    t, h, _ = trapezoid_reps(rises, down=0.4)
    result = analyze_traces(t, {"left": traces_for(h), "right": traces_for(0.9 * h)}, TH)
    s = result.summary
    assert s["rep_count"] == 9 and s["stance"] == "double"
    # positive = heights fell (issue 4: last third vs first third)
    assert s["fatigue_pct"] == pytest.approx(
        100 * (1 - np.mean(rises[-3:]) * 0.95 / (np.mean(rises[:3]) * 0.95)), abs=2
    )
    assert s["left_right"]["difference_cm"] == pytest.approx(0.1 * np.mean(rises), abs=0.1)
    messages = " | ".join(c.message for c in result.cues)
    assert "heights fell" in messages
    assert "lower slowly" in messages
    assert all(e["leg"] == "both" for e in result.events if e["kind"] == "rep")
    assert result.score is not None and 0 <= result.score <= 100


def test_knee_variant_cue() -> None:
    t, h, _ = trapezoid_reps([8.0] * 3)
    tr = traces_for(h)
    straight = analyze_traces(t, {"right": tr}, TH, variant={"knee": "bent"})
    assert straight.summary["variant_detected"] == "straight"
    assert any("bend the knee ~20 degrees" in c.message for c in straight.cues)
    bent = LegTraces(
        tr.heel_cm, tr.toe_cm, tr.body_cm, tr.plantarflexion_deg, np.full(h.size, 22.0), tr.reliable
    )
    res = analyze_traces(t, {"right": bent}, TH, variant={"knee": "straight"})
    assert res.summary["variant_detected"] == "bent"
    assert any("keep the knee straight" in c.message for c in res.cues)


@pytest.mark.parametrize(
    ("view", "ankle_per_cm", "knee_per_cm", "counted"),
    [
        ("side", -0.45, 2.0, False),  # a step: the knee bends, the ankle does not extend
        ("oblique", -0.45, 2.0, False),
        ("front", -0.45, 2.0, True),  # from the front the angles cannot tell
        ("side", 2.5, 2.0, True),  # the ankle extends: a heel raise, the knee bending too
        ("side", -0.45, 1.0, True),  # the knee bends 7.5 degrees only
    ],
)
def test_a_rise_bending_the_knee_over_a_still_ankle_is_a_step(
    view: str, ankle_per_cm: float, knee_per_cm: float, counted: bool
) -> None:
    # a person walking away after a set (real clip, read at 15 fps) lifted the heel
    # 7.4 cm, the ankle at -3.3 degrees and the knee bending 14.8: counted as a rep
    t, h, _ = trapezoid_reps([7.5, 7.5, 7.5, 7.5])
    last = t > t[-1] - 5.5  # the fourth rise is the step
    tr = traces_for(h)
    pf = np.where(last, ankle_per_cm * h, tr.plantarflexion_deg)
    knee = 2.0 + np.where(last, knee_per_cm * h, 0.0)
    step = dataclasses.replace(tr, plantarflexion_deg=pf, knee_flexion_deg=knee)
    res = analyze_traces(t, {"right": step}, TH, views=np.full(t.size, view))
    assert res.summary["rep_count"] == (4 if counted else 3)
    reasons = [e["reason"] for e in res.events if e["kind"] == "not_a_rep"]
    assert reasons == (
        []
        if counted
        else ["the knee bent 15° while the ankle did not extend (-3°): a step, not a heel raise"]
    )


@pytest.mark.parametrize(
    ("view", "hips_move_cm", "counted"),
    [
        ("side", 40.0, False),  # walking away: the body stands 40 cm on after the rise
        ("oblique", 40.0, False),
        ("side", 5.0, True),  # a shuffle of the feet between reps is still a rep
        ("front", 40.0, True),  # from the front a change of stance leg moves the hips too
    ],
)
def test_a_rise_after_which_the_hips_stand_elsewhere_is_a_step(
    view: str, hips_move_cm: float, counted: bool
) -> None:
    # the real turning clip read at 60 fps: the first step of walking away after the set
    # (ankle +5.6 degrees, knee 11.5) was counted as a 7th rep; its hips ended 42 cm on
    t, h, _ = trapezoid_reps([7.5, 7.5, 7.5, 7.5])
    start_last = t[-1] - 5.5  # the fourth rise
    hips = hips_move_cm * np.clip((t - start_last - 1.5) / 1.5, 0.0, 1.0)  # moving on as it falls
    tr = dataclasses.replace(traces_for(h), hips_along_cm=hips)
    res = analyze_traces(t, {"right": tr}, TH, views=np.full(t.size, view))
    assert res.summary["rep_count"] == (4 if counted else 3)
    reasons = [e["reason"] for e in res.events if e["kind"] == "not_a_rep"]
    assert reasons == (
        []
        if counted
        else [
            f"your hips moved {hips_move_cm:.0f} cm along the floor from before this rise to "
            "after it: a step, not a heel raise"
        ]
    )


def test_heel_rise_test_mode_norms() -> None:
    t, h, _ = trapezoid_reps([9.0] * 10, up=0.9, hold=0.1, down=0.9, rest=0.1)
    res = analyze_traces(t, {"left": traces_for(h)}, TH, variant={"heel_rise_test": True})
    assert res.summary["rep_count"] == 10
    assert res.summary["off_metronome_reps"] == 0
    sources = " ".join(n.source for n in res.norms)
    assert "Hébert-Losier" in sources and "Sleeswijk Visser" in sources
    assert any("0.8 cm" in n.norm for n in res.norms)


def test_bad_variant_and_threshold_keys_rejected() -> None:
    t, h, _ = trapezoid_reps([8.0])
    with pytest.raises(ValueError, match="heel_rise_test"):
        analyze_traces(t, {"left": traces_for(h)}, TH, variant={"heelrise": True})
    with pytest.raises(ValueError, match="unknown threshold"):
        load_calf_thresholds({"min_rise": 1.0})


# ------------------------------------------------------------ synthetic done-means
def _synth_report(
    profile: CalfRaiseProfile, view: str, noise: str, seed: int = 0
) -> tuple[Any, Any]:
    syn = synthesize(profile, CameraSpec(view=view), getattr(NoiseSpec, noise)(), seed=seed)
    report = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm))
    return syn, report


@pytest.mark.parametrize("view", ["side", "oblique", "front"])
@pytest.mark.parametrize("noise", ["low", "realistic"])
def test_synthetic_rep_count_exact(view: str, noise: str) -> None:
    syn, report = _synth_report(CalfRaiseProfile(reps=6), view, noise, seed=1)
    assert report.summary["rep_count"] == 6
    truth_peaks = sorted({round(e["peak_s"], 2) for e in syn.truth.events})
    found = [e["peak_s"] for e in report.events if e["kind"] == "rep"]
    assert np.max(np.abs(np.array(found) - np.array(truth_peaks))) < 0.3


KNOWN_GAP = pytest.mark.xfail(
    strict=True,
    reason="known gap (reported), at the limit of these landmarks: with realistic noise each "
    "foot landmark's own slow wobble (0.5 cm SD, 0.5 s) moves single reps, and the scale of "
    "the combined heel, ankle and body is fitted per clip (~3% off, shared by every rep). "
    "bench/heel_rise_bound.py's oracle, told each rep's timing and shape, the corrupted "
    "frames and the noise model, reads this clip's worst rep 0.64 cm off (the drill 0.66) "
    "and, over 24 seeds of 8 reps, 94% of reps within 0.5 cm (the drill 86%, worst 0.96 cm); "
    "only a foot geometry known in advance would do better. The drill flags such reps "
    "(heel_rise_se_cm)",
)


FRONT_GAP = pytest.mark.xfail(
    strict=True,
    reason="known gap (reported), at the limit of these landmarks: facing the camera with "
    "realistic noise, per-rep heel rise combines both heels and the body; seed 0's worst rep "
    "reads 0.53 cm off, and bench/heel_rise_bound.py's oracle (told each rep's timing and "
    "shape, the corrupted frames and the noise model) reads it 0.64 cm off",
)


@pytest.mark.parametrize(
    ("view", "noise"),
    [
        ("side", "low"),
        ("oblique", "low"),
        pytest.param("side", "realistic", marks=KNOWN_GAP),
        pytest.param("front", "realistic", marks=FRONT_GAP),
    ],
)
def test_synthetic_heel_rise_within_half_cm(view: str, noise: str) -> None:
    syn, report = _synth_report(CalfRaiseProfile(reps=6), view, noise)
    truth = np.mean([e["heel_rise_cm"] for e in syn.truth.events])
    assert abs(report.summary["mean_heel_rise_cm"] - truth) < 0.5
    for e in report.events:
        if e["kind"] == "rep":
            assert abs(e["heel_rise_cm"] - truth) < 0.5


@pytest.mark.parametrize(
    ("view", "noise", "seeds"),
    [
        ("front", "none", (0,)),
        ("oblique", "none", (0,)),
        ("back", "none", (0,)),
        ("front", "low", (0, 1, 2, 3)),
        ("oblique", "low", (0, 1, 2, 3)),
        ("back", "low", (0, 1, 2, 3)),
    ],
)
def test_synthetic_heel_rise_within_half_cm_facing_views(
    view: str, noise: str, seeds: tuple[int, ...]
) -> None:
    # the heel's travel along the foot as it rises is depth from the front and the
    # back: before it was removed, front read -0.51 cm and back +1.09 cm with
    # perfect landmarks (and every view +0.24 cm from the heel landmark's own
    # rise, before it was turned into the sole's)
    for seed in seeds:
        syn, report = _synth_report(CalfRaiseProfile(reps=8), view, noise, seed=seed)
        truth = np.mean([e["heel_rise_cm"] for e in syn.truth.events])
        reps = [e for e in report.events if e["kind"] == "rep" and not e["partial"]]
        assert len(reps) == 8
        for e in reps:
            assert abs(e["heel_rise_cm"] - truth) < 0.5, (seed, e["heel_rise_cm"], truth)


def test_front_view_heel_reads_from_both_heels_and_the_hips() -> None:
    # Facing the camera the heel's own ankle is no second reading; the other
    # heel and the hips are. Realistic noise, double-leg sets, seeds 0-7: with
    # the heel landmark alone per-rep errors were 0.42 cm on average, 58% of
    # reps within 0.5 cm (worst 3.0 cm)
    errors = []
    for seed in range(8):
        syn, report = _synth_report(CalfRaiseProfile(reps=6), "front", "realistic", seed=seed)
        truth = np.mean([e["heel_rise_cm"] for e in syn.truth.events])
        reps = [e for e in report.events if e["kind"] == "rep"]
        assert len(reps) == 6, seed
        errors += [abs(e["heel_rise_cm"] - truth) for e in reps]
    err = np.array(errors)
    assert err.mean() < 0.35
    assert np.mean(err < 0.5) >= 0.8
    assert err.max() < 1.0


def test_with_the_other_heel_weights_three_independent_readings() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(0.0, 30.0, 1 / FPS)
    rise = 8.0 * np.clip(np.sin(2 * np.pi * t / 4.0), 0.0, None)
    n = len(t)
    heel = 3.0 + rise + rng.normal(0.0, 1.0, n)
    other = 3.2 + rise + rng.normal(0.0, 1.0, n)
    body = 95.0 + 0.64 * rise + rng.normal(0.0, 0.2, n)
    toe, other_toe = rng.normal(0.0, 0.3, n), rng.normal(0.0, 0.3, n)
    est, _ = with_the_other_heel(heel, toe, other, other_toe, body)
    alone = np.std(heel - 3.0 - rise)
    assert np.std(est - 3.0 - rise) < 0.5 * alone
    assert np.mean(est) == pytest.approx(np.mean(heel), abs=0.05)  # the heel's own level
    # a free foot held 20 cm up is carried by the body, not the heel: the heel alone
    np.testing.assert_array_equal(
        with_the_other_heel(heel, toe, other + 20.0, other_toe + 20.0, body)[0], heel
    )
    # and so where the knees are never bent alike (a single-leg set's free leg)
    np.testing.assert_array_equal(
        with_the_other_heel(heel, toe, other, other_toe, body, knees_alike=np.zeros(n, bool))[0],
        heel,
    )


def test_body_rise_reading_averages_rises_and_survives_a_lost_landmark() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(600) / 30.0
    rise = 2.5 - 2.5 * np.cos(2 * np.pi * t / 3.0)
    levels = [95.0, 96.0, 145.0, 146.0, 50.0]  # hips, shoulders, knee: cm above the floor
    heights = [lv + rise + 0.4 * rng.standard_normal(t.size) for lv in levels]
    got = body_rise_reading(heights)
    err = got - rise
    # five readings wobbling on their own: half the wobble of one (0.4 / sqrt(5) = 0.18)
    assert np.std(err) < 0.55 * np.std(heights[0] - levels[0] - rise)
    # a shoulder lost for 2 s: no gap, and no 50 cm step from the levels' difference
    heights[2][300:360] = np.nan
    got = body_rise_reading(heights)
    assert np.isfinite(got).all()
    gap = got[300:360] - rise[300:360] - np.median(got - rise)
    assert abs(float(np.mean(gap))) < 0.3
    # nothing seen: NaN
    for h in heights:
        h[100] = np.nan
    assert np.isnan(body_rise_reading(heights)[100])


def test_back_view_toe_guess_rising_with_the_heel_is_not_a_step() -> None:
    # From behind, a pose model cannot see the toes and its toe guess rises with
    # the heel (every rendered back-view rep was rejected as the whole foot
    # leaving the floor). A pose-model track whose toe follows the heel: the reps
    # still count.
    import dataclasses

    from formcheck.landmarks import Landmark

    syn = synthesize(CalfRaiseProfile(reps=4), CameraSpec(view="back"), NoiseSpec.low(), seed=0)
    lm = syn.track.landmarks.copy()
    vis = syn.track.visibility.copy()
    for heel, toe in (
        (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
        (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    ):
        lm[:, toe, 1] = lm[:, heel, 1] - 0.01  # just above the heel, moving with it
        vis[:, toe] = 0.9
    track = dataclasses.replace(syn.track, landmarks=lm, visibility=vis, model_variant="full")
    report = analyze_track(track, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm))
    assert report.summary["rep_count"] == 4
    # the same track labelled synthetic keeps its toe, and the toe rising with
    # the heel rejects every rise: the rule is what made the difference
    labelled = dataclasses.replace(track, model_variant="synthetic")
    report = analyze_track(labelled, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm))
    assert report.summary["rep_count"] == 0


def test_heel_landmark_rise_is_turned_into_the_soles() -> None:
    geom = HeelTravel.from_stature(175.0)
    a = np.radians(np.array([5.0, 15.0, 25.0]))
    landmark = geom.lever_cm * np.sin(a) - geom.height_cm * (1 - np.cos(a))
    np.testing.assert_allclose(geom.sole_rise_cm(landmark), geom.sole_lever_cm * np.sin(a))
    # body model: the heel landmark rises 8.25 cm when the sole under the heel rises 8
    assert float(geom.sole_rise_cm(8.25)) == pytest.approx(8.0, abs=0.02)
    np.testing.assert_array_equal(geom.sole_rise_cm(np.array([0.0, -0.3])), [0.0, -0.3])


def test_heel_travel_geometry() -> None:
    geom = HeelTravel.from_stature(175.0)
    # body model: heel landmark 0.1094 H behind the metatarsal heads, 0.012 H up;
    # toe landmark 0.148 H ahead of it and 0.004 H lower
    assert geom.lever_cm == pytest.approx(19.15, abs=0.01)
    assert geom.span_cm == pytest.approx(25.9, abs=0.01)
    assert geom.toe_over_heel_cm == pytest.approx(-0.7, abs=0.01)
    assert float(geom.travel_cm(0.0)) == pytest.approx(0.0, abs=1e-9)
    # turned by a: rise L sin a - h (1 - cos a), travel L (1 - cos a) + h sin a
    a = np.radians(25.0)
    rise = geom.lever_cm * np.sin(a) - geom.height_cm * (1 - np.cos(a))
    travel = geom.lever_cm * (1 - np.cos(a)) + geom.height_cm * np.sin(a)
    assert float(geom.travel_cm(rise)) == pytest.approx(travel, rel=1e-9)


@pytest.mark.parametrize("slope", [-1.0, -0.3, 0.0, 0.25, 1.0])
def test_heel_travel_correction_inverts_the_apparent_rise(slope: float) -> None:
    geom = HeelTravel.from_stature(175.0)
    true = np.array([0.3, 2.0, 5.0, 8.0, 10.0])
    seen = true + slope * geom.travel_cm(true)
    np.testing.assert_allclose(heel_travel_correction(seen, slope, geom), true, atol=1e-6)
    # standing (no rise, or noise below the standing level) is left alone
    np.testing.assert_array_equal(
        heel_travel_correction(np.array([0.0, -0.4]), slope, geom), [0.0, -0.4]
    )


def test_floor_slope_from_the_standing_foot() -> None:
    geom = HeelTravel.from_stature(175.0)
    # toe landmark 7 cm lower than the heel's in the picture, of which 0.7 is its own
    assert floor_slope(-7.0, geom, 1.0) == pytest.approx(-6.3 / 25.9)
    assert floor_slope(geom.toe_over_heel_cm, geom, 1.0) == 0.0  # side-on: no depth
    assert floor_slope(60.0, geom, 1.0) == 1.0  # bounded
    assert floor_slope(float("nan"), geom, 1.0) == 0.0


HEAVY_GAP = pytest.mark.xfail(
    strict=True,
    reason="known gap (reported): at heavy noise (a hard clip) counts are exact in 95 of 96 "
    "clips (seeds 0-23: side 23, oblique 24, front 24, back 24); side seed 6: a leg-label "
    "swap over most of a rep's visible top is taken for the foot leaving the floor",
)


@pytest.mark.parametrize(
    ("view", "seed"),
    [
        ("side", 0),
        ("side", 1),
        ("side", 2),
        ("oblique", 0),
        ("oblique", 1),
        ("oblique", 2),
        ("front", 0),
        ("front", 1),
        ("front", 2),
        ("back", 0),
        ("back", 1),
        ("back", 2),
        ("back", 11),  # a heel wobble after the last rep counted as a ninth (hips-only body)
        pytest.param("side", 6, marks=HEAVY_GAP),
    ],
)
def test_synthetic_heavy_noise_rep_count_exact(view: str, seed: int) -> None:
    # heavy noise: reps split in two, glitches between reps and swaps at the top
    # used to miscount side seed 1, oblique 0 and back 0 and 1 (3-6 of 8 clips per view);
    # front seeds 0 and 2 read 6 and 7 with the heel landmark alone (before
    # with_the_other_heel)
    _, report = _synth_report(CalfRaiseProfile(reps=8), view, "heavy", seed=seed)
    assert report.summary["rep_count"] == 8


@pytest.mark.parametrize(("noise", "flagged"), [("low", False), ("realistic", True)])
def test_synthetic_noisy_rep_heights_are_flagged(noise: str, flagged: bool) -> None:
    # per-rep heights too noisy for 0.5 cm say so; clean ones do not
    _, report = _synth_report(CalfRaiseProfile(reps=6), "side", noise)
    reps = [e for e in report.events if e["kind"] == "rep" and not e["partial"]]
    assert reps and all(e["heel_rise_se_cm"] is not None for e in reps)
    notes = ["landmark noise" in e["flags"].get("heel_rise_cm", "") for e in reps]
    assert all(notes) if flagged else not any(notes)


def test_synthetic_weight_shifts_and_partial_reps() -> None:
    profile = CalfRaiseProfile(
        reps=6, partial_reps=(3,), weight_shifts_s=(0.2,), shift_heel_cm=3.0, lead_in_s=1.6
    )
    _, report = _synth_report(profile, "front", "low")
    assert report.summary["rep_count"] == 5
    assert report.summary["partial_reps"] == 1


def test_synthetic_single_leg_set() -> None:
    _, report = _synth_report(CalfRaiseProfile(reps=5, leg="left"), "oblique", "low")
    assert report.summary["rep_count"] == 5
    reps = [e for e in report.events if e["kind"] == "rep"]
    assert all(e["leg"] == "left" for e in reps)


@pytest.mark.parametrize("leg", ["left", "right"])
@pytest.mark.parametrize("noise", ["none", "low"])
def test_single_leg_set_filmed_from_behind_counts_the_standing_leg(leg: str, noise: str) -> None:
    # from behind the toes are hidden in front of the heel: the standing foot must
    # still count as seen (it used to be passed over for the free foot, every rep
    # rejected as the whole foot leaving the floor: 0 of 6)
    syn, report = _synth_report(CalfRaiseProfile(reps=6, leg=leg), "back", noise)
    assert report.summary["rep_count"] == 6
    reps = [e for e in report.events if e["kind"] == "rep"]
    assert {e["leg"] for e in reps} == {leg}
    assert report.summary["stance"] == "single"
    truth = np.mean([e["heel_rise_cm"] for e in syn.truth.events])
    assert abs(report.summary["mean_heel_rise_cm"] - truth) < 0.5


def test_double_leg_set_from_behind_measures_both_legs_without_a_framing_warning() -> None:
    _, report = _synth_report(CalfRaiseProfile(reps=4), "back", "low")
    assert report.summary["rep_count"] == 4
    assert report.summary["stance"] == "double"
    assert "calf_feet_unreliable" not in {w.code for w in report.warnings}
    assert report.summary["left_right"] is not None


def test_front_view_flags_cm_values() -> None:
    _, report = _synth_report(CalfRaiseProfile(reps=3), "front", "low")
    assert "front view" in report.flags["mean_heel_rise_cm"]
    assert all("heel_rise_cm" in e["flags"] for e in report.events if e["kind"] == "rep")


# ------------------------------------------------------------ real shared clips
@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["calf_raise_double_front_oblique.mp4", "calf_raise_weighted_turning.mp4"]
)
def test_real_clip_counts_and_peaks(name: str, tracked_clip: Any, shared_labels: Any) -> None:
    label = shared_labels[name]
    report = analyze_track(tracked_clip(name), "calf-raise", DrillOptions())
    assert abs(report.summary["rep_count"] - label["reps"]) <= label["reps_tolerance"]
    peaks = [e["peak_s"] for e in report.events if e["kind"] == "rep" and not e["partial"]]
    assert len(peaks) == len(label["rep_peaks_s"])
    for found, want in zip(peaks, label["rep_peaks_s"], strict=True):
        assert abs(found - want) <= label["time_tolerance_s"]


@pytest.mark.slow
def test_real_clip_lower_leg_only_says_so(tracked_clip: Any) -> None:
    track = tracked_clip("calf_raise_single_lower_leg_only.mp4")
    try:
        report = analyze_track(track, "calf-raise", DrillOptions())
    except AnalysisError as err:
        assert "no person" in str(err) or "feet" in str(err)
        return
    assert report.summary["rep_count"] == 0
    assert any(w.severity in ("warning", "error") for w in report.warnings)


# ------------------------------------------------------------ stance, fatigue, cues (QA)
def _with_knee(tr: LegTraces, knee_deg: float) -> LegTraces:
    n = tr.heel_cm.size
    return LegTraces(
        tr.heel_cm, tr.toe_cm, tr.body_cm, tr.plantarflexion_deg, np.full(n, knee_deg), tr.reliable
    )


@pytest.mark.parametrize(
    ("other", "want"),
    [
        # other heel rises with its toe down: both heels raised
        ("raising", "double"),
        # other foot hangs off the floor and moves up with the body (toe as much as heel)
        ("free", "single"),
        # other foot hidden (far foot side-on): cannot tell, never "single"
        ("hidden", "unknown"),
        # other foot seen but flat and still: no evidence either way
        ("flat", "unknown"),
    ],
)
def test_stance_from_the_other_foot(other: str, want: str) -> None:
    t, h, _ = trapezoid_reps([8.0] * 4)
    n = h.size
    near = traces_for(h)
    body = 0.7 * h
    o = {
        "raising": traces_for(0.9 * h),
        "free": LegTraces(body + 30, body + 25, body, body, np.full(n, 80.0), np.ones(n, bool)),
        "hidden": LegTraces(h, np.zeros(n), body, h, np.full(n, 2.0), np.zeros(n, bool)),
        "flat": traces_for(np.zeros(n)),
    }[other]
    res = analyze_traces(t, {"right": near}, TH, stance_traces={"right": near, "left": o})
    assert res.summary["rep_count"] == 4
    assert res.summary["stance"] == want
    assert all(e["stance"] == want for e in res.events if e["kind"] == "rep")
    assert ("stance" in res.flags) == (want == "unknown")


@pytest.mark.parametrize(
    ("sole_3d", "want"),
    [
        # the 3D feet stand level: the toe rising with the heel is the pose model's guess
        # of a toe it cannot see (a rear-oblique render read "single" for a double set)
        ("level", "double"),
        # the 3D feet show the other foot held up: it hangs off the floor
        ("up", "single"),
        # no 3D feet: the picture alone, as before
        (None, "single"),
    ],
)
def test_stance_when_the_other_toe_rises_with_its_heel(sole_3d: str | None, want: str) -> None:
    import dataclasses

    t, h, _ = trapezoid_reps([8.0] * 4)
    n = h.size
    floor = np.zeros(n)
    up = {"level": floor + 1.0, "up": floor + 20.0, None: None}[sole_3d]
    near = dataclasses.replace(traces_for(h), sole_3d_cm=None if up is None else floor)
    o = dataclasses.replace(traces_for(0.95 * h), toe_cm=0.8 * h, sole_3d_cm=up)
    res = analyze_traces(t, {"right": near}, TH, stance_traces={"right": near, "left": o})
    assert res.summary["rep_count"] == 4
    assert res.summary["stance"] == want


def test_a_foot_further_from_the_camera_is_not_held_up_when_the_3d_feet_are_level() -> None:
    import dataclasses

    t = np.linspace(0.0, 10.0, 301)
    rise = 4.0 * (1 - np.cos(2 * np.pi * t / 2.5))
    legs = _legs(rise, 11.0 + rise)  # 11 cm higher in the picture (a real clip: 9-10)
    level = {k: dataclasses.replace(v, sole_3d_cm=np.zeros_like(rise)) for k, v in legs.items()}
    kept, notes = _without_a_foot_held_up(level, ["left", "right"], [])
    assert kept == ["left", "right"] and not notes
    raised = dict(level, right=dataclasses.replace(level["right"], sole_3d_cm=rise * 0 + 15.0))
    kept, notes = _without_a_foot_held_up(raised, ["left", "right"], [])
    assert kept == ["left"] and [n.code for n in notes] == ["calf_free_foot"]
    kept, _ = _without_a_foot_held_up(legs, ["left", "right"], [])  # no 3D: the picture
    assert kept == ["left"]


def test_one_measured_leg_alone_is_not_called_single() -> None:
    t, h, _ = trapezoid_reps([8.0] * 3)
    res = analyze_traces(t, {"right": traces_for(h)}, TH)
    assert res.summary["stance"] == "unknown"


@pytest.mark.parametrize(
    ("leg", "view", "allowed"),
    [
        ("both", "front", {"double"}),
        ("both", "oblique", {"double"}),
        ("both", "side", {"double", "unknown"}),
        ("right", "side", {"single"}),  # near (stance) leg right, free foot seen behind
        ("right", "front", {"single", "unknown"}),  # free foot behind the body
    ],
)
def test_synthetic_stance(leg: str, view: str, allowed: set[str]) -> None:
    _, report = _synth_report(CalfRaiseProfile(reps=4, leg=leg), view, "low")
    assert report.summary["rep_count"] == 4
    assert report.summary["stance"] in allowed


def test_synthetic_fatigue_pct_positive_when_heights_fall() -> None:
    syn, report = _synth_report(CalfRaiseProfile(reps=9, fatigue_pct=30.0), "side", "low")
    truth = syn.truth.summary["fatigue_pct"]  # 100 * (first - last) / first, ~23%
    assert truth > 20
    # 0.5 cm (the heel-rise accuracy of issue 4) on each third's mean of ~8 and ~6 cm
    tol = 100 * (0.5 / 6.0 + 0.5 / 8.0)
    assert report.summary["fatigue_pct"] == pytest.approx(truth, abs=tol)
    assert report.summary["fatigue_pct"] > 0
    assert any("heights fell" in c.message for c in report.cues)


def test_fatigue_pct_negative_when_heights_grow_and_ratio_has_no_scale_flag() -> None:
    rises = list(np.linspace(6.0, 9.0, 9))
    t, h, _ = trapezoid_reps(rises)
    res = analyze_traces(t, {"left": traces_for(h)}, TH, calibration_note="cm scale assumed (±6%)")
    want = 100 * (1 - np.mean(rises[-3:]) / np.mean(rises[:3]))
    assert res.summary["fatigue_pct"] == pytest.approx(want, abs=2) and want < 0
    assert not any("heights fell" in c.message for c in res.cues)
    assert "fatigue_pct" not in res.flags  # a ratio of heights: no cm-scale flag
    assert "cm scale" in res.flags["mean_heel_rise_cm"]


def test_fatigue_not_compared_across_views() -> None:
    # first reps corrected by one view's factor, last ones by another's: not comparable
    t, h, _ = trapezoid_reps([8.0] * 9)
    scale = np.where(t < t[-1] / 2, 1.44, 1.0)
    res = analyze_traces(t, {"left": traces_for(h)}, TH, rise_scale=scale)
    assert res.summary["fatigue_pct"] is None
    assert "different angles" in res.flags["fatigue_pct"]


@pytest.mark.parametrize(
    ("rise", "cue"),
    [
        (6.0, False),  # 0.5 cm under the 6.5 cm target: inside the 0.8 cm SEM
        (3.5, True),  # 3 cm under: beyond any uncertainty
    ],
)
def test_rise_higher_only_beyond_uncertainty(rise: float, cue: bool) -> None:
    t, h, _ = trapezoid_reps([rise] * 4)
    res = analyze_traces(t, {"left": traces_for(h)}, TH)
    assert any("aim for at least" in c.message for c in res.cues) == cue


def test_bent_knee_rise_under_read_widens_the_rise_uncertainty() -> None:
    # 4.5 cm read on a bent knee through a pose model's heel: up to 5.7 cm true (+ SEM)
    t, h, _ = trapezoid_reps([4.5] * 4)
    tr = _with_knee(traces_for(h), 22.0)
    pose = analyze_traces(t, {"left": tr}, TH, landmark_heel=True)
    synth = analyze_traces(t, {"left": tr}, TH, landmark_heel=False)
    assert not any("aim for at least" in c.message for c in pose.cues)
    assert any("aim for at least" in c.message for c in synth.cues)


@pytest.mark.parametrize(
    ("down_s", "cue"),
    [
        (1.0, False),  # a 1 s lowering is not "too fast" (the rendered sample's case)
        (0.4, True),
    ],
)
def test_synthetic_lower_slowly_only_when_surely_short(down_s: float, cue: bool) -> None:
    _, report = _synth_report(CalfRaiseProfile(reps=4, down_s=down_s), "side", "low")
    assert any("lower slowly" in c.message for c in report.cues) == cue
    reps = [e for e in report.events if e["kind"] == "rep" and not e["partial"]]
    for e in reps:  # whole phases, not 10-90% times; 0.2 s: the hold tolerance
        assert e["down_s"] == pytest.approx(down_s, abs=0.2)
        assert e["up_s"] == pytest.approx(1.0, abs=0.2)
        assert e["hold_s"] == pytest.approx(0.5, abs=0.2)
        assert e["down_s_max"] >= down_s


def test_bent_knee_without_stated_version_is_reported_not_corrected() -> None:
    _, report = _synth_report(CalfRaiseProfile(reps=4, knee_flexion_deg=25.0), "side", "low")
    assert report.summary["variant_detected"] == "bent"
    assert report.summary["variant"] == "bent-knee (soleus)"
    assert report.summary["variant_intended"] is None
    messages = " | ".join(c.message for c in report.cues)
    assert "keep the knee straight" not in messages
    assert "bent-knee (soleus) version" in messages


# ------------------------------------------------------------ committed rendered samples
SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
_SAMPLE_TRACKS: dict[str, Any] = {}


def _sample_report(name: str, model: Path) -> tuple[dict[str, Any], Any]:
    truth = json.loads((SAMPLES / f"{name}.truth.json").read_text())
    if name not in _SAMPLE_TRACKS:
        from formcheck.pose import extract_track

        _SAMPLE_TRACKS[name] = extract_track(SAMPLES / f"{name}.mp4", model_path=model)
    report = analyze_track(
        _SAMPLE_TRACKS[name],
        "calf-raise",
        DrillOptions(height_cm=truth["figure"]["height_cm"]),
    )
    return truth, report


BENT_RISE_GAP = pytest.mark.xfail(
    strict=True,
    reason="known gap: the lowest-reading of 14 bent-knee side renders; with the "
    "knee-bend gain it reads 4.97 / 4.74 of 6 cm (docs/ACCURACY.md), as in "
    "tests/test_accuracy_samples.py",
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "check_rise"),
    [
        ("calf_raise_side", True),
        ("calf_raise_bent_knee_side", False),
        pytest.param("calf_raise_bent_knee_side", True, marks=BENT_RISE_GAP),
    ],
)
def test_rendered_sample_regression(name: str, check_rise: bool, shared_model: Path) -> None:
    truth, report = _sample_report(name, shared_model)
    true_reps = [e for e in truth["events"] if e["kind"] == "rep" and e["leg"] == "right"]
    assert report.summary["rep_count"] == len(true_reps)
    # both legs did the reps; side-on the far leg is hidden: never "single"
    assert report.summary["stance"] in ("double", "unknown")
    messages = " | ".join(c.message for c in report.cues)
    # true lowering 1.0 s = min_down_s: not "too fast"; no stated version: no knee correction
    assert "lower slowly" not in messages
    assert "keep the knee straight" not in messages
    # truth 8 / 6 cm vs the 6.5 cm target: within the SEM or above it, no "rise higher"
    assert "aim for at least" not in messages
    if check_rise:
        for got, want in zip(
            [e for e in report.events if e["kind"] == "rep" and not e["partial"]],
            true_reps,
            strict=True,
        ):
            # 1 cm: the rendered-truth tolerance of tests/test_accuracy_samples.py
            assert got["heel_rise_cm"] == pytest.approx(want["heel_rise_cm"], abs=1.0)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["calf_raise_double_front_oblique.mp4", "calf_raise_weighted_turning.mp4"]
)
def test_real_double_leg_clips_not_called_single(
    name: str, tracked_clip: Any, shared_labels: Any
) -> None:
    assert shared_labels[name]["stance_leg"] == "both"
    report = analyze_track(tracked_clip(name), "calf-raise", DrillOptions())
    assert report.summary["stance"] == "double"


@pytest.mark.parametrize("seed", [0, 3])
def test_single_leg_set_on_the_far_leg_is_measured_on_that_leg(seed: int) -> None:
    # side-on with the camera on the right, standing on the left leg: the near
    # (right) foot is the free one, off the floor, carried up by the body. It
    # used to be measured (0 reps: every rise "the whole foot left the floor").
    syn, report = _synth_report(CalfRaiseProfile(reps=6, leg="left"), "side", "low", seed=seed)
    assert syn.truth.near_side == "right"
    reps = [e for e in report.events if e["kind"] == "rep"]
    assert report.summary["rep_count"] == 6
    assert {e["leg"] for e in reps} == {"left"} and {e["stance"] for e in reps} == {"single"}
    assert report.summary["mean_heel_rise_cm"] == pytest.approx(8.0, abs=0.5)
    assert any(w.code == "calf_far_leg" for w in report.warnings)


def test_single_leg_set_far_leg_chosen_when_one_free_foot_rise_passes_as_a_rep() -> None:
    # side-on, standing on the far (left) leg, realistic noise: one of the near
    # free foot's rises passed every test, so the near leg "had a rep" and was
    # measured: 1 rep of 6 at 5.3 cm. Its foot stands 10+ cm above the far one.
    syn, report = _synth_report(CalfRaiseProfile(reps=6, leg="left"), "side", "realistic", 15)
    assert syn.truth.near_side == "right"
    reps = [e for e in report.events if e["kind"] == "rep"]
    assert report.summary["rep_count"] == 6
    assert {e["leg"] for e in reps} == {"left"}
    assert any(w.code == "calf_far_leg" for w in report.warnings)
    truth = np.mean([e["heel_rise_cm"] for e in syn.truth.events])
    assert abs(report.summary["mean_heel_rise_cm"] - truth) < 0.8


@pytest.mark.parametrize(("view", "leg", "seed"), [("back", "left", 3), ("back", "right", 9)])
def test_standing_foot_put_onto_the_free_foot_is_not_a_step(view: str, leg: str, seed: int) -> None:
    # realistic noise: for half a second the pose model put the standing foot
    # onto the free foot held up behind, and that rep was rejected as the whole
    # foot leaving the floor (5 of 6 reps)
    syn, report = _synth_report(CalfRaiseProfile(reps=6, leg=leg), view, "realistic", seed)
    reps = [e for e in report.events if e["kind"] == "rep"]
    assert report.summary["rep_count"] == 6
    assert {e["leg"] for e in reps} == {leg}
    truth = np.mean([e["heel_rise_cm"] for e in syn.truth.events])
    # the misplaced frames are interpolated over, not measured: no rep reads high
    assert max(abs(e["heel_rise_cm"] - truth) for e in reps) < 1.0


def test_placed_on_the_other_foot_finds_the_foot_that_moved() -> None:
    t = np.arange(0.0, 6.0, 1 / FPS)
    px = np.full((len(t), 33, 2), np.nan)
    stand = {"heel": (300.0, 600.0), "foot_index": (340.0, 604.0)}
    free = {"heel": (250.0, 520.0), "foot_index": (280.0, 540.0)}  # held up behind
    for part in ("heel", "foot_index"):
        px[:, int(side_landmark("left", part))] = stand[part]
        px[:, int(side_landmark("right", part))] = free[part]
    spell = (t >= 2.0) & (t < 2.5)
    for part in ("heel", "foot_index"):
        a, b = int(side_landmark("left", part)), int(side_landmark("right", part))
        px[spell, a] = px[spell, a] + 0.8 * (px[spell, b] - px[spell, a])  # pulled 80% onto it
    cm_per_px = 0.3  # feet ~28 cm apart
    left = placed_on_the_other_foot(px, "left", cm_per_px)
    np.testing.assert_array_equal(left, spell)
    assert not placed_on_the_other_foot(px, "right", cm_per_px).any()  # it stayed put
    # feet usually under 10 cm apart in the picture (side-on, both down): no test
    assert not placed_on_the_other_foot(px, "left", 0.1).any()


def _legs(heel_left: np.ndarray, heel_right: np.ndarray) -> dict[str, LegTraces]:
    def one(heel: np.ndarray) -> LegTraces:
        z = np.zeros_like(heel)
        return LegTraces(heel, z, z, z, z, np.ones(len(heel), dtype=bool))

    return {"left": one(heel_left), "right": one(heel_right)}


def test_a_foot_held_up_all_along_is_not_measured() -> None:
    t = np.linspace(0.0, 10.0, 301)
    rise = 4.0 * (1 - np.cos(2 * np.pi * t / 2.5))
    legs, notes = _without_a_foot_held_up(_legs(rise, 25.0 + 0.6 * rise), ["left", "right"], [])
    assert legs == ["left"]
    assert [n.code for n in notes] == ["calf_free_foot"]
    assert "right foot stayed off the floor" in notes[0].message
    # two feet on the floor, one standing 3 cm higher in the picture: both kept
    legs, notes = _without_a_foot_held_up(_legs(rise, 3.0 + rise), ["left", "right"], [])
    assert legs == ["left", "right"] and not notes


def test_single_leg_set_from_behind_on_a_pose_model_track_measures_the_standing_leg() -> None:
    # a pose model's toes from behind are guesses (dropped), so the toe test cannot
    # reject the free foot's rises: they used to merge with the standing leg's reps
    # and call the set double-leg (a rendered set read 11.2 cm for a true 8)
    import dataclasses

    syn = synthesize(
        CalfRaiseProfile(reps=6, leg="right"), CameraSpec(view="back"), NoiseSpec.low(), seed=0
    )
    track = dataclasses.replace(syn.track, model_variant="full")
    report = analyze_track(track, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm))
    assert report.summary["rep_count"] == 6
    assert {e["leg"] for e in report.events if e["kind"] == "rep"} == {"right"}
    assert report.summary["stance"] == "single"
    assert any(w.code == "calf_free_foot" for w in report.warnings)


def _heels_hidden_from_the_front(track: Any, free: str) -> Any:
    """``track`` with the pose model's visibilities filmed from the front on a
    single-leg set (rendered, MediaPipe full: the standing heel 0.41 median,
    behind its foot; the held-up foot behind the leg 0.15-0.3; the rest seen)."""
    import dataclasses

    vis = np.array(track.visibility, dtype=np.float64, copy=True)
    stance = "left" if free == "right" else "right"
    vis[:, int(side_landmark(stance, "heel"))] = 0.41
    for part in ("heel", "ankle", "foot_index"):
        vis[:, int(side_landmark(free, part))] = 0.2
    return dataclasses.replace(track.with_arrays(visibility=vis), model_variant="full")


@pytest.mark.parametrize("leg", ["right", "left"])
def test_a_heel_hidden_behind_its_foot_from_the_front_is_the_views_not_a_lost_foot(
    leg: str,
) -> None:
    # before: the hidden heel was dropped in every frame, no leg counted as seen,
    # and the held-up foot (the first of two unseen legs) was measured: no reps
    free = "left" if leg == "right" else "right"
    syn = synthesize(
        CalfRaiseProfile(reps=6, leg=leg), CameraSpec(view="front"), NoiseSpec.low(), seed=0
    )
    track = _heels_hidden_from_the_front(syn.track, free)
    report = analyze_track(track, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm))
    reps = [e for e in report.events if e["kind"] == "rep"]
    assert len(reps) == 6
    assert {e["leg"] for e in reps} == {leg}
    for e in reps:
        assert e["flags"]["heel_rise_cm"].startswith(f"your {leg} heel was hidden behind your foot")
    assert not any(w.code == "calf_feet_unreliable" for w in report.warnings)


def test_a_heel_dropped_now_and_then_from_the_front_is_not_filled() -> None:
    # the fill is for a heel hidden for the clip: the synthetic noise's visibility
    # drops (a few frames) stay gaps, and no rep says its heel was guessed
    syn = synthesize(
        CalfRaiseProfile(reps=6), CameraSpec(view="front"), NoiseSpec.realistic(), seed=1
    )
    report = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm))
    assert report.summary["rep_count"] == 6
    for e in report.events:
        assert "hidden behind your foot" not in e.get("flags", {}).get("heel_rise_cm", "")


def test_a_free_foot_carried_up_with_every_rise_still_stands_out_of_the_toe_noise() -> None:
    from formcheck.drills.calf_raise import toe_lift_noise_cm

    rng = np.random.default_rng(0)

    def cands(lifts: np.ndarray) -> list[Any]:
        return [type("C", (), {"toe_lift_cm": float(x)})() for x in lifts]

    # toes down, noisy landmark: the noise is the lifts' scatter
    assert toe_lift_noise_cm(cands(rng.normal(0.0, 1.0, 40))) == pytest.approx(1.0, rel=0.3)
    # a foot lifted ~4.8 cm at every rise: small scatter, so 4.8 cm is far out of it
    assert toe_lift_noise_cm(cands(rng.normal(4.8, 0.3, 8))) < 0.6
    assert toe_lift_noise_cm(cands(np.array([0.1, -0.2]))) == 0.0  # too few to tell


@pytest.mark.parametrize("view", ["oblique", "front"])
def test_a_free_foot_held_up_does_not_set_the_depth_scale(view: str) -> None:
    # single-leg set: the free foot rests at its lifted level with its knee bent
    # 60-90 degrees; taken for a foot on the floor, its foreshortened shank read
    # the stance foot's scale 15% low (the set's rise -1.2 to -1.9 cm at
    # realistic noise, oblique and front)
    from formcheck.analysis import analyze_track as analyze
    from formcheck.drills import calf_raise

    seen: dict[str, float] = {}
    real = calf_raise.leg_depth_scales

    def spy(ctx: Any) -> dict[str, float]:
        seen.update(real(ctx))
        return seen

    syn = synthesize(
        CalfRaiseProfile(reps=6, leg="right"), CameraSpec(view=view), NoiseSpec.realistic(), seed=1
    )
    try:
        calf_raise.leg_depth_scales = spy  # type: ignore[assignment]
        report = analyze(syn.track, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm))
    finally:
        calf_raise.leg_depth_scales = real  # type: ignore[assignment]
    assert seen == {"left": 1.0, "right": 1.0}
    assert report.summary["rep_count"] == 6
    assert report.summary["mean_heel_rise_cm"] == pytest.approx(8.0, abs=1.0)


# ------------------------------------- the heel-rise factor's cross-render spread
def test_pose_model_rep_carries_the_factor_spread_synthetic_does_not() -> None:
    # the same landmarks, once as synthetic (no factor) and once labelled as the
    # pose model's (side factor and its cross-render spread, heel_rise_rel_sd_side)
    import dataclasses

    syn = synthesize(CalfRaiseProfile(reps=4), CameraSpec(view="side"), NoiseSpec.low(), seed=1)
    opts = DrillOptions(height_cm=syn.truth.height_cm)
    plain = analyze_track(syn.track, "calf-raise", opts)
    as_mp = analyze_track(dataclasses.replace(syn.track, model_variant="full"), "calf-raise", opts)
    rel = TH.heel_rise_rel_sd_side
    assert 0.0 < rel < 0.5
    mp_reps = [e for e in as_mp.events if e["kind"] == "rep" and not e["partial"]]
    syn_reps = [e for e in plain.events if e["kind"] == "rep" and not e["partial"]]
    assert len(mp_reps) == len(syn_reps) == 4
    for e in mp_reps:
        # at least the spread (0.01: the reported rounding), in quadrature with noise
        assert e["heel_rise_se_cm"] >= rel * e["heel_rise_cm"] - 0.01
        assert f"±{100 * rel:.0f}% from the pose model" in e["flags"]["heel_rise_cm"]
    for e in syn_reps:
        assert e["heel_rise_se_cm"] < rel * e["heel_rise_cm"]
        assert "pose model" not in e["flags"].get("heel_rise_cm", "")
    mean = as_mp.summary["mean_heel_rise_cm"]
    # not divided by the number of reps: one camera, shoes and lighting for all
    assert as_mp.summary["mean_heel_rise_uncertainty_cm"] >= 1.96 * rel * mean - 0.01
    assert "from the pose model" in as_mp.flags["mean_heel_rise_cm"]
    assert "pose model" not in plain.flags.get("mean_heel_rise_cm", "")
    assert (
        plain.summary["mean_heel_rise_uncertainty_cm"]
        < as_mp.summary["mean_heel_rise_uncertainty_cm"]
    )


@pytest.mark.parametrize(
    ("rel_sd", "cue"),
    [
        (0.0, True),  # 4.7 cm + 1.6 cm (95%: SEM and noise) stays under 6.5 cm
        (0.12, False),  # + the factor's 12% spread: 6.6 cm could be true, no cue
    ],
)
def test_rise_higher_counts_the_factor_spread(rel_sd: float, cue: bool) -> None:
    t, h, _ = trapezoid_reps([4.7] * 4)
    res = analyze_traces(t, {"left": traces_for(h)}, TH, rise_rel_sd=np.full(len(t), rel_sd))
    assert any("aim for at least" in c.message for c in res.cues) == cue


def test_left_right_difference_is_not_widened_by_the_factor_spread() -> None:
    # both legs on one clip share the camera: the spread cancels in their difference
    t, h_left, _ = trapezoid_reps([8.0] * 4)
    _, h_right, _ = trapezoid_reps([5.5] * 4)
    legs = {"left": traces_for(h_left), "right": traces_for(h_right)}
    plain = analyze_traces(t, legs, TH)
    spread = analyze_traces(t, legs, TH, rise_rel_sd=np.full(len(t), 0.12))
    for res in (plain, spread):
        lr = res.summary["left_right"]
        assert lr is not None and lr["difference_cm"] == pytest.approx(2.5, abs=0.1)
        assert lr["difference_meaningful"]  # 2.5 cm > the 2.2 cm MDC of the SEM
    assert spread.summary["left_right"] == plain.summary["left_right"]


def test_heel_rise_test_peak_norm_counts_the_factor_spread() -> None:
    # 8.2 cm against the 9.3 cm median: below it by more than the 0.8 cm SEM, but
    # within the SEM and a 12% factor spread (1.3 cm) in quadrature
    t, h, _ = trapezoid_reps([8.2] * 6, up=0.8, hold=0.2, down=0.8, rest=0.2)
    verdicts = {}
    for rel in (0.0, 0.12):
        res = analyze_traces(
            t,
            {"left": traces_for(h)},
            TH,
            variant={"heel_rise_test": True},
            rise_rel_sd=np.full(len(t), rel),
        )
        peak = [n for n in res.norms if n.metric == "peak_heel_rise_cm"]
        assert len(peak) == 1 and peak[0].value == pytest.approx(8.2, abs=0.1)
        verdicts[rel] = peak[0].verdict
    assert verdicts == {0.0: "below the median", 0.12: "about the median"}


# ------------------------------- bent-knee reps on pose-model tracks: the knee-bend gain
@pytest.mark.parametrize(
    ("knee", "share", "want"),
    [
        (0.0, 0.01, 1.0),  # straight knee: the straight-knee factor alone
        (11.9, 0.01, 1.0),  # just under bent_knee_deg (12): still straight, untouched
        (20.0, 0.01, 1.0 / (1.0 - 0.01 * 20.0)),  # bent: the read share's inverse
        (45.0, 0.01, 1.0 / (1.0 - 0.01 * 30.0)),  # capped at the deepest rendered bend
        (20.0, 0.0, 1.0),  # no fall per degree (synthetic, oblique, front, back)
        (float("nan"), 0.01, 1.0),  # knee not measured: no gain
    ],
)
def test_bent_knee_rise_gain(knee: float, share: float, want: float) -> None:
    assert TH.bent_knee_deg == 12.0 and TH.bent_knee_rise_knee_max_deg == 30.0
    assert bent_knee_rise_gain(knee, share, TH) == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize(("knee", "fires"), [(22.0, True), (5.0, False)])
def test_bent_knee_gain_raises_bent_reps_only_with_a_flag(knee: float, fires: bool) -> None:
    t, h, _ = trapezoid_reps([4.0] * 4)
    tr = _with_knee(traces_for(h), knee)
    share = np.full(len(t), TH.bent_knee_rise_share_per_deg)
    plain = analyze_traces(t, {"left": tr}, TH, landmark_heel=True)
    gained = analyze_traces(t, {"left": tr}, TH, landmark_heel=True, bent_share_per_deg=share)
    want = bent_knee_rise_gain(knee, TH.bent_knee_rise_share_per_deg, TH) if fires else 1.0
    p_reps = [e for e in plain.events if e["kind"] == "rep"]
    g_reps = [e for e in gained.events if e["kind"] == "rep"]
    assert len(p_reps) == len(g_reps) == 4
    for p, g in zip(p_reps, g_reps, strict=True):
        assert g["peak_s"] == p["peak_s"]
        assert g["heel_rise_cm"] == pytest.approx(want * p["heel_rise_cm"], abs=0.011)
        assert ("bent knee: raised" in g["flags"].get("heel_rise_cm", "")) == fires
        if fires:  # its spread: at least bent_knee_rise_rel_sd of the corrected rise
            assert g["heel_rise_se_cm"] >= TH.bent_knee_rise_rel_sd * g["heel_rise_cm"] - 0.01


def _bent_gain_report(knee: float, view: str, variant: str) -> tuple[Any, Any]:
    """(report, report with the gain off) of a 4-rep synthetic set labelled ``variant``."""
    import dataclasses

    syn = synthesize(
        CalfRaiseProfile(reps=4, heel_rise_cm=6.0, knee_flexion_deg=knee),
        CameraSpec(view=view),
        NoiseSpec.low(),
        seed=2,
    )
    track = dataclasses.replace(syn.track, model_variant=variant)
    h = syn.truth.height_cm
    on = analyze_track(track, "calf-raise", DrillOptions(height_cm=h))
    off = analyze_track(
        track,
        "calf-raise",
        DrillOptions(height_cm=h, thresholds={"bent_knee_rise_share_per_deg": 0.0}),
    )
    return on, off


@pytest.mark.parametrize(
    ("knee", "view", "variant", "fires"),
    [
        (25.0, "side", "full", True),  # bent knee, side-on, pose-model heel: corrected
        (0.0, "side", "full", False),  # straight knee on a pose-model track: exactly as before
        (25.0, "side", "synthetic", False),  # the body model's heel: nothing to correct
        (25.0, "oblique", "full", False),  # oblique reads the bent knee like the straight
    ],
)
def test_bent_knee_gain_fires_on_bent_side_pose_model_reps_only(
    knee: float, view: str, variant: str, fires: bool
) -> None:
    on, off = _bent_gain_report(knee, view, variant)
    a = [e for e in on.events if e["kind"] == "rep"]
    b = [e for e in off.events if e["kind"] == "rep"]
    assert len(a) == len(b) == 4
    assert on.summary["rep_count"] == off.summary["rep_count"] == 4
    for x, y in zip(a, b, strict=True):
        assert x["peak_s"] == y["peak_s"]
        if fires:
            gain = bent_knee_rise_gain(x["knee_flexion_deg"], TH.bent_knee_rise_share_per_deg, TH)
            assert gain > 1.15
            assert x["heel_rise_cm"] == pytest.approx(gain * y["heel_rise_cm"], abs=0.02)
        else:
            assert x["heel_rise_cm"] == y["heel_rise_cm"]
            assert "bent knee: raised" not in x["flags"].get("heel_rise_cm", "")


@pytest.mark.parametrize(("rises", "steady"), [((8.0, 8.4, 7.8), True), ((5.7, 11.7), False)])
def test_good_reps_cue_says_steady_only_when_the_heights_were(
    rises: tuple[float, ...], steady: bool
) -> None:
    # reps of 5.7 and 11.7 cm (a rendered set from the front) used to be told
    # "2 good reps: steady height and tempo"
    from types import SimpleNamespace

    from formcheck.drills.calf_raise import _cues

    reps: list[Any] = [
        SimpleNamespace(heel_rise_cm=h, peak_s=2.0 * i, partial=False) for i, h in enumerate(rises)
    ]
    cues = _cues(reps, reps, [], TH, float(np.mean(rises)), 12.0, None, None, None, False)
    (cue,) = cues
    assert ("steady height" in cue.message) is steady
    if not steady:
        assert "varied by 49%" in cue.message


# ------------------------------------------------- a single-leg set on each leg
LEG_CHANGE = CalfRaiseProfile(
    reps=6,
    sets=2,
    set_legs=("left", "right"),
    set_rest_s=4.0,
    up_s=1.0,
    hold_s=0.2,
    down_s=0.8,
    rest_s=0.0,
    lead_in_s=1.0,
    lead_out_s=1.0,
)
"""Six single-leg reps on the left leg, then six on the right, on the heel-rise test's beat."""


@pytest.mark.parametrize("noise", ["low", "realistic"])
@pytest.mark.parametrize("view", ["front", "side", "oblique", "back"])
def test_a_single_leg_set_on_each_leg_is_measured_on_each(view: str, noise: str) -> None:
    # the legs were chosen once for the whole clip: 12 reps all read as one leg's (front)
    # or a double-leg rep merged from both sets' traces
    syn = synthesize(LEG_CHANGE, CameraSpec(view=view), NoiseSpec.preset(noise), seed=0)
    report = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=175.0))
    got = [e for e in report.events if e["kind"] == "rep" and not e["partial"]]
    truth = [e for e in syn.truth.events if e["kind"] == "rep"]
    assert [e["leg"] for e in got] == [e["leg"] for e in truth]
    for g, e in zip(got, truth, strict=True):
        assert abs(g["peak_s"] - e["peak_s"]) < 0.3
        if noise == "low" and view != "front":
            # from the front a single-leg set's heel is read alone (its free foot moves with
            # the body): 0.62-0.83 cm worst rep on one-leg 6-rep sets at low noise too
            assert abs(g["heel_rise_cm"] - e["heel_rise_cm"]) <= 0.5, (
                g["peak_s"],
                g["heel_rise_cm"],
            )
    lr = report.summary["left_right"]
    assert (lr["left"]["reps"], lr["right"]["reps"]) == (6, 6)
    for leg in ("left", "right"):  # the page's cards
        assert report.summary[f"{leg}_mean_heel_rise_cm"] == lr[leg]["mean_heel_rise_cm"]
    # from the front each heel is the pose model's guess: the legs are not compared (a
    # render read 9.5 and 4.7 cm for two legs rising 8 cm, a "meaningful" difference)
    if view == "front":
        assert lr["difference_meaningful"] is None
        assert "not compared" in report.flags["left_right"]
        assert "not compared" in report.flags["right_mean_heel_rise_cm"]
    else:
        assert lr["difference_meaningful"] is False  # both legs rose 8 cm
        assert "left_right" not in report.flags
    assert report.summary["stance"] == "single"
    (note,) = [w for w in report.warnings if w.code == "calf_legs_changed"]
    assert "left 0.0-" in note.message and "right " in note.message


def test_heel_rise_test_on_each_leg_compares_each_leg_with_the_norms() -> None:
    # the two legs' reps were compared with the norms as one leg's 12, and the pause
    # between the legs counted as a rep off the beat
    syn = synthesize(LEG_CHANGE, CameraSpec(view="side"), NoiseSpec.low(), seed=0)
    report = analyze_track(
        syn.track,
        "calf-raise",
        DrillOptions(height_cm=175.0, variant={"heel_rise_test": True}),
    )
    s = report.summary
    assert (s["left_rep_count"], s["right_rep_count"]) == (6, 6)
    assert s["off_metronome_reps"] == 0
    metrics = {n.metric for n in report.norms}
    assert {
        "left_rep_count",
        "right_rep_count",
        "left_peak_heel_rise_cm",
        "right_peak_heel_rise_cm",
        "left_total_vertical_cm",
        "right_total_vertical_cm",
    } <= metrics
    assert "rep_count" not in metrics
    assert all(n.value == 6 for n in report.norms if n.metric.endswith("rep_count"))
    assert not any(w.code == "calf_test_double_leg" for w in report.warnings)


@pytest.mark.parametrize("leg", ["left", "both"])
def test_one_stance_all_clip_long_is_not_a_change_of_legs(leg: str) -> None:
    prof = CalfRaiseProfile(reps=5, leg=leg)
    for view in ("front", "side"):
        syn = synthesize(prof, CameraSpec(view=view), NoiseSpec.realistic(), seed=1)
        report = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=175.0))
        assert not any(w.code == "calf_legs_changed" for w in report.warnings)
        assert report.summary["rep_count"] == 5


def test_stretches_of_held_up_runs_bridge_glitches_and_split_at_the_change() -> None:
    t = np.arange(0, 20, 1 / FPS)
    free = np.full(t.size, "", dtype="<U5")
    free[t < 10] = "right"  # standing on the left
    free[(t > 5) & (t < 6.5)] = ""  # the free foot placed on the standing one for 1.5 s
    free[(t > 7) & (t < 7.5)] = "left"  # a half-second glitch
    free[t >= 12] = "left"  # then on the right leg
    first, second = stretches_of_runs(held_up_runs(t, free), t.size)
    assert (first.leg, second.leg) == ("left", "right")
    assert first.start == 0 and second.stop == t.size
    assert first.stop == second.start
    assert t[first.stop] == pytest.approx(11.0, abs=0.05)  # halfway between the two
    # a foot up for less than SWITCH_MIN_SET_S is no set
    short = np.where(t < 3.0, "right", "")
    assert stretches_of_runs(held_up_runs(t, short), t.size) == []


def test_the_other_leg_stands_in_the_long_gaps_between_one_foots_runs() -> None:
    # side-on, far leg then near leg: the near foot held up is seen (a run), the far foot
    # held up behind the near leg is placed near the floor (no run); the near leg's set is
    # in the gap after the run
    t = np.arange(0, 20, 1 / FPS)
    free = np.where(t < 8.0, "right", "")
    runs = held_up_runs(t, free)
    first, second = with_the_other_leg_between(t, runs, "right")
    assert (first.leg, second.leg) == ("left", "right")
    assert first.start == 0 and second.stop == t.size and first.stop == second.start
    assert t[first.stop] == pytest.approx(8.0, abs=0.05)  # the run's end: nothing to halve
    # near leg first: the gap is before the run
    first, second = with_the_other_leg_between(t, held_up_runs(t, free[::-1]), "right")
    assert (first.leg, second.leg) == ("right", "left")
    assert t[first.stop] == pytest.approx(12.0, abs=0.05)
    # a gap under SWITCH_MIN_SET_S (a lead-in, a rest) stays with the run
    lead = np.where(t >= 3.0, "right", "")
    (only,) = with_the_other_leg_between(t, held_up_runs(t, lead), "right")
    assert (only.leg, only.start, only.stop) == ("left", 0, t.size)


def _far_foot_put_down(syn: Any, t_change: float, t_back: float = np.inf) -> PoseTrack:
    """``syn``'s side-on track as MediaPipe gave it on a render of the same change of legs.

    From ``t_change`` to ``t_back`` (s) the far (left) foot, held up behind the near leg, is
    placed beside the standing foot, 0.5% of the picture above it, and the far
    leg's knee and foot have visibility 0.4 all along (under the conditioning's
    0.5, so it drops them): on the render the far heel read 3-5 cm above the
    standing one for a true 35, with visibility 0.37-0.56.
    """
    tr = syn.track
    lm, vis = np.array(tr.landmarks), np.array(tr.visibility)
    t = np.asarray(tr.timestamps_s)
    later = (t > t_change) & (t < t_back)
    for far, near in ((27, 28), (29, 30), (31, 32)):
        lm[later, far, 1] = lm[later, near, 1] - 0.005
    vis[:, [25, 27, 29, 31]] = 0.4
    return dataclasses.replace(
        tr, landmarks=lm.astype(tr.landmarks.dtype), visibility=vis.astype(tr.visibility.dtype)
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_side_on_far_leg_then_near_leg_each_measured_on_its_own_leg(seed: int) -> None:
    # the near foot held up in the first set was seen, the far foot held up in the second
    # was not (placed near the floor): the near leg, which has reps in the second set, was
    # measured all clip long, and its free foot's rises in the first read as 5 right reps
    syn = synthesize(LEG_CHANGE, CameraSpec(view="side"), NoiseSpec.low(), seed=seed)
    truth = [e for e in syn.truth.events if e["kind"] == "rep"]
    track = _far_foot_put_down(syn, (truth[5]["end_s"] + truth[6]["start_s"]) / 2)
    report = analyze_track(track, "calf-raise", DrillOptions(height_cm=175.0))
    got = [e for e in report.events if e["kind"] == "rep" and not e["partial"]]
    assert [e["leg"] for e in got] == [e["leg"] for e in truth] == ["left"] * 6 + ["right"] * 6
    assert report.summary["set_count"] == 2
    assert any(w.code == "calf_legs_changed" for w in report.warnings)
    for g, e in zip(got, truth, strict=True):
        assert abs(g["peak_s"] - e["peak_s"]) < 0.3
        if g["leg"] == "left":
            # the far foot: the pose model's low-visibility placement, flagged; within the
            # pose model's per-clip spread the flag states (12%)
            assert "behind your other leg" in g["flags"]["heel_rise_cm"]
            assert "behind your other leg" in g["flags"]["knee_flexion_deg"]
            assert g["heel_rise_cm"] == pytest.approx(e["heel_rise_cm"], rel=0.12)
        else:
            assert abs(g["heel_rise_cm"] - e["heel_rise_cm"]) <= 0.5


@pytest.mark.parametrize("seed", [0, 1])
def test_side_on_alternating_sets_far_near_far_each_on_its_own_leg(seed: int) -> None:
    # the near foot held up in the two far-leg sets made two runs, joined across the near
    # leg's set between them (its far foot, held up, placed near the floor): one far-leg
    # stretch all clip long, and the near leg's 6 reps were lost
    prof = dataclasses.replace(LEG_CHANGE, sets=3, set_legs=("left", "right", "left"))
    syn = synthesize(prof, CameraSpec(view="side"), NoiseSpec.low(), seed=seed)
    truth = [e for e in syn.truth.events if e["kind"] == "rep"]
    gaps = [(truth[k - 1]["end_s"] + truth[k]["start_s"]) / 2 for k in (6, 12)]
    report = analyze_track(
        _far_foot_put_down(syn, *gaps), "calf-raise", DrillOptions(height_cm=175.0)
    )
    got = [e for e in report.events if e["kind"] == "rep" and not e["partial"]]
    assert [e["leg"] for e in got] == [e["leg"] for e in truth]
    assert [e["leg"] for e in truth] == ["left"] * 6 + ["right"] * 6 + ["left"] * 6
    assert report.summary["set_count"] == 3
    for g, e in zip(got, truth, strict=True):
        assert abs(g["peak_s"] - e["peak_s"]) < 0.3
        limit = 0.12 * e["heel_rise_cm"] if g["leg"] == "left" else 0.5  # as above
        assert abs(g["heel_rise_cm"] - e["heel_rise_cm"]) <= limit


def test_render_alternating_sets_side_on_are_each_measured_on_their_leg() -> None:
    # MediaPipe's track of our render `python -m formcheck.render --drill
    # calf-raise-alternating --view side` (3 reps on the left, far, leg, 3 on the right,
    # 3 on the left; landmarks rounded to 0.0005 of the picture, visibilities to 0.01).
    # It read "8 reps, left leg" in one set: the near foot's rises while held up in the
    # middle set counted as two far-leg reps of 9.7-9.8 cm
    track = load_track(Path(__file__).parent / "data" / "side_alternating_sets.npz")
    syn = synthesize(
        PRESETS["calf-raise-alternating"].make(), CameraSpec(view="side"), NoiseSpec.none()
    )
    truth = [e for e in syn.truth.events if e["kind"] == "rep"]
    report = analyze_track(track, "calf-raise", DrillOptions(height_cm=175.0))
    got = [e for e in report.events if e["kind"] == "rep" and not e["partial"]]
    assert [e["leg"] for e in got] == [e["leg"] for e in truth]
    assert [e["leg"] for e in truth] == ["left"] * 3 + ["right"] * 3 + ["left"] * 3
    assert report.summary["set_count"] == 3
    for g, e in zip(got, truth, strict=True):
        assert abs(g["peak_s"] - e["peak_s"]) < 0.3
        if g["leg"] == "right":
            assert abs(g["heel_rise_cm"] - e["heel_rise_cm"]) <= 0.7
        else:  # the far leg reads low side-on (a known gap), and says so
            assert "behind your other leg" in g["flags"]["heel_rise_cm"]
            assert g["heel_rise_cm"] >= 0.7 * e["heel_rise_cm"]


def test_held_up_runs_stay_apart_across_a_long_gap_and_join_across_a_short_one() -> None:
    t = np.arange(0.0, 30.0, 0.1)
    free = np.full(t.size, "", dtype="<U5")
    free[(t >= 1) & (t < 9)] = "right"
    free[(t >= 10) & (t < 12)] = "right"  # 1 s gap: the same set
    free[(t >= 20) & (t < 28)] = "right"  # 8 s gap: another set (the hidden leg's between)
    runs = held_up_runs(t, free)
    assert [(round(t[a], 1), round(t[b - 1], 1), f) for a, b, f in runs] == [
        (1.0, 11.9, "right"),
        (20.0, 27.9, "right"),
    ]
    (one,) = stretches_of_runs(runs, t.size)  # on its own, still one stretch on the left leg
    assert (one.start, one.stop, one.leg) == (0, t.size, "left")
    free[:] = ""
    free[(t >= 2) & (t < 3)] = "left"  # a step: dropped
    free[(t >= 14) & (t < 16)] = "right"  # two 2 s pieces 6 s apart: kept for their
    free[(t >= 22) & (t < 24)] = "right"  # 10 s together, as before, but apart
    runs = held_up_runs(t, free)
    assert [(round(t[a], 1), round(t[b - 1], 1), f) for a, b, f in runs] == [
        (14.0, 15.9, "right"),
        (22.0, 23.9, "right"),
    ]


def test_fatigue_is_each_legs_own_after_a_change_of_legs() -> None:
    # the first third of the reps (left leg) was compared with the last third (right leg)
    prof = dataclasses.replace(LEG_CHANGE, fatigue_pct=30.0)
    syn = synthesize(prof, CameraSpec(view="side"), NoiseSpec.low(), seed=0)
    report = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=175.0))
    rises = [e["heel_rise_cm"] for e in syn.truth.events if e["kind"] == "rep"][:6]
    truth = 100.0 * (1.0 - np.mean(rises[-2:]) / np.mean(rises[:2]))  # 24.7%
    for leg in ("left", "right"):
        assert abs(report.summary["left_right"][leg]["fatigue_pct"] - truth) < 5.0, leg
        assert any(f"over your {leg} leg's set" in c.message for c in report.cues)
    assert report.summary["fatigue_pct"] is None
    assert "each leg's own" in report.flags["fatigue_pct"]
