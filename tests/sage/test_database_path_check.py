"""Before connecting, a file-based database path is checked and named: SQLite's `Database=` file,
the Timberline driver's `DBQ=` data folder. The driver never gets to create an empty file."""

from __future__ import annotations

import pytest

from sage_sync_desktop.cli import main
from sage_sync_desktop.errors import SageError
from sage_sync_desktop.sage.odbc_connection import check_database_path, connect_odbc
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.settings import Settings, save


def test_a_mistyped_database_file_in_an_existing_folder_is_named_and_not_created(tmp_path):
    typo = tmp_path / "compnay.db"
    with pytest.raises(SageError) as caught:
        connect_odbc(f"DRIVER={{SQLite3}};Database={typo}", password=None, login_timeout=2)
    assert f"The Sage database file {typo} (Database= in sage.connection_string) does not exist" \
        in caught.value.message
    assert "its folder exists" in caught.value.message
    assert not typo.exists()


def test_a_database_file_in_a_missing_folder_says_the_folder_is_missing_too(tmp_path):
    missing = tmp_path / "nowhere" / "company.db"
    with pytest.raises(SageError) as caught:
        check_database_path(f"DRIVER={{SQLite3}};Database={missing}")
    assert f"its folder {missing.parent} does not exist either" in caught.value.message


def test_a_missing_data_folder_is_named_as_the_dbq_folder(tmp_path):
    # SQLite3 stands in for an installed driver: the DBQ check runs once the driver is there.
    missing = tmp_path / "Data" / "Company"
    with pytest.raises(SageError) as caught:
        check_database_path(f"DRIVER={{SQLite3}};DBQ={missing}")
    assert f"The Sage data folder {missing} (DBQ= in sage.connection_string) does not exist" in caught.value.message
    assert "DBQ=" in caught.value.fix


def test_existing_paths_pass(tmp_path):
    info = generate_sample_company(tmp_path / "s.db")
    check_database_path(f"DRIVER={{SQLite3}};Database={info.path}")
    check_database_path(f"DRIVER={{SQLite3}};DBQ={tmp_path}")


def test_check_sage_reports_the_missing_file_not_missing_tables(tmp_path, capsys):
    app = tmp_path / "app"
    typo = tmp_path / "sample-compnay.db"
    save(Settings().with_changes(sage={"connection_string": f"DRIVER={{SQLite3}};Database={typo}"}),
         app / "config" / "settings.json")
    assert main(["--app-dir", str(app), "check-sage"]) == 3
    out = capsys.readouterr().out
    assert "Database= in sage.connection_string" in out and "MISSING" not in out
    assert not typo.exists()
