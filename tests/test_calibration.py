"""cm calibration, floor line and ArUco (formcheck.calibration, formcheck.aruco),
plus the measurement layer's done-means checks on synthetic tracks with truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from _measure_helpers import figure_track

from formcheck.angles import compute_angles
from formcheck.aruco import detect_markers, draw_marker_image
from formcheck.calibration import (
    FloorLine,
    assumed,
    estimate_floor,
    foot_heel_height_px,
    from_aruco,
    from_foot_length,
    from_height,
    heel_height_px,
    height_above_floor,
    one_factor_heel_height,
    one_factor_scale_rel_se,
    rigid_foot_heel_height,
)
from formcheck.signals import condition_track
from formcheck.synth import (
    BalanceProfile,
    CalfRaiseProfile,
    CameraSpec,
    KneeToWallProfile,
    NoiseSpec,
    synthesize,
)
from formcheck.views import classify_view

# ------------------------------------------------------------ constructed


def test_height_above_floor_is_perpendicular_on_a_tilted_floor():
    r = np.radians(10.0)
    normal = np.array([np.sin(r), -np.cos(r)])
    floor = FloorLine(point=np.array([100.0, 500.0]), normal=normal)
    along = floor.direction * 300.0
    p = floor.point + along + 40.0 * normal
    assert height_above_floor(p, floor) == pytest.approx(40.0)
    assert floor.tilt_deg == pytest.approx(10.0)


def test_from_height_on_a_standing_figure():
    px_per_m = 900.0
    cal = from_height(figure_track(90, n=60, noise_px=1.0), 175.0)
    # the figure's eye is 1.62 m above its heel landmarks; the model expects 0.924 H
    assert cal.method == "height"
    assert cal.cm_per_px == pytest.approx(100.0 / px_per_m, rel=0.03)
    assert 1.0 < cal.uncertainty_pct < 3.0


def test_rolled_camera_floor_uses_the_body_axis():
    tr = figure_track(90, n=60)
    c = np.array([540.0, 960.0])
    r = np.radians(12.0)
    rot = np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]])
    px = tr.pixels.astype(np.float64)
    rolled = (px - c) @ rot.T + c
    lm = np.array(tr.landmarks, copy=True)
    lm[:, :, 0] = rolled[:, :, 0] / tr.width
    lm[:, :, 1] = rolled[:, :, 1] / tr.height
    tr2 = tr.with_arrays(landmarks=lm)
    floor = estimate_floor(tr2)
    assert floor.method == "body-axis"
    assert floor.tilt_deg == pytest.approx(12.0, abs=3.0)
    assert from_height(tr2, 175.0).cm_per_px == pytest.approx(100.0 / 900.0, rel=0.03)


def test_foot_length_and_assumed():
    tr = figure_track(90, n=30)
    # the figure's heel-to-toe landmark distance is 0.25 m = 225 px
    cal = from_foot_length(tr, 25.0 / 0.97, "right")
    assert cal.cm_per_px == pytest.approx(25.0 / 225.0, rel=0.01)
    guess = assumed(tr)
    assert guess.method == "assumed" and guess.uncertainty_pct > 5.0
    assert "170 cm" in guess.detail


def test_bad_height_is_rejected():
    with pytest.raises(ValueError, match="between 50 and 250"):
        from_height(figure_track(90), 17.5)


# ------------------------------------------------------------------ ArUco
def _marker_scene(side_cm: float, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 20 cm marker on a plane drawn at 10 px/cm, warped by homography h."""
    plane = np.full((900, 900), 255, np.uint8)
    s = int(side_cm * 10)
    plane[100 : 100 + s, 100 : 100 + s] = draw_marker_image(7, s)
    img = cv2.warpPerspective(plane, h, (1280, 1000), borderValue=255)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB), plane


@pytest.mark.parametrize(
    ("h", "a", "b", "cm"),
    [
        # marker lying on the floor, camera looking down at it obliquely; two
        # points 40 cm apart beside the marker (plane drawn at 10 px/cm)
        (
            np.array([[0.9, 0.25, 150.0], [0.02, 0.6, 300.0], [0.0002, 0.0007, 1.0]]),
            (50.0, 600.0),
            (450.0, 600.0),
            40.0,
        ),
        # marker on a wall turned ~35 deg away (its short side ~85 px): 30 cm
        # across the marker (extrapolating far from a small marker multiplies
        # its ~0.3 px corner error; see docs/ACCURACY.md)
        (
            np.array([[0.7, -0.05, 300.0], [0.1, 0.95, 150.0], [0.0006, 0.0, 1.0]]),
            (50.0, 200.0),
            (350.0, 200.0),
            30.0,
        ),
    ],
)
def test_aruco_recovers_a_distance_in_perspective(h, a, b, cm):
    img, _ = _marker_scene(20.0, h)
    (marker,) = detect_markers(img)
    assert marker.marker_id == 7
    plane = marker.plane(20.0)
    # plane pixel centres: the marker's outer edge runs from 99.5 to 299.5
    pts = cv2.perspectiveTransform(np.array([[a], [b]]), h).reshape(2, 2)
    assert plane.distance_cm(pts[0], pts[1]) == pytest.approx(cm, rel=0.02)


