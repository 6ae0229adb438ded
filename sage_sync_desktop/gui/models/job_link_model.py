"""The Jobs tab: Sage jobs with their linked Procore project and suggested matches."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from sage_sync_desktop.gui.plain_text import plain_tooltip
from sage_sync_desktop.gui.models.record_table_model import RecordTableModel
from sage_sync_desktop.gui import formatting, state_style
from sage_sync_desktop.sync.records import JobLinkStatus

_Index = QModelIndex | QPersistentModelIndex


class JobColumn(IntEnum):
    JOB = 0
    DESCRIPTION = 1
    SAGE_STATUS = 2
    LINK = 3
    PROCORE_PROJECT = 4
    SUGGESTED = 5


class JobRole(IntEnum):
    RECORD = int(Qt.ItemDataRole.UserRole) + 1
    HAYSTACK = int(Qt.ItemDataRole.UserRole) + 2  # every column's text, casefolded, for the filter


HEADERS = {
    JobColumn.JOB: "Job",
    JobColumn.DESCRIPTION: "Description",
    JobColumn.SAGE_STATUS: "Sage Status",
    JobColumn.LINK: "Link",
    JobColumn.PROCORE_PROJECT: "Procore Project",
    JobColumn.SUGGESTED: "Suggested Match",
}


def display_text(status: JobLinkStatus, column: JobColumn) -> str:
    if column is JobColumn.JOB:
        return status.job.number
    if column is JobColumn.DESCRIPTION:
        return status.job.description
    if column is JobColumn.SAGE_STATUS:
        return status.job.status
    if column is JobColumn.LINK:
        return "Linked" if status.project else "Not linked"
    if column is JobColumn.PROCORE_PROJECT:
        return formatting.project_label(status.project)
    if status.project is not None:
        return ""
    return ", ".join(formatting.project_label(p) for p in status.suggestions)


class JobLinkModel(RecordTableModel):
    """Read-only table of JobLinkStatus rows; sorts itself (see ContractListModel for why)."""

    COLUMNS = JobColumn
    HEADERS = HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[JobLinkStatus] = []
        self._texts: dict[int, tuple[str, ...]] = {}
        self._sort = (int(JobColumn.JOB), Qt.SortOrder.AscendingOrder)

    def set_jobs(self, jobs: Sequence[JobLinkStatus]) -> None:
        self.beginResetModel()
        self._rows = self._sorted(jobs)
        self._texts = {id(job): tuple(display_text(job, c) for c in JobColumn) for job in self._rows}
        self.endResetModel()

    def _sorted(self, jobs: Sequence[JobLinkStatus]) -> list[JobLinkStatus]:
        column, order = self._sort
        return sorted(jobs, key=lambda job: (display_text(job, JobColumn(column)).casefold(), job.job.number),
                      reverse=order == Qt.SortOrder.DescendingOrder)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(JobColumn):
            return
        self.layoutAboutToBeChanged.emit()
        old = self._rows
        self._sort = (column, order)
        self._rows = self._sorted(old)
        position = {id(job): row for row, job in enumerate(self._rows)}
        moved_from = self.persistentIndexList()
        moved_to = [self.index(position[id(old[i.row()])], i.column()) for i in moved_from]
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def job_at(self, row: int) -> JobLinkStatus:
        return self._rows[row]

    def row_of(self, job_number: str) -> int:
        return next((r for r, j in enumerate(self._rows) if j.job.number == job_number.strip()), -1)

    # --- Qt overrides
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        job, column = self._rows[index.row()], JobColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[id(job)][column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self._texts[id(job)][column])
        if role == JobRole.HAYSTACK:
            return " ".join(self._texts[id(job)]).casefold()
        if role == Qt.ItemDataRole.UserRole:
            return job.job.number
        if role == JobRole.RECORD:
            return job
        if column is JobColumn.LINK:
            look = state_style.JOB_LINK_LOOKS[job.project is not None]
            if role == Qt.ItemDataRole.DecorationRole:
                return state_style.glyph_icon(look.glyph, look.foreground)
            if role == Qt.ItemDataRole.ForegroundRole:
                return state_style.brush(look.foreground)
        return None

