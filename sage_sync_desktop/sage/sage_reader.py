"""Read a whole Sage 300 CRE company (jobs, customers, prime contracts, their items) in one pass.

Four SELECTs, one per table, whatever the company's size; rows are streamed with fetchmany and
turned into records as they arrive, so memory holds the records, not the driver's rows too.
A row that cannot be used never aborts the read: it becomes a `DataProblem` on its contract
(or on `SageCompany.problems` when it belongs to no contract). Problem codes:

- `missing_key`: a row without its key (job, customer, contract, or item number); skipped.
- `duplicate_key` / `duplicate_contract` / `duplicate_item`: a key seen twice; the first row
  is kept, the repeat skipped (a duplicate item number makes the whole contract suspect).
  Padded and unpadded forms of one number count as the same key: two contracts '      5001'
  and '5001' are both kept and both flagged; of two such items the first is kept.
- `bad_amount`: an item amount that is not a number; the item is left out.
- `amount_precision`: an amount with sub-cent digits; kept, rounded half-up to the cent.
- `bad_number` / `bad_date`: an optional quantity, price, retainage or date that cannot be read;
  the value is left empty.
- `missing_job` / `unknown_job`: a contract with no job, or a job that does not exist.
- `orphan_item`: an item whose contract does not exist (on `SageCompany.problems`).

Approval: see `table_mapping.ApprovalRule` (approval date set and, with a status column, a
status that is not an unapproved one).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from sage_sync_desktop import secret_store
from sage_sync_desktop.errors import CancelledError, ConfigurationError, SageError
from sage_sync_desktop.sage import connection_string as cs
from sage_sync_desktop.sage import normalise as norm
from sage_sync_desktop.sage.connection_factory import connect_per_settings, sage_password_secret
from sage_sync_desktop.sage.contract_assembly import ContractAssembler, flag_twins
from sage_sync_desktop.sage.item_rows import ItemRowReader
from sage_sync_desktop.sage.odbc_connection import ReadOnlyConnection, connect_sqlite_file
from sage_sync_desktop.sage.records import (
    DataProblem,
    SageCompany,
    SageCustomer,
    SageJob,
)
from sage_sync_desktop.sage.table_mapping import TableMapping, column_sql

logger = logging.getLogger(__name__)

# Rows per fetchmany. Small enough that a batch (~400 KB of row objects on a contract item
# table) is still in the CPU's L2 cache when it is converted: measured on a 150,000-item
# company, 500-row batches make the read ~0.1 s faster than 5,000-row ones.
FETCH_ROWS = 500
# Item rows between two progress reports (a 150,000-item company: 30 reports).
REPORT_ROWS = 5000
Progress = Callable[[int, str], None]
__all__ = ["FETCH_ROWS", "SageReader", "sage_password_secret", "select_sql"]


def select_sql(mapping: TableMapping, logical: str) -> str:
    """The one SELECT for a table: explicit qualified columns, nothing vendor-specific."""
    table = mapping.table(logical)
    columns = ", ".join(column_sql(table, column) for _, column in mapping.mapped_fields(logical))
    return f'SELECT {columns} FROM "{table}"'


class SageReader:
    """Reads a company through a connection factory (ODBC or the demo's sqlite3)."""

    def __init__(self, connect: Callable[[], ReadOnlyConnection], mapping: TableMapping, *,
                 fetch_rows: int = FETCH_ROWS) -> None:
        self.connect = connect
        self.mapping = mapping
        self.fetch_rows = fetch_rows

    @classmethod
    def from_settings(cls, settings: Any, secrets: secret_store.SecretStore) -> SageReader:
        """`sqlite:///path.db` (or a path ending .db/.sqlite) = the demo's sqlite3; else ODBC,
        directly or through the 32-bit bridge per `sage.odbc_bridge`.

        The password is read from the credential store each time a connection opens, so a
        password changed in the app is used by the next read.
        """
        sage = settings.sage
        mapping = TableMapping.from_settings(sage)
        conn_str = sage.connection_string.strip()
        if not conn_str:
            raise ConfigurationError(
                "No Sage connection is set up (sage.connection_string is empty).",
                fix="Set sage.connection_string, e.g. DSN=<your Timberline DSN> or "
                "DRIVER={Timberline Data};DBQ=<company data folder>;... (see the README).",
            )
        sqlite_file = cs.sqlite_path(conn_str)
        if sqlite_file is not None:
            return cls(partial(connect_sqlite_file, sqlite_file), mapping)
        secret_name = sage_password_secret(sage)
        return cls(partial(connect_per_settings, sage, conn_str, secrets, secret_name), mapping)

    def read_company(self, *, progress: Progress | None = None,
                     cancel: threading.Event | None = None) -> SageCompany:
        report = progress or (lambda percent, message: None)
        run = _Read(self.mapping, self.fetch_rows, report, cancel)
        report(0, "Connecting to Sage")
        run.check_cancel()
        # The read creates ~50 records per contract and no reference cycles; the cyclic
        # collector would otherwise walk the growing heap again and again (about a third of the
        # Python time on a 150,000-item company), so it pauses for the read.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self.connect() as connection:
                run.connection = connection
                report(2, "Reading customers")
                customers = run.customers()
                report(5, f"Reading jobs ({len(customers)} customers)")
                jobs = run.jobs()
                report(10, f"Reading prime contracts ({len(jobs)} jobs)")
                drafts = run.contracts(jobs)
                report(20, f"Reading contract items ({len(drafts)} contracts)")
                run.items(drafts)
            report(95, "Checking contract items")
            contracts = ContractAssembler(self.mapping, jobs).finish(drafts)
        finally:
            if collecting:
                _age_without_walk()
                gc.enable()
        company = SageCompany(
            jobs=tuple(sorted(jobs.values(), key=_by_number)),
            customers=tuple(sorted(customers.values(), key=_by_number)),
            contracts=contracts,
            problems=tuple(run.problems),
        )
        logger.info("Read Sage company: %d jobs, %d contracts, %d items, %d problems",
                    len(company.jobs), len(contracts), sum(len(c.items) for c in contracts),
                    len(company.problems) + sum(len(c.problems) for c in contracts))
        report(100, f"Read {len(contracts)} prime contracts from Sage")
        return company


def _age_without_walk() -> None:
    """Move everything the read made into the collector's oldest generation, unwalked.

    Re-enabled as it is, the collector's first young-generation pass would walk all ~500,000
    new objects of a big company at once (~60 ms) only to find them alive, and walk them again
    a generation later. freeze() moves every tracked object to the permanent generation and
    clears the generation counts in constant time; unfreeze() at once moves them on to the
    oldest generation, where they are still collected by a full collection as before. Skipped
    when the process already froze objects on purpose (unfreeze would release those too).
    """
    if gc.get_freeze_count():
        return
    gc.freeze()
    gc.unfreeze()


def _by_number(record: Any) -> tuple[str, str]:
    return (record.number, record.key)


class _Read:
    """State of one read_company call."""

    def __init__(self, mapping: TableMapping, fetch_rows: int, report: Progress,
                 cancel: threading.Event | None) -> None:
        self.mapping = mapping
        self.fetch_rows = fetch_rows
        self.report = report
        self.cancel = cancel
        self.connection: ReadOnlyConnection | None = None
        self.problems: list[DataProblem] = []

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise CancelledError("Reading Sage was cancelled; nothing was changed.")

    def batches(self, logical: str) -> Iterator[list[Any]]:
        assert self.connection is not None
        table = self.mapping.table(logical)
        try:
            cursor = self.connection.execute(select_sql(self.mapping, logical))
        except SageError as exc:
            if type(exc) is not SageError:
                raise
            raise SageError(
                f"Cannot read the Sage table {table} ({logical.replace('_', ' ')}s).",
                fix="Run `sage-sync-desktop check-sage`: it names the missing table or column "
                "and what to set in sage.mapping.",
                detail=exc.detail,
            ) from None
        try:
            fetch = cursor.fetchmany
            size = self.fetch_rows
            while True:
                self.check_cancel()
                batch = fetch(size)
                if not batch:
                    return
                yield batch
        finally:
            cursor.close()

    def column(self, logical: str, field: str) -> str:
        return self.mapping.column(logical, field) or field

    def index(self, logical: str) -> dict[str, int | None]:
        positions = {f: i for i, (f, _) in enumerate(self.mapping.mapped_fields(logical))}
        return {f: positions.get(f) for f in self.mapping.columns[logical]}

    def _missing_key(self, logical: str, field: str, where: str = "") -> DataProblem:
        table, column = self.mapping.table(logical), self.column(logical, field)
        return DataProblem("missing_key", f"A row of {table}{where} has no {column}; it was skipped.",
                           column=column)

    def customers(self) -> dict[str, SageCustomer]:
        at = self.index("customer")
        id_i, name_i = at["id"], at["name"]
        result: dict[str, SageCustomer] = {}
        for batch in self.batches("customer"):
            for row in batch:
                key = norm.key(row[id_i])
                if key is None:
                    self.problems.append(self._missing_key("customer", "id"))
                elif key in result:
                    self.problems.append(DataProblem(
                        "duplicate_key", f"Customer {key.strip()} appears twice in "
                        f"{self.mapping.table('customer')}; the second row was skipped."))
                else:
                    result[key] = SageCustomer(key=key, number=key.strip(), name=norm.text(row[name_i]))
        return result

    def jobs(self) -> dict[str, SageJob]:
        at = self.index("job")
        id_i, desc_i, status_i, cust_i = at["id"], at["description"], at["status"], at["customer"]
        result: dict[str, SageJob] = {}
        for batch in self.batches("job"):
            for row in batch:
                key = norm.key(row[id_i])
                if key is None:
                    self.problems.append(self._missing_key("job", "id"))
                    continue
                if key in result:
                    self.problems.append(DataProblem(
                        "duplicate_key", f"Job {key.strip()} appears twice in "
                        f"{self.mapping.table('job')}; the second row was skipped."))
                    continue
                result[key] = SageJob(
                    key=key, number=key.strip(), description=norm.text(row[desc_i]),
                    status=norm.text(row[status_i]) if status_i is not None else "",
                    customer_key=norm.key(row[cust_i]) if cust_i is not None else None,
                )
        return result

    def contracts(self, jobs: dict[str, SageJob]) -> dict[str, dict[str, Any]]:
        """Contract fields by exact key, items and problems still to be added."""
        at = self.index("contract")
        table = self.mapping.table("contract")
        jobs_by_number = {job.number: job.key for job in jobs.values()}
        rule = self.mapping.approval
        date_mapped, status_mapped = at["approval_date"] is not None, at["status"] is not None
        drafts: dict[str, dict[str, Any]] = {}
        for batch in self.batches("contract"):
            for row in batch:
                key = norm.key(row[at["id"]])
                if key is None:
                    self.problems.append(self._missing_key("contract", "id"))
                    continue
                number = key.strip()
                if key in drafts:
                    drafts[key]["problems"].append(DataProblem(
                        "duplicate_contract", f"Contract {number} appears twice in {table}; "
                        "the second row was skipped.", contract_key=key))
                    continue
                problems: list[DataProblem] = []

                def date_of(field: str) -> Any:
                    i = at[field]
                    if i is None:
                        return None
                    try:
                        return norm.sage_date(row[i])
                    except ValueError:
                        column = self.column("contract", field)
                        problems.append(DataProblem(
                            "bad_date", f"Contract {number}: {column} {row[i]!r} is not a date; "
                            "it was treated as empty.", contract_key=key, column=column))
                        return None

                retainage = None
                if at["retainage_percent"] is not None:
                    try:
                        retainage = norm.number(row[at["retainage_percent"]])
                    except ValueError:
                        column = self.column("contract", "retainage_percent")
                        problems.append(DataProblem(
                            "bad_number", f"Contract {number}: {column} "
                            f"{row[at['retainage_percent']]!r} is not a number; it was left empty.",
                            contract_key=key, column=column))
                job_key = None
                if at["job"] is not None:
                    job_key = self._header_job(row[at["job"]], key, number, jobs, jobs_by_number, problems)
                status = norm.text(row[at["status"]]) if status_mapped else ""
                approval_date = date_of("approval_date")
                drafts[key] = {
                    "key": key, "number": number, "job_key": job_key,
                    "description": norm.text(row[at["description"]]),
                    "customer_key": norm.key(row[at["customer"]]) if at["customer"] is not None else None,
                    "status": status,
                    "header_approved": rule.is_approved(approval_date_mapped=date_mapped,
                                                        approval_date=approval_date,
                                                        status_mapped=status_mapped, status=status),
                    "approval_date": approval_date,
                    "contract_date": date_of("contract_date"),
                    "retainage_percent": retainage,
                    "items": [],
                    "problems": problems,
                    "awaiting": [],
                    "item_jobs": set(),
                }
        flag_twins(drafts, table)
        return drafts

    def _header_job(self, raw: Any, key: str, number: str, jobs: dict[str, SageJob],
                    jobs_by_number: dict[str, str], problems: list[DataProblem]) -> str | None:
        job_key = norm.key(raw)
        table, job_column = self.mapping.table("contract"), self.column("contract", "job")
        if job_key is None:
            problems.append(DataProblem(
                "missing_job", f"Contract {number} has no {job_column} in {table}, so it "
                "belongs to no job.", contract_key=key, column=job_column))
        elif job_key not in jobs:
            if job_key.strip() in jobs_by_number:
                return jobs_by_number[job_key.strip()]
            problems.append(DataProblem(
                "unknown_job", f"Contract {number} names job {job_key.strip()}, which "
                f"is not in {self.mapping.table('job')}.", contract_key=key,
                column=job_column))
        return job_key

    def items(self, drafts: dict[str, dict[str, Any]]) -> None:
        converter = ItemRowReader(self.mapping, drafts, self.problems)
        lists = [draft["items"] for draft in drafts.values()]
        done = 0
        next_report = 0
        for batch in self.batches("contract_item"):
            converter.add(batch)
            done += len(batch)
            if done < next_report:
                continue
            # The item count is unknown without an extra COUNT query; the share of contracts that
            # already have items tracks progress well, since Sage returns items in contract order.
            # Counted every REPORT_ROWS rows, not every batch: on 3,000 contracts each count
            # compares 3,000 lists.
            next_report = done + REPORT_ROWS
            started = len(lists) - lists.count([])
            percent = 20 + int(74 * started / max(1, len(lists)))
            self.report(percent, f"Reading contract items ({done:,} so far)")

