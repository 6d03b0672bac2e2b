"""How well can any method read one calf-raise rep's heel rise at a noise preset?

An oracle is given far more than the drill has: each rep's timing and shape
(from the synthetic truth), every motion of each landmark that is not the
rise (sway, lean), which frames the noise corrupted (no detection, swapped
labels, far-foot errors, visibility drops: left out), and the noise model
itself (white jitter plus the AR(1) wobble of ``NoiseSpec``, per landmark).
Its unknowns are each landmark's offset and each rep's rise, and, in the
"loadings fitted" case, how far each landmark moves per cm of heel rise (the
measured heel's own is known: its relation to the sole is a fixed correction
in the drill). It reads the vertical image coordinate in cm
at the true scale and combines the landmarks the drill uses by generalised
least squares. Its per-rep error is the projection of the actual noise on
that design (exact when the loadings are known; to first order otherwise),
so it is a lower bound for a method that must find the timing, shapes and
scale itself. The drill's own per-rep errors on the same clips are printed
beside it.

    python bench/heel_rise_bound.py [--seeds N] [--reps N] [--views side,front]
        [--noise realistic] [--tol 0.5]

Landmarks combined (as the drill does, ``one_factor_heel_height``,
``with_the_other_heel`` and ``body_rise_reading``): side and oblique, the
near heel, the near ankle, both hips, both shoulders and the near knee; front
and back, the right heel, the left heel, both hips, both shoulders and the
right knee. ``--more`` adds the other leg's heel, ankle and knee, and seven
head landmarks (whose wobbles the generator draws independently; a pose
model's are not). Side and oblique also try the far heel, which the drill does
not use for rep heights, taken to rise exactly as the near heel: that
assumes what a double-leg set should measure (whether the legs rise alike).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.analysis import analyze_track
from formcheck.drills.base import DrillOptions
from formcheck.landmarks import Landmark
from formcheck.synth import CalfRaiseProfile, CameraSpec, NoiseSpec, Synthetic, synthesize

FloatArray = npt.NDArray[np.float64]

BODY = ("LEFT_HIP", "RIGHT_HIP", "LEFT_SHOULDER", "RIGHT_SHOULDER")
HEAD = ("NOSE", "LEFT_EYE", "RIGHT_EYE", "LEFT_EAR", "RIGHT_EAR", "MOUTH_LEFT", "MOUTH_RIGHT")


def drill_landmarks(view: str, near: str, more: bool) -> list[str]:
    """The landmark names combined for the measured leg ``near`` in ``view``."""
    far = "LEFT" if near == "RIGHT" else "RIGHT"
    if view in ("side", "oblique"):
        names = [f"{near}_HEEL", f"{near}_ANKLE", *BODY, f"{near}_KNEE"]
        extra = [f"{far}_HEEL", f"{far}_ANKLE", f"{far}_KNEE"]
    else:
        names = [f"{near}_HEEL", f"{far}_HEEL", *BODY, f"{near}_KNEE"]
        extra = [f"{near}_ANKLE", f"{far}_ANKLE", f"{far}_KNEE"]
    return names + extra + list(HEAD) if more else names


@dataclass(frozen=True)
class Reading:
    """One landmark's vertical track, cm up, with what the oracle knows of it."""

    noise_cm: FloatArray  # (T,) the track minus the clean track
    keep: npt.NDArray[np.bool_]  # (T,) frames the noise did not corrupt
    loading: float  # cm of this landmark per cm of heel rise (clean track)
    white_var: float  # cm^2, per frame
    wobble_var: float  # cm^2, the AR(1) part


def _height_cm(syn: Synthetic, idx: int, clean: bool) -> FloatArray:
    track = syn.truth.clean_track if clean else syn.track
    y = np.asarray(track.landmarks[:, idx, 1], dtype=np.float64)
    return -y * track.height * syn.truth.cm_per_px


def _reading(
    syn: Synthetic, name: str, rise: FloatArray, spec: NoiseSpec, height_cm: float
) -> Reading:
    idx = int(Landmark[name])
    corr = syn.truth.corruption
    clean = _height_cm(syn, idx, clean=True)
    noise = _height_cm(syn, idx, clean=False) - clean
    keep = ~(corr.missing | corr.swapped | corr.far_foot_error | corr.visibility_drop[:, idx])
    keep &= np.isfinite(noise)
    foot = name.split("_", 1)[-1] in ("HEEL", "ANKLE", "FOOT_INDEX")
    scale = spec.foot_jitter_scale if foot else 1.0
    white = (spec.jitter * height_cm * scale) ** 2
    wobble = (spec.drift * height_cm * scale) ** 2
    # the image's vertical also takes some depth noise: scale both parts to the variance seen
    seen = float(np.var(noise[keep])) / max(white + wobble, 1e-12)
    loading = float(np.polyfit(rise, clean, 1)[0])
    return Reading(noise, keep, loading, seen * white, seen * wobble)


