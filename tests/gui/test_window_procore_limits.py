"""The window over the real engine and the sandbox, when Procore's company or projects lack a
tool: the window says so plainly."""

from __future__ import annotations

import pytest

from sage_sync_desktop.cli.context import CliContext
from sage_sync_desktop.gui.window_startup import build_window
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.sync.demo_setup import prepare_demo
from sage_sync_desktop.sync.records import ReasonCode

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(tmp_path):
    environment = prepare_demo(tmp_path / "demo")
    yield environment
    environment.stop()


@pytest.fixture
def window(qtbot, demo):
    context = CliContext(paths=demo.paths, settings_path=demo.settings_path, secrets=SecretStore())
    window = build_window(context)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.session.shutdown()


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
