"""The Prime Contracts list: one row per Sage contract with its sync state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from sage_sync_desktop.gui.plain_text import plain_tooltip
from sage_sync_desktop.gui.models.contract_views import VIEWS, ContractView
from sage_sync_desktop.gui.models.record_table_model import RecordTableModel
from sage_sync_desktop.gui import formatting, state_style
from sage_sync_desktop.sage.records import SageContract
from sage_sync_desktop.sync.records import ContractState, ContractStatus

_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    CONTRACT = 0
    DESCRIPTION = 1
    JOB = 2
    PROCORE_PROJECT = 3
    SAGE_TOTAL = 4
    PROCORE_TOTAL = 5
    STATUS = 6
    BLOCKED_BECAUSE = 7  # shown in the Not Ready view only


class ContractRole(IntEnum):
    # Qt.ItemDataRole.UserRole itself carries the trimmed contract number (the agreed contract
    # with tests and accessibility tools); our own roles start after it.
    RECORD = int(Qt.ItemDataRole.UserRole) + 1
    SORT_KEY = int(Qt.ItemDataRole.UserRole) + 2
    HAYSTACK = int(Qt.ItemDataRole.UserRole) + 3  # every column's text, casefolded, for the filter


HEADERS = {
    Column.CONTRACT: "Contract",
    Column.DESCRIPTION: "Description",
    Column.JOB: "Job",
    Column.PROCORE_PROJECT: "Procore Project",
    Column.SAGE_TOTAL: "Sage Total",
    Column.PROCORE_TOTAL: "Procore Total",
    Column.STATUS: "Status",
    Column.BLOCKED_BECAUSE: "Blocked Because",
}

_MONEY_COLUMNS = (Column.SAGE_TOTAL, Column.PROCORE_TOTAL)


def status_text(status: ContractStatus) -> str:
    text = state_style.CONTRACT_LOOKS[status.state].text
    if status.state is ContractState.CHANGES_READY and status.diff is not None:
        counts = status.diff.counts
        parts = [
            f"{n} {label}"
            for n, label in ((counts.added, "new"), (counts.changed, "changed"), (counts.removed, "removed"))
            if n
        ]
        if parts:
            text += f" ({', '.join(parts)})"
    elif status.state is ContractState.SYNCED and status.diff is not None and status.diff.counts.kept:
        kept = status.diff.counts.kept
        text += f" ({kept} Procore edit{'s' if kept != 1 else ''} kept)"
    if status.may_not_write:
        text += " \u2014 you may not write it"
    return text


def blocked_because(status: ContractStatus) -> str:
    return "; ".join(reason.message for reason in status.reasons)


def job_text(contract: SageContract) -> str:
    """The contract's job; every job when its items name several (blocked as several_jobs)."""
    if len(contract.jobs) > 1:
        return ", ".join(contract.jobs)
    return contract.job_number or ""


def display_text(status: ContractStatus, column: Column) -> str:
    if column is Column.CONTRACT:
        return status.number
    if column is Column.DESCRIPTION:
        return status.contract.description
    if column is Column.JOB:
        return job_text(status.contract)
    if column is Column.PROCORE_PROJECT:
        if len(status.procore_projects) > 1:
            return ", ".join(formatting.project_label(p) for p in status.procore_projects)
        project = status.procore.project if status.procore else status.project
        return formatting.project_label(project)
    if column is Column.SAGE_TOTAL:
        return formatting.money(status.sage_total)
    if column is Column.PROCORE_TOTAL:
        return formatting.money(status.procore_total)
    if column is Column.STATUS:
        return status_text(status)
    return blocked_because(status)


def sort_key(status: ContractStatus, column: Column) -> object:
    if column is Column.SAGE_TOTAL:
        return formatting.money_sort_key(status.sage_total)
    if column is Column.PROCORE_TOTAL:
        return formatting.money_sort_key(status.procore_total)
    return display_text(status, column).casefold()


@dataclass(frozen=True)
class ContractRow:
    """One list row with its texts worked out once, so data(), filtering and sorting stay cheap.

    `status` is None for a provisional row: the contract as read from Sage while Procore is
    still being read on the first load.
    """

    number: str
    status: ContractStatus | None
    texts: tuple[str, ...]
    sort_keys: tuple[Any, ...]
    haystack: str


CHECKING_PROCORE = "Checking Procore\u2026"


def prepare_rows(statuses: Sequence[ContractStatus]) -> list[ContractRow]:
    """Pure Python, no Qt: may run on a worker thread for very large companies."""
    rows = []
    for status in statuses:
        texts = tuple(display_text(status, column) for column in Column)
        keys = tuple(sort_key(status, column) for column in Column)
        rows.append(ContractRow(status.number, status, texts, keys, " ".join(texts).casefold()))
    return rows


def prepare_provisional_rows(contracts: Sequence[SageContract]) -> list[ContractRow]:
    """Rows for Sage's contracts before Procore has answered (pure Python, worker thread)."""
    rows = []
    for contract in contracts:
        total = contract.total
        texts = (contract.number, contract.description, job_text(contract), "",
                 formatting.money(total), formatting.DASH, CHECKING_PROCORE, "")
        keys = tuple(
            formatting.money_sort_key(total) if column is Column.SAGE_TOTAL
            else formatting.money_sort_key(None) if column is Column.PROCORE_TOTAL
            else texts[column].casefold()
            for column in Column
        )
        rows.append(ContractRow(contract.number, None, texts, keys, " ".join(texts).casefold()))
    return rows


