"""The window's side of the sync engine: every engine call runs on the TaskRunner, results come back as signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from sage_sync_desktop.gui.task_runner import TaskRunner
from sage_sync_desktop.sync.records import CompanySnapshot, ContractDiff
from sage_sync_desktop.sync.request_budget import NOTICE_PREFIX

logger = logging.getLogger(__name__)

# Engine and history objects are built on the worker thread (building one may sign in to
# Procore), so the window only ever receives factories.
EngineFactory = Callable[[], Any]
HistoryFactory = Callable[[], Any]

REFRESH = "refresh"
IMPORT = "import"
REIMPORT = "reimport"
DIFF = "diff"
LINK = "link"
UNLINK = "unlink"
HISTORY = "history"
VERIFY = "verify"
EXPORT = "export"
RESET = "reset"
_CHANGES_PROCORE = (IMPORT, REIMPORT, LINK, UNLINK)
_WRITES_CONTRACTS = (IMPORT, REIMPORT)
_QUICK = (DIFF, HISTORY)
WINDOW_FETCH_ROWS = 500
# A refresh reports progress dozens of times a second; the bar, its message and the status line
# are updated with the latest at most this often (each update costs the GUI thread a repaint
# and, while workers run Python, a wait for the GIL).
PROGRESS_INTERVAL_MS = 50


class _ReportingReader:
    """The engine's Sage reader, reporting each company it reads (on a worker thread)."""

    def __init__(self, reader: Any, report: Callable[[Any], None]) -> None:
        self._reader = reader
        self._report = report

    def read_company(self, *args: Any, **kwargs: Any) -> Any:
        company = self._reader.read_company(*args, **kwargs)
        try:
            self._report(company)
        except Exception:  # showing rows early must never break the refresh itself
            logger.warning("showing the Sage contracts early failed", exc_info=True)
        return company

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


@dataclass(frozen=True)
class _Loaded:
    snapshot: CompanySnapshot
    prepared: dict[str, object]


