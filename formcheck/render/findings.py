"""What MediaPipe does to the rendered figure, measured against the render's truth.

Pure NumPy on a ``PoseTrack`` (from ``formcheck.pose.extract_track`` on a
rendered clip) and its truth dictionary (``formcheck.render.truth``). Run
``python -m formcheck.render.findings sample_videos/*.mp4`` to print the
figures in ``docs/RENDER_FINDINGS.md``; that entry point runs the pose model.

Distances in the image are measured along the *projected* world directions at
the point in question (world up for heights, the person's forward +x for the
knee), so a camera tilt does not leak into them; pixels become centimetres with
the truth camera's scale at that point's depth (``100 * depth / focal_px``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark
from formcheck.render.coords import CameraPose
from formcheck.track import PoseTrack

FloatArray = npt.NDArray[np.float64]
UP = np.array([0.0, 1.0, 0.0])
FORWARD = np.array([1.0, 0.0, 0.0])


def camera_of(truth: dict[str, Any]) -> CameraPose:
    """The truth file's camera."""
    c = truth["camera"]
    return CameraPose(
        np.asarray(c["position"]),
        np.asarray(c["forward"]),
        np.asarray(c["up"]),
        float(c["focal_px"]),
        int(truth["width"]),
        int(truth["height"]),
    )


def image_dir(cam: CameraPose, point: FloatArray, direction: FloatArray) -> FloatArray:
    """Unit image vector (2,) along which world ``direction`` (3,) projects at ``point`` (3,)."""
    a, b = cam.project(np.stack([point, point + 0.05 * direction]))
    d = b - a
    return np.asarray(d / np.linalg.norm(d))


def cm_per_px(cam: CameraPose, point: FloatArray) -> float:
    """Centimetres per pixel in the plane facing the camera through ``point`` (3,)."""
    return float(100.0 * cam.depth(point) / cam.focal_px)


def _frames(truth: dict[str, Any], start: float, end: float) -> npt.NDArray[np.bool_]:
    t = np.asarray(truth["frames"]["time_s"])
    return np.asarray((t >= start - 1e-9) & (t <= end + 1e-9))


def _pix(track: PoseTrack, lm: Landmark) -> FloatArray:
    return np.asarray(track.pixels[:, int(lm)], dtype=np.float64)


@dataclass(frozen=True)
class RepRise:
    """One rep's heel rise: truth (mesh heel point) and MediaPipe's heel landmark."""

    index: int
    truth_cm: float
    mediapipe_cm: float
    nominal_joint_cm: float

    @property
    def ratio(self) -> float:
        return self.mediapipe_cm / self.truth_cm


def heel_rises(track: PoseTrack, truth: dict[str, Any], side: str, label: str) -> list[RepRise]:
    """Per-rep heel rise of truth leg ``side`` read from MediaPipe's ``label`` heel.

    Baseline: median over the lead-in (before the first rep); peak: median
    over the rep's top hold. All three series are measured the same way.
    """
    cam = camera_of(truth)
    reps = [e for e in truth["events"] if e["kind"] == "rep" and e["leg"] == side]
    fr = truth["frames"]
    mesh3 = np.asarray(fr[side]["heel_point_3d"])
    mesh2 = np.asarray(fr[side]["heel_point_2d"])
    joint2 = np.asarray(fr["joints_2d"])[:, int(Landmark[f"{side.upper()}_HEEL"])]
    mp2 = _pix(track, Landmark[f"{label.upper()}_HEEL"])
    base = _frames(truth, 0.0, reps[0]["start_s"] - 0.1)
    up_img = image_dir(cam, mesh3[base].mean(axis=0), UP)
    scale = cm_per_px(cam, mesh3[base].mean(axis=0))
    out = []
    for e in reps:
        top = _frames(truth, e["top_start_s"], e["top_end_s"])

        def rise(p: FloatArray, top: npt.NDArray[np.bool_] = top) -> float:
            d = np.nanmedian(p[top], axis=0) - np.nanmedian(p[base], axis=0)
            return float(d @ up_img) * scale

        out.append(RepRise(e["index"], rise(mesh2), rise(mp2), rise(joint2)))
    return out


