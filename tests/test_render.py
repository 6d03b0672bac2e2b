"""Renderer: coordinate conversion, camera, figure geometry, truth files, committed samples.

Most tests need only NumPy. Rendering itself needs Blender's Python module
(``pip install --no-deps "bpy>=4.5,<4.6"``) and is skipped with that reason when it is
absent. The sample-clip tests check what is committed in ``sample_videos/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.landmarks import Landmark
from formcheck.render.coords import CameraPose, blender_to_synth, synth_to_blender
from formcheck.render.figure import FigureDims, build_figure, foot_contact
from formcheck.render.truth import check_truth, leg_angles

PROJECT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT / "sample_videos"


# ------------------------------------------------------------ coordinates
@pytest.mark.parametrize(
    ("synth", "blender"),
    [
        ((1.0, 0.0, 0.0), (1.0, 0.0, 0.0)),  # forward stays Blender +X
        ((0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),  # up becomes Blender +Z
        ((0.0, 0.0, 1.0), (0.0, -1.0, 0.0)),  # the person's right becomes Blender -Y
        ((0.3, 1.7, -0.2), (0.3, 0.2, 1.7)),  # a head-height point on the left
    ],
)
def test_synth_to_blender_axes(synth: tuple[float, ...], blender: tuple[float, ...]) -> None:
    np.testing.assert_allclose(synth_to_blender(synth), blender, atol=1e-12)
    np.testing.assert_allclose(blender_to_synth(blender), synth, atol=1e-12)


def test_conversion_is_a_proper_rotation() -> None:
    """No mirroring: both frames are right-handed (forward x up = right in synth)."""
    pts = np.random.default_rng(0).normal(size=(50, 3))
    b = synth_to_blender(pts)
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), np.linalg.norm(pts, axis=1))
    fwd, up, right = synth_to_blender(np.eye(3))
    np.testing.assert_allclose(np.cross(fwd, up), right, atol=1e-12)  # handedness kept
    np.testing.assert_allclose(blender_to_synth(b), pts, atol=1e-12)


def test_camera_projects_centre_and_directions() -> None:
    """Side camera on the person's right (+z) looking at the origin: +x goes image-right."""
    cam = CameraPose.look_at((0.0, 1.0, 4.0), (0.0, 1.0, 0.0), focal_px=500, width=640, height=480)
    np.testing.assert_allclose(cam.project([0.0, 1.0, 0.0]), [320.0, 240.0], atol=1e-9)
    ahead, above = cam.project([[0.4, 1.0, 0.0], [0.0, 1.4, 0.0]])
    np.testing.assert_allclose(ahead, [320 + 500 * 0.4 / 4.0, 240.0], atol=1e-9)
    np.testing.assert_allclose(above, [320.0, 240 - 500 * 0.4 / 4.0], atol=1e-9)
    assert np.all(np.isnan(cam.project([0.0, 1.0, 5.0])))  # behind the camera


def test_blender_camera_matrix_looks_down_local_minus_z() -> None:
    cam = CameraPose.look_at((1.0, 1.2, 3.0), (0.0, 0.9, 0.0), focal_px=600, width=640, height=480)
    m = cam.blender_matrix()
    np.testing.assert_allclose(m[:3, 3], synth_to_blender(cam.position))
    np.testing.assert_allclose(-m[:3, 2], synth_to_blender(cam.forward), atol=1e-12)
    np.testing.assert_allclose(m[:3, :3].T @ m[:3, :3], np.eye(3), atol=1e-12)
    assert np.linalg.det(m[:3, :3]) == pytest.approx(1.0)
    assert cam.lens_mm == pytest.approx(600 * 36.0 / 640)


def test_camera_pose_matches_synth_placed_camera() -> None:
    """The renderer's projection and the generator's are the same camera."""
    from formcheck.synth.camera import CameraSpec

    spec = CameraSpec(
        view="oblique", distance_m=3.0, height_m=1.1, tilt_deg=8, width=640, height=480
    )
    placed = spec.place(np.array([0.1, 0.9, 0.05]))
    cam = CameraPose(placed.position, placed.forward, placed.up, placed.focal_px, 640, 480)
    pts = np.random.default_rng(1).uniform([-0.5, 0, -0.5], [0.5, 1.8, 0.5], size=(40, 3))
    np.testing.assert_allclose(cam.project(pts), placed.project(pts), atol=1e-9)


