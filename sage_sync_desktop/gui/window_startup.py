"""Open the window: application, single instance, first-run setup, demo, screenshot."""

from __future__ import annotations

import logging
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.gui import screenshot as screenshot_module
from sage_sync_desktop.gui.application import (
    CrashReporter,
    SingleInstance,
    bring_to_front,
    create_application,
    instance_key,
)
from sage_sync_desktop.gui.main_window import MainWindow
from sage_sync_desktop.gui.sync_session import SyncSession

# Imported here, on the GUI thread before the window shows, not lazily inside the first job:
# PySide6's import hook reads the source of every module imported after Qt, and doing that for
# the whole engine on the worker thread held the GIL long enough to stall the window ~100 ms.
import netrc  # noqa: E402,F401  (requests imports it lazily on its first request)

from sage_sync_desktop.sync.history import HistoryStore  # noqa: E402
from sage_sync_desktop.app.wiring import build_engine  # noqa: E402

logger = logging.getLogger(__name__)


def engine_factory(context: AppContext) -> Any:
    """Builds the engine from the settings as they are when called (on the worker thread)."""

    def build() -> Any:
        return build_engine(context.load_settings(), context.paths, context.secrets)

    return build


def history_factory(context: AppContext) -> Any:
    def build() -> Any:
        return HistoryStore(context.paths.history_db)

    return build


GUI_SWITCH_INTERVAL_S = 0.0005


def build_window(context: AppContext) -> MainWindow:
    """The window over the engine the settings describe (used by the app, the demo and tests)."""
    # A refresh reads Sage and Procore on two worker threads that run Python, and every call the
    # GUI thread makes into Python must take the GIL back from them, which CPython hands over
    # only every switch interval (5 ms by default). The tables keep such calls rare (one per
    # repaint: python_painted_table.py; headers from C++: static_header.py; progress at most
    # every 50 ms), but the timer, the slots and the model's code still need the GIL. Measured
    # on a shared 2-core machine, 3,000-contract first load, 8 alternating runs each: longest
    # stall 8-17 ms at 0.5 ms, 13-35 ms at 5 ms. The workers lose a little throughput.
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    session = SyncSession(engine_factory(context), history_factory(context))

    def open_settings(parent: QWidget) -> bool:
        from sage_sync_desktop.gui.settings_dialog import SettingsDialog

        changed = SettingsDialog.edit(context, parent)
        if changed:
            session.reset_engine()
        return changed

    window = MainWindow(session, context, open_settings=open_settings)
    session.setParent(window)
    return window


def open_window(
    context: AppContext,
    *,
    demo: bool = False,
    screenshot: Path | None = None,
    single_instance: bool = True,
) -> int:
    app = create_application()
    CrashReporter(context.paths.log_file, interactive=screenshot is None).install()
    with ExitStack() as stack:
        if demo:
            # Imported only for the demo: it brings the sandbox and the sample company with it.
            from sage_sync_desktop.demo.demo_setup import start_demo

            context = start_demo(context, stack)
        guard = None
        if single_instance and screenshot is None:
            guard = SingleInstance(instance_key(context.paths.config_dir), app)
            if not guard.claim():
                logger.info("another copy is running; asked it to come to the front")
                return 0
            stack.callback(guard.release)
        if not demo and not context.settings_path.exists():
            from sage_sync_desktop.gui.first_run_wizard import FirstRunWizard

            FirstRunWizard.run(context, None)
        window = build_window(context)
        if guard is not None:
            guard.activation_requested.connect(lambda: bring_to_front(window))
        window.show()
        if screenshot is not None:
            shooter = screenshot_module.ScreenshotTaker(window, Path(screenshot), app)
            QTimer.singleShot(0, shooter.start)
            code = app.exec()
            return shooter.exit_code if shooter.exit_code is not None else code
        window.refresh()
        return app.exec()
