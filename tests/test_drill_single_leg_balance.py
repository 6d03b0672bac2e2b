"""Tests of the single-leg balance drill: hold logic on constructed signals,
synthetic done-means (issue 4: hold start/end within 0.2 s) over noise presets
and views, the image-only fallback, failure paths, and the real shared clips."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.drills.single_leg_balance import (
    CHI2_95_2DOF,
    MSG_PICTURE_FROM_BEHIND,
    BalanceThresholds,
    HoldSpan,
    ankle_checked_height,
    back_to_the_camera,
    boundary_uncertain,
    detect_holds,
    ellipse_area_95,
    knee_flexion_3d,
    load_balance_thresholds,
    local_slopes,
    near_side_from_facing,
    split_hops,
    sway_1d,
    undo_label_jumps,
    weak_evidence_frames,
    wrist_out,
)
from formcheck.landmarks import Landmark
from formcheck.signals import butterworth_zero_phase
from formcheck.synth import BalanceProfile, CameraSpec, NoiseSpec, synthesize
from formcheck.views import ViewResult, ViewSegment

FPS = 30.0
TH = load_balance_thresholds()
HOLD_TOL_S = 0.2  # issue 4 done-means


def lift_trace(
    holds: list[tuple[float, float]], duration: float, height: float = 0.3, ramp: float = 0.4
) -> tuple[np.ndarray, np.ndarray]:
    """(times_s, signal) with raised-cosine lifts of the right foot (leg lengths)."""
    t = np.arange(0, duration, 1 / FPS)
    x = np.zeros_like(t)
    for a, b in holds:
        up = np.clip((t - a) / ramp, 0, 1)
        down = np.clip((b - t) / ramp, 0, 1)
        x = np.maximum(x, height * 0.5 * (1 - np.cos(np.pi * np.minimum(up, down))))
    return t, x


# ------------------------------------------------------------ constructed signals
def test_two_holds_found_with_their_times() -> None:
    t, x = lift_trace([(2.0, 6.0), (8.0, 12.0)], 14.0)
    holds = detect_holds(t, x, TH, baseline=0.0)
    assert [h.free_side for h in holds] == ["right", "right"]
    for h, (a, b) in zip(holds, [(2.0, 6.0), (8.0, 12.0)], strict=True):
        assert abs(h.start_s - a) < 0.1 and abs(h.end_s - b) < 0.1
        assert h.ended_by == "touchdown"


def test_a_touchdown_followed_by_a_slow_settling_is_timed_at_the_drop() -> None:
    # real clips: the free foot falls fast (~2 leg/s) and lands, then the pose model's 3D
    # foot settles slowly for ~0.4 s (toes first, then the heel; the weight moving), which
    # put touchdowns up to 0.46 s after their labels (the mirrored flamingo clip: 0.39 s)
    t = np.arange(0, 10.0, 1 / FPS)
    x = np.interp(t, [0, 2.0, 2.4, 5.7, 6.0, 6.4, 7.0], [0, 0, 0.5, 0.5, 0.1, 0.03, 0.0])
    (h,) = detect_holds(t, x, TH, baseline=0.0)
    assert h.end_s == pytest.approx(6.0, abs=0.1)
    off = dataclasses.replace(TH, touchdown_tail_slope_ratio=0.0)
    (late,) = detect_holds(t, x, off, baseline=0.0)
    assert late.end_s > 6.25  # the tail's own tangent
    # a smooth lowering (raised cosine) is not a tail: the same time either way
    t, x = lift_trace([(2.0, 6.0)], 8.0, ramp=0.8)
    (a,) = detect_holds(t, x, TH, baseline=0.0)
    (b,) = detect_holds(t, x, off, baseline=0.0)
    assert a.end_s == b.end_s


def test_left_foot_lift_is_negative_signal() -> None:
    t, x = lift_trace([(2.0, 6.0)], 8.0)
    holds = detect_holds(t, -x, TH, baseline=0.0)
    assert len(holds) == 1 and holds[0].free_side == "left"


def test_hold_to_the_end_of_the_video() -> None:
    t, x = lift_trace([(2.0, 99.0)], 8.0)
    (h,) = detect_holds(t, x, TH, baseline=0.0)
    assert h.ended_by == "end of video"
    assert h.end_s == pytest.approx(t[-1])


def test_step_shorter_than_min_hold_is_not_a_hold() -> None:
    t, x = lift_trace([(2.0, 2.0 + 0.6 * TH.min_hold_s)], 5.0, ramp=0.1)
    assert detect_holds(t, x, TH, baseline=0.0) == []


def test_one_frame_glitch_does_not_split_but_a_real_tap_does() -> None:
    t, x = lift_trace([(2.0, 10.0)], 12.0)
    glitch = x.copy()
    glitch[150] = 0.0  # one frame at 5 s
    assert len(detect_holds(t, glitch, TH, baseline=0.0)) == 1
    tap = x.copy()
    tap[(t > 5.0) & (t < 5.0 + 2.5 * TH.min_touchdown_s)] = 0.0
    holds = detect_holds(t, tap, TH, baseline=0.0)
    assert len(holds) == 2
    assert holds[0].end_s == pytest.approx(5.0, abs=0.1)


def test_unseen_stretch_inside_a_hold_is_bridged_not_a_touchdown() -> None:
    t, x = lift_trace([(2.0, 10.0)], 12.0)
    x[(t > 5.0) & (t < 5.0 + 0.8 * TH.max_bridge_s)] = np.nan
    assert len(detect_holds(t, x, TH, baseline=0.0)) == 1


def test_heel_and_toe_snapping_down_while_the_ankle_stays_up_is_no_touchdown() -> None:
    # the far foot's heel/toe pulled onto the stance foot (a MediaPipe far-foot error):
    # the lowest point reads "floor" for 0.4 s while the ankle stays up
    t, x = lift_trace([(2.0, 10.0)], 12.0)
    ankle = x + 0.02  # the ankle rides a little above the lowest point of the lifted foot
    low = x.copy()
    low[(t > 5.0) & (t < 5.4)] = 0.0
    assert len(detect_holds(t, low, TH, baseline=0.0)) == 2  # without the cross-check
    (h,) = detect_holds(t, low, TH, baseline=0.0, ankle=ankle)
    assert abs(h.start_s - 2.0) < 0.1 and abs(h.end_s - 10.0) < 0.1
    # a real touchdown brings the ankle down as well: still two holds
    ankle_down = ankle.copy()
    ankle_down[(t > 5.0) & (t < 5.4)] = 0.0
    assert len(detect_holds(t, low, TH, baseline=0.0, ankle=ankle_down)) == 2


def test_heel_and_toe_down_while_the_ankle_is_unseen_is_no_touchdown() -> None:
    # the far foot's heel/toe pulled onto the stance foot while its ankle drops below the
    # visibility threshold: at 15 and 24 fps realistic noise this split holds in two
    t, x = lift_trace([(2.0, 10.0)], 12.0)
    ankle = x + 0.02
    low = x.copy()
    dip = (t > 5.0) & (t < 5.3)
    low[dip] = 0.0
    unseen = ankle.copy()
    unseen[dip] = np.nan
    (h,) = detect_holds(t, low, TH, baseline=0.0, ankle=unseen)
    assert abs(h.start_s - 2.0) < 0.1 and abs(h.end_s - 10.0) < 0.1
    # ... but it might have been one: the hold says where
    ((lo, hi),) = h.unconfirmed_touchdowns_s
    assert lo == pytest.approx(5.0, abs=0.05) and hi == pytest.approx(5.3, abs=0.05)
    # a one-frame dip is a glitch, not a possible touchdown
    glitch = x.copy()
    glitch[np.flatnonzero(dip)[3]] = 0.0  # one frame, while the ankle is unseen
    (g,) = detect_holds(t, glitch, TH, baseline=0.0, ankle=unseen)
    assert g.unconfirmed_touchdowns_s == ()
    # with the ankle seen down it is a touchdown: two holds
    down = ankle.copy()
    down[dip] = 0.0
    holds = detect_holds(t, low, TH, baseline=0.0, ankle=down)
    assert len(holds) == 2
    assert holds[0].end_s == pytest.approx(5.0, abs=0.1)
    # and a seen touchdown after the ankle is lost still counts
    part = ankle.copy()
    part[dip & (t < 5.15)] = np.nan
    part[dip & (t >= 5.15)] = 0.0
    assert len(detect_holds(t, low, TH, baseline=0.0, ankle=part)) == 2


def test_a_lift_shown_only_by_the_ankle_for_a_while_is_weak_evidence() -> None:
    # heel and toe misplaced low (~0.045 leg, below lift_on_leg) for 0.5 s while the
    # ankle says the foot is well up: the lift rests on the ankle alone
    t, x = lift_trace([(2.0, 10.0)], 12.0, height=0.2)
    ankle = x + 0.05
    low = x.copy()
    long_run = (t > 4.0) & (t < 4.5)
    low[long_run] = 0.045
    low[150] = 0.045  # one frame at 5 s: jitter, not weak evidence
    weak = weak_evidence_frames(low, ankle, 0.0, "right", TH, t)
    assert weak[long_run].all()
    assert not weak[~long_run].any()
    # without frame times only the heel/toe "on the floor" rule applies
    assert not weak_evidence_frames(low, ankle, 0.0, "right", TH)[long_run].any()


def test_ankle_check_never_lifts_a_foot_standing_flat() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 0.01, 300)
    xa = x + rng.normal(0.0, 0.01, 300)
    out = ankle_checked_height(x, xa, TH.lift_on_leg, TH.lift_off_leg)
    # too few frames up to learn an offset: only the upper bound (never above the ankle)
    assert np.array_equal(out, np.minimum(x, xa + TH.lift_off_leg))
    assert np.all(out <= x)
    x[:100] = 0.2  # a lift; ankle at the same height (flat foot)
    xa[:100] = 0.2
    out = ankle_checked_height(x, xa, TH.lift_on_leg, TH.lift_off_leg)
    assert np.array_equal(out[:100], x[:100])  # a flat lifted foot keeps its height
    assert np.all(out >= np.minimum(x, xa + TH.lift_off_leg))
    assert np.all(out[100:] <= np.maximum(x[100:], xa[100:] - TH.lift_off_leg) + 1e-12)


def test_heel_and_toe_up_while_the_ankle_stays_down_is_no_lift() -> None:
    # a foot's lowest point cannot rise more than its ankle: heel/toe read "up" for
    # 0.5 s after the touchdown (and 1.5 s during double stance) while the ankle is down
    t, x = lift_trace([(2.0, 6.0)], 12.0)
    ankle = x.copy()
    low = x.copy()
    low[(t > 6.0) & (t < 6.5)] = 0.15
    low[(t > 8.0) & (t < 9.5)] = 0.15
    assert len(detect_holds(t, low, TH, baseline=0.0)) == 2  # without the cross-check
    (h,) = detect_holds(t, low, TH, baseline=0.0, ankle=ankle)
    assert abs(h.start_s - 2.0) < 0.1 and abs(h.end_s - 6.0) < 0.1


def test_lift_off_partly_hidden_by_a_gap_starts_the_hold_at_the_rise() -> None:
    # the foot is seen leaving the floor, then lost for 0.4 s before it reaches
    # lift_on_leg: the hold starts at the rise, not where the foot is seen again
    t, x = lift_trace([(2.0, 8.0)], 10.0, height=0.15, ramp=0.5)
    rise_seen = t[np.flatnonzero(x > TH.lift_off_leg)[0]]
    x[(t > rise_seen + 0.04) & (t < rise_seen + 0.45)] = np.nan
    assert np.nanmax(x[t <= rise_seen + 0.04]) < TH.lift_on_leg
    (h,) = detect_holds(t, x, TH, baseline=0.0)
    assert abs(h.start_s - 2.0) <= HOLD_TOL_S


def test_local_slopes_fit_a_line_and_skip_unseen_samples() -> None:
    t = np.arange(0.0, 2.0, 1 / FPS)
    x = 0.5 * t - 0.1
    x[10:13] = np.nan
    slope, value = local_slopes(t, x, np.array([5, 11, 30]), 0.2)
    assert slope == pytest.approx([0.5, 0.5, 0.5])
    assert value == pytest.approx([x[5], 0.5 * t[11] - 0.1, x[30]])
    slope, _ = local_slopes(t, x, np.array([11]), 0.1)  # no sample seen in the window
    assert np.isnan(slope[0])


def test_edge_timing_is_robust_to_jitter() -> None:
    # one-frame slopes made the steepest tangent late (lift-off) / early (touchdown) under
    # jitter: 0.23 s worst of these 40 draws; the fitted slope keeps them within 0.2 s
    worst = 0.0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        t, x = lift_trace([(2.0, 6.0)], 8.0, height=0.15, ramp=0.5)
        noise = butterworth_zero_phase(rng.normal(0.0, 0.02, t.size), FPS, 6.0)
        (h,) = detect_holds(t, x + noise, TH, baseline=0.0)
        worst = max(worst, abs(h.start_s - 2.0), abs(h.end_s - 6.0))
    assert worst <= HOLD_TOL_S


def test_label_swap_inside_a_hold_is_undone_but_a_leg_change_is_kept() -> None:
    t, x = lift_trace([(2.0, 10.0)], 12.0)
    swapped = x.copy()
    sw = (t > 5.0) & (t < 5.5)
    swapped[sw] = -x[sw]  # labels exchanged for 0.5 s: the "other" foot is up
    flip = undo_label_jumps(t, swapped, 0.0, TH)
    assert np.array_equal(flip, sw)
    # swap still running at the touchdown: the short labelling is the wrong one
    late = x.copy()
    sw2 = (t > 9.3) & (t < 11.0)
    late[sw2] = -x[sw2]
    flip2 = undo_label_jumps(t, late, 0.0, TH)
    assert flip2[(t > 9.35) & (t < 9.6)].all() and not flip2[t < 9.2].any()
    # a real change of stance leg (touchdown in between) is left alone
    t3, r = lift_trace([(1.0, 5.0)], 12.0)
    _, left = lift_trace([(6.0, 10.0)], 12.0)
    assert not undo_label_jumps(t3, r - left, 0.0, TH).any()


def test_boundary_uncertain_window_reaches_outward() -> None:
    t = np.arange(0, 4, 1 / FPS)
    weak = np.zeros_like(t, dtype=bool)
    weak[(t > 1.55) & (t < 1.65)] = True  # 0.4 s before a start at 2.0
    w = TH.boundary_evidence_s
    assert boundary_uncertain(t, 2.0, weak, w, outward=-1.0) is not None
    assert boundary_uncertain(t, 2.0, weak, w, outward=1.0) is None  # an end: inward side
    assert boundary_uncertain(t, 3.0, weak, w, outward=-1.0) is None


def test_baseline_offset_of_a_staggered_stance_is_removed() -> None:
    t, x = lift_trace([(2.0, 6.0)], 8.0)
    offset = 0.9 * TH.lift_on_leg  # a foot standing further back, steady
    holds = detect_holds(t, x + offset, TH)
    assert len(holds) == 1 and abs(holds[0].start_s - 2.0) < 0.15


def test_hop_splits_a_hold_and_a_foot_glitch_does_not() -> None:
    t = np.arange(0, 10, 1 / FPS)
    hold = HoldSpan(1.0, 9.0, 30, 270, "right", "touchdown")
    stance = np.zeros_like(t)
    hip = np.zeros_like(t) + 0.5
    air = (t > 5.0) & (t < 5.3)
    stance[air] = 2 * TH.hop_rise_leg
    hip_hop = hip.copy()
    hip_hop[air] += 2 * TH.hop_rise_leg
    pieces = split_hops(t, stance, hip_hop, hold, TH)
    assert [p.ended_by for p in pieces] == ["hop", "touchdown"]
    assert pieces[0].end_s == pytest.approx(5.0, abs=0.05)
    assert pieces[1].start_s == pytest.approx(5.3, abs=0.05)
    assert split_hops(t, stance, hip, hold, TH) == [hold]  # hips still: a glitch


def test_ellipse_area_of_a_known_gaussian() -> None:
    rng = np.random.default_rng(1)
    sx, sy = 2.0, 0.5
    xy = rng.normal(size=(20000, 2)) * [sx, sy]
    expected = math.pi * 5.991 * sx * sy
    assert ellipse_area_95(xy) == pytest.approx(expected, rel=0.03)


def test_sway_path_velocity_rms_of_a_sine() -> None:
    t = np.arange(0, 10, 1 / 100)
    amp, hz = 1.0, 0.5
    u = amp * np.sin(2 * np.pi * hz * t)
    s = sway_1d(t, u)
    assert s["path_cm"] == pytest.approx(4 * amp * hz * 10, rel=0.01)
    assert s["velocity_cm_s"] == pytest.approx(4 * amp * hz, rel=0.01)
    assert s["rms_cm"] == pytest.approx(amp / math.sqrt(2), rel=0.01)


def test_knee_flexion_3d_of_a_known_bend() -> None:
    world = np.full((1, 33, 3), np.nan)
    world[0, Landmark.LEFT_HIP] = [0, 0, 0]
    world[0, Landmark.LEFT_KNEE] = [0, 0.4, 0]
    bend = math.radians(25)
    world[0, Landmark.LEFT_ANKLE] = [0.4 * math.sin(bend), 0.4 + 0.4 * math.cos(bend), 0]
    assert knee_flexion_3d(world, "left")[0] == pytest.approx(25.0, abs=1e-6)


def test_near_side_follows_facing() -> None:
    assert near_side_from_facing("left") == "left"
    assert near_side_from_facing("right") == "right"
    assert near_side_from_facing(None) is None


def test_thresholds_reject_unknown_keys_and_inverted_hysteresis() -> None:
    with pytest.raises(ValueError, match="unknown threshold"):
        load_balance_thresholds({"lift_on": 0.1})
    with pytest.raises(ValueError, match="lift_off_leg < lift_on_leg"):
        load_balance_thresholds({"lift_off_leg": 0.2, "lift_on_leg": 0.1})
    assert isinstance(TH, BalanceThresholds)


# ------------------------------------------------------------ synthetic done-means
PROFILE = BalanceProfile(duration=20.0, stance_leg="left", holds=((2.0, 9.0), (13.0, 18.5)))
"""Two holds 4 s apart (longer than resume_window_s: a new set, not an interruption)."""


def _check_holds(report: Any, truth_events: list[dict[str, Any]], stance: str) -> None:
    truth = [e for e in truth_events if e["kind"] == "hold"]
    got = report.events
    assert len(got) == len(truth), [(e["start_s"], e["end_s"]) for e in got]
    for g, e in zip(got, truth, strict=True):
        assert abs(g["start_s"] - e["start_s"]) <= HOLD_TOL_S
        assert abs(g["end_s"] - e["end_s"]) <= HOLD_TOL_S
        assert g["stance_leg"] == stance
        assert g["kind"] == "hold"


@pytest.mark.parametrize("noise", ["none", "low", "realistic"])
@pytest.mark.parametrize("view", ["front", "side", "oblique", "back"])
def test_synthetic_holds_within_tolerance(view: str, noise: str) -> None:
    syn = synthesize(PROFILE, CameraSpec(view=view), NoiseSpec.preset(noise), seed=3)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    _check_holds(report, syn.truth.events, "left")
    s = report.summary
    assert s["holds"] == 2
    assert s["longest_hold_s"] == pytest.approx(syn.truth.summary["longest_hold_s"], abs=0.4)
    assert s["touchdowns"] == 0
    assert len(report.series["hold_s"]) == len(syn.track)


HEAVY_TOL_S = 0.25
"""Regression guard for the ``heavy`` preset, NOT the issue's 0.2 s: with heavy noise
every end is within 0.246 s (8 seeds x 4 views, bench), and every end beyond 0.2 s is
flagged uncertain (docs/ACCURACY.md)."""


@functools.cache
def _heavy(view: str, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(found holds, true holds) of the two-hold profile under heavy noise."""
    syn = synthesize(PROFILE, CameraSpec(view=view), NoiseSpec.preset("heavy"), seed=seed)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    return report.events, [e for e in syn.truth.events if e["kind"] == "hold"]


