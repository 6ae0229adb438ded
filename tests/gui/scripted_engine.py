"""A small in-memory engine for widget tests that need exact, hand-picked situations.

It answers the engine's interface (refresh, diff, import_contracts, reimport_contracts,
link_job, unlink_job) from records built in the test. End-to-end behaviour is tested with the
real engine over the sample company and the sandbox in test_window_end_to_end.py.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from sage_sync_desktop.errors import CancelledError
from sage_sync_desktop.sync.records import CompanySnapshot, ContractOutcome, ContractState


class ScriptedEngine:
    def __init__(self, snapshot: CompanySnapshot, *, failing: set[str] = frozenset()) -> None:
        self.snapshot = snapshot
        self.failing = set(failing)
        self.calls: list[tuple] = []
        self.gate: threading.Event | None = None  # when set, re-import waits on it per contract
        self.reached = threading.Event()

    def refresh(self, *, progress=None, cancel=None, full=False) -> CompanySnapshot:
        self.calls.append(("refresh",))
        if progress:
            progress(50, "Reading Sage")
        return self.snapshot

    def diff(self, number):
        status = self.snapshot.status(number)
        return status.diff if status else None

    def import_contracts(self, numbers, *, dry_run=False, progress=None, cancel=None):
        self.calls.append(("import", tuple(numbers)))
        return self._send("import", numbers, ContractState.SYNCED, progress, cancel)

    def reimport_contracts(self, numbers, *, dry_run=False, overwrite_procore_edits=False,
                           progress=None, cancel=None):
        self.calls.append(("reimport", tuple(numbers), overwrite_procore_edits))
        return self._send("reimport", numbers, ContractState.SYNCED, progress, cancel)

    def _send(self, action, numbers, new_state, progress, cancel):
        outcomes = []
        for i, number in enumerate(numbers):
            if cancel is not None and cancel.is_set():
                outcomes.append(ContractOutcome(number, action, False, "Cancelled before it was sent.",
                                                cancelled=True))
                continue
            if progress:
                progress(int(100 * i / len(numbers)), f"Sending {number}")
            if self.gate is not None:
                self.reached.set()
                self.gate.wait(10)
            if number in self.failing:
                outcomes.append(ContractOutcome(number, action, False, "Procore refused line 3.",
                                                details=("line 3: amount must be a number",)))
                continue
            statuses = tuple(
                replace(s, state=new_state, diff=None) if s.number == number else s
                for s in self.snapshot.statuses
            )
            self.snapshot = replace(self.snapshot, statuses=statuses)
            outcomes.append(ContractOutcome(number, action, True, "2 lines added, 1 changed."))
        return outcomes

    def link_job(self, job_number, project_id):
        raise CancelledError("not used")

    def unlink_job(self, job_number):
        raise CancelledError("not used")
