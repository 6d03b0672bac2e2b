"""Toe walk (``toe-walk``): steps, heel height per step, heel drops, knee bend.

Method (numbers from ``toe_walk.toml`` and ``steps.toml``):

1. Steps: swings of each foot from foot speed (``formcheck.drills.steps``);
   each step is measured over the stance that follows it.
2. Heel height: on the toes the toe landmark stays on the floor, so the heel
   landmark's height above the toe landmark (along "up" after the heel->toe
   image vector's part along the walking path's image direction is taken out,
   ``steps.rise_px``: filmed obliquely, the floor is seen in perspective),
   minus that offset for a flat foot (``standing_foot_angle_deg`` over the
   foot length, 15.2% of stature), is the heel's rise; times
   ``heel_contact_ratio`` it is the height of the sole under the heel (cm).
3. A heel drop: the heel height (smoothed) comes within ``drop_height_cm``
   of the floor during a stance.
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
from formcheck.drills.base import Cue, DrillContext, DrillResult, NormComparison
from formcheck.views import QualityIssue

FloatArray = npt.NDArray[np.float64]

SCORE_WEIGHTS = {"height": 0.5, "no_drop": 0.3, "knee": 0.1, "steps": 0.1}
"""Weights of the score terms (module docstring); they sum to 1."""

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

        th, sth = st.split_overrides(
            dict(ctx.options.thresholds), ToeWalkThresholds, "toe_walk.toml"
        )
        track = ctx.conditioned.track
        ws = st.walk_signals(track, ctx.conditioned.reliable, sth)
        times = ws.times_s
        steps, rejected = ws.find_steps(sth, toward_camera=ctx.view.view in ("front", "back"))
        view = ctx.view.view
        foot_px = st.FOOT_LENGTH_FRAC * ws.body_px
        cm_per_px = st.stature_cm(ctx, ws.body_px) / ws.body_px  # per frame (walking closer)
        offset_px = foot_px * np.sin(np.radians(-th.standing_foot_angle_deg))
        path_dir = st.walk_floor_direction(ctx, ws)
        heel_cm: dict[str, FloatArray] = {}
        knee: dict[str, FloatArray] = {}
        up = None if ctx.floor is None else ctx.floor.normal
        for s in st.SIDES:
            heel = st.fill_nans(times, st.landmark_px(track, s, "heel"))
            toe = st.fill_nans(times, st.landmark_px(track, s, "foot_index"))
            rise = st.rise_px(heel - toe, path_dir, st.floor_up(ctx)) - offset_px
            heel_cm[s] = th.heel_contact_ratio * rise * cm_per_px
            try:
                knee[s] = np.asarray(
                    compute_angles(track, s, up=up, names=["knee_flexion"], facing=ctx.view.facing)[
                        "knee_flexion"
                    ],
                    dtype=np.float64,
                )
            except ValueError:
                knee[s] = np.full(len(times), np.nan)
        dt = st.median_dt(times)
        events: list[dict[str, Any]] = []
        for step in steps:
            core = st.stance_core(step, th.stance_core_fraction, th.max_stance_s, times)
            span = st.stance_span(step, th.max_stance_s, times)
            smooth = st.moving_median(heel_cm[step.leg][span], round(th.drop_smoothing_s / dt))
            lowest = float(np.nanmin(smooth)) if np.isfinite(smooth).any() else float("nan")
            flags = st.step_flags(
                step,
                ws.reliable[step.leg],
                view,
                st.far_leg_note(view, ctx.view.near_side, step.leg),
            )
            if view in VIEW_FLAGS:
                flags["heel_height_cm"] = VIEW_FLAGS[view]
            events.append(
                {
                    "kind": "step",
                    "index": step.index,
                    "leg": step.leg,
                    "start_s": st.rnd(step.off_s),
                    "end_s": st.rnd(step.strike_s),
                    "heel_height_cm": st.rnd(st.nanmedian(heel_cm[step.leg][core])),
                    "lowest_heel_cm": st.rnd(lowest),
                    "heel_dropped": bool(np.isfinite(lowest) and lowest < th.drop_height_cm),
                    "knee_flexion_deg": st.rnd(st.nanmedian(knee[step.leg][core]), 1),
                    "flags": flags,
                }
            )
        return _result(ctx, th, times, steps, events, rejected, heel_cm, knee)


def _result(
    ctx: DrillContext,
    th: ToeWalkThresholds,
    times: FloatArray,
    steps: list[st.Step],
    events: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    heel_cm: dict[str, FloatArray],
    knee: dict[str, FloatArray],
) -> DrillResult:
    view = ctx.view.view
    heights = [e["heel_height_cm"] for e in events if e["heel_height_cm"] is not None]
    knees = [e["knee_flexion_deg"] for e in events if e["knee_flexion_deg"] is not None]
    drops = [e for e in events if e["heel_dropped"]]
    mean_h = float(np.mean(heights)) if heights else None
    knee_med = float(np.median(knees)) if knees else None
    per_leg = {
        s: [
            e["heel_height_cm"] for e in events if e["leg"] == s and e["heel_height_cm"] is not None
        ]
        for s in st.SIDES
    }
    summary: dict[str, Any] = {
        "step_count": len(steps),
        "mean_heel_height_cm": st.rnd(mean_h),
        "min_heel_height_cm": st.rnd(min(heights)) if heights else None,
        "heel_drops": len(drops),
        "median_knee_flexion_deg": st.rnd(knee_med, 1),
        "left_right": {
            s: {"steps": len(v), "mean_heel_height_cm": st.rnd(float(np.mean(v)))}
            for s, v in per_leg.items()
        }
        if all(per_leg.values())
        else None,
        "ignored_movements": len(rejected),
    }
    flags: dict[str, str] = {}
    if view in VIEW_FLAGS:
        for k in ("mean_heel_height_cm", "heel_drops", "median_knee_flexion_deg"):
            flags[k] = VIEW_FLAGS[view]
    note = st.calibration_note(ctx)
    if note:
        flags["mean_heel_height_cm"] = (
            f"{flags['mean_heel_height_cm']}; {note}" if "mean_heel_height_cm" in flags else note
        )
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
    if 0 < len(steps) < th.target_steps:
        cues.append(
            Cue(None, "info", f"{len(steps)} steps: take at least {th.target_steps} for a full set")
        )
    if steps and not cues:
        cues.append(Cue(None, "info", f"{len(steps)} steps on your toes with the heels high"))
    norms = []
    if mean_h is not None:
        norms.append(
            NormComparison(
                metric="mean_heel_height_cm",
                value=round(mean_h, 2),
                unit="cm",
                norm=f"no published toe-walk norm; heel-rise test median peak "
                f"{th.norm_peak_heel_rise_cm:g} cm (a maximal raise, for reference)",
                source="Sleeswijk Visser et al. 2025, Braz J Phys Ther (n=500)",
                verdict="at or above" if mean_h >= th.norm_peak_heel_rise_cm else "below",
            )
        )
    warnings: list[QualityIssue] = [] if steps else [st.no_steps_issue("toe_walk_no_steps")]
    score = None
    if steps and mean_h is not None:
        w = SCORE_WEIGHTS
        knee_ok = 1.0 if knee_med is None or knee_med <= th.knee_bend_cue_deg else 0.0
        score = round(
            100
            * (
                w["height"] * max(0.0, min(1.0, mean_h / th.target_heel_height_cm))
                + w["no_drop"] * (1 - len(drops) / len(steps))
                + w["knee"] * knee_ok
                + w["steps"] * min(1.0, len(steps) / th.target_steps)
            ),
            1,
        )
    series: dict[str, FloatArray] = {"steps": st.steps_series(times, steps)}
    for s in st.SIDES:
        series[f"{s}_heel_height_cm"] = heel_cm[s]
        series[f"{s}_knee_flexion_deg"] = knee[s]
    return DrillResult(
        summary=summary,
        events=sorted(events + rejected, key=lambda e: e.get("start_s") or 0.0),
        cues=cues,
        score=score,
        flags=flags,
        norms=norms,
        series=series,
        warnings=warnings,
        overlay=("steps",),
    )


DRILL = ToeWalkDrill()
"""The registered drill object."""
