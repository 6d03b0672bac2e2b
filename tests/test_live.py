"""Live engine: history, bounded analysis rate, stale frames dropped, errors shown."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from formcheck.drills.base import DrillOptions
from formcheck.errors import AnalysisError
from formcheck.landmarks import Landmark
from formcheck.live import LiveEngine, LiveState
from formcheck.track import PoseTrack

FRAME = np.zeros((48, 64, 3), np.uint8)


class FakePose:
    """Returns a person whose nose x encodes the frame time; records the times seen."""

    def __init__(self, person: bool = True, gate: threading.Event | None = None) -> None:
        self.person = person
        self.times: list[float] = []
        self.gate = gate
        self.started = threading.Event()

    def process(self, rgb: np.ndarray, time_s: float) -> Any:
        self.started.set()
        if self.gate is not None:
            self.gate.wait(5.0)
        self.times.append(time_s)
        lm = np.full((33, 3), np.nan if not self.person else 0.5, np.float32)
        if self.person:
            lm[Landmark.NOSE, 0] = time_s / 100.0
        vis = np.full(33, 0.9 if self.person else np.nan, np.float32)
        return SimpleNamespace(landmarks=lm, visibility=vis, presence=vis, world=lm.copy())


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def counting_analyzer(calls: list[PoseTrack]) -> Any:
    """A stand-in analysis whose "reps" = number of whole seconds in the history."""

    def analyze(track: PoseTrack, drill: str, options: DrillOptions) -> Any:
        calls.append(track)
        t = track.timestamps_s
        reps = np.floor(t - t[0])
        return SimpleNamespace(
            overlay=("reps", "heel_height_cm"),
            series={"reps": reps, "heel_height_cm": np.full(len(t), 2.5)},
            summary={"rep_count": int(reps[-1])},
            warnings=[],
        )

    return analyze


def test_history_and_state_follow_the_frames() -> None:
    calls: list[PoseTrack] = []
    clock = FakeClock()
    eng = LiveEngine(
        FakePose(), "calf-raise", analyzer=counting_analyzer(calls), clock=clock, min_history_s=1.0
    )
    for i in range(31):  # 3 s at 10 fps, 0.1 s of wall time per frame
        clock.now = i * 0.1
        st = eng.process(FRAME, i * 0.1)
    hist = eng.history()
    assert len(hist) == 31
    assert hist.timestamps_s[-1] == pytest.approx(3.0)
    assert hist.fps == pytest.approx(10.0)
    assert (hist.width, hist.height) == (64, 48)
    assert st.person and st.landmarks is not None
    assert st.landmarks[Landmark.NOSE, 0] == pytest.approx(0.03)  # latest frame's pose
    assert st.frames_processed == st.frames_in == 31
    assert st.achieved_fps == pytest.approx(10.0)
    assert st.values["reps"] == 3.0 and st.counter == 3.0
    assert st.summary == {"rep_count": 3}


def test_rep_counter_never_counts_down() -> None:
    # the analysis withdraws a rep it had counted at the edge of the history
    # (3 -> 2), then counts on; the counter holds 3 until the count passes it
    counts = iter([1, 2, 3, 2, 3, 4])

    def analyzer(track: PoseTrack, drill: str, options: DrillOptions) -> Any:
        n = float(next(counts))
        t = track.timestamps_s
        return SimpleNamespace(
            overlay=("reps",),
            series={"reps": np.full(len(t), n)},
            summary={"rep_count": int(n)},
            warnings=[],
        )

    clock = FakeClock()
    eng = LiveEngine(
        FakePose(),
        "calf-raise",
        analyzer=analyzer,
        clock=clock,
        analysis_interval_s=1.0,
        min_history_s=0.0,
    )
    shown, summaries = [], []
    for i in range(60):  # one analysis per second of wall time
        clock.now = i * 0.1
        st = eng.process(FRAME, i * 0.1)
        if not summaries or st.summary != summaries[-1]:
            shown.append(st.counter)
            summaries.append(st.summary)
    assert shown == [1.0, 2.0, 3.0, 3.0, 3.0, 4.0]
    assert [s["rep_count"] for s in summaries] == [1, 2, 3, 2, 3, 4]  # the analysis's own


def test_analysis_rate_is_bounded() -> None:
    calls: list[PoseTrack] = []
    clock = FakeClock()
    eng = LiveEngine(
        FakePose(),
        "calf-raise",
        analyzer=counting_analyzer(calls),
        clock=clock,
        analysis_interval_s=0.5,
        min_history_s=0.0,
    )
    for i in range(100):  # 10 s of wall time, 100 frames
        clock.now = i * 0.1
        eng.process(FRAME, i * 0.1)
    assert 19 <= len(calls) <= 21  # about every 0.5 s, not on every frame


def test_slow_analysis_backs_off() -> None:
    calls: list[PoseTrack] = []
    clock = FakeClock()
    inner = counting_analyzer(calls)

    def slow(track: PoseTrack, drill: str, options: DrillOptions) -> Any:
        clock.now += 1.0  # each analysis takes 1 s of wall time
        return inner(track, drill, options)

    eng = LiveEngine(
        FakePose(),
        "calf-raise",
        analyzer=slow,
        clock=clock,
        analysis_interval_s=0.5,
        min_history_s=0.0,
    )
    for i in range(200):
        clock.now += 0.1
        eng.process(FRAME, i * 0.1)
    wall = clock.now
    # analysis time is at most a quarter of the wall time (ANALYSIS_SHARE)
    assert len(calls) * 1.0 <= 0.25 * wall + 1.0
    assert len(calls) >= 3


def test_no_analysis_before_min_history() -> None:
    calls: list[PoseTrack] = []
    clock = FakeClock()
    eng = LiveEngine(
        FakePose(), "calf-raise", analyzer=counting_analyzer(calls), clock=clock, min_history_s=2.0
    )
    for i in range(20):  # 1.9 s
        clock.now = i * 0.1
        st = eng.process(FRAME, i * 0.1)
    assert calls == [] and st.counter is None and st.analyses == 0


def test_submit_drops_stale_frames_instead_of_queueing() -> None:
    gate = threading.Event()
    pose = FakePose(gate=gate)
    eng = LiveEngine(pose, "calf-raise", analyzer=counting_analyzer([]), min_history_s=99)
    try:
        eng.submit(FRAME, 0.0)
        assert pose.started.wait(5.0)  # the worker is stuck in the "model" with frame 0
        for i in range(1, 10):
            eng.submit(FRAME, i * 0.1)  # frames 1..8 are replaced by newer ones
        gate.set()
        for _ in range(500):
            if eng.state.frames_processed == 2:
                break
            threading.Event().wait(0.01)
        st = eng.state
        assert pose.times == pytest.approx([0.0, 0.9])  # the newest frame, not the backlog
        assert (st.frames_in, st.frames_processed, st.frames_dropped) == (10, 2, 8)
    finally:
        eng.close()


def test_non_increasing_times_are_skipped() -> None:
    eng = LiveEngine(FakePose(), "calf-raise", analyzer=counting_analyzer([]), min_history_s=99)
    eng.process(FRAME, 1.0)
    st = eng.process(FRAME, 1.0)
    st = eng.process(FRAME, 0.5)
    assert len(eng.history()) == 1 and st.frames_dropped == 2


def test_analysis_error_becomes_message_and_keeps_last_values() -> None:
    clock = FakeClock()
    fail = {"now": False}
    good = counting_analyzer([])

    def analyzer(track: PoseTrack, drill: str, options: DrillOptions) -> Any:
        if fail["now"]:
            raise AnalysisError("no person found in 90% of frames: step back")
        return good(track, drill, options)

    eng = LiveEngine(FakePose(), "calf-raise", analyzer=analyzer, clock=clock, min_history_s=0.0)
    for i in range(25):
        clock.now = i * 0.1
        eng.process(FRAME, i * 0.1)
    assert eng.state.counter == 2.0 and eng.state.message is None
    fail["now"] = True
    for i in range(25, 35):
        clock.now = i * 0.1
        st = eng.process(FRAME, i * 0.1)
    assert st.message is not None and "step back" in st.message
    assert st.counter == 2.0


def test_unexpected_error_gives_generic_message() -> None:
    def broken(track: PoseTrack, drill: str, options: DrillOptions) -> Any:
        raise ZeroDivisionError

    eng = LiveEngine(FakePose(), "calf-raise", analyzer=broken, min_history_s=0.0)
    st = eng.process(FRAME, 0.0)
    assert st.message is not None and "ZeroDivision" not in st.message


def test_history_is_bounded() -> None:
    eng = LiveEngine(
        FakePose(),
        "calf-raise",
        analyzer=counting_analyzer([]),
        min_history_s=99,
        max_history_s=5.0,
    )
    for i in range(200):
        eng.process(FRAME, i * 0.1)
    hist = eng.history()
    assert hist.timestamps_s[-1] - hist.timestamps_s[0] <= 5.0 + 1e-9
    assert 50 <= len(hist) <= 51  # 5 s at 10 fps, give or take the float boundary


def test_no_person_state_and_annotation() -> None:
    eng = LiveEngine(FakePose(person=False), "calf-raise", analyzer=counting_analyzer([]))
    st = eng.process(FRAME, 0.0)
    assert not st.person and st.landmarks is None
    frame = np.zeros((240, 320, 3), np.uint8)
    eng.annotate(frame)
    assert frame[120:].max() > 200  # "step into the picture" at the bottom


def test_annotate_draws_skeleton_and_counter() -> None:
    clock = FakeClock()
    eng = LiveEngine(
        FakePose(), "calf-raise", analyzer=counting_analyzer([]), clock=clock, min_history_s=0.0
    )
    eng.process(FRAME, 0.0)
    blank = np.zeros((240, 320, 3), np.uint8)
    out = eng.annotate(blank.copy())
    assert out.max() > 0 and isinstance(eng.state, LiveState)


def test_unknown_drill_rejected() -> None:
    with pytest.raises(ValueError, match="expected one of"):
        LiveEngine(FakePose(), "jumping-jacks")


class ReplayPose:
    """Replays a stored track frame by frame (the injected landmark source)."""

    def __init__(self, track: PoseTrack) -> None:
        self.track = track
        self.i = 0

    def process(self, rgb: np.ndarray, time_s: float) -> Any:
        i = self.i
        self.i += 1
        t = self.track
        return SimpleNamespace(
            landmarks=t.landmarks[i],
            visibility=t.visibility[i],
            presence=t.presence[i],
            world=t.world[i],
        )


def test_live_calf_raise_count_reaches_the_truth_with_the_real_analysis() -> None:
    from formcheck.synth import synthesize
    from formcheck.synth.noise import NoiseSpec
    from formcheck.synth.profiles import CalfRaiseProfile

    syn = synthesize(CalfRaiseProfile(reps=5), noise=NoiseSpec.low(), seed=4)
    track = syn.track
    clock = FakeClock()
    eng = LiveEngine(ReplayPose(track), "calf-raise", clock=clock, analysis_interval_s=2.0)
    frame = np.zeros((track.height, track.width, 3), np.uint8)
    counts = []
    for i, t in enumerate(track.timestamps_s):
        clock.now = float(t)
        st = eng.process(frame, float(t))
        if st.counter is not None:
            counts.append(st.counter)
        if i == len(track) - 1:
            break
    assert st.message is None or "no person" not in st.message
    assert st.analyses >= 3
    assert counts and counts[0] < 5  # the counter advanced while the set went on
    assert counts[-1] >= 4  # at most the last rep not yet confirmed
    assert eng.analyze_now().counter == 5


# ---------------------------------------------------------------- threads
def wait_until(cond: Any, timeout: float = 5.0) -> bool:
    """Poll ``cond()`` every 5 ms until true or ``timeout`` s passed (no timing asserted)."""
    end = threading.Event()
    for _ in range(int(timeout / 0.005)):
        if cond():
            return True
        end.wait(0.005)
    return bool(cond())


def test_slow_analyzer_never_blocks_the_pose_worker() -> None:
    release = threading.Event()
    entered = threading.Event()
    running = {"now": 0, "most": 0, "calls": 0}
    inner = counting_analyzer([])

    def stuck(track: PoseTrack, drill: str, options: DrillOptions) -> Any:
        running["now"] += 1
        running["calls"] += 1
        running["most"] = max(running["most"], running["now"])
        entered.set()
        release.wait(10.0)  # an analysis that does not end until released
        running["now"] -= 1
        return inner(track, drill, options)

    # a frozen fake clock: the stuck analysis "took" 0 s, so no back-off delays the next
    eng = LiveEngine(
        FakePose(),
        "calf-raise",
        analyzer=stuck,
        clock=FakeClock(),
        analysis_interval_s=0.0,
        min_history_s=0.0,
    )
    try:
        eng.submit(FRAME, 0.0)
        assert entered.wait(5.0)  # the analysis of frame 0 is now stuck
        for i in range(1, 30):  # each frame still gets its pose while it is stuck
            eng.submit(FRAME, i * 0.1)
            assert wait_until(lambda i=i: eng.state.frames_processed == i + 1)
        st = eng.state
        assert st.time_s == pytest.approx(2.9) and st.analyses == 0
        assert running["calls"] == 1  # due analyses are skipped, not queued
        release.set()
        assert wait_until(lambda: eng.state.analyses >= 1)
        eng.submit(FRAME, 3.0)  # the next due analysis sees the whole history
        assert wait_until(lambda: eng.state.analyses >= 2)
        assert eng.state.values["reps"] == 3.0 and eng.state.summary == {"rep_count": 3}
        assert running["most"] == 1  # never two analyses at once
    finally:
        release.set()
        eng.close()


def test_close_stops_both_threads() -> None:
    before = set(threading.enumerate())
    eng = LiveEngine(FakePose(), "calf-raise", analyzer=counting_analyzer([]), min_history_s=0.0)
    for i in range(5):
        eng.submit(FRAME, i * 0.1)
    assert wait_until(lambda: eng.state.analyses >= 1)
    started = [th for th in threading.enumerate() if th not in before]
    assert {th.name for th in started} >= {"formcheck-live", "formcheck-live-analysis"}
    eng.close()
    assert not any(th.is_alive() for th in started)
    eng.submit(FRAME, 9.0)  # after close: ignored, no new thread
    assert all(th in before for th in threading.enumerate())


def test_latency_runs_from_submit_to_the_pose_result() -> None:
    clock = FakeClock()
    gate = threading.Event()
    pose = FakePose(gate=gate)
    eng = LiveEngine(pose, "calf-raise", analyzer=counting_analyzer([]), clock=clock)
    try:
        eng.submit(FRAME, 0.0)  # submitted at wall 0.00, taken at once
        assert pose.started.wait(5.0)
        clock.now = 0.02
        eng.submit(FRAME, 0.1)  # submitted at 0.02, waits in the mailbox
        clock.now = 0.10
        gate.set()  # both results come out at wall 0.10
        assert wait_until(lambda: eng.state.frames_processed == 2)
        assert eng.recent_latencies_s() == pytest.approx([0.10, 0.08])
        assert eng.state.latency_s == pytest.approx(0.08)
    finally:
        eng.close()


def test_default_analysis_is_warmed_up_on_its_own_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import formcheck.live as live

    seen: list[tuple[str, str]] = []
    done = threading.Event()

    def fake_warm_up(drill: str, options: DrillOptions) -> None:
        seen.append((drill, threading.current_thread().name))
        done.set()

    monkeypatch.setattr(live, "_warm_up", fake_warm_up)
    eng = LiveEngine(FakePose(), "knee-to-wall")  # warm-up starts with the engine
    try:
        assert done.wait(5.0)
        assert seen == [("knee-to-wall", "formcheck-live-analysis")]
        assert eng.state.analyses == 0  # priming publishes nothing
    finally:
        eng.close()
    LiveEngine(FakePose(), "calf-raise", analyzer=counting_analyzer([])).close()
    assert len(seen) == 1  # an injected analyzer is not warmed up
