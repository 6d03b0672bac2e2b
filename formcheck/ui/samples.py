"""Sample clips offered by the page ("try a sample"), from ``sample_videos/``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formcheck.ui.uploads import ALLOWED_EXTENSIONS

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "sample_videos"
"""``sample_videos/`` at the project root (a source checkout)."""


@dataclass(frozen=True)
class Sample:
    """One sample clip.

    Attributes:
        path: the file.
        label: what the page shows ("calf raise side right").
        drill: drill name the clip shows, or None when the name does not say.
    """

    path: Path
    label: str
    drill: str | None


def list_samples(folder: Path | None = None, drills: tuple[str, ...] = ()) -> list[Sample]:
    """Sample videos in ``folder``, sorted by name.

    A file's drill is the registered drill name its file name starts with
    (``-`` and ``_`` treated alike), e.g. ``calf_raise_side.mp4`` -> "calf-raise".
    """
    root = folder or SAMPLES_DIR
    if not root.is_dir():
        return []
    out = []
    for p in sorted(root.iterdir()):
        if p.suffix.lower() not in ALLOWED_EXTENSIONS or not p.is_file():
            continue
        stem = p.stem.replace("_", "-").lower()
        drill = next((d for d in drills if stem.startswith(d)), None)
        out.append(Sample(path=p, label=p.stem.replace("_", " ").replace("-", " "), drill=drill))
    return out


def samples_for(drill: str, samples: list[Sample]) -> list[Sample]:
    """The samples showing ``drill`` first, then the rest."""
    return [s for s in samples if s.drill == drill] + [s for s in samples if s.drill != drill]
