"""The shared real clips at half their frame rate, cut to start mid-hold, and at 480 px.

A runner's phone may film at 15 fps, and a runner may start filming after
lifting the foot or stop while walking away. The shared clips (30 fps, hand
labelled) are read at half their frame rate (every other frame, from the
first or the second) and at twice it (a frame halfway between each pair), the balance clips from 1 s into their first hold, and
the knee-to-wall clip from its first lunge's labelled peak or up to its second's,
and every clip with its frames shrunk to 480 px on the long side before the pose
model (a 270x480 phone clip); the labels still hold, within the tolerances
written in them.
Before: at 15 fps the calf clip ``calf_raise_weighted_turning`` counted the
walk away after its set as a 7th rep, and the balance clip
``balance_flamingo_side``, cut mid-hold, read the walk away after its hold
as a 1.06 s hold on the other leg, and the knee-to-wall clip cut at a
labelled peak lost that lunge; at twice the frame rate the turning clip's
first step of walking away was a 7th rep; at 480 px the flamingo clip's walk out
of the picture was a 1.3 s hold on the other leg.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import shared_video

from formcheck.analysis import analyze_track
from formcheck.track import PoseTrack

CALF = ["calf_raise_double_front_oblique.mp4", "calf_raise_weighted_turning.mp4"]
BALANCE = [
    "balance_both_legs_front_oblique.mp4",
    "balance_flamingo_side.mp4",
    "balance_hinge_oblique.mp4",
]


PER_FRAME = ("landmarks", "visibility", "presence", "world", "timestamps_s", "num_people", "camera")
"""The track's per-frame arrays (the camera's motion is measured on every extracted track)."""


def every_other_frame(track: PoseTrack, first: int) -> PoseTrack:
    """``track`` at half its frame rate: frames ``first``, ``first + 2``, ..."""
    rows = np.s_[first::2]
    return track.with_arrays(
        **{name: getattr(track, name)[rows] for name in PER_FRAME}, fps=track.fps / 2
    )


def twice_the_frame_rate(track: PoseTrack) -> PoseTrack:
    """``track`` at twice its frame rate: a frame between each pair, its numbers
    halfway between theirs (what a 60 fps camera adds, to first order)."""
    n = len(track)
    rows = np.arange(2 * n - 1) / 2.0

    def between(a: np.ndarray) -> np.ndarray:
        flat = np.asarray(a, dtype=np.float64).reshape(n, -1)
        out = np.stack([np.interp(rows, np.arange(n), col) for col in flat.T], axis=1)
        return out.reshape((len(rows), *np.shape(a)[1:]))

    return track.with_arrays(
        **{name: between(getattr(track, name)) for name in PER_FRAME if name != "num_people"},
        num_people=np.repeat(track.num_people, 2)[: len(rows)],
        fps=track.fps * 2,
    )


_HALF_RATE: dict[tuple[str, int, str], Any] = {}


def _half_rate_report(tracked_clip: Any, name: str, first: int, drill: str) -> Any:
    """``drill`` on the shared clip ``name`` at half its frame rate (computed once)."""
    key = (name, first, drill)
    if key not in _HALF_RATE:
        _HALF_RATE[key] = analyze_track(every_other_frame(tracked_clip(name), first), drill)
    return _HALF_RATE[key]


def _peaks_within(found: list[float], want: list[float], tol: float) -> bool:
    return len(found) == len(want) and all(
        abs(f - w) <= tol for f, w in zip(found, want, strict=True)
    )


def _holds_within(report: Any, label: dict[str, Any]) -> None:
    tol = label["time_tolerance_s"]
    got = [(e["start_s"], e["end_s"]) for e in report.events]
    want = label["single_leg_intervals_s"]
    assert len(got) == len(want), got
    for (a, b), (la, lb) in zip(got, want, strict=True):
        assert abs(b - lb) <= tol, (got, want)
        assert a >= la - tol, (got, want)  # a hold cut by the start begins with the clip
    assert report.summary["touchdowns"] == len(label.get("touchdowns_s", []))


@pytest.mark.slow
@pytest.mark.parametrize("first", [0, 1])
@pytest.mark.parametrize("name", CALF)
def test_real_calf_clips_at_half_the_frame_rate_count_the_reps(
    name: str, first: int, tracked_clip: Any, shared_labels: Any
) -> None:
    label = shared_labels[name]
    report = _half_rate_report(tracked_clip, name, first, "calf-raise")
    assert abs(report.summary["rep_count"] - label["reps"]) <= label["reps_tolerance"]
    whole = [e for e in report.events if e["kind"] == "rep" and not e["partial"]]
    assert len(whole) == len(label["rep_peaks_s"])


LATE_TOP = pytest.mark.xfail(
    strict=True,
    reason="known gap (reported): in this clip's rear-oblique set the top's centre reads "
    "0.25-0.31 s after the labelled peaks (12.55 / 14.99 s at 30 fps for 12.3 / 14.7, the "
    "labeller marking the heel reaching its top); from frames 0, 2, ... the last reads "
    "15.01 s, 0.01 s beyond the label's 0.3 s",
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "first"),
    [
        (CALF[0], 0),
        (CALF[0], 1),
        pytest.param(CALF[1], 0, marks=LATE_TOP),
        (CALF[1], 1),
    ],
)
def test_real_calf_clips_at_half_the_frame_rate_time_the_peaks(
    name: str, first: int, tracked_clip: Any, shared_labels: Any
) -> None:
    label = shared_labels[name]
    report = _half_rate_report(tracked_clip, name, first, "calf-raise")
    peaks = [e["peak_s"] for e in report.events if e["kind"] == "rep" and not e["partial"]]
    assert _peaks_within(peaks, label["rep_peaks_s"], label["time_tolerance_s"]), peaks


@pytest.mark.slow
@pytest.mark.parametrize("first", [0, 1])
@pytest.mark.parametrize("name", BALANCE)
def test_real_balance_clips_at_half_the_frame_rate(
    name: str, first: int, tracked_clip: Any, shared_labels: Any
) -> None:
    report = _half_rate_report(tracked_clip, name, first, "single-leg-balance")
    _holds_within(report, shared_labels[name])


@pytest.mark.slow
@pytest.mark.parametrize("first", [0, 1])
def test_real_knee_to_wall_at_half_the_frame_rate(
    first: int, tracked_clip: Any, shared_labels: Any
) -> None:
    name = "knee_to_wall_side.mp4"
    label = shared_labels[name]
    report = _half_rate_report(tracked_clip, name, first, "knee-to-wall")
    peaks = [e["peak_s"] for e in report.events]
    assert _peaks_within(peaks, label["rep_peaks_s"], label["time_tolerance_s"]), peaks


@pytest.mark.slow
@pytest.mark.parametrize("name", BALANCE)
def test_real_balance_clips_cut_mid_hold(name: str, tracked_clip: Any, shared_labels: Any) -> None:
    label = shared_labels[name]
    track = tracked_clip(name)
    cut_s = label["single_leg_intervals_s"][0][0] + 1.0
    report = analyze_track(
        track.slice(int(np.searchsorted(track.timestamps_s, cut_s)), len(track)),
        "single-leg-balance",
    )
    _holds_within(report, label)
    first = report.events[0]
    assert first["started_by"] == "start of video"
    assert "began before the first frame" in first["flags"]["duration_s"]
    assert all(e["started_by"] == "lift-off" for e in report.events[1:])


@pytest.mark.slow
@pytest.mark.parametrize("cut", ["start", "end"])
def test_real_knee_to_wall_cut_mid_lunge_keeps_the_lunge_and_says_so(
    cut: str, tracked_clip: Any, shared_labels: Any
) -> None:
    name = "knee_to_wall_side.mp4"
    label = shared_labels[name]
    track = tracked_clip(name)
    peaks = label["rep_peaks_s"]
    at = int(np.searchsorted(track.timestamps_s, peaks[0] if cut == "start" else peaks[1]))
    part = track.slice(at, len(track)) if cut == "start" else track.slice(0, at)
    want = peaks if cut == "start" else peaks[:2]
    report = analyze_track(part, "knee-to-wall")
    got = [e["peak_s"] for e in report.events]
    assert _peaks_within(got, want, label["time_tolerance_s"]), got
    cut_lunge = report.events[0] if cut == "start" else report.events[-1]
    assert cut_lunge["cut_by"] == f"{cut} of video"
    assert "may have gone deeper" in cut_lunge["flags"]["tibia_angle_deg"]
    assert [e["cut_by"] for e in report.events].count(None) == len(want) - 1


def _matches_labels(report: Any, label: dict[str, Any], drill: str) -> None:
    """The report's holds, or its whole reps' / lunges' peaks, match the clip's labels."""
    if drill == "single-leg-balance":
        _holds_within(report, label)
        return
    kind = "rep" if drill == "calf-raise" else "lunge"
    peaks = [e["peak_s"] for e in report.events if e["kind"] == kind and not e.get("partial")]
    assert _peaks_within(peaks, label["rep_peaks_s"], label["time_tolerance_s"]), peaks


LABELLED = [
    *((c, "calf-raise") for c in CALF),
    *((b, "single-leg-balance") for b in BALANCE),
    ("knee_to_wall_side.mp4", "knee-to-wall"),
]
"""(clip, drill) of every labelled shared clip with a whole body in view."""


@pytest.mark.slow
@pytest.mark.parametrize(("name", "drill"), LABELLED)
def test_real_clips_at_twice_the_frame_rate(
    name: str, drill: str, tracked_clip: Any, shared_labels: Any
) -> None:
    # at 60 fps the first step of walking away after the turning clip's set (its hips
    # ending 42 cm on) passed the tempo rule and was counted as a 7th rep
    report = analyze_track(twice_the_frame_rate(tracked_clip(name)), drill)
    _matches_labels(report, shared_labels[name], drill)


LOW_RES_SIDE = 480
"""px, the long side the shared clips are shrunk to (from 1920)."""

_LOW_RES: dict[str, Any] = {}


def _at_480_px(name: str, shared_model: Any) -> Any:
    """The pose track of shared clip ``name`` with its frames shrunk to 480 px on the
    long side before the pose model (a 270x480 phone clip; computed once)."""
    if name not in _LOW_RES:
        from formcheck.pose import extract_track

        _LOW_RES[name] = extract_track(
            shared_video(name), model_path=shared_model, max_side=LOW_RES_SIDE
        )
    return _LOW_RES[name]


LATE_TOP_480 = pytest.mark.xfail(
    strict=False,
    reason="known gap (reported, as LATE_TOP): the rear-oblique set's last top reads "
    "0.3-0.4 s after its label at 480 px (0.29 s at full size)",
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "drill"),
    [pytest.param(*c, marks=LATE_TOP_480) if c[0] == CALF[1] else c for c in LABELLED],
)
def test_real_clips_read_at_480_px(
    name: str, drill: str, shared_model: Any, shared_labels: Any
) -> None:
    # at 480 px the flamingo clip's walk out of the picture, ending on a stray detection
    # back where it began, was read as a 1.3 s hold on the other leg, and the first
    # touchdown of the front-oblique clip read 0.40 s after its label (the 3D foot
    # settling after it landed; now 0.22 s)
    report = analyze_track(_at_480_px(name, shared_model), drill)
    _matches_labels(report, shared_labels[name], drill)


@pytest.mark.slow
@pytest.mark.parametrize(
    "rate", ["as filmed", "half, from frame 0", "half, from frame 1", "twice", "480 px"]
)
@pytest.mark.parametrize("name", CALF)
def test_real_flat_ground_calf_clips_are_not_on_a_step(
    name: str, rate: str, tracked_clip: Any, shared_model: Any
) -> None:
    # both shared calf clips are filmed on flat ground; the turning clip was read as
    # "on a step" with heels 3-13 cm below it: its heel landmark read low while the
    # runner turned round and walked away, and ~3 cm low all through the rear-oblique
    # reps after the turn, against the level read before it
    track = tracked_clip(name)
    if rate == "as filmed":
        report = analyze_track(track, "calf-raise")
    elif rate == "twice":
        report = analyze_track(twice_the_frame_rate(track), "calf-raise")
    elif rate == "480 px":
        report = analyze_track(_at_480_px(name, shared_model), "calf-raise")
    else:
        report = _half_rate_report(tracked_clip, name, int(rate[-1]), "calf-raise")
    assert report.summary["on_step"] is False
    assert report.summary["reps_below_step"] is None
    assert all(e.get("heel_drop_cm") is None for e in report.events if e["kind"] == "rep")
