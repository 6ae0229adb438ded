"""Measures how responsive the window stays while a Refresh loads: the longest GUI-thread stall
and the time until the first contract rows are on screen. Used by the GUI test and the benchmark.
"""

from __future__ import annotations

import itertools
import time
from typing import NamedTuple

from PySide6.QtCore import QEventLoop, QTimer

from sage_sync_desktop.gui.main_window import MainWindow


class LoadResponsiveness(NamedTuple):
    max_stall_ms: float  # longest gap between ticks of a GUI-thread timer
    first_rows_seconds: float  # from Refresh to the first rows in the contract list (nan if none)
    total_seconds: float  # from Refresh to the snapshot shown in every tab
    ticks: int
    rows: int  # contracts classified and listed (all views)


def measure_load_responsiveness(
    window: MainWindow, *, tick_ms: int = 5, timeout_s: float = 600.0
) -> LoadResponsiveness:
    """Refresh the window and watch the GUI thread until the data is shown (or fails).

    A QTimer fires every `tick_ms` on the GUI thread; any longer gap between two ticks is time
    the window could not repaint or react to a click.
    """
    tab = window.prime_contracts_tab
    source = tab.list_view().model()
    session = window.session
    loop = QEventLoop()
    stamps: list[float] = []
    first_rows: list[float] = []
    outcome: list[str] = []
    start = time.perf_counter()

    def on_tick() -> None:
        now = time.perf_counter()
        stamps.append(now)
        if not first_rows and source.rowCount() > 0:
            first_rows.append(now)

    def on_rows_inserted(*_args: object) -> None:
        if not first_rows and source.rowCount() > 0:
            first_rows.append(time.perf_counter())

    def on_shown() -> None:
        outcome.append("shown")
        loop.quit()

    def on_failed(label: str, error: object) -> None:
        outcome.append(f"{label} failed: {error}")
        loop.quit()

    timer = QTimer()
    timer.setInterval(tick_ms)
    timer.timeout.connect(on_tick)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    source.modelReset.connect(on_rows_inserted)
    window.snapshot_shown.connect(on_shown)
    session.work_failed.connect(on_failed)
    try:
        timer.start()
        guard.start(int(timeout_s * 1000))
        stamps.append(time.perf_counter())
        window.refresh()
        loop.exec()
        stamps.append(time.perf_counter())
    finally:
        timer.stop()
        guard.stop()
        source.modelReset.disconnect(on_rows_inserted)
        window.snapshot_shown.disconnect(on_shown)
        session.work_failed.disconnect(on_failed)
    if outcome != ["shown"]:
        raise RuntimeError(outcome[0] if outcome else f"nothing loaded within {timeout_s:.0f} s")
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    end = stamps[-1]
    return LoadResponsiveness(
        max_stall_ms=max(gaps, default=0.0) * 1000.0,
        first_rows_seconds=(first_rows[0] - start) if first_rows else float("nan"),
        total_seconds=end - start,
        ticks=len(stamps),
        rows=len(source.statuses()),  # every contract, whichever view is shown
    )
