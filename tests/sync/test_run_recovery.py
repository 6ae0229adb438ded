"""Runs whose process died before their closing entry: the next write run appends a "recovered"
entry saying so and how the contract stands, and leaves runs of living processes alone.

The unfinished runs are left by real child processes writing the history the way the contract
writer does ("started", with their process marker) and then exiting or staying alive."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from sage_sync_desktop.sync import run_recovery
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.sync.history import HistoryStore, NewEntry
from sage_sync_desktop.sync.history_chain import key_name
from sage_sync_desktop.sync.run_recovery import RunLog
from tests.fixtures.file_keyring import REPO_ROOT
from tests.sync.conftest import link_suggested_jobs

# The child is the same Windows user, so it sees the same credential store: here, the history's
# key copied from the test's in-memory keyring.
_CHILD = """
import os, sys
import keyring
from tests.conftest import MemoryKeyring
keyring.set_keyring(MemoryKeyring())
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.sync.history_chain import key_name
SecretStore().set(key_name(sys.argv[1]), os.environ["HISTORY_KEY_RECORD"])
from sage_sync_desktop.sync.history import HistoryStore, NewEntry
from sage_sync_desktop.sync.run_recovery import process_marker
store = HistoryStore(sys.argv[1])
entry = store.append(NewEntry("import", "started", "started", contract=sys.argv[2], data=process_marker()))
print(entry.seq, flush=True)
if sys.argv[3] == "stay":
    sys.stdin.read()
"""


@pytest.fixture
def env(make_env) -> SimpleNamespace:
    built = make_env()
    engine = built.engine()
    link_suggested_jobs(engine)
    ready = [s.number for s in engine.snapshot.statuses if s.can_import]
    return SimpleNamespace(sandbox=built.sandbox, engine=engine, ready=ready)


def _started_by_child(history: HistoryStore, contract: str, *, stay: bool = False):
    key_record = SecretStore().get(key_name(history.path))
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(history.path), contract, "stay" if stay else "exit"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "HISTORY_KEY_RECORD": key_record,
                                  "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT),
                                                                              os.environ.get("PYTHONPATH")]))})
    seq = int(child.stdout.readline())
    if not stay:
        child.communicate(timeout=30)
    return child, seq


def _recovered(history: HistoryStore) -> list:
    return [e for e in history.entries() if e.phase == "recovered"]


def test_a_run_whose_process_died_is_recovered_before_the_contract_is_written_again(env) -> None:
    number = env.ready[0]
    _child, seq = _started_by_child(env.engine.history, number)
    [outcome] = env.engine.import_contracts([number])
    assert outcome.ok, outcome.message
    entries = env.engine.history.entries(number)
    assert [e.phase for e in entries] == ["started", "recovered", "started", "finished"]
    recovered = entries[1]
    assert recovered.data["started_seq"] == seq and recovered.outcome == "partial"
    assert recovered.message.startswith(f"The import of contract {number} started {entries[0].at} (entry {seq}) "
                                        "did not finish (the app stopped).")
    assert recovered.message.endswith("the contract is not in Procore; this run sends what is missing.")
    assert env.engine.history.unclosed_runs() == [] and env.engine.history.verify().ok


def test_a_dead_run_of_a_contract_now_in_procore_says_procore_matches_sage(env) -> None:
    number, other = env.ready[:2]
    assert env.engine.import_contracts([number])[0].ok
    _child, seq = _started_by_child(env.engine.history, number)
    env.engine.refresh()
    assert env.engine.import_contracts([other])[0].ok  # any write run checks every dead run
    [recovered] = _recovered(env.engine.history)
    assert (recovered.contract, recovered.outcome, recovered.data["started_seq"]) == (number, "ok", seq)
    lines = len(env.engine.snapshot.status(number).contract.items)
    assert recovered.message.endswith(f"Procore now matches Sage ({lines} lines).")
    env.engine.import_contracts([env.ready[2]])
    assert len(_recovered(env.engine.history)) == 1  # said once, never again


def test_a_run_of_a_living_process_is_left_alone_until_it_dies(env) -> None:
    number, other, third = env.ready[:3]
    child, seq = _started_by_child(env.engine.history, number, stay=True)
    try:
        assert env.engine.import_contracts([other])[0].ok
        assert _recovered(env.engine.history) == []
        assert [e.seq for e in env.engine.history.unclosed_runs()] == [seq]
    finally:
        child.kill()
        child.communicate(timeout=30)
    assert env.engine.import_contracts([third])[0].ok
    [recovered] = _recovered(env.engine.history)
    assert recovered.data["started_seq"] == seq
    assert recovered.message.endswith("Add it to Procore again to finish.")


def test_a_dry_run_records_nothing(env) -> None:
    number = env.ready[0]
    _started_by_child(env.engine.history, number)
    env.engine.import_contracts([number], dry_run=True)
    assert _recovered(env.engine.history) == []


def test_a_run_of_this_process_is_dead_only_once_it_is_no_longer_in_flight(tmp_path) -> None:
    history = HistoryStore(tmp_path / "history.sqlite3")
    started = history.append(NewEntry("import", "started", "started", contract="1001",
                                      data=run_recovery.process_marker()))
    log = RunLog()
    log.started(started.seq)
    assert history.unclosed_runs() == [started] and run_recovery.dead_runs(history) == []
    history.append(NewEntry("import", "finished", "ok", contract="1001", data=log.closing_data()))
    assert history.unclosed_runs() == [] and run_recovery.dead_runs(history) == []


def test_entries_from_before_run_links_pair_a_close_with_the_latest_start(tmp_path) -> None:
    history = HistoryStore(tmp_path / "history.sqlite3")
    first = history.append(NewEntry("import", "started", "started", contract="1001"))
    history.append(NewEntry("import", "started", "started", contract="1001"))
    history.append(NewEntry("import", "finished", "ok", contract="1001"))
    # The second run closed; the first was orphaned by it and, with no process marker, is dead.
    assert [e.seq for e in run_recovery.dead_runs(history)] == [first.seq]
