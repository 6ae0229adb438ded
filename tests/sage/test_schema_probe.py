"""The schema probe and `check-sage`: missing tables and columns named, with what to do."""

from __future__ import annotations

import json

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.cli import main
from sage_sync_desktop.sage.odbc_connection import connect_odbc
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sage.schema_probe import probe_schema
from sage_sync_desktop.sage.table_mapping import TableMapping
from sage_sync_desktop.settings import Settings
from tests.fixtures.sage_fixtures import change_sample, odbc_connection_string_for


def _probe(path, mapping):
    conn_str = odbc_connection_string_for(path)
    return probe_schema(lambda: connect_odbc(conn_str, password=None, login_timeout=5), mapping)


def test_probe_finds_every_name_and_counts_rows(sample_company):
    report = _probe(sample_company.path, TableMapping.preset("legacy"))
    assert report.ok
    assert report.missing == ()
    assert report.counts == {"customers": 11, "jobs": 12, "contracts": 20, "items": sample_company.item_count}


def test_probe_names_a_missing_table(sample_company):
    change_sample(sample_company.path, 'ALTER TABLE "ACTIVE_CNC_CONTRACT_ITEM" RENAME TO "SOMETHING_ELSE"')
    report = _probe(sample_company.path, TableMapping.preset("legacy"))
    missing, = report.missing
    assert (missing.kind, missing.table, missing.logical_table) == ("table", "ACTIVE_CNC_CONTRACT_ITEM", "contract_item")
    assert "sage.mapping.contract_item.table" in missing.fix
    assert report.counts["items"] is None and report.counts["contracts"] == 20


def test_probe_names_a_missing_column_and_only_that_one(sample_company):
    change_sample(sample_company.path, 'ALTER TABLE "ACTIVE_CNC_CONTRACT" RENAME COLUMN "Date_Approved" TO "Approved"')
    report = _probe(sample_company.path, TableMapping.preset("legacy"))
    missing, = report.missing
    assert (missing.kind, missing.table, missing.column, missing.field) == (
        "column", "ACTIVE_CNC_CONTRACT", "Date_Approved", "approval_date")
    assert "sage.mapping.contract.columns.approval_date" in missing.fix
    assert "null" in missing.fix  # approval_date may be unmapped when a status column is used
    check = {t.logical_table: t for t in report.tables}["contract"]
    assert check.found and check.missing_columns == ("Date_Approved",)


def test_probe_says_required_columns_cannot_be_null(sample_company):
    change_sample(sample_company.path, 'ALTER TABLE "ACTIVE_CNC_CONTRACT_ITEM" DROP COLUMN "Original_Contract_Total"')
    missing, = _probe(sample_company.path, TableMapping.preset("legacy")).missing
    assert missing.column == "Original_Contract_Total"
    assert "null" not in missing.fix


def test_probe_recognises_the_other_naming_preset(sample_company):
    report = _probe(sample_company.path, TableMapping.preset("standard"))
    assert {m.table for m in report.missing} == {
        "JCM_MASTER__JOB", "ARM_MASTER__CUSTOMER", "CNC_ACTIVE__CONTRACT", "CNC_ACTIVE__CONTRACT_ITEM"}
    assert all('sage.naming to "legacy"' in m.fix for m in report.missing)


def test_probe_accepts_overrides_that_fix_the_names(sample_company):
    change_sample(sample_company.path, 'ALTER TABLE "ACTIVE_CNC_CONTRACT" RENAME COLUMN "Date_Approved" TO "Approved"')
    mapping = TableMapping.preset("legacy").with_overrides({"contract": {"columns": {"approval_date": "Approved"}}})
    assert _probe(sample_company.path, mapping).ok


def _write_settings(app_dir, **sage):
    path = app_dir / "config" / "settings.json"
    settings_module.save(Settings().with_changes(sage=sage), path)
    return path


def test_check_sage_exits_0_and_prints_counts_when_all_is_found(sample_company, tmp_path, capsys):
    app = tmp_path / "app"
    _write_settings(app, connection_string=odbc_connection_string_for(sample_company.path))
    assert main(["--app-dir", str(app), "check-sage"]) == 0
    out = capsys.readouterr().out
    assert "12 jobs, 20 contracts" in out
    assert "All mapped tables and columns were found." in out


def test_check_sage_exits_1_naming_the_missing_column(sample_company, tmp_path, capsys):
    change_sample(sample_company.path, 'ALTER TABLE "MASTER_JCM_JOB_1" RENAME COLUMN "Description" TO "Job_Description"')
    app = tmp_path / "app"
    _write_settings(app, connection_string=odbc_connection_string_for(sample_company.path))
    assert main(["--app-dir", str(app), "check-sage"]) == 1
    out = capsys.readouterr().out
    assert "Column Description (description) was not found in MASTER_JCM_JOB_1." in out
    assert "sage.mapping.job.columns.description" in out


def test_check_sage_json_lists_missing_names(sample_company, tmp_path, capsys):
    change_sample(sample_company.path, 'ALTER TABLE "MASTER_ARM_CUSTOMER" RENAME TO "CUSTOMERS"')
    app = tmp_path / "app"
    _write_settings(app, connection_string=odbc_connection_string_for(sample_company.path))
    assert main(["--app-dir", str(app), "check-sage", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [(m["kind"], m["table"]) for m in report["missing"]] == [("table", "MASTER_ARM_CUSTOMER")]
    assert report["counts"]["contracts"] == 20


def test_check_sage_exits_3_when_sage_cannot_be_reached(tmp_path, capsys):
    app = tmp_path / "app"
    _write_settings(app, connection_string=r"DRIVER={Timberline Data};DBQ=C:\Sage\Data\Co\;UID=odbc")
    assert main(["--app-dir", str(app), "check-sage", "--json"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and "Timberline Data" in report["error"]


def test_check_sage_exits_2_without_a_connection_string(tmp_path, capsys):
    assert main(["--app-dir", str(tmp_path / "app"), "check-sage"]) == 2
    assert "sage.connection_string" in capsys.readouterr().err


@pytest.mark.parametrize("naming", ["legacy", "standard"])
def test_check_sage_uses_the_configured_naming(tmp_path, capsys, naming):
    info = generate_sample_company(tmp_path / "s.db", naming=naming)
    app = tmp_path / "app"
    _write_settings(app, connection_string=odbc_connection_string_for(info.path), naming=naming)
    assert main(["--app-dir", str(app), "check-sage", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["naming"] == naming
