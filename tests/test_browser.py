"""End to end in real headless Chromium: upload a clip, read the results, play the
video, download the files; live camera from a fake webcam fed by a shared clip.

Runs ``streamlit run streamlit_app.py`` on a free localhost port (headless,
usage statistics off) with the shared pose model, and drives Debian's
``/usr/bin/chromium`` with Python playwright (never ``playwright install``).
Screenshots go to ``test-output/`` for a person to look at.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest

from tests.conftest import PROJECT, shared_video

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLIP = "calf_raise_double_front_oblique.mp4"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"streamlit did not become healthy at {url} in {timeout_s} s")


@pytest.fixture(scope="module")
def app_url(shared_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running page on a free localhost port; stopped after the module."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    env = dict(os.environ, FORMCHECK_MODEL=str(shared_model))
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT / "streamlit_app.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    text = log_path.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared clip as a .y4m file Chromium plays as its webcam (looped)."""
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is needed for the fake camera (apt-get install ffmpeg)")
    out = tmp_path_factory.mktemp("camera") / "cam.y4m"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y", "-i", str(shared_video(CLIP)),
            "-vf", "scale=-2:480,fps=15", "-pix_fmt", "yuv420p", str(out),
        ],
        check=True,
        timeout=120,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def browser(fake_camera: Path) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing (apt-get install chromium)")
    args = [
        *LAUNCH_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={fake_camera}",
    ]
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            yield b
        finally:
            b.close()


def _page(browser: Any, url: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("heading", name="Calf raises").wait_for(timeout=60_000)
    return page


def _metric_value(page: Any, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.get_by_text(label, exact=True)
    )
    return str(metric.first.locator('[data-testid="stMetricValue"]').inner_text()).strip()


def test_upload_results_video_and_downloads(
    browser: Any, app_url: str, shared_labels: dict[str, Any], test_output: Path
) -> None:
    label = shared_labels[CLIP]
    page = _page(browser, app_url)
    page.locator('input[type="file"]').set_input_files(str(shared_video(CLIP)))
    heading = page.get_by_role("heading", name=re.compile(r"^Result:"))
    heading.wait_for(timeout=300_000)
    page.wait_for_timeout(1500)
    heading.scroll_into_view_if_needed()
    page.screenshot(path=str(test_output / "browser_upload_results.png"))

    assert not page.locator('[data-testid="stException"]').count()
    assert heading.inner_text().strip() == f"Result: {label['reps']} reps"
    assert _metric_value(page, "Reps") == str(label["reps"])

    video = page.locator("video").first
    video.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState >= 2; }",
        timeout=30_000,
    )
    ready, duration = video.evaluate("v => [v.readyState, v.duration]")
    assert ready >= 2
    assert duration == pytest.approx(label["duration_s"], abs=0.5)
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function(
        "() => document.querySelector('video').currentTime > 0.5", timeout=30_000
    )
    assert video.evaluate("v => v.error") is None

    downloads: dict[str, bytes] = {}
    for name in ("Report (JSON)", "Per-frame table (CSV)", "Annotated video (MP4)"):
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name=name).click()
        path = info.value.path()
        downloads[name] = Path(path).read_bytes()
    report = json.loads(downloads["Report (JSON)"])
    assert report["drill"] == "calf-raise"
    assert report["summary"]["rep_count"] == label["reps"]
    rows = list(csv.reader(io.StringIO(downloads["Per-frame table (CSV)"].decode())))
    assert rows[0][:2] == ["frame", "time_s"] and "reps" in rows[0]
    assert len(rows) - 1 == report["video"]["frames"]
    mp4 = test_output / "browser_download.mp4"
    mp4.write_bytes(downloads["Annotated video (MP4)"])
    with av.open(str(mp4)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert sum(1 for _ in c.decode(stream)) >= 0.9 * report["video"]["frames"]


def test_live_camera_counter_advances(browser: Any, app_url: str, test_output: Path) -> None:
    page = _page(browser, app_url)
    page.get_by_text("Live camera", exact=True).click()
    frame = page.frame_locator('iframe[title*="streamlit_webrtc"]')
    start = frame.get_by_role("button", name="START")
    start.wait_for(timeout=60_000)
    start.click()
    counter = page.locator('[data-testid="stMetric"]').filter(
        has=page.get_by_text("Reps (live)", exact=True)
    )
    counter.first.wait_for(timeout=120_000)
    first = _metric_value(page, "Reps (live)")
    deadline = time.monotonic() + 120
    seen = [first]
    while time.monotonic() < deadline:
        value = _metric_value(page, "Reps (live)")
        if value != seen[-1]:
            seen.append(value)
        if value.isdigit() and int(value) >= 1 and seen[0] != value:
            break
        page.wait_for_timeout(1000)
    page.screenshot(path=str(test_output / "browser_live.png"))
    numbers = [int(v) for v in seen if v.isdigit()]
    assert numbers and max(numbers) >= 1, f"live counter never advanced: {seen}"
    assert seen[0] != seen[-1], f"live counter did not change: {seen}"
    fps = float(_metric_value(page, "Analysed fps"))
    assert fps > 0
    frame.get_by_role("button", name="STOP").click()
    page.get_by_text("The camera stopped").first.wait_for(timeout=30_000)