class SyncSession(QObject):
    """Runs engine work off the GUI thread and announces what came back.

    Signals:
        busy_changed(bool): a job started or the last queued job finished.
        progress_changed(int, str): percent and message of the running job (the latest, at most
            every PROGRESS_INTERVAL_MS; a Procore request budget notice at once).
        snapshot_loaded(object): a CompanySnapshot from a Refresh.
        sage_loaded(object, object): on the first load, the SageCompany as soon as it is read
            (before Procore) and what the Sage preparers made of it, by name.
        outcomes_received(str, object): "import" or "reimport" and the list of ContractOutcome.
        diff_loaded(str, object): a contract number and its ContractDiff.
        job_link_changed(object): the JobLinkStatus after Link or Unlink.
        history_loaded(object): history entries, newest first.
        history_verified(object): the engine's ChainCheck.
        history_exported(str): the CSV file written.
        work_failed(str, object): the job label and the exception it raised.
    """

    busy_changed = Signal(bool)
    sage_loaded = Signal(object, object)
    progress_changed = Signal(int, str)
    snapshot_loaded = Signal(object)
    outcomes_received = Signal(str, object)
    diff_loaded = Signal(str, object)
    job_link_changed = Signal(object)
    history_loaded = Signal(object)
    history_verified = Signal(object)
    history_exported = Signal(str)
    work_failed = Signal(str, object)

    def __init__(
        self,
        engine_factory: EngineFactory,
        history_factory: HistoryFactory | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._engine_factory = engine_factory
        self._history_factory = history_factory
        self._engine: Any = None  # touched on the worker thread only
        self._engine_lock = threading.Lock()
        self._snapshot: CompanySnapshot | None = None
        self._preparers: dict[str, Callable[[CompanySnapshot], object]] = {}
        self._prepared: dict[str, object] = {}
        self._sage_preparers: dict[str, Callable[[Any], object]] = {}
        self._busy_reported = False
        self._long_jobs = 0
        self._contract_jobs = 0
        self._stopping = False  # the window is closing: no follow-up refresh, no new work
        self._runner = TaskRunner(self)
        self._runner.started.connect(self._on_runner_started)
        self._pending_progress: tuple[int, str] | None = None
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(PROGRESS_INTERVAL_MS)
        self._progress_timer.timeout.connect(self._flush_progress)
        self._runner.progress_changed.connect(self._on_runner_progress_changed)
        self._runner.succeeded.connect(self._on_runner_succeeded)
        self._runner.failed.connect(self._on_runner_failed)
        self._runner.finished.connect(self._on_runner_finished)

    @property
    def snapshot(self) -> CompanySnapshot | None:
        return self._snapshot

    @property
    def busy(self) -> bool:
        """True while work the user waits for runs (refresh, import, re-import, link...).

        Quick look-ups (a contract's diff, the history list) run on the same worker but do not
        count: they would only flash the progress bar and grey the buttons for a moment.
        """
        return self._long_jobs > 0

    @property
    def writing_contracts(self) -> bool:
        """True while an Add to Procore or a Re-Import runs or waits to run."""
        return self._contract_jobs > 0

    def _start(self, label: str, work: Any) -> None:
        if self._stopping:
            return
        if label not in _QUICK:
            self._long_jobs += 1
        if label in _WRITES_CONTRACTS:
            self._contract_jobs += 1
        self._runner.start(label, work)

    def _job_ended(self, label: str) -> None:
        if label not in _QUICK:
            self._long_jobs = max(0, self._long_jobs - 1)
        if label in _WRITES_CONTRACTS:
            self._contract_jobs = max(0, self._contract_jobs - 1)

    # --- requests (GUI thread)
    def add_snapshot_preparer(self, name: str, prepare: Callable[[CompanySnapshot], object]) -> None:
        """Run `prepare(snapshot)` on the worker after each refresh; read it with `prepared(name)`.

        Lets a view do its per-row work (texts, sort keys) off the GUI thread, so thousands of
        contracts reach the screen without freezing the window.
        """
        self._preparers[name] = prepare

    def add_sage_preparer(self, name: str, prepare: Callable[[Any], object]) -> None:
        """Run `prepare(sage_company)` on the worker as soon as Sage is read on the first load.

        The result comes with `sage_loaded`, long before Procore has answered for a large
        company, so the window can list the contracts while it waits.
        """
        self._sage_preparers[name] = prepare

    def prepared(self, name: str) -> object | None:
        """What the named preparer made from the current snapshot (None before the first)."""
        return self._prepared.get(name)

    def refresh(self, *, full: bool = False) -> None:
        """A routine refresh, or with `full` one that also lists unlinked projects, re-reads every
        line and every linked project's permission (see SyncEngine.refresh)."""
        preparers = dict(self._preparers)

        def work(*, progress: Callable[[int, str], None], cancel: threading.Event) -> object:
            snapshot = self._engine_now().refresh(progress=progress, cancel=cancel, full=full)
            prepared = {name: prepare(snapshot) for name, prepare in preparers.items()}
            return _Loaded(snapshot, prepared)

        self._start(REFRESH, work)

    def import_contracts(self, numbers: Sequence[str]) -> None:
        numbers = list(numbers)
        self._start(IMPORT, lambda *, progress, cancel: self._engine_now().import_contracts(
            numbers, progress=progress, cancel=cancel))

    def reimport_contracts(self, numbers: Sequence[str], *, overwrite_procore_edits: bool) -> None:
        numbers = list(numbers)
        self._start(REIMPORT, lambda *, progress, cancel: self._engine_now().reimport_contracts(
            numbers, overwrite_procore_edits=overwrite_procore_edits, progress=progress, cancel=cancel))

    def load_diffs(self, contract_numbers: Sequence[str]) -> None:
        """Each contract's line diff from the last refresh (one job for all of them)."""
        numbers = list(contract_numbers)

        def work(*, progress: Callable[[int, str], None], cancel: threading.Event) -> object:
            engine = self._engine_now()
            return [(number, engine.diff(number)) for number in numbers if not cancel.is_set()]

        self._start(DIFF, work)

    def link_job(self, job_number: str, project_id: int) -> None:
        self._start(LINK, lambda *, progress, cancel: self._engine_now().link_job(
            job_number, project_id))

    def unlink_job(self, job_number: str) -> None:
        self._start(UNLINK, lambda *, progress, cancel: self._engine_now().unlink_job(job_number))

    def load_history(self, contract: str | None = None) -> None:
        self._start(HISTORY, lambda *, progress, cancel: self._history_now().entries(
            contract=contract or None))

    def verify_history(self) -> None:
        self._start(VERIFY, lambda *, progress, cancel: self._history_now().verify())

    def export_history(self, path: Path, contract: str | None = None) -> None:
        def work(*, progress: Callable[[int, str], None], cancel: threading.Event) -> object:
            self._history_now().export_csv(Path(path), contract or None)
            return str(path)

        self._start(EXPORT, work)

    def cancel(self) -> None:
        """Stop at the next safe point: a write finishes the contract in hand first."""
        self._runner.cancel()

    def stop_after_current(self) -> None:
        """For closing: Cancel, and start nothing more (not even the refresh after a write)."""
        self._stopping = True
        self._runner.cancel()

    def reset_engine(self) -> None:
        """Forget the engine after the settings changed; the next job builds a new one."""

        def work(*, progress: Callable[[int, str], None], cancel: threading.Event) -> object:
            with self._engine_lock:
                engine, self._engine = self._engine, None
            _close(engine)
            return None

        self._start(RESET, work)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        done = self._runner.shutdown(timeout_ms)
        if done:
            _close(self._engine)
            self._engine = None
        return done

    # --- worker thread
    def _engine_now(self) -> Any:
        with self._engine_lock:
            if self._engine is None:
                engine = self._engine_factory()
                if hasattr(engine, "reader"):
                    if isinstance(getattr(engine.reader, "fetch_rows", None), int):
                        # The ODBC driver converts a whole batch of rows with the GIL held;
                        # smaller batches let the window repaint between them.
                        engine.reader.fetch_rows = min(engine.reader.fetch_rows, WINDOW_FETCH_ROWS)
                    engine.reader = _ReportingReader(engine.reader, self._on_worker_sage_read)
                self._engine = engine
            return self._engine

    def _on_worker_sage_read(self, company: Any) -> None:
        # A worker thread (the refresh reads Sage on one of its own). Only the first load needs
        # it: later the last snapshot stays on screen.
        if self._snapshot is not None:
            return
        prepared = {name: prepare(company) for name, prepare in dict(self._sage_preparers).items()}
        self.sage_loaded.emit(company, prepared)

    def _history_now(self) -> Any:
        if self._history_factory is not None:
            return self._history_factory()
        return self._engine_now().history

    # --- runner slots (GUI thread)
    def _on_runner_progress_changed(self, percent: int, message: str) -> None:
        if message.startswith(NOTICE_PREFIX):  # shown apart from the progress message: never merged
            self._flush_progress()
            self.progress_changed.emit(percent, message)
            return
        self._pending_progress = (percent, message)
        if not self._progress_timer.isActive():
            self._progress_timer.start()

    def _flush_progress(self) -> None:
        """Hand on the latest progress now (before a job's start or end, so the order holds)."""
        self._progress_timer.stop()
        pending, self._pending_progress = self._pending_progress, None
        if pending is not None:
            self.progress_changed.emit(*pending)

    def _on_runner_started(self, label: str) -> None:
        self._flush_progress()
        if label not in _QUICK:
            self._report_busy()

    def _report_busy(self) -> None:
        # Reported before results are handed out, so views that refresh on a result already
        # know whether more work is queued (buttons and reasons are right at once).
        busy = self.busy
        if busy != self._busy_reported:
            self._busy_reported = busy
            self.busy_changed.emit(busy)

    def _on_runner_succeeded(self, label: str, result: object) -> None:
        self._flush_progress()
        self._job_ended(label)
        if label in _CHANGES_PROCORE:
            self._refresh_after_change()
        self._report_busy()
        if label == REFRESH:
            if isinstance(result, _Loaded):
                self._snapshot, self._prepared = result.snapshot, result.prepared
                self.snapshot_loaded.emit(result.snapshot)
            else:
                self.snapshot_loaded.emit(result)
        elif label in (IMPORT, REIMPORT):
            self.outcomes_received.emit(label, list(result or []))
        elif label == DIFF:
            for number, diff in result or []:  # type: ignore[attr-defined]
                if isinstance(diff, ContractDiff):
                    self.diff_loaded.emit(number, diff)
        elif label in (LINK, UNLINK):
            self.job_link_changed.emit(result)
        elif label == HISTORY:
            self.history_loaded.emit(list(result or []))
        elif label == VERIFY:
            self.history_verified.emit(result)
        elif label == EXPORT:
            self.history_exported.emit(str(result))

    def _on_runner_failed(self, label: str, error: object) -> None:
        self._flush_progress()
        self._job_ended(label)
        if label in _CHANGES_PROCORE and self._engine is not None:
            # Part of the work may have reached Procore before the error or the Cancel.
            self._refresh_after_change()
        self._report_busy()
        self.work_failed.emit(label, error)

    def _refresh_after_change(self) -> None:
        # Started from the GUI thread after the change finished, so it gets its own cancel
        # event: a Cancel pressed during the re-import never stops this follow-up refresh.
        # (`_start` starts nothing once the window is closing.)
        self.refresh()

    def _on_runner_finished(self, _label: str) -> None:
        self._report_busy()


def _close(engine: Any) -> None:
    close = getattr(engine, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # closing must never stop the window from closing
            logger.warning("closing the engine failed", exc_info=True)
