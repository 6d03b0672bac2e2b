"""Pose extraction with MediaPipe: the only module that imports ``mediapipe``.

Everything downstream sees ``PoseTrack`` / ``FramePose`` (NumPy arrays), never
MediaPipe result objects.

``extract_track`` runs a PoseLandmarker in VIDEO mode over a file (or a time
segment of it, for parallel extraction) with strictly increasing integer
millisecond timestamps taken from the container.

Following one person. MediaPipe with ``num_poses=1`` detects once and then
tracks that person from frame to frame (it re-detects only when tracking is
lost): fast, and it does not jump while tracking holds. ``num_poses > 1`` runs
the person detector on every frame and costs about twice as much (measured
50 vs 28 frames/s on a 720x1280 clip, full model, 2 cores). So by default
``extract_track`` starts with the single-pose tracker and *scouts*: on the
first frame and then every ``_SCOUT_EVERY_S`` seconds of video it runs an
IMAGE-mode landmarker looking for up to ``_MAX_PEOPLE`` people (~50 ms per
look plus ~0.3 s to load it: about 1.5 % of the time on long videos). As soon as it sees more than one person it switches, for the rest of
the video, to a multi-pose tracker, and ``PersonFollower`` picks one pose per
frame: at the start the largest and most central person (or the one nearest
``target_xy``), then the pose nearest the person's last position, accepted only
within a plausible movement range. The same check guards the single-pose
tracker, so the track never jumps to another person: frames where the person
is not found stay NaN.

The camera. Each frame also goes to a ``CameraTracker``
(``formcheck.camera_tracking``), which follows the background around the
person and records how a hand-held camera moved (``PoseTrack.camera``);
analysis takes that motion out of the landmarks.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mediapipe as mp
import numpy as np
import numpy.typing as npt
from mediapipe.tasks.python import BaseOptions, vision

from formcheck import models as _models
from formcheck.camera_tracking import CameraTracker
from formcheck.landmarks import NUM_LANDMARKS, Landmark
from formcheck.track import PoseTrack
from formcheck.video import DecodeStats, Frame, iter_frames, packet_times, probe_video

__all__ = [
    "FramePose",
    "LivePose",
    "PersonFollower",
    "add_landmark_metadata",
    "create_landmarker",
    "extract_track",
    "pack_bundle",
]

ProgressFn = Callable[[int, int], None]
"""``progress(done, total)``: frames processed so far and the expected total (0 if unknown)."""

_SCOUT_EVERY_S = 5.0
"""Seconds of video between checks for more than one person (first frame included)."""

_MAX_PEOPLE = 4
"""Most poses searched for when several people are in view."""

_MAX_SPEED_BODY_PER_S = 2.0
"""How far (in body heights per second) the followed person may move between
two sightings: a runner doing drills moves well under 1 body height/s; 2 leaves
room for hops and bounds."""

_MATCH_BASE_BODY = 0.5
"""Distance (body heights) always accepted between consecutive sightings:
pose-estimation jitter plus one frame of fast movement."""

_TORSO = (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)


# ------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class FramePose:
    """Pose of one person in one frame (NaN everywhere when nobody was found).

    Attributes:
        landmarks: (33, 3) float32, normalised image coordinates of the upright
            frame (x right, y down, in [0, 1]; z relative depth).
        visibility: (33,) float32 in [0, 1].
        presence: (33,) float32 in [0, 1].
        world: (33, 3) float32, metres, origin at the hip midpoint, y down.
        time_s: the frame's time, seconds.
        num_people: poses the model found in the frame.
    """

    landmarks: npt.NDArray[np.float32]
    visibility: npt.NDArray[np.float32]
    presence: npt.NDArray[np.float32]
    world: npt.NDArray[np.float32]
    time_s: float
    num_people: int

    @property
    def detected(self) -> bool:
        """True when a person was found."""
        return not bool(np.isnan(self.landmarks[0, 0]))

    @classmethod
    def empty(cls, time_s: float, num_people: int = 0) -> FramePose:
        """A frame with nobody (NaN arrays)."""
        return cls(
            landmarks=np.full((NUM_LANDMARKS, 3), np.nan, np.float32),
            visibility=np.full(NUM_LANDMARKS, np.nan, np.float32),
            presence=np.full(NUM_LANDMARKS, np.nan, np.float32),
            world=np.full((NUM_LANDMARKS, 3), np.nan, np.float32),
            time_s=time_s,
            num_people=num_people,
        )


def _to_arrays(
    result: Any, k: int
) -> tuple[
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
]:
    """Pose ``k`` of a PoseLandmarkerResult as (landmarks, visibility, presence, world)."""
    lms = result.pose_landmarks[k]
    img = np.array(
        [(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in lms], np.float32
    )
    world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[k]], np.float32)
    return img[:, :3], img[:, 3], img[:, 4], world


def _image_points(result: Any) -> list[npt.NDArray[np.float32]]:
    """(33, 2) normalised x, y of every pose in a result."""
    return [np.array([(p.x, p.y) for p in lms], np.float32) for lms in result.pose_landmarks]


# ------------------------------------------------------- following one person
def _body_size(points: npt.NDArray[np.float32]) -> float:
    """Height of the landmark bounding box (normalised units), at least a small floor."""
    return max(float(np.ptp(points[:, 1])), float(np.ptp(points[:, 0])) * 0.5, 0.05)


class PersonFollower:
    """Chooses, frame by frame, which detected pose is the person to follow.

    Start: the pose with the largest bounding-box area weighted by how central
    it is (area * (1 - distance of its centre from the image centre, corner =
    1)), or the pose nearest ``target_xy`` if given. Then: the pose whose torso
    centre is nearest the last accepted one, accepted only when that distance
    is within ``_MATCH_BASE_BODY + _MAX_SPEED_BODY_PER_S * elapsed`` body
    heights; otherwise the frame has no target.

    Works on (33, 2) arrays of normalised x, y (aspect ratio ``aspect`` =
    width / height, used so distances are isotropic).
    """

    def __init__(self, aspect: float = 1.0, target_xy: tuple[float, float] | None = None) -> None:
        self.aspect = aspect
        self.target_xy = target_xy
        self.last_centre: npt.NDArray[np.float64] | None = None
        self.last_size = 0.0
        self.last_time = 0.0

    def _centre(self, points: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        torso = points[list(_TORSO)].astype(np.float64).mean(axis=0)
        return np.array([torso[0] * self.aspect, torso[1]])

    def choose(self, poses: list[npt.NDArray[np.float32]], time_s: float) -> int | None:
        """Index of the pose to follow in ``poses`` (None: the target is not among them)."""
        if not poses:
            return None
        if self.last_centre is None:
            pick = self._initial(poses)
        else:
            dists = [float(np.linalg.norm(self._centre(p) - self.last_centre)) for p in poses]
            pick = int(np.argmin(dists))
            elapsed = max(time_s - self.last_time, 0.0)
            limit = (_MATCH_BASE_BODY + _MAX_SPEED_BODY_PER_S * elapsed) * self.last_size
            if dists[pick] > limit:
                return None
        self.last_centre = self._centre(poses[pick])
        self.last_size = _body_size(poses[pick])
        self.last_time = time_s
        return pick

    def _initial(self, poses: list[npt.NDArray[np.float32]]) -> int:
        if self.target_xy is not None:
            goal = np.array([self.target_xy[0] * self.aspect, self.target_xy[1]])
            return int(np.argmin([np.linalg.norm(self._centre(p) - goal) for p in poses]))
        scores = []
        for p in poses:
            x0, y0 = np.clip(p.min(axis=0), 0, 1)
            x1, y1 = np.clip(p.max(axis=0), 0, 1)
            area = float((x1 - x0) * (y1 - y0))
            off = math.hypot((x0 + x1) / 2 - 0.5, (y0 + y1) / 2 - 0.5) / math.hypot(0.5, 0.5)
            scores.append(area * (1.0 - off))
        return int(np.argmax(scores))


# ------------------------------------------------------------- landmarker
def create_landmarker(
    model_path: str | os.PathLike[str],
    *,
    video: bool = True,
    num_poses: int = 1,
) -> Any:
    """A MediaPipe PoseLandmarker (VIDEO mode, or IMAGE mode if ``video=False``).

    Confidence thresholds are MediaPipe's defaults (0.5): formcheck keeps the
    model's per-landmark visibility and lets downstream code decide.
    """
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
        num_poses=num_poses,
    )
    return vision.PoseLandmarker.create_from_options(options)


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Silence MediaPipe's C++ log lines (XNNPACK, feedback-manager warnings) on fd 2.

    MediaPipe's native logging ignores GLOG/absl environment variables, so
    stderr is pointed at /dev/null for the duration (used around landmarker
    creation and the first frame; errors still arrive as Python exceptions).
    Set ``FORMCHECK_NATIVE_LOGS=1`` to see them.
    """
    if os.environ.get("FORMCHECK_NATIVE_LOGS") == "1":
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _mp_image(rgb: npt.NDArray[np.uint8]) -> Any:
    return mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)


