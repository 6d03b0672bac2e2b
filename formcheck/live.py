"""The live-camera engine: single frames in, the current drill state out.

``LiveEngine`` is fed frames one at a time (from a webcam callback). It runs
the pose model on them, keeps the landmark history as a growing
``PoseTrack``, and re-runs the drill analysis (``formcheck.analysis.analyze_track``
on the history, with causal conditioning) at a bounded rate. It exposes the
current state: rep count / hold timer / toe-to-wall and tibia angle (whatever
the drill's ``overlay`` names), the latest landmarks and the achieved rate.

It never queues frames behind a slow model. ``submit`` is non-blocking: it
puts the frame in a one-slot mailbox that a pose worker thread takes from; a
frame still waiting when a newer one arrives is dropped (counted in
``LiveState.frames_dropped``). The camera callback therefore returns at
camera speed, drawing the latest known state on each frame, while the model
runs as fast as the machine allows.

The drill re-analysis runs on a second thread so it never delays a pose
result: when one is due, the pose worker hands it a snapshot of the history
(list copies, no array copies) and goes on with the next frame; at most one
analysis is in flight (a due analysis is simply skipped while one runs), and
its result replaces the state's values in one step, only if it covers newer
frames than what is shown. With the default analysis, that thread first runs
a tiny analysis on a synthetic track, so the imports and first-call costs
(about 1 s, several seconds on a busy machine) are paid while the camera
starts, not at the first real analysis. The synchronous ``process`` (tests,
replays) runs a due analysis inline instead, so it stays deterministic.

Nothing here imports mediapipe or streamlit: the pose source is injected
(``formcheck.pose``'s live API by default), so tests can replay a stored track.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from formcheck.annotate import FrameAnnotator
from formcheck.drills import DRILLS, get_drill
from formcheck.drills.base import DrillOptions
from formcheck.errors import FormcheckError
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.track import PoseTrack

log = logging.getLogger(__name__)

ANALYSIS_INTERVAL_S = 0.5
"""Shortest wall-clock time between two analyses (s): the counter updates
twice a second, which reads as live for movements lasting 1-3 s per rep."""

ANALYSIS_SHARE = 0.25
"""Largest fraction of wall time spent re-analysing (0..1). When an analysis
takes ``d`` seconds, the next starts at least ``d / ANALYSIS_SHARE`` after it,
so the analysis thread uses at most a quarter of a core however long the
history, and the pose model keeps the rest."""

LATENCY_WINDOW = 1000
"""Per-frame latencies kept for ``LiveEngine.recent_latencies_s`` (frames)."""

MIN_HISTORY_S = 1.0
"""Media time (s) of history needed before the first analysis: shorter than
any rep or hold, so nothing is missed, long enough for the filters to settle."""

MAX_HISTORY_S = 600.0
"""History kept (s of media time). Ten minutes covers any drill set; older
frames are dropped so memory stays bounded (~10 MB at 30 fps)."""


class FramePoseLike(Protocol):
    """What a live pose source returns for one frame (``formcheck.pose``'s FramePose).

    Attributes:
        landmarks: (33, 3) normalised image coordinates (NaN if no person).
        visibility: (33,) 0..1.
        presence: (33,) 0..1.
        world: (33, 3) metres.
    """

    landmarks: npt.NDArray[np.floating]
    visibility: npt.NDArray[np.floating]
    presence: npt.NDArray[np.floating]
    world: npt.NDArray[np.floating]


class LivePoseSource(Protocol):
    """A pose model used one frame at a time (e.g. ``formcheck.pose.LivePose``)."""

    def process(self, rgb: npt.NDArray[np.uint8], time_s: float) -> FramePoseLike:
        """Pose of one (H, W, 3) uint8 RGB frame shown at ``time_s`` seconds."""
        ...


Analyzer = Callable[[PoseTrack, str, DrillOptions], Any]
"""(history track, drill name, options) -> Report; injectable for tests."""


@dataclass(frozen=True)
class LiveState:
    """The engine's current state, safe to hand to another thread.

    Attributes:
        time_s: media time (s) of the latest processed frame (NaN before any).
        frames_in: frames offered to ``submit``/``process``.
        frames_processed: frames the pose model ran on.
        frames_dropped: frames skipped because a newer one arrived first
            (or whose time did not increase).
        achieved_fps: pose frames per second of wall-clock time, over the last
            few seconds.
        person: a person was found in the latest processed frame.
        landmarks: (33, 3) normalised image coordinates of the latest frame,
            or None when no person.
        visibility: (33,) of the latest frame, or None.
        values: overlay series name -> value at the latest analysed frame
            (e.g. {"reps": 3, "heel_height_cm": 4.1}).
        summary: the latest report's summary (e.g. {"rep_count": 3, ...}).
        message: what the user should know now (e.g. the analysis error
            "no person found ... step back"), or None.
        analyses: how many analyses have been published.
        latency_s: wall time (s) from ``submit`` (or ``process``) of the latest
            processed frame to its pose result, waiting in the mailbox
            included (NaN before any).
        analysis_s: wall time (s) the latest published analysis took (NaN
            before any).
    """

    time_s: float = math.nan
    frames_in: int = 0
    frames_processed: int = 0
    frames_dropped: int = 0
    achieved_fps: float = 0.0
    person: bool = False
    landmarks: npt.NDArray[np.float32] | None = None
    visibility: npt.NDArray[np.float32] | None = None
    values: Mapping[str, float] = field(default_factory=dict)
    summary: Mapping[str, Any] = field(default_factory=dict)
    message: str | None = None
    analyses: int = 0
    latency_s: float = math.nan
    analysis_s: float = math.nan

    @property
    def counter(self) -> float | None:
        """Rep count, hold seconds or attempt count, if the drill reports one."""
        for key in ("reps", "hold_s", "attempts"):
            v = self.values.get(key)
            if v is not None and math.isfinite(v):
                return float(v)
        return None


def _default_analyzer(track: PoseTrack, drill: str, options: DrillOptions) -> Any:
    from formcheck.analysis import analyze_track

    return analyze_track(track, drill, options, live=True)


def _warm_up(drill: str, options: DrillOptions) -> None:
    """Pay the analysis' first-call costs now: imports (scipy.signal, the drill
    module and its thresholds) and a short analysis of a synthetic person
    standing and rising once (about 4 s at 30 fps). Errors are ignored: this
    only primes caches."""
    try:
        from formcheck.synth import synthesize
        from formcheck.synth.noise import NoiseSpec
        from formcheck.synth.profiles import CalfRaiseProfile

        profile = CalfRaiseProfile(reps=1, lead_in_s=0.5, lead_out_s=0.5)
        track = synthesize(profile, noise=NoiseSpec.low(), seed=0).track
        _default_analyzer(track, drill, options)
    except Exception:  # priming only; the real analysis reports its own errors
        log.debug("live analysis warm-up failed", exc_info=True)


@dataclass(frozen=True)
class _Snapshot:
    """The history at one moment: the lists' items are never mutated, so
    shallow copies are a consistent, cheap view."""

    t: list[float]
    lm: list[npt.NDArray[np.float32]]
    vis: list[npt.NDArray[np.float32]]
    pres: list[npt.NDArray[np.float32]]
    world: list[npt.NDArray[np.float32]]
    size: tuple[int, int] | None

    def track(self) -> PoseTrack:
        """The snapshot as a ``PoseTrack`` (frame rate from its timestamps)."""
        t = np.asarray(self.t, dtype=np.float64)
        width, height = self.size or (1, 1)
        fps = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else 30.0

        def stack(rows: list[npt.NDArray[np.float32]], shape: tuple[int, ...]) -> Any:
            return np.stack(rows) if rows else np.zeros((0, *shape), np.float32)

        return PoseTrack(
            landmarks=stack(self.lm, (NUM_LANDMARKS, 3)),
            visibility=stack(self.vis, (NUM_LANDMARKS,)),
            presence=stack(self.pres, (NUM_LANDMARKS,)),
            world=stack(self.world, (NUM_LANDMARKS, 3)),
            timestamps_s=t,
            width=width,
            height=height,
            fps=float(fps),
            source="live camera",
        )


class LiveEngine:
    """Pose + drill analysis on a live frame stream (see module docstring).

    Args:
        pose: the live pose source (one instance per camera stream: MediaPipe's
            VIDEO mode needs increasing timestamps).
        drill_name: a name from ``formcheck.drills.DRILLS``.
        options: the user's drill options.
        analyzer: replaces ``analyze_track`` (tests). Only the default
            analysis is warmed up (on the analysis thread, started here).
        analysis_interval_s: see ``ANALYSIS_INTERVAL_S``.
        min_history_s: see ``MIN_HISTORY_S``.
        max_history_s: see ``MAX_HISTORY_S``.
        clock: wall clock in seconds (tests pass a fake one).
        annotator: drawing objects for ``annotate``.

    Raises:
        ValueError: unknown drill name.
    """

    def __init__(
        self,
        pose: LivePoseSource,
        drill_name: str,
        options: DrillOptions | None = None,
        *,
        analyzer: Analyzer | None = None,
        analysis_interval_s: float = ANALYSIS_INTERVAL_S,
        min_history_s: float = MIN_HISTORY_S,
        max_history_s: float = MAX_HISTORY_S,
        clock: Callable[[], float] = time.monotonic,
        annotator: FrameAnnotator | None = None,
    ) -> None:
        if drill_name not in DRILLS:
            get_drill(drill_name)  # raises ValueError listing the choices
        self.drill_name = drill_name
        self.options = options or DrillOptions()
        self._pose = pose
        self._analyze = analyzer or _default_analyzer
        self._interval = analysis_interval_s
        self._min_history = min_history_s
        self._max_history = max_history_s
        self._clock = clock
        self._annotator = annotator or FrameAnnotator()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # pose worker: a frame arrived
        self._analysis_wake = threading.Condition(self._lock)  # analysis thread: a job
        self._slot: tuple[npt.NDArray[np.uint8], float, float] | None = None
        self._worker: threading.Thread | None = None
        self._analyst: threading.Thread | None = None
        # (due time, snapshot), or None with a snapshot of None for the warm-up
        self._job: tuple[float, _Snapshot | None] | None = None
        self._analysis_busy = False  # a job is queued or running (at most one)
        self._stopping = False
        # history (appended by the frame-processing thread only)
        self._t: list[float] = []
        self._lm: list[npt.NDArray[np.float32]] = []
        self._vis: list[npt.NDArray[np.float32]] = []
        self._pres: list[npt.NDArray[np.float32]] = []
        self._world: list[npt.NDArray[np.float32]] = []
        self._size: tuple[int, int] | None = None
        self._wall: list[float] = []
        self._latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)
        self._next_analysis = -math.inf  # guarded by the lock
        self._shown_upto = -math.inf  # media time of the newest published analysis
        self._state = LiveState()
        if analyzer is None:
            with self._lock:
                self._job = (math.nan, None)
                self._analysis_busy = True
                self._start_analyst()

    # ------------------------------------------------------------ feeding
    def submit(self, rgb: npt.NDArray[np.uint8], time_s: float) -> None:
        """Offer a frame without waiting; a frame not yet taken is replaced (dropped).

        Starts the pose worker and analysis threads on first use.
        """
        submitted = self._clock()
        with self._lock:
            if self._stopping:
                return
            dropped = 1 if self._slot is not None else 0
            self._slot = (rgb, float(time_s), submitted)
            self._bump(frames_in=1, frames_dropped=dropped)
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._run, name="formcheck-live", daemon=True
                )
                self._worker.start()
            self._start_analyst()
            self._wake.notify()

    def process(self, rgb: npt.NDArray[np.uint8], time_s: float) -> LiveState:
        """Run pose (and, when due, analysis) on one frame now and return the state.

        Synchronous, analysis included (tests, replays); the camera path is
        ``submit``, where the analysis runs on its own thread. Frames whose time
        does not increase are skipped (counted as dropped).
        """
        submitted = self._clock()
        with self._lock:
            self._bump(frames_in=1)
        return self._process(rgb, float(time_s), submitted, inline=True)

    @property
    def state(self) -> LiveState:
        """The latest state (a frozen snapshot)."""
        with self._lock:
            return self._state

    def recent_latencies_s(self) -> list[float]:
        """Submit-to-pose-result wall times (s) of the last processed frames (oldest first).

        At most ``LATENCY_WINDOW``; dropped frames have none (see ``frames_dropped``).
        """
        with self._lock:
            return list(self._latencies)

    def annotate(self, rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """Draw the latest state (skeleton, counter, values, message) on ``rgb`` in place."""
        st = self.state
        points = None
        reliable = None
        if st.landmarks is not None:
            scale = np.array([rgb.shape[1], rgb.shape[0]], dtype=np.float64)
            points = st.landmarks[:, :2].astype(np.float64) * scale
            if st.visibility is not None:
                reliable = np.nan_to_num(st.visibility, nan=0.0) >= 0.5
        msg = st.message if st.message else (None if st.person else "step into the picture")
        return self._annotator.annotate(rgb, points, reliable, st.values, msg)

    def analyze_now(self) -> LiveState:
        """Re-run the analysis on the whole history now (e.g. when the camera stops).

        Call from the thread that feeds ``process`` (or after ``close``). Runs
        inline; an analysis still in flight on the analysis thread covers
        older frames, so its result will not replace this one.
        """
        if self._t:
            self._run_analysis(self._clock(), self._snapshot())
        return self.state

    def close(self) -> None:
        """Stop the pose worker and analysis threads (frames still waiting are dropped).

        Waits up to 5 s for each (an analysis already running is not interrupted).
        """
        with self._lock:
            self._stopping = True
            self._slot = None
            self._job = None
            self._wake.notify_all()
            self._analysis_wake.notify_all()
            threads = [th for th in (self._worker, self._analyst) if th is not None]
        for th in threads:
            if th is not threading.current_thread():
                th.join(timeout=5.0)

    # ------------------------------------------------------------ internals
    def _bump(self, **counts: int) -> None:
        """Add to the state's counters (caller holds the lock)."""
        st = self._state
        self._state = _replace(
            st,
            frames_in=st.frames_in + counts.get("frames_in", 0),
            frames_dropped=st.frames_dropped + counts.get("frames_dropped", 0),
        )

    def _start_analyst(self) -> None:
        """Start the analysis thread if not running (caller holds the lock)."""
        if self._analyst is None and not self._stopping:
            self._analyst = threading.Thread(
                target=self._run_analyst, name="formcheck-live-analysis", daemon=True
            )
            self._analyst.start()

    def _run(self) -> None:
        """Pose worker: take the newest frame, run the model, hand off analyses."""
        while True:
            with self._lock:
                while self._slot is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                assert self._slot is not None
                rgb, t, submitted = self._slot
                self._slot = None
            try:
                self._process(rgb, t, submitted, inline=False)
            except Exception:  # keep the camera running; say so on the video
                log.exception("live frame processing failed")
                with self._lock:
                    self._state = _replace(
                        self._state, message="something went wrong; try restarting the camera"
                    )

    def _run_analyst(self) -> None:
        """Analysis thread: run one job at a time (warm-up first with the default analysis)."""
        while True:
            with self._lock:
                while self._job is None and not self._stopping:
                    self._analysis_wake.wait()
                if self._stopping:
                    self._analysis_busy = False
                    return
                assert self._job is not None
                due, snap = self._job
                self._job = None
            try:
                if snap is None:
                    _warm_up(self.drill_name, self.options)
                else:
                    self._run_analysis(due, snap)
            except Exception:  # _run_analysis reports its own errors; never die
                log.exception("live analysis thread error")
            finally:
                with self._lock:
                    self._analysis_busy = False

    def _process(
        self, rgb: npt.NDArray[np.uint8], t: float, submitted: float, *, inline: bool
    ) -> LiveState:
        if self._t and not t > self._t[-1]:
            with self._lock:
                self._bump(frames_dropped=1)
                return self._state
        pose = self._pose.process(rgb, t)
        now = self._clock()
        lm = _as(pose.landmarks, (NUM_LANDMARKS, 3))
        vis = _as(pose.visibility, (NUM_LANDMARKS,))
        pres = _as(pose.presence, (NUM_LANDMARKS,))
        world = _as(pose.world, (NUM_LANDMARKS, 3))
        person = bool(np.isfinite(lm[:, :2]).all(axis=1).any())
        self._size = (int(rgb.shape[1]), int(rgb.shape[0]))
        self._t.append(t)
        self._lm.append(lm)
        self._vis.append(vis)
        self._pres.append(pres)
        self._world.append(world)
        self._wall.append(now)
        self._trim()
        fps = _rate(self._wall)
        latency = now - submitted
        enough = self._t[-1] - self._t[0] >= self._min_history
        with self._lock:
            st = self._state
            self._state = _replace(
                st,
                time_s=t,
                frames_processed=st.frames_processed + 1,
                achieved_fps=fps,
                person=person,
                landmarks=lm if person else None,
                visibility=vis if person else None,
                latency_s=latency,
            )
            self._latencies.append(latency)
            # inline (``process``): never skipped; the analysis thread may only
            # be busy with the warm-up, which publishes nothing
            due = enough and now >= self._next_analysis and (inline or not self._analysis_busy)
            if due and not inline:
                self._analysis_busy = True
                self._job = (now, self._snapshot())
                self._start_analyst()
                self._analysis_wake.notify()
        if due and inline:
            self._run_analysis(now, self._snapshot())
        with self._lock:
            return self._state

    def _trim(self) -> None:
        """Drop history older than ``max_history_s`` (bounded memory)."""
        cut = 0
        while cut < len(self._t) and self._t[-1] - self._t[cut] > self._max_history:
            cut += 1
        if cut:
            for lst in (self._t, self._lm, self._vis, self._pres, self._world):
                del lst[:cut]
        if len(self._wall) > 120:
            del self._wall[:-120]

    def _snapshot(self) -> _Snapshot:
        """A consistent view of the history (call from the frame-processing thread)."""
        return _Snapshot(
            list(self._t),
            list(self._lm),
            list(self._vis),
            list(self._pres),
            list(self._world),
            self._size,
        )

    def history(self) -> PoseTrack:
        """The landmark history as a ``PoseTrack`` (frame rate from its timestamps)."""
        return self._snapshot().track()

    def _run_analysis(self, due: float, snap: _Snapshot) -> None:
        """Analyse ``snap`` and publish the result in one step (any thread)."""
        start = self._clock()
        values: dict[str, float] | None = None
        summary: Mapping[str, Any] | None = None
        message: str | None = None
        try:
            report = self._analyze(snap.track(), self.drill_name, self.options)
            values = {}
            for name in report.overlay:
                series = report.series.get(name)
                if series is not None and len(series):
                    values[name] = float(series[-1])
            summary = dict(report.summary)
            bad = [w for w in report.warnings if w.severity in ("warning", "error")]
            message = bad[0].message if bad else None
        except FormcheckError as exc:
            message = str(exc)
        except Exception:
            log.exception("live analysis failed")
            message = "the live analysis failed on this stretch; keep going or restart the camera"
        took = self._clock() - start
        upto = snap.t[-1] if snap.t else -math.inf
        with self._lock:
            if math.isfinite(due):
                self._next_analysis = max(
                    self._next_analysis, due + max(self._interval, took / ANALYSIS_SHARE)
                )
            if upto < self._shown_upto:
                return  # a newer analysis (analyze_now) is already shown
            self._shown_upto = upto
            st = self._state
            if values is not None:
                values = _monotone_counts(st.values, values)
            self._state = _replace(
                st,
                values=values if values is not None else st.values,
                summary=summary if summary is not None else st.summary,
                message=message,
                analyses=st.analyses + 1,
                analysis_s=took,
            )


