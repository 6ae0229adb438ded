"""Imports and re-imports of a 50-contract batch through connection resets, 500/503 answers,
429 storms with Retry-After, tokens expiring mid-run and latency spikes. After each run the
batch is in Procore exactly as in Sage, nothing is duplicated, Procore-only lines are untouched,
the history names every contract run that failed and was run again, and its retry records
match, cause for cause, the faults the sandbox served to write calls."""

from __future__ import annotations

import random
import threading
from collections import Counter

from tests.faults.fault_runs import WRITES, BatchRun, random_network_faults, run_to_completion
from tests.faults.fault_world import assert_procore_equals_sage, history_failures, recorded_write_faults

SYNC = "PATCH /rest/v1.0/prime_contracts/*/line_items/sync"


def _check_and_record(world, ledger, scenario: str, run: BatchRun, extra_faults=None) -> None:
    faults = run.faults + Counter(extra_faults or {})
    try:
        assert sum(faults.values()) > 0, "no fault was injected: the scenario tested nothing"
        assert assert_procore_equals_sage(world) >= world_lines(world)
        failures = history_failures(world)
        unrecorded = set(run.failed) - set(failures)
        assert unrecorded == set(), f"failed runs missing from the history: {sorted(unrecorded)}"
        recorded, retried = recorded_write_faults(world)
        # Every fault served to a write call is in the closing entry of its contract's run,
        # retried by the transport or passed on (a POST is never resent blindly).
        assert recorded == run.write_faults, f"history {dict(recorded)} != sandbox {dict(run.write_faults)}"
    except AssertionError:
        ledger.record(scenario, world_seed(world), faults, survived=False, failed_contracts=len(run.failed),
                      rounds=run.rounds)
        raise
    ledger.record(scenario, world_seed(world), faults, survived=True, failed_contracts=len(run.failed),
                  rounds=run.rounds, write_faults=run.write_faults, retried=retried)


def world_lines(world) -> int:
    company = world.sage()
    return sum(len(company.contract(n).items) for n in world.batch)


def world_seed(world) -> int:
    return world.info.seed


def test_import_survives_resets_and_server_errors(world, ledger):
    random_network_faults(world, world_seed(world), rate=0.03)
    run = run_to_completion(world, "import")
    assert run.retries > 0
    _check_and_record(world, ledger, "import: resets, 500, 503", run)


def test_reimport_survives_resets_and_server_errors(world, ledger):
    world.imported_then_changed()
    random_network_faults(world, world_seed(world) + 100, rate=0.04)
    run = run_to_completion(world, "reimport")
    assert run.retries > 0
    _check_and_record(world, ledger, "re-import: resets, 500, 503", run)


def test_import_survives_429_storms_and_honours_retry_after(world, ledger):
    rng = random.Random(world_seed(world))
    storms = []
    start = rng.randint(0, 20)
    for retry_after in rng.sample((1, 2, 3, 5), 3):
        # At most 5 in a row, so each 429 is followed by a wait (the 6th attempt goes through);
        # storms apart, so they never overlap, and all within the ~150 writes of the import.
        length = rng.randint(3, 5)
        storms.append((retry_after, world.sandbox.faults.fail(
            WRITES, 429, times=length, skip=start, retry_after=retry_after)))
        start += length + rng.randint(10, 40)
    run = run_to_completion(world, "import")
    assert all(rule.fired == rule.times for _, rule in storms)
    # Every 429 was answered by a wait of at least its Retry-After (the transport's sleep is
    # shortened in tests, but what it asked for is recorded).
    for threshold in {retry_after for retry_after, _ in storms}:
        owed = sum(rule.fired for retry_after, rule in storms if retry_after >= threshold)
        assert sum(1 for asked in run.sleep.asked if asked >= threshold) >= owed
    # The history holds each 429's wait too, each at least its Retry-After.
    waited = [e["wait_seconds"] for entry in world.history().entries()
              for e in entry.data.get("retry_events", ()) if e["cause"] == "429"]
    assert len(waited) == sum(rule.fired for _, rule in storms)
    for threshold in {retry_after for retry_after, _ in storms}:
        owed = sum(rule.fired for retry_after, rule in storms if retry_after >= threshold)
        assert sum(1 for wait in waited if wait >= threshold) >= owed
    _check_and_record(world, ledger, "import: 429 storms with Retry-After", run)


def test_reimport_survives_tokens_expiring_mid_run(world, ledger):
    world.imported_then_changed()
    rng = random.Random(world_seed(world))
    stop = threading.Event()
    expiries = []

    def expire_now_and_then() -> None:
        while not stop.wait(rng.uniform(0.05, 0.25)):
            expiries.append(world.sandbox.expire_tokens())

    thread = threading.Thread(target=expire_now_and_then, daemon=True)
    thread.start()
    try:
        run = run_to_completion(world, "reimport", faulty_rounds=0)
    finally:
        stop.set()
        thread.join()
    issued = world.sandbox.state.one("SELECT COUNT(*) AS n FROM tokens")["n"]
    assert issued >= 3  # new tokens were fetched after expiries
    _recorded, retried = recorded_write_faults(world)
    # Each renewal the history records fetched a token of its own (the first token is no renewal).
    assert retried["token_renewed"] <= issued - 1
    _check_and_record(world, ledger, "re-import: tokens expiring mid-run", run,
                      extra_faults={"token expired": sum(1 for n in expiries if n)})


def test_import_survives_latency_spikes_and_lost_answers(world, ledger):
    rng = random.Random(world_seed(world))
    faults = world.sandbox.faults
    faults.delay("* /rest/*", rng.uniform(0.05, 0.2), probability=0.05, times=None)
    # Answers slower than the client's timeout: Procore did the work, the answer never came.
    faults.delay("POST /rest/v1.0/prime_contract", 1.5, skip=rng.randint(0, 20), times=1)
    faults.delay(SYNC, 1.5, skip=rng.randint(0, 30), times=2)
    run = run_to_completion(world, "import", timeout=1.0)
    _check_and_record(world, ledger, "import: latency spikes and lost answers", run)
