"""The sample company generator and the `sample-company` / `set-sage-password` commands."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.cli import main
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.sage.sage_reader import sage_password_secret
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sage.table_mapping import PRESET_TABLES
from sage_sync_desktop.settings import Settings


def _data_rows(path, naming="legacy"):
    con = sqlite3.connect(path)
    rows = {t: con.execute(f'SELECT * FROM "{t}"').fetchall() for t in PRESET_TABLES[naming].values()}
    con.close()
    return rows


def test_same_seed_gives_the_same_rows(tmp_path):
    generate_sample_company(tmp_path / "a.db", seed=7)
    generate_sample_company(tmp_path / "b.db", seed=7)
    assert repr(_data_rows(tmp_path / "a.db")).encode() == repr(_data_rows(tmp_path / "b.db")).encode()


def test_another_seed_gives_other_amounts(tmp_path):
    generate_sample_company(tmp_path / "a.db", seed=1)
    generate_sample_company(tmp_path / "b.db", seed=2)
    assert _data_rows(tmp_path / "a.db") != _data_rows(tmp_path / "b.db")


def test_scaled_generation_is_deterministic_too(tmp_path):
    generate_sample_company(tmp_path / "a.db", seed=3, contracts=40, items_per_contract=5, jobs=7)
    generate_sample_company(tmp_path / "b.db", seed=3, contracts=40, items_per_contract=5, jobs=7)
    assert _data_rows(tmp_path / "a.db") == _data_rows(tmp_path / "b.db")


def test_default_company_is_the_fixed_small_one_with_its_roles(sample_company):
    info = sample_company
    assert len(info.job_numbers) == 12 and info.contract_count == 20
    assert 20 * 3 <= info.item_count <= 20 * 15
    assert info.unapproved_contracts == ("240602", "241002")
    assert info.unlinked_job == "2412" and info.contracts_on_unlinked_job == ("241201",)
    assert info.unlinked_job not in info.linked_jobs and len(info.linked_jobs) == 11
    assert info.credit_items == (("240101", "1"),) and info.zero_items == (("240101", "2"),)
    assert "Société Générale Développement" in info.accented_names
    assert "240101" in info.padded_contracts and "SVC-2024" not in info.padded_contracts


@pytest.mark.parametrize("naming", ["legacy", "standard"])
def test_items_carry_approval_and_their_job_as_in_sage_contracts(tmp_path, naming):
    """Sage's Contracts module: each item is Proposed or Approved (with an Approval_Date) and
    names its job; the header status is the lifecycle, not approval."""
    info = generate_sample_company(tmp_path / "s.db", naming=naming)
    tables = PRESET_TABLES[naming]
    con = sqlite3.connect(info.path)
    items = {(c.strip(), i.strip()): (job.strip(), status, approved) for c, i, job, status, approved in con.execute(
        f'SELECT "Contract", "Contract_Item", "Job", "Status", "Approval_Date" FROM "{tables["contract_item"]}"')}
    header_statuses = {s for s, in con.execute(f'SELECT DISTINCT "Status" FROM "{tables["contract"]}"')}
    con.close()
    assert header_statuses == {"Open"}
    assert {status for _, status, _ in items.values()} == {"Approved", "Proposed"}
    assert all(approved and approved > "1900-01-01" for _, status, approved in items.values() if status == "Approved")
    assert all(not approved or approved == "1900-01-01" for _, status, approved in items.values() if status == "Proposed")
    proposed = {key for key, (_, status, _) in items.items() if status == "Proposed"}
    by_contract = {c for c, _ in proposed}
    assert set(info.unapproved_contracts) | {c for c, _ in info.awaiting_items} == by_contract
    for contract in info.unapproved_contracts:  # every item Proposed
        assert all(key in proposed for key in items if key[0] == contract)
    assert set(info.awaiting_items) == {key for key in proposed if key[0] not in info.unapproved_contracts}
    assert info.awaiting_items == (("240902", "8"), ("240902", "9"))
    (contract, jobs), = info.several_jobs.items()
    assert {job for (c, _), (job, _, _) in items.items() if c == contract} == set(jobs) == {"2407", "2408"}


def test_numeric_keys_are_right_justified_and_space_padded(sample_company):
    con = sqlite3.connect(sample_company.path)
    keys = [r[0] for r in con.execute('SELECT "Contract" FROM "ACTIVE_CNC_CONTRACT"')]
    jobs = [r[0] for r in con.execute('SELECT "Job" FROM "MASTER_JCM_JOB_1"')]
    con.close()
    assert "    240101" in keys and "SVC-2024" in keys
    assert "      2401" in jobs and "SVC-01" in jobs


def test_each_contract_has_3_to_15_items(sample_company):
    con = sqlite3.connect(sample_company.path)
    counts = [n for (n,) in con.execute(
        'SELECT COUNT(*) FROM "ACTIVE_CNC_CONTRACT_ITEM" GROUP BY "Contract"')]
    con.close()
    assert len(counts) == 20 and min(counts) >= 3 and max(counts) <= 15


def test_scaled_company_has_the_asked_size(tmp_path):
    info = generate_sample_company(tmp_path / "big.db", contracts=30, items_per_contract=4, jobs=6)
    assert (info.contract_count, info.item_count, len(info.job_numbers)) == (30, 120, 6)
    assert info.unapproved_contracts and info.credit_items and info.zero_items
    assert info.contracts_on_unlinked_job


def test_standard_naming_writes_the_standard_table_names(tmp_path):
    info = generate_sample_company(tmp_path / "std.db", naming="standard")
    con = sqlite3.connect(info.path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    assert set(PRESET_TABLES["standard"].values()) <= tables
    assert info.money_column_type == "NUMERIC(15,2)"


def test_generator_replaces_its_own_file_but_never_another(tmp_path):
    first = generate_sample_company(tmp_path / "s.db", seed=1)
    second = generate_sample_company(tmp_path / "s.db", seed=2)
    assert second.path == first.path
    foreign = tmp_path / "company.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE keep_me (x INT)")
    con.commit()
    con.close()
    before = foreign.read_bytes()
    with pytest.raises(ConfigurationError, match="not a sample company"):
        generate_sample_company(foreign)
    assert foreign.read_bytes() == before


def test_bad_sizes_are_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="contracts"):
        generate_sample_company(tmp_path / "x.db", contracts=0)


def test_sample_company_command_writes_the_file_and_reports_roles(tmp_path, capsys):
    target = tmp_path / "demo.db"
    assert main(["--app-dir", str(tmp_path / "app"), "sample-company", str(target), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert target.is_file()
    assert (report["jobs"], report["contracts"]) == (12, 20)
    assert report["unapproved_contracts"] == ["240602", "241002"]
    assert report["unlinked_job"] == "2412"
    assert report["odbc_connection_string"] == f"DRIVER={{SQLite3}};Database={target.resolve()}"


def test_sample_company_command_scaled_with_configure_points_settings_at_it(tmp_path, capsys):
    app = tmp_path / "app"
    target = tmp_path / "bench.db"
    assert main(["--app-dir", str(app), "sample-company", str(target), "--contracts", "12",
                 "--items-per-contract", "3", "--jobs", "4", "--naming", "standard", "--configure"]) == 0
    out = capsys.readouterr().out
    assert "12 prime contracts, 36 items (standard names)" in out
    saved = settings_module.load(app / "config" / "settings.json")
    assert saved.sage.naming == "standard"
    assert main(["--app-dir", str(app), "check-sage"]) == 0
    assert "4 jobs, 12 contracts, 36 items" in capsys.readouterr().out


def test_set_sage_password_reads_stdin_and_saves_under_the_connection(tmp_path, monkeypatch, secret_store, capsys):
    app = tmp_path / "app"
    path = app / "config" / "settings.json"
    settings_module.save(Settings().with_changes(sage={"connection_string": "DSN=Timberline Co", "user": "odbc"}), path)
    monkeypatch.setattr("sys.stdin", io.StringIO("Pa55;word}\n"))
    assert main(["--app-dir", str(app), "set-sage-password", "--stdin"]) == 0
    assert secret_store.get(sage_password_secret(settings_module.load(path).sage)) == "Pa55;word}"
    assert "Pa55" not in capsys.readouterr().out
    assert "Pa55" not in path.read_text()