MONOTONE_COUNTERS = ("reps", "attempts")
"""Overlay values shown as counters that never count down during a session.

Each analysis re-reads the whole history, so a rep counted at the edge of the
newest frames can be judged differently a moment later (its end was not yet
seen); a counter that steps back confuses the person doing the set. A count
the analysis withdraws is absorbed by the next one counted. The summary and
the report after the session keep the analysis's own numbers."""


def _monotone_counts(shown: Mapping[str, float], new: dict[str, float]) -> dict[str, float]:
    """``new`` with each ``MONOTONE_COUNTERS`` value raised to at least the one ``shown``."""
    out = dict(new)
    for key in MONOTONE_COUNTERS:
        old, cur = shown.get(key), out.get(key)
        if old is not None and cur is not None and math.isfinite(old) and math.isfinite(cur):
            out[key] = max(old, cur)
    return out


def _replace(state: LiveState, **changes: Any) -> LiveState:
    from dataclasses import replace

    return replace(state, **changes)


def _as(value: Any, shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    """``value`` as a float32 array of ``shape``; NaN-filled when absent or misshapen."""
    arr = np.full(shape, np.nan, np.float32) if value is None else np.asarray(value, np.float32)
    if arr.shape != shape:
        return np.full(shape, np.nan, np.float32)
    return arr


def _rate(wall: list[float]) -> float:
    """Events per second over the last ~2 s of wall-clock stamps ``wall``."""
    if len(wall) < 2:
        return 0.0
    end = wall[-1]
    recent = [w for w in wall if end - w <= 2.0]
    if len(recent) < 2 or recent[-1] <= recent[0]:
        return 0.0
    return (len(recent) - 1) / (recent[-1] - recent[0])
