"""The stylised human figure as plain NumPy meshes, posed from 33 joints per frame.

Every body part is a *loft*: rings of vertices with a fixed topology whose
positions are recomputed for each frame from the synth-world joints (T, 33, 3)
in metres (see ``formcheck.render.coords`` for the frame). The renderer copies
these vertices into Blender unchanged, so anything measured here on the meshes
(where the shoe's sole touches the floor, the front of the knee) is exactly what
was drawn. Nothing here imports bpy.

Sizes are proportions of body height taken from anthropometric tables
(Drillis & Contini 1966 segment lengths; NASA-STD-3000 / ANSUR II breadths and
circumferences for a 1.75 m adult), scaled by the figure's height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark

FloatArray = npt.NDArray[np.float64]
L = Landmark

REFERENCE_HEIGHT_M = 1.75
"""Height at which the radii below were measured; they scale linearly with height."""

RING = 20
"""Vertices around each ring (a multiple of 4, so a ring has a vertex straight down)."""


# ------------------------------------------------------------------ palette
PALETTES: tuple[dict[str, tuple[float, float, float]], ...] = (
    {
        "skin": (0.78, 0.55, 0.42),
        "shirt": (0.75, 0.12, 0.12),
        "shorts": (0.10, 0.14, 0.32),
        "shoe": (0.92, 0.92, 0.95),
        "sole": (0.20, 0.20, 0.22),
        "hair": (0.16, 0.10, 0.06),
        "eye": (0.97, 0.97, 0.97),
        "pupil": (0.05, 0.04, 0.04),
        "mouth": (0.55, 0.22, 0.22),
        "floor": (0.55, 0.50, 0.44),
        "backdrop": (0.88, 0.91, 0.95),
        "wall": (0.93, 0.90, 0.82),
    },
    {
        "skin": (0.55, 0.36, 0.24),
        "shirt": (0.12, 0.45, 0.72),
        "shorts": (0.12, 0.12, 0.13),
        "shoe": (0.95, 0.55, 0.10),
        "sole": (0.95, 0.95, 0.95),
        "hair": (0.06, 0.05, 0.05),
        "eye": (0.97, 0.97, 0.97),
        "pupil": (0.05, 0.04, 0.04),
        "mouth": (0.40, 0.16, 0.14),
        "floor": (0.62, 0.60, 0.56),
        "backdrop": (0.86, 0.88, 0.80),
        "wall": (0.72, 0.80, 0.86),
    },
    {  # light skin, dark trainers with light soles on a light wooden floor
        "skin": (0.92, 0.74, 0.62),
        "shirt": (0.20, 0.55, 0.30),
        "shorts": (0.42, 0.42, 0.46),
        "shoe": (0.12, 0.12, 0.14),
        "sole": (0.85, 0.85, 0.85),
        "hair": (0.55, 0.40, 0.20),
        "eye": (0.97, 0.97, 0.97),
        "pupil": (0.05, 0.04, 0.04),
        "mouth": (0.70, 0.35, 0.35),
        "floor": (0.70, 0.56, 0.40),
        "backdrop": (0.95, 0.93, 0.88),
        "wall": (0.80, 0.84, 0.90),
    },
    {  # dark skin, red shoes with dark soles on a grey floor
        "skin": (0.36, 0.22, 0.14),
        "shirt": (0.90, 0.90, 0.90),
        "shorts": (0.75, 0.60, 0.35),
        "shoe": (0.85, 0.12, 0.15),
        "sole": (0.15, 0.15, 0.15),
        "hair": (0.04, 0.03, 0.03),
        "eye": (0.97, 0.97, 0.97),
        "pupil": (0.05, 0.04, 0.04),
        "mouth": (0.30, 0.12, 0.10),
        "floor": (0.58, 0.56, 0.52),
        "backdrop": (0.80, 0.82, 0.84),
        "wall": (0.90, 0.88, 0.80),
    },
)
"""Colour sets (linear-ish RGB in 0..1, rendered with the Standard view transform).

