"""The item converter's straight path must give exactly what its careful path gives.

`ItemRowReader.add` takes a fast path for the common row and hands anything unusual to
`_slow_row`, which is the reference: it goes through `normalise` field by field and explains what
is wrong. Every row below is run both ways; the records and the problems must be identical, down
to the Decimal exponent (str(amount)) and the shared-or-not identity of nothing that matters.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

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


def _reader() -> ItemRowReader:
    drafts = {CONTRACT: {"key": CONTRACT, "number": CONTRACT.strip(), "items": [], "problems": []}}
    return ItemRowReader(TableMapping.preset("legacy"), drafts, [])


def _rows() -> list[tuple]:
    rows = []
    for amount, number, text in itertools.zip_longest(AMOUNTS, NUMBERS, TEXTS):
        rows.append((CONTRACT, "         1", text if text is not None else "Line", amount, number, number,
                     text, text, text))
    for contract, item in itertools.product(CONTRACT_KEYS, ITEM_KEYS):
        rows.append((contract, item, "Line", "10.00", None, None, "LS", "01-000", "O"))
    return rows


def _as_read(reader: ItemRowReader) -> tuple[list, list, list]:
    draft = reader.drafts[CONTRACT]
    items = [(i.contract_key, i.key, i.number, i.description, str(i.amount),
              None if i.quantity is None else str(i.quantity),
              None if i.unit_price is None else str(i.unit_price), i.unit, i.cost_code, i.category)
             for i in draft["items"]]
    problems = [(p.code, p.message, p.contract_key, p.item_key, p.column) for p in draft["problems"]]
    company = [(p.code, p.message, p.contract_key, p.item_key, p.column) for p in reader.company_problems]
    return items, problems, company


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
    reader.add([(CONTRACT, "         1", "Line", "10.00", 2.0, "5.00", "LS", "01-000", "O"),
                (CONTRACT, "         2", "Line", 10.5, None, None, "", "", "")])
    assert [str(i.amount) for i in reader.drafts[CONTRACT]["items"]] == ["10.00", "10.50"]


def test_amounts_that_need_care_leave_the_straight_path(monkeypatch):
    reader = _reader()
    seen = []
    monkeypatch.setattr(reader, "_slow_row", seen.append)
    odd = ["1234.567", 0.1 + 0.2, "1e30", "NaN", None, "abc"]
    reader.add([(CONTRACT, "         1", "Line", amount, None, None, "", "", "") for amount in odd])
    assert [row[3] for row in seen] == odd
