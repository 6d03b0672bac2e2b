"""Rendered ground-truth videos: a stylised figure driven by ``formcheck.synth`` motion.

The pipeline: a synth motion profile gives 33 joints per frame (synth world,
metres); ``figure`` builds the figure's meshes from them in NumPy; ``scene``
poses those meshes in Blender (``bpy``, optional, installed as
``scene.INSTALL`` says) and renders each frame with the Workbench engine;
``clip`` encodes H.264 MP4 and writes the truth file (``truth``) beside it.

Command line: ``python -m formcheck.render --drill calf-raise --view side --out clip.mp4``.

Only ``formcheck.render.scene`` imports ``bpy``; everything else (geometry,
projection, truth files) works without it.
"""

from formcheck.render.clip import RenderJob, render_clip, truth_path_for
from formcheck.render.coords import CameraPose, blender_to_synth, synth_to_blender
from formcheck.render.truth import check_truth, load_truth

__all__ = [
    "CameraPose",
    "RenderJob",
    "blender_to_synth",
    "check_truth",
    "load_truth",
    "render_clip",
    "synth_to_blender",
    "truth_path_for",
]