Chosen for contrast: skin against backdrop and floor, shoes against the floor,
shorts against the skin of the thighs (MediaPipe loses legs that blend in).
Sets 2 and 3 (added with the render audit, session 6) vary skin tone and shoe
colours further: the pose model's foot and knee landmarks move by 1-2 cm
between sets 0 and 1 alone (docs/ACCURACY.md, "Other cameras and people"),
so a correction derived on renders should be checked on several sets."""

SEED_PALETTES = 2
"""A render's default palette is ``seed % SEED_PALETTES``: only the first two
sets, so every render made before sets 2 and 3 existed is reproduced exactly
from its seed; the others are chosen with ``--palette``."""


@dataclass(frozen=True)
class FigureDims:
    """Radii and shoe sizes in metres for a figure of ``height_m``.

    Defaults are for the 1.75 m reference adult; ``for_height`` scales them.
    """

    height_m: float = REFERENCE_HEIGHT_M
    thigh_top_r: float = 0.078
    knee_r: float = 0.050
    calf_r: float = 0.056
    ankle_r: float = 0.032
    upper_arm_r: float = 0.044
    elbow_r: float = 0.036
    wrist_r: float = 0.026
    hand_r: float = 0.030
    neck_r: float = 0.054
    head_half: tuple[float, float, float] = (0.078, 0.098, 0.114)  # lateral, front-back, up
    torso_half_depth: float = 0.105
    hip_extra_half_width: float = 0.075
    shoe_half_width: float = 0.050
    sole_thickness: float = 0.022

    @classmethod
    def for_height(cls, height_m: float) -> FigureDims:
        """Dimensions scaled linearly from the 1.75 m reference to ``height_m``."""
        if not 1.0 < height_m < 2.5:
            raise ValueError(f"figure height must be between 1.0 and 2.5 m, got {height_m}")
        k = height_m / REFERENCE_HEIGHT_M
        base = cls()
        kwargs: dict[str, object] = {"height_m": height_m}
        for name in cls.__dataclass_fields__:
            if name == "height_m":
                continue
            value = getattr(base, name)
            kwargs[name] = tuple(v * k for v in value) if isinstance(value, tuple) else value * k
        return cls(**kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------- lofts
@dataclass(frozen=True, eq=False)
class Part:
    """One coloured mesh of the figure.

    Attributes:
        name: unique part name ("thigh_left", "shoe_right", ...).
        color: palette key.
        vertices: (T, N, 3) synth-world metres, per frame.
        faces: list of vertex-index tuples (quads and triangles), same every frame.
    """

    name: str
    color: str
    vertices: FloatArray
    faces: list[tuple[int, ...]]


def _unit(v: FloatArray) -> FloatArray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.asarray(v / np.maximum(n, 1e-12), dtype=np.float64)


def _perp(axis: FloatArray, ref: FloatArray) -> FloatArray:
    """Unit vector from ``ref`` with its component along unit ``axis`` removed (..., 3)."""
    r = ref - axis * np.sum(ref * axis, axis=-1, keepdims=True)
    bad = np.linalg.norm(r, axis=-1) < 1e-6
    if np.any(bad):  # ref parallel to axis: fall back to any perpendicular
        alt = np.where(np.abs(axis[..., :1]) < 0.9, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
        alt = alt - axis * np.sum(alt * axis, axis=-1, keepdims=True)
        r = np.where(bad[..., None], alt, r)
    return _unit(r)


def loft_faces(rings: int, around: int) -> list[tuple[int, ...]]:
    """Faces of a closed loft: ``rings`` rings of ``around`` vertices plus two poles.

    Vertex ``k * around + j`` is vertex j of ring k; the start pole is
    ``rings * around`` and the end pole ``rings * around + 1``.
    """
    faces: list[tuple[int, ...]] = []
    for k in range(rings - 1):
        for j in range(around):
            j2 = (j + 1) % around
            faces.append(
                (k * around + j, k * around + j2, (k + 1) * around + j2, (k + 1) * around + j)
            )
    p0, p1 = rings * around, rings * around + 1
    last = (rings - 1) * around
    for j in range(around):
        j2 = (j + 1) % around
        faces.append((p0, j2, j))
        faces.append((p1, last + j, last + j2))
    return faces


def loft(
    centers: FloatArray,
    u: FloatArray,
    v: FloatArray,
    half_u: npt.ArrayLike,
    half_v: npt.ArrayLike,
    poles: FloatArray,
    *,
    around: int = RING,
    squareness: float = 2.0,
) -> FloatArray:
    """Vertices of a loft, (T, K * around + 2, 3).

    Args:
        centers: (T, K, 3) ring centres.
        u, v: (T, K, 3) unit directions of each ring's two half-axes.
        half_u, half_v: (K,) or (T, K) half-axes in metres along ``u`` and ``v``.
        poles: (T, 2, 3) the start and end pole vertices.
        around: vertices per ring.
        squareness: superellipse exponent of the cross-section (2 = ellipse,
            4 = rounded box).
    """
    theta = np.linspace(0.0, 2 * np.pi, around, endpoint=False)
    c, s = np.cos(theta), np.sin(theta)
    e = 2.0 / squareness
    cu = np.sign(c) * np.abs(c) ** e
    cv = np.sign(s) * np.abs(s) ** e
    a = np.broadcast_to(np.asarray(half_u, dtype=np.float64), centers.shape[:2])
    b = np.broadcast_to(np.asarray(half_v, dtype=np.float64), centers.shape[:2])
    ring = (
        centers[:, :, None, :]
        + (a[:, :, None, None] * cu[None, None, :, None]) * u[:, :, None, :]
        + (b[:, :, None, None] * cv[None, None, :, None]) * v[:, :, None, :]
    )
    t = centers.shape[0]
    return np.concatenate([ring.reshape(t, -1, 3), poles], axis=1)


def capsule(
    p0: FloatArray,
    p1: FloatArray,
    radii: npt.ArrayLike,
    ref: FloatArray,
    *,
    profile: npt.ArrayLike | None = None,
    cap_steps: int = 3,
    around: int = RING,
) -> tuple[FloatArray, list[tuple[int, ...]]]:
    """A tapered capsule from p0 to p1 (each (T, 3)); returns (vertices (T, N, 3), faces).

    ``radii`` are the radii at the positions ``profile`` (fractions 0..1 of the
    way from p0 to p1; default ``linspace(0, 1, len(radii))``); each end is
    closed by a hemisphere of the end radius. ``ref`` (T, 3) fixes the ring
    roll so vertices do not spin between frames.
    """
    r = np.asarray(radii, dtype=np.float64)
    prof = np.linspace(0.0, 1.0, r.size) if profile is None else np.asarray(profile, float)
    axis = _unit(p1 - p0)
    u = _perp(axis, ref)
    v = np.cross(axis, u)
    length = np.linalg.norm(p1 - p0, axis=-1)  # (T,)
    phis = np.linspace(-np.pi / 2, 0.0, cap_steps + 1)[1:-1]
    offsets: list[FloatArray] = []  # (T,) distance along the axis from p0
    ring_r: list[float] = []
    for phi in phis:  # start cap
        offsets.append(np.full_like(length, r[0] * np.sin(phi)))
        ring_r.append(r[0] * np.cos(phi))
    for f, rr in zip(prof, r, strict=True):
        offsets.append(length * f)
        ring_r.append(float(rr))
    for phi in -phis[::-1]:  # end cap
        offsets.append(length + r[-1] * np.sin(phi))
        ring_r.append(r[-1] * np.cos(phi))
    off = np.stack(offsets, axis=1)  # (T, K)
    centers = p0[:, None, :] + off[:, :, None] * axis[:, None, :]
    k = centers.shape[1]
    uu = np.repeat(u[:, None, :], k, axis=1)
    vv = np.repeat(v[:, None, :], k, axis=1)
    poles = np.stack([p0 - axis * r[0], p1 + axis * r[-1]], axis=1)
    verts = loft(centers, uu, vv, ring_r, ring_r, poles, around=around)
    return verts, loft_faces(k, around)


def ellipsoid(
    center: FloatArray,
    axes: FloatArray,
    half: tuple[float, float, float],
    *,
    rings: int = 9,
    around: int = RING,
) -> tuple[FloatArray, list[tuple[int, ...]]]:
    """An ellipsoid (vertices (T, N, 3), faces).

    Args:
        center: (T, 3).
        axes: (T, 3, 3) rows = unit axes (a, b, c); the loft runs along c.
        half: half-lengths along a, b, c in metres.
    """
    a_dir, b_dir, c_dir = axes[:, 0], axes[:, 1], axes[:, 2]
    phis = np.linspace(-np.pi / 2, np.pi / 2, rings + 2)[1:-1]
    centers = center[:, None, :] + (half[2] * np.sin(phis))[None, :, None] * c_dir[:, None, :]
    scale = np.cos(phis)
    k = phis.size
    uu = np.repeat(a_dir[:, None, :], k, axis=1)
    vv = np.repeat(b_dir[:, None, :], k, axis=1)
    poles = np.stack([center - c_dir * half[2], center + c_dir * half[2]], axis=1)
    verts = loft(centers, uu, vv, half[0] * scale, half[1] * scale, poles, around=around)
    return verts, loft_faces(k, around)


# -------------------------------------------------------------- the figure
def _j(joints: FloatArray, lm: Landmark) -> FloatArray:
    return joints[:, int(lm), :]


def body_axes(joints: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-frame unit (right, up, forward) of the pelvis, each (T, 3), synth world."""
    right = _unit(_j(joints, L.RIGHT_HIP) - _j(joints, L.LEFT_HIP))
    hip_mid = (_j(joints, L.RIGHT_HIP) + _j(joints, L.LEFT_HIP)) / 2
    sh_mid = (_j(joints, L.RIGHT_SHOULDER) + _j(joints, L.LEFT_SHOULDER)) / 2
    up = _perp(right, sh_mid - hip_mid)
    forward = np.cross(up, right)
    return right, up, forward


