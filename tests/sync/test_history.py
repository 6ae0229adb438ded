from __future__ import annotations

import csv
import sqlite3
from decimal import Decimal

import pytest

from sage_sync_desktop.sync.history import (
    DELETED, NOT_SENT, PLANNED, UNKNOWN, WRITTEN, HistoryStore, NewEntry, line_record,
)
from sage_sync_desktop.sync.line_values import LineValues


def _values(amount: str) -> LineValues:
    return LineValues("Sitework", Decimal(amount))


@pytest.fixture
def store(app_paths) -> HistoryStore:
    return HistoryStore(app_paths.history_db, windows_user="CORP\\sage.admin", procore_user="pm@example.com")


def _fill(store: HistoryStore, count: int = 4) -> None:
    for n in range(count):
        store.append(NewEntry("import", "finished", "ok", contract=f"20{n:02}", message=f"entry {n}"))


def test_entries_carry_who_when_and_chain_to_the_previous(store) -> None:
    _fill(store, 2)
    first, second = store.entries()
    assert (first.seq, second.seq) == (1, 2)
    assert first.windows_user == "CORP\\sage.admin" and first.procore_user == "pm@example.com"
    assert first.at.endswith("Z") and "T" in first.at
    assert second.prev_hash == first.hash and first.prev_hash == "0" * 64
    assert store.verify().ok and store.verify().entries == 2


def test_update_and_delete_are_refused_by_the_database_itself(store) -> None:
    _fill(store, 1)
    connection = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute("UPDATE entries SET message = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute("DELETE FROM entries")
    connection.close()


def _tamper(store: HistoryStore, sql: str) -> None:
    connection = sqlite3.connect(store.path)
    connection.executescript(
        "DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;" + sql
    )
    connection.close()


def test_an_edited_row_is_named(store) -> None:
    _fill(store)
    _tamper(store, "UPDATE entries SET message = 'nothing happened' WHERE seq = 3;")
    check = store.verify()
    assert not check.ok and check.first_bad_seq == 3 and "changed" in check.problem


def test_a_deleted_row_is_named(store) -> None:
    _fill(store)
    _tamper(store, "DELETE FROM entries WHERE seq = 2;")
    check = store.verify()
    assert not check.ok and check.first_bad_seq == 2 and "missing" in check.problem


def test_reordered_rows_are_caught(store) -> None:
    _fill(store)
    _tamper(store, "UPDATE entries SET seq = 99 WHERE seq = 2; UPDATE entries SET seq = 2 WHERE seq = 3;"
                   "UPDATE entries SET seq = 3 WHERE seq = 99;")
    check = store.verify()
    assert not check.ok and check.first_bad_seq == 2


def test_entries_cut_off_the_end_are_caught_by_the_head_file(store) -> None:
    _fill(store)
    _tamper(store, "DELETE FROM entries WHERE seq = 4;")
    check = store.verify()
    assert not check.ok and check.first_bad_seq == 4 and "end" in check.problem


def test_csv_export_has_one_row_per_entry_with_lines(store, tmp_path) -> None:
    store.append(NewEntry("reimport", "finished", "ok", contract="1001",
                          lines=[line_record("S300:CN:1001:ITEM:010", "010", WRITTEN,
                                             before=_values("1"), after=_values("2"))]))
    _fill(store, 2)
    target = tmp_path / "history.csv"
    assert store.export_csv(target) == 3
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert [row["seq"] for row in rows] == ["1", "2", "3"]
    assert '"after":{"amount":"2.00"' in rows[0]["lines"]
    assert store.export_csv(tmp_path / "one.csv", contract="1001") == 1


def test_known_values_are_the_last_write_plus_unfinished_runs(store) -> None:
    oid = "S300:CN:1001:ITEM:010"
    store.append(NewEntry("import", "finished", "ok", contract="1001",
                          lines=[line_record(oid, "010", WRITTEN, after=_values("100"))]))
    assert [v.amount for v in store.known_line_values("1001")[oid]] == [Decimal("100.00")]
    # a run planned 120 and died before its finished entry: 100 or 120 may be in Procore
    store.append(NewEntry("reimport", "started", "started", contract="1001",
                          lines=[line_record(oid, "010", PLANNED, after=_values("120"))]))
    assert [v.amount for v in store.known_line_values("1001")[oid]] == [Decimal("100.00"), Decimal("120.00")]
    # the next run confirms 130
    store.append(NewEntry("reimport", "finished", "ok", contract="1001",
                          lines=[line_record(oid, "010", WRITTEN, after=_values("130"))]))
    assert [v.amount for v in store.known_line_values("1001")[oid]] == [Decimal("130.00")]
    store.append(NewEntry("reimport", "started", "started", contract="1001",
                          lines=[line_record(oid, "010", PLANNED, after=_values("140"))]))
    store.append(NewEntry("reimport", "failed", "failed", contract="1001",
                          lines=[line_record(oid, "010", NOT_SENT)]))
    assert [v.amount for v in store.known_line_values("1001")[oid]] == [Decimal("130.00")]
    store.append(NewEntry("reimport", "started", "started", contract="1001",
                          lines=[line_record(oid, "010", PLANNED, after=_values("150"))]))
    store.append(NewEntry("reimport", "failed", "failed", contract="1001",
                          lines=[line_record(oid, "010", UNKNOWN)]))
    assert len(store.known_line_values("1001")[oid]) == 2
    store.append(NewEntry("reimport", "finished", "ok", contract="1001",
                          lines=[line_record(oid, "010", DELETED, before=_values("150"))]))
    assert oid not in store.known_line_values("1001")


def test_two_stores_on_one_file_keep_one_chain(app_paths) -> None:
    one = HistoryStore(app_paths.history_db, windows_user="a")
    two = HistoryStore(app_paths.history_db, windows_user="b")
    for n in range(5):
        (one if n % 2 else two).append(NewEntry("link_job", "finished", "ok", job=str(n)))
    assert one.verify().ok and [e.windows_user for e in two.entries()] == ["b", "a", "b", "a", "b"]
