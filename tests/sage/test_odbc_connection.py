"""Connection strings and connection errors, through the real unixODBC driver manager."""

from __future__ import annotations

import logging

import pyodbc
import pytest

from sage_sync_desktop import __version__
from sage_sync_desktop.errors import SageError
from sage_sync_desktop.sage import connection_string as cs
from sage_sync_desktop.sage.odbc_connection import (
    APP_BITS,
    DriverUnavailable,
    _connect_error,
    connect_odbc,
    connect_sqlite_file,
    list_odbc_data_sources,
    list_odbc_drivers,
)
from tests.fixtures.sage_fixtures import odbc_connection_string_for

SECRET = "Sup3r;Secret}Pa55"


def test_timberline_string_for_legacy_names_has_the_keywords():
    built = cs.build_timberline(r"\\SRV\TIMBERLINE OFFICE\Data\Co", naming="legacy", user="odbc")
    pairs = dict(cs.parse(built))
    assert pairs["DRIVER"] == "Timberline Data"
    assert pairs["DBQ"] == "\\\\SRV\\TIMBERLINE OFFICE\\Data\\Co\\"
    assert pairs["UID"] == "odbc"
    assert (pairs["DatabaseType"], pairs["StandardMode"], pairs["DictionaryMode"]) == ("1", "0", "0")
    assert (pairs["MaxColSupport"], pairs["ShortenNames"], pairs["CODEPAGE"]) == ("255", "0", "1252")
    assert "PWD" not in built.upper()


def test_timberline_string_for_standard_names_sets_standard_mode():
    pairs = dict(cs.parse(cs.build_timberline("", naming="standard", dsn="Timberline Data Source")))
    assert pairs["DSN"] == "Timberline Data Source"
    assert pairs["StandardMode"] == "1"
    assert pairs["MaxColSupport"] == "1536"
    assert "DRIVER" not in pairs


def test_password_is_braced_so_any_character_survives():
    full = cs.with_credentials("DSN=Sage", user="odbc", password=SECRET)
    assert dict(cs.parse(full))["PWD"] == SECRET
    assert dict(cs.parse(full))["UID"] == "odbc"


def test_user_in_the_string_wins_over_the_settings_user():
    full = cs.with_credentials("DSN=Sage;UID=alice", user="bob", password=None)
    assert full == "DSN=Sage;UID=alice"


def test_redacted_string_hides_the_password():
    shown = cs.redacted(cs.with_credentials("DSN=Sage", user="u", password=SECRET))
    assert SECRET not in shown
    assert "PWD=***" in shown


def test_password_scope_names_the_connection_and_user():
    assert cs.scope(r"DSN=Sage Co;UID=Odbc") == "sage co|Odbc"
    folder = "\\\\S\\Data\\Co\\"
    assert cs.scope(f"DRIVER={{Timberline Data}};DBQ={folder}", "odbc") == folder.lower() + "|odbc"


@pytest.mark.parametrize("value,expected", [
    ("sqlite:///C:/Sage/sample.db", "C:/Sage/sample.db"),
    ("sqlite:////tmp/sample.db", "/tmp/sample.db"),
    ("sqlite:///tmp/sample.db", "/tmp/sample.db"),
    ("/tmp/sample.sqlite", "/tmp/sample.sqlite"),
])
def test_demo_sqlite_connection_strings_are_recognised(value, expected):
    assert cs.sqlite_path(value).as_posix() == expected


def test_odbc_strings_are_not_taken_for_sqlite_files():
    assert cs.sqlite_path("DRIVER={SQLite3};Database=/tmp/x.db") is None


def test_odbc_connection_is_autocommit_and_reads(sample_company_db):
    with connect_odbc(odbc_connection_string_for(sample_company_db), password=None, login_timeout=5) as conn:
        assert conn._raw.autocommit is True
        rows = conn.execute('SELECT "ACTIVE_CNC_CONTRACT"."Contract" FROM "ACTIVE_CNC_CONTRACT" '
                            'WHERE "ACTIVE_CNC_CONTRACT"."Contract" = ?', ("    240101",)).fetchall()
    assert [r[0] for r in rows] == ["    240101"]


