"""Walking and hopping profiles: heel walk, toe walk, lateral hops.

Walks: the person starts with the feet side by side at x = 0, rises onto the
heels (or toes) over ``setup_s``, then takes ``steps`` steps along +x,
alternating legs from ``first_leg``. Step k's swing foot leaves the floor at
``lead_in_s + setup_s + k * step_s`` and lands ``swing_s`` later, advancing to
``(k + 1) * step_length`` (so successive heels are ``step_length`` apart).
The pelvis rides above the feet at the height that keeps both knees at least
slightly bent (hip-ankle distance <= ``knee_slack`` of the straight leg).

Hops: two-footed (or one-footed) hops side to side along z, ballistic flight
(apex height g * flight_s^2 / 8), a contact phase between hops with the
knees bending to ``landing_knee_deg`` mid-contact and the heels
``heel_clearance_cm`` up at touchdown and take-off.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.synth.body import ArmPose, BodyModel, planted_foot
from formcheck.synth.pose import SIDE_SIGN, SIDES, Motion, assemble
from formcheck.synth.profiles import (
    RAD,
    Event,
    ProfileBase,
    _check_side,
    _free_leg_feet,
    _pelvis_from_stance,
    _positive,
    heel_rise_angle,
    ramp,
    window,
)
from formcheck.synth.truth import sagittal_angles

FloatArray = npt.NDArray[np.float64]
G = 9.81
"""Gravity, m/s^2."""

VARIANTS = {"forward": 0.0, "in": 20.0, "out": -20.0}
"""Foot direction variants: toe-in angle, degrees (out = negative)."""


@dataclass(frozen=True)
class _WalkBase(ProfileBase):
    steps: int = 10
    step_length_cm: float = 25.0
    cadence_spm: float = 100.0
    swing_frac: float = 0.6
    first_leg: str = "right"
    variant: str = "forward"
    clearance_cm: float = 3.0
    lead_in_s: float = 1.0
    setup_s: float = 0.8
    lead_out_s: float = 1.0
    knee_slack: float = 0.995

    def __post_init__(self) -> None:
        _check_side("first_leg", self.first_leg, SIDES)
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown variant {self.variant!r}; expected one of {list(VARIANTS)}")
        _positive(cadence_spm=self.cadence_spm, step_length_cm=self.step_length_cm)
        if self.steps < 1:
            raise ValueError("steps must be >= 1")
        if not 0.2 <= self.swing_frac <= 0.9:
            raise ValueError("swing_frac must be in [0.2, 0.9]")

    @property
    def step_s(self) -> float:
        return 60.0 / self.cadence_spm

    @property
    def swing_s(self) -> float:
        return self.swing_frac * self.step_s

    @property
    def duration_s(self) -> float:
        return self.lead_in_s + self.setup_s + self.steps * self.step_s + self.lead_out_s

    def step_leg(self, k: int) -> str:
        other = "left" if self.first_leg == "right" else "right"
        return self.first_leg if k % 2 == 0 else other

    def step_off_s(self, k: int) -> float:
        return self.lead_in_s + self.setup_s + k * self.step_s

    def _heel_x(self, t: FloatArray, side: str) -> tuple[FloatArray, FloatArray]:
        """Heel contact x (T,) and swing lift (T,) of one foot."""
        x = np.zeros_like(t)
        lift = np.zeros_like(t)
        length = self.step_length_cm / 100.0
        pos = 0.0
        for k in range(self.steps):
            if self.step_leg(k) != side:
                continue
            new = (k + 1) * length
            u = (t - self.step_off_s(k)) / self.swing_s
            x = np.where(t >= self.step_off_s(k), pos + (new - pos) * ramp(u), x)
            lift = lift + np.where((u > 0) & (u < 1), np.sin(np.pi * np.clip(u, 0, 1)), 0.0)
            pos = new
        return x, lift * self.clearance_cm / 100.0

    def _pitch(self, body: BodyModel, t: FloatArray, side: str) -> tuple[FloatArray, FloatArray]:
        """(heel_rise, toe_lift) rotations (T,) of one foot, radians."""
        raise NotImplementedError

    def _adjust_foot(
        self, body: BodyModel, t: FloatArray, side: str, foot: dict[str, FloatArray]
    ) -> dict[str, FloatArray]:
        """Hook for subclasses to move a planted foot's points (default: unchanged)."""
        return foot

    def _touch(self, t: FloatArray, side: str, steps: tuple[int, ...]) -> FloatArray:
        """1 - dip where the foot's stance after each listed step lets the raised end touch down."""
        f = np.ones_like(t)
        stance = 2 * self.step_s - self.swing_s
        for k in steps:
            if self.step_leg(k) != side:
                continue
            land = self.step_off_s(k) + self.swing_s
            a = land + 0.2 * stance
            f = f * (1.0 - window(t, a, 0.2 * stance, 0.2 * stance, 0.2 * stance))
        return f

    def motion(self, body: BodyModel, t: FloatArray) -> Motion:
        t = np.asarray(t, dtype=np.float64)
        n = t.shape[0]
        feet = {}
        toe_in = VARIANTS[self.variant] * RAD
        for s in SIDES:
            x, lift = self._heel_x(t, s)
            pos = np.stack([x, lift, np.full(n, SIDE_SIGN[s] * 0.5 * body.hip_spacing)], axis=1)
            rise, toe = self._pitch(body, t, s)
            yaw = np.full(n, SIDE_SIGN[s] * toe_in)  # toe-in turns the right foot toward -z
            feet[s] = self._adjust_foot(body, t, s, planted_foot(body, pos, yaw, rise, toe))
        ankles = {s: feet[s]["ankle"] for s in SIDES}
        px = 0.5 * (ankles["left"][:, 0] + ankles["right"][:, 0]) + 0.01 * body.height_m
        pz = np.zeros(n)
        # weight over the stance foot during each swing (2 cm)
        for k in range(self.steps):
            stance = "left" if self.step_leg(k) == "right" else "right"
            pz = pz + SIDE_SIGN[stance] * 0.02 * window(
                t, self.step_off_s(k), self.swing_s / 2, 0.0, self.swing_s / 2
            )
        reach = self.knee_slack * body.leg_length
        heights = []
        for s in SIDES:
            hip_z = pz + SIDE_SIGN[s] * 0.5 * body.hip_spacing
            dx = px - ankles[s][:, 0]
            dz = hip_z - ankles[s][:, 2]
            heights.append(ankles[s][:, 1] + np.sqrt(np.maximum(reach**2 - dx**2 - dz**2, 0.0)))
        py = np.minimum(heights[0], heights[1])
        pelvis = np.stack([px, py, pz], axis=1)
        swing = 0.25 * np.sin(2 * np.pi * t / (2 * self.step_s))
        arms = ArmPose(flexion=swing, abduction=0.12, elbow=0.5)
        return assemble(body, pelvis, feet, lean_fwd=np.full(n, 4 * RAD), arms=arms)

    def _step_events(
        self,
        body: BodyModel,
        key: str,
        value: Callable[[Motion, str], float],
        flag: str,
        flagged: tuple[int, ...],
    ) -> list[Event]:
        out: list[Event] = []
        for k in range(self.steps):
            off = self.step_off_s(k)
            land = off + self.swing_s
            mid_stance = (
                land + 0.5 * (2 * self.step_s - self.swing_s) if k < self.steps - 1 else land + 0.3
            )
            m = self.at(body, [mid_stance])
            side = self.step_leg(k)
            ang = sagittal_angles(m.joints, side)
            out.append(
                {
                    "kind": "step",
                    "index": k,
                    "leg": side,
                    "start_s": off,
                    "end_s": land,
                    "foot_off_s": off,
                    "foot_strike_s": land,
                    key: float(value(m, side)),
                    flag: k in flagged,
                    "foot_to_floor_deg": float(ang["foot_to_floor"][0]),
                    "knee_flexion_deg": float(ang["knee_flexion"][0]),
                    "variant": self.variant,
                }
            )
        return out


