"""Camera view and framing checks, from landmark geometry alone.

View (per frame, then a majority over the clip):

The person's **yaw** to the camera (0 = facing or back to the camera, 90 =
profile) is estimated each frame from two independent cues, each applied to
the shoulders and to the hips, and the median is taken:

1. *Projected widths.* Seen from the front, the shoulder landmarks are about
   0.76 torso lengths apart (biacromial breadth ~0.22 H in adult surveys,
   e.g. ANSUR II 2012; shoulder-to-hip-joint 0.288 H, Winter 2009 Fig. 4.1) and
   the hip landmarks about 0.42 (joint centres ~0.105 H apart, MediaPipe
   places its hip points somewhat wider, ~0.12 H). Turning by yaw shrinks both
   by cos(yaw), the torso length does not change, so
   ``yaw = arccos(width / (reference * torso))``.
2. *Depth differences* of the same pairs in the metric ``world`` landmarks:
   ``yaw = atan2(|dz|, |dx|)``.

MediaPipe's normalised image ``z`` is *not* used: MediaPipe documents it only
as "roughly" on the x scale, and on real clips it read 15-30 deg more side-on
than both cues above on every clip with a turned body.

Classes: ``front``/``back`` for yaw < 30 deg, ``side`` for yaw > 60 deg,
``oblique`` between (equal thirds of the quarter turn). ``front`` and ``back``
are told apart by the order of the labelled shoulders and hips in the image
(the person's left appears on the image's right when they face the camera),
with the nose nearer the camera than the ears (``z``) as a second vote.

Facing (image direction the person faces, side/oblique only) comes from the
toes being in front of the heels and the nose in front of the ears
(``formcheck.angles.infer_facing``). The **nearer leg** follows from the
facing: a person facing image-right turns their right side to the camera (for
a non-mirrored video), whether seen front-, side- or rear-oblique; when the
facing is unknown the depth cue (smaller z = nearer) decides.

Per-frame labels are smoothed with a 1 s majority window; runs shorter than
1 s are merged into their neighbours. A lasting turn (facing flips, front and
rear swap, or the median yaw moves by more than 30 deg between segments) is
reported as a ``view_changed`` issue; flicker across a class boundary is not.
"""

from __future__ import annotations

import itertools
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from formcheck.angles import infer_facing
from formcheck.landmarks import Landmark
from formcheck.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

VIEWS = ("side", "front", "back", "oblique")
SHOULDER_WIDTH_PER_TORSO = 0.76
"""Front-view shoulder-landmark spacing / torso length (0.22 H / 0.288 H; see module doc)."""
HIP_WIDTH_PER_TORSO = 0.42
"""Front-view hip-landmark spacing / torso length (~0.12 H / 0.288 H; see module doc)."""
FRONT_MAX_YAW_DEG = 30.0
"""Yaw below which a view counts as front/back (a third of a quarter turn)."""
SIDE_MIN_YAW_DEG = 60.0
"""Yaw above which a view counts as side (two thirds of a quarter turn)."""
SMOOTH_WINDOW_S = 1.0
"""Majority-vote window and the shortest view segment reported (seconds)."""

MIN_DETECTED_FRACTION_WARN = 0.8
"""Fewer frames with a person than this (0..1) earns a warning."""
MIN_DETECTED_FRACTION_ERROR = 0.5
"""... and fewer than this an error: half the clip has nothing to measure."""
OUT_OF_FRAME_WARN = 0.1
"""Fraction of frames with feet/head out of frame that earns a warning (judgement:
a few frames are bridged by interpolation, a tenth of the clip is not)."""
OUT_OF_FRAME_ERROR = 0.5
"""... and an error for the feet (the drills measure the feet)."""
MIN_PERSON_PX = 350.0
"""Smallest person height in pixels: below it one pixel is more than 0.5 cm for a
175 cm adult, the accuracy a heel-rise needs (SEM of heel-rise height 0.8 cm)."""
MIN_PERSON_FRACTION = 0.25
"""Smallest person height as a fraction of the frame height: the pose detector
sees the frame shrunk to ~224 px, so a quarter-frame person is ~55 px there."""
MULTI_PERSON_WARN = 0.05
"""Fraction of frames with two or more people that earns a warning."""
EDGE_MARGIN = 0.0
"""Normalised coordinates outside [-margin, 1 + margin] count as out of frame."""
MIN_PRESENCE = 0.5
"""Landmark presence (in-frame confidence) below this counts as out of frame."""


