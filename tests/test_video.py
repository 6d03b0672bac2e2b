"""Video input: formats, orientation, timestamps, downscale and every error path.

All videos are generated here, in tmp dirs, with PyAV (and the ffmpeg CLI as
an independent oracle for rotation where it is installed).
"""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import make_audio_only, make_video, pattern_frame, set_mp4_rotation, shared_video

from formcheck.errors import VideoError
from formcheck.video import (
    DecodeStats,
    MonotonicClock,
    iter_frames,
    packet_times,
    probe_video,
    scaled_size,
)


def _has_encoder(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
    except Exception:
        return False
    return True


# (file name, encoder, expected decoder names): one row per container/codec the issue lists
FORMATS = [
    ("h264.mp4", "libx264", {"h264"}),  # phone default
    ("h264.mov", "libx264", {"h264"}),  # iPhone container
    ("hevc.mov", "libx265", {"hevc"}),  # iPhone "high efficiency"
    ("vp8.webm", "libvpx", {"vp8", "libvpx"}),  # browser recordings
    ("vp9.webm", "libvpx-vp9", {"vp9", "libvpx-vp9"}),
    ("mjpeg.avi", "mjpeg", {"mjpeg"}),  # cheap webcams, old cameras
    ("av1.mp4", "libsvtav1", {"libdav1d", "av1"}),  # recent Android phones; cv2 often fails
]


@pytest.mark.parametrize(("name", "encoder", "decoders"), FORMATS, ids=[f[0] for f in FORMATS])
def test_formats_decode_all_frames_with_pictures_and_times(
    tmp_path: Path, name: str, encoder: str, decoders: set[str]
) -> None:
    if not _has_encoder(encoder):
        pytest.skip(f"this FFmpeg build has no {encoder} encoder")
    n, size = 12, (160, 96)
    path = make_video(tmp_path / name, codec=encoder, size=size, n_frames=n, fps=25)
    info = probe_video(path)
    assert (info.width, info.height) == size
    assert info.codec in decoders
    assert info.fps == pytest.approx(25, rel=0.01)
    frames = list(iter_frames(path))
    assert [f.index for f in frames] == list(range(n))
    times = np.array([f.time_s for f in frames])
    np.testing.assert_allclose(times - times[0], np.arange(n) / 25, atol=1e-3)
    for f in frames:
        assert f.rgb.shape == (96, 160, 3) and f.rgb.dtype == np.uint8 and f.rgb.flags.c_contiguous
    # the picture survives (lossy codecs: compare coarse colour blocks)
    first = frames[0].rgb.astype(int)
    assert first[5:25, 5:30, 0].mean() > 150 and first[5:25, 5:30, 1].mean() < 100  # red top-left
    assert first[-20:-5, -15:-5, 1].mean() > 150  # green bottom-right


def _ffmpeg_upright(path: Path, out: Path) -> np.ndarray:
    """First frame as the ffmpeg CLI shows it (it auto-rotates by default)."""
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "rgb24", str(out)],
        check=True,
    )  # fmt: skip
    info = probe_video(path)
    return np.fromfile(out, np.uint8).reshape(info.height, info.width, 3)


