"""MediaPipe pose landmarks by name.

Index order follows the BlazePose 33-landmark topology. Code addresses
landmarks as ``Landmark.LEFT_HEEL``, never as ``lm[29]``.
"""

from enum import IntEnum

NUM_LANDMARKS = 33


class Landmark(IntEnum):
    """The 33 BlazePose landmarks; the value is the row in a (T, 33, ...) array."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


SIDES = ("left", "right")


def mirror(landmark: Landmark) -> Landmark:
    """The same landmark on the other side of the body (NOSE maps to itself)."""
    name = landmark.name
    if name.startswith("LEFT_"):
        return Landmark[name.replace("LEFT_", "RIGHT_", 1)]
    if name.startswith("RIGHT_"):
        return Landmark[name.replace("RIGHT_", "LEFT_", 1)]
    if name == "MOUTH_LEFT":
        return Landmark.MOUTH_RIGHT
    if name == "MOUTH_RIGHT":
        return Landmark.MOUTH_LEFT
    return landmark


def side_landmark(side: str, part: str) -> Landmark:
    """``side_landmark("left", "heel")`` -> ``Landmark.LEFT_HEEL``.

    Raises ValueError naming the valid choices for an unknown side or part.
    """
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; expected one of {list(SIDES)}")
    key = f"{side.upper()}_{part.upper()}"
    try:
        return Landmark[key]
    except KeyError:
        parts = sorted(
            {m.name.split("_", 1)[1].lower() for m in Landmark if m.name.startswith("LEFT_")}
        )
        raise ValueError(f"unknown body part {part!r}; expected one of {parts}") from None


LEG_CHAIN = ("hip", "knee", "ankle", "heel", "foot_index")
"""The landmarks of one leg from hip to toe (use with ``side_landmark``)."""

LEFT_RIGHT_PAIRS: tuple[tuple[Landmark, Landmark], ...] = tuple(
    (m, mirror(m)) for m in Landmark if m.name.startswith("LEFT_")
)
"""(left, right) landmark pairs, for swapping labels."""

SKELETON: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
)
"""Bones to draw, as landmark pairs."""
