"""Annotators draw what they are given, where they are given it, and compute nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.annotate import (
    LEFT_COLOR,
    RIGHT_COLOR,
    CounterAnnotator,
    FrameAnnotator,
    SkeletonAnnotator,
    ValuesAnnotator,
    format_value,
)
from formcheck.landmarks import Landmark


def _blank(h: int = 360, w: int = 640) -> np.ndarray:
    return np.zeros((h, w, 3), np.uint8)


def _points() -> np.ndarray:
    """(33, 2) pixels: NaN except a vertical left shin and a vertical right shin."""
    p = np.full((33, 2), np.nan)
    p[Landmark.LEFT_KNEE] = (200, 100)
    p[Landmark.LEFT_ANKLE] = (200, 300)
    p[Landmark.RIGHT_KNEE] = (400, 100)
    p[Landmark.RIGHT_ANKLE] = (400, 300)
    return p


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("heel_height_cm", 3.214, "heel height 3.2 cm"),  # unit suffix split off
        ("tibia_angle_deg", 38.04, "tibia angle 38.0 deg"),
        ("toe_to_wall_cm", 123.4, "toe to wall 123 cm"),  # >= 100: no decimals
        ("sway_velocity_cm_s", 2.5, "sway velocity 2.5 cm/s"),  # longest suffix wins
        ("reps", 3.0, "reps 3"),  # counter format
        ("hold_s", 12.44, "hold 12.4 s"),
        ("heel_height_cm", math.nan, "heel height --"),  # NaN never prints a number
        ("reps", math.nan, "reps --"),
        ("score", 7.0, "score 7.0"),  # no unit
        ("heel_rise_cm", -0.04, "heel rise 0.0 cm"),  # no negative zero
        ("heel_rise_cm", -0.06, "heel rise -0.1 cm"),
    ],
)
def test_format_value(name: str, value: float, expected: str) -> None:
    assert format_value(name, value) == expected


def test_skeleton_draws_bones_in_side_colours_where_given() -> None:
    frame = _blank()
    out = SkeletonAnnotator().annotate(frame, _points())
    assert out is frame  # in place
    left_mid = frame[200, 200].astype(int)
    right_mid = frame[200, 400].astype(int)
    assert np.abs(left_mid - LEFT_COLOR).max() <= 10
    assert np.abs(right_mid - RIGHT_COLOR).max() <= 10
    # nothing between the legs, nothing where landmarks were NaN
    assert frame[200, 300].max() == 0
    assert frame[20:80, :].max() == 0


def test_unreliable_landmarks_drawn_grey() -> None:
    frame = _blank()
    reliable = np.ones(33, bool)
    reliable[Landmark.LEFT_ANKLE] = False
    SkeletonAnnotator().annotate(frame, _points(), reliable)
    px = frame[200, 200].astype(int)
    assert px[0] == px[1] == px[2] > 0  # grey, not orange
    assert np.abs(frame[200, 400].astype(int) - RIGHT_COLOR).max() <= 10


def test_values_and_counter_panels_land_in_their_corners() -> None:
    frame = _blank()
    ValuesAnnotator().annotate(frame, {"heel_height_cm": 3.2})
    h, w = frame.shape[:2]
    assert frame[: h // 4, : w // 2].max() > 200  # white text top left
    assert frame[: h // 4, w // 2 :].max() == 0
    frame2 = _blank()
    CounterAnnotator().annotate(frame2, "reps 3")
    assert frame2[: h // 4, w // 2 :].max() > 200  # top right
    assert frame2[: h // 4, : w // 3].max() == 0


def test_counter_text_changes_the_picture() -> None:
    a, b = _blank(), _blank()
    CounterAnnotator().annotate(a, "reps 3")
    CounterAnnotator().annotate(b, "reps 4")
    assert not np.array_equal(a, b)


def test_frame_annotator_routes_counter_series() -> None:
    frame = _blank()
    FrameAnnotator().annotate(frame, None, None, {"reps": 2.0})
    h, w = frame.shape[:2]
    assert frame[: h // 4, w // 2 :].max() > 200
    assert frame[: h // 4, : w // 3].max() == 0  # values panel empty


def test_frame_annotator_without_person_only_draws_text() -> None:
    frame = _blank()
    FrameAnnotator().annotate(frame, None, None, {}, message="no person in view")
    h = frame.shape[0]
    assert frame[: h // 2].max() == 0
    assert frame[h // 2 :].max() > 200


def test_tiny_and_portrait_frames_do_not_fail() -> None:
    for shape in ((40, 30), (1920, 1080)):
        frame = _blank(*shape)
        pts = _points() * (shape[1] / 640)
        FrameAnnotator().annotate(frame, pts, None, {"reps": 1.0, "heel_height_cm": 2.0}, "x")
        assert frame.max() > 0