@dataclass(frozen=True)
class HeelWalkProfile(_WalkBase):
    """Walking on the heels, toes up.

    Attributes (besides the walk's: steps, step_length_cm, cadence_spm,
    swing_frac, first_leg, variant "forward"/"in"/"out" (20 degrees),
    clearance_cm, lead_in_s, setup_s, lead_out_s):
        toe_lift_deg: whole-foot rotation about the heel contact, toes up, degrees.
        touch_steps: 0-based step indices after which the forefoot drops to
            the floor for a moment during that foot's stance.
    """

    toe_lift_deg: float = 25.0
    touch_steps: tuple[int, ...] = ()

    def _pitch(self, body: BodyModel, t: FloatArray, side: str) -> tuple[FloatArray, FloatArray]:
        g = ramp((t - self.lead_in_s) / self.setup_s)
        toe = g * self.toe_lift_deg * RAD * self._touch(t, side, self.touch_steps)
        return np.zeros_like(t), toe

    def events(self, body: BodyModel) -> list[Event]:
        def fore(m: Motion, side: str) -> float:
            return float(100.0 * m.feet[side]["mtp"][0, 1])

        return self._step_events(
            body, "forefoot_height_cm", fore, "forefoot_touched", self.touch_steps
        )


@dataclass(frozen=True)
class ToeWalkProfile(_WalkBase):
    """Walking on the balls of the feet, heels up, knees nearly straight.

    Attributes (besides the walk's, see ``HeelWalkProfile``):
        heel_height_cm: heel contact height during the walk, cm.
        drop_steps: 0-based step indices after which the heel drops to the
            floor for a moment during that foot's stance.
    """

    heel_height_cm: float = 6.0
    drop_steps: tuple[int, ...] = ()

    def _pitch(self, body: BodyModel, t: FloatArray, side: str) -> tuple[FloatArray, FloatArray]:
        g = ramp((t - self.lead_in_s) / self.setup_s)
        h = g * self.heel_height_cm / 100.0 * self._touch(t, side, self.drop_steps)
        return heel_rise_angle(body, h), np.zeros_like(t)

    def events(self, body: BodyModel) -> list[Event]:
        def heel(m: Motion, side: str) -> float:
            return float(100.0 * m.feet[side]["heel_contact"][0, 1])

        return self._step_events(body, "heel_height_cm", heel, "heel_dropped", self.drop_steps)


