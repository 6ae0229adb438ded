"""Sage is only ever read: through the real ODBC connection nothing but one SELECT reaches the
driver, site settings cannot smuggle SQL in, and a full run leaves the Sage file byte-identical."""

from __future__ import annotations

import sqlite3

import pytest

from sage_sync_desktop.errors import ConfigurationError, SageReadOnlyViolation
from sage_sync_desktop.sage.odbc_connection import connect_odbc
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sage.table_mapping import TableMapping
from sage_sync_desktop.settings import Settings
from tests.security.conftest import IN_PROCORE, NOT_IN_PROCORE, sha256
from tests.fixtures.sandbox_fixtures import DEMO_USER

ITEMS = "ACTIVE_CNC_CONTRACT_ITEM"
ATTEMPTS = [
    f'DELETE FROM "{ITEMS}"',
    f'delete from {ITEMS}',
    f'UPDATE "{ITEMS}" SET "Original_Contract_Total" = 0',
    f'INSERT INTO "{ITEMS}" ("Contract") VALUES (\'X\')',
    f'REPLACE INTO "{ITEMS}" ("Contract") VALUES (\'X\')',
    f'DROP TABLE "{ITEMS}"',
    'CREATE TABLE evil (x)',
    f'ALTER TABLE "{ITEMS}" RENAME TO gone',
    f'SELECT * INTO evil FROM "{ITEMS}"',
    f'SELECT 1; DELETE FROM "{ITEMS}"',
    f'SELECT 1 /* harmless */ ; DROP TABLE "{ITEMS}"',
    f'SELECT 1 -- comment\n; DELETE FROM "{ITEMS}"',
    f'/* SELECT */ DELETE FROM "{ITEMS}"',
    f'WITH gone AS (DELETE FROM "{ITEMS}") SELECT 1',
    "ATTACH DATABASE 'evil.db' AS evil",
    "PRAGMA writable_schema = 1",
    "VACUUM",
    "BEGIN",
    "  ",
    f"SELECT 'unterminated FROM \"{ITEMS}\"",
]


@pytest.fixture
def sage_file(tmp_path):
    return generate_sample_company(tmp_path / "company.db")


def _row_count(path) -> int:
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return con.execute(f'SELECT COUNT(*) FROM "{ITEMS}"').fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("statement", ATTEMPTS)
def test_anything_but_one_select_is_refused_before_the_driver(sage_file, statement):
    digest, rows = sha256(sage_file.path), _row_count(sage_file.path)
    with connect_odbc(f"DRIVER={{SQLite3}};Database={sage_file.path}", password=None,
                      login_timeout=5) as connection:
        with pytest.raises(SageReadOnlyViolation) as refused:
            connection.execute(statement)
        assert refused.value.message.startswith("Refused a Sage")
        # The connection still reads after a refusal: the guard sent nothing.
        assert connection.execute(f'SELECT COUNT(*) FROM "{ITEMS}"').fetchall()[0][0] == rows
    assert sha256(sage_file.path) == digest


def test_the_connection_offers_no_way_to_write():
    from sage_sync_desktop.sage.odbc_connection import ReadOnlyConnection, ReadOnlyCursor

    for cls in (ReadOnlyConnection, ReadOnlyCursor):
        public = {name for name in dir(cls) if not name.startswith("_")}
        assert not public & {"commit", "executemany", "executescript", "cursor", "rollback"}


@pytest.mark.parametrize("override", [
    {"contract": {"table": 'ACTIVE_CNC_CONTRACT"; DROP TABLE "ACTIVE_CNC_CONTRACT_ITEM'}},
    {"contract_item": {"columns": {"amount": 'Original_Contract_Total" FROM x; DELETE FROM "y'}}},
])
def test_a_site_mapping_cannot_smuggle_sql_into_the_queries(override):
    settings = Settings().with_changes(sage={"mapping": override})
    with pytest.raises(ConfigurationError):
        TableMapping.from_settings(settings.sage)


def test_a_full_run_leaves_the_sage_file_byte_identical(secured_company, engine_as):
    path = secured_company.info.path
    digest, mtime = sha256(path), path.stat().st_mtime_ns
    engine = engine_as(DEMO_USER)
    engine.refresh()
    assert engine.import_contracts([NOT_IN_PROCORE])[0].ok
    assert engine.reimport_contracts([IN_PROCORE])[0].ok
    engine.refresh()
    assert sha256(path) == digest
    assert path.stat().st_mtime_ns == mtime
