"""The History tab: the audit history newest first, filtered by contract, exported, verified."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from sage_sync_desktop.sync.history_text import describe_line
from sage_sync_desktop.gui.plain_text import PlainLabel
from sage_sync_desktop.gui import outcome_messages
from sage_sync_desktop.gui.formatting import plural
from sage_sync_desktop.gui.message_banner import MessageBanner
from sage_sync_desktop.gui.models.history_model import HistoryColumn, HistoryModel
from sage_sync_desktop.gui.sync_session import EXPORT, HISTORY, IMPORT, LINK, REIMPORT, UNLINK, VERIFY, SyncSession
from sage_sync_desktop.gui.python_painted_table import PythonPaintedTableView
from sage_sync_desktop.sync.retry_record import retry_summary


class HistoryTab(QWidget):
    """Every write to Procore, who made it and what Procore answered."""

    def __init__(self, session: SyncSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._model = HistoryModel(self)
        self._filter = QLineEdit(self)
        self._filter.setObjectName("historyContractFilter")
        self._filter.setPlaceholderText("Contract number (Enter to filter; empty for all) (Ctrl+F)")
        self._filter.setClearButtonEnabled(True)
        self._filter.returnPressed.connect(self.reload)
        self._filter.textChanged.connect(self._on_filter_text_changed)
        self._reload = QPushButton("Show", self)
        self._reload.setObjectName("historyShowButton")
        self._reload.clicked.connect(self.reload)
        self._export = QPushButton("&Export to CSV\u2026", self)
        self._export.setObjectName("exportHistoryButton")
        self._export.clicked.connect(self._on_export_clicked)
        self._verify = QPushButton("&Verify chain", self)
        self._verify.setObjectName("verifyHistoryButton")
        self._verify.setToolTip("Check that no entry was changed, deleted or moved since it was written")
        self._verify.clicked.connect(session.verify_history)
        self.banner = MessageBanner(self)
        self._table = PythonPaintedTableView(self)
        self._table.setObjectName("historyList")
        self._table.setModel(self._model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.verticalHeader().hide()
        self._table.setWordWrap(False)
        self._table.setAccessibleName("Audit history, newest first")
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(HistoryColumn.MESSAGE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((HistoryColumn.WHEN, 150), (HistoryColumn.CONTRACT, 110),
                              (HistoryColumn.ACTION, 150), (HistoryColumn.OUTCOME, 110),
                              (HistoryColumn.WINDOWS_USER, 110), (HistoryColumn.PROCORE_USER, 150)):
            header.resizeSection(column, width)
        self._table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self._lines = QPlainTextEdit(self)
        self._lines.setObjectName("historyEntryDetails")
        self._lines.setReadOnly(True)
        self._lines.setPlaceholderText("Select an entry to see each line it wrote, before and after.")

        top = QHBoxLayout()
        title = PlainLabel("History", self)
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        top.addWidget(title)
        top.addWidget(self._filter, 1)
        top.addWidget(self._reload)
        top.addWidget(self._export)
        top.addWidget(self._verify)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self._table)
        splitter.addWidget(self._lines)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        session.history_loaded.connect(self._on_session_history_loaded)
        session.history_verified.connect(self._on_session_history_verified)
        session.history_exported.connect(self._on_session_history_exported)
        session.outcomes_received.connect(self._on_session_outcomes_received)
        session.job_link_changed.connect(self._on_session_job_link_changed)
        session.work_failed.connect(self._on_session_work_failed)

    def focus_filter(self) -> None:
        self._filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._filter.selectAll()

    def model(self) -> HistoryModel:
        return self._model

    def reload(self) -> None:
        self._session.load_history(self._filter.text().strip() or None)

    def export_to(self, path: Path) -> None:
        """Export what the filter selects (every entry when it is empty)."""
        self._session.export_history(path, self._filter.text().strip() or None)

    # --- slots
    def _on_filter_text_changed(self, text: str) -> None:
        if not text:
            self.reload()

    def _on_export_clicked(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, "Export the history", str(Path.home() / "sage-sync-history.csv"), "CSV files (*.csv)"
        )
        if name:
            self.export_to(Path(name))

    def _on_table_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self._table.selectionModel().selectedRows()
        if not rows:
            self._lines.clear()
            return
        entry = self._model.entry_at(rows[0].row())
        lines = [f"Entry {entry.seq} ({entry.hash[:12]}\u2026): {entry.message}"]
        if retried := retry_summary(entry.data):
            lines.append(f"Procore calls: {retried}.")
        lines.extend(describe_line(line) for line in entry.lines)
        self._lines.setPlainText("\n".join(lines))

    def _on_session_history_loaded(self, entries: object) -> None:
        self._model.set_entries(list(entries or []))  # type: ignore[call-overload]

    def _on_session_history_verified(self, check: object) -> None:
        if getattr(check, "ok", False):
            self.banner.show_success(
                f"The history is intact: {plural(getattr(check, 'entries', 0), 'entry', 'entries')} checked.")
        else:
            self.banner.show_error(
                f"The history was altered: {getattr(check, 'problem', '')}",
                (f"First bad entry: {getattr(check, 'first_bad_seq', '')}",),
            )

    def _on_session_history_exported(self, path: str) -> None:
        self.banner.show_success(f"History exported to {path}.")

    def _on_session_outcomes_received(self, _action: str, _outcomes: object) -> None:
        self.reload()

    def _on_session_job_link_changed(self, _status: object) -> None:
        self.reload()

    def _on_session_work_failed(self, label: str, error: object) -> None:
        if label in (HISTORY, VERIFY, EXPORT):
            message = outcome_messages.for_error(label, error)
            self.banner.show_error(message.text, message.details)
        elif label in (IMPORT, REIMPORT, LINK, UNLINK):
            self.reload()
