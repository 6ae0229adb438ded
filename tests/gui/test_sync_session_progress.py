"""SyncSession hands the window the latest progress a few times a second, not every report."""

from __future__ import annotations

import math
import time

from sage_sync_desktop.gui.sync_session import PROGRESS_INTERVAL_MS, SyncSession
from sage_sync_desktop.sync.request_budget import NOTICE_PREFIX
from tests.gui import records_factory as rf

STEPS = 400


class ChattyEngine:
    """Reports progress as fast as it can, with one request budget notice half way."""

    def __init__(self) -> None:
        self.elapsed_ms = 0.0

    def refresh(self, *, progress=None, cancel=None, full=False):
        start = time.perf_counter()
        for step in range(STEPS):
            progress(step * 100 // STEPS, f"Reading contract {step}")
            if step == STEPS // 2:
                progress(step * 100 // STEPS, NOTICE_PREFIX + "This refresh needs about 540 Procore requests")
        progress(99, "Classifying")
        self.elapsed_ms = (time.perf_counter() - start) * 1000
        return rf.snapshot([])


def test_progress_is_coalesced_to_the_latest_and_ends_before_the_result(qtbot):
    engine = ChattyEngine()
    session = SyncSession(lambda: engine)
    events = []
    session.progress_changed.connect(lambda percent, message: events.append((percent, message)))
    session.snapshot_loaded.connect(lambda snapshot: events.append("loaded"))
    try:
        with qtbot.waitSignal(session.snapshot_loaded, timeout=10_000):
            session.refresh()
    finally:
        session.shutdown()
    assert events[-1] == "loaded"
    assert events[-2] == (99, "Classifying")  # the last report is never dropped, and comes first
    progress = events[:-1]
    notices = [m for _p, m in progress if m.startswith(NOTICE_PREFIX)]
    assert notices == [NOTICE_PREFIX + "This refresh needs about 540 Procore requests"]
    # At most one update per interval the reports took (plus the notice and the final flush),
    # instead of one per report.
    allowed = math.ceil(engine.elapsed_ms / PROGRESS_INTERVAL_MS) + 3
    assert len(progress) <= min(allowed, STEPS // 4), (len(progress), engine.elapsed_ms)
