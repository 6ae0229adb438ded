"""First-hour points in the window's surroundings: `bash .ci/demo --screenshot FILE` writes a
relative FILE in the folder the command was run from (not in the repository the script changes
into), and the settings page names this platform's credential store."""

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


def test_the_sage_settings_page_names_this_platforms_credential_store(qtbot, secret_store):
    from PySide6.QtWidgets import QLabel

    from sage_sync_desktop.gui.sage_settings_page import SageSettingsPage
    from sage_sync_desktop.secret_store import store_name
    from sage_sync_desktop.settings import Settings

    page = SageSettingsPage(Settings(), secret_store)
    qtbot.addWidget(page)
    texts = " ".join(label.text() for label in page.findChildren(QLabel))
    assert f"The password is kept in {store_name()}." in texts
    if store_name() != "Windows Credential Manager":
        assert "Windows Credential Manager" not in texts
