"""Unit tests of the helpers shared by drills (formcheck.drills.common)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from formcheck.drills.common import (
    fill_nans,
    floor_up_px,
    front_side_per_frame,
    knee_flexion_3d,
    leg_length,
    leg_traces,
    lowest_point_height,
    moving_median,
    nan_median,
    select_front,
    true_runs,
)
from formcheck.landmarks import Landmark


def test_true_runs_finds_runs_with_exclusive_stops() -> None:
    mask = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    assert true_runs(mask) == [(0, 2), (4, 5), (6, 9)]
    assert true_runs(np.zeros(0, dtype=bool)) == []
    assert true_runs(np.zeros(4, dtype=bool)) == []


def test_fill_nans_interpolates_inside_and_holds_edges() -> None:
    t = np.arange(6, dtype=float)
    x = np.array([np.nan, 1.0, np.nan, 3.0, np.nan, np.nan])
    assert fill_nans(t, x) == pytest.approx([1.0, 1.0, 2.0, 3.0, 3.0, 3.0])
    assert np.isnan(fill_nans(t, np.full(6, np.nan))).all()


def test_moving_median_removes_a_spike_and_ignores_nans() -> None:
    x = np.array([0.0, 0.0, 10.0, 0.0, np.nan, 0.0, 0.0])
    out = moving_median(x, 3)
    assert out[2] == 0.0  # spike gone
    assert out[4] == 0.0  # NaN filled from its neighbours
    assert moving_median(x, 4).shape == x.shape  # even n rounds up to odd


def test_nan_median_all_nan_is_nan_without_warning() -> None:
    with np.errstate(all="raise"):
        assert math.isnan(nan_median([np.nan, np.nan]))
    assert nan_median([1.0, np.nan, 3.0, 2.0]) == 2.0


def test_lowest_point_height_takes_the_lowest_along_up() -> None:
    pts = np.array([[[0.0, 5.0], [0.0, 2.0], [np.nan, np.nan]]])  # (1, 3, 2)
    assert lowest_point_height(pts, np.array([0.0, 1.0]))[0] == 2.0
    assert lowest_point_height(pts, np.array([0.0, -1.0]))[0] == -5.0  # y-down pixels


def _body(knee_bend_deg: float) -> np.ndarray:
    """(1, 33, 3) left leg straight 0.9 m, right knee bent by ``knee_bend_deg``."""
    w = np.zeros((1, 33, 3))
    w[0, Landmark.LEFT_HIP] = [0, 1.0, -0.1]
    w[0, Landmark.LEFT_KNEE] = [0, 0.55, -0.1]
    w[0, Landmark.LEFT_ANKLE] = [0, 0.1, -0.1]
    a = math.radians(knee_bend_deg)
    w[0, Landmark.RIGHT_HIP] = [0, 1.0, 0.1]
    w[0, Landmark.RIGHT_KNEE] = [0, 0.55, 0.1]
    w[0, Landmark.RIGHT_ANKLE] = [-0.45 * math.sin(a), 0.55 - 0.45 * math.cos(a), 0.1]
    return w


def test_knee_flexion_and_leg_length() -> None:
    w = _body(30.0)
    assert knee_flexion_3d(w, "right")[0] == pytest.approx(30.0, abs=1e-9)
    assert knee_flexion_3d(w, "left")[0] == pytest.approx(0.0, abs=1e-6)
    assert leg_length(w) == pytest.approx(0.9)  # the straighter leg
    assert math.isnan(leg_length(np.full((2, 33, 3), np.nan)))


@pytest.mark.parametrize(
    ("floor", "expected"),
    [
        (None, (0.0, -1.0)),  # no floor: image up
        (SimpleNamespace(normal=np.array([0.0, 1.0])), (0.0, -1.0)),  # flipped to point up
        (SimpleNamespace(normal=None, direction=np.array([1.0, 0.0])), (0.0, -1.0)),
        (SimpleNamespace(normal=np.array([0.6, -0.8])), (0.6, -0.8)),  # tilted floor
    ],
)
def test_floor_up_px(floor: Any, expected: tuple[float, float]) -> None:
    ctx: Any = SimpleNamespace(floor=floor)
    assert floor_up_px(ctx) == pytest.approx(expected)


def test_leg_traces_front_side_and_select_front() -> None:
    px = np.zeros((2, 33, 2))
    for side, x0 in (("LEFT", 100.0), ("RIGHT", 0.0)):  # left foot 100 px ahead
        px[:, Landmark[f"{side}_KNEE"]] = [x0 + 20, -50]
        px[:, Landmark[f"{side}_ANKLE"]] = [x0, -10]
        px[:, Landmark[f"{side}_HEEL"]] = [x0 - 10, 0]
        px[:, Landmark[f"{side}_FOOT_INDEX"]] = [x0 + 30, 0]
    px[1, Landmark.LEFT_FOOT_INDEX] = [np.nan, np.nan]
    px[1, Landmark.LEFT_HEEL] = [np.nan, np.nan]
    fwd = np.tile([1.0, 0.0], (2, 1))
    up = np.tile([0.0, -1.0], (2, 1))
    legs = leg_traces(px, fwd, up)
    assert legs["left"].toe_u[0] == 130.0 and legs["left"].ankle_h[0] == 10.0
    front, foot_len = front_side_per_frame(legs, 1.0)
    assert foot_len == pytest.approx(40.0)
    assert front[0] == "left"
    assert front[1] is None  # left foot unseen, right knee behind: not the front foot
    f, b = select_front(legs, front)
    assert f.ankle_u[0] == 100.0 and b.ankle_u[0] == 0.0
    assert np.isnan(f.ankle_u[1]) and np.isnan(b.ankle_u[1])


def test_front_foot_carried_while_the_back_leg_is_wholly_unseen() -> None:
    # right foot 100 px ahead; frames 2-4 the back (left) leg is unseen, knee too;
    # in frame 4 the seen foot has moved 30 px (over half a 40 px foot): not planted
    px = np.zeros((5, 33, 2))
    for side, x0 in (("RIGHT", 100.0), ("LEFT", 0.0)):
        px[:, Landmark[f"{side}_KNEE"]] = [x0 + 20, -50]
        px[:, Landmark[f"{side}_ANKLE"]] = [x0, -10]
        px[:, Landmark[f"{side}_HEEL"]] = [x0 - 10, 0]
        px[:, Landmark[f"{side}_FOOT_INDEX"]] = [x0 + 30, 0]
    for part in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
        px[2:, Landmark[f"LEFT_{part}"]] = np.nan
    px[4, [Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX], 0] += 30.0
    legs = leg_traces(px, np.tile([1.0, 0.0], (5, 1)), np.tile([0.0, -1.0], (5, 1)))
    front, _ = front_side_per_frame(legs, 1.0)
    assert list(front) == ["right", "right", "right", "right", None]
