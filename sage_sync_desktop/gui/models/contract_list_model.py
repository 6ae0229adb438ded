"""The Prime Contracts list: one row per Sage contract with its sync state."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from sage_sync_desktop.gui import formatting, state_style
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
    return text


def blocked_because(status: ContractStatus) -> str:
    return "; ".join(reason.message for reason in status.reasons)


def display_text(status: ContractStatus, column: Column) -> str:
    if column is Column.CONTRACT:
        return status.number
    if column is Column.DESCRIPTION:
        return status.contract.description
    if column is Column.JOB:
        return status.contract.job_number or ""
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


class ContractListModel(QAbstractTableModel):
    """Read-only table of ContractStatus rows from the last Refresh."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._statuses: list[ContractStatus] = []
        self._haystacks: list[str] = []

    # --- our API
    def set_statuses(self, statuses: Sequence[ContractStatus]) -> None:
        self.beginResetModel()
        self._statuses = list(statuses)
        # Built once per refresh so text filtering never calls data() row by row.
        self._haystacks = [
            " ".join(display_text(s, c) for c in Column).casefold() for s in self._statuses
        ]
        self.endResetModel()

    def statuses(self) -> list[ContractStatus]:
        return list(self._statuses)

    def status_at(self, row: int) -> ContractStatus:
        return self._statuses[row]

    def haystack(self, row: int) -> str:
        return self._haystacks[row]

    def row_of(self, contract_number: str) -> int:
        wanted = contract_number.strip()
        for row, status in enumerate(self._statuses):
            if status.number == wanted:
                return row
        return -1

    # --- Qt overrides
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._statuses)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Column)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._statuses):
            return None
        status, column = self._statuses[index.row()], Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = display_text(status, column)
            if role == Qt.ItemDataRole.ToolTipRole and column in (Column.STATUS, Column.BLOCKED_BECAUSE):
                return "\n".join(f"{r.message} {r.fix}" for r in status.reasons) or text
            return text
        if role == Qt.ItemDataRole.UserRole:
            return status.number
        if role == ContractRole.RECORD:
            return status
        if role == ContractRole.SORT_KEY:
            return sort_key(status, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _MONEY_COLUMNS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if column is Column.STATUS:
            look = state_style.CONTRACT_LOOKS[status.state]
            if role == Qt.ItemDataRole.DecorationRole:
                return state_style.glyph_icon(look.glyph, look.foreground)
            if role == Qt.ItemDataRole.ForegroundRole:
                return state_style.brush(look.foreground)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[Column(section)]
            if role == Qt.ItemDataRole.TextAlignmentRole and Column(section) in _MONEY_COLUMNS:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None
