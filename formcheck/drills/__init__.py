"""Drill registry: look drills up by name.

Each entry maps a CLI name to the module that defines it; the module exposes
one object ``DRILL`` satisfying ``formcheck.drills.base.Drill``. Adding a drill
is one line here and one module, and never touches another drill.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from formcheck.drills.base import Drill

DRILLS: dict[str, str] = {
    "calf-raise": "formcheck.drills.calf_raise",
    "single-leg-balance": "formcheck.drills.single_leg_balance",
    "knee-to-wall": "formcheck.drills.knee_to_wall",
    "heel-walk": "formcheck.drills.heel_walk",
    "toe-walk": "formcheck.drills.toe_walk",
    "lateral-hops": "formcheck.drills.lateral_hops",
    "inversion-walk": "formcheck.drills.edge_walk:INVERSION_WALK",
    "eversion-walk": "formcheck.drills.edge_walk:EVERSION_WALK",
    "soleus-wall-stretch": "formcheck.drills.stretch_hold:SOLEUS_WALL_STRETCH",
    "deep-squat-hold": "formcheck.drills.stretch_hold:DEEP_SQUAT_HOLD",
    "calf-step-stretch": "formcheck.drills.stretch_hold:CALF_STEP_STRETCH",
    "ankle-circles": "formcheck.drills.ankle_circles",
}
"""Drill name -> module defining ``DRILL``, or ``"module:ATTR"`` when one module
defines several drills sharing their logic (the object is ``module.ATTR``)."""


def drill_names() -> list[str]:
    """All registered drill names, in display order."""
    return list(DRILLS)


def get_drill(name: str) -> Drill:
    """The drill called ``name``.

    Raises:
        ValueError: unknown name; the message lists the valid ones.
    """
    try:
        module_name = DRILLS[name]
    except KeyError:
        raise ValueError(f"unknown drill {name!r}; expected one of {drill_names()}") from None
    module_name, _, attr = module_name.partition(":")
    drill: Drill = getattr(import_module(module_name), attr or "DRILL")
    return drill