def head_frame(joints: FloatArray, dims: FigureDims) -> tuple[FloatArray, FloatArray]:
    """Head centre (T, 3) and axes (T, 3, 3) rows = (right, forward, up), synth world."""
    le, re = _j(joints, L.LEFT_EAR), _j(joints, L.RIGHT_EAR)
    ear_mid = (le + re) / 2
    right = _unit(re - le)
    eye_mid = (_j(joints, L.LEFT_EYE) + _j(joints, L.RIGHT_EYE)) / 2
    # nose sits below and the eyes above ear level: their mean gives a level gaze
    forward = _perp(right, (_j(joints, L.NOSE) + eye_mid) / 2 - ear_mid)
    up = np.cross(right, forward)
    center = ear_mid + up * (0.15 * dims.head_half[2]) + forward * (0.05 * dims.head_half[1])
    return center, np.stack([right, forward, up], axis=1)


def _on_head(
    point: FloatArray, center: FloatArray, axes: FloatArray, half: tuple[float, float, float]
) -> tuple[FloatArray, FloatArray]:
    """Project ``point`` (T, 3) radially onto the head ellipsoid; returns (surface, normal)."""
    d = point - center
    local = np.einsum("tij,tj->ti", axes, d)
    h = np.asarray(half)
    t = 1.0 / np.sqrt(np.sum((local / h) ** 2, axis=-1, keepdims=True))
    surf_local = local * t
    normal_local = _unit(surf_local / h**2)
    surface = center + np.einsum("tij,ti->tj", axes, surf_local)
    normal = np.einsum("tij,ti->tj", axes, normal_local)
    return surface, normal


