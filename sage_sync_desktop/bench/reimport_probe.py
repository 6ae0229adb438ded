"""Requests for re-importing one contract with 500 changed lines, counted by the sandbox."""

from __future__ import annotations

import time
from typing import Any

from sage_sync_desktop.demo.bench_company import BIG_CONTRACT, BIG_CONTRACT_LINES, NAMING, BenchCompany
from sage_sync_desktop.demo.sample_editor import SampleEditor
from sage_sync_desktop.bench.sandbox_process import SandboxProcess
from sage_sync_desktop.sync.records import ContractState

SYNC_ENDPOINT_MARK = "/line_items/sync"


def measure_reimport(engine: Any, company: BenchCompany, sandbox: SandboxProcess) -> dict[str, Any]:
    """Change every line of the big contract in the bench's Sage file, refresh, re-import it."""
    # The batch import (when it ran) left a current snapshot: no refresh needed to find it.
    before = engine.snapshot or engine.refresh()
    big = before.status(BIG_CONTRACT)
    if big is None:
        raise RuntimeError(f"contract {BIG_CONTRACT} is missing from the benchmark company")
    changed = SampleEditor(company.sage_db, NAMING).revise_items([big.contract], per_contract=BIG_CONTRACT_LINES)
    snapshot = engine.refresh()
    status = snapshot.status(BIG_CONTRACT)
    if status is None or status.state is not ContractState.CHANGES_READY or status.diff is None:
        state = status.state.value if status else "missing"
        raise RuntimeError(f"contract {BIG_CONTRACT} should have {changed} changes ready, but is {state}")
    counts = status.diff.counts
    sandbox.reset_counts()
    started = time.perf_counter()
    outcomes = engine.reimport_contracts([BIG_CONTRACT])
    seconds = time.perf_counter() - started
    served = sandbox.request_counts()
    by_endpoint = served.get("by_endpoint", {})
    sync_calls = sum(n for endpoint, n in by_endpoint.items() if SYNC_ENDPOINT_MARK in endpoint)
    outcome = outcomes[0]
    after = engine.snapshot.status(BIG_CONTRACT) if engine.snapshot else None
    return {
        "reimport_500_lines_requests": int(served["total"]),
        # The same re-import if each changed line cost its own request instead of a sync batch.
        "reimport_500_lines_one_per_line_requests": int(served["total"]) - sync_calls + counts.changed + counts.added,
        "reimport_500_lines_seconds": seconds,
        "reimport_500_lines_by_endpoint": by_endpoint,
        "reimport_500_lines_changed": counts.changed + counts.added,
        "reimport_500_lines_ok": bool(outcome.ok),
        "reimport_500_lines_message": outcome.message,
        "reimport_500_lines_state_after": after.state.value if after else None,
        "refresh_before_reimport_requests": snapshot.procore_requests,
    }


def measure_bulk_import(engine: Any, sandbox: SandboxProcess, count: int) -> dict[str, Any]:
    """Add `count` Ready to Import contracts to Procore in one batch, as "Add to Procore" on a
    multi-selection (or `import --all-ready`) does, on the large company."""
    snapshot = engine.refresh()
    ready = [s.number for s in snapshot.statuses if s.state is ContractState.READY_TO_IMPORT][:count]
    sandbox.reset_counts()
    started = time.perf_counter()
    outcomes = engine.import_contracts(ready)
    seconds = time.perf_counter() - started
    requests = sandbox.request_count()
    done = sum(1 for outcome in outcomes if outcome.ok)
    return {
        "bulk_import_contracts": len(ready),
        "bulk_import_ok": done,
        "bulk_import_seconds": seconds,
        "bulk_import_requests": requests,
        "bulk_import_seconds_per_contract": seconds / len(ready) if ready else None,
        "bulk_import_requests_per_contract": requests / len(ready) if ready else None,
    }