@pytest.mark.parametrize("view", ["front", "side", "oblique", "back"])
def test_heavy_noise_holds_are_not_split(view: str) -> None:
    # heel/toe snapping onto the other foot, label swaps and visibility drops used to
    # split holds (9 found for 6) and end them early (errors up to 1.6 s); one-frame
    # slopes made lift-offs up to 0.27 s late without saying so
    for seed in range(3):
        got, truth = _heavy(view, seed)
        assert len(got) == len(truth), (seed, [(e["start_s"], e["end_s"]) for e in got])
        for g, e in zip(got, truth, strict=True):
            for k in ("start", "end"):
                err = abs(g[f"{k}_s"] - e[f"{k}_s"])
                assert isinstance(g[f"{k}_uncertain"], bool)
                assert err <= HEAVY_TOL_S, (seed, k, g[f"{k}_s"])
                # an end beyond the issue's tolerance must say it is uncertain
                assert err <= HOLD_TOL_S or g[f"{k}_uncertain"], (seed, k, g[f"{k}_s"])


@pytest.mark.parametrize("view", ["front", "side", "oblique", "back"])
def test_heavy_noise_holds_within_issue_tolerance(view: str) -> None:
    # seed 2's second lift-off (13.0 s) falls in 12.9-13.23 s without a detection; it
    # read 13.233 s (the first frame seen) and is now the stretch's middle, 13.067 s
    for seed in range(3):
        got, truth = _heavy(view, seed)
        assert len(got) == len(truth)
        for g, e in zip(got, truth, strict=True):
            assert abs(g["start_s"] - e["start_s"]) <= HOLD_TOL_S, (seed, g["start_s"])
            assert abs(g["end_s"] - e["end_s"]) <= HOLD_TOL_S, (seed, g["end_s"])


