"""Video input: stream upright RGB frames with container timestamps (PyAV).

Decoding uses PyAV (FFmpeg), so every format FFmpeg reads works: mp4/mov
(H.264, HEVC), webm (VP8, VP9), avi (MJPEG), AV1 (libdav1d) and more. Frames are
streamed one at a time: memory does not grow with video length.

Orientation: phones store portrait video as landscape pixels plus a display
matrix. ``VideoFrame.rotation`` gives the angle, in degrees counter-clockwise,
by which the display matrix turns the stored picture; ``np.rot90(rgb, k)`` with
``k = rotation / 90`` rotates counter-clockwise too, so the frames come out the
way a player shows them (checked against ``ffmpeg``'s own auto-rotation in
``tests/test_video.py``).

Timestamps: ``time_s`` is the frame's presentation time from the container
(``pts * time_base``), not ``index / fps``, so variable-frame-rate phone video
keeps its real timing. Times are strictly increasing. Frames are never
dropped for their timestamp (frame ``i`` of the iterator is decoded frame
``i``); a bad one is *nudged*: a duplicate or slightly early pts becomes the
previous time + 1 ms, a missing pts the previous time + one nominal interval,
and a jump back of more than 0.5 s (joined recordings) shifts the rest of the
clock to continue. ``DecodeStats`` counts nudged frames and packets that
failed to decode.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from formcheck.errors import VideoError

__all__ = [
    "DecodeStats",
    "Frame",
    "MonotonicClock",
    "VideoInfo",
    "iter_frames",
    "packet_times",
    "probe_video",
    "scaled_size",
]

_FALLBACK_FPS = 30.0
"""Nominal rate assumed when the container states none (the commonest phone rate)."""

_NUDGE_S = 0.001
"""A duplicate timestamp becomes previous + 1 ms: the resolution of MediaPipe's
integer-millisecond timestamps, and small enough not to disturb the timing."""

_RESET_S = 0.5
"""A timestamp more than 0.5 s before the previous one is a restart (files
joined together), not jitter: later frames are shifted to continue the clock."""

_MAX_BAD_PACKETS_BEFORE_FIRST_FRAME = 300
"""Give up on a file whose first 300 packets (10 s at 30 fps) all fail to decode."""


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, as formcheck will see it.

    Attributes:
        path: the file.
        width, height: size in pixels of the *upright* frame (after rotation,
            before any ``max_side`` downscale).
        fps: nominal frame rate (frames per second) stated by the container;
            informational, use the frame timestamps for timing.
        frame_count: number of frames stated by the container, or an estimate
            from duration * fps; 0 if unknown.
        duration_s: duration in seconds (0.0 if unknown).
        rotation_deg: 0, 90, 180 or 270: counter-clockwise rotation applied to
            the stored picture to make it upright.
        codec: decoder name, e.g. "h264", "hevc", "vp9", "libdav1d".
        container: container format name(s) as FFmpeg reports them, e.g.
            "mov,mp4,m4a,3gp,3g2,mj2".
    """

    path: Path
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    rotation_deg: int
    codec: str
    container: str

    @property
    def is_portrait(self) -> bool:
        """True when the upright frame is taller than wide."""
        return self.height > self.width


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded, upright video frame.

    Attributes:
        index: position of the frame in the video's decoded frame sequence
            (0-based; with ``start_s`` it is derived from packet timestamps).
        time_s: presentation time in seconds from the container (strictly
            increasing along the iterator).
        rgb: (H, W, 3) uint8, C-contiguous, RGB, upright (rotation applied),
            downscaled if ``max_side`` was given.
    """

    index: int
    time_s: float
    rgb: npt.NDArray[np.uint8]


@dataclass
class DecodeStats:
    """Counts filled in while ``iter_frames`` runs (pass one in to read them).

    Attributes:
        frames: frames yielded.
        nudged: frames whose container timestamp was missing or not after the
            previous one (see the module docstring for what they get).
        bad_packets: packets FFmpeg could not decode (skipped; their frames
            are missing from the output).
        messages: short notes for the user (e.g. how many packets were bad).
    """

    frames: int = 0
    nudged: int = 0
    bad_packets: int = 0
    messages: list[str] = field(default_factory=list)


# --------------------------------------------------------------------- open
def _open(path: str | os.PathLike[str]) -> tuple[Path, Any, Any]:
    """Open ``path`` and return (path, container, video stream) or raise VideoError."""
    p = Path(path)
    if not p.exists():
        raise VideoError(f"Video not found: {p}. Check the file name and folder, then try again.")
    if p.is_dir():
        raise VideoError(
            f"The path {p} is a folder, not a video file. Give the path of the video itself."
        )
    if p.stat().st_size == 0:
        raise VideoError(
            f"The video {p} is empty (0 bytes): the copy or upload did not finish. "
            "Copy the video again."
        )
    try:
        container = av.open(str(p), mode="r")
    except av.error.EOFError as exc:  # the header promises more than the file holds
        raise VideoError(
            f"The video {p} ends too early: the file is cut short (an interrupted copy, "
            "upload or recording). Copy or export the video again."
        ) from exc
    except av.error.InvalidDataError as exc:
        raise VideoError(
            f"The file {p} is not a video formcheck can read: it is damaged, cut short or "
            "in a format formcheck does not know. Export or re-save it as .mp4 (H.264) from "
            f"your phone or camera app, then try again. {_detail(exc)}"
        ) from exc
    except av.error.FFmpegError as exc:
        raise VideoError(
            f"Cannot open the video {p}. Check that it is a video file and that you may read "
            f"it, then try again. {_detail(exc)}"
        ) from exc
    if not container.streams.video:
        kinds: list[str] = sorted({str(s.type) for s in container.streams}) or ["nothing"]
        container.close()
        raise VideoError(
            f"The file {p} has no video track (it holds {', '.join(kinds)}): record or "
            "export a video, not an audio file."
        )
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    return p, container, stream


def _detail(exc: BaseException) -> str:
    """The decoder's own words as a bracketed sentence for the end of a message.

    ``"(FFmpeg: Invalid data found when processing input.)"``: the person is told
    what is wrong and what to do in plain words first; this is for whoever helps them.
    """
    return f"(FFmpeg: {_short(exc).rstrip('.')}.)"


def _short(exc: BaseException) -> str:
    """The decoder's reason in words: no errno number, no repeated file path."""
    reason = getattr(exc, "strerror", None)
    text = str(reason if reason else exc).strip()
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    text = re.sub(r":\s*'[^']*'\s*$", "", text)
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _nominal_fps(stream: Any) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            value = float(rate)
            if math.isfinite(value) and 0.5 <= value <= 2000:
                return value
    return _FALLBACK_FPS


