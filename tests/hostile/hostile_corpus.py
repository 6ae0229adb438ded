"""Hostile contracts written into a Sage-shaped database (legacy table names), row by row.

Each case is one contract on a linked job (unless its job is the point) with one or two items,
and what the app must make of it: a specific blocking reason, or a documented lossless
normalisation that imports it exactly. The rows are written with sqlite3 into the test's own
sample file, the way Timberline's tables would hold them; the app then reads them back through
the real ODBC path.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sage_sync_desktop.demo.sample_company import pad
from sage_sync_desktop.sage.table_mapping import TableMapping

LINKED_JOB = "2401"
CP1252_SPECIALS = "€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ é"


@dataclass(frozen=True)
class Item:
    number: str  # stored exactly as given (pad() it for Timberline's right-justified form)
    amount: object = "100.00"
    description: str | None = "Schedule line"
    contract_key: str | None = None  # default: the contract's own stored key


@dataclass(frozen=True)
class HostileCase:
    case_id: str
    key: str  # the contract key exactly as stored
    items: tuple[Item, ...]
    job: str | None = LINKED_JOB  # None = NULL job
    description: str = "Hostile contract"
    # Blocked cases: (reason code, words the reason's message must contain).
    blocked: tuple[str, str] | None = None
    # Imported cases: the Procore lines expected, as (description, amount text) in item order.
    imported: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def number(self) -> str:
        return self.key.strip()


CASES = (
    # Amounts
    HostileCase("null_amount_is_zero", "HNULL", (Item(pad("1"), None), Item(pad("2"), "250.00")),
                imported=(("Schedule line", "0.00"), ("Schedule line", "250.00"))),
    HostileCase("negative_amount_is_a_credit_line", "HNEG", (Item(pad("1"), "-2500.00", "Owner credit"),),
                imported=(("Owner credit", "-2500.00"),)),
    HostileCase("huge_amount", "HHUGE", (Item(pad("1"), "99999999999999999"),),
                blocked=("invalid_data", "is beyond what Procore accepts")),
    HostileCase("amount_too_large_for_cents", "HASTRO", (Item(pad("1"), "1e30"), Item(pad("2"), "5.00")),
                blocked=("invalid_data", "is too large to be an amount")),
    HostileCase("sub_cent_amount", "HCENTS", (Item(pad("1"), "1234.567"),),
                blocked=("invalid_data", "1234.567 has more than two decimals")),
    HostileCase("amount_that_is_not_a_number", "HJUNK", (Item(pad("1"), "12O.00"),),
                blocked=("invalid_data", "'12O.00' is not an amount")),
    # Text
    HostileCase("item_description_longer_than_procore_takes", "HLONG", (Item(pad("1"), "10.00", "x" * 300),),
                blocked=("invalid_data", "the description is 300 characters long; Procore takes at most 255")),
    HostileCase("contract_description_longer_than_procore_takes", "HLONGC", (Item(pad("1"), "10.00"),),
                description="Y" * 300,
                blocked=("invalid_data", "The contract description is longer than 255 characters")),
    HostileCase("control_characters_in_a_description_pass_unchanged", "HCTRL",
                (Item(pad("1"), "10.00", "Bell\x07 tab\t new\nline esc\x1b end"),),
                imported=(("Bell\x07 tab\t new\nline esc\x1b end", "10.00"),)),
    HostileCase("control_character_in_an_item_number", "HCTRLK", (Item("1\x01", "10.00"),),
                blocked=("invalid_data", "contains control characters")),
    HostileCase("control_character_in_a_contract_number", "H\x02K", (Item(pad("1"), "10.00"),),
                blocked=("invalid_data", "contains control characters")),
    HostileCase("contract_number_longer_than_an_origin_id_carries", "H" * 45, (Item(pad("1"), "10.00"),),
                blocked=("invalid_data", "is 45 characters long; at most 40")),
    HostileCase("cp1252_specials_are_kept_exactly", "HCP", (Item(pad("1"), "10.00", CP1252_SPECIALS),),
                imported=((CP1252_SPECIALS, "10.00"),)),
    HostileCase("null_description_becomes_empty", "HNODESC", (Item(pad("1"), "10.00", None),),
                imported=(("", "10.00"),)),
    # Keys
    HostileCase("duplicate_item_number", "HDUP", (Item(pad("1"), "10.00"), Item(pad("1"), "20.00")),
                blocked=("invalid_data", "item 1 appears more than once")),
    HostileCase("padded_and_unpadded_item_numbers", "HPAD", (Item(pad("1"), "10.00"), Item("1", "20.00")),
                blocked=("invalid_data", "two items have this number once spaces are trimmed")),
    HostileCase("item_rows_keyed_by_the_unpadded_contract_number", pad("5002"),
                (Item(pad("1"), "12.00", contract_key="5002"), Item(pad("2"), "13.00", contract_key="5002")),
                imported=(("Schedule line", "12.00"), ("Schedule line", "13.00"))),
    HostileCase("job_stored_unpadded", "HJOBPAD", (Item(pad("1"), "14.00"),), job="UNPADDED:" + LINKED_JOB,
                imported=(("Schedule line", "14.00"),)),
    HostileCase("job_that_does_not_exist", "HNOJOB", (Item(pad("1"), "10.00"),), job="NOJOB",
                blocked=("job_not_synced", "names job NOJOB, which does not exist in Sage")),
    HostileCase("contract_without_a_job", "HNULLJOB", (Item(pad("1"), "10.00"),), job=None,
                blocked=("job_not_synced", "has no job in Sage")),
)
BLOCKED = tuple(case for case in CASES if case.blocked)
IMPORTED = tuple(case for case in CASES if case.imported)

# Items whose contract does not exist at all.
ORPHAN_CONTRACT = "NOPE"
# The same contract stored twice, once right-justified and once not.
TWIN_CONTRACT = "5001"


def _insert(con: sqlite3.Connection, mapping: TableMapping, logical: str, row: dict) -> None:
    fields = [f for f, _ in mapping.mapped_fields(logical)]
    columns = ", ".join(f'"{mapping.column(logical, f)}"' for f in fields)
    marks = ", ".join("?" for _ in fields)
    con.execute(f'INSERT INTO "{mapping.table(logical)}" ({columns}) VALUES ({marks})',
                tuple(row.get(f) for f in fields))


def _job_key(job: str | None) -> str | None:
    if job is None:
        return None
    if job.startswith("UNPADDED:"):
        return job.removeprefix("UNPADDED:")
    return pad(job)


def _contract(con: sqlite3.Connection, mapping: TableMapping, key: str, job: str | None,
              description: str) -> None:
    _insert(con, mapping, "contract", {
        "id": key, "job": _job_key(job), "description": description, "customer": pad("1001"),
        "status": "Open", "approval_date": "2024-03-01", "contract_date": "2024-02-01",
        "retainage_percent": 5.0,
    })


def _item(con: sqlite3.Connection, mapping: TableMapping, contract_key: str, item: Item,
          job: str | None) -> None:
    """An approved item (Approved, with its approval date) on the contract's job, as in Sage."""
    _insert(con, mapping, "contract_item", {
        "contract": item.contract_key or contract_key, "item": item.number, "description": item.description,
        "amount": item.amount, "quantity": None, "unit_price": None, "unit": "LS",
        "cost_code": "01-000", "category": "O", "job": _job_key(job), "status": "Approved",
        "approval_date": "2024-03-01",
    })


def write_corpus(path: Path, naming: str = "legacy") -> None:
    mapping = TableMapping.preset(naming)
    con = sqlite3.connect(path)
    try:
        with con:
            for case in CASES:
                _contract(con, mapping, case.key, case.job, case.description)
                for item in case.items:
                    _item(con, mapping, case.key, item, case.job)
            _item(con, mapping, ORPHAN_CONTRACT, Item(pad("1"), "10.00", "Item of a contract that is gone"),
                  LINKED_JOB)
            for key, amount in ((pad(TWIN_CONTRACT), "10.00"), (TWIN_CONTRACT, "11.00")):
                _contract(con, mapping, key, LINKED_JOB, "Twin contract")
                _item(con, mapping, key, Item(pad("1"), amount), LINKED_JOB)
    finally:
        con.close()
