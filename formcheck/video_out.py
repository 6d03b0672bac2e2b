"""Browser-playable video output: H.264 in MP4 via PyAV, written atomically.

Browsers play H.264 (``yuv420p``, even frame sizes) in MP4 with the index at
the front (``+faststart``); OpenCV's ``mp4v`` does not play. The file is
written to a temporary name beside the target and renamed into place when
complete, so a failed or interrupted write never leaves a half-written video
under the final name.

``write_annotated_video`` streams the source video frame by frame (constant
memory), draws the pose and the drill's overlay values with
``formcheck.annotate`` and encodes.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import av
import numpy as np
import numpy.typing as npt

from formcheck.annotate import FrameAnnotator
from formcheck.errors import VideoError
from formcheck.track import PoseTrack

if TYPE_CHECKING:
    from formcheck.report import Report

log = logging.getLogger(__name__)

DEFAULT_MAX_SIDE = 960
"""Longer side (pixels) of annotated videos: sharp on a laptop screen, quick to encode."""

_TIME_BASE = Fraction(1, 1000)
"""Millisecond timestamps: keeps variable-frame-rate timing from the source."""


class H264Writer:
    """Write RGB frames to a browser-playable MP4 (H.264, yuv420p).

    Use as a context manager; the file appears under ``out_path`` only when
    the block ends without an exception::

        with H264Writer("out.mp4", fps=30) as w:
            for rgb, t in frames:
                w.write(rgb, t)

    Frame size is taken from the first frame; odd widths/heights are cropped
    by one pixel (yuv420p needs even sizes). Later frames must have the same size.

    Args:
        out_path: target file (.mp4).
        fps: nominal frame rate (frames per second); used for frames written
            without a time and as the stream's stated rate.
        crf: x264 constant rate factor (lower is better quality; 23 is x264's default).
        preset: x264 speed preset.
    """

    def __init__(
        self,
        out_path: str | os.PathLike[str],
        fps: float,
        *,
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps}")
        self.out_path = Path(out_path)
        self.fps = float(fps)
        self._tmp = self.out_path.with_name(f".{self.out_path.name}.partial")
        self._crf = crf
        self._preset = preset
        self._container: Any = None
        self._stream: Any = None
        self._size: tuple[int, int] | None = None
        self._last_pts = -1
        self.frames_written = 0

    def _open(self, width: int, height: int) -> None:
        self._container = av.open(
            str(self._tmp), mode="w", format="mp4", options={"movflags": "+faststart"}
        )
        rate = Fraction(round(self.fps * 1000), 1000).limit_denominator(1001)
        stream = self._container.add_stream(
            "libx264", rate=rate, options={"crf": str(self._crf), "preset": self._preset}
        )
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = _TIME_BASE
        self._stream = stream
        self._size = (width, height)

    def write(self, rgb: npt.NDArray[np.uint8], time_s: float | None = None) -> None:
        """Encode one (H, W, 3) uint8 RGB frame shown at ``time_s`` seconds.

        ``time_s`` None places the frame one nominal interval after the previous
        one. Times that do not increase by at least 1 ms are nudged forward.
        """
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected (H, W, 3) uint8 RGB, got {rgb.shape} {rgb.dtype}")
        h, w = rgb.shape[0] & ~1, rgb.shape[1] & ~1
        if h < 2 or w < 2:
            raise ValueError(f"frame too small to encode: {rgb.shape[1]}x{rgb.shape[0]}")
        if self._size is None:
            self._open(w, h)
        elif self._size != (w, h):
            raise ValueError(f"frame size changed from {self._size} to {(w, h)}")
        if time_s is None or not math.isfinite(time_s):
            step = max(1, round(1000 / self.fps))
            pts = 0 if self._last_pts < 0 else self._last_pts + step
        else:
            pts = round(time_s * 1000)
        pts = max(pts, self._last_pts + 1)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:h, :w]), format="rgb24")
        frame.pts = pts
        frame.time_base = _TIME_BASE
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self._last_pts = pts
        self.frames_written += 1

    def close(self) -> Path:
        """Flush the encoder, finish the file and move it to ``out_path``.

        Raises:
            VideoError: no frame was written (nothing to play).
        """
        if self._container is None:
            self.abort()
            raise VideoError("no frames to write: the annotated video would be empty")
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()
        self._container = None
        os.replace(self._tmp, self.out_path)
        return self.out_path

    def abort(self) -> None:
        """Drop the partial file (called on errors)."""
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # already broken: removing the file is what matters
                log.debug("closing a failed writer", exc_info=True)
            self._container = None
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> H264Writer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def overlay_values(report: Report, row: int) -> dict[str, float]:
    """The report's overlay series at track row ``row`` (name -> value, NaN if absent)."""
    out: dict[str, float] = {}
    for name in report.overlay:
        series = report.series.get(name)
        if series is not None and 0 <= row < len(series):
            out[name] = float(series[row])
    return out


def _reliable_rows(report: Report, track: PoseTrack) -> npt.NDArray[np.bool_] | None:
    """(T, 33) bool "seen well" mask if the report carries one, else from visibility."""
    del report  # reports do not carry the mask; visibility is what the model said
    vis = np.nan_to_num(track.visibility, nan=0.0)
    mask: npt.NDArray[np.bool_] = vis >= 0.5
    return mask


def write_annotated_video(
    video_path: str | os.PathLike[str],
    track: PoseTrack,
    report: Report,
    out_path: str | os.PathLike[str],
    *,
    max_side: int | None = DEFAULT_MAX_SIDE,
    annotator: FrameAnnotator | None = None,
    progress: Callable[[int, int], None] | None = None,
    messages: Mapping[int, str] | None = None,
) -> Path:
    """Draw ``track`` and ``report``'s overlay on ``video_path`` and write H.264 MP4.

    Frames are matched to track rows by presentation time (the nearest row
    within half a frame interval); frames with no matching row or no person
    are written without a skeleton.

    Args:
        video_path: the source video (the one the track came from).
        track: its pose track (normalised coordinates: any frame scale works).
        report: the analysis report (``overlay`` names the series to print).
        out_path: target .mp4; written via a temporary file then renamed.
        max_side: longer side of the output in pixels (None: source size).
        annotator: drawing objects (default ``FrameAnnotator()``).
        progress: called as ``progress(done_frames, total_frames)``.
        messages: optional track row -> status line to print on that frame.

    Raises:
        VideoError: the source cannot be decoded or yields no frame.
    """
    from formcheck.video import iter_frames  # decode side; kept local for import speed

    draw = annotator or FrameAnnotator()
    times = np.asarray(track.timestamps_s, dtype=np.float64)
    tol = 0.5 / track.fps
    reliable = _reliable_rows(report, track)
    total = len(track)
    with H264Writer(out_path, track.fps) as writer:
        for frame in iter_frames(video_path, max_side=max_side):
            rgb = frame.rgb.copy()
            row = _nearest_row(times, frame.time_s, tol, frame.index)
            points = None
            rel = None
            if row is not None and track.detected[row]:
                scale = np.array([rgb.shape[1], rgb.shape[0]], dtype=np.float64)
                points = track.landmarks[row, :, :2].astype(np.float64) * scale
                rel = reliable[row] if reliable is not None else None
            values = overlay_values(report, row) if row is not None else {}
            msg = messages.get(row) if (messages is not None and row is not None) else None
            draw.annotate(rgb, points, rel, values, msg)
            writer.write(rgb, frame.time_s)
            if progress is not None:
                progress(frame.index + 1, max(total, frame.index + 1))
    return Path(out_path)


def _nearest_row(
    times: npt.NDArray[np.float64], t: float, tol: float, index_hint: int
) -> int | None:
    """Row of ``times`` nearest ``t`` within ``tol`` seconds (tries ``index_hint`` first)."""
    n = len(times)
    if n == 0:
        return None
    if 0 <= index_hint < n and abs(times[index_hint] - t) <= tol:
        return index_hint
    i = int(np.searchsorted(times, t))
    best = min((j for j in (i - 1, i) if 0 <= j < n), key=lambda j: abs(times[j] - t))
    return best if abs(times[best] - t) <= tol else None
