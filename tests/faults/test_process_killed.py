"""The app killed (SIGKILL) at random points of a 50-contract import and re-import, run as the
real command in a child process against the sandbox in this process, then run again.

Two kinds of kill point, drawn from the seed: while a write request is in flight and Procore
has already done the work (its answer is held back, so the app never learns the outcome), and
at a random request count (anywhere: between requests, while writing the history...). Each
seed kills the command twice, then lets the third run finish; afterwards Procore must equal
Sage line for line with nothing duplicated and the history must show the runs that never
finished: each "started" entry the kill left without a close is followed by a "recovered"
entry written by a later run, saying so and how the contract stood then.
"""

from __future__ import annotations

import random
import signal
import sys
import time
from collections import Counter

import pytest

from tests.faults.fault_world import FaultWorld, assert_procore_equals_sage, history_failures

CLOSED_BY_THE_RUN = ("finished", "failed")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

KILLS_PER_SEED = 2


def _wait_for(condition, process, timeout: float = 60.0) -> bool:
    """True once condition() holds; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    raise AssertionError("the command neither reached the kill point nor finished")


def _kill(process) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)


def _run_killed(world: FaultWorld, args: tuple[str, ...], writes: tuple[str, ...], rng: random.Random,
                kills: Counter) -> None:
    """Start the command and SIGKILL it at a point drawn from rng."""
    sandbox = world.sandbox
    if rng.random() < 0.5:
        rule = sandbox.faults.delay(rng.choice(writes), 30.0, skip=rng.randint(0, 40), times=1,
                                    after_processing=True)
        process = world.cli(*args)
        if _wait_for(lambda: rule.fired > 0, process):
            time.sleep(rng.uniform(0, 0.02))
            _kill(process)
            kills["SIGKILL while a write was in flight (done in Procore, answer lost)"] += 1
        else:
            process.communicate(timeout=30)
    else:
        start = sandbox.request_counts()["total"]
        target = start + rng.randint(10, 150)  # well inside the ~230-330 requests of a batch
        process = world.cli(*args)
        if _wait_for(lambda: sandbox.request_counts()["total"] >= target, process):
            _kill(process)
            kills["SIGKILL at a random request count"] += 1
        else:
            process.communicate(timeout=30)
    sandbox.faults.clear()


def _run_to_the_end(world: FaultWorld, args: tuple[str, ...]) -> str:
    process = world.cli(*args)
    out, err = process.communicate(timeout=180)
    assert process.returncode in (0, 1), err
    assert "Traceback" not in err
    return out


def _scenario(world: FaultWorld, ledger, name: str, args: tuple[str, ...], writes: tuple[str, ...]) -> None:
    world.write_cli_setup()
    rng = random.Random(world.info.seed * 7919 + len(name))
    kills: Counter = Counter()
    try:
        for _ in range(KILLS_PER_SEED):
            _run_killed(world, args, writes, rng, kills)
        _run_to_the_end(world, args)
        assert sum(kills.values()) >= 1, "the command was never killed: the scenario tested nothing"
        assert_procore_equals_sage(world)
        unfinished = [n for n, why in history_failures(world).items() if any("never finished" in w for w in why)]
        held = sum(n for kind, n in kills.items() if "in flight" in kind)
        assert len(unfinished) >= held, "a run killed mid-write is missing from the history"
        recovered = _assert_every_killed_run_is_recovered(world)
        assert len(recovered) >= held
    except AssertionError:
        ledger.record(name, world.info.seed, kills, survived=False)
        raise
    ledger.record(name, world.info.seed, kills, survived=True, failed_contracts=len(unfinished),
                  rounds=KILLS_PER_SEED + 1, recovered=len(recovered))


def _assert_every_killed_run_is_recovered(world: FaultWorld) -> list:
    """Every run left without a close by a kill has one "recovered" entry after it, for its
    contract, saying it did not finish; returns those entries."""
    store = world.history()
    entries = store.entries()
    closed_by_run = {e.data["started_seq"] for e in entries if e.phase in CLOSED_BY_THE_RUN}
    recovered = {e.data["started_seq"]: e for e in entries if e.phase == "recovered"}
    assert len(recovered) == sum(1 for e in entries if e.phase == "recovered"), "a run recovered twice"
    for started in (e for e in entries if e.phase == "started"):
        if started.seq in closed_by_run:
            continue
        entry = recovered.get(started.seq)
        assert entry is not None, f"run {started.seq} ({started.contract}) never finished and was never recovered"
        assert entry.seq > started.seq and entry.contract == started.contract
        assert "did not finish (the app stopped)" in entry.message
        assert entry.outcome in ("ok", "partial")
        # "ok" means Procore matched Sage when the later run checked it.
        assert (entry.outcome == "ok") == ("Procore now matches Sage" in entry.message)
    assert store.unclosed_runs() == []
    assert store.verify().ok
    return list(recovered.values())


def test_an_import_killed_twice_then_run_again_finishes_without_duplicates(world, ledger):
    # An import creates contracts (POST) and loads and approves them (PATCH).
    _scenario(world, ledger, "import killed (SIGKILL) and run again", ("import", *world.batch),
              writes=("POST /rest/*", "PATCH /rest/*"))


def test_a_reimport_killed_twice_then_run_again_finishes_without_duplicates(world, ledger):
    world.imported_then_changed()
    # A re-import upserts lines (PATCH) and deletes the removed ones (DELETE).
    _scenario(world, ledger, "re-import killed (SIGKILL) and run again", ("reimport", "--all"),
              writes=("PATCH /rest/*", "DELETE /rest/*"))
