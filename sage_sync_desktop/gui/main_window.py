"""The main window: Procore's ERP Integrations page for Sage 300 CRE (Jobs, Prime Contracts, History)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
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
from sage_sync_desktop.gui.help_window import PROCORE_SYNC_PAGE, HelpWindow
from sage_sync_desktop.gui.history_tab import HistoryTab
from sage_sync_desktop.gui.jobs_tab import JobsTab
from sage_sync_desktop.gui.models.contract_views import VIEWS, ContractView, parse_view
from sage_sync_desktop.gui.prime_contracts_tab import PrimeContractsTab
from sage_sync_desktop.gui.sync_session import REFRESH, SyncSession
from sage_sync_desktop.sync.records import CompanySnapshot

logger = logging.getLogger(__name__)

JOBS_TAB, PRIME_CONTRACTS_TAB, HISTORY_TAB = 0, 1, 2
FULL_REFRESH_TIP = ("Read everything again (Shift+F5): also the prime contracts of projects not linked to "
                    "a Sage job, every line, and your Prime Contracts permission in each linked project. "
                    "Costs more Procore requests than Refresh.")
STOP_QUESTION = "Stop after the current contract?"
BUSY_MESSAGE = "Busy: {work} is running. Refresh starts when it has finished."


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
        self._close_when_idle = False
        self._help: HelpWindow | None = None

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

        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._work_label = PlainLabel(self)
        self._work_label.setObjectName("runningWorkLabel")
        self._work_label.hide()
        self.statusBar().addPermanentWidget(self._work_label)
        self._sage_as_of = PlainLabel("Sage data as of \u2014", self)
        self._sage_as_of.setObjectName("sageAsOfLabel")
        self._procore_as_of = PlainLabel("Procore as of \u2014", self)
        self._procore_as_of.setObjectName("procoreAsOfLabel")
        self.statusBar().addWidget(self._sage_as_of)
        self.statusBar().addWidget(self._procore_as_of)

        session.snapshot_loaded.connect(self._on_session_snapshot_loaded)
        session.busy_changed.connect(self._on_session_busy_changed)
        session.work_failed.connect(self._on_session_work_failed)
        session.progress_changed.connect(self._on_session_progress_changed)
        self.prime_contracts_tab.view_changed.connect(self._on_prime_contracts_tab_view_changed)
        for banner in (self.prime_contracts_tab.banner, self.jobs_tab.banner):
            banner.action_clicked.connect(self._on_banner_action_clicked)
        self._restore_from_settings()

    # --- building
    def _action(self, name: str, text: str, slot: Any, shortcuts: tuple[str | QKeySequence, ...] = (),
                tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        keys: list[QKeySequence] = []
        for key in shortcuts:  # a platform's standard key may equal the one named (F1, Alt+F4)
            sequence = QKeySequence(key) if isinstance(key, str) else key
            if not sequence.isEmpty() and sequence not in keys:
                keys.append(sequence)
        action.setShortcuts(keys)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        # Shortcuts work whether the menu bar is visible or not (and in every tab).
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        style = self.style()
        self.refresh_action = self._action("refreshAction", "&Refresh", self._on_refresh_action_triggered,
                                           ("F5", "Ctrl+R"), "Read Sage and Procore again (F5)")
        self.refresh_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.full_refresh_action = self._action(
            "fullRefreshAction", "&Full Refresh", self._on_full_refresh_action_triggered,
            ("Shift+F5", "Ctrl+Shift+R"), FULL_REFRESH_TIP)
        self.settings_action = self._action("settingsAction", "&Settings\u2026", self._on_settings_action_triggered,
                                            ("Ctrl+,",), "Sage and Procore connections")
        self.exit_action = self._action("exitAction", "E&xit", self.close,
                                        (QKeySequence(QKeySequence.StandardKey.Quit), "Alt+F4"))
        self.filter_action = self._action("filterAction", "&Filter", self._on_filter_action_triggered,
                                          (QKeySequence(QKeySequence.StandardKey.Find),))
        self.tab_actions = [
            self._action(name, text, lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            for index, (name, text) in enumerate((("jobsTabAction", "&Jobs"),
                                                   ("primeContractsTabAction", "&Prime Contracts"),
                                                   ("historyTabAction", "&History")))
        ]
        self.view_actions: dict[ContractView, QAction] = {}
        for number, (view, info) in enumerate(VIEWS.items(), start=1):
            self.view_actions[view] = self._action(
                f"{view.value}ViewAction", f"{info.label}", lambda _=False, v=view: self.show_view(v),
                (f"Ctrl+{number}",), f"Prime Contracts: {info.title} (Ctrl+{number})")
        self.help_action = self._action("helpAction", "&User Guide", self.show_help,
                                        (QKeySequence(QKeySequence.StandardKey.HelpContents), "F1"),
                                        "How to use this app (F1)")
        self.procore_help_action = self._action("procoreHelpAction", "&Procore: Sync a Sage Prime Contract",
                                                self._on_procore_help_action_triggered,
                                                tip="Procore's own page on syncing a Sage 300 CRE prime contract")
        self.about_action = self._action("aboutAction", f"&About {APP_DISPLAY_NAME}", self.show_about)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.full_refresh_action)
        toolbar.addAction(self.settings_action)
        toolbar.addAction(self.help_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.user_label = PlainLabel("Not signed in to Procore", toolbar)
        self.user_label.setObjectName("userLabel")
        self.user_label.setContentsMargins(0, 0, 8, 0)
        toolbar.addWidget(self.user_label)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("fileMenu")
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.exit_action)
        view_menu = bar.addMenu("&View")
        view_menu.setObjectName("viewMenu")
        for action in self.tab_actions:
            view_menu.addAction(action)
        view_menu.addSeparator()
        for action in self.view_actions.values():
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.filter_action)
        view_menu.addAction(self.refresh_action)
        view_menu.addAction(self.full_refresh_action)
        self.view_menu: QMenu = view_menu
        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("helpMenu")
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.procore_help_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

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

    def show_view(self, view: ContractView) -> None:
        """One of the Prime Contracts views (Ctrl+1/2/3), with the keyboard in its list."""
        self.tabs.setCurrentIndex(PRIME_CONTRACTS_TAB)
        self.prime_contracts_tab.set_view(view)
        self.prime_contracts_tab.list_view().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_help(self) -> None:
        if self._help is None:
            self._help = HelpWindow(self)
        self._help.show()
        self._help.raise_()
        self._help.activateWindow()

    def help_window(self) -> HelpWindow | None:
        return self._help

    def ask_stop_after_current(self) -> bool:
        """Closing during Add to Procore or Re-Import: True to stop after the contract in hand.
        Tests replace this method."""
        box = QMessageBox(QMessageBox.Icon.Question, "Close while contracts are being sent", STOP_QUESTION,
                          QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(
            f"{self._work_label.text() or 'Contracts are being sent to Procore.'}\n\n"
            "The contract being sent now is finished first (its lines and approval), so Procore "
            "never keeps half of it; the contracts after it are not sent. The window closes then.")
        stop = box.addButton("Stop and Close", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("Keep Working", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is stop

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_DISPLAY_NAME}",
            f"<b>{APP_DISPLAY_NAME}</b> {__version__}<br>"
            "Imports Sage 300 CRE prime contracts into Procore, one way, with a line-by-line "
            "preview and an audit history.",
        )

    # --- settings
    def _set_procore_environment(self, settings: Any) -> None:
        try:
            environment = settings.procore_environment()
        except (SageSyncError, ValueError):  # not set up yet: no links into Procore
            environment = None
        self.prime_contracts_tab.set_procore_environment(environment)

    def _restore_from_settings(self) -> None:
        try:
            settings = self._context.load_settings()
        except SageSyncError as exc:
            logger.warning("settings not readable for the window: %s", exc)
            return
        self._set_procore_environment(settings)
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
        if self._session.writing_contracts or (self._close_when_idle and self._session.busy):
            # Never cut a contract in half: stop between contracts, then close.
            event.ignore()
            if not self._close_when_idle and self.ask_stop_after_current():
                self._close_when_idle = True
                self._session.stop_after_current()
                self.prime_contracts_tab.progress.show_stopping()
                self.statusBar().showMessage(
                    "Stopping after the current contract; the window closes when it is complete.")
            return
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
        if user.erp_tool_present:
            self.user_label.setText(f"{user.name} \u00b7 {user.company_name}")
            self.user_label.setToolTip(plain_tooltip(f"Signed in to Procore as {user.login}; "
                                                     f"{user.erp_integrations.value} on ERP Integrations"))
        else:
            self.user_label.setText(f"{user.name} \u00b7 {user.company_name} \u00b7 no ERP Integrations tool")
            self.user_label.setToolTip(plain_tooltip(f"Signed in to Procore as {user.login}. {user.erp_tool_note}"))
        self.snapshot_shown.emit()

    def _on_session_busy_changed(self, busy: bool) -> None:
        if not busy and self._close_when_idle:
            QTimer.singleShot(0, self.close)  # after the outcome has reached the page
            return
        if not busy and self._refresh_pending:
            self.refresh()
            return
        # Refresh stays enabled so F5 can say why it waits (a greyed action says nothing).
        self.refresh_action.setToolTip(
            "Working: Refresh waits for the current job to finish" if busy else "Read Sage and Procore again (F5)")
        if not busy:
            self._work_label.hide()
            self._work_label.clear()

    def _on_session_progress_changed(self, percent: int, message: str) -> None:
        if self._session.busy and message:
            self._work_label.setText(f"{message} \u2014 {percent}%")
            self._work_label.show()

    def _on_refresh_action_triggered(self) -> None:
        self._refresh_or_say_busy(full=False)

    def _on_full_refresh_action_triggered(self) -> None:
        self._refresh_or_say_busy(full=True)

    def _refresh_or_say_busy(self, *, full: bool) -> None:
        if self._session.busy:
            work = self._work_label.text().split(" \u2014 ")[0] or "other work"
            self.statusBar().showMessage(BUSY_MESSAGE.format(work=work), 10_000)
        self.refresh(full=full)

    def _on_procore_help_action_triggered(self) -> None:
        QDesktopServices.openUrl(QUrl(PROCORE_SYNC_PAGE))

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

    def _on_banner_action_clicked(self, action: str) -> None:
        if action == outcome_messages.OPEN_SETTINGS:
            self._on_settings_action_triggered()

    def _on_settings_action_triggered(self) -> None:
        if self._open_settings is not None and self._open_settings(self):
            try:
                self._set_procore_environment(self._context.load_settings())
            except SageSyncError as exc:
                logger.warning("settings not readable for the window: %s", exc)
            self.refresh()
