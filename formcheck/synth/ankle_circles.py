"""Ankle circles: standing on one leg, the free foot draws circles at the ankle.

Built on ``BalanceProfile`` (holds, sway, pelvis shift, touchdowns): during a
hold the free foot's pitch and yaw follow a circle, so the toe tip draws a
circle around the still ankle. With ``whole_leg=True`` the ankle itself is
moved on a circle instead and the foot keeps its orientation (the common
fault: circling the whole leg from the hip).

Direction is named as the runner sees it, looking down the front of their
own body (+x forward, +y up, +z to their right): "counterclockwise" turns the
toe from their right (+z) to up (+y) to their left. A camera in front sees it
mirrored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark
from formcheck.synth.body import ArmPose, BodyModel, free_foot
from formcheck.synth.pose import Motion, assemble
from formcheck.synth.profiles import RAD, BalanceProfile, Event, ramp

FloatArray = npt.NDArray[np.float64]

DIRECTIONS = ("clockwise", "counterclockwise")
RAMP_TURNS = 0.125
"""Turns of phase over which the circle's amplitude grows from 0 (and shrinks
back) around each block's whole circles; the truth count excludes them."""


@dataclass(frozen=True)
class AnkleCirclesProfile(BalanceProfile):
    """Single-leg stance with ankle circles of the free foot.

    Attributes (besides the balance profile's, see ``BalanceProfile``):
        blocks: ``(hold index, direction, whole circles)`` in time order; the
            blocks of one hold follow each other ``pause_s`` apart, starting
            ``settle_s`` after the foot is up. Direction as the runner sees it.
        circle_s: duration of one circle, s.
        amplitude_deg: half-range of the foot's pitch and yaw, degrees (toe
            circle radius = toe lever x sin(amplitude)).
        pause_s, settle_s: still time between blocks / after lifting, s.
        whole_leg: circle the ankle on a ``whole_leg_radius_cm`` circle (foot
            orientation fixed) instead of the foot about the ankle.
    """

    duration: float = 40.0
    holds: tuple[tuple[float, float], ...] = ((2.0, 38.0),)
    blocks: tuple[tuple[int, str, int], ...] = (
        (0, "clockwise", 10),
        (0, "counterclockwise", 10),
    )
    circle_s: float = 1.6
    amplitude_deg: float = 20.0
    pause_s: float = 0.6
    settle_s: float = 0.5
    whole_leg: bool = False
    whole_leg_radius_cm: float = 8.0
    free_hip_flex_deg: float = 50.0
    free_knee_flex_deg: float = 55.0
    free_foot_pitch_deg: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        for hold, direction, count in self.blocks:
            if not 0 <= hold < len(self.holds):
                raise ValueError(f"block hold index {hold} out of range")
            if direction not in DIRECTIONS:
                raise ValueError(f"direction must be one of {list(DIRECTIONS)}, got {direction!r}")
            if count < 1:
                raise ValueError("a block needs at least one circle")
        if not (self.circle_s > 0 and 0 < self.amplitude_deg < 60):
            raise ValueError("circle_s must be > 0 and amplitude_deg in (0, 60)")
        for k, (a, b) in enumerate(self.holds):
            spans = self.block_spans(k)
            if spans and spans[-1][1] > min(b, self.duration) - self.lower_s:
                raise ValueError(f"the circles of hold {k} do not fit in ({a}, {b})")

    def block_spans(self, hold: int) -> list[tuple[float, float, str, int]]:
        """``(start_s, end_s, direction, count)`` of each block of one hold (ramps included)."""
        t = self.holds[hold][0] + self.lift_s + self.settle_s
        out = []
        for h, direction, count in self.blocks:
            if h != hold:
                continue
            dur = (count + 2 * RAMP_TURNS) * self.circle_s
            out.append((t, t + dur, direction, count))
            t += dur + self.pause_s
        return out

    def phase(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(angle in radians as the runner sees it, amplitude 0..1) of the circle at ``t`` (T,)."""
        ang = np.zeros_like(t)
        amp = np.zeros_like(t)
        for k in range(len(self.holds)):
            for a, b, direction, _ in self.block_spans(k):
                inside = (t >= a) & (t <= b)
                sign = 1.0 if direction == "counterclockwise" else -1.0
                u = (t[inside] - a) / self.circle_s  # turns done
                total = (b - a) / self.circle_s
                env = np.minimum(ramp(u / RAMP_TURNS), ramp((total - u) / RAMP_TURNS))
                # start at the top (toes up): the circle leaves the rest pose smoothly
                ang[inside] = 0.5 * math.pi + sign * 2 * math.pi * u
                amp[inside] = env
        return ang, amp

    def motion(self, body: BodyModel, t: FloatArray) -> Motion:
        t = np.asarray(t, dtype=np.float64)
        base = super().motion(body, t)
        fr = self.free_leg
        ang, amp = self.phase(t)
        lift, _, _ = self._lift(t)
        ankle = base.feet[fr]["ankle"]
        pitch0 = lift**2 * self.free_foot_pitch_deg * RAD
        if self.whole_leg:
            r = self.whole_leg_radius_cm / 100.0 * amp
            ankle = ankle.copy()
            ankle[:, 2] += r * np.cos(ang)
            ankle[:, 1] += r * np.sin(ang)
            pitch, yaw = pitch0, np.zeros_like(t)
        else:
            a = self.amplitude_deg * RAD * amp
            # toe to the runner's right (+z) needs negative yaw (yaw + turns +x toward -z)
            pitch = pitch0 + a * np.sin(ang)
            yaw = -a * np.cos(ang)
        feet = dict(base.feet)
        feet[fr] = free_foot(body, ankle, yaw, pitch)
        if not self.whole_leg:
            # the shank stays still: only the foot points change
            joints = base.joints.copy()
            for part in ("HEEL", "FOOT_INDEX"):
                joints[:, _lm(fr, part)] = feet[fr][part.lower()]
            return Motion(joints, feet, base.knee_front, base.reach_error_m)
        # the pelvis point is the hip midpoint (``formcheck.synth.pose.hips``)
        pelvis = 0.5 * (base.joints[:, _lm("left", "HIP")] + base.joints[:, _lm("right", "HIP")])
        return _reassemble(body, base, pelvis, feet, self)

    def events(self, body: BodyModel) -> list[Event]:
        out = super().events(body)
        for k in range(len(self.holds)):
            for a, b, direction, count in self.block_spans(k):
                out.append(
                    {
                        "kind": "circles",
                        "start_s": a,
                        "end_s": b,
                        "leg": self.free_leg,
                        "stance_leg": self.stance_leg,
                        "direction": direction,
                        "count": count,
                        "whole_leg": self.whole_leg,
                        "toe_range_cm": None
                        if self.whole_leg
                        else 2.0 * 100.0 * _toe_lever_m(body) * math.sin(self.amplitude_deg * RAD),
                    }
                )
        return sorted(out, key=lambda e: e["start_s"])


def _lm(side: str, part: str) -> int:
    return int(Landmark[f"{side.upper()}_{part}"])


def _toe_lever_m(body: BodyModel) -> float:
    """Distance from the ankle to the foot_index point, m."""
    return float(np.linalg.norm(body.foot_point("foot_index") - body.foot_point("ankle")))


def _reassemble(
    body: BodyModel,
    base: Motion,
    pelvis: FloatArray,
    feet: dict[str, dict[str, FloatArray]],
    profile: AnkleCirclesProfile,
) -> Motion:
    """Re-solve the knees for moved ankles (whole-leg circles); upper body as the balance pose."""
    n = pelvis.shape[0]
    arms = ArmPose(abduction=profile.arm_abduction_deg * RAD, elbow=0.3)
    moved = assemble(body, pelvis, feet, lean_fwd=np.full(n, 2 * RAD), arms=arms)
    joints = base.joints.copy()
    for side in ("left", "right"):
        for part in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
            joints[:, _lm(side, part)] = moved.joints[:, _lm(side, part)]
    return Motion(joints, feet, moved.knee_front, moved.reach_error_m)
