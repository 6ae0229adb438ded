"""The audit history: an append-only, hash-chained SQLite log of everything written to Procore.

Append-only twice over: this class has no update or delete, and SQLite triggers abort any
UPDATE or DELETE on the table. Each entry's hash is an HMAC over the canonical JSON of the entry
(its sequence number included) and the previous entry's hash, keyed with a key kept in the
credential store, so an edited, deleted or reordered row breaks the chain at that row and cannot
be re-hashed without the key; `verify` names the first bad one. The head of the chain is kept
beside the database; what this protects against and what not is in history_chain.py.

Each import and re-import writes a "started" entry (what is about to be sent) before the first
request and a "finished" or "failed" entry after; `known_line_values` reads both, so a line
written by a run that died before its "finished" entry is still recognised as the app's own.
A closing entry names its run in `data["started_seq"]` (0 when no run had started). A run whose
process died never gets one; the next write run appends a "recovered" entry for it instead
(see run_recovery.py). Closing entries also say what the transport retried (retry_record.py).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.file_permissions import create_private_file, make_private_dir, refuse_if_others_may_write
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.sync.history_chain import (
    GENESIS_HASH,
    ChainCheck,
    ChainKey,
    HeadFile,
    canonical_json,
    create_key,
    entry_hash,
    load_key,
    verify_rows,
)
from sage_sync_desktop.sync.line_values import LineValues

logger = logging.getLogger(__name__)

__all__ = ["GENESIS_HASH", "ChainCheck", "HistoryEntry", "HistoryError", "HistoryStore", "NewEntry",
           "canonical_json", "line_record"]

# Line results in an entry's `lines`.
PLANNED = "planned"  # in a "started" entry: about to be sent
WRITTEN = "written"  # Procore confirmed it
DELETED = "deleted"
REJECTED = "rejected"  # Procore refused it (its error text is in the entry)
NOT_SENT = "not_sent"  # the run stopped before sending it
UNKNOWN = "unknown"  # sent, but the answer was lost (connection dropped)
KEPT = "kept"  # edited in Procore and kept, as the user chose

_COLUMNS = (
    "seq", "at", "action", "phase", "outcome", "windows_user", "procore_user", "contract", "job",
    "project_id", "prime_contract_id", "message", "procore_error", "lines_json", "data_json",
    "prev_hash", "hash",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    phase TEXT NOT NULL,
    outcome TEXT NOT NULL,
    windows_user TEXT NOT NULL,
    procore_user TEXT NOT NULL,
    contract TEXT,
    job TEXT,
    project_id INTEGER,
    prime_contract_id INTEGER,
    message TEXT NOT NULL,
    procore_error TEXT NOT NULL,
    lines_json TEXT NOT NULL,
    data_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_contract ON entries(contract);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;
"""


CLOSING_PHASES = ("finished", "failed", "recovered")
_UNCLOSED_RUNS = """
SELECT s.* FROM entries s
WHERE s.phase = 'started' AND s.action IN ('import', 'reimport') AND s.contract IS NOT NULL
AND NOT EXISTS (
    SELECT 1 FROM entries c
    WHERE c.contract = s.contract AND c.seq > s.seq AND c.phase IN ('finished', 'failed', 'recovered')
    AND (json_extract(c.data_json, '$.started_seq') = s.seq
         OR (json_extract(c.data_json, '$.started_seq') IS NULL AND NOT EXISTS (
             SELECT 1 FROM entries m
             WHERE m.contract = s.contract AND m.phase = 'started' AND m.seq > s.seq AND m.seq < c.seq)))
)
ORDER BY s.seq
"""


class HistoryError(SageSyncError):
    """The history database cannot be opened or written."""

    exit_code = 2


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    at: str  # UTC, ISO 8601
    action: str  # import, reimport, link_job, unlink_job
    phase: str  # started, finished, failed, recovered (a dead run checked again)
    outcome: str  # started, ok, partial, failed, cancelled, blocked
    windows_user: str
    procore_user: str
    contract: str | None
    job: str | None
    project_id: int | None
    prime_contract_id: int | None
    message: str
    procore_error: str
    # One per line: {origin_id, item, result, before: {...} | None, after: {...} | None}
    lines: tuple[dict[str, Any], ...]
    data: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class NewEntry:
    """What a caller records; the store adds the sequence number, time and hashes."""

    action: str
    phase: str
    outcome: str
    contract: str | None = None
    job: str | None = None
    project_id: int | None = None
    prime_contract_id: int | None = None
    message: str = ""
    procore_error: str = ""
    lines: Sequence[dict[str, Any]] = ()
    data: dict[str, Any] = field(default_factory=dict)


