"""PoseTrack construction, validation and the .npz round trip."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from formcheck.errors import TrackFormatError
from formcheck.landmarks import Landmark, mirror, side_landmark
from formcheck.track import FORMAT_VERSION, PoseTrack, load_track, save_track


def make_track(n: int = 5, seed: int = 0) -> PoseTrack:
    rng = np.random.default_rng(seed)
    lm = rng.random((n, 33, 3)).astype(np.float32)
    lm[1] = np.nan  # a frame with no person
    vis = rng.random((n, 33)).astype(np.float32)
    vis[1] = np.nan
    return PoseTrack(
        landmarks=lm,
        visibility=vis,
        presence=vis.copy(),
        world=lm.copy(),
        timestamps_s=np.arange(n) / 30.0,
        width=640,
        height=480,
        fps=30.0,
        source="clip.mp4",
        model_variant="full",
    )


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    track = make_track()
    out = save_track(track, tmp_path / "t.npz")
    back = load_track(out)
    for name in ("landmarks", "visibility", "presence", "world", "timestamps_s", "num_people"):
        np.testing.assert_array_equal(getattr(back, name), getattr(track, name))
    assert (back.width, back.height, back.fps) == (640, 480, 30.0)
    assert back.source == "clip.mp4" and back.model_variant == "full"
    assert back.detected.tolist() == [True, False, True, True, True]


def test_pixels_scale_by_width_and_height() -> None:
    track = make_track()
    px = track.xy(Landmark.LEFT_HEEL)
    np.testing.assert_allclose(
        px[0], track.landmarks[0, Landmark.LEFT_HEEL, :2] * [640, 480], rtol=1e-6
    )


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("landmarks", np.zeros((5, 32, 3))),  # one landmark short
        ("visibility", np.zeros((4, 33))),  # one frame short
        ("world", np.zeros((5, 33, 2))),  # 2-D instead of 3-D
    ],
)
def test_wrong_shapes_name_expected_and_actual(field: str, bad: np.ndarray) -> None:
    with pytest.raises(
        ValueError, match=rf"PoseTrack\.{field}: expected shape .* got {re.escape(str(bad.shape))}"
    ):
        make_track().with_arrays(**{field: bad})


def test_timestamps_must_increase() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        make_track().with_arrays(timestamps_s=np.array([0, 0.1, 0.1, 0.2, 0.3]))


def test_pickled_content_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    arrays = {
        "format_version": np.array(1),
        "landmarks": np.array([{"a": 1}], dtype=object),
    }
    np.savez(path, **arrays)  # type: ignore[arg-type]
    with pytest.raises(TrackFormatError, match="pickled"):
        load_track(path)


@pytest.mark.parametrize("content", [b"hello\n", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64])
def test_a_file_that_is_no_track_is_called_that_not_pickled(tmp_path: Path, content: bytes) -> None:
    # a text file or a video given to --track: numpy would take it for a pickle
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    with pytest.raises(TrackFormatError, match=r"is not a formcheck track \(\.npz\)") as info:
        load_track(path)
    assert "pickled" not in str(info.value) and "without --track" in str(info.value)


def test_newer_version_is_refused(tmp_path: Path) -> None:
    out = save_track(make_track(), tmp_path / "t.npz")
    with np.load(out) as data:
        fields = dict(data)
    fields["format_version"] = np.array(FORMAT_VERSION + 1)
    np.savez(out, **fields)
    with pytest.raises(TrackFormatError, match="version"):
        load_track(out)


@pytest.mark.parametrize(
    "content",
    [
        b"",  # empty file
        b"not a zip at all",  # text
        b"PK\x03\x04" + b"\0" * 40,  # zip header, truncated
    ],
)
def test_garbage_files_give_track_format_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(TrackFormatError):
        load_track(path)


def test_missing_field_is_named(tmp_path: Path) -> None:
    out = save_track(make_track(), tmp_path / "t.npz")
    buf = io.BytesIO()
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.namelist():
            if item != "world.npy":
                dst.writestr(item, src.read(item))
    out.write_bytes(buf.getvalue())
    with pytest.raises(TrackFormatError, match="world"):
        load_track(out)


def test_empty_track_has_nan_rows() -> None:
    track = PoseTrack.empty(np.arange(3) / 25.0, 100, 200, 25.0)
    assert len(track) == 3 and track.detected_fraction == 0.0
    assert np.isnan(track.landmarks).all()


def test_landmark_names() -> None:
    assert mirror(Landmark.LEFT_HEEL) is Landmark.RIGHT_HEEL
    assert mirror(Landmark.NOSE) is Landmark.NOSE
    assert side_landmark("right", "foot_index") is Landmark.RIGHT_FOOT_INDEX
    with pytest.raises(ValueError, match="unknown side"):
        side_landmark("middle", "heel")
