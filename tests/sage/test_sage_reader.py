"""The reader through real ODBC (pyodbc + unixODBC + SQLite3 driver) on both naming presets."""

from __future__ import annotations

import gc
import sqlite3
import threading
from datetime import date
from decimal import Decimal

import pytest

from sage_sync_desktop.errors import CancelledError, ConfigurationError, SageError
from sage_sync_desktop.logging_setup import redact
from sage_sync_desktop.sage.odbc_connection import connect_odbc, connect_sqlite_file
from sage_sync_desktop.sage.sage_reader import SageReader, sage_password_secret
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sage.table_mapping import PRESET_TABLES, TableMapping
from sage_sync_desktop.settings import Settings
from tests.fixtures.sage_fixtures import change_sample, odbc_connection_string_for, odbc_reader_for


def _expected_totals(path, naming):
    """Per-contract totals of the approved items, computed straight from the file, independently
    of the reader (a contract with none approved totals 0)."""
    tables = PRESET_TABLES[naming]
    con = sqlite3.connect(path)
    totals: dict[str, Decimal] = {c.strip(): Decimal("0") for c, in con.execute(
        f'SELECT "Contract" FROM "{tables["contract"]}"')}
    for contract, amount in con.execute(
            f'SELECT "Contract", CAST("Original_Contract_Total" AS TEXT) FROM "{tables["contract_item"]}" '
            """WHERE "Status" = 'Approved' AND "Approval_Date" > '1900-01-01'"""):
        totals[contract.strip()] = totals.get(contract.strip(), Decimal("0")) + Decimal(amount)
    con.close()
    return {k: v.quantize(Decimal("0.01")) for k, v in totals.items()}


def test_reader_reads_the_whole_sample_company_over_odbc(odbc_sage_reader):
    reader, info = odbc_sage_reader
    company = reader.read_company()
    assert [j.number for j in company.jobs] == sorted(info.job_numbers)
    assert sorted(c.number for c in company.contracts) == sorted(info.contract_numbers)
    assert sum(len(c.items) + len(c.awaiting_items) for c in company.contracts) == info.item_count
    assert company.problems == ()
    assert all(c.problems == () for c in company.contracts)


def test_contract_totals_match_the_sage_rows_to_the_cent(odbc_sage_reader):
    reader, info = odbc_sage_reader
    company = reader.read_company()
    assert {c.number: c.total for c in company.contracts} == _expected_totals(info.path, info.naming)


def test_money_arrives_as_text_or_float_and_leaves_as_decimal_cents(odbc_sage_reader):
    reader, info = odbc_sage_reader
    table = PRESET_TABLES[info.naming]["contract_item"]
    with reader.connect() as conn:
        raw = conn.execute(f'SELECT "{table}"."Original_Contract_Total" FROM "{table}"').fetchone()[0]
    # legacy sample: DECIMAL -> str through the SQLite ODBC driver; standard: NUMERIC -> float
    assert type(raw) is (str if info.naming == "legacy" else float)
    items = [i for c in reader.read_company().contracts for i in c.items]
    assert all(type(i.amount) is Decimal and i.amount.as_tuple().exponent == -2 for i in items)


def test_unapproved_contracts_are_not_approved_and_the_rest_are(odbc_sage_reader):
    reader, info = odbc_sage_reader
    company = reader.read_company()
    unapproved = {c.number for c in company.contracts if not c.approved}
    assert unapproved == set(info.unapproved_contracts)
    assert len(unapproved) == 2
    # One has no approval date, the other Timberline's 1900-01-01: both mean "no date".
    assert all(company.contract(n).approval_date is None for n in unapproved)


def test_padded_keys_are_kept_exact_and_trimmed_for_display(odbc_sage_reader):
    reader, _ = odbc_sage_reader
    company = reader.read_company()
    contract = company.contract("240101")
    assert contract.key == "    240101"
    assert contract.number == "240101"
    assert contract.job_key == "      2401"
    assert contract.job_number == "2401"
    assert [i.number for i in contract.items][:3] == ["1", "2", "3"]
    assert contract.items[0].key == "         1"
    assert company.contract("SVC-2024").key == "SVC-2024"