def _unseen(track: Any, *spans: tuple[float, float]) -> Any:
    """``track`` with no detection in the given (start, end) time spans, s."""
    t = np.asarray(track.timestamps_s)
    gap = np.zeros(t.size, bool)
    for lo, hi in spans:
        gap |= (t > lo) & (t < hi)
    arrays = {}
    for name in ("landmarks", "visibility", "presence", "world"):
        a = np.array(getattr(track, name), dtype=np.float64, copy=True)
        a[gap] = np.nan
        arrays[name] = a
    return track.with_arrays(**arrays)


def test_hold_start_in_a_gap_is_flagged_uncertain() -> None:
    syn = synthesize(PROFILE, CameraSpec(view="front"), NoiseSpec.none(), seed=0)
    # no detection around the first lift-off (2.0 s)
    report = analyze_track(
        _unseen(syn.track, (1.85, 2.15)), "single-leg-balance", DrillOptions(height_cm=175.0)
    )
    first, second = report.events
    assert first["start_uncertain"] and "not seen" in first["flags"]["start_s"]
    assert not first["end_uncertain"] and not second["start_uncertain"]
    assert "uncertain" not in first["flags"].get("end_s", "")


def test_edges_hidden_in_short_gaps_are_timed_at_their_middle() -> None:
    # a quick lift (0.25 s) and lowering wholly inside 0.45 s without a detection: the
    # first frame seen after them read the lift-off 0.35 s late and the touchdown (the
    # last frame seen before) 0.2 s early; the middle of each gap is within 0.2 s
    profile = dataclasses.replace(PROFILE, lift_s=0.25, lower_s=0.25)
    syn = synthesize(profile, CameraSpec(view="front"), NoiseSpec.none(), seed=0)
    track = _unseen(syn.track, (1.9, 2.35), (8.8, 9.25))
    report = analyze_track(track, "single-leg-balance", DrillOptions(height_cm=175.0))
    first = report.events[0]
    assert abs(first["start_s"] - 2.0) <= HOLD_TOL_S
    assert abs(first["end_s"] - 9.0) <= HOLD_TOL_S
    assert first["start_uncertain"] and first["end_uncertain"]
    assert "the lift-off was not seen" in first["flags"]["start_s"]
    assert "the middle of that stretch" in first["flags"]["start_s"]
    assert "the touchdown was not seen" in first["flags"]["end_s"]
    assert "the middle of that stretch" in first["flags"]["end_s"]