_canonical = canonical_json  # the one JSON form, for exports as well as hashes


class HistoryStore:
    """Append, read, verify and export the history. Safe for several processes at once."""

    def __init__(self, path: Path, *, windows_user: str = "", procore_user: str = "",
                 key_store: SecretStore | None = None) -> None:
        self.path = Path(path)
        self.head = HeadFile(self.path)
        self.head_path = self.head.path
        self.windows_user = windows_user
        self.procore_user = procore_user
        # The chain's key is this Windows user's, in the OS credential store, whichever store holds
        # the Procore secrets (the demo keeps those in memory; the history outlives the process).
        store = key_store if key_store is not None else SecretStore()
        self._keyed = store.is_usable()
        try:
            make_private_dir(self.path.parent)
            create_private_file(self.path)
            refuse_if_others_may_write(self.path, "history")
            refuse_if_others_may_write(self.head_path, "history's head file")
            with self._connect() as connection:
                connection.executescript(_SCHEMA)
                self._key = self._open_key(connection, store) if self._keyed else None
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(
                f"Cannot open the history database {self.path}: {exc}.",
                fix="Check that the folder exists and this Windows user may write to it.",
            ) from None

    def _open_key(self, connection: sqlite3.Connection, store: SecretStore) -> ChainKey | None:
        """The chain's key; made on first use, under the write lock so two processes agree."""
        key = load_key(store, self.path)
        if key is not None:
            return key
        connection.execute("BEGIN IMMEDIATE")
        try:
            key = load_key(store, self.path)
            head = self.head.read()
            if key is None and head is not None and "mac" in head:
                # Keyed by a key this Windows user's store does not hold: never start another.
                logger.error("The history %s is keyed, but its key is not in this credential store", self.path)
            elif key is None:
                last = connection.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
                if last is not None and head is None:
                    # A history from before the key: its entries are kept as they are; the head
                    # records how many there were, so cutting them off still shows.
                    self.head.write(last["seq"], last["hash"], None)
                key = create_key(store, self.path, last["seq"] if last else 0)
                if last is not None:
                    self.head.write(last["seq"], last["hash"], key)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return key

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # Closed every time: an open handle would keep the file locked on Windows.
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.row_factory = sqlite3.Row
        try:
            yield connection
        finally:
            connection.close()

    def append(self, entry: NewEntry, *, windows_user: str | None = None,
               procore_user: str | None = None) -> HistoryEntry:
        row: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "action": entry.action,
            "phase": entry.phase,
            "outcome": entry.outcome,
            "windows_user": windows_user if windows_user is not None else self.windows_user,
            "procore_user": procore_user if procore_user is not None else self.procore_user,
            "contract": entry.contract,
            "job": entry.job,
            "project_id": entry.project_id,
            "prime_contract_id": entry.prime_contract_id,
            "message": entry.message,
            "procore_error": entry.procore_error,
            "lines_json": _canonical(list(entry.lines)),
            "data_json": _canonical(entry.data),
        }
        if self._keyed and self._key is None:
            raise HistoryError(
                f"The history {self.path} is protected by a key that is not in this Windows user's "
                "credential store, so nothing can be added to it.",
                fix="Run the app as the Windows user who owns this history, or move history.sqlite3 and "
                "its .head file aside to start a new history.",
            )
        try:
            with self._connect() as connection:
                # IMMEDIATE: a second process waits, so two entries never share a predecessor.
                connection.execute("BEGIN IMMEDIATE")
                try:
                    last = connection.execute(
                        "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1"
                    ).fetchone()
                    row["seq"] = (last["seq"] + 1) if last else 1
                    row["prev_hash"] = last["hash"] if last else GENESIS_HASH
                    row["hash"] = entry_hash(row, row["prev_hash"],
                                             self._key.for_seq(row["seq"]) if self._key else None)
                    connection.execute(
                        f"INSERT INTO entries ({', '.join(_COLUMNS)}) "
                        f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
                        [row[name] for name in _COLUMNS],
                    )
                    connection.execute("COMMIT")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise HistoryError(
                f"Cannot write to the history database {self.path}: {exc}.",
                fix="Check the disk (free space) and the folder's permissions.",
            ) from None
        self.head.write(row["seq"], row["hash"], self._key)
        return _entry(row)

    def entries(self, contract: str | None = None) -> list[HistoryEntry]:
        with self._connect() as connection:
            if contract is None:
                rows = connection.execute("SELECT * FROM entries ORDER BY seq").fetchall()
            else:
                rows = connection.execute(
                    "SELECT * FROM entries WHERE contract = ? ORDER BY seq", (contract.strip(),)
                ).fetchall()
        return [_entry(dict(row)) for row in rows]

    def verify(self) -> ChainCheck:
        """Walk the chain; the first entry that was edited, deleted or moved is named."""
        with self._connect() as connection:
            rows = [dict(row) for row in connection.execute("SELECT * FROM entries ORDER BY seq")]
        return verify_rows(rows, self._key, self.head.read(), keyed=self._keyed)

    def export_csv(self, path: Path, contract: str | None = None) -> int:
        """Write the entries to a CSV file (UTF-8 with BOM so Excel reads it); returns the count."""
        from sage_sync_desktop.sync.history_export import write_csv  # it needs this module's types

        return write_csv(self.entries(contract), Path(path))

    def unclosed_runs(self) -> list[HistoryEntry]:
        """"started" entries of imports and re-imports that no entry closes yet.

        A closing entry (finished, failed, recovered) names its run in data.started_seq; entries
        from before that field close the latest run of their contract started before them.
        """
        with self._connect() as connection:
            rows = connection.execute(_UNCLOSED_RUNS).fetchall()
        return [_entry(dict(row)) for row in rows]

    def known_line_values(self, contract: str) -> dict[str, list[LineValues]]:
        """Per line origin id: every value this app may have left in Procore.

        That is the last confirmed write, plus the values of any later run whose outcome for
        the line is not known (planned and never confirmed or refused).
        """
        return _known_values(self.entries(contract))

    def known_line_values_by_contract(self) -> dict[str, dict[str, list[LineValues]]]:
        """known_line_values for every contract at once: one read of the database, not one
        per contract (a refresh of 3,000 contracts needs them all)."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT * FROM entries WHERE contract IS NOT NULL AND lines_json != '[]' ORDER BY seq"
            ).fetchall()
        by_contract: dict[str, list[HistoryEntry]] = {}
        for row in rows:
            entry = _entry(dict(row))
            by_contract.setdefault(entry.contract or "", []).append(entry)
        return {contract: _known_values(entries) for contract, entries in by_contract.items()}


def _known_values(entries: list[HistoryEntry]) -> dict[str, list[LineValues]]:
    confirmed: dict[str, LineValues | None] = {}
    pending: dict[str, list[LineValues]] = {}
    for entry in entries:
        for line in entry.lines:
            origin_id = line.get("origin_id")
            if not origin_id:
                continue
            result = line.get("result")
            after = line.get("after")
            if result == PLANNED and isinstance(after, dict):
                pending.setdefault(origin_id, []).append(LineValues.from_json(after))
            elif result == WRITTEN and isinstance(after, dict):
                confirmed[origin_id] = LineValues.from_json(after)
                pending.pop(origin_id, None)
            elif result == DELETED:
                confirmed[origin_id] = None
                pending.pop(origin_id, None)
            elif result in (REJECTED, NOT_SENT):
                pending.pop(origin_id, None)
    known: dict[str, list[LineValues]] = {}
    for origin_id in set(confirmed) | set(pending):
        values = [value] if (value := confirmed.get(origin_id)) is not None else []
        values += pending.get(origin_id, [])
        if values:
            known[origin_id] = values
    return known


def line_record(origin_id: str, item: str, result: str, *, before: LineValues | None = None,
                after: LineValues | None = None, error: str = "") -> dict[str, Any]:
    record: dict[str, Any] = {
        "origin_id": origin_id,
        "item": item,
        "result": result,
        "before": before.as_json() if before is not None else None,
        "after": after.as_json() if after is not None else None,
    }
    if error:
        record["error"] = error
    return record


def _entry(row: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        seq=row["seq"],
        at=row["at"],
        action=row["action"],
        phase=row["phase"],
        outcome=row["outcome"],
        windows_user=row["windows_user"],
        procore_user=row["procore_user"],
        contract=row["contract"],
        job=row["job"],
        project_id=row["project_id"],
        prime_contract_id=row["prime_contract_id"],
        message=row["message"],
        procore_error=row["procore_error"],
        lines=tuple(json.loads(row["lines_json"])),
        data=json.loads(row["data_json"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )
