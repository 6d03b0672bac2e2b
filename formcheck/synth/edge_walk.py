"""Inversion / eversion walk: walking on the outer or inner edges of the feet.

Adds frontal-plane truth to the walking profiles of ``formcheck.synth.gait``:
each planted foot is rolled about its long axis, pivoting on the edge it
stands on (the lateral border for ``edge="outer"``, inversion; the medial
border for ``edge="inner"``, eversion), half a foot breadth from the foot's
midline at floor level. Everything else (steps, cadence, pelvis riding above
the ankles) is the walk of ``_WalkBase``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.synth.body import BodyModel
from formcheck.synth.gait import VARIANTS, _WalkBase
from formcheck.synth.pose import SIDE_SIGN
from formcheck.synth.profiles import RAD, Event, ramp

FloatArray = npt.NDArray[np.float64]

EDGES = ("outer", "inner")


def _rotate_about_axis(
    points: FloatArray, axis: FloatArray, angle: FloatArray, pivot: FloatArray
) -> FloatArray:
    """Rodrigues rotation of (T, 3) points by (T,) angles about unit (T, 3) axes through (T, 3) pivots."""
    p = points - pivot
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    cross = np.cross(axis, p)
    dot = np.sum(axis * p, axis=1, keepdims=True)
    return p * c + cross * s + axis * dot * (1.0 - c) + pivot


@dataclass(frozen=True)
class EdgeWalkProfile(_WalkBase):
    """Walking on the outer (inversion) or inner (eversion) edges of the feet.

    Attributes (besides the walk's, see ``HeelWalkProfile``):
        edge: "outer" (inversion walk) or "inner" (eversion walk).
        tilt_deg: roll of each planted foot about its long axis, degrees
            (the sole turned inward for "outer", outward for "inner").
        flat_steps: 0-based step indices after which the foot lands flat
            (no tilt) for its whole stance.
    """

    edge: str = "outer"
    tilt_deg: float = 25.0
    flat_steps: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.edge not in EDGES:
            raise ValueError(f"edge must be one of {list(EDGES)}, got {self.edge!r}")

    def _pitch(self, body: BodyModel, t: FloatArray, side: str) -> tuple[FloatArray, FloatArray]:
        return np.zeros_like(t), np.zeros_like(t)

    def roll_deg(self, t: FloatArray, side: str) -> FloatArray:
        """(T,) signed roll of one foot, degrees (+ inversion: sole turned inward)."""
        g = ramp((t - self.lead_in_s) / self.setup_s)
        flat = np.zeros_like(t)
        stance = 2 * self.step_s - self.swing_s
        for k in self.flat_steps:
            if self.step_leg(k) != side:
                continue
            land = self.step_off_s(k) + self.swing_s
            flat = np.maximum(flat, ((t >= land - 0.05) & (t <= land + stance)).astype(float))
        sign = 1.0 if self.edge == "outer" else -1.0
        return np.asarray(sign * self.tilt_deg * g * (1.0 - flat), dtype=np.float64)

    def _adjust_foot(
        self, body: BodyModel, t: FloatArray, side: str, foot: dict[str, FloatArray]
    ) -> dict[str, FloatArray]:
        n = t.shape[0]
        yaw = SIDE_SIGN[side] * VARIANTS[self.variant] * RAD
        fwd = np.tile([np.cos(yaw), 0.0, -np.sin(yaw)], (n, 1))  # yaw turns +x toward -z
        lateral = SIDE_SIGN[side] * np.tile([np.sin(yaw), 0.0, np.cos(yaw)], (n, 1))
        roll = self.roll_deg(t, side) * RAD
        # pivot: the edge the foot stands on (lateral for inversion, medial for eversion)
        edge_sign = np.where(roll >= 0, 1.0, -1.0)[:, None]
        base = foot["heel_contact"].copy()
        base[:, 1] = 0.0
        pivot = base + edge_sign * lateral * 0.5 * body.foot_breadth
        # rotating about +fwd by +a moves "up" toward +z; inversion moves up toward lateral
        angle = roll * SIDE_SIGN[side]
        return {k: _rotate_about_axis(v, fwd, angle, pivot) for k, v in foot.items()}

    def events(self, body: BodyModel) -> list[Event]:
        out = self._step_events(body, "tilt_deg", lambda m, s: 0.0, "flat", self.flat_steps)
        for e in out:
            stance_mid = e["foot_strike_s"] + (
                0.5 * (2 * self.step_s - self.swing_s) if e["index"] < self.steps - 1 else 0.3
            )
            e["tilt_deg"] = float(self.roll_deg(np.array([stance_mid]), e["leg"])[0])
            e["edge"] = self.edge
        return out