def standing_drift_cm(
    track: PoseTrack, truth: dict[str, Any], side: str, label: str
) -> list[float]:
    """MediaPipe heel height (cm) in each rest after a rep, relative to the lead-in (truth: 0).

    Negative = below where it started. Rest windows skip 0.2 s after the rep
    ends so the lowering is not counted.
    """
    cam = camera_of(truth)
    reps = [e for e in truth["events"] if e["kind"] == "rep" and e["leg"] == side]
    fr = truth["frames"]
    mesh3 = np.asarray(fr[side]["heel_point_3d"])
    mp2 = _pix(track, Landmark[f"{label.upper()}_HEEL"])
    base = _frames(truth, 0.0, reps[0]["start_s"] - 0.1)
    up_img = image_dir(cam, mesh3[base].mean(axis=0), UP)
    scale = cm_per_px(cam, mesh3[base].mean(axis=0))
    end_clip = float(fr["time_s"][-1])
    out = []
    for i, e in enumerate(reps):
        stop = reps[i + 1]["start_s"] - 0.05 if i + 1 < len(reps) else end_clip
        rest = _frames(truth, e["end_s"] + 0.2, stop)
        d = np.nanmedian(mp2[rest], axis=0) - np.nanmedian(mp2[base], axis=0)
        out.append(float(d @ up_img) * scale)
    return out


@dataclass(frozen=True)
class LungeReading:
    """One knee-to-wall hold: knee landmark vs the knee's front, and tibia angles (degrees)."""

    index: int
    knee_behind_front_cm: float  # MediaPipe knee landmark behind the mesh's knee front
    joint_behind_front_cm: float  # truth knee joint centre behind the knee front
    mediapipe_vs_joint_cm: float  # MediaPipe knee ahead (+) of the truth joint centre
    tibia_truth_3d: float
    tibia_truth_image: float
    tibia_mediapipe: float


def _tibia_image(
    cam: CameraPose, ankle3: FloatArray, ankle2: FloatArray, knee2: FloatArray
) -> FloatArray:
    """Tibia angle (T,) from the projected vertical at the ankle, + toward projected +x, degrees."""
    out = np.full(ankle2.shape[0], np.nan)
    for i in range(ankle2.shape[0]):
        up_i = image_dir(cam, ankle3[i], UP)
        fwd_i = image_dir(cam, ankle3[i], FORWARD)
        fwd_i = fwd_i - up_i * float(fwd_i @ up_i)
        fwd_i /= np.linalg.norm(fwd_i)
        v = knee2[i] - ankle2[i]
        out[i] = np.degrees(np.arctan2(v @ fwd_i, v @ up_i))
    return out


def lunge_readings(
    track: PoseTrack, truth: dict[str, Any], side: str, label: str
) -> list[LungeReading]:
    """Knee and tibia at each knee-to-wall hold (medians over the hold)."""
    cam = camera_of(truth)
    fr = truth["frames"]
    s = side.upper()
    j3 = np.asarray(fr["joints_3d"])
    j2 = np.asarray(fr["joints_2d"])
    front2 = np.asarray(fr[side]["knee_front_2d"])
    knee_i, ankle_i = int(Landmark[f"{s}_KNEE"]), int(Landmark[f"{s}_ANKLE"])
    mp_knee = _pix(track, Landmark[f"{label.upper()}_KNEE"])
    mp_ankle = _pix(track, Landmark[f"{label.upper()}_ANKLE"])
    out = []
    for e in (e for e in truth["events"] if e["kind"] == "lunge"):
        hold = _frames(truth, e["hold_start_s"], e["hold_end_s"])
        k3 = j3[hold, knee_i].mean(axis=0)
        fwd_img = image_dir(cam, k3, FORWARD)
        scale = cm_per_px(cam, k3)

        def ahead(a: FloatArray, b: FloatArray) -> float:
            return _median_along(a, b, hold, fwd_img, scale)  # noqa: B023 (used at once)

        tib_mp = _tibia_image(cam, j3[:, ankle_i], mp_ankle, mp_knee)
        tib_img = _tibia_image(cam, j3[:, ankle_i], j2[:, ankle_i], j2[:, knee_i])
        out.append(
            LungeReading(
                index=e["index"],
                knee_behind_front_cm=ahead(front2, mp_knee),
                joint_behind_front_cm=ahead(front2, j2[:, knee_i]),
                mediapipe_vs_joint_cm=ahead(mp_knee, j2[:, knee_i]),
                tibia_truth_3d=float(
                    np.median(np.asarray(fr[side]["tibia_inclination_deg"])[hold])
                ),
                tibia_truth_image=float(np.nanmedian(tib_img[hold])),
                tibia_mediapipe=float(np.nanmedian(tib_mp[hold])),
            )
        )
    return out


