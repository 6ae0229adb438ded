"""The History tab: audit entries, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from sage_sync_desktop.gui.plain_text import plain_tooltip
from sage_sync_desktop.gui.models.record_table_model import RecordTableModel
from sage_sync_desktop.gui import state_style
from sage_sync_desktop.sync.retry_record import retry_summary

_Index = QModelIndex | QPersistentModelIndex


class HistoryColumn(IntEnum):
    WHEN = 0
    CONTRACT = 1
    ACTION = 2
    OUTCOME = 3
    MESSAGE = 4
    WINDOWS_USER = 5
    PROCORE_USER = 6


class HistoryRole(IntEnum):
    RECORD = int(Qt.ItemDataRole.UserRole) + 1


HEADERS = {
    HistoryColumn.WHEN: "When",
    HistoryColumn.CONTRACT: "Contract / Job",
    HistoryColumn.ACTION: "Action",
    HistoryColumn.OUTCOME: "Result",
    HistoryColumn.MESSAGE: "What happened",
    HistoryColumn.WINDOWS_USER: "Windows User",
    HistoryColumn.PROCORE_USER: "Procore User",
}
_ACTIONS = {"import": "Add to Procore", "reimport": "Re-Import", "link_job": "Link job", "unlink_job": "Unlink job"}
_OUTCOME_LOOKS = {
    "ok": state_style.Look("OK", "#1b5e20", "", "check"),
    "started": state_style.Look("Started", "#24527a", "", "square"),
    "partial": state_style.Look("Partly done", "#7a4b00", "", "delta"),
    "cancelled": state_style.Look("Cancelled", "#7a4b00", "", "minus"),
    "failed": state_style.Look("Failed", "#a31515", "", "cross"),
    "blocked": state_style.Look("Blocked", "#a31515", "", "cross"),
}


def local_time(at: str) -> str:
    """The entry's UTC time shown in this computer's time zone."""
    try:
        return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at


def display_text(entry: Any, column: HistoryColumn) -> str:
    if column is HistoryColumn.WHEN:
        return local_time(entry.at)
    if column is HistoryColumn.CONTRACT:
        return entry.contract or (f"Job {entry.job}" if entry.job else "")
    if column is HistoryColumn.ACTION:
        action = _ACTIONS.get(entry.action, entry.action)
        return action if entry.phase in ("finished", "") else f"{action} ({entry.phase})"
    if column is HistoryColumn.OUTCOME:
        look = _OUTCOME_LOOKS.get(entry.outcome)
        return look.text if look else entry.outcome
    if column is HistoryColumn.MESSAGE:
        return f"{entry.message} Procore said: {entry.procore_error}" if entry.procore_error else entry.message
    if column is HistoryColumn.WINDOWS_USER:
        return entry.windows_user
    return entry.procore_user


def tooltip_text(entry: Any) -> str:
    """The message, plus what the transport retried for this contract (when it retried)."""
    retried = retry_summary(entry.data)
    text = display_text(entry, HistoryColumn.MESSAGE)
    return f"{text}\n{retried}." if retried else text


class HistoryModel(RecordTableModel):
    """Read-only table of history entries (the engine's HistoryEntry), newest first."""

    COLUMNS = HistoryColumn
    HEADERS = HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_entries(self, entries: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = sorted(entries, key=lambda e: e.seq, reverse=True)
        self.endResetModel()

    def entry_at(self, row: int) -> Any:
        return self._rows[row]

    # --- Qt overrides
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        entry, column = self._rows[index.row()], HistoryColumn(index.column())
        if role == Qt.ItemDataRole.ToolTipRole and column is HistoryColumn.MESSAGE:
            return plain_tooltip(tooltip_text(entry))
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(display_text(entry, column))
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(entry, column)
        if role == Qt.ItemDataRole.UserRole:
            return entry.seq
        if role == HistoryRole.RECORD:
            return entry
        if column is HistoryColumn.OUTCOME and (look := _OUTCOME_LOOKS.get(entry.outcome)):
            if role == Qt.ItemDataRole.DecorationRole:
                return state_style.glyph_icon(look.glyph, look.foreground)
            if role == Qt.ItemDataRole.ForegroundRole:
                return state_style.brush(look.foreground)
        return None

