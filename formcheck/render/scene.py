"""Blender scene for the figure: the only module of formcheck that imports ``bpy``.

``bpy`` (Blender 4.5 as a Python module, installed as ``INSTALL`` says) is
imported lazily inside ``BlenderScene`` so the rest of the package works
without it. Rendering uses the Workbench engine (OpenGL, runs on the CPU
through Mesa) with studio lighting and soft shadows; frames come back as RGB
uint8 arrays.

All geometry arrives in the synth world (see ``formcheck.render.coords``) and is
converted to Blender's z-up world with ``synth_to_blender`` here and nowhere else.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from formcheck.render.coords import SENSOR_WIDTH_MM, CameraPose, synth_to_blender
from formcheck.render.figure import Part

INSTALL = 'pip install --no-deps "bpy>=4.5,<4.6"'
"""How to install bpy. ``--no-deps``: bpy 4.5 declares ``numpy<2`` but formcheck needs
NumPy 2, so pip cannot resolve ``formcheck[render]``; bpy's renderer runs fine with NumPy 2
(only a bundled module compiled for NumPy 1 prints a warning at import, which is hidden)."""
BPY_HINT = f"Blender's Python module is needed to render: {INSTALL}"


def import_bpy() -> Any:
    """Import ``bpy`` quietly; raise ImportError with the install command if absent."""
    try:
        # bpy 4.5 prints a NumPy-1.x ABI warning for one of its bundled modules
        # under NumPy 2; rendering is unaffected, so keep it off the console.
        with contextlib.redirect_stderr(io.StringIO()):
            import bpy
    except ImportError as exc:
        raise ImportError(BPY_HINT) from exc
    return bpy


def bpy_available() -> bool:
    """True when ``bpy`` can be imported."""
    try:
        import_bpy()
    except ImportError:
        return False
    return True


class BlenderScene:
    """A Blender scene holding the figure's meshes, floor, backdrop, optional wall, step and camera.

    Args:
        parts: the figure's meshes (vertices for every frame, synth world).
        palette: colour name -> RGB in 0..1.
        camera: where the camera is and what it sees.
        wall_x: x (m, synth world) of the wall face the person faces, or None for no wall.
        step: ``(edge_x, height)`` in m for calf raises on a step: a box whose
            top is the synth floor (y = 0) from its back edge at ``edge_x``
            forward (the person faces +x, the balls of the feet on the edge,
            the heels free to sink behind it); the room's floor is then
            ``height`` lower. None: no step, the floor at y = 0.
        aa_samples: Workbench anti-aliasing samples ("5", "8", "11", "16" or "FXAA").
    """

    def __init__(
        self,
        parts: list[Part],
        palette: dict[str, tuple[float, float, float]],
        camera: CameraPose,
        *,
        wall_x: float | None = None,
        step: tuple[float, float] | None = None,
        aa_samples: str = "5",
    ) -> None:
        self.bpy = bpy = import_bpy()
        self.parts = parts
        self.camera = camera
        bpy.ops.wm.read_factory_settings(use_empty=True)
        scene = bpy.context.scene
        self.scene = scene
        render = scene.render
        render.engine = "BLENDER_WORKBENCH"
        render.resolution_x, render.resolution_y = camera.width, camera.height
        render.resolution_percentage = 100
        render.image_settings.file_format = "PNG"
        render.image_settings.color_mode = "RGB"
        render.image_settings.compression = 0
        render.film_transparent = False
        scene.display.render_aa = aa_samples
        scene.view_settings.view_transform = "Standard"
        shading = scene.display.shading
        shading.light = "STUDIO"
        shading.color_type = "MATERIAL"
        shading.show_shadows = True
        shading.shadow_intensity = 0.35
        shading.show_cavity = False
        shading.show_specular_highlight = False
        scene.display.shadow_focus = 0.6  # soft edge
        scene.display.light_direction = (0.25, 0.35, 0.90)  # Blender axes, from above
        world = bpy.data.worlds.new("world")
        world.color = palette["backdrop"]
        scene.world = world

        self._materials: dict[str, Any] = {}
        for name, rgb in palette.items():
            mat = bpy.data.materials.new(name)
            mat.diffuse_color = (*rgb, 1.0)
            mat.roughness = 0.9
            self._materials[name] = mat

        self._meshes: list[Any] = []
        for part in parts:
            obj = self._add_mesh(part.name, part.vertices[0], part.faces, part.color, smooth=True)
            self._meshes.append(obj.data)
        self._add_static_set(wall_x, step)
        self._add_camera()

    # ---------------------------------------------------------------- set-up
    def _add_mesh(
        self,
        name: str,
        verts_synth: npt.NDArray[np.float64],
        faces: list[tuple[int, ...]],
        color: str,
        *,
        smooth: bool,
    ) -> Any:
        bpy = self.bpy
        mesh = bpy.data.meshes.new(name)
        mesh.from_pydata(synth_to_blender(verts_synth).tolist(), [], faces)
        for poly in mesh.polygons:
            poly.use_smooth = smooth
        mesh.materials.append(self._materials[color])
        obj = bpy.data.objects.new(name, mesh)
        self.scene.collection.objects.link(obj)
        return obj

    def _box(
        self, name: str, lo: tuple[float, float, float], hi: tuple[float, float, float], color: str
    ) -> None:
        """Axis-aligned box between synth-world corners ``lo`` and ``hi``."""
        xs, ys, zs = zip(lo, hi, strict=True)
        verts = np.array([[x, y, z] for x in xs for y in ys for z in zs], dtype=np.float64)
        faces: list[tuple[int, ...]] = [
            (0, 1, 3, 2),
            (4, 6, 7, 5),
            (0, 4, 5, 1),
            (2, 3, 7, 6),
            (0, 2, 6, 4),
            (1, 5, 7, 3),
        ]
        self._add_mesh(name, verts, faces, color, smooth=False)

    def _add_static_set(self, wall_x: float | None, step: tuple[float, float] | None) -> None:
        cam = self.camera
        # floor: a large slab whose top face is y = 0 (the step's height lower with a step)
        low = 0.0 if step is None else -step[1]
        self._box("floor", (-15.0, low - 0.05, -15.0), (15.0, low, 15.0), "floor")
        if step is not None:  # a stair-like block 35 cm deep, 1.2 m wide, in the wall's colour
            edge_x, _ = step
            self._box("step", (edge_x, low, -0.6), (edge_x + 0.35, 0.0, 0.6), "wall")
        # backdrop: a vertical panel 3.5 m beyond the person, facing the camera
        flat = cam.forward * np.array([1.0, 0.0, 1.0])
        flat /= max(np.linalg.norm(flat), 1e-9)
        side = np.cross(flat, [0.0, 1.0, 0.0])
        dist = float(np.hypot(cam.position[0], cam.position[2])) + 3.5
        c = cam.position * np.array([1.0, 0.0, 1.0]) + flat * dist
        corners = [
            c - side * 15,
            c + side * 15,
            c + side * 15 + [0, 8, 0],
            c - side * 15 + [0, 8, 0],
        ]
        self._add_mesh("backdrop", np.array(corners), [(0, 1, 2, 3)], "backdrop", smooth=False)
        if wall_x is not None:
            self._box("wall", (wall_x, 0.0, -1.0), (wall_x + 0.12, 2.3, 1.0), "wall")

    def _add_camera(self) -> None:
        bpy = self.bpy
        cam_data = bpy.data.cameras.new("camera")
        cam_data.sensor_fit = "HORIZONTAL"
        cam_data.sensor_width = SENSOR_WIDTH_MM
        cam_data.lens = self.camera.lens_mm
        cam_data.clip_start = 0.05
        cam_data.clip_end = 100.0
        obj = bpy.data.objects.new("camera", cam_data)
        self.scene.collection.objects.link(obj)
        from mathutils import Matrix

        obj.matrix_world = Matrix(self.camera.blender_matrix().tolist())
        self.scene.camera = obj

    # ---------------------------------------------------------------- frames
    def pose(self, frame: int) -> None:
        """Move every mesh's vertices to frame ``frame``."""
        for part, mesh in zip(self.parts, self._meshes, strict=True):
            co = synth_to_blender(part.vertices[frame]).astype(np.float32).ravel()
            mesh.vertices.foreach_set("co", co)
            mesh.update()

    def render(self, frame: int) -> npt.NDArray[np.uint8]:
        """Pose frame ``frame`` and render it: (H, W, 3) uint8 RGB."""
        self.pose(frame)
        with tempfile.TemporaryDirectory(prefix="formcheck-render-") as tmp:
            path = Path(tmp) / "frame.png"
            self.scene.render.filepath = str(path)
            with _quiet_stdout():
                self.bpy.ops.render.render(write_still=True)
            with av.open(str(path)) as container:
                img = next(container.decode(video=0)).to_ndarray(format="rgb24")
        return np.asarray(img, dtype=np.uint8)


@contextlib.contextmanager
def _quiet_stdout() -> Any:
    """Silence Blender's per-frame "Saved: ..." lines written to the C-level stdout."""
    fd = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)
