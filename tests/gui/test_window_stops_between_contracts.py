"""Cancel and closing the window during Add to Procore, over the real engine and the sandbox:
afterwards every contract is either absent from Procore or complete (every line) and Approved."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from sage_sync_desktop.gui.confirm_send_dialog import ConfirmSendDialog
from sage_sync_desktop.gui.main_window import MainWindow
from sage_sync_desktop.gui.models.contract_filter_proxy import ContractView
from sage_sync_desktop.sync import origin_ids
from tests.gui.test_window_end_to_end import demo, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow

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
    monkeypatch.setattr(MainWindow, "ask_stop_after_current", lambda self: False)
    window.close()
    assert window.isVisible()
    demo.sandbox.faults.clear()
    qtbot.waitUntil(lambda: not window.session.busy, timeout=60_000)
    assert set(_absent_or_complete(demo, ready).values()) == {"complete"}
