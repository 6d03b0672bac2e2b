"""View classification and framing checks on constructed figures (formcheck.views)."""

from __future__ import annotations

import numpy as np
import pytest
from _measure_helpers import figure_track

from formcheck.landmarks import Landmark
from formcheck.views import QualityIssue, check_view, classify_view, estimate_yaw, framing_issues

VIEW_CASES = [
    # (yaw degrees, view, facing/near side)
    (0, "front", None),
    (15, "front", None),
    (-20, "front", None),
    (45, "oblique", "right"),
    (-45, "oblique", "left"),
    (75, "side", "right"),
    (90, "side", "right"),
    (-90, "side", "left"),
    (-105, "side", "left"),
    (135, "oblique", "right"),  # rear-oblique
    (180, "back", None),
]


@pytest.mark.parametrize(("yaw", "view", "near"), VIEW_CASES)
def test_view_facing_and_near_side(yaw, view, near):
    result = classify_view(figure_track(yaw, noise_px=3.0, seed=yaw % 7))
    assert result.view == view
    assert result.near_side == near
    assert result.facing == near
    assert result.confidence > 0.9
    assert not result.changed and result.turns_s == ()


def test_width_cue_alone_without_depth():
    # no z and no world (e.g. a 2D-only source): the width ratio still decides
    for yaw, view in ((0, "front"), (90, "side"), (45, "oblique")):
        tr = figure_track(yaw)
        lm = np.array(tr.landmarks, copy=True)
        lm[:, :, 2] = 0.0
        tr = tr.with_arrays(landmarks=lm, world=np.full_like(tr.world, np.nan))
        assert classify_view(tr).view == view


def test_view_change_is_reported_with_times():
    yaw = np.concatenate([np.full(90, -40.0), np.linspace(-40, -140, 30), np.full(90, -140.0)])
    result = classify_view(figure_track(yaw, n=yaw.size, noise_px=2.0))
    assert result.changed
    # one lasting turn, during the 3-4 s the figure turns (1 s majority smoothing)
    assert len(result.turns_s) == 1 and 2.5 <= result.turns_s[0] <= 4.5
    assert result.segments[0].facing == "left" and result.segments[0].start_s == 0.0
    assert result.segments[0].oblique == "front" and result.segments[-1].oblique == "rear"
    issue = check_view(result, frozenset({"oblique", "side"}))
    assert issue is not None and issue.code == "view_changed"
    assert "stay at the same angle" in issue.message


def test_check_view_messages():
    side = classify_view(figure_track(90))
    front = classify_view(figure_track(0))
    assert check_view(side, frozenset({"side"})) is None
    issue = check_view(front, frozenset({"side"}))
    assert issue is not None and issue.severity == "error"
    assert "turn side-on to the camera" in issue.message


# Perspective cameras (formcheck.synth) at known yaw: lens height, tilt and
# distance foreshorten the torso and compress the world depth differently from
# the orthographic figure above. (camera height m, tilt deg down, distance m)
SYNTH_CAMERAS = [(1.0, 0.0, 3.0), (1.5, 15.0, 2.5), (0.5, -10.0, 3.0), (1.7, 25.0, 2.0)]
YAW_TOLERANCE_DEG = 5.0
"""A sixth of a 30 deg view class: a view 5 deg from a boundary keeps its class.
Measured (docs/ACCURACY.md): max error 3.6 deg at yaw 15-135 over 576 conditioned
2-rep clips (6 seeds, both sides, lean 0/15), 4.0 deg over 400 raw 1-rep clips as
here (10 seeds)."""


@pytest.mark.parametrize(("cam_height", "tilt", "distance"), SYNTH_CAMERAS)
def test_yaw_on_synthetic_perspective_cameras(cam_height, tilt, distance):
    from formcheck.synth import CalfRaiseProfile, CameraSpec, synthesize

    profile = CalfRaiseProfile(reps=1, trunk_lean_deg=15.0)
    for yaw, view in ((15, "front"), (45, "oblique"), (65, "side"), (75, "side"), (135, "oblique")):
        for near in ("right", "left"):
            camera = CameraSpec(
                view="front",
                yaw_deg=yaw if near == "right" else -yaw,
                near_side=near,
                height_m=cam_height,
                tilt_deg=tilt,
                distance_m=distance,
                width=1080,
                height=1920,
            )
            track = synthesize(profile, camera, seed=yaw % 5).track  # realistic noise, raw
            truth = min(yaw, 180 - yaw)
            assert abs(np.nanmedian(estimate_yaw(track)) - truth) < YAW_TOLERANCE_DEG
            result = classify_view(track)
            assert result.view == view
            if view != "front":
                assert result.near_side == near


def _codes(issues: list[QualityIssue]) -> set[str]:
    return {i.code for i in issues}


def test_clean_framing_has_no_issues():
    assert framing_issues(figure_track(90)) == []


