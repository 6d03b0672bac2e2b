"""Toe walk (``toe-walk``): steps, heel height per step, heel drops, knee bend.

Method (numbers from ``toe_walk.toml`` and ``steps.toml``):

1. Steps: swings of each foot from foot speed (``formcheck.drills.steps``);
   each step is measured over the stance that follows it.
2. Heel height: on the toes the toe landmark stays on the floor, so the heel
   landmark's height above the toe landmark (along "up" after the heel->toe
   image vector's part along the walking path's image direction is taken out,
   ``steps.rise_px``: filmed obliquely, the floor is seen in perspective),
   minus that offset for a flat foot, is the heel's rise; times
   ``heel_contact_ratio`` it is the height of the sole under the heel (cm).
   The flat-foot offset is the anatomical average (``standing_foot_angle_deg``
   over the foot length, 15.2% of stature), or, on a pose model's track, the
   person's own flat foot seen before the first step when it differs from the
   average by a real change (``steps.flat_zero``).
3. A heel drop: the heel height (smoothed) comes within ``drop_height_cm``
   of the floor during a stance. Side-on, on a pose model's track, the far
   leg's heel is hidden behind the near leg: its heights are reported
   (flagged) but drops and the summary's heights come from the near leg.
4. Knee bend: median knee flexion over the stance (0 = straight).

Score (0-100, None without a step)::

    score = 100 * (0.5 * min(1, mean_heel_height_cm / target_heel_height_cm)
                   + 0.3 * (1 - heel_drops / steps)
                   + 0.1 * (1 if median knee bend <= knee_bend_cue_deg else 0)
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

SCORE_WEIGHTS = {"height": 0.5, "no_drop": 0.3, "knee": 0.1, "steps": 0.1}
"""Weights of the score terms (module docstring); they sum to 1."""

FAR_HEEL_NOTE = (
    "far leg in a side view: its heel is hidden behind the near leg, so a heel drop is not "
    "judged on it; heel height and drops come from the near leg's steps"
)
"""Flag on a far-leg step's ``heel_dropped`` and on the summary (``steps.hidden_far_leg``)."""

ASSUMED_FLAT_NOTE = (
    "heel heights are measured from an average flat foot: stand still flat-footed for a "
    "second before your first step so your own flat foot is the zero"
)
"""Flag on ``mean_heel_height_cm`` when no flat-footed standing was seen before the walk."""

VIEW_FLAGS = {
    "front": "front view: the heel is hidden behind the foot, so its height is a guess; "
    "film side-on",
    "back": "back view: the toes are hidden in front of the heel; film side-on",
    "oblique": "oblique view: heights are corrected for the floor's perspective assuming the "
    "feet point along the walking path; with toes turned in or out, or the foot partly "
    "hidden, side-on is more accurate",
    "unknown": "camera view unclear: heel height may be inaccurate",
}
"""View -> why heel-height numbers from that view are less reliable (side: no flag)."""


@dataclass(frozen=True)
class ToeWalkThresholds:
    """Toe-walk thresholds; see ``toe_walk.toml`` for units and sources."""

    standing_foot_angle_deg: float
    heel_contact_ratio: float
    stance_core_fraction: float
    max_stance_s: float
    drop_smoothing_s: float
    drop_height_cm: float
    target_heel_height_cm: float
    norm_peak_heel_rise_cm: float
    knee_bend_cue_deg: float
    target_steps: int


