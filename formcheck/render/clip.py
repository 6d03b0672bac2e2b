"""Render posed joints to an H.264 MP4 plus its truth file.

``render_clip`` is the one entry point: joints (T, 33, 3) in the synth world
(metres) and a camera in, ``<out>.mp4`` and ``<out>.truth.json`` out.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.render.coords import CameraPose
from formcheck.render.figure import PALETTES, FigureDims, build_figure
from formcheck.render.truth import build_truth, write_truth

DEFAULT_CRF = 28
"""x264 quality: the flat-shaded renders stay sharp at 28 and a 5 s clip at
640x480 stays well under 1 MB."""


@dataclass(frozen=True)
class RenderJob:
    """Everything a clip needs.

    Attributes:
        joints: (T, 33, 3) synth-world joint positions, metres.
        times_s: (T,) frame times, seconds, strictly increasing.
        camera: the camera (synth world).
        fps: frame rate written into the video.
        height_m: body height the figure's radii are scaled to.
        wall_x: wall face x (m) for knee-to-wall, or None.
        step: ``(edge_x, height)`` (m) of the step a calf-raise set on a step
            stands on (``formcheck.render.scene.BlenderScene``), or None.
        palette: index into ``figure.PALETTES``.
        drill: drill name written to the truth file.
        profile: motion parameters (JSON-able) written to the truth file.
        events: reps/holds/lunges/touchdowns (JSON-able) for the truth file.
        view: how the camera was specified (view name, distance, height, tilt).
        seed: the seed the motion was generated with.
        feet: optional {side: {name: (T, 3)}} foot points (synth ``Motion.feet``)
            the shoes are built on; None derives them from the joints.
        extra_series: optional {side: {name: (T,)}} more per-frame truth (e.g.
            the generator's sagittal angles), written beside the mesh values.
    """

    joints: npt.NDArray[np.float64]
    times_s: npt.NDArray[np.float64]
    camera: CameraPose
    fps: float
    height_m: float = 1.75
    wall_x: float | None = None
    step: tuple[float, float] | None = None
    palette: int = 0
    drill: str = "custom"
    profile: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    view: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    feet: dict[str, dict[str, npt.NDArray[np.float64]]] | None = None
    extra_series: dict[str, dict[str, npt.NDArray[np.float64]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        j = np.asarray(self.joints, dtype=np.float64)
        t = np.asarray(self.times_s, dtype=np.float64)
        if j.ndim != 3 or j.shape[1:] != (33, 3):
            raise ValueError(f"RenderJob.joints: expected shape (T, 33, 3), got {j.shape}")
        if t.shape != (j.shape[0],):
            raise ValueError(f"RenderJob.times_s: expected shape ({j.shape[0]},), got {t.shape}")
        if not 0 <= self.palette < len(PALETTES):
            raise ValueError(f"palette must be 0..{len(PALETTES) - 1}, got {self.palette}")
        object.__setattr__(self, "joints", j)
        object.__setattr__(self, "times_s", t)


def truth_path_for(mp4: str | os.PathLike[str]) -> Path:
    """``clip.mp4`` -> ``clip.truth.json``."""
    p = Path(mp4)
    return p.with_name(p.stem + ".truth.json")


def prepare(job: RenderJob, clip_name: str) -> tuple[list[Any], FigureDims, dict[str, Any]]:
    """Figure meshes, dimensions and truth dict for ``job`` (no bpy needed)."""
    dims = FigureDims.for_height(job.height_m)
    parts = build_figure(job.joints, dims, job.feet)
    truth = build_truth(
        joints=job.joints,
        times_s=job.times_s,
        parts=parts,
        dims=dims,
        camera=job.camera,
        fps=job.fps,
        clip_name=clip_name,
        view=job.view,
        palette=job.palette,
        wall_x=job.wall_x,
        step=job.step,
        drill=job.drill,
        profile=job.profile,
        events=job.events,
        seed=job.seed,
        extra_series=job.extra_series,
    )
    return parts, dims, truth


def render_clip(
    job: RenderJob,
    out_mp4: str | os.PathLike[str],
    *,
    crf: int = DEFAULT_CRF,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Path, Path]:
    """Render ``job`` to ``out_mp4`` (H.264, yuv420p) and its truth JSON beside it.

    Returns (mp4 path, truth path). Needs ``bpy`` (see ``formcheck.render.scene.INSTALL``).
    """
    from formcheck.render.scene import BlenderScene
    from formcheck.video_out import H264Writer

    out = Path(out_mp4)
    parts, _, truth = prepare(job, out.name)
    scene = BlenderScene(parts, PALETTES[job.palette], job.camera, wall_x=job.wall_x, step=job.step)
    n = job.joints.shape[0]
    t0 = float(job.times_s[0])
    with H264Writer(out, job.fps, crf=crf, preset="slow") as writer:
        for i in range(n):
            writer.write(scene.render(i), float(job.times_s[i]) - t0)
            if progress is not None:
                progress(i + 1, n)
    return out, write_truth(truth, truth_path_for(out))
