"""Parallel pose extraction: segment planning, stitching, person check, and a real run."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest

from formcheck.landmarks import NUM_LANDMARKS
from formcheck.parallel import (
    MIN_SEGMENT_FRAMES,
    WARMUP_FRAMES,
    extract_track_parallel,
    plan_segments,
    same_person,
    stitch,
    workers_for,
)
from formcheck.track import PoseTrack
from tests.conftest import shared_video


def _times(n: int, fps: float = 30.0) -> npt.NDArray[np.float64]:
    return np.arange(n, dtype=np.float64) / fps


def _track(times: npt.NDArray[np.float64], landmarks: npt.NDArray[np.float32]) -> PoseTrack:
    n = times.size
    return PoseTrack(
        landmarks=landmarks,
        visibility=np.ones((n, NUM_LANDMARKS), np.float32),
        presence=np.ones((n, NUM_LANDMARKS), np.float32),
        world=landmarks.copy(),
        timestamps_s=times,
        width=720,
        height=1280,
        fps=30.0,
        source="synthetic",
    )


def _person(n: int, x: float, seed: int = 0) -> npt.NDArray[np.float32]:
    """(n, 33, 3) a standing figure centred at ``x`` (normalised), 0.6 frame tall, small jitter."""
    rng = np.random.default_rng(seed)
    base = np.zeros((NUM_LANDMARKS, 3), np.float32)
    base[:, 0] = x + np.linspace(-0.05, 0.05, NUM_LANDMARKS)
    base[:, 1] = np.linspace(0.2, 0.8, NUM_LANDMARKS)
    return (base + rng.normal(0, 0.002, (n, NUM_LANDMARKS, 3))).astype(np.float32)


# ------------------------------------------------------------------ planning
@pytest.mark.parametrize(
    ("n", "workers", "warmup"),
    [
        (220, 2, WARMUP_FRAMES),  # a short clip on two cores
        (18000, 8, WARMUP_FRAMES),  # ten minutes on eight cores
        (121, 3, 5),  # frame count not divisible
        (500, 4, 0),  # no warm-up: plain split
    ],
)
def test_plan_covers_every_frame_once_with_equal_work(n: int, workers: int, warmup: int) -> None:
    times = _times(n)
    segs = plan_segments(times, workers, warmup)
    assert len(segs) == workers
    assert segs[0].own_first == 0 and segs[-1].stop == n
    for a, b in itertools.pairwise(segs):
        assert a.stop == b.own_first  # contiguous, no gap, no double ownership
        assert b.warmup == warmup
        assert b.start_s is not None and b.own_start_s is not None and a.end_s is not None
        # boundaries fall strictly between frame times, so no frame can slip across
        assert times[b.first - 1] < b.start_s < times[b.first]
        assert a.end_s == b.own_start_s
    work = [s.work for s in segs]
    assert max(work) - min(work) <= 1


def test_plan_rejects_impossible_requests() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        plan_segments(_times(100), 0)
    with pytest.raises(ValueError, match="too few"):
        plan_segments(_times(12), 4, warmup_frames=10)


def test_workers_auto_and_caps() -> None:
    long = _times(30 * 60)
    assert workers_for(_times(30), None) == 1  # 1 s clip: not worth a process
    assert workers_for(long, 3) == 3
    # each segment must own MIN_SEGMENT_FRAMES frames
    short = _times(2 * MIN_SEGMENT_FRAMES + WARMUP_FRAMES)
    assert workers_for(short, 16) == 2
    # an irregular container clock (duplicate times) stays on the single-process path
    dup = long.copy()
    dup[100] = dup[99]
    assert workers_for(dup, 4) == 1
    with pytest.raises(ValueError, match="at least 1"):
        workers_for(long, 0)


# ----------------------------------------------------------------- stitching
def test_stitch_drops_warmup_and_keeps_owned_frames() -> None:
    times = _times(200)
    truth = _track(times, _person(200, 0.5))
    segs = plan_segments(times, 3, warmup_frames=8)
    parts = []
    for s in segs:
        part = truth.slice(s.first, s.stop)
        lm = part.landmarks.copy()
        lm[: s.warmup] += 0.3  # a cold tracker: wrong during warm-up
        parts.append(part.with_arrays(landmarks=lm))
    out = stitch(parts, segs)
    assert np.array_equal(out.timestamps_s, truth.timestamps_s)
    assert np.array_equal(out.landmarks, truth.landmarks)
    assert out.width == truth.width and out.source == truth.source


def test_stitch_joins_each_segments_camera_motion_to_the_first_frame() -> None:
    """Each segment's tracker measures the camera against its own first frame (its
    first warm-up frame); stitched, every frame is against the clip's first frame."""
    times = _times(200)
    k = np.arange(200)
    cam = np.zeros((200, 3, 3))
    turn = np.radians(0.01 * k)
    cam[:, 0, 0] = cam[:, 1, 1] = np.cos(turn)
    cam[:, 1, 0], cam[:, 0, 1] = np.sin(turn), -np.sin(turn)
    cam[:, 0, 2], cam[:, 1, 2], cam[:, 2, 2] = 0.4 * k, 10 * np.sin(k / 20), 1.0
    truth = _track(times, _person(200, 0.5)).with_arrays(camera=cam[:, :2])
    segs = plan_segments(times, 3, warmup_frames=8)
    parts = []
    for s in segs:
        own = np.linalg.inv(cam[s.first]) @ cam[s.first : s.stop]  # against its first frame
        parts.append(truth.slice(s.first, s.stop).with_arrays(camera=own[:, :2]))
    out = stitch(parts, segs)
    assert np.abs(out.camera - truth.camera).max() < 1e-9
    # a segment without camera motion (an older track): none for the whole clip
    bare = [parts[0].with_arrays(camera=np.zeros((0, 2, 3))), *parts[1:]]
    assert stitch(bare, segs).camera.shape == (0, 2, 3)


