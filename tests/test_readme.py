"""The README stays true: its commands are the ones CI runs, and every drill is documented."""

from __future__ import annotations

import re
from pathlib import Path

from formcheck.cli import build_parser
from formcheck.drills import DRILLS

PROJECT = Path(__file__).resolve().parents[1]
README = (PROJECT / "README.md").read_text(encoding="utf-8")
CI = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")


def _command(what: str) -> str:
    match = re.search(rf"^\| {what} \| `([^`]+)` \|$", README, flags=re.MULTILINE)
    assert match, f"README has no '| {what} | `command` |' row"
    return match.group(1)


def test_ci_runs_the_readme_set_up_and_test_commands() -> None:
    lines = [
        line.strip()
        for line in CI.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert _command("set up \\(once\\)") in lines
    assert _command("run the tests") in lines


def test_run_command_starts_the_page_that_exists() -> None:
    run = _command("run the app")
    assert run == "streamlit run streamlit_app.py"
    assert (PROJECT / "streamlit_app.py").is_file()


def test_every_drill_is_in_the_readme_table() -> None:
    rows = re.findall(r"^\| `([a-z-]+)` \|", README, flags=re.MULTILINE)
    assert sorted(rows) == sorted(DRILLS)


def test_every_cli_command_is_documented() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"formcheck {name}" in README, name
