"""The history's hash chain: keyed hashes, the head file, and the check that walks them.

Each entry's hash is an HMAC-SHA-256, keyed with a random key kept in this Windows user's
credential store, over the canonical JSON of the entry (sequence number included) and the previous
entry's hash. Without the key nobody can re-hash an edited entry so that it verifies: the public
SHA-256 is no longer enough. The head of the chain (entry count and last hash, with its own HMAC)
is kept in a file beside the database, so cutting entries off the end shows, and so does a
missing head beside existing entries.

Histories written before the key existed keep their plain SHA-256 entries: the key's record says
from which entry on hashes are keyed (`keyed_from`), and those older entries are protected from
then on because the first keyed entry's HMAC covers the last of them. With no usable credential
store at all (a headless server without one) the chain is plain SHA-256 and the check says it is
not keyed.

What it does not protect against: someone who can read this user's credential store (the key) and
write both files; replacing both files with an earlier genuine copy of themselves (a rollback);
deleting the database, the head and the key together. It shows tampering; it does not prevent it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets as secrets_module
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sage_sync_desktop.file_permissions import write_private_text
from sage_sync_desktop.secret_store import SecretStore, scoped

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
HISTORY_KEY = "history-key"

HASHED_COLUMNS = (
    "seq", "at", "action", "phase", "outcome", "windows_user", "procore_user", "contract", "job",
    "project_id", "prime_contract_id", "message", "procore_error", "lines_json", "data_json",
)


def canonical_json(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""
    keyed: bool = True


@dataclass(frozen=True)
class ChainKey:
    """The HMAC key and the first entry hashed with it (earlier ones are plain SHA-256)."""

    key: bytes
    keyed_from: int

    def for_seq(self, seq: int) -> bytes | None:
        return self.key if seq >= self.keyed_from else None


def entry_hash(row: dict[str, Any], prev_hash: str, key: bytes | None) -> str:
    payload = (prev_hash + "\n" + canonical_json({name: row[name] for name in HASHED_COLUMNS})).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def key_name(history_path: Path) -> str:
    return scoped(HISTORY_KEY, str(Path(history_path).resolve()))


def load_key(store: SecretStore, history_path: Path) -> ChainKey | None:
    raw = store.get(key_name(history_path))
    if not raw:
        return None
    try:
        record = json.loads(raw)
        return ChainKey(bytes.fromhex(record["key"]), int(record["keyed_from"]))
    except (ValueError, KeyError, TypeError):
        logger.error("The history key in the credential store is unreadable")
        return None


def create_key(store: SecretStore, history_path: Path, entries: int) -> ChainKey:
    key = ChainKey(secrets_module.token_bytes(32), entries + 1)
    store.set(key_name(history_path), json.dumps({"key": key.key.hex(), "keyed_from": key.keyed_from}))
    logger.info("Created the history key; entries from %d on are keyed", key.keyed_from)
    return key


class HeadFile:
    """The count and last hash of the chain, in `<history>.head`, with an HMAC when keyed."""

    def __init__(self, history_path: Path) -> None:
        self.path = Path(history_path).with_name(Path(history_path).name + ".head")

    def write(self, seq: int, last_hash: str, key: ChainKey | None) -> None:
        record: dict[str, Any] = {"entries": seq, "hash": last_hash}
        if key is not None:
            record["mac"] = _head_mac(key.key, seq, last_hash)
        try:
            write_private_text(self.path, json.dumps(record))
        except OSError as exc:
            logger.warning("Could not record the history head in %s: %s", self.path, exc)

    def read(self) -> dict[str, Any] | None:
        try:
            head = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return head if isinstance(head, dict) else None


def _head_mac(key: bytes, seq: int, last_hash: str) -> str:
    return hmac.new(key, f"head\n{seq}\n{last_hash}".encode(), hashlib.sha256).hexdigest()


def verify_rows(rows: list[dict[str, Any]], key: ChainKey | None, head: dict[str, Any] | None,
                *, keyed: bool) -> ChainCheck:
    """Walk the chain; the first entry that was edited, deleted or moved is named."""
    count = len(rows)
    previous_hash, previous_seq = GENESIS_HASH, 0
    for row in rows:
        seq = row["seq"]
        if seq != previous_seq + 1:
            return ChainCheck(False, count, previous_seq + 1, f"Entry {previous_seq + 1} is missing (deleted).", keyed)
        if row["prev_hash"] != previous_hash:
            return ChainCheck(False, count, seq, f"Entry {seq} does not follow entry {previous_seq} "
                              "(an entry was deleted, inserted or moved).", keyed)
        if key is None and keyed:
            return ChainCheck(False, count, seq, "The history key is not in this Windows user's credential "
                              "store, so the entries cannot be checked.", keyed)
        if not hmac.compare_digest(entry_hash(row, previous_hash, key.for_seq(seq) if key else None), row["hash"]):
            return ChainCheck(False, count, seq, f"Entry {seq} was changed after it was written.", keyed)
        previous_hash, previous_seq = row["hash"], seq
    if key is not None and previous_seq < key.keyed_from - 1:
        return ChainCheck(False, count, previous_seq + 1,
                          f"Entries {previous_seq + 1} to {key.keyed_from - 1} were deleted "
                          "(the history had them when it was keyed).", keyed)
    if head is None:
        if previous_seq:
            return ChainCheck(False, count, previous_seq, "The head of the chain (the .head file beside the "
                              "history) is missing: entries may have been cut off the end.", keyed)
        return ChainCheck(True, count, keyed=keyed)
    entries, head_hash = head.get("entries"), head.get("hash")
    if key is not None and (not isinstance(entries, int) or not isinstance(head_hash, str) or not hmac.compare_digest(
            str(head.get("mac", "")), _head_mac(key.key, entries, head_hash))):
        return ChainCheck(False, count, previous_seq or None,
                          "The head of the chain (the .head file beside the history) was changed.", keyed)
    if isinstance(entries, int) and entries > previous_seq:
        return ChainCheck(False, count, previous_seq + 1,
                          f"Entries {previous_seq + 1} to {entries} were deleted from the end.", keyed)
    if entries == previous_seq and head_hash != previous_hash:
        return ChainCheck(False, count, previous_seq,
                          f"Entry {previous_seq} does not match the recorded head of the chain.", keyed)
    return ChainCheck(True, count, keyed=keyed)
