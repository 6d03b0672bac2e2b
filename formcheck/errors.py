"""Errors that carry a message a user can act on.

Every error raised at a boundary (a file, a model, a video, user input) is a
``FormcheckError`` whose text says what is wrong *and* what to do. Faces (the
CLI and the page) show ``str(error)`` and never a traceback.
"""

from collections.abc import Iterable


class FormcheckError(Exception):
    """Base class: the message is written for the person using formcheck."""


class VideoError(FormcheckError):
    """A video cannot be opened or decoded."""


class ModelError(FormcheckError):
    """A pose model bundle is missing, incomplete or cannot be fetched."""


class TrackFormatError(FormcheckError):
    """A saved pose track is malformed, tampered with or of an unknown version."""


class AnalysisError(FormcheckError):
    """A drill cannot be measured from this track (wrong view, no person, ...)."""


_ENDS = (".", "!", "?", ".)", ".`")


def sentence_case(text: str, names: Iterable[str] = ()) -> str:
    """A message as a sentence for the faces (CLI, page): capital first letter, closing stop.

    The first letter is capitalised unless the message opens with a name that
    must keep its case: a path or file name ("clip.mp4 ..."), an option
    ("--video ..."), "formcheck", or one of ``names`` (e.g. the file names the
    person typed: "my notes.mp4 is not a video ..." keeps its "my"). A full
    stop is added when the text ends without one. ``"no person found in 92% of
    frames: step back"`` -> ``"No person found in 92% of frames: step back."``.
    """
    text = text.strip()
    if not text:
        return text
    first = text.split(maxsplit=1)[0].rstrip(":,;")
    keep = first.lower() == "formcheck" or any(c in first for c in "/\\.=_`'\"") or first[0] == "-"
    keep = keep or any(name and text.startswith(name) for name in names)
    if text[0].islower() and not keep:
        text = text[0].upper() + text[1:]
    return text if text.endswith(_ENDS) else text + "."
