"""Drill motion profiles with known parameters (calf raise, balance, knee-to-wall).

Each profile is a frozen dataclass. ``profile.motion(body, t)`` poses the body
at times ``t`` (s) in the profile's own frame; ``profile.events(body)`` lists
the truth events (dicts with the keys the drill reports use);
``profile.duration_s`` is the length of the motion. ``formcheck.synth``
translates everything so the world origin is on the floor midway between the
heels at t = 0.

Timing shape: every transition (rise, lowering, lift, lunge) follows a raised
cosine ``0.5 - 0.5 cos(pi u)`` for u in [0, 1]: zero velocity at both ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from formcheck.synth.body import ArmPose, BodyModel, free_foot, hip_from_ankle, leg_fk, planted_foot
from formcheck.synth.pose import SIDE_SIGN, SIDES, Motion, assemble, hips
from formcheck.synth.truth import sagittal_angles

FloatArray = npt.NDArray[np.float64]
Event = dict[str, Any]
RAD = math.pi / 180.0


LEG_CHANGE_S = 1.0
"""s. Between two sets on different legs (``CalfRaiseProfile.set_legs``): the
free foot comes down, both feet stand, and the other foot goes up, each
taking this long."""


def ramp(u: FloatArray | float) -> FloatArray:
    """Raised-cosine 0 -> 1 for u in [0, 1] (clipped outside)."""
    return np.asarray(0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0.0, 1.0)))


def window(t: FloatArray, start: float, up_s: float, top_s: float, down_s: float) -> FloatArray:
    """Trapezoid with raised-cosine edges: 0 before ``start``, 1 on the top, 0 after."""
    rise = ramp((t - start) / max(up_s, 1e-9))
    fall = ramp((t - (start + up_s + top_s)) / max(down_s, 1e-9))
    return np.asarray(rise * (1.0 - fall))


def _check_side(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")


def _positive(**values: float) -> None:
    for k, v in values.items():
        if not v > 0:
            raise ValueError(f"{k} must be > 0, got {v}")


def heel_rise_angle(body: BodyModel, rise_m: FloatArray, *, below: bool = False) -> FloatArray:
    """Rearfoot rotation (rad) about the metatarsal heads that lifts the heel contact by ``rise_m``.

    A negative ``rise_m`` (the heel lowered below the forefoot, as off a
    step's edge) turns the rearfoot the other way when ``below`` is True;
    otherwise the heel stops at the forefoot's level (flat ground).
    """
    lo = -0.99 if below else 0.0
    return np.asarray(np.arcsin(np.clip(rise_m / body.heel_to_mtp, lo, 0.99)))


def home_heels(body: BodyModel, stance_width_m: float | None = None) -> dict[str, FloatArray]:
    """Heel contact points (3,) of feet under the hips, heels at x = 0."""
    w = body.hip_spacing if stance_width_m is None else stance_width_m
    return {s: np.array([0.0, 0.0, SIDE_SIGN[s] * 0.5 * w]) for s in SIDES}


class Profile(Protocol):
    """Interface every motion profile implements."""

    @property
    def duration_s(self) -> float:
        """Length of the motion, seconds."""
        ...

    def motion(self, body: BodyModel, t: FloatArray) -> Motion:
        """Pose at times ``t`` (T,) s, in the profile's frame."""
        ...

    def events(self, body: BodyModel) -> list[Event]:
        """Truth events, sorted by time."""
        ...

    def wall_x(self, body: BodyModel) -> float | None:
        """Wall plane x (m, profile frame) if the drill has a wall."""
        ...


class ProfileBase:
    """Shared helpers of the profiles."""

    def motion(self, body: BodyModel, t: FloatArray) -> Motion:
        raise NotImplementedError

    def wall_x(self, body: BodyModel) -> float | None:
        """Wall plane x (m, profile frame) if the drill has a wall; None here."""
        return None

    def at(self, body: BodyModel, times: list[float]) -> Motion:
        """``motion`` at a few times (s)."""
        return self.motion(body, np.asarray(times, dtype=np.float64))


def _pelvis_from_stance(
    body: BodyModel,
    ankle: FloatArray,
    side: str,
    tibia: FloatArray,
    knee_flex: FloatArray,
    tilt: FloatArray,
) -> FloatArray:
    """Pelvis point whose ``side`` hip sits on the bottom-up leg from ``ankle``."""
    _, hip = hip_from_ankle(body, ankle, tibia, knee_flex, tilt)
    return np.asarray(hip - np.array([0.0, 0.0, SIDE_SIGN[side] * 0.5 * body.hip_spacing]))


def _free_leg_feet(
    body: BodyModel,
    pelvis: FloatArray,
    side: str,
    hip_flex: FloatArray,
    knee_flex: FloatArray,
    pitch: FloatArray,
) -> dict[str, FloatArray]:
    hip = hips(body, pelvis)[side]
    n = pelvis.shape[0]
    _, ankle = leg_fk(body, hip, hip_flex, knee_flex, np.zeros(n))
    return free_foot(body, ankle, np.zeros(n), pitch)


# ================================================================ calf raise
@dataclass(frozen=True)
class CalfRaiseProfile(ProfileBase):
    """A set of calf raises (heel raises) on flat ground.

    Attributes:
        reps: number of repetitions (complete and partial) in each set.
        heel_rise_cm: rise of the heel contact point at the first rep's top, cm.
        up_s, hold_s, down_s, rest_s: tempo of each rep, seconds.
        lead_in_s, lead_out_s: standing still before the first / after the last rep.
        knee_flexion_deg: knee bend held through the set (0 straight-knee;
            ~20 for the bent-knee soleus version).
        fatigue_pct: the last rep's rise is this % lower than the first's
            (linear over each set; partial reps scale on top).
        sets: number of sets of ``reps`` reps, ``set_rest_s`` apart (standing
            still between them).
        set_rest_s: rest between two sets (from the end of one set's last
            rep cycle to the start of the next set's first rep), s.
        set_fatigue_pct: each set's rises are lower than the first set's by
            this % times the set's index over ``sets - 1`` (the last set is
            this % lower; fatigue within a set on top).
        set_legs: the leg of each set ("both", "left", "right"; one per set),
            e.g. ("left", "right") for a single-leg set on each leg; empty:
            ``leg`` for every set. Between two sets on different legs the
            free foot comes down over ``LEG_CHANGE_S``, both feet stand for
            as long, then the other foot goes up (``set_rest_s`` must leave
            room: at least 3 x ``LEG_CHANGE_S``).
        leg: "both", or "left"/"right" for a single-leg set (the other foot is
            held off the floor behind).
        partial_reps: 0-based indices (over all sets) of reps that reach only
            ``partial_fraction`` of their height.
        sway_cm: amplitude of the hip-centre sway (each of antero-posterior and
            medio-lateral), cm; must never count as a rep.
        sway_hz: sway frequency, Hz.
        weight_shifts_s: start times of side-to-side weight shifts (``shift_s``
            long each; alternating right, left, ...): the pelvis moves
            ``shift_cm`` sideways and the unloaded heel lifts ``shift_heel_cm``.
            Only for ``leg="both"``; they are not reps.
        trunk_lean_deg: forward lean of the trunk, degrees.
        drop_cm: calf raises on a step: after each rep's way down to the
            step's level the heel goes on down this far below it (the heel
            contact point, cm; the forefoot stays on the step), holds, and
            comes back up to level within the rest (0: flat ground). The
            step's top is the floor of the synthetic scene.
        drop_down_s, drop_hold_s, drop_up_s: tempo of that lowering, s (their
            sum must fit in ``rest_s``).
    """

    reps: int = 12
    heel_rise_cm: float = 8.0
    up_s: float = 1.0
    hold_s: float = 0.5
    down_s: float = 1.5
    rest_s: float = 0.8
    lead_in_s: float = 1.5
    lead_out_s: float = 1.5
    knee_flexion_deg: float = 0.0
    fatigue_pct: float = 0.0
    leg: str = "both"
    partial_reps: tuple[int, ...] = ()
    partial_fraction: float = 0.35
    sway_cm: float = 0.3
    sway_hz: float = 0.3
    weight_shifts_s: tuple[float, ...] = ()
    shift_s: float = 1.2
    shift_cm: float = 3.0
    shift_heel_cm: float = 1.0
    trunk_lean_deg: float = 3.0
    sets: int = 1
    set_rest_s: float = 30.0
    set_fatigue_pct: float = 0.0
    set_legs: tuple[str, ...] = ()
    drop_cm: float = 0.0
    drop_down_s: float = 1.0
    drop_hold_s: float = 0.5
    drop_up_s: float = 0.8

    def __post_init__(self) -> None:
        _check_side("leg", self.leg, ("both", "left", "right"))
        if self.drop_cm < 0:
            raise ValueError(f"drop_cm must be >= 0, got {self.drop_cm}")
        if self.drop_cm > 0:
            _positive(drop_down_s=self.drop_down_s, drop_up_s=self.drop_up_s)
            if self.drop_down_s + max(self.drop_hold_s, 0.0) + self.drop_up_s > self.rest_s:
                raise ValueError(
                    "drop_down_s + drop_hold_s + drop_up_s must fit in rest_s "
                    f"({self.rest_s} s) when drop_cm > 0"
                )
        for leg in self.set_legs:
            _check_side("set_legs", leg, ("both", "left", "right"))
        if self.set_legs and len(self.set_legs) != self.sets:
            raise ValueError(f"set_legs needs one leg per set ({self.sets}), got {self.set_legs}")
        if len(set(self.set_legs)) > 1 and self.set_rest_s < 3 * LEG_CHANGE_S:
            raise ValueError(
                f"set_rest_s must be at least {3 * LEG_CHANGE_S:g} s to change legs, "
                f"got {self.set_rest_s}"
            )
        if self.reps < 0:
            raise ValueError(f"reps must be >= 0, got {self.reps}")
        if self.sets < 1:
            raise ValueError(f"sets must be >= 1, got {self.sets}")
        if self.set_rest_s < 0 or not (0 <= self.set_fatigue_pct < 100):
            raise ValueError(
                "set_rest_s must be >= 0 and set_fatigue_pct in [0, 100), got "
                f"{self.set_rest_s}, {self.set_fatigue_pct}"
            )
        _positive(up_s=self.up_s, down_s=self.down_s, heel_rise_cm=self.heel_rise_cm)
        if not (0 <= self.fatigue_pct < 100):
            raise ValueError(f"fatigue_pct must be in [0, 100), got {self.fatigue_pct}")
        if any(not 0 <= i < self.total_reps for i in self.partial_reps):
            raise ValueError(
                f"partial_reps must be indices in [0, {self.total_reps}), got {self.partial_reps}"
            )

    @property
    def cycle_s(self) -> float:
        return self.up_s + self.hold_s + self.down_s + self.rest_s

    @property
    def total_reps(self) -> int:
        """Reps over all sets."""
        return self.reps * self.sets

    @property
    def duration_s(self) -> float:
        rests = (self.sets - 1) * self.set_rest_s
        return self.lead_in_s + self.total_reps * self.cycle_s + rests + self.lead_out_s

    def set_of(self, i: int) -> int:
        """0-based set of rep ``i`` (0-based over all sets)."""
        return i // self.reps if self.reps else 0

    def rep_start_s(self, i: int) -> float:
        return self.lead_in_s + i * self.cycle_s + self.set_of(i) * self.set_rest_s

    def rise_cm(self, i: int) -> float:
        """Planned heel rise of rep ``i`` (0-based over all sets), cm."""
        j = i - self.set_of(i) * self.reps
        frac = j / (self.reps - 1) if self.reps > 1 else 0.0
        k = self.set_of(i) / (self.sets - 1) if self.sets > 1 else 0.0
        h = self.heel_rise_cm * (1.0 - self.set_fatigue_pct / 100.0 * k)
        h *= 1.0 - self.fatigue_pct / 100.0 * frac
        return h * (self.partial_fraction if i in self.partial_reps else 1.0)

    def leg_of_set(self, k: int) -> str:
        """The leg of set ``k`` (0-based)."""
        return self.set_legs[k] if self.set_legs else self.leg

    def stance_sides(self, k: int = 0) -> tuple[str, ...]:
        """The standing legs of set ``k`` (0-based)."""
        leg = self.leg_of_set(k)
        return SIDES if leg == "both" else (leg,)

    def _leg_weights(self, t: FloatArray) -> dict[str, FloatArray]:
        """Weight (0..1) of each stance's motion over ``t`` (s): 1 during its sets."""
        legs = [self.leg_of_set(k) for k in range(self.sets)]
        w = {leg: np.zeros_like(t) for leg in {*legs, "both"}}
        w[legs[0]] += 1.0
        for k in range(1, self.sets):
            a, b = legs[k - 1], legs[k]
            if a == b:
                continue
            mid = self.rep_start_s(k * self.reps) - 0.5 * self.set_rest_s
            off = ramp((t - (mid - 1.5 * LEG_CHANGE_S)) / LEG_CHANGE_S)
            on = ramp((t - (mid + 0.5 * LEG_CHANGE_S)) / LEG_CHANGE_S)
            w[a] -= off
            w["both"] += off - on
            w[b] += on
        return w

    def motion(self, body: BodyModel, t: FloatArray) -> Motion:
        if len(set(self.set_legs)) <= 1:
            leg = self.set_legs[0] if self.set_legs else self.leg
            return self._motion_on(leg, body, t)
        t = np.asarray(t, dtype=np.float64)
        parts = [(w, self._motion_on(leg, body, t)) for leg, w in self._leg_weights(t).items()]

        def blend(arrays: list[FloatArray]) -> FloatArray:
            total = np.zeros_like(arrays[0])
            for (w, _), a in zip(parts, arrays, strict=True):
                total += w.reshape(-1, *([1] * (a.ndim - 1))) * a
            return total

        first = parts[0][1]
        return Motion(
            joints=blend([m.joints for _, m in parts]),
            feet={
                s: {p: blend([m.feet[s][p] for _, m in parts]) for p in pts}
                for s, pts in first.feet.items()
            },
            knee_front={s: blend([m.knee_front[s] for _, m in parts]) for s in SIDES},
            reach_error_m=np.max([m.reach_error_m for _, m in parts], axis=0),
        )

    def heel_rise_m(self, t: FloatArray) -> FloatArray:
        """(T,) heel contact height above the forefoot's level, m (negative below a step)."""
        h = np.zeros_like(t)
        for i in range(self.total_reps):
            h += (
                self.rise_cm(i)
                / 100.0
                * window(t, self.rep_start_s(i), self.up_s, self.hold_s, self.down_s)
            )
            if self.drop_cm > 0:
                h -= (
                    self.drop_cm
                    / 100.0
                    * window(
                        t,
                        self.drop_start_s(i),
                        self.drop_down_s,
                        self.drop_hold_s,
                        self.drop_up_s,
                    )
                )
        return h

    def drop_start_s(self, i: int) -> float:
        """When the heel of rep ``i`` passes the step's level on its way below it, s."""
        return self.rep_start_s(i) + self.up_s + self.hold_s + self.down_s

    def _motion_on(self, leg: str, body: BodyModel, t: FloatArray) -> Motion:
        """The motion with every set on ``leg``."""
        if leg != self.leg or self.set_legs:
            return replace(self, leg=leg, set_legs=()).motion(body, t)
        t = np.asarray(t, dtype=np.float64)
        n = t.shape[0]
        heels = home_heels(body)
        rise = self.heel_rise_m(t)
        ph = 2 * np.pi * self.sway_hz * t
        leg_len = body.leg_length
        d_tib = (self.sway_cm / 100.0) * np.sin(ph) / leg_len
        d_tilt = (self.sway_cm / 100.0) * np.cos(ph) / leg_len
        extra_rise = {s: np.zeros(n) for s in SIDES}
        if self.leg == "both":
            for j, t0 in enumerate(self.weight_shifts_s):
                bump = np.sin(np.pi * np.clip((t - t0) / self.shift_s, 0.0, 1.0)) ** 2
                toward = "right" if j % 2 == 0 else "left"
                away = "left" if toward == "right" else "right"
                d_tilt = d_tilt + SIDE_SIGN[toward] * (self.shift_cm / 100.0) * bump / leg_len
                extra_rise[away] = extra_rise[away] + self.shift_heel_cm / 100.0 * bump
        kappa = np.full(n, self.knee_flexion_deg * RAD)
        tibia = 0.5 * kappa + d_tib
        feet: dict[str, dict[str, FloatArray]] = {}
        zeros = np.zeros(n)
        for s in self.stance_sides():
            feet[s] = planted_foot(
                body,
                np.broadcast_to(heels[s], (n, 3)),
                zeros,
                heel_rise_angle(body, rise + extra_rise[s], below=self.drop_cm > 0),
                zeros,
            )
        if self.leg == "both":
            # the lower ankle carries the body (the other leg may bend a little more)
            lower = np.where(feet["left"]["ankle"][:, 1] <= feet["right"]["ankle"][:, 1], 0, 1)
            pel = [
                _pelvis_from_stance(body, feet[s]["ankle"], s, tibia, kappa, d_tilt) for s in SIDES
            ]
            pelvis = np.where(lower[:, None] == 0, pel[0], pel[1])
        else:
            s = self.leg
            tilt = SIDE_SIGN[s] * math.asin(0.5 * body.hip_spacing / leg_len) + d_tilt
            pelvis = _pelvis_from_stance(body, feet[s]["ankle"], s, tibia, kappa, tilt)
            free = "right" if s == "left" else "left"
            feet[free] = _free_leg_feet(
                body, pelvis, free, np.full(n, 5 * RAD), np.full(n, 80 * RAD), np.full(n, -30 * RAD)
            )
        lean = np.full(n, self.trunk_lean_deg * RAD)
        return assemble(body, pelvis, feet, lean_fwd=lean, arms=ArmPose())

    def events(self, body: BodyModel) -> list[Event]:
        out: list[Event] = []
        for i in range(self.total_reps):
            start = self.rep_start_s(i)
            peak = start + self.up_s + 0.5 * self.hold_s
            end = start + self.up_s + self.hold_s + self.down_s
            m = self.at(body, [start, peak])
            for s in self.stance_sides(self.set_of(i)):
                ang = sagittal_angles(m.joints, s)
                out.append(
                    {
                        "kind": "rep",
                        "index": i,
                        "set": self.set_of(i) + 1,
                        "leg": s,
                        "start_s": start,
                        "peak_s": peak,
                        "end_s": end,
                        "top_start_s": start + self.up_s,
                        "top_end_s": start + self.up_s + self.hold_s,
                        "heel_rise_cm": self.rise_cm(i),
                        "heel_drop_cm": self.drop_cm,
                        "bottom_s": self.drop_start_s(i) + self.drop_down_s + 0.5 * self.drop_hold_s
                        if self.drop_cm > 0
                        else None,
                        "partial": i in self.partial_reps,
                        "plantarflexion_deg": float(
                            ang["ankle_dorsiflexion"][0] - ang["ankle_dorsiflexion"][1]
                        ),
                        "up_s": self.up_s,
                        "hold_s": self.hold_s,
                        "down_s": self.down_s,
                        "knee_flexion_deg": float(ang["knee_flexion"][1]),
                    }
                )
        for j, t0 in enumerate(self.weight_shifts_s if self.leg == "both" else ()):
            out.append(
                {
                    "kind": "weight_shift",
                    "start_s": t0,
                    "end_s": t0 + self.shift_s,
                    "toward": "right" if j % 2 == 0 else "left",
                    "heel_lift_cm": self.shift_heel_cm,
                }
            )
        return sorted(out, key=lambda e: e["start_s"])


# ======================================================== single-leg balance
@dataclass(frozen=True)
class BalanceProfile(ProfileBase):
    """Single-leg stance with holds, touchdowns and sway.

    Attributes:
        duration: length of the clip, s.
        stance_leg: "left" or "right".
        holds: (start_s, end_s) intervals with the free foot off the floor.
            The free foot leaves the floor at start_s and touches down at
            end_s (a touchdown event), unless end_s >= duration (the hold
            ends with the video).
        lift_s / lower_s: time the free foot takes to reach its raised pose /
            to come back down within a hold, s.
        shift_s: the pelvis moves over the stance foot in the ``shift_s``
            before each hold and back after it.
        sway_ap_cm / sway_ml_cm: amplitude of the hip-centre sway during holds
            (antero-posterior / medio-lateral), cm; 30% of it in double stance.
            The path is an ellipse (ML a quarter period after AP).
        sway_hz: sway frequency, Hz.
        sway_growth_per_10s: relative growth of the sway amplitude per 10 s
            of a hold (0.5 = 50% larger after 10 s).
        stance_knee_deg: stance knee bend, degrees.
        free_hip_flex_deg, free_knee_flex_deg, free_foot_pitch_deg: free-leg
            pose when raised (foot behind with the default knee bend; pitch +
            toes up relative to the floor).
        arm_abduction_deg: arms held out sideways.
    """

    duration: float = 20.0
    stance_leg: str = "left"
    holds: tuple[tuple[float, float], ...] = ((2.0, 11.0), (13.0, 20.0))
    lift_s: float = 0.5
    lower_s: float = 0.4
    shift_s: float = 0.6
    sway_ap_cm: float = 0.8
    sway_ml_cm: float = 0.6
    sway_hz: float = 0.4
    sway_growth_per_10s: float = 0.0
    stance_knee_deg: float = 8.0
    free_hip_flex_deg: float = 15.0
    free_knee_flex_deg: float = 70.0
    free_foot_pitch_deg: float = -20.0
    arm_abduction_deg: float = 20.0

    def __post_init__(self) -> None:
        _check_side("stance_leg", self.stance_leg, SIDES)
        _positive(
            duration=self.duration, lift_s=self.lift_s, lower_s=self.lower_s, shift_s=self.shift_s
        )
        prev_end = -math.inf
        for a, b in self.holds:
            if not (0 <= a < b):
                raise ValueError(f"hold ({a}, {b}) must satisfy 0 <= start < end")
            if b - a < self.lift_s + self.lower_s:
                raise ValueError(f"hold ({a}, {b}) is shorter than lift_s + lower_s")
            if a < prev_end + self.shift_s * 2:
                raise ValueError("holds must be in order and apart by at least 2 * shift_s")
            if a > self.duration:
                raise ValueError(f"hold ({a}, {b}) starts after the end ({self.duration} s)")
            prev_end = b

    @property
    def duration_s(self) -> float:
        return self.duration

    @property
    def free_leg(self) -> str:
        return "right" if self.stance_leg == "left" else "left"

    def _lift(self, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(lift 0..1 of the free foot, shift 0..1 of the pelvis, time into hold)."""
        lift = np.zeros_like(t)
        shift = np.zeros_like(t)
        into = np.zeros_like(t)
        for a, b in self.holds:
            lift = np.maximum(
                lift, window(t, a, self.lift_s, b - a - self.lift_s - self.lower_s, self.lower_s)
            )
            shift = np.maximum(
                shift, window(t, a - self.shift_s, self.shift_s, b - a, self.shift_s)
            )
            inside = (t >= a) & (t <= b)
            into = np.where(inside, t - a, into)
        return lift, shift, into

    def motion(self, body: BodyModel, t: FloatArray) -> Motion:
        t = np.asarray(t, dtype=np.float64)
        n = t.shape[0]
        st, fr = self.stance_leg, self.free_leg
        lift, shift, into = self._lift(t)
        amp = (0.3 + 0.7 * shift) * (1.0 + self.sway_growth_per_10s * into / 10.0)
        ph = 2 * np.pi * self.sway_hz * t
        leg_len = body.leg_length
        d_tib = amp * (self.sway_ap_cm / 100.0) * np.sin(ph) / leg_len
        d_tilt = amp * (self.sway_ml_cm / 100.0) * np.cos(ph) / leg_len
        tilt = shift * SIDE_SIGN[st] * math.asin(0.5 * body.hip_spacing / leg_len) + d_tilt
        kappa = np.full(n, self.stance_knee_deg * RAD)
        zeros = np.zeros(n)
        heels = home_heels(body)
        feet = {st: planted_foot(body, np.broadcast_to(heels[st], (n, 3)), zeros, zeros, zeros)}
        pelvis = _pelvis_from_stance(body, feet[st]["ankle"], st, 0.5 * kappa + d_tib, kappa, tilt)
        raised = _free_leg_feet(
            body,
            pelvis,
            fr,
            np.full(n, self.free_hip_flex_deg * RAD),
            np.full(n, self.free_knee_flex_deg * RAD),
            zeros,
        )
        home = planted_foot(body, np.broadcast_to(heels[fr], (n, 3)), zeros, zeros, zeros)
        ankle = home["ankle"] + lift[:, None] * (raised["ankle"] - home["ankle"])
        # pitch follows lift squared so the toes never dip into the floor as the ankle rises
        pitch = lift**2 * self.free_foot_pitch_deg * RAD
        feet[fr] = free_foot(body, ankle, zeros, pitch)
        arms = ArmPose(abduction=self.arm_abduction_deg * RAD, elbow=0.3)
        return assemble(body, pelvis, feet, lean_fwd=np.full(n, 2 * RAD), arms=arms)

    def events(self, body: BodyModel) -> list[Event]:
        out: list[Event] = []
        for a, b in self.holds:
            ended = "touchdown" if b < self.duration else "end"
            out.append(
                {
                    "kind": "hold",
                    "start_s": a,
                    "end_s": min(b, self.duration),
                    "stance_leg": self.stance_leg,
                    "ended_by": ended,
                }
            )
            if ended == "touchdown":
                out.append({"kind": "touchdown", "start_s": b, "time_s": b, "leg": self.free_leg})
        return sorted(out, key=lambda e: e["start_s"])


# ============================================================ knee-to-wall
@dataclass(frozen=True)
class LungeAttempt:
    """One knee-to-wall attempt: front toe tip ``toe_to_wall_cm`` from the wall;
    ``heel_lift_cm`` > 0 makes the heel rise that much at the deepest point."""

    toe_to_wall_cm: float
    heel_lift_cm: float = 0.0


@dataclass(frozen=True)
class KneeToWallProfile(ProfileBase):
    """Weight-bearing lunge test: knee driven to the wall, front foot flat.

    The wall is a vertical plane x = wall_x facing the person. At each
    attempt's deepest point the front of the knee (``body.knee_front`` ahead of
    the knee joint centre) touches the wall; the tibia angle follows from the
    geometry (solved exactly). Between attempts the front foot steps to its
    next distance (lifted 1.5 cm); the back foot keeps its place behind it.

    Attributes:
        leg: the front (tested) leg.
        attempts: the attempts in order.
        approach_s, hold_s, return_s, rest_s: timing per attempt, s.
        lead_in_s / lead_out_s: still standing before / after.
        back_foot_frac: back heel this fraction of height behind the front heel.
        back_heel_rise_cm: back heel raised (on the ball of the foot), cm; more
            where the back leg could not reach otherwise.
        thigh_back_deg: front thigh's lean back from vertical at the deepest point.
        trunk_lean_deg: trunk lean forward.
    """

    leg: str = "right"
    attempts: tuple[LungeAttempt, ...] = (
        LungeAttempt(9.0),
        LungeAttempt(11.0),
        LungeAttempt(13.0, heel_lift_cm=2.5),
    )
    approach_s: float = 1.5
    hold_s: float = 2.0
    return_s: float = 1.2
    rest_s: float = 1.5
    lead_in_s: float = 1.0
    lead_out_s: float = 1.0
    back_foot_frac: float = 0.22
    back_heel_rise_cm: float = 5.0
    thigh_back_deg: float = 30.0
    trunk_lean_deg: float = 10.0

    def __post_init__(self) -> None:
        _check_side("leg", self.leg, SIDES)
        if not self.attempts:
            raise ValueError("KneeToWallProfile needs at least one attempt")
        for a in self.attempts:
            if not (0.0 <= a.toe_to_wall_cm <= 25.0):
                raise ValueError(f"toe_to_wall_cm must be in [0, 25], got {a.toe_to_wall_cm}")
            if a.heel_lift_cm < 0:
                raise ValueError("heel_lift_cm must be >= 0")
        _positive(approach_s=self.approach_s, return_s=self.return_s, rest_s=self.rest_s)

    @property
    def cycle_s(self) -> float:
        return self.approach_s + self.hold_s + self.return_s + self.rest_s

    @property
    def duration_s(self) -> float:
        return self.lead_in_s + len(self.attempts) * self.cycle_s + self.lead_out_s

    def attempt_start_s(self, i: int) -> float:
        return self.lead_in_s + i * self.cycle_s

    def wall_x(self, body: BodyModel) -> float:
        """Wall x in the profile frame (front heel contact at x = 0 on attempt 0)."""
        return float(body.foot_point("toe_tip")[0] + self.attempts[0].toe_to_wall_cm / 100.0)

    def _front_heel_x(self, body: BodyModel, i: int) -> float:
        return (
            self.wall_x(body)
            - self.attempts[i].toe_to_wall_cm / 100.0
            - float(body.foot_point("toe_tip")[0])
        )

    def _peak_tibia(self, body: BodyModel, ankle_x: float, wall: float) -> float:
        """Shank angle (rad) at which the knee front touches the wall: S sin t + r cos t = D."""
        d = wall - ankle_x
        r = body.knee_front
        big = math.hypot(body.shank, r)
        if d > big:
            raise ValueError(
                f"the wall is out of reach of the knee ({d * 100:.1f} cm from the ankle)"
            )
        return math.asin(d / big) - math.atan2(r, body.shank)

    def motion(self, body: BodyModel, t: FloatArray) -> Motion:
        t = np.asarray(t, dtype=np.float64)
        n = t.shape[0]
        front = self.leg
        back = "left" if front == "right" else "right"
        wall = self.wall_x(body)
        heel_x = np.full(n, self._front_heel_x(body, 0))
        step_lift = np.zeros(n)
        depth = np.zeros(n)  # 0 upright .. 1 knee at the wall
        tib_peak = np.zeros(n)
        heel_up = np.zeros(n)
        tib0 = 5 * RAD
        for i, att in enumerate(self.attempts):
            a0 = self.attempt_start_s(i)
            w = window(t, a0, self.approach_s, self.hold_s, self.return_s)
            if i > 0:
                prev, cur = self._front_heel_x(body, i - 1), self._front_heel_x(body, i)
                m0 = a0 - self.rest_s
                u = np.clip((t - m0) / (self.rest_s * 0.8), 0.0, 1.0)
                heel_x = np.where(t >= m0, prev + (cur - prev) * ramp(u), heel_x)
                step_lift = step_lift + 0.015 * np.sin(np.pi * u) * (
                    (t >= m0) & (t <= m0 + 0.8 * self.rest_s)
                )
            rise = att.heel_lift_cm / 100.0
            ang = float(heel_rise_angle(body, np.array([rise]))[0])
            flat = planted_foot(
                body,
                np.array([[self._front_heel_x(body, i), 0.0, 0.0]]),
                np.zeros(1),
                np.array([ang]),
                np.zeros(1),
            )
            tp = self._peak_tibia(body, float(flat["ankle"][0, 0]), wall)
            active = (t >= a0 - 1e-9) & (
                t <= a0 + self.approach_s + self.hold_s + self.return_s + 1e-9
            )
            depth = np.where(active, w, depth)
            tib_peak = np.where(active, tp, tib_peak)
            heel_up = np.where(active, rise * w, heel_up)
        zeros = np.zeros(n)
        heels = home_heels(body)
        fpos = np.stack([heel_x, step_lift, np.full(n, heels[front][2])], axis=1)
        feet = {front: planted_foot(body, fpos, zeros, heel_rise_angle(body, heel_up), zeros)}
        tibia = tib0 + depth * (tib_peak - tib0)
        thigh = -12 * RAD + depth * (-self.thigh_back_deg * RAD + 12 * RAD)
        pelvis = _pelvis_from_stance(body, feet[front]["ankle"], front, tibia, tibia - thigh, zeros)
        # back foot: behind the front heel, on the ball of the foot; raise the heel more if needed
        bpos = np.stack(
            [heel_x - self.back_foot_frac * body.height_m, zeros, np.full(n, heels[back][2])],
            axis=1,
        )
        hip_b = hips(body, pelvis)[back]
        rise_b = np.full(n, self.back_heel_rise_cm / 100.0)
        for _ in range(30):
            fb = planted_foot(body, bpos, zeros, heel_rise_angle(body, rise_b), zeros)
            too_far = np.linalg.norm(fb["ankle"] - hip_b, axis=1) > 0.985 * body.leg_length
            if not too_far.any():
                break
            rise_b = np.where(too_far, rise_b + 0.005, rise_b)
        feet[back] = fb
        arms = ArmPose(flexion=70 * RAD * (0.3 + 0.7 * depth), abduction=0.15, elbow=0.6)
        lean = self.trunk_lean_deg * RAD * (0.5 + 0.5 * depth)
        return assemble(body, pelvis, feet, lean_fwd=lean, arms=arms)

    def events(self, body: BodyModel) -> list[Event]:
        out: list[Event] = []
        for i, att in enumerate(self.attempts):
            a0 = self.attempt_start_s(i)
            peak = a0 + self.approach_s + 0.5 * self.hold_s
            m = self.at(body, [peak])
            ang = sagittal_angles(m.joints, self.leg)
            out.append(
                {
                    "kind": "lunge",
                    "index": i,
                    "leg": self.leg,
                    "start_s": a0,
                    "peak_s": peak,
                    "hold_start_s": a0 + self.approach_s,
                    "hold_end_s": a0 + self.approach_s + self.hold_s,
                    "end_s": a0 + self.approach_s + self.hold_s + self.return_s,
                    "toe_to_wall_cm": att.toe_to_wall_cm,
                    "tibia_angle_deg": float(ang["tibia_inclination"][0]),
                    "ankle_dorsiflexion_deg": float(ang["ankle_dorsiflexion"][0]),
                    "heel_lifted": att.heel_lift_cm > 0,
                    "heel_lift_cm": att.heel_lift_cm,
                }
            )
        return out
