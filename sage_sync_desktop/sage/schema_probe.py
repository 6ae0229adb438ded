"""Check that every mapped Sage table and column exists, without catalog calls.

The Timberline driver's catalog functions (SQLTables/SQLColumns) can hang on big data folders,
so each table is probed with a zero-row `SELECT <columns> FROM <table> WHERE 1=0`. When that
fails, `SELECT * ... WHERE 1=0` tells a missing table from a missing column, and each column
is then tried on its own to name the missing ones. A missing table is also looked up under the
other naming preset, which tells a wrong `sage.naming` from a site-specific name, and the report
says which preset's names all exist (`preset_fits`).

Every found table's actual columns come from a `SELECT * ... WHERE 1=0` cursor description; for
each missing column the table's columns are ranked as candidates (`column_candidates`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sage_sync_desktop.errors import SageError
from sage_sync_desktop.sage import column_candidates
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
    # Missing column: the table's actual columns, best first, and the best one if it is a
    # close match (what `check-sage --use-candidates` writes).
    candidates: tuple[str, ...] = ()
    best_candidate: str | None = None


@dataclass(frozen=True)
class TableCheck:
    logical_table: str
    table: str
    found: bool
    missing_columns: tuple[str, ...] = ()
    rows: int | None = None
    columns: tuple[str, ...] = ()  # every column the driver shows (found tables only)


@dataclass(frozen=True)
class SchemaReport:
    source: str
    naming: str
    tables: tuple[TableCheck, ...]
    missing: tuple[MissingName, ...]
    counts: dict[str, int | None] = field(default_factory=dict)
    # The naming preset whose four table names all exist here (None: neither has them all).
    preset_fits: str | None = None

    @property
    def ok(self) -> bool:
        return not self.missing

    def candidate_overrides(self) -> dict[str, Any]:
        """The `sage.mapping` entries that map each missing column to its close best candidate."""
        overrides: dict[str, Any] = {}
        for name in self.missing:
            if name.kind == "column" and name.field and name.best_candidate:
                entry = overrides.setdefault(name.logical_table, {"columns": {}})
                entry["columns"][name.field] = name.best_candidate
        return overrides

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source": self.source,
            "naming": self.naming,
            "preset_fits": self.preset_fits,
            "tables": [asdict(t) | {"missing_columns": list(t.missing_columns), "columns": list(t.columns)}
                       for t in self.tables],
            "missing": [asdict(m) | {"candidates": list(m.candidates)} for m in self.missing],
            "counts": dict(self.counts),
        }


def _works(connection: ReadOnlyConnection, sql: str) -> bool:
    return _described(connection, sql) is not None


def _described(connection: ReadOnlyConnection, sql: str) -> list[tuple[str, str | None]] | None:
    """(column, type name) of a zero-row query's result, or None when Sage refuses it."""
    try:
        cursor = connection.execute(sql)
    except SageError as exc:
        logger.debug("probe failed: %s (%s)", sql, exc.detail)
        return None
    try:
        return [(str(d[0]), column_candidates.type_name(d[1])) for d in cursor.description or ()]
    finally:
        cursor.close()


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
                check = TableCheck(check.logical_table, check.table, True, check.missing_columns, rows,
                                   check.columns)
                counts[_COUNTED[logical]] = rows
            else:
                counts[_COUNTED[logical]] = None
            checks.append(check)
            missing.extend(names)
        fits = mapping.naming if all(c.found for c in checks) else _preset_fits(connection)
        report = SchemaReport(connection.source, mapping.naming, tuple(checks), tuple(missing), counts, fits)
    logger.info("Sage schema check: %s", "all names found" if report.ok else
                f"{len(report.missing)} missing: " + ", ".join(
                    m.table if m.kind == "table" else f"{m.table}.{m.column}" for m in report.missing))
    return report


def _probe_table(connection: ReadOnlyConnection, mapping: TableMapping,
                 logical: str) -> tuple[TableCheck, list[MissingName]]:
    table = mapping.table(logical)
    fields = mapping.mapped_fields(logical)
    column_list = ", ".join(column_sql(table, column) for _, column in fields)
    actual = _described(connection, f'SELECT * FROM "{table}" WHERE 1=0')
    if actual is None:
        return TableCheck(logical, table, False), [_missing_table(connection, mapping, logical, table)]
    columns = tuple(name for name, _ in actual)
    if _works(connection, f'SELECT {column_list} FROM "{table}" WHERE 1=0'):
        return TableCheck(logical, table, True, columns=columns), []
    names = []
    missing_fields = [(f, c) for f, c in fields
                      if not _works(connection, f'SELECT {column_sql(table, c)} FROM "{table}" WHERE 1=0')]
    taken = [c for f, c in fields if (f, c) not in missing_fields]
    for field_name, column in missing_fields:
        ranked = column_candidates.rank(logical, field_name, column, actual, taken)
        names.append(_missing_column(logical, table, field_name, column, ranked))
    if not names:
        # Each column works alone but not together: report it rather than claim success.
        names.append(MissingName(
            "column", logical, table, None, None,
            f"The columns of {table} exist one by one but Sage refused them together.",
            "Check the driver log; try MaxColSupport=1536 in the connection string."))
    return TableCheck(logical, table, True, tuple(n.column or "" for n in names), columns=columns), names


def _preset_fits(connection: ReadOnlyConnection) -> str | None:
    """The preset whose four table names all exist on this connection, if one does."""
    for preset, tables in PRESET_TABLES.items():
        if all(_works(connection, f'SELECT * FROM "{table}" WHERE 1=0') for table in tables.values()):
            return preset
    return None


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


def _missing_column(logical: str, table: str, field_name: str, column: str,
                    ranked: tuple[column_candidates.Candidate, ...] = ()) -> MissingName:
    what = _FIELD_WORDS.get(field_name, field_name)
    optional = field_name in OPTIONAL_FIELDS[logical]
    shown = ", ".join(c.column for c in ranked[:3])
    hint = f" (best candidates in {table}: {shown})" if shown else ""
    return MissingName(
        "column", logical, table, field_name, column,
        f"Column {column} ({what}) was not found in {table}.",
        f"Set sage.mapping.{logical}.columns.{field_name} to the column that holds the {what} "
        f"at this site{hint}" + (", or to null if this site has none." if optional else "."),
        candidates=tuple(c.column for c in ranked),
        best_candidate=column_candidates.best(ranked),
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
