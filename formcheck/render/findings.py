"""What MediaPipe does to the rendered figure, measured against the render's truth.

Pure NumPy on a ``PoseTrack`` (from ``formcheck.pose.extract_track`` on a
rendered clip) and its truth dictionary (``formcheck.render.truth``). Run
``python -m formcheck.render.findings sample_videos/*.mp4`` to print the
figures in ``docs/RENDER_FINDINGS.md``; that entry point runs the pose model.

MediaPipe's 2D landmarks are back-projected with the truth camera onto the
sagittal plane of the leg in question (world z of the truth heel or knee),
which is exact for a point in that plane and keeps perspective and camera tilt
out of heights and distances; heights are then world y in cm.
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


def plane_xy(cam: CameraPose, pixels: FloatArray, z: float) -> FloatArray:
    """Back-project pixels (T, 2) onto the world plane z = ``z`` (a leg's sagittal
    plane): (T, 2) world (x, y) in metres. Exact for points that lie in that plane."""
    u = (pixels[:, 0] - cam.width / 2.0) / cam.focal_px
    v = (pixels[:, 1] - cam.height / 2.0) / cam.focal_px
    rays = cam.forward + u[:, None] * cam.right - v[:, None] * cam.up
    s = (z - cam.position[2]) / rays[:, 2]
    pts = cam.position + s[:, None] * rays
    return np.asarray(pts[:, :2])


def _frames(truth: dict[str, Any], start: float, end: float) -> npt.NDArray[np.bool_]:
    t = np.asarray(truth["frames"]["time_s"])
    return np.asarray((t >= start - 1e-9) & (t <= end + 1e-9))


def _pix(track: PoseTrack, lm: Landmark) -> FloatArray:
    return np.asarray(track.pixels[:, int(lm)], dtype=np.float64)


def _in_plane(
    track: PoseTrack, truth: dict[str, Any], label: str, part: str, z: float
) -> FloatArray:
    """MediaPipe's ``label`` ``part`` landmark back-projected onto plane z: (T, 2) (x, y) m."""
    return plane_xy(camera_of(truth), _pix(track, Landmark[f"{label.upper()}_{part.upper()}"]), z)


def _heel_z(truth: dict[str, Any], side: str) -> float:
    return float(np.median(np.asarray(truth["frames"][side]["heel_point_3d"])[:, 2]))


def _reps_in_clip(truth: dict[str, Any], side: str) -> list[dict[str, Any]]:
    """Rep events of leg ``side`` that end before the clip does (a clip may be cut short)."""
    last = float(truth["frames"]["time_s"][-1])
    return [
        e for e in truth["events"] if e["kind"] == "rep" and e["leg"] == side and e["end_s"] <= last
    ]


@dataclass(frozen=True)
class RepRise:
    """One rep's heel rise (cm): truth (mesh heel point), MediaPipe's heel, the nominal joint."""

    index: int
    truth_cm: float
    mediapipe_cm: float
    nominal_joint_cm: float

    @property
    def ratio(self) -> float:
        return self.mediapipe_cm / self.truth_cm


def heel_rises(track: PoseTrack, truth: dict[str, Any], side: str, label: str) -> list[RepRise]:
    """Per-rep heel rise of truth leg ``side`` read from MediaPipe's ``label`` heel.

    Heights are world y after back-projecting onto the heel's sagittal plane.
    Baseline: median over the lead-in (before the first rep); peak: median
    over the rep's top hold. All three series are measured the same way.
    """
    reps = _reps_in_clip(truth, side)
    fr = truth["frames"]
    z = _heel_z(truth, side)
    mesh_y = np.asarray(fr[side]["heel_point_3d"])[:, 1]
    joint_y = np.asarray(fr["joints_3d"])[:, int(Landmark[f"{side.upper()}_HEEL"]), 1]
    mp_y = _in_plane(track, truth, label, "heel", z)[:, 1]
    base = _frames(truth, 0.0, reps[0]["start_s"] - 0.1)
    out = []
    for e in reps:
        top = _frames(truth, e["top_start_s"], e["top_end_s"])
        rise = [
            100.0 * float(np.nanmedian(y[top]) - np.nanmedian(y[base]))
            for y in (mesh_y, mp_y, joint_y)
        ]
        out.append(RepRise(e["index"], *rise))
    return out


