"""The Prime Contracts tab: views sidebar, the contract list, the line-item diff and the actions."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sage_sync_desktop.gui.plain_text import PlainLabel
from sage_sync_desktop.gui import outcome_messages
from sage_sync_desktop.gui.column_fit import ColumnFitter
from sage_sync_desktop.gui.confirm_send_dialog import ConfirmSendDialog
from sage_sync_desktop.gui.diff_panel import DiffPanel
from sage_sync_desktop.gui.message_banner import MessageBanner
from sage_sync_desktop.gui.models.contract_views import (
    VIEWS,
    ContractView,
    view_counts,
)
from sage_sync_desktop.gui.models.contract_list_model import (
    Column,
    ContractListModel,
    prepare_provisional_rows,
    prepare_rows,
)
from sage_sync_desktop.gui.models.line_diff_model import LineDiffModel
from sage_sync_desktop.gui.progress_panel import ProgressPanel
from sage_sync_desktop.gui.reimport_dialog import ReimportDialog
from sage_sync_desktop.gui.python_painted_table import PythonPaintedTableView
from sage_sync_desktop.gui.static_header import serve_header_from_copy
from sage_sync_desktop.gui.sync_session import IMPORT, REFRESH, REIMPORT, SyncSession
from sage_sync_desktop.gui.procore_links import ProcoreLinks
from sage_sync_desktop.procore.environments import ProcoreEnvironment
from sage_sync_desktop.sync import send_preview
from sage_sync_desktop.sync.records import CompanySnapshot, ContractDiff, ContractStatus

logger = logging.getLogger(__name__)

_ROWS = "prime_contract_rows"
MAX_DIFFS_LOADED = 50
_FIXED_WIDTHS = {Column.CONTRACT: 80, Column.JOB: 55, Column.SAGE_TOTAL: 115, Column.PROCORE_TOTAL: 115}
# (weight, minimum): these share what is left, so Status is never cut off in a small window.
_FLEXIBLE_WIDTHS = {Column.DESCRIPTION: (2, 110), Column.PROCORE_PROJECT: (2, 100), Column.STATUS: (3, 200),
                    Column.BLOCKED_BECAUSE: (5, 220)}
EMPTY_VIEW = {
    ContractView.READY: "No contract is ready to import: the approved contracts of linked jobs are all in "
                        "Procore already; Not Ready says what blocks the others.",
    ContractView.SYNCED: "No contract is in Procore yet: send them with Add to Procore from Ready to Import.",
    ContractView.NOT_READY: "No contract is blocked: every contract is ready to import or in Procore.",
}


class PrimeContractsTab(QWidget):
    """Procore's Prime Contracts tab of the ERP Integrations page, over the engine's snapshot.

    Signals:
        view_changed(str): the chosen sidebar view ("ready", "synced", "not_ready").
    """

    view_changed = Signal(str)

    def __init__(self, session: SyncSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._diffs: dict[str, ContractDiff] = {}  # loaded on demand for the current snapshot
        self._requested: set[str] = set()

        self._view = ContractView.READY
        # The list shows the model itself: it filters and sorts in Python (see ContractListModel).
        self._model = ContractListModel(self)
        self._model.set_view(self._view)
        self._diff_model = LineDiffModel(self)

        self._title = PlainLabel(self)
        self._title.setObjectName("primeContractsTitle")
        self._title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self._filter = QLineEdit(self)
        self._filter.setObjectName("contractFilter")
        self._filter.setPlaceholderText("Filter by contract, job, project or description (Ctrl+F)")
        self._filter.setClearButtonEnabled(True)
        self._filter.setAccessibleName("Filter contracts")
        self._filter.textChanged.connect(self._on_filter_text_changed)
        self.banner = MessageBanner(self)
        self.progress = ProgressPanel(self)
        self.progress.cancel_requested.connect(session.cancel)

        self._list = PythonPaintedTableView(self)
        self._list.setObjectName("primeContractsList")
        self._list.setModel(self._model)
        serve_header_from_copy(self._list)
        self._list.setSortingEnabled(True)
        self._list.sortByColumn(Column.CONTRACT, Qt.SortOrder.AscendingOrder)
        self._list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self._list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._list.setAlternatingRowColors(True)
        self._list.setWordWrap(False)
        # Tab moves on to the next area: cell-by-cell Tab silently changed the selected contract.
        self._list.setTabKeyNavigation(False)
        self._list.verticalHeader().hide()
        self._list.setAccessibleName("Prime contracts")
        # Widths from the room there is, never ResizeToContents: measuring thousands of rows
        # would freeze the window.
        self._list.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._fitter = ColumnFitter(self._list, _FIXED_WIDTHS, _FLEXIBLE_WIDTHS)
        self._empty = PlainLabel(self)
        self._empty.setObjectName("emptyListMessage")
        self._empty.setWordWrap(True)
        self._empty.setStyleSheet("color: #4a4f55; padding: 4px 2px;")
        self._empty.hide()
        self._model.modelReset.connect(self._update_empty)
        self._model.layoutChanged.connect(self._update_empty)
        self._list.selectionModel().selectionChanged.connect(self._on_list_selection_changed)

        self._diff_panel = DiffPanel(self._diff_model, self)
        self._diff_panel.import_clicked.connect(self._on_diff_panel_import_clicked)
        self._diff_panel.reimport_clicked.connect(self._on_diff_panel_reimport_clicked)
        self._diff_panel.overwrite_clicked.connect(self._on_diff_panel_overwrite_clicked)
        self.links = ProcoreLinks(self._diff_panel, self._list, self.selected_statuses, self)

        self._views = QListWidget(self)
        self._views.setObjectName("primeContractsViews")
        self._views.setAccessibleName("Prime contract views")
        self._views.setFixedWidth(200)
        self._views.setStyleSheet("QListWidget#primeContractsViews::item { padding: 8px 6px; }")
        for view, info in VIEWS.items():
            item = QListWidgetItem(info.label, self._views)
            item.setData(Qt.ItemDataRole.UserRole, view.value)
        self._views.currentRowChanged.connect(self._on_views_current_row_changed)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("primeContractsSplitter")
        splitter.addWidget(self._list)
        splitter.addWidget(self._diff_panel)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 420])
        splitter.setChildrenCollapsible(False)

        heading = QHBoxLayout()
        heading.addWidget(self._title, 1)
        heading.addWidget(self._filter, 1)
        main = QVBoxLayout()
        main.addLayout(heading)
        main.addWidget(self.banner)
        main.addWidget(self.progress)
        main.addWidget(self._empty)
        main.addWidget(splitter, 1)
        side = QVBoxLayout()
        side_title = PlainLabel("Views", self)
        side_title.setStyleSheet("font-weight: 600;")
        side.addWidget(side_title)
        side.addWidget(self._views, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(main, 1)
        layout.addLayout(side)
        self.setTabOrder(self._filter, self._list)
        self.setTabOrder(self._list, self._diff_panel)
        self.setTabOrder(self._diff_panel, self._views)

        session.add_snapshot_preparer(_ROWS, lambda snapshot: prepare_rows(snapshot.statuses))
        session.add_sage_preparer(_ROWS, lambda company: prepare_provisional_rows(company.contracts))
        session.sage_loaded.connect(self._on_session_sage_loaded)
        session.snapshot_loaded.connect(self._on_session_snapshot_loaded)
        session.diff_loaded.connect(self._on_session_diff_loaded)
        session.outcomes_received.connect(self._on_session_outcomes_received)
        session.work_failed.connect(self._on_session_work_failed)
        session.busy_changed.connect(self._on_session_busy_changed)
        session.progress_changed.connect(self._on_session_progress_changed)
        self.set_view(ContractView.READY)

    # --- our API
    @property
    def view(self) -> ContractView:
        return self._view

    def set_view(self, view: ContractView) -> None:
        row = list(VIEWS).index(view)
        if self._views.currentRow() == row:
            self._apply_view(view)
        else:
            self._views.setCurrentRow(row)  # the slot applies the view

    def focus_filter(self) -> None:
        self._filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._filter.selectAll()

    def list_view(self) -> QTableView:
        return self._list

    def set_procore_environment(self, environment: ProcoreEnvironment | None) -> None:
        """Where the links into Procore's web pages go (None: no links)."""
        self.links.set_environment(environment)

    def diff_table(self) -> QTableView:
        return self._diff_panel.table()

    def diff_model(self) -> LineDiffModel:
        return self._diff_model

    def select_contracts(self, numbers: Sequence[str]) -> int:
        """Select these contracts in the current view; returns how many were found."""
        wanted = {n.strip() for n in numbers}
        selection = QItemSelection()
        last = None
        for row in range(self._model.rowCount()):
            index = self._model.index(row, 0)
            if index.data(Qt.ItemDataRole.UserRole) in wanted:
                selection.select(index, self._model.index(row, self._model.columnCount() - 1))
                last = index
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self._list.selectionModel().select(selection, flags)
        if last is not None:
            self._list.selectionModel().setCurrentIndex(last, QItemSelectionModel.SelectionFlag.NoUpdate)
            self._list.scrollTo(last)
        return len(selection.indexes()) // max(1, self._model.columnCount())

    def selected_statuses(self) -> list[ContractStatus]:
        rows = sorted({index.row() for index in self._list.selectionModel().selectedRows()})
        statuses = (self._model.status_at(r) for r in rows)
        return [status for status in statuses if status is not None]

    # --- internals
    def _apply_view(self, view: ContractView) -> None:
        info = VIEWS[view]
        self._title.setText(info.title)
        self._view = view
        self._model.set_view(view)
        not_ready = view is ContractView.NOT_READY
        # In Not Ready the status says nothing the reasons do not, and they need the room; the
        # Procore total stays: a blocked contract may already be in Procore (twice, elsewhere).
        self._list.setColumnHidden(Column.BLOCKED_BECAUSE, not not_ready)
        self._list.setColumnHidden(Column.STATUS, not_ready)
        self._fitter.fit()
        self._update_empty()
        self._diff_panel.set_view(view)
        self._list.clearSelection()
        self._show_selection()

    def empty_text(self) -> str:
        return self._empty.text() if not self._empty.isHidden() else ""

    def _update_empty(self, *_args: object) -> None:
        """An empty list says why it is empty (only once there is data to judge by)."""
        if self._model.rowCount() or self._session.snapshot is None:
            self._empty.hide()
            return
        words = self._filter.text().strip()
        self._empty.setText(f"No contract in this view matches \u201c{words}\u201d." if words
                            else EMPTY_VIEW[self._view])
        self._empty.show()

    def _update_counts(self, statuses: Sequence[ContractStatus]) -> None:
        counts = view_counts(statuses)
        for row, (view, info) in enumerate(VIEWS.items()):
            item = self._views.item(row)
            item.setText(f"{info.label}  ({counts[view]})")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{info.label}, {counts[view]} contracts")

    def _show_selection(self) -> None:
        self.links.update()
        statuses = self.selected_statuses()
        diffs = [status.diff or self._diffs.get(status.number) for status in statuses]
        self._diff_model.set_contracts(statuses, diffs)
        missing = [
            status.number for status, diff in zip(statuses, diffs, strict=True)
            if diff is None and status.number not in self._requested
        ]
        # A select-all of thousands of contracts shows the diffs already known; asking the
        # engine for each would only queue work nobody reads.
        if missing and len(statuses) <= MAX_DIFFS_LOADED:
            self._requested.update(missing)
            self._session.load_diffs(missing)

    # --- slots
    def _on_views_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(VIEWS):
            view = list(VIEWS)[row]
            self._apply_view(view)
            self.view_changed.emit(view.value)

    def _on_filter_text_changed(self, text: str) -> None:
        self._model.set_filter_text(text)

    def _on_list_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_selection()

    def _on_session_snapshot_loaded(self, snapshot: object) -> None:
        if not isinstance(snapshot, CompanySnapshot):
            return
        keep = [s.number for s in self.selected_statuses()]
        self._diffs.clear()
        self._requested.clear()
        rows = self._session.prepared(_ROWS)
        if isinstance(rows, list) and len(rows) == len(snapshot.statuses):
            self._model.set_rows(rows)
        else:
            self._model.set_statuses(snapshot.statuses)
        self._title.setText(VIEWS[self._view].title)
        self._update_counts(snapshot.statuses)
        self._update_empty()
        if keep:
            self.select_contracts(keep)
        self._show_selection()

    def _on_session_sage_loaded(self, company: object, prepared: object) -> None:
        rows = prepared.get(_ROWS) if isinstance(prepared, dict) else None
        if self._session.snapshot is not None or not isinstance(rows, list):
            return
        self._model.set_rows(rows)
        # Lay the list out now: its scroll bar appears in this pass, so the columns are refitted
        # before the first paint instead of painting every cell twice.
        self._list.doItemsLayout()
        self._title.setText(f"{VIEWS[self._view].title} \u2014 checking Procore\u2026")
        for row, info in enumerate(VIEWS.values()):
            self._views.item(row).setText(f"{info.label}  (\u2026)")

    def _on_session_diff_loaded(self, number: str, diff: object) -> None:
        if isinstance(diff, ContractDiff):
            self._diffs[number] = diff
            if number in {s.number for s in self._diff_model.statuses()}:
                self._diff_model.set_diff(number, diff)

    def _on_diff_panel_import_clicked(self, numbers: list) -> None:
        if not ConfirmSendDialog.ask(self._diff_model.preview(send_preview.IMPORT), self):
            return
        self.banner.hide()
        self._session.import_contracts(numbers)

    def _on_diff_panel_overwrite_clicked(self, numbers: list) -> None:
        if not ConfirmSendDialog.ask(self._diff_model.preview(send_preview.OVERWRITE), self):
            return
        self.banner.hide()
        self._session.reimport_contracts(numbers, overwrite_procore_edits=True)

    def _on_diff_panel_reimport_clicked(self, numbers: list) -> None:
        summary = self._diff_model.reimport_summary()
        decision = ReimportDialog.ask(summary, self, overwriting=self._diff_model.reimport_summary(overwrite=True))
        if decision is None:
            return
        self.banner.hide()
        self._session.reimport_contracts(numbers, overwrite_procore_edits=decision.overwrite_procore_edits)

    def _on_session_outcomes_received(self, action: str, outcomes: object) -> None:
        message = outcome_messages.for_outcomes(action, list(outcomes or []))  # type: ignore[call-overload]
        self._show_message(message)

    def _show_message(self, message: outcome_messages.PageMessage) -> None:
        if message.neutral:
            self.banner.show_info(message.text, message.details)
        elif message.ok:
            self.banner.show_success(message.text, message.details)
        else:
            action = (message.action, "Open Settings\u2026") if message.action else None
            self.banner.show_error(message.text, message.details, action=action)

    def _on_session_work_failed(self, label: str, error: object) -> None:
        if label not in (REFRESH, IMPORT, REIMPORT):
            return
        if label == REFRESH and self._model.provisional:
            self._title.setText(f"{VIEWS[self._view].title} \u2014 Procore could not be read")
        self._show_message(outcome_messages.for_error(label, error))

    def _on_session_busy_changed(self, busy: bool) -> None:
        self._diff_panel.set_busy(busy)
        if busy:
            self.progress.start("Working\u2026")
        else:
            self.progress.stop()

    def _on_session_progress_changed(self, percent: int, message: str) -> None:
        self.progress.set_progress(percent, message)
