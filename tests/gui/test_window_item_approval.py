"""The window on the demo: items awaiting approval in Sage, an item back to Proposed after its
import, and a contract whose items name two jobs (the several_jobs reason)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from sage_sync_desktop.gui.formatting import DASH
from sage_sync_desktop.gui.models.contract_views import ContractView
from sage_sync_desktop.gui.models.contract_list_model import Column
from sage_sync_desktop.gui.models.line_diff_model import DiffColumn
from sage_sync_desktop.sync.records import ContractState, ReasonCode
from tests.gui.test_window_end_to_end import _button, _reason

pytestmark = pytest.mark.slow


@pytest.fixture
def window(open_demo_window):
    return open_demo_window()


def _show(qtbot: QtBot, window, number: str):
    status = window.session.snapshot.status(number)
    view = {ContractState.READY_TO_IMPORT: ContractView.READY, ContractState.NOT_READY: ContractView.NOT_READY}.get(
        status.state, ContractView.SYNCED)
    window.prime_contracts_tab.set_view(view)
    model = window.prime_contracts_tab.diff_model()
    assert window.prime_contracts_tab.select_contracts([number]) == 1
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=30_000)  # the diff loads on demand
    return status


def _rows(window) -> list[tuple[str, str, str, str]]:
    model = window.prime_contracts_tab.diff_model()
    return [tuple(model.index(row, column).data() for column in
                  (DiffColumn.STATE, DiffColumn.ITEM, DiffColumn.CHANGE, DiffColumn.SAGE_AMOUNT))
            for row in range(model.rowCount())]


def test_items_awaiting_approval_are_shown_and_not_counted_as_lines_to_send(qtbot, window, demo):
    number = demo.sample.awaiting_items[0][0]
    status = _show(qtbot, window, number)
    assert status.state is ContractState.READY_TO_IMPORT
    awaiting = [row for row in _rows(window) if row[0] == "Awaiting approval in Sage"]
    assert [row[1] for row in awaiting] == [item for _, item in demo.sample.awaiting_items]
    assert all(row[2].startswith("Awaiting approval in Sage; not sent") for row in awaiting)
    assert all(row[3] == DASH for row in awaiting)  # nothing of them reaches Procore
    model = window.prime_contracts_tab.diff_model()
    assert model.lines_to_import() == len(status.contract.items)


def test_an_item_back_to_proposed_after_import_shows_as_awaiting_re_approval(qtbot, window, demo):
    status = _show(qtbot, window, demo.roles["awaiting_reapproval"])
    assert status.state is ContractState.SYNCED
    awaiting = [row for row in _rows(window) if row[0] == "Awaiting approval in Sage"]
    assert len(awaiting) == 1
    state, item, change, after = awaiting[0]
    assert "re-approval" in change and "left as it is" in change
    assert after != DASH  # Procore keeps its line as it is
    assert not _button(window).isEnabled()


def test_a_contract_on_two_jobs_is_not_ready_with_the_several_jobs_reason(qtbot, window, demo):
    (number, jobs), = demo.sample.several_jobs.items()
    status = _show(qtbot, window, number)
    assert [r.code for r in status.reasons] == [ReasonCode.SEVERAL_JOBS]
    shown = _reason(window)
    assert "more than one job" in shown and all(job in shown for job in jobs)
    assert not _button(window).isEnabled()
    listed = window.findChild(QTableView, "primeContractsList").model()
    row = next(r for r in range(listed.rowCount()) if listed.index(r, Column.CONTRACT).data() == number)
    assert listed.index(row, Column.JOB).data() == ", ".join(jobs)


def test_a_contract_with_no_approved_item_says_so(qtbot, window, demo):
    status = _show(qtbot, window, demo.sample.unapproved_contracts[0])
    assert [r.code for r in status.reasons] == [ReasonCode.UNAPPROVED]
    assert "no item is approved" in _reason(window)
