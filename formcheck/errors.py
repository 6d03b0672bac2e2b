"""Errors that carry a message a user can act on.

Every error raised at a boundary (a file, a model, a video, user input) is a
``FormcheckError`` whose text says what is wrong *and* what to do. Faces (the
CLI and the page) show ``str(error)`` and never a traceback.
"""


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