def test_stitch_needs_one_track_per_segment() -> None:
    times = _times(100)
    segs = plan_segments(times, 2, 5)
    with pytest.raises(ValueError, match="2 segments"):
        stitch([_track(times, _person(100, 0.5))], segs)


def test_same_person_on_shared_frames() -> None:
    times = _times(60)
    a = _track(times[:40], _person(40, 0.5, seed=1))
    b_same = _track(times[30:], _person(30, 0.5, seed=2))
    b_other = _track(times[30:], _person(30, 0.8, seed=3))  # someone 0.3 frame widths away
    assert same_person(a, b_same)
    assert not same_person(a, b_other)
    # nothing shared or nobody seen: nothing to contradict
    assert same_person(a, _track(times[45:], _person(15, 0.9)))
    nobody = _track(times[30:], np.full((30, NUM_LANDMARKS, 3), np.nan, np.float32))
    assert same_person(a, nobody)


# ------------------------------------------------------------- the real thing
@pytest.mark.slow
def test_parallel_track_matches_single_process(shared_model: object) -> None:
    """Three segments (two boundaries) on a real clip against one process.

    Tracker histories never agree bit for bit after a restart (each frame's
    crop comes from the previous landmarks), so the comparison is on visible
    landmarks in normalised image units: measured median 0.002 and p95
    0.006-0.008 between a restarted and a continuous tracker. Limits: median
    0.005 and p95 0.02, i.e. 0.5 % and 2 % of the frame (a few pixels,
    under the model's own error), so a stitching shift of even one frame at
    a boundary (movement between frames is larger) or a wrong person fails.
    """
    from formcheck.pose import extract_track
    from formcheck.video import packet_times

    video = shared_video("knee_to_wall_side.mp4")
    single = extract_track(video, model_path=shared_model)  # type: ignore[arg-type]
    calls: list[tuple[int, int]] = []
    par = extract_track_parallel(
        video,
        workers=3,
        model_path=shared_model,  # type: ignore[arg-type]
        progress=lambda d, t: calls.append((d, t)),
    )
    assert len(par) == len(single)
    assert np.array_equal(par.timestamps_s, single.timestamps_s)
    assert float((par.detected == single.detected).mean()) >= 0.98
    # the first segment is the same computation as the single run: identical
    segs = plan_segments(packet_times(video), 3)
    head = segs[1].own_first
    assert np.array_equal(par.landmarks[:head], single.landmarks[:head], equal_nan=True)
    vis = (par.visibility > 0.5) & (single.visibility > 0.5)
    diff = np.linalg.norm(par.landmarks[..., :2] - single.landmarks[..., :2], axis=2)
    assert float(np.median(diff[vis])) < 0.005
    assert float(np.percentile(diff[vis], 95)) < 0.02
    # right after each boundary too (the warm-up was long enough)
    for s in segs[1:]:
        near = slice(s.own_first, s.own_first + WARMUP_FRAMES)
        assert float(np.median(diff[near][vis[near]])) < 0.005
    # the camera's motion (a camera on a stand: under a pixel), joined across the segments
    assert par.camera.shape == single.camera.shape == (len(single), 2, 3)
    known = np.isfinite(par.camera).all(axis=(1, 2)) & np.isfinite(single.camera).all(axis=(1, 2))
    assert known.mean() > 0.9
    centre = np.array([single.width / 2, single.height / 2])
    moved_par = par.camera[known, :, :2] @ centre + par.camera[known, :, 2] - centre
    moved_single = single.camera[known, :, :2] @ centre + single.camera[known, :, 2] - centre
    assert np.abs(moved_par - moved_single).max() < 1.0
    # progress: never backwards, ends at (total, total)
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert calls[-1] == (len(single), len(single))
