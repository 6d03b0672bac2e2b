"""Page logic with streamlit.testing.v1.AppTest (no browser, no pose model).

Pose extraction is replaced by synthetic tracks from ``formcheck.synth``
(known reps/holds), so these tests check what the page does with the
library's answers: drill choice and how-to, options reaching the analysis,
re-scoring without re-extraction, upload checks, error messages.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from formcheck.drills import drill_names, get_drill
from formcheck.errors import FormcheckError, VideoError
from formcheck.synth import synthesize
from formcheck.synth.noise import NoiseSpec
from formcheck.synth.profiles import BalanceProfile, CalfRaiseProfile
from formcheck.track import PoseTrack
from formcheck.ui import cards, charts, pipeline, rtc, samples, uploads
from formcheck.video_out import H264Writer

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
REPS = 4


def _tiny_mp4(path: Path, seconds: float = 1.0) -> Path:
    with H264Writer(path, fps=10) as w:
        for i in range(int(seconds * 10)):
            w.write(np.full((48, 64, 3), 40 + i % 200, np.uint8), i / 10)
    return path


@functools.cache
def _calf_track() -> PoseTrack:
    return synthesize(CalfRaiseProfile(reps=REPS), noise=NoiseSpec.low(), seed=3).track


class Harness:
    """Records calls to the (replaced) pose extraction and analysis."""

    def __init__(self) -> None:
        self.extracted: list[Path] = []
        self.options: list[Any] = []
        self.analysed: list[PoseTrack] = []
        self.track: PoseTrack = _calf_track()
        self.fail: Exception | Callable[[Path], Exception] | None = None
        self.seen_exists: list[bool] = []

    def extract(self, video_path: Path, model_path: Any, progress: Any) -> PoseTrack:
        self.extracted.append(video_path)
        self.seen_exists.append(video_path.is_file())
        if progress is not None:
            progress(1, 2)
            progress(2, 2)
        if isinstance(self.fail, Exception):
            raise self.fail
        if self.fail is not None:
            raise self.fail(video_path)
        return self.track


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Harness]:
    h = Harness()
    real_analyze = pipeline.analyze

    def analyze(track: PoseTrack, drill: str, options: Any, *args: Any) -> Any:
        h.options.append(options)
        h.analysed.append(track)
        return real_analyze(track, drill, options, *args)

    monkeypatch.setattr(pipeline, "extract", h.extract)
    monkeypatch.setattr(pipeline, "analyze", analyze)
    monkeypatch.setattr("formcheck.models.resolve_model", lambda *a, **k: tmp_path / "m.task")
    monkeypatch.setattr("formcheck.models.verify_bundle", lambda *a, **k: None)
    sample_dir = tmp_path / "samples"
    sample_dir.mkdir()
    _tiny_mp4(sample_dir / "calf_raise_tiny.mp4")
    monkeypatch.setattr(samples, "SAMPLES_DIR", sample_dir)
    tmp_root = tmp_path / "tmp"
    tmp_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_root))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield h
    st.cache_resource.clear()


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    )
    return "\n".join(str(p) for p in parts)


def _use_sample(at: AppTest) -> AppTest:
    at.radio(key="source").set_value("Try a sample")
    return at.run()


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return str(m.value)
    raise AssertionError(f"no metric {label!r} in {[m.label for m in at.metric]}")


def test_first_page_offers_drills_with_how_to(harness: Harness) -> None:
    at = _app()
    assert not at.exception
    box = at.sidebar.selectbox(key="drill")
    assert box.options == [get_drill(n).title for n in drill_names()]
    for name in drill_names():
        at.sidebar.selectbox(key="drill").set_value(name).run()
        drill = get_drill(name)
        assert at.header[0].value == drill.title
        assert drill.how_to_film in _texts(at)
    assert f"up to {uploads.MAX_UPLOAD_MB} MB" in at.get("file_uploader")[0].label
    assert harness.extracted == []  # nothing runs before a video is chosen


def test_calf_raise_options_only_for_calf_raise(harness: Harness) -> None:
    at = _app()
    labels = [c.label for c in at.sidebar.checkbox]
    assert "Bent-knee version (soleus)" in labels and any("Heel-rise test" in x for x in labels)
    at.sidebar.selectbox(key="drill").set_value("single-leg-balance").run()
    assert not any("Bent-knee" in c.label for c in at.sidebar.checkbox)


def test_sample_is_analysed_and_shown(harness: Harness) -> None:
    at = _use_sample(_app())
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(harness.extracted) == 1
    assert _metric(at, "Reps") == str(REPS)
    assert f"Result: {REPS} reps" in at.subheader[0].value
    assert len(at.get("video")) == 1
    names = [b.proto.label for b in at.get("download_button")]
    assert names == ["Report (JSON)", "Per-frame table (CSV)", "Annotated video (MP4)"]
    assert any("Norm" in c.value or "cm" in c.value for c in at.caption)
    shown = [w.value for w in at.warning]
    assert shown and len(shown) == len(set(shown))  # trust notes shown, none repeated


def test_a_file_cut_short_is_said_on_the_page(harness: Harness, tmp_path: Path) -> None:
    # the file states 60 s, its frames (the harness track) end at ~15 s: the page
    # says so, as `formcheck analyze` does, instead of a silently partial result
    _tiny_mp4(tmp_path / "samples" / "calf_raise_tiny.mp4", seconds=60.0)
    at = _use_sample(_app())
    assert not at.exception, at.exception
    assert "cut short" in _texts(at)


def test_a_whole_file_is_not_called_cut_short(harness: Harness) -> None:
    at = _use_sample(_app())  # the sample file states 1 s: nothing is missing
    assert not at.exception, at.exception
    assert "cut short" not in _texts(at)


def test_option_change_rescores_without_new_extraction(harness: Harness) -> None:
    at = _use_sample(_app())
    assert len(harness.extracted) == 1
    at.sidebar.checkbox(key="opt-calf-raise-knee").check().run()
    at.sidebar.number_input(key="height_cm").set_value(180.0).run()
    at.sidebar.radio(key="leg").set_value("right").run()
    assert not at.exception and not at.error
    assert len(harness.extracted) == 1  # the track came from the content-hash cache
    last = harness.options[-1]
    assert last.variant == {"knee": "bent"}
    assert last.height_cm == 180.0 and last.leg == "right"
    assert _metric(at, "Reps") == str(REPS)


def test_threshold_override_reaches_the_drill(harness: Harness) -> None:
    at = _use_sample(_app())
    box = at.sidebar.number_input(key="th-calf-raise-min_rise_cm")
    box.set_value(float(box.value) + 1.0).run()
    assert harness.options[-1].thresholds == {"min_rise_cm": pytest.approx(float(box.value))}
    assert len(harness.extracted) == 1


def test_upload_goes_through_a_private_temp_file_removed_after(harness: Harness) -> None:
    data = _tiny_mp4(Path(tempfile.gettempdir()) / "src.mp4").read_bytes()
    (Path(tempfile.gettempdir()) / "src.mp4").unlink()
    at = _app()
    at.get("file_uploader")[0].set_value(("../../../etc/evil name.MOV", data, "video/quicktime"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (path,) = harness.extracted
    assert path.name == "video.mov"  # the uploaded name is never a path
    assert harness.seen_exists == [True]
    assert list(Path(tempfile.gettempdir()).iterdir()) == []  # cleaned up
    assert _metric(at, "Reps") == str(REPS)


def test_same_content_under_another_name_is_not_extracted_again(harness: Harness) -> None:
    data = (samples.SAMPLES_DIR / "calf_raise_tiny.mp4").read_bytes()
    at = _app()
    at.get("file_uploader")[0].set_value(("a.mp4", data, "video/mp4")).run()
    at.get("file_uploader")[0].set_value(("b.mp4", data, "video/mp4")).run()
    assert len(harness.extracted) == 1


def test_oversize_upload_refused_on_the_server(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    at = _app()
    at.get("file_uploader")[0].set_value(("big.mp4", b"\0" * 5000, "video/mp4")).run()
    assert not at.exception
    assert "the limit is" in at.error[0].value
    assert harness.extracted == []


def test_unreadable_video_shows_its_message(harness: Harness) -> None:
    harness.fail = VideoError("clip.mp4 is not a video formcheck can read. Export it as .mp4")
    at = _use_sample(_app())
    assert not at.exception
    # as a sentence, like the command line; the file name keeps its case
    assert [e.value for e in at.error] == [f"{harness.fail}."]
    assert list(Path(tempfile.gettempdir()).iterdir()) == []


def _open_for_real(path: Path) -> Exception:
    """What formcheck.video says about ``path`` (the real decoder, no pose model)."""
    from formcheck.video import iter_frames

    try:
        next(iter(iter_frames(path)))
    except VideoError as exc:
        return exc
    raise AssertionError(f"{path} opened as a video")


@pytest.mark.parametrize(
    "fail",
    [
        _open_for_real,  # what video.py says today
        # a message naming the temp copy, with FFmpeg's raw error code (as a QA run saw)
        lambda p: VideoError(
            f"{p} is not a video formcheck can read ([Errno 1094995529] Invalid data found "
            f"when processing input: '{p}'). Export or re-save it as .mp4 (H.264)."
        ),
    ],
)
def test_text_file_renamed_mp4_names_the_upload_and_clears_the_progress(
    harness: Harness, fail: Callable[[Path], Exception]
) -> None:
    harness.fail = fail
    at = _app()
    text = b"this is a text file, not a video\n" * 50
    at.get("file_uploader")[0].set_value(("my notes.mp4", text, "video/mp4")).run()
    assert not at.exception
    (err,) = [e.value for e in at.error]
    (tmp_path,) = harness.extracted
    assert "my notes.mp4" in err and "not a video" in err  # the name keeps its case
    # a sentence, as on the command line (a name at the start keeps its case)
    assert (err[0].isupper() or err.startswith("my notes.mp4")) and err.endswith((".", ".)"))
    assert str(tmp_path.parent) not in err and tmp_path.name not in err
    assert "Errno" not in err and "1094995529" not in err
    assert at.get("progress") == []  # the progress bar went with the failure
    assert list(Path(tempfile.gettempdir()).iterdir()) == []


def test_upload_message_keeps_the_text_and_drops_paths_and_codes() -> None:
    tmp = "/tmp/formcheck-g9ue84r1/video.mp4"
    names = {tmp: "clip.mp4"}
    assert (
        uploads.user_message(f"cannot open {tmp}: [Errno 13] Permission denied: '{tmp}'.", names)
        == "cannot open clip.mp4: Permission denied."
    )
    assert uploads.user_message("video.mp4 ends too early", names) == "clip.mp4 ends too early"
    assert uploads.user_message("export as .mp4 (H.264)", names) == "export as .mp4 (H.264)"
    assert uploads.page_message("video.mp4 ends too early", names) == "clip.mp4 ends too early."
    assert uploads.page_message("ends too early: export again", names) == (
        "Ends too early: export again."
    )
    names = {tmp: "my notes.mp4"}
    assert uploads.page_message("video.mp4 is not a video", names) == "my notes.mp4 is not a video."
    assert uploads.shown_name("../../etc/evil name.MOV") == "evil name.MOV"
    assert uploads.shown_name("C:\\Users\\me\\clip.mp4") == "clip.mp4"


def test_progress_is_cleared_when_drawing_the_video_fails(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise VideoError("the video could not be decoded past 0:01. Export it again.")

    monkeypatch.setattr(pipeline, "annotated_video_bytes", broken)
    at = _use_sample(_app())
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The video could not be decoded past 0:01. Export it again."
    ]
    assert at.get("progress") == []


def test_default_sample_is_the_plain_version_and_picking_one_sets_the_options(
    harness: Harness,
) -> None:
    _tiny_mp4(samples.SAMPLES_DIR / "calf_raise_bent_knee_tiny.mp4", seconds=2.0)
    at = _use_sample(_app())
    assert at.selectbox(key="sample").value.path.name == "calf_raise_tiny.mp4"
    assert harness.options[-1].variant == {"knee": "straight"}
    assert not at.info  # options and sample agree
    bent = next(o for o in at.selectbox(key="sample").options if "bent" in o)
    at.selectbox(key="sample").set_value(bent).run()
    assert not at.exception
    assert at.sidebar.checkbox(key="opt-calf-raise-knee").value is True
    assert harness.options[-1].variant == {"knee": "bent"}
    assert not at.info
    at.sidebar.checkbox(key="opt-calf-raise-knee").uncheck().run()  # now they differ: say so
    assert any("tick “Bent-knee version (soleus)”" in i.value for i in at.info)


def test_sample_names_give_drill_and_variant(tmp_path: Path) -> None:
    for name in (
        "balance_side.mp4",  # a tail of one drill's name
        "calf_raise_bent_knee_side.mp4",
        "calf_raise_side.mp4",
        "walk_side.mp4",  # four drills end in "walk": no drill
        "knee_to_wall_side.mov",
        "notes.txt",  # not a video type
    ):
        (tmp_path / name).write_bytes(b"x")
    found = samples.list_samples(tmp_path, drills=tuple(drill_names()))
    assert [(s.path.name, s.drill, s.variant) for s in found] == [
        ("balance_side.mp4", "single-leg-balance", {}),
        ("calf_raise_bent_knee_side.mp4", "calf-raise", {"knee": "bent"}),
        ("calf_raise_side.mp4", "calf-raise", {"knee": "straight"}),
        ("knee_to_wall_side.mov", "knee-to-wall", {}),
        ("walk_side.mp4", None, {}),
    ]
    ordered = [s.path.name for s in samples.samples_for("calf-raise", found)]
    assert ordered[:2] == ["calf_raise_side.mp4", "calf_raise_bent_knee_side.mp4"]


def test_unexpected_failure_gives_friendly_message_not_traceback(harness: Harness) -> None:
    harness.fail = ZeroDivisionError("internal detail")
    at = _use_sample(_app())
    assert not at.exception
    (err,) = at.error
    assert "Something went wrong" in err.value and "internal detail" not in err.value


def test_no_person_video_says_what_to_change(harness: Harness) -> None:
    harness.track = PoseTrack.empty(np.arange(60) / 30.0, 640, 480, 30.0)
    at = _use_sample(_app())
    assert not at.exception
    assert at.error[0].value.startswith("No person found") and "step back" in at.error[0].value


def test_balance_result_shows_hold_and_sway(harness: Harness) -> None:
    syn = synthesize(BalanceProfile(), noise=NoiseSpec.low(), seed=2)
    harness.track = syn.track
    at = _app()
    at.sidebar.selectbox(key="drill").set_value("single-leg-balance").run()
    at = _use_sample(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    longest = _metric(at, "Longest hold")
    assert longest.endswith(" s") and float(longest.split()[0]) > 1.0
    assert "longest hold" in at.subheader[0].value


def test_calf_sets_are_shown_set_by_set(harness: Harness) -> None:
    # a filmed session of 2 sets of 4 with a rest: the page read it as one set of 8
    prof = CalfRaiseProfile(reps=4, sets=2, set_rest_s=15.0, set_fatigue_pct=0.0)
    harness.track = synthesize(prof, noise=NoiseSpec.low(), seed=3).track
    at = _use_sample(_app())
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _metric(at, "Reps") == "8"
    assert _metric(at, "Sets") == "2"
    tables = [d.value for d in at.dataframe if "#" in d.value.columns]
    assert tables, "no event table"
    frame = tables[0]
    kinds = [str(k).lower() for k in frame[frame.columns[1]]]
    assert sum(k == "set" for k in kinds) == 2, frame.head(12)
    assert sum(k == "rep" for k in kinds) == 8
    assert at.subheader[0].value == "Result: 8 reps in 2 sets"
    cues = [d.value for d in at.dataframe if "cue" in [str(c).lower() for c in d.value.columns]]
    assert cues and any("8 good reps in 2 sets" in str(v) for v in cues[0].to_numpy().ravel())


def test_balance_page_reads_as_sentences_and_tables_without_raw_values(
    harness: Harness,
) -> None:
    harness.track = synthesize(BalanceProfile(), noise=NoiseSpec.low(), seed=2).track
    at = _app()
    at.sidebar.selectbox(key="drill").set_value("single-leg-balance").run()
    at = _use_sample(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    what = next(m.value for m in at.markdown if m.value.startswith("**What you get.**"))
    assert what == "**What you get.** " + cards.sentence(get_drill("single-leg-balance").measures)
    assert what[len("**What you get.** ")].isupper() and not what.endswith("..")
    (table,) = [d for d in at.dataframe if "#" in d.value.columns]
    assert table.proto.placeholder == cards.MISSING  # missing values shown as "–", not "None"
    frame = table.value
    assert list(frame["#"]) == list(range(1, len(frame) + 1))  # 1-based, one number column
    assert not any(c.lower() == "index" for c in frame.columns)
    assert not any("{" in str(v) for v in frame.to_numpy().ravel())
    assert "Side-to-side sway (RMS, cm)" in frame.columns
    texts = _texts(at)
    assert "Centimetres are approximate (±" in texts and "assumed (±" not in texts
    assert "Sway ml" not in texts  # flag titles in words
    assert at.sidebar.number_input(key="height_cm").proto.format == "%.0f"  # 178, not 178.00


def test_live_mode_offers_the_camera_without_loading_the_model(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[bool] = []
    monkeypatch.setattr("formcheck.pose.LivePose", lambda *a, **k: loaded.append(True))
    at = _app()
    at.radio(key="mode").set_value("Live camera").run()
    assert not at.exception
    assert "Press **START**" in _texts(at)
    assert loaded == []  # the model loads only once the camera plays
    # AppTest has no WebRTC server: the component cannot start, which must read as a
    # message, not a traceback (the browser test covers the working camera)
    assert all("Something went wrong" in e.value for e in at.error)


def test_bad_turn_configuration_is_a_message(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(rtc.ENV_VAR, "{not json")
    at = _app()
    at.radio(key="mode").set_value("Live camera").run()
    assert not at.exception
    assert rtc.ENV_VAR in at.error[0].value and "iceServers" in at.error[0].value


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"iceServers": []}),  # default: no external server at all
        ({rtc.ENV_VAR: "  "}, {"iceServers": []}),
        (
            {rtc.ENV_VAR: '{"iceServers": [{"urls": ["turn:t.example:3478"], "username": "u"}]}'},
            {"iceServers": [{"urls": ["turn:t.example:3478"], "username": "u"}]},
        ),
    ],
)
def test_rtc_configuration(env: dict[str, str], expected: dict[str, Any]) -> None:
    assert rtc.rtc_configuration(env) == expected


@pytest.mark.parametrize("raw", ["[1, 2]", '{"servers": []}', '{"iceServers": "turn:x"}', "nope"])
def test_rtc_configuration_rejects_malformed(raw: str) -> None:
    with pytest.raises(FormcheckError, match=rtc.ENV_VAR):
        rtc.rtc_configuration({rtc.ENV_VAR: raw})


@pytest.mark.parametrize(
    ("name", "size", "ok"),
    [
        ("clip.mp4", 10, ".mp4"),
        ("CLIP.MOV", 10, ".mov"),  # case-insensitive
        ("a/b\\c.webm", 10, ".webm"),  # only the extension is kept
        ("clip.mp4.exe", 10, None),  # double extension
        ("clip", 10, None),  # no extension
        ("clip.avi", 10, None),  # not offered
        ("clip.mp4", 0, None),  # empty
        ("clip.mp4", uploads.MAX_UPLOAD_BYTES + 1, None),  # over the limit
        ("clip.mp4", uploads.MAX_UPLOAD_BYTES, ".mp4"),  # at the limit
    ],
)
def test_checked_extension(name: str, size: int, ok: str | None) -> None:
    if ok is None:
        with pytest.raises(uploads.UploadError):
            uploads.checked_extension(name, size)
    else:
        assert uploads.checked_extension(name, size) == ok


def test_temp_video_is_removed_even_on_error(tmp_path: Path) -> None:
    seen: list[Path] = []
    with pytest.raises(RuntimeError), uploads.temp_video(b"abc", ".mp4") as path:
        seen.append(path)
        assert path.read_bytes() == b"abc"
        raise RuntimeError
    assert not seen[0].exists() and not seen[0].parent.exists()


@pytest.mark.parametrize(
    ("key", "value", "label", "shown"),
    [
        ("rep_count", 3, "Reps", "3"),
        ("mean_heel_rise_cm", 5.234, "Mean heel rise", "5.2 cm"),
        ("best_tibia_angle_deg", 38.04, "Best tibia angle", "38.0°"),
        ("sway_velocity_cm_s", 1.25, "Sway velocity", "1.2 cm/s"),
        ("fatigue_pct", None, "Height lost over the set", "—"),  # not measured: no number
        ("total_vertical_cm", 192.4, "Total vertical", "192 cm"),
        ("heel_rise_cm", -0.04, "Heel rise", "0.0 cm"),  # no negative zero
        ("heel_rise_cm", -0.4, "Heel rise", "-0.4 cm"),
        ("variant_detected", "bent_knee", "Knee variant seen", "bent knee"),
        ("hops_per_min", 101.2, "Hop rate", "101/min"),  # "_per_min" is a unit, not "min"
        ("cadence_reps_per_min", 24.2, "Cadence", "24.2/min"),
        ("mean_down_s", 0.57, "Lowering time (mean)", "0.6 s"),  # was "Mean down"
    ],
)
def test_card_labels_and_numbers(key: str, value: Any, label: str, shown: str) -> None:
    got_label, unit = cards.split_unit(key)
    assert got_label == label
    assert cards.format_number(value, unit) == shown


@pytest.mark.parametrize(
    ("value", "label", "shown"),
    [
        (12.0, "Height lost over the set", "12.0%"),
        (-1.0, "Height gained over the set", "1.0%"),  # not "lost ... -1.0%"
    ],
)
def test_a_negative_fatigue_reads_as_height_gained(value: float, label: str, shown: str) -> None:
    from types import SimpleNamespace

    report: Any = SimpleNamespace(
        drill="calf-raise", summary={"fatigue_pct": value}, norms=[], flags={}
    )
    (card,) = cards.cards(report)
    assert (card.label, card.value) == (label, shown)


@pytest.mark.parametrize(
    ("key", "heading"),
    [
        ("sway_ml_rms_cm", "Side-to-side sway (RMS, cm)"),  # axis word first, RMS bracketed
        ("sway_ap_rms_cm", "Front-to-back sway (RMS, cm)"),
        ("sway_ml_cm", "Side-to-side sway (cm)"),
        ("heel_rise_se_cm", "Heel rise (standard error, cm)"),
        ("heel_rise_cm_by_leg", "Heel rise (by leg, cm)"),
        ("down_s_max", "Max down (s)"),  # a statistic after the unit
        ("sway_area_cm2", "Sway area (cm²)"),
        ("stance_leg", "Stance leg"),  # no unit
        ("rep_count", "Reps"),
        ("steps_per_min", "Steps (/min)"),  # not "Min steps per"
        ("heel_rise_cm_min", "Min heel rise (cm)"),
        # not "Max tibia angle any (deg)"
        ("max_tibia_angle_any_deg", "Largest tibia angle, any attempt (°)"),
    ],
)
def test_key_labels_in_words_with_units(key: str, heading: str) -> None:
    assert cards.key_label(key) == heading


def test_measures_and_calibration_read_as_sentences() -> None:
    assert cards.sentence("hold times, left vs right") == "Hold times, left vs right."
    assert cards.sentence("Toe-to-wall distance, left vs right.") == (
        "Toe-to-wall distance, left vs right."
    )  # no double full stop
    assumed = {
        "method": "assumed",
        "uncertainty_pct": 7.29,
        "detail": "assumed an average adult height of 170 cm (no height given); enter your "
        "height for centimetre values within about 2%",
    }
    assert cards.calibration_note(assumed) == (
        "Centimetres are approximate (±7%): formcheck assumed an average adult height of "
        "170 cm (no height given); enter your height for centimetre values within about 2%."
    )
    given = {"method": "height", "uncertainty_pct": 2.1, "detail": "from your height (178 cm)"}
    assert (
        cards.calibration_note(given) == "Centimetres (±2%) are scaled from your height (178 cm)."
    )
    assert cards.calibration_note({}) is None


def test_event_table_numbers_each_kind_from_one_and_flattens_sides() -> None:
    from types import SimpleNamespace

    events = [
        {"kind": "hold", "index": 0, "duration_s": 8.9, "sway_ml_rms_cm": 0.4,
         "flags": {"sway_ml_rms_cm": "rough from the side"}},
        {"kind": "not_a_rep", "heel_rise_cm": 0.5, "reason": "too small"},
        {"kind": "hold", "index": 1, "duration_s": float("nan"), "sway_ml_rms_cm": None,
         "heel_rise_cm": 2.9, "heel_rise_cm_by_leg": {"right": 2.9}, "flags": {}},
        {"kind": "hold", "index": 2, "heel_rise_cm": 3.0,
         "heel_rise_cm_by_leg": {"left": 3.1, "right": 2.9}, "stance": "double_leg"},
    ]  # fmt: skip
    report: Any = SimpleNamespace(events=events)
    rows = cards.event_rows(report)
    assert [r["#"] for r in rows] == [1, None, 2, 3]
    assert all("Index" not in r and "index" not in r for r in rows)
    assert rows[0]["trust"] == "Side-to-side sway (RMS, cm): rough from the side"
    assert rows[0]["Side-to-side sway (RMS, cm)"] == 0.4
    assert rows[1]["Kind"] == "not a rep"
    assert rows[2]["Duration (s)"] is None
    assert not any(k.startswith("Heel rise,") for k in rows[2])  # one side: same as its column
    assert rows[3]["Heel rise, left (cm)"] == 3.1 and rows[3]["Heel rise, right (cm)"] == 2.9
    assert rows[3]["Stance"] == "double leg"
    assert not any(isinstance(v, dict) or "{" in str(v) for r in rows for v in r.values())
    table = cards.event_table(report)
    assert table["#"].isna().tolist() == [False, True, False, False]
    assert table["Duration (s)"].isna().tolist() == [False, True, True, True]
    assert str(table["#"].dtype) == "Int64"  # 1, 2, 3 (not 1.0)
    empty: Any = SimpleNamespace(events=[{"kind": "rep", "gap_cm": None, "up_s": 1.0}] * 2)
    assert list(cards.event_table(empty).columns) == ["#", "Kind", "Up (s)"]  # no empty column


def _fake_report(drill: str, events: list[dict[str, Any]], series: dict[str, Any]) -> Any:
    from types import SimpleNamespace

    n = len(next(iter(series.values())))
    return SimpleNamespace(drill=drill, events=events, series=series, times_s=np.arange(n) / 10)


def test_deepest_valid_lunge_ignores_heel_lifts() -> None:
    events = [
        {"kind": "lunge", "peak_s": 1.0, "tibia_angle_deg": 35.0, "heel_lifted": False},
        {"kind": "lunge", "peak_s": 2.0, "tibia_angle_deg": 45.0, "heel_lifted": True},
        {"kind": "lunge", "peak_s": 3.0, "tibia_angle_deg": 38.0, "heel_lifted": False},
        {"kind": "lunge", "peak_s": 4.0, "tibia_angle_deg": None, "heel_lifted": False},
    ]
    report = _fake_report("knee-to-wall", events, {"tibia_angle_deg": np.linspace(0, 40, 50)})
    marks = charts.event_marks(report, charts.PLOTS["knee-to-wall"][0])
    assert [(m["time (s)"], m["status"]) for m in marks] == [
        (1.0, "valid"),
        (2.0, "heel lifted (not valid)"),
        (3.0, "deepest valid"),
    ]
    assert len(charts.charts_for(report)) == 1  # no toe_to_wall series: that chart is skipped


def test_sway_path_is_drawn_over_the_frames_the_sway_numbers_use() -> None:
    # a hold 1-9 s whose sway is measured on its steady 6 s (1 s trimmed at each
    # end): the big swings of stepping in and out are not drawn
    t = np.arange(100) / 10
    ml = np.where((t > 2.0) & (t < 8.0), 0.5 * np.sin(t), 20.0)
    events = [{"kind": "hold", "start_s": 1.0, "end_s": 9.0, "sway_window_s": 6.0}]
    report = _fake_report("single-leg-balance", events, {"sway_ml_cm": ml, "sway_ap_cm": ml})
    use = charts.sway_frames(report)
    assert use.sum() == 61 and use[20] and use[80] and not use[19] and not use[81]
    chart = charts.sway_path_chart(report)
    assert chart is not None
    rows = chart.data.values
    assert max(abs(r["side to side (cm)"]) for r in rows) <= 20.0
    assert sum(abs(r["side to side (cm)"]) == 20.0 for r in rows) <= 2  # the window's edges
    # no hold with a sway window: every frame
    bare = _fake_report("single-leg-balance", [], {"sway_ml_cm": ml, "sway_ap_cm": ml})
    assert charts.sway_frames(bare).all()


def test_rep_marks_and_missing_series() -> None:
    events = [
        {"kind": "rep", "peak_s": 1.5, "partial": False},
        {"kind": "not_a_rep", "peak_s": 2.0},
        {"kind": "rep", "peak_s": 3.5, "partial": True},
    ]
    report = _fake_report("calf-raise", events, {"left_heel_rise_cm": np.full(50, np.nan)})
    marks = charts.event_marks(report, charts.PLOTS["calf-raise"][0])
    assert [m["label"] for m in marks] == ["rep 1", "rep 2 (partial)"]
    assert charts.charts_for(report) == []  # all-NaN series: nothing to draw


def test_repeated_flag_stated_once_and_marked_on_each_card() -> None:
    flag = "cm scale assumed (±6%): enter your height for accurate centimetres"
    card_list = [
        cards.Card("a_cm", "A", "1 cm", None, flag),
        cards.Card("b_cm", "B", "2 cm", None, flag),
        cards.Card("c", "C", "3", None, "view was oblique"),
        cards.Card("d", "D", "4", None, None),
    ]
    assert cards.shared_flags(card_list) == {flag: ["A", "B"]}
    assert cards.short_flag(flag) == "cm scale assumed (±6%)"
    assert cards.short_flag("no colon here") == "no colon here"


def test_headline_for_a_drill_without_a_table() -> None:
    from types import SimpleNamespace

    report = SimpleNamespace(drill="new-drill", summary={"step_count": 12}, norms=[], flags={})
    assert cards.headline(report) == "step count 12"  # type: ignore[arg-type]
    assert cards.headline(SimpleNamespace(drill="x", summary={}, norms=[], flags={})) == "done"  # type: ignore[arg-type]


def test_page_results_sit_at_the_same_place_on_a_rerun_and_downloads_do_not_rerun(
    harness: Harness,
) -> None:
    """The first run draws progress bars, a re-run (cached) does not: the results must
    not move (Streamlit showed old and new results together while a re-run ran)."""
    at = _use_sample(_app())
    assert len(harness.extracted) == 1

    def place_of_result(at: AppTest) -> int:
        flat = list(at.main)
        return next(i for i, e in enumerate(flat) if "Result:" in str(getattr(e, "value", "")))

    first = place_of_result(at)
    at.run()
    assert not at.exception and len(harness.extracted) == 1
    assert place_of_result(at) == first
    buttons = at.get("download_button")
    assert len(buttons) == 3 and all(b.proto.ignore_rerun for b in buttons)


def test_report_names_the_uploaded_file_not_the_temporary_copy(harness: Harness) -> None:
    data = (samples.SAMPLES_DIR / "calf_raise_tiny.mp4").read_bytes()
    at = _app()
    at.get("file_uploader")[0].set_value(("C:\\clips\\my set.MOV", data, "video/quicktime"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert harness.extracted[0].name == "video.mov"
    assert harness.analysed[-1].source == "my set.MOV"


def test_long_texts_are_notes_not_cut_off_cards() -> None:
    from types import SimpleNamespace

    summary = {
        "hop_count": 7,
        "variant": "two-foot",
        "knee_source": "picture (side view)",
        "norms_note": "no published norms for contact time; the count is compared with 3 x 15",
    }
    report: Any = SimpleNamespace(drill="new-drill", summary=summary, norms=[], flags={})
    assert [c.key for c in cards.cards(report)] == ["hop_count", "variant"]
    assert cards.notes(report) == [
        ("Knee source", "Picture (side view)."),
        ("Norms note", "No published norms for contact time; the count is compared with 3 x 15."),
    ]
    calf: Any = SimpleNamespace(
        drill="calf-raise", summary={"rep_count": 3, "stance": "a long text value here"},
        norms=[], flags={},
    )  # fmt: skip
    assert cards.notes(calf) == []  # a drill with a card table keeps texts under "all numbers"


def test_one_reason_for_several_uncarded_numbers_is_listed_once() -> None:
    from types import SimpleNamespace

    why = "side-to-side sway estimated from depth"
    report: Any = SimpleNamespace(
        drill="single-leg-balance",
        summary={"longest_hold_s": 5.0},
        norms=[],
        flags={"sway_ml_cm": why, "sway_ml_rms_cm": why, "sway_area_cm2": "approximate"},
    )
    assert cards.other_flags(report) == [
        ("Side-to-side sway (cm) and Side-to-side sway (RMS, cm)", why),
        ("Sway area (cm²)", "approximate"),
    ]


def test_missing_headline_number_says_not_measured_and_why() -> None:
    from types import SimpleNamespace

    cue = SimpleNamespace
    cues = [
        cue(time_s=1.2, severity="info", message="At 1.2 s your knee stopped short"),
        cue(time_s=None, severity="warning", message="No attempt counts as a valid depth yet"),
        cue(time_s=None, severity="info", message="The wall was not found"),
    ]
    report: Any = SimpleNamespace(
        drill="knee-to-wall",
        summary={"best_toe_to_wall_cm": None, "best_tibia_angle_deg": 29.7},
        norms=[], flags={}, cues=cues,
    )  # fmt: skip
    assert cards.headline(report) == "best toe to wall not measured"
    assert cards.headline_missing_reasons(report) == ["No attempt counts as a valid depth yet"]
    report.flags = {"best_toe_to_wall_cm": "the wall was hidden"}
    assert cards.headline_missing_reasons(report)[0] == "the wall was hidden"
    report.summary["best_toe_to_wall_cm"] = 8.25
    assert cards.headline(report) == "best toe to wall 8.2 cm"
    assert cards.headline_missing_reasons(report) == []


def test_attempt_the_drill_rejected_is_not_marked_deepest_valid() -> None:
    events = [
        {"kind": "lunge", "peak_s": 1.0, "tibia_angle_deg": 25.0, "valid": False,
         "heel_lifted": False},  # knee short of the wall
        {"kind": "lunge", "peak_s": 2.0, "tibia_angle_deg": 22.0, "valid": True,
         "heel_lifted": False},
        {"kind": "lunge", "peak_s": 3.0, "tibia_angle_deg": 30.0, "valid": False,
         "heel_lifted": True},
    ]  # fmt: skip
    report = _fake_report("knee-to-wall", events, {"tibia_angle_deg": np.linspace(0, 40, 50)})
    marks = charts.event_marks(report, charts.PLOTS["knee-to-wall"][0])
    assert [m["status"] for m in marks] == [
        "not valid",
        "deepest valid",
        "heel lifted (not valid)",
    ]
    none_valid = [dict(e, valid=False) for e in events[:2]]
    report = _fake_report("knee-to-wall", none_valid, {"tibia_angle_deg": np.zeros(50)})
    marks = charts.event_marks(report, charts.PLOTS["knee-to-wall"][0])
    assert [m["status"] for m in marks] == ["not valid", "not valid"]


def test_chart_legends_name_series_in_words() -> None:
    series = {"left_heel_rise_cm": np.linspace(0, 5, 30), "right_heel_rise_cm": np.ones(30)}
    report = _fake_report("calf-raise", [], series)
    (chart,) = charts.charts_for(report)
    names = {row["series"] for row in chart.to_dict()["data"]["values"]}
    assert names == {"Left heel rise", "Right heel rise"}
    assert charts.series_label("sway_ml_cm") == "Side-to-side sway"


@pytest.mark.parametrize(
    ("elapsed_s", "fraction", "shown"),
    [
        (1.0, 0.5, None),  # too early to say
        (10.0, 0.02, None),  # too little done to say
        (10.0, 0.5, "about 10 s left"),
        (10.0, 0.9, "a few seconds left"),  # 1.1 s
        (12.0, 0.25, "about 40 s left"),  # 36 s -> nearest 10 s
        (60.0, 0.25, "about 3 min left"),
        (40.0, 0.25, "about 2 min left"),
        (50.0, 0.25, "about 2.5 min left"),
        (30.0, 1.0, None),  # done
    ],
)
def test_progress_says_roughly_how_long_is_left(
    elapsed_s: float, fraction: float, shown: str | None
) -> None:
    assert cards.time_left(elapsed_s, fraction) == shown


def test_numbers_not_measured_are_one_line_not_a_wall_of_dashes() -> None:
    card_list = [
        cards.Card("rep_count", "Reps", "0", None, None),
        cards.Card("mean_heel_rise_cm", "Mean heel rise", "—", None, None),
        cards.Card("best_toe_to_wall_cm", "Best toe to wall", "—", None, "the wall was hidden"),
        cards.Card("mean_up_s", "Rise time (mean)", "—", None, None),
    ]
    shown, missing = cards.split_measured(card_list)
    assert [c.key for c in shown] == ["rep_count", "best_toe_to_wall_cm"]  # a flag explains it
    assert missing == ["Mean heel rise", "Rise time (mean)"]
