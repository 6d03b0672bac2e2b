"""The drill-specific option fields the page offers, and the drills' default thresholds."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
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


@dataclass(frozen=True)
class Choice:
    """A drill option picked from a short list.

    Attributes:
        key: the ``DrillOptions.variant`` key.
        label: field label.
        help: one sentence of explanation.
        options: (shown text, value) pairs, the first is the default; a value
            of None leaves the key out of ``variant``.
    """

    key: str
    label: str
    help: str
    options: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class NumberField:
    """A whole-number drill option (empty: the key is left out).

    Attributes:
        key: the ``DrillOptions.variant`` key.
        label: field label with its unit.
        help: one sentence of explanation.
        min_value / max_value: accepted range (inclusive).
    """

    key: str
    label: str
    help: str
    min_value: int
    max_value: int


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
    "knee-to-wall": (
        Toggle(
            "knee_touches_wall",
            "My knee touches the wall at the deepest point",
            "Tick when the front of your knee touches the wall at each attempt's deepest point: "
            "formcheck then places the wall there. Without this (or your hands resting on the "
            "wall) the wall's position is unknown and no toe-to-wall distance is given.",
        ),
    ),
    "single-leg-balance": (
        Toggle(
            "eyes_closed",
            "Eyes closed",
            "Tick when you balanced with your eyes closed: the norm is then the eyes-closed one.",
        ),
    ),
}
"""Per drill: the toggles shown under "Drill options"."""

VARIANT_CHOICES: dict[str, tuple[Choice, ...]] = {
    "calf-raise": (
        Choice(
            "sex",
            "Sex (heel-rise test norm)",
            "The heel-rise test norm differs for men and women (Hébert-Losier et al. 2017); "
            "without it both are shown.",
            (("not given", None), ("male", "male"), ("female", "female")),
        ),
    ),
}
"""Per drill: the pick-one fields shown under "Drill options"."""

VARIANT_NUMBERS: dict[str, tuple[NumberField, ...]] = {
    "single-leg-balance": (
        NumberField(
            "age",
            "Your age (years)",
            "Picks your age group's norm (Springer et al. 2007); without it the 18-39 "
            "group is used. Filled in from the profile's birth year.",
            5,
            110,
        ),
    ),
}
"""Per drill: the number fields shown under "Drill options"."""


def variant_from(
    drill: str, ticked: dict[str, bool], chosen: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``DrillOptions.variant`` from ``drill``'s fields.

    Args:
        drill: drill name.
        ticked: toggle key -> ticked.
        chosen: choice or number key -> value (None: left out); keys that are
            not fields of ``drill`` are ignored.
    """
    out: dict[str, Any] = {}
    for t in VARIANT_TOGGLES.get(drill, ()):
        value = t.on if ticked.get(t.key, False) else t.off
        if value is not None:
            out[t.key] = value
    chosen = chosen or {}
    fields = [c.key for c in VARIANT_CHOICES.get(drill, ())]
    fields += [n.key for n in VARIANT_NUMBERS.get(drill, ())]
    for key in fields:
        value = chosen.get(key)
        if value is not None:
            out[key] = value
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


def toggle_states(drill: str, variant: Mapping[str, Any]) -> dict[str, bool]:
    """Toggle key -> ticked, for the toggles of ``drill`` that ``variant`` decides.

    Used to set the options to match a sample clip (``Sample.variant``).
    """
    out: dict[str, bool] = {}
    for t in VARIANT_TOGGLES.get(drill, ()):
        if t.key in variant:
            out[t.key] = variant[t.key] == t.on
    return out


def variant_mismatch(drill: str, clip: Mapping[str, Any], chosen: Mapping[str, Any]) -> str | None:
    """A note when the options differ from how a sample clip was filmed, else None.

    Args:
        drill: drill name.
        clip: the sample's variant (``Sample.variant``).
        chosen: the variant the options give (``variant_from``).
    """
    notes = []
    for key, ticked in toggle_states(drill, clip).items():
        toggle = next(t for t in VARIANT_TOGGLES[drill] if t.key == key)
        if chosen.get(key, toggle.off) != clip[key]:
            verb = "tick" if ticked else "untick"
            filmed = "with" if ticked else "without"
            notes.append(f"{verb} “{toggle.label}” (this sample is filmed {filmed} it)")
    if not notes:
        return None
    return "To match this sample, " + "; ".join(notes) + " in the sidebar."
