"""Plays the Sage user on a generated sample company, so the demo can show contracts with changes.

It writes only to sample files made by `generate_sample_company` (they carry its marker table)
and refuses anything else, so it can never touch a real Sage database. The app itself never
writes to Sage; this is the demo's stand-in for someone editing contracts in Sage 300 CRE, and
the only code besides the generator that writes a sample file (the demo, the tests and the
benchmark all change their files through it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.sage.records import SageContract
from sage_sync_desktop.demo.sample_company import MARKER_TABLE
from sage_sync_desktop.sage.table_mapping import TableMapping


class SampleEditor:
    def __init__(self, path: Path, naming: str = "legacy") -> None:
        self.path = Path(path)
        self._mapping = mapping = TableMapping.preset(naming)
        self._items = mapping.table("contract_item")
        self._contracts = mapping.table("contract")
        self._item_col = {f: mapping.column("contract_item", f) for f in (
            "contract", "item", "description", "amount", "quantity", "unit_price", "unit", "cost_code",
            "category", "job", "status", "approval_date")}
        self._contract_col = {f: mapping.column("contract", f) for f in ("id", "approval_date")}
        with self._connect() as db:
            try:
                db.execute(f'SELECT 1 FROM "{MARKER_TABLE}" WHERE 1=0')
            except sqlite3.Error:
                raise ConfigurationError(
                    f"{self.path} is not a sample company written by this app; it is never edited."
                ) from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path)
        try:
            with db:
                yield db
        finally:
            db.close()

    def _item_where(self, contract: str, item: str) -> tuple[str, tuple[str, str]]:
        c = self._item_col
        return f'TRIM("{c["contract"]}") = ? AND TRIM("{c["item"]}") = ?', (contract.strip(), item.strip())

    def add_item(self, contract: str, item: str, description: str, amount: str, *, unit: str = "LS",
                 cost_code: str = "01-000", category: str = "O") -> None:
        """A new item, copying the contract's stored key (padding included) from its first item."""
        c = self._item_col
        with self._connect() as db:
            row = db.execute(
                f'SELECT * FROM "{self._items}" WHERE TRIM("{c["contract"]}") = ? LIMIT 1', (contract.strip(),)
            ).fetchone()
            names = [d[0] for d in db.execute(f'SELECT * FROM "{self._items}" LIMIT 0').description]
            values = dict(zip(names, row, strict=True)) if row else {c["contract"]: contract}
            width = len(values.get(c["item"]) or "") or len(item)
            values.update({
                c["item"]: item.rjust(width), c["description"]: description, c["amount"]: float(Decimal(amount)),
                c["quantity"]: 1, c["unit_price"]: float(Decimal(amount)), c["unit"]: unit,
                c["cost_code"]: cost_code, c["category"]: category,
            })
            columns = ", ".join(f'"{name}"' for name in values)
            db.execute(f'INSERT INTO "{self._items}" ({columns}) VALUES ({", ".join("?" * len(values))})',
                       list(values.values()))

    def change_item(self, contract: str, item: str, **fields: object) -> None:
        """Set fields (logical names: description, amount, quantity, unit_price, unit, cost_code,
        category, job, status, approval_date)."""
        where, params = self._item_where(contract, item)
        sets = ", ".join(f'"{self._item_col[name]}" = ?' for name in fields)
        values = [float(v) if isinstance(v, Decimal) else v for v in fields.values()]
        with self._connect() as db:
            changed = db.execute(f'UPDATE "{self._items}" SET {sets} WHERE {where}', (*values, *params)).rowcount
        if not changed:
            raise ValueError(f"no item {item} on contract {contract} in {self.path}")

    def change_items(self, contract: str, changes: dict[str, dict[str, object]]) -> None:
        """Many `change_item`s in one transaction: {item number: {field: value}}."""
        with self._connect() as db:
            for item, fields in changes.items():
                where, params = self._item_where(contract, item)
                sets = ", ".join(f'"{self._item_col[name]}" = ?' for name in fields)
                values = [float(v) if isinstance(v, Decimal) else v for v in fields.values()]
                db.execute(f'UPDATE "{self._items}" SET {sets} WHERE {where}', (*values, *params))

    def delete_item(self, contract: str, item: str) -> None:
        where, params = self._item_where(contract, item)
        with self._connect() as db:
            db.execute(f'DELETE FROM "{self._items}" WHERE {where}', params)

    def job_customer(self, job_key: str) -> str | None:
        """The customer stored on a job, by the job's stored key (padding included)."""
        m = self._mapping
        with self._connect() as db:
            row = db.execute(
                f'SELECT "{m.column("job", "customer")}" FROM "{m.table("job")}" '
                f'WHERE "{m.column("job", "id")}" = ?', (job_key,)).fetchone()
        return row[0] if row else None

    def add_rows(self, rows: Mapping[str, Sequence[Mapping[str, object]]]) -> None:
        """Rows by logical table, each a {logical field: value} dict (missing fields are NULL),
        all in one transaction."""
        with self._connect() as db:
            for logical, table_rows in rows.items():
                fields = [f for f, _ in self._mapping.mapped_fields(logical)]
                columns = ", ".join(f'"{self._mapping.column(logical, f)}"' for f in fields)
                marks = ", ".join("?" for _ in fields)
                db.executemany(f'INSERT INTO "{self._mapping.table(logical)}" ({columns}) VALUES ({marks})',
                               [tuple(row.get(f) for f in fields) for row in table_rows])

    def revise_items(self, contracts: Iterable[SageContract | None], *, per_contract: int = 2) -> int:
        """Add 125.50 to the amount and " (revised)" to the description of the first
        `per_contract` items of each contract, in one transaction. Returns the lines changed."""
        m = self._mapping
        table = m.table("contract_item")
        amount, description = m.column("contract_item", "amount"), m.column("contract_item", "description")
        contract_col, item_col = m.column("contract_item", "contract"), m.column("contract_item", "item")
        rows = []
        for contract in contracts:
            assert contract is not None
            for item in contract.items[:per_contract]:
                rows.append((str(item.amount + Decimal("125.50")), f"{item.description} (revised)"[:30],
                             contract.key, item.key))
        with self._connect() as db:
            db.executemany(f'UPDATE "{table}" SET "{amount}" = ?, "{description}" = ? '
                           f'WHERE "{contract_col}" = ? AND "{item_col}" = ?', rows)
        return len(rows)

    def unapprove_item(self, contract: str, item: str) -> None:
        """What Sage does when an item is unapproved: back to Proposed, its approval date cleared."""
        self.change_item(contract, item, status="Proposed", approval_date=None)

    def set_approved(self, contract: str, approval_date: str | None) -> None:
        c = self._contract_col
        with self._connect() as db:
            db.execute(f'UPDATE "{self._contracts}" SET "{c["approval_date"]}" = ? WHERE TRIM("{c["id"]}") = ?',
                       (approval_date, contract.strip()))