def _add(
    parts: list[Part], name: str, color: str, mesh: tuple[FloatArray, list[tuple[int, ...]]]
) -> None:
    parts.append(Part(name, color, mesh[0], mesh[1]))


def build_figure(
    joints: npt.ArrayLike,
    dims: FigureDims,
    feet: dict[str, dict[str, FloatArray]] | None = None,
) -> list[Part]:
    """All meshes of the figure posed by ``joints`` (T, 33, 3), synth world, metres.

    ``feet``: {side: {name: (T, 3)}} with at least ``FOOT_KEYS`` (the synth
    ``Motion.feet``); when None they are derived from the joints for a rigid
    foot (``feet_from_joints``).
    """
    jt = np.asarray(joints, dtype=np.float64)
    if jt.ndim != 3 or jt.shape[1:] != (33, 3):
        raise ValueError(f"joints: expected shape (T, 33, 3), got {jt.shape}")
    if not np.all(np.isfinite(jt)):
        raise ValueError("joints contain NaN or inf; the renderer needs every joint in every frame")
    if feet is None:
        feet = feet_from_joints(jt, dims.height_m)
    parts: list[Part] = []
    right, up, _ = body_axes(jt)
    d = dims

    # legs: thigh + shank with a calf bulge; shorts over the upper thigh
    for side in ("left", "right"):
        s = side.upper()
        hip, knee, ankle = (_j(jt, Landmark[f"{s}_{p}"]) for p in ("HIP", "KNEE", "ANKLE"))
        _add(parts, f"thigh_{side}", "skin", capsule(hip, knee, [d.thigh_top_r, d.knee_r], right))
        _add(
            parts,
            f"shank_{side}",
            "skin",
            capsule(
                knee,
                ankle,
                [d.knee_r, d.calf_r, d.calf_r * 0.9, d.ankle_r],
                right,
                profile=[0.0, 0.28, 0.45, 1.0],
            ),
        )
        leg_end = hip + (knee - hip) * 0.42
        _add(
            parts,
            f"shorts_leg_{side}",
            "shorts",
            capsule(hip, leg_end, [d.thigh_top_r + 0.014, d.thigh_top_r * 0.9 + 0.012], right),
        )
        parts.extend(build_shoe(feet[side], side, d))

    # torso: shorts (pelvis) and shirt lofts along hip-mid -> shoulder-mid
    lh, rh = _j(jt, L.LEFT_HIP), _j(jt, L.RIGHT_HIP)
    ls, rs = _j(jt, L.LEFT_SHOULDER), _j(jt, L.RIGHT_SHOULDER)
    hip_mid, sh_mid = (lh + rh) / 2, (ls + rs) / 2
    hip_half = np.linalg.norm(rh - lh, axis=-1) / 2 + d.hip_extra_half_width
    sh_half = np.linalg.norm(rs - ls, axis=-1) / 2
    sh_right = _unit(rs - ls)

    def torso(fr: list[float], widths: list[FloatArray], depths: list[float]) -> FloatArray:
        f = np.asarray(fr)
        centers = hip_mid[:, None, :] + f[None, :, None] * (sh_mid - hip_mid)[:, None, :]
        axis = np.repeat(_unit(sh_mid - hip_mid)[:, None, :], f.size, axis=1)
        lat_ref = (1 - np.clip(f, 0, 1))[None, :, None] * right[:, None, :] + np.clip(f, 0, 1)[
            None, :, None
        ] * sh_right[:, None, :]
        uu = _perp(axis, lat_ref)
        vv = np.cross(axis, uu)
        half_u = np.stack(widths, axis=1)
        poles = np.stack(
            [centers[:, 0] - axis[:, 0] * 0.02, centers[:, -1] + axis[:, -1] * 0.03], axis=1
        )
        return loft(centers, uu, vv, half_u, depths, poles, squareness=2.6)

    shorts_f = [-0.16, -0.08, 0.0, 0.12, 0.24]
    shorts_w = [hip_half * 0.80, hip_half * 0.97, hip_half, hip_half * 0.95, hip_half * 0.88]
    shorts_d = [d.torso_half_depth * k for k in (0.80, 0.97, 1.0, 0.95, 0.90)]
    parts.append(Part("shorts", "shorts", torso(shorts_f, shorts_w, shorts_d), loft_faces(5, RING)))
    shirt_f = [0.16, 0.32, 0.55, 0.78, 0.93, 1.03]
    waist = hip_half * 0.93
    shirt_w = [
        hip_half * 0.93,
        waist,
        (waist + sh_half) / 2 + 0.01,
        sh_half * 0.98,
        sh_half * 0.93,
        sh_half * 0.62,
    ]
    shirt_d = [d.torso_half_depth * k for k in (0.95, 0.95, 1.08, 1.08, 0.92, 0.72)]
    parts.append(Part("shirt", "shirt", torso(shirt_f, shirt_w, shirt_d), loft_faces(6, RING)))

    # arms: skin capsules, short sleeves, hands
    for side in ("left", "right"):
        s = side.upper()
        sh, el, wr = (_j(jt, Landmark[f"{s}_{p}"]) for p in ("SHOULDER", "ELBOW", "WRIST"))
        hand_tip = (_j(jt, Landmark[f"{s}_INDEX"]) + _j(jt, Landmark[f"{s}_PINKY"])) / 2
        _add(parts, f"upper_arm_{side}", "skin", capsule(sh, el, [d.upper_arm_r, d.elbow_r], right))
        _add(parts, f"forearm_{side}", "skin", capsule(el, wr, [d.elbow_r, d.wrist_r], right))
        _add(
            parts, f"hand_{side}", "skin", capsule(wr, hand_tip, [d.wrist_r, d.hand_r * 0.8], right)
        )
        sleeve_end = sh + (el - sh) * 0.38
        _add(
            parts,
            f"sleeve_{side}",
            "shirt",
            capsule(sh, sleeve_end, [d.upper_arm_r + 0.014, d.upper_arm_r + 0.010], right),
        )

    # neck and head with face features
    center, axes = head_frame(jt, d)
    half = d.head_half
    chin = center - axes[:, 2] * half[2] * 0.75
    _add(
        parts, "neck", "skin", capsule(sh_mid - up * 0.02, chin, [d.neck_r, d.neck_r * 0.9], right)
    )
    _add(parts, "head", "skin", ellipsoid(center, axes, half, rings=11))
    hair_c = center + axes[:, 2] * (0.14 * half[2]) - axes[:, 1] * (0.16 * half[1])
    hair_half = (half[0] * 1.04, half[1] * 0.97, half[2] * 0.93)
    _add(parts, "hair", "hair", ellipsoid(hair_c, axes, hair_half, rings=9))
    for side in ("left", "right"):
        s = side.upper()
        eye_s, eye_n = _on_head(_j(jt, Landmark[f"{s}_EYE"]), center, axes, half)
        e_r = 0.16 * half[0]
        _add(
            parts,
            f"eye_{side}",
            "eye",
            ellipsoid(eye_s - eye_n * e_r * 0.35, axes, (e_r,) * 3, rings=5, around=10),
        )
        p_r = 0.5 * e_r
        _add(
            parts,
            f"pupil_{side}",
            "pupil",
            ellipsoid(eye_s + eye_n * e_r * 0.45, axes, (p_r,) * 3, rings=4, around=8),
        )
        ear_s, _ = _on_head(_j(jt, Landmark[f"{s}_EAR"]), center, axes, half)
        ear_half = (0.16 * half[0], 0.28 * half[1], 0.32 * half[2])
        _add(parts, f"ear_{side}", "skin", ellipsoid(ear_s, axes, ear_half, rings=5, around=10))
    nose_s, nose_n = _on_head(_j(jt, L.NOSE), center, axes, half)
    nose_half = (0.16 * half[0], 0.24 * half[1], 0.20 * half[2])
    _add(
        parts,
        "nose",
        "skin",
        ellipsoid(nose_s + nose_n * 0.004, axes, nose_half, rings=5, around=10),
    )
    mouth_p = (_j(jt, L.MOUTH_LEFT) + _j(jt, L.MOUTH_RIGHT)) / 2
    mouth_s, mouth_n = _on_head(mouth_p, center, axes, half)
    mouth_half = (0.30 * half[0], 0.05 * half[1], 0.05 * half[2])
    _add(
        parts,
        "mouth",
        "mouth",
        ellipsoid(mouth_s - mouth_n * 0.002, axes, mouth_half, rings=4, around=10),
    )
    return parts


