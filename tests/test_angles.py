"""Angles from constructed stick figures with known angles (formcheck.angles)."""

from __future__ import annotations

import numpy as np
import pytest
from _measure_helpers import side_pose, track_from_poses

from formcheck.angles import ANGLES, compute_angles, infer_facing
from formcheck.landmarks import Landmark

CASES = [
    # (name of the case, side_pose kwargs, expected angles)
    (
        "neutral stance",
        {},
        {
            "ankle_dorsiflexion": 0,
            "tibia_inclination": 0,
            "knee_flexion": 0,
            "hip_flexion": 0,
            "foot_to_floor": 0,
        },
    ),
    ("knee-to-wall lunge", {"tibia_deg": 38}, {"ankle_dorsiflexion": 38, "tibia_inclination": 38}),
    ("top of a calf raise", {"foot_deg": 25}, {"ankle_dorsiflexion": -25, "foot_to_floor": 25}),
    (
        "bent-knee calf raise",
        {"tibia_deg": 12, "knee_flex_deg": 20, "foot_deg": 18},
        {"ankle_dorsiflexion": -6, "knee_flexion": 20, "tibia_inclination": 12},
    ),
    (
        "squat",
        {"tibia_deg": 30, "knee_flex_deg": 90, "hip_flex_deg": 80},
        {"knee_flexion": 90, "hip_flexion": 80},
    ),
    ("hyperextended knee", {"tibia_deg": -5, "knee_flex_deg": -8}, {"knee_flexion": -8}),
]


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize(("case", "kwargs", "expected"), CASES, ids=[c[0] for c in CASES])
def test_angles_match_construction_for_both_facings(case, kwargs, expected, facing):
    track = track_from_poses([side_pose(facing=facing, **kwargs)])
    for side in ("left", "right"):
        got = compute_angles(track, side)
        for name, want in expected.items():
            assert got[name][0] == pytest.approx(want, abs=1e-3), (case, name)


def test_explicit_facing_wrong_flips_signed_angles():
    track = track_from_poses([side_pose(facing="right", tibia_deg=30)])
    assert compute_angles(track, "left", facing="right")["tibia_inclination"][0] == pytest.approx(
        30
    )
    assert compute_angles(track, "left", facing="left")["tibia_inclination"][0] == pytest.approx(
        -30
    )


def test_angles_use_pixels_not_normalised_coordinates():
    # the same figure in a portrait and a landscape frame: angles must agree
    pose = side_pose(tibia_deg=25, foot_deg=10, ankle=(600.0, 1500.0), scale=0.5)
    tall = compute_angles(track_from_poses([pose], width=1080, height=1920), "left")
    wide = compute_angles(track_from_poses([pose], width=1920, height=1920), "left")
    for name in ANGLES:
        assert tall[name][0] == pytest.approx(wide[name][0], abs=1e-4)
    assert tall["tibia_inclination"][0] == pytest.approx(25, abs=1e-4)


def test_rolled_camera_with_up_vector():
    # rotate the whole figure by 15 degrees in the image; passing the rotated up recovers angles
    pose = side_pose(tibia_deg=20, foot_deg=5)
    c = np.array([500.0, 1000.0])
    r = np.radians(15.0)
    rot = np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]])
    rolled = {m: tuple(rot @ (np.asarray(p) - c) + c) for m, p in pose.items()}
    track = track_from_poses([rolled])
    up = rot @ np.array([0.0, -1.0])
    got = compute_angles(track, "right", up=up)
    assert got["tibia_inclination"][0] == pytest.approx(20, abs=1e-4)
    assert got["foot_to_floor"][0] == pytest.approx(5, abs=1e-4)
    naive = compute_angles(track, "right")
    assert abs(naive["tibia_inclination"][0] - 20) > 10


def test_nan_in_nan_out_per_frame():
    poses = [side_pose(tibia_deg=10), side_pose(tibia_deg=10), side_pose(tibia_deg=10)]
    del poses[1][Landmark.LEFT_KNEE]
    track = track_from_poses(poses)
    got = compute_angles(track, "left")
    assert np.isnan(got["tibia_inclination"][1]) and np.isnan(got["knee_flexion"][1])
    assert np.isfinite(got["foot_to_floor"][1])  # does not need the knee
    assert np.isfinite(got["tibia_inclination"][[0, 2]]).all()
    assert np.isfinite(compute_angles(track, "right")["knee_flexion"]).all()


def test_vectorised_over_many_frames():
    tib = np.linspace(-10, 45, 200)
    track = track_from_poses([side_pose(tibia_deg=float(a), facing="left") for a in tib])
    got = compute_angles(track, "right", names=["tibia_inclination"])
    assert list(got) == ["tibia_inclination"]
    np.testing.assert_allclose(got["tibia_inclination"], tib, atol=1e-3)


def test_infer_facing_from_feet_and_head():
    track = track_from_poses([side_pose(facing="left"), side_pose(facing="right")])
    np.testing.assert_array_equal(infer_facing(track), [-1.0, 1.0])


def test_unknown_names_list_choices():
    track = track_from_poses([side_pose()])
    with pytest.raises(ValueError, match="expected one of"):
        compute_angles(track, "left", names=["elbow"])
    with pytest.raises(ValueError, match="expected one of"):
        compute_angles(track, "middle")
