"""What the page runs, with caching: pose tracks by content hash, annotated videos.

Pose extraction is the slow step (seconds to minutes); analysis is fast. The
page keeps each extracted track in ``TrackCache`` under the SHA-256 of the
file's bytes, so changing the drill, an option or a threshold re-scores the
stored track without running the model again (and re-uploading the same file
under another name finds it too).

The functions here take plain arguments and return plain values; the page
wraps the expensive, shareable ones in ``st.cache_resource``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from formcheck.drills.base import DrillOptions
from formcheck.track import PoseTrack

if TYPE_CHECKING:
    from formcheck.report import Report

ProgressFn = Callable[[int, int], None]

EXTRACT_MAX_SIDE = 1280
"""Frames are shrunk to this longer side (pixels) before the pose model: the
model itself works at 256x256, so 1280 loses nothing and decodes 4K phone video
several times faster."""


class TrackCache:
    """A small thread-safe LRU of pose tracks keyed by content digest.

    Tracks are ~1 MB per minute of video, so ``capacity`` tracks stay small.
    """

    def __init__(self, capacity: int = 16) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, PoseTrack] = OrderedDict()
        self._stated: dict[str, float | None] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> PoseTrack | None:
        """The track stored under ``key`` (marks it recently used), or None."""
        with self._lock:
            track = self._items.get(key)
            if track is not None:
                self._items.move_to_end(key)
            return track

    def put(self, key: str, track: PoseTrack, stated_duration_s: float | None = None) -> None:
        """Store ``track`` (and the duration its file states, s); the least recently used
        entry goes when full."""
        with self._lock:
            self._items[key] = track
            self._stated[key] = stated_duration_s
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                gone, _ = self._items.popitem(last=False)
                self._stated.pop(gone, None)

    def stated_duration(self, key: str) -> float | None:
        """The duration the video file of ``key`` states, s (None: unknown)."""
        with self._lock:
            return self._stated.get(key)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._items


def extract(video_path: Path, model_path: Path | None, progress: ProgressFn | None) -> PoseTrack:
    """Run the pose model over ``video_path`` (``formcheck.pose.extract_track``)."""
    from formcheck.pose import extract_track  # mediapipe loads only when needed

    return extract_track(
        video_path, model_path=model_path, progress=progress, max_side=EXTRACT_MAX_SIDE
    )


def get_track(
    cache: TrackCache,
    digest: str,
    video_path: Callable[[], Any],
    model_path: Path | None,
    progress: ProgressFn | None = None,
) -> PoseTrack:
    """The cached track for ``digest``, extracting it first if needed.

    Args:
        cache: where tracks are kept.
        digest: content hash of the video.
        video_path: a context-manager factory yielding the video's path (a
            temporary copy of an upload is made only when extraction runs).
        model_path: the pose model bundle.
        progress: extraction progress callback ``(done, total)``.
    """
    track = cache.get(digest)
    if track is None:
        with video_path() as path:
            track = extract(Path(path), model_path, progress)
            stated = stated_duration_s(Path(path))
        cache.put(digest, track, stated)
    return track


def stated_duration_s(video_path: Path) -> float | None:
    """The duration the video file states, s, or None when it cannot be read.

    Compared with the decoded frames, it tells a file cut short (the page then
    says so, as ``formcheck analyze`` does)."""
    from formcheck.errors import FormcheckError
    from formcheck.video import probe_video

    try:
        duration = probe_video(video_path).duration_s
    except FormcheckError:
        return None
    return float(duration) if duration and duration > 0 else None


def analyze(
    track: PoseTrack, drill: str, options: DrillOptions, expected_duration_s: float | None = None
) -> Report:
    """Score ``track`` as ``drill`` with ``options`` (``formcheck.analysis.analyze_track``;
    ``expected_duration_s``: the duration the video file states, s, to warn of a cut file)."""
    from formcheck.analysis import analyze_track

    return analyze_track(track, drill, options, expected_duration_s=expected_duration_s)


def annotated_video_bytes(
    video_path: Path, track: PoseTrack, report: Report, progress: ProgressFn | None = None
) -> bytes:
    """The annotated H.264 MP4 as bytes (written to a private temp dir, then removed)."""
    import tempfile

    from formcheck.video_out import write_annotated_video

    with tempfile.TemporaryDirectory(prefix="formcheck-out-") as tmp:
        out = Path(tmp) / "annotated.mp4"
        write_annotated_video(video_path, track, report, out, progress=progress)
        return out.read_bytes()


def options_key(drill: str, options: DrillOptions) -> str:
    """A stable text key of a drill + options (for caching rendered videos)."""
    parts = [
        drill,
        repr(options.height_cm),
        options.leg,
        repr(options.foot_length_cm),
        repr(sorted(options.variant.items())),
        repr(sorted(options.thresholds.items())),
    ]
    return "|".join(parts)


class LockedPose:
    """A live pose source shared between camera sessions, one call at a time.

    MediaPipe landmarkers are not thread-safe; two browser tabs each running
    a camera would otherwise call it concurrently.
    """

    def __init__(self, pose: Any) -> None:
        self._pose = pose
        self._lock = threading.Lock()

    def process(self, rgb: np.ndarray, time_s: float) -> Any:
        """``pose.process`` under the lock."""
        with self._lock:
            return self._pose.process(rgb, time_s)
