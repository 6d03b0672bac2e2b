"""Accuracy of the walking drills on synthetic truth: a markdown table of errors.

Heel walk (toe lift, forefoot height) and toe walk (heel height) side-on and
oblique; inversion and eversion walks (foot tilt) from the front and back;
noise presets none / low / realistic / heavy, several seeds each (10 steps,
175 cm person, 1280x720 at 30 fps; side/oblique 4 m, front/back 5 m).

Columns: steps found vs true (runs with the exact count / runs), the mean
absolute per-step error of the drill's main measure (over runs with the exact
count, steps paired in order), its 95th percentile, and the error of the
walk's summary value (mean or median over steps).

    python bench/accuracy_walks.py [--seeds 3]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.synth import (
    STANDING_FOOT_TO_FLOOR_DEG,
    CameraSpec,
    HeelWalkProfile,
    NoiseSpec,
    ToeWalkProfile,
    synthesize,
)
from formcheck.synth.edge_walk import EdgeWalkProfile

NOISES = ("none", "low", "realistic", "heavy")


@dataclass(frozen=True)
class Case:
    """One drill measure: how to make the walk and read measured vs true per step."""

    drill: str
    measure: str
    unit: str
    views: tuple[str, ...]
    profile: Callable[[], Any]
    measured: Callable[[dict[str, Any]], float | None]
    true: Callable[[dict[str, Any]], float]
    summary_key: str
    summary_true: Callable[[list[dict[str, Any]]], float]


def _toe_lift_true(t: dict[str, Any]) -> float:
    return float(STANDING_FOOT_TO_FLOOR_DEG - t["foot_to_floor_deg"])


def _field(key: str) -> Callable[[dict[str, Any]], float]:
    """Truth per step: the truth event's ``key``."""
    return lambda t: float(t[key])


def _unless(flag: str, key: str) -> Callable[[dict[str, Any]], float | None]:
    """Measured per step: the event's ``key``, None on steps where ``flag`` is set."""
    return lambda e: None if e[flag] else e[key]


def _mean_case(
    drill: str,
    measure: str,
    unit: str,
    profile: Callable[[], Any],
    skip_flag: str,
    key: str,
    true: Callable[[dict[str, Any]], float] | None = None,
) -> Case:
    """A side/oblique walk measure summarised by its mean over steps (``mean_<key>``)."""
    tr1 = true or _field(key)
    return Case(
        drill,
        measure,
        unit,
        ("side", "oblique"),
        profile,
        _unless(skip_flag, key),
        tr1,
        f"mean_{key}",
        lambda tr: float(np.mean([tr1(t) for t in tr])),
    )


def _tilt_case(edge: str) -> Case:
    """Inversion (outer edge) or eversion (inner edge) walk, front and back."""
    motion, sign = ("inversion", 1.0) if edge == "outer" else ("eversion", -1.0)
    return Case(
        f"{motion}-walk",
        "tilt",
        "deg",
        ("front", "back"),
        lambda: EdgeWalkProfile(edge=edge, steps=10, flat_steps=(3,)),
        lambda e: e["tilt_deg"],
        _field("tilt_deg"),
        f"median_{motion}_deg",
        lambda tr: sign * float(np.median([t["tilt_deg"] for t in tr])),
    )


def _heel_walk() -> HeelWalkProfile:
    return HeelWalkProfile(steps=10, touch_steps=(4,))


CASES = (
    _mean_case(
        "heel-walk",
        "toe lift",
        "deg",
        _heel_walk,
        "forefoot_touched",
        "toe_lift_deg",
        _toe_lift_true,
    ),
    _mean_case(
        "heel-walk", "forefoot height", "cm", _heel_walk, "forefoot_touched", "forefoot_height_cm"
    ),
    _mean_case(
        "toe-walk",
        "heel height",
        "cm",
        lambda: ToeWalkProfile(steps=10, drop_steps=(3,)),
        "heel_dropped",
        "heel_height_cm",
    ),
    _tilt_case("outer"),
    _tilt_case("inner"),
)


def run_case(case: Case, view: str, noise: str, seeds: int) -> dict[str, Any]:
    """Errors of one drill measure for one view and noise preset over ``seeds`` runs."""
    exact = 0
    counts: list[int] = []
    errs: list[float] = []
    summary_errs: list[float] = []
    for seed in range(seeds):
        cam = CameraSpec(view=view, distance_m=5.0 if view in ("front", "back") else 4.0)
        syn = synthesize(case.profile(), cam, NoiseSpec.preset(noise), seed=seed)
        r = analyze_track(syn.track, case.drill, DrillOptions(height_cm=syn.truth.height_cm))
        truth = syn.truth.events_of("step")
        steps = [e for e in r.events if e["kind"] == "step"]
        counts.append(len(steps))
        value = r.summary.get(case.summary_key)
        if value is not None:
            summary_errs.append(abs(float(value) - case.summary_true(truth)))
        if len(steps) != len(truth):
            continue
        exact += 1
        for e, t in zip(steps, truth, strict=True):
            m = case.measured(e)
            if m is not None:
                errs.append(abs(float(m) - case.true(t)))
    a = np.asarray(errs)
    return {
        "steps": f"{exact}/{seeds} exact (found {min(counts)}-{max(counts)}, true 10)",
        "mae": f"{a.mean():.1f}" if a.size else "-",
        "p95": f"{np.percentile(a, 95):.1f}" if a.size else "-",
        "summary": f"{np.mean(summary_errs):.1f}" if summary_errs else "-",
    }


def main() -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3, help="runs per view and noise preset")
    args = ap.parse_args()
    print(
        "| drill | measure | view | noise | steps | per-step abs error (mean) | p95 | "
        "summary abs error |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for case in CASES:
        for view in case.views:
            for noise in NOISES:
                res = run_case(case, view, noise, args.seeds)
                u = case.unit
                print(
                    f"| {case.drill} | {case.measure} ({u}) | {view} | {noise} | {res['steps']} | "
                    f"{res['mae']} | {res['p95']} | {res['summary']} |"
                )


if __name__ == "__main__":
    main()
