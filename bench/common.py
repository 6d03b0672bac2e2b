"""Shared helpers for the benchmarks: test clips, timing, memory, machine facts.

Benchmark clips are made from the shared clips (``../shared/videos``) in a
temporary folder by re-encoding / scaling with ffmpeg; they are never written
into the project. Every measurement that reports peak memory runs in a fresh
child process (``run_child``) so its peak RSS is its own.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FORMCHECK_SHARED", PROJECT.parent / "shared"))
SHARED_VIDEOS = SHARED / "videos"
MODELS_DIR = SHARED / "models"
SOURCE_CLIP = "calf_raise_double_front_oblique.mp4"
"""Shared clip the speed clips are made from (1080x1920 portrait, 30 fps, 11 s)."""

GOP = 30
"""Keyframe interval of the benchmark clips (frames): 1 s, like phone video."""


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; raise with its message on failure."""
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(f"ffmpeg failed: {' '.join(cmd)}\n{res.stderr}")


def _x264(out: Path) -> list[str]:
    return [
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-g",
        str(GOP),
        "-pix_fmt",
        "yuv420p",
        str(out),
    ]


def make_speed_clips(tmp: Path, loops: int = 2) -> dict[str, Path]:
    """720p landscape and 1080x1920 portrait H.264 clips of the same content.

    Both are ``loops`` times the shared source clip (about 22 s, 666 frames at
    30 fps). The landscape one is the portrait picture scaled to 720 px high
    on a blurred, zoomed copy of itself (how phone video is usually shown
    in landscape), so the person is as large as in a real 720p side shot.
    """
    src = SHARED_VIDEOS / SOURCE_CLIP
    if not src.exists():
        raise SystemExit(f"shared clip missing: {src}")
    tmp.mkdir(parents=True, exist_ok=True)
    portrait = tmp / "portrait_1080x1920.mp4"
    landscape = tmp / "landscape_1280x720.mp4"
    loop = ["-stream_loop", str(loops - 1)]
    if not portrait.exists():
        ffmpeg(*loop, "-i", str(src), "-vf", "scale=1080:1920,fps=30", *_x264(portrait))
    if not landscape.exists():
        graph = (
            "[0:v]fps=30,split[a][b];"
            "[a]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,boxblur=20[bg];"
            "[b]scale=-2:720[fg];[bg][fg]overlay=(W-w)/2:0"
        )
        ffmpeg(*loop, "-i", str(src), "-filter_complex", graph, *_x264(landscape))
    return {"720p landscape": landscape, "1080x1920 portrait": portrait}


def make_live_clip(tmp: Path, seconds: float = 5.0) -> Path:
    """A 640x480, 30 fps clip (a webcam's picture) of the shared source clip.

    Portrait content on a blurred copy of itself, as for the 720p clip.
    """
    src = SHARED_VIDEOS / SOURCE_CLIP
    out = tmp / "webcam_640x480.mp4"
    if not out.exists():
        graph = (
            "[0:v]fps=30,split[a][b];"
            "[a]scale=640:480:force_original_aspect_ratio=increase,crop=640:480,boxblur=10[bg];"
            "[b]scale=-2:480[fg];[bg][fg]overlay=(W-w)/2:0"
        )
        ffmpeg("-i", str(src), "-t", str(seconds), "-filter_complex", graph, *_x264(out))
    return out


def make_long_clip(tmp: Path, minutes: float, size: tuple[int, int] = (360, 640)) -> Path:
    """A ``minutes``-long 30 fps clip of a real person: the shared knee-to-wall clip looped.

    Low resolution (``size`` = width, height; default 360x640 portrait) keeps
    the file and decode small; the pose model's cost hardly depends on it.
    """
    src = SHARED_VIDEOS / "knee_to_wall_side.mp4"
    out = tmp / f"long_{minutes:g}min_{size[0]}x{size[1]}.mp4"
    if not out.exists():
        ffmpeg(
            "-stream_loop",
            "-1",
            "-i",
            str(src),
            "-t",
            str(minutes * 60),
            "-vf",
            f"scale={size[0]}:{size[1]},fps=30",
            *_x264(out),
        )
    return out


def models() -> dict[str, Path]:
    """Pose model variants present in the shared folder or the project (variant -> path)."""
    found: dict[str, Path] = {}
    for variant in ("lite", "full", "heavy"):
        for folder in (MODELS_DIR, PROJECT / "models"):
            p = folder / f"pose_landmarker_{variant}.task"
            if p.exists():
                found[variant] = p
                break
    return found


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def children_peak_rss_mb() -> float:
    """Largest peak RSS among waited-for child processes, MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def rss_mb() -> float:
    """Current resident memory of this process, MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class TreeRssSampler:
    """Samples, in a thread, the summed RSS of this process and all its descendants.

    Needed for parallel runs: their workers are children of the multiprocessing
    forkserver, so ``RUSAGE_CHILDREN`` never sees them. ``peak_mb`` is the
    largest sum seen, ``peak_one_mb`` the largest single descendant,
    ``cpu_by_pid`` the last CPU seconds seen per descendant (a process's last
    ~0.1 s before it exits can be missed).
    """

    def __init__(self, every_s: float = 0.1) -> None:
        import threading

        self.every_s = every_s
        self.peak_mb = 0.0
        self.peak_one_mb = 0.0
        self.cpu_by_pid: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeRssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE") / 2**20
        tick = float(os.sysconf("SC_CLK_TCK"))
        me = os.getpid()
        while not self._stop.wait(self.every_s):
            parent: dict[int, int] = {}
            rss: dict[int, float] = {}
            cpu: dict[int, float] = {}
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                try:
                    stat = Path(f"/proc/{d}/stat").read_text()
                    fields = stat[stat.rindex(")") + 2 :].split()
                    parent[int(d)] = int(fields[1])
                    rss[int(d)] = int(fields[21]) * page
                    cpu[int(d)] = (int(fields[11]) + int(fields[12])) / tick
                except (OSError, ValueError, IndexError):
                    continue
            total = 0.0
            for pid in rss:
                p = pid
                while p in parent and p != me and p > 1:
                    p = parent[p]
                if p == me:
                    total += rss[pid]
                    if pid != me:
                        self.cpu_by_pid[pid] = max(self.cpu_by_pid.get(pid, 0.0), cpu[pid])
                    if pid != me:
                        self.peak_one_mb = max(self.peak_one_mb, rss[pid])
            self.peak_mb = max(self.peak_mb, total)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """(result, wall seconds) of ``fn()``."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run_child(script: Path, args: list[str], timeout: float = 3600) -> dict[str, Any]:
    """Run ``python script args`` and return the JSON it prints on its last stdout line."""
    res = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=timeout
    )
    if res.returncode:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{res.stderr[-3000:]}")
    line = [ln for ln in res.stdout.splitlines() if ln.startswith("{")][-1]
    result: dict[str, Any] = json.loads(line)
    return result


def load_average() -> tuple[float, float, float]:
    """1, 5 and 15 minute load averages."""
    return os.getloadavg()


def machine() -> dict[str, Any]:
    """Machine, software versions, date and project commit, for the results file."""
    import av
    import mediapipe
    import numpy

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        commit = subprocess.run(
            ["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        commit = "?"
    return {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores_usable": len(os.sched_getaffinity(0)),
        "ram_gb": round(mem_gb, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "mediapipe": mediapipe.__version__,
        "av": av.__version__,
        "ffmpeg_libs": av.library_versions.get("libavcodec"),
        "numpy": numpy.__version__,
        "commit": commit,
        "load_before": load_average(),
    }