@dataclass(frozen=True)
class QualityIssue:
    """A problem with the recording, with the sentence the user needs.

    Attributes:
        code: stable identifier (e.g. "feet_out_of_frame").
        severity: "info", "warning" or "error".
        message: what is wrong and what to do, for the person filming.
    """

    code: str
    severity: str
    message: str

    def __post_init__(self) -> None:
        if self.severity not in ("info", "warning", "error"):
            raise ValueError(
                f"unknown severity {self.severity!r}; expected one of ['info', 'warning', 'error']"
            )


@dataclass(frozen=True)
class ViewSegment:
    """A stretch of the clip with one view: times in seconds (end exclusive).

    ``oblique`` is "front" (front-oblique) or "rear" for oblique segments, else None.
    """

    start_s: float
    end_s: float
    view: str
    facing: str | None
    oblique: str | None = None
    yaw_deg: float = float("nan")
    toward: str | None = None
    """Majority "front" (facing the camera) or "rear" over the segment, any view."""

    def describe(self) -> str:
        """E.g. "rear-oblique facing left 9.5-16.0 s"."""
        view = f"{self.oblique}-oblique" if self.oblique else self.view
        facing = f" facing {self.facing}" if self.facing else ""
        return f"{view}{facing} {self.start_s:.1f}-{self.end_s:.1f} s"


@dataclass(frozen=True, eq=False)
class ViewResult:
    """Camera view of a clip.

    Attributes:
        view: majority view: "side", "front", "back", "oblique" or "unknown".
        facing: image direction the person faces ("left"/"right"), None for
            front/back/unknown.
        near_side: the person's side nearer the camera ("left"/"right"), None
            for front/back/unknown.
        confidence: fraction (0..1) of frames with a person whose (smoothed)
            view equals ``view``.
        per_frame: (T,) str array of per-frame views ("unknown" without a person).
        yaw_deg: (T,) estimated yaw to the camera (0 front/back, 90 profile), NaN unknown.
        segments: the clip split into runs of one view and facing.
    """

    view: str
    facing: str | None
    near_side: str | None
    confidence: float
    per_frame: npt.NDArray[np.str_]
    yaw_deg: FloatArray = field(default_factory=lambda: np.zeros(0))
    segments: tuple[ViewSegment, ...] = ()

    @property
    def changed(self) -> bool:
        """True when the view or facing changes during the clip."""
        return any(_is_turn(a, b) for a, b in itertools.pairwise(self.segments))

    @property
    def turns_s(self) -> tuple[float, ...]:
        """Times (s) of the lasting turns: where a segment ends and the next, turned, starts."""
        return tuple(a.end_s for a, b in itertools.pairwise(self.segments) if _is_turn(a, b))


TURN_MIN_YAW_DEG = 30.0
"""A change of median yaw between segments that counts as turning (one class width)."""


def _is_turn(a: ViewSegment, b: ViewSegment) -> bool:
    """True when two consecutive segments differ by a real turn, not a flicker at a
    class boundary: facing flips, front/rear flips, or the yaw moves > 30 deg."""
    if a.facing and b.facing and a.facing != b.facing:
        return True
    fr = {"front": "front", "back": "rear", "side": None}
    oa = a.oblique or fr.get(a.view)
    ob = b.oblique or fr.get(b.view)
    if oa and ob and oa != ob:
        return True
    # front/rear from the shoulder order is only meaningful away from pure profile
    turned = max(a.yaw_deg, b.yaw_deg) < 90.0 - FRONT_MAX_YAW_DEG / 2
    if turned and a.toward and b.toward and a.toward != b.toward:
        return True
    return bool(abs(a.yaw_deg - b.yaw_deg) > TURN_MIN_YAW_DEG)


