"""The render's colour sets (formcheck.render.figure.PALETTES): complete and with contrast.

No Blender needed: these check the data every render reads.
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.render.figure import PALETTES, SEED_PALETTES

MIN_RGB_DISTANCE = 0.2
"""Smallest Euclidean RGB distance (0..1 channels) between parts that must stand
apart for the pose model (judgement: the closest pair of the original two sets,
set 0's skin against its floor, is 0.24; a leg that blends into the floor or
the backdrop is lost by MediaPipe)."""

PAIRS = [
    ("shoe", "floor"),  # the feet, which every drill measures
    ("skin", "floor"),  # shins seen against the floor from a high camera
    ("skin", "backdrop"),
    ("shorts", "skin"),  # the thighs' outline
]


@pytest.mark.parametrize("index", range(len(PALETTES)))
def test_every_palette_has_the_same_parts_in_range(index: int) -> None:
    pal = PALETTES[index]
    assert set(pal) == set(PALETTES[0])
    for part, rgb in pal.items():
        assert len(rgb) == 3, part
        assert all(0.0 <= c <= 1.0 for c in rgb), part


@pytest.mark.parametrize("index", range(len(PALETTES)))
@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_parts_stand_apart(index: int, a: str, b: str) -> None:
    pal = PALETTES[index]
    gap = float(np.linalg.norm(np.subtract(pal[a], pal[b])))
    assert gap >= MIN_RGB_DISTANCE, f"palette {index}: {a} vs {b} only {gap:.2f} apart"


def test_seed_default_cycles_only_over_the_first_sets() -> None:
    # renders documented before sets 2-3 existed keep their colours from the seed
    assert 1 <= SEED_PALETTES <= len(PALETTES)
    assert len(PALETTES) > SEED_PALETTES  # the extra sets are reachable with --palette