# ------------------------------------------------------------------- shoes
FOOT_KEYS = ("heel_contact", "mtp", "toe_tip")
"""Foot points the shoe is built on (``formcheck.synth.body.FOOT_POINTS`` names):
the sole under the heel, the sole under the metatarsal heads (where the shoe
bends) and the front of the big toe."""

# Rings along the shoe: (segment, position, half-width fraction, upper height m at
# 1.75 m, sole lift m at 1.75 m). Rear rings are placed in the rearfoot frame
# (heel_contact -> mtp), position = fraction of that length (negative values =
# metres behind the heel contact); toe rings in the toe frame (mtp -> toe_tip),
# position = fraction of that length (values > 1 add metres beyond the toe tip).
SHOE_RINGS: tuple[tuple[str, float, float, float, float], ...] = (
    ("rear", -0.0165, 0.60, 0.060, 0.010),
    ("rear", -0.0100, 0.80, 0.068, 0.003),
    ("rear", 0.0, 0.86, 0.068, 0.0),
    ("rear", 0.30, 0.88, 0.064, 0.0),
    ("rear", 0.65, 0.98, 0.058, 0.0),
    ("rear", 1.0, 1.0, 0.050, 0.0),
    ("toe", 0.45, 0.95, 0.040, 0.0),
    ("toe", 0.85, 0.78, 0.030, 0.002),
    ("toe", 1.008, 0.45, 0.022, 0.006),
)
HEEL_STATION = 2
"""Index of the ring whose bottom vertex is the heel contact point (sole under the heel)."""