def _median_along(
    a: FloatArray, b: FloatArray, mask: npt.NDArray[np.bool_], direction: FloatArray, scale: float
) -> float:
    """Median over ``mask`` frames of (a - b) along image ``direction``, times ``scale`` (cm/px)."""
    return float(np.nanmedian((a[mask] - b[mask]) @ direction)) * scale


LEG = ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")


def near_label_by_depth(track: PoseTrack) -> npt.NDArray[np.str_]:
    """(T,) which label MediaPipe puts nearer the camera (smaller leg z): "left"/"right"/""."""
    z = track.landmarks[:, :, 2]
    zl = np.nanmean(np.stack([z[:, int(Landmark[f"LEFT_{p}"])] for p in LEG], axis=1), axis=1)
    zr = np.nanmean(np.stack([z[:, int(Landmark[f"RIGHT_{p}"])] for p in LEG], axis=1), axis=1)
    out = np.where(zr < zl, "right", "left")
    return np.where(np.isnan(zl) | np.isnan(zr), "", out)


def label_of_leg_by_position(
    track: PoseTrack, truth: dict[str, Any], side: str, mask: npt.NDArray[np.bool_]
) -> float:
    """Fraction of ``mask`` frames whose MediaPipe ``side`` ankle is nearer truth ``side``'s
    ankle than MediaPipe's other ankle is (1.0 = always labelled correctly)."""
    j2 = np.asarray(truth["frames"]["joints_2d"])
    other = "left" if side == "right" else "right"
    true_ankle = j2[:, int(Landmark[f"{side.upper()}_ANKLE"])]
    same = np.linalg.norm(_pix(track, Landmark[f"{side.upper()}_ANKLE"]) - true_ankle, axis=1)
    swap = np.linalg.norm(_pix(track, Landmark[f"{other.upper()}_ANKLE"]) - true_ankle, axis=1)
    ok = (same < swap)[mask]
    return float(ok.mean()) if ok.size else float("nan")


def landmark_errors_cm(track: PoseTrack, truth: dict[str, Any]) -> dict[str, float]:
    """Median 2D distance (cm at the person) from each leg landmark to its truth projection."""
    cam = camera_of(truth)
    j3 = np.asarray(truth["frames"]["joints_3d"])
    j2 = np.asarray(truth["frames"]["joints_2d"])
    scale = cm_per_px(cam, j3[:, [23, 24]].mean(axis=(0, 1)))
    out = {}
    for s in ("LEFT", "RIGHT"):
        for p in LEG:
            lm = Landmark[f"{s}_{p}"]
            d = np.linalg.norm(_pix(track, lm) - j2[:, int(lm)], axis=1)
            out[lm.name] = float(np.nanmedian(d)) * scale
    return out


def standing_heel_offset_cm(
    track: PoseTrack, truth: dict[str, Any], side: str, label: str, mask: npt.NDArray[np.bool_]
) -> tuple[float, float]:
    """Where MediaPipe's ``label`` heel sits relative to the sole under truth ``side``'s heel
    over ``mask`` frames: (cm above, cm ahead along the person's forward)."""
    cam = camera_of(truth)
    p3 = np.asarray(truth["frames"][side]["heel_point_3d"])[mask].mean(axis=0)
    p2 = np.asarray(truth["frames"][side]["heel_point_2d"])
    mp2 = _pix(track, Landmark[f"{label.upper()}_HEEL"])
    scale = cm_per_px(cam, p3)
    up = _median_along(mp2, p2, mask, image_dir(cam, p3, UP), scale)
    fwd = _median_along(mp2, p2, mask, image_dir(cam, p3, FORWARD), scale)
    return up, fwd