def test_aruco_scale_facing_the_camera_and_missing_marker():
    h = np.array([[1.5, 0.0, 100.0], [0.0, 1.5, 50.0], [0.0, 0.0, 1.0]])
    img, _ = _marker_scene(15.0, h)
    cal = from_aruco(img, 15.0)
    # 15 cm -> 150 plane px -> 225 image px
    assert cal.method == "aruco"
    assert cal.cm_per_px == pytest.approx(15.0 / 225.0, rel=0.02)
    assert cal.uncertainty_pct < 1.0
    from formcheck.errors import AnalysisError

    with pytest.raises(AnalysisError, match="no ArUco marker"):
        from_aruco(np.full((200, 200, 3), 255, np.uint8), 15.0)


# ----------------------------------------------- synthetic, realistic noise
CAM = {"distance_m": 3.5, "width": 720, "height": 1280, "fov_deg": 45.0, "tilt_deg": 5.0}


def _calf(view: str, near: str, seed: int):
    cam = CameraSpec(view=view, near_side=near, **CAM)
    return synthesize(CalfRaiseProfile(reps=6), camera=cam, noise=NoiseSpec.realistic(), seed=seed)


@pytest.mark.parametrize(
    ("profile", "view"),
    [
        (KneeToWallProfile(), "side"),
        (KneeToWallProfile(), "oblique"),
        (KneeToWallProfile(), "front"),
        (BalanceProfile(), "side"),
        (BalanceProfile(), "front"),
        (CalfRaiseProfile(reps=4), "oblique"),
    ],
)
def test_scale_from_height_within_three_percent_across_drills(profile, view):
    # the 3%, beyond calf raises: a knee-to-wall clip never stands
    # still upright (the leg-length route; it read -4% side-on and +15% from
    # the front), a balance clip's free foot is up longer than it stands (its
    # heel "rest" was the lifted level, -4.6%)
    s = synthesize(profile, camera=CameraSpec(view=view), noise=NoiseSpec.realistic(), seed=1)
    cond = condition_track(s.track)
    cal = from_height(cond.track, s.truth.height_cm, floor=estimate_floor(cond.track))
    assert cal.cm_per_px == pytest.approx(s.truth.cm_per_px, rel=0.03)


@pytest.mark.parametrize("near", ["right", "left"])
def test_leg_length_scale_takes_out_a_leg_leaning_in_depth(near):
    # filmed oblique, a split stance's back leg reaches back along the line of
    # sight and shows ~10% short; counted as it looked, it read the scale
    # +3.7 to +5.0% (near left) whenever noise let the far leg be seen
    for seed in range(4):
        cam = CameraSpec(view="oblique", near_side=near)
        s = synthesize(KneeToWallProfile(), camera=cam, noise=NoiseSpec.realistic(), seed=seed)
        cond = condition_track(s.track)
        cal = from_height(cond.track, s.truth.height_cm, floor=estimate_floor(cond.track))
        assert cal.method == "height+legs"
        assert cal.cm_per_px == pytest.approx(s.truth.cm_per_px, rel=0.02)


def test_floor_rest_is_the_lowest_resting_level_not_the_longest():
    # a foot on the floor for 2 s, then held 20 cm up for 6 s (a balance hold)
    rng = np.random.default_rng(0)
    h = np.concatenate([rng.normal(0.0, 0.5, 60), rng.normal(-80.0, 0.5, 180)])  # px, y down
    from formcheck.calibration import _rest_cluster

    rest = _rest_cluster(-h, width=5.0)  # heights: larger = higher
    assert rest[:60].mean() > 0.9 and not rest[60:].any()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("near", ["left", "right"])