def feet_from_joints(joints: FloatArray, height_m: float) -> dict[str, dict[str, FloatArray]]:
    """Shoe foot points per side, {side: {name: (T, 3)}}, for a rigid foot.

    Used when only the 33 joints are known: the synth body model's foot layout
    (``formcheck.synth.body.FOOT_POINTS``, fractions of height) is placed in the
    plane of heel, foot_index and ankle.
    """
    from formcheck.synth.body import FOOT_POINTS

    out: dict[str, dict[str, FloatArray]] = {}
    hx, hy = FOOT_POINTS["heel"]
    fx, fy = FOOT_POINTS["foot_index"]
    model_axis = np.array([fx - hx, fy - hy])
    model_len = float(np.hypot(*model_axis))
    ca, sa = model_axis / model_len  # direction of heel->foot_index in the foot frame
    for side in ("left", "right"):
        s = side.upper()
        heel, toe, ankle = (
            _j(joints, Landmark[f"{s}_{p}"]) for p in ("HEEL", "FOOT_INDEX", "ANKLE")
        )
        a = _unit(toe - heel)  # heel->foot_index in the world
        n = _perp(a, ankle - heel)  # up, perpendicular to it
        # rotate back so (ex, ey) are the foot frame's forward and up
        ex = a * ca - n * sa
        ey = a * sa + n * ca
        pts = {}
        for key in FOOT_KEYS:
            px, py = FOOT_POINTS[key]
            pts[key] = heel + ((px - hx) * ex + (py - hy) * ey) * height_m
        out[side] = pts
    return out


