"""Parallel pose extraction: one landmarker per process over contiguous segments.

One MediaPipe PoseLandmarker uses about one core (measured: the bare VIDEO
loop does not get faster with a second core), so on a machine with N usable
cores ``extract_track_parallel`` cuts the video into N contiguous segments of
about equal work, runs ``formcheck.pose.extract_track`` on each in its own
process, and stitches the tracks together.

Warm-up. In VIDEO mode MediaPipe tracks: each frame's crop comes from the
previous frame's landmarks, and the landmarks pass through a temporal
filter. A segment that starts cold therefore differs from the single-process
track for its first few frames. Each segment after the first starts
``warmup_frames`` frames *before* the frames it owns; those warm-up frames
are computed and dropped, and the earlier segment's frames are kept there.
Measured on a 720x1280 shared clip (full model): a cold start differs from
the continuous track by a median 0.004 (normalised units, visible
landmarks) on its first 3 frames and then settles by frame 3-6 at the level
two tracker histories differ anyway (median 0.002, p95 0.006-0.008: the crop
chain never converges bit for bit). ``WARMUP_FRAMES`` = 10 covers that
with margin at a cost of 10 extra frames per boundary.

Following one person. Each segment picks its person afresh (the largest,
most central one). After the run, the stitched boundary is checked: where
the earlier segment and the later segment's warm-up both see a person, their
torso centres must agree (within ``_SAME_PERSON_BODY`` body heights);
otherwise the later segment is re-run in this process, told to follow the
person the earlier segment ended on.

Processes start with the ``forkserver`` method (safe in a multi-threaded
program such as the Streamlit page, unlike ``fork``), with ``formcheck.pose``
preloaded in the server so each worker starts in a fraction of a second. As
with any multiprocessing code, a script calling ``extract_track_parallel``
must guard its top level with ``if __name__ == "__main__":`` (the workers
import the main module); the ``formcheck`` command and the Streamlit page do.
Each worker holds its own landmarker and decoder (about 250-300 MB RSS with
the full model), so memory grows with the number of workers, not with video
length.
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing as mp
import os
import pickle
import queue
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.camera_steadying import join_segments
from formcheck.errors import FormcheckError
from formcheck.landmarks import Landmark
from formcheck.track import PoseTrack
from formcheck.video import DecodeStats, packet_times, probe_video

__all__ = [
    "MIN_PARALLEL_S",
    "WARMUP_FRAMES",
    "Segment",
    "extract_track_parallel",
    "plan_segments",
    "same_person",
    "stitch",
    "usable_cores",
    "workers_for",
]

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
"""``progress(done, total)``: frames processed so far and the expected total."""

WARMUP_FRAMES = 10
"""Frames each later segment processes before the frames it keeps (see the
module docstring: cold-start differences settle within 3-6 frames)."""

MIN_PARALLEL_S = 4.0
"""Shortest video (seconds) worth splitting. Starting a worker and loading its
model costs about 0.3-0.5 s of wall time; below a few seconds of video the
gain is smaller than that."""

MIN_SEGMENT_FRAMES = 4 * WARMUP_FRAMES
"""Fewest frames a segment owns (so the warm-up is a small share of its work)."""

_SAME_PERSON_BODY = 0.1
"""Largest median torso-centre distance (in body heights) between two segments
over their shared frames for them to be following the same person. Two
tracker histories of one person differ by about 0.002 of the frame (well under
0.01 body heights); two people side by side are at least a shoulder width
apart (biacromial breadth is about 0.23 of stature), so 0.1 separates them
with a wide margin either way."""

_TORSO = (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)

_PROGRESS_EVERY_S = 0.1
"""Seconds between progress messages from a worker."""


# ------------------------------------------------------------------ planning
def usable_cores() -> int:
    """CPU cores this process may run on (``os.sched_getaffinity``; cgroup-pinned aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Segment:
    """One contiguous piece of a video for one worker.

    Frame numbers index the video's sorted packet times; times are seconds.

    Attributes:
        index: position of the segment (0 = first).
        first: first frame decoded (warm-up included).
        own_first: first frame kept in the stitched track (``first`` + warm-up).
        stop: one past the last frame of the segment.
        start_s: decode from here (None = the start of the video); half-way
            between two frame times so rounding cannot move a frame across.
        own_start_s: frames before this time are warm-up and dropped (None
            for the first segment).
        end_s: decode up to here, exclusive (None = to the end).
    """

    index: int
    first: int
    own_first: int
    stop: int
    start_s: float | None
    own_start_s: float | None
    end_s: float | None

    @property
    def warmup(self) -> int:
        """Warm-up frames (decoded, then dropped)."""
        return self.own_first - self.first

    @property
    def work(self) -> int:
        """Frames the worker runs the model on."""
        return self.stop - self.first


def _between(times: npt.NDArray[np.float64], i: int) -> float | None:
    """Time half-way between frames ``i - 1`` and ``i`` (None before frame 0 / after the end)."""
    if i <= 0 or i >= times.size:
        return None
    return float((times[i - 1] + times[i]) / 2.0)


def plan_segments(
    times: npt.NDArray[np.float64], workers: int, warmup_frames: int = WARMUP_FRAMES
) -> list[Segment]:
    """Cut frames with sorted times ``times`` (N,) into ``workers`` segments of equal work.

    Every frame is owned by exactly one segment, in order. Each segment after
    the first also decodes ``warmup_frames`` frames before its own ones, so it
    owns that many fewer: every worker then runs the model on about the same
    number of frames.

    Raises:
        ValueError: ``workers`` < 1, or too few frames for that many segments.
    """
    n = int(times.size)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if warmup_frames < 0:
        raise ValueError(f"warmup_frames must be >= 0, got {warmup_frames}")
    if workers == 1:
        return [Segment(0, 0, 0, n, None, None, None)]
    per = (n + (workers - 1) * warmup_frames) / workers  # frames of model work per worker
    if per - warmup_frames < 1:
        raise ValueError(f"{n} frames are too few for {workers} segments")
    cuts = [0]
    for k in range(1, workers):
        cuts.append(round(per * k - (k - 1) * warmup_frames))
    cuts.append(n)
    segments = []
    for k in range(workers):
        own, stop = cuts[k], cuts[k + 1]
        first = max(0, own - warmup_frames) if k else 0
        segments.append(
            Segment(
                index=k,
                first=first,
                own_first=own,
                stop=stop,
                start_s=_between(times, first),
                own_start_s=_between(times, own),
                end_s=_between(times, stop),
            )
        )
    return segments


def workers_for(
    times: npt.NDArray[np.float64],
    workers: int | None,
    *,
    min_parallel_s: float = MIN_PARALLEL_S,
    warmup_frames: int = WARMUP_FRAMES,
) -> int:
    """How many processes to use for a video with frame times ``times`` (N,), seconds.

    ``workers`` None = automatic: one per usable core, but 1 for videos
    shorter than ``min_parallel_s`` seconds. Either way each segment must own
    at least ``MIN_SEGMENT_FRAMES`` frames, and the packet times must be
    strictly increasing (otherwise the container's clock is irregular and
    the single-process path, which repairs it, is used).
    """
    n = int(times.size)
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if n < 2 or not bool(np.all(np.diff(times) > 0)):
        return 1
    if workers is None:
        if float(times[-1] - times[0]) < min_parallel_s:
            return 1
        workers = usable_cores()
    most = max(1, (n + warmup_frames) // (MIN_SEGMENT_FRAMES + warmup_frames))
    return max(1, min(workers, most))


# ----------------------------------------------------------------- stitching
def _torso_centres(track: PoseTrack) -> npt.NDArray[np.float64]:
    """(T, 2) torso centre per frame, x scaled by width/height so distances are isotropic."""
    pts = track.landmarks[:, list(_TORSO), :2].astype(np.float64).mean(axis=1)
    pts[:, 0] *= track.width / track.height
    return pts


def same_person(earlier: PoseTrack, later: PoseTrack) -> bool:
    """Do two tracks follow the same person on the frames both cover?

    Compares torso centres on frames with equal timestamps where both found a
    person (the later track's first half of those frames is skipped: it is
    still warming up). True when they share no such frame.
    """
    shared, ia, ib = np.intersect1d(
        np.round(earlier.timestamps_s, 6), np.round(later.timestamps_s, 6), return_indices=True
    )
    if shared.size == 0:
        return True
    keep = slice(shared.size // 2, None)
    ia, ib = ia[keep], ib[keep]
    a, b = _torso_centres(earlier)[ia], _torso_centres(later)[ib]
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    if not ok.any():
        return True
    dist = float(np.median(np.linalg.norm(a[ok] - b[ok], axis=1)))
    lm = earlier.landmarks[ia[ok]][:, :, 1]
    body = float(np.nanmedian(np.nanmax(lm, axis=1) - np.nanmin(lm, axis=1)))
    return dist <= _SAME_PERSON_BODY * max(body, 0.05)


def _centre_at(track: PoseTrack, time_s: float) -> tuple[float, float] | None:
    """Normalised (x, y) torso centre of the last detected frame at or before ``time_s``."""
    idx = np.flatnonzero((track.timestamps_s <= time_s + 1e-9) & track.detected)
    if idx.size == 0:
        return None
    pts = track.landmarks[idx[-1], list(_TORSO), :2].astype(np.float64).mean(axis=0)
    return float(pts[0]), float(pts[1])


def stitch(tracks: list[PoseTrack], segments: list[Segment]) -> PoseTrack:
    """Join segment tracks, dropping each later segment's warm-up frames.

    ``tracks[k]`` is the track of ``segments[k]``; frames of a later segment
    before its ``own_start_s`` are dropped. Metadata (size, fps, source,
    variant) come from the first track.

    Raises:
        ValueError: lengths differ, no tracks, or the result's times are not increasing.
    """
    if not tracks or len(tracks) != len(segments):
        raise ValueError(f"got {len(tracks)} tracks for {len(segments)} segments")
    parts = []
    cams: list[tuple[npt.NDArray[np.float64], int]] = []
    for track, seg in zip(tracks, segments, strict=True):
        start = 0
        if seg.own_start_s is not None:
            start = int(np.searchsorted(track.timestamps_s, seg.own_start_s))
        cams.append((track.camera, start))
        parts.append(track.slice(start, len(track)) if start else track)
    head = tracks[0]
    measured = all(len(c) == len(t) for (c, _), t in zip(cams, tracks, strict=True))
    camera = join_segments(cams) if measured else np.zeros((0, 2, 3))

    def cat(name: str) -> Any:
        return np.concatenate([getattr(p, name) for p in parts])

    return PoseTrack(
        landmarks=cat("landmarks"),
        visibility=cat("visibility"),
        presence=cat("presence"),
        world=cat("world"),
        timestamps_s=cat("timestamps_s"),
        width=head.width,
        height=head.height,
        fps=head.fps,
        source=head.source,
        model_variant=head.model_variant,
        num_people=cat("num_people"),
        camera=camera,
    )


# ------------------------------------------------------------------- workers
def _picklable(exc: BaseException, tb: str) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError carrying its text and traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}\n{tb}")


def _worker(
    k: int, path: str, seg: Segment, kwargs: dict[str, Any], out: Any
) -> None:  # pragma: no cover - runs in a child process
    """Child process: extract one segment and send ("done", k, track, stats) or ("error", ...)."""
    from formcheck.pose import extract_track

    try:
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= _PROGRESS_EVERY_S:
                last = now
                out.put(("progress", k, done))

        stats = DecodeStats()
        track = extract_track(
            path, start_s=seg.start_s, end_s=seg.end_s, progress=progress, stats=stats, **kwargs
        )
        out.put(("done", k, track, stats))
    except BaseException as exc:
        out.put(("error", k, _picklable(exc, traceback.format_exc()), traceback.format_exc()))


def _died(exitcode: int | None) -> str:
    """The user's message for a worker process that ended without a result."""
    why = "it was killed (out of memory?)" if exitcode is not None and exitcode < 0 else ""
    why = why or f"exit code {exitcode}"
    return (
        f"a pose-extraction worker process stopped unexpectedly ({why}). Try again with "
        "fewer workers (--workers 1 runs everything in one process)."
    )


@contextlib.contextmanager
def _safe_path() -> Iterator[None]:
    """Start processes with ``PYTHONSAFEPATH=1`` (unless the caller set it).

    The forkserver runs ``python -c ...``, which puts the current directory
    first on its ``sys.path`` (Python 3.11 ignores the parent's path there);
    preloading ``formcheck.pose`` then picked up any folder named ``formcheck``
    in the current directory (a clone of this project, an output folder), and
    every worker failed ("cannot import name '__version__' from 'formcheck'").
    """
    if "PYTHONSAFEPATH" in os.environ:
        yield
        return
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        os.environ.pop("PYTHONSAFEPATH", None)


def _context(start_method: str | None) -> Any:
    method = start_method or ("forkserver" if "forkserver" in mp.get_all_start_methods() else None)
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["formcheck.pose"])
    return ctx


def _run_workers(
    path: Path,
    segments: list[Segment],
    kwargs: dict[str, Any],
    report: Callable[[int, int], None],
    start_method: str | None,
) -> list[tuple[PoseTrack, DecodeStats]]:
    """Run one process per segment; returns (track, stats) per segment, in order.

    ``report(k, done)`` is called in this thread with segment ``k``'s frame count.
    """
    ctx = _context(start_method)
    out = ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker,
            args=(seg.index, str(path), seg, kwargs, out),
            name=f"formcheck-pose-{seg.index}",
            daemon=True,
        )
        for seg in segments
    ]
    results: dict[int, tuple[PoseTrack, DecodeStats]] = {}
    try:
        with _safe_path():
            for p in procs:
                p.start()
        exited_at: dict[int, float] = {}
        while len(results) < len(procs):
            try:
                msg = out.get(timeout=0.2)
            except queue.Empty:
                now = time.monotonic()
                for k, p in enumerate(procs):
                    if k in results or p.exitcode is None:
                        continue
                    # a clean exit may still have its result in the pipe: allow a moment
                    exited_at.setdefault(k, now)
                    if p.exitcode != 0 or now - exited_at[k] > 5.0:
                        raise FormcheckError(_died(p.exitcode)) from None
                continue
            kind, k = msg[0], msg[1]
            if kind == "progress":
                report(k, int(msg[2]))
            elif kind == "done":
                results[k] = (msg[2], msg[3])
                report(k, segments[k].work)
            else:
                log.debug("worker %d failed:\n%s", k, msg[3])
                raise msg[2]
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            if p.pid is not None:  # started
                p.join(timeout=5)
        out.close()
    return [results[k] for k in range(len(procs))]