# ------------------------------------------------------------ figure + truth
@pytest.fixture(scope="module")
def calf_job():  # type: ignore[no-untyped-def]
    from formcheck.render.drills import job_for, preset
    from formcheck.synth.camera import CameraSpec

    pr = preset("calf-raise")
    cam = CameraSpec(view="side", distance_m=3.5, height_m=1.0, width=320, height=240, fps=10)
    return job_for(pr.make(), cam, drill=pr.drill)


def test_shoe_sole_touches_floor_standing_and_heel_rises(calf_job) -> None:  # type: ignore[no-untyped-def]
    dims = FigureDims.for_height(calf_job.height_m)
    parts = build_figure(calf_job.joints, dims, calf_job.feet)
    for side in ("left", "right"):
        fc = foot_contact(parts, calf_job.joints, side, dims)
        # standing (first frame): the sole rests on the floor, nothing below it
        assert fc.lowest[0] == pytest.approx(0.0, abs=1e-3)
        assert fc.heel_point[0, 1] == pytest.approx(0.0, abs=1e-3)
        assert np.all(fc.lowest > -2e-3), "the sole must never sink through the floor"
        # the mesh heel rises by the profile's heel rise (8 cm) at the top of a rep
        assert fc.heel_point[:, 1].max() == pytest.approx(0.08, abs=0.005)
        # toes stay down throughout a calf raise
        assert np.abs(fc.toe_point[:, 1]).max() < 3e-3
        # nominal heel landmark sits above and behind the mesh heel point
        heel_lm = calf_job.joints[0, int(Landmark[f"{side.upper()}_HEEL"])]
        assert heel_lm[1] > fc.heel_point[0, 1] + 0.01
        assert heel_lm[0] < fc.heel_point[0, 0]


