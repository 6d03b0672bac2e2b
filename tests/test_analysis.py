"""The analysis pipeline: errors at the boundary and the ArUco calibration route."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.analysis import analyze_track, marker_calibration
from formcheck.aruco import draw_marker_image
from formcheck.drills.base import DrillOptions
from formcheck.errors import AnalysisError
from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize
from formcheck.track import PoseTrack
from tests.conftest import make_video


def _marker_frames(n: int, size: tuple[int, int], marker_px: int) -> list[np.ndarray]:
    """Grey frames with a white-bordered marker of ``marker_px`` pixels per side."""
    width, height = size
    marker = draw_marker_image(3, marker_px)
    frames = []
    for _ in range(n):
        img = np.full((height, width, 3), 200, np.uint8)
        pad = marker_px // 4
        y0, x0 = 40, 60
        img[y0 - pad : y0 + marker_px + pad, x0 - pad : x0 + marker_px + pad] = 255
        img[y0 : y0 + marker_px, x0 : x0 + marker_px] = marker[:, :, None]
        frames.append(img)
    return frames


@pytest.mark.parametrize(
    ("track_width", "expected_cm_per_px"),
    [
        (640, 20.0 / 160),  # track in the frame's own pixels
        (320, 2 * 20.0 / 160),  # track normalised to a half-size frame: pixels twice as big
    ],
)
def test_marker_calibration_in_track_pixels(
    tmp_path: Path, track_width: int, expected_cm_per_px: float
) -> None:
    video = make_video(
        tmp_path / "m.mp4", size=(640, 480), n_frames=12, frames=_marker_frames(12, (640, 480), 160)
    )
    track = PoseTrack.empty(np.arange(12) / 30.0, track_width, track_width * 3 // 4, 30.0)
    cal = marker_calibration(video, 20.0, track)
    assert cal.method == "aruco"
    assert cal.cm_per_px == pytest.approx(expected_cm_per_px, rel=0.02)
    assert 0 < cal.uncertainty_pct < 2


def test_marker_missing_says_how_to_fix(tmp_path: Path) -> None:
    video = make_video(tmp_path / "plain.mp4", size=(160, 96), n_frames=5)
    track = PoseTrack.empty(np.arange(5) / 30.0, 160, 96, 30.0)
    with pytest.raises(AnalysisError, match="no ArUco marker"):
        marker_calibration(video, 20.0, track)


def test_too_short_and_empty_tracks_are_refused_with_advice() -> None:
    s = synthesize(
        CalfRaiseProfile(reps=2), camera=CameraSpec(view="side"), noise=NoiseSpec.none(), seed=0
    )
    with pytest.raises(AnalysisError, match="too short"):
        analyze_track(s.track.slice(0, 3), "calf-raise")
    empty = PoseTrack.empty(np.arange(60) / 30.0, 640, 480, 30.0)
    with pytest.raises(AnalysisError, match="step back"):
        analyze_track(empty, "calf-raise")


def test_unknown_drill_lists_the_choices() -> None:
    s = synthesize(
        CalfRaiseProfile(reps=1), camera=CameraSpec(view="side"), noise=NoiseSpec.none(), seed=0
    )
    with pytest.raises(ValueError, match="unknown drill 'calf-rise'; expected one of"):
        analyze_track(s.track, "calf-rise")


def test_report_carries_calibration_and_quality() -> None:
    s = synthesize(
        CalfRaiseProfile(reps=3), camera=CameraSpec(view="side"), noise=NoiseSpec.low(), seed=1
    )
    report = analyze_track(s.track, "calf-raise", DrillOptions(height_cm=s.truth.height_cm))
    d = report.to_dict()
    assert d["calibration"]["method"].startswith("height")
    assert d["calibration"]["cm_per_px"] == pytest.approx(s.truth.cm_per_px, rel=0.03)
    assert d["quality"]["view"] == "side"
    assert d["summary"]["rep_count"] == 3
    assert len(report.frames_csv().splitlines()) == len(s.track) + 1


def test_a_video_cut_short_is_reported() -> None:
    s = synthesize(
        CalfRaiseProfile(reps=2), camera=CameraSpec(view="side"), noise=NoiseSpec.low(), seed=0
    )
    whole = s.track.duration_s
    ok = analyze_track(s.track, "calf-raise", expected_duration_s=whole + 0.3)
    assert "video_cut_short" not in {w.code for w in ok.warnings}
    cut = analyze_track(s.track, "calf-raise", expected_duration_s=whole + 5.0)
    warning = next(w for w in cut.warnings if w.code == "video_cut_short")
    assert warning.severity == "warning" and "cut short" in warning.message
    assert not cut.trusted