class ContractListModel(RecordTableModel):
    """Read-only table of the ContractStatus rows of one view (sidebar) from the last Refresh,
    narrowed to the rows whose text holds every word typed in the filter box.

    Sorting, the view and the words are applied here in Python over precomputed keys and texts
    (one sort or one list comprehension), and the list view shows this model itself, with no
    proxy in between: a proxy calls back into Python for every role of every painted cell (and
    for every row and comparison when it sorts or filters), each call waiting for the GIL while
    a refresh runs Python on worker threads; a 3,000-contract first load stalled the window
    60-120 ms per repaint that way.
    """

    COLUMNS = Column
    HEADERS = HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[ContractRow] = []
        self._rows: list[ContractRow] = []
        self._view: ContractView | None = None  # None: every state
        self._words: tuple[str, ...] = ()
        self._sort_column = int(Column.CONTRACT)
        self._sort_order = Qt.SortOrder.AscendingOrder

    # --- our API
    def set_statuses(self, statuses: Sequence[ContractStatus]) -> None:
        self.set_rows(prepare_rows(statuses))

    def set_rows(self, rows: Sequence[ContractRow]) -> None:
        self.beginResetModel()
        self._all = self._sorted(rows)
        self._rows = self._visible(self._all)
        self.endResetModel()

    @property
    def view(self) -> ContractView | None:
        return self._view

    def set_view(self, view: ContractView | None) -> None:
        """Show only the contracts of this sidebar view (provisional rows show in every view)."""
        if view != self._view:
            self.beginResetModel()
            self._view = view
            self._rows = self._visible(self._all)
            self.endResetModel()

    def set_filter_text(self, text: str) -> None:
        """Show only rows whose text (any column) contains every word of `text`, ignoring case."""
        words = tuple(text.casefold().split())
        if words != self._words:
            self.beginResetModel()
            self._words = words
            self._rows = self._visible(self._all)
            self.endResetModel()

    def statuses(self) -> list[ContractStatus]:
        """Every contract's status, whichever view is shown."""
        return [row.status for row in self._all if row.status is not None]

    def status_at(self, row: int) -> ContractStatus | None:
        """The row's status; None while the row is provisional (Procore not read yet)."""
        return self._rows[row].status

    @property
    def provisional(self) -> bool:
        return any(row.status is None for row in self._all)

    def haystack(self, row: int) -> str:
        return self._rows[row].haystack

    def row_of(self, contract_number: str) -> int:
        wanted = contract_number.strip()
        for index, row in enumerate(self._rows):
            if row.number == wanted:
                return index
        return -1

    def _visible(self, rows: list[ContractRow]) -> list[ContractRow]:
        if self._view is not None:
            states = VIEWS[self._view].states
            rows = [row for row in rows if row.status is None or row.status.state in states]
        words = self._words
        if words:
            rows = [row for row in rows if all(word in row.haystack for word in words)]
        return list(rows)

    def _sorted(self, rows: Sequence[ContractRow]) -> list[ContractRow]:
        column = self._sort_column
        return sorted(
            rows,
            key=lambda r: (r.sort_keys[column], r.texts[Column.CONTRACT]),
            reverse=self._sort_order == Qt.SortOrder.DescendingOrder,
        )

    # --- Qt overrides
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        self.layoutAboutToBeChanged.emit()
        old_rows = self._rows
        self._sort_column, self._sort_order = column, order
        self._all = self._sorted(self._all)
        self._rows = self._visible(self._all)
        position = {id(row): i for i, row in enumerate(self._rows)}
        moved_from = self.persistentIndexList()
        moved_to = [
            self.index(position[id(old_rows[index.row()])], index.column()) for index in moved_from
        ]
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        # A plain int, not Column(...): this runs for every role of every painted cell.
        row, column = self._rows[index.row()], index.column()
        status = row.status
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            text = row.texts[column]
            if status is not None and column in (Column.STATUS, Column.BLOCKED_BECAUSE):
                return plain_tooltip("\n".join(f"{r.message} {r.fix}" for r in status.reasons) or text)
            return plain_tooltip(text)
        if role == Qt.ItemDataRole.UserRole:
            return row.number
        if role == ContractRole.RECORD:
            return status
        if role == ContractRole.SORT_KEY:
            return row.sort_keys[column]
        if role == ContractRole.HAYSTACK:
            return row.haystack
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _MONEY_COLUMNS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if column == Column.STATUS and status is not None:
            look = state_style.contract_look(status)
            if role == Qt.ItemDataRole.DecorationRole:
                return state_style.glyph_icon(look.glyph, look.foreground)
            if role == Qt.ItemDataRole.ForegroundRole:
                return state_style.brush(look.foreground)
        return None

    def _header_data(self, column: Column, role: int) -> object:  # type: ignore[override]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _MONEY_COLUMNS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

