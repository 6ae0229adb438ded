"""The sidebar views of the Prime Contracts list (Ready to Import, Synced, Not Ready): which
contract states each shows, and how many contracts fall in each."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

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