def test_feet_out_of_frame():
    tr = figure_track(90)
    lm = np.array(tr.landmarks, copy=True)
    lm[:, [int(Landmark.LEFT_HEEL), int(Landmark.RIGHT_FOOT_INDEX)], 1] = 1.03
    issues = framing_issues(tr.with_arrays(landmarks=lm))
    feet = [i for i in issues if i.code == "feet_out_of_frame"]
    assert feet and feet[0].severity == "error"
    assert "until both feet are in the picture" in feet[0].message


def test_head_out_of_frame_by_presence():
    tr = figure_track(0)
    pres = np.array(tr.presence, copy=True)
    pres[:15, int(Landmark.NOSE)] = 0.1
    assert "head_out_of_frame" in _codes(framing_issues(tr.with_arrays(presence=pres)))


def test_person_too_small_and_too_few_frames_and_two_people():
    assert "person_too_small" in _codes(framing_issues(figure_track(90, px_per_m=150.0)))
    tr = figure_track(90, n=30)
    lm = np.array(tr.landmarks, copy=True)
    lm[:20] = np.nan
    issues = framing_issues(
        tr.with_arrays(landmarks=lm, num_people=np.r_[np.zeros(20), np.ones(10)])
    )
    few = [i for i in issues if i.code == "few_person_frames"]
    assert few and few[0].severity == "error" and "67%" in few[0].message
    people = np.ones(30, np.int16)
    people[5:15] = 2
    assert "several_people" in _codes(framing_issues(tr.with_arrays(num_people=people)))


# ------------------------------------------------------------ real clips (slow)
# Expected views derived from each label's "view" text: a hedged label
# ("near-side / oblique") accepts both classes; "faces image-X" gives the
# facing and so the nearer side (facing image-right turns the right side to
# the camera). The label texts are quoted in the comments.
REAL_VIEWS = [
    # "side (faces image-right)"
    ("balance_flamingo_side.mp4", {"side"}, "right"),
    # "side (faces image-right; the wall face is seen obliquely)"
    ("knee_to_wall_side.mp4", {"side"}, "right"),
    # "near-side / oblique (faces image-left)"
    ("balance_hinge_oblique.mp4", {"side", "oblique"}, "left"),
    # "near-side / oblique (faces image-left)"
    ("calf_wall_stretch_oblique.mp4", {"side", "oblique"}, "left"),
    # "near-side / oblique (faces image-left), waist down only"
    ("ankle_rocks_waist_down.mp4", {"side", "oblique"}, "left"),
    # "front-oblique"
    ("balance_both_legs_front_oblique.mp4", {"oblique"}, None),
    # "front (slightly oblique)"
    ("leg_circles_front.mp4", {"front"}, None),
    # "side"
    ("jumps_side_7.mp4", {"side"}, None),
    pytest.param(
        # "front-oblique (about 3/4 front, person faces image-left)"
        "calf_raise_double_front_oblique.mp4",
        {"oblique"},
        "left",
        marks=pytest.mark.xfail(
            strict=True,
            reason="every torso cue reads past the 60 deg side boundary (medians: shoulder "
            "width 68, hip width 61, shoulder depth 65, hip depth 55; estimate 63-64) and "
            "the feet read 49 and 65; the label says about 45 deg. On synthetic "
            "cameras the estimate is within 3.6 deg of truth at 15-135 deg and reads "
            "low, not high, from a high camera. On renders of known yaw MediaPipe reads "
            "45 deg bodies as 32-36 (more frontal, not more side-on), and this clip's cues "
            "map back to 61-67 deg (bench/render_yaw.py). Facing and near side agree.",
        ),
    ),
]


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize(("name", "views", "near"), REAL_VIEWS)
def test_real_clip_view_and_near_side(tracked_clip, shared_labels, name, views, near):
    from formcheck.signals import condition_track

    assert name in shared_labels
    result = classify_view(condition_track(tracked_clip(name)).track)
    if near is not None:
        assert result.near_side == near
        assert result.facing == near
    assert result.view in views


@pytest.mark.slow
@pytest.mark.shared
def test_real_clip_turning_is_reported(tracked_clip, shared_labels):
    from formcheck.signals import condition_track

    name = "calf_raise_weighted_turning.mp4"
    assert "rear-oblique" in shared_labels[name]["view"]
    result = classify_view(condition_track(tracked_clip(name)).track)
    assert result.changed
    # the label: front-oblique 0-8.2 s, turning 8.2-9.5 s, rear-oblique 9.5-16.5 s
    assert len(result.turns_s) == 1 and 8.2 <= result.turns_s[0] <= 9.5
    at_12 = [s for s in result.segments if s.start_s <= 12.0 < s.end_s]
    assert at_12 and (at_12[0].oblique == "rear" or at_12[0].view == "back")
    at_4 = [s for s in result.segments if s.start_s <= 4.0 < s.end_s]
    assert at_4 and at_4[0].toward == "front"
    assert check_view(result, frozenset({"side", "oblique"})).code == "view_changed"


