"""Subcommands of the ``formcheck`` CLI (one module each; see ``formcheck.cli.COMMANDS``).

Shared helpers for commands live here: ``ProgressBar``.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """A text progress bar for ``progress(done, total)`` callbacks, on stderr.

    On a terminal it redraws one line; otherwise (logs, CI) it prints a line
    every 10 %. ``total`` 0 means unknown (shows the count only).
    """

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._last_decile = -1
        self._ended = False

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        rate = done / max(now - self.start, 1e-9)
        if self.tty:
            if now - self._last_draw < 0.1 and done != total:
                return
            self._last_draw = now
            if total > 0:
                filled = int(self.width * min(done / total, 1.0))
                bar = "#" * filled + "-" * (self.width - filled)
                text = f"\r{self.label} [{bar}] {done}/{total} frames, {rate:.0f} fps"
            else:
                text = f"\r{self.label} {done} frames, {rate:.0f} fps"
            if total > 0 and done >= total:
                text += "\n"  # finished: end the line even if close() is never called
                self._ended = True
            self.stream.write(text)
            self.stream.flush()
        elif total > 0:
            decile = int(10 * done / total)
            if decile != self._last_decile:
                self._last_decile = decile
                self.stream.write(f"{self.label}: {done}/{total} frames ({10 * decile}%)\n")
                self.stream.flush()

    def close(self) -> None:
        """End the bar's line (terminal)."""
        if self.tty and not self._ended:
            self._ended = True
            self.stream.write("\n")
            self.stream.flush()