# ------------------------------------------------------------------ yaw cues
def _pair(track: PoseTrack, a: Landmark, b: Landmark) -> tuple[FloatArray, FloatArray]:
    """Pixel vector a->b (T, 2) and world vector a->b (T, 3)."""
    px = track.pixels.astype(np.float64)
    d = px[:, int(b)] - px[:, int(a)]
    dw = (track.world[:, int(b)] - track.world[:, int(a)]).astype(np.float64)
    return d, dw


def estimate_yaw(track: PoseTrack) -> FloatArray:
    """(T,) yaw to the camera in degrees (0 = front/back, 90 = profile), NaN unknown.

    The median of the width-ratio and world-depth cues (module doc).
    """
    px = track.pixels.astype(np.float64)
    sh_mid = 0.5 * (px[:, Landmark.LEFT_SHOULDER] + px[:, Landmark.RIGHT_SHOULDER])
    hip_mid = 0.5 * (px[:, Landmark.LEFT_HIP] + px[:, Landmark.RIGHT_HIP])
    torso = np.linalg.norm(sh_mid - hip_mid, axis=1)
    torso = np.where(torso > 0, torso, np.nan)
    # a landmark outside the picture is a guess: its cues do not count
    shoulders_in = ~_out_of_frame(track, (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER))
    hips_in = ~_out_of_frame(track, (Landmark.LEFT_HIP, Landmark.RIGHT_HIP))
    torso = np.where(shoulders_in & hips_in, torso, np.nan)
    cues: list[FloatArray] = []
    for (a, b), ref in (
        ((Landmark.RIGHT_SHOULDER, Landmark.LEFT_SHOULDER), SHOULDER_WIDTH_PER_TORSO),
        ((Landmark.RIGHT_HIP, Landmark.LEFT_HIP), HIP_WIDTH_PER_TORSO),
    ):
        d, dw = _pair(track, a, b)
        width = np.linalg.norm(d, axis=1)
        cues.append(np.degrees(np.arccos(np.clip(width / (ref * torso), 0.0, 1.0))))
        pair_in = shoulders_in if a == Landmark.RIGHT_SHOULDER else hips_in
        with np.errstate(invalid="ignore"):
            depth = np.degrees(np.arctan2(np.abs(dw[:, 2]), np.abs(dw[:, 0])))
        cues.append(np.where(pair_in, depth, np.nan))
    stack = np.stack(cues, axis=1)
    out = np.full(len(track), np.nan)
    ok = np.isfinite(stack).any(axis=1)
    if ok.any():
        out[ok] = np.nanmedian(stack[ok], axis=1)
    return out


def _faces_camera(track: PoseTrack) -> FloatArray:
    """(T,) +1 facing the camera, -1 back to it, NaN unknown (see module doc)."""
    px = track.pixels.astype(np.float64)
    vote = np.zeros(len(track))
    n = np.zeros(len(track))
    for a, b in (
        (Landmark.RIGHT_SHOULDER, Landmark.LEFT_SHOULDER),
        (Landmark.RIGHT_HIP, Landmark.LEFT_HIP),
    ):
        dx = px[:, int(b), 0] - px[:, int(a), 0]
        ok = np.isfinite(dx)
        vote[ok] += np.sign(dx[ok])
        n += ok
    lm = track.landmarks.astype(np.float64)
    ears_z = 0.5 * (lm[:, Landmark.LEFT_EAR, 2] + lm[:, Landmark.RIGHT_EAR, 2])
    dz = ears_z - lm[:, Landmark.NOSE, 2]  # > 0: nose nearer than the ears
    ok = np.isfinite(dz) & (dz != 0)
    vote[ok] += np.sign(dz[ok])
    n += ok
    out = np.sign(vote)
    out[(n == 0) | (out == 0)] = np.nan
    return out


