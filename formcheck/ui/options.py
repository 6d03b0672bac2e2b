"""The drill-specific option fields the page offers, and the drills' default thresholds."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from formcheck.drills import DRILLS
from formcheck.thresholds import DRILLS_DIR


@dataclass(frozen=True)
class Toggle:
    """A yes/no drill option.

    Attributes:
        key: the ``DrillOptions.variant`` key.
        label: checkbox text.
        help: one sentence of explanation.
        on: value put in ``variant[key]`` when ticked.
        off: value when not ticked (None: key left out).
    """

    key: str
    label: str
    help: str
    on: Any = True
    off: Any = None


VARIANT_TOGGLES: dict[str, tuple[Toggle, ...]] = {
    "calf-raise": (
        Toggle(
            "knee",
            "Bent-knee version (soleus)",
            "Knees bent about 20 degrees all through the set: works the soleus and Achilles.",
            on="bent",
            off="straight",
        ),
        Toggle(
            "heel_rise_test",
            "Heel-rise test (single leg, to fatigue)",
            "One rise every two beats of a 60 bpm metronome until you cannot keep up; "
            "compared with published norms for reps and height.",
        ),
    ),
}
"""Per drill: the toggles shown under "Drill options"."""


def variant_from(drill: str, ticked: dict[str, bool]) -> dict[str, Any]:
    """``DrillOptions.variant`` from the ticked state of ``drill``'s toggles."""
    out: dict[str, Any] = {}
    for t in VARIANT_TOGGLES.get(drill, ()):
        value = t.on if ticked.get(t.key, False) else t.off
        if value is not None:
            out[t.key] = value
    return out


def default_thresholds(drill: str) -> dict[str, int | float]:
    """The numeric thresholds of ``drill``'s TOML file (name -> value), {} if none.

    Only top-level numbers are offered for editing; booleans and tables are left alone.
    """
    module = DRILLS.get(drill)
    if module is None:
        return {}
    path = DRILLS_DIR / f"{module.rsplit('.', 1)[-1]}.toml"
    if not path.is_file():
        return {}
    with open(path, "rb") as fh:
        values = tomllib.load(fh)
    return {
        k: v for k, v in values.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }


def threshold_overrides(
    defaults: dict[str, int | float], chosen: dict[str, int | float]
) -> dict[str, Any]:
    """The chosen values that differ from the defaults (ints stay ints)."""
    out: dict[str, Any] = {}
    for key, value in chosen.items():
        if key in defaults and value != defaults[key]:
            out[key] = value
    return out