def test_credit_and_zero_items_keep_their_sign_and_value(odbc_sage_reader):
    reader, info = odbc_sage_reader
    company = reader.read_company()
    (credit_contract, credit_item), = info.credit_items
    (zero_contract, zero_item), = info.zero_items
    credit = {i.number: i for i in company.contract(credit_contract).items}[credit_item]
    zero = {i.number: i for i in company.contract(zero_contract).items}[zero_item]
    assert credit.amount == Decimal("-25000.00")
    assert str(zero.amount) == "0.00"


def test_accented_names_come_through_intact(odbc_sage_reader):
    reader, _ = odbc_sage_reader
    company = reader.read_company()
    names = {c.name for c in company.customers}
    assert {"Société Générale Développement", "Müller Bau GmbH", "Peña & Hijos Properties"} <= names
    assert company.contract("240401").description == "Aménagement des bureaux – Étages 12 à 15"


def test_contract_fields_dates_retainage_and_item_details(odbc_sage_reader):
    reader, info = odbc_sage_reader
    company = reader.read_company()
    contract = company.contract("240101")
    assert isinstance(contract.contract_date, date) and contract.contract_date.year >= 2023
    assert contract.retainage_percent in {Decimal("5.0"), Decimal("10.0"), Decimal("7.5")}
    assert company.contract("SVC-2024").retainage_percent is None
    assert company.contract("SVC-2024B").contract_date is None  # stored as 1900-01-01
    unit_priced = [i for i in contract.items if i.unit not in ("LS", "")]
    assert unit_priced, "the sample has unit-priced lines"
    for item in unit_priced:
        assert (item.quantity * item.unit_price).quantize(Decimal("0.01")) == item.amount
        assert item.cost_code and item.category
    assert company.contract(info.contracts_on_unlinked_job[0]).job_number == info.unlinked_job


def test_odbc_and_demo_sqlite3_paths_read_the_same_company(odbc_sage_reader):
    reader, info = odbc_sage_reader
    over_odbc = reader.read_company()
    over_sqlite3 = SageReader(lambda: connect_sqlite_file(info.path), reader.mapping).read_company()
    assert over_odbc.contracts == over_sqlite3.contracts
    assert over_odbc.jobs == over_sqlite3.jobs
    assert over_odbc.customers == over_sqlite3.customers


class _CountingConnection:
    """Passes every call through to the real connection and counts the statements."""

    def __init__(self, real, log):
        self._real, self._log = real, log

    def execute(self, sql, params=()):
        self._log.append(sql)
        return self._real.execute(sql, params)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._real.close()


def test_a_whole_company_takes_one_query_per_table(tmp_path):
    info = generate_sample_company(tmp_path / "big.db", contracts=60, items_per_contract=7, jobs=9)
    statements: list[str] = []
    conn_str = odbc_connection_string_for(info.path)
    reader = SageReader(
        lambda: _CountingConnection(connect_odbc(conn_str, password=None, login_timeout=5), statements),
        TableMapping.preset("legacy"))
    company = reader.read_company()
    assert len(company.contracts) == 60
    assert len(statements) == 4
    assert all(s.startswith("SELECT ") and "TOP" not in s and "LIMIT" not in s for s in statements)


def test_progress_is_reported_in_order_up_to_100(sample_company_db):
    seen: list[tuple[int, str]] = []
    odbc_reader_for(sample_company_db).read_company(progress=lambda p, m: seen.append((p, m)))
    percents = [p for p, _ in seen]
    assert percents == sorted(percents)
    assert percents[0] == 0 and percents[-1] == 100
    assert any("contract items" in m for _, m in seen)


def test_cancel_stops_the_read_with_cancelled_error(tmp_path):
    info = generate_sample_company(tmp_path / "big.db", contracts=200, items_per_contract=20, jobs=20)
    cancel = threading.Event()

    def progress(percent, message):
        if "contract items" in message and percent > 20:
            cancel.set()

    reader = odbc_reader_for(info.path)
    reader.fetch_rows = 500
    with pytest.raises(CancelledError):
        reader.read_company(progress=progress, cancel=cancel)
    assert gc.isenabled()  # the collector, paused during the read, is back on


def test_missing_table_stops_the_read_naming_the_table_and_check_sage(sample_company_db):
    reader = odbc_reader_for(sample_company_db, "standard")  # the file has legacy names
    with pytest.raises(SageError) as caught:
        reader.read_company()
    assert "ARM_MASTER__CUSTOMER" in caught.value.message
    assert "check-sage" in caught.value.fix


