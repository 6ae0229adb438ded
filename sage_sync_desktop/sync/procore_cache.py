"""A local copy of what the last refresh read from Procore, so the next one reads less.

SQLite in the cache folder (AppPaths.procore_cache_db). Losing it costs one full refresh and
nothing else: every write to Procore is decided on data read live just before it. The cache
belongs to one Procore API host and company; opening it for another wipes it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sage_sync_desktop.file_permissions import create_private_file, make_private_dir
from sage_sync_desktop.procore.records import LineItem, ProcoreDataError

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contract_lines (
    prime_contract_id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    contract_updated_at TEXT NOT NULL,
    lines_json TEXT NOT NULL
);
"""


class ProcoreCache:
    """Lines per prime contract, remembered with the contract's updated_at when they were read."""

    def __init__(self, path: Path | None, *, scope: str) -> None:
        # path None keeps everything in memory (one engine's life), e.g. for a dry run in tests.
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            make_private_dir(self.path.parent)
            create_private_file(self.path)
        self._memory = sqlite3.connect(":memory:") if self.path is None else None
        try:
            with self._connect() as db:
                db.executescript(_SCHEMA)
                row = db.execute("SELECT value FROM meta WHERE key = 'scope'").fetchone()
                if row is None or row[0] != scope:
                    db.execute("DELETE FROM contract_lines")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('scope', ?)", (scope,))
        except sqlite3.DatabaseError as exc:
            # A damaged cache is thrown away: it only ever saves requests.
            logger.warning("Procore cache %s unusable (%s); starting afresh", self.path, exc)
            if self.path is not None:
                self.path.unlink(missing_ok=True)
                with self._connect() as db:
                    db.executescript(_SCHEMA)
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('scope', ?)", (scope,))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            with self._memory:
                yield self._memory
            return
        assert self.path is not None  # no memory database means a path was given
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()

    def lines(self, prime_contract_id: int, contract_updated_at: str) -> tuple[LineItem, ...] | None:
        """The cached lines, or None when they were read for another version of the contract (or
        the cached copy cannot be read back: it is then read from Procore again)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT contract_updated_at, lines_json FROM contract_lines WHERE prime_contract_id = ?",
                (prime_contract_id,),
            ).fetchone()
        if row is None or row[0] != contract_updated_at:
            return None
        try:
            raw = json.loads(row[1])
            return tuple(LineItem.from_json(line) for line in raw)
        except (ValueError, TypeError, AttributeError, ProcoreDataError) as exc:
            logger.warning("Cached lines of prime contract %s unreadable (%s); reading them again",
                           prime_contract_id, exc)
            return None

    def store_lines(self, project_id: int, prime_contract_id: int, contract_updated_at: str,
                    lines: Iterable[LineItem]) -> None:
        text = json.dumps([line.to_json() for line in lines], separators=(",", ":"))
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO contract_lines VALUES (?, ?, ?, ?)",
                (prime_contract_id, project_id, contract_updated_at, text),
            )

    def forget(self, prime_contract_id: int) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM contract_lines WHERE prime_contract_id = ?", (prime_contract_id,))

    def keep_only(self, prime_contract_ids: set[int]) -> None:
        """Drop lines of contracts that no longer exist in Procore."""
        with self._connect() as db:
            known = {row[0] for row in db.execute("SELECT prime_contract_id FROM contract_lines")}
            gone = known - prime_contract_ids
            db.executemany("DELETE FROM contract_lines WHERE prime_contract_id = ?", [(i,) for i in gone])

    def get_meta(self, key: str) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