# ------------------------------------------------------------- smoothing
def _majority_smooth(labels: list[str], times: FloatArray, window_s: float) -> list[str]:
    """Replace each known label by the most common known label within +-window/2."""
    n = len(labels)
    out = list(labels)
    lo = 0
    hi = 0
    counts: Counter[str] = Counter()
    for i in range(n):
        while hi < n and times[hi] <= times[i] + window_s / 2:
            if labels[hi] != "unknown":
                counts[labels[hi]] += 1
            hi += 1
        while times[lo] < times[i] - window_s / 2:
            if labels[lo] != "unknown":
                counts[labels[lo]] -= 1
            lo += 1
        if labels[i] != "unknown":
            best = max(counts.items(), key=lambda kv: (kv[1], kv[0] == labels[i]))
            out[i] = best[0]
    return out


def _segments(labels: list[str], times: FloatArray, min_s: float) -> list[tuple[int, int, str]]:
    """Runs of equal known labels; runs shorter than ``min_s`` merge into the previous run."""
    runs: list[tuple[int, int, str]] = []
    for i, lab in enumerate(labels):
        if lab == "unknown":
            continue
        if runs and runs[-1][2] == lab:
            runs[-1] = (runs[-1][0], i + 1, lab)
        else:
            runs.append((i, i + 1, lab))
    merged: list[tuple[int, int, str]] = []
    for a, b, lab in runs:
        dur = times[b - 1] - times[a]
        if merged and (dur < min_s or merged[-1][2] == lab):
            pa, _, plab = merged[-1]
            merged[-1] = (pa, b, plab)
        else:
            merged.append((a, b, lab))
    # a short first run joins the next one
    if len(merged) > 1 and times[merged[0][1] - 1] - times[merged[0][0]] < min_s:
        a, _, _ = merged[0]
        _, b, lab = merged[1]
        merged[:2] = [(a, b, lab)]
    return merged