def test_edge_hidden_in_a_long_gap_keeps_its_bound() -> None:
    # 1.0 s without a detection: the middle could be 0.5 s off, so the hold is timed
    # from the first frame seen, and the runner is told it may have begun earlier
    syn = synthesize(PROFILE, CameraSpec(view="front"), NoiseSpec.none(), seed=0)
    report = analyze_track(
        _unseen(syn.track, (1.5, 2.5)), "single-leg-balance", DrillOptions(height_cm=175.0)
    )
    first = report.events[0]
    t = np.asarray(syn.track.timestamps_s)
    assert first["start_s"] == pytest.approx(t[t >= 2.5][0], abs=1e-3)
    assert "may have begun earlier" in first["flags"]["start_s"]


def test_right_stance_in_front_and_side_views() -> None:
    profile = BalanceProfile(duration=12.0, stance_leg="right", holds=((2.0, 10.0),))
    for view in ("front", "side"):
        syn = synthesize(profile, CameraSpec(view=view), NoiseSpec.low(), seed=1)
        report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
        _check_holds(report, syn.truth.events, "right")


VIEWS = ("front", "side", "oblique", "back")
SLOW = dataclasses.replace(PROFILE, lift_s=1.0, lower_s=0.8)
"""The two holds with a slow, smooth lift: 1.0 s up, 0.8 s down (raised cosine)."""


def _holds_report(profile: BalanceProfile, view: str, noise: str, seed: int, fps: float) -> Any:
    syn = synthesize(profile, CameraSpec(view=view, fps=fps), NoiseSpec.preset(noise), seed=seed)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    return report, syn.truth.events


@pytest.mark.parametrize("view", VIEWS)
def test_slow_lift_at_low_noise_within_tolerance(view: str) -> None:
    # the steepest tangent lands ~0.18 of the rise time after a smooth lift-off and
    # before a smooth touchdown: 0.10-0.18 s here (max 0.18 s over 8 seeds x 4 views
    # and 12 more seeds in front, bench --lift-s 1.0 --lower-s 0.8)
    for seed in range(2):
        report, truth = _holds_report(SLOW, view, "low", seed, FPS)
        _check_holds(report, truth, "left")


@pytest.mark.xfail(
    strict=True,
    reason="known gap: a slow, smooth lift (1.0 s up / 0.8 s down) at realistic noise has "
    "ends up to 0.27 s off (6-12 of 32 per view over 8 seeds): the steepest tangent is late "
    "by ~0.18 of the rise time, and landmark drift adds to it; fitting the edge's onset "
    "(quadratic start) fixes the synthetic case but moves the real clips' ends 0.03-0.15 s "
    "further from their labels (one beyond tolerance), see docs/ACCURACY.md",
)
def test_slow_lift_at_realistic_noise_within_tolerance() -> None:
    for view in VIEWS:
        for seed in range(3):
            report, truth = _holds_report(SLOW, view, "realistic", seed, FPS)
            _check_holds(report, truth, "left")


@pytest.mark.parametrize("view", VIEWS)
def test_15_fps_camera_at_low_noise_within_tolerance(view: str) -> None:
    # a 15 fps camera: 3 samples per 0.2 s edge-slope window (max error 0.08 s over
    # 12 seeds x 4 views)
    for seed in range(2):
        report, truth = _holds_report(PROFILE, view, "low", seed, 15.0)
        _check_holds(report, truth, "left")


@pytest.mark.xfail(
    strict=True,
    reason="known gap: at 15 fps with realistic noise 4 of 192 ends are off by 0.25-0.8 s over "
    "12 seeds x 4 views, all flagged uncertain (seed 4: the raised foot's heel and toe read "
    "~0.045 leg, below lift_on_leg, and its ankle is unseen until 0.8 s after the lift, so the "
    "front view's hold starts then, 0.25 s late in the other views; seed 5's touchdown in a "
    "0.27 s detection gap, 0.3 s early before unseen_edge_max_s, is now within 0.2 s)",
)
def test_15_fps_camera_at_realistic_noise_within_tolerance() -> None:
    for view in ("front", "side"):
        for seed in range(6):
            report, truth = _holds_report(PROFILE, view, "realistic", seed, 15.0)
            _check_holds(report, truth, "left")


