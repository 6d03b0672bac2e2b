"""``PoseTrack``: the one per-frame pose container everything downstream uses.

A track is a frozen dataclass of NumPy arrays. Frames in which no person was
found keep their row, filled with NaN, so row ``i`` is always video frame ``i``
and ``timestamps_s[i]`` its presentation time. Nothing here imports MediaPipe.

Saved as ``.npz`` (``save_track`` / ``load_track``) with a format version and
loaded with ``allow_pickle=False``: a tampered file raises
``TrackFormatError``, it never runs code.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from formcheck.errors import TrackFormatError
from formcheck.landmarks import NUM_LANDMARKS, Landmark

FORMAT_VERSION = 1
"""Version of the .npz layout written by ``save_track``."""

_ARRAY_FIELDS = ("landmarks", "visibility", "presence", "world", "timestamps_s", "num_people")
_MAX_NAME = 1000


def _check_shape(name: str, array: npt.NDArray[Any], expected: tuple[int | None, ...]) -> None:
    """Raise ValueError naming the field, the expected and the actual shape."""
    ok = array.ndim == len(expected) and all(
        e is None or e == a for e, a in zip(expected, array.shape, strict=True)
    )
    if not ok:
        shown = tuple("T" if e is None else e for e in expected)
        raise ValueError(f"PoseTrack.{name}: expected shape {shown}, got {array.shape}")


@dataclass(frozen=True, eq=False)
class PoseTrack:
    """Per-frame pose of one person in a video.

    Attributes:
        landmarks: (T, 33, 3) float32. Normalised image coordinates of the
            upright (rotation-corrected) frame: x in [0, 1] left to right,
            y in [0, 1] top to bottom, z relative depth (same scale as x,
            origin at the hips, smaller is nearer the camera). NaN where no
            person was found.
        visibility: (T, 33) float32 in [0, 1]: the model's confidence that the
            landmark is visible (not occluded). NaN where no person.
        presence: (T, 33) float32 in [0, 1]: confidence that the landmark is
            inside the frame. NaN where no person.
        world: (T, 33, 3) float32, metres, origin at the hip midpoint
            (MediaPipe world landmarks; y points down). NaN where no person.
        timestamps_s: (T,) float64, seconds, presentation time of each frame
            taken from the container (strictly increasing).
        width: frame width in pixels (after rotation).
        height: frame height in pixels (after rotation).
        fps: nominal frame rate, frames per second (informational; use
            ``timestamps_s`` for timing).
        source: name of the video the track came from (file name, no path).
        model_variant: pose model used: "lite", "full", "heavy" or "synthetic".
        num_people: (T,) int16, how many people the model found in each frame
            (0 where none); the track follows one of them.
        camera: (T, 2, 3) float64, or (0, 2, 3) when not measured: per frame,
            the similarity transform from the frame's pixels to the first
            frame's, measured on the background
            (``formcheck.camera_tracking``); NaN where it could not be
            followed. The landmarks are as the pose model put them in each
            frame; analysis steadies them (``formcheck.camera_steadying``).
    """

    landmarks: npt.NDArray[np.float32]
    visibility: npt.NDArray[np.float32]
    presence: npt.NDArray[np.float32]
    world: npt.NDArray[np.float32]
    timestamps_s: npt.NDArray[np.float64]
    width: int
    height: int
    fps: float
    source: str = ""
    model_variant: str = "full"
    num_people: npt.NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    camera: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2, 3)))

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "landmarks", np.asarray(self.landmarks, dtype=np.float32))
        set_(self, "visibility", np.asarray(self.visibility, dtype=np.float32))
        set_(self, "presence", np.asarray(self.presence, dtype=np.float32))
        set_(self, "world", np.asarray(self.world, dtype=np.float32))
        set_(self, "timestamps_s", np.asarray(self.timestamps_s, dtype=np.float64))
        _check_shape("timestamps_s", self.timestamps_s, (None,))
        n = self.timestamps_s.shape[0]
        _check_shape("landmarks", self.landmarks, (n, NUM_LANDMARKS, 3))
        people = np.asarray(self.num_people, dtype=np.int16)
        if people.size == 0 and n > 0:  # not given: one person wherever landmarks exist
            people = (~np.isnan(self.landmarks[:, 0, 0])).astype(np.int16)
        set_(self, "num_people", people)
        _check_shape("visibility", self.visibility, (n, NUM_LANDMARKS))
        _check_shape("presence", self.presence, (n, NUM_LANDMARKS))
        _check_shape("world", self.world, (n, NUM_LANDMARKS, 3))
        _check_shape("num_people", self.num_people, (n,))
        set_(self, "camera", np.array(self.camera, dtype=np.float64))  # a copy: frozen below
        if self.camera.shape[0] != 0:
            _check_shape("camera", self.camera, (n, 2, 3))
        elif self.camera.shape != (0, 2, 3):
            _check_shape("camera", self.camera, (0, 2, 3))
        if n > 1 and not np.all(np.diff(self.timestamps_s) > 0):
            raise ValueError("PoseTrack.timestamps_s must be strictly increasing")
        if not np.all(np.isfinite(self.timestamps_s)):
            raise ValueError("PoseTrack.timestamps_s must be finite")
        if int(self.width) <= 0 or int(self.height) <= 0:
            raise ValueError(
                f"PoseTrack frame size must be positive, got {self.width}x{self.height}"
            )
        if not (np.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"PoseTrack.fps must be a positive number, got {self.fps}")
        set_(self, "width", int(self.width))
        set_(self, "height", int(self.height))
        set_(self, "fps", float(self.fps))
        for name in (*_ARRAY_FIELDS, "camera"):
            getattr(self, name).setflags(write=False)

    # ----------------------------------------------------------------- basics
    def __len__(self) -> int:
        return int(self.timestamps_s.shape[0])

    @property
    def duration_s(self) -> float:
        """Seconds from the first frame to the end of the last one."""
        if len(self) == 0:
            return 0.0
        last = 1.0 / self.fps
        return float(self.timestamps_s[-1] - self.timestamps_s[0] + last)

    @property
    def detected(self) -> npt.NDArray[np.bool_]:
        """(T,) bool: True where a person was found in the frame."""
        return ~np.isnan(self.landmarks[:, 0, 0])

    @property
    def detected_fraction(self) -> float:
        """Fraction of frames (0..1) with a person."""
        return float(self.detected.mean()) if len(self) else 0.0

    @property
    def pixels(self) -> npt.NDArray[np.float32]:
        """(T, 33, 2) float32 landmark positions in pixels of the upright frame."""
        scale = np.array([self.width, self.height], dtype=np.float32)
        return self.landmarks[:, :, :2] * scale

    def xy(self, landmark: Landmark) -> npt.NDArray[np.float32]:
        """(T, 2) pixel position of one landmark over time."""
        return self.pixels[:, int(landmark), :]

    def with_arrays(self, **changes: Any) -> PoseTrack:
        """A copy with some fields replaced (arrays are re-validated)."""
        return replace(self, **changes)

    def slice(self, start: int, stop: int) -> PoseTrack:
        """Frames ``start:stop`` as a new track."""
        sl = np.s_[start:stop]
        return replace(
            self,
            landmarks=self.landmarks[sl],
            visibility=self.visibility[sl],
            presence=self.presence[sl],
            world=self.world[sl],
            timestamps_s=self.timestamps_s[sl],
            num_people=self.num_people[sl],
            camera=self.camera[sl] if len(self.camera) else self.camera,
        )

    @classmethod
    def empty(
        cls,
        timestamps_s: npt.ArrayLike,
        width: int,
        height: int,
        fps: float,
        source: str = "",
        model_variant: str = "full",
    ) -> PoseTrack:
        """A track of the given frame times with no person in any frame."""
        t = np.asarray(timestamps_s, dtype=np.float64)
        n = t.shape[0]
        return cls(
            landmarks=np.full((n, NUM_LANDMARKS, 3), np.nan, np.float32),
            visibility=np.full((n, NUM_LANDMARKS), np.nan, np.float32),
            presence=np.full((n, NUM_LANDMARKS), np.nan, np.float32),
            world=np.full((n, NUM_LANDMARKS, 3), np.nan, np.float32),
            timestamps_s=t,
            width=width,
            height=height,
            fps=fps,
            source=source,
            model_variant=model_variant,
            num_people=np.zeros(n, np.int16),
        )


# ------------------------------------------------------------------ file I/O
def save_track(track: PoseTrack, path: str | os.PathLike[str]) -> Path:
    """Write ``track`` to ``path`` (.npz, compressed); returns the path written.

    The file is written to a temporary name first and renamed into place, so an
    interrupted save never leaves a half-written track under the final name.
    """
    out = Path(path)
    if out.suffix != ".npz":
        out = out.with_suffix(out.suffix + ".npz") if out.suffix else out.with_suffix(".npz")
    # a short temporary name: ``out.name + ".partial"`` breaks names near the 255-byte limit
    fd, name = tempfile.mkstemp(prefix=".formcheck-", suffix=".npz.partial", dir=out.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(
                fh,
                format_version=np.array(FORMAT_VERSION, dtype=np.int64),
                landmarks=track.landmarks,
                visibility=track.visibility,
                presence=track.presence,
                world=track.world,
                timestamps_s=track.timestamps_s,
                num_people=track.num_people,
                frame_size=np.array([track.width, track.height], dtype=np.int64),
                fps=np.array(track.fps, dtype=np.float64),
                source=np.array(track.source[:_MAX_NAME], dtype=np.str_),
                model_variant=np.array(track.model_variant, dtype=np.str_),
                camera=track.camera,
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)  # left only if writing failed
    return out


def load_track(path: str | os.PathLike[str]) -> PoseTrack:
    """Read a track written by ``save_track``.

    Raises:
        TrackFormatError: the file is missing, not an .npz, holds pickled
            objects, lacks a field, has a wrong shape or dtype, or was written
            by a newer format version. The message names the file and the
            problem.
    """
    p = Path(path)
    if not p.is_file():
        raise TrackFormatError(
            f"track file not found: {p}. Create one with `formcheck track VIDEO -o {p.name}`."
        )
    try:
        with p.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise TrackFormatError(f"{p} cannot be read: {exc}") from exc
    if magic != b"PK\x03\x04":  # every .npz is a zip; anything else is not a track
        raise TrackFormatError(
            f"{p} is not a formcheck track (.npz). Make one with `formcheck track VIDEO -o "
            "track.npz`, or give the video itself without --track."
        )
    try:
        with np.load(p, allow_pickle=False) as data:
            fields = {k: data[k] for k in data.files}
    except ValueError as exc:  # object arrays refuse to load without pickle
        raise TrackFormatError(
            f"{p} holds pickled Python objects; formcheck never loads those (they can run code). "
            "Re-create the track with `formcheck track`."
        ) from exc
    except (OSError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise TrackFormatError(f"{p} is not a formcheck track (.npz): {exc}") from exc
    except Exception as exc:  # numpy raises assorted errors on corrupt members
        raise TrackFormatError(f"{p} is damaged and cannot be read: {exc}") from exc
    return _track_from_fields(p, fields)


def _track_from_fields(p: Path, fields: dict[str, npt.NDArray[Any]]) -> PoseTrack:
    for key, value in fields.items():  # NpzFile hands back raw bytes for a non-.npy member
        if not isinstance(value, np.ndarray):
            raise TrackFormatError(f"{p}: member {key!r} is not an array; the file is damaged")
    required = (*_ARRAY_FIELDS, "format_version", "frame_size", "fps", "source", "model_variant")
    missing = [k for k in required if k not in fields]
    if missing:
        raise TrackFormatError(f"{p} is not a formcheck track: missing {missing}")
    try:
        version = int(fields["format_version"])
    except (TypeError, ValueError) as exc:
        raise TrackFormatError(f"{p}: format_version is not a number") from exc
    if version > FORMAT_VERSION or version < 1:
        raise TrackFormatError(
            f"{p} has track format version {version}; this formcheck reads version "
            f"{FORMAT_VERSION}. Upgrade formcheck or re-create the track."
        )
    for key in ("landmarks", "visibility", "presence", "world", "timestamps_s", "fps"):
        if fields[key].dtype.kind != "f":
            raise TrackFormatError(
                f"{p}: field {key!r} must be floating point, got {fields[key].dtype}"
            )
    if "camera" in fields and fields["camera"].dtype.kind != "f":
        raise TrackFormatError(
            f"{p}: field 'camera' must be floating point, got {fields['camera'].dtype}"
        )
    for key in ("num_people", "frame_size"):
        if fields[key].dtype.kind not in "iu":
            raise TrackFormatError(f"{p}: field {key!r} must be integer, got {fields[key].dtype}")
    for key in ("source", "model_variant"):
        if fields[key].dtype.kind != "U" or fields[key].ndim != 0:
            raise TrackFormatError(f"{p}: field {key!r} must be a text scalar")
    size = fields["frame_size"]
    if size.shape != (2,):
        raise TrackFormatError(f"{p}: frame_size must hold (width, height), got shape {size.shape}")
    if fields["fps"].ndim != 0:
        raise TrackFormatError(f"{p}: fps must be a scalar")
    try:
        return PoseTrack(
            landmarks=fields["landmarks"],
            visibility=fields["visibility"],
            presence=fields["presence"],
            world=fields["world"],
            timestamps_s=fields["timestamps_s"],
            width=int(size[0]),
            height=int(size[1]),
            fps=float(fields["fps"]),
            source=str(fields["source"])[:_MAX_NAME],
            model_variant=str(fields["model_variant"]),
            num_people=fields["num_people"],
            camera=fields.get("camera", np.zeros((0, 2, 3))),
        )
    except (ValueError, TypeError, OverflowError) as exc:
        raise TrackFormatError(f"{p} is not a valid formcheck track: {exc}") from exc