def standing_drift_cm(
    track: PoseTrack, truth: dict[str, Any], side: str, label: str
) -> list[float]:
    """MediaPipe heel height (cm) in each rest after a rep, relative to the lead-in (truth: 0).

    Negative = below where it started. Rest windows skip 0.2 s after the rep
    ends so the lowering is not counted.
    """
    reps = _reps_in_clip(truth, side)
    fr = truth["frames"]
    mp_y = _in_plane(track, truth, label, "heel", _heel_z(truth, side))[:, 1]
    base = _frames(truth, 0.0, reps[0]["start_s"] - 0.1)
    end_clip = float(fr["time_s"][-1])
    out = []
    for i, e in enumerate(reps):
        stop = reps[i + 1]["start_s"] - 0.05 if i + 1 < len(reps) else end_clip
        rest = _frames(truth, e["end_s"] + 0.2, stop)
        out.append(100.0 * float(np.nanmedian(mp_y[rest]) - np.nanmedian(mp_y[base])))
    return out


@dataclass(frozen=True)
class LungeReading:
    """One knee-to-wall hold: knee landmark vs the knee's front (cm), tibia angles (degrees)."""

    index: int
    knee_behind_front_cm: float  # MediaPipe knee landmark behind the mesh's knee front
    joint_behind_front_cm: float  # truth knee joint centre behind the knee front
    mediapipe_vs_joint_cm: float  # MediaPipe knee ahead (+) of the truth joint centre
    tibia_truth_3d: float
    tibia_mediapipe: float


def lunge_readings(
    track: PoseTrack, truth: dict[str, Any], side: str, label: str
) -> list[LungeReading]:
    """Knee and tibia at each knee-to-wall hold (medians over the hold).

    MediaPipe's knee and ankle are back-projected onto the tested leg's
    sagittal plane (the truth knee's z); x is toward the wall.
    """
    fr = truth["frames"]
    s = side.upper()
    j3 = np.asarray(fr["joints_3d"])
    knee_i = int(Landmark[f"{s}_KNEE"])
    front3 = np.asarray(fr[side]["knee_front_3d"])
    z = float(np.median(j3[:, knee_i, 2]))
    mp_knee = _in_plane(track, truth, label, "knee", z)
    mp_ankle = _in_plane(track, truth, label, "ankle", z)
    shank = mp_knee - mp_ankle
    tib_mp = np.degrees(np.arctan2(shank[:, 0], shank[:, 1]))
    out = []
    for e in (e for e in truth["events"] if e["kind"] == "lunge"):
        hold = _frames(truth, e["hold_start_s"], e["hold_end_s"])

        def med(x: FloatArray, hold: npt.NDArray[np.bool_] = hold) -> float:
            return float(np.nanmedian(x[hold]))

        out.append(
            LungeReading(
                index=e["index"],
                knee_behind_front_cm=100.0 * med(front3[:, 0] - mp_knee[:, 0]),
                joint_behind_front_cm=100.0 * med(front3[:, 0] - j3[:, knee_i, 0]),
                mediapipe_vs_joint_cm=100.0 * med(mp_knee[:, 0] - j3[:, knee_i, 0]),
                tibia_truth_3d=med(np.asarray(fr[side]["tibia_inclination_deg"])),
                tibia_mediapipe=med(tib_mp),
            )
        )
    return out


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
    over ``mask`` frames: (cm above, cm ahead along +x), in the heel's sagittal plane."""
    mp = _in_plane(track, truth, label, "heel", _heel_z(truth, side))
    p3 = np.asarray(truth["frames"][side]["heel_point_3d"])
    d = np.nanmedian(mp[mask] - p3[mask][:, :2], axis=0) * 100.0
    return float(d[1]), float(d[0])