class ToeWalkDrill:
    """The ``toe-walk`` drill (method and score in the module docstring)."""

    name = "toe-walk"
    title = "Toe walk"
    accepted_views = frozenset({"side", "oblique"})
    how_to_film = (
        "Put the phone at knee height 3-4 m away, side-on to your path, and walk 10-15 steps "
        "across the picture on the balls of your feet, heels high, knees nearly straight. "
        "Your whole body and both feet must stay in view."
    )
    measures = "steps, heel height per step in cm, heel drops, knee bend"

    def analyze(self, ctx: DrillContext) -> DrillResult:
        """Measure a toe walk in ``ctx``."""
        from formcheck.angles import compute_angles

        w = wc.setup_walk(ctx, ToeWalkThresholds, "toe_walk.toml")
        th, ws, times = w.th, w.ws, w.times_s
        stature = st.stature_cm(ctx, ws.body_px)
        # heel over toe of a flat foot, fraction of stature (anatomical average)
        assumed = st.FOOT_LENGTH_FRAC * np.sin(np.radians(-th.standing_foot_angle_deg))
        first_off = w.steps[0].off_i if w.steps else len(times)
        # synthetic landmarks sit where the body model (the anatomical average) puts
        # them; a pose model's may not (``steps.flat_zero``)
        pose_model = ctx.track.model_variant != "synthetic"
        path_dir = st.walk_floor_direction(ctx, ws)
        heel_cm: dict[str, FloatArray] = {}
        knee: dict[str, FloatArray] = {}
        flat_ref: dict[str, str] = {}
        up = None if ctx.floor is None else ctx.floor.normal
        for s in st.SIDES:
            heel, toe = wc.foot_ends_px(w.track, times, s)
            # heel over toe, fraction of stature (per frame: walking closer changes the scale)
            rise = st.rise_px(heel - toe, path_dir, st.floor_up(ctx)) / ws.body_px
            both_seen = np.asarray(ws.ends_seen[s].all(axis=1), dtype=bool)
            flat = (
                st.flat_level(rise, both_seen, times, first_off, w.sth)
                if pose_model
                else float("nan")
            )
            walked = st.stance_median(
                rise,
                [x for x in w.steps if x.leg == s],
                th.stance_core_fraction,
                th.max_stance_s,
                times,
            )
            base, flat_ref[s] = st.flat_zero(
                flat, walked, assumed, th.heel_contact_ratio * stature, th.drop_height_cm
            )
            heel_cm[s] = th.heel_contact_ratio * (rise - base) * stature
            try:
                knee[s] = np.asarray(
                    compute_angles(
                        w.track, s, up=up, names=["knee_flexion"], facing=ctx.view.facing
                    )["knee_flexion"],
                    dtype=np.float64,
                )
            except ValueError:
                knee[s] = np.full(len(times), np.nan)
        hidden = st.hidden_far_leg(ctx, w.view)

        def measure(step: st.Step, core: slice) -> dict[str, Any]:
            lowest = wc.stance_lowest(
                heel_cm[step.leg], step, th.max_stance_s, th.drop_smoothing_s, times
            )
            return {
                "heel_height_cm": wc.core_median(heel_cm[step.leg], core),
                "lowest_heel_cm": st.rnd(lowest),
                "heel_dropped": None if step.leg == hidden else wc.below(lowest, th.drop_height_cm),
                "knee_flexion_deg": wc.core_median(knee[step.leg], core, 1),
            }

        events = wc.step_events(
            ctx,
            w,
            th.stance_core_fraction,
            th.max_stance_s,
            measure,
            lambda step: {
                **wc.view_notes(("heel_height_cm",), w.view, VIEW_FLAGS),
                **({"heel_dropped": FAR_HEEL_NOTE} if step.leg == hidden else {}),
            },
        )
        return _result(ctx, w, events, heel_cm, knee, flat_ref, hidden)


