"""Builders of the bad-input corpus for ``tests/test_robustness.py``.

Every file is generated in a temporary folder by the tests (nothing here is
committed). Clips with a person are made from frames of a shared clip read
at run time; they never leave the temporary folder.

Frames are (H, W, 3) uint8 RGB arrays, upright.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

Rgb = npt.NDArray[np.uint8]

PERSON_CLIP = "knee_to_wall_side.mp4"
"""Shared clip used as the person source: side view, whole body, 720x1280, 30 fps."""


def encode(
    path: Path,
    frames: Iterable[Rgb],
    *,
    fps: int = 30,
    times_s: Sequence[float] | None = None,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    codec_options: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
) -> Path:
    """Encode ``frames`` to ``path`` with PyAV.

    ``times_s`` (optional) gives each frame's presentation time in seconds
    (stored at 1 ms resolution: variable frame rate). libx264 uses the
    ultrafast preset and a keyframe every 10 frames unless ``codec_options``
    says otherwise (so a damaged packet spoils at most 10 frames).
    """
    frames = iter(frames)
    first = next(frames)
    height, width = first.shape[:2]
    container = av.open(str(path), mode="w", options=container_options or {})
    stream = container.add_stream(codec, rate=fps)
    stream.width, stream.height = width, height
    stream.pix_fmt = pix_fmt
    opts = dict(codec_options or {})
    if codec == "libx264":
        opts.setdefault("preset", "ultrafast")
        opts.setdefault("g", "10")
    stream.codec_context.options = opts
    if times_s is not None:
        stream.codec_context.time_base = Fraction(1, 1000)

    def all_frames() -> Iterable[Rgb]:
        yield first
        yield from frames

    for i, rgb in enumerate(all_frames()):
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
    container.close()
    return path


def person_frames(clip: Path, n: int, max_side: int = 640) -> list[Rgb]:
    """The first ``n`` upright frames of ``clip``, shrunk to ``max_side`` (even sizes)."""
    from formcheck.video import iter_frames

    out: list[Rgb] = []
    gen = iter_frames(clip, max_side=max_side)
    try:
        for frame in gen:
            out.append(frame.rgb.copy())
            if len(out) == n:
                break
    finally:
        gen.close()
    return out


def solid(width: int, height: int, rgb: tuple[int, int, int] = (0, 0, 0)) -> Rgb:
    """A frame of one colour."""
    return np.full((height, width, 3), rgb, np.uint8)


def plain_scene(width: int, height: int, index: int = 0) -> Rgb:
    """An empty room: wall gradient, a floor, a door and a shelf; no person.

    ``index`` shifts the light a little so frames differ.
    """
    y = np.linspace(0.0, 1.0, height)[:, None]
    x = np.linspace(0.0, 1.0, width)[None, :]
    wall = 150 + 40 * x + 10 * np.sin(index / 5.0)
    img = np.empty((height, width, 3), np.float64)
    img[..., 0] = wall * (0.9 + 0.1 * y)
    img[..., 1] = wall * 0.95
    img[..., 2] = wall * 0.85
    floor = int(height * 0.75)
    img[floor:] = (110, 90, 70)
    img[int(height * 0.3) : floor, int(width * 0.7) : int(width * 0.85)] = (90, 60, 40)  # door
    img[int(height * 0.35) : int(height * 0.38), int(width * 0.1) : int(width * 0.4)] = (60, 60, 60)
    return np.clip(img, 0, 255).astype(np.uint8)


def side_by_side(left: Sequence[Rgb], right: Sequence[Rgb]) -> list[Rgb]:
    """Frames of two clips next to each other (two people in view)."""
    return [np.concatenate([a, b], axis=1) for a, b in zip(left, right, strict=True)]


def stored_rotated(frames: Sequence[Rgb], ccw_deg: int) -> list[Rgb]:
    """Frames as a phone stores them when the player must turn them ``ccw_deg``
    counter-clockwise to show them upright (the inverse turn, clockwise)."""
    k = (ccw_deg // 90) % 4
    return [np.ascontiguousarray(np.rot90(f, -k)) for f in frames]


def truncate(src: Path, dest: Path, fraction: float | None = None, size: int | None = None) -> Path:
    """Copy the first ``fraction`` of ``src`` (or the first ``size`` bytes) to ``dest``."""
    data = src.read_bytes()
    keep = size if size is not None else int(len(data) * float(fraction or 0.0))
    dest.write_bytes(data[:keep])
    return dest


def corrupt_middle(src: Path, dest: Path, nbytes: int = 4096, seed: int = 0) -> Path:
    """Copy ``src`` with ``nbytes`` random bytes written over the middle of the file."""
    data = bytearray(src.read_bytes())
    rng = np.random.default_rng(seed)
    mid = len(data) // 2
    data[mid : mid + nbytes] = rng.integers(0, 256, nbytes, dtype=np.uint8).tobytes()
    dest.write_bytes(bytes(data))
    return dest


def faststart(src: Path, dest: Path) -> Path:
    """Remux ``src`` with the index (moov) first, as phones and web exports write it."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg not found")
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-i", str(src), "-c", "copy", "-movflags", "+faststart",
         str(dest)],
        check=True,
        timeout=60,
    )  # fmt: skip
    return dest


def mdat_offset(path: Path) -> int:
    """Byte offset of the media data box of an mp4 (frames start after it)."""
    data = path.read_bytes()
    pos = data.find(b"mdat")
    if pos < 4:
        raise ValueError(f"no mdat box in {path}")
    return pos + 4


def describe(obj: Any) -> str:
    """Short text of an object for assertion messages."""
    text = repr(obj)
    return text if len(text) < 300 else text[:300] + "..."
