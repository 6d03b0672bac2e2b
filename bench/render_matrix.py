"""Render the clips the rendered-truth accuracy benchmark needs (into a cache, not the repo).

The committed side-view samples in ``sample_videos/`` are used as they are;
this renders the other camera views of the headline drills with the same
figure and camera set-up (640x480, 30 fps, 3.5 m, lens 1.0 m up, 5 deg tilt,
55 deg field of view) into ``~/.cache/formcheck/renders`` (or ``--out``).
Clips already there are skipped. About 0.5 s of CPU per frame: the whole
matrix is ~1,500 frames.

Usage::

    python bench/render_matrix.py [--out DIR] [--only NAME ...] [--list]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_CACHE = Path.home() / ".cache" / "formcheck" / "renders"

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"

# name -> (render preset, view, near side, frames or None for the whole preset).
# Side views come from sample_videos/. Frame limits keep the matrix small on a
# shared 2-core machine: 102 frames = the lead-in and the first calf raise
# (0.8-3.0 s) with 0.4 s standing after it; 105 = the first knee-to-wall lunge
# (heel down, 0.5-3.1 s); 135 = the balance hold and its touchdown at 3.8 s.
# Knee-to-wall is seen from the side and the back only: from the front and
# front-oblique the wall hides the figure (the camera is behind the wall).
MATRIX: dict[str, tuple[str, str, str, int | None]] = {
    "calf_raise_oblique": ("calf-raise", "oblique", "right", None),
    "knee_to_wall_back": ("knee-to-wall", "back", "right", 105),
    "balance_oblique": ("balance", "oblique", "right", 135),
    "calf_raise_front": ("calf-raise", "front", "right", 102),
    "balance_front": ("balance", "front", "right", 135),
    "calf_raise_bent_knee_oblique": ("calf-raise-bent-knee", "oblique", "right", 102),
    "calf_raise_back": ("calf-raise", "back", "right", 102),
}
"""Clips rendered for the benchmark (all 640x480, 30 fps, seed 0, palette 0)."""

COMMITTED: dict[str, str] = {
    "calf_raise_side": "calf_raise_side",
    "calf_raise_bent_knee_side": "calf_raise_bent_knee_side",
    "knee_to_wall_side": "knee_to_wall_side",
    "balance_side": "balance_side",
}
"""Benchmark clip name -> committed sample (side views)."""


def clip_path(name: str, cache: Path = DEFAULT_CACHE) -> Path:
    """Path of the benchmark clip ``name`` (committed sample or cached render)."""
    if name in COMMITTED:
        return SAMPLES / f"{COMMITTED[name]}.mp4"
    return cache / f"{name}.mp4"


def render(name: str, cache: Path) -> Path:
    """Render ``name`` of ``MATRIX`` into ``cache`` unless it is there already."""
    out = cache / f"{name}.mp4"
    if out.exists() and out.with_suffix("").with_suffix(".truth.json").exists():
        return out
    drill, view, near, frames = MATRIX[name]
    cmd = [
        sys.executable,
        "-m",
        "formcheck.render",
        "--drill",
        drill,
        "--view",
        view,
        "--near-side",
        near,
        "--size",
        "640x480",
        "--fps",
        "30",
        "--crf",
        "23",
        "--out",
        str(out),
    ]
    if frames is not None:
        cmd += ["--max-frames", str(frames)]
    start = time.monotonic()
    subprocess.run(cmd, check=True)
    print(f"{name}: {time.monotonic() - start:.0f} s", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=DEFAULT_CACHE, help="cache directory")
    p.add_argument("--only", nargs="*", default=None, help="render only these names")
    p.add_argument("--list", action="store_true", help="list the clip names and exit")
    args = p.parse_args(argv)
    if args.list:
        for n, spec in MATRIX.items():
            print(n, *spec)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    names = args.only or list(MATRIX)
    unknown = sorted(set(names) - set(MATRIX))
    if unknown:
        raise ValueError(f"unknown clip(s) {unknown}; expected some of {sorted(MATRIX)}")
    for n in names:
        render(n, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
