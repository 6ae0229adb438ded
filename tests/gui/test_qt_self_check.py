"""The Qt part of --self-test, and the window command in a build without Qt."""

from __future__ import annotations

import argparse
import builtins

import pytest

from sage_sync_desktop.cli import window_command
from sage_sync_desktop.gui import app_icon as app_icon_module
from sage_sync_desktop.gui.qt_self_check import check_qt_offscreen


def test_self_check_reports_qt_and_every_icon_size():
    line = check_qt_offscreen()
    assert line.startswith("Qt 6.")
    assert "app icon loaded (sizes 16, 24, 32, 48, 64, 128, 256)" in line


def test_self_check_fails_when_an_icon_size_is_missing(monkeypatch):
    monkeypatch.setattr("sage_sync_desktop.gui.qt_self_check.ICON_SIZES", (*app_icon_module.ICON_SIZES, 512))
    with pytest.raises(RuntimeError, match=r"app-icon-512\.png"):
        check_qt_offscreen()


def test_window_command_explains_a_build_without_qt(monkeypatch, capsys, cli_context):
    real_import = builtins.__import__

    def no_gui(name, *args, **kwargs):
        if name.startswith("sage_sync_desktop.gui"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_gui)
    args = argparse.Namespace(screenshot=None, demo=False)
    assert window_command.run(args, cli_context) == 2
    assert "command-line build of Sage Sync Desktop" in capsys.readouterr().out