@dataclass(frozen=True)
class LateralHopsProfile(ProfileBase):
    """Side-to-side hops over a line (along z), two-footed or on one leg.

    Attributes:
        hops: number of hops (a two-foot jump in place, ``width_cm=0``, counts as one).
        width_cm: sideways distance of each hop, cm (first hop toward the
            person's ``first_direction``).
        contact_s: ground contact between landings and take-offs, s.
        flight_s: time in the air per hop, s (apex = g * flight_s^2 / 8).
        leg: "both", or "left"/"right" for single-leg hops.
        landing_knee_deg: knee flexion at the middle of each contact.
        standing_knee_deg: knee flexion at touchdown / take-off and standing.
        heel_clearance_cm: heel height at touchdown and take-off (forefoot
            contact); the heel touches the floor mid-contact.
        first_direction: "right" (+z) or "left".
    """

    hops: int = 10
    width_cm: float = 30.0
    contact_s: float = 0.3
    flight_s: float = 0.3
    leg: str = "both"
    landing_knee_deg: float = 35.0
    standing_knee_deg: float = 5.0
    heel_clearance_cm: float = 2.0
    first_direction: str = "right"
    lead_in_s: float = 1.0
    lead_out_s: float = 1.0

    def __post_init__(self) -> None:
        _check_side("leg", self.leg, ("both", *SIDES))
        _check_side("first_direction", self.first_direction, SIDES)
        _positive(contact_s=self.contact_s, flight_s=self.flight_s)
        if self.hops < 1 or self.width_cm < 0:
            raise ValueError("hops must be >= 1 and width_cm >= 0")

    @property
    def period_s(self) -> float:
        return self.contact_s + self.flight_s

    def takeoff_s(self, k: int) -> float:
        return self.lead_in_s + 0.5 * self.contact_s + k * self.period_s

    @property
    def duration_s(self) -> float:
        return (
            self.takeoff_s(self.hops - 1) + self.flight_s + 0.5 * self.contact_s + self.lead_out_s
        )

    @property
    def apex_cm(self) -> float:
        return 100.0 * G * self.flight_s**2 / 8.0

    def _centre_z(self, k: int) -> float:
        """Feet-centre z before hop k (the line is at z = 0)."""
        w = self.width_cm / 100.0
        sgn = SIDE_SIGN[self.first_direction]
        return -sgn * w / 2 if k % 2 == 0 else sgn * w / 2

    def _state(self, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """(feet-centre z, airborne height, heel height, knee flexion) per frame."""
        z = np.full_like(t, self._centre_z(0))
        y = np.zeros_like(t)
        heel = np.zeros_like(t)
        knee = np.full_like(t, self.standing_knee_deg * RAD)
        c = self.contact_s
        dk = (self.landing_knee_deg - self.standing_knee_deg) * RAD
        h = self.heel_clearance_cm / 100.0
        for k in range(self.hops):
            to = self.takeoff_s(k)
            # contact before take-off k (half a contact for the first hop: push-off only)
            start = to - (0.5 * c if k == 0 else c)
            u0 = 0.5 if k == 0 else 0.0
            inside = (t >= start) & (t < to)
            u = u0 + (t - start) / c
            heel = np.where(inside, h * np.cos(np.pi * u) ** 2, heel)
            knee = np.where(inside, self.standing_knee_deg * RAD + dk * np.sin(np.pi * u), knee)
            # flight
            s = t - to
            air = (s >= 0) & (s < self.flight_s)
            z0, z1 = self._centre_z(k), self._centre_z(k + 1)
            z = np.where(air, z0 + (z1 - z0) * s / self.flight_s, z)
            z = np.where(s >= self.flight_s, z1, z)
            y = np.where(air, 0.5 * G * s * (self.flight_s - s), y)
            heel = np.where(air, h, heel)
        # the final landing: half a contact, then standing
        land = self.takeoff_s(self.hops - 1) + self.flight_s
        inside = (t >= land) & (t < land + 0.5 * c)
        u = (t - land) / c
        heel = np.where(inside, h * np.cos(np.pi * u) ** 2, heel)
        knee = np.where(inside, self.standing_knee_deg * RAD + dk * np.sin(np.pi * u), knee)
        after = t >= land + 0.5 * c
        knee = np.where(
            after,
            self.standing_knee_deg * RAD + dk * (1 - ramp((t - land - 0.5 * c) / 0.5)),
            knee,
        )
        heel = np.where(after, 0.0, heel)
        return z, y, heel, knee

    def motion(self, body: BodyModel, t: FloatArray) -> Motion:
        t = np.asarray(t, dtype=np.float64)
        n = t.shape[0]
        zc, air, heel, knee = self._state(t)
        zeros = np.zeros(n)
        stance = SIDES if self.leg == "both" else (self.leg,)
        feet = {}
        for s in stance:
            off = 0.5 * body.hip_spacing * SIDE_SIGN[s] if self.leg == "both" else 0.0
            pos = np.stack([zeros, air, zc + off], axis=1)
            feet[s] = planted_foot(body, pos, zeros, heel_rise_angle(body, heel), zeros)
        tibia = 0.5 * knee
        if self.leg == "both":
            pelvis = _pelvis_from_stance(body, feet["left"]["ankle"], "left", tibia, knee, zeros)
        else:
            s = self.leg
            tilt = np.full(n, SIDE_SIGN[s] * math.asin(0.5 * body.hip_spacing / body.leg_length))
            pelvis = _pelvis_from_stance(body, feet[s]["ankle"], s, tibia, knee, tilt)
            free = "right" if s == "left" else "left"
            feet[free] = _free_leg_feet(
                body,
                pelvis,
                free,
                np.full(n, 10 * RAD),
                np.full(n, 80 * RAD),
                np.full(n, -30 * RAD),
            )
        arms = ArmPose(
            flexion=0.3 + 0.3 * np.sin(2 * np.pi * t / (2 * self.period_s)),
            abduction=0.25,
            elbow=1.2,
        )
        return assemble(body, pelvis, feet, lean_fwd=np.full(n, 8 * RAD), arms=arms)

    def events(self, body: BodyModel) -> list[Event]:
        out: list[Event] = []
        stance = SIDES if self.leg == "both" else (self.leg,)
        for k in range(self.hops):
            to = self.takeoff_s(k)
            land = to + self.flight_s
            z0, z1 = self._centre_z(k), self._centre_z(k + 1)
            m = self.at(body, [land + 0.5 * self.contact_s])
            knee = max(float(sagittal_angles(m.joints, s)["knee_flexion"][0]) for s in stance)
            out.append(
                {
                    "kind": "hop",
                    "index": k,
                    "leg": self.leg,
                    "start_s": to,
                    "end_s": land,
                    "takeoff_s": to,
                    "landing_s": land,
                    "flight_s": self.flight_s,
                    "contact_s": self.contact_s if k > 0 else None,
                    "width_cm": abs(z1 - z0) * 100.0,
                    "direction": ("right" if z1 > z0 else "left") if z1 != z0 else "in place",
                    "apex_cm": self.apex_cm,
                    "landing_knee_flexion_deg": knee,
                }
            )
        return out
