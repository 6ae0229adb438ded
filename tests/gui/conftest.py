"""GUI test fixtures: every test here runs with the QApplication pytest-qt creates (offscreen)."""

from __future__ import annotations

import pytest

from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.gui.main_window import MainWindow
from sage_sync_desktop.gui.sync_session import SyncSession
from sage_sync_desktop.gui.window_startup import build_window
from sage_sync_desktop.secret_store import SecretStore


# The offscreen platform cannot resize native windows to their size hints and says so each time
# a top-level window is shown; that is a limitation of the test platform, not of the window.
OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)$"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/gui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def _gui_app(qapp):
    # Icons and pixmaps need a QGuiApplication even in model tests.
    return qapp


@pytest.fixture
def cli_context(app_paths, secret_store, tmp_path) -> AppContext:
    return AppContext(paths=app_paths, settings_path=app_paths.settings_file, secrets=secret_store)


def _show(qtbot, window: MainWindow, *, refresh: bool) -> MainWindow:
    qtbot.addWidget(window)
    window.show()
    if refresh:
        with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
            window.refresh()
    return window


@pytest.fixture
def open_window(qtbot, cli_context):
    """open_window(engine, history=None) -> a shown MainWindow with its first refresh done."""
    windows: list[MainWindow] = []

    def make(engine, history=None, *, refresh: bool = True) -> MainWindow:
        session = SyncSession(lambda: engine, (lambda: history) if history is not None else None)
        window = MainWindow(session, cli_context)
        session.setParent(window)
        windows.append(window)
        return _show(qtbot, window, refresh=refresh)

    yield make
    for window in windows:
        window.session.shutdown()


@pytest.fixture
def open_demo_window(qtbot, demo):
    """open_demo_window(refresh=True) -> the real window on the demo company (sample Sage file
    and the sandbox over HTTP), shown, its first refresh done unless refresh=False."""
    windows: list[MainWindow] = []

    def make(*, refresh: bool = True) -> MainWindow:
        context = AppContext(paths=demo.paths, settings_path=demo.settings_path, secrets=SecretStore())
        window = build_window(context)
        windows.append(window)
        return _show(qtbot, window, refresh=refresh)

    yield make
    for window in windows:
        window.session.shutdown()
