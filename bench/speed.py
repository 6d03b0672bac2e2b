"""Speed benchmark: the bare MediaPipe loop against ``formcheck track``, analysis and live mode.

    python bench/speed.py [--repeat 2] [--tmp DIR] [--json out.json] [--quick]

Clips: a 720p landscape and a 1080x1920 portrait H.264 clip of the same
content (the shared calf-raise clip looped twice, 666 frames, 30 fps),
made in a temporary folder. For every pose model present (lite/full/heavy),
each clip, each repeat, in a fresh process each (so peak RSS is its own):

- ``bare``: the reference. PyAV decode (same decoder threading as formcheck)
  + ``vision.PoseLandmarker`` VIDEO loop, written straight against
  mediapipe, nothing else. ``bare-threaded``: the same with decoding in a
  background thread (what formcheck does).
- ``track``: ``formcheck.pose.extract_track`` (one process).
- ``parallel``: ``formcheck.parallel.extract_track_parallel`` on every
  usable core (process start-up included: a fresh process pays for the
  forkserver and its imports).
- ``cli-track``: ``formcheck track VIDEO -o t.npz --quiet`` end to end
  (interpreter start, imports, save).

Then, per drill, on its matching shared clip: ``formcheck analyze`` end to
end, and ``analyze_track`` alone on the saved track. Then live mode: the
``LiveEngine`` with ``LivePose`` on 640x480 frames (decoded beforehand, as a
webcam delivers them), fed through ``submit``: frames/s and per-frame latency
(submit to pose result) when fed back to back, and the achieved rate, drops
and latency when fed at 30 fps in real time.

All times are wall-clock; every figure includes model loading where the
user pays for it. ``x real time`` = frames per second / clip frame rate.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

HERE = Path(__file__)
DRILL_CLIPS = {
    "calf-raise": "calf_raise_double_front_oblique.mp4",
    "single-leg-balance": "balance_flamingo_side.mp4",
    "knee-to-wall": "knee_to_wall_side.mp4",
}
"""Drill -> shared clip showing it."""


# ------------------------------------------------------------------ children
def bare(video: str, model: str, threaded: bool) -> dict[str, Any]:
    """The reference loop: PyAV decode + PoseLandmarker VIDEO mode, nothing else."""
    import queue

    import av
    import mediapipe as mp
    import numpy as np
    from mediapipe.tasks.python import BaseOptions, vision

    t0 = time.perf_counter()
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=model),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
    )
    landmarker = vision.PoseLandmarker.create_from_options(options)
    container = av.open(video)
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"  # as formcheck.video does
    tb = float(stream.time_base)

    def frames() -> Any:
        for f in container.decode(stream):
            rgb = f.to_ndarray(format="rgb24")
            k = round(f.rotation / 90) % 4
            # contiguous is required: mp.Image ignores strides, and FFmpeg pads rows
            # (1080 px * 3 = 3240 bytes, padded to 3264): without this copy a
            # 1080-wide frame reaches the model sheared and no person is found.
            yield np.ascontiguousarray(np.rot90(rgb, k) if k else rgb), f.pts * tb

    source = frames()
    if threaded:
        q: queue.Queue[Any] = queue.Queue(maxsize=4)

        def work() -> None:
            for item in frames():
                q.put(item)
            q.put(None)

        threading.Thread(target=work, daemon=True).start()
        source = iter(q.get, None)
    n = detected = 0
    prev = -1
    for rgb, t in source:
        ms = max(round(t * 1000), prev + 1)
        prev = ms
        res = landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), ms)
        n += 1
        detected += bool(res.pose_landmarks)
    landmarker.close()
    container.close()
    secs = time.perf_counter() - t0
    return {"frames": n, "seconds": secs, "detected": detected / max(n, 1)}


def track(video: str, model: str, workers: int) -> dict[str, Any]:
    """``extract_track`` (workers 1) or ``extract_track_parallel``."""
    t0 = time.perf_counter()
    if workers == 1:
        from formcheck.pose import extract_track

        tr = extract_track(video, model_path=model)
        extra: dict[str, Any] = {}
    else:
        from formcheck.parallel import extract_track_parallel

        with common.TreeRssSampler() as tree:
            tr = extract_track_parallel(video, model_path=model, workers=workers)
        extra = {
            "tree_peak_rss_mb": tree.peak_mb,
            "worker_peak_rss_mb": tree.peak_one_mb,
            "descendants_cpu_s": sum(tree.cpu_by_pid.values()),
        }
    secs = time.perf_counter() - t0
    return {"frames": len(tr), "seconds": secs, "detected": tr.detected_fraction, **extra}


def analyze_only(npz: str, drill: str, repeat: int) -> dict[str, Any]:
    """``analyze_track`` on a saved track, best of ``repeat`` (imports and loading excluded)."""
    from formcheck.analysis import analyze_track
    from formcheck.errors import FormcheckError
    from formcheck.track import load_track

    tr = load_track(npz)
    times = []
    note = ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        try:
            analyze_track(tr, drill)
        except FormcheckError as exc:
            note = str(exc)[:120]
        times.append(time.perf_counter() - t0)
    return {"frames": len(tr), "seconds": min(times), "all_seconds": times, "note": note}


def live(video: str, model: str, drill: str, seconds: float) -> dict[str, Any]:
    """LiveEngine + LivePose on pre-decoded frames, fed through ``submit`` as the page does.

    Two runs, each with a fresh engine (so each pays the analysis warm-up while
    the first frames arrive, as when the camera starts):

    - ``back_to_back``: the next frame is submitted as soon as the previous
      one's pose result is out: the most frames/s the engine can process.
    - ``paced_30fps``: a 30 fps camera in real time; the engine drops what it
      cannot take.

    Latency is per processed frame, from ``submit`` to its pose result
    (``LiveEngine.recent_latencies_s``), waiting in the mailbox included; the
    drill analysis runs on its own thread meanwhile (``analyses`` counts the
    published ones).
    """
    import numpy as np

    from formcheck.live import LiveEngine
    from formcheck.pose import LivePose
    from formcheck.video import iter_frames

    frames = [f.rgb for f in iter_frames(video)]
    h, w = frames[0].shape[:2]
    n = int(seconds * 30)
    out: dict[str, Any] = {"size": f"{w}x{h}", "load_before": common.load_average()}

    def latency_stats(engine: Any) -> dict[str, float]:
        lat_ms = np.array(engine.recent_latencies_s()) * 1000
        return {
            "latency_ms_p50": float(np.percentile(lat_ms, 50)),
            "latency_ms_p95": float(np.percentile(lat_ms, 95)),
            "latency_ms_max": float(lat_ms.max()),
            "latency_ms_first": float(lat_ms[0]),
            "latency_frames": len(lat_ms),
        }

    with LivePose(model) as pose:
        engine = LiveEngine(pose, drill)
        t_start = time.perf_counter()
        for i in range(n):
            engine.submit(frames[i % len(frames)], i / 30.0)
            while engine.state.frames_processed + engine.state.frames_dropped <= i:
                time.sleep(0.0005)
        total = time.perf_counter() - t_start
        st = engine.state
        engine.close()
        out["back_to_back"] = {
            "frames": n,
            "processed": st.frames_processed,
            "fps": st.frames_processed / total,
            "analyses": st.analyses,
            "last_analysis_ms": 1000 * st.analysis_s,
            **latency_stats(engine),
        }
    with LivePose(model) as pose:
        engine = LiveEngine(pose, drill)
        t_start = time.perf_counter()
        for i in range(n):  # a 30 fps camera
            target = t_start + i / 30.0
            delay = target - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            engine.submit(frames[i % len(frames)], 10_000 + i / 30.0)
        wall = time.perf_counter() - t_start
        time.sleep(0.2)
        st = engine.state
        engine.close()
        out["paced_30fps"] = {
            "offered": st.frames_in,
            "processed": st.frames_processed,
            "dropped": st.frames_dropped,
            "processed_fps": st.frames_processed / wall,
            "achieved_fps_reported": st.achieved_fps,
            "analyses": st.analyses,
            "last_analysis_ms": 1000 * st.analysis_s,
            **latency_stats(engine),
        }
    out["load_after"] = common.load_average()
    return out


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and its finished children.

    Less sensitive than wall time to other programs on a shared machine: the
    overhead ratio is also reported from it.
    """
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child_main(argv: list[str]) -> None:
    """Entry for one measurement in a fresh process; prints one JSON line."""
    ap = argparse.ArgumentParser()
    ap.add_argument("kind")
    ap.add_argument("--video")
    ap.add_argument("--model")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--drill")
    ap.add_argument("--npz")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0)
    a = ap.parse_args(argv)
    cpu0 = _cpu_s()
    if a.kind in ("bare", "bare-threaded"):
        res = bare(a.video, a.model, threaded=a.kind == "bare-threaded")
    elif a.kind == "track":
        res = track(a.video, a.model, a.workers)
    elif a.kind == "analyze":
        res = analyze_only(a.npz, a.drill, a.repeat)
    elif a.kind == "live":
        res = live(a.video, a.model, a.drill, a.seconds)
    else:
        raise SystemExit(f"unknown kind {a.kind}")
    res["cpu_s"] = _cpu_s() - cpu0 + res.get("descendants_cpu_s", 0.0)
    res["peak_rss_mb"] = common.peak_rss_mb()
    res["children_peak_rss_mb"] = common.children_peak_rss_mb()
    print(json.dumps(res))


