"""H.264 writer: browser-playable output, atomic write, annotated video from a track."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import av
import numpy as np
import pytest

from formcheck.errors import VideoError
from formcheck.landmarks import Landmark
from formcheck.track import PoseTrack
from formcheck.video_out import H264Writer, write_annotated_video


def _gray(i: int, w: int = 64, h: int = 48) -> np.ndarray:
    return np.full((h, w, 3), (i * 20) % 250, np.uint8)


def _probe(path: Path) -> tuple[str, str, int, int, list[float]]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        times = [float(f.time) for f in c.decode(s)]
        return s.codec_context.name, s.codec_context.pix_fmt, s.width, s.height, times


def test_writes_h264_yuv420p_with_source_times(tmp_path: Path) -> None:
    out = tmp_path / "a.mp4"
    times = [0.0, 0.033, 0.1, 0.2, 0.25]  # variable frame rate
    with H264Writer(out, fps=30) as w:
        for i, t in enumerate(times):
            w.write(_gray(i), t)
    codec, pix, width, height, got = _probe(out)
    assert (codec, pix, width, height) == ("h264", "yuv420p", 64, 48)
    assert got == pytest.approx(times, abs=0.002)
    # faststart: the index (moov) precedes the media data, so browsers can start playing
    data = out.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")
    assert list(tmp_path.iterdir()) == [out]  # no temp file left


def test_odd_size_cropped_to_even(tmp_path: Path) -> None:
    out = tmp_path / "odd.mp4"
    with H264Writer(out, fps=25) as w:
        for i in range(3):
            w.write(_gray(i, 65, 49))
    _, _, width, height, times = _probe(out)
    assert (width, height) == (64, 48)
    assert times == pytest.approx([0.0, 0.04, 0.08], abs=0.002)


def test_error_inside_block_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "b.mp4"
    with pytest.raises(RuntimeError), H264Writer(out, fps=30) as w:
        w.write(_gray(0))
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_existing_file_survives_a_failed_rewrite(tmp_path: Path) -> None:
    out = tmp_path / "c.mp4"
    out.write_bytes(b"previous result")
    with pytest.raises(ValueError, match="size changed"), H264Writer(out, fps=30) as w:
        w.write(_gray(0))
        w.write(_gray(1, 32, 32))
    assert out.read_bytes() == b"previous result"
    assert [p.name for p in tmp_path.iterdir()] == ["c.mp4"]


def test_empty_writer_raises_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "d.mp4"
    with pytest.raises(VideoError, match="no frames"), H264Writer(out, fps=30):
        pass
    assert list(tmp_path.iterdir()) == []


def test_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        H264Writer(tmp_path / "e.mp4", fps=0)
    w = H264Writer(tmp_path / "e.mp4", fps=30)
    with pytest.raises(ValueError):
        w.write(np.zeros((10, 10), np.uint8))
    w.abort()


def _track_for(n: int, fps: float, w: int, h: int) -> PoseTrack:
    lm = np.full((n, 33, 3), np.nan, np.float32)
    lm[:, Landmark.NOSE] = (0.25, 0.1, 0.0)  # a person is "detected" where the nose is set
    lm[:, Landmark.LEFT_KNEE] = (0.25, 0.3, 0.0)
    lm[:, Landmark.LEFT_ANKLE] = (0.25, 0.8, 0.0)
    lm[n // 2 :] = np.nan  # the person leaves half way
    vis = np.where(np.isnan(lm[:, :, 0]), np.nan, 0.9).astype(np.float32)
    return PoseTrack(
        landmarks=lm,
        visibility=vis,
        presence=vis,
        world=lm.copy(),
        timestamps_s=np.arange(n) / fps,
        width=w,
        height=h,
        fps=fps,
    )


def test_annotated_video_draws_track_on_matching_frames(tmp_path: Path) -> None:
    n, fps, w, h = 10, 10.0, 320, 240
    src = tmp_path / "src.mp4"
    with H264Writer(src, fps=fps) as wr:
        for i in range(n):
            wr.write(np.zeros((h, w, 3), np.uint8), i / fps)
    track = _track_for(n, fps, w, h)
    reps = np.minimum(np.arange(n) // 3, 9).astype(np.float64)
    report = SimpleNamespace(overlay=("reps",), series={"reps": reps})
    out = tmp_path / "ann.mp4"
    seen: list[tuple[int, int]] = []
    write_annotated_video(
        src,
        track,
        report,
        out,
        progress=lambda d, t: seen.append((d, t)),  # type: ignore[arg-type]
    )
    with av.open(str(out)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == n
    assert seen[-1] == (n, n)
    shin = (round(0.55 * h), round(0.25 * w))
    for i, f in enumerate(frames):
        r, _, b = f[shin].astype(int)
        drawn = r - b > 80  # orange (left side); chroma subsampling blurs thin lines
        assert drawn == (i < n // 2), f"frame {i}"
        assert f[: h // 3, w // 2 :].max() > 150  # counter top right on every frame
    # the counter changes with the series value (reps 0 -> 3)
    assert not np.array_equal(frames[0][: h // 3, w // 2 :], frames[9][: h // 3, w // 2 :])


def test_annotated_video_bad_source_raises_video_error(tmp_path: Path) -> None:
    src = tmp_path / "bad.mp4"
    src.write_bytes(b"not a video at all")
    track = _track_for(4, 10.0, 64, 48)
    report = SimpleNamespace(overlay=(), series={})
    with pytest.raises(VideoError):
        write_annotated_video(src, track, report, tmp_path / "o.mp4")  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mp4"]
