"""What ``from_height`` tells the person when it falls back to the leg-length scale.

The render audit (bench/render_audit.py) found every side-on render calibrated
from the legs with the advice "stand tall with your head in the picture",
though the head was in every frame: side-on, the far leg is hidden behind the
near one, so no frame shows both legs straight. The advice must name the real
reason.
"""

from __future__ import annotations

import numpy as np

from formcheck.calibration import estimate_floor, from_height
from formcheck.landmarks import Landmark, side_landmark
from formcheck.signals import condition_track
from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, synthesize
from formcheck.track import PoseTrack


def _side_track() -> tuple[PoseTrack, float]:
    s = synthesize(
        CalfRaiseProfile(reps=2),
        camera=CameraSpec(view="side"),
        noise=NoiseSpec.low(),
        seed=0,
    )
    return condition_track(s.track).track, s.truth.height_cm


def _hide(track: PoseTrack, marks: list[int]) -> PoseTrack:
    lm = np.array(track.landmarks, copy=True)
    lm[:, marks, :] = np.nan
    return track.with_arrays(landmarks=lm)


def test_side_on_far_leg_hidden_is_named_not_the_head():
    track, height = _side_track()
    far = [int(side_landmark("left", p)) for p in ("hip", "knee", "ankle", "heel", "foot_index")]
    hidden = _hide(track, far)
    cal = from_height(hidden, height, floor=estimate_floor(hidden))
    assert cal.method == "height+legs"
    assert "hidden behind the other" in cal.detail
    assert "head" not in cal.detail


def test_head_out_of_view_still_says_so():
    track, height = _side_track()
    eyes = [int(Landmark.LEFT_EYE), int(Landmark.RIGHT_EYE)]
    hidden = _hide(track, eyes)
    cal = from_height(hidden, height, floor=estimate_floor(hidden))
    assert cal.method == "height+legs"
    assert "head in the picture" in cal.detail


def test_both_legs_and_head_seen_uses_eye_level():
    track, height = _side_track()
    cal = from_height(track, height, floor=estimate_floor(track))
    assert cal.method == "height"