def test_missing_timberline_driver_names_the_driver_and_the_32_bit_build(caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SageError) as caught:
        connect_odbc(r"DRIVER={Timberline Data};DBQ=C:\Sage\Data\Co\;UID=odbc",
                     password=SECRET, login_timeout=2)
    error = caught.value
    assert "Timberline Data" in error.message
    assert f"{APP_BITS}-bit" in error.message
    assert "32-bit (x86)" in error.fix
    assert "odbc_bridge" in error.fix
    assert isinstance(error, DriverUnavailable)
    assert "SQLite3" in error.message  # what this architecture can see
    assert SECRET not in f"{error.message} {error.fix} {error.detail}"
    assert SECRET not in caplog.text


def test_missing_dsn_says_where_to_create_it():
    with pytest.raises(SageError) as caught:
        connect_odbc("DSN=No Such Sage DSN", password=SECRET, login_timeout=2)
    assert "No Such Sage DSN" in caught.value.message
    assert "odbcad32" in caught.value.fix
    assert SECRET not in str(caught.value) + caught.value.detail


def test_data_folder_that_cannot_be_opened_is_named(tmp_path):
    missing = tmp_path / "no-such-folder" / "company.db"
    with pytest.raises(SageError) as caught:
        connect_odbc(f"DRIVER={{SQLite3}};Database={missing};NoCreat=1", password=None, login_timeout=2)
    assert str(missing) in caught.value.message
    assert "DBQ" in caught.value.fix


def test_architecture_mismatch_says_which_build_to_install():
    exc = pyodbc.Error("IM014", "[Microsoft][ODBC Driver Manager] The specified DSN contains an "
                                "architecture mismatch between the Driver and Application (0)")
    error = _connect_error(exc, "DSN=Timberline Data Source", 15)
    assert error.message.startswith("Architecture mismatch")
    expected = "32-bit (x86)" if APP_BITS == 64 else "64-bit (x64)"
    assert f"{expected} build" in error.fix
    assert isinstance(error, DriverUnavailable)
    arch = "x86" if APP_BITS == 64 else "x64"
    assert f"SageSyncDesktop-{__version__}-{arch}-setup.exe" in error.fix


def test_sign_in_refused_says_check_user_password_and_odbc_role():
    exc = pyodbc.Error("HY000", "[Timberline][ODBC Driver][DLL]Invalid account name. PWD=hunter2x")
    error = _connect_error(exc, "DSN=Sage;UID=odbc", 15)
    assert "sign-in" in error.message
    assert "ODBC" in error.fix and "case-sensitive" in error.fix
    assert "hunter2x" not in error.detail


def test_query_on_a_missing_table_becomes_a_sage_error(sample_company_db):
    with connect_odbc(odbc_connection_string_for(sample_company_db), password=None, login_timeout=5) as conn, \
            pytest.raises(SageError) as caught:
        conn.execute('SELECT * FROM "NO_SUCH_TABLE"')
    assert "NO_SUCH_TABLE" in caught.value.detail
    assert "check-sage" in caught.value.fix


def test_sqlite_demo_connection_reads_without_a_driver(sample_company_db):
    with connect_sqlite_file(sample_company_db) as conn:
        rows = conn.execute('SELECT COUNT(*) FROM "ACTIVE_CNC_CONTRACT"').fetchall()
    assert rows[0][0] == 20


def test_missing_sqlite_demo_file_says_how_to_make_one(tmp_path):
    with pytest.raises(SageError) as caught:
        connect_sqlite_file(tmp_path / "nothing.db")
    assert "sample-company" in caught.value.fix
    assert not (tmp_path / "nothing.db").exists()


def test_driver_and_dsn_lists_come_from_the_driver_manager():
    assert "SQLite3" in list_odbc_drivers()
    assert isinstance(list_odbc_data_sources(), dict)
