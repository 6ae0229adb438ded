"""A Sage-shaped SQLite database: the demo's company, the tests' fixture, the benchmark's load.

Tables and columns carry Sage's names (legacy by default) with Timberline-like declared types,
so the SQLite ODBC driver hands back what the Timberline driver would: DECIMAL money as `str`,
NUMERIC/REAL as `float`, DATE as `date`. Numeric-looking keys are right-justified and
space-padded to the field width. The same seed always gives the same rows.

Without sizes it writes the fixed small company of `sample_company_data`; with
`contracts`/`items_per_contract`/`jobs` it writes a generated one of that size (benchmarks).
Either way `SampleCompanyInfo` names the rows that play a role (unapproved, unlinked job, ...).
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.demo import sample_company_data as data
from sage_sync_desktop.sage.table_mapping import PRESET_TABLES

logger = logging.getLogger(__name__)

KEY_WIDTH = 10
# Marks a file as written by this generator, so regenerating may replace it and nothing else.
MARKER_TABLE = "SAGE_SYNC_SAMPLE"


@dataclass(frozen=True)
class SampleCompanyInfo:
    """What was written, and which rows play which role. Numbers are trimmed (as displayed)."""

    path: Path
    naming: str
    seed: int
    job_numbers: tuple[str, ...]
    contract_numbers: tuple[str, ...]
    item_count: int
    unapproved_contracts: tuple[str, ...]  # every item Proposed, no approval date on the header
    unlinked_job: str  # no Procore project should ever be linked to it
    contracts_on_unlinked_job: tuple[str, ...]
    credit_items: tuple[tuple[str, str], ...]  # (contract, item)
    zero_items: tuple[tuple[str, str], ...]
    padded_contracts: tuple[str, ...]  # Sage key is right-justified and space-padded
    accented_names: tuple[str, ...]  # customer names outside ASCII
    job_descriptions: dict[str, str] = field(default_factory=dict)
    contracts_by_job: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # How the item amount column is declared: DECIMAL (str through ODBC) or NUMERIC (float).
    money_column_type: str = "DECIMAL(15,2)"
    # Items still Proposed on an otherwise approved contract: (contract, item).
    awaiting_items: tuple[tuple[str, str], ...] = ()
    # Contracts whose items name more than one job: contract -> the jobs, the header's first.
    several_jobs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def linked_jobs(self) -> tuple[str, ...]:
        """Jobs the demo may link to Procore projects (all but the unlinked one)."""
        return tuple(j for j in self.job_numbers if j != self.unlinked_job)

    @property
    def contract_count(self) -> int:
        return len(self.contract_numbers)


def _columns(money: str) -> dict[str, tuple[tuple[str, str], ...]]:
    return {
        "job": (
            ("Job", "VARCHAR(10)"), ("Description", "VARCHAR(30)"), ("Status", "VARCHAR(20)"),
            ("Customer", "VARCHAR(10)"), ("AR_Customer", "VARCHAR(10)"),
            ("Customer_Name", "VARCHAR(30)"), ("Contract_Date", "DATE"),
            ("Original_Contract_Amount", "DECIMAL(15,2)"), ("Project_Manager", "VARCHAR(30)"),
            ("Retainage_Percent", "NUMERIC(5,2)"),
        ),
        "customer": (
            ("Customer", "VARCHAR(10)"), ("Name", "VARCHAR(30)"), ("Telephone", "VARCHAR(20)"),
            ("City", "VARCHAR(20)"), ("State", "VARCHAR(4)"),
        ),
        "contract": (
            ("Contract", "VARCHAR(10)"), ("Description", "VARCHAR(30)"), ("Job", "VARCHAR(10)"),
            ("Customer", "VARCHAR(10)"), ("Status", "VARCHAR(20)"), ("Contract_Date", "DATE"),
            ("Date_Approved", "DATE"), ("Retainage_Percent", "REAL"),
            ("Account_Prefix", "VARCHAR(10)"),
        ),
        "contract_item": (
            ("Contract", "VARCHAR(10)"), ("Contract_Item", "VARCHAR(10)"),
            ("Description", "VARCHAR(30)"), ("Job", "VARCHAR(10)"), ("Status", "VARCHAR(12)"),
            ("Approval_Date", "DATE"),
            ("Original_Contract_Total", money), ("Unit_Description", "VARCHAR(10)"),
            ("Units", "NUMERIC(15,4)"), ("Unit_Price", "DECIMAL(15,4)"),
            ("Cost_Code", "VARCHAR(12)"), ("Category", "VARCHAR(3)"),
            ("Accounts_Receivable_Account", "VARCHAR(20)"),
        ),
    }


def pad(number: str) -> str:
    """Timberline's form of a key: numeric-looking ones right-justified to the field width."""
    number = number.strip()
    return number.rjust(KEY_WIDTH) if number.isdigit() else number