# -------------------------------------------------------------- the view
def classify_view(track: PoseTrack) -> ViewResult:
    """Classify the camera view of ``track`` (see module doc for the method)."""
    n = len(track)
    yaw = estimate_yaw(track) if n else np.zeros(0)
    toward = _faces_camera(track) if n else np.zeros(0)
    facing_sign = infer_facing(track) if n else np.zeros(0)
    per: list[str] = []
    for i in range(n):
        y = yaw[i]
        if not np.isfinite(y):
            per.append("unknown")
        elif y > SIDE_MIN_YAW_DEG:
            per.append("side")
        elif y >= FRONT_MAX_YAW_DEG:
            per.append("oblique")
        else:
            per.append("back" if toward[i] < 0 else "front")
    times = track.timestamps_s
    smooth = _majority_smooth(per, times, SMOOTH_WINDOW_S) if n else []
    # facing per frame for side/oblique (front/back have no left/right facing)
    fac: list[str] = []
    for i in range(n):
        if smooth[i] in ("side", "oblique") and np.isfinite(facing_sign[i]):
            fac.append("right" if facing_sign[i] > 0 else "left")
        else:
            fac.append("unknown")
    fac_smooth = _majority_smooth(fac, times, SMOOTH_WINDOW_S) if n else []
    # oblique frames are told apart as front-oblique / rear-oblique for the segments
    tow = ["unknown" if not np.isfinite(x) else ("front" if x > 0 else "rear") for x in toward]
    tow_smooth = _majority_smooth(tow, times, SMOOTH_WINDOW_S) if n else []
    combined = [
        "unknown"
        if v == "unknown"
        else f"{v}|{f if v in ('side', 'oblique') else '-'}|{o if v == 'oblique' else '-'}"
        for v, f, o in zip(smooth, fac_smooth, tow_smooth, strict=True)
    ]
    segs = _segments(combined, times, SMOOTH_WINDOW_S) if n else []
    segments = tuple(
        ViewSegment(
            start_s=float(times[a]),
            end_s=float(times[b - 1] + 1.0 / track.fps),
            view=lab.split("|")[0],
            facing=None if lab.split("|")[1] in ("-", "unknown") else lab.split("|")[1],
            oblique=None if lab.split("|")[2] in ("-", "unknown") else lab.split("|")[2],
            yaw_deg=_nanmedian(yaw[a:b]),
            toward=_majority(toward[a:b]),
        )
        for a, b, lab in segs
    )
    known = [v for v in smooth if v != "unknown"]
    if not known:
        return ViewResult(
            "unknown", None, None, 0.0, np.array(smooth or [], dtype=np.str_), yaw, segments
        )
    view, count = Counter(known).most_common(1)[0]
    confidence = count / len(known)
    facing: str | None = None
    near: str | None = None
    if view in ("side", "oblique"):
        fac_known = [
            f for v, f in zip(smooth, fac_smooth, strict=True) if v == view and f != "unknown"
        ]
        if fac_known:
            facing = Counter(fac_known).most_common(1)[0][0]
            near = facing  # facing image-right turns the right side to the camera
        else:
            near = _near_by_depth(track)
    return ViewResult(
        view=view,
        facing=facing,
        near_side=near,
        confidence=float(confidence),
        per_frame=np.array(smooth, dtype=np.str_),
        yaw_deg=yaw,
        segments=segments,
    )


def _majority(sign: FloatArray) -> str | None:
    ok = np.isfinite(sign)
    if not ok.any():
        return None
    m = float(np.mean(sign[ok]))
    return "front" if m > 0 else "rear" if m < 0 else None


def _nanmedian(x: FloatArray) -> float:
    return float(np.nanmedian(x)) if np.isfinite(x).any() else float("nan")


def _near_by_depth(track: PoseTrack) -> str | None:
    """Side whose hip/knee/ankle have the smaller median z (nearer), or None."""
    z = track.landmarks[:, :, 2].astype(np.float64)
    left = [Landmark.LEFT_HIP, Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE, Landmark.LEFT_SHOULDER]
    right = [Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE, Landmark.RIGHT_SHOULDER]
    d = z[:, [int(m) for m in left]] - z[:, [int(m) for m in right]]
    if not np.isfinite(d).any():
        return None
    med = float(np.nanmedian(d))
    if med == 0:
        return None
    return "left" if med < 0 else "right"


# -------------------------------------------------------------- view check
_VIEW_ADVICE: dict[str, str] = {
    "side": "turn side-on to the camera, so it sees you in profile with the leg you test nearer to it",
    "front": "face the camera squarely",
    "back": "turn your back to the camera",
    "oblique": "turn about half-way (45 degrees) to the camera",
}


def _describe(view: str) -> str:
    return {
        "oblique": "an angled (oblique)",
        "side": "a side",
        "front": "a front",
        "back": "a back",
    }.get(view, "an unclear")


def view_issues(result: ViewResult, accepted: frozenset[str]) -> list[QualityIssue]:
    """Every view problem: wrong view for the drill, view changing during the clip."""
    issues: list[QualityIssue] = []
    if result.view == "unknown":
        issues.append(
            QualityIssue(
                "view_unknown",
                "warning",
                "formcheck could not tell the camera angle: make sure your whole body is in "
                "the picture and "
                + " or ".join(_VIEW_ADVICE[v] for v in sorted(accepted) if v in _VIEW_ADVICE),
            )
        )
    elif result.view not in accepted:
        advice = " or ".join(_VIEW_ADVICE[v] for v in sorted(accepted) if v in _VIEW_ADVICE)
        far = result.view in ("front", "back") and "side" in accepted and "oblique" not in accepted
        issues.append(
            QualityIssue(
                "wrong_view",
                "error" if far else "warning",
                f"this drill is measured from {' or '.join(sorted(accepted))} view, but the video "
                f"shows {_describe(result.view)} view: {advice}",
            )
        )
    if result.changed:
        parts = ", ".join(s.describe() for s in result.segments)
        issues.append(
            QualityIssue(
                "view_changed",
                "warning",
                f"you turned during the clip ({parts}): stay at the same angle to the camera "
                "for the whole set",
            )
        )
    return issues