def _rotation_k(rotation: float) -> int:
    """Number of counter-clockwise quarter turns for a display-matrix angle."""
    return round(float(rotation) / 90.0) % 4


def scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Size after shrinking so the longer side is at most ``max_side`` (never enlarged).

    Sides are rounded to even numbers of pixels (what most codecs expect).
    """
    if max_side is None or max(width, height) <= max_side:
        return width, height
    if max_side < 2:
        raise ValueError(f"max_side must be at least 2 pixels, got {max_side}")
    scale = max_side / max(width, height)
    return max(2, 2 * round(width * scale / 2)), max(2, 2 * round(height * scale / 2))


# -------------------------------------------------------------------- probe
def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Describe a video, decoding its first frame to prove it is readable.

    Raises:
        VideoError: missing file, folder, empty file, not a video, audio only,
            or no frame can be decoded. The message says what to do.
    """
    p, container, stream = _open(path)
    try:
        first = _first_frame(p, container, stream)
        rotation = _rotation_k(first.rotation) * 90
        w, h = int(first.width), int(first.height)
        if rotation in (90, 270):
            w, h = h, w
        fps = _nominal_fps(stream)
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        frames = int(stream.frames or 0)
        if frames <= 0 and duration > 0:
            frames = round(duration * fps)
        return VideoInfo(
            path=p,
            width=w,
            height=h,
            fps=fps,
            frame_count=max(frames, 0),
            duration_s=max(duration, 0.0),
            rotation_deg=rotation,
            codec=str(stream.codec_context.name),
            container=str(container.format.name),
        )
    finally:
        container.close()


def _first_frame(p: Path, container: Any, stream: Any) -> Any:
    for frame in _decode(p, container, stream, DecodeStats()):
        return frame
    raise _no_frames(p)


def _no_frames(p: Path) -> VideoError:
    return VideoError(
        f"No frame of {p} could be decoded: the file is damaged or cut short "
        "(an interrupted copy or recording). Copy or export the video again."
    )


def _decode(p: Path, container: Any, stream: Any, stats: DecodeStats) -> Iterator[Any]:
    """Yield decoded av.VideoFrame objects, skipping packets that fail to decode."""
    got_frame = False
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                stats.bad_packets += 1
                if not got_frame and stats.bad_packets > _MAX_BAD_PACKETS_BEFORE_FIRST_FRAME:
                    raise _no_frames(p) from None
                continue
            for frame in frames:
                got_frame = True
                yield frame
    except av.error.FFmpegError as exc:  # demuxer gave up: truncated or corrupt file
        if not got_frame:
            raise _no_frames(p) from exc
        stats.messages.append(
            f"the video ends early (damaged or cut short): the frames up to there were used "
            f"{_detail(exc)}"
        )