class _Rows:
    """Rows for the four tables plus the roles, filled by one of the two builders."""

    def __init__(self) -> None:
        self.customers: list[tuple] = []
        self.jobs: list[tuple] = []
        self.contracts: list[tuple] = []
        self.item_count = 0
        self.unapproved: list[str] = []
        self.credit: list[tuple[str, str]] = []
        self.zero: list[tuple[str, str]] = []
        self.unlinked_job = ""
        self.contracts_by_job: dict[str, list[str]] = {}
        self.awaiting: list[tuple[str, str]] = []
        self.several_jobs: dict[str, tuple[str, ...]] = {}


APPROVED, PROPOSED = "Approved", "Proposed"  # Sage's contract item statuses


def _item_rows(rng: random.Random, contract_key: str, job_key: str, count: int,
               approved_on: date | None, special: list[tuple[str, str]], *,
               proposed_from: int | None = None, no_date: str | None = None,
               other_job_from: int | None = None, other_job: str = "") -> Iterator[tuple]:
    """`count` schedule-of-values lines; `special` (description, amount) lines come first.

    Items are Approved with `approved_on` as their approval date; with no `approved_on` every
    item is Proposed (approval date `no_date`: NULL or Timberline's 1900-01-01), and from item
    `proposed_from` on they are Proposed too. From item `other_job_from` on they name `other_job`.
    """
    lines = list(data.SOV_LINES)
    for n in range(1, count + 1):
        proposed = approved_on is None or (proposed_from is not None and n >= proposed_from)
        item_job = other_job if other_job_from is not None and n >= other_job_from else job_key
        item_key = pad(str(n))
        if n <= len(special):
            description, amount_text = special[n - 1]
            amount = Decimal(amount_text)
            uom, units, price, cost_code, category = "LS", Decimal("1"), amount, "01-000", "O"
        else:
            description, cost_code, category, uom, price_range = lines[(n - 1) % len(lines)]
            if price_range:
                price = Decimal(rng.randint(price_range[0] * 100, price_range[1] * 100)) / 100
                units = Decimal(rng.randint(10, 4000)) if price < 10000 else Decimal(rng.randint(1, 4))
                amount = (price * units).quantize(Decimal("0.01"))
            else:
                amount = Decimal(rng.randint(150, 18000) * 100)
                uom, units, price = "LS", Decimal("1"), amount
        yield (
            contract_key, item_key, description, item_job, PROPOSED if proposed else APPROVED,
            no_date if proposed else approved_on.isoformat() if approved_on else None,
            str(amount), uom, str(units), str(price), cost_code, category, "1200-00",
        )


