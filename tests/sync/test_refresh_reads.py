"""A refresh reads Sage and Procore side by side (sample company, sandbox over HTTP)."""

from __future__ import annotations

import threading

import pytest

from sage_sync_desktop.errors import CancelledError, SageError
from sage_sync_desktop.sage.odbc_connection import connect_sqlite_file
from sage_sync_desktop.sage.sage_reader import SageReader
from sage_sync_desktop.sync.records import ContractState
from tests.sync.conftest import link_suggested_jobs


class _ThreadNoting:
    """The engine's Sage reader, noting which thread read the company."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self.threads: list[str] = []

    def read_company(self, **kwargs):
        self.threads.append(threading.current_thread().name)
        return self._reader.read_company(**kwargs)

    def __getattr__(self, name):
        return getattr(self._reader, name)


def test_a_failed_sage_read_stops_the_procore_read_before_it_spends_the_budget(make_env, tmp_path) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    before = engine.snapshot
    engine.reader = SageReader(lambda: connect_sqlite_file(tmp_path / "moved-away.db"), engine.reader.mapping)
    env.sandbox.latency_seconds = 0.2  # Procore answers slower than Sage fails
    env.sandbox.reset_counts()
    with pytest.raises(SageError, match="does not exist"):
        engine.refresh()
    # a routine refresh of this company costs more than ten; it stopped at its next request
    assert env.sandbox.request_counts()["total"] <= 2
    assert engine.snapshot is before


def test_the_sage_read_runs_beside_the_procore_read_and_both_land_in_the_snapshot(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    noting = _ThreadNoting(engine.reader)
    engine.reader = noting
    snapshot = engine.refresh()
    assert noting.threads and noting.threads[0] != threading.current_thread().name
    assert len(snapshot.statuses) == len(env.info.contract_numbers)
    assert snapshot.procore_requests > 0 and any(s.project is not None for s in snapshot.statuses)


def test_cancel_during_the_procore_read_stops_both_reads(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    before = engine.snapshot
    cancel = threading.Event()
    seen: list[int] = []

    def progress(percent: int, message: str) -> None:
        seen.append(percent)
        if "prime contracts" in message:
            cancel.set()

    with pytest.raises(CancelledError):
        engine.refresh(progress=progress, cancel=cancel)
    assert engine.snapshot is before
    assert seen == sorted(seen)  # one figure for both reads, never going back


def test_an_unchanged_refresh_reuses_each_status_and_a_sage_change_is_classified_again(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    assert all(o.ok for o in engine.import_contracts([s.number for s in engine.snapshot.statuses if s.can_import]))
    first = engine.refresh()
    second = engine.refresh()
    assert all(a is b for a, b in zip(first.statuses, second.statuses, strict=True))
    synced = next(s for s in second.statuses if s.state is ContractState.SYNCED)
    item = synced.contract.items[0]
    env.sage_user.change_item(synced.number, item.number, amount=str(item.amount + 7))
    third = engine.refresh()
    changed = third.status(synced.number)
    assert changed.state is ContractState.CHANGES_READY and changed.diff.counts.changed == 1
    assert [a is b for a, b in zip(second.statuses, third.statuses, strict=True)].count(False) == 1
