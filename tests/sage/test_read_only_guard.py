"""Sage is read-only by construction: only one SELECT ever reaches a driver."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sage_sync_desktop.errors import SageReadOnlyViolation
from sage_sync_desktop.sage.odbc_connection import connect_odbc, connect_sqlite_file
from sage_sync_desktop.sage.sql_guard import check_select_only
from tests.fixtures.sage_fixtures import odbc_connection_string_for, odbc_reader_for

REFUSED = [
    'UPDATE "ACTIVE_CNC_CONTRACT" SET "Status" = \'Approved\'',
    'DELETE FROM "ACTIVE_CNC_CONTRACT_ITEM"',
    'INSERT INTO "MASTER_JCM_JOB_1" ("Job") VALUES (\'1\')',
    'DROP TABLE "ACTIVE_CNC_CONTRACT"',
    'CREATE TABLE x (a INT)',
    'ALTER TABLE "ACTIVE_CNC_CONTRACT" ADD "x" INT',
    'EXEC sp_who',
    '{call do_something}',
    'MERGE INTO t USING s ON 1=1 WHEN MATCHED THEN DELETE',
    'GRANT ALL ON t TO public',
    'TRUNCATE TABLE "ACTIVE_CNC_CONTRACT"',
    'PRAGMA writable_schema = ON',
    "ATTACH DATABASE 'x.db' AS x",
    'SELECT 1; DELETE FROM "ACTIVE_CNC_CONTRACT"',
    'SELECT 1; SELECT 2',
    'SELECT 1 ;\n  DROP TABLE "ACTIVE_CNC_CONTRACT"',
    'SELECT * INTO new_table FROM "ACTIVE_CNC_CONTRACT"',
    'WITH x AS (SELECT 1) DELETE FROM "ACTIVE_CNC_CONTRACT"',
    '/* SELECT */ DELETE FROM "ACTIVE_CNC_CONTRACT"',
    '-- SELECT\nDELETE FROM "ACTIVE_CNC_CONTRACT"',
    'SELECT 1 /* harmless */; DELETE FROM t',
    'SELECT "a" FROM t FOR UPDATE',
    'SELECT 1 /* unterminated',
    "SELECT 'unterminated",
    '',
    '   -- only a comment',
]


@pytest.mark.parametrize("sql", REFUSED)
def test_guard_refuses_anything_but_a_single_select(sql):
    with pytest.raises(SageReadOnlyViolation):
        check_select_only(sql)


@pytest.mark.parametrize("sql", [
    'SELECT "T"."Contract" FROM "T"',
    "select \"Description\" from \"T\" where \"Status\" = 'DELETE; DROP'",
    'SELECT "Update_Date", "Deleted_Flag" FROM "T" WHERE 1=0',
    'SELECT COUNT(*) FROM "ACTIVE_CNC_CONTRACT";',
    '  -- a comment first\n SELECT 1',
    'SELECT "it""s; DROP" FROM t',
])
def test_guard_lets_a_single_select_through(sql):
    assert check_select_only(sql) == sql


def test_refusal_names_the_forbidden_word():
    with pytest.raises(SageReadOnlyViolation, match="DELETE"):
        check_select_only('SELECT 1; DELETE FROM t')


def test_odbc_connection_refuses_a_write_before_the_driver_sees_it(sample_company_db):
    before = hashlib.sha256(sample_company_db.read_bytes()).hexdigest()
    with connect_odbc(odbc_connection_string_for(sample_company_db), password=None, login_timeout=5) as conn:
        with pytest.raises(SageReadOnlyViolation):
            conn.execute('DELETE FROM "ACTIVE_CNC_CONTRACT_ITEM"')
        with pytest.raises(SageReadOnlyViolation):
            conn.execute('SELECT 1; UPDATE "ACTIVE_CNC_CONTRACT" SET "Status" = \'x\'')
        rows = conn.execute('SELECT COUNT(*) FROM "ACTIVE_CNC_CONTRACT_ITEM"').fetchall()
    assert rows[0][0] > 0
    assert hashlib.sha256(sample_company_db.read_bytes()).hexdigest() == before


def test_sqlite_demo_connection_is_read_only_even_past_the_guard(sample_company_db):
    conn = connect_sqlite_file(sample_company_db)
    with pytest.raises(SageReadOnlyViolation):
        conn.execute('DELETE FROM "ACTIVE_CNC_CONTRACT"')
    # The file is opened with mode=ro and query_only: the driver itself refuses writes too.
    import sqlite3

    with pytest.raises(sqlite3.Error):
        conn._raw.execute('DELETE FROM "ACTIVE_CNC_CONTRACT"')
    conn.close()


@pytest.mark.parametrize("path_kind", ["odbc", "sqlite3"])
def test_a_full_company_read_leaves_the_sage_file_byte_identical(tmp_path: Path, path_kind):
    from sage_sync_desktop.sage.sage_reader import SageReader
    from sage_sync_desktop.demo.sample_company import generate_sample_company
    from sage_sync_desktop.sage.table_mapping import TableMapping

    info = generate_sample_company(tmp_path / "sage.db")
    before = info.path.read_bytes()
    mtime = info.path.stat().st_mtime_ns
    if path_kind == "odbc":
        reader = odbc_reader_for(info.path)
    else:
        reader = SageReader(lambda: connect_sqlite_file(info.path), TableMapping.preset("legacy"))
    company = reader.read_company()
    assert len(company.contracts) == 20
    assert info.path.read_bytes() == before
    assert info.path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sage.db"]  # no journal left behind