def test_site_overrides_read_renamed_columns_and_skip_unmapped_ones(sample_company_db):
    change_sample(sample_company_db, 'ALTER TABLE "{contract}" RENAME COLUMN "Date_Approved" TO "Approved_On"')
    mapping = TableMapping.preset("legacy").with_overrides({
        "contract": {"columns": {"approval_date": "Approved_On", "status": None}},
        "contract_item": {"columns": {"quantity": None, "unit_price": None, "unit": None}},
    })
    company = odbc_reader_for(sample_company_db, mapping=mapping).read_company()
    assert {c.number for c in company.contracts if not c.approved} == {"240602", "241002"}
    item = company.contract("240101").items[3]
    assert (item.quantity, item.unit_price, item.unit) == (None, None, "")
    assert item.cost_code  # still mapped
    assert company.contract("240101").status == ""


def test_status_column_can_make_a_dated_contract_unapproved(sample_company_db):
    con = sqlite3.connect(sample_company_db)
    con.execute('UPDATE "ACTIVE_CNC_CONTRACT" SET "Status" = \'On Hold\' WHERE "Contract" = \'    240201\'')
    con.commit()
    con.close()
    mapping = TableMapping.preset("legacy").with_overrides(
        {"approval": {"unapproved_statuses": ["On Hold", "Unapproved", "Pending"]}})
    company = odbc_reader_for(sample_company_db, mapping=mapping).read_company()
    assert company.contract("240201").approval_date is not None
    assert company.contract("240201").approved is False


def test_from_settings_reads_the_demo_file_with_sqlite3(sample_company, secret_store):
    settings = Settings().with_changes(sage={"connection_string": f"sqlite:///{sample_company.path}"})
    company = SageReader.from_settings(settings, secret_store).read_company()
    assert len(company.contracts) == sample_company.contract_count


def test_from_settings_over_odbc_takes_the_password_from_the_credential_store(sample_company, secret_store):
    settings = Settings().with_changes(sage={
        "connection_string": odbc_connection_string_for(sample_company.path), "user": "odbc-reader"})
    password = "Kr3dential-Store-Only"
    secret_store.set(sage_password_secret(settings.sage), password)
    company = SageReader.from_settings(settings, secret_store).read_company()
    assert len(company.contracts) == sample_company.contract_count
    # The password was fetched and registered for redaction before it reached the driver.
    assert redact(f"text {password} text") == "text *** text"


def test_from_settings_without_a_connection_string_says_what_to_set(secret_store):
    with pytest.raises(ConfigurationError, match="connection_string"):
        SageReader.from_settings(Settings(), secret_store)


def test_codepage_1252_in_the_connection_string_decodes_sage_text_as_windows_1252(sample_company_db):
    # Timberline stores Windows-1252 bytes; the SQLite ODBC driver hands stored bytes over as they
    # are, so cp1252 bytes in the file reproduce what the Timberline driver returns.
    raw = "Müller Bau GmbH – Dépôt".encode("cp1252").hex()
    con = sqlite3.connect(sample_company_db)
    con.execute(f'UPDATE "MASTER_ARM_CUSTOMER" SET "Name" = CAST(X\'{raw}\' AS TEXT) WHERE "Customer" = \'MULLER\'')
    con.commit()
    con.close()
    conn_str = odbc_connection_string_for(sample_company_db) + ";CODEPAGE=1252"
    reader = SageReader(lambda: connect_odbc(conn_str, password=None, login_timeout=5), TableMapping.preset("legacy"))
    customers = {c.number: c.name for c in reader.read_company().customers}
    assert customers["MULLER"] == "Müller Bau GmbH – Dépôt"
    assert customers["1002"] == "Lakeview Unified School District"


def test_items_read_over_odbc_are_ordinary_frozen_records(odbc_sage_reader):
    """The reader builds items without the dataclass constructor; each must still be exactly the
    record the constructor gives for the same fields: same type, equal, same hash, frozen."""
    import dataclasses

    from sage_sync_desktop.sage.records import SageContractItem

    reader, _ = odbc_sage_reader
    items = [i for c in reader.read_company().contracts for i in c.items]
    assert items
    for item in items:
        rebuilt = SageContractItem(**{f.name: getattr(item, f.name)
                                      for f in dataclasses.fields(SageContractItem)})
        assert type(item) is SageContractItem
        assert item == rebuilt and hash(item) == hash(rebuilt)
    with pytest.raises(dataclasses.FrozenInstanceError):
        items[0].amount = Decimal("1.00")
