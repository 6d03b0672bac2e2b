"""The command line works from any directory, including one that holds a folder
named ``formcheck`` (the parent of a clone of this project, an output folder).

Found in a new-user pass: pose workers start from a forkserver whose ``sys.path``
begins with the current directory, so such a folder used to shadow the installed
package and every worker died ("a pose-extraction worker process stopped
unexpectedly"). The ``formcheck`` console script is imitated by a launcher file in
another directory (its own folder, not the current one, is first on the path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.track import load_track
from tests.conftest import shared_video

CLIP = "jumps_side_7.mp4"  # 4.3 s: long enough to be split over worker processes


@pytest.mark.slow
@pytest.mark.shared
def test_track_with_workers_from_a_directory_holding_a_formcheck_folder(
    tmp_path: Path, shared_model: Path
) -> None:
    work = tmp_path / "home"
    (work / "formcheck").mkdir(parents=True)  # e.g. ~/formcheck, a clone of the project
    launcher_dir = tmp_path / "bin"
    launcher_dir.mkdir()
    launcher = launcher_dir / "formcheck_launcher.py"
    launcher.write_text(  # what pip writes as the console script
        "import sys\nfrom formcheck.cli import main\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n"
    )
    env = {**os.environ, "FORMCHECK_MODEL": str(shared_model)}
    env.pop("PYTHONSAFEPATH", None)
    result = subprocess.run(
        [sys.executable, str(launcher), "track", str(shared_video(CLIP)), "-o", "t.npz",
         "--workers", "2"],
        cwd=work, capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "stopped unexpectedly" not in result.stderr
    track = load_track(work / "t.npz")
    assert len(track) == 124 and track.detected_fraction >= 0.9