def _fixed_company(rng: random.Random) -> tuple[_Rows, list[tuple]]:
    rows = _Rows()
    customers = {c[0].strip(): c for c in data.CUSTOMERS}
    for cid, name, city, state in data.CUSTOMERS:
        rows.customers.append((pad(cid), name, f"555-01{rng.randint(10, 99)}", city, state))
    job_customer = {}
    for number, description, status, customer in data.JOBS:
        cust = pad(customer)
        job_customer[number] = cust
        start = date(2023, 6, 1) + timedelta(days=rng.randint(0, 420))
        rows.jobs.append((pad(number), description, status, cust, cust,
                          customers[customer.strip()][1], start.isoformat(), None,
                          rng.choice(("A. Ortiz", "B. Chen", "C. Novak", "D. Haddad")), "10.00"))
    rows.unlinked_job = data.UNLINKED_JOB
    items: list[tuple] = []
    for number, job, description, status, approval in data.CONTRACTS:
        key, job_key = pad(number), pad(job)
        signed = date(2023, 9, 1) + timedelta(days=rng.randint(0, 400))
        approved_on = signed + timedelta(days=rng.randint(3, 30))
        if approval == "unapproved_null":
            approved_sql: str | None = None
            rows.unapproved.append(number)
        elif approval == "unapproved_1900":
            approved_sql = "1900-01-01"
            rows.unapproved.append(number)
        else:
            approved_sql = approved_on.isoformat()
        contract_date = "1900-01-01" if number == data.NO_CONTRACT_DATE else signed.isoformat()
        retainage = None if number == data.NO_RETAINAGE else rng.choice((5.0, 10.0, 10.0, 7.5))
        rows.contracts.append((key, description, job_key, job_customer[job], status,
                               contract_date, approved_sql, retainage, "1200"))
        rows.contracts_by_job.setdefault(job, []).append(number)
        special: list[tuple[str, str]] = []
        count = rng.randint(3, 15)
        if number == data.CREDIT_AND_ZERO_CONTRACT:
            special = [data.CREDIT_ITEM, data.ZERO_ITEM]
            count = max(count, 8)
            rows.credit.append((number, "1"))
            rows.zero.append((number, "2"))
        roles: dict[str, object] = {}
        if number == data.AWAITING_ITEMS_CONTRACT:
            count = max(count, 3 + data.AWAITING_ITEM_COUNT)
            roles["proposed_from"] = count - data.AWAITING_ITEM_COUNT + 1
            rows.awaiting.extend((number, str(n)) for n in range(int(roles["proposed_from"]), count + 1))
        if number == data.SEVERAL_JOBS_CONTRACT:
            count = max(count, 3 + data.SEVERAL_JOBS_ITEM_COUNT)
            roles.update(other_job_from=count - data.SEVERAL_JOBS_ITEM_COUNT + 1,
                         other_job=pad(data.SEVERAL_JOBS_OTHER_JOB))
            rows.several_jobs[number] = (job, data.SEVERAL_JOBS_OTHER_JOB)
        items.extend(_item_rows(rng, key, job_key, count,
                                approved_on if approved_sql and approved_sql > "1900-01-01" else None,
                                special, no_date="1900-01-01" if approved_sql == "1900-01-01" else None,
                                **roles))  # type: ignore[arg-type]
    rows.item_count = len(items)
    return rows, items


def _scaled_company(rng: random.Random, contracts: int, items_per_contract: int | None,
                    jobs: int) -> tuple[_Rows, Iterator[tuple]]:
    rows = _Rows()
    names = [c[1] for c in data.CUSTOMERS]
    for n in range(jobs):
        cust = pad(str(10000 + n))
        rows.customers.append((cust, f"{names[n % len(names)]} #{n + 1}", "555-0100", "Portland", "OR"))
        base = data.JOBS[n % len(data.JOBS)][1]
        rows.jobs.append((pad(str(100000 + n)), f"{base} {n + 1}"[:30], "In progress", cust, cust,
                          names[n % len(names)], "2024-01-15", None, "B. Chen", "10.00"))
    rows.unlinked_job = str(100000 + jobs - 1)
    plan = []
    for n in range(contracts):
        number = str(1000000 + n)
        job_index = n % jobs
        job = str(100000 + job_index)
        unapproved = n % 25 == 1
        signed = date(2023, 1, 1) + timedelta(days=rng.randint(0, 700))
        approved_on = None if unapproved else signed + timedelta(days=rng.randint(3, 30))
        if unapproved:
            rows.unapproved.append(number)
        count = items_per_contract if items_per_contract is not None else rng.randint(3, 15)
        rows.contracts.append((pad(number), f"Prime Contract {number} – {data.JOBS[job_index % 12][1]}"[:30],
                               pad(job), pad(str(10000 + job_index)), "Open", signed.isoformat(),
                               approved_on.isoformat() if approved_on else None, 10.0, "1200"))
        rows.contracts_by_job.setdefault(job, []).append(number)
        special = [data.CREDIT_ITEM, data.ZERO_ITEM][:count] if n == 0 else []
        if n == 0:
            rows.credit.extend([(number, "1")][: min(count, 1)])
            rows.zero.extend([(number, "2")][: max(0, min(count, 2) - 1)])
        rows.item_count += count
        plan.append((pad(number), pad(job), count, approved_on, special))

    def items() -> Iterator[tuple]:
        for key, job_key, count, approved_on, special in plan:
            yield from _item_rows(rng, key, job_key, count, approved_on, special)

    return rows, items()


