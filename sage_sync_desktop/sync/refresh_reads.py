"""A refresh's two reads side by side: Sage on a thread of its own while Procore is read.

The Procore read is mostly waiting for answers (about 0.1 s each over the internet, and paced
by Procore's rate limits), so the Sage read costs a refresh no time of its own. Neither read
sends or changes anything, so running them together changes no outcome. A failed Sage read
stops the Procore read at its next request (no Procore budget is spent for a refresh that
cannot finish); a failed or cancelled Procore read stops the Sage read at its next batch.
Progress is one monotonic figure: how far the slower of the two has come.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any, TypeVar

from sage_sync_desktop.errors import CancelledError
from sage_sync_desktop.sage.records import SageCompany

Progress = Callable[[int, str], None]
View = TypeVar("View")
# The refresh's last two percent are the classification, reported by the engine.
READS_DONE_PERCENT = 98


class _TwoPartProgress:
    """Reports min(sage, procore) of 0..READS_DONE_PERCENT, never going back."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self._parts = {"sage": 0, "procore": 0}
        self._shown = -1

    def part(self, name: str, before_each: Callable[[], None] = lambda: None) -> Progress:
        def report(percent: int, message: str) -> None:
            before_each()
            with self._lock:
                self._parts[name] = max(self._parts[name], min(100, percent))
                overall = READS_DONE_PERCENT * min(self._parts.values()) // 100
                if self._progress is not None and overall >= self._shown:
                    self._shown = overall
                    self._progress(overall, message)

        return report


def read_sage_and_procore(
    read_sage: Callable[..., SageCompany],
    read_procore: Callable[..., View],
    *,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> tuple[SageCompany, datetime, View]:
    """(the Sage company, when it was read, the Procore view). Both callables take
    `progress=` and `cancel=`; the first error of either is raised."""
    overall = _TwoPartProgress(progress)
    stop_sage = threading.Event()

    def sage_job() -> tuple[SageCompany, datetime]:
        company = read_sage(progress=overall.part("sage"), cancel=stop_sage)
        return company, datetime.now(UTC)

    def before_each_procore_request() -> None:
        if cancel is not None and cancel.is_set():
            stop_sage.set()
        error = sage.exception() if sage.done() else None
        if error is not None:
            raise error

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sage-read") as pool:
        sage: Future[tuple[SageCompany, datetime]] = pool.submit(sage_job)
        try:
            view = read_procore(progress=overall.part("procore", before_each_procore_request), cancel=cancel)
            _wait_for(sage, cancel, stop_sage)
        except BaseException:
            stop_sage.set()
            raise
    company, read_at = sage.result()
    if cancel is not None and cancel.is_set():
        raise CancelledError("Refresh cancelled; nothing was changed.")
    return company, read_at, view


def _wait_for(sage: Future[Any], cancel: threading.Event | None, stop_sage: threading.Event) -> None:
    """Wait for the Sage read, passing a Cancel pressed meanwhile on to it."""
    while not wait([sage], timeout=0.05).done:
        if cancel is not None and cancel.is_set():
            stop_sage.set()
