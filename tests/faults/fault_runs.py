"""Running a batch to completion under faults, the way a user would: run it, and run it again
until every contract is through (the last round after the network has recovered)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.sync.records import ContractState
from tests.faults.fault_world import FaultWorld, RecordedSleep

FAULTY_ROUNDS = 3
# Fault rules on writes only (POST, PATCH, DELETE; reads are GET), so what the sandbox injected
# can be compared with what the history says was retried: writes happen only inside a contract's
# run, and each run's closing entry records its retries; refresh reads are in no entry.
WRITES = "[PD]* /rest/*"
READS = "GET /rest/*"
_WRITE_PATTERNS = (WRITES, "POST ", "PATCH ", "DELETE ")


@dataclass
class BatchRun:
    faults: Counter = field(default_factory=Counter)
    failed: dict[str, list[str]] = field(default_factory=dict)  # contract -> failure messages
    rounds: int = 0
    retries: int = 0
    refresh_failures: int = 0
    sleep: RecordedSleep = field(default_factory=RecordedSleep)
    write_faults: Counter = field(default_factory=Counter)  # by the cause the client sees


def fault_counts(world: FaultWorld) -> Counter:
    counts: Counter = Counter()
    for rule in world.sandbox.faults.rules():
        if rule["action"] == "reset":
            kind = "connection reset" + (" after Procore did the work" if rule["phase"] == "after" else "")
        elif rule["action"] == "status":
            kind = f"HTTP {rule['status']}"
        else:
            kind = "latency spike"
        counts[kind] += rule["fired"]
    return +counts


def write_fault_causes(world: FaultWorld, timeout: float) -> Counter:
    """Faults the sandbox served to write calls, by the cause the transport records: a reset is
    a ConnectionError, a status its number, a delay beyond the client's timeout a ReadTimeout."""
    counts: Counter = Counter()
    for rule in world.sandbox.faults.rules():
        if not rule["endpoint"].startswith(_WRITE_PATTERNS):
            continue
        if rule["action"] == "reset":
            counts["ConnectionError"] += rule["fired"]
        elif rule["action"] == "status":
            counts[str(rule["status"])] += rule["fired"]
        elif rule["seconds"] > timeout:
            counts["ReadTimeout"] += rule["fired"]
    return +counts


def run_to_completion(world: FaultWorld, action: str, *, timeout: float = 5.0,
                      faulty_rounds: int = FAULTY_ROUNDS, run: BatchRun | None = None) -> BatchRun:
    """Import or re-import the batch until every contract is synced; faults stay on for
    `faulty_rounds` rounds, then the network recovers for the rest."""
    run = run or BatchRun()
    for round_no in range(faulty_rounds + 2):
        if round_no == faulty_rounds:
            run.faults.update(fault_counts(world))
            run.write_faults.update(write_fault_causes(world, timeout))
            world.sandbox.faults.clear()
        engine = world.engine(timeout=timeout, sleep=run.sleep)
        try:
            snapshot = engine.refresh()
            remaining = [n for n in world.batch if snapshot.status(n).state is not ContractState.SYNCED]
            if not remaining:
                break
            run.rounds += 1
            write = engine.import_contracts if action == "import" else engine.reimport_contracts
            for outcome in write(remaining):
                if not outcome.ok and not outcome.message.startswith("Not attempted"):
                    run.failed.setdefault(outcome.contract_number, []).append(outcome.message)
        except SageSyncError:
            run.refresh_failures += 1
        finally:
            run.retries += engine.client.stats.retries
            engine.client.close()
    else:
        raise AssertionError(f"{action} not finished after {faulty_rounds + 2} rounds")
    if world.sandbox.faults.rules():
        run.faults.update(fault_counts(world))
        run.write_faults.update(write_fault_causes(world, timeout))
        world.sandbox.faults.clear()
    return run


def random_network_faults(world: FaultWorld, seed: int, *, rate: float) -> None:
    """Resets (before and after Procore does the work), 500s and 503s at random points of every
    Procore call, repeatable from the seed."""
    rng = random.Random(seed)
    faults = world.sandbox.faults
    faults.seed(seed)
    faults.reset_connection(READS, probability=rate * rng.uniform(0.5, 1.5), times=None)
    faults.reset_connection(READS, probability=rate * rng.uniform(0.5, 1.5), times=None, after_processing=True)
    faults.fail(READS, 500, probability=rate * rng.uniform(0.5, 1.5), times=None)
    faults.fail(READS, 503, probability=rate * rng.uniform(0.5, 1.5), times=None,
                retry_after=rng.choice((1, 2)), after_processing=rng.random() < 0.5)
    # Every kind on every write too. Rules overlap (one request may draw a reset and a 500); the
    # sandbox counts only the one that reached the client, so its counts stay comparable with
    # what the history says was retried.
    faults.reset_connection(WRITES, probability=rate * rng.uniform(0.5, 1.5), times=None)
    faults.reset_connection(WRITES, probability=rate * rng.uniform(0.5, 1.5), times=None, after_processing=True)
    faults.fail(WRITES, 500, probability=rate * rng.uniform(0.5, 1.5), times=None)
    faults.fail(WRITES, 503, probability=rate * rng.uniform(0.5, 1.5), times=None,
                retry_after=rng.choice((1, 2)), after_processing=rng.random() < 0.5)
