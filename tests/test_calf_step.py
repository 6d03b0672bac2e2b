"""Calf raises on a step: heels lowered below the step's level between reps (``calf_step``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.drills.calf_step import STEP_LEVEL_REASON
from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize
from formcheck.track import load_track

REPS = 8


def _synthetic_report(
    profile: CalfRaiseProfile, view: str, noise: str = "low", seed: int = 0
) -> tuple[Any, Any]:
    """``profile`` synthesized in ``view`` at the ``noise`` preset, and its calf-raise report."""
    syn = synthesize(profile, CameraSpec(view=view), getattr(NoiseSpec, noise)(), seed=seed)
    report = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm))
    return syn, report


def _report(drop_cm: float, view: str, noise: str, seed: int = 0) -> tuple[Any, Any]:
    profile = (
        CalfRaiseProfile(reps=REPS, rest_s=2.8, drop_cm=drop_cm)
        if drop_cm > 0
        else CalfRaiseProfile(reps=REPS)
    )
    return _synthetic_report(profile, view, noise, seed)


def _reps(report: Any) -> list[dict[str, Any]]:
    return [e for e in report.events if e["kind"] == "rep" and not e["partial"]]


@pytest.mark.parametrize("view", ["side", "oblique", "front", "back"])
def test_a_set_on_a_step_counts_its_reps_and_measures_rise_from_the_steps_level(
    view: str,
) -> None:
    # before: the first rep read its rise from the level on one side and the
    # drop's bottom on the other (9.4 cm of 8), the others rise plus drop
    # (12 cm), and the heel's way back up to the level after the last drop was
    # one more, partial rep
    syn, report = _report(5.0, view, "low")
    truth = [e for e in syn.truth.events if e["kind"] == "rep"]
    assert {e["heel_drop_cm"] for e in truth} == {5.0}
    assert report.summary["on_step"] is True
    assert report.summary["rep_count"] == REPS
    assert report.summary["partial_reps"] == 0
    assert report.summary["reps_below_step"] == REPS
    for e in _reps(report):
        assert abs(e["heel_rise_cm"] - 8.0) < 0.5, e
        # the heel landmark sits above the sole: its fall reads up to ~0.8 cm long
        assert -0.5 < e["heel_drop_cm"] - 5.0 < 1.0, e
        assert "approximate" in e["flags"]["heel_drop_cm"]
    assert abs(report.summary["mean_heel_drop_cm"] - 5.0) < 0.8
    back_to_level = [e for e in report.events if e["kind"] == "not_a_rep"]
    # every movement that is not a rep is a way back up to the level (at least
    # the one after the last drop)
    assert back_to_level
    assert {e["reason"] for e in back_to_level} == {STEP_LEVEL_REASON}
    assert back_to_level[-1]["peak_s"] > max(e["peak_s"] for e in truth)
    said = [c.message for c in report.cues if c.message.startswith("on a step")]
    assert len(said) == 1
    sank = float(re.search(r"sank ([0-9.]+) cm", said[0]).group(1))  # type: ignore[union-attr]
    assert sank == pytest.approx(report.summary["mean_heel_drop_cm"], abs=0.051)


@pytest.mark.parametrize("seed", range(6))
def test_a_set_on_a_step_at_realistic_noise(seed: int) -> None:
    # seeds 0 and 1 read 7.44 of 8 cm (mean rise) and 4.0 of 5 (mean drop) while the
    # standing after the set counted only from the end of the way back up from the last
    # drop (taken for a rep then); it now counts from the top of that way up (8 seeds:
    # rise 7.55-8.21, drop 4.66-5.69)
    syn, report = _report(5.0, "side", "realistic", seed)
    assert report.summary["on_step"] is True
    assert report.summary["rep_count"] == REPS
    peaks = sorted({round(e["peak_s"], 2) for e in syn.truth.events if e["kind"] == "rep"})
    found = sorted(e["peak_s"] for e in _reps(report))
    assert np.max(np.abs(np.array(found) - np.array(peaks))) < 0.3
    assert abs(report.summary["mean_heel_rise_cm"] - 8.0) < 0.5
    assert abs(report.summary["mean_heel_drop_cm"] - 5.0) < 1.0


@pytest.mark.parametrize("view", ["side", "front", "back"])
@pytest.mark.parametrize("noise", ["low", "realistic", "heavy"])
def test_flat_ground_is_never_taken_for_a_step(view: str, noise: str) -> None:
    # 72 clips (4 views x 3 noise levels x 6 seeds) read no step when measured;
    # three seeds per cell here
    for seed in range(3):
        _, report = _report(0.0, view, noise, seed)
        assert report.summary["on_step"] is False, seed
        assert report.summary["mean_heel_drop_cm"] is None
        assert report.summary["reps_below_step"] is None
        assert all(e["heel_drop_cm"] is None for e in _reps(report))
        assert not any("heel_drop_cm" in e["flags"] for e in _reps(report))
        assert not any("on a step" in c.message for c in report.cues)


def test_a_shallow_drop_is_not_a_drop() -> None:
    # a 1 cm dip below the level is under min_heel_drop_cm: flat ground rules
    _, report = _report(1.0, "side", "low")
    assert report.summary["on_step"] is False
    assert report.summary["rep_count"] == REPS


def test_the_profile_checks_the_drop_fits_in_the_rest() -> None:
    with pytest.raises(ValueError, match="fit in rest_s"):
        CalfRaiseProfile(reps=2, rest_s=1.0, drop_cm=5.0)
    with pytest.raises(ValueError, match="drop_cm"):
        CalfRaiseProfile(reps=2, drop_cm=-1.0)


def _sets_on_each_leg(view: str) -> tuple[Any, Any]:
    """A single-leg set on a step on the left leg, then one on the right (low noise)."""
    profile = CalfRaiseProfile(
        reps=4,
        sets=2,
        set_legs=("left", "right"),
        set_rest_s=6.0,
        rest_s=2.8,
        drop_cm=5.0,
        lead_in_s=1.5,
        lead_out_s=1.5,
    )
    return _synthetic_report(profile, view)


@pytest.mark.parametrize("view", ["side", "oblique"])
def test_single_leg_sets_on_a_step_on_each_leg_are_each_measured(view: str) -> None:
    # the second leg's set is searched in its own span; its toe's standing noise was
    # read from the span's slice with the clip's row numbers (IndexError)
    _, report = _sets_on_each_leg(view)
    reps = _reps(report)
    assert [e["leg"] for e in reps] == ["left"] * 4 + ["right"] * 4
    assert report.summary["on_step"] is True
    assert report.summary["reps_below_step"] == 8
    for e in reps:
        assert -0.5 < e["heel_drop_cm"] - 5.0 < 1.0, e


DATA = Path(__file__).parent / "data"


def _render_report(name: str) -> Any:
    # MediaPipe's track of our render `python -m formcheck.render --drill calf-raise-step`
    # (3 reps of 8 cm, heels 5 cm below the step between them, 1.5 s standing flat on
    # the step before and after; landmarks rounded to 0.0005 of the picture,
    # visibilities to 0.01)
    track = load_track(DATA / f"step_{name}.npz")
    return analyze_track(track, "calf-raise", DrillOptions(height_cm=175.0))


def test_render_on_a_step_front_oblique_both_feet_are_measured_from_the_step() -> None:
    # the far foot's rises were all "the whole foot left the floor": at the bottom
    # of each drop MediaPipe put its toe ~6 cm lower, and the toe's lift was measured
    # from there; its first rep, measured from the bottoms, read 9.8 cm and made the
    # first double-leg rep 8.3 cm, the others 6.4 cm on the near foot alone
    report = _render_report("oblique")
    truth_peaks = [2.5, 7.3, 12.1]
    reps = _reps(report)
    assert report.summary["on_step"] is True
    assert [e["leg"] for e in reps] == ["both"] * 3
    assert np.max(np.abs(np.array([e["peak_s"] for e in reps]) - truth_peaks)) < 0.3
    for e in reps:
        # within the oblique pose-model spread the flag states (about +-14%)
        assert abs(e["heel_rise_cm"] - 8.0) <= 0.14 * 8.0, e
        assert 5.0 * 0.6 <= e["heel_drop_cm"] <= 5.0 * 1.4, e
    others = [e for e in report.events if e["kind"] == "not_a_rep"]
    assert others and {e["reason"] for e in others} == {STEP_LEVEL_REASON}


@pytest.mark.parametrize("view", ["side", "oblique"])
def test_single_leg_sets_on_a_step_rise_within_half_a_cm(view: str) -> None:
    # each leg's stretch was fitted on every frame, drops included, and read 7.31-7.54
    # of 8 cm at low noise (7.50-7.56 with perfect landmarks): the stretches of a clip
    # whose legs change are now refitted above the step's level too
    _, report = _sets_on_each_leg(view)
    reps = _reps(report)
    assert len(reps) == 8
    for e in reps:
        assert abs(e["heel_rise_cm"] - 8.0) < 0.5, e


def test_render_on_a_step_side_on_is_found_on_a_step() -> None:
    # side-on, MediaPipe reads the rendered 5 cm drop ~2 cm below the heel landmark's
    # flat level (far foot 2.1-2.7, near foot 1.9-2.1), at min_heel_drop_cm, and this
    # rounded track was read as flat ground: rises 9.6-10.9 cm of 8 (rise plus part of
    # the drop) and the way back up from the last drop as a partial rep; the hips
    # went down 3.7 cm with each drop (the truth's ankle 3.45) and now witness it
    report = _render_report("side")
    assert report.summary["on_step"] is True
    assert report.summary["rep_count"] == 3 and report.summary["partial_reps"] == 0
    assert report.summary["reps_below_step"] == 3
    for e in _reps(report):
        assert abs(e["heel_rise_cm"] - 8.0) <= 0.12 * 8.0, e


FPS = 30.0


def _trace_with_reps(
    tops_s: list[float], drop_cm: float, end_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """(t, heel cm): 8 cm reps (up 1 s, hold 0.5 s, down 1.5 s) topping at ``tops_s``, each
    lowered ``drop_cm`` below the level for 1 s after its way down (0: flat ground)."""
    t = np.arange(0.0, end_s, 1.0 / FPS)
    h = np.zeros_like(t)
    for top in tops_s:
        up = np.clip((t - (top - 1.25)) / 1.0, 0.0, 1.0)
        down = np.clip((t - (top + 0.25)) / 1.5, 0.0, 1.0)
        h += 8.0 * (up - down)
        if drop_cm:
            sink = np.clip((t - (top + 1.75)) / 0.5, 0.0, 1.0)
            rise = np.clip((t - (top + 2.75)) / 0.5, 0.0, 1.0)
            h -= drop_cm * (sink - rise)
    return t, h


def _step_traces(t: np.ndarray, h: np.ndarray, hips: np.ndarray) -> Any:
    from formcheck.drills.calf_raise import LegTraces

    n = t.size
    return LegTraces(
        heel_cm=h,
        toe_cm=np.zeros(n),
        body_cm=0.7 * h,
        plantarflexion_deg=2.5 * h,
        knee_flexion_deg=np.full(n, 2.0),
        reliable=np.ones(n, bool),
        hips_along_cm=hips,
    )


def _analyzed(
    t: np.ndarray,
    h: np.ndarray,
    hips: np.ndarray,
    turns_s: tuple[float, ...],
    body: np.ndarray | None = None,
    knee: np.ndarray | None = None,
) -> Any:
    import dataclasses

    from formcheck.drills.calf_raise import analyze_traces, load_calf_thresholds

    tr = _step_traces(t, h, hips)
    if body is not None:
        tr = dataclasses.replace(tr, body_cm=body)
    if knee is not None:
        tr = dataclasses.replace(tr, knee_flexion_deg=knee)
    return analyze_traces(
        t,
        {"right": tr},
        load_calf_thresholds({}),
        views=np.full(t.size, "side"),
        turns_s=turns_s,
    )


def test_a_heel_read_low_after_turning_round_is_no_drop_below_a_step() -> None:
    # flat ground: three reps, the runner turns round after the first (6.4-7.4 s) and
    # the turned view reads the standing heel 3 cm lower from then on, the real
    # turning clip's rear-oblique set in short
    t, h = _trace_with_reps([3.0, 9.5, 13.0], 0.0, 16.5)
    turned = np.clip((t - 6.4) / 1.0, 0.0, 1.0)
    h = h - 3.0 * turned
    hips = np.zeros_like(t)
    before = _analyzed(t, h, hips, ())
    assert before.summary["on_step"] is True  # what the turn did unseen
    result = _analyzed(t, h, hips, (7.0,))
    assert result.summary["on_step"] is False
    assert result.summary["rep_count"] == 3
    reps = [e for e in result.events if e["kind"] == "rep"]
    assert all(e["heel_drop_cm"] is None for e in reps)
    for e in reps:
        assert abs(e["heel_rise_cm"] - 8.0) < 0.5, e


def test_a_lowering_is_read_only_while_the_runner_stands_where_they_stood_flat() -> None:
    from formcheck.drills.calf_raise import load_calf_thresholds
    from formcheck.drills.calf_step import Place, _in_place, _until_moved

    th = load_calf_thresholds({})
    t = np.arange(0.0, 10.0, 1.0 / FPS)
    flat = t < 1.5
    # the hips walk 60 cm along the floor from 6 s (side-on)
    hips = 60.0 * np.clip((t - 6.0) / 1.5, 0.0, 1.0)
    side = Place.of(t, np.full(t.size, "side"), ())
    ok = _in_place(t, hips, side, flat, th)
    left_at = t[np.flatnonzero(~ok)[0]]
    # 15 cm (step_min_hip_travel_cm) is a quarter of the way: 6.375 s, smoothed
    assert 6.3 < left_at < 6.5
    assert ok[t < 6.3].all() and not ok[t > 6.5].any()
    lo = int(np.searchsorted(t, 4.0))
    assert t[_until_moved(ok, lo, t.size)] == left_at
    # from the front a shift of weight moves the hips across the picture: not judged
    front = Place.of(t, np.full(t.size, "front"), ())
    assert _in_place(t, hips, front, flat, th).all()
    # a lasting turn at 5 s: the level read before it does not apply after it
    turned = _in_place(
        t, np.full(t.size, np.nan), Place.of(t, np.full(t.size, "side"), (5.0,)), flat, th
    )
    assert turned[t < 5.0].all() and not turned[t >= 5.0].any()
    # no place known: everything is in place
    assert _in_place(t, hips, None, flat, th).all()


def test_a_heel_that_sinks_short_of_the_drop_is_on_a_step_when_the_hips_go_down_too() -> None:
    # the heel landmark falls 1.5 cm below its flat level after each rep, short of
    # min_heel_drop_cm (side-on a pose model follows a heel below a step only in part)
    tops = [3.0, 7.0, 11.0, 15.0]
    t, h = _trace_with_reps(tops, 1.5, 19.0)
    _, up = _trace_with_reps(tops, 0.0, 19.0)
    sink = (up - h) / 1.5  # 0 standing or rising, 1 at a lowering's bottom
    hips = np.zeros_like(t)
    # the hips go down with it only by the heel's 1.5 cm: flat ground
    flat = _analyzed(t, h, hips, ())
    assert flat.summary["on_step"] is False
    # the hips go down 3.5 cm, as an ankle does over a 5 cm drop: on a step
    body = 0.7 * up - 3.5 * sink
    result = _analyzed(t, h, hips, (), body=body)
    assert result.summary["on_step"] is True
    assert result.summary["reps_below_step"] == 4
    for e in [e for e in result.events if e["kind"] == "rep"]:
        assert abs(e["heel_rise_cm"] - 8.0) < 0.5, e  # the tolerance
        # the heel landmark's own fall, flagged approximate
        assert e["heel_drop_cm"] == pytest.approx(1.5, abs=0.2)
    # the same hips going down with a knee bending 15 degrees: no step
    knee = 2.0 + 15.0 * sink
    bent = _analyzed(t, h, hips, (), body=body, knee=knee)
    assert bent.summary["on_step"] is False


def _brief_standing_report(view: str, rest_s: float, lead_s: float) -> tuple[Any, Any]:
    """6 reps of 8 cm on a step, 5 cm drops, standing flat only ``lead_s`` before and after."""
    profile = CalfRaiseProfile(
        reps=6, rest_s=rest_s, drop_cm=5.0, lead_in_s=lead_s, lead_out_s=lead_s
    )
    return _synthetic_report(profile, view)


@pytest.mark.parametrize("view", ["side", "oblique", "front"])
@pytest.mark.parametrize(("rest_s", "lead_s"), [(2.4, 0.3), (2.8, 0.3), (2.4, 0.6)])
def test_a_set_that_stands_flat_only_briefly_is_found_on_a_step(
    view: str, rest_s: float, lead_s: float
) -> None:
    # before: no stillness of flat_level_min_s outside the set, so no flat level:
    # read as flat ground, rises 9.4-10.1 cm then 11.9-12.9 (rise plus drop) for 8,
    # and the way back up after the last drop a partial rep (the "rep" whose top
    # stood in the way of the stillness after the set)
    _, report = _brief_standing_report(view, rest_s, lead_s)
    assert report.summary["on_step"] is True
    assert report.summary["rep_count"] == 6
    assert report.summary["partial_reps"] == 0
    for e in _reps(report):
        assert abs(e["heel_rise_cm"] - 8.0) < 0.5, e


@pytest.mark.xfail(
    strict=True,
    reason="known gap (reported): a clip that starts with the first rise and never shows "
    "the runner standing flat on the step before it has one end to read the step's level "
    "from, which could as well be a last partial rise on flat ground: read as flat ground, "
    "rises 9.4 then ~12 cm (rise plus drop) for 8",
)
def test_a_set_filmed_from_its_first_rise_is_found_on_a_step() -> None:
    _, report = _brief_standing_report("side", 2.8, 0.0)
    assert report.summary["on_step"] is True


def test_a_wandering_flat_ground_set_is_not_read_from_brief_standing() -> None:
    # heavy noise, single-leg, from the front, flat ground: its levels between reps
    # spread over 5 cm and two brief stillnesses at its ends agreed by chance, which
    # read it on a step until the brief standing was asked for steady levels too
    _, report = _synthetic_report(CalfRaiseProfile(reps=6, leg="left"), "front", "heavy")
    assert report.summary["on_step"] is False
    assert report.summary["rep_count"] == 6
