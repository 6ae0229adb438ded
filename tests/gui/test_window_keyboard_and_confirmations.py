"""The window as a Sage admin uses it: Procore edits kept, keyboard and menus, confirmations, busy."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QLineEdit, QListWidget, QMessageBox, QPushButton, QTableWidget

from sage_sync_desktop.gui.confirm_send_dialog import MIN_WIDTH, ConfirmSendDialog
from sage_sync_desktop.gui.help_window import PROCORE_SYNC_PAGE
from sage_sync_desktop.gui.models.contract_views import ContractView
from sage_sync_desktop.gui.models.contract_list_model import Column
from sage_sync_desktop.gui.models.line_diff_model import DiffColumn
from sage_sync_desktop.gui.reimport_dialog import ReimportDialog
from sage_sync_desktop.sync import send_preview
from sage_sync_desktop.sync.records import ContractDiff, ContractState, FieldChange, LineState
from tests.gui import records_factory as rf
from tests.gui.conftest import OFFSCREEN_NOISE
from tests.gui.scripted_engine import ScriptedEngine


def _kept_diff(number: str) -> ContractDiff:
    lines = (
        rf.line(LineState.UNCHANGED, "1"),
        rf.line(LineState.KEPT, "2", sage="80.00", procore="90.00", edited=True,
                changes=(FieldChange("amount", "90.00", "80.00"),)),
    )
    return ContractDiff(number, lines, Decimal("180.00"), Decimal("190.00"), Decimal("190.00"))


def _company():
    return rf.snapshot([
        rf.status("1001", ContractState.READY_TO_IMPORT),
        rf.status("1002", ContractState.READY_TO_IMPORT),
        rf.status("1003", ContractState.READY_TO_IMPORT),
        rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything("2001")),
        rf.status("2003", ContractState.SYNCED, diff=_kept_diff("2003")),
    ])


def _select(window, view, numbers):
    window.prime_contracts_tab.set_view(view)
    assert window.prime_contracts_tab.select_contracts(numbers) == len(numbers)


def _asked(monkeypatch, answer=True):
    asked = []
    monkeypatch.setattr(ConfirmSendDialog, "ask", classmethod(
        lambda cls, preview, parent=None: asked.append(preview) or answer))
    return asked


# --- 2. Procore edit kept

def test_a_kept_procore_edit_shows_procore_s_value_and_the_contract_is_synced_with_a_note(open_window):
    window = open_window(ScriptedEngine(_company()))
    _select(window, ContractView.SYNCED, ["2003"])
    model = window.prime_contracts_tab.diff_model()
    kept = next(r for r in range(model.rowCount()) if model.index(r, DiffColumn.ITEM).data() == "2")
    assert model.index(kept, DiffColumn.STATE).data() == "Procore edit kept"
    assert model.index(kept, DiffColumn.SAGE_AMOUNT).data() == "$90.00"  # "Procore After": the kept value
    assert "Sage has amount $80.00" in model.index(kept, DiffColumn.CHANGE).data()
    listed = window.prime_contracts_tab.list_view().model()
    row = next(r for r in range(listed.rowCount()) if listed.index(r, 0).data() == "2003")
    assert listed.index(row, Column.STATUS).data() == "Synced (1 Procore edit kept)"
    assert not window.findChild(QPushButton, "reimportButton").isEnabled()


def test_overwriting_kept_procore_edits_is_an_explicit_confirmed_action(open_window, qtbot, monkeypatch):
    engine = ScriptedEngine(_company())
    window = open_window(engine)
    _select(window, ContractView.SYNCED, ["2003"])
    overwrite = window.findChild(QPushButton, "overwriteProcoreEditsButton")
    assert overwrite.isVisible() and overwrite.isEnabled()
    asked = _asked(monkeypatch)
    with qtbot.waitSignal(window.snapshot_shown, timeout=10_000):
        qtbot.mouseClick(overwrite, Qt.MouseButton.LeftButton)
    assert asked[0].action == send_preview.OVERWRITE and asked[0].contracts == ("2003",)
    assert (asked[0].total_before, asked[0].total_after) == (Decimal("190.00"), Decimal("180.00"))
    assert ("reimport", ("2003",), True) in engine.calls
    _select(window, ContractView.SYNCED, ["2001"])
    assert not overwrite.isVisible()  # only offered where there is a kept edit


def _changed_and_kept_diff(number: str) -> ContractDiff:
    lines = (
        rf.line(LineState.UNCHANGED, "1"),
        rf.line(LineState.KEPT, "2", sage="80.00", procore="90.00", edited=True,
                changes=(FieldChange("amount", "90.00", "80.00"),)),
        rf.line(LineState.ADDED, "3", sage="50.00", procore=None),
    )
    return ContractDiff(number, lines, Decimal("230.00"), Decimal("190.00"), Decimal("240.00"))


def test_ticking_overwrite_in_the_reimport_confirmation_updates_the_after_total(open_window, qtbot):
    engine = ScriptedEngine(rf.snapshot([
        rf.status("2006", ContractState.CHANGES_READY, diff=_changed_and_kept_diff("2006"))]))
    window = open_window(engine)
    _select(window, ContractView.SYNCED, ["2006"])
    seen = []

    def in_the_dialog():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ReimportDialog)
        box = dialog.findChild(QCheckBox, "overwriteProcoreEdits")
        table = dialog.findChild(QTableWidget, "confirmContracts")
        for tick in (False, True, False, True):
            box.setChecked(tick)
            seen.append((dialog.summary().splitlines()[-1], table.item(0, 3).text(), table.item(0, 6).text()))
        dialog.accept()

    QTimer.singleShot(0, in_the_dialog)
    with qtbot.waitSignal(window.snapshot_shown, timeout=10_000):
        qtbot.mouseClick(window.findChild(QPushButton, "reimportButton"), Qt.MouseButton.LeftButton)
    keeping = ("Procore total $190.00 \u2192 $240.00.", "1 new", "$240.00")  # line 2 keeps Procore's $90.00
    overwriting = ("Procore total $190.00 \u2192 $230.00.", "1 new, 1 changed", "$230.00")  # Sage's $80.00
    assert seen == [keeping, overwriting, keeping, overwriting]
    assert ("reimport", ("2006",), True) in engine.calls


# --- 3. keyboard, menu bar, F1

def test_the_menu_bar_has_file_view_and_help_with_the_usual_entries(open_window):
    window = open_window(ScriptedEngine(_company()))
    menus = {action.text().replace("&", ""): action.menu() for action in window.menuBar().actions()}
    assert list(menus) == ["File", "View", "Help"]

    def texts(menu):
        return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]

    assert texts(menus["File"]) == ["Settings\u2026", "Exit"]
    assert texts(menus["View"])[:6] == ["Jobs", "Prime Contracts", "History", "Ready to Import", "Synced",
                                        "Not Ready"]
    assert {"Filter", "Refresh", "Full Refresh"} <= set(texts(menus["View"]))
    assert texts(menus["Help"])[0] == "User Guide" and texts(menus["Help"])[-1].startswith("About")


def test_ctrl_1_2_3_choose_the_views_from_any_tab(open_window, qtbot):
    window = open_window(ScriptedEngine(_company()))
    window.activateWindow()
    window.tabs.setCurrentIndex(0)
    for key, view in ((Qt.Key.Key_2, ContractView.SYNCED), (Qt.Key.Key_3, ContractView.NOT_READY),
                      (Qt.Key.Key_1, ContractView.READY)):
        qtbot.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentWidget() is window.prime_contracts_tab
        assert window.prime_contracts_tab.view is view
    assert QApplication.focusWidget() is window.prime_contracts_tab.list_view()


# The offscreen test platform cannot raise windows; a desktop can.
@pytest.mark.qt_log_ignore(r"^This plugin does not support raise\(\)$", OFFSCREEN_NOISE)
def test_f1_opens_the_user_guide_and_procore_s_page_not_about(open_window, qtbot, monkeypatch):
    window = open_window(ScriptedEngine(_company()))
    window.activateWindow()
    about = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *args: about.append(args)))
    qtbot.keyClick(window.prime_contracts_tab.list_view(), Qt.Key.Key_F1)
    help_window = window.help_window()
    assert about == [] and help_window is not None and help_window.isVisible()
    guide = help_window.browser.toPlainText()
    assert "Re-Import" in guide and "Prime Contracts" in guide
    assert help_window.findChild(QPushButton, "procoreHelpLink").toolTip() == PROCORE_SYNC_PAGE
    help_window.close()


def test_tab_moves_between_areas_and_never_changes_the_selected_contract(open_window, qtbot):
    window = open_window(ScriptedEngine(_company()))
    window.activateWindow()
    _select(window, ContractView.SYNCED, ["2001"])
    contracts = window.prime_contracts_tab.list_view()
    contracts.setFocus()
    views = window.findChild(QListWidget, "primeContractsViews")
    reached = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
        assert [s.number for s in window.prime_contracts_tab.selected_statuses()] == ["2001"]
    assert reached[0] is not contracts  # one Tab leaves the list
    assert views in reached  # the views sidebar is reachable with Tab
    assert window.prime_contracts_tab.diff_table() in reached


# --- 7. confirmations

def test_bulk_add_to_procore_confirms_with_every_contract_and_the_total(open_window, qtbot, monkeypatch):
    engine = ScriptedEngine(_company())
    window = open_window(engine)
    _select(window, ContractView.READY, ["1001", "1002", "1003"])
    asked = _asked(monkeypatch, answer=False)
    qtbot.mouseClick(window.findChild(QPushButton, "addToProcoreButton"), Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert asked[0].contracts == ("1001", "1002", "1003")
    assert asked[0].sage_total == Decimal("3000.00")
    assert not [c for c in engine.calls if c[0] == "import"]  # declined: nothing sent
    totals = window.findChild(QLabel, "diffTotals").text()
    assert totals == "Add to Procore: 3 contracts, Sage total $3,000.00."  # the same figures
    dialog = ConfirmSendDialog(asked[0], window)
    qtbot.addWidget(dialog)
    table = dialog.findChild(QTableWidget, "confirmContracts")
    assert table.rowCount() == 3 and table.item(2, 0).text() == "1003" and table.item(2, 4).text() == "$1,000.00"
    assert dialog.totals().startswith("3 contracts, 3 new lines, Sage total $3,000.00")
    assert dialog.minimumWidth() >= MIN_WIDTH


def test_the_reimport_confirmation_lists_the_contracts_with_their_totals(open_window, qtbot):
    window = open_window(ScriptedEngine(_company()))
    _select(window, ContractView.SYNCED, ["2001", "2003"])
    preview = window.prime_contracts_tab.diff_model().reimport_summary()
    assert preview.contracts == ("2001",) and preview.skipped == ("2003",)
    dialog = ReimportDialog(preview, window,
                            overwriting=window.prime_contracts_tab.diff_model().reimport_summary(overwrite=True))
    qtbot.addWidget(dialog)
    table = dialog.findChild(QTableWidget, "confirmContracts")
    assert [table.item(0, c).text() for c in (0, 5, 6)] == ["2001", "$1,740.00", "$1,680.00"]


# --- 8. busy

def test_f5_during_work_says_it_is_busy_and_the_status_bar_shows_the_work(open_window, qtbot, monkeypatch):
    from sage_sync_desktop.gui.reimport_dialog import ReimportDecision
    engine = ScriptedEngine(_company())
    window = open_window(engine)
    monkeypatch.setattr(ReimportDialog, "ask", classmethod(lambda cls, s, parent=None, overwriting=None: ReimportDecision(False)))
    engine.gate = threading.Event()
    _select(window, ContractView.SYNCED, ["2001"])
    qtbot.mouseClick(window.findChild(QPushButton, "reimportButton"), Qt.MouseButton.LeftButton)
    assert engine.reached.wait(5)
    work = window.findChild(QLabel, "runningWorkLabel")
    qtbot.waitUntil(lambda: work.isVisible() and "Sending 2001" in work.text(), timeout=5000)
    window.refresh_action.trigger()
    assert window.statusBar().currentMessage().startswith("Busy: Sending 2001")
    with qtbot.waitSignal(window.snapshot_shown, timeout=10_000):
        engine.gate.set()
    qtbot.waitUntil(lambda: not window.session.busy, timeout=10_000)
    assert not work.isVisible()
    assert QKeySequence("F5") in window.refresh_action.shortcuts()


# --- 4. honest list

def test_a_contract_the_user_may_not_write_is_marked_in_the_list_not_green(open_window):
    denied = rf.status("1009", ContractState.READY_TO_IMPORT,
                       reasons=(rf.reason(rf.ReasonCode.NO_PERMISSION_PRIME_CONTRACTS),))
    window = open_window(ScriptedEngine(rf.snapshot([rf.status("1001", ContractState.READY_TO_IMPORT), denied])))
    window.prime_contracts_tab.set_view(ContractView.READY)
    listed = window.prime_contracts_tab.list_view().model()
    texts = {listed.index(r, 0).data(): listed.index(r, Column.STATUS) for r in range(listed.rowCount())}
    assert texts["1009"].data() == "Ready to import \u2014 you may not write it"
    assert texts["1001"].data() == "Ready to import"
    colour = texts["1009"].data(Qt.ItemDataRole.ForegroundRole).color().name()
    assert colour != texts["1001"].data(Qt.ItemDataRole.ForegroundRole).color().name()


# --- 9. links into Procore

def test_contract_and_project_names_open_their_procore_pages(open_window, qtbot, monkeypatch):
    from sage_sync_desktop.procore import environments
    window = open_window(ScriptedEngine(_company()))
    tab = window.prime_contracts_tab
    tab.set_procore_environment(environments.PRODUCTION)
    opened = []
    monkeypatch.setattr("sage_sync_desktop.gui.procore_links.QDesktopServices.openUrl",
                        staticmethod(lambda url: opened.append(url.toString()) or True))
    _select(window, ContractView.SYNCED, ["2001"])
    contract_link = window.findChild(QPushButton, "openContractInProcore")
    project_link = window.findChild(QPushButton, "openProjectInProcore")
    assert contract_link.isVisible() and contract_link.text() == "Contract in Procore"
    qtbot.mouseClick(contract_link, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(project_link, Qt.MouseButton.LeftButton)
    assert opened == ["https://app.procore.com/101/project/prime_contracts/11001",
                      "https://app.procore.com/101/project/home"]
    _select(window, ContractView.READY, ["1001"])  # not in Procore yet: its project only
    assert not contract_link.isVisible() and project_link.isVisible()
    tab.set_procore_environment(environments.SANDBOX)
    _select(window, ContractView.SYNCED, ["2001"])
    assert contract_link.toolTip() == ("Open contract 2001 in Procore: "
                                       "https://sandbox.procore.com/101/project/prime_contracts/11001")


# --- 8. smaller points

def test_at_1024x640_the_status_and_change_columns_are_not_cut_off(open_window, qtbot):
    window = open_window(ScriptedEngine(_company()))
    window.resize(1024, 640)
    _select(window, ContractView.SYNCED, ["2001"])
    contracts = window.prime_contracts_tab.list_view()
    lines = window.prime_contracts_tab.diff_table()

    def used(view):
        header = view.horizontalHeader()
        return sum(header.sectionSize(c) for c in range(header.count()) if not view.isColumnHidden(c))

    # The layout settles over a few events; then every column fits the room there is.
    qtbot.waitUntil(lambda: used(contracts) <= contracts.viewport().width() + 1
                    and used(lines) <= lines.viewport().width() + 1, timeout=5000)
    assert window.width() == 1024 and contracts.viewport().width() < 860  # really the small window
    assert contracts.horizontalHeader().sectionSize(Column.STATUS) >= 200
    assert lines.horizontalHeader().sectionSize(DiffColumn.CHANGE) >= 180


def test_an_empty_view_says_why(open_window, qtbot):
    window = open_window(ScriptedEngine(rf.snapshot([rf.status("1001", ContractState.READY_TO_IMPORT)])))
    tab = window.prime_contracts_tab
    tab.set_view(ContractView.SYNCED)
    assert tab.empty_text().startswith("No contract is in Procore yet")
    tab.set_view(ContractView.READY)
    assert tab.empty_text() == ""
    window.findChild(QLineEdit, "contractFilter").setText("zzz")
    assert tab.empty_text() == "No contract in this view matches \u201czzz\u201d."


def test_history_details_are_readable_text_not_json():
    from sage_sync_desktop.sync.history_text import describe_line
    record = {"origin_id": "S300:CN:1:ITEM:2", "item": "2", "result": "written",
              "before": {"description": "Müller – Fußboden", "amount": "1000.00"},
              "after": {"description": "Müller – Fußboden", "amount": "1200.00"}}
    assert describe_line(record) == "Item 2: written: amount $1,000.00 \u2192 $1,200.00"
    added = {"item": "9", "result": "rejected", "before": None, "after": {"description": "Zaun", "amount": "5"},
             "error": "uom: is invalid"}
    assert describe_line(added) == ('Item 9: refused by Procore: description \u201cZaun\u201d; amount $5.00 '
                                    '(Procore said: uom: is invalid)')