# ------------------------------------------------------------------ frames
class MonotonicClock:
    """Turns container timestamps into strictly increasing times (seconds).

    Call it with each frame's raw time (NaN when the frame has no pts), in
    decoding order. Rules (module docstring): duplicate or slightly early ->
    previous + 1 ms; missing -> previous + ``step_s``; more than 0.5 s back ->
    a restart, the clock continues from previous + ``step_s`` and later frames
    keep that shift. ``nudged`` counts the frames changed.
    """

    def __init__(self, step_s: float) -> None:
        self.step_s = step_s
        self.prev = -math.inf
        self.offset = 0.0
        self.nudged = 0

    def __call__(self, raw_s: float) -> float:
        t = raw_s + self.offset
        if not (t > self.prev):
            self.nudged += 1
            if not math.isfinite(self.prev):  # first frame without a pts
                t = 0.0
            elif math.isnan(t):  # no pts: assume the nominal interval
                t = self.prev + self.step_s
            elif self.prev - t > _RESET_S:  # timestamps restarted (joined files)
                self.offset += self.prev + self.step_s - t
                t = self.prev + self.step_s
            else:  # duplicate or slightly early: keep the order, 1 ms later
                t = self.prev + _NUDGE_S
        self.prev = t
        return t


def iter_frames(
    path: str | os.PathLike[str],
    *,
    max_side: int | None = None,
    start_s: float | None = None,
    end_s: float | None = None,
    stats: DecodeStats | None = None,
    known_times: npt.NDArray[np.float64] | None = None,
) -> Generator[Frame, None, None]:
    """Stream upright RGB frames of a video with their container timestamps.

    Args:
        path: the video file.
        max_side: if given, frames are shrunk (area filter, aspect kept) so the
            longer side is at most this many pixels; never enlarged.
        start_s: first presentation time to yield, seconds (seeks to the
            keyframe before it, decodes and drops earlier frames). For
            splitting work over processes.
        end_s: yield only frames with ``time_s < end_s``.
        stats: optional ``DecodeStats`` filled in as frames are produced.
        known_times: ``packet_times(path)`` if the caller already has it
            (saves re-reading the index when ``start_s`` is given).

    Yields:
        ``Frame`` objects in presentation order, ``time_s`` strictly increasing.

    Raises:
        VideoError: see ``probe_video``; also when not a single frame decodes.
    """
    st = stats if stats is not None else DecodeStats()
    p, container, stream = _open(path)
    try:
        fps = _nominal_fps(stream)
        step = 1.0 / fps
        time_base = stream.time_base or Fraction(1, 90_000)
        index = 0
        if start_s is not None and start_s > 0:
            times = packet_times(p) if known_times is None else known_times
            index = int(np.searchsorted(times, start_s - 0.25 * step))
            container.seek(int(start_s / time_base), stream=stream, backward=True, any_frame=False)
        clock = MonotonicClock(step)
        size: tuple[int, int] | None = None
        for av_frame in _decode(p, container, stream, st):
            t = float(av_frame.pts * time_base) if av_frame.pts is not None else math.nan
            if start_s is not None and t < start_s - 0.25 * step:
                continue  # pre-roll after a seek
            before = clock.nudged
            t = clock(t)
            st.nudged += clock.nudged - before
            if end_s is not None and t >= end_s:
                break
            if size is None:
                size = scaled_size(av_frame.width, av_frame.height, max_side)
            if size == (av_frame.width, av_frame.height):
                rgb = av_frame.to_ndarray(format="rgb24")
            else:
                rgb = av_frame.to_ndarray(
                    format="rgb24", width=size[0], height=size[1], interpolation="AREA"
                )
            k = _rotation_k(av_frame.rotation)
            if k:
                rgb = np.rot90(rgb, k)
            if not rgb.flags.c_contiguous:  # rotated, or rows padded by FFmpeg
                rgb = np.ascontiguousarray(rgb)
            st.frames += 1
            yield Frame(index=index, time_s=t, rgb=rgb)
            index += 1
        if st.frames == 0 and start_s is None:
            raise _no_frames(p)
        if st.bad_packets:
            st.messages.append(
                f"{st.bad_packets} damaged part(s) of the video could not be decoded: those "
                "frames are missing (the rest was used)."
            )
    finally:
        container.close()


def packet_times(path: str | os.PathLike[str]) -> npt.NDArray[np.float64]:
    """(N,) float64 sorted presentation times, seconds, of the video packets.

    Reads the container index only (no decoding, fast): used to number frames
    after a seek and to cut a video into segments of equal frame counts.
    """
    _, container, stream = _open(path)
    pts: list[int] = []
    try:
        tb = stream.time_base or Fraction(1, 90_000)
        for packet in container.demux(stream):
            if packet.pts is not None and packet.size > 0:
                pts.append(packet.pts)
    except av.error.FFmpegError:
        pass  # truncated file: the packets read so far
    finally:
        container.close()
    return np.sort(np.asarray(pts, dtype=np.float64) * float(tb))
