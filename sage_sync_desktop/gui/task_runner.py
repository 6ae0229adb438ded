"""Run blocking engine calls off the GUI thread, one at a time, and hand results back as values."""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

logger = logging.getLogger(__name__)


class Work(Protocol):
    """A blocking call; runs on the pool thread and must never touch a widget."""

    def __call__(
        self, *, progress: Callable[[int, str], None], cancel: threading.Event
    ) -> object: ...


class TaskRunner(QObject):
    """Runs one piece of work at a time on a private single-thread pool.

    pyodbc connections and the Procore token file must not be used from two threads at
    once, so every job is serialised here (one thread, queue of jobs).

    Signals:
        started(str): a job with this label began on the pool thread.
        progress_changed(int, str): percent (0-100) and a message from the running job.
        succeeded(str, object): the job's label and its return value.
        failed(str, object): the job's label and the exception it raised.
        finished(str): after succeeded or failed, with the label.
    """

    started = Signal(str)
    progress_changed = Signal(int, str)
    succeeded = Signal(str, object)
    failed = Signal(str, object)
    finished = Signal(str)
    # Private: emitted before succeeded/failed, so `busy` already counts this job as done there.
    _job_done = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        # The thread never expires, so objects a job leaves behind (the engine, its SQLite
        # history connection) are always used from the same thread.
        self._pool.setExpiryTimeout(-1)
        self._cancels: dict[int, threading.Event] = {}
        self._next_id = 0
        self._job_done.connect(self._on_self_job_done)

    @property
    def busy(self) -> bool:
        return bool(self._cancels)

    def start(self, label: str, work: Work) -> None:
        """Queue `work`; `label` comes back with every signal so callers know which job it was."""
        # One event per job, so a Cancel stops what is queued now and never a later job.
        cancel = threading.Event()
        self._next_id += 1
        self._cancels[self._next_id] = cancel
        self._pool.start(_Job(self._next_id, label, work, cancel, self))

    def cancel(self) -> None:
        """Ask the running and queued jobs to stop at their next safe point."""
        for event in self._cancels.values():
            event.set()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel and wait for the pool; call from closeEvent so no job outlives the window."""
        self.cancel()
        return self._pool.waitForDone(timeout_ms)

    def _on_self_job_done(self, job_id: int) -> None:
        self._cancels.pop(job_id, None)


class _Job(QRunnable):
    """Holds bound signals only; the TaskRunner that owns them stays on the GUI thread."""

    def __init__(
        self, job_id: int, label: str, work: Work, cancel: threading.Event, runner: TaskRunner
    ) -> None:
        super().__init__()
        self._job_id = job_id
        self._label = label
        self._work = work
        self._cancel = cancel
        self._started = runner.started
        self._progress_changed = runner.progress_changed
        self._succeeded = runner.succeeded
        self._failed = runner.failed
        self._finished = runner.finished
        self._job_done = runner._job_done

    def _progress(self, percent: int, message: str) -> None:
        _emit(self._progress_changed, max(0, min(100, int(percent))), str(message))

    def run(self) -> None:
        _emit(self._started, self._label)
        try:
            with garbage_collection_paused():
                result = self._work(progress=self._progress, cancel=self._cancel)
        except Exception as exc:  # delivered as a value, never lost in the pool thread
            logger.info("job %s failed: %s", self._label, type(exc).__name__, exc_info=True)
            _emit(self._job_done, self._job_id)
            _emit(self._failed, self._label, exc)
        else:
            _emit(self._job_done, self._job_id)
            _emit(self._succeeded, self._label, result)
        _emit(self._finished, self._label)


@contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a job builds a large company in memory.

    A collection walks every object it tracks and keeps the GIL for the whole walk: with
    150,000 Sage items and 75,000 Procore lines in memory that took 250-490 ms, and the window
    could not repaint meanwhile (the worker's Python code itself yields the GIL every few
    milliseconds). A refresh leaves no reference cycles behind (measured: 0 objects found by
    gc.collect() after a full bench refresh), so nothing is lost by waiting. Afterwards the
    survivors (the snapshot the window shows) move to the permanent generation, so later
    collections do not walk them either; reference counting still frees them when the next
    refresh replaces them.
    """
    if not _PAUSE_GC or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


_PAUSE_GC = os.environ.get("SAGE_SYNC_GC_PAUSE", "1") != "0"


def _emit(signal: Any, *args: object) -> None:
    try:
        signal.emit(*args)
    except RuntimeError:
        # The TaskRunner was deleted while this job ran (its dialog closed): nobody is left to
        # tell, and the result of a look-up nobody waits for can be dropped.
        logger.debug("job result dropped: its TaskRunner is gone")
