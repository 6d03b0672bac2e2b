"""Heel walk (``heel-walk``): steps, toe lift per step, forefoot touches, foot direction.

Method (numbers from ``heel_walk.toml`` and ``steps.toml``):

1. Steps: swings of each foot found from foot speed (``formcheck.drills.steps``);
   each step is measured over the stance that follows it.
2. Toe lift: the toe landmark's height above the heel landmark, measured
   perpendicular to the floor, divided by the foot's length in pixels (15.2%
   of the person's stature in pixels, Winter 2009) gives the heel->toe line's
   angle to the floor; minus the flat-foot angle it is the **toe lift** in
   degrees (foot rotation about the heel). The **forefoot height** (ball of
   the foot above the floor, cm) is ``0.68 * foot length * sin(toe lift)``.
   Heights, not image angles, are used because vertical lengths are not
   foreshortened when the camera is oblique. The toe's height over the heel
   is the part of the heel->toe image vector along "up" once the part along
   the walking path's image direction is taken out (``steps.rise_px``): filmed
   obliquely, the floor is seen in perspective and a toe nearer the camera
   than its heel looks lower (by ~10 degrees of toe lift at 45 degrees from
   4-5 m with the lens 1 m up) unless its depth offset is separated this way.
   On a pose model's track (not synthetic) the toe lift, and so the forefoot
   height, is multiplied by a render-derived factor of the frame's view
   (``toe_lift_scale``; ``toe_lift_scale_side`` / ``toe_lift_scale_oblique``):
   MediaPipe's toe landmark rises about half as much as the toes do.
3. A forefoot touch: the forefoot height as the landmarks show it (before the
   factor of step 2, which would lift a real touch's ~1 cm reading over the
   threshold; smoothed over ``touch_smoothing_s``) comes within
   ``touch_height_cm`` of the floor during the stance. Side-on, on
   a pose model's track, the far foot is hidden behind the near leg: its toe
   lift is reported (flagged) but touches and the summary's toe lift come
   from the near leg (``steps.hidden_far_leg``).
4. Foot direction (toes forward / in / out) needs the foot's direction
   across the picture: measured from the front or back (toe sideways of the
   heel over the foot length), reported "unknown" side-on or oblique, where
   toes in and toes out look the same.

Score (0-100, None without a step)::

    score = 100 * (0.6 * min(1, mean_toe_lift_deg / target_toe_lift_deg)
                   + 0.3 * (1 - touched_steps / steps)
                   + 0.1 * min(1, steps / target_steps))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.drills import steps as st
from formcheck.drills import walk_common as wc
from formcheck.drills.base import Cue, DrillContext, DrillResult
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]

SCORE_WEIGHTS = {"lift": 0.6, "no_touch": 0.3, "steps": 0.1}
"""Weights of the score terms (module docstring); they sum to 1."""

FAR_FOOT_NOTE = (
    "far leg in a side view: its foot is hidden behind the near leg, so a forefoot touch is "
    "not judged on it; toe lift and touches come from the near leg's steps"
)
"""Flag on a far-leg step's ``forefoot_touched`` and on the summary (``steps.hidden_far_leg``)."""

VIEW_FLAGS = {
    "front": "front view: the toes point at the camera, so toe lift cannot be measured; "
    "film side-on",
    "back": "back view: the toes are hidden behind the heel, so toe lift cannot be measured; "
    "film side-on",
    "oblique": "oblique view: heights are corrected for the floor's perspective assuming the "
    "feet point along the walking path; with toes turned in or out, or the foot partly "
    "hidden, side-on is more accurate",
    "unknown": "camera view unclear: toe lift may be inaccurate",
}
"""View -> why toe-lift numbers from that view are less reliable (side: no flag)."""


@dataclass(frozen=True)
class HeelWalkThresholds:
    """Heel-walk thresholds; see ``heel_walk.toml`` for units and sources."""

    standing_foot_angle_deg: float
    stance_core_fraction: float
    max_stance_s: float
    touch_smoothing_s: float
    touch_height_cm: float
    target_toe_lift_deg: float
    target_steps: int
    toe_in_min_deg: float
    toe_out_min_deg: float
    toe_lift_scale_side: float
    toe_lift_scale_oblique: float


