"""Shared test fixtures: paths to ../shared, the pose model, and skip rules.

Tests that need ``../shared`` (real clips, the pose model) skip with a clear
reason when it is absent, except when ``FORMCHECK_REQUIRE_SHARED=1`` (set by
``.ci/run``), where a missing file is a failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FORMCHECK_SHARED", PROJECT.parent / "shared"))
SHARED_VIDEOS = SHARED / "videos"
SHARED_MODEL = SHARED / "models" / "pose_landmarker_full.task"
REQUIRE_SHARED = os.environ.get("FORMCHECK_REQUIRE_SHARED") == "1"
TEST_OUTPUT = PROJECT / "test-output"


def need_shared(path: Path) -> Path:
    """Return ``path`` if it exists; otherwise skip (or fail in CI) saying why."""
    if path.exists():
        return path
    message = f"shared test data missing: {path} (put the shared folder beside the project)"
    if REQUIRE_SHARED:
        pytest.fail(message + "; FORMCHECK_REQUIRE_SHARED=1 turns this skip into a failure")
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_model() -> Path:
    """The shared full pose model bundle."""
    return need_shared(SHARED_MODEL)


@pytest.fixture(scope="session")
def shared_labels() -> dict[str, dict[str, Any]]:
    """Hand labels of the shared clips, by file name."""
    path = need_shared(SHARED_VIDEOS / "labels.json")
    return {entry["file"]: entry for entry in json.loads(path.read_text())}


def shared_video(name: str) -> Path:
    """Path of a shared clip (skips or fails when absent)."""
    return need_shared(SHARED_VIDEOS / name)


@pytest.fixture(scope="session")
def test_output() -> Path:
    """Folder for artefacts a person may want to look at (screenshots, videos)."""
    TEST_OUTPUT.mkdir(exist_ok=True)
    return TEST_OUTPUT
