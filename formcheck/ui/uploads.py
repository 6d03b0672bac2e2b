"""Upload safety: size limit, allowed types, content hash, temporary files.

The uploaded file's *name* is never used as a path: only its lower-cased
extension, checked against ``ALLOWED_EXTENSIONS``, survives into the temporary
file name. Temporary files live in a fresh private directory removed when the
``temp_video`` block ends, whatever happens inside it.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePath

from formcheck.errors import FormcheckError, sentence_case

MAX_UPLOAD_MB = 200
"""Largest upload, megabytes (10^6 bytes). A 1080p phone video is 15-20 MB per
10 s, so this allows 1.5-2 minutes, more than any drill set; Streamlit holds
uploads in memory, so a bigger limit would let one upload eat the machine.
The same number is in ``.streamlit/config.toml`` (``server.maxUploadSize``),
which makes the browser refuse bigger files before sending them; this module
checks again on the server."""

MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000

ALLOWED_EXTENSIONS = (".mp4", ".mov", ".webm")
"""Video types the page accepts (phones write mp4/mov, browsers record webm)."""


class UploadError(FormcheckError):
    """An upload the page will not take (too big, wrong type, empty)."""


def checked_extension(name: str, size: int) -> str:
    """The upload's extension (".mp4", ".mov" or ".webm") after checking size and type.

    Args:
        name: the file name the browser sent (used only for its extension).
        size: size in bytes.

    Raises:
        UploadError: empty, over ``MAX_UPLOAD_MB``, or not an allowed type.
    """
    ext = PurePath(name.replace("\\", "/")).suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        kind = f"a {ext} file" if ext else "a file without an extension"
        names = [e[1:] for e in ALLOWED_EXTENSIONS]
        raise UploadError(
            f"This is {kind}; formcheck takes {', '.join(names[:-1])} and {names[-1]} videos. "
            "Export the clip as .mp4 from your phone or camera app."
        )
    if size <= 0:
        raise UploadError("The file is empty (0 bytes): the upload did not finish. Try again.")
    if size > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"The file is {size / 1e6:.0f} MB; the limit is {MAX_UPLOAD_MB} MB. Trim the clip to "
            "the drill itself (a set takes under a minute) or film at 1080p instead of 4K."
        )
    return ext


def content_digest(data: bytes) -> str:
    """SHA-256 hex digest of the file's bytes: the cache key of its pose track."""
    return hashlib.sha256(data).hexdigest()


@contextmanager
def temp_video(data: bytes, ext: str) -> Iterator[Path]:
    """Write ``data`` to a private temporary file ``video<ext>``; removed on exit.

    Raises:
        UploadError: ``ext`` is not an allowed extension.
    """
    if ext not in ALLOWED_EXTENSIONS:
        raise UploadError(
            f"Unsupported video type {ext!r}: formcheck takes "
            f"{', '.join(ALLOWED_EXTENSIONS)} files. Export the clip as .mp4."
        )
    with tempfile.TemporaryDirectory(prefix="formcheck-") as tmp:
        path = Path(tmp) / f"video{ext}"
        path.write_bytes(data)
        yield path


def shown_name(name: str) -> str:
    """The upload's file name without folders, for messages ("a/b\\clip.MOV" -> "clip.MOV")."""
    base = PurePath(name.replace("\\", "/")).name.strip()
    return base or "your video"


_ERRNO_IN_PARENS = re.compile(r"\s*\(\s*\[Errno\s*-?\d+\][^()]*\)")
_ERRNO = re.compile(r"\[Errno\s*-?\d+\]\s*")


def user_message(text: str, names: Mapping[str, str]) -> str:
    """An error message as the person should read it.

    Args:
        text: the message (e.g. a ``FormcheckError``'s), which may name the
            private temporary copy of an upload and carry raw OS / FFmpeg
            error codes ("[Errno 1094995529] Invalid data found ...").
        names: temporary path -> the name to show instead (the upload's own
            file name); a path's bare file name ("video.mp4") is replaced too.

    Returns:
        ``text`` with each temporary path replaced by its name, and the raw
        error codes removed (in parentheses: the whole parenthesis).
    """
    text = _ERRNO_IN_PARENS.sub("", text)
    for path, name in names.items():
        text = text.replace(f": '{path}'", "").replace(f"'{path}'", name).replace(path, name)
        bare = PurePath(path).name
        if bare:
            text = re.sub(rf"(?<![\w./-]){re.escape(bare)}(?![\w-])", name, text)
    return _ERRNO.sub("", text)


def page_message(text: str, names: Mapping[str, str]) -> str:
    """An error message for the page: ``user_message``, then as a sentence.

    Capitalised and closed with a full stop as the command line does
    (``errors.sentence_case``), except when it opens with the name of the
    person's own file, which keeps its case ("my notes.mp4 is not a video").
    """
    return sentence_case(user_message(text, names), names.values())
