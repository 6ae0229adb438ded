"""`--screenshot FILE`: load the data, show the Prime Contracts tab with a diff, save a PNG, quit."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from sage_sync_desktop.gui import outcome_messages
from sage_sync_desktop.gui.main_window import PRIME_CONTRACTS_TAB, MainWindow
from sage_sync_desktop.gui.models.contract_views import ContractView
from sage_sync_desktop.sync.records import CompanySnapshot, ContractState

logger = logging.getLogger(__name__)

TIMEOUT_MS = 180_000
SETTLE_MS = 400  # lets layouts and the diff table paint before the grab


class ScreenshotTaker(QObject):
    """Drives the window through one refresh and grabs it; `exit_code` is set when done."""

    def __init__(self, window: MainWindow, path: Path, app: QApplication) -> None:
        super().__init__(window)
        self._window = window
        self._path = Path(path)
        self._app = app
        self.exit_code: int | None = None
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(self._on_timeout_timeout)

    def start(self) -> None:
        session = self._window.session
        session.snapshot_loaded.connect(self._on_session_snapshot_loaded)
        session.work_failed.connect(self._on_session_work_failed)
        self._timeout.start(TIMEOUT_MS)
        self._window.refresh()

    def _on_session_snapshot_loaded(self, snapshot: object) -> None:
        if not isinstance(snapshot, CompanySnapshot):
            return
        window = self._window
        window.tabs.setCurrentIndex(PRIME_CONTRACTS_TAB)
        tab = window.prime_contracts_tab
        tab.set_view(ContractView.SYNCED)
        with_changes = [s.number for s in snapshot.statuses if s.state is ContractState.CHANGES_READY]
        if with_changes:
            tab.select_contracts(with_changes[:1])
            tab.list_view().setFocus()
        QTimer.singleShot(SETTLE_MS, self._grab)

    def _grab(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        pixmap = self._window.grab()
        if pixmap.save(str(self._path), "PNG"):
            logger.info("screenshot saved to %s", self._path)
            print(f"screenshot saved to {self._path}")
            self._finish(0)
        else:
            print(f"error: could not write {self._path}", file=sys.stderr)
            self._finish(1)

    def _on_session_work_failed(self, label: str, error: object) -> None:
        message = outcome_messages.for_error(label, error)
        print(f"error: {message.text}", file=sys.stderr)
        self._finish(3)

    def _on_timeout_timeout(self) -> None:
        print(f"error: the data did not load within {TIMEOUT_MS // 1000} s", file=sys.stderr)
        self._finish(3)

    def _finish(self, code: int) -> None:
        if self.exit_code is None:
            self.exit_code = code
            self._timeout.stop()
            self._window.close()
            self._app.quit()
