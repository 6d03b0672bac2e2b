"""The command line: subcommand table, error messages without tracebacks, track summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_video, shared_video

import formcheck
from formcheck import cli
from formcheck.errors import sentence_case
from formcheck.track import load_track


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_command_is_registered_from_the_table() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(cli.COMMANDS)  # type: ignore[arg-type]
    assert {"track", "models"} <= set(cli.COMMANDS)


def test_missing_video_prints_message_not_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run_cli(
        capsys, "track", str(tmp_path / "nope.mp4"), "-o", str(tmp_path / "t.npz")
    )
    assert code == 1
    assert err.startswith("formcheck: error: Video not found:") and "Traceback" not in err
    assert out == ""
    assert not (tmp_path / "t.npz").exists()


def test_not_a_video(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "clip.mp4"
    bad.write_text("hello")
    code, _, err = run_cli(capsys, "track", str(bad), "-o", str(tmp_path / "t.npz"))
    assert code == 1 and "not a video formcheck can read" in err and "Traceback" not in err
    # plain words first (what is wrong, what to do); FFmpeg's own words last, in brackets
    what, _, detail = err.partition(" (FFmpeg: ")
    assert "Export or re-save it as .mp4" in what and "Invalid data" not in what
    assert detail.rstrip().endswith(".)") and "Errno" not in err


def test_broken_model_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", n_frames=3)
    model = tmp_path / "cut.task"
    model.write_bytes(b"PK\x03\x04" + bytes(100))
    code, _, err = run_cli(
        capsys, "track", str(video), "-o", str(tmp_path / "t.npz"), "--model", str(model)
    )
    assert code == 1 and re.search(r"cut\.task is incomplete or damaged", err)


def test_bad_variant_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["track", "v.mp4", "-o", "t.npz", "--model-variant", "huge"])
    assert info.value.code == 2
    assert "invalid choice: 'huge'" in capsys.readouterr().err


@pytest.mark.shared
def test_models_fetch_with_model_set_says_where(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, shared_model: Path
) -> None:
    monkeypatch.setenv("FORMCHECK_MODEL", str(shared_model))
    code, out, _ = run_cli(capsys, "models", "fetch")
    assert code == 0 and "already installed" in out and str(shared_model) in out
    code, out, _ = run_cli(capsys, "models", "list")
    assert code == 0 and re.search(r"full\s+9\.4 MB\s+FORMCHECK_MODEL", out)


def test_models_list_flags_a_broken_bundle(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "pose_landmarker_lite.task"
    bad.write_bytes(b"PK")
    monkeypatch.setenv("FORMCHECK_MODEL", str(bad))
    code, out, _ = run_cli(capsys, "models", "list")
    assert code == 1 and "BROKEN" in out and str(bad) in out


@pytest.mark.slow
@pytest.mark.shared
def test_track_command_on_the_knee_to_wall_clip(tmp_path: Path, shared_model: Path) -> None:
    out = tmp_path / "t.npz"
    env = {**os.environ, "FORMCHECK_MODEL": str(shared_model)}
    result = subprocess.run(
        [sys.executable, "-m", "formcheck.cli", "track", str(shared_video("knee_to_wall_side.mp4")),
         "-o", str(out)],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    m = re.search(
        r"t\.npz: (\d+) frames \(7\.3 s of video\), person detected in ([\d.]+)% of frames, "
        r"[\d.]+ frames/s \(full model\)",
        result.stdout,
    )
    assert m, result.stdout
    assert int(m.group(1)) == 220 and float(m.group(2)) >= 99.0
    assert "220/220 frames (100%)" in result.stderr  # progress (not a terminal: one line per 10 %)
    track = load_track(out)
    assert len(track) == 220 and track.detected_fraction >= 0.99


def test_python_dash_m_formcheck_is_the_same_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "formcheck", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert formcheck.__version__ in result.stdout


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        # a message from the library in lower case reads as a sentence
        ("no person found in 92% of frames: step back", "No person found in 92% of frames: step back."),
        ("height must be between 50 and 250 cm, got -5.0", "Height must be between 50 and 250 cm, got -5.0."),
        # names keep their case: a file name, an option, formcheck itself
        ("clip.mp4 ends too early.", "clip.mp4 ends too early."),
        ("/tmp/x.npz: unknown version", "/tmp/x.npz: unknown version."),
        ("--video needs a VIDEO", "--video needs a VIDEO."),
        ("formcheck takes mp4 videos.", "formcheck takes mp4 videos."),
        # a closing bracket after a full stop is an end already
        ("Export it again. (FFmpeg: Invalid data.)", "Export it again. (FFmpeg: Invalid data.)"),
    ],
)  # fmt: skip
def test_error_messages_print_as_sentences(raw: str, shown: str) -> None:
    assert sentence_case(raw) == shown


def test_a_typed_file_name_keeps_its_case_in_a_message() -> None:
    raw = "my notes.mp4 holds no track"
    assert sentence_case(raw) == "My notes.mp4 holds no track."  # without the name: a sentence
    assert sentence_case(raw, ["other.mp4", "my notes.mp4"]) == "my notes.mp4 holds no track."


def test_analyze_errors_say_what_to_do(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from formcheck.synth import CalfRaiseProfile, synthesize
    from formcheck.track import save_track

    track = str(save_track(synthesize(CalfRaiseProfile(reps=1)).track, tmp_path / "t.npz"))
    code, out, err = run_cli(capsys, "analyze", "--drill", "calf-raise")
    assert code == 1 and out == ""
    assert err == (
        "formcheck: error: Give a VIDEO to analyse, or --track with a pose track saved by "
        "`formcheck track VIDEO -o track.npz`.\n"
    )
    code, _, err = run_cli(capsys, "analyze", "--track", track, "--drill", "calf-raise",
                           "--option", "knee")  # fmt: skip
    assert code == 1 and "Write --option as KEY=VALUE, e.g. --option knee=bent (got 'knee')." in err
    code, _, err = run_cli(capsys, "analyze", "--track", track, "--drill", "calf-raise",
                           "--option", "knee=wobbly")  # fmt: skip
    assert code == 1 and err.startswith("formcheck: error: Variant knee must be")  # library text
    missing = tmp_path / "no such folder"
    code, _, err = run_cli(capsys, "analyze", "--track", track, "--drill", "calf-raise",
                           "--json", str(missing / "r.json"))  # fmt: skip
    assert code == 1 and f"Cannot use {missing}: No such file or directory." in err
    assert ".partial" not in err  # formcheck's temporary file name is not shown


def test_analyze_prints_the_readable_report_and_verbose_adds_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from formcheck.synth import CalfRaiseProfile, synthesize
    from formcheck.text_report import MORE_DETAIL
    from formcheck.track import save_track

    track = str(save_track(synthesize(CalfRaiseProfile(reps=2)).track, tmp_path / "t.npz"))
    code, out, _ = run_cli(capsys, "analyze", "--track", track, "--drill", "calf-raise")
    assert code == 0 and re.search(
        r"^  rep 1 \(\w+ leg\) at [\d.]+ s: heel rise [\d.]+ cm", out, re.M
    )
    assert MORE_DETAIL in out and "heel_rise_cm" not in out
    code, out, _ = run_cli(
        capsys, "analyze", "--track", track, "--drill", "calf-raise", "--verbose"
    )
    assert code == 0 and re.search(
        r"^      all: kind rep, index 1, .*heel_rise_cm [\d.]+", out, re.M
    )
