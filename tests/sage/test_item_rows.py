"""The item converter's straight path must give exactly what its careful path gives.

`ItemRowReader.add` takes a fast path for the common row and hands anything unusual to
`_slow_row`, which is the reference: it goes through `normalise` field by field and explains what
is wrong. Every row below is run both ways; the records and the problems must be identical, down
to the Decimal exponent (str(amount)) and the shared-or-not identity of nothing that matters.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest

from sage_sync_desktop.sage import normalise as norm
from sage_sync_desktop.sage.item_rows import ItemRowReader
from sage_sync_desktop.sage.table_mapping import TableMapping

CONTRACT = "      5001"

AMOUNTS = ["1250", "1250.5", "1250.50", "1234.567", "1.005", "-1.005", "-0", "-0.00", "0", " 12.50 ",
           "1e30", "1E+3", "abc", "", "NaN", "Infinity", "-Infinity", None, 0.1 + 0.2, 1234.5, -0.0,
           1e30, float("nan"), Decimal("1.005"), Decimal("99.99"), Decimal("-0.000"), 7, True, b"12.00",
           "99999999999999999", "123456789012345678901234567.5"]
NUMBERS = [None, 2.5, "3", "3.0000", "x", Decimal("0.125"), "NaN", float("inf"), 0.1 + 0.2, 4, "", True,
           Decimal("NaN"), b"2"]
TEXTS = ["  Site work  ", "", None, b"Caf\xe9", "Ünit", 12]
ITEM_KEYS = ["         1", "1", "   ", None, 7]
CONTRACT_KEYS = [CONTRACT, "5001", "  9999", None]
# Item job, status and approval date as drivers may hand them over.
JOBS = ["      2401", None, "", "2402", 7, b"2403"]
STATUSES = ["Approved", "  proposed ", None, "PROPOSED", "", 3, b"Proposed", "Approved  "]
DATES = [date(2024, 1, 2), None, "1900-01-01", "2024-03-04", datetime(2024, 5, 6, 7, 8), "junk",
         date(1900, 1, 1), b"2024-01-01", 5, "", True]
APPROVED = ("      2401", "Approved", date(2024, 1, 2))


def _reader(mapping: TableMapping | None = None) -> ItemRowReader:
    drafts = {CONTRACT: {"key": CONTRACT, "number": CONTRACT.strip(), "items": [], "problems": [],
                         "awaiting": [], "item_jobs": set()}}
    return ItemRowReader(mapping or TableMapping.preset("legacy"), drafts, [])


def _rows() -> list[tuple]:
    rows = []
    for amount, number, text in itertools.zip_longest(AMOUNTS, NUMBERS, TEXTS):
        rows.append((CONTRACT, "         1", text if text is not None else "Line", amount, number, number,
                     text, text, text, *APPROVED))
    for contract, item in itertools.product(CONTRACT_KEYS, ITEM_KEYS):
        rows.append((contract, item, "Line", "10.00", None, None, "LS", "01-000", "O", *APPROVED))
    for job, status, when in itertools.product(JOBS, STATUSES, DATES):
        rows.append((CONTRACT, "         2", "Line", "10.00", None, None, "LS", "01-000", "O", job, status, when))
    return rows


def _as_read(reader: ItemRowReader) -> tuple[list, list, list, list, set]:
    draft = reader.drafts[CONTRACT]

    def shown(records: list) -> list:
        return [(i.contract_key, i.key, i.number, i.description, str(i.amount),
                 None if i.quantity is None else str(i.quantity),
                 None if i.unit_price is None else str(i.unit_price), i.unit, i.cost_code, i.category)
                for i in records]

    problems = [(p.code, p.message, p.contract_key, p.item_key, p.column) for p in draft["problems"]]
    company = [(p.code, p.message, p.contract_key, p.item_key, p.column) for p in reader.company_problems]
    # Jobs are normalised once per contract when the read ends; compare them that way.
    jobs = {norm.key(raw) for raw in draft["item_jobs"]} - {None}
    return shown(draft["items"]), shown(draft["awaiting"]), problems, company, jobs


@pytest.mark.parametrize("row", _rows(), ids=repr)
def test_straight_path_equals_the_careful_path(row):
    fast, careful = _reader(), _reader()
    fast.add([row])
    careful._slow_row(row)
    assert _as_read(fast) == _as_read(careful)


def test_the_straight_path_really_is_taken_for_a_plain_row(monkeypatch):
    reader = _reader()

    def refuse(row):
        raise AssertionError(f"slow path taken for {row!r}")

    monkeypatch.setattr(reader, "_slow_row", refuse)
    reader.add([(CONTRACT, "         1", "Line", "10.00", 2.0, "5.00", "LS", "01-000", "O", *APPROVED),
                (CONTRACT, "         2", "Line", 10.5, None, None, "", "", "", *APPROVED),
                (CONTRACT, "         3", "Line", "1.00", None, None, "", "", "", "      2402", "Proposed", None)])
    assert [str(i.amount) for i in reader.drafts[CONTRACT]["items"]] == ["10.00", "10.50"]
    assert [i.number for i in reader.drafts[CONTRACT]["awaiting"]] == ["3"]


def test_amounts_that_need_care_leave_the_straight_path(monkeypatch):
    reader = _reader()
    seen = []
    monkeypatch.setattr(reader, "_slow_row", seen.append)
    odd = ["1234.567", 0.1 + 0.2, "1e30", "NaN", None, "abc"]
    reader.add([(CONTRACT, "         1", "Line", amount, None, None, "", "", "", *APPROVED) for amount in odd])
    assert [row[3] for row in seen] == odd


def test_item_approval_needs_a_date_and_a_status_that_is_not_proposed():
    reader = _reader()
    reader.add([
        (CONTRACT, "         1", "Line", "1.00", None, None, "", "", "", "      2401", "Approved", date(2024, 1, 2)),
        (CONTRACT, "         2", "Line", "1.00", None, None, "", "", "", "      2401", " proposed ", date(2024, 1, 2)),
        (CONTRACT, "         3", "Line", "1.00", None, None, "", "", "", "      2401", "Approved", None),
        (CONTRACT, "         4", "Line", "1.00", None, None, "", "", "", "      2401", "Approved", date(1900, 1, 1)),
        (CONTRACT, "         5", "Line", "1.00", None, None, "", "", "", "      2402", "Approved", "junk"),
    ])
    draft = reader.drafts[CONTRACT]
    assert [i.number for i in draft["items"]] == ["1"]
    assert [i.number for i in draft["awaiting"]] == ["2", "3", "4", "5"]
    assert [p.code for p in draft["problems"]] == ["bad_date"]
    assert {norm.key(j) for j in draft["item_jobs"]} == {"      2401", "      2402"}


def test_without_item_approval_columns_every_item_is_approved():
    mapping = TableMapping.preset("legacy").with_overrides(
        {"contract_item": {"columns": {"status": None, "approval_date": None}}})
    reader = _reader(mapping)
    reader.add([(CONTRACT, "         1", "Line", "1.00", None, None, "", "", "", "      2401")])
    assert [i.number for i in reader.drafts[CONTRACT]["items"]] == ["1"]
    assert reader.drafts[CONTRACT]["awaiting"] == []
