"""Joint and segment angles as a named table, computed for all frames at once.

Every angle is measured **in the image plane, in pixels** (normalised
coordinates are scaled by the frame's width and height first, so a portrait
1080x1920 frame gives true angles), in a body-aligned 2D frame:

- ``up``: the floor normal in the image (default: image up, ``(0, -1)`` in
  pixel coordinates where y grows downwards). Pass the floor normal (e.g.
  ``FloorLine.normal`` from ``formcheck.calibration``) when the camera is
  rolled or tilted.
- ``forward``: perpendicular to ``up``, pointing the way the person faces in
  the image. ``facing`` ("left"/"right" image direction) sets it; when not
  given it is inferred from the feet (the toe is in front of the heel) and the
  head (the nose is in front of the ears).

Because every angle is expressed in (forward, up) coordinates, the **sign
conventions are anatomical and do not depend on which way the person faces**:
a person facing image-left and one facing image-right doing the same movement
get the same numbers. Getting ``facing`` wrong flips the sign of the signed
angles (see each definition). In a front or back view sagittal angles are
foreshortened projections and should not be reported as such (check the view
with ``formcheck.views`` first).

Sign conventions (degrees):

- ``ankle_dorsiflexion``: angle between the shank (ankle->knee) and the foot
  (heel->foot_index), minus 90. 0 = shank perpendicular to the foot line;
  positive = dorsiflexion (knee travels forward over the toes); negative =
  plantarflexion (heel raised, as at the top of a calf raise).
- ``tibia_inclination``: angle of the shank (ankle->knee) from ``up``; what an
  inclinometer strapped to the shin reads in the knee-to-wall test. Positive
  with the knee forward of the ankle.
- ``knee_flexion``: 180 minus the hip-knee-ankle angle. 0 = straight leg,
  positive = flexion, negative = hyperextension (knee behind the hip-ankle line).
- ``hip_flexion``: angle between the trunk (hip->shoulder) and the thigh
  (hip->knee), minus 180. 0 = upright stance, positive = thigh forward of the
  trunk line, negative = extension (thigh behind).
- ``foot_to_floor``: angle of the heel->foot_index line from ``forward`` (the
  floor direction). Positive = heel above toe (heel raised), negative = toes up.
  Not 0 when standing flat: MediaPipe's heel and toe landmarks sit at slightly
  different heights (subtract the standing value for a change).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import Landmark, side_landmark
from formcheck.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

IMAGE_UP: tuple[float, float] = (0.0, -1.0)
"""Image up in pixel coordinates (y grows downwards)."""


@dataclass(frozen=True)
class AngleDef:
    """One angle, defined by landmark part names (``side_landmark`` parts, or
    side-free names such as "nose").

    The angle is ``wrap(offset_deg + sign * theta)``, where ``theta`` is the
    counter-clockwise angle (in the body frame: x = forward, y = up) that turns
    vector ``a`` onto vector ``b``, in (-180, 180], and ``wrap`` maps to
    [-180, 180).

    Attributes:
        a: (from, to) parts of the first vector.
        b: (from, to) parts of the second vector, or ``"up"`` / ``"forward"``
            for the body frame's axes.
        offset_deg: added after ``sign``.
        sign: +1 or -1.
        doc: the convention in words.
    """

    a: tuple[str, str]
    b: tuple[str, str] | str
    offset_deg: float
    sign: int
    doc: str

    def parts(self) -> tuple[str, ...]:
        """Every landmark part the angle needs."""
        b = self.b if isinstance(self.b, tuple) else ()
        return (*self.a, *b)


ANGLES: dict[str, AngleDef] = {
    "ankle_dorsiflexion": AngleDef(
        a=("ankle", "knee"),
        b=("heel", "foot_index"),
        offset_deg=-270.0,
        sign=1,
        doc="shank-to-foot angle minus 90; + dorsiflexion, - plantarflexion",
    ),
    "tibia_inclination": AngleDef(
        a=("ankle", "knee"),
        b="up",
        offset_deg=0.0,
        sign=1,
        doc="shank from vertical; + knee forward of the ankle",
    ),
    "knee_flexion": AngleDef(
        a=("knee", "hip"),
        b=("knee", "ankle"),
        offset_deg=180.0,
        sign=-1,
        doc="180 - hip-knee-ankle angle; + flexion, - hyperextension",
    ),
    "hip_flexion": AngleDef(
        a=("hip", "shoulder"),
        b=("hip", "knee"),
        offset_deg=-180.0,
        sign=1,
        doc="trunk-to-thigh angle minus 180; + flexion (thigh forward), - extension",
    ),
    "foot_to_floor": AngleDef(
        a=("heel", "foot_index"),
        b="forward",
        offset_deg=0.0,
        sign=1,
        doc="heel->toe line from the floor; + heel above toe",
    ),
}
"""The angle table; add entries here, never per-drill angle code."""


def _landmark(side: str, part: str) -> Landmark:
    try:
        return Landmark[part.upper()]
    except KeyError:
        return side_landmark(side, part)


def _unit(v: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(v, dtype=np.float64)
    norm = np.linalg.norm(arr, axis=-1, keepdims=True)
    if np.any(norm == 0):
        raise ValueError("up direction must be a non-zero vector")
    return np.asarray(arr / norm)


def infer_facing(track: PoseTrack, up: npt.ArrayLike | None = None) -> FloatArray:
    """Per-frame facing sign in the image: +1 = person faces image-right, -1 = left.

    Evidence (pixel space, measured along the image direction perpendicular to
    ``up``): the toe is in front of the heel (both feet), the nose is in front
    of the ear midpoint. Each cue votes with its length relative to the body's
    torso length (so a foreshortened foot in a front view votes weakly); the
    per-frame sum's sign is the facing. NaN where there is no evidence.

    Returns:
        (T,) float64 in {-1, +1} or NaN.
    """
    px = track.pixels.astype(np.float64)
    u = _unit(IMAGE_UP if up is None else up)
    u = np.broadcast_to(u, (len(track), 2)) if u.ndim == 1 else u
    right = np.stack([-u[:, 1], u[:, 0]], axis=1)  # image "right" when up=(0,-1): (1, 0)

    def along(a: Landmark, b: Landmark) -> FloatArray:
        return np.asarray(np.einsum("ij,ij->i", px[:, int(b)] - px[:, int(a)], right))

    sh = 0.5 * (px[:, Landmark.LEFT_SHOULDER] + px[:, Landmark.RIGHT_SHOULDER])
    hp = 0.5 * (px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP])
    torso = np.linalg.norm(sh - hp, axis=1)
    votes = np.zeros(len(track))
    count = np.zeros(len(track))
    for side in ("left", "right"):
        v = along(side_landmark(side, "heel"), side_landmark(side, "foot_index"))
        ok = np.isfinite(v)
        votes[ok] += v[ok]
        count += ok
    ears = 0.5 * (px[:, Landmark.LEFT_EAR] + px[:, Landmark.RIGHT_EAR])
    nose_v = np.einsum("ij,ij->i", px[:, Landmark.NOSE] - ears, right)
    ok = np.isfinite(nose_v)
    votes[ok] += 2.0 * nose_v[ok]  # the nose-ear offset is ~1/2 of a foot length
    count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        score = votes / np.where(torso > 0, torso, np.nan)
    out = np.sign(score)
    out[(count == 0) | ~np.isfinite(score) | (out == 0)] = np.nan
    return out


def _facing_sign(
    track: PoseTrack, facing: str | npt.ArrayLike | None, up: npt.ArrayLike | None
) -> FloatArray:
    n = len(track)
    if facing is None:
        per = infer_facing(track, up)
        med = np.nanmedian(per) if np.isfinite(per).any() else 1.0
        return np.full(n, 1.0 if med >= 0 else -1.0)
    if isinstance(facing, str):
        if facing not in ("left", "right"):
            raise ValueError(f"unknown facing {facing!r}; expected one of ['left', 'right']")
        return np.full(n, 1.0 if facing == "right" else -1.0)
    arr = np.asarray(facing, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"facing array must have shape ({n},), got {arr.shape}")
    return np.sign(arr)


def body_frame(
    track: PoseTrack, *, up: npt.ArrayLike | None = None, facing: str | npt.ArrayLike | None = None
) -> tuple[FloatArray, FloatArray]:
    """(T, 2) unit ``forward`` and ``up`` vectors in pixel coordinates."""
    n = len(track)
    u = _unit(IMAGE_UP if up is None else up)
    u = np.broadcast_to(u, (n, 2)) if u.ndim == 1 else u
    if u.shape != (n, 2):
        raise ValueError(f"up must have shape (2,) or ({n}, 2), got {u.shape}")
    right = np.stack([-u[:, 1], u[:, 0]], axis=1)  # rotate up by -90 deg in pixel coords
    s = _facing_sign(track, facing, up)
    return right * s[:, None], np.asarray(u, dtype=np.float64)


def compute_angles(
    track: PoseTrack,
    side: str,
    *,
    up: npt.ArrayLike | None = None,
    names: Iterable[str] | None = None,
    facing: str | npt.ArrayLike | None = None,
) -> dict[str, FloatArray]:
    """Compute named angles of one body side for every frame.

    Args:
        track: pose track (use the conditioned track for filtered angles).
        side: "left" or "right" (the person's side).
        up: floor normal in the image as a pixel-space vector (2,) or per frame
            (T, 2); default image up.
        names: angle names from ``ANGLES`` (default: all).
        facing: "left"/"right" image direction the person faces, or a (T,)
            array of +1 (right) / -1 (left); default: inferred once per track.

    Returns:
        ``{name: (T,) float64 degrees}``; NaN where any landmark needed is NaN.

    Raises:
        ValueError: unknown angle name or side (the message lists the choices).
    """
    wanted = list(ANGLES) if names is None else list(names)
    unknown = [w for w in wanted if w not in ANGLES]
    if unknown:
        raise ValueError(f"unknown angle {unknown[0]!r}; expected one of {sorted(ANGLES)}")
    if side not in ("left", "right"):
        raise ValueError(f"unknown side {side!r}; expected one of ['left', 'right']")
    px = track.pixels.astype(np.float64)
    fwd, upv = body_frame(track, up=up, facing=facing)

    def to_body(v: FloatArray) -> tuple[FloatArray, FloatArray]:
        return np.einsum("ij,ij->i", v, fwd), np.einsum("ij,ij->i", v, upv)

    def vec(parts: tuple[str, str]) -> FloatArray:
        a, b = (_landmark(side, p) for p in parts)
        return np.asarray(px[:, int(b)] - px[:, int(a)])

    out: dict[str, FloatArray] = {}
    for name in wanted:
        d = ANGLES[name]
        ax, ay = to_body(vec(d.a))
        if d.b == "up":
            bx, by = np.zeros_like(ax), np.ones_like(ay)
        elif d.b == "forward":
            bx, by = np.ones_like(ax), np.zeros_like(ay)
        elif isinstance(d.b, tuple):
            bx, by = to_body(vec(d.b))
        else:
            raise ValueError(f"angle {name!r}: reference must be a pair, 'up' or 'forward'")
        theta = np.degrees(np.arctan2(ax * by - ay * bx, ax * bx + ay * by))
        val = d.offset_deg + d.sign * theta
        out[name] = (val + 180.0) % 360.0 - 180.0
    return out
