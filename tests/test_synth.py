"""Geometry and statistics of the synthetic ground-truth generator (no pose model)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from formcheck.angles import compute_angles
from formcheck.landmarks import Landmark
from formcheck.synth import (
    BalanceProfile,
    BodyModel,
    CalfRaiseProfile,
    CameraSpec,
    HeelWalkProfile,
    KneeToWallProfile,
    LateralHopsProfile,
    LungeAttempt,
    NoiseSpec,
    ToeWalkProfile,
    pose_world_joints,
    synthesize,
)
from formcheck.synth import body as body_mod

BODY = BodyModel.from_height(175.0)
FOOT_IDX = [
    int(Landmark[f"{s}_{p}"]) for s in ("LEFT", "RIGHT") for p in ("ANKLE", "HEEL", "FOOT_INDEX")
]


# ------------------------------------------------------------------ body model
@pytest.mark.parametrize("height_cm", [150.0, 175.0, 201.0])
def test_vertical_chain_sums_to_height(height_cm: float) -> None:
    b = BodyModel.from_height(height_cm)
    total = b.ankle_height + b.shank + b.thigh + b.trunk + b.neck + b.head
    assert total == pytest.approx(height_cm / 100.0, rel=1e-9)


def test_standing_pose_matches_published_heights() -> None:
    # Winter (2009) Fig. 4.1: hip 0.530H, knee 0.285H, ankle 0.039H, shoulder 0.818H, eye 0.936H
    prof = CalfRaiseProfile(reps=0, sway_cm=0.0, trunk_lean_deg=0.0)
    j = pose_world_joints(prof, BODY, [0.0])[0]
    h = BODY.height_m
    for lm, frac in [
        (Landmark.LEFT_HIP, 0.530),
        (Landmark.RIGHT_KNEE, 0.285),
        (Landmark.LEFT_ANKLE, 0.039),
        (Landmark.RIGHT_SHOULDER, 0.818),
        (Landmark.LEFT_EYE, 0.936),
    ]:
        assert j[lm, 1] == pytest.approx(frac * h, abs=1e-6), lm.name
    # heel landmark behind and below the ankle, above the sole; toe in front, near the floor
    for side in ("LEFT", "RIGHT"):
        heel, ankle, toe = (j[Landmark[f"{side}_{p}"]] for p in ("HEEL", "ANKLE", "FOOT_INDEX"))
        assert heel[0] < ankle[0] < toe[0]
        assert 0 < heel[1] < ankle[1]
        assert 0 < toe[1] < heel[1]
        assert toe[0] - heel[0] == pytest.approx(0.152 * h - 0.004 * h, rel=1e-6)
    # origin midway between the heels' contact points; right side at +z
    assert j[Landmark.RIGHT_HIP, 2] > 0 > j[Landmark.LEFT_HIP, 2]
    mid = 0.5 * (j[Landmark.LEFT_HEEL] + j[Landmark.RIGHT_HEEL])
    assert mid[0] == pytest.approx(body_mod.HEEL_BACK * h, abs=1e-9)
    assert mid[2] == pytest.approx(0.0, abs=1e-9)


def test_segment_lengths_constant_through_motion() -> None:
    for prof in (
        CalfRaiseProfile(reps=2, knee_flexion_deg=20),
        BalanceProfile(),
        KneeToWallProfile(),
    ):
        t = np.linspace(0, prof.duration_s, 200)
        j = pose_world_joints(prof, BODY, t)
        for side in ("LEFT", "RIGHT"):
            thigh = np.linalg.norm(
                j[:, Landmark[f"{side}_HIP"]] - j[:, Landmark[f"{side}_KNEE"]], axis=1
            )
            shank = np.linalg.norm(
                j[:, Landmark[f"{side}_KNEE"]] - j[:, Landmark[f"{side}_ANKLE"]], axis=1
            )
            np.testing.assert_allclose(thigh, BODY.thigh, rtol=1e-6, err_msg=type(prof).__name__)
            np.testing.assert_allclose(shank, BODY.shank, rtol=1e-6, err_msg=type(prof).__name__)


# ------------------------------------------------------------------ calf raise
def test_calf_raise_heel_height_and_forefoot() -> None:
    prof = CalfRaiseProfile(reps=5, heel_rise_cm=9.0, fatigue_pct=20.0, partial_reps=(3,))
    syn = synthesize(prof, noise=NoiseSpec.none())
    tr = syn.truth
    reps = tr.events_of("rep")
    assert len(reps) == 2 * 5  # both legs
    for e in reps:
        k = int(np.argmin(np.abs(tr.times_s - e["peak_s"])))
        # the peak sits in the middle of the hold plateau: truth equals the planned rise
        assert tr.heel_height_cm[e["leg"]][k] == pytest.approx(e["heel_rise_cm"], abs=1e-6)
    rises = [e["heel_rise_cm"] for e in reps if e["leg"] == "left"]
    assert rises[0] == pytest.approx(9.0)
    assert rises[-1] == pytest.approx(9.0 * 0.8)
    assert rises[3] == pytest.approx(9.0 * (1 - 0.2 * 3 / 4) * prof.partial_fraction)
    assert tr.summary["rep_count"] == 4
    for side in ("left", "right"):
        # ball of the foot and the toe stay on the floor during the whole set
        np.testing.assert_allclose(tr.forefoot_height_cm[side], 0.0, atol=1e-9)
        toe = tr.feet[side]["toe_tip"]
        np.testing.assert_allclose(toe - toe[0], 0.0, atol=1e-12)
        assert tr.heel_height_cm[side].min() >= -1e-9
        # heel down between reps
        rest = tr.times_s < prof.lead_in_s
        np.testing.assert_allclose(tr.heel_height_cm[side][rest], 0.0, atol=1e-9)


def test_calf_raise_knee_bend_and_plantarflexion() -> None:
    prof = CalfRaiseProfile(reps=2, knee_flexion_deg=20.0, sway_cm=0.0)
    tr = synthesize(prof, noise=NoiseSpec.none()).truth
    np.testing.assert_allclose(tr.angles["left"]["knee_flexion"], 20.0, atol=1e-6)
    e = tr.events_of("rep")[0]
    # heel up -> ankle plantarflexes; 9 cm on an 18 cm lever is about 25 degrees of rearfoot rotation
    assert 10.0 < e["plantarflexion_deg"] < 35.0
    k = int(np.argmin(np.abs(tr.times_s - e["peak_s"])))
    assert tr.angles["left"]["foot_to_floor"][k] > 10.0  # + heel above toe


def test_single_leg_calf_raise_free_foot_off_floor() -> None:
    prof = CalfRaiseProfile(reps=3, leg="right")
    tr = synthesize(prof, noise=NoiseSpec.none()).truth
    assert {e["leg"] for e in tr.events_of("rep")} == {"right"}
    for pt in ("heel_contact", "mtp", "toe_tip"):
        assert tr.feet["left"][pt][:, 1].min() > 0.05
    # pelvis over the stance foot (within 2 cm sideways)
    hip = 0.5 * (tr.joints[:, Landmark.LEFT_HIP] + tr.joints[:, Landmark.RIGHT_HIP])
    assert np.abs(hip[:, 2] - tr.feet["right"]["ankle"][:, 2]).max() < 0.02


def test_calf_raise_sets_rest_and_change_legs() -> None:
    prof = CalfRaiseProfile(
        reps=3,
        sets=2,
        set_rest_s=5.0,
        set_legs=("left", "right"),
        fatigue_pct=20.0,
        set_fatigue_pct=10.0,
    )
    tr = synthesize(prof, noise=NoiseSpec.none()).truth
    reps = tr.events_of("rep")
    assert [(e["set"], e["leg"]) for e in reps] == [(1, "left")] * 3 + [(2, "right")] * 3
    # the second set starts a rest after the first set's last rep cycle
    assert reps[3]["start_s"] - reps[2]["start_s"] == pytest.approx(prof.cycle_s + 5.0)
    # fatigue restarts in each set; the second set is 10% lower
    rises = [e["heel_rise_cm"] for e in reps]
    assert rises[:3] == pytest.approx([8.0, 7.2, 6.4])
    assert rises[3:] == pytest.approx([7.2, 6.48, 5.76])
    # the free foot is up during its set, and both stand in the middle of the rest
    t = tr.times_s
    sole = {
        s: np.minimum(tr.feet[s]["heel_contact"][:, 1], tr.feet[s]["toe_tip"][:, 1])
        for s in ("left", "right")
    }
    first = (t > reps[0]["start_s"]) & (t < reps[2]["end_s"])
    second = (t > reps[3]["start_s"]) & (t < reps[5]["end_s"])
    mid = np.abs(t - (reps[2]["start_s"] + prof.cycle_s + 2.5)) < 0.4
    assert sole["right"][first].min() > 0.05 and sole["left"][second].min() > 0.05
    assert sole["left"][mid].max() < 0.005 and sole["right"][mid].max() < 0.005
    # the change of legs is a movement, not a jump: the free foot (~30 cm up) comes down in
    # 1 s, at most ~2.3 cm a frame at 30 fps; the feet swapping between two frames is 30 cm
    step = np.linalg.norm(np.diff(tr.joints, axis=0), axis=2).max()
    assert step < 0.03


def test_weight_shift_is_small_and_one_sided() -> None:
    prof = CalfRaiseProfile(reps=1, lead_in_s=3.0, weight_shifts_s=(0.5,), shift_heel_cm=1.0)
    tr = synthesize(prof, noise=NoiseSpec.none()).truth
    early = tr.times_s < 2.5
    assert tr.heel_height_cm["left"][early].max() == pytest.approx(1.0, abs=0.01)
    assert tr.heel_height_cm["right"][early].max() == pytest.approx(0.0, abs=1e-9)
    assert [e["kind"] for e in tr.events].count("weight_shift") == 1


# --------------------------------------------------------------------- balance
def test_balance_holds_touchdowns_and_free_foot() -> None:
    prof = BalanceProfile(duration=15.0, holds=((1.0, 6.0), (8.0, 15.0)), stance_leg="right")
    tr = synthesize(prof, noise=NoiseSpec.none()).truth
    holds = tr.events_of("hold")
    assert [(h["start_s"], h["end_s"]) for h in holds] == [(1.0, 6.0), (8.0, 15.0)]
    assert [h["ended_by"] for h in holds] == ["touchdown", "end"]
    assert [e["time_s"] for e in tr.events_of("touchdown")] == [6.0]
    free = tr.feet["left"]
    lowest = np.min(np.stack([free[p][:, 1] for p in ("heel_contact", "mtp", "toe_tip")]), axis=0)
    t = tr.times_s
    inside = ((t > 1.0 + 1e-6) & (t < 6.0 - 1e-6)) | (t > 8.0 + 1e-6)
    assert lowest[inside].min() > 0.0  # off the floor for the whole hold
    outside = (t < 1.0) | ((t > 6.0) & (t < 8.0))
    np.testing.assert_allclose(lowest[outside], 0.0, atol=1e-9)
    # stance foot never moves
    np.testing.assert_allclose(tr.heel_height_cm["right"], 0.0, atol=1e-9)


def test_balance_sway_amplitude() -> None:
    prof = BalanceProfile(
        duration=12.0, holds=((1.0, 12.0),), sway_ap_cm=1.0, sway_ml_cm=0.5, sway_hz=0.5
    )
    tr = synthesize(prof, noise=NoiseSpec.none(), camera=CameraSpec(fps=60)).truth
    hip = 0.5 * (tr.joints[:, Landmark.LEFT_HIP] + tr.joints[:, Landmark.RIGHT_HIP]) * 100
    mid = (tr.times_s > 3.0) & (tr.times_s < 11.0)  # pelvis fully over the stance foot
    ap = hip[mid, 0] - hip[mid, 0].mean()
    ml = hip[mid, 2] - hip[mid, 2].mean()
    # sinusoids: rms = amplitude / sqrt(2) (hip sits slightly below the leg length: 2% slack)
    assert np.sqrt(np.mean(ap**2)) == pytest.approx(1.0 / np.sqrt(2), rel=0.05)
    assert np.sqrt(np.mean(ml**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)
    assert tr.summary["sway_ap_rms_cm"] > tr.summary["sway_ml_rms_cm"]


# ---------------------------------------------------------------- knee-to-wall
def test_knee_to_wall_geometry() -> None:
    prof = KneeToWallProfile(
        leg="left", attempts=(LungeAttempt(8.0), LungeAttempt(12.0), LungeAttempt(12.0, 2.0))
    )
    tr = synthesize(prof, noise=NoiseSpec.none()).truth
    lunges = tr.events_of("lunge")
    assert [e["toe_to_wall_cm"] for e in lunges] == [8.0, 12.0, 12.0]
    assert [e["heel_lifted"] for e in lunges] == [False, False, True]
    assert tr.wall_x_m is not None
    for e in lunges:
        k = int(np.argmin(np.abs(tr.times_s - e["peak_s"])))
        toe = tr.feet["left"]["toe_tip"][k]
        assert (tr.wall_x_m - toe[0]) * 100 == pytest.approx(e["toe_to_wall_cm"], abs=1e-6)
        knee = tr.joints[k, Landmark.LEFT_KNEE]
        ankle = tr.joints[k, Landmark.LEFT_ANKLE]
        # the front of the knee touches the wall at the hold
        front_x = knee[0] + BODY.knee_front * np.cos(np.radians(e["tibia_angle_deg"]))
        assert front_x == pytest.approx(tr.wall_x_m, abs=1e-4)
        # tibia angle follows from the geometry
        tib = np.degrees(np.arctan2(knee[0] - ankle[0], knee[1] - ankle[1]))
        assert tib == pytest.approx(e["tibia_angle_deg"], abs=1e-6)
        assert tr.heel_height_cm["left"][k] == pytest.approx(e["heel_lift_cm"], abs=1e-6)
    # farther from the wall -> larger tibia angle (flat heel)
    assert lunges[1]["tibia_angle_deg"] > lunges[0]["tibia_angle_deg"] + 5
    assert tr.summary["best_toe_to_wall_cm"] == 12.0


# ---------------------------------------------------------------------- camera
def test_projection_matches_hand_computed_pinhole() -> None:
    cam = CameraSpec(
        view="side", distance_m=3.0, height_m=1.2, tilt_deg=10.0, width=640, height=480, fov_deg=50
    )
    syn = synthesize(CalfRaiseProfile(reps=1), camera=cam, noise=NoiseSpec.none())
    tr = syn.truth
    f = 320 / np.tan(np.radians(25))
    i = 7
    hip = 0.5 * (tr.joints[:, Landmark.LEFT_HIP] + tr.joints[:, Landmark.RIGHT_HIP])
    cx = 0.5 * (hip[:, 0].min() + hip[:, 0].max())
    cz = 0.5 * (hip[:, 2].min() + hip[:, 2].max())
    c = np.array([cx, 1.2, cz + 3.0])  # camera on the person's right (+z)
    tilt = np.radians(10)
    for lm in (Landmark.NOSE, Landmark.RIGHT_HEEL, Landmark.LEFT_KNEE):
        d = tr.joints[i, lm] - c
        # camera looks along -z, tilted down: depth = -d_z cos + -d_y sin; image-down = -d_y cos + d_z sin
        depth = -d[2] * np.cos(tilt) - d[1] * np.sin(tilt)
        down = -d[1] * np.cos(tilt) + d[2] * np.sin(tilt)
        u = 320 + f * d[0] / depth
        v = 240 + f * down / depth
        np.testing.assert_allclose(syn.track.pixels[i, lm], [u, v], atol=1e-3)
    assert tr.cm_per_px == pytest.approx(
        100 * (np.cos(tilt) * 3.0 + np.sin(tilt) * (1.2 - hip[:, 1].mean())) / f, rel=1e-3
    )


@pytest.mark.parametrize(
    ("near", "facing"),
    [("right", "right"), ("left", "left")],  # camera on the right sees the person face image-right
)
def test_side_view_near_leg_has_smaller_z(near: str, facing: str) -> None:
    syn = synthesize(
        CalfRaiseProfile(reps=1),
        camera=CameraSpec(view="side", near_side=near),
        noise=NoiseSpec.none(),
    )
    lm = syn.track.landmarks
    far = "left" if near == "right" else "right"
    for part in ("ANKLE", "KNEE", "HEEL"):
        assert np.all(
            lm[:, Landmark[f"{near.upper()}_{part}"], 2]
            < lm[:, Landmark[f"{far.upper()}_{part}"], 2]
        )
    assert syn.truth.facing == facing
    toe_x = lm[:, Landmark.LEFT_FOOT_INDEX, 0]
    heel_x = lm[:, Landmark.LEFT_HEEL, 0]
    assert np.all((toe_x > heel_x) == (facing == "right"))
    # far foot reported less visible than the near foot
    vis = syn.track.visibility
    assert (
        vis[:, Landmark[f"{far.upper()}_HEEL"]].mean()
        < vis[:, Landmark[f"{near.upper()}_HEEL"]].mean() - 0.2
    )


def test_front_view_person_right_on_image_left() -> None:
    syn = synthesize(
        CalfRaiseProfile(reps=1), camera=CameraSpec(view="front"), noise=NoiseSpec.none()
    )
    px = syn.track.pixels
    assert np.all(px[:, Landmark.RIGHT_HIP, 0] < px[:, Landmark.LEFT_HIP, 0])
    w = syn.track.world  # MediaPipe world: y down, origin at the hip midpoint
    assert np.all(w[:, Landmark.NOSE, 1] < 0)
    np.testing.assert_allclose(
        0.5 * (w[:, Landmark.LEFT_HIP] + w[:, Landmark.RIGHT_HIP]), 0.0, atol=1e-6
    )


# ----------------------------------------------------------------------- noise
def _quiet(spec: NoiseSpec, **keep: float) -> NoiseSpec:
    fields = {
        "visibility_drop_rate_hz": 0.0,
        "far_foot_error_rate_hz": 0.0,
        "swap_rate_hz": 0.0,
        "missing_fraction": 0.0,
    }
    fields.update(keep)
    return dataclasses.replace(spec, **fields)


@pytest.mark.parametrize("preset", ["low", "realistic", "heavy"])
def test_jitter_has_stated_size(preset: str) -> None:
    spec = _quiet(NoiseSpec.preset(preset))
    prof = BalanceProfile(duration=60.0, holds=((1.0, 60.0),))
    syn = synthesize(prof, noise=spec, seed=3)
    err = (syn.track.pixels - syn.truth.clean_track.pixels).astype(np.float64)
    person_px = syn.truth.height_cm / syn.truth.cm_per_px
    body = [i for i in range(33) if i not in FOOT_IDX]
    expected = np.hypot(spec.jitter, spec.drift)
    assert err[:, body].std() / person_px == pytest.approx(expected, rel=0.1)
    assert err[:, FOOT_IDX].std() / person_px == pytest.approx(
        expected * spec.foot_jitter_scale, rel=0.15
    )


def test_noise_none_is_exact() -> None:
    syn = synthesize(CalfRaiseProfile(reps=2), noise=NoiseSpec.none())
    np.testing.assert_array_equal(syn.track.landmarks, syn.truth.clean_track.landmarks)
    assert not syn.truth.corruption.swapped.any()
    assert not syn.truth.corruption.missing.any()


def test_realistic_and_heavy_episode_rates() -> None:
    prof = BalanceProfile(duration=300.0, holds=((1.0, 300.0),))
    for spec in (NoiseSpec.realistic(), NoiseSpec.heavy()):
        syn = synthesize(prof, noise=spec, seed=11)
        c = syn.truth.corruption
        missing = c.missing.mean()
        assert missing == pytest.approx(1 - np.exp(-spec.missing_fraction), rel=0.35), spec.name
        assert np.isnan(syn.track.landmarks[c.missing]).all()
        assert np.isfinite(syn.track.landmarks[~c.missing]).all()
        swap_expected = 1 - np.exp(-spec.swap_rate_hz * spec.swap_mean_s)
        assert c.swapped.mean() == pytest.approx(swap_expected, rel=0.5), spec.name
        ffe_expected = 1 - np.exp(-spec.far_foot_error_rate_hz * spec.far_foot_error_mean_s)
        assert c.far_foot_error.mean() == pytest.approx(ffe_expected, rel=0.5), spec.name


def test_swap_exchanges_leg_labels_only() -> None:
    spec = _quiet(NoiseSpec.none(), swap_rate_hz=0.5)
    syn = synthesize(BalanceProfile(duration=30.0, holds=((1.0, 30.0),)), noise=spec, seed=4)
    sw = syn.truth.corruption.swapped
    assert 0 < sw.sum() < len(sw)
    got, clean = syn.track.landmarks, syn.truth.clean_track.landmarks
    for part in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
        left, right = Landmark[f"LEFT_{part}"], Landmark[f"RIGHT_{part}"]
        np.testing.assert_array_equal(got[sw, left], clean[sw, right])
        np.testing.assert_array_equal(got[~sw, left], clean[~sw, left])
    for lm in (Landmark.LEFT_SHOULDER, Landmark.NOSE, Landmark.RIGHT_WRIST):
        np.testing.assert_array_equal(got[:, lm], clean[:, lm])


def test_far_foot_error_moves_only_far_foot() -> None:
    spec = _quiet(NoiseSpec.none(), far_foot_error_rate_hz=1.0)
    syn = synthesize(
        BalanceProfile(duration=30.0, holds=((1.0, 30.0),), stance_leg="right"), noise=spec, seed=2
    )
    c = syn.truth.corruption
    assert c.far_foot_error.any()
    diff = np.abs(syn.track.pixels - syn.truth.clean_track.pixels).max(axis=2)
    assert diff[c.far_foot_error][:, [Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX]].max() > 5.0
    others = [i for i in range(33) if i not in (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX)]
    assert diff[:, others].max() < 1e-3
    assert diff[~c.far_foot_error].max() < 1e-3


def test_deterministic_from_seed() -> None:
    prof = CalfRaiseProfile(reps=3)
    a = synthesize(prof, noise=NoiseSpec.heavy(), seed=5).track
    b = synthesize(prof, noise=NoiseSpec.heavy(), seed=5).track
    c = synthesize(prof, noise=NoiseSpec.heavy(), seed=6).track
    np.testing.assert_array_equal(a.landmarks, b.landmarks)
    np.testing.assert_array_equal(a.visibility, b.visibility)
    assert not np.array_equal(a.landmarks, c.landmarks, equal_nan=True)


def test_event_times_match_profile() -> None:
    prof = CalfRaiseProfile(reps=4, up_s=0.8, hold_s=1.0, down_s=2.0, rest_s=0.5, lead_in_s=2.0)
    tr = synthesize(prof, noise=NoiseSpec.none()).truth
    left = [e for e in tr.events_of("rep") if e["leg"] == "left"]
    cycle = 0.8 + 1.0 + 2.0 + 0.5
    for i, e in enumerate(left):
        assert e["start_s"] == pytest.approx(2.0 + i * cycle)
        assert e["end_s"] - e["start_s"] == pytest.approx(3.8)
        assert e["peak_s"] == pytest.approx(e["start_s"] + 0.8 + 0.5)
        # heel leaves the floor right after start and is back down at end
        t = tr.times_s
        h = tr.heel_height_cm["left"]
        up = (t > e["start_s"] + 0.05) & (t < e["end_s"] - 0.05)
        assert h[up].min() > 0
    assert len(tr.times_s) == int(prof.duration_s * 30)


def test_bad_parameters_raise() -> None:
    with pytest.raises(ValueError, match="view"):
        CameraSpec(view="top")
    with pytest.raises(ValueError, match="preset"):
        NoiseSpec.preset("awful")
    with pytest.raises(ValueError, match="leg"):
        CalfRaiseProfile(leg="middle")
    with pytest.raises(ValueError, match="one leg per set"):
        CalfRaiseProfile(sets=2, set_legs=("left",))
    with pytest.raises(ValueError, match="change legs"):
        CalfRaiseProfile(sets=2, set_legs=("left", "right"), set_rest_s=1.0)
    with pytest.raises(ValueError, match="sets"):
        CalfRaiseProfile(sets=0)
    with pytest.raises(ValueError, match="height_cm"):
        BodyModel.from_height(40)


# ----------------------------------------------------------- walks and hops
def test_heel_walk_steps_and_toe_lift() -> None:
    prof = HeelWalkProfile(steps=6, step_length_cm=25.0, toe_lift_deg=25.0, touch_steps=(3,))
    tr = synthesize(prof, noise=NoiseSpec.none()).truth
    steps = tr.events_of("step")
    assert len(steps) == 6
    assert [e["leg"] for e in steps] == ["right", "left"] * 3
    # forefoot height from a 25-degree rotation about the heel: lever * sin(25)
    lever = BODY.heel_to_mtp
    for e in steps:
        expected = 0.0 if e["forefoot_touched"] else 100 * lever * np.sin(np.radians(25))
        assert e["forefoot_height_cm"] == pytest.approx(expected, abs=1e-6)
    assert [e["forefoot_touched"] for e in steps] == [False, False, False, True, False, False]
    # stance heels stay on the floor while the toes are up; the walk advances 25 cm per step
    right = tr.feet["right"]["heel_contact"]
    assert right[-1, 0] - right[0, 0] == pytest.approx(
        0.25 * 5, abs=1e-6
    )  # right took steps 0, 2, 4
    assert tr.heel_height_cm["right"].min() >= -1e-9


def test_toe_walk_heels_up_and_drops() -> None:
    prof = ToeWalkProfile(steps=4, heel_height_cm=6.0, drop_steps=(1,))
    tr = synthesize(prof, noise=NoiseSpec.none()).truth
    steps = tr.events_of("step")
    assert [e["heel_height_cm"] for e in steps] == pytest.approx([6.0, 0.0, 6.0, 6.0], abs=1e-6)
    # forefoot on the floor whenever the foot is not swinging
    t = tr.times_s
    for side in ("left", "right"):
        swinging = np.zeros_like(t, bool)
        for e in steps:
            if e["leg"] == side:
                swinging |= (t > e["start_s"]) & (t < e["end_s"])
        np.testing.assert_allclose(tr.forefoot_height_cm[side][~swinging], 0.0, atol=1e-9)


@pytest.mark.parametrize("leg", ["both", "left"])
def test_lateral_hops_timing_width_flight(leg: str) -> None:
    prof = LateralHopsProfile(hops=5, width_cm=30.0, contact_s=0.25, flight_s=0.3, leg=leg)
    tr = synthesize(prof, noise=NoiseSpec.none(), camera=CameraSpec(view="front", fps=100)).truth
    hops = tr.events_of("hop")
    assert len(hops) == 5
    for k, e in enumerate(hops):
        assert e["takeoff_s"] == pytest.approx(prof.lead_in_s + 0.125 + k * 0.55)
        assert e["landing_s"] - e["takeoff_s"] == pytest.approx(0.3)
        assert e["width_cm"] == pytest.approx(30.0)
        assert e["landing_knee_flexion_deg"] == pytest.approx(prof.landing_knee_deg, abs=1e-6)
    stance = "left" if leg == "left" else "right"
    toe_y = tr.feet[stance]["toe_tip"][:, 1] - tr.feet[stance]["toe_tip"][0, 1]
    t = tr.times_s
    for e in hops:
        air = (t > e["takeoff_s"] + 0.01) & (t < e["landing_s"] - 0.01)
        ground = np.abs(t - (e["landing_s"] + 0.125)) < 0.05
        assert toe_y[air].min() > 0
        # ballistic apex g * T^2 / 8 (11.0 cm for 0.3 s)
        assert toe_y[air].max() == pytest.approx(100 * 9.81 * 0.09 / 8 / 100, abs=0.002)
        assert np.abs(toe_y[ground]).max() < 1e-9
    # the feet alternate sides of the line: +30 cm, -30 cm, ... toward the right first
    zc = tr.feet[stance]["mtp"][:, 2]
    marks = [0, *(int(np.abs(t - (e["landing_s"] + 0.1)).argmin()) for e in hops)]
    moves = np.diff(zc[marks]) * 100
    np.testing.assert_allclose(moves, [30.0, -30.0, 30.0, -30.0, 30.0], atol=1e-6)


# ------------------------------------------------- agreement with angles.py
@pytest.mark.parametrize(
    "prof",
    [
        CalfRaiseProfile(reps=2, knee_flexion_deg=20),
        KneeToWallProfile(),
        BalanceProfile(duration=8.0, holds=((1.0, 8.0),)),
    ],
    ids=["calf", "k2w", "balance"],
)
def test_truth_angles_match_angles_module_on_clean_side_view(prof: object) -> None:
    syn = synthesize(prof, noise=NoiseSpec.none())  # type: ignore[arg-type]
    for side in ("left", "right"):
        measured = compute_angles(syn.truth.clean_track, side)
        for name, values in measured.items():
            # perspective of a 4 m side camera bends the legs' planes by well under a degree
            err = np.abs(values - syn.truth.angles[side][name])
            assert np.nanmax(err) < 1.0, (side, name)


def test_a_camera_looking_down_does_not_hide_the_feet() -> None:
    # occlusion is judged by horizontal depth behind the hips: feet below the
    # hips are farther along a pitched optical axis, yet nothing hides them
    from formcheck.synth import CalfRaiseProfile

    near = [int(Landmark[f"RIGHT_{p}"]) for p in ("ANKLE", "HEEL")]  # the camera is on the right
    far = [int(Landmark[f"LEFT_{p}"]) for p in ("ANKLE", "HEEL")]
    seen = {}
    for tilt, height in ((0.0, 0.9), (25.0, 2.3)):
        cam = CameraSpec(view="side", height_m=height, tilt_deg=tilt, distance_m=3.0)
        syn = synthesize(CalfRaiseProfile(reps=1), cam, NoiseSpec.none(), seed=0)
        vis = np.asarray(syn.track.visibility)
        seen[tilt] = (float(np.median(vis[:, near])), float(np.median(vis[:, far])))
    assert seen[0.0][0] > 0.9 and seen[25.0][0] > 0.9  # the near foot in full view
    assert seen[0.0][1] < 0.8  # the far foot partly behind the near leg ...
    assert seen[25.0][1] == pytest.approx(seen[0.0][1], abs=0.05)  # ... and no more from above
