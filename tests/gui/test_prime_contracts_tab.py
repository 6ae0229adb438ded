"""The Prime Contracts tab over hand-picked engine situations (see scripted_engine.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QTableView, QTabWidget

from sage_sync_desktop.gui.models.contract_list_model import Column
from sage_sync_desktop.gui.models.contract_views import ContractView
from sage_sync_desktop.gui.reimport_dialog import ReimportDecision, ReimportDialog
from sage_sync_desktop.sync.records import ContractState, ReasonCode
from tests.gui import records_factory as rf
from tests.gui.scripted_engine import ScriptedEngine


def _company(extra=()):
    return rf.snapshot([
        rf.status("1001", ContractState.READY_TO_IMPORT),
        rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything("2001")),
        rf.status("2002", ContractState.SYNCED, diff=rf.unchanged_diff("2002")),
        rf.status("2004", ContractState.CHANGES_READY, diff=rf.diff_with_everything("2004")),
        rf.status("2005", ContractState.CHANGES_READY, diff=rf.diff_with_everything("2005")),
        *extra,
    ])


def _reimport(window) -> QPushButton:
    return window.findChild(QPushButton, "reimportButton")


def _reason(window) -> QLabel:
    return window.findChild(QLabel, "reimportReason")


def _select(window, view, numbers):
    tab = window.prime_contracts_tab
    tab.set_view(view)
    assert tab.select_contracts(numbers) == len(numbers)


def test_window_has_the_title_tabs_and_named_parts(open_window):
    window = open_window(ScriptedEngine(_company()))
    assert window.windowTitle() == "Sage 300 CRE Integration"
    tabs = window.findChild(QTabWidget, "erpTabs")
    assert [tabs.tabText(i).replace("&", "") for i in range(tabs.count())] == ["Jobs", "Prime Contracts", "History"]
    assert tabs.currentWidget() is window.prime_contracts_tab
    views = window.findChild(QListWidget, "primeContractsViews")
    assert [views.item(i).text() for i in range(3)] == [
        "Ready to Import  (1)", "Synced  (4)", "Not Ready  (0)"]
    for name in ("primeContractsList", "lineItemDiff"):
        assert isinstance(window.findChild(QTableView, name), QTableView)
    assert window.refresh_action.objectName() == "refreshAction"
    assert QKeySequence("F5") in window.refresh_action.shortcuts()
    assert window.user_label.text() == "Alex Admin \u00b7 Example Builders"
    assert window.findChild(QLabel, "sageAsOfLabel").text() == "Sage data as of 2026-03-02 09:30"


def test_list_title_follows_the_view(open_window):
    window = open_window(ScriptedEngine(_company()))
    title = window.findChild(QLabel, "primeContractsTitle")
    titles = {}
    for view in ContractView:
        window.prime_contracts_tab.set_view(view)
        titles[view] = title.text()
    assert titles == {
        ContractView.READY: "Sage 300 CRE Prime Contracts Ready to be Imported",
        ContractView.SYNCED: "Prime Contracts Synced with Sage 300 CRE",
        ContractView.NOT_READY: "Sage 300 CRE Prime Contracts Not Ready to Import",
    }


def test_reimport_is_greyed_with_a_reason_when_nothing_is_new(open_window):
    window = open_window(ScriptedEngine(_company()))
    _select(window, ContractView.SYNCED, ["2002"])
    assert not _reimport(window).isEnabled()
    assert _reason(window).isVisible()
    assert _reason(window).text().startswith("Procore already matches Sage")
    assert _reimport(window).toolTip() == _reason(window).text()


def test_reimport_is_enabled_when_the_diff_has_lines_to_import(open_window):
    window = open_window(ScriptedEngine(_company()))
    _select(window, ContractView.SYNCED, ["2001"])
    assert window.prime_contracts_tab.diff_model().rowCount() == 6
    assert _reimport(window).isEnabled()
    assert not _reason(window).isVisible()


@pytest.mark.parametrize("code", [
    ReasonCode.UNAPPROVED, ReasonCode.JOB_NOT_SYNCED, ReasonCode.ON_TWO_PROJECTS,
    ReasonCode.NO_PERMISSION_ERP, ReasonCode.NO_PERMISSION_PRIME_CONTRACTS,
])
def test_reimport_is_greyed_with_the_rule_that_blocks_it(open_window, code):
    reason = rf.reason(code)
    blocked = rf.status("3001", ContractState.CHANGES_READY, reasons=(reason,),
                        diff=rf.diff_with_everything("3001"))
    window = open_window(ScriptedEngine(_company([blocked])))
    _select(window, ContractView.SYNCED, ["3001"])
    assert not _reimport(window).isEnabled()
    assert _reason(window).text() == f"{reason.message} {reason.fix}"
    assert _reimport(window).toolTip() == _reason(window).text()


def test_list_and_diff_headers_are_a_copy_of_the_models_headers_served_without_python(open_window):
    window = open_window(ScriptedEngine(_company()))
    for name in ("primeContractsList", "lineItemDiff"):
        table = window.findChild(QTableView, name)
        model, header = table.model(), table.horizontalHeader()
        assert header.model() is not model and type(header.model()).__name__ == "QStandardItemModel"
        assert header.count() == model.columnCount()
        for column in range(model.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole):
                copied = header.model().headerData(column, Qt.Orientation.Horizontal, role)
                assert copied == model.headerData(column, Qt.Orientation.Horizontal, role), (name, column, role)
    listed = window.findChild(QTableView, "primeContractsList")
    window.prime_contracts_tab.set_view(ContractView.SYNCED)
    header = listed.horizontalHeader()
    header.setSortIndicator(Column.SAGE_TOTAL, Qt.SortOrder.DescendingOrder)  # a click on the header
    assert listed.model().index(0, 0).data(Qt.ItemDataRole.UserRole) == "2005"


def test_a_repaint_of_the_contract_list_is_one_call_into_python_not_one_per_cell(open_window):
    import sys

    many = [rf.status(str(4000 + i), ContractState.READY_TO_IMPORT) for i in range(200)]
    window = open_window(ScriptedEngine(rf.snapshot(many)))
    table = window.findChild(QTableView, "primeContractsList")
    rows_shown = table.rowAt(table.viewport().height() - 1) - table.rowAt(0) + 1
    assert rows_shown >= 5
    here = sys._getframe()
    entered = []  # the Python functions Qt called during the repaint (not those they called)

    def profile(frame, event, _arg):
        if event == "call" and frame.f_back is here:
            entered.append((frame.f_code.co_name, frame.f_locals.get("self")))

    sys.setprofile(profile)
    try:
        table.viewport().repaint()
    finally:
        sys.setprofile(None)
    names = [name for name, _owner in entered]
    # Every cell (index() and multiData() each) was answered inside the list's one paintEvent,
    # while the GUI thread held the GIL; none was a call of its own from Qt.
    assert [owner for name, owner in entered if name == "paintEvent"].count(table) == 1, names
    assert "multiData" not in names and "index" not in names, names


def test_not_ready_view_shows_the_blocking_reasons_in_a_column(open_window):
    blocked = rf.status("3001", ContractState.NOT_READY, reasons=(rf.reason(ReasonCode.UNAPPROVED),))
    window = open_window(ScriptedEngine(_company([blocked])))
    window.prime_contracts_tab.set_view(ContractView.NOT_READY)
    table = window.findChild(QTableView, "primeContractsList")
    headers = [table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(table.model().columnCount())
               if not table.isColumnHidden(c)]
    assert headers[-1] == "Blocked Because"
    assert table.model().index(0, 7).data() == "The contract is not approved in Sage."


def test_confirmation_summarises_the_change_and_asks_about_procore_edits(qtbot):
    from sage_sync_desktop.sync.availability import summarise
    summary = summarise([rf.diff_with_everything("2001")])
    dialog = ReimportDialog(summary, overwriting=summary)  # no kept line: overwriting changes nothing
    qtbot.addWidget(dialog)
    assert dialog.summary() == (
        "Re-Import contract 2001 into Procore: 1 new, 2 changed, 1 removed lines.\n"
        "Procore total $1,740.00 \u2192 $1,680.00."
    )
    box = dialog.findChild(object, "overwriteProcoreEdits")
    assert box.text() == "Overwrite 1 line edited in Procore with Sage's values"
    assert dialog.decision() == ReimportDecision(overwrite_procore_edits=False)
    box.setChecked(True)
    assert dialog.decision() == ReimportDecision(overwrite_procore_edits=True)


def test_reimport_sends_after_confirming_and_shows_a_green_message(open_window, qtbot, monkeypatch):
    engine = ScriptedEngine(_company())
    window = open_window(engine)
    asked = []
    monkeypatch.setattr(ReimportDialog, "ask", classmethod(
        lambda cls, summary, parent=None, overwriting=None: asked.append(summary) or ReimportDecision(True)))
    _select(window, ContractView.SYNCED, ["2001"])
    with qtbot.waitSignal(window.snapshot_shown, timeout=10_000):
        qtbot.mouseClick(_reimport(window), Qt.MouseButton.LeftButton)
    assert (asked[0].added, asked[0].changed, asked[0].removed) == (1, 2, 1)
    assert ("reimport", ("2001",), True) in engine.calls
    banner = window.prime_contracts_tab.banner
    assert banner.isVisible() and banner.kind == "success"
    assert banner.text() == "Contract 2001 re-imported. 2 lines added, 1 changed."


def test_declining_the_confirmation_sends_nothing(open_window, qtbot, monkeypatch):
    engine = ScriptedEngine(_company())
    window = open_window(engine)
    monkeypatch.setattr(ReimportDialog, "ask", classmethod(lambda cls, summary, parent=None, overwriting=None: None))
    _select(window, ContractView.SYNCED, ["2001"])
    qtbot.mouseClick(_reimport(window), Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert [c for c in engine.calls if c[0] == "reimport"] == []


def test_bulk_reimport_sends_every_eligible_selected_contract(open_window, qtbot, monkeypatch):
    engine = ScriptedEngine(_company())
    window = open_window(engine)
    monkeypatch.setattr(ReimportDialog, "ask", classmethod(lambda cls, s, parent=None, overwriting=None: ReimportDecision(False)))
    _select(window, ContractView.SYNCED, ["2001", "2002", "2004"])
    assert _reimport(window).text() == "&Re-Import (2)"
    assert _reason(window).text().splitlines()[0] == "2 of 3 selected will be sent; 1 contract skipped:"
    with qtbot.waitSignal(window.snapshot_shown, timeout=10_000):
        qtbot.mouseClick(_reimport(window), Qt.MouseButton.LeftButton)
    assert ("reimport", ("2001", "2004"), False) in engine.calls
    assert window.prime_contracts_tab.banner.text() == "2 contracts re-imported."


def test_a_failed_contract_shows_a_red_message_with_details(open_window, qtbot, monkeypatch):
    engine = ScriptedEngine(_company(), failing={"2004"})
    window = open_window(engine)
    monkeypatch.setattr(ReimportDialog, "ask", classmethod(lambda cls, s, parent=None, overwriting=None: ReimportDecision(False)))
    _select(window, ContractView.SYNCED, ["2001", "2004"])
    with qtbot.waitSignal(window.snapshot_shown, timeout=10_000):
        qtbot.mouseClick(_reimport(window), Qt.MouseButton.LeftButton)
    banner = window.prime_contracts_tab.banner
    assert banner.kind == "error"
    assert banner.text() == "1 of 2 contracts re-imported; 1 did not finish."
    assert "line 3: amount must be a number" in banner.details()
    details_button = banner.findChild(object, "messageDetailsButton")
    assert details_button.isVisible()
    qtbot.mouseClick(details_button, Qt.MouseButton.LeftButton)
    assert banner.findChild(object, "messageDetails").isVisible()


def test_cancel_stops_a_bulk_reimport_half_way(open_window, qtbot, monkeypatch):
    import threading
    engine = ScriptedEngine(_company())
    window = open_window(engine)
    monkeypatch.setattr(ReimportDialog, "ask", classmethod(lambda cls, s, parent=None, overwriting=None: ReimportDecision(False)))
    engine.gate = threading.Event()
    _select(window, ContractView.SYNCED, ["2001", "2004", "2005"])
    qtbot.mouseClick(_reimport(window), Qt.MouseButton.LeftButton)
    assert engine.reached.wait(5)
    progress = window.prime_contracts_tab.progress
    qtbot.waitUntil(progress.isVisible, timeout=5000)
    assert not _reimport(window).isEnabled()
    cancel = progress.findChild(QPushButton, "cancelButton")
    with qtbot.waitSignal(window.snapshot_shown, timeout=10_000):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        engine.gate.set()
    banner = window.prime_contracts_tab.banner
    assert banner.kind == "info"  # the user's own Cancel is not an error
    assert banner.text() == ("Re-Import stopped as you asked: 1 of 3 contracts re-imported (2001); "
                             "2 not sent (2004, 2005): nothing of these reached Procore.")
    assert engine.calls[-1] == ("refresh",)  # the follow-up refresh ran despite the Cancel
    qtbot.waitUntil(lambda: not progress.isVisible(), timeout=5000)
    # The selection survives the refresh: 2001 is synced now, 2004 and 2005 can still be sent.
    assert _reimport(window).isEnabled() and _reimport(window).text() == "&Re-Import (2)"