def _shoe_frames(
    feet: dict[str, FloatArray],
) -> dict[str, tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]]:
    """(origin, length, forward, up, right) per shoe segment ("rear", "toe"), each (T, ...)."""
    hc, mtp, tip = feet["heel_contact"], feet["mtp"], feet["toe_tip"]
    fwd_r = _unit(mtp - hc)
    world_up = np.broadcast_to([0.0, 1.0, 0.0], hc.shape)
    # up of the rearfoot: perpendicular to the sole line, on the body's side of it
    side_r = _unit(np.cross(fwd_r, world_up))
    up_r = np.cross(side_r, fwd_r)
    fwd_t = _unit(tip - mtp)
    up_t = _perp(fwd_t, up_r)
    return {
        "rear": (hc, np.linalg.norm(mtp - hc, axis=-1), fwd_r, up_r, np.cross(fwd_r, up_r)),
        "toe": (mtp, np.linalg.norm(tip - mtp, axis=-1), fwd_t, up_t, np.cross(fwd_t, up_t)),
    }


def build_shoe(feet: dict[str, FloatArray], side: str, dims: FigureDims) -> list[Part]:
    """Sole and upper of one shoe from its foot points ({name: (T, 3)}, see ``FOOT_KEYS``).

    The sole's bottom runs through heel_contact and mtp (flat under the
    rearfoot) and bends at the mtp ring, so the toes can stay on the floor while
    the heel is up.
    """
    k = dims.height_m / REFERENCE_HEIGHT_M
    frames = _shoe_frames(feet)
    base, fw, upv, rt = [], [], [], []
    for seg, pos, _, _, _ in SHOE_RINGS:
        origin, length, fwd, up, right = frames[seg]
        x = np.where(pos < 0, pos * k, pos * length) if seg == "rear" else length * min(pos, 1.0)
        if seg == "toe" and pos > 1.0:
            x = length + (pos - 1.0) * k
        base.append(origin + np.asarray(x)[..., None] * fwd)
        fw.append(fwd)
        upv.append(up)
        rt.append(right)
    b = np.stack(base, axis=1)
    up_all = np.stack(upv, axis=1)
    right_all = np.stack(rt, axis=1)
    fwd_all = np.stack(fw, axis=1)
    widths = np.array([r[2] for r in SHOE_RINGS]) * dims.shoe_half_width
    heights = np.array([r[3] for r in SHOE_RINGS]) * k
    lift = np.array([r[4] for r in SHOE_RINGS]) * k
    sole_h = dims.sole_thickness
    sole_c = b + (lift + sole_h / 2)[None, :, None] * up_all
    sole_poles = np.stack(
        [sole_c[:, 0] - fwd_all[:, 0] * 0.004, sole_c[:, -1] + fwd_all[:, -1] * 0.004], axis=1
    )
    sole = loft(
        sole_c,
        right_all,
        up_all,
        widths + 0.003,
        np.full(len(SHOE_RINGS), sole_h / 2),
        sole_poles,
        squareness=5.0,
    )
    up_bottom = lift + sole_h * 0.6
    up_half = (heights - sole_h * 0.6) / 2
    up_c = b + (up_bottom + up_half)[None, :, None] * up_all
    up_poles = np.stack(
        [up_c[:, 0] - fwd_all[:, 0] * 0.006, up_c[:, -1] + fwd_all[:, -1] * 0.006], axis=1
    )
    upper = loft(up_c, right_all, up_all, widths, up_half, up_poles, squareness=3.2)
    faces = loft_faces(len(SHOE_RINGS), RING)
    return [
        Part(f"sole_{side}", "sole", sole, faces),
        Part(f"shoe_{side}", "shoe", upper, faces),
    ]


