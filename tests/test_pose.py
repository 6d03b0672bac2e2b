"""Pose extraction: shared clips, orientation, following one person, segments, live.

Unit tests of ``PersonFollower`` use synthetic skeletons; the rest run the
shared full model (``slow``). Composed clips (rotated, two people) are built
from shared frames in tmp dirs, never stored in the project.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import make_video, set_mp4_rotation, shared_video

from formcheck.landmarks import NUM_LANDMARKS, Landmark
from formcheck.pose import FramePose, LivePose, PersonFollower, extract_track
from formcheck.track import PoseTrack
from formcheck.video import iter_frames

KNEE = "knee_to_wall_side.mp4"


# ----------------------------------------------------------- unit: follower
def skeleton(cx: float, cy: float, height: float) -> np.ndarray:
    """(33, 2) normalised points of a standing figure centred at (cx, cy)."""
    rng = np.random.default_rng(int(cx * 1000 + cy * 100))
    pts = np.column_stack(
        [cx + rng.uniform(-0.15, 0.15, NUM_LANDMARKS) * height,
         cy + rng.uniform(-0.5, 0.5, NUM_LANDMARKS) * height]
    )  # fmt: skip
    pts[Landmark.NOSE] = (cx, cy - 0.5 * height)
    pts[Landmark.LEFT_ANKLE] = (cx, cy + 0.5 * height)
    for lm, dy in ((Landmark.LEFT_SHOULDER, -0.3), (Landmark.RIGHT_SHOULDER, -0.3),
                   (Landmark.LEFT_HIP, 0.0), (Landmark.RIGHT_HIP, 0.0)):  # fmt: skip
        pts[lm] = (cx, cy + dy * height)
    return pts.astype(np.float32)


def test_follower_starts_with_largest_most_central() -> None:
    f = PersonFollower()
    small_central = skeleton(0.5, 0.5, 0.3)
    big_central = skeleton(0.45, 0.5, 0.8)
    big_corner = skeleton(0.1, 0.5, 0.8)
    assert f.choose([small_central, big_corner, big_central], 0.0) == 2


def test_follower_keeps_the_same_person_when_order_changes() -> None:
    f = PersonFollower()
    a, b = skeleton(0.3, 0.5, 0.6), skeleton(0.7, 0.5, 0.6)
    first = f.choose([a, b], 0.0)
    chosen = [a, b][first or 0]
    for i in range(1, 20):  # the model lists people in any order; the chosen one walks slowly
        moved = chosen + np.float32(0.002 * i)
        other = b if chosen is a else a
        order = [moved, other] if i % 2 else [other, moved]
        pick = f.choose(order, i / 30)
        assert pick is not None and order[pick] is moved


def test_follower_rejects_a_jump_to_someone_else() -> None:
    f = PersonFollower()
    assert f.choose([skeleton(0.3, 0.5, 0.6)], 0.0) == 0
    # next frame only another person far away: not our person
    assert f.choose([skeleton(0.85, 0.5, 0.6)], 1 / 30) is None
    # our person back near where they were, after a second
    assert f.choose([skeleton(0.85, 0.5, 0.6), skeleton(0.33, 0.5, 0.6)], 1.0) == 1


def test_follower_target_xy() -> None:
    f = PersonFollower(target_xy=(0.8, 0.5))
    assert f.choose([skeleton(0.5, 0.5, 0.9), skeleton(0.8, 0.5, 0.3)], 0.0) == 1


def test_frame_pose_empty_is_nan() -> None:
    p = FramePose.empty(1.5)
    assert not p.detected and np.isnan(p.world).all() and p.landmarks.shape == (33, 3)


# ------------------------------------------------------- helpers for clips
def head_above_feet(track: PoseTrack) -> float:
    """Fraction of detected frames with the nose above (smaller y) both ankles."""
    ok = track.detected
    nose = track.landmarks[ok, Landmark.NOSE, 1]
    ankles = track.landmarks[ok][:, [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE], 1]
    return float(np.mean(nose < ankles.min(axis=1)))


def shared_frames(name: str, n: int, max_side: int | None = None) -> list[np.ndarray]:
    frames = []
    for f in iter_frames(shared_video(name), max_side=max_side):
        frames.append(f.rgb)
        if len(frames) == n:
            break
    return frames


# ------------------------------------------------------------ shared clips
@pytest.mark.slow
@pytest.mark.shared
def test_knee_to_wall_side_clip(tracked_clip: Callable[[str], PoseTrack]) -> None:
    track = tracked_clip(KNEE)
    times = np.array([f.time_s for f in iter_frames(shared_video(KNEE))])
    np.testing.assert_array_equal(track.timestamps_s, times)  # one row per frame, container time
    assert track.detected_fraction >= 0.99  # done-means of issue 2
    assert (track.width, track.height) == (720, 1280)
    assert track.model_variant == "full" and track.source == KNEE
    assert head_above_feet(track) > 0.99  # portrait clip comes out upright
    assert np.all(track.num_people[track.detected] >= 1)


@pytest.mark.slow
@pytest.mark.shared
def test_rotated_phone_file_comes_out_upright(tmp_path: Path, shared_model: Path) -> None:
    # Store upright portrait frames the way a phone does: turned to landscape,
    # with a display matrix saying "turn 90 deg clockwise" (FFmpeg angle -90).
    upright = shared_frames(KNEE, 20, max_side=640)  # (640, 360) portrait
    stored = [np.ascontiguousarray(np.rot90(f, 1)) for f in upright]  # sky on the left
    h, w = stored[0].shape[:2]
    path = make_video(tmp_path / "phone.mp4", frames=stored, size=(w, h), fps=30)
    set_mp4_rotation(path, 270)
    track = extract_track(path, model_path=shared_model, num_poses=1)
    assert (track.width, track.height) == (upright[0].shape[1], upright[0].shape[0])
    assert track.detected_fraction == 1.0
    assert head_above_feet(track) == 1.0
    # control: the same file without the matrix is sideways (head beside the feet)
    plain = make_video(tmp_path / "plain.mp4", frames=stored, size=(w, h), fps=30)
    sideways = extract_track(plain, model_path=shared_model, num_poses=1)
    assert sideways.width > sideways.height
    ok = sideways.detected
    nose, ankle = sideways.landmarks[ok, Landmark.NOSE], sideways.landmarks[ok, Landmark.LEFT_ANKLE]
    assert np.mean(np.abs(nose[:, 0] - ankle[:, 0]) > np.abs(nose[:, 1] - ankle[:, 1])) > 0.9


@pytest.mark.slow
@pytest.mark.shared
def test_follows_one_person_when_two_are_in_frame(tmp_path: Path, shared_model: Path) -> None:
    n = 45
    big = shared_frames(KNEE, n, max_side=640)  # (640, 360): the larger person
    other = shared_frames("balance_flamingo_side.mp4", n, max_side=560)  # (560, 315)
    h = big[0].shape[0]
    frames = []
    for a, b in zip(big, other, strict=True):
        pad = np.zeros((h, b.shape[1], 3), np.uint8)
        pad[h - b.shape[0] :] = b  # smaller person standing on the same floor line
        frames.append(np.concatenate([a, pad], axis=1))
    width = frames[0].shape[1]
    path = make_video(tmp_path / "two.mp4", frames=frames, size=(width, h), fps=30)
    split = big[0].shape[1] / width

    track = extract_track(
        path, model_path=shared_model
    )  # scouting sees two people and switches to multi-pose
    assert np.mean(track.num_people >= 2) > 0.8
    assert track.detected_fraction > 0.95
    hips_x = track.landmarks[track.detected][:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0]
    assert np.all(hips_x < split)  # always the larger person on the left, never a jump

    right = extract_track(
        path, model_path=shared_model, target_xy=(0.85, 0.6)
    )  # asked for the other person
    hips_x = right.landmarks[right.detected][:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0]
    assert right.detected_fraction > 0.9 and np.all(hips_x > split)


@pytest.mark.slow
@pytest.mark.shared
def test_segment_matches_full_track_after_warm_up(
    tracked_clip: Callable[[str], PoseTrack], shared_model: Path
) -> None:
    full = tracked_clip(KNEE)
    done: list[tuple[int, int]] = []
    seg = extract_track(
        shared_video(KNEE),
        model_path=shared_model,
        start_s=3.0,
        end_s=4.0,
        progress=lambda d, t: done.append((d, t)),
    )
    rows = np.flatnonzero((full.timestamps_s >= 3.0 - 1e-6) & (full.timestamps_s < 4.0))
    np.testing.assert_array_equal(seg.timestamps_s, full.timestamps_s[rows])
    assert done[-1] == (len(seg), len(seg)) and [d for d, _ in done] == list(range(1, len(seg) + 1))
    warm = 10  # tracker warm-up frames at a segment start (issue 6 stitches with overlap)
    diff = np.abs(seg.landmarks[warm:, :, :2] - full.landmarks[rows[warm:], :, :2])
    assert np.nanmedian(diff) < 0.01


@pytest.mark.slow
@pytest.mark.shared
def test_live_pose_single_frames(shared_model: Path) -> None:
    frames = shared_frames(KNEE, 10)
    with LivePose(shared_model) as live:
        poses = [live.process(rgb, i / 30) for i, rgb in enumerate(frames)]
        again = live.process(frames[0], 0.0)  # time going backwards: still works
        with pytest.raises(ValueError, match=r"expected an \(H, W, 3\) uint8 RGB frame"):
            live.process(frames[0][:, :, 0], 1.0)
    assert all(p.detected and p.num_people == 1 for p in poses)
    assert (
        again.detected and poses[0].landmarks.shape == (33, 3) and poses[0].world.shape == (33, 3)
    )
    assert np.all((poses[0].visibility >= 0) & (poses[0].visibility <= 1))


@pytest.mark.slow
@pytest.mark.shared
def test_nobody_in_frame_keeps_rows_as_nan(tmp_path: Path, shared_model: Path) -> None:
    path = make_video(tmp_path / "empty_room.mp4", n_frames=8, size=(160, 96))
    track = extract_track(path, model_path=shared_model)
    assert len(track) == 8 and track.detected_fraction == 0.0
    assert np.isnan(track.landmarks).all() and np.all(track.num_people == 0)