def generate_sample_company(path: Path, *, seed: int = 1, contracts: int | None = None,
                            items_per_contract: int | None = None, jobs: int | None = None,
                            naming: str = "legacy") -> SampleCompanyInfo:
    """Write a Sage-shaped SQLite database to `path` (replacing an earlier sample there).

    Refuses to replace any other existing file. `naming` picks the table names (legacy or
    standard). The legacy sample declares item amounts DECIMAL (the ODBC driver returns `str`),
    the standard one NUMERIC (returned as `float`), so both driver behaviours get exercised.
    """
    if naming not in PRESET_TABLES:
        raise ConfigurationError(f"naming must be one of {', '.join(PRESET_TABLES)}, not {naming!r}.")
    for name, value in (("contracts", contracts), ("items_per_contract", items_per_contract), ("jobs", jobs)):
        if value is not None and value < (0 if name == "items_per_contract" else 1):
            raise ConfigurationError(f"--{name.replace('_', '-')} must be at least "
                                     f"{0 if name == 'items_per_contract' else 1}.")
    path = Path(path).resolve()
    _refuse_foreign_file(path)
    rng = random.Random(seed)
    scaled = contracts is not None or items_per_contract is not None or jobs is not None
    if scaled:
        contract_count = contracts if contracts is not None else 20
        job_count = jobs if jobs is not None else max(2, contract_count // 6)
        rows, items = _scaled_company(rng, contract_count, items_per_contract, job_count)
    else:
        rows, item_list = _fixed_company(rng)
        items = iter(item_list)
    money = "DECIMAL(15,2)" if naming == "legacy" else "NUMERIC(15,2)"
    columns = _columns(money)
    tables = PRESET_TABLES[naming]
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(tmp)
    try:
        # A private new file: no journal needed, and this keeps 150,000 rows well under a second.
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        with con:
            for logical, rows_of in (("customer", rows.customers), ("job", rows.jobs),
                                     ("contract", rows.contracts), ("contract_item", items)):
                cols = columns[logical]
                ddl = ", ".join(f'"{c}" {t}' for c, t in cols)
                con.execute(f'CREATE TABLE "{tables[logical]}" ({ddl})')
                marks = ", ".join("?" for _ in cols)
                con.executemany(f'INSERT INTO "{tables[logical]}" VALUES ({marks})', rows_of)
            con.execute(f'CREATE TABLE "{MARKER_TABLE}" ("Seed" INTEGER, "Naming" VARCHAR(10))')
            con.execute(f'INSERT INTO "{MARKER_TABLE}" VALUES (?, ?)', (seed, naming))
    finally:
        con.close()
    os.replace(tmp, path)
    contract_numbers = tuple(r[0].strip() for r in rows.contracts)
    info = SampleCompanyInfo(
        path=path, naming=naming, seed=seed,
        job_numbers=tuple(r[0].strip() for r in rows.jobs),
        contract_numbers=contract_numbers,
        item_count=rows.item_count,
        unapproved_contracts=tuple(rows.unapproved),
        unlinked_job=rows.unlinked_job,
        contracts_on_unlinked_job=tuple(rows.contracts_by_job.get(rows.unlinked_job, ())),
        credit_items=tuple(rows.credit),
        zero_items=tuple(rows.zero),
        padded_contracts=tuple(r[0].strip() for r in rows.contracts if r[0] != r[0].strip()),
        accented_names=tuple(r[1] for r in rows.customers if not r[1].isascii())[:20],
        job_descriptions={r[0].strip(): r[1] for r in rows.jobs},
        contracts_by_job={j: tuple(c) for j, c in rows.contracts_by_job.items()},
        money_column_type=money,
        awaiting_items=tuple(rows.awaiting),
        several_jobs=dict(rows.several_jobs),
    )
    logger.info("Wrote sample Sage company %s: %d jobs, %d contracts, %d items",
                path, len(info.job_numbers), len(contract_numbers), info.item_count)
    return info


def _refuse_foreign_file(path: Path) -> None:
    if not path.exists():
        return
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            con.execute(f'SELECT 1 FROM "{MARKER_TABLE}" WHERE 1=0')
        finally:
            con.close()
    except sqlite3.Error:
        raise ConfigurationError(
            f"{path} already exists and is not a sample company written by this app.",
            fix="Choose a new file name; the generator only replaces its own files.",
        ) from None