@pytest.mark.parametrize("fps", [15.0, 24.0])
def test_low_frame_rate_holds_are_not_split_and_far_off_ends_are_flagged(fps: float) -> None:
    # at 15 and 24 fps (realistic noise) the far foot's heel and toe pulled onto the stance
    # foot while its ankle was unseen split a hold in two (15 fps seed 5, 24 fps seed 3),
    # and a lift-off read 0.8 s late was not flagged (15 fps seed 4, front)
    for seed in range(6):
        report, truth = _holds_report(PROFILE, "front", "realistic", seed, fps)
        got = report.events
        want = [e for e in truth if e["kind"] == "hold"]
        assert len(got) == len(want), (seed, [(e["start_s"], e["end_s"]) for e in got])
        for g, e in zip(got, want, strict=True):
            for k in ("start", "end"):
                err = abs(g[f"{k}_s"] - e[f"{k}_s"])
                assert err <= HOLD_TOL_S or g[f"{k}_uncertain"], (seed, k, g[f"{k}_s"])
        if any("duration_s" in g["flags"] for g in got):  # a hold kept whole is said
            assert "possible touchdown" in report.flags["touchdowns"]


def test_interrupted_hold_counts_a_touchdown_with_a_cue() -> None:
    profile = BalanceProfile(duration=16.0, stance_leg="left", holds=((2.0, 8.0), (9.5, 15.0)))
    syn = synthesize(profile, CameraSpec(view="front"), NoiseSpec.low(), seed=2)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    assert report.summary["touchdowns"] == 1
    assert any("touched down at 8." in c.message for c in report.cues)


SWAY_PROFILE = BalanceProfile(
    duration=14.0, stance_leg="left", holds=((2.0, 13.0),), sway_ml_cm=1.5, sway_ap_cm=1.0
)
PICTURE_TOL_CM = 0.15
"""Picture-axis RMS tolerance: 15% of a ~1 cm hip sway RMS. The axis is measured in
the picture through the calibration, whose jitter (after the 6 Hz low-pass) adds
well under a millimetre in quadrature; bench max error 0.10 cm (realistic)."""
DEPTH_TOL_CM = {"none": 0.25, "low": 0.25, "realistic": 1.2}
"""Depth-based RMS tolerance, loose on purpose: monocular depth has ~3x the picture's
jitter plus slow drift inside the sway band (0.1-1 Hz) that no filter can separate
from sway, so with realistic noise the depth axis over-reads by up to ~1 cm (bench
max 1.02 cm, back view); without noise only the geometry (axes from the pelvis,
2 Hz low-pass, the settle trim) is tested, within a quarter of a centimetre."""


@pytest.mark.parametrize("noise", ["none", "low", "realistic"])
@pytest.mark.parametrize(
    "view,picture",
    [
        ("front", "ml"),  # the picture's horizontal is side to side
        ("back", "ml"),
        ("side", "ap"),  # the picture's horizontal is front to back
        ("oblique", None),  # both axes mix in depth
    ],
)
def test_sway_on_both_axes_in_every_view(view: str, picture: str | None, noise: str) -> None:
    syn = synthesize(SWAY_PROFILE, CameraSpec(view=view), NoiseSpec.preset(noise), seed=1)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    s, truth = report.summary, syn.truth.summary
    assert "sway_ml_cm" in report.series and "sway_ap_cm" in report.series
    assert ("sway_x_cm" in report.series) is (picture is None)
    for axis in ("ml", "ap"):
        key = f"sway_{axis}_rms_cm"
        tol = PICTURE_TOL_CM if axis == picture else DEPTH_TOL_CM[noise]
        assert s[key] == pytest.approx(truth[key], abs=tol), (key, s[key], truth[key])
        depth_based = axis != picture
        assert (key in report.flags) is depth_based
        assert (f"sway_{axis}_cm" in report.flags) is depth_based
        if depth_based:
            assert "depth" in report.flags[key]
    assert "sway_area_cm2" in report.flags
    # 95% ellipse of an elliptical sway path with RMS a, b: pi * 5.99 * a * b; bounds
    # from the two axes' tolerances
    tol = {a: PICTURE_TOL_CM if a == picture else DEPTH_TOL_CM[noise] for a in ("ml", "ap")}
    ml, ap = truth["sway_ml_rms_cm"], truth["sway_ap_rms_cm"]
    lo = math.pi * CHI2_95_2DOF * max(ml - tol["ml"], 0.0) * max(ap - tol["ap"], 0.0)
    hi = math.pi * CHI2_95_2DOF * (ml + tol["ml"]) * (ap + tol["ap"])
    assert lo <= s["sway_area_cm2"] <= hi


def test_sway_series_point_right_and_forward() -> None:
    """Top view signs: ML + toward the person's right, AP + forward, in any view."""
    profile = BalanceProfile(
        duration=12.0, stance_leg="left", holds=((2.0, 11.0),), sway_ml_cm=1.5, sway_ap_cm=1.0
    )
    ref = None
    for view in ("front", "side", "oblique", "back"):
        syn = synthesize(profile, CameraSpec(view=view), NoiseSpec.none(), seed=0)
        r = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
        pair = np.stack([r.series["sway_ml_cm"], r.series["sway_ap_cm"]])
        ok = np.isfinite(pair).all(axis=0)
        if ref is None:
            ref, ref_ok = pair, ok
            continue
        both = ok & ref_ok
        for k in range(2):
            assert np.corrcoef(pair[k, both], ref[k, both])[0, 1] > 0.9, (view, k)


def test_locked_knee_gets_the_soften_cue_and_bent_knee_does_not() -> None:
    for knee, cued in ((0.0, True), (15.0, False)):
        profile = BalanceProfile(
            duration=10.0, stance_leg="left", holds=((2.0, 9.0),), stance_knee_deg=knee
        )
        syn = synthesize(profile, CameraSpec(view="side"), NoiseSpec.none(), seed=0)
        report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
        assert any("soften the stance knee" in c.message for c in report.cues) is cued
        assert report.summary["stance_knee_flexion_deg"] == pytest.approx(knee, abs=4.0)


def test_without_world_landmarks_the_picture_is_used_and_flagged() -> None:
    syn = synthesize(PROFILE, CameraSpec(view="front"), NoiseSpec.low(), seed=0)
    track = syn.track.with_arrays(world=np.full_like(syn.track.world, np.nan))
    report = analyze_track(track, "single-leg-balance", DrillOptions(height_cm=175.0))
    assert report.summary["lift_signal_source"].startswith("picture")
    assert "holds" in report.flags
    _check_holds(report, syn.truth.events, "left")


def test_no_lift_gives_a_warning_and_no_score() -> None:
    profile = BalanceProfile(duration=8.0, stance_leg="left", holds=())
    syn = synthesize(profile, CameraSpec(view="front"), NoiseSpec.low(), seed=0)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    assert report.events == [] and report.score is None
    assert any(w.code == "no_hold" for w in report.warnings)


