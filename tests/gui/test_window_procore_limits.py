"""The window over the real engine and the sandbox when Procore limits it: a company without the
ERP Integrations tool, a refresh needing more requests than the rate limit has left."""

from __future__ import annotations

import pytest

from sage_sync_desktop.gui.progress_panel import ProgressPanel
from sage_sync_desktop.sandbox.rate_limits import RateLimits
from sage_sync_desktop.sync.records import ReasonCode
from sage_sync_desktop.sync.request_budget import NOTICE_PREFIX

pytestmark = pytest.mark.slow


@pytest.fixture
def window(open_demo_window):
    return open_demo_window(refresh=False)


def _refresh(qtbot, window):
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        window.refresh()


def test_the_window_says_the_company_has_no_erp_integrations_tool(qtbot, window, demo):
    _refresh(qtbot, window)
    assert "ERP" not in window.user_label.text()
    demo.sandbox.set_tool_enabled("ERP Integrations", False)
    _refresh(qtbot, window)
    assert window.user_label.text().endswith("\u00b7 no ERP Integrations tool")
    assert "This Procore company has no ERP Integrations tool" in window.user_label.toolTip()
    ready = [s for s in window.session.snapshot.statuses if s.state.value == "ready_to_import"]
    assert ready and all(ReasonCode.NO_ERP_TOOL in {r.code for r in s.reasons} for s in ready)


def test_the_progress_panel_keeps_a_budget_notice_shown_until_the_next_job(qtbot):
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.start("Refreshing")
    panel.set_progress(10, NOTICE_PREFIX + "This refresh needs about 540 Procore requests ...")
    panel.set_progress(40, "Reading prime contracts of Harbor View")
    assert panel.message() == "Reading prime contracts of Harbor View"
    assert panel.notice().startswith(NOTICE_PREFIX + "This refresh needs about 540")
    panel.start("Importing")
    assert panel.notice() == ""


def test_a_refresh_short_of_budget_shows_the_notice_in_the_progress_panel(qtbot, window, demo):
    _refresh(qtbot, window)
    demo.sandbox.rate_limiter.configure(RateLimits(hourly=10, spike=1000), hourly_seconds=3.0)
    seen: list[str] = []
    window.session.progress_changed.connect(lambda percent, message: seen.append(message))
    _refresh(qtbot, window)
    assert any(m.startswith(NOTICE_PREFIX + "This refresh needs about") for m in seen), seen
    assert window.prime_contracts_tab.progress.notice().startswith(NOTICE_PREFIX)
    assert demo.sandbox.rate_limiter.snapshot()["refused"] == 0