def test_synthetic_ankle_angle_heel_height_and_scale(near, seed):
    s = _calf("side", near, seed)
    cond = condition_track(s.track)
    truth = s.truth
    ankle = compute_angles(cond.track, near, names=["ankle_dorsiflexion"])["ankle_dorsiflexion"]
    err = ankle - truth.angles[near]["ankle_dorsiflexion"]
    assert abs(np.nanmedian(err)) < 2.0  # degrees: the median error (bias) over the clip
    assert np.nanmedian(np.abs(err)) < 2.5  # typical per-frame error (noise floor ~2 deg)
    cal = from_height(cond.track, truth.height_cm)
    assert cal.cm_per_px == pytest.approx(truth.cm_per_px, rel=0.03)
    floor = estimate_floor(cond.track, side=near)
    heel = heel_height_px(cond.track, floor, near) * cal.cm_per_px
    true_heel = truth.heel_height_cm[near]
    # the heel height at each rep's top (mean over the hold) within 0.5 cm
    top = true_heel > 0.95 * true_heel.max() * 0.8
    starts = np.flatnonzero(np.diff(top.astype(int)) == 1) + 1
    stops = np.flatnonzero(np.diff(top.astype(int)) == -1) + 1
    assert len(starts) == 6
    errs = np.array(
        [np.nanmean(heel[a:b]) - true_heel[a:b].mean() for a, b in zip(starts, stops, strict=True)]
    )
    # the set's mean heel rise within 0.5 cm; single reps are noisier (the
    # synthetic foot drift alone has an SD of ~0.5 cm over a 0.5 s hold), so
    # each rep is held to 1.5 cm (see docs/ACCURACY.md for the spread)
    assert abs(np.mean(errs)) < 0.5
    assert np.max(np.abs(errs)) < 1.5
    # and at rest between reps
    rest = true_heel < 0.05
    assert abs(np.nanmedian(heel[rest])) < 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("near", ["left", "right"])
def test_synthetic_heel_height_per_frame_within_half_cm(near, seed):
    # issue 3: heel height within 0.5 cm (median over all frames, per clip),
    # from the heel and ankle landmarks of the rigid foot, 3 Hz low-pass
    s = _calf("side", near, seed)
    cond = condition_track(s.track)
    cal = from_height(cond.track, s.truth.height_cm)
    floor = estimate_floor(cond.track, side=near)
    heel = foot_heel_height_px(cond.track, floor, near) * cal.cm_per_px
    assert np.nanmedian(np.abs(heel - s.truth.heel_height_cm[near])) < 0.5


def _rigid_foot_pair(n: int = 600, k: float = 0.62, noise: float = 0.6, seed: int = 0):
    """(truth, heel, ankle): heel rises of 8 cm, ankle k times them, independent noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 30.0
    truth = 8.0 * np.clip(np.sin(2 * np.pi * t / 4.0), 0.0, None)
    heel = truth + 2.0 + noise * rng.standard_normal(n)
    ankle = k * truth + 7.0 + noise * rng.standard_normal(n)
    return truth, heel, ankle


def test_rigid_foot_heel_height_averages_independent_landmark_noise():
    truth, heel, ankle = _rigid_foot_pair()
    est, k = rigid_foot_heel_height(heel, ankle)
    assert k == pytest.approx(0.62, abs=0.05)
    err_heel = np.std(heel - 2.0 - truth)
    err_est = np.std(est - 2.0 - truth)
    # equal noise on both: the error variance falls by 1 / (1 + k^2)
    assert err_est == pytest.approx(err_heel / np.sqrt(1 + 0.62**2), rel=0.1)
    # a NaN ankle leaves the heel as it was
    ankle[5] = np.nan
    est2, _ = rigid_foot_heel_height(heel, ankle)
    assert est2[5] == heel[5]


def test_rigid_foot_heel_height_falls_back_to_the_heel():
    truth, heel, _ = _rigid_foot_pair()
    rng = np.random.default_rng(1)
    # standing still: nothing shared to fit
    still = rng.standard_normal((2, 300))
    est, k = rigid_foot_heel_height(still[0], still[1])
    assert k is None and np.array_equal(est, still[0])
    # ankle rising as much as 3x the heel: not a foot turning about its ball
    est, k = rigid_foot_heel_height(heel, 3.0 * truth + 0.3 * rng.standard_normal(truth.size))
    assert k is None and np.array_equal(est, heel)


def _three_signals(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Heel rises of 8 cm; ankle 0.6 and hips 0.6 of it; own noise SD 0.5, 0.5 and 0.2 cm."""
    rng = np.random.default_rng(seed)
    t = np.arange(900) / 30.0
    truth = 4.0 - 4.0 * np.cos(2 * np.pi * t / 3.0)
    heel = 2.0 + truth + 0.5 * rng.standard_normal(t.size)
    ankle = 7.0 + 0.6 * truth + 0.5 * rng.standard_normal(t.size)
    body = 95.0 + 0.6 * truth + 0.2 * rng.standard_normal(t.size)
    return truth, heel, ankle, body


