"""The main window: Procore's ERP Integrations page for Sage 300 CRE (Jobs, Prime Contracts, History)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStyle,
    QTabWidget,
    QToolBar,
    QWidget,
)

from sage_sync_desktop.gui.plain_text import PlainLabel, plain_tooltip
from sage_sync_desktop import __version__
from sage_sync_desktop.app_info import APP_DISPLAY_NAME, WINDOW_TITLE
from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.gui import outcome_messages
from sage_sync_desktop.gui.app_icon import app_icon
from sage_sync_desktop.gui.formatting import timestamp
from sage_sync_desktop.gui.history_tab import HistoryTab
from sage_sync_desktop.gui.jobs_tab import JobsTab
from sage_sync_desktop.gui.models.contract_filter_proxy import parse_view
from sage_sync_desktop.gui.prime_contracts_tab import PrimeContractsTab
from sage_sync_desktop.gui.sync_session import REFRESH, SyncSession
from sage_sync_desktop.sync.records import CompanySnapshot

logger = logging.getLogger(__name__)

JOBS_TAB, PRIME_CONTRACTS_TAB, HISTORY_TAB = 0, 1, 2
FULL_REFRESH_TIP = ("Read everything again (Shift+F5): also the prime contracts of projects not linked to "
                    "a Sage job, every line, and your Prime Contracts permission in each linked project. "
                    "Costs more Procore requests than Refresh.")


class MainWindow(QMainWindow):
    """Toolbar (Refresh, Full refresh, Settings, signed-in user), the three tabs and the "as of" status bar.

    `context` is the AppContext (load_settings/save_settings); `open_settings(parent)` shows the
    settings dialog and returns True when settings changed.

    Signals:
        snapshot_shown(): a refresh's data reached every tab.
    """

    snapshot_shown = Signal()

    def __init__(
        self,
        session: SyncSession,
        context: Any,
        *,
        open_settings: Callable[[QWidget], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(WINDOW_TITLE)
        self.setWindowIcon(app_icon())
        self._session = session
        self._context = context
        self._open_settings = open_settings
        self._refresh_pending = False
        self._full_refresh_pending = False

        self.jobs_tab = JobsTab(session, self)
        self.prime_contracts_tab = PrimeContractsTab(session, self)
        self.history_tab = HistoryTab(session, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("erpTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.jobs_tab, "&Jobs")
        self.tabs.addTab(self.prime_contracts_tab, "&Prime Contracts")
        self.tabs.addTab(self.history_tab, "&History")
        self.tabs.setCurrentIndex(PRIME_CONTRACTS_TAB)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.setCentralWidget(self.tabs)

        self._build_toolbar()
        self._sage_as_of = PlainLabel("Sage data as of \u2014", self)
        self._sage_as_of.setObjectName("sageAsOfLabel")
        self._procore_as_of = PlainLabel("Procore as of \u2014", self)
        self._procore_as_of.setObjectName("procoreAsOfLabel")
        self.statusBar().addWidget(self._sage_as_of)
        self.statusBar().addWidget(self._procore_as_of)

        session.snapshot_loaded.connect(self._on_session_snapshot_loaded)
        session.busy_changed.connect(self._on_session_busy_changed)
        session.work_failed.connect(self._on_session_work_failed)
        self.prime_contracts_tab.view_changed.connect(self._on_prime_contracts_tab_view_changed)
        self._restore_from_settings()

    # --- building
    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        style = self.style()
        self.refresh_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Refresh", self)
        self.refresh_action.setObjectName("refreshAction")
        self.refresh_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.refresh_action.setToolTip("Read Sage and Procore again (F5)")
        self.refresh_action.triggered.connect(self.refresh)
        self.full_refresh_action = QAction("Full refresh", self)
        self.full_refresh_action.setObjectName("fullRefreshAction")
        self.full_refresh_action.setShortcuts([QKeySequence("Shift+F5"), QKeySequence("Ctrl+Shift+R")])
        self.full_refresh_action.setToolTip(FULL_REFRESH_TIP)
        self.full_refresh_action.triggered.connect(self.full_refresh)
        self.settings_action = QAction("Settings\u2026", self)
        self.settings_action.setObjectName("settingsAction")
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self._on_settings_action_triggered)
        self.about_action = QAction("About", self)
        self.about_action.setObjectName("aboutAction")
        self.about_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.about_action.triggered.connect(self.show_about)
        self.filter_action = QAction("Filter", self)
        self.filter_action.setObjectName("filterAction")
        self.filter_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.filter_action.triggered.connect(self._on_filter_action_triggered)
        self.addAction(self.filter_action)
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.full_refresh_action)
        toolbar.addAction(self.settings_action)
        toolbar.addAction(self.about_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.user_label = PlainLabel("Not signed in to Procore", toolbar)
        self.user_label.setObjectName("userLabel")
        self.user_label.setContentsMargins(0, 0, 8, 0)
        toolbar.addWidget(self.user_label)

    # --- our API
    @property
    def session(self) -> SyncSession:
        return self._session

    def refresh(self, *, full: bool = False) -> None:
        """Read Sage and Procore again; while other work runs, once it has finished."""
        if self._session.busy:
            self._refresh_pending = True
            self._full_refresh_pending = self._full_refresh_pending or full
        else:
            full = full or self._full_refresh_pending
            self._refresh_pending = self._full_refresh_pending = False
            self._session.refresh(full=full)

    def full_refresh(self) -> None:
        self.refresh(full=True)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_DISPLAY_NAME}",
            f"<b>{APP_DISPLAY_NAME}</b> {__version__}<br>"
            "Imports Sage 300 CRE prime contracts into Procore, one way, with a line-by-line "
            "preview and an audit history.",
        )

    # --- settings
    def _restore_from_settings(self) -> None:
        try:
            settings = self._context.load_settings()
        except SageSyncError as exc:
            logger.warning("settings not readable for the window: %s", exc)
            return
        self.prime_contracts_tab.set_view(parse_view(settings.gui.prime_contracts_view))
        if settings.gui.window_geometry:
            try:
                raw = base64.b64decode(settings.gui.window_geometry.encode("ascii"), validate=True)
            except ValueError:
                raw = b""
            if raw and self.restoreGeometry(QByteArray(raw)):
                return
        self.resize(1380, 860)

    def _save_gui_settings(self, **changes: str) -> None:
        try:
            settings = self._context.load_settings()
            self._context.save_settings(settings.with_changes(gui=changes))
        except (SageSyncError, OSError) as exc:
            logger.warning("could not save window settings: %s", exc)

    # --- Qt overrides
    def closeEvent(self, event: QCloseEvent) -> None:
        geometry = base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii")
        self._save_gui_settings(window_geometry=geometry)
        # Hidden first: stopping a running job at its next safe point can take a moment.
        self.hide()
        self._session.shutdown()
        super().closeEvent(event)

    # --- slots
    def _on_session_snapshot_loaded(self, snapshot: object) -> None:
        if not isinstance(snapshot, CompanySnapshot):
            return
        self._sage_as_of.setText(f"Sage data as of {timestamp(snapshot.sage_read_at)}")
        self._procore_as_of.setText(f"Procore as of {timestamp(snapshot.procore_read_at)}")
        user = snapshot.user
        self.user_label.setText(f"{user.name} \u00b7 {user.company_name}")
        self.user_label.setToolTip(plain_tooltip(f"Signed in to Procore as {user.login}; "
                                                 f"{user.erp_integrations.value} on ERP Integrations"))
        self.snapshot_shown.emit()

    def _on_session_busy_changed(self, busy: bool) -> None:
        if not busy and self._refresh_pending:
            self.refresh()
            return
        self.refresh_action.setEnabled(not busy)
        self.full_refresh_action.setEnabled(not busy)
        self.full_refresh_action.setToolTip("Working: wait for the current job to finish" if busy else FULL_REFRESH_TIP)
        self.refresh_action.setToolTip(
            "Working: wait for the current job to finish" if busy else "Read Sage and Procore again (F5)")

    def _on_session_work_failed(self, label: str, error: object) -> None:
        if label == REFRESH and self.tabs.currentIndex() != PRIME_CONTRACTS_TAB:
            message = outcome_messages.for_error(label, error)
            self.statusBar().showMessage(message.text, 15_000)

    def _on_tabs_current_changed(self, index: int) -> None:
        if index == HISTORY_TAB:
            self.history_tab.reload()

    def _on_prime_contracts_tab_view_changed(self, view: str) -> None:
        self._save_gui_settings(prime_contracts_view=view)

    def _on_filter_action_triggered(self) -> None:
        focus = getattr(self.tabs.currentWidget(), "focus_filter", None)
        if callable(focus):
            focus()

    def _on_settings_action_triggered(self) -> None:
        if self._open_settings is not None and self._open_settings(self):
            self.refresh()
