"""Runs that never finished: a process killed (or a power cut) after an import's "started" entry
leaves it without a "finished" or "failed" entry. The next write run checks each such contract
against what it just read and appends a "recovered" entry saying so; nothing is rewritten.

A run is only taken for dead when its process is gone: every "started" entry names its process
(pid, host and a token unique to the process), so a run still going in another copy of the app
(a scheduled task next to the window) is left alone.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sage_sync_desktop.procore.request_stats import RetryWatch
from sage_sync_desktop.sync.history import HistoryEntry, HistoryStore, NewEntry
from sage_sync_desktop.sync.records import CompanySnapshot, ContractState, ContractStatus
from sage_sync_desktop.sync.retry_record import retry_data

logger = logging.getLogger(__name__)

_PROCESS_TOKEN = uuid.uuid4().hex
# A run started on another computer cannot be checked; after this long it is certainly over.
_OTHER_HOST_GRACE = timedelta(hours=12)
_in_flight: set[int] = set()
_in_flight_lock = threading.Lock()


def process_marker() -> dict[str, Any]:
    """Who is running: stored in every "started" entry."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "process": _PROCESS_TOKEN}


@dataclass
class RunLog:
    """One contract's write: the retries watched for it and the seq of its "started" entry."""

    watch: RetryWatch | None = None
    started_seq: int = 0

    def started(self, seq: int) -> None:
        self.started_seq = seq
        with _in_flight_lock:
            _in_flight.add(seq)

    def closing_data(self) -> dict[str, Any]:
        """started_seq and what was retried since the last closing entry; marks the run closed."""
        with _in_flight_lock:
            _in_flight.discard(self.started_seq)
        return {"started_seq": self.started_seq, **retry_data(self.watch)}


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False  # os.kill(0, ...) would address this process group, not a process
    if sys.platform == "win32":
        import ctypes  # Windows only: os.kill(pid, 0) would terminate the process there

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        kernel32.OpenProcess.restype = ctypes.c_void_p  # a HANDLE, not a (truncated) int
        kernel32.GetExitCodeProcess.argtypes = (ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong))
        kernel32.CloseHandle.argtypes = (ctypes.c_void_p,)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def is_dead(started: HistoryEntry, *, now: datetime | None = None) -> bool:
    """True when the process that wrote `started` is gone (so the run will never finish)."""
    data = started.data
    if "process" not in data:
        return True  # written by a version before process markers: long over
    if data["process"] == _PROCESS_TOKEN:
        with _in_flight_lock:
            return started.seq not in _in_flight
    if data.get("host") != socket.gethostname():
        at = datetime.fromisoformat(started.at.replace("Z", "+00:00"))
        return (now or datetime.now(UTC)) - at > _OTHER_HOST_GRACE
    return not _pid_alive(int(data.get("pid") or 0))


def dead_runs(history: HistoryStore) -> list[HistoryEntry]:
    return [entry for entry in history.unclosed_runs() if is_dead(entry)]


def recover(history: HistoryStore, snapshot: CompanySnapshot, *, about_to_write: set[str],
            windows_user: str, procore_user: str) -> list[HistoryEntry]:
    """Append a "recovered" entry for every dead run: it did not finish, and how its contract
    stands now (from `snapshot`). Returns the entries written."""
    written = []
    for started in dead_runs(history):
        number = started.contract or ""
        status = snapshot.status(number)
        matches = _matches(status)
        entry = NewEntry(
            action=started.action, phase="recovered", outcome="ok" if matches else "partial",
            contract=number, job=started.job, project_id=started.project_id,
            prime_contract_id=(status.procore.prime_contract_id if status is not None and status.procore
                               else started.prime_contract_id),
            message=recovery_message(started, status, snapshot, will_send=number in about_to_write),
            data={"started_seq": started.seq, "started_at": started.at,
                  "state": status.state.value if status is not None else "not_in_sage",
                  "matches_sage": matches},
        )
        written.append(history.append(entry, windows_user=windows_user, procore_user=procore_user))
        logger.info("Recorded that run %s of contract %s did not finish", started.seq, number)
    return written


def _matches(status: ContractStatus | None) -> bool:
    return (status is not None and status.state is ContractState.SYNCED
            and (status.diff is None or not status.diff.has_changes))


def recovery_message(started: HistoryEntry, status: ContractStatus | None, snapshot: CompanySnapshot,
                     *, will_send: bool) -> str:
    verb = "import" if started.action == "import" else "re-import"
    read_at = snapshot.procore_read_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    head = (f"The {verb} of contract {started.contract} started {started.at} (entry {started.seq}) did not "
            f"finish (the app stopped). Checked again against Procore as read at {read_at}: ")
    if status is None:
        return head + "the contract is no longer in Sage; nothing more will be sent for it."
    if _matches(status):
        lines = len(status.contract.items)
        return head + f"Procore now matches Sage ({lines} line{'s' if lines != 1 else ''})."
    finish = ("this run sends what is missing." if will_send
              else "Add it to Procore again to finish." if status.state is ContractState.READY_TO_IMPORT
              else "Re-Import it to finish.")
    if status.reasons:
        return head + f"it cannot be written now: {status.reasons[0].message}"
    if status.procore is None:
        return head + "the contract is not in Procore; " + finish
    if status.diff is not None and status.diff.has_changes:
        counts = status.diff.counts
        differs = [f"{counts.added} lines to add, {counts.changed} to change, {counts.removed} to remove"
                   if counts.added or counts.changed or counts.removed else "every line matches"]
        if status.diff.header_changes:
            fields = ", ".join(f"{c.field} {c.old or '(none)'} -> {c.new or '(none)'}"
                               for c in status.diff.header_changes)
            differs.append(f"the contract's {fields}")
        return head + f"Procore still differs from Sage ({'; '.join(differs)}); " + finish
    return head + f"the prime contract is in Procore but not finished ({status.state.value}); " + finish