def _result(
    ctx: DrillContext,
    w: wc.WalkSetup[ToeWalkThresholds],
    events: list[dict[str, Any]],
    heel_cm: dict[str, FloatArray],
    knee: dict[str, FloatArray],
    flat_ref: dict[str, str],
    hidden: str | None,
) -> DrillResult:
    th, steps = w.th, w.steps
    judged = [e for e in events if e["leg"] != hidden and e["heel_height_cm"] is not None]
    if not judged:  # no near-leg step measured: the far leg's, flagged, rather than nothing
        judged, hidden = [e for e in events if e["heel_height_cm"] is not None], None
    heights = [e["heel_height_cm"] for e in judged]
    knees = [e["knee_flexion_deg"] for e in events if e["knee_flexion_deg"] is not None]
    drops = [e for e in events if e["heel_dropped"]]
    mean_h = float(np.mean(heights)) if heights else None
    knee_med = float(np.median(knees)) if knees else None
    summary: dict[str, Any] = {
        "step_count": len(steps),
        "mean_heel_height_cm": st.rnd(mean_h),
        "min_heel_height_cm": st.rnd(min(heights)) if heights else None,
        "heel_drops": len(drops),
        "median_knee_flexion_deg": st.rnd(knee_med, 1),
        "left_right": wc.left_right(
            wc.values_by_leg(events, "heel_height_cm"), "mean_heel_height_cm", 2
        ),
        "flat_foot_reference": {s: flat_ref[s] for s in st.SIDES},
        "ignored_movements": len(w.rejected),
    }
    flags: dict[str, str] = {}
    wc.view_flag(
        flags,
        ("mean_heel_height_cm", "heel_drops", "median_knee_flexion_deg"),
        w.view,
        VIEW_FLAGS,
    )
    if hidden is not None and any(e["leg"] == hidden for e in events):
        for key in ("mean_heel_height_cm", "heel_drops"):
            wc.add_calibration_note(flags, key, FAR_HEEL_NOTE)
    used = {e["leg"] for e in judged}
    if any(flat_ref[s] == "assumed" for s in used):
        wc.add_calibration_note(flags, "mean_heel_height_cm", ASSUMED_FLAT_NOTE)
    wc.add_calibration_note(flags, "mean_heel_height_cm", st.calibration_note(ctx))
    cues: list[Cue] = [
        Cue(
            e["end_s"],
            "warning",
            f"keep the heels up: your {e['leg']} heel dropped to the floor after step {e['index']}",
        )
        for e in drops
    ]
    if mean_h is not None and mean_h < th.target_heel_height_cm:
        cues.append(
            Cue(
                None,
                "warning",
                f"rise higher on your toes: heels {mean_h:.1f} cm up on average; aim for "
                f"{th.target_heel_height_cm:g} cm",
            )
        )
    if knee_med is not None and knee_med > th.knee_bend_cue_deg:
        cues.append(
            Cue(
                None,
                "warning",
                f"straighten the knees: they were bent {knee_med:.0f} degrees; keep them nearly "
                "straight",
            )
        )
    done = f"{len(steps)} steps on your toes with the heels high" if steps else None
    cues = wc.finish_cues(cues, len(steps), th.target_steps, done)
    norms = []
    if mean_h is not None:
        norms.append(
            wc.reference_norm(
                "mean_heel_height_cm",
                mean_h,
                2,
                "cm",
                "no published toe-walk norm; heel-rise test median peak "
                f"{th.norm_peak_heel_rise_cm:g} cm (a maximal raise, for reference)",
                "Sleeswijk Visser et al. 2025, Braz J Phys Ther (n=500)",
                th.norm_peak_heel_rise_cm,
            )
        )
    warnings: list[QualityIssue] = [] if steps else [st.no_steps_issue("toe_walk_no_steps")]
    score = None
    if steps and mean_h is not None:
        knee_ok = 1.0 if knee_med is None or knee_med <= th.knee_bend_cue_deg else 0.0
        score = wc.weighted_score(
            SCORE_WEIGHTS,
            {
                "height": wc.clamp01(mean_h / th.target_heel_height_cm),
                "no_drop": 1 - len(drops) / len(steps),
                "knee": knee_ok,
                "steps": wc.steps_term(len(steps), th.target_steps),
            },
        )
    return wc.walk_result(
        w,
        {"heel_height_cm": heel_cm, "knee_flexion_deg": knee},
        summary=summary,
        events=events,
        cues=cues,
        score=score,
        flags=flags,
        norms=norms,
        warnings=warnings,
    )


DRILL = ToeWalkDrill()
"""The registered drill object."""