# ------------------------------------------------------------------ parent
def cli(args: list[str]) -> float:
    """Wall seconds of ``formcheck <args>`` (fresh interpreter)."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "formcheck.cli", *args], capture_output=True)
    if res.returncode:
        raise RuntimeError(res.stderr.decode()[-2000:])
    return time.perf_counter() - t0


def one(kind: str, **kw: Any) -> dict[str, Any]:
    args = [kind]
    for k, v in kw.items():
        args += [f"--{k}", str(v)]
    return common.run_child(HERE, args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="repeats of each pose run")
    ap.add_argument("--tmp", type=Path, help="folder for generated clips (default: temp dir)")
    ap.add_argument("--json", type=Path, help="write all results here")
    ap.add_argument("--workers", type=int, default=None, help="parallel workers (default: cores)")
    ap.add_argument("--quick", action="store_true", help="one clip, no analysis/live (smoke run)")
    ap.add_argument("--only", nargs="*", help="sections: pose analyze live (default all)")
    args = ap.parse_args()
    from formcheck.parallel import usable_cores

    workers = args.workers or usable_cores()
    sections = set(args.only or ["pose", "analyze", "live"])
    tmp = args.tmp or Path(tempfile.mkdtemp(prefix="formcheck-bench-"))
    clips = common.make_speed_clips(tmp)
    if args.quick:
        clips = dict(list(clips.items())[:1])
    found = common.models()
    missing = [v for v in ("lite", "full", "heavy") if v not in found]
    out: dict[str, Any] = {"machine": common.machine(), "models_missing": missing}
    print(json.dumps(out["machine"]), flush=True)
    if missing:
        print(f"models not present (not measured): {', '.join(missing)}", flush=True)

    if "pose" in sections:
        pose: list[dict[str, Any]] = []
        for variant, model in found.items():
            for clip, video in clips.items():
                for rep in range(args.repeat):
                    row: dict[str, Any] = {"variant": variant, "clip": clip, "repeat": rep}
                    row["bare"] = one("bare", video=video, model=model)
                    row["bare-threaded"] = one("bare-threaded", video=video, model=model)
                    row["track"] = one("track", video=video, model=model, workers=1)
                    row["parallel"] = one("track", video=video, model=model, workers=workers)
                    npz = tmp / "t.npz"
                    row["cli-track"] = {
                        "seconds": cli(
                            [
                                "track",
                                str(video),
                                "-o",
                                str(npz),
                                "--quiet",
                                "--model",
                                str(model),
                            ]
                        ),
                        "frames": row["track"]["frames"],
                    }
                    row["load"] = common.load_average()
                    pose.append(row)
                    fps = {k: row[k]["frames"] / row[k]["seconds"] for k in row if k in KINDS}
                    print(
                        f"{variant} {clip} #{rep}: "
                        + ", ".join(f"{k} {v:.1f} fps" for k, v in fps.items())
                        + f"; overhead {fps['bare'] / fps['track']:.3f}; "
                        f"parallel/bare {fps['parallel'] / fps['bare']:.2f}x; load {row['load'][0]:.1f}",
                        flush=True,
                    )
        out["pose"] = pose

    if "analyze" in sections and not args.quick and "full" in found:
        ana = []
        for drill, name in DRILL_CLIPS.items():
            video = common.SHARED_VIDEOS / name
            npz = tmp / f"{drill}.npz"
            e2e = cli(
                [
                    "analyze",
                    str(video),
                    "--drill",
                    drill,
                    "--quiet",
                    "--model",
                    str(found["full"]),
                    "--save-track",
                    str(npz),
                ]
            )
            cli_saved = cli(["analyze", "--track", str(npz), "--drill", drill, "--quiet"])
            alone = one("analyze", npz=npz, drill=drill, repeat=5)
            row = {
                "drill": drill,
                "clip": name,
                "frames": alone["frames"],
                "end_to_end_s": e2e,
                "cli_on_saved_track_s": cli_saved,
                "analysis_alone_s": alone["seconds"],
                "analysis_note": alone["note"],
                "analysis_peak_rss_mb": alone["peak_rss_mb"],
            }
            ana.append(row)
            print(
                f"analyze {drill} ({alone['frames']} frames): end to end {e2e:.1f} s, "
                f"CLI on saved track {cli_saved:.2f} s, analysis alone "
                f"{1000 * alone['seconds']:.0f} ms {alone['note']}",
                flush=True,
            )
        out["analyze"] = ana

    if "live" in sections and not args.quick and "full" in found:
        cam = common.make_live_clip(tmp)
        res = one("live", video=cam, model=found["full"], drill="calf-raise", seconds=10)
        out["live"] = res
        print(f"live {res['size']}: {json.dumps(res)}", flush=True)

    out["load_after"] = common.load_average()
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))


KINDS = ("bare", "bare-threaded", "track", "parallel", "cli-track")

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("bare", "bare-threaded", "track", "analyze", "live"):
        child_main(sys.argv[1:])
    else:
        main()