@pytest.mark.slow
@pytest.mark.shared
def test_real_clip_lower_leg_only_is_a_framing_error(tracked_clip, shared_labels):
    name = "calf_raise_single_lower_leg_only.mp4"
    assert shared_labels[name]["whole_body"] is False
    issues = framing_issues(tracked_clip(name))
    assert any(i.severity == "error" for i in issues)


def test_low_resolution_is_information_not_a_reason_to_move_closer():
    # a figure filling a 480 px frame (about 1.7 m at 180 px/m = 300 px, 62% of it)
    issues = framing_issues(figure_track(90, width=640, height=480, px_per_m=180.0))
    codes = _codes(issues)
    assert "person_too_small" not in codes
    low = [i for i in issues if i.code == "low_resolution"]
    assert low and low[0].severity == "info" and "720p" in low[0].message
    # the same figure in a 1920 px frame is small: moving closer is the advice
    far = framing_issues(figure_track(90, width=1080, height=1920, px_per_m=180.0))
    assert "person_too_small" in _codes(far)


# ------------------------------------------------------------------ camera pitch
@pytest.mark.parametrize("view", ["side", "front", "oblique"])
@pytest.mark.parametrize("pitch", [-10.0, 0.0, 12.0, 25.0])
def test_camera_pitch_from_world_landmarks(view: str, pitch: float) -> None:
    # a synthetic phone aimed at the hips from 3 m: the world landmarks lean by its pitch
    import math

    from formcheck.calibration import estimate_camera_pitch
    from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize

    height = max(0.15, 0.9 + 3.0 * math.tan(math.radians(pitch)))
    cam = CameraSpec(view=view, height_m=height, tilt_deg=pitch, distance_m=3.0, fov_deg=65.0)
    syn = synthesize(CalfRaiseProfile(reps=2), cam, NoiseSpec.realistic(), seed=1)
    got = estimate_camera_pitch(syn.track)
    assert got is not None and abs(got - pitch) < 2.0


def test_camera_pitch_needs_the_whole_body_in_the_picture() -> None:
    from formcheck.calibration import estimate_camera_pitch

    track = figure_track(90, noise_px=1.0)
    w = np.array(track.world, copy=True)
    w[:, :, 2] = 0.0  # no lean in depth: a level camera
    assert estimate_camera_pitch(track.with_arrays(world=w)) == pytest.approx(0.0, abs=0.5)
    lm = np.array(track.landmarks, copy=True)
    lm[:, Landmark.NOSE, 1] = -0.05  # head above the picture: the model guesses it
    assert estimate_camera_pitch(track.with_arrays(landmarks=lm, world=w)) is None


def test_camera_pitch_issue_thresholds_and_words() -> None:
    from formcheck.views import camera_pitch_issue

    assert camera_pitch_issue(None) is None
    assert camera_pitch_issue(7.0) is None and camera_pitch_issue(-7.0) is None
    # MediaPipe reads level and slightly raised phones up to 10.3 deg down (renders)
    assert camera_pitch_issue(10.5) is None
    info = camera_pitch_issue(14.0)
    assert info is not None and info.severity == "info" and info.code == "camera_looks_down"
    assert "14 degrees" in info.message and "shin to knee height" in info.message
    warn = camera_pitch_issue(24.0)
    assert warn is not None and warn.severity == "warning" and "read low" in warn.message
    up = camera_pitch_issue(-12.0)
    assert up is not None and up.code == "camera_looks_up" and up.severity == "info"


def test_steep_camera_is_reported_and_flags_calf_heights() -> None:
    from formcheck.analysis import analyze_track
    from formcheck.drills.base import DrillOptions
    from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize

    reports = {}
    for pitch, height in ((0.0, 0.9), (25.0, 2.3)):
        cam = CameraSpec(view="side", height_m=height, tilt_deg=pitch, distance_m=3.0)
        syn = synthesize(CalfRaiseProfile(reps=3), cam, NoiseSpec.low(), seed=0)
        reports[pitch] = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=175.0))
    level, steep = reports[0.0], reports[25.0]
    assert level.quality["camera_pitch_deg"] == pytest.approx(0.0, abs=2.0)
    assert not any(w.code.startswith("camera_looks") for w in level.warnings)
    assert steep.quality["camera_pitch_deg"] == pytest.approx(25.0, abs=2.0)
    assert [w.severity for w in steep.warnings if w.code == "camera_looks_down"] == ["warning"]
    assert not steep.quality["trusted"]
    reps = [e for e in steep.events if e["kind"] == "rep"]
    assert len(reps) == 3 and all("camera looks down" in e["flags"]["heel_rise_cm"] for e in reps)
