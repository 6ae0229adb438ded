"""Check that every mapped Sage table and column exists, without catalog calls.

The Timberline driver's catalog functions (SQLTables/SQLColumns) can hang on big data folders,
so each table is probed with a zero-row `SELECT <columns> FROM <table> WHERE 1=0`. When that
fails, `SELECT * ... WHERE 1=0` tells a missing table from a missing column, and each column
is then tried on its own to name the missing ones. A missing table is also looked up under the
other naming preset, which tells a wrong `sage.naming` from a site-specific name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sage_sync_desktop.errors import SageError
from sage_sync_desktop.sage.odbc_connection import ReadOnlyConnection
from sage_sync_desktop.sage.table_mapping import (
    LOGICAL_TABLES,
    OPTIONAL_FIELDS,
    PRESET_TABLES,
    TableMapping,
    column_sql,
)

logger = logging.getLogger(__name__)

_FIELD_WORDS = {
    "id": "key", "description": "description", "status": "status", "customer": "customer",
    "name": "name", "job": "job", "approval_date": "approval date",
    "contract_date": "contract date", "retainage_percent": "retainage percent",
    "contract": "contract", "item": "item number", "amount": "amount",
    "quantity": "quantity", "unit_price": "unit price", "unit": "unit of measure",
    "cost_code": "cost code", "category": "category",
}
_COUNTED = {"customer": "customers", "job": "jobs", "contract": "contracts", "contract_item": "items"}


@dataclass(frozen=True)
class MissingName:
    """One table or column the mapping names and Sage does not have."""

    kind: str  # "table" or "column"
    logical_table: str
    table: str
    field: str | None
    column: str | None
    message: str
    fix: str


@dataclass(frozen=True)
class TableCheck:
    logical_table: str
    table: str
    found: bool
    missing_columns: tuple[str, ...] = ()
    rows: int | None = None


@dataclass(frozen=True)
class SchemaReport:
    source: str
    naming: str
    tables: tuple[TableCheck, ...]
    missing: tuple[MissingName, ...]
    counts: dict[str, int | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source": self.source,
            "naming": self.naming,
            "tables": [asdict(t) | {"missing_columns": list(t.missing_columns)} for t in self.tables],
            "missing": [asdict(m) for m in self.missing],
            "counts": dict(self.counts),
        }


def _works(connection: ReadOnlyConnection, sql: str) -> bool:
    try:
        cursor = connection.execute(sql)
    except SageError as exc:
        logger.debug("probe failed: %s (%s)", sql, exc.detail)
        return False
    cursor.close()
    return True


def probe_schema(connect: Callable[[], ReadOnlyConnection], mapping: TableMapping) -> SchemaReport:
    """Probe every mapped table and column, then count rows. Raises SageError if Sage is unreachable."""
    with connect() as connection:
        checks: list[TableCheck] = []
        missing: list[MissingName] = []
        counts: dict[str, int | None] = {}
        for logical in LOGICAL_TABLES:
            check, names = _probe_table(connection, mapping, logical)
            if check.found:
                rows = _count(connection, check.table)
                check = TableCheck(check.logical_table, check.table, True, check.missing_columns, rows)
                counts[_COUNTED[logical]] = rows
            else:
                counts[_COUNTED[logical]] = None
            checks.append(check)
            missing.extend(names)
        report = SchemaReport(connection.source, mapping.naming, tuple(checks), tuple(missing), counts)
    logger.info("Sage schema check: %s", "all names found" if report.ok else
                f"{len(report.missing)} missing: " + ", ".join(
                    m.table if m.kind == "table" else f"{m.table}.{m.column}" for m in report.missing))
    return report


def _probe_table(connection: ReadOnlyConnection, mapping: TableMapping,
                 logical: str) -> tuple[TableCheck, list[MissingName]]:
    table = mapping.table(logical)
    fields = mapping.mapped_fields(logical)
    column_list = ", ".join(column_sql(table, column) for _, column in fields)
    if _works(connection, f'SELECT {column_list} FROM "{table}" WHERE 1=0'):
        return TableCheck(logical, table, True), []
    if not _works(connection, f'SELECT * FROM "{table}" WHERE 1=0'):
        return TableCheck(logical, table, False), [_missing_table(connection, mapping, logical, table)]
    names = []
    for field_name, column in fields:
        if not _works(connection, f'SELECT {column_sql(table, column)} FROM "{table}" WHERE 1=0'):
            names.append(_missing_column(logical, table, field_name, column))
    if not names:
        # Each column works alone but not together: report it rather than claim success.
        names.append(MissingName(
            "column", logical, table, None, None,
            f"The columns of {table} exist one by one but Sage refused them together.",
            "Check the driver log; try MaxColSupport=1536 in the connection string."))
    return TableCheck(logical, table, True, tuple(n.column or "" for n in names)), names


def _missing_table(connection: ReadOnlyConnection, mapping: TableMapping, logical: str,
                   table: str) -> MissingName:
    words = logical.replace("_", " ")
    for other, tables in PRESET_TABLES.items():
        if other != mapping.naming and tables[logical] != table and _works(
                connection, f'SELECT * FROM "{tables[logical]}" WHERE 1=0'):
            mode = "StandardMode=1" if other == "standard" else "StandardMode=0"
            return MissingName(
                "table", logical, table, None, None,
                f"Table {table} ({words}s) was not found, but {tables[logical]} was: this "
                f"connection uses the {other} naming.",
                f'Set sage.naming to "{other}" ({other} names come from {mode} in the '
                "connection string), or change that keyword to match sage.naming.",
            )
    return MissingName(
        "table", logical, table, None, None,
        f"Table {table} ({words}s) was not found.",
        f"Check sage.naming ({mapping.naming}: StandardMode=0 gives legacy names such as "
        "MASTER_JCM_JOB_1, StandardMode=1 standard names such as JCM_MASTER__JOB); if this "
        f"site names it differently, set sage.mapping.{logical}.table to its name. Also check "
        "that the Sage user may read this table over ODBC.",
    )


def _missing_column(logical: str, table: str, field_name: str, column: str) -> MissingName:
    what = _FIELD_WORDS.get(field_name, field_name)
    optional = field_name in OPTIONAL_FIELDS[logical]
    return MissingName(
        "column", logical, table, field_name, column,
        f"Column {column} ({what}) was not found in {table}.",
        f"Set sage.mapping.{logical}.columns.{field_name} to the column that holds the {what} "
        "at this site" + (", or to null if this site has none." if optional else "."),
    )


def _count(connection: ReadOnlyConnection, table: str) -> int | None:
    try:
        cursor = connection.execute(f'SELECT COUNT(*) FROM "{table}"')
        row = cursor.fetchone()
        cursor.close()
    except SageError as exc:
        logger.warning("Cannot count rows of %s: %s", table, exc.detail)
        return None
    return int(row[0]) if row else None
