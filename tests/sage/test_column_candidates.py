"""check-sage finding a site's own column names: actual columns from the zero-row probe, ranked
candidates for each missing column, --use-candidates, and which naming preset fits. Real ODBC on
both presets (the sample company's columns renamed the way a legacy-mode site names them)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.cli import main
from sage_sync_desktop.sage import column_candidates
from sage_sync_desktop.sage.odbc_connection import connect_odbc
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sage.schema_probe import probe_schema
from sage_sync_desktop.sage.table_mapping import TableMapping
from sage_sync_desktop.settings import Settings
from tests.fixtures.sage_fixtures import change_sample, odbc_connection_string_for, odbc_reader_for


@pytest.fixture(params=["legacy", "standard"])
def info(request, tmp_path):
    return generate_sample_company(tmp_path / f"sage-{request.param}.db", naming=request.param)


def _rename(info, logical, old, new):
    change_sample(info.path, f'ALTER TABLE "{{{logical}}}" RENAME COLUMN "{old}" TO "{new}"', naming=info.naming)


def _probe(info, mapping=None):
    conn_str = odbc_connection_string_for(info.path)
    return probe_schema(lambda: connect_odbc(conn_str, password=None, login_timeout=5),
                        mapping or TableMapping.preset(info.naming))


def _settings(tmp_path, info, **sage):
    app = tmp_path / "app"
    settings_module.save(Settings().with_changes(sage={
        "connection_string": odbc_connection_string_for(info.path), "naming": info.naming, **sage}),
        app / "config" / "settings.json")
    return app


def test_every_found_table_lists_its_actual_columns(info):
    report = _probe(info)
    columns = {t.logical_table: t.columns for t in report.tables}
    assert columns["contract_item"][:6] == ("Contract", "Contract_Item", "Description", "Job", "Status",
                                            "Approval_Date")
    assert "Account_Prefix" in columns["contract"]  # columns the app never reads are listed too
    assert report.preset_fits == info.naming


def test_a_renamed_amount_column_ranks_scheduled_value_first(info):
    _rename(info, "contract_item", "Original_Contract_Total", "Scheduled_Value")
    report = _probe(info)
    missing, = report.missing
    assert (missing.field, missing.candidates[0], missing.best_candidate) == (
        "amount", "Scheduled_Value", "Scheduled_Value")
    items, = (t for t in report.tables if t.logical_table == "contract_item")
    assert sorted(missing.candidates) == sorted(items.columns)
    assert "best candidates in" in missing.fix and "Scheduled_Value" in missing.fix


def test_type_names_come_from_a_type_or_the_bridges_text():
    assert column_candidates.type_name(Decimal) == "decimal"
    assert column_candidates.type_name("Decimal") == "decimal"  # the 32-bit bridge sends names
    assert column_candidates.type_name(date) == "date"
    assert column_candidates.type_name(None) is None  # Python's sqlite3 gives no type


def test_type_fit_breaks_a_tie_between_similar_names():
    columns = [("Approved_By", "str"), ("Approved_On", "date")]
    ranked = column_candidates.rank("contract", "approval_date", "Date_Approved", columns)
    assert ranked[0].column == "Approved_On"


def test_columns_other_fields_already_use_come_last_and_nothing_far_off_is_best():
    columns = [("Status", "str"), ("Remarks", "str")]
    ranked = column_candidates.rank("contract_item", "status", "Item_State", columns, taken=["Status"])
    assert [c.column for c in ranked] == ["Remarks", "Status"]
    assert column_candidates.best(ranked) is None


def test_check_sage_fix_line_names_the_best_candidates(info, tmp_path, capsys):
    _rename(info, "contract_item", "Approval_Date", "Item_Approved_Date")
    app = _settings(tmp_path, info)
    assert main(["--app-dir", str(app), "check-sage"]) == 1
    out = capsys.readouterr().out
    fix = next(line for line in out.splitlines() if "contract_item.columns.approval_date" in line)
    assert "Item_Approved_Date" in fix
    assert "--use-candidates" in out


def test_check_sage_json_gives_columns_and_ranked_candidates(info, tmp_path, capsys):
    _rename(info, "contract_item", "Original_Contract_Total", "Scheduled_Value")
    app = _settings(tmp_path, info)
    assert main(["--app-dir", str(app), "check-sage", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    items = next(t for t in report["tables"] if t["logical_table"] == "contract_item")
    assert "Scheduled_Value" in items["columns"]
    missing, = report["missing"]
    assert missing["candidates"][0] == "Scheduled_Value" and missing["best_candidate"] == "Scheduled_Value"
    assert sorted(missing["candidates"]) == sorted(items["columns"])


def test_use_candidates_shows_then_writes_the_mapping_and_the_read_works(info, tmp_path, capsys):
    _rename(info, "contract_item", "Original_Contract_Total", "Scheduled_Value")
    _rename(info, "contract_item", "Approval_Date", "Date_Approved")
    app = _settings(tmp_path, info)
    assert main(["--app-dir", str(app), "check-sage", "--use-candidates"]) == 0
    out = capsys.readouterr().out
    assert "contract_item.columns.amount = Scheduled_Value" in out
    assert "contract_item.columns.approval_date = Date_Approved" in out
    assert out.index("Writing to sage.mapping") < out.index("All mapped tables and columns were found.")
    saved = settings_module.load(app / "config" / "settings.json")
    assert saved.sage.mapping["contract_item"]["columns"] == {"amount": "Scheduled_Value",
                                                              "approval_date": "Date_Approved"}
    company = odbc_reader_for(info.path, mapping=TableMapping.from_settings(saved.sage)).read_company()
    assert company.contract("240101").total > 0
    assert [i for c, i in info.awaiting_items] == [i.number for i in company.contract(
        info.awaiting_items[0][0]).awaiting_items]


def test_use_candidates_writes_nothing_without_a_close_candidate(info, tmp_path, capsys):
    change_sample(info.path, 'ALTER TABLE "{contract_item}" DROP COLUMN "Category"', naming=info.naming)
    app = _settings(tmp_path, info)
    assert main(["--app-dir", str(app), "check-sage", "--use-candidates"]) == 1
    assert "nothing was written" in capsys.readouterr().out
    assert settings_module.load(app / "config" / "settings.json").sage.mapping == {}


def test_check_sage_says_which_naming_preset_fits(info, tmp_path, capsys):
    other = "standard" if info.naming == "legacy" else "legacy"
    app = _settings(tmp_path, info, naming=other)
    assert main(["--app-dir", str(app), "check-sage", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["preset_fits"] == info.naming
    assert all(f'sage.naming to "{info.naming}"' in m["fix"] for m in report["missing"])
    assert main(["--app-dir", str(app), "check-sage"]) == 1
    assert f'The {info.naming} naming preset fits this connection' in capsys.readouterr().out


def test_no_preset_fits_when_one_table_is_missing_under_both_names(info):
    change_sample(info.path, 'ALTER TABLE "{customer}" RENAME TO "CUSTOMERS_X"', naming=info.naming)
    assert _probe(info).preset_fits is None


def test_use_candidates_with_json_keeps_stdout_one_json_document(info, tmp_path, capsys):
    _rename(info, "contract_item", "Original_Contract_Total", "Scheduled_Value")
    app = _settings(tmp_path, info)
    assert main(["--app-dir", str(app), "check-sage", "--use-candidates", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["ok"] is True
    assert "contract_item.columns.amount = Scheduled_Value" in captured.err
