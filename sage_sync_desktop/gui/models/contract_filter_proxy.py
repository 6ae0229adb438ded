"""The sidebar views (Ready to Import, Synced, Not Ready) and the text filter over the list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QAbstractItemModel, QObject, QSortFilterProxyModel, Qt

from sage_sync_desktop.gui.models.contract_list_model import ContractListModel, ContractRole
from sage_sync_desktop.gui.models.source_sorting_proxy import words_pattern
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
    """Rows of one view whose text contains every word typed in the filter box.

    The view is applied by the source model and the words by a regular expression on one
    precomputed text per row, so with an empty filter box Qt never calls back into Python per
    row (which froze the window for thousands of contracts).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = ContractView.READY
        self._words: tuple[str, ...] = ()
        self.setDynamicSortFilter(True)
        self.setFilterRole(ContractRole.HAYSTACK)
        self.setFilterKeyColumn(0)

    @property
    def view(self) -> ContractView:
        return self._view

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        super().setSourceModel(model)
        self._apply_view()

    def set_view(self, view: ContractView) -> None:
        if view != self._view:
            self._view = view
            self._apply_view()

    def set_text(self, text: str) -> None:
        words = tuple(text.casefold().split())
        if words != self._words:
            self._words = words
            self.setFilterRegularExpression(words_pattern(text))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The source model sorts itself in one Python sort; the proxy keeps its order.
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)

    def _apply_view(self) -> None:
        model = self.sourceModel()
        if isinstance(model, ContractListModel):
            model.set_visible_states(VIEWS[self._view].states)
