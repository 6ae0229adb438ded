"""Main window behaviour: remembered geometry and view, shortcuts, About, first run, one instance."""

from __future__ import annotations

import logging
import subprocess
import sys

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from sage_sync_desktop import __version__
from sage_sync_desktop.gui import window_startup
from sage_sync_desktop.gui.application import CrashReporter, SingleInstance, instance_key
from sage_sync_desktop.gui.models.contract_views import ContractView
from sage_sync_desktop.sync.records import ContractState
from tests.gui import records_factory as rf
from tests.gui.scripted_engine import ScriptedEngine


def _engine():
    return ScriptedEngine(rf.snapshot([rf.status("1001", ContractState.READY_TO_IMPORT)]))


def test_the_chosen_view_and_window_geometry_are_remembered(open_window, cli_context, qtbot):
    window = open_window(_engine())
    window.prime_contracts_tab.set_view(ContractView.NOT_READY)
    window.resize(760, 520)  # inside the offscreen screen, so restoring never clamps it
    window.close()
    saved = cli_context.load_settings()
    assert saved.gui.prime_contracts_view == "not_ready"
    assert saved.gui.window_geometry
    again = open_window(_engine(), refresh=False)
    assert again.prime_contracts_tab.view is ContractView.NOT_READY
    assert (again.width(), again.height()) == (760, 520)


def test_ctrl_f_puts_the_cursor_in_the_filter_of_the_open_tab(open_window, qtbot):
    window = open_window(_engine())
    window.activateWindow()
    assert window.filter_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    window.filter_action.trigger()
    assert QApplication.focusWidget() is window.findChild(QLineEdit, "contractFilter")
    window.tabs.setCurrentIndex(0)
    window.filter_action.trigger()
    assert QApplication.focusWidget() is window.findChild(QLineEdit, "jobFilter")


def test_filter_is_followed_by_the_list_in_tab_order(open_window):
    window = open_window(_engine())
    contract_filter = window.findChild(QLineEdit, "contractFilter")
    assert contract_filter.nextInFocusChain() is window.prime_contracts_tab.list_view()


def test_about_names_the_version(open_window, monkeypatch):
    window = open_window(_engine())
    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: shown.append(text)))
    window.about_action.trigger()
    assert f"</b> {__version__}<br>" in shown[0]


def test_first_start_without_settings_opens_the_setup(cli_context, monkeypatch):
    opened = []
    monkeypatch.setattr("sage_sync_desktop.gui.first_run_wizard.FirstRunWizard.run",
                        classmethod(lambda cls, context, parent=None: opened.append(context) or False))
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    assert not cli_context.settings_path.exists()
    assert window_startup.open_window(cli_context, single_instance=False) == 0
    assert opened == [cli_context]
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == "mainWindow":
            widget.session.shutdown()
            widget.close()


def test_a_second_copy_wakes_the_first_and_is_refused(qtbot, tmp_path):
    key = instance_key(tmp_path)
    first = SingleInstance(key)
    assert first.claim()
    second = SingleInstance(key)
    try:
        with qtbot.waitSignal(first.activation_requested, timeout=5000):
            assert second.claim() is False
    finally:
        first.release()
    third = SingleInstance(key)
    assert third.claim()  # the first copy has gone: the next one may start
    third.release()


def test_an_unexpected_error_is_logged_and_printed_with_secrets_redacted(caplog, capsys):
    reporter = CrashReporter(None, interactive=False)
    try:
        raise ValueError("connect failed: PWD=hunter2;UID=sa")
    except ValueError as exc:
        with caplog.at_level(logging.ERROR):
            reporter(type(exc), exc, exc.__traceback__)
    printed = capsys.readouterr().err
    assert "ValueError" in caplog.text and "ValueError" in printed
    assert "hunter2" not in caplog.text and "hunter2" not in printed


def test_screenshot_needs_demo(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path), "--screenshot", str(tmp_path / "x.png")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "--screenshot needs --demo" in result.stdout + result.stderr


def test_demo_screenshot_saves_a_png_of_the_window_and_exits_0(tmp_path):
    import os
    from pathlib import Path

    from PySide6.QtGui import QImage

    repo = Path(__file__).resolve().parents[2]
    target = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(repo),
           # The demo's throwaway sandbox secret must not reach a real credential store.
           "PYTHON_KEYRING_BACKEND": "tests.conftest.MemoryKeyring"}
    result = subprocess.run(
        [sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "app"), "--demo",
         "--screenshot", str(target)],
        capture_output=True, text=True, timeout=240, env=env, cwd=repo)
    assert result.returncode == 0, result.stderr[-3000:]
    image = QImage(str(target))
    assert not image.isNull()
    assert image.width() >= 1000 and image.height() >= 700
