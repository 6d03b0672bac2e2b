"""Load a drill's thresholds from its commented TOML file into a frozen dataclass.

Each drill keeps its numbers in ``formcheck/drills/<drill>.toml``: one key per
threshold, with a comment giving the unit and where the value comes from (a
norm, a paper, a judgement). ``load_thresholds`` rejects unknown and missing
keys, so a typo in the file or in a user override is an error, not a silently
ignored setting.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

DRILLS_DIR = Path(__file__).resolve().parent / "drills"


def load_thresholds(cls: type[T], toml_name: str, overrides: Mapping[str, Any] | None = None) -> T:
    """Build ``cls`` (a frozen dataclass) from ``drills/<toml_name>`` plus overrides.

    Args:
        cls: dataclass whose fields are the threshold names.
        toml_name: file name inside ``formcheck/drills`` (e.g. "calf_raise.toml").
        overrides: values that replace the file's (from the page or the CLI).

    Raises:
        ValueError: unknown or missing keys, or a value of the wrong type; the
            message names the key and the file.
    """
    path = DRILLS_DIR / toml_name
    with open(path, "rb") as fh:
        values: dict[str, Any] = tomllib.load(fh)
    if overrides:
        values.update(overrides)
    return thresholds_from_mapping(cls, values, source=str(path))


def thresholds_from_mapping(
    cls: type[T], values: Mapping[str, Any], source: str = "<mapping>"
) -> T:
    """Build ``cls`` from a flat mapping, rejecting unknown or missing keys."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValueError(
            f"{source}: unknown threshold(s) {unknown}; expected some of {sorted(fields)}"
        )
    missing = sorted(k for k, f in fields.items() if k not in values and _no_default(f))
    if missing:
        raise ValueError(f"{source}: missing threshold(s) {missing}")
    converted: dict[str, Any] = {}
    for key, value in values.items():
        kind = fields[key].type
        kind_name = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
        if kind_name == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{source}: threshold {key!r} must be a number, got {value!r}")
            converted[key] = float(value)
        elif kind_name == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(
                    f"{source}: threshold {key!r} must be a whole number, got {value!r}"
                )
            converted[key] = value
        elif kind_name == "bool":
            if not isinstance(value, bool):
                raise ValueError(
                    f"{source}: threshold {key!r} must be true or false, got {value!r}"
                )
            converted[key] = value
        else:
            converted[key] = value
    return cls(**converted)


def _no_default(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
