"""Sample clips offered by the page ("try a sample"), from ``sample_videos/``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.ui.uploads import ALLOWED_EXTENSIONS

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "sample_videos"
"""``sample_videos/`` at the project root (a source checkout)."""

NAME_VARIANTS: dict[str, dict[str, tuple[str, Any, Any]]] = {
    "calf-raise": {"knee": ("bent-knee", "bent", "straight")},
}
"""Per drill: variant key -> (word in the file name, value when the word is there,
value when it is not). ``calf_raise_bent_knee_side.mp4`` shows the bent-knee
version; ``calf_raise_side.mp4`` the plain (straight-knee) one."""


@dataclass(frozen=True)
class Sample:
    """One sample clip.

    Attributes:
        path: the file.
        label: what the page shows ("calf raise side right").
        drill: drill name the clip shows, or None when the name does not say.
        variant: drill options the clip was filmed with, from its name
            (``DrillOptions.variant`` keys, e.g. {"knee": "bent"}); {} if unknown.
    """

    path: Path
    label: str
    drill: str | None
    variant: dict[str, Any] = field(default_factory=dict)


def _prefixes(drills: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name prefix, drill) pairs, longest prefix first.

    A drill is named by its full name, or by a trailing part of it that no
    other drill's name ends with ("balance" for "single-leg-balance"; not
    "walk", which four drills end with).
    """
    tails: dict[str, list[str]] = {}
    for d in drills:
        words = d.split("-")
        for k in range(1, len(words)):
            tails.setdefault("-".join(words[k:]), []).append(d)
    pairs = [(d, d) for d in drills]
    pairs += [(tail, ds[0]) for tail, ds in tails.items() if len(ds) == 1 and tail not in drills]
    return sorted(pairs, key=lambda p: -len(p[0]))


def _variant(drill: str | None, stem: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (word, present, absent) in NAME_VARIANTS.get(drill or "", {}).items():
        value = present if word in stem else absent
        if value is not None:
            out[key] = value
    return out


def list_samples(folder: Path | None = None, drills: tuple[str, ...] = ()) -> list[Sample]:
    """Sample videos in ``folder``, sorted by name.

    A file's drill is the registered drill name its file name starts with
    (``-`` and ``_`` treated alike), e.g. ``calf_raise_side.mp4`` -> "calf-raise",
    or a trailing part of one drill's name that no other drill shares
    (``balance_side.mp4`` -> "single-leg-balance").
    """
    root = folder or SAMPLES_DIR
    if not root.is_dir():
        return []
    prefixes = _prefixes(drills)
    out = []
    for p in sorted(root.iterdir()):
        if p.suffix.lower() not in ALLOWED_EXTENSIONS or not p.is_file():
            continue
        stem = p.stem.replace("_", "-").lower()
        drill = next((d for pre, d in prefixes if stem == pre or stem.startswith(pre + "-")), None)
        out.append(
            Sample(
                path=p,
                label=p.stem.replace("_", " ").replace("-", " "),
                drill=drill,
                variant=_variant(drill, stem),
            )
        )
    return out


def samples_for(drill: str, samples: list[Sample]) -> list[Sample]:
    """The samples showing ``drill`` first, then the rest.

    Among ``drill``'s own samples the plain version comes first (the shortest
    name: ``calf_raise_side`` before ``calf_raise_bent_knee_side``), so the
    default sample matches the default options.
    """
    own = sorted(
        (s for s in samples if s.drill == drill), key=lambda s: (len(s.path.stem), s.path.name)
    )
    return own + [s for s in samples if s.drill != drill]
