"""Conditioning on constructed signals with known truth (formcheck.signals)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _measure_helpers import side_pose, track_from_poses

from formcheck.landmarks import NUM_LANDMARKS, Landmark
from formcheck.signals import (
    ConditioningConfig,
    OneEuroFilter,
    butterworth_zero_phase,
    condition_track,
    continuity_swaps,
    hip_order_evidence,
    interpolate_gaps,
    near_leg_evidence,
    repair_swaps,
    robust_sd,
)


def test_interpolate_fills_short_gaps_only():
    t = np.arange(20) / 10.0  # 10 Hz
    x = t * 2.0
    x[3:5] = np.nan  # 0.2 s gap: filled
    x[10:15] = np.nan  # 0.5 s gap: stays
    x[0] = np.nan  # leading gap: never filled
    out, filled = interpolate_gaps(x, t, max_gap_s=0.25)
    np.testing.assert_allclose(out[3:5], t[3:5] * 2.0)
    assert filled[3:5].all() and not filled[10:15].any()
    assert np.isnan(out[10:15]).all() and np.isnan(out[0])


def test_interpolation_is_linear_in_time_for_uneven_frames():
    t = np.array([0.0, 0.03, 0.05, 0.12, 0.15])
    x = 3.0 * t
    x[2] = np.nan
    out, _ = interpolate_gaps(x, t, max_gap_s=0.1)
    assert out[2] == pytest.approx(0.15)


def test_butterworth_removes_noise_without_lag():
    fs = 30.0
    t = np.arange(0, 6, 1 / fs)
    truth = np.sin(2 * np.pi * 0.5 * t)
    rng = np.random.default_rng(0)
    noisy = truth + rng.normal(0, 0.05, t.size)
    out = butterworth_zero_phase(noisy, fs, 6.0)
    # white noise keeps about sqrt(cutoff / Nyquist) = sqrt(6 / 15) = 0.63 of its RMS
    assert np.sqrt(np.mean((out - truth) ** 2)) < 0.7 * 0.05
    # zero phase: a clean slow sine comes out unchanged (a causal filter of this
    # order lags ~0.05 s, an error of ~0.15 here)
    clean = butterworth_zero_phase(truth, fs, 6.0)
    assert np.max(np.abs(clean - truth)[30:-30]) < 2e-3


def test_butterworth_per_stretch_keeps_nan_and_handles_short_stretches():
    fs = 30.0
    x = np.ones(100)
    x[40:42] = np.nan
    x[50:52] = np.nan
    x[47] = 5.0  # a 6-sample stretch (44-49) shorter than scipy's default padding
    x[52:55] = 2.0
    x[55] = np.nan  # a 3-sample stretch (52-54): left as it is
    out = butterworth_zero_phase(x, fs, 6.0)
    assert np.isnan(out[[40, 41, 50, 55]]).all()
    assert np.isfinite(out[42:50]).all()
    np.testing.assert_array_equal(out[52:55], 2.0)
    assert out[47] < 5.0  # the spike is smoothed


def test_butterworth_on_variable_frame_rate_matches_uniform():
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.025, 0.042, 300))  # phone VFR, ~30 fps
    truth = np.sin(2 * np.pi * 0.7 * t)
    noisy = truth + rng.normal(0, 0.05, t.size)
    out = butterworth_zero_phase(noisy, 30.0, 6.0, times_s=t)
    err_vfr = np.sqrt(np.mean((out - truth)[10:-10] ** 2))
    # the same noise on a uniform 30 fps clock, filtered directly
    tu = np.arange(t.size) / 30.0
    truth_u = np.sin(2 * np.pi * 0.7 * tu)
    out_u = butterworth_zero_phase(truth_u + (noisy - truth), 30.0, 6.0)
    err_uniform = np.sqrt(np.mean((out_u - truth_u)[10:-10] ** 2))
    assert err_vfr < 1.2 * err_uniform
    assert err_vfr < 0.7 * 0.05


def test_cutoff_above_nyquist_leaves_data():
    x = np.random.default_rng(2).normal(size=50)
    np.testing.assert_array_equal(butterworth_zero_phase(x, 10.0, 6.0), x)


def test_one_euro_smooths_still_signal_and_follows_motion():
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=5.0)
    rng = np.random.default_rng(3)
    fs = 30.0
    still = [f(0.5 + rng.normal(0, 0.005), i / fs) for i in range(60)]
    assert np.std(still[30:]) < 0.4 * 0.005
    # a fast ramp: lag stays small (< 0.1 s worth of motion)
    speed = 1.0
    ramp = [float(f(0.5 + speed * (i / fs), (60 + i) / fs)) for i in range(30)]
    lag = (0.5 + speed * 29 / fs) - ramp[-1]
    assert 0 <= lag < 0.1 * speed
    # NaN passes through and resets
    assert np.isnan(f(np.nan, 100 / fs))
    assert f(0.9, 101 / fs) == pytest.approx(0.9)


def _walking_legs(n: int = 60) -> list[dict[Landmark, tuple[float, float]]]:
    """Side view, legs apart and moving slowly: left leg ahead of the right."""
    poses = []
    for i in range(n):
        off = 150.0 + 20.0 * np.sin(i / 10.0)
        front = side_pose(tibia_deg=10.0, ankle=(500.0 + off, 1800.0))
        back = side_pose(tibia_deg=-10.0, ankle=(500.0 - off, 1800.0))
        pose = dict(front)
        for part in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
            pose[Landmark[f"RIGHT_{part}"]] = back[Landmark[f"RIGHT_{part}"]]
        poses.append(pose)
    return poses


def test_swaps_are_found_and_repaired():
    poses = _walking_legs()
    truth = track_from_poses(poses)
    swapped_frames = [*range(10, 14), 30, *range(45, 50)]
    bad = []
    for i, pose in enumerate(poses):
        pose = dict(pose)
        if i in swapped_frames:
            for part in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
                lft, rgt = Landmark[f"LEFT_{part}"], Landmark[f"RIGHT_{part}"]
                pose[lft], pose[rgt] = pose[rgt], pose[lft]
        bad.append(pose)
    track = track_from_poses(bad)
    found = repair_swaps(track.pixels)
    np.testing.assert_array_equal(np.flatnonzero(found), swapped_frames)
    np.testing.assert_array_equal(np.flatnonzero(continuity_swaps(track.pixels)), swapped_frames)
    cond = condition_track(track, ConditioningConfig(cutoff_hz=14.0))
    np.testing.assert_array_equal(np.flatnonzero(cond.swapped), swapped_frames)
    err = np.abs(cond.track.pixels - truth.pixels)
    assert np.nanmax(err[:, int(Landmark.LEFT_ANKLE)]) < 5.0  # pixels


def test_overlapping_legs_never_trigger_swaps():
    rng = np.random.default_rng(4)
    poses = [side_pose(tibia_deg=float(a)) for a in rng.normal(5, 1, 40)]
    track = track_from_poses(poses)
    assert not repair_swaps(track.pixels).any()
    assert not continuity_swaps(track.pixels).any()


@pytest.mark.parametrize("seed", [2, 4, 5, 7])
def test_swaps_while_both_heels_rise_are_found(seed: int) -> None:
    # side view, double-leg calf raise: both legs move together on the ramps,
    # which fooled the comparison with a running median (exact in 3 of the 8
    # seeds 0-7, none of those with swaps over 2 frames); continuity is exact in
    # all 8 (here: the seeds with >= 3 swapped frames)
    from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize

    syn = synthesize(
        CalfRaiseProfile(reps=8), CameraSpec(view="side"), NoiseSpec.realistic(), seed=seed
    )
    truth = syn.truth.corruption.swapped & ~syn.truth.corruption.missing
    assert truth.sum() >= 3  # the seed does swap some frames
    np.testing.assert_array_equal(condition_track(syn.track).swapped, truth)


def test_strides_crossing_the_legs_are_not_swaps() -> None:
    # side-view walking: the legs pass each other every step
    from formcheck.synth import CameraSpec, NoiseSpec, synthesize
    from formcheck.synth.gait import HeelWalkProfile

    syn = synthesize(HeelWalkProfile(), CameraSpec(view="side"), NoiseSpec.low(), seed=0)
    assert not condition_track(syn.track).swapped.any()


def test_labels_after_a_long_absence_are_kept() -> None:
    # out of the picture for 1 s, then back with the legs on the other sides
    # (the person turned round): no continuity to go on, MediaPipe's labels stay
    poses = _walking_legs()[:40]
    track = track_from_poses(poses)
    px = np.array(track.pixels, dtype=np.float64)
    px[15:45] = np.nan
    later = px[45:].copy()
    for part in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
        lft, rgt = int(Landmark[f"LEFT_{part}"]), int(Landmark[f"RIGHT_{part}"])
        later[:, [lft, rgt]] = later[:, [rgt, lft]]
    px[45:] = later
    found = continuity_swaps(px, times_s=np.arange(len(px)) / 30.0)
    assert not found.any()


def test_condition_track_visibility_gaps_and_masks():
    poses = [side_pose(tibia_deg=float(a)) for a in np.linspace(0, 20, 60)]
    track = track_from_poses(poses)
    vis = np.array(track.visibility, copy=True)
    knee = int(Landmark.LEFT_KNEE)
    vis[10:13, knee] = 0.2  # 0.1 s: interpolated
    vis[30:45, knee] = 0.2  # 0.5 s: stays NaN
    track = track.with_arrays(visibility=vis)
    cond = condition_track(track)
    assert not cond.reliable[10:13, knee].any() and cond.interpolated[10:13, knee].all()
    assert np.isfinite(cond.track.landmarks[10:13, knee]).all()
    assert np.isnan(cond.track.landmarks[30:45, knee]).all()
    assert cond.reliable[:10, knee].all() and not cond.interpolated[:10, knee].any()
    assert cond.all_reliable((Landmark.LEFT_ANKLE,)).all()
    assert cond.track.timestamps_s is not None and len(cond.track) == len(track)


def test_live_conditioning_is_causal():
    poses = [side_pose(tibia_deg=float(a)) for a in np.linspace(0, 20, 40)]
    track = track_from_poses(poses)
    full = condition_track(track, live=True).track.landmarks
    part = condition_track(track.slice(0, 25), live=True).track.landmarks
    np.testing.assert_allclose(full[:25], part, equal_nan=True)


# ------------------------------------------------------------ hips' order prior
DATA = Path(__file__).parent / "data"


def _front_pose(left_hip_x: float, right_hip_x: float) -> np.ndarray:
    """(33, 2) px: shoulders 60 px apart (the person's left at image-right), torso 100 px."""
    p = np.full((NUM_LANDMARKS, 2), np.nan)
    p[int(Landmark.LEFT_SHOULDER)] = (330.0, 100.0)
    p[int(Landmark.RIGHT_SHOULDER)] = (270.0, 100.0)
    p[int(Landmark.LEFT_HIP)] = (left_hip_x, 200.0)
    p[int(Landmark.RIGHT_HIP)] = (right_hip_x, 200.0)
    return p


@pytest.mark.parametrize(
    ("hips", "weight", "exchanged"),
    [
        ((320.0, 280.0), 1.0, False),  # facing the camera, labels as the shoulders
        ((280.0, 320.0), 1.0, True),  # the hips' labels the other way round
        ((301.0, 299.0), 0.0, False),  # hips together (side-on, or flickering): no evidence
        ((310.0, 290.0), (0.2 - 0.1) / (0.25 - 0.1), False),  # 20 px apart: part weight
    ],
)
def test_hip_order_evidence(hips: tuple[float, float], weight: float, exchanged: bool) -> None:
    w, ex = hip_order_evidence(_front_pose(*hips)[None])
    assert w[0] == pytest.approx(weight) and bool(ex[0]) is exchanged


def test_hip_order_says_nothing_side_on_or_without_landmarks() -> None:
    side = _front_pose(320.0, 280.0)
    side[int(Landmark.LEFT_SHOULDER), 0] = side[int(Landmark.RIGHT_SHOULDER), 0] + 10.0
    missing = _front_pose(320.0, 280.0)
    missing[int(Landmark.LEFT_HIP)] = np.nan
    w, _ = hip_order_evidence(np.stack([side, missing]))
    assert list(w) == [0.0, 0.0]


def test_continuity_keeps_the_labels_that_agree_with_the_hips(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 80 frames of a MediaPipe track of our own render (`python -m formcheck.render --drill
    # calf-raise-leg-change --view front`, frames 260-339), feet together and apart while the
    # free foot changes. MediaPipe flipped the leg labels in frames 23, 25 and 50 only (by the
    # render's truth); with the continuity alone, 25 frames with the hips apart and in the
    # shoulders' order were exchanged, and on the whole clip 271 frames, to its end
    data = np.load(DATA / "front_feet_together.npz")
    px, times = data["landmarks_px"].astype(np.float64), data["times_s"]
    truth = np.zeros(len(px), dtype=bool)
    truth[[23, 25, 50]] = True
    found = continuity_swaps(px, times_s=times)
    assert int(np.sum(found != truth)) <= 1
    monkeypatch.setattr("formcheck.signals.SWAP_SIDE_COST", 0.0)
    alone = continuity_swaps(px, times_s=times)
    assert int(np.sum(alone != truth)) >= 20  # the failure the prior is for


def test_side_on_visibility_breaks_the_continuitys_long_tie(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a MediaPipe track of our own render (`python -m formcheck.render --drill
    # calf-raise-leg-change --view side --near-side left --seed 1`; only the shoulders, hips
    # and legs kept): the near (left) foot lifts from beside the far one at 10.2 s and
    # MediaPipe labels it the far foot for frames 306-310 only (by the render's truth). The
    # continuity alone followed that and kept the labels exchanged to the clip's end
    data = np.load(DATA / "side_near_foot_lift.npz")
    px, vis, times = data["landmarks_px"], data["visibility"], data["times_s"]
    truth, apart = data["truth_exchanged"], data["apart"]
    assert list(np.flatnonzero(truth)) == [306, 307, 308, 309, 310]
    found = continuity_swaps(px, times_s=times, visibility=vis)
    # the 5 frames of MediaPipe's own flip stay (its visibilities follow its labels)
    assert int(np.sum((found != truth) & apart)) <= 5
    assert not found[320:].any()
    alone = continuity_swaps(px, times_s=times)
    assert int(np.sum((alone != truth) & apart)) >= 200  # the failure the prior is for
    monkeypatch.setattr("formcheck.signals.SWAP_VIS_COST", 0.0)
    assert continuity_swaps(px, times_s=times, visibility=vis)[320:].all()


def test_near_leg_evidence_is_side_on_only() -> None:
    n = 4
    px = np.full((n, 33, 2), np.nan)
    px[:, int(Landmark.LEFT_HIP)] = px[:, int(Landmark.RIGHT_HIP)] = (100.0, 300.0)
    px[:, int(Landmark.LEFT_SHOULDER)] = (100.0, 100.0)
    px[:, int(Landmark.RIGHT_SHOULDER)] = [
        (100.0, 100.0),
        (100.0, 100.0),
        (260.0, 100.0),
        (np.nan, np.nan),
    ]
    vis = np.full((n, 33), 0.5)
    vis[:, [25, 27, 29, 31]] = 0.9  # the left leg far more visible
    vis[1, [25, 27, 29, 31]] = 0.55  # ... except in frame 1
    w = near_leg_evidence(vis, px)
    # side-on, a 0.4 difference: full; 0.05: none; shoulders 0.8 of the torso apart
    # (facing the camera): none; unknown: none
    np.testing.assert_allclose(w, [1.0, 0.0, 0.0, 0.0])


def test_robust_sd_is_the_sd_of_normal_values_and_ignores_a_few_outliers() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 2.0, 20000)
    assert robust_sd(x) == pytest.approx(2.0, rel=0.03)
    x[:500] = 1000.0  # 2.5% outliers: a plain SD reads ~156
    assert robust_sd(x) == pytest.approx(2.0, rel=0.08)
    # about a given centre: differences whose expected value is zero
    d = rng.normal(0.0, 1.0, 20000)
    assert robust_sd(d, 0.0) == pytest.approx(1.0, rel=0.03)
    assert robust_sd(d + 3.0, 0.0) > 3.0  # off-centre values are spread about the centre
    assert robust_sd([4.0]) == 0.0
