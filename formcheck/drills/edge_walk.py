"""Inversion and eversion walks (``inversion-walk``, ``eversion-walk``): foot tilt per step.

The runner walks on the outer edges of the feet (inversion walk, soles turned
in) or on the inner edges (eversion walk, soles turned out), filmed walking
toward the camera (front view) or away from it (back view). One module, two
registered objects (``INVERSION_WALK``, ``EVERSION_WALK``): the measurement is
the same, only the wanted direction of tilt differs.

Method (numbers from ``edge_walk.toml`` and ``steps.toml``):

1. Steps: swings of each foot from the feet's vertical motion in the picture
   (walking toward the camera, perspective moves a stepping foot down the
   picture and the swing lifts it; ``formcheck.drills.steps`` with
   ``toward_camera=True``). Each step is measured over the stance after it.
2. Tilt: BlazePose has no points across the foot, so the tilt is read from
   the ankle landmark's sideways offset from the heel landmark, across the
   picture. The ankle sits ``ankle_above_heel_frac`` of stature above the
   heel landmark; a foot rolled by ``a`` about its long axis moves the ankle
   sideways of the heel by that height times ``sin(a)``. The side that counts
   as lateral (outward) for each foot comes from the hips in the picture (the
   right hip is on the right foot's lateral side), so front and back views
   need no special case. The offset at the start, standing on flat feet
   (the first ``baseline_s`` before the first step), is subtracted: it holds
   toeing out and the leg's own alignment. Sign: + = inversion (on the outer
   edge), - = eversion (on the inner edge).

   This is a rough projection of the rearfoot angle: toeing out more or less
   than when standing, turning the body, and knee motion all move the ankle
   sideways too, and from the front the heel landmark is hidden behind the
   foot. Every tilt number is flagged with that caveat.
3. On the edge: a step whose stance tilt, in the drill's direction, is at
   least ``on_edge_min_deg``. Other steps are "flat" (or on the wrong edge).

Side and oblique views cannot see the foot's tilt: steps are still counted
but tilt numbers are None, with a warning saying how to film.

Score (0-100, None without a measured step)::

    score = 100 * (0.6 * min(1, median_tilt_deg / target_tilt_deg)
                   + 0.3 * (steps on the edge / measured steps)
                   + 0.1 * min(1, steps / target_steps))

with ``median_tilt_deg`` the median over steps of the per-step tilt in the
drill's direction (inversion positive for the inversion walk, eversion
positive for the eversion walk). The median, not the mean: per-step tilts rest
on a 5 cm lever (ankle over heel) and one misplaced landmark can throw a step
by tens of degrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.drills import steps as st
from formcheck.drills import walk_common as wc
from formcheck.drills.base import Cue, DrillContext, DrillResult
from formcheck.landmarks import Landmark
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]

SCORE_WEIGHTS = {"tilt": 0.6, "on_edge": 0.3, "steps": 0.1}
"""Weights of the score terms (module docstring); they sum to 1."""

TILT_VIEWS = frozenset({"front", "back"})
"""Views in which the foot's sideways tilt is seen."""

ROUGH_NOTE = (
    "rough: BlazePose has no points across the foot, so tilt is the ankle's sideways "
    "shift over the heel (a projection of the rearfoot angle); toeing out, turning or "
    "bending the knees changes it too"
)
VIEW_NOTES = {
    "front": "front view: the heel is hidden behind the foot, its landmark is a guess",
    "back": "",
}
"""Extra reasons per tilt view (the back view sees the heel best)."""


@dataclass(frozen=True)
class EdgeWalkThresholds:
    """Inversion/eversion-walk thresholds; see ``edge_walk.toml`` for units and sources."""

    ankle_above_heel_frac: float
    baseline_s: float
    min_baseline_s: float
    stance_core_fraction: float
    max_stance_s: float
    on_edge_min_deg: float
    target_inversion_deg: float
    target_eversion_deg: float
    target_steps: int


def lateral_sign(track_px: FloatArray, side: str) -> FloatArray:
    """(T,) +1/-1: image-x direction of ``side``'s lateral (outward) side, from the hips.

    Args:
        track_px: (T, 33, 2) landmark pixels.
        side: "left" or "right".

    The right foot's lateral side is where the right hip is relative to the
    left hip (and the reverse for the left foot): image-left when the person
    faces the camera, image-right seen from behind. Frames where the hips
    are unknown take the clip's median direction.
    """
    dx = track_px[:, int(Landmark.RIGHT_HIP), 0] - track_px[:, int(Landmark.LEFT_HIP), 0]
    if side == "left":
        dx = -dx
    med = st.nanmedian(dx)
    fallback = 1.0 if not np.isfinite(med) or med >= 0 else -1.0
    return np.where(np.isfinite(dx) & (dx != 0), np.sign(dx), fallback)


