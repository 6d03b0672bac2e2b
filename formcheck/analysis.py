"""The analysis pipeline: a pose track (or a video) in, a ``Report`` out.

    track -> condition -> view + framing checks -> floor + cm calibration
          -> drill.analyze -> Report

Faces (CLI, page, live view) call ``analyze_track`` or ``analyze_video`` and
render what comes back; they hold no analysis logic.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from formcheck import __version__
from formcheck.calibration import (
    Calibration,
    FloorLine,
    assumed,
    estimate_camera_pitch,
    estimate_floor,
    from_foot_length,
    from_height,
)
from formcheck.camera_steadying import camera_motion_issue, steady_track
from formcheck.drills import get_drill
from formcheck.drills.base import DrillContext, DrillOptions
from formcheck.errors import AnalysisError
from formcheck.report import Report
from formcheck.signals import ConditioningConfig, condition_track
from formcheck.track import PoseTrack
from formcheck.views import (
    QualityIssue,
    camera_pitch_issue,
    check_view,
    classify_view,
    framing_issues,
)

MIN_DETECTED_FRACTION = 0.2
"""Below this fraction of frames with a person (0..1) there is nothing to measure.

Judgement: a drill needs a few seconds of a visible person; 20% of a short clip
is about that. Between this and the framing check's threshold the report is
produced but marked untrusted."""

MIN_DURATION_S = 0.5
"""Shortest clip (seconds) worth analysing. Judgement: half a second is shorter
than any rep, hold, lunge or step, so a shorter clip cannot hold one; it is
still long enough to say "nothing happened" for a short standing clip."""

ProgressFn = Callable[[int, int], None]


def analyze_track(
    track: PoseTrack,
    drill_name: str,
    options: DrillOptions | None = None,
    *,
    calibration: Calibration | None = None,
    conditioning: ConditioningConfig | None = None,
    live: bool = False,
    expected_duration_s: float | None = None,
) -> Report:
    """Measure ``drill_name`` on ``track``.

    Args:
        track: pose track of the whole clip.
        drill_name: a name from ``formcheck.drills.DRILLS``.
        options: the user's options (height, leg, variant, threshold overrides).
        calibration: a ready calibration (e.g. from an ArUco marker); when
            None it is derived from the options (height, foot length) or
            assumed from population averages, which the report says.
        conditioning: landmark cleaning settings; defaults suit recorded video.
        expected_duration_s: the duration the video file states (seconds);
            when the frames decoded end well before it, the report warns that
            the file looks cut short.
        live: condition causally (as for a webcam stream, see
            ``condition_track``), so numbers already shown do not change
            when later frames arrive.

    Raises:
        ValueError: unknown drill name.
        AnalysisError: no person in (almost) any frame; the message says what to change.
    """
    drill = get_drill(drill_name)
    opts = options or DrillOptions()
    if len(track) == 0 or track.detected_fraction < MIN_DETECTED_FRACTION:
        pct = 100.0 * (1.0 - track.detected_fraction) if len(track) else 100.0
        raise AnalysisError(
            f"no person found in {pct:.0f}% of frames: step back so your whole body and both "
            "feet are in the picture, with light on you, and film again"
        )
    if len(track) > 0 and track.duration_s < MIN_DURATION_S:
        raise AnalysisError(
            f"this clip is only {track.duration_s:.2f} s long ({len(track)} frame"
            f"{'s' if len(track) != 1 else ''}), too short to measure a drill: film the whole "
            "drill, from a few seconds before you start until after you finish, and step back "
            "so your whole body and both feet are in the picture"
        )
    raw = track  # as the pose model put it in each frame: framing is judged on it
    track, motion = steady_track(raw)
    conditioned = condition_track(track, conditioning or ConditioningConfig(), live=live)
    clean = conditioned.track
    view = classify_view(clean)
    issues: list[QualityIssue] = list(framing_issues(raw))
    moved = camera_motion_issue(motion)
    if moved is not None:
        issues.append(moved)
    view_issue = check_view(view, drill.accepted_views)
    if view_issue is not None:
        issues.append(view_issue)
    cut = truncation_issue(track, expected_duration_s)
    if cut is not None:
        issues.append(cut)
    pitch = estimate_camera_pitch(track)  # raw: both legs count, visible or not
    pitch_issue = camera_pitch_issue(pitch)
    if pitch_issue is not None:
        issues.append(pitch_issue)
    floor = estimate_floor(clean)
    cal = calibration or choose_calibration(clean, opts, floor)
    ctx = DrillContext(
        track=track,
        conditioned=conditioned,
        view=view,
        floor=floor,
        calibration=cal,
        options=opts,
        quality=tuple(issues),
        picture=raw if track is not raw else None,
    )
    result = drill.analyze(ctx)
    warnings = issues + list(result.warnings)
    trusted = not any(w.severity in ("warning", "error") for w in warnings)
    return Report(
        formcheck_version=__version__,
        drill=drill.name,
        options=_options_dict(opts),
        video={
            "fps": track.fps,
            "frames": len(track),
            "duration_s": track.duration_s,
            "width": track.width,
            "height": track.height,
            "source": track.source,
        },
        quality={
            "pose_detected_fraction": track.detected_fraction,
            "view": view.view,
            "facing": view.facing,
            "near_side": view.near_side,
            "view_confidence": view.confidence,
            "camera_pitch_deg": None if pitch is None else round(pitch, 1),
            "camera_motion": {
                "measured": motion.measured,
                "moved_pct_of_height": round(100.0 * motion.moved_fraction, 1),
                "unfollowed_pct": round(100.0 * motion.unfollowed_fraction, 1),
                "steadied": motion.steadied,
            },
            "trusted": trusted,
        },
        warnings=warnings,
        calibration={
            "method": cal.method,
            "cm_per_px": cal.cm_per_px,
            "uncertainty_pct": cal.uncertainty_pct,
            "detail": cal.detail,
        },
        summary=result.summary,
        flags=result.flags,
        events=result.events,
        cues=sorted(result.cues, key=lambda c: (c.time_s is None, c.time_s or 0.0)),
        norms=result.norms,
        score=result.score,
        times_s=np.asarray(track.timestamps_s, dtype=np.float64),
        series=result.series,
        overlay=result.overlay,
    )


TRUNCATION_TOLERANCE_S = 1.0
"""Seconds the decoded frames may end before the file's stated duration without
a warning (containers round durations and may count a last frame's length)."""
TRUNCATION_TOLERANCE_FRACTION = 0.05
"""... or this fraction of the stated duration, whichever is larger."""


def truncation_issue(track: PoseTrack, expected_duration_s: float | None) -> QualityIssue | None:
    """A warning when the decoded video ends well before the file's stated duration."""
    if not expected_duration_s or expected_duration_s <= 0 or len(track) == 0:
        return None
    got = float(track.timestamps_s[-1]) + 1.0 / track.fps
    tolerance = max(TRUNCATION_TOLERANCE_S, TRUNCATION_TOLERANCE_FRACTION * expected_duration_s)
    if expected_duration_s - got <= tolerance:
        return None
    return QualityIssue(
        "video_cut_short",
        "warning",
        f"the video file says it lasts {expected_duration_s:.1f} s but its frames end at "
        f"{got:.1f} s: the file looks cut short or damaged, so this result covers only the "
        "first part; copy or export the video again",
    )


def choose_calibration(
    track: PoseTrack, options: DrillOptions, floor: FloorLine | None
) -> Calibration:
    """The best cm calibration the options allow: height, then foot length, else assumed."""
    del floor  # the calibration functions find their own standing frames
    if options.height_cm is not None:
        return from_height(track, options.height_cm)
    if options.foot_length_cm is not None:
        side = options.leg if options.leg in ("left", "right") else "left"
        return from_foot_length(track, options.foot_length_cm, side)
    return assumed(track)


def analyze_video(
    video_path: str | os.PathLike[str],
    drill_name: str,
    options: DrillOptions | None = None,
    *,
    model_path: str | os.PathLike[str] | None = None,
    variant: str = "full",
    progress: ProgressFn | None = None,
) -> tuple[PoseTrack, Report]:
    """Extract the pose track of ``video_path`` and analyse it.

    Returns the track (keep it: re-scoring with other options needs no new
    extraction) and the report.
    """
    from formcheck.pose import extract_track  # imports mediapipe: only when needed

    get_drill(drill_name)  # fail on a bad name before minutes of extraction
    track = extract_track(
        Path(video_path), model_path=model_path, variant=variant, progress=progress
    )
    from formcheck.video import probe_video

    calibration = None
    if options is not None and options.marker_size_cm is not None:
        calibration = marker_calibration(video_path, options.marker_size_cm, track)
    expected = probe_video(video_path).duration_s
    report = analyze_track(
        track, drill_name, options, calibration=calibration, expected_duration_s=expected
    )
    return track, report


MARKER_SEARCH_S = 5.0
"""Seconds from the start of the clip searched for an ArUco marker (judgement:
the marker is set up before the drill starts and stays in view)."""


def marker_calibration(
    video_path: str | os.PathLike[str], marker_size_cm: float, track: PoseTrack
) -> Calibration:
    """cm per pixel from an ArUco marker seen in the first seconds of the video.

    Tries about ten frames of the first ``MARKER_SEARCH_S`` seconds and keeps
    the detection with the smallest uncertainty. The scale is expressed in the
    track's pixel units (the upright frame the landmarks are normalised to).

    Raises:
        AnalysisError: no marker in any tried frame (the message says how to fix it).
    """
    from formcheck.calibration import from_aruco
    from formcheck.video import iter_frames

    best: Calibration | None = None
    last_error: AnalysisError | None = None
    step = max(1, round(track.fps * MARKER_SEARCH_S / 10))
    for frame in iter_frames(video_path, end_s=MARKER_SEARCH_S):
        if frame.index % step:
            continue
        try:
            cal = from_aruco(frame.rgb, marker_size_cm)
        except AnalysisError as exc:
            last_error = exc
            continue
        px_scale = frame.rgb.shape[1] / track.width  # frame pixels per track pixel
        cal = Calibration(cal.method, cal.cm_per_px * px_scale, cal.uncertainty_pct, cal.detail)
        if best is None or cal.uncertainty_pct < best.uncertainty_pct:
            best = cal
    if best is None:
        raise last_error or AnalysisError(
            "no ArUco marker found in the first seconds of the video: keep the printed marker "
            "flat and fully in view from the start"
        )
    return best


def _options_dict(options: DrillOptions) -> dict[str, object]:
    out = asdict(options)
    out["variant"] = dict(options.variant)
    out["thresholds"] = dict(options.thresholds)
    return out