def stance_height_cm(
    track: PoseTrack,
    truth: dict[str, Any],
    side: str,
    part: str,
    truth_y: FloatArray,
    start_s: float,
) -> tuple[float, float]:
    """Median height (cm) above its standing height of MediaPipe's ``side`` ``part``
    landmark and of the truth heights ``truth_y`` (T,) m, over the frames after
    ``start_s`` where that foot is on the floor (its sole's lowest point < 0.5 cm)."""
    t = np.asarray(truth["frames"]["time_s"])
    base = t < 0.4
    on_floor = np.asarray(truth["frames"][side]["sole_lowest_cm"]) < 0.5
    mask = (t > start_s) & on_floor
    mp_y = _in_plane(track, truth, side, part, _heel_z(truth, side))[:, 1]

    def height(y: FloatArray) -> float:
        return 100.0 * float(np.nanmedian(y[mask]) - np.nanmedian(y[base]))

    return height(mp_y), height(truth_y)


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
    prof = truth["profile"]
    if prof.get("type") in ("HeelWalkProfile", "ToeWalkProfile"):
        start = prof["lead_in_s"] + prof["setup_s"]
        near = truth["camera"].get("near_side") or "right"
        fr = truth["frames"]
        if prof["type"] == "ToeWalkProfile":
            got, want = stance_height_cm(
                track, truth, near, "heel", np.asarray(fr[near]["heel_point_3d"])[:, 1], start
            )
            what = "heel (truth: sole under the heel)"
        else:
            toe = np.asarray(fr["joints_3d"])[:, int(Landmark[f"{near.upper()}_FOOT_INDEX"]), 1]
            got, want = stance_height_cm(track, truth, near, "foot_index", toe, start)
            what = "foot_index (truth: the foot_index joint)"
        lines.append(
            f"- {near} {what} height in stance, truth / MediaPipe (cm): {want:.1f} / {got:.1f} "
            f"(ratio {got / want:.2f})"
        )
    legs = {e["leg"] for e in truth["events"] if e["kind"] == "lunge"}
    for side in sorted(legs):
        for r in lunge_readings(track, truth, side, side):
            lines.append(
                f"- lunge {r.index}: MediaPipe knee {r.knee_behind_front_cm:.1f} cm behind the knee "
                f"front (truth joint centre {r.joint_behind_front_cm:.1f} cm behind; MediaPipe "
                f"{r.mediapipe_vs_joint_cm:+.1f} cm vs joint); tibia truth "
                f"{r.tibia_truth_3d:.1f}, MediaPipe {r.tibia_mediapipe:.1f} deg"
            )
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    """Extract poses from rendered clips and print the findings as Markdown.

    Usage: ``python -m formcheck.render.findings [--model=PATH] [--tracks=DIR] CLIP.mp4 ...``;
    with ``--tracks`` each clip's track is read from (or saved to) ``DIR/<clip>.npz``.
    """
    from formcheck.pose import extract_track
    from formcheck.render.truth import load_truth
    from formcheck.track import load_track, save_track

    args = list(sys.argv[1:] if argv is None else argv)
    opts = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in args if a.startswith("--")}
    for name in (a for a in args if not a.startswith("--")):
        mp4 = Path(name)
        truth = load_truth(mp4.with_name(mp4.stem + ".truth.json"))
        cached = Path(opts["--tracks"]) / f"{mp4.stem}.npz" if "--tracks" in opts else None
        if cached is not None and cached.exists():
            track = load_track(cached)
        else:
            track = extract_track(mp4, model_path=opts.get("--model"))
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                save_track(track, cached)
        print("\n".join(report(mp4, track, truth)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
