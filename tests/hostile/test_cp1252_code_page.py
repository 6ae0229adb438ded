"""Text stored the way Timberline stores it, as cp1252 bytes, read with CODEPAGE=1252 through the
real ODBC path: every name and description comes back as the same Unicode text, and the
cp1252-only characters (euro sign, curly quotes, dashes...) reach Procore unchanged."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from functools import partial
from pathlib import Path

from sage_sync_desktop.secret_store import MemorySecretStore
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.sage.odbc_connection import connect_odbc
from sage_sync_desktop.sage.sage_reader import SageReader
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sage.table_mapping import TableMapping
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.demo.demo_setup import sandbox_seed
from sage_sync_desktop.sync.records import ContractState
from sage_sync_desktop.app.wiring import build_engine
from tests.fixtures.sage_fixtures import odbc_reader_for
from tests.hostile.conftest import odbc_settings
from tests.hostile.hostile_corpus import CASES, CP1252_SPECIALS, write_corpus

SPECIALS_CASE = next(case for case in CASES if case.case_id == "cp1252_specials_are_kept_exactly")


def _recode_text_as_cp1252(path: Path) -> int:
    """Rewrite every text value of the four Sage tables as cp1252 bytes; returns values changed."""
    mapping = TableMapping.preset("legacy")
    con = sqlite3.connect(path)
    changed = 0
    try:
        with con:
            for logical in ("job", "customer", "contract", "contract_item"):
                table = mapping.table(logical)
                columns = [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')]
                for column in columns:
                    rows = con.execute(f'SELECT rowid, "{column}" FROM "{table}" '
                                       f'WHERE typeof("{column}") = \'text\'').fetchall()
                    for rowid, value in rows:
                        encoded = value.encode("cp1252")
                        if encoded != value.encode("utf-8"):
                            changed += 1
                        con.execute(f'UPDATE "{table}" SET "{column}" = CAST(? AS TEXT) WHERE rowid = ?',
                                    (encoded, rowid))
    finally:
        con.close()
    return changed


def _without_read_time(company):
    return replace(company, read_at=None)


def test_a_cp1252_company_reads_exactly_like_its_unicode_original(tmp_path):
    info = generate_sample_company(tmp_path / "unicode.db")
    write_corpus(info.path)
    cp1252 = tmp_path / "cp1252.db"
    shutil.copy(info.path, cp1252)
    assert _recode_text_as_cp1252(cp1252) > 20  # accented names, dashes and the specials
    original = odbc_reader_for(info.path).read_company()
    connection_string = f"DRIVER={{SQLite3}};Database={cp1252};CODEPAGE=1252"
    reader = SageReader(partial(connect_odbc, connection_string, password=None, login_timeout=5),
                        TableMapping.preset("legacy"))
    recoded = reader.read_company()
    assert _without_read_time(recoded) == _without_read_time(original)
    specials = recoded.contract(SPECIALS_CASE.number).items[0].description
    assert specials == CP1252_SPECIALS


def test_cp1252_specials_reach_procore_unchanged(tmp_path):
    info = generate_sample_company(tmp_path / "sage.db")
    write_corpus(info.path)
    _recode_text_as_cp1252(info.path)
    with ProcoreSandbox(seed=sandbox_seed(info, unlinked=False)) as sb:
        settings, secrets = odbc_settings(info, sb, codepage=True)
        engine = build_engine(settings, AppPaths.under(tmp_path / "app"), MemorySecretStore(secrets))
        try:
            assert engine.refresh().status(SPECIALS_CASE.number).state is ContractState.READY_TO_IMPORT
            [outcome] = engine.import_contracts([SPECIALS_CASE.number])
            assert outcome.ok, outcome.message
        finally:
            engine.client.close()
        [placed] = [pc for pc in sb.prime_contracts() if pc["number"] == SPECIALS_CASE.number]
        [line] = sb.line_items(placed["id"])
        assert line["description"] == CP1252_SPECIALS
