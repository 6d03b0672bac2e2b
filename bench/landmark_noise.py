"""How noisy are MediaPipe's foot landmarks on real clips, next to the synthetic presets?

The synthetic noise presets (``formcheck.synth.NoiseSpec``: ``low``,
``realistic``, ``heavy``) set every accuracy figure in docs/ACCURACY.md, so
this bench checks them against the pose model on the shared real clips.

What is measured: the stance foot of a single-leg hold (the labelled
intervals of ``../shared/videos/labels.json``, 0.3 s trimmed at each end) is
planted, so its heel and toe do not move on the floor. In the picture they
still move together when the camera shakes or the body sways, so the
vertical heel-minus-toe difference is used: the common motion cancels and
what is left is the two landmarks' own errors (divided by sqrt 2 for one
landmark, assuming the two are alike and independent). Three numbers, in %
of the person's standing height in pixels (eye-to-heel / 0.924):

- white: frame-to-frame jitter, robust SD of the second difference / sqrt 6
  (a slow wobble hardly enters a second difference);
- wobble: SD of the difference low-passed at 3 Hz (the band of a calf raise,
  where ``foot_heel_height_px`` works) after removing a straight line;
- tau: correlation time of that wobble, s (lag where its autocorrelation
  falls to 1/e).

The same numbers are computed on synthetic single-leg holds with each preset
(side, oblique and front views), so the comparison is like for like.

Run: ``python bench/landmark_noise.py [--seeds 4] [--tracks DIR]``
(``--tracks`` reads cached tracks ``DIR/<clip>.npz`` instead of running the
pose model).
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.signal import butter, sosfiltfilt

from formcheck.landmarks import Landmark
from formcheck.synth import BalanceProfile, CameraSpec, NoiseSpec, synthesize
from formcheck.track import PoseTrack, load_track

SHARED = Path(__file__).resolve().parents[2] / "shared"

FloatArray = npt.NDArray[np.float64]

TRIM_S = 0.3
"""Seconds dropped at each end of a labelled hold (lift-off and touchdown)."""

EYE_TO_HEEL_OF_HEIGHT = 0.924
"""Eye landmark to heel landmark, fraction of standing height (0.936 - 0.012, Winter 2009)."""

WOBBLE_CUTOFF_HZ = 3.0
"""Low-pass cut-off of the wobble, Hz: the band of a calf raise."""

MIN_FRAMES = 45
"""Shortest window measured, frames (1.5 s at 30 fps)."""


def _stance_windows(label: dict[str, Any]) -> list[tuple[float, float, str]]:
    """(start_s, end_s, stance side "LEFT"/"RIGHT") of each labelled hold."""
    intervals = label.get("single_leg_intervals_s") or []
    legs = label.get("stance_leg")
    if isinstance(legs, str):
        legs = [legs] * len(intervals)
    out = []
    for (a, b), leg in zip(intervals, legs or [], strict=False):
        side = str(leg).split()[0].upper()
        if side in ("LEFT", "RIGHT") and b - a > 2 * TRIM_S:
            out.append((a + TRIM_S, b - TRIM_S, side))
    return out


def _height_px(track: PoseTrack, mask: npt.NDArray[np.bool_]) -> float:
    y = track.landmarks[..., 1] * track.height
    eyes = [int(Landmark.LEFT_EYE), int(Landmark.RIGHT_EYE)]
    heels = [int(Landmark.LEFT_HEEL), int(Landmark.RIGHT_HEEL)]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without a person
        span = np.nanmean(y[:, heels], axis=1) - np.nanmean(y[:, eyes], axis=1)
    return float(np.nanmedian(span[mask])) / EYE_TO_HEEL_OF_HEIGHT


def _correlation_time_s(x: FloatArray, fps: float) -> float:
    x = x - x.mean()
    acf = np.correlate(x, x, mode="full")[len(x) - 1 :]
    acf = acf / acf[0]
    below = np.nonzero(acf < np.exp(-1.0))[0]
    return float(below[0] / fps) if below.size else float("nan")


def foot_noise(track: PoseTrack, start_s: float, end_s: float, side: str) -> dict[str, float]:
    """White jitter, 3 Hz wobble (% of height) and its correlation time (s) of a planted foot."""
    t = track.timestamps_s
    mask = (t >= start_s) & (t <= end_s)
    heel = track.landmarks[mask, int(Landmark[f"{side}_HEEL"]), 1]
    toe = track.landmarks[mask, int(Landmark[f"{side}_FOOT_INDEX"]), 1]
    diff = (heel - toe) * track.height / _height_px(track, mask) * 100.0
    ok = np.isfinite(diff)
    if ok.sum() < MIN_FRAMES:
        return {"white": np.nan, "wobble": np.nan, "tau": np.nan, "n": float(ok.sum())}
    diff = np.interp(np.arange(diff.size), np.nonzero(ok)[0], diff[ok])
    d2 = np.diff(diff, 2)
    white = 1.4826 * np.median(np.abs(d2 - np.median(d2))) / np.sqrt(6.0) / np.sqrt(2.0)
    sos = butter(2, WOBBLE_CUTOFF_HZ, fs=track.fps, output="sos")
    slow = sosfiltfilt(sos, diff)
    frames = np.arange(slow.size)
    slow = slow - np.polyval(np.polyfit(frames, slow, 1), frames)
    return {
        "white": float(white),
        "wobble": float(np.std(slow)) / np.sqrt(2.0),
        "tau": _correlation_time_s(slow, track.fps),
        "n": float(diff.size),
    }


def _row(name: str, values: dict[str, float]) -> str:
    return (
        f"| {name} | {int(values['n'])} | {values['white']:.3f} | "
        f"{values['wobble']:.3f} | {values['tau']:.2f} |"
    )


def real(tracks: Path | None) -> list[dict[str, float]]:
    """Planted-foot noise of every labelled hold of the shared clips."""
    labels = json.loads((SHARED / "videos" / "labels.json").read_text())
    found = []
    for label in labels:
        windows = _stance_windows(label)
        if not windows or not label["file"].endswith(".mp4"):
            continue
        name = label["file"].removesuffix(".mp4")
        if tracks is not None:
            track = load_track(tracks / f"{name}.npz")
        else:
            from formcheck.pose import extract_track

            track = extract_track(
                SHARED / "videos" / label["file"],
                model_path=SHARED / "models" / "pose_landmarker_full.task",
            )
        for a, b, side in windows:
            values = foot_noise(track, a, b, side)
            print(_row(f"{name} {a:.1f}-{b:.1f} s, {side.lower()} foot", values))
            found.append(values)
    return found


def synthetic(preset: str, seeds: int) -> list[dict[str, float]]:
    """The same measurement on synthetic holds with a noise preset."""
    profile = BalanceProfile(duration=14.0, stance_leg="left", holds=((2.0, 13.0),))
    found = []
    for view in ("side", "oblique", "front"):
        for seed in range(seeds):
            syn = synthesize(
                profile,
                CameraSpec(view=view, width=1080, height=1920),
                NoiseSpec.preset(preset),
                seed=seed,
            )
            found.append(foot_noise(syn.track, 2.0 + TRIM_S, 13.0 - TRIM_S, "LEFT"))
    return found


def _summary(name: str, values: list[dict[str, float]]) -> str:
    cells = []
    for key in ("white", "wobble", "tau"):
        v = np.array([x[key] for x in values])
        v = v[np.isfinite(v)]
        cells.append(f"{np.median(v):.3f} ({v.min():.3f}-{v.max():.3f})" if v.size else "-")
    return f"| {name} | {len(values)} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="synthetic seeds per view")
    parser.add_argument("--tracks", type=Path, default=None, help="cached tracks DIR/<clip>.npz")
    args = parser.parse_args()
    print("| real hold (stance foot) | frames | white % H | wobble % H | tau s |")
    print("|---|---|---|---|---|")
    measured = real(args.tracks)
    print("\n| source | windows | white % H | wobble % H | tau s |")
    print("|---|---|---|---|---|")
    print(_summary("real clips, MediaPipe full", measured))
    for preset in ("low", "realistic", "heavy"):
        print(_summary(f"synthetic `{preset}`", synthetic(preset, args.seeds)))


if __name__ == "__main__":
    main()