@pytest.mark.parametrize(("view", "hint"), [("back", True), ("front", False)])
def test_no_hold_from_behind_says_to_film_from_the_front_or_side(view: str, hint: bool) -> None:
    # the pose model's 3D feet under-read a foot lifted behind the body when
    # filmed from behind (a rendered 3 s hold read 1-2 cm up: no hold found)
    profile = BalanceProfile(duration=8.0, stance_leg="left", holds=())
    syn = synthesize(profile, CameraSpec(view=view), NoiseSpec.low(), seed=0)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    (msg,) = [w.message for w in report.warnings if w.code == "no_hold"]
    assert ("film from the front or side-on" in msg) is hint


def _flattened_feet(track: Any, keep: float) -> Any:
    """``track`` with every foot landmark's 3D height pulled to its floor level (its
    lowest, y down), keeping ``keep`` of its lift: the pose model's world feet seen from behind
    (MediaPipe full on rendered holds filmed from behind: a foot lifted ~15 cm
    behind read 4 cm up back-on and 8 cm rear-oblique, the picture ~11-16 cm)."""
    world = np.array(track.world, dtype=np.float64, copy=True)
    feet = [
        int(Landmark[f"{s}_{p}"])
        for s in ("LEFT", "RIGHT")
        for p in ("ANKLE", "HEEL", "FOOT_INDEX")
    ]
    y = world[:, feet, 1]
    floor = np.nanpercentile(y, 95, axis=0)
    world[:, feet, 1] = floor + keep * (y - floor)
    return track.with_arrays(world=world)


@pytest.mark.parametrize("yaw", [0.0, 30.0, -40.0])
def test_from_behind_a_flattened_3d_foot_is_read_in_the_picture(yaw: float) -> None:
    # before, the world feet were used whenever present: a foot lifted behind the
    # body filmed from behind read a quarter of its height in 3D and no hold was found
    syn = synthesize(PROFILE, CameraSpec(view="back", yaw_deg=yaw), NoiseSpec.low(), seed=2)
    track = _flattened_feet(syn.track, keep=0.25)
    report = analyze_track(track, "single-leg-balance", DrillOptions(height_cm=175.0))
    _check_holds(report, syn.truth.events, "left")
    assert report.flags["holds"] == MSG_PICTURE_FROM_BEHIND
    assert report.summary["lift_signal_source"].startswith("picture")


@pytest.mark.parametrize("view", ["back", "front"])
def test_the_3d_feet_stay_when_they_show_the_lift(view: str) -> None:
    # from behind the picture is used only when it sees a bigger lift than the 3D
    # feet: a synthetic track's 3D feet are exact, so they are kept; from the
    # front the 3D feet are kept even when flattened (the pose model sees a
    # lifted foot there)
    syn = synthesize(PROFILE, CameraSpec(view=view), NoiseSpec.low(), seed=2)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    assert report.summary["lift_signal_source"] == "3D world landmarks"
    flat = _flattened_feet(syn.track, keep=0.25)
    report = analyze_track(flat, "single-leg-balance", DrillOptions(height_cm=175.0))
    want = "picture" if view == "back" else "3D world"
    assert report.summary["lift_signal_source"].startswith(want)


def _view_of(*segments: tuple[float, float, str, str | None]) -> ViewResult:
    segs = tuple(ViewSegment(a, b, v, None, toward=tw) for a, b, v, tw in segments)
    return ViewResult(segs[0].view, None, None, 1.0, np.array([]), segments=segs)


@pytest.mark.parametrize(
    ("segments", "behind"),
    [
        (((0.0, 10.0, "back", "rear"),), True),
        (((0.0, 10.0, "oblique", "rear"),), True),
        (((0.0, 4.0, "oblique", "rear"), (4.0, 10.0, "back", "rear")), True),
        (((0.0, 6.0, "front", "front"), (6.0, 10.0, "back", "rear")), False),
        (((0.0, 10.0, "side", "rear"),), False),  # side-on the 3D feet are right
        (((0.0, 10.0, "oblique", "front"),), False),
        ((), False),
    ],
)
def test_back_to_the_camera(
    segments: tuple[tuple[float, float, str, str | None], ...], behind: bool
) -> None:
    view = _view_of(*segments) if segments else ViewResult("unknown", None, None, 0.0, np.array([]))
    assert back_to_the_camera(view) is behind


# ------------------------------------------------------------ arm use
def _arm_pose(hinge_deg: float, arm: str) -> np.ndarray:
    """(1, 33, 3) world pose (y down): trunk hinged forward (+x) by ``hinge_deg``;
    arm "hang" (wrists under the shoulders), "out" (level to the side) or
    "foot" (right wrist on the raised left ankle behind the body)."""
    w = np.full((1, 33, 3), np.nan)
    torso = 0.5
    lean = math.radians(hinge_deg)
    sh_y, sh_x = -torso * math.cos(lean), torso * math.sin(lean)
    for side, zz in (("LEFT", -0.2), ("RIGHT", 0.2)):
        w[0, Landmark[f"{side}_HIP"]] = [0.0, 0.0, zz * 0.6]
        w[0, Landmark[f"{side}_SHOULDER"]] = [sh_x, sh_y, zz]
        w[0, Landmark[f"{side}_WRIST"]] = [sh_x, sh_y + 0.55, zz]  # hanging
        w[0, Landmark[f"{side}_ANKLE"]] = [0.0, 0.85, zz * 0.5]
    w[0, Landmark.LEFT_ANKLE] = [-0.35, 0.45, -0.05]  # raised behind (knee bent)
    if arm == "out":
        w[0, Landmark.LEFT_WRIST] = [sh_x, sh_y, -0.2 - 0.55]
    if arm == "foot":
        w[0, Landmark.RIGHT_WRIST] = [-0.33, 0.43, -0.02]
    return w


@pytest.mark.parametrize(
    ("hinge", "arm", "out", "judged"),
    [
        (0.0, "hang", False, True),  # upright, arms relaxed
        (60.0, "hang", False, True),  # forward hinge: arms hang under the shoulders
        (0.0, "out", True, True),  # an arm out to the side
        (60.0, "out", True, True),  # hinged with an arm out
        (0.0, "foot", False, True),  # right hand holds the foot: only the left is judged
    ],
)
def test_arm_use_judges_hanging_arms_and_skips_the_hand_on_the_foot(
    hinge: float, arm: str, out: bool, judged: bool
) -> None:
    got_out, got_judged = wrist_out(_arm_pose(hinge, arm), TH.arm_out_torso, "left", 0.4)
    assert bool(got_out[0]) is out and bool(got_judged[0]) is judged


def test_arm_use_needs_judged_wrists() -> None:
    w = _arm_pose(0.0, "foot")
    w[0, Landmark.LEFT_WRIST] = np.nan  # the other hand unseen
    out, judged = wrist_out(w, TH.arm_out_torso, "left", 0.4)
    assert not judged[0] and not out[0]


