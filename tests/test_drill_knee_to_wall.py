"""knee-to-wall drill: pure functions on constructed signals, synthetic
done-means (toe-to-wall within 1 cm, tibia angle within 3 degrees over noise
levels and views), failure paths, and the shared real clips (slow)."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.drills.knee_to_wall import (
    DRILL,
    find_drives,
    hand_wall_u,
    heel_rise,
    implausible_values,
    knee_contact_wall_u,
    load_knee_to_wall_thresholds,
    mean_variance,
    name_front_leg,
    pitch_noise_autocov,
    world_tibia_deg,
)
from formcheck.landmarks import Landmark
from formcheck.synth import synthesize
from formcheck.synth.camera import CameraSpec
from formcheck.synth.noise import NoiseSpec
from formcheck.synth.profiles import CalfRaiseProfile, KneeToWallProfile, LungeAttempt

FPS = 30.0


def _bumps(times: np.ndarray, centres: list[float], heights: list[float], width_s: float = 0.5):
    x = np.zeros_like(times)
    for c, h in zip(centres, heights, strict=True):
        x += h * np.exp(-0.5 * ((times - c) / width_s) ** 2)
    return x


# ------------------------------------------------------------ pure functions
def test_find_drives_counts_and_places_peaks() -> None:
    t = np.arange(0, 12, 1 / FPS)
    x = _bumps(t, [2.0, 5.5, 9.0], [60.0, 80.0, 70.0])
    drives = find_drives(
        x,
        t,
        min_prominence=20.0,
        min_separation_s=0.8,
        bounds_rel_height=0.8,
        deep_depth=2.0,
    )
    assert [round(t[d.peak], 2) for d in drives] == pytest.approx([2.0, 5.5, 9.0], abs=0.04)
    for d in drives:
        assert d.start_s < t[d.peak] < d.end_s


@pytest.mark.parametrize("cut", ["start", "end"])
def test_find_drives_keeps_a_drive_the_video_cut_and_says_which_end(cut: str) -> None:
    t = np.arange(0, 9, 1 / FPS)
    held = np.interp(t, [0, 1.0, 1.6, 9], [55.0, 55.0, 0.0, 0.0])  # deep at the first frame
    x = _bumps(t, [4.0, 7.0], [60.0, 60.0]) + held
    if cut == "end":
        x = x[::-1]
    drives = find_drives(
        x, t, min_prominence=20.0, min_separation_s=0.8, bounds_rel_height=0.8, deep_depth=2.0
    )
    assert [d.cut_by for d in drives] == (
        ["start of video", None, None] if cut == "start" else [None, None, "end of video"]
    )
    edge = drives[0] if cut == "start" else drives[-1]
    assert edge.prominence == pytest.approx(55.0, abs=0.5)  # its seen fall (rise) only
    assert (edge.start_s if cut == "start" else edge.end_s) == (t[0] if cut == "start" else t[-1])
    whole = [d for d in drives if d.cut_by is None]
    assert [round(t[d.peak], 1) for d in whole] == ([4.0, 7.0] if cut == "start" else [2.0, 5.0])


def test_find_drives_does_not_take_settling_at_the_first_frame_for_a_drive() -> None:
    t = np.arange(0, 9, 1 / FPS)
    settle = np.interp(t, [0, 0.5, 9], [25.0, 0.0, 0.0])  # under half the drives' 60
    x = _bumps(t, [4.0, 7.0], [60.0, 60.0]) + settle
    drives = find_drives(
        x, t, min_prominence=20.0, min_separation_s=0.8, bounds_rel_height=0.8, deep_depth=2.0
    )
    assert [d.cut_by for d in drives] == [None, None]


def test_find_drives_ignores_sway_below_prominence() -> None:
    t = np.arange(0, 8, 1 / FPS)
    x = _bumps(t, [2.0, 5.0], [5.0, 60.0])  # a 5-unit sway and one real drive
    drives = find_drives(
        x, t, min_prominence=20.0, min_separation_s=0.8, bounds_rel_height=0.8, deep_depth=2.0
    )
    assert len(drives) == 1
    assert t[drives[0].peak] == pytest.approx(5.0, abs=0.04)


def test_find_drives_hold_peak_is_middle_of_plateau() -> None:
    t = np.arange(0, 10, 1 / FPS)
    x = np.interp(t, [0, 2, 3, 6, 7, 10], [0, 0, 50, 50, 0, 0])  # hold 3..6 s
    x = x + 0.3 * np.sin(7 * t)  # small wobble during the hold
    (d,) = find_drives(
        x, t, min_prominence=20.0, min_separation_s=0.8, bounds_rel_height=0.8, deep_depth=2.0
    )
    assert t[d.peak] == pytest.approx(4.5, abs=0.3)
    assert t[d.deep_start] <= 3.1 and t[d.deep_stop - 1] >= 5.9


def test_heel_rise_detects_lift_and_ignores_jitter() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(0, 6, 1 / FPS)
    drive = _bumps(t, [3.0], [60.0], width_s=0.6)
    (d,) = find_drives(
        drive, t, min_prominence=20.0, min_separation_s=0.8, bounds_rel_height=0.8, deep_depth=2.0
    )
    jitter = rng.normal(0, 1.5, t.shape)  # px
    toe = rng.normal(0, 1.5, t.shape)
    standing = (t < d.start_s) | (t > d.end_s)
    kw = dict(half_window_s=0.1, margin_s=1.0, bounds_rel_height=0.8, noise_max_lag_s=0.5)
    lifted = 20.0 * (drive / 60.0) ** 4 + jitter  # heel rises only near the top
    up = heel_rise(lifted, toe, drive, t, [d], 0, standing, **kw)
    down = heel_rise(jitter, toe, drive, t, [d], 0, standing, **kw)
    assert up.rise_px == pytest.approx(20.0, abs=3.0)
    assert abs(down.rise_px) < 2.0
    # white jitter of 1.5 px: the medians' standard error is well under a pixel
    assert 0.1 < down.se_px < 1.0


def test_heel_rise_baseline_is_the_standing_heel_not_the_half_raised_one() -> None:
    # a heel that lets go as the knee drives (rising with the drive, as the
    # generator lifts it) is partly up half-way into the drive: the standing
    # heel is taken with the knee back beyond the attempt's bounds. Until
    # session 6 the frames below half the drive counted and a 2.5 cm lift read ~2.25
    t = np.arange(0, 8, 1 / FPS)
    drive = np.interp(t, [0, 2, 3, 5, 6, 8], [0, 0, 60, 60, 0, 0])  # 2 s hold
    (d,) = find_drives(
        drive, t, min_prominence=20.0, min_separation_s=0.8, bounds_rel_height=0.8, deep_depth=2.0
    )
    heel = 25.0 * drive / 60.0  # px: up in proportion to the drive
    flat = np.zeros_like(t)
    standing = (t < d.start_s) | (t > d.end_s)
    kw = dict(half_window_s=0.1, margin_s=1.0, bounds_rel_height=0.8, noise_max_lag_s=0.5)
    r = heel_rise(heel, flat, drive, t, [d], 0, standing, **kw)
    assert r.rise_px == pytest.approx(25.0, abs=0.5)


def test_heel_rise_standard_error_counts_slow_wobble() -> None:
    # an AR(1) wobble (0.5 s correlation time) averages down far more slowly than
    # white noise of the same size: the standard error says so
    rng = np.random.default_rng(0)
    n, a = 3000, float(np.exp(-1.0 / (0.5 * FPS)))
    ar = np.zeros(n)
    for i in range(1, n):
        ar[i] = a * ar[i - 1] + np.sqrt(1 - a * a) * rng.normal()
    white = rng.normal(size=n)
    standing = np.ones(n, dtype=bool)
    lag = round(1.0 * FPS)
    g_ar = pitch_noise_autocov(ar, standing, lag)
    g_white = pitch_noise_autocov(white, standing, lag)
    # the mean of 60 frames (2 s): white ~ 1/60; AR ~ 2 tau fps / 60 = 0.5 (less, truncated)
    assert mean_variance(g_white, 60) == pytest.approx(1 / 60, rel=0.3)
    assert mean_variance(g_ar, 60) > 10 * mean_variance(g_white, 60)
    # too few standing frames: unknown, not zero
    assert np.isnan(pitch_noise_autocov(white[:10], standing[:10], lag)).all()


def test_hand_wall_still_hand_found_swinging_hand_rejected() -> None:
    t = np.arange(0, 6, 1 / FPS)
    window = (t > 1) & (t < 5)
    still = 900.0 + np.random.default_rng(0).normal(0, 2.0, t.shape)
    swinging = 700.0 + 150.0 * np.sin(2 * t)
    assert hand_wall_u({"right": still}, [window], 10.0, 0.8) == pytest.approx(900.0, abs=2.0)
    assert hand_wall_u({"left": swinging}, [window], 10.0, 0.8) is None
    # both: the still one wins
    found = hand_wall_u({"left": swinging, "right": still}, [window], 10.0, 0.8)
    assert found == pytest.approx(900.0, abs=2.0)


@pytest.mark.parametrize(
    ("label", "front_y", "back_y", "facing", "expected"),
    [
        # faces image-right: the right side faces the camera; front foot lower = nearer
        ("right", 700.0, 650.0, +1.0, ("right", "geometry", "medium")),
        # same picture but MediaPipe called the front foot "left": geometry wins, low confidence
        ("left", 700.0, 650.0, +1.0, ("right", "geometry", "low")),
        # front foot higher in the picture (farther) while facing right: left leg in front
        ("left", 650.0, 700.0, +1.0, ("left", "geometry", "medium")),
        # facing left mirrors the near side
        ("left", 700.0, 650.0, -1.0, ("left", "geometry", "medium")),
        # feet at the same depth: no geometric cue, fall back to the label
        ("right", 700.0, 698.0, +1.0, ("right", "labels", "low")),
    ],
)
def test_name_front_leg(
    label: Any, front_y: float, back_y: float, facing: float, expected: tuple[str, str, str]
) -> None:
    assert name_front_leg(label, front_y, back_y, 100.0, facing) == expected


def test_find_drives_attempts_never_overlap() -> None:
    # a small drive then a deep one: the deep one's 80% bound reaches back past
    # the small one's peak; they part at the knee's furthest-back point between
    t = np.arange(0, 12, 1 / FPS)
    x = np.interp(t, [0, 2, 4, 5, 7, 10, 12], [0, 0, 60, 30, 100, 0, 0])
    drives = find_drives(
        x, t, min_prominence=20.0, min_separation_s=0.8, bounds_rel_height=0.8, deep_depth=2.0
    )
    assert len(drives) == 2
    assert drives[0].end_s <= drives[1].start_s
    assert drives[1].start_s == pytest.approx(5.0, abs=0.05)  # the valley between them


TH = load_knee_to_wall_thresholds()


@pytest.mark.parametrize(
    ("tibia", "knee_fwd", "heel", "expected"),
    [
        # a normal lunge: 40 deg, knee front 8 cm past the toes, heel down
        (40.0, 8.0, 0.2, set()),
        # shin leaning back at the top of a drive (back leg / guessed ankle)
        (-15.0, 5.0, 0.0, {"tibia_angle_deg"}),
        # beyond any ankle's range
        (72.0, 20.0, 0.0, {"tibia_angle_deg"}),
        # knee 46 cm behind the toes: further than a foot length
        (20.0, -46.0, 0.0, {"knee_forward_cm"}),
        # knee further ahead of the toes than a shank is long
        (50.0, 47.0, 0.0, {"knee_forward_cm"}),
        # heel below the floor by more than the noise allowance
        (30.0, 5.0, -1.5, {"heel_rise_cm"}),
        # unseen values are not "implausible" (flagged elsewhere as unseen)
        (float("nan"), float("nan"), float("nan"), set()),
    ],
)
def test_implausible_values(tibia: float, knee_fwd: float, heel: float, expected: set[str]) -> None:
    bad = implausible_values(tibia, knee_fwd, heel, 43.0, 26.6, TH)
    assert set(bad) == expected
    for reason in bad.values():
        assert "film side-on" in reason  # says what to change


def test_knee_short_of_wall_is_not_a_valid_maximum() -> None:
    # the wall given 4 cm beyond where the synthetic knee touches: every attempt
    # stops short of it, so none is a valid maximal depth, and the numbers agree
    clean = synthesize(PROFILE, camera=CameraSpec(view="side"), noise=NoiseSpec.none(), seed=0)
    cam = clean.truth.camera
    toe = clean.truth.feet["right"]["toe_tip"][0].copy()
    toe[0] = clean.truth.wall_x_m + 0.04  # 4 cm further away
    wall_px = cam.pixels(cam.to_camera(toe[None, None, :]))[0, 0, 0]
    report = analyze_track(
        clean.track,
        "knee-to-wall",
        DrillOptions(height_cm=175.0, variant={"wall_x_px": wall_px}),
    )
    assert report.events
    for ev in report.events:
        assert ev["knee_reached_wall"] is False
        assert ev["valid"] is False
        assert any("short of the wall" in r for r in ev["invalid_reasons"])
        # knee front + gap = toe-to-wall (one definition of the knee's position)
        assert ev["knee_forward_cm"] + ev["knee_to_wall_gap_cm"] == pytest.approx(
            ev["toe_to_wall_cm"], abs=0.15
        )
    assert report.summary["best_toe_to_wall_cm"] is None
    assert report.score is None
    assert not any(n.metric == "best_toe_to_wall_cm" for n in report.norms)
    assert any("does not count as your maximum" in c.message for c in report.cues)


def test_knee_forward_is_the_front_of_the_knee_on_synthetic_truth() -> None:
    syn, report = _run("side", "right", "none", seed=0, knee_touches_wall=True)
    for ev, tr in zip(report.events, syn.truth.events_of("lunge"), strict=True):
        # knee touching the wall: its front is as far past the toes as the wall is
        assert ev["knee_forward_cm"] == pytest.approx(tr["toe_to_wall_cm"], abs=1.0)
        assert ev["implausible"] == []


def test_heel_flexion_correction_applies_to_pose_model_tracks_only() -> None:
    # MediaPipe's heel landmark rises with deep ankle flexion with the heel flat
    # (render-derived, knee_to_wall.toml); synthetic landmarks sit on the heel, so
    # the same track labelled as a pose-model track gets the correction and the
    # synthetic one does not. Until session 6 the rendered sample's flat heel at a
    # 37 deg shin read 1.8 cm, "lifted" (tests/test_accuracy_samples.py)
    syn = synthesize(PROFILE, camera=CameraSpec(view="side"), noise=NoiseSpec.none(), seed=0)
    opts = DrillOptions(height_cm=syn.truth.height_cm, variant={"knee_touches_wall": True})
    plain = analyze_track(syn.track, "knee-to-wall", opts).events
    as_mp = analyze_track(
        dataclasses.replace(syn.track, model_variant="full"), "knee-to-wall", opts
    ).events
    assert plain and len(as_mp) == len(plain)
    for p, m in zip(plain, as_mp, strict=True):
        assert p["heel_flexion_correction_cm"] == 0.0
        # flexion: the shin's lean minus the foot's pitch change: equal with the heel
        # flat; the 2.5 cm lift tilts the foot (~6 deg), so it is less
        if p["heel_lifted"]:
            assert p["ankle_flexion_deg"] < p["tibia_angle_deg"] - 3.0
        else:
            assert p["ankle_flexion_deg"] == pytest.approx(p["tibia_angle_deg"], abs=0.5)
        expected = TH.heel_flexion_artefact_cm_per_deg * max(
            0.0, m["ankle_flexion_deg"] - TH.heel_flexion_artefact_start_deg
        )
        assert m["heel_flexion_correction_cm"] == pytest.approx(expected, abs=0.01)
        if expected > 0 and m["heel_rise_se_cm"] is not None:
            # the correction's scatter joins the standard error
            assert m["heel_rise_se_cm"] >= TH.heel_flexion_artefact_sd_cm
            assert m["heel_rise_cm"] == pytest.approx(
                p["heel_rise_cm"] - m["heel_flexion_correction_cm"], abs=0.11
            )
    assert any(m["heel_flexion_correction_cm"] > 0 for m in as_mp)


def test_thresholds_reject_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown threshold"):
        load_knee_to_wall_thresholds({"heel_lift_mm": 5})


# ------------------------------------------------------------ synthetic truth
PROFILE = KneeToWallProfile()  # 3 attempts, 9/11/13 cm, the last one with the heel lifted


def _run(view: str, near: str, noise: str, seed: int, **variant: Any) -> tuple[Any, Any]:
    syn = synthesize(
        PROFILE,
        camera=CameraSpec(view=view, near_side=near),
        noise=NoiseSpec.preset(noise),
        seed=seed,
    )
    opts = DrillOptions(height_cm=syn.truth.height_cm, variant=variant)
    return syn, analyze_track(syn.track, "knee-to-wall", opts)


@pytest.mark.parametrize("noise", ["none", "low", "realistic"])
@pytest.mark.parametrize(("view", "near"), [("side", "right"), ("side", "left")])
def test_synthetic_toe_to_wall_and_tibia_within_done_means(
    view: str, near: str, noise: str
) -> None:
    syn, report = _run(view, near, noise, seed=1, knee_touches_wall=True)
    truth = syn.truth.events_of("lunge")
    events = report.events
    assert len(events) == len(truth)
    assert report.summary["wall_method"] == "knee_contact"
    for ev, tr in zip(events, truth, strict=True):
        assert ev["kind"] == "lunge"
        assert ev["leg"] == tr["leg"]
        assert abs(ev["peak_s"] - tr["peak_s"]) <= 0.6  # inside the 2 s hold
        assert ev["toe_to_wall_cm"] == pytest.approx(tr["toe_to_wall_cm"], abs=1.0)
        assert ev["tibia_angle_deg"] == pytest.approx(tr["tibia_angle_deg"], abs=3.0)
        assert ev["heel_lifted"] == tr["heel_lifted"]
        assert ev["valid"] == (not tr["heel_lifted"])
    best = max(t["toe_to_wall_cm"] for t in truth if not t["heel_lifted"])
    assert report.summary["best_toe_to_wall_cm"] == pytest.approx(best, abs=1.0)
    assert any("heel" in c.message and "does not count" in c.message for c in report.cues)


@pytest.mark.parametrize("noise", ["none", "low"])
def test_synthetic_oblique_near_leg_corrected_for_foreshortening(noise: str) -> None:
    # oblique with the tested leg nearer the camera: accepted with a warning,
    # numbers corrected for the squeezed floor direction and flagged
    syn, report = _run("oblique", "right", noise, seed=1, knee_touches_wall=True)
    truth = syn.truth.events_of("lunge")
    assert len(report.events) == len(truth)
    for ev, tr in zip(report.events, truth, strict=True):
        assert ev["toe_to_wall_cm"] == pytest.approx(tr["toe_to_wall_cm"], abs=1.0)
        assert ev["tibia_angle_deg"] == pytest.approx(tr["tibia_angle_deg"], abs=3.0)
    assert "tibia_angle_deg" in report.flags


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_synthetic_oblique_realistic_tibia_angle_within_done_means(seed: int) -> None:
    # the shin's lean is partly towards the camera in an oblique view: measured
    # from the 3D world landmarks (image-only it read 4-6 deg too steep)
    syn, report = _run("oblique", "right", "realistic", seed=seed, knee_touches_wall=True)
    truth = syn.truth.events_of("lunge")
    assert len(report.events) == len(truth)
    assert report.summary["tibia_source"] == "world"
    for ev, tr in zip(report.events, truth, strict=True):
        assert ev["tibia_angle_deg"] == pytest.approx(tr["tibia_angle_deg"], abs=3.0)


def test_synthetic_oblique_realistic_toe_to_wall_within_done_means() -> None:
    # seeds 0-2 together (fast); seeds 0-11, tested leg near and far: the slow test below
    for seed in (0, 1, 2):
        syn, report = _run("oblique", "right", "realistic", seed=seed, knee_touches_wall=True)
        truth = syn.truth.events_of("lunge")
        assert len(report.events) == len(truth)
        for ev, tr in zip(report.events, truth, strict=True):
            assert ev["toe_to_wall_cm"] == pytest.approx(tr["toe_to_wall_cm"], abs=1.0)


@pytest.mark.slow
@pytest.mark.parametrize("view", ["oblique", "side"])
@pytest.mark.parametrize("near", ["right", "left"])  # the tested (right) leg near, then far
def test_synthetic_realistic_toe_to_wall_over_twelve_seeds(view: str, near: str) -> None:
    # until session 5, oblique seeds 3, 7 and 10 read 1.1-1.4 cm long (the cm scale
    # counted a leg leaning in depth as short and was not taken at the front foot),
    # seed 11 lost an attempt whose back leg was unseen in its deepest phase, and
    # side-on with the tested leg far, seed 11 split an attempt in two (its knee
    # hidden for a moment handed the lead to the back knee)
    for seed in range(12):
        syn, report = _run(view, near, "realistic", seed=seed, knee_touches_wall=True)
        truth = syn.truth.events_of("lunge")
        assert len(report.events) == len(truth)
        for ev, tr in zip(report.events, truth, strict=True):
            assert ev["toe_to_wall_cm"] == pytest.approx(tr["toe_to_wall_cm"], abs=1.0)


def _heel_verdicts(view: str, near: str, seeds: range) -> list[tuple[bool, Any]]:
    """(truly lifted, event) for every attempt of the default profile (the 13 cm
    attempt lifts the heel 2.5 cm, the others keep it flat) at realistic noise."""
    out = []
    for seed in seeds:
        syn, report = _run(view, near, "realistic", seed=seed, knee_touches_wall=True)
        for tr in syn.truth.events_of("lunge"):
            # matched by time: held-out side-on seed 23 (tested leg far) finds an extra
            # drive before the first (attempt finding, not the heel verdict)
            (ev,) = [e for e in report.events if abs(e["peak_s"] - tr["peak_s"]) <= 1.0]
            out.append((tr["heel_lifted"], ev))
    return out


def _check_heel_verdicts(verdicts: list[tuple[bool, Any]], max_confident_misses: int) -> None:
    """No heel-down attempt called lifted or left unknown; a lifted one called "heel
    down" carries the "uncertain" flag, but for at most ``max_confident_misses``; the
    flag is not on most verdicts (it comes from the attempt's own noise)."""
    confident_misses = flagged_right = 0
    for lifted, ev in verdicts:
        assert ev["heel_lifted"] is not None  # a flat heel's noisy reading is not "impossible"
        uncertain = "uncertain" in ev["flags"].get("heel_lifted", "")
        if lifted:
            confident_misses += not ev["heel_lifted"] and not uncertain
        else:
            assert ev["heel_lifted"] is False, ev["heel_rise_cm"]
        flagged_right += uncertain and ev["heel_lifted"] == lifted
    assert confident_misses <= max_confident_misses
    assert flagged_right <= len(verdicts) // 3


def test_synthetic_realistic_heel_lift_verdicts_side_near() -> None:
    # Until session 6, 2 of these 12 lifted attempts (seeds 4 and 7) read "heel
    # down" with no flag (0.9-1.3 cm of a 2.5 cm lift): the standing heel counted
    # frames half-way into the drive, where the generator's heel is already partly
    # up, and a near-the-line verdict was a coin toss said with confidence
    _check_heel_verdicts(_heel_verdicts("side", "right", range(12)), max_confident_misses=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("view", "near"), [("side", "left"), ("oblique", "right"), ("oblique", "left")]
)
def test_synthetic_realistic_heel_lift_verdicts_over_twenty_four_seeds(
    view: str, near: str
) -> None:
    # seeds 0-11 (session 6 development: 9 of 36 lifted attempts missed without a
    # flag before) and 12-23 (held out); side-on, tested leg near: the fast test
    # above, seeds 0-11. One confident miss in 24 is the noise floor: in seed 4
    # the heel landmark's slow wobble sits 1.2-1.3 cm low through the whole 2 s
    # hold (every view), which no estimator of the heel can see, and the standard
    # error from the trace's noise understates such excursions (~1.4x on this preset)
    _check_heel_verdicts(_heel_verdicts(view, near, range(24)), max_confident_misses=1)


@pytest.mark.parametrize("noise", ["none", "low"])
def test_synthetic_oblique_far_leg_measured_from_occluded_landmarks(noise: str) -> None:
    # oblique with the tested (right) leg far from the camera: the feet hidden
    # behind the other leg are reported with visibility just under the 0.5
    # threshold, which lost every attempt (0/3 with perfect landmarks); the
    # drill retries with those landmarks, warns, and names the leg from the labels
    syn, report = _run("oblique", "left", noise, seed=1, knee_touches_wall=True)
    truth = syn.truth.events_of("lunge")
    assert len(report.events) == len(truth)
    codes = {w.code for w in report.warnings}
    assert "occluded_leg" in codes and "no_split_stance" not in codes
    assert report.summary["occluded_leg_landmarks"] is True
    for ev, tr in zip(report.events, truth, strict=True):
        assert ev["leg"] == tr["leg"] == "right"
        assert ev["leg_method"] == "labels" and "leg" in ev["flags"]
        assert ev["tibia_angle_deg"] == pytest.approx(tr["tibia_angle_deg"], abs=3.0)
        assert ev["heel_lifted"] == tr["heel_lifted"]
    assert "toe_to_wall_cm" in report.flags  # oblique: the distance is flagged


@pytest.mark.parametrize("noise", ["none", "low"])
def test_synthetic_oblique_far_leg_toe_to_wall_within_done_means(noise: str) -> None:
    # 12 seeds measured: max 0.2 cm (none and low); realistic: the 12-seed slow test
    syn, report = _run("oblique", "left", noise, seed=1, knee_touches_wall=True)
    truth = syn.truth.events_of("lunge")
    assert len(report.events) == len(truth)
    for ev, tr in zip(report.events, truth, strict=True):
        assert ev["toe_to_wall_cm"] == pytest.approx(tr["toe_to_wall_cm"], abs=1.0)


@pytest.mark.parametrize(("near", "seed"), [("right", 0), ("left", 0), ("right", 2), ("left", 2)])
def test_synthetic_oblique_leg_named_from_labels(near: str, seed: int) -> None:
    # the front foot is nearer the camera because it is ahead, not because of
    # its side: heel heights named the far tested leg wrongly in every attempt
    syn, report = _run("oblique", near, "realistic", seed=seed, knee_touches_wall=True)
    tested = {t["leg"] for t in syn.truth.events_of("lunge")}
    assert report.events and tested == {"right"}
    assert all(e["leg"] == "right" for e in report.events)
    assert all(e["leg_method"] == "labels" for e in report.events)


def test_occluded_leg_retry_is_what_finds_the_far_leg() -> None:
    # with the retry switched off (threshold 1), the far tested leg is lost again
    syn = synthesize(
        PROFILE, camera=CameraSpec(view="oblique", near_side="left"), noise=NoiseSpec.none(), seed=1
    )
    opts = DrillOptions(
        height_cm=syn.truth.height_cm,
        variant={"knee_touches_wall": True},
        thresholds={"occluded_leg_min_visibility": 1.0},
    )
    report = analyze_track(syn.track, "knee-to-wall", opts)
    assert report.events == []
    assert {w.code for w in report.warnings} & {"no_attempts", "no_split_stance"}


def test_occluded_leg_retry_only_when_it_finds_more_drives() -> None:
    # tested leg near the camera: every drive is found with the normal threshold
    _, oblique = _run("oblique", "right", "none", seed=1, knee_touches_wall=True)
    assert "occluded_leg_landmarks" not in oblique.summary
    assert "occluded_leg" not in {w.code for w in oblique.warnings}
    # side view: never retried
    _, side = _run("side", "left", "low", seed=1, knee_touches_wall=True)
    assert "occluded_leg_landmarks" not in side.summary


@pytest.mark.parametrize("yaw_deg", [0.0, 45.0, 60.0])
def test_world_tibia_angle_is_independent_of_the_camera_yaw(yaw_deg: float) -> None:
    # a body facing +forward, turned by yaw about the vertical in camera axes
    # (x right, y down, z away); right shin leaning 30 deg forward, 2 frames
    a = np.radians(yaw_deg)
    fwd = np.array([np.cos(a), 0.0, np.sin(a)])  # horizontal forward
    left = np.array([-np.sin(a), 0.0, np.cos(a)])  # horizontal, perpendicular
    down = np.array([0.0, 1.0, 0.0])
    w = np.full((2, 33, 3), np.nan)
    w[:, Landmark.LEFT_HIP] = 0.1 * left
    w[:, Landmark.RIGHT_HIP] = -0.1 * left
    ankle = 0.8 * down - 0.1 * left
    w[:, Landmark.RIGHT_ANKLE] = ankle
    lean = np.radians(30.0)
    w[:, Landmark.RIGHT_KNEE] = ankle + 0.43 * (np.sin(lean) * fwd - np.cos(lean) * down)
    w[:, Landmark.RIGHT_HEEL] = ankle + 0.05 * down - 0.05 * fwd
    w[:, Landmark.RIGHT_FOOT_INDEX] = ankle + 0.05 * down + 0.2 * fwd
    front = np.array(["right", None], dtype=object)
    tib = world_tibia_deg(w, front, None)
    assert tib[0] == pytest.approx(30.0, abs=1e-6)
    assert np.isnan(tib[1])  # no front leg in that frame


def test_knee_contact_wall_is_the_median_of_touching_attempts() -> None:
    # three touches read 100, 101, 99.5 px; one drive stopped 30 px short
    assert knee_contact_wall_u([100.0, 101.0, 70.0, 99.5], 5.0) == pytest.approx(100.0)
    # a single attempt, and unseen attempts ignored
    assert knee_contact_wall_u([float("nan"), 42.0], 5.0) == pytest.approx(42.0)
    assert np.isnan(knee_contact_wall_u([float("nan")], 5.0))


def test_synthetic_left_leg_tested_is_named_left() -> None:
    profile = KneeToWallProfile(leg="left", attempts=(LungeAttempt(10.0), LungeAttempt(12.0)))
    syn = synthesize(profile, camera=CameraSpec(view="side", near_side="left"), seed=2)
    report = analyze_track(
        syn.track,
        "knee-to-wall",
        DrillOptions(height_cm=syn.truth.height_cm, variant={"knee_touches_wall": True}),
    )
    assert [e["leg"] for e in report.events] == ["left", "left"]
    for ev, tr in zip(report.events, syn.truth.events_of("lunge"), strict=True):
        assert ev["toe_to_wall_cm"] == pytest.approx(tr["toe_to_wall_cm"], abs=1.0)


def test_without_wall_evidence_the_wall_is_unknown_and_no_distance_is_made_up() -> None:
    syn, report = _run("side", "right", "low", seed=0)
    assert report.summary["wall_method"] == "unknown"
    assert report.summary["best_toe_to_wall_cm"] is None
    assert all(e["toe_to_wall_cm"] is None for e in report.events)
    assert "toe_to_wall_cm" not in report.series
    assert report.score is None
    # the attempts and their shin angles are still there
    truth = syn.truth.events_of("lunge")
    assert len(report.events) == len(truth)
    for ev, tr in zip(report.events, truth, strict=True):
        assert ev["tibia_angle_deg"] == pytest.approx(tr["tibia_angle_deg"], abs=3.0)
    assert any("wall was not found" in c.message for c in report.cues)


def test_given_wall_position_is_used() -> None:
    syn, _ = _run("side", "right", "none", seed=0)
    clean = synthesize(PROFILE, camera=CameraSpec(view="side"), noise=NoiseSpec.none(), seed=0)
    cam = clean.truth.camera
    # project the wall plane at the front toe's depth and floor level into the image
    toe = clean.truth.feet["right"]["toe_tip"][0].copy()
    toe[0] = clean.truth.wall_x_m
    wall_px = cam.pixels(cam.to_camera(toe[None, None, :]))[0, 0, 0]
    report = analyze_track(
        syn.track, "knee-to-wall", DrillOptions(height_cm=175.0, variant={"wall_x_px": wall_px})
    )
    assert report.summary["wall_method"] == "given"
    for ev, tr in zip(report.events, syn.truth.events_of("lunge"), strict=True):
        assert ev["toe_to_wall_cm"] == pytest.approx(tr["toe_to_wall_cm"], abs=1.0)


def test_standing_still_gives_no_attempts_and_says_why() -> None:
    syn, report = _run("side", "right", "low", seed=0, knee_touches_wall=True)
    still = syn.track.slice(0, int(0.9 * FPS))  # the lead-in: standing before the first drive
    report = analyze_track(still, "knee-to-wall", DrillOptions(height_cm=175.0))
    assert report.events == []
    assert report.summary["best_tibia_angle_deg"] is None
    codes = {w.code for w in report.warnings}
    assert codes & {"no_attempts", "no_split_stance"}


def _cut(track: Any, from_s: float, to_s: float) -> Any:
    t = track.timestamps_s
    return track.slice(int(np.searchsorted(t, from_s)), int(np.searchsorted(t, to_s)))


@pytest.mark.parametrize(
    ("view", "noise", "seed"),
    [
        ("side", "low", 0),
        ("side", "realistic", 1),
        ("oblique", "low", 2),
        ("oblique", "realistic", 0),
    ],
)
@pytest.mark.parametrize("cut", ["start", "end"])
def test_a_lunge_the_video_cuts_is_measured_and_said(
    cut: str, view: str, noise: str, seed: int
) -> None:
    # holds at the wall 2.5-4.5, 8.7-10.7 and 14.9-16.9 s; the clip starts or ends mid-hold
    syn = synthesize(
        PROFILE, camera=CameraSpec(view=view), noise=NoiseSpec.preset(noise), seed=seed
    )
    part = _cut(syn.track, 3.5, 99.0) if cut == "start" else _cut(syn.track, 0.0, 16.0)
    report = analyze_track(
        part,
        "knee-to-wall",
        DrillOptions(height_cm=syn.truth.height_cm, variant={"knee_touches_wall": True}),
    )
    truth = syn.truth.events_of("lunge")
    assert len(report.events) == len(truth)
    for ev, tr in zip(report.events, truth, strict=True):
        assert ev["toe_to_wall_cm"] == pytest.approx(tr["toe_to_wall_cm"], abs=1.0)
        assert ev["tibia_angle_deg"] == pytest.approx(tr["tibia_angle_deg"], abs=3.0)
        assert ev["heel_lifted"] == tr["heel_lifted"]
    edge = report.events[0] if cut == "start" else report.events[-1]
    assert [e["cut_by"] for e in report.events].count(None) == len(truth) - 1
    assert edge["cut_by"] == f"{cut} of video"
    assert "may have gone deeper" in edge["flags"]["tibia_angle_deg"]
    (note,) = [w for w in report.warnings if w.code == "lunge_cut"]
    assert note.severity == "info"  # the other lunges were filmed whole


def test_walking_off_at_the_end_of_a_clip_is_not_a_lunge_cut_by_it() -> None:
    # the whole body moving forward at 0.6 m/s over the last 2 s of a clip: the knee
    # runs ahead like a drive into the last frame, but the front foot travels with it
    syn = synthesize(PROFILE, camera=CameraSpec(view="side"), noise=NoiseSpec.low(), seed=0)
    part = _cut(syn.track, 0.0, 13.4)  # two whole attempts, then the rest
    t = part.timestamps_s
    lm = np.array(part.landmarks)
    leg_px = np.nanmedian(np.linalg.norm(lm[:, 23, :2] - lm[:, 27, :2], axis=1))
    facing = np.sign(np.nanmedian(lm[:, 31, 0] - lm[:, 29, 0]))  # toes ahead of heels
    lm[:, :, 0] += (facing * 0.7 * leg_px * np.clip(t - 11.4, 0.0, None))[:, None]
    walked = dataclasses.replace(part, landmarks=lm.astype(np.float32))
    report = analyze_track(walked, "knee-to-wall", DrillOptions(height_cm=175.0))
    assert [e["cut_by"] for e in report.events] == [None, None]


def test_drill_metadata() -> None:
    assert DRILL.name == "knee-to-wall"
    assert "side" in DRILL.accepted_views


# ------------------------------------------------------------ real clips
def _peaks_match(found: list[float], labelled: list[float], tol: float) -> bool:
    return len(found) == len(labelled) and all(
        abs(a - b) <= tol for a, b in zip(sorted(found), sorted(labelled), strict=True)
    )


@pytest.mark.slow
def test_real_knee_to_wall_side(tracked_clip: Any, shared_labels: dict[str, Any]) -> None:
    name = "knee_to_wall_side.mp4"
    label = shared_labels[name]
    report = analyze_track(tracked_clip(name), "knee-to-wall")
    peaks = [e["peak_s"] for e in report.events]
    assert len(peaks) == label["reps"]
    assert _peaks_match(peaks, label["rep_peaks_s"], label["time_tolerance_s"])
    assert all(e["heel_lifted"] is False for e in report.events)  # heel down throughout
    if report.summary["wall_known"]:
        lo, hi = label["toe_to_wall_cm_range"]
        for e in report.events:
            assert lo <= e["toe_to_wall_cm"] <= hi


@pytest.mark.slow
def test_real_ankle_rocks_without_wall(tracked_clip: Any, shared_labels: dict[str, Any]) -> None:
    name = "ankle_rocks_waist_down.mp4"
    label = shared_labels[name]
    report = analyze_track(tracked_clip(name), "knee-to-wall")
    peaks = [e["peak_s"] for e in report.events]
    assert _peaks_match(peaks, label["rep_peaks_s"], label["time_tolerance_s"])
    assert report.summary["wall_method"] == "unknown"
    assert report.summary["best_toe_to_wall_cm"] is None
    assert all(e["toe_to_wall_cm"] is None for e in report.events)
    assert all(e["tibia_angle_deg"] is not None for e in report.events)
    assert report.summary["max_tibia_angle_any_deg"] is not None
    # labelled heel-down rocks are never called lifted (unknown is allowed: the
    # front foot leaves the picture)
    assert not any(e["heel_lifted"] is True for e in report.events)


def _assert_no_impossible_valid(report: Any) -> None:
    """No attempt reported as valid rests on a value anatomy rules out, attempts do
    not overlap, and the best values come from valid attempts only."""
    ev = report.events
    for a, b in itertools.pairwise(ev):
        assert a["end_s"] <= b["start_s"]
    for e in ev:
        tib = e["tibia_angle_deg"]
        if tib is not None and not (
            TH.tibia_plausible_min_deg <= tib <= TH.tibia_plausible_max_deg
        ):
            assert e["valid"] is False and "tibia_angle_deg" in e["flags"]
        if e["heel_rise_cm"] is not None:
            # below the floor by more than heel_sink_cm beyond the reading's own noise
            # (heel_uncertain_z standard errors) is impossible, so withheld
            se = e["heel_rise_se_cm"] or 0.0
            assert e["heel_rise_cm"] >= -TH.heel_sink_cm - TH.heel_uncertain_z * se
        if e["valid"]:
            assert e["implausible"] == [] and e["heel_lifted"] is False
            assert e["knee_reached_wall"] in (True, None)
    # the shin angle (the dorsiflexion measure) counts from every attempt with the
    # heel seen down and plausible values; where the knee stopped short of the
    # wall it is flagged as perhaps not the deepest; the distance needs a valid attempt
    angled = [
        e
        for e in ev
        if e["tibia_angle_deg"] is not None and e["heel_lifted"] is False and not e["implausible"]
    ]
    best = report.summary["best_tibia_angle_deg"]
    assert best == (max(e["tibia_angle_deg"] for e in angled) if angled else None)
    if angled:
        deepest = max(angled, key=lambda e: e["tibia_angle_deg"])
        flagged = "best_tibia_angle_deg" in report.flags
        assert flagged == (deepest["knee_reached_wall"] is False)
    valid = [e for e in ev if e["valid"]]
    distances = [e["toe_to_wall_cm"] for e in valid if e["toe_to_wall_cm"] is not None]
    assert report.summary["best_toe_to_wall_cm"] == (max(distances) if distances else None)


@pytest.mark.slow
def test_real_clips_report_no_impossible_value_as_valid(tracked_clip: Any) -> None:
    rocks = analyze_track(tracked_clip("ankle_rocks_waist_down.mp4"), "knee-to-wall")
    _assert_no_impossible_valid(rocks)
    side = analyze_track(tracked_clip("knee_to_wall_side.mp4"), "knee-to-wall")
    _assert_no_impossible_valid(side)
    # cues and numbers agree: an attempt cued as short of the wall is not valid
    for e in side.events:
        cued_short = any(
            c.time_s == e["peak_s"] and "short of the wall" in c.message for c in side.cues
        )
        assert cued_short == (e["knee_reached_wall"] is False)
        if cued_short:
            assert e["valid"] is False
        if e["toe_to_wall_cm"] is not None:
            assert e["knee_forward_cm"] + e["knee_to_wall_gap_cm"] == pytest.approx(
                e["toe_to_wall_cm"], abs=0.15
            )
    if side.summary["best_toe_to_wall_cm"] is None:
        assert side.score is None


def test_a_video_of_another_drill_is_not_taken_for_a_lunge() -> None:
    # calf raises filmed oblique under the knee-to-wall drill: the knee rises and
    # moves a little, but its front never comes over the toes
    syn = synthesize(CalfRaiseProfile(reps=4), CameraSpec(view="oblique"), NoiseSpec.low(), seed=0)
    report = analyze_track(syn.track, "knee-to-wall", DrillOptions(height_cm=175.0))
    assert report.events, "drives are found: the test is about what is said of them"
    assert report.summary["not_a_lunge"] is True
    issue = next(w for w in report.warnings if w.code == "not_a_lunge")
    assert "does not look like a knee-to-wall" in issue.message and not report.trusted
    # a real knee-to-wall set is not called that
    _, lunges = _run("side", "right", "realistic", seed=1, knee_touches_wall=True)
    assert lunges.summary["not_a_lunge"] is False
    assert all(w.code != "not_a_lunge" for w in lunges.warnings)


def test_a_lift_near_the_line_is_cued_as_probable() -> None:
    # heel-lift verdicts flagged uncertain are cued as "probably lifted", the others
    # as "lifted" (realistic noise, seeds 0-11 side-on: both kinds occur)
    seen = set()
    for seed in range(12):
        _, report = _run("side", "right", "realistic", seed=seed, knee_touches_wall=True)
        for e in report.events:
            if not e["heel_lifted"]:
                continue
            (cue,) = [c for c in report.cues if c.time_s == e["peak_s"] and "heel" in c.message]
            uncertain = "uncertain" in e["flags"].get("heel_lifted", "")
            assert ("probably lifted" in cue.message) == uncertain
            assert "does not count" in cue.message
            seen.add(uncertain)
    assert seen == {True, False}


def test_pose_model_numbers_say_how_far_they_may_be_off() -> None:
    # the render audit: MediaPipe's toe-to-wall and tibia vary by ~1 cm / ~2 deg (1 SD)
    # with shoes, clothes and camera height; the best numbers say so on its tracks only
    syn = synthesize(KneeToWallProfile(), CameraSpec(view="side"), NoiseSpec.low(), seed=1)
    opts = DrillOptions(height_cm=syn.truth.height_cm, variant={"knee_touches_wall": True})
    plain = analyze_track(syn.track, "knee-to-wall", opts)
    as_mp = analyze_track(
        dataclasses.replace(syn.track, model_variant="full"), "knee-to-wall", opts
    )
    assert plain.summary["best_toe_to_wall_cm"] is not None
    assert "pose model" not in plain.flags.get("best_toe_to_wall_cm", "")
    assert "±1 cm" in as_mp.flags["best_toe_to_wall_cm"]
    assert "barefoot" in as_mp.flags["best_toe_to_wall_cm"]
    assert "±2°" in as_mp.flags["best_tibia_angle_deg"]
    # the wall not known: no toe-to-wall, so nothing to say how far it may be off
    no_wall = analyze_track(
        dataclasses.replace(syn.track, model_variant="full"),
        "knee-to-wall",
        DrillOptions(height_cm=syn.truth.height_cm),
    )
    assert no_wall.summary["best_toe_to_wall_cm"] is None
    assert "best_toe_to_wall_cm" not in no_wall.flags
    assert "±2°" in no_wall.flags["best_tibia_angle_deg"]
