"""A wait Procore asks for that is longer than 5 s counts down in the window's progress line."""

from __future__ import annotations

import re

import pytest

from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.demo.demo_setup import prepare_demo
from sage_sync_desktop.gui.progress_panel import ProgressPanel
from sage_sync_desktop.gui.window_startup import build_window
from sage_sync_desktop.secret_store import SecretStore

pytestmark = [pytest.mark.slow,
              pytest.mark.qt_log_ignore(r"^This plugin does not support (propagateSizeHints|raise)\(\)$")]


def test_a_long_retry_after_counts_down_in_the_progress_line(qtbot, tmp_path) -> None:
    demo = prepare_demo(tmp_path / "demo")
    window = build_window(AppContext(paths=demo.paths, settings_path=demo.settings_path, secrets=SecretStore()))
    qtbot.addWidget(window)
    window.show()
    try:
        demo.sandbox.faults.fail("GET /rest/v1.1/projects", 429, retry_after=6, times=1)
        panel = window.findChild(ProgressPanel)
        seen: list[str] = []
        window.refresh()

        def counted_down() -> bool:
            text = panel.message()
            if "waiting" in text and text not in seen:
                seen.append(text)
            return len(seen) >= 3

        qtbot.waitUntil(counted_down, timeout=20_000)
        with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
            pass
    finally:
        window.session.shutdown()
        demo.stop()
    seconds = [int(re.search(r"waiting (\d+) s", text).group(1)) for text in seen]
    assert seconds == sorted(seconds, reverse=True) and seconds[0] >= 6
    assert all("429" in text for text in seen)
