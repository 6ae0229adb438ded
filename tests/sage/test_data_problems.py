"""Bad Sage rows become DataProblems on their contract (or the company); the read never aborts."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from sage_sync_desktop.demo.sample_company import generate_sample_company
from tests.fixtures.sage_fixtures import odbc_reader_for

ITEM_COLUMNS = ('"Contract", "Contract_Item", "Description", "Original_Contract_Total", "Units", '
                '"Unit_Price", "Unit_Description", "Cost_Code", "Category", "Status", "Approval_Date"')


def _insert_items(path, rows):
    """Rows as approved items (Status Approved, an approval date): these tests are about data."""
    con = sqlite3.connect(path)
    con.executemany(f'INSERT INTO "ACTIVE_CNC_CONTRACT_ITEM" ({ITEM_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
                    [(*row, "Approved", "2024-01-02") for row in rows])
    con.commit()
    con.close()


def _sql(path, statement, params=()):
    con = sqlite3.connect(path)
    con.execute(statement, params)
    con.commit()
    con.close()


@pytest.fixture
def company_db(tmp_path):
    return generate_sample_company(tmp_path / "sage.db")


def _problems(contract, code):
    return [p for p in contract.problems if p.code == code]


def test_unparseable_amount_is_a_problem_on_its_contract_and_the_rest_is_read(company_db):
    _insert_items(company_db.path, [("    240201", "        90", "Bad line", "N/A", None, None, "", "", "")])
    company = odbc_reader_for(company_db.path).read_company()
    contract = company.contract("240201")
    problem, = _problems(contract, "bad_amount")
    assert "'N/A'" in problem.message and "90" in problem.message
    assert problem.column == "Original_Contract_Total"
    assert problem.item_key == "        90"
    assert "90" not in [i.number for i in contract.items]
    assert len(company.contracts) == 20
    assert all(not c.problems for c in company.contracts if c.number != "240201")


def test_item_whose_contract_does_not_exist_is_a_company_problem(company_db):
    _insert_items(company_db.path, [("    999999", "         1", "Orphan", "100.00", 1, "100", "LS", "", "")])
    company = odbc_reader_for(company_db.path).read_company()
    problem, = company.problems
    assert problem.code == "orphan_item"
    assert "999999" in problem.message
    assert sum(len(c.items) + len(c.awaiting_items) for c in company.contracts) == company_db.item_count


def test_duplicate_item_numbers_in_one_contract_keep_the_first_and_flag_the_contract(company_db):
    _insert_items(company_db.path, [("    240301", "         1", "Repeat of line 1", "5.00", None, None, "", "", "")])
    company = odbc_reader_for(company_db.path).read_company()
    contract = company.contract("240301")
    problem, = _problems(contract, "duplicate_item")
    assert problem.item_key == "         1"
    assert [i.number for i in contract.items].count("1") == 1
    assert contract.items[0].description != "Repeat of line 1"


def test_item_without_an_item_number_is_a_problem_on_its_contract(company_db):
    _insert_items(company_db.path, [("    240301", None, "No number", "5.00", None, None, "", "", "")])
    contract = odbc_reader_for(company_db.path).read_company().contract("240301")
    problem, = _problems(contract, "missing_key")
    assert "Contract_Item" in problem.message


def test_contract_without_a_key_is_a_company_problem(company_db):
    _sql(company_db.path, 'INSERT INTO "ACTIVE_CNC_CONTRACT" ("Contract", "Description", "Job") '
                          "VALUES (NULL, 'Keyless', '      2401')")
    company = odbc_reader_for(company_db.path).read_company()
    assert [p.code for p in company.problems] == ["missing_key"]
    assert len(company.contracts) == 20


def test_contract_whose_job_is_missing_or_unknown_is_flagged(company_db):
    _sql(company_db.path, 'UPDATE "ACTIVE_CNC_CONTRACT" SET "Job" = NULL WHERE "Contract" = \'    240501\'')
    _sql(company_db.path, 'UPDATE "ACTIVE_CNC_CONTRACT" SET "Job" = \'      7777\' WHERE "Contract" = \'    240502\'')
    company = odbc_reader_for(company_db.path).read_company()
    assert [p.code for p in company.contract("240501").problems] == ["missing_job"]
    unknown, = company.contract("240502").problems
    assert unknown.code == "unknown_job" and "7777" in unknown.message
    assert company.contract("240502").items  # its items are still read


def test_duplicate_contract_rows_keep_the_first(company_db):
    _sql(company_db.path, 'INSERT INTO "ACTIVE_CNC_CONTRACT" ("Contract", "Description", "Job") '
                          "VALUES ('    240101', 'Second copy', '      2401')")
    contract = odbc_reader_for(company_db.path).read_company().contract("240101")
    assert contract.description == "Riverside MOB – Base Building"
    assert [p.code for p in contract.problems] == ["duplicate_contract"]


def test_sub_cent_amount_is_rounded_half_up_and_reported(company_db):
    _insert_items(company_db.path, [("    240201", "        91", "Odd amount", "1234.565", None, None, "", "", "")])
    contract = odbc_reader_for(company_db.path).read_company().contract("240201")
    item = {i.number: i for i in contract.items}["91"]
    assert item.amount == Decimal("1234.57")
    problem, = _problems(contract, "amount_precision")
    assert "1234.565" in problem.message and "1234.57" in problem.message


def test_bad_unit_price_is_left_empty_and_reported_but_the_line_stays(company_db):
    # Unit_Price is DECIMAL, so the SQLite ODBC driver hands the text over as it is.
    _insert_items(company_db.path, [("    240201", "        92", "Odd price", "10.00", 4, "ten", "EA", "", "")])
    contract = odbc_reader_for(company_db.path).read_company().contract("240201")
    item = {i.number: i for i in contract.items}["92"]
    assert item.unit_price is None and item.quantity == Decimal("4.0") and item.amount == Decimal("10.00")
    problem, = _problems(contract, "bad_number")
    assert problem.column == "Unit_Price" and "'ten'" in problem.message


def test_null_description_and_null_amount_read_as_empty_and_zero(company_db):
    _insert_items(company_db.path, [("    240201", "        93", None, None, None, None, None, None, None)])
    contract = odbc_reader_for(company_db.path).read_company().contract("240201")
    item = {i.number: i for i in contract.items}["93"]
    assert (item.description, item.amount, item.unit, item.cost_code) == ("", Decimal("0.00"), "", "")
    assert contract.problems == ()


def test_item_with_unpadded_contract_number_is_matched_by_trimmed_number(company_db):
    _insert_items(company_db.path, [("240201", "        94", "Unpadded", "1.00", None, None, "", "", "")])
    company = odbc_reader_for(company_db.path).read_company()
    contract = company.contract("240201")
    item = {i.number: i for i in contract.items}["94"]
    assert item.contract_key == "    240201"
    assert company.problems == ()


def test_many_bad_rows_at_once_never_abort_the_read(company_db):
    _insert_items(company_db.path, [
        ("    240101", "        50", "Bad", "abc", None, None, "", "", ""),
        ("    000000", "         1", "Orphan", "1.00", None, None, "", "", ""),
        ("    240102", "         1", "Dup", "1.00", None, None, "", "", ""),
        (None, "         1", "No contract", "1.00", None, None, "", "", ""),
        ("    240201", "        95", "Bad price", "1.00", 1, "x", "", "", ""),
    ])
    company = odbc_reader_for(company_db.path).read_company()
    assert len(company.contracts) == 20
    assert sorted(p.code for p in company.problems) == ["missing_key", "orphan_item"]
    assert [p.code for p in company.contract("240101").problems] == ["bad_amount"]
    assert [p.code for p in company.contract("240102").problems] == ["duplicate_item"]
    assert [p.code for p in company.contract("240201").problems] == ["bad_number"]
    assert sum(len(c.items) + len(c.awaiting_items) for c in company.contracts) == company_db.item_count + 1


def test_padded_and_unpadded_forms_of_one_contract_number_flag_both(company_db):
    _sql(company_db.path, 'INSERT INTO "ACTIVE_CNC_CONTRACT" ("Contract", "Description", "Job", "Date_Approved") '
                          "VALUES ('240101', 'Unpadded twin', '      2401', '2024-05-01')")
    company = odbc_reader_for(company_db.path).read_company()
    twins = [c for c in company.contracts if c.number == "240101"]
    assert sorted(c.key for c in twins) == ["    240101", "240101"]
    for contract in twins:
        problem, = contract.problems
        assert problem.code == "duplicate_contract" and "twice" in problem.message
        assert "'    240101'" in problem.message and "'240101'" in problem.message


def test_padded_and_unpadded_forms_of_one_item_number_keep_the_first(company_db):
    _insert_items(company_db.path, [("    240301", "1", "Unpadded twin of line 1", "7.00", None, None, "", "", "")])
    contract = odbc_reader_for(company_db.path).read_company().contract("240301")
    problem, = _problems(contract, "duplicate_item")
    assert "'         1' and '1'" in problem.message
    assert [i.number for i in contract.items].count("1") == 1


def test_items_out_of_contract_order_each_reach_their_own_contract(company_db):
    """The item loop short-cuts a row naming the previous row's contract; rows that alternate
    between contracts, with an orphan between them, must still land where they belong."""
    first, second = sorted(company_db.contract_numbers)[:2]
    rows = [(f"{first:>10}", "        91", "A 91", "1.00", None, None, "", "", ""),
            (f"{second:>10}", "        91", "B 91", "2.00", None, None, "", "", ""),
            ("    999999", "        91", "Orphan", "3.00", None, None, "", "", ""),
            (f"{first:>10}", "        92", "A 92", "4.00", None, None, "", "", "")]
    _insert_items(company_db.path, rows)
    company = odbc_reader_for(company_db.path).read_company()
    by_number = {c.number: {i.number: (i.description, i.amount) for i in c.items}
                 for c in company.contracts}
    assert by_number[first]["91"] == ("A 91", Decimal("1.00"))
    assert by_number[first]["92"] == ("A 92", Decimal("4.00"))
    assert by_number[second]["91"] == ("B 91", Decimal("2.00"))
    assert "Orphan" not in {d for items in by_number.values() for d, _ in items.values()}
    assert [p.code for p in company.problems] == ["orphan_item"]
