"""The sidebar views (Ready to Import, Synced, Not Ready) and the text filter over the list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from sage_sync_desktop.gui.models.contract_list_model import ContractListModel
from sage_sync_desktop.sync.records import ContractState, ContractStatus


class ContractView(StrEnum):
    """The value stored in settings.gui.prime_contracts_view."""

    READY = "ready"
    SYNCED = "synced"
    NOT_READY = "not_ready"


@dataclass(frozen=True)
class ViewInfo:
    label: str  # in the sidebar
    title: str  # above the list, worded as Procore words it
    states: frozenset[ContractState]


VIEWS: dict[ContractView, ViewInfo] = {
    ContractView.READY: ViewInfo(
        "Ready to Import",
        "Sage 300 CRE Prime Contracts Ready to be Imported",
        frozenset({ContractState.READY_TO_IMPORT}),
    ),
    ContractView.SYNCED: ViewInfo(
        "Synced",
        "Prime Contracts Synced with Sage 300 CRE",
        frozenset({ContractState.SYNCED, ContractState.CHANGES_READY}),
    ),
    ContractView.NOT_READY: ViewInfo(
        "Not Ready",
        "Sage 300 CRE Prime Contracts Not Ready to Import",
        frozenset({ContractState.NOT_READY}),
    ),
}


def view_of(status: ContractStatus) -> ContractView:
    for view, info in VIEWS.items():
        if status.state in info.states:
            return view
    return ContractView.NOT_READY


def view_counts(statuses: Iterable[ContractStatus]) -> dict[ContractView, int]:
    counts = {view: 0 for view in ContractView}
    for status in statuses:
        counts[view_of(status)] += 1
    return counts


def parse_view(value: str) -> ContractView:
    try:
        return ContractView(value)
    except ValueError:
        return ContractView.READY


class ContractFilterProxy(QSortFilterProxyModel):
    """Rows of one view whose text contains every word typed in the filter box."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = ContractView.READY
        self._words: tuple[str, ...] = ()
        self.setDynamicSortFilter(True)

    @property
    def view(self) -> ContractView:
        return self._view

    def set_view(self, view: ContractView) -> None:
        if view != self._view:
            self.beginFilterChange()
            self._view = view
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text(self, text: str) -> None:
        words = tuple(text.casefold().split())
        if words != self._words:
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The source model sorts itself in one Python sort; the proxy keeps its order.
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ContractListModel) or source_parent.isValid():
            return False
        status = model.status_at(source_row)
        # Provisional rows (Procore not read yet) have no view; every view lists them meanwhile.
        if status is not None and status.state not in VIEWS[self._view].states:
            return False
        haystack = model.haystack(source_row)
        return all(word in haystack for word in self._words)