@pytest.mark.parametrize(("abduction", "cued"), [(10.0, False), (60.0, True)])
def test_arms_out_get_the_arm_cue_and_relaxed_arms_do_not(abduction: float, cued: bool) -> None:
    profile = BalanceProfile(
        duration=10.0, stance_leg="left", holds=((2.0, 8.0),), arm_abduction_deg=abduction
    )
    syn = synthesize(profile, CameraSpec(view="front"), NoiseSpec.low(), seed=1)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    assert any("held out" in c.message for c in report.cues) is cued
    (ev,) = report.events
    assert (ev["arm_use_pct"] > TH.arm_use_cue_pct) is cued


# ------------------------------------------------------------ real shared clips
REAL = [
    "balance_both_legs_front_oblique.mp4",
    "balance_flamingo_side.mp4",
    "balance_hinge_oblique.mp4",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL)
def test_real_clip_hold_intervals(name: str, tracked_clip: Any, shared_labels: Any) -> None:
    label = shared_labels[name]
    tol = label["time_tolerance_s"]
    report = analyze_track(tracked_clip(name), "single-leg-balance", DrillOptions())
    got = [(e["start_s"], e["end_s"]) for e in report.events]
    want = label["single_leg_intervals_s"]
    assert len(got) == len(want), got
    for (a, b), (la, lb) in zip(got, want, strict=True):
        assert abs(a - la) <= tol and abs(b - lb) <= tol, (got, want)
    assert report.summary["touchdowns"] == len(label.get("touchdowns_s", []))
    legs = label["stance_leg"] if isinstance(label["stance_leg"], list) else [label["stance_leg"]]
    assert [e["stance_leg"] for e in report.events] == [leg.split()[0] for leg in legs]


# ------------------------------------------------------------ committed rendered sample
SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "balance_side.mp4"


@functools.cache
def _sample_report(model: str) -> Any:
    """balance_side.mp4 through the pose model and the drill (figure's true height)."""
    from formcheck.pose import extract_track

    truth = json.loads(SAMPLE.with_suffix(".truth.json").read_text())
    track = extract_track(SAMPLE, model_path=Path(model))
    opts = DrillOptions(height_cm=truth["figure"]["height_cm"])
    return analyze_track(track, "single-leg-balance", opts), truth


@pytest.mark.slow
def test_sample_side_view_hold_end_and_stance_leg(shared_model: Path) -> None:
    """The first clip a new user tries: the far (stance) foot is below the visibility
    threshold in every frame; the hold must still be found, on the left leg, from 3D."""
    report, truth = _sample_report(str(shared_model))
    (want,) = [e for e in truth["events"] if e["kind"] == "hold"]
    holds = [e for e in report.events if e["kind"] == "hold"]
    assert len(holds) == 1, holds
    assert holds[0]["stance_leg"] == want["stance_leg"]
    assert abs(holds[0]["end_s"] - want["end_s"]) <= HOLD_TOL_S
    assert report.summary["lift_signal_source"] == "3D world landmarks"
    assert "no 3D landmarks" not in report.flags.get("holds", "")
    assert "hidden" in report.flags["holds"]  # the estimated far foot is said


@pytest.mark.slow
@pytest.mark.xfail(
    strict=False,
    reason="known gap, at the edge: the pose model's toe landmark of the rendered free foot "
    "rises ~0.15 s after the foot leaves the floor, so the lift-off is found at 1.000 s "
    "for 0.80 s, exactly the 0.2 s tolerance; a pose-model output differing in the last "
    "digit (another CPU) moves it to either side, so the outcome is not asserted",
)
def test_sample_side_view_hold_start(shared_model: Path) -> None:
    """The pose model's toe landmark of the rendered free foot rises ~0.15 s after the
    foot leaves the floor (its heel follows the truth): the lift-off is found at 1.000 s
    for 0.80 s, at the tolerance (1.04 s with one-frame slopes)."""
    report, truth = _sample_report(str(shared_model))
    (want,) = [e for e in truth["events"] if e["kind"] == "hold"]
    holds = [e for e in report.events if e["kind"] == "hold"]
    assert len(holds) == 1
    assert abs(holds[0]["start_s"] - want["start_s"]) <= HOLD_TOL_S


def test_summary_hold_times_read_as_the_events_do() -> None:
    # the summary was rounded again from the events' 3-decimal times (2.849 -> 2.85),
    # so the page said "longest hold 2.5 s" next to a hold "held 2.4 s" (here 2.447 s)
    from formcheck.text_report import format_report

    profile = BalanceProfile(duration=12.0, stance_leg="left", holds=((1.5, 4.0), (7.0, 9.54)))
    syn = synthesize(profile, CameraSpec(view="side"), NoiseSpec.low(), seed=0)
    report = analyze_track(syn.track, "single-leg-balance", DrillOptions(height_cm=175.0))
    durations = [e["duration_s"] for e in report.events if e["kind"] == "hold"]
    assert len(durations) == 2
    s = report.summary
    assert s["longest_hold_s"] == max(durations)
    assert s["total_hold_s"] == pytest.approx(sum(durations), abs=1e-9)
    assert s["by_leg"]["left"]["longest_hold_s"] == max(durations)
    text = format_report(report)
    shown = f"{max(durations):.1f} s"
    assert f"held {shown}" in text
    assert f"{shown}" in next(line for line in text.splitlines() if "ongest hold" in line)


def test_standing_foot_placed_off_the_floor_at_a_lift_off_is_flagged() -> None:
    # a render filmed from behind at -45 deg: the pose model raised both feet for 0.2 s
    # after the lift-off, so the hold started 0.38 s late with nothing said
    syn = synthesize(PROFILE, CameraSpec(view="front"), NoiseSpec.none(), seed=0)
    tr = syn.track
    t = np.asarray(tr.timestamps_s)
    # the first lift-off is at 2.0 s (0.5 s up); the standing foot rises 0.1 leg with it
    # and is put back by 2.5 s
    bump = np.where((t >= 2.0) & (t <= 2.5), 0.1 * np.sin(np.pi * (t - 2.0) / 0.5) ** 2, 0.0)
    stance_foot = [int(Landmark.LEFT_ANKLE), int(Landmark.LEFT_HEEL), int(Landmark.LEFT_FOOT_INDEX)]
    lm = np.array(tr.landmarks, dtype=np.float64, copy=True)
    world = np.array(tr.world, dtype=np.float64, copy=True)
    leg_px = float(np.nanmedian(lm[:, Landmark.LEFT_HIP, 1] - lm[:, Landmark.LEFT_ANKLE, 1]))
    leg_m = float(np.nanmedian(world[:, Landmark.LEFT_ANKLE, 1] - world[:, Landmark.LEFT_HIP, 1]))
    for k in stance_foot:
        lm[:, k, 1] -= bump * leg_px  # up in the picture
        world[:, k, 1] -= bump * leg_m  # world y points down
    moved = tr.with_arrays(landmarks=lm, world=world)
    report = analyze_track(moved, "single-leg-balance", DrillOptions(height_cm=175.0))
    first, second = report.events
    assert first["start_s"] > 2.15  # read late, as on the render
    assert first["start_uncertain"]
    assert "standing foot the pose model placed off the floor" in first["flags"]["start_s"]
    assert not first["end_uncertain"] and not second["start_uncertain"]
    # untouched, nothing is flagged
    plain = analyze_track(tr, "single-leg-balance", DrillOptions(height_cm=175.0))
    assert not any(e["start_uncertain"] or e["end_uncertain"] for e in plain.events)