def test_one_factor_heel_height_weights_each_signal_by_its_own_noise():
    truth, heel, ankle, body = _three_signals()
    est, info = one_factor_heel_height(heel, ankle, body)
    assert info is not None
    assert info["ankle_ratio"] == pytest.approx(0.6, abs=0.03)
    assert info["body_ratio"] == pytest.approx(0.6, abs=0.03)
    assert info["heel_sd"] == pytest.approx(0.5, rel=0.15)
    assert info["body_sd"] == pytest.approx(0.2, rel=0.15)
    # inverse-variance weights: 1/0.25 + 0.36/0.25 + 0.36/0.04 = 14.44 per cm^2
    want_sd = 1.0 / np.sqrt(1 / 0.25 + 0.36 / 0.25 + 0.36 / 0.04)
    assert np.std(est - 2.0 - truth) == pytest.approx(want_sd, rel=0.15)
    # the heel-and-ankle pair alone does worse: 0.5 / sqrt(1.36) = 0.43 cm (0.263 / 0.429 = 0.61)
    pair, _ = rigid_foot_heel_height(heel, ankle)
    assert np.std(est - 2.0 - truth) < 0.7 * np.std(pair - 2.0 - truth)


def test_one_factor_heel_height_fits_only_the_frames_given_and_falls_back():
    truth, heel, ankle, body = _three_signals(1)
    # walking out of the picture at the end: the hips move on their own
    body_out = body.copy()
    body_out[700:] += np.linspace(0, -30, 200)
    use = np.arange(truth.size) < 700
    est, info = one_factor_heel_height(heel, ankle, body_out, fit_frames=use)
    assert info is not None and info["body_ratio"] == pytest.approx(0.6, abs=0.03)
    assert np.std((est - 2.0 - truth)[:700]) < 0.3
    # hips that do not rise with the heel: no common rise, the heel is kept
    rng = np.random.default_rng(2)
    est, info = one_factor_heel_height(heel, ankle, -0.6 * truth + rng.standard_normal(truth.size))
    assert info is None and np.array_equal(est, heel)
    # too few frames
    est, info = one_factor_heel_height(heel[:20], ankle[:20], body[:20])
    assert info is None


def _wobble(rng: np.random.Generator, n: int, sd: float, tau_frames: float) -> np.ndarray:
    """AR(1) wobble of standard deviation ``sd`` and correlation time ``tau_frames``."""
    a = np.exp(-1.0 / tau_frames)
    x = np.zeros(n)
    x[0] = rng.standard_normal()
    for i in range(1, n):
        x[i] = a * x[i - 1] + np.sqrt(1 - a * a) * rng.standard_normal()
    return sd * x


def test_one_factor_scale_se_matches_the_scale_errors_of_many_clips():
    # slow wobble (0.5 s at 30 fps) that lines up with the reps differently in each clip
    t = np.arange(600) / 30.0
    truth = 4.0 - 4.0 * np.cos(2 * np.pi * t / 3.0)
    errors, ses = [], []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        heel = truth + _wobble(rng, t.size, 0.6, 15)
        ankle = 0.6 * truth + _wobble(rng, t.size, 0.6, 15)
        body = 0.6 * truth + _wobble(rng, t.size, 0.15, 15)
        est, info = one_factor_heel_height(heel, ankle, body, block_frames=30)
        assert info is not None
        errors.append(np.polyfit(truth, est, 1)[0] - 1.0)  # the estimate's scale error
        ses.append(info["scale_rel_se"])
    rms, mean_se = float(np.sqrt(np.mean(np.square(errors)))), float(np.mean(ses))
    assert 0.01 < rms < 0.1  # the wobble does move the scale by a few %
    assert 0.6 * rms < mean_se < 1.5 * rms
    # not asked for: 0; nearly noise-free readings: nearly 0
    assert one_factor_heel_height(heel, ankle, body)[1]["scale_rel_se"] == 0.0  # type: ignore[index]
    x = np.stack([truth, 0.6 * truth, 0.6 * truth], axis=1) + 0.01 * rng.standard_normal((600, 3))
    assert one_factor_scale_rel_se(x, 30) < 0.002
    assert one_factor_scale_rel_se(x[:40], 30) == 0.0  # under two blocks


@pytest.mark.parametrize(
    ("view", "near"),
    [
        ("side", "right"),
        ("side", "left"),
        ("front", "right"),
        ("oblique", "right"),
        ("oblique", "left"),
        ("back", "left"),
    ],
)
def test_synthetic_view_and_near_side(view, near):
    s = _calf(view, near, seed=3)
    result = classify_view(condition_track(s.track).track)
    assert result.view == view
    assert result.near_side == s.truth.near_side
    assert result.facing == s.truth.facing


@pytest.mark.parametrize(
    ("profile", "seed"),
    [(KneeToWallProfile(), 0), (KneeToWallProfile(), 2), (BalanceProfile(), 2)],
)
def test_synthetic_swaps_repaired(profile, seed):
    cam = CameraSpec(view="side", **CAM)
    s = synthesize(profile, camera=cam, noise=NoiseSpec.realistic(), seed=seed)
    cond = condition_track(s.track)
    truth = s.truth.corruption.swapped & ~s.truth.corruption.missing
    assert truth.sum() >= 3  # the seed does swap some frames
    np.testing.assert_array_equal(cond.swapped, truth)