def check_view(result: ViewResult, accepted: frozenset[str]) -> QualityIssue | None:
    """The most important view problem for a drill accepting ``accepted`` views, or None."""
    issues = view_issues(result, accepted)
    return issues[0] if issues else None


# ------------------------------------------------------------ framing checks
_FEET = (
    Landmark.LEFT_HEEL,
    Landmark.RIGHT_HEEL,
    Landmark.LEFT_FOOT_INDEX,
    Landmark.RIGHT_FOOT_INDEX,
)
_HEAD = (
    Landmark.NOSE,
    Landmark.LEFT_EYE,
    Landmark.RIGHT_EYE,
    Landmark.LEFT_EAR,
    Landmark.RIGHT_EAR,
)


def _out_of_frame(track: PoseTrack, marks: tuple[Landmark, ...]) -> npt.NDArray[np.bool_]:
    """(T,) True where any of ``marks`` is outside the picture (frames with a person)."""
    idx = [int(m) for m in marks]
    xy = track.landmarks[:, idx, :2].astype(np.float64)
    pres = track.presence[:, idx].astype(np.float64)
    with np.errstate(invalid="ignore"):
        outside = (xy < -EDGE_MARGIN) | (xy > 1.0 + EDGE_MARGIN)
        out = outside.any(axis=2) | (pres < MIN_PRESENCE)
    return np.asarray(out.any(axis=1))


def person_height_px(track: PoseTrack) -> FloatArray:
    """(T,) rough head-to-foot extent of the person in pixels (NaN without a person).

    Eye level to the lowest foot landmark, divided by 0.92 (eye 0.936 H minus
    heel landmark ~0.012 H; Winter 2009 Fig. 4.1), so it approximates stature.
    """
    px = track.pixels.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames give NaN
        eyes = np.nanmean(px[:, [Landmark.LEFT_EYE, Landmark.RIGHT_EYE], 1], axis=1)
        feet = np.nanmax(px[:, [int(m) for m in _FEET], 1], axis=1)
    return np.asarray((feet - eyes) / 0.924)


CAMERA_PITCH_INFO_DEG = 12.0
"""Degrees. A camera looking down (or up) at the person by this much or more
is reported (info). Synthetic calf raises, camera aimed at the hips 3 m away
(docs/ACCURACY.md, "Camera pitch"): each degree down reads the heel rise
~0.75% lower side-on and ~1% lower oblique or front, so 10 degrees is 7-11%,
about the test-retest SEM of heel height (0.8 cm of ~9 cm). Not 10: MediaPipe's
world landmarks read near-level cameras too steep, renders of a camera 5 deg
up to 5 deg down reading 3.7-10.3 deg (docs/ACCURACY.md, render audit; 7.3 for
a level one), while a camera 15 deg down reads 12.5-12.9; at 10 the note told
people with a level phone to lower it."""

CAMERA_PITCH_WARN_DEG = 20.0
"""Degrees. From here a downward camera is a warning: heel rises read 13-29%
low, and side-on single-leg holds were missed at 25 degrees."""


