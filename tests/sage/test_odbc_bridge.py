"""The 32-bit ODBC bridge: a real child process (`python -m sage_sync_desktop odbc-bridge`)
reading the sample company through the real SQLite3 ODBC driver."""

from __future__ import annotations

import gc
import hashlib
import os
import stat
import sys
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest

from sage_sync_desktop.errors import SageError, SageReadOnlyViolation
from sage_sync_desktop.sage import odbc_bridge
from sage_sync_desktop.sage.odbc_bridge import connect_via_bridge, decode_line, encode_line
from sage_sync_desktop.sage.odbc_connection import DriverUnavailable
from sage_sync_desktop.sage.sage_reader import SageReader, sage_password_secret
from sage_sync_desktop.settings import Settings
from tests.fixtures.sage_fixtures import odbc_connection_string_for

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Br1dge-Secret-Pw"


@pytest.fixture(autouse=True)
def child_environment(monkeypatch, tmp_path):
    # The child must import this checkout and keep its folders in the test's tmp_path.
    monkeypatch.setenv("PYTHONPATH", str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("SAGE_SYNC_APP_DIR", str(tmp_path / "bridge-app"))


def bridge_cmd() -> list[str]:
    return [sys.executable, "-m", "sage_sync_desktop", odbc_bridge.BRIDGE_SUBCOMMAND]


def _bridge_reader(path, mapping, password=None):
    conn_str = odbc_connection_string_for(path)
    return SageReader(lambda: connect_via_bridge(bridge_cmd(), conn_str, password=password, login_timeout=5),
                      mapping)


def _wrapper_script(tmp_path, *, odbcini: Path | None = None) -> Path:
    """A bridge 'program' for settings: a script that runs the bridge with this Python."""
    script = tmp_path / "sage-sync-bridge"
    env = f'export ODBCINI="{odbcini}"\n' if odbcini else ""
    script.write_text(f'#!/bin/sh\n{env}exec "{sys.executable}" -m sage_sync_desktop "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_values_keep_their_types_across_the_pipe():
    row = ["  1001", 7, 2.5, Decimal("-25000.00"), date(2024, 3, 1), datetime(2024, 3, 1, 8, 30),
           time(12, 0), b"M\xfcller", None, True, "Société – ½"]
    assert decode_line(encode_line({"rows": [row]})) == {"rows": [row]}


def test_reader_over_the_bridge_reads_the_same_company_as_directly(odbc_sage_reader):
    direct_reader, info = odbc_sage_reader
    direct = direct_reader.read_company()
    bridged = _bridge_reader(info.path, direct_reader.mapping).read_company()
    assert bridged.contracts == direct.contracts
    assert bridged.jobs == direct.jobs and bridged.customers == direct.customers
    assert len(bridged.contracts) == 20


def test_the_parent_refuses_a_write_before_the_bridge_sees_it(sample_company_db):
    with connect_via_bridge(bridge_cmd(), odbc_connection_string_for(sample_company_db),
                            password=None, login_timeout=5) as conn:
        with pytest.raises(SageReadOnlyViolation):
            conn.execute('DELETE FROM "ACTIVE_CNC_CONTRACT_ITEM"')
        assert conn.alive


def test_the_bridge_child_refuses_a_write_too(sample_company_db):
    before = hashlib.sha256(sample_company_db.read_bytes()).hexdigest()
    with connect_via_bridge(bridge_cmd(), odbc_connection_string_for(sample_company_db),
                            password=None, login_timeout=5) as conn:
        with pytest.raises(SageReadOnlyViolation, match="DELETE"):
            conn.request({"op": "execute", "sql": 'DELETE FROM "ACTIVE_CNC_CONTRACT_ITEM"'})
        with pytest.raises(SageReadOnlyViolation):
            conn.request({"op": "execute", "sql": 'SELECT 1; DROP TABLE "ACTIVE_CNC_CONTRACT"'})
        assert conn.execute('SELECT COUNT(*) FROM "ACTIVE_CNC_CONTRACT"').fetchone() == (20,)
    assert hashlib.sha256(sample_company_db.read_bytes()).hexdigest() == before


def test_a_bridge_that_dies_mid_read_gives_a_clear_error(sample_company_db):
    conn = connect_via_bridge(bridge_cmd(), odbc_connection_string_for(sample_company_db),
                              password=None, login_timeout=5)
    cursor = conn.execute('SELECT "ACTIVE_CNC_CONTRACT_ITEM"."Contract" FROM "ACTIVE_CNC_CONTRACT_ITEM"')
    assert len(cursor.fetchmany(10)) == 10
    conn._process.kill()
    with pytest.raises(SageError, match="bridge stopped unexpectedly"):
        cursor.fetchmany(10)
    conn.close()


def test_a_company_read_stops_cleanly_when_the_bridge_dies(tmp_path):
    from sage_sync_desktop.demo.sample_company import generate_sample_company
    from sage_sync_desktop.sage.table_mapping import TableMapping

    info = generate_sample_company(tmp_path / "big.db", contracts=100, items_per_contract=20, jobs=10)
    opened = []
    conn_str = odbc_connection_string_for(info.path)

    def connect():
        opened.append(connect_via_bridge(bridge_cmd(), conn_str, password=None, login_timeout=5))
        return opened[-1]

    def progress(percent, message):
        if "so far" in message:
            opened[0]._process.kill()

    reader = SageReader(connect, TableMapping.preset("legacy"), fetch_rows=200)
    with pytest.raises(SageError, match="stopped unexpectedly"):
        reader.read_company(progress=progress)
    assert gc.isenabled()
    assert not opened[0].alive


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the child's command line from /proc")
def test_the_password_never_reaches_the_bridge_command_line_or_environment(sample_company_db):
    with connect_via_bridge(bridge_cmd(), odbc_connection_string_for(sample_company_db),
                            password=PASSWORD, login_timeout=5) as conn:
        pid = conn._process.pid
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        assert conn.execute('SELECT COUNT(*) FROM "MASTER_JCM_JOB_1"').fetchone() == (12,)
    assert PASSWORD.encode() not in cmdline
    assert PASSWORD.encode() not in environ
    assert b"odbc-bridge" in cmdline


def test_connection_errors_come_back_from_the_bridge_without_the_password():
    with pytest.raises(DriverUnavailable) as caught:
        connect_via_bridge(bridge_cmd(), r"DRIVER={Timberline Data};DBQ=C:\Sage\Data\Co\;UID=odbc",
                           password=PASSWORD, login_timeout=5)
    error = caught.value
    assert "Timberline Data" in error.message
    assert PASSWORD not in f"{error.message} {error.fix} {error.detail}"


def test_settings_with_a_bridge_path_read_through_it(sample_company, secret_store, tmp_path, monkeypatch):
    script = _wrapper_script(tmp_path)
    # Only the bridge installed with the app may be named (tests/security checks any other is refused).
    monkeypatch.setattr(odbc_bridge, "bundled_bridge", lambda: script)
    settings = Settings().with_changes(sage={
        "connection_string": odbc_connection_string_for(sample_company.path), "odbc_bridge": str(script)})
    secret_store.set(sage_password_secret(settings.sage), PASSWORD)
    reader = SageReader.from_settings(settings, secret_store)
    with reader.connect() as conn:
        assert "bridge" in conn.source
    assert len(reader.read_company().contracts) == 20


def _dsn_only_the_bridge_sees(tmp_path, db: Path) -> Path:
    odbcini = tmp_path / "bridge-odbc.ini"
    odbcini.write_text(f"[sage_bridge_only]\nDriver=SQLite3\nDatabase={db}\n")
    return odbcini


def test_auto_falls_back_to_the_bundled_bridge_when_this_process_cannot_load_the_driver(
        sample_company, secret_store, tmp_path, monkeypatch):
    # The DSN exists only for the bridge (as a 32-bit DSN exists only for 32-bit programs).
    script = _wrapper_script(tmp_path, odbcini=_dsn_only_the_bridge_sees(tmp_path, sample_company.path))
    monkeypatch.setattr(odbc_bridge, "bundled_bridge", lambda: script)
    settings = Settings().with_changes(sage={"connection_string": "DSN=sage_bridge_only", "odbc_bridge": "auto"})
    reader = SageReader.from_settings(settings, secret_store)
    with reader.connect() as conn:
        assert "bridge" in conn.source
    assert len(reader.read_company().contracts) == 20


def test_auto_without_a_bundled_bridge_says_it_is_missing(secret_store, monkeypatch):
    monkeypatch.setattr(odbc_bridge, "bundled_bridge", lambda: None)
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # an installed app missing its x86 folder
    settings = Settings().with_changes(sage={"connection_string": "DSN=sage_bridge_only", "odbc_bridge": "auto"})
    with pytest.raises(DriverUnavailable) as caught:
        SageReader.from_settings(settings, secret_store).read_company()
    assert "no 32-bit bridge" in caught.value.fix


def test_auto_is_the_default_and_from_source_keeps_the_driver_error(secret_store, monkeypatch):
    monkeypatch.setattr(odbc_bridge, "bundled_bridge", lambda: None)
    settings = Settings().with_changes(sage={"connection_string": "DSN=sage_bridge_only"})
    assert settings.sage.odbc_bridge == "auto"
    with pytest.raises(DriverUnavailable) as caught:
        SageReader.from_settings(settings, secret_store).read_company()
    assert "no 32-bit bridge" not in caught.value.fix


def test_direct_mode_never_starts_a_bridge(secret_store, monkeypatch):
    monkeypatch.setattr(odbc_bridge, "bundled_bridge", lambda: pytest.fail("no bridge in direct mode"))
    settings = Settings().with_changes(sage={"connection_string": "DSN=sage_bridge_only", "odbc_bridge": ""})
    with pytest.raises(DriverUnavailable):
        SageReader.from_settings(settings, secret_store).read_company()
