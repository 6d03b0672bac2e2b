"""The ``formcheck`` command line: a thin face over the library.

Subcommands live in ``formcheck/commands/<name>.py``; each module has
``register(subparsers)`` (adds its parser) and ``run(args) -> int`` (exit
code). Adding a command is one line in ``COMMANDS``.

Errors a user can hit (``FormcheckError``) print their message (as a sentence:
``errors.sentence_case``), never a traceback, and exit with status 1; a bad command line exits with 2 (argparse).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from formcheck import __version__
from formcheck.commands import ProgressBar
from formcheck.errors import FormcheckError, sentence_case

COMMANDS: dict[str, str] = {
    "track": "formcheck.commands.track",
    "analyze": "formcheck.commands.analyze",
    "history": "formcheck.commands.history",
    "models": "formcheck.commands.models",
}
"""Subcommand name -> module implementing ``register`` and ``run``."""


def progress_printer(label: str) -> ProgressBar:
    """A ``progress(done, total)`` callback drawing a bar on stderr (for commands)."""
    return ProgressBar(label)


def _load(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name])


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="formcheck",
        description="Measure runners' ankle drills from video, locally.",
    )
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        sub = _load(name).register(subparsers)
        sub.set_defaults(_command=name)
    return parser


def _shown_path(filename: object) -> str:
    """An OS error's file name as the person knows it: the folder, for formcheck's
    own temporary ``.formcheck-*.partial`` file (written next to an output, then renamed)."""
    path = Path(str(filename))
    if path.name.startswith(".formcheck-") and path.name.endswith(".partial"):
        return str(path.parent)
    return str(path)


def _typed_names(args: argparse.Namespace) -> list[str]:
    """The paths the person typed, as typed and as file names (kept as written in messages)."""
    typed = [str(v) for v in vars(args).values() if isinstance(v, str | Path)]
    return typed + [Path(v).name for v in typed]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(_load(args._command).run(args))
    except FormcheckError as exc:
        print(f"formcheck: error: {sentence_case(str(exc), _typed_names(args))}", file=sys.stderr)
        return 1
    except OSError as exc:  # an output folder that does not exist, a read-only place, ...
        where = f" {_shown_path(exc.filename)}" if exc.filename else ""
        print(
            f"formcheck: error: Cannot use{where}: {exc.strerror or exc}. "
            "Check that the folder exists and that you may read and write there.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("formcheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
