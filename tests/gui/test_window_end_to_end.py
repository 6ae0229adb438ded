"""The window over the real engine: the demo's sample company read from SQLite, the local
Procore sandbox over HTTP, every engine call on the TaskRunner."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QListWidget, QPushButton

from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.gui.confirm_send_dialog import ConfirmSendDialog
from sage_sync_desktop.gui.formatting import money
from sage_sync_desktop.gui.main_window import MainWindow
from sage_sync_desktop.gui.models.contract_views import ContractView
from sage_sync_desktop.gui.reimport_dialog import ReimportDecision, ReimportDialog
from sage_sync_desktop.sync import availability
from sage_sync_desktop.gui.window_startup import build_window
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.records import ContractState, ReasonCode
from sage_sync_desktop.demo.sample_editor import SampleEditor

pytestmark = pytest.mark.slow


@pytest.fixture
def window(open_demo_window):
    return open_demo_window()


def _refresh(qtbot, window):
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        window.refresh()


def _button(window) -> QPushButton:
    return window.findChild(QPushButton, "reimportButton")


def _reason(window) -> str:
    label = window.findChild(QLabel, "reimportReason")
    return label.text() if label.isVisible() else ""


def _show(window, number):
    status = window.session.snapshot.status(number)
    view = {ContractState.READY_TO_IMPORT: ContractView.READY, ContractState.NOT_READY: ContractView.NOT_READY}.get(
        status.state, ContractView.SYNCED)
    window.prime_contracts_tab.set_view(view)
    assert window.prime_contracts_tab.select_contracts([number]) == 1
    return status


def _confirm(monkeypatch, overwrite=False):
    asked = []
    monkeypatch.setattr(ReimportDialog, "ask", classmethod(
        lambda cls, summary, parent=None, overwriting=None: asked.append(summary) or ReimportDecision(overwrite)))
    return asked


def test_the_demo_gives_every_view_content(window):
    views = window.findChild(QListWidget, "primeContractsViews")
    counts = [int(views.item(i).text().rsplit("(", 1)[1].rstrip(")")) for i in range(3)]
    assert all(count > 0 for count in counts), counts
    assert window.user_label.text().endswith(window.session.snapshot.user.company_name)


def test_reimport_is_greyed_when_nothing_is_new(window, demo):
    status = _show(window, demo.roles["synced"])
    assert status.state is ContractState.SYNCED
    assert not _button(window).isEnabled()
    assert _reason(window) == " ".join(
        f"{r.message} {r.fix}".strip() for r in availability.reimport_unavailable_because(status))
    assert availability.reimport_unavailable_because(status)[0].code is ReasonCode.NOTHING_NEW


def _rule_case(demo, code):
    sample = demo.sample
    return {
        ReasonCode.UNAPPROVED: sample.unapproved_contracts[0],
        ReasonCode.JOB_NOT_SYNCED: sample.contracts_on_unlinked_job[0],
        ReasonCode.ON_TWO_PROJECTS: demo.roles["on_two_projects"],
        ReasonCode.NO_PERMISSION_PRIME_CONTRACTS: demo.roles["no_permission"],
    }[code]


@pytest.mark.parametrize("code", [ReasonCode.UNAPPROVED, ReasonCode.JOB_NOT_SYNCED, ReasonCode.ON_TWO_PROJECTS,
                                  ReasonCode.NO_PERMISSION_PRIME_CONTRACTS])
def test_reimport_is_greyed_with_the_rule_that_blocks_it(window, demo, code, qtbot):
    if code is ReasonCode.NO_PERMISSION_PRIME_CONTRACTS:
        # a routine refresh reads no project permission (a write reads it live); Full refresh does
        with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
            window.full_refresh_action.trigger()
    status = _show(window, _rule_case(demo, code))
    assert code in {r.code for r in status.reasons}
    assert not _button(window).isEnabled()
    assert _reason(window) == " ".join(f"{r.message} {r.fix}".strip() for r in status.reasons)
    assert _button(window).toolTip() == _reason(window)
    if code is ReasonCode.ON_TWO_PROJECTS:
        for project in status.procore_projects:
            assert project.name in _reason(window)


def test_full_refresh_greys_what_a_routine_refresh_cannot_know_yet(window, demo, qtbot):
    number = demo.roles["no_permission"]
    status = _show(window, number)
    assert status.state is ContractState.CHANGES_READY and _button(window).isEnabled()
    assert window.full_refresh_action.isEnabled() and "permission" in window.full_refresh_action.toolTip()
    demo.sandbox.reset_counts()
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        window.full_refresh_action.trigger()
    status = _show(window, number)
    assert [r.code for r in status.reasons] == [ReasonCode.NO_PERMISSION_PRIME_CONTRACTS]
    assert not _button(window).isEnabled()
    assert demo.sandbox.request_counts()["by_endpoint"]["GET /rest/v1.0/settings/permissions"] > 1


def test_reimport_is_greyed_without_admin_on_erp_integrations(window, demo, qtbot):
    number = demo.roles["changes_ready"]
    assert _show(window, number).can_reimport and _button(window).isEnabled()
    demo.sandbox.set_permission(demo.sandbox.service_account()["login"], "ERP Integrations", "Standard")
    _refresh(qtbot, window)
    status = _show(window, number)
    assert ReasonCode.NO_PERMISSION_ERP in {r.code for r in status.reasons}
    assert not _button(window).isEnabled()
    assert "ERP Integrations" in _reason(window)


def test_a_new_sage_line_enables_reimport_and_reimporting_greys_it_again(window, demo, qtbot, monkeypatch):
    number = demo.roles["synced"]
    _show(window, number)
    assert not _button(window).isEnabled()
    SampleEditor(demo.sample.path, demo.sample.naming).add_item(number, "97", "Change Order 9 – Fence", "4321.00")
    _refresh(qtbot, window)
    status = _show(window, number)
    assert status.state is ContractState.CHANGES_READY
    assert _button(window).isEnabled() and _reason(window) == ""
    assert window.prime_contracts_tab.diff_model().index(0, 1).data() == "Added"
    asked = _confirm(monkeypatch)
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        qtbot.mouseClick(_button(window), Qt.MouseButton.LeftButton)
    assert (asked[0].added, asked[0].changed, asked[0].removed) == (1, 0, 0)
    assert asked[0].total_after - asked[0].total_before == 4321
    banner = window.prime_contracts_tab.banner
    assert banner.kind == "success", banner.text() + banner.details()
    assert window.session.snapshot.status(number).state is ContractState.SYNCED
    status = _show(window, number)
    assert not _button(window).isEnabled()
    assert [r.code for r in availability.reimport_unavailable_because(status)] == [ReasonCode.NOTHING_NEW]
    assert _reason(window) == " ".join(f"{r.message} {r.fix}" for r in availability.reimport_unavailable_because(status))
    project = window.session.snapshot.status(number).procore
    lines = demo.sandbox.line_items(project.prime_contract_id)
    assert any(line.get("description") == "Change Order 9 – Fence" for line in lines)


def test_bulk_reimport_sends_each_selected_contract(window, demo, qtbot, monkeypatch):
    numbers = [demo.roles["changes_ready"], demo.roles["edited_in_procore"], demo.roles["synced"]]
    window.prime_contracts_tab.set_view(ContractView.SYNCED)
    SampleEditor(demo.sample.path, demo.sample.naming).add_item(
        demo.roles["edited_in_procore"], "98", "Change Order 3 – Lighting", "900.00")
    _refresh(qtbot, window)
    assert window.prime_contracts_tab.select_contracts(numbers) == 3
    assert _button(window).text() == "&Re-Import (2)"
    asked = _confirm(monkeypatch, overwrite=False)
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        qtbot.mouseClick(_button(window), Qt.MouseButton.LeftButton)
    assert set(asked[0].contracts) == set(numbers[:2])
    assert asked[0].edited_in_procore >= 1
    banner = window.prime_contracts_tab.banner
    assert banner.kind == "success", banner.text() + banner.details()
    assert banner.text() == "2 contracts re-imported."
    states = {n: window.session.snapshot.status(n).state for n in numbers}
    assert states[demo.roles["changes_ready"]] is ContractState.SYNCED


def test_the_reimport_confirmation_shows_the_total_the_overwriting_write_leaves_in_procore(window, demo, qtbot):
    number = demo.roles["edited_in_procore"]
    SampleEditor(demo.sample.path, demo.sample.naming).add_item(number, "98", "Change Order 3 \u2013 Lighting", "900.00")
    _refresh(qtbot, window)
    status = _show(window, number)
    assert status.state is ContractState.CHANGES_READY and status.diff.counts.kept == 1
    shown = []

    def in_the_dialog():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ReimportDialog)
        box = dialog.findChild(QCheckBox, "overwriteProcoreEdits")
        for tick in (False, True):
            box.setChecked(tick)
            shown.append(dialog.summary().rsplit(" ", 1)[1].rstrip("."))  # "... $before \u2192 $after."
        dialog.accept()

    QTimer.singleShot(0, in_the_dialog)
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        qtbot.mouseClick(_button(window), Qt.MouseButton.LeftButton)
    keeping, overwriting = shown
    assert keeping == money(status.diff.procore_total_after)
    assert overwriting != keeping
    assert window.prime_contracts_tab.banner.kind == "success"
    lines = demo.sandbox.line_items(status.procore.prime_contract_id)
    assert money(sum((Decimal(str(line["amount"])) for line in lines), Decimal("0.00"))) == overwriting
    assert money(window.session.snapshot.status(number).procore_total) == overwriting


def test_add_to_procore_imports_a_ready_contract(window, qtbot, monkeypatch):
    ready = next(s.number for s in window.session.snapshot.statuses if s.can_import)
    _show(window, ready)
    asked = []
    monkeypatch.setattr(ConfirmSendDialog, "ask", classmethod(lambda cls, preview, parent=None: asked.append(preview)
                                                              or True))
    add = window.findChild(QPushButton, "addToProcoreButton")
    assert add.isEnabled()
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert asked[0].contracts == (ready,)
    assert asked[0].sage_total == window.session.snapshot.status(ready).sage_total
    assert window.prime_contracts_tab.banner.kind == "success"
    assert window.session.snapshot.status(ready).state is ContractState.SYNCED


def test_unlink_and_link_a_job_from_the_jobs_tab(window, demo, qtbot, monkeypatch):
    from PySide6.QtWidgets import QComboBox

    from sage_sync_desktop.gui.jobs_tab import JobsTab
    asked = []
    monkeypatch.setattr(JobsTab, "ask_unlink", lambda self, job: asked.append(job.job.number) or True)
    job = window.session.snapshot.statuses[0].contract.job_number
    window.tabs.setCurrentIndex(0)
    assert window.jobs_tab.select_job(job)
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        qtbot.mouseClick(window.findChild(QPushButton, "unlinkJobButton"), Qt.MouseButton.LeftButton)
    assert asked == [job]  # Unlink asked first
    assert window.jobs_tab.banner.kind == "success"
    assert next(j for j in window.session.snapshot.jobs if j.job.number == job).project is None
    assert window.jobs_tab.select_job(job)
    combo = window.findChild(QComboBox, "linkProjectCombo")
    assert window.jobs_tab.choose_project(demo.project_ids[job])
    assert combo.currentText().startswith(job)
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        qtbot.mouseClick(window.findChild(QPushButton, "linkJobButton"), Qt.MouseButton.LeftButton)
    linked = next(j for j in window.session.snapshot.jobs if j.job.number == job)
    assert linked.project is not None and linked.project.project_id == demo.project_ids[job]


def test_history_shows_the_reimport_newest_first(window, demo, qtbot, monkeypatch):
    number = demo.roles["changes_ready"]
    _show(window, number)
    _confirm(monkeypatch)
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        qtbot.mouseClick(_button(window), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.session.history_loaded, timeout=10_000):
        window.tabs.setCurrentIndex(2)
    model = window.history_tab.model()
    assert model.rowCount() >= 2
    newest = model.entry_at(0)
    assert (newest.contract, newest.action, newest.phase) == (number, "reimport", "finished")
    assert model.index(0, 3).data() == "OK"


def test_sage_contracts_are_listed_while_procore_is_still_being_read(qtbot, demo):
    from sage_sync_desktop.gui.models.contract_list_model import CHECKING_PROCORE, Column

    context = AppContext(paths=demo.paths, settings_path=demo.settings_path, secrets=SecretStore())
    window = build_window(context)
    qtbot.addWidget(window)
    window.show()
    demo.sandbox.faults.delay("GET /rest/v1.0/projects*", 1.5)  # a slow Procore
    try:
        with qtbot.waitSignal(window.session.sage_loaded, timeout=30_000):
            window.refresh()
        source = window.prime_contracts_tab.list_view().model()
        assert window.session.snapshot is None
        assert source.rowCount() == demo.sample.contract_count
        assert {source.index(r, Column.STATUS).data() for r in range(source.rowCount())} == {CHECKING_PROCORE}
        assert window.findChild(QLabel, "primeContractsTitle").text().endswith("checking Procore\u2026")
        with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
            pass
        assert CHECKING_PROCORE not in {source.index(r, Column.STATUS).data() for r in range(source.rowCount())}
    finally:
        demo.sandbox.faults.clear()
        window.session.shutdown()


# --- Cancel and closing during Add to Procore: afterwards every contract is either absent from
# Procore or complete (every line) and Approved.

CREATE = "POST /rest/v1.0/prime_contract"


def _start_bulk_add(window, demo, qtbot, monkeypatch):
    monkeypatch.setattr(ConfirmSendDialog, "ask", classmethod(lambda cls, preview, parent=None: True))
    ready = [s for s in window.session.snapshot.statuses if s.can_import]
    assert len(ready) >= 3
    window.prime_contracts_tab.set_view(ContractView.READY)
    assert window.prime_contracts_tab.select_contracts([s.number for s in ready]) == len(ready)
    # Slow Procore's line writes, so the Cancel lands while a contract is half-way through.
    demo.sandbox.faults.delay("* /rest/v1.0/*line_items*", 0.5)
    demo.sandbox.reset_counts()
    qtbot.mouseClick(window.findChild(QPushButton, "addToProcoreButton"), Qt.MouseButton.LeftButton)
    # The first contract's header is in Procore, its lines are on their way.
    qtbot.waitUntil(lambda: demo.sandbox.request_counts()["by_endpoint"].get(CREATE, 0) >= 1, timeout=30_000)
    return ready


def _absent_or_complete(demo, statuses) -> dict[str, str]:
    stored = {pc["origin_id"]: pc for pc in demo.sandbox.prime_contracts()}
    found = {}
    for status in statuses:
        pc = stored.get(origin_ids.contract_origin_id(status.number))
        if pc is None:
            found[status.number] = "absent"
            continue
        lines = {line["origin_id"] for line in demo.sandbox.line_items(pc["id"])}
        expected = {origin_ids.item_origin_id(status.number, item.number) for item in status.contract.items}
        assert (pc["status"], lines) == ("Approved", expected), status.number
        found[status.number] = "complete"
    return found


def test_cancel_during_a_contract_finishes_it_and_sends_no_other(window, demo, qtbot, monkeypatch):
    ready = _start_bulk_add(window, demo, qtbot, monkeypatch)
    progress = window.prime_contracts_tab.progress
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        qtbot.mouseClick(progress.findChild(QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
        assert progress.message().startswith("Stopping after the current contract")
    found = _absent_or_complete(demo, ready)
    done = [n for n, state in found.items() if state == "complete"]
    assert 1 <= len(done) < len(ready), found
    banner = window.prime_contracts_tab.banner
    assert banner.kind == "info", banner.text()
    assert banner.text().startswith(f"Add to Procore stopped as you asked: {len(done)} of {len(ready)} "
                                    f"contracts added to Procore ({done[0]}")
    assert f"{len(ready) - len(done)} not sent" in banner.text()


def test_closing_during_a_contract_asks_then_finishes_it_before_closing(window, demo, qtbot, monkeypatch):
    ready = _start_bulk_add(window, demo, qtbot, monkeypatch)
    asked = []
    monkeypatch.setattr(MainWindow, "ask_stop_after_current", lambda self: asked.append(1) or True)
    window.close()
    assert asked == [1]
    assert window.isVisible()  # it waits for the contract in hand
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60_000)
    found = _absent_or_complete(demo, ready)
    assert "complete" in found.values() and "absent" in found.values(), found


def test_closing_during_a_contract_and_keeping_on_working_sends_every_contract(window, demo, qtbot,
                                                                               monkeypatch):
    ready = _start_bulk_add(window, demo, qtbot, monkeypatch)
    outcomes = []
    window.session.outcomes_received.connect(lambda action, found: outcomes.extend(found))
    monkeypatch.setattr(MainWindow, "ask_stop_after_current", lambda self: False)
    window.close()
    assert window.isVisible()
    demo.sandbox.faults.clear()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=60_000)
    assert [o.contract_number for o in outcomes] == [s.number for s in ready]
    assert not any(o.cancelled for o in outcomes)
    found = _absent_or_complete(demo, ready)
    # Every contract was attempted; only one the user may not write (found live) stays out.
    assert {n for n, state in found.items() if state == "complete"} == {o.contract_number for o in outcomes if o.ok}


def test_not_ready_shows_what_procore_holds_and_the_line_that_blocks(window, demo, qtbot):
    from sage_sync_desktop.gui.models.line_diff_model import DiffColumn, DiffRole
    twice = _show(window, demo.roles["on_two_projects"])
    assert twice.state is ContractState.NOT_READY and twice.procore_total is not None  # not $0.00
    model = window.prime_contracts_tab.diff_model()
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=10_000)
    looks = {model.index(r, 0).data(DiffRole.LOOK) for r in range(model.rowCount())}
    assert "added" not in looks and "held" not in looks  # Procore holds every line already
    bad = _show(window, demo.roles["invalid_data"])
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=10_000)
    assert model.index(0, DiffColumn.STATE).data() == "Blocks the import"
    assert "unit of measure 'BAG'" in model.index(0, DiffColumn.CHANGE).data()
    assert all(model.index(r, DiffColumn.STATE).data() != "Added" for r in range(model.rowCount()))
    assert bad.procore is None
    totals = window.findChild(QLabel, "diffTotals").text()
    assert "$0.00" not in totals and totals.endswith("Nothing to send.")
