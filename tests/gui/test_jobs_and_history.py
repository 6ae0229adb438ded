"""The Jobs and History tabs: their models, and the History tab over a real HistoryStore."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTabWidget

from sage_sync_desktop.gui.history_tab import HistoryTab
from sage_sync_desktop.gui.jobs_tab import EXPLANATION
from sage_sync_desktop.gui.models.history_model import HistoryColumn, HistoryModel
from sage_sync_desktop.gui.models.job_link_model import JobColumn, JobLinkModel
from sage_sync_desktop.sync.history import HistoryStore, NewEntry
from sage_sync_desktop.sync.records import ContractState
from tests.gui import records_factory as rf
from tests.gui.scripted_engine import ScriptedEngine


def _jobs():
    return [rf.job_link("1001", linked=True), rf.job_link("1002", linked=False, suggestions=(rf.OTHER_PROJECT,))]


def _history(tmp_path) -> HistoryStore:
    store = HistoryStore(tmp_path / "history.sqlite3", windows_user="alex", procore_user="alex@example.com")
    store.append(NewEntry("import", "finished", "ok", contract="1001", message="Imported 3 lines."))
    store.append(NewEntry("link_job", "finished", "ok", job="1002", project_id=102, message="Linked."))
    store.append(NewEntry("reimport", "finished", "failed", contract="2001", message="1 line refused.",
                          procore_error="amount is invalid"))
    return store


def test_job_link_model_passes_the_model_tester(qtmodeltester):
    model = JobLinkModel()
    model.set_jobs(_jobs())
    qtmodeltester.check(model)


def test_job_rows_show_the_link_and_the_suggested_match():
    model = JobLinkModel()
    model.set_jobs(_jobs())
    assert model.index(0, JobColumn.PROCORE_PROJECT).data() == "RC-01 Riverside Clinic"
    assert model.index(0, JobColumn.SUGGESTED).data() == ""
    assert model.index(1, JobColumn.LINK).data() == "Not linked"
    assert model.index(1, JobColumn.SUGGESTED).data() == "HO-02 Harbour Offices"


def test_history_model_passes_the_model_tester(qtmodeltester, tmp_path):
    model = HistoryModel()
    model.set_entries(_history(tmp_path).entries())
    qtmodeltester.check(model)


def test_history_is_listed_newest_first(tmp_path):
    model = HistoryModel()
    model.set_entries(_history(tmp_path).entries())
    assert [model.index(r, HistoryColumn.CONTRACT).data() for r in range(3)] == ["2001", "Job 1002", "1001"]
    assert model.index(0, HistoryColumn.OUTCOME).data() == "Failed"
    assert model.index(0, HistoryColumn.MESSAGE).data() == "1 line refused. Procore said: amount is invalid"


def test_jobs_tab_explains_links_and_offers_link_for_an_unlinked_job(open_window):
    engine = ScriptedEngine(rf.snapshot([rf.status("1001", ContractState.READY_TO_IMPORT)], _jobs()))
    window = open_window(engine)
    window.findChild(QTabWidget, "erpTabs").setCurrentIndex(0)
    assert window.findChild(QLabel, "jobLinkExplanation").text() == EXPLANATION
    tab = window.jobs_tab
    assert tab.select_job("1002")
    assert tab.project_choices()[0] == "HO-02 Harbour Offices (suggested)"
    assert window.findChild(QPushButton, "linkJobButton").isEnabled()
    assert not window.findChild(QPushButton, "unlinkJobButton").isEnabled()
    assert tab.select_job("1001")
    assert not window.findChild(QPushButton, "linkJobButton").isEnabled()
    assert window.findChild(QPushButton, "unlinkJobButton").isEnabled()
    assert window.findChild(QLabel, "jobLinkReason").text().startswith("Job 1001 is linked to RC-01")


def _history_tab(open_window, qtbot, store) -> HistoryTab:
    window = open_window(ScriptedEngine(rf.snapshot([])), history=store)
    with qtbot.waitSignal(window.session.history_loaded, timeout=10_000):
        window.tabs.setCurrentIndex(2)
    window.history_tab.session = window.session  # for the waits below
    return window.history_tab


def test_history_tab_loads_newest_first_and_filters_by_contract(open_window, qtbot, tmp_path):
    tab = _history_tab(open_window, qtbot, _history(tmp_path))
    assert tab.model().rowCount() == 3
    tab.findChild(object, "historyContractFilter").setText("1001")
    with qtbot.waitSignal(tab.session.history_loaded, timeout=10_000):
        qtbot.keyClick(tab.findChild(object, "historyContractFilter"), Qt.Key.Key_Return)
    assert tab.model().rowCount() == 1
    assert tab.model().index(0, HistoryColumn.MESSAGE).data() == "Imported 3 lines."


def test_history_tab_exports_csv(open_window, qtbot, tmp_path):
    tab = _history_tab(open_window, qtbot, _history(tmp_path))
    target = tmp_path / "out.csv"
    with qtbot.waitSignal(tab.session.history_exported, timeout=10_000):
        tab.export_to(target)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[0].startswith("seq,at_utc,action")
    assert tab.banner.kind == "success" and tab.banner.text() == f"History exported to {target}."
    tab.findChild(object, "historyContractFilter").setText("2001")
    only = tmp_path / "only.csv"
    with qtbot.waitSignal(tab.session.history_exported, timeout=10_000):
        tab.export_to(only)
    rows = only.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len(rows) == 1 and ",2001," in rows[0]


def test_verify_says_intact_then_names_the_altered_entry(open_window, qtbot, tmp_path):
    store = _history(tmp_path)
    tab = _history_tab(open_window, qtbot, store)
    verify = tab.findChild(QPushButton, "verifyHistoryButton")
    with qtbot.waitSignal(tab.session.history_verified, timeout=10_000):
        qtbot.mouseClick(verify, Qt.MouseButton.LeftButton)
    assert tab.banner.kind == "success"
    assert tab.banner.text() == "The history is intact: 3 entries checked."
    # Tamper the way an attacker with the file would: drop the guard and edit a message.
    with sqlite3.connect(store.path) as connection:
        connection.execute("DROP TRIGGER entries_no_update")
        connection.execute("UPDATE entries SET message = 'nothing happened' WHERE seq = 2")
    with qtbot.waitSignal(tab.session.history_verified, timeout=10_000):
        qtbot.mouseClick(verify, Qt.MouseButton.LeftButton)
    assert tab.banner.kind == "error"
    assert tab.banner.text() == "The history was altered: Entry 2 was changed after it was written."


def test_job_proxy_passes_the_model_tester_sorted_and_filtered(qtmodeltester):
    from sage_sync_desktop.gui.models.job_link_model import JobRole
    from sage_sync_desktop.gui.models.source_sorting_proxy import SourceSortingProxy
    model = JobLinkModel()
    model.set_jobs(_jobs())
    proxy = SourceSortingProxy(JobRole.HAYSTACK)
    proxy.setSourceModel(model)
    proxy.sort(JobColumn.JOB, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    assert [proxy.index(r, 0).data() for r in range(2)] == ["1002", "1001"]
    proxy.set_text("harbour")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["1002"]


def _history_with_retries(tmp_path) -> HistoryStore:
    """An entry from before retries were recorded, then one whose run met a 429 and a reset."""
    from sage_sync_desktop.procore.request_stats import RequestStats
    from sage_sync_desktop.sync.retry_record import retry_data

    store = _history(tmp_path)
    stats = RequestStats()
    with stats.watch() as watch:
        stats.record_retry("429", "PATCH /rest/v1.0/prime_contracts/{id}/line_items/sync", 2.5)
        stats.record_wait(2.5, rate_limit=True)
        stats.record_retry("ConnectionError", "DELETE /rest/v1.0/prime_contracts/{id}/line_items/{id}", 0.25)
        stats.record_wait(0.25, rate_limit=False)
        data = retry_data(watch)
    store.append(NewEntry("reimport", "finished", "ok", contract="3001", message="Re-imported.", data=data))
    return store


def test_history_tooltip_says_what_was_retried_and_old_entries_say_nothing_more(tmp_path):
    model = HistoryModel()
    model.set_entries(_history_with_retries(tmp_path).entries())
    newest = model.index(0, HistoryColumn.MESSAGE)
    assert newest.data(Qt.ItemDataRole.ToolTipRole) == (
        "Re-imported.\nRetried 1x 429 rate limit, 1x connection reset; waited 2.8 s.")
    assert newest.data() == "Re-imported."
    assert model.index(3, HistoryColumn.MESSAGE).data(Qt.ItemDataRole.ToolTipRole) == "Imported 3 lines."


def test_history_details_pane_shows_the_retries_of_the_selected_entry(open_window, qtbot, tmp_path):
    from PySide6.QtWidgets import QPlainTextEdit, QTableView

    tab = _history_tab(open_window, qtbot, _history_with_retries(tmp_path))
    tab.findChild(QTableView, "historyList").selectRow(0)
    details = tab.findChild(QPlainTextEdit, "historyEntryDetails").toPlainText()
    assert "Procore calls: Retried 1x 429 rate limit, 1x connection reset; waited 2.8 s." in details
    tab.findChild(QTableView, "historyList").selectRow(3)
    assert "Procore calls" not in tab.findChild(QPlainTextEdit, "historyEntryDetails").toPlainText()