def test_figure_rejects_bad_joints() -> None:
    dims = FigureDims()
    with pytest.raises(ValueError, match=r"\(T, 33, 3\)"):
        build_figure(np.zeros((5, 17, 3)), dims)
    bad = np.zeros((2, 33, 3))
    bad[1, 3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        build_figure(bad, dims)


def test_leg_angles_known_pose() -> None:
    """Shank 30 degrees forward of vertical over a flat foot: tibia 30, dorsiflexion 30."""
    j = np.zeros((1, 33, 3))
    for side, z in (("LEFT", -0.1), ("RIGHT", 0.1)):
        j[0, Landmark[f"{side}_HIP"]] = (0.0, 0.9, z)
        j[0, Landmark[f"{side}_SHOULDER"]] = (0.0, 1.4, z * 2)
        j[0, Landmark[f"{side}_ANKLE"]] = (0.0, 0.07, z)
        j[0, Landmark[f"{side}_KNEE"]] = (
            0.4 * np.sin(np.radians(30)),
            0.07 + 0.4 * np.cos(np.radians(30)),
            z,
        )
        j[0, Landmark[f"{side}_HEEL"]] = (-0.05, 0.02, z)
        j[0, Landmark[f"{side}_FOOT_INDEX"]] = (0.20, 0.02, z)
    ang = leg_angles(j, "right")
    assert ang["tibia_inclination_deg"][0] == pytest.approx(30.0, abs=1e-6)
    assert ang["ankle_dorsiflexion_deg"][0] == pytest.approx(30.0, abs=1e-6)


def test_truth_schema_round_trip(calf_job, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from formcheck.render.clip import prepare
    from formcheck.render.truth import load_truth, write_truth

    _, _, truth = prepare(calf_job, "clip.mp4")
    path = write_truth(truth, tmp_path / "clip.truth.json")
    back = load_truth(path)
    n = back["frame_count"]
    assert n == calf_job.joints.shape[0]
    assert [e["kind"] for e in back["events"]].count("rep") == 4  # 2 reps x 2 legs
    # 2D truth is the camera's projection of the 3D truth
    np.testing.assert_allclose(
        back["frames"]["joints_2d"], calf_job.camera.project(calf_job.joints), atol=0.006
    )
    broken = json.loads(path.read_text())
    broken["frames"]["right"]["heel_height_cm"] = broken["frames"]["right"]["heel_height_cm"][:-1]
    with pytest.raises(ValueError, match=r"right\.heel_height_cm"):
        check_truth(broken)
    del broken["frames"]
    with pytest.raises(ValueError, match="lacks"):
        check_truth(broken)


def test_truth_is_deterministic(calf_job) -> None:  # type: ignore[no-untyped-def]
    """Same job, same truth, byte for byte (nothing random leaks into the geometry)."""
    from formcheck.render.clip import prepare

    a = json.dumps(prepare(calf_job, "c.mp4")[2], sort_keys=True)
    b = json.dumps(prepare(calf_job, "c.mp4")[2], sort_keys=True)
    assert a == b


def test_unknown_preset_lists_choices() -> None:
    from formcheck.render.drills import preset

    with pytest.raises(ValueError, match="expected one of"):
        preset("moonwalk")


def _track_from_truth(truth: dict, heel_from: str = "mesh"):  # type: ignore[no-untyped-def]
    """A PoseTrack that puts every landmark at its truth projection (a perfect tracker);
    heels at the mesh heel point (``heel_from="mesh"``) or the nominal joint."""
    from formcheck.track import PoseTrack

    j2 = np.array(truth["frames"]["joints_2d"], dtype=np.float64)
    if heel_from == "mesh":
        for side in ("left", "right"):
            j2[:, int(Landmark[f"{side.upper()}_HEEL"])] = truth["frames"][side]["heel_point_2d"]
    n = j2.shape[0]
    lm = np.zeros((n, 33, 3))
    lm[:, :, 0] = j2[:, :, 0] / truth["width"]
    lm[:, :, 1] = j2[:, :, 1] / truth["height"]
    return PoseTrack(
        landmarks=lm,
        visibility=np.ones((n, 33)),
        presence=np.ones((n, 33)),
        world=np.zeros((n, 33, 3)),
        timestamps_s=np.asarray(truth["frames"]["time_s"]),
        width=truth["width"],
        height=truth["height"],
        fps=truth["fps"],
    )


def test_findings_of_a_perfect_tracker(calf_job) -> None:  # type: ignore[no-untyped-def]
    """Heel landmark exactly on the mesh heel point: rise ratio 1, no drift; on the
    nominal joint (which also tilts with the rearfoot) the ratio differs from 1."""
    from formcheck.render.clip import prepare
    from formcheck.render.findings import heel_rises, standing_drift_cm

    _, _, truth = prepare(calf_job, "clip.mp4")
    perfect = _track_from_truth(truth, "mesh")
    for r in heel_rises(perfect, truth, "right", "right"):
        assert r.ratio == pytest.approx(1.0, abs=0.01)
        assert r.truth_cm == pytest.approx(8.0, rel=0.06)  # 8 cm, seen through a tilted camera
    assert np.allclose(standing_drift_cm(perfect, truth, "right", "right"), 0.0, atol=0.02)
    nominal = _track_from_truth(truth, "joint")
    ratios = [r.ratio for r in heel_rises(nominal, truth, "right", "right")]
    assert all(abs(x - 1.0) > 0.01 for x in ratios)


# ------------------------------------------------------------ rendering (bpy)
def test_render_marks_the_projected_joint_pixels(tmp_path: Path) -> None:
    """A rendered frame: the figure covers the projected hip and the floor shows below the feet."""
    from formcheck.render.scene import bpy_available

    if not bpy_available():
        from formcheck.render.scene import BPY_HINT

        pytest.skip(f"bpy not installed, rendering not tested. {BPY_HINT}")
    from formcheck.render.clip import prepare
    from formcheck.render.drills import job_for, preset
    from formcheck.render.figure import PALETTES
    from formcheck.render.scene import BlenderScene
    from formcheck.synth.camera import CameraSpec

    pr = preset("calf-raise")
    cam = CameraSpec(view="side", distance_m=3.0, height_m=1.0, width=160, height=120, fps=5)
    job = job_for(pr.make(), cam, drill=pr.drill, max_frames=2)
    parts, _, truth = prepare(job, "x.mp4")
    img = BlenderScene(parts, PALETTES[0], job.camera, aa_samples="FXAA").render(0)
    assert img.shape == (120, 160, 3)
    hip = np.asarray(truth["frames"]["joints_2d"][0][int(Landmark.RIGHT_HIP)])
    px = img[int(hip[1]), int(hip[0])].astype(float)
    shorts = np.asarray(PALETTES[0]["shorts"]) * 255
    backdrop = np.asarray(PALETTES[0]["backdrop"]) * 255
    # the hip pixel is the (shaded) shorts colour, not the backdrop
    assert np.linalg.norm(px - shorts) < np.linalg.norm(px - backdrop)


# ------------------------------------------------------------ committed samples
def _samples() -> list[Path]:
    return sorted(SAMPLES.glob("*.mp4"))


def test_samples_are_committed() -> None:
    names = {p.stem for p in _samples()}
    for needed in (
        "calf_raise_side",
        "calf_raise_bent_knee_side",
        "balance_side",
        "knee_to_wall_side",
    ):
        assert needed in names, f"sample_videos/{needed}.mp4 missing"


@pytest.mark.parametrize("mp4", _samples(), ids=lambda p: p.name)
def test_sample_is_small_h264_matching_its_truth(mp4: Path) -> None:
    from formcheck.render.truth import load_truth

    assert mp4.stat().st_size < 1_000_000
    truth = load_truth(mp4.with_name(mp4.stem + ".truth.json"))
    assert truth["clip"] == mp4.name
    with av.open(str(mp4)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.codec_context.width, stream.codec_context.height) == (
            truth["width"],
            truth["height"],
        )
        assert float(stream.average_rate) == pytest.approx(truth["fps"], rel=0.01)
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == truth["frame_count"]


# ------------------------------------------------------------ CLI --yaw (no rendering)
def _cli_truth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> dict:  # type: ignore[type-arg]
    """Run ``python -m formcheck.render`` with ``args`` and a stand-in for the
    renderer that writes the truth file and an empty MP4; return the truth."""
    import formcheck.render.clip as clip
    from formcheck.render.__main__ import main
    from formcheck.render.truth import write_truth

    def fake_render(job, out, *, crf, progress):  # type: ignore[no-untyped-def]
        out = Path(out)
        out.write_bytes(b"")
        _, _, truth = clip.prepare(job, out.name)
        return out, write_truth(truth, clip.truth_path_for(out))

    monkeypatch.setattr(clip, "render_clip", fake_render)
    mp4 = tmp_path / "c.mp4"
    argv = ["--drill", "calf-raise", "--size", "320x240", "--max-frames", "3", "--out", str(mp4)]
    assert main([*argv, *args]) == 0
    return json.loads(clip.truth_path_for(mp4).read_text())


def _shoulder_yaw(truth: dict) -> float:  # type: ignore[type-arg]
    """Signed azimuth of the camera seen from the shoulder centre (deg, + toward the
    person's right, +z), relative to the direction they face (+x), first frame."""
    j = np.asarray(truth["frames"]["joints_3d"][0])
    mid = 0.5 * (j[int(Landmark.LEFT_SHOULDER)] + j[int(Landmark.RIGHT_SHOULDER)])
    to_cam = np.asarray(truth["camera"]["position"]) - mid
    return float(np.degrees(np.arctan2(to_cam[2], to_cam[0])))


@pytest.mark.parametrize(
    ("view", "yaw", "expected"),
    [
        ("front", 0.0, 0.0),  # no --yaw: facing the camera, as before
        ("front", 45.0, 45.0),  # front-right oblique
        ("front", -30.0, -30.0),  # turned the other way: toward the person's left
        ("side", -20.0, 70.0),  # yaw adds to the view's azimuth (right side = 90)
    ],
)
def test_cli_yaw_turns_the_camera_around_the_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, view: str, yaw: float, expected: float
) -> None:
    args = ["--view", view] + (["--yaw", str(yaw)] if yaw else [])
    truth = _cli_truth(tmp_path, monkeypatch, *args)
    assert truth["camera"]["yaw_deg"] == yaw
    assert _shoulder_yaw(truth) == pytest.approx(expected, abs=1.0)
    # the figure is seen turned: its projected shoulder width shrinks with cos(yaw)
    j2 = np.asarray(truth["frames"]["joints_2d"][0])
    width = abs(j2[int(Landmark.LEFT_SHOULDER), 0] - j2[int(Landmark.RIGHT_SHOULDER), 0])
    front = _cli_truth(tmp_path / "front", monkeypatch, "--view", "front")
    f2 = np.asarray(front["frames"]["joints_2d"][0])
    width0 = abs(f2[int(Landmark.LEFT_SHOULDER), 0] - f2[int(Landmark.RIGHT_SHOULDER), 0])
    assert width / width0 == pytest.approx(np.cos(np.radians(expected)), abs=0.05)


def test_cli_front_yaw_90_is_the_right_side_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    turned = _cli_truth(tmp_path / "a", monkeypatch, "--view", "front", "--yaw", "90")
    side = _cli_truth(tmp_path / "b", monkeypatch, "--view", "side", "--near-side", "right")
    np.testing.assert_allclose(turned["camera"]["position"], side["camera"]["position"], atol=1e-3)
    np.testing.assert_allclose(
        turned["frames"]["joints_2d"], side["frames"]["joints_2d"], atol=0.01
    )


# ------------------------------------------------------- CLI --knee-flexion (no rendering)
@pytest.mark.parametrize(
    ("drill", "knee", "expected"),
    [
        ("calf-raise-bent-knee", None, 25.0),  # no option: the preset's bend, as before
        ("calf-raise-bent-knee", 15.0, 15.0),  # a shallower soleus raise
        ("calf-raise-bent-knee", 35.0, 35.0),  # a deeper one
        ("calf-raise", None, 0.0),  # straight-knee preset untouched
        ("calf-raise", 10.0, 10.0),  # the straight-knee preset can be bent too
    ],
)
def test_cli_knee_flexion_sets_the_held_knee_bend(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    drill: str,
    knee: float | None,
    expected: float,
) -> None:
    args = ["--drill", drill] + ([] if knee is None else ["--knee-flexion", str(knee)])
    truth = _cli_truth(tmp_path, monkeypatch, *args)
    assert truth["profile"]["knee_flexion_deg"] == expected
    # the rendered figure's knees (truth, from its joints) hold that bend
    for side in ("left", "right"):
        flex = np.asarray(truth["frames"][side]["knee_flexion_deg"])
        assert flex.mean() == pytest.approx(expected, abs=1.0)


def test_cli_knee_flexion_without_it_reproduces_the_preset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _cli_truth(tmp_path / "a", monkeypatch, "--drill", "calf-raise-bent-knee")
    same = _cli_truth(
        tmp_path / "b", monkeypatch, "--drill", "calf-raise-bent-knee", "--knee-flexion", "25"
    )
    assert plain["frames"]["joints_2d"] == same["frames"]["joints_2d"]


def test_cli_knee_flexion_is_refused_for_other_drills(tmp_path: Path) -> None:
    from formcheck.render.__main__ import main

    out = tmp_path / "c.mp4"
    assert main(["--drill", "heel-walk", "--knee-flexion", "20", "--out", str(out)]) == 2
    assert main(["--drill", "calf-raise", "--knee-flexion", "95", "--out", str(out)]) == 2
    assert not out.exists()


def test_cli_heel_rise_sets_each_reps_rise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _cli_truth(tmp_path / "a", monkeypatch, "--max-frames", "200")
    six = _cli_truth(tmp_path / "b", monkeypatch, "--max-frames", "200", "--heel-rise", "6")
    assert plain["profile"]["heel_rise_cm"] == 8.0
    assert six["profile"]["heel_rise_cm"] == 6.0
    for truth, want in ((plain, 8.0), (six, 6.0)):
        reps = [e for e in truth["events"] if e["kind"] == "rep"]
        assert reps and all(e["heel_rise_cm"] == pytest.approx(want) for e in reps)
        # the rendered heel (sole under the heel) rises that much, within 5%
        heel = np.asarray(truth["frames"]["right"]["heel_height_cm"])
        assert heel.max() - heel.min() == pytest.approx(want, rel=0.05)
    from formcheck.render.__main__ import main

    out = tmp_path / "c.mp4"
    assert main(["--drill", "balance", "--heel-rise", "6", "--out", str(out)]) == 2
    assert main(["--drill", "calf-raise", "--heel-rise", "0", "--out", str(out)]) == 2


def test_step_preset_puts_the_balls_of_the_feet_on_the_steps_edge() -> None:
    from formcheck.render.clip import prepare
    from formcheck.render.drills import PRESETS, STEP_HEIGHT_M, job_for
    from formcheck.synth.camera import CameraSpec

    plain = job_for(PRESETS["calf-raise"].make(), CameraSpec(view="side"), drill="calf-raise")
    assert plain.step is None
    job = job_for(PRESETS["calf-raise-step"].make(), CameraSpec(view="side"), drill="calf-raise")
    assert job.step is not None
    edge_x, height = job.step
    assert height == STEP_HEIGHT_M
    assert job.feet is not None
    for side in ("left", "right"):
        feet = job.feet[side]
        # the forefoot rests on the step, the rearfoot overhangs its edge
        assert feet["heel_contact"][0, 0] < edge_x < feet["mtp"][0, 0]
        # between reps the heel sinks 5 cm below the step's top (y = 0)
        assert feet["heel_contact"][:, 1].min() == pytest.approx(-0.05, abs=0.002)
        assert feet["mtp"][:, 1].min() > -0.002
    _, _, truth = prepare(job, "step.mp4")
    assert truth["step"] == {"edge_x_m": round(edge_x, 4), "height_m": STEP_HEIGHT_M}
    check_truth(truth)  # raises on a bad layout


def test_cli_heel_drop_is_for_the_step_preset_only(tmp_path: Path) -> None:
    from formcheck.render.__main__ import main

    out = tmp_path / "c.mp4"
    assert main(["--drill", "calf-raise", "--heel-drop", "4", "--out", str(out)]) == 2
    assert main(["--drill", "calf-raise-step", "--heel-drop", "12", "--out", str(out)]) == 2
    assert not out.exists()