def foot_angle_deg(dz_px: FloatArray, foot_px: FloatArray) -> FloatArray:
    """(T,) angle of the heel->toe line to the floor, degrees (+ toes up).

    Args:
        dz_px: (T,) toe landmark minus heel landmark height along the floor normal, px.
        foot_px: (T,) foot length in px (heel to toe landmark).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.degrees(np.arcsin(np.clip(dz_px / foot_px, -1.0, 1.0)))


def toe_lift_scale(ctx: DrillContext, th: HeelWalkThresholds, n: int) -> FloatArray:
    """(n,) factor on the toe lift per frame (render-derived correction; 1 = none).

    MediaPipe's foot_index landmark rises only about half as much as the toes
    do when the foot rotates about the heel (docs/ACCURACY.md, "Rendered
    truth"), so on a pose model's track the toe lift is multiplied by
    ``toe_lift_scale_side`` / ``toe_lift_scale_oblique`` in frames of that
    view (1 in other or unknown views). Tracks not from MediaPipe
    (``model_variant`` "synthetic") get 1 throughout: their landmarks sit
    where the body model puts them.

    Args:
        ctx: the drill context (track, per-frame view).
        th: thresholds holding the factors.
        n: number of frames of the walk signals (the conditioned track's).
    """
    if ctx.track.model_variant == "synthetic":
        return np.ones(n)
    per_view = {"side": th.toe_lift_scale_side, "oblique": th.toe_lift_scale_oblique}
    views = np.asarray(ctx.view.per_frame)
    if len(views) != n:
        views = np.full(n, ctx.view.view)
    return np.array([per_view.get(str(v), 1.0) for v in views], dtype=np.float64)


def direction_from_offsets(
    toe_in_deg: list[float], th: HeelWalkThresholds
) -> tuple[str, float | None]:
    """Foot direction variant from per-step toe-in angles (degrees, + toes in)."""
    vals = [v for v in toe_in_deg if np.isfinite(v)]
    if not vals:
        return "unknown", None
    med = float(np.median(vals))
    if med >= th.toe_in_min_deg:
        return "in", med
    if med <= -th.toe_out_min_deg:
        return "out", med
    return "forward", med


class HeelWalkDrill:
    """The ``heel-walk`` drill (method and score in the module docstring)."""

    name = "heel-walk"
    title = "Heel walk"
    accepted_views = frozenset({"side", "oblique"})
    how_to_film = (
        "Put the phone at knee height 3-4 m away, side-on to your path, and walk 10-15 short "
        "steps across the picture on your heels, toes up. Your whole body and both feet must "
        "stay in view. To check toes in/out, film a second clip walking toward the camera."
    )
    measures = (
        "steps, toe lift per step (degrees and forefoot height in cm), steps where the "
        "forefoot touched down, foot direction (from the front)"
    )

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Measure a heel walk in ``ctx``."""
        w = wc.setup_walk(ctx, HeelWalkThresholds, "heel_walk.toml")
        th, ws, times, view = w.th, w.ws, w.times_s, w.view
        foot_px = st.FOOT_LENGTH_FRAC * ws.body_px
        foot_cm = st.FOOT_LENGTH_FRAC * st.stature_cm(ctx, ws.body_px)
        path_dir = st.walk_floor_direction(ctx, ws)
        up = st.floor_up(ctx)
        scale = toe_lift_scale(ctx, th, len(times))
        lift: dict[str, FloatArray] = {}
        fore: dict[str, FloatArray] = {}
        seen: dict[str, FloatArray] = {}  # forefoot height as the landmarks show it (touches)
        toe_in: dict[str, FloatArray] = {}
        for s in st.SIDES:
            heel, toe = wc.foot_ends_px(w.track, times, s)
            dz = st.rise_px(toe - heel, path_dir, up)
            raw = foot_angle_deg(dz, foot_px) - th.standing_foot_angle_deg
            lift[s] = scale * raw
            fore[s] = st.BALL_FRAC * foot_cm * np.sin(np.radians(lift[s]))
            seen[s] = st.BALL_FRAC * foot_cm * np.sin(np.radians(raw))
            across = st.floor_along_px(ctx, toe) - st.floor_along_px(ctx, heel)
            with np.errstate(invalid="ignore", divide="ignore"):
                yaw = np.degrees(np.arcsin(np.clip(across / foot_px, -1.0, 1.0)))
            # + toes in: the right toe points to the person's left
            sign = {"front": 1.0, "back": -1.0}.get(view, np.nan)
            toe_in[s] = yaw * sign * (1.0 if s == "right" else -1.0)

        hidden = st.hidden_far_leg(ctx, view)

        def measure(step: st.Step, core: slice) -> dict[str, Any]:
            lowest = wc.stance_lowest(
                seen[step.leg], step, th.max_stance_s, th.touch_smoothing_s, times
            )
            return {
                "toe_lift_deg": wc.core_median(lift[step.leg], core, 1),
                "forefoot_height_cm": wc.core_median(fore[step.leg], core),
                "lowest_forefoot_cm": st.rnd(lowest),
                "forefoot_touched": None
                if step.leg == hidden
                else wc.below(lowest, th.touch_height_cm),
                "toe_in_deg": wc.core_median(toe_in[step.leg], core, 1),
            }

        events = wc.step_events(
            ctx,
            w,
            th.stance_core_fraction,
            th.max_stance_s,
            measure,
            lambda step: {
                **wc.view_notes(("toe_lift_deg",), view, VIEW_FLAGS),
                **({"forefoot_touched": FAR_FOOT_NOTE} if step.leg == hidden else {}),
            },
        )
        return _result(ctx, w, events, lift, fore, hidden)


def _result(
    ctx: DrillContext,
    w: wc.WalkSetup[HeelWalkThresholds],
    events: list[dict[str, Any]],
    lift: dict[str, FloatArray],
    fore: dict[str, FloatArray],
    hidden: str | None,
) -> DrillResult:
    th, view, steps = w.th, w.view, w.steps
    judged = [e for e in events if e["leg"] != hidden and e["toe_lift_deg"] is not None]
    if not judged:  # no near-leg step measured: the far leg's, flagged, rather than nothing
        judged, hidden = [e for e in events if e["toe_lift_deg"] is not None], None
    lifts = [e["toe_lift_deg"] for e in judged]
    heights = [e["forefoot_height_cm"] for e in judged if e["forefoot_height_cm"] is not None]
    touched = [e for e in events if e["forefoot_touched"]]
    direction, toe_in_med = (
        direction_from_offsets([e["toe_in_deg"] or np.nan for e in events], th)
        if view in wc.TOWARD_CAMERA_VIEWS
        else ("unknown", None)
    )
    mean_lift = float(np.mean(lifts)) if lifts else None
    summary: dict[str, Any] = {
        "step_count": len(steps),
        "mean_toe_lift_deg": st.rnd(mean_lift, 1),
        "min_toe_lift_deg": st.rnd(min(lifts), 1) if lifts else None,
        "mean_forefoot_height_cm": st.rnd(float(np.mean(heights))) if heights else None,
        "forefoot_touches": len(touched),
        "foot_direction": direction,
        "toe_in_deg": st.rnd(toe_in_med, 1),
        "left_right": wc.left_right(
            wc.values_by_leg(events, "toe_lift_deg"), "mean_toe_lift_deg", 1
        ),
        "ignored_movements": len(w.rejected),
    }
    flags: dict[str, str] = {}
    wc.view_flag(
        flags,
        ("mean_toe_lift_deg", "mean_forefoot_height_cm", "forefoot_touches"),
        view,
        VIEW_FLAGS,
    )
    if view in wc.TOWARD_CAMERA_VIEWS:
        flags["step_count"] = wc.TOWARD_CAMERA_STEP_NOTE
    else:
        flags["foot_direction"] = (
            f"{view} view: toes in and toes out look alike from here; film walking toward "
            "the camera to see the foot direction"
        )
    if hidden is not None and any(e["leg"] == hidden for e in events):
        for key in ("mean_toe_lift_deg", "mean_forefoot_height_cm", "forefoot_touches"):
            wc.add_calibration_note(flags, key, FAR_FOOT_NOTE)
    wc.add_calibration_note(flags, "mean_forefoot_height_cm", st.calibration_note(ctx))
    cues: list[Cue] = []
    for e in touched:
        cues.append(
            Cue(
                e["end_s"],
                "warning",
                f"keep the toes up: your forefoot touched down on step {e['index']} "
                f"({e['leg']} foot)",
            )
        )
    if (
        mean_lift is not None
        and mean_lift < th.target_toe_lift_deg
        and view not in wc.TOWARD_CAMERA_VIEWS
    ):
        low = wc.weakest_step(events, "toe_lift_deg")
        cues.append(
            Cue(
                low["end_s"],
                "warning",
                f"lift the toes higher: {mean_lift:.0f} degrees on average; aim for "
                f"{th.target_toe_lift_deg:.0f}",
            )
        )
    done = f"{len(steps)} steps on your heels with the toes up" if steps else None
    cues = wc.finish_cues(cues, len(steps), th.target_steps, done)
    norms = []
    if mean_lift is not None:
        norms.append(
            wc.reference_norm(
                "mean_toe_lift_deg",
                mean_lift,
                1,
                "deg",
                "no published heel-walk norm; active dorsiflexion "
                f"~{th.target_toe_lift_deg:g} degrees",
                "AAOS joint-motion norms (reference only)",
                th.target_toe_lift_deg,
            )
        )
    warnings: list[QualityIssue] = [] if steps else [st.no_steps_issue("heel_walk_no_steps")]
    score = None
    if steps and mean_lift is not None:
        score = wc.weighted_score(
            SCORE_WEIGHTS,
            {
                "lift": wc.clamp01(mean_lift / th.target_toe_lift_deg),
                "no_touch": 1 - len(touched) / len(steps),
                "steps": wc.steps_term(len(steps), th.target_steps),
            },
        )
    return wc.walk_result(
        w,
        {"toe_lift_deg": lift, "forefoot_height_cm": fore},
        summary=summary,
        events=events,
        cues=cues,
        score=score,
        flags=flags,
        norms=norms,
        warnings=warnings,
    )


DRILL = HeelWalkDrill()
"""The registered drill object."""