def report(mp4: Path, track: PoseTrack, truth: dict[str, Any]) -> list[str]:
    """Markdown lines with every finding that applies to this clip."""
    lines = [f"### {mp4.name}", ""]
    n = len(track)
    lines.append(f"- frames with a person: {int(track.detected.sum())}/{n}")
    near = truth["camera"].get("near_side")
    if truth["camera"].get("view") == "side" and near:
        by_z = near_label_by_depth(track)
        lines.append(
            f"- near ({near}) leg labelled {near.upper()} by depth (z) in "
            f"{np.mean(by_z[by_z != ''] == near):.0%} of frames"
        )
        vis = np.nanmean(track.visibility, axis=0)
        vl = np.mean([vis[int(Landmark[f"LEFT_{p}"])] for p in LEG])
        vr = np.mean([vis[int(Landmark[f"RIGHT_{p}"])] for p in LEG])
        lines.append(f"- mean leg visibility LEFT {vl:.2f}, RIGHT {vr:.2f}")
    errs = landmark_errors_cm(track, truth)
    lines.append(
        "- median landmark error vs projected truth joint (cm): "
        + ", ".join(f"{k.lower()} {v:.1f}" for k, v in errs.items())
    )
    if any(e["kind"] == "rep" for e in truth["events"]):
        for side in ("right", "left"):
            rises = heel_rises(track, truth, side, side)
            drift = standing_drift_cm(track, truth, side, side)
            lines.append(
                f"- {side} heel rise per rep, truth mesh / MediaPipe / nominal joint (cm): "
                + "; ".join(
                    f"{r.truth_cm:.1f} / {r.mediapipe_cm:.1f} / {r.nominal_joint_cm:.1f} "
                    f"(ratio {r.ratio:.2f})"
                    for r in rises
                )
            )
            lines.append(
                f"- {side} MediaPipe heel after each rep vs lead-in (cm, truth 0): "
                + ", ".join(f"{d:+.2f}" for d in drift)
            )
            first = next(e for e in truth["events"] if e["kind"] == "rep")
            t = np.asarray(truth["frames"]["time_s"])
            up, fwd = standing_heel_offset_cm(track, truth, side, side, t < first["start_s"] - 0.1)
            lines.append(
                f"- {side} MediaPipe heel standing: {up:+.1f} cm above and {fwd:+.1f} cm ahead "
                "of the sole under the heel (the nominal heel joint: +2.1 above, -1.1 ahead)"
            )
    for e in truth["events"]:
        if e["kind"] == "hold" and "stance_leg" in e:
            free = "right" if e["stance_leg"] == "left" else "left"
            t = np.asarray(truth["frames"]["time_s"])
            mask = (t > e["start_s"] + 0.6) & (t < e["end_s"] - 0.5)
            frac = label_of_leg_by_position(track, truth, free, mask)
            lines.append(
                f"- raised ({free}) leg labelled {free.upper()} (by ankle position) in "
                f"{frac:.0%} of hold frames"
            )
    legs = {e["leg"] for e in truth["events"] if e["kind"] == "lunge"}
    for side in sorted(legs):
        for r in lunge_readings(track, truth, side, side):
            lines.append(
                f"- lunge {r.index}: MediaPipe knee {r.knee_behind_front_cm:.1f} cm behind the knee "
                f"front (truth joint centre {r.joint_behind_front_cm:.1f} cm behind; MediaPipe "
                f"{r.mediapipe_vs_joint_cm:+.1f} cm vs joint); tibia truth 3D "
                f"{r.tibia_truth_3d:.1f}, truth in image {r.tibia_truth_image:.1f}, MediaPipe "
                f"{r.tibia_mediapipe:.1f} deg"
            )
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    """Extract poses from rendered clips and print the findings as Markdown."""
    from formcheck.pose import extract_track
    from formcheck.render.truth import load_truth

    args = sys.argv[1:] if argv is None else argv
    model = None
    if args and args[0].startswith("--model="):
        model = args.pop(0).split("=", 1)[1]
    for name in args:
        mp4 = Path(name)
        truth = load_truth(mp4.with_name(mp4.stem + ".truth.json"))
        track = extract_track(mp4, model_path=model)
        print("\n".join(report(mp4, track, truth)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