# ------------------------------------------------------------------ the API
def extract_track_parallel(
    video_path: str | os.PathLike[str],
    *,
    workers: int | None = None,
    model_path: str | os.PathLike[str] | None = None,
    variant: str = "full",
    progress: ProgressFn | None = None,
    max_side: int | None = None,
    num_poses: int | None = None,
    target_xy: tuple[float, float] | None = None,
    stats: DecodeStats | None = None,
    warmup_frames: int = WARMUP_FRAMES,
    min_parallel_s: float = MIN_PARALLEL_S,
    start_method: str | None = None,
) -> PoseTrack:
    """``formcheck.pose.extract_track`` spread over several processes.

    Same arguments, result and progress contract as ``extract_track``
    (``progress(done, total)`` is called in the calling thread, ``done``
    never decreases and ends at ``total``). The track matches the
    single-process one except within ``warmup_frames`` of each segment
    boundary's tracker restart (see the module docstring for measured sizes).

    Args:
        video_path: the video.
        workers: processes to use; None = one per usable core for videos of
            at least ``min_parallel_s`` seconds (else 1). 1 runs
            ``extract_track`` in this process.
        model_path, variant, max_side, num_poses, target_xy: as ``extract_track``.
        progress: ``progress(done, total)`` in frames of the whole video.
        stats: optional ``DecodeStats``, filled with the sum over segments.
        warmup_frames: frames decoded and dropped before each later segment.
        min_parallel_s: see ``workers``.
        start_method: multiprocessing start method (default "forkserver").

    Raises:
        VideoError, ModelError: as ``extract_track``.
        FormcheckError: a worker process died (e.g. out of memory).
    """
    from formcheck.models import resolve_model

    path = Path(video_path)
    probe_video(path)  # clear errors before any process starts
    model = resolve_model(variant, model_path)  # fail here, not in every worker
    kwargs: dict[str, Any] = {
        "model_path": str(model),
        "variant": variant,
        "max_side": max_side,
        "num_poses": num_poses,
        "target_xy": target_xy,
    }
    times = packet_times(path)
    n_workers = workers_for(
        times, workers, min_parallel_s=min_parallel_s, warmup_frames=warmup_frames
    )
    if n_workers == 1:
        from formcheck.pose import extract_track

        return extract_track(path, progress=progress, stats=stats, **kwargs)

    segments = plan_segments(times, n_workers, warmup_frames)
    total = int(times.size)
    work = sum(s.work for s in segments)
    done_by = [0] * len(segments)
    shown = -1

    def report(k: int, done: int) -> None:
        nonlocal shown
        done_by[k] = min(done, segments[k].work)
        value = min(total, math.floor(sum(done_by) * total / work))
        if progress is not None and value > shown:
            shown = value
            progress(value, total)

    results = _run_workers(path, segments, kwargs, report, start_method)
    tracks = [r[0] for r in results]
    for k in range(1, len(segments)):
        if not same_person(tracks[k - 1], tracks[k]):
            seg = segments[k]
            centre = _centre_at(tracks[k - 1], seg.own_start_s or 0.0)
            log.info("segment %d followed another person; re-running it", k)
            from formcheck.pose import extract_track

            rerun = dict(kwargs, target_xy=centre, num_poses=num_poses if num_poses != 1 else None)
            tracks[k] = extract_track(path, start_s=seg.start_s, end_s=seg.end_s, **rerun)
    track = stitch(tracks, segments)
    if stats is not None:
        stats.frames += len(track)  # warm-up frames are not counted
        for _, st in results:
            stats.nudged += st.nudged
            stats.bad_packets += st.bad_packets
            stats.messages.extend(st.messages)
    if progress is not None:
        progress(len(track), max(total, len(track)))
    return track