@pytest.mark.parametrize("ccw", [0, 90, 180, 270])
def test_rotation_metadata_gives_upright_frames(tmp_path: Path, ccw: int) -> None:
    path = set_mp4_rotation(make_video(tmp_path / f"rot{ccw}.mp4", size=(160, 96)), ccw)
    info = probe_video(path)
    assert info.rotation_deg == ccw
    expect_size = (96, 160) if ccw in (90, 270) else (160, 96)
    assert (info.width, info.height) == expect_size
    frame = next(iter_frames(path))
    assert frame.rgb.shape == (expect_size[1], expect_size[0], 3)
    assert frame.rgb.flags.c_contiguous
    # np.rot90 turns counter-clockwise like the display matrix; compare with the stored picture
    stored = next(iter(av.open(str(path)).decode(video=0))).to_ndarray(format="rgb24")
    np.testing.assert_array_equal(frame.rgb, np.rot90(stored, ccw // 90))
    if shutil.which("ffmpeg"):  # independent oracle: what players show
        shown = _ffmpeg_upright(path, tmp_path / "ff.rgb")
        assert np.abs(shown.astype(int) - frame.rgb.astype(int)).mean() < 2.0


def test_phone_portrait_matrix_turns_clockwise(tmp_path: Path) -> None:
    # An iPhone held upright stores landscape pixels with the scene's top on the
    # left of the picture and writes the matrix (0, 1, -1, 0): FFmpeg angle -90,
    # a 90 deg clockwise turn for display.
    stored = np.zeros((96, 160, 3), np.uint8)
    stored[:, :20] = 255  # "sky" on the left edge of the stored landscape picture
    path = make_video(tmp_path / "phone.mp4", frames=[stored] * 3, size=(160, 96))
    set_mp4_rotation(path, 270)  # == -90
    rgb = next(iter_frames(path)).rgb
    assert rgb.shape == (160, 96, 3)  # portrait
    assert rgb[:15].mean() > 200 and rgb[-60:].mean() < 30  # sky at the top


def test_variable_frame_rate_timestamps_come_from_container(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    gaps = rng.choice([1 / 30, 1 / 60, 1 / 24, 0.1], size=29)  # phones vary the rate in low light
    times = np.round(np.concatenate([[0.0], np.cumsum(gaps)]), 3)
    path = make_video(tmp_path / "vfr.mp4", n_frames=len(times), times_s=times)
    got = np.array([f.time_s for f in iter_frames(path)])
    assert got.shape == times.shape
    np.testing.assert_allclose(got - got[0], times - times[0], atol=1.5e-3)
    assert np.all(np.diff(got) > 0)
    # index / fps would be wrong here: the check above has teeth
    assert np.abs(np.arange(len(times)) / probe_video(path).fps - times).max() > 0.1


def _mkv_with_packet_times(path: Path, times_ms: list[int]) -> Path:
    """MJPEG in Matroska whose packets carry exactly ``times_ms`` (duplicates allowed)."""
    container = av.open(str(path), "w")
    stream = container.add_stream("mjpeg", rate=25)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
    stream.codec_context.time_base = Fraction(1, 1000)
    for i, ms in enumerate(times_ms):
        frame = av.VideoFrame.from_ndarray(pattern_frame(i, 64, 48), format="rgb24")
        frame.pts, frame.time_base = i * 40, Fraction(1, 1000)
        for packet in stream.encode(frame):  # MJPEG: one packet per frame, no reordering
            packet.pts = packet.dts = ms
            container.mux(packet)
    container.close()
    return path


def test_duplicate_timestamp_is_nudged_not_dropped(tmp_path: Path) -> None:
    written_ms = [0, 40, 40, 80, 120]
    path = _mkv_with_packet_times(tmp_path / "dup.mkv", written_ms)
    np.testing.assert_allclose(packet_times(path) * 1000, written_ms, atol=0.5)
    stats = DecodeStats()
    got = [f.time_s for f in iter_frames(path, stats=stats)]
    # that frame alone moves 1 ms later; the others keep their container times
    np.testing.assert_allclose(np.array(got) * 1000, [0, 40, 41, 80, 120], atol=0.5)
    assert stats.nudged == 1 and stats.frames == 5


NAN = float("nan")


@pytest.mark.parametrize(
    ("raw_ms", "expected_ms", "nudged"),
    [
        ([0, 40, 80, 120], [0, 40, 80, 120], 0),  # clean: untouched
        ([0, 40, 40, 80], [0, 40, 41, 80], 1),  # duplicate: 1 ms later, rest untouched
        ([0, 40, 39, 80], [0, 40, 41, 80], 1),  # slightly early (bad muxer): same
        ([900, 940, 980, 0, 40], [900, 940, 980, 1020, 1060], 1),  # restart (joined files)
        ([NAN, 40, NAN, 120], [0, 40, 80, 120], 2),  # missing pts: nominal interval
        ([33, 66, 100], [33, 66, 100], 0),  # a non-zero start is kept (container time)
    ],
    ids=["clean", "duplicate", "early", "restart", "missing", "offset-start"],
)
def test_monotonic_clock_rules(raw_ms: list[float], expected_ms: list[float], nudged: int) -> None:
    clock = MonotonicClock(step_s=0.04)
    got = [clock(ms / 1000) * 1000 for ms in raw_ms]
    np.testing.assert_allclose(got, expected_ms, atol=1e-6)
    assert clock.nudged == nudged


def test_max_side_downscales_keeping_aspect(tmp_path: Path) -> None:
    path = set_mp4_rotation(make_video(tmp_path / "big.mp4", size=(320, 180)), 270)
    frame = next(iter_frames(path, max_side=160))
    assert frame.rgb.shape == (160, 90, 3)  # upright portrait, longer side 160
    assert next(iter_frames(path, max_side=1000)).rgb.shape == (320, 180, 3)  # never enlarged
    assert scaled_size(1080, 1920, 640) == (360, 640)
    assert scaled_size(640, 480, None) == (640, 480)


def test_start_and_end_select_a_segment_with_true_indices(tmp_path: Path) -> None:
    path = make_video(tmp_path / "seg.mp4", n_frames=60, fps=30)
    full = [(f.index, f.time_s, f.rgb) for f in iter_frames(path)]
    part = [(f.index, f.time_s, f.rgb) for f in iter_frames(path, start_s=1.0, end_s=1.5)]
    assert [p[0] for p in part] == list(range(30, 45))
    for idx, t, rgb in part:
        assert t == pytest.approx(full[idx][1])
        np.testing.assert_array_equal(rgb, full[idx][2])


# ------------------------------------------------------------- error paths
def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match=r"Video not found: .*nope\.mp4.*Check the file name"):
        probe_video(tmp_path / "nope.mp4")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="is a folder"):
        list(iter_frames(tmp_path))


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(VideoError, match=r"empty \(0 bytes\).*Copy the video again"):
        probe_video(tmp_path / "empty.mp4")


def test_text_file_named_mp4(tmp_path: Path) -> None:
    (tmp_path / "notes.mp4").write_text("this is not a video\n" * 50)
    with pytest.raises(VideoError, match=r"not a video formcheck can read.*\.mp4 \(H\.264\)"):
        probe_video(tmp_path / "notes.mp4")


def test_audio_only(tmp_path: Path) -> None:
    path = make_audio_only(tmp_path / "voice.m4a")
    with pytest.raises(VideoError, match=r"has no video track \(it holds audio\)"):
        probe_video(path)
    with pytest.raises(VideoError, match="no video track"):
        next(iter_frames(path))


def test_video_with_audio_is_fine(tmp_path: Path) -> None:
    path = make_video(tmp_path / "av.mp4", n_frames=5, audio=True)
    assert len(list(iter_frames(path))) == 5


@pytest.mark.parametrize("keep", [0.02, 0.3])
def test_truncated_without_decodable_frames(tmp_path: Path, keep: float) -> None:
    # moov at the end (PyAV default): a cut file has the mdat but no index
    src = make_video(tmp_path / "full.mp4", n_frames=30)
    data = src.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(VideoError, match=r"(not a video formcheck can read|could be decoded)"):
        list(iter_frames(cut))


def test_garbage_after_valid_header_has_no_decodable_frames(tmp_path: Path) -> None:
    # a valid container whose video payload is noise: opens, decodes nothing
    path = make_video(tmp_path / "ok.avi", codec="mjpeg", n_frames=8, size=(64, 48))
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(0)
    start = data.find(b"movi") + 4
    end = data.find(b"idx1")
    for at in range(start, end, 1):
        if data[at : at + 4] == b"00dc":  # keep chunk headers, scramble the JPEG payloads
            size = int.from_bytes(data[at + 4 : at + 8], "little")
            data[at + 8 : at + 8 + size] = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    stats = DecodeStats()
    with pytest.raises(VideoError, match=r"No frame of .*could be decoded.*export the video again"):
        list(iter_frames(path, stats=stats))


# ------------------------------------------------------------- shared clips
@pytest.mark.shared
@pytest.mark.parametrize("name", ["knee_to_wall_side.mp4", "balance_flamingo_side.mp4"])
def test_shared_portrait_clips_are_portrait(name: str) -> None:
    path = shared_video(name)
    info = probe_video(path)
    assert info.is_portrait
    frame = next(iter_frames(path))
    assert frame.rgb.shape == (info.height, info.width, 3)
    # head-above-feet is checked with the pose model in tests/test_pose.py
