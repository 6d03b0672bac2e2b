"""Shared test fixtures: paths to ../shared, the pose model, and skip rules.

Tests that need ``../shared`` (real clips, the pose model) skip with a clear
reason when it is absent, except when ``FORMCHECK_REQUIRE_SHARED=1`` (set by
``.ci/run``), where a missing file is a failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FORMCHECK_SHARED", PROJECT.parent / "shared"))
SHARED_VIDEOS = SHARED / "videos"
SHARED_MODEL = SHARED / "models" / "pose_landmarker_full.task"
REQUIRE_SHARED = os.environ.get("FORMCHECK_REQUIRE_SHARED") == "1"
TEST_OUTPUT = PROJECT / "test-output"


def need_shared(path: Path) -> Path:
    """Return ``path`` if it exists; otherwise skip (or fail in CI) saying why."""
    if path.exists():
        return path
    message = f"shared test data missing: {path} (put the shared folder beside the project)"
    if REQUIRE_SHARED:
        pytest.fail(message + "; FORMCHECK_REQUIRE_SHARED=1 turns this skip into a failure")
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_model() -> Path:
    """The shared full pose model bundle."""
    return need_shared(SHARED_MODEL)


@pytest.fixture(scope="session")
def shared_labels() -> dict[str, dict[str, Any]]:
    """Hand labels of the shared clips, by file name."""
    path = need_shared(SHARED_VIDEOS / "labels.json")
    return {entry["file"]: entry for entry in json.loads(path.read_text())}


def shared_video(name: str) -> Path:
    """Path of a shared clip (skips or fails when absent)."""
    return need_shared(SHARED_VIDEOS / name)


@pytest.fixture(scope="session")
def test_output() -> Path:
    """Folder for artefacts a person may want to look at (screenshots, videos)."""
    TEST_OUTPUT.mkdir(exist_ok=True)
    return TEST_OUTPUT


# ------------------------------------------------ generated videos (core I/O)
def pattern_frame(index: int, width: int = 160, height: int = 96) -> Any:
    """(H, W, 3) uint8 RGB test picture: red block top-left, green bottom-right,
    and a white bar whose x position encodes ``index`` (so frames differ)."""
    import numpy as np

    rgb = np.full((height, width, 3), 40, np.uint8)
    bh, bw = max(2, height // 3), max(2, width // 4)
    rgb[:bh, :bw] = (230, 30, 30)
    rgb[-bh:, -bw // 2 :] = (30, 220, 30)
    x = (index * 7) % max(1, width - 4)
    rgb[height // 2 - 2 : height // 2 + 2, x : x + 4] = 255
    return rgb


def make_video(
    path: Path,
    *,
    codec: str = "libx264",
    size: tuple[int, int] = (160, 96),
    fps: int = 30,
    n_frames: int = 10,
    times_s: Any = None,
    pix_fmt: str | None = None,
    frames: Any = None,
    audio: bool = False,
) -> Path:
    """Encode a small test video with PyAV and return its path.

    ``size`` is (width, height). ``times_s`` (optional, seconds) gives every
    frame's presentation time (variable frame rate; stored at 1 ms
    resolution). ``frames`` (optional) is an iterable of (H, W, 3) uint8 RGB
    arrays used instead of ``pattern_frame``. ``audio`` adds a silent AAC track.
    """
    from fractions import Fraction

    import av
    import numpy as np

    width, height = size
    container = av.open(str(path), mode="w")
    stream = container.add_stream(codec, rate=fps)
    stream.width, stream.height = width, height
    stream.pix_fmt = pix_fmt or ("yuvj420p" if codec == "mjpeg" else "yuv420p")
    if times_s is not None:
        stream.codec_context.time_base = Fraction(1, 1000)
    source = (
        frames if frames is not None else (pattern_frame(i, width, height) for i in range(n_frames))
    )
    a_stream = container.add_stream("aac", rate=48000) if audio else None
    for i, rgb in enumerate(source):
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        if times_s is not None:
            frame.pts = round(float(times_s[i]) * 1000)
            frame.time_base = Fraction(1, 1000)
        else:
            frame.pts = i
            frame.time_base = Fraction(1, fps)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    if a_stream is not None:
        _add_silence(container, a_stream, seconds=0.5)
    container.close()
    return path


def _add_silence(container: Any, stream: Any, seconds: float) -> None:
    import av
    import numpy as np

    samples = np.zeros((1, 1024), np.float32)
    for i in range(int(seconds * 48000 / 1024)):
        af = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        af.sample_rate = 48000
        af.pts = i * 1024
        for packet in stream.encode(af):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def make_audio_only(path: Path, seconds: float = 0.5) -> Path:
    """Write an audio-only file (silent AAC in .mp4/.m4a)."""
    import av

    container = av.open(str(path), mode="w")
    stream = container.add_stream("aac", rate=48000)
    _add_silence(container, stream, seconds)
    container.close()
    return path


def set_mp4_rotation(path: Path, ccw_deg: int) -> Path:
    """Rewrite the track-header display matrix of an .mp4/.mov in place.

    ``ccw_deg`` (0/90/180/270) is the counter-clockwise turn a player applies
    to show the picture upright (FFmpeg's display-matrix angle). Phones
    filming portrait write -90 (= 270 here: turn clockwise). Independent of
    the FFmpeg version (``-metadata rotate`` and ``-display_rotation`` differ
    between versions).
    """
    import struct

    data = bytearray(path.read_bytes())
    pos = data.find(b"tkhd")
    if pos < 4:
        raise ValueError(f"no track header in {path}")
    version = data[pos + 4]
    matrix_at = pos + 4 + 4 + (32 if version == 1 else 20) + 16
    one, zero = 0x00010000, 0
    # FFmpeg reads the angle as atan2(matrix[1], matrix[0]) (b, a) and negates it.
    cos_sin = {0: (one, 0), 90: (0, -one), 180: (-one, 0), 270: (0, one)}[ccw_deg % 360]
    a, b = cos_sin
    c, d = -b, a
    values = (a, b, zero, c, d, zero, zero, zero, 0x40000000)
    data[matrix_at : matrix_at + 36] = struct.pack(">9i", *values)
    path.write_bytes(bytes(data))
    return path


# ------------------------------------------- pose tracks of shared clips (core I/O)
_TRACK_CACHE: dict[str, Any] = {}


@pytest.fixture(scope="session")
def tracked_clip(shared_model: Path) -> Any:
    """A function ``tracked_clip(name) -> PoseTrack``: the pose track of a shared
    clip, extracted once per test session with the shared full model (default
    ``extract_track`` settings). Tests using it should be marked ``slow``."""

    def get(name: str) -> Any:
        if name not in _TRACK_CACHE:
            from formcheck.pose import extract_track

            _TRACK_CACHE[name] = extract_track(shared_video(name), model_path=shared_model)
        return _TRACK_CACHE[name]

    return get