def tilt_deg(
    lateral_px: FloatArray, body_px: FloatArray, ankle_above_heel_frac: float
) -> FloatArray:
    """(T,) foot tilt, degrees (+ inversion), before the standing level is removed.

    Args:
        lateral_px: (T,) ankle minus heel landmark, pixels, along the foot's
            lateral direction across the picture.
        body_px: (T,) stature in pixels.
        ankle_above_heel_frac: ankle height above the heel landmark, fraction
            of stature.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        s = lateral_px / (ankle_above_heel_frac * body_px)
    return np.degrees(np.arcsin(np.clip(s, -1.0, 1.0)))


def standing_level(
    times_s: FloatArray, raw_deg: FloatArray, first_off_i: int | None, th: EdgeWalkThresholds
) -> float | None:
    """Median raw tilt while standing at the start (None if under ``min_baseline_s``)."""
    t0 = float(times_s[0])
    end = t0 + th.baseline_s
    if first_off_i is not None:
        end = min(end, float(times_s[first_off_i]))
    if end - t0 < th.min_baseline_s:
        return None
    sel = times_s < end
    level = st.nanmedian(raw_deg[sel])
    return level if np.isfinite(level) else None


class EdgeWalkDrill:
    """An edge walk; ``edge`` = "outer" (inversion walk) or "inner" (eversion walk)."""

    accepted_views = frozenset(TILT_VIEWS)

    def __init__(self, edge: str) -> None:
        if edge not in ("outer", "inner"):
            raise ValueError(f"edge must be 'outer' or 'inner', got {edge!r}")
        self.edge = edge
        self.sign = 1.0 if edge == "outer" else -1.0
        self.motion = "inversion" if edge == "outer" else "eversion"
        self.name = f"{self.motion}-walk"
        self.title = f"{self.motion.capitalize()} walk"
        self.how_to_film = (
            "Put the phone at knee height 4-5 m in front of you, facing you. Stand still on "
            "flat feet for 2 seconds, then roll onto the "
            f"{edge} edges of your feet and walk 10-15 short steps toward the camera. Your "
            "whole body and both feet must stay in view (filming from behind works too)."
        )
        self.measures = (
            f"steps, foot tilt per step (degrees of {self.motion}, rough: from the ankle's "
            "shift over the heel), flat steps, left vs right"
        )

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Measure an inversion or eversion walk in ``ctx``."""
        w = wc.setup_walk(ctx, EdgeWalkThresholds, "edge_walk.toml")
        th, ws, times, view, steps = w.th, w.ws, w.times_s, w.view, w.steps
        measurable = view in TILT_VIEWS
        px = w.track.pixels.astype(np.float64)
        tilt: dict[str, FloatArray] = {}
        levels: dict[str, float | None] = {}
        first = steps[0].off_i if steps else None
        for s in st.SIDES:
            heel, ankle = wc.foot_ends_px(w.track, times, s, "ankle")
            lateral = (ankle[:, 0] - heel[:, 0]) * lateral_sign(px, s)
            raw = tilt_deg(lateral, ws.body_px, th.ankle_above_heel_frac)
            levels[s] = standing_level(times, raw, first, th)
            tilt[s] = raw - (levels[s] or 0.0) if measurable else np.full(len(times), np.nan)

        def measure(step: st.Step, core: slice) -> dict[str, Any]:
            value = st.nanmedian(tilt[step.leg][core]) if measurable else float("nan")
            return {
                "tilt_deg": st.rnd(value, 1),
                "on_edge": bool(np.isfinite(value) and self.sign * value >= th.on_edge_min_deg)
                if measurable
                else None,
            }

        def notes(step: st.Step) -> dict[str, str]:
            if not measurable:
                return {}
            return {"tilt_deg": self._tilt_note(view, levels[step.leg] is None)}

        events = wc.step_events(
            ctx, w, th.stance_core_fraction, th.max_stance_s, measure, notes, far_leg=False
        )
        return self._result(ctx, w, events, tilt, levels)

    def _tilt_note(self, view: str, no_level: bool) -> str:
        parts = [ROUGH_NOTE]
        if VIEW_NOTES.get(view):
            parts.append(VIEW_NOTES[view])
        if no_level:
            parts.append(
                "no standing start before the first step: tilt measured from straight up, "
                "so toeing out is included; stand still on flat feet for 2 s first"
            )
        return "; ".join(parts)

    def _result(
        self,
        ctx: DrillContext,
        w: wc.WalkSetup[EdgeWalkThresholds],
        events: list[dict[str, Any]],
        tilt: dict[str, FloatArray],
        levels: dict[str, float | None],
    ) -> DrillResult:
        th, view, steps = w.th, w.view, w.steps
        measurable = view in TILT_VIEWS
        target = th.target_inversion_deg if self.edge == "outer" else th.target_eversion_deg
        measured = [e for e in events if e["tilt_deg"] is not None]
        vals = [self.sign * e["tilt_deg"] for e in measured]  # + in the drill's direction
        flat = [e for e in measured if not e["on_edge"]]
        typical_tilt = float(np.median(vals)) if vals else None
        key = f"median_{self.motion}_deg"
        summary: dict[str, Any] = {
            "step_count": len(steps),
            key: st.rnd(typical_tilt, 1),
            f"min_{self.motion}_deg": st.rnd(min(vals), 1) if vals else None,
            "steps_on_edge": len(measured) - len(flat) if measured else None,
            "flat_steps": len(flat) if measured else None,
            "left_right": wc.left_right(wc.values_by_leg(events, "tilt_deg", self.sign), key, 1),
            "ignored_movements": len(w.rejected),
        }
        flags: dict[str, str] = {}
        warnings: list[QualityIssue] = []
        if measurable:
            note = self._tilt_note(view, any(levels[s] is None for s in st.SIDES))
            for k in (key, f"min_{self.motion}_deg", "flat_steps", "left_right"):
                flags[k] = note
            flags["step_count"] = wc.TOWARD_CAMERA_STEP_NOTE
        else:
            warnings.append(
                QualityIssue(
                    f"{self.motion}_walk_view",
                    "warning",
                    f"foot tilt cannot be seen from the {view} view: film yourself walking "
                    "toward the camera (phone at knee height 4-5 m in front of you) or away "
                    "from it; steps were counted, tilt was not measured",
                )
            )
        if not steps:
            warnings.append(st.no_steps_issue(f"{self.motion}_walk_no_steps"))
        cues: list[Cue] = []
        for e in flat:
            cues.append(
                Cue(
                    e["end_s"],
                    "warning",
                    f"stay on the {self.edge} edge: step {e['index']} ({e['leg']} foot) "
                    "landed flat",
                )
            )
        if typical_tilt is not None and typical_tilt < target:
            low = wc.weakest_step(measured, "tilt_deg", self.sign)
            cues.append(
                Cue(
                    low["end_s"],
                    "warning",
                    f"roll further onto the {self.edge} edges: {typical_tilt:.0f} degrees of "
                    f"{self.motion} in a typical step; aim for {target:.0f}",
                )
            )
        done = f"{len(steps)} steps on the {self.edge} edges" if measured else None
        cues = wc.finish_cues(cues, len(steps), th.target_steps, done)
        norms = []
        if typical_tilt is not None:
            norms.append(
                wc.reference_norm(
                    key,
                    typical_tilt,
                    1,
                    "deg",
                    f"no published {self.name} norm; rearfoot {self.motion} range "
                    f"~{target:g} degrees",
                    "rearfoot (subtalar) range, inversion about twice eversion; reference only",
                    target,
                )
            )
        score = None
        if measured and typical_tilt is not None:
            score = wc.weighted_score(
                SCORE_WEIGHTS,
                {
                    "tilt": wc.clamp01(typical_tilt / target),
                    "on_edge": 1 - len(flat) / len(measured),
                    "steps": wc.steps_term(len(steps), th.target_steps),
                },
            )
        return wc.walk_result(
            w,
            {"tilt_deg": tilt},
            summary=summary,
            events=events,
            cues=cues,
            score=score,
            flags=flags,
            norms=norms,
            warnings=warnings,
        )


INVERSION_WALK = EdgeWalkDrill("outer")
"""``inversion-walk``: on the outer edges of the feet."""

EVERSION_WALK = EdgeWalkDrill("inner")
"""``eversion-walk``: on the inner edges of the feet."""