WALK_OFF = BalanceProfile(duration=16.0, stance_leg="left", holds=((2.0, 9.0), (12.0, 13.4)))
"""A hold, then a foot up for 1.4 s at 12.0 s: the first step of walking away, or a short hold."""


@pytest.mark.parametrize("view", ["side", "front", "oblique"])
@pytest.mark.parametrize(("leg_per_s", "walking"), [(0.4, True), (0.1, False)])
def test_a_foot_up_while_walking_away_is_not_a_hold(
    view: str, leg_per_s: float, walking: bool
) -> None:
    # a real clip started mid-hold read the walk away after it (hips crossing the picture
    # at 0.64 leg lengths a second) as a 1.06 s hold on the other leg
    syn = synthesize(WALK_OFF, CameraSpec(view=view), NoiseSpec.low(), seed=0)
    tr = syn.track
    lm = np.array(tr.landmarks)
    t = np.asarray(tr.timestamps_s)
    leg = np.nanmedian(np.linalg.norm(lm[:, 23, :2] - lm[:, 27, :2], axis=1))
    lm[:, :, 0] += (leg_per_s * leg * np.clip(t - 11.6, 0.0, None))[:, None]
    walked = dataclasses.replace(tr, landmarks=lm.astype(tr.landmarks.dtype))
    report = analyze_track(walked, "single-leg-balance", DrillOptions(height_cm=175.0))
    truth = [e for e in syn.truth.events if e["kind"] == "hold"]
    _check_holds(report, truth[:1] if walking else truth, "left")
    notes = [w.message for w in report.warnings if w.code == "walking_not_a_hold"]
    assert notes == (
        [
            "a foot was off the floor at 12.1-13.3 s while you walked (your hips "
            "travelled across the picture): steps, not a balance hold, so not counted"
        ]
        if walking
        else []
    )


@pytest.mark.parametrize("view", ["side", "front", "oblique"])
def test_a_walk_out_of_the_picture_ending_on_a_stray_detection_is_not_a_hold(
    view: str,
) -> None:
    # the real flamingo clip read at 480 px: walking out of the picture after the hold
    # (foot up), nobody found for 0.7 s, then one stray detection back where the walk
    # began; its two ends stood still, so it passed for a 1.3 s hold on the other leg
    syn = synthesize(WALK_OFF, CameraSpec(view=view), NoiseSpec.low(), seed=0)
    tr = syn.track
    t = np.asarray(tr.timestamps_s)
    lm = np.array(tr.landmarks, dtype=np.float64)
    world = np.array(tr.world, dtype=np.float64)
    leg = np.nanmedian(np.linalg.norm(lm[:, 23, :2] - lm[:, 27, :2], axis=1))
    walk = 0.6 * leg * np.clip(t - 11.6, 0.0, None)
    stray = (t >= 13.2) & (t < 13.4)
    began = float(np.interp(12.1, t, walk))
    lm[:, :, 0] += np.where(stray, began, walk)[:, None]  # the stray frames: where it began
    gone = (t >= 12.7) & (t < 13.2)
    lm[gone] = np.nan
    world[gone] = np.nan
    walked = tr.with_arrays(landmarks=lm, world=world)
    report = analyze_track(walked, "single-leg-balance", DrillOptions(height_cm=175.0))
    truth = [e for e in syn.truth.events if e["kind"] == "hold"]
    _check_holds(report, truth[:1], "left")
    assert [w.code for w in report.warnings].count("walking_not_a_hold") == 1


def test_a_hold_under_way_when_the_video_starts_says_it_lasted_longer() -> None:
    syn = synthesize(PROFILE, CameraSpec(view="side"), NoiseSpec.low(), seed=0)
    first = int(np.searchsorted(syn.track.timestamps_s, 4.0))  # mid first hold (2.0-9.0 s)
    report = analyze_track(
        syn.track.slice(first, len(syn.track)), "single-leg-balance", DrillOptions(height_cm=175.0)
    )
    started, later = report.events
    assert started["started_by"] == "start of video" and later["started_by"] == "lift-off"
    assert "began before the first frame" in started["flags"]["duration_s"]
    assert "began before the first frame" not in later["flags"].get("duration_s", "")
    assert abs(later["start_s"] - 13.0) <= HOLD_TOL_S


def _without_person(track: Any, lo_s: float, hi_s: float) -> Any:
    """``track`` with no person found in frames from ``lo_s`` to before ``hi_s``."""
    gone = (track.timestamps_s >= lo_s) & (track.timestamps_s < hi_s)
    arrays = {}
    for name in ("landmarks", "visibility", "presence", "world"):
        a = np.array(getattr(track, name))
        a[gone] = np.nan
        arrays[name] = a
    people = np.where(gone, 0, track.num_people).astype(np.int16)
    return dataclasses.replace(track, num_people=people, **arrays)


@pytest.mark.parametrize("view", ["side", "oblique"])
def test_a_hold_seen_only_in_part_says_which_end_the_video_missed(view: str) -> None:
    # holds at 2.0-9.0 and 13.0-18.5 s; the pose model finds nobody in some frames
    syn = synthesize(PROFILE, CameraSpec(view=view), NoiseSpec.low(), seed=0)
    opts = DrillOptions(height_cm=175.0)

    # nobody found until 4.0 s: the first hold was already under way
    first, later = analyze_track(
        _without_person(syn.track, 0.0, 4.0), "single-leg-balance", opts
    ).events
    assert first["started_by"] == "first detection" and later["started_by"] == "lift-off"
    assert first["start_s"] == pytest.approx(4.0, abs=0.04)
    assert "first found in the picture at 4.0 s" in first["flags"]["duration_s"]
    assert abs(later["start_s"] - 13.0) <= HOLD_TOL_S

    # lost for 1 s mid-hold: still one hold, with its lift-off and touchdown, said
    held, _ = analyze_track(_without_person(syn.track, 5.0, 6.0), "single-leg-balance", opts).events
    assert abs(held["start_s"] - 2.0) <= HOLD_TOL_S and abs(held["end_s"] - 9.0) <= HOLD_TOL_S
    assert "lost from the picture at 5.0-6.0 s" in held["flags"]["duration_s"]

    # lost for 2.5 s (longer than max_bridge_s): two pieces, each open at the gap
    before, after, _ = analyze_track(
        _without_person(syn.track, 5.0, 7.5), "single-leg-balance", opts
    ).events
    assert before["ended_by"] == "lost tracking" and after["started_by"] == "tracking regained"
    assert abs(before["start_s"] - 2.0) <= HOLD_TOL_S and abs(after["end_s"] - 9.0) <= HOLD_TOL_S
    assert (
        "lost from the picture from 5.0 s to 7.5 s with the foot still up"
        in before["flags"]["end_s"]
    )
    assert "lost from the picture from 5.0 s to 7.5 s" in after["flags"]["start_s"]
    assert before["end_uncertain"] and after["start_uncertain"]