def camera_pitch_issue(pitch_deg: float | None) -> QualityIssue | None:
    """The issue for a camera looking down (+) or up (-) at ``pitch_deg``, or None."""
    if pitch_deg is None or not np.isfinite(pitch_deg) or abs(pitch_deg) < CAMERA_PITCH_INFO_DEG:
        return None
    deg = abs(pitch_deg)
    fix = "put the phone at shin to knee height, level, 2-3 m away"
    if pitch_deg > 0:
        sev = "warning" if deg >= CAMERA_PITCH_WARN_DEG else "info"
        return QualityIssue(
            "camera_looks_down",
            sev,
            f"the camera looks down on you by about {deg:.0f} degrees, so your feet are "
            "farther from it than your hips and heights in cm read low (roughly 1% per "
            f"degree): {fix}",
        )
    return QualityIssue(
        "camera_looks_up",
        "warning" if deg >= CAMERA_PITCH_WARN_DEG else "info",
        f"the camera looks up at you by about {deg:.0f} degrees, which distorts heights in "
        f"cm: {fix}",
    )


def framing_issues(track: PoseTrack) -> list[QualityIssue]:
    """Problems with how the person is framed, each with what to change.

    Checks: too few frames with a person, feet out of the picture, head out of
    the picture, person too small, more than one person.
    """
    issues: list[QualityIssue] = []
    n = len(track)
    if n == 0:
        return [
            QualityIssue(
                "no_frames",
                "error",
                "the video has no frames formcheck could read: export it again as MP4 and retry",
            )
        ]
    det = track.detected
    frac = float(det.mean())
    if frac < MIN_DETECTED_FRACTION_WARN:
        sev = "error" if frac < MIN_DETECTED_FRACTION_ERROR else "warning"
        issues.append(
            QualityIssue(
                "few_person_frames",
                sev,
                f"no person found in {100 * (1 - frac):.0f}% of frames: step back so your whole "
                "body and both feet are in the picture, with light on you",
            )
        )
    if not det.any():
        return issues
    with np.errstate(all="ignore"):
        multi = float((track.num_people >= 2).mean())
    if multi > MULTI_PERSON_WARN:
        issues.append(
            QualityIssue(
                "several_people",
                "warning",
                f"more than one person is in view in {100 * multi:.0f}% of frames; formcheck "
                "follows one of them: film with only you in the picture",
            )
        )
    feet_out = float(_out_of_frame(track, _FEET)[det].mean())
    if feet_out > OUT_OF_FRAME_WARN:
        issues.append(
            QualityIssue(
                "feet_out_of_frame",
                "error" if feet_out > OUT_OF_FRAME_ERROR else "warning",
                f"your feet are out of the picture in {100 * feet_out:.0f}% of frames: step back "
                "(or tilt the camera down) until both feet are in the picture",
            )
        )
    head_out = float(_out_of_frame(track, _HEAD)[det].mean())
    if head_out > OUT_OF_FRAME_WARN:
        issues.append(
            QualityIssue(
                "head_out_of_frame",
                "warning",
                f"your head is out of the picture in {100 * head_out:.0f}% of frames: step back "
                "(or raise the camera) until your head is in the picture; centimetre values "
                "from your height need it",
            )
        )
    h = person_height_px(track)
    if np.isfinite(h).any():
        med = float(np.nanmedian(h))
        if med < MIN_PERSON_FRACTION * track.height:
            issues.append(
                QualityIssue(
                    "person_too_small",
                    "warning",
                    f"you are small in the picture (about {med:.0f} px of {track.height} px "
                    "tall): move the camera closer, keeping your head and feet in the picture",
                )
            )
        elif med < MIN_PERSON_PX:
            # The person fills the frame: moving closer is impossible, only the
            # resolution limits the cm values (1 px is then over 0.5 cm).
            issues.append(
                QualityIssue(
                    "low_resolution",
                    "info",
                    f"the video is only {track.height} px tall, so you are {med:.0f} px tall "
                    "in it and one pixel is more than half a centimetre: film at 720p or more "
                    "for finer centimetre values",
                )
            )
    return issues
