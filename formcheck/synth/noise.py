"""MediaPipe-like corruption of clean landmarks, deterministic from a seed.

All displacements are applied to 3D points in camera coordinates (metres) and
are sized as fractions of the person's standing height H, so in the image a
jitter of ``jitter`` means a standard deviation of ``jitter * (person's height
in pixels)`` per image axis, whatever the resolution or distance. (Depth, the
camera z, gets 3x the in-plane noise: monocular depth is poorly observed.)

Episodes (visibility drops, far-foot errors, label swaps, missing-frame runs)
are Poisson processes: starts uniform over the clip at the given rate per
second, durations exponential with the given mean (at least one frame).

Why these kinds of error: MediaPipe publishes no accuracy for the heel and
foot_index landmarks; users report jitter that is worst at the feet, the
occluded (far) leg's heel and toe snapping onto the wrong place, left/right
labels flipping in side views, and frames without a detection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from formcheck.landmarks import NUM_LANDMARKS, Landmark

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

FOOT_PARTS = ("ANKLE", "HEEL", "FOOT_INDEX")
LEG_PARTS = ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")
ARM_PARTS = ("SHOULDER", "ELBOW", "WRIST", "PINKY", "INDEX", "THUMB")
FOOT_IDX = np.array([int(Landmark[f"{s}_{p}"]) for s in ("LEFT", "RIGHT") for p in FOOT_PARTS])


def _idx(side: str, parts: tuple[str, ...]) -> list[int]:
    return [int(Landmark[f"{side}_{p}"]) for p in parts]


@dataclass(frozen=True)
class NoiseSpec:
    """How badly the synthetic pose tracker behaves.

    Attributes:
        jitter: white noise per frame, standard deviation per image axis as a
            fraction of the person's height (0.0025 = 0.25% of H: 0.44 cm for
            1.75 m, ~1.2 px for a 480 px tall person).
        foot_jitter_scale: multiplier of ``jitter`` and ``drift`` for the
            ankle, heel and foot_index landmarks.
        drift: slow wobble (AR(1), time constant ``drift_tau_s``), standard
            deviation as a fraction of height, added to the white jitter.
        drift_tau_s: correlation time of the wobble, s.
        visibility_drop_rate_hz / visibility_drop_mean_s: episodes in which
            one limb (far leg 50%, near leg 20%, an arm 30%) is reported with
            visibility 0.05-0.35 and 3x jitter.
        far_foot_error_rate_hz / far_foot_error_mean_s: episodes in which the
            far leg's heel and foot_index are misplaced, either pulled
            50-100% of the way onto the near foot's points or slid along the
            foot by ``far_foot_error_frac`` of the foot length; their
            visibility stays 0.5-0.75 (the model is wrongly confident).
        swap_rate_hz / swap_mean_s: episodes in which the left and right leg
            labels (hip, knee, ankle, heel, foot_index) are exchanged.
        missing_fraction: expected fraction of frames with no detection (NaN
            rows), in runs of mean length ``missing_run_frames``.
        visibility_noise: standard deviation of noise on visibility values.
    """

    jitter: float = 0.0
    foot_jitter_scale: float = 1.0
    drift: float = 0.0
    drift_tau_s: float = 0.5
    visibility_drop_rate_hz: float = 0.0
    visibility_drop_mean_s: float = 0.3
    far_foot_error_rate_hz: float = 0.0
    far_foot_error_mean_s: float = 0.4
    far_foot_error_frac: float = 0.3
    swap_rate_hz: float = 0.0
    swap_mean_s: float = 0.3
    missing_fraction: float = 0.0
    missing_run_frames: float = 3.0
    visibility_noise: float = 0.0
    name: str = field(default="custom", compare=False)

    def __post_init__(self) -> None:
        for k in (
            "jitter",
            "foot_jitter_scale",
            "drift",
            "visibility_drop_rate_hz",
            "far_foot_error_rate_hz",
            "swap_rate_hz",
            "visibility_noise",
            "far_foot_error_frac",
        ):
            if getattr(self, k) < 0:
                raise ValueError(f"NoiseSpec.{k} must be >= 0, got {getattr(self, k)}")
        if not 0 <= self.missing_fraction < 1:
            raise ValueError(f"missing_fraction must be in [0, 1), got {self.missing_fraction}")
        for k in ("drift_tau_s", "visibility_drop_mean_s", "far_foot_error_mean_s", "swap_mean_s"):
            if getattr(self, k) <= 0:
                raise ValueError(f"NoiseSpec.{k} must be > 0")
        if self.missing_run_frames < 1:
            raise ValueError("missing_run_frames must be >= 1")

    @classmethod
    def none(cls) -> NoiseSpec:
        """Perfect landmarks (visibility from occlusion geometry only)."""
        return cls(name="none")

    @classmethod
    def low(cls) -> NoiseSpec:
        """A good tracker on a clean, well-lit clip: small jitter, nothing else."""
        return cls(jitter=0.001, foot_jitter_scale=1.5, visibility_noise=0.01, name="low")

    @classmethod
    def realistic(cls) -> NoiseSpec:
        """What MediaPipe full typically does on a phone clip of a person ~2/3 of the frame."""
        return cls(
            jitter=0.0025,
            foot_jitter_scale=2.0,
            drift=0.0015,
            drift_tau_s=0.5,
            visibility_drop_rate_hz=0.1,
            visibility_drop_mean_s=0.3,
            far_foot_error_rate_hz=0.1,
            far_foot_error_mean_s=0.4,
            far_foot_error_frac=0.3,
            swap_rate_hz=0.05,
            swap_mean_s=0.3,
            missing_fraction=0.01,
            missing_run_frames=3.0,
            visibility_noise=0.03,
            name="realistic",
        )

    @classmethod
    def heavy(cls) -> NoiseSpec:
        """A hard clip: small person, dim light, baggy clothes."""
        return cls(
            jitter=0.006,
            foot_jitter_scale=2.5,
            drift=0.003,
            drift_tau_s=0.5,
            visibility_drop_rate_hz=0.3,
            visibility_drop_mean_s=0.4,
            far_foot_error_rate_hz=0.3,
            far_foot_error_mean_s=0.6,
            far_foot_error_frac=0.5,
            swap_rate_hz=0.15,
            swap_mean_s=0.5,
            missing_fraction=0.05,
            missing_run_frames=5.0,
            visibility_noise=0.06,
            name="heavy",
        )

    @classmethod
    def preset(cls, name: str) -> NoiseSpec:
        """Preset by name ("none", "low", "realistic", "heavy")."""
        presets = {"none": cls.none, "low": cls.low, "realistic": cls.realistic, "heavy": cls.heavy}
        if name not in presets:
            raise ValueError(f"unknown noise preset {name!r}; expected one of {list(presets)}")
        return presets[name]()


@dataclass(frozen=True, eq=False)
class Corruption:
    """What the noise did, per frame (for tests of conditioning code).

    Attributes:
        cam: (T, 33, 3) corrupted points, camera coordinates, metres (labels
            already swapped where ``swapped``).
        visibility: (T, 33) reported visibility.
        swapped: (T,) bool, left/right leg labels exchanged.
        far_foot_error: (T,) bool, far heel/foot_index misplaced.
        visibility_drop: (T, 33) bool, landmark in a visibility-drop episode.
        missing: (T,) bool, no detection (NaN row).
    """

    cam: FloatArray
    visibility: FloatArray
    swapped: BoolArray
    far_foot_error: BoolArray
    visibility_drop: npt.NDArray[np.bool_]
    missing: BoolArray


def _episodes(
    rng: np.random.Generator, n: int, fps: float, rate_hz: float, mean_s: float
) -> list[tuple[int, int]]:
    """Poisson episodes as (start, stop) frame ranges."""
    if rate_hz <= 0 or n == 0:
        return []
    count = rng.poisson(rate_hz * n / fps)
    starts = rng.integers(0, n, size=count)
    lengths = np.maximum(1, np.round(rng.exponential(mean_s * fps, size=count))).astype(int)
    return [(int(a), int(min(n, a + k))) for a, k in zip(starts, lengths, strict=True)]


def corrupt(
    clean_cam: FloatArray,
    base_visibility: FloatArray,
    spec: NoiseSpec,
    *,
    height_m: float,
    foot_length_m: float,
    fps: float,
    rng: np.random.Generator,
) -> Corruption:
    """Apply ``spec`` to clean camera-frame points (T, 33, 3) and visibilities (T, 33)."""
    n = clean_cam.shape[0]
    cam = clean_cam.copy()
    vis = base_visibility.copy()
    scale = np.ones(NUM_LANDMARKS)
    scale[FOOT_IDX] = spec.foot_jitter_scale
    axis = np.array([1.0, 1.0, 3.0])
    sigma = height_m * scale[None, :, None] * axis[None, None, :]
    # every draw is made whatever the spec, so changing one rate does not reshuffle the rest
    white = rng.standard_normal((n, NUM_LANDMARKS, 3))
    innov = rng.standard_normal((n, NUM_LANDMARKS, 3))
    a = float(np.exp(-1.0 / (max(spec.drift_tau_s, 1e-9) * fps)))
    drift = np.zeros_like(innov)
    if n:
        drift[0] = innov[0]
        for i in range(1, n):
            drift[i] = a * drift[i - 1] + np.sqrt(1 - a * a) * innov[i]
    extra = np.ones((n, NUM_LANDMARKS))
    # visibility drops
    drop = np.zeros((n, NUM_LANDMARKS), bool)
    depth_l = clean_cam[:, int(Landmark.LEFT_ANKLE), 2]
    depth_r = clean_cam[:, int(Landmark.RIGHT_ANKLE), 2]
    far_is_left = depth_l > depth_r
    for a0, a1 in _episodes(rng, n, fps, spec.visibility_drop_rate_hz, spec.visibility_drop_mean_s):
        u = rng.random()
        far_left = bool(far_is_left[a0])
        if u < 0.5:
            idx = _idx("LEFT" if far_left else "RIGHT", LEG_PARTS)
        elif u < 0.7:
            idx = _idx("RIGHT" if far_left else "LEFT", LEG_PARTS)
        else:
            idx = _idx("LEFT" if rng.random() < 0.5 else "RIGHT", ARM_PARTS)
        drop[a0:a1, idx] = True
        vis[a0:a1, idx] = rng.uniform(0.05, 0.35, size=(a1 - a0, len(idx)))
        extra[a0:a1, idx] = 3.0
    cam += (spec.jitter * white + spec.drift * drift) * sigma * extra[:, :, None]
    # far-foot errors
    ffe = np.zeros(n, bool)
    for a0, a1 in _episodes(rng, n, fps, spec.far_foot_error_rate_hz, spec.far_foot_error_mean_s):
        mode_pull = rng.random() < 0.5
        frac = rng.uniform(0.5, 1.0)
        slide = spec.far_foot_error_frac * foot_length_m * (1.0 if rng.random() < 0.5 else -1.0)
        for i in range(a0, a1):
            far, near = ("LEFT", "RIGHT") if far_is_left[i] else ("RIGHT", "LEFT")
            fh, ft = int(Landmark[f"{far}_HEEL"]), int(Landmark[f"{far}_FOOT_INDEX"])
            nh, nt = int(Landmark[f"{near}_HEEL"]), int(Landmark[f"{near}_FOOT_INDEX"])
            if mode_pull:
                cam[i, fh] += frac * (cam[i, nh] - cam[i, fh])
                cam[i, ft] += frac * (cam[i, nt] - cam[i, ft])
            else:
                along = clean_cam[i, ft] - clean_cam[i, fh]
                along /= max(float(np.linalg.norm(along)), 1e-9)
                cam[i, fh] += slide * along
                cam[i, ft] += slide * along
            vis[i, [fh, ft]] = rng.uniform(0.5, 0.75, size=2)
        ffe[a0:a1] = True
    if spec.visibility_noise > 0:
        vis = vis + spec.visibility_noise * rng.standard_normal(vis.shape)
    vis = np.clip(vis, 0.0, 1.0)
    # label swaps (legs)
    swapped = np.zeros(n, bool)
    for a0, a1 in _episodes(rng, n, fps, spec.swap_rate_hz, spec.swap_mean_s):
        swapped[a0:a1] = True
    left = _idx("LEFT", LEG_PARTS)
    right = _idx("RIGHT", LEG_PARTS)
    perm = np.arange(NUM_LANDMARKS)
    perm[left], perm[right] = right, left
    cam[swapped] = cam[swapped][:, perm]
    vis[swapped] = vis[swapped][:, perm]
    # missing frames
    missing = np.zeros(n, bool)
    if spec.missing_fraction > 0 and n:
        runs = rng.poisson(spec.missing_fraction * n / spec.missing_run_frames)
        starts = rng.integers(0, n, size=runs)
        lengths = rng.geometric(1.0 / spec.missing_run_frames, size=runs)
        for s0, k in zip(starts, lengths, strict=True):
            missing[s0 : s0 + k] = True
    return Corruption(
        cam=cam,
        visibility=vis,
        swapped=swapped,
        far_foot_error=ffe,
        visibility_drop=drop,
        missing=missing,
    )