def _prefetch(frames: Generator[Frame, None, None], depth: int = 4) -> Generator[Frame, None, None]:
    """Decode in a background thread (PyAV releases the GIL while decoding)."""
    q: queue.Queue[Frame | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for f in frames:
                while not stop.is_set():
                    try:
                        q.put(f, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    frames.close()  # closes the container in this thread
                    return
            q.put(None)
        except BaseException as exc:  # handed to the consumer, re-raised there
            q.put(exc)

    thread = threading.Thread(target=work, name="formcheck-decode", daemon=True)
    thread.start()
    try:
        while (item := q.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


# ------------------------------------------------------------- extraction
def extract_track(
    video_path: str | os.PathLike[str],
    *,
    model_path: str | os.PathLike[str] | None = None,
    variant: str = "full",
    progress: ProgressFn | None = None,
    max_side: int | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
    num_poses: int | None = None,
    target_xy: tuple[float, float] | None = None,
    stats: DecodeStats | None = None,
) -> PoseTrack:
    """Run pose estimation over a video and return the track of one person.

    Args:
        video_path: the video.
        model_path: a .task bundle; default ``resolve_model(variant)``.
        variant: "lite", "full" or "heavy" (when ``model_path`` is None).
        progress: called as ``progress(done, total)`` after each frame.
        max_side: shrink frames so the longer side is at most this (pixels)
            before the model; landmarks stay normalised to the frame, and the
            track's width/height are the *original* upright frame size.
        start_s, end_s: process only frames with ``start_s <= time < end_s``
            (seconds, container time); for splitting a video over processes.
            Each call uses its own landmarker.
        num_poses: poses searched per frame; None = decide by scouting (see
            the module docstring); 1 = fast single-person tracking.
        target_xy: normalised (x, y) near the person to follow when several
            are in view (default: the largest, most central one).
        stats: optional ``DecodeStats`` filled in by the decoder.

    Returns:
        ``PoseTrack`` with one row per decoded frame (NaN where the person was
        not found), container timestamps, ``num_people`` per frame (with
        single-pose tracking it is 1 or 0).

    Raises:
        VideoError: unreadable video. ModelError: model missing or damaged.
    """
    path = Path(video_path)
    info = probe_video(path)
    model = _models.resolve_model(variant, model_path)
    used_variant = _models.variant_of(model, variant)
    all_times: npt.NDArray[np.float64] | None = None
    total = info.frame_count
    if start_s is not None or end_s is not None:  # count the segment's frames (index only)
        all_times = packet_times(path)
        lo = -np.inf if start_s is None else start_s - 1e-6
        hi = np.inf if end_s is None else end_s
        total = int(np.count_nonzero((all_times >= lo) & (all_times < hi)))
    follower = PersonFollower(aspect=info.width / info.height, target_xy=target_xy)
    scouting = num_poses is None

    rows_lm: list[npt.NDArray[np.float32]] = []
    rows_vis: list[npt.NDArray[np.float32]] = []
    rows_pres: list[npt.NDArray[np.float32]] = []
    rows_world: list[npt.NDArray[np.float32]] = []
    rows_t: list[float] = []
    rows_n: list[int] = []
    rows_cam: list[npt.NDArray[np.float64]] = []
    camera = CameraTracker(info.width, info.height)
    nan = FramePose.empty(0.0)
    prev_ms = -1
    next_scout_s = -math.inf
    frames = _prefetch(
        iter_frames(
            path,
            max_side=max_side,
            start_s=start_s,
            end_s=end_s,
            stats=stats,
            known_times=all_times,
        )
    )
    with quiet_native_logs():
        landmarker = create_landmarker(model, video=True, num_poses=num_poses or 1)
        scout = create_landmarker(model, video=False, num_poses=_MAX_PEOPLE) if scouting else None
    try:
        for frame in frames:
            image = _mp_image(frame.rgb)
            if scout is not None and frame.time_s >= next_scout_s:
                next_scout_s = frame.time_s + _SCOUT_EVERY_S
                with quiet_native_logs():
                    several = len(scout.detect(image).pose_landmarks) > 1
                if several:  # switch to multi-pose for the rest of the video
                    landmarker.close()
                    with quiet_native_logs():
                        landmarker = create_landmarker(model, video=True, num_poses=_MAX_PEOPLE)
                    scout.close()
                    scout = None
            ms = max(round(frame.time_s * 1000), prev_ms + 1)  # MediaPipe needs increasing ints
            prev_ms = ms
            if rows_t:
                result = landmarker.detect_for_video(image, ms)
            else:
                with quiet_native_logs():  # the first frame logs a projection warning
                    result = landmarker.detect_for_video(image, ms)
            count = len(result.pose_landmarks)
            pick = follower.choose(_image_points(result), frame.time_s) if count else None
            if pick is None:
                rows_lm.append(nan.landmarks)
                rows_vis.append(nan.visibility)
                rows_pres.append(nan.presence)
                rows_world.append(nan.world)
            else:
                lm, vis, pres, world = _to_arrays(result, pick)
                rows_lm.append(lm)
                rows_vis.append(vis)
                rows_pres.append(pres)
                rows_world.append(world)
            rows_cam.append(camera.update(frame.rgb, rows_lm[-1]))
            rows_t.append(frame.time_s)
            rows_n.append(count)
            if progress is not None:
                progress(len(rows_t), max(total, len(rows_t)))
    finally:
        landmarker.close()
        if scout is not None:
            scout.close()
        frames.close()
    if not rows_t:
        return PoseTrack.empty(
            np.zeros(0), info.width, info.height, info.fps, path.name, used_variant
        )
    return PoseTrack(
        landmarks=np.stack(rows_lm),
        visibility=np.stack(rows_vis),
        presence=np.stack(rows_pres),
        world=np.stack(rows_world),
        timestamps_s=np.asarray(rows_t, np.float64),
        width=info.width,
        height=info.height,
        fps=info.fps,
        source=path.name,
        model_variant=used_variant,
        num_people=np.asarray(rows_n, np.int16),
        camera=np.stack(rows_cam),
    )


# ------------------------------------------------------------------ live
class LivePose:
    """Pose of single live frames (webcam), one landmarker in VIDEO mode.

    Not thread-safe: use one instance per frame-processing thread. Times
    passed to ``process`` should increase; a time not after the previous one is
    moved 1 ms later (MediaPipe needs strictly increasing timestamps).

    Usage::

        with LivePose() as live:
            pose = live.process(rgb, time_s)
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        variant: str = "full",
    ) -> None:
        self.model_path = _models.resolve_model(variant, model_path)
        self.variant = _models.variant_of(self.model_path, variant)
        with quiet_native_logs():
            self._landmarker = create_landmarker(self.model_path, video=True, num_poses=1)
        self._prev_ms = -1

    def process(self, rgb: npt.NDArray[np.uint8], time_s: float) -> FramePose:
        """Pose in one upright RGB frame (H, W, 3) uint8 taken at ``time_s`` seconds."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB frame, got {rgb.shape} {rgb.dtype}")
        ms = max(round(time_s * 1000), self._prev_ms + 1)
        self._prev_ms = ms
        result = self._landmarker.detect_for_video(_mp_image(np.ascontiguousarray(rgb)), ms)
        count = len(result.pose_landmarks)
        if count == 0:
            return FramePose.empty(time_s)
        lm, vis, pres, world = _to_arrays(result, 0)
        return FramePose(lm, vis, pres, world, time_s, count)

    def close(self) -> None:
        """Free the landmarker."""
        self._landmarker.close()

    def __enter__(self) -> LivePose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------- bundle building
def add_landmark_metadata(tflite: bytes) -> bytes:
    """The pose landmark TFLite model with the TFLite metadata the Tasks API needs.

    Writes the same ``ModelMetadata`` flatbuffer as Google's bundles (name
    "Pose Landmark"; input "image": RGB, normalisation mean 0 / std 255,
    range 0..1; outputs landmarks, presence, segmentation_mask, heat_map,
    world_landmarks) and stores it as the model's ``TFLITE_METADATA`` buffer,
    like MediaPipe's ``MetadataPopulator`` (whose compiled part is missing
    from mediapipe 1.2 wheels; the generated schema modules are pure Python).
    """
    import flatbuffers
    from mediapipe.tasks.metadata import metadata_schema_py_generated as mfb
    from mediapipe.tasks.metadata import schema_py_generated as sfb

    def feature(name: str, description: str) -> Any:
        t = mfb.TensorMetadataT()
        t.name, t.description = name, description
        t.content = mfb.ContentT()
        t.content.contentPropertiesType = mfb.ContentProperties.FeatureProperties
        t.content.contentProperties = mfb.FeaturePropertiesT()
        t.stats = mfb.StatsT()
        return t

    image = mfb.TensorMetadataT()
    image.name, image.description = "image", "Input image to be landmarked"
    image.content = mfb.ContentT()
    image.content.contentPropertiesType = mfb.ContentProperties.ImageProperties
    image.content.contentProperties = mfb.ImagePropertiesT()
    image.content.contentProperties.colorSpace = mfb.ColorSpaceType.RGB
    norm = mfb.NormalizationOptionsT()
    norm.mean, norm.std = [0.0], [255.0]
    unit = mfb.ProcessUnitT()
    unit.optionsType, unit.options = mfb.ProcessUnitOptions.NormalizationOptions, norm
    image.processUnits = [unit]
    image.stats = mfb.StatsT()
    image.stats.max, image.stats.min = [1.0], [0.0]
    subgraph = mfb.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [image]
    subgraph.outputTensorMetadata = [
        feature("landmarks", "Pose landmarks"),
        feature("presence", "Presence of pose."),
        feature("segmentation_mask", "Segmentation mask for pose."),
        feature("heat_map", "Heat map for pose."),
        feature("world_landmarks", "World landmarks for pose."),
    ]
    meta = mfb.ModelMetadataT()
    meta.name = "Pose Landmark"
    meta.description = "Detects human pose landmarks with frontal camera."
    meta.author, meta.version, meta.minParserVersion = "MediaPipe", "1", "1.0.0"
    meta.subgraphMetadata = [subgraph]
    builder = flatbuffers.Builder(0)
    builder.Finish(meta.Pack(builder), b"M001")
    meta_bytes = bytes(builder.Output())

    model = sfb.ModelT.InitFromObj(sfb.Model.GetRootAs(tflite, 0))
    model.metadata = [m for m in (model.metadata or []) if m.name != b"TFLITE_METADATA"]
    buffer = sfb.BufferT()
    buffer.data = meta_bytes
    model.buffers.append(buffer)
    entry = sfb.MetadataT()
    entry.name, entry.buffer = "TFLITE_METADATA", len(model.buffers) - 1
    model.metadata.append(entry)
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), b"TFL3")
    return bytes(builder.Output())


def pack_bundle(members: dict[str, bytes], out: Path) -> None:
    """Write a model asset bundle (uncompressed, 4-byte aligned zip) like MediaPipe's tools."""
    from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils

    model_asset_bundle_utils.create_model_asset_bundle(members, str(out))
