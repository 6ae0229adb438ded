"""`bash .ci/demo --screenshot FILE`: a relative FILE is written in the folder the command was run
from, not in the repository the script changes into."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_a_relative_screenshot_path_is_taken_from_the_working_folder(tmp_path):
    env = dict(os.environ, DEMO_PYTHON=sys.executable, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
               SAGE_SYNC_APP_DIR=str(tmp_path / "app"))
    name = "first-hour-shot.png"
    done = subprocess.run(["bash", str(REPO / ".ci" / "demo"), "--screenshot", name], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / name).stat().st_size > 10_000
    assert not (REPO / name).exists()
    assert f"screenshot saved to {tmp_path / name}" in done.stdout