def oracle_errors(
    syn: Synthetic,
    spec: NoiseSpec,
    names: Sequence[str],
    loadings_known: bool,
    alike: Sequence[str] = (),
) -> FloatArray:
    """Per-rep heel-rise error (cm) of the generalised least-squares oracle."""
    truth = syn.truth
    near = names[0].split("_", 1)[0].lower()
    heel = truth.heel_height_cm[near]
    t = truth.times_s
    rise = heel - float(np.median(heel[t < 1.0]))
    reps = sorted({(e["start_s"], e["end_s"], e["heel_rise_cm"]) for e in truth.events})
    shapes = np.zeros((t.size, len(reps)))
    for k, (a, b, r) in enumerate(reps):
        inside = (t >= a - 0.05) & (t <= b + 0.05)
        shapes[inside, k] = rise[inside] / r
    fps = 1.0 / float(np.median(np.diff(t)))
    a_lag = float(np.exp(-1.0 / (spec.drift_tau_s * fps)))
    lag = np.abs(np.subtract.outer(np.arange(t.size), np.arange(t.size)))
    wobble_corr = a_lag**lag
    height_cm = truth.height_cm
    readings = [_reading(syn, nm, rise, spec, height_cm) for nm in names]
    n_reps, n_lm = len(reps), len(names)
    # the measured heel's loading is known (its relation to the sole is the drill's fixed
    # correction); so is any landmark in ``alike`` (a heel taken to rise as the measured one)
    free = [] if loadings_known else [j for j in range(1, n_lm) if names[j] not in alike]
    n_par = n_reps + n_lm + len(free)
    info = np.zeros((n_par, n_par))
    score = np.zeros(n_par)
    for j, rd in enumerate(readings):
        design = np.zeros((t.size, n_par))
        design[:, :n_reps] = rd.loading * shapes
        design[:, n_reps + j] = 1.0
        if j in free:
            design[:, n_reps + n_lm + free.index(j)] = rise
        rows = np.flatnonzero(rd.keep)
        cov = rd.white_var * np.eye(rows.size) + rd.wobble_var * wobble_corr[np.ix_(rows, rows)]
        weighted = np.linalg.solve(cov, design[rows])
        info += design[rows].T @ weighted
        score += weighted.T @ rd.noise_cm[rows]
    return np.linalg.solve(info, score)[:n_reps]


def drill_errors(syn: Synthetic) -> FloatArray | None:
    """Per-rep heel-rise error (cm) of the drill; None when it did not count every rep."""
    report = analyze_track(syn.track, "calf-raise", DrillOptions(height_cm=syn.truth.height_cm))
    reps = sorted({(e["start_s"], e["heel_rise_cm"]) for e in syn.truth.events})
    got = [e["heel_rise_cm"] for e in report.events if e["kind"] == "rep" and not e["partial"]]
    if len(got) != len(reps):
        return None
    return np.array(got) - np.array([r for _, r in reps])


def _row(view: str, what: str, errors: Sequence[float], tol: float) -> str:
    err = np.abs(np.asarray(errors, dtype=np.float64))
    if err.size == 0:
        return f"| {view} | {what} | 0 | - | - | - |"
    return (
        f"| {view} | {what} | {err.size} | {err.mean():.2f} | {np.mean(err < tol):.0%} | "
        f"{err.max():.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=24)
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--views", default="side,oblique,front,back")
    parser.add_argument("--noise", default="realistic")
    parser.add_argument("--tol", type=float, default=0.5, help="cm")
    parser.add_argument("--more", action="store_true", help="also the other leg and the head")
    args = parser.parse_args()
    spec = NoiseSpec.preset(args.noise)
    print(f"{args.noise} noise, {args.seeds} seeds, {args.reps} reps of 8 cm each")
    print()
    print(f"| view | reader | reps | per-rep MAE cm | within {args.tol} cm | worst cm |")
    print("|---|---|---|---|---|---|")
    for view in args.views.split(","):
        cases: dict[str, list[float]] = {}
        for seed in range(args.seeds):
            syn = synthesize(
                CalfRaiseProfile(reps=args.reps), CameraSpec(view=view), spec, seed=seed
            )
            near = (syn.truth.near_side or "right").upper()
            names = drill_landmarks(view, near, more=False)
            runs: dict[str, tuple[list[str], bool, tuple[str, ...]]] = {
                "oracle, loadings known": (names, True, ()),
                "oracle, loadings fitted": (names, False, ()),
            }
            if view in ("side", "oblique"):
                far = "LEFT" if near == "RIGHT" else "RIGHT"
                runs["oracle, + far heel rising as the near one"] = (
                    [*names, f"{far}_HEEL"],
                    False,
                    (f"{far}_HEEL",),
                )
            if args.more:
                more = drill_landmarks(view, near, more=True)
                runs["oracle, + other leg and head, loadings fitted"] = (more, False, ())
            for label, (lms, known, alike) in runs.items():
                err = oracle_errors(syn, spec, lms, loadings_known=known, alike=alike)
                cases.setdefault(label, []).extend(err.tolist())
            drill = drill_errors(syn)
            cases.setdefault("the drill", []).extend([] if drill is None else drill.tolist())
            print(f"{view} seed {seed}", file=sys.stderr)
        for what, errors in cases.items():
            print(_row(view, what, errors, args.tol))


if __name__ == "__main__":
    main()