@dataclass(frozen=True)
class FootContact:
    """Where one shoe meets the floor, measured on the rendered sole mesh.

    Attributes:
        heel_point: (T, 3) bottom of the sole directly under the heel joint, synth world, m.
        toe_point: (T, 3) lowest sole vertex of the forefoot (from the ring under
            the metatarsal heads to the toe tip): where the forefoot touches or
            pivots on the floor, synth world, m.
        lowest: (T,) height of the lowest sole vertex above the floor, m (> 0: foot in the air).
        knee_front: (T, 3) the most forward point of the leg mesh within a knee
            radius of the knee joint (what touches a wall in front), synth world, m.
    """

    heel_point: FloatArray
    toe_point: FloatArray
    lowest: FloatArray
    knee_front: FloatArray


def foot_contact(
    parts: list[Part], joints: npt.ArrayLike, side: str, dims: FigureDims
) -> FootContact:
    """Contact points of ``side``'s shoe and knee front, from the meshes of ``build_figure``."""
    jt = np.asarray(joints, dtype=np.float64)
    by_name = {p.name: p for p in parts}
    sole = by_name[f"sole_{side}"].vertices
    t = sole.shape[0]
    bottom_j = (3 * RING) // 4  # the loft's v axis is the shoe's up: 270 degrees is straight down
    heel_point = sole[:, HEEL_STATION * RING + bottom_j, :]
    first_toe = next(i for i, r in enumerate(SHOE_RINGS) if r[0] == "rear" and r[1] == 1.0)
    front = np.r_[np.arange(first_toe * RING, len(SHOE_RINGS) * RING), len(SHOE_RINGS) * RING + 1]
    front_v = sole[:, front, :]
    toe_point = front_v[np.arange(t), np.argmin(front_v[:, :, 1], axis=1)]
    lowest = sole[:, :, 1].min(axis=1)
    knee = _j(jt, Landmark[f"{side.upper()}_KNEE"])
    leg = np.concatenate(
        [by_name[f"thigh_{side}"].vertices, by_name[f"shank_{side}"].vertices], axis=1
    )
    near = np.linalg.norm(leg - knee[:, None, :], axis=-1) <= dims.knee_r * 1.6
    _, _, body_fwd = body_axes(jt)
    ahead = np.where(near, np.einsum("tnk,tk->tn", leg, body_fwd), -np.inf)
    knee_front = leg[np.arange(t), np.argmax(ahead, axis=1)]
    return FootContact(heel_point, toe_point, lowest, knee_front)
