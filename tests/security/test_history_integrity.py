"""The audit history cannot be quietly cut short or edited: the chain is keyed (HMAC, key in the
credential store) and the head of the chain must be there whenever entries are."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from sage_sync_desktop.cli import main
from sage_sync_desktop.secret_store import MemorySecretStore, SecretStore
from sage_sync_desktop.sync.history import HistoryError, HistoryStore, NewEntry

_HASHED = ("seq", "at", "action", "phase", "outcome", "windows_user", "procore_user", "contract", "job",
           "project_id", "prime_contract_id", "message", "procore_error", "lines_json", "data_json")


class _NoCredentialStore(MemorySecretStore):
    def is_usable(self) -> bool:
        return False


def _fill(store: HistoryStore, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        store.append(NewEntry("import", "finished", "ok", contract=f"C{n}", message=f"entry {n}"))


def _public_hash(row: dict, prev_hash: str) -> str:
    """What anyone can compute: SHA-256 over the canonical JSON, as the app did before the key."""
    payload = json.dumps({k: row[k] for k in _HASHED}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest()


def _rewrite(store: HistoryStore, edit_seq: int, message: str) -> None:
    """An attacker with the files: edit one entry and re-hash it and every later one, head included."""
    db = sqlite3.connect(store.path)
    db.row_factory = sqlite3.Row
    db.executescript("DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS entries_no_delete;")
    db.execute("UPDATE entries SET message = ? WHERE seq = ?", (message, edit_seq))
    rows = [dict(r) for r in db.execute("SELECT * FROM entries ORDER BY seq")]
    prev = "0" * 64
    for row in rows:
        new_hash = _public_hash(row, prev)
        db.execute("UPDATE entries SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, new_hash, row["seq"]))
        prev = new_hash
    db.commit()
    db.close()
    store.head_path.write_text(json.dumps({"entries": len(rows), "hash": prev}), encoding="utf-8")


def _cut_end(store: HistoryStore, keep: int) -> None:
    db = sqlite3.connect(store.path)
    db.executescript(f"DROP TRIGGER IF EXISTS entries_no_delete; DELETE FROM entries WHERE seq > {keep};")
    db.close()


@pytest.fixture
def store(app_paths) -> HistoryStore:
    return HistoryStore(app_paths.history_db, windows_user="CORP\\sage.admin")


def test_a_missing_head_beside_existing_entries_fails_verification(store, app_paths, capsys) -> None:
    _fill(store, 5)
    _cut_end(store, 3)
    store.head_path.unlink()
    check = store.verify()
    assert not check.ok and "head of the chain" in check.problem and "missing" in check.problem
    assert main(["--app-dir", str(app_paths.config_dir.parent), "history", "--verify"]) == 1
    assert "HISTORY TAMPERED" in capsys.readouterr().out


def test_an_edited_entry_re_hashed_with_the_public_hash_function_fails_verification(store) -> None:
    _fill(store, 5)
    _rewrite(store, 3, "nothing was sent")
    check = store.verify()
    assert not check.ok and check.first_bad_seq == 1  # keyed from the first entry: none re-hashes
    assert "changed" in check.problem


def test_a_truncated_history_with_a_recomputed_head_fails_verification(store) -> None:
    _fill(store, 5)
    last = store.entries()[2]
    _cut_end(store, 3)
    store.head_path.write_text(json.dumps({"entries": 3, "hash": last.hash}), encoding="utf-8")
    check = store.verify()
    assert not check.ok and "head" in check.problem and "changed" in check.problem


def test_the_chain_key_lives_in_the_credential_store_not_beside_the_files(store, memory_keyring,
                                                                         app_paths) -> None:
    from sage_sync_desktop.sync.history_chain import key_name

    _fill(store, 2)
    record = json.loads(SecretStore().get(key_name(store.path)))
    assert len(bytes.fromhex(record["key"])) == 32 and record["keyed_from"] == 1
    on_disk = b"".join(p.read_bytes() for p in app_paths.data_dir.iterdir() if p.is_file())
    assert record["key"].encode() not in on_disk and bytes.fromhex(record["key"]) not in on_disk


def test_a_history_from_before_the_key_stays_readable_and_is_protected_from_then_on(app_paths) -> None:
    old = HistoryStore(app_paths.history_db, key_store=_NoCredentialStore())  # as earlier versions wrote it
    _fill(old, 3)
    old.head_path.unlink()  # earlier versions could lose the head (a warning only)
    upgraded = HistoryStore(app_paths.history_db)
    assert upgraded.verify().ok and upgraded.verify().keyed
    _fill(upgraded, 2, start=3)
    assert [e.message for e in upgraded.entries()] == [f"entry {n}" for n in range(5)]
    assert upgraded.verify().ok
    _rewrite(upgraded, 2, "edited")  # an old entry, re-hashed publicly: the keyed ones give it away
    assert upgraded.verify().ok is False
    _cut_end(upgraded, 2)  # or the whole keyed part cut off, head and all
    upgraded.head_path.unlink()
    assert upgraded.verify().ok is False


def test_a_history_keyed_by_another_credential_store_is_never_rekeyed(store, memory_keyring) -> None:
    from sage_sync_desktop.sync.history_chain import key_name

    _fill(store, 2)
    memory_keyring.values.clear()  # another Windows user, or a store that lost the key
    other = HistoryStore(store.path)
    check = other.verify()
    assert not check.ok and "not in this Windows user's credential store" in check.problem
    with pytest.raises(HistoryError, match="key that is not in this Windows user's credential store"):
        _fill(other, 1)
    assert SecretStore().get(key_name(store.path)) is None
