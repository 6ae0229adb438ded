"""Which Sage 300 CRE table and column holds each logical field, per naming preset and per site.

Sage's ODBC driver names tables by a naming mode chosen in the connection string: `legacy`
(`StandardMode=0`, e.g. `MASTER_JCM_JOB_1`) or `standard` (`StandardMode=1`, e.g.
`JCM_MASTER__JOB`). Column names are the same in both modes as far as public sources show.
Names marked UNVERIFIED in the comments below come from no public source that queries them;
`sage-sync-desktop check-sage` reports any that a site does not have, and `sage.mapping` in the
settings overrides them (see `TableMapping.from_settings`).

Approval and the job live on each contract item in Sage's Contracts module (an item is Proposed,
then Approved, with an Approval_Date; the job is chosen per item). The header's approval date and
status are still honoured where mapped; the header Job column is optional (null: the contract's
job is its items' job). docs/sage-connection.md describes the data model and what is verified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sage_sync_desktop.errors import ConfigurationError

LOGICAL_TABLES = ("job", "customer", "contract", "contract_item")

# Logical fields of each logical table, in query order. The first field is the row's key.
FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "job": ("id", "description", "status", "customer"),
    "customer": ("id", "name"),
    "contract": (
        "id", "job", "description", "customer", "status", "approval_date", "contract_date",
        "retainage_percent",
    ),
    # job, status and approval_date come last so the hot loop's positions of the others stay put.
    "contract_item": (
        "contract", "item", "description", "amount", "quantity", "unit_price", "unit",
        "cost_code", "category", "job", "status", "approval_date",
    ),
})

# Fields a site may map to None because its Sage data has no such column. Everything else is
# needed to build a Procore prime contract and its schedule of values.
OPTIONAL_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType({
    "job": frozenset({"status", "customer"}),
    "customer": frozenset(),
    "contract": frozenset({
        "job", "customer", "status", "approval_date", "contract_date", "retainage_percent",
    }),
    "contract_item": frozenset({
        "quantity", "unit_price", "unit", "cost_code", "category", "job", "status", "approval_date",
    }),
})

# Column names shared by both presets.
# Sources: /work/shared/reference/sage300-odbc.md sections 3 and 6.
_COLUMNS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "job": {
        "id": "Job",  # verified (MASTER_JCM_JOB_1 and JCM_MASTER__JOB)
        "description": "Description",  # verified
        "status": "Status",  # verified; values seen 'Unstarted', 'Closed'
        # Public SQL joins JCM_MASTER__JOB.AR_Customer to the customer table (standard mode);
        # the same column in the legacy table is UNVERIFIED.
        "customer": "AR_Customer",
    },
    "customer": {
        "id": "Customer",  # verified
        "name": "Name",  # verified
    },
    "contract": {
        "id": "Contract",  # verified key of ACTIVE_CNC_CONTRACT
        # UNVERIFIED: no public source shows a job on the header (Sage picks it per item); may
        # be null, the contract's job is then its items' job.
        "job": "Job",
        "description": "Description",  # UNVERIFIED
        "customer": "Customer",  # field verified (Commercient), spelling UNVERIFIED
        "status": "Status",  # lifecycle (Closed, Paid in Full), not approval; spelling UNVERIFIED
        "approval_date": "Date_Approved",  # "Date approved" verified, spelling UNVERIFIED
        "contract_date": "Contract_Date",  # "Contract date" verified, spelling UNVERIFIED
        "retainage_percent": "Retainage_Percent",  # on the job table; on contracts UNVERIFIED
    },
    "contract_item": {
        "contract": "Contract",  # verified
        "item": "Contract_Item",  # verified
        "description": "Description",  # field verified, spelling likely
        "amount": "Original_Contract_Total",  # "Original contract total", spelling UNVERIFIED
        "quantity": "Units",  # UNVERIFIED
        "unit_price": "Unit_Price",  # UNVERIFIED
        "unit": "Unit_Description",  # UNVERIFIED
        "cost_code": "Cost_Code",  # UNVERIFIED on contract items (verified on JC tables)
        "category": "Category",  # UNVERIFIED on contract items (verified on JC tables)
        "job": "Job",  # field verified (Commercient: Job on each item; Sage KB: job per item)
        "status": "Status",  # Proposed / Approved verified (Sage KB); column spelling UNVERIFIED
        "approval_date": "Approval_Date",  # verified column (Commercient)
    },
})

PRESET_TABLES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    # StandardMode=0, MaxColSupport=255: all four names verified together (Commercient).
    "legacy": {
        "job": "MASTER_JCM_JOB_1",
        "customer": "MASTER_ARM_CUSTOMER",
        "contract": "ACTIVE_CNC_CONTRACT",
        "contract_item": "ACTIVE_CNC_CONTRACT_ITEM",
    },
    # StandardMode=1: job and customer verified; the two CN names follow the pattern but are
    # UNVERIFIED.
    "standard": {
        "job": "JCM_MASTER__JOB",
        "customer": "ARM_MASTER__CUSTOMER",
        "contract": "CNC_ACTIVE__CONTRACT",
        "contract_item": "CNC_ACTIVE__CONTRACT_ITEM",
    },
})

PRESETS = tuple(PRESET_TABLES)

# Status values that mean "not approved" when a contract status column is mapped. UNVERIFIED:
# no public source shows Sage's CN status values, so sites can replace this list.
DEFAULT_UNAPPROVED_STATUSES = ("Unapproved", "Pending", "Draft")
# Item status values that mean "not approved": Sage's Contracts module puts an item back to
# Proposed when it is unapproved (Sage knowledge base).
DEFAULT_UNAPPROVED_ITEM_STATUSES = ("Proposed",)
_APPROVAL_KEYS = ("unapproved_statuses", "approved_statuses", "unapproved_item_statuses")

# A name goes inside double quotes in SQL: refuse anything that could close the quote or chain
# a statement, so a settings file can never smuggle SQL in.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_ #$.()\-]{1,128}$")


@dataclass(frozen=True)
class ApprovalRule:
    """When a Sage contract header, and each contract item, counts as approved.

    Header: with an approval-date column mapped, the date must be set (not NULL, not
    1900-01-01); with a status column mapped, the status must not be one of
    `unapproved_statuses` and, if `approved_statuses` is not empty, must be one of them.
    Item: with its approval-date column mapped the date must be set; with its status column
    mapped the status must not be one of `unapproved_item_statuses`. Comparisons ignore case and
    padding. Columns that are not mapped say nothing; TableMapping refuses a mapping in which no
    approval column at all is mapped.
    """

    unapproved_statuses: tuple[str, ...] = DEFAULT_UNAPPROVED_STATUSES
    approved_statuses: tuple[str, ...] = ()
    unapproved_item_statuses: tuple[str, ...] = DEFAULT_UNAPPROVED_ITEM_STATUSES

    def __post_init__(self) -> None:
        object.__setattr__(self, "_unapproved", frozenset(s.strip().lower() for s in self.unapproved_statuses))
        object.__setattr__(self, "_approved", frozenset(s.strip().lower() for s in self.approved_statuses))
        object.__setattr__(self, "_unapproved_items",
                           frozenset(s.strip().lower() for s in self.unapproved_item_statuses))

    def item_status_approves(self, status: str) -> bool:
        """False for an item status that means not approved (Proposed by default)."""
        return status.strip().lower() not in self._unapproved_items  # type: ignore[attr-defined]

    def is_approved(self, *, approval_date_mapped: bool, approval_date: Any,
                    status_mapped: bool, status: str) -> bool:
        if approval_date_mapped and approval_date is None:
            return False
        if status_mapped:
            folded = status.strip().lower()
            if folded in self._unapproved:  # type: ignore[attr-defined]
                return False
            if self._approved and folded not in self._approved:  # type: ignore[attr-defined]
                return False
        return True

    def describe(self, *, approval_date_column: str | None, status_column: str | None) -> str:
        parts = []
        if approval_date_column:
            parts.append(f'"{approval_date_column}" holds a date')
        if status_column:
            if self.approved_statuses:
                parts.append(f'"{status_column}" is one of {", ".join(self.approved_statuses)}')
            if self.unapproved_statuses:
                parts.append(f'"{status_column}" is not {" / ".join(self.unapproved_statuses)}')
        return " and ".join(parts)


@dataclass(frozen=True)
class TableMapping:
    """Logical table/field -> Sage table/column names. Build with `preset` or `from_settings`."""

    naming: str
    tables: Mapping[str, str]
    columns: Mapping[str, Mapping[str, str | None]]
    approval: ApprovalRule = field(default_factory=ApprovalRule)

    def __post_init__(self) -> None:
        _validate(self)

    @classmethod
    def preset(cls, naming: str) -> TableMapping:
        if naming not in PRESET_TABLES:
            raise ConfigurationError(
                f"Unknown Sage naming preset {naming!r}.",
                fix=f"Use one of {', '.join(PRESETS)}.",
            )
        return cls(
            naming=naming,
            tables=MappingProxyType(dict(PRESET_TABLES[naming])),
            columns=MappingProxyType({t: MappingProxyType(dict(_COLUMNS[t])) for t in LOGICAL_TABLES}),
        )

    @classmethod
    def from_settings(cls, sage_settings: Any) -> TableMapping:
        """The preset named by `sage.naming`, with `sage.mapping` overrides applied.

        Override format (every part optional)::

            {"contract": {"table": "ACTIVE_CNC_CONTRACT",
                          "columns": {"approval_date": "Approved_Date", "status": null}},
             "contract_item": {"columns": {"status": "Item_Status"}},
             "approval": {"unapproved_statuses": ["Unapproved"], "approved_statuses": [],
                          "unapproved_item_statuses": ["Proposed"]}}
        """
        return cls.preset(sage_settings.naming).with_overrides(sage_settings.mapping or {})

    def with_overrides(self, overrides: Mapping[str, Any]) -> TableMapping:
        if not isinstance(overrides, Mapping):
            raise ConfigurationError("sage.mapping must be a JSON object.")
        tables = dict(self.tables)
        columns = {t: dict(c) for t, c in self.columns.items()}
        approval = self.approval
        for key, value in overrides.items():
            where = f"sage.mapping.{key}"
            if key == "approval":
                approval = _approval_from(value, where)
                continue
            if key not in LOGICAL_TABLES:
                raise ConfigurationError(
                    f"{where}: unknown table {key!r}.",
                    fix=f"Use one of {', '.join(LOGICAL_TABLES)} or approval.",
                )
            _object_with_keys(value, where, ("table", "columns"),
                              shape="a JSON object with 'table' and/or 'columns'",
                              fix="Only 'table' and 'columns' are allowed.")
            if "table" in value:
                tables[key] = value["table"]
            column_overrides = value.get("columns", {})
            if not isinstance(column_overrides, Mapping):
                raise ConfigurationError(f"{where}.columns must be a JSON object.")
            for name, column in column_overrides.items():
                if name not in FIELDS[key]:
                    raise ConfigurationError(
                        f"{where}.columns: unknown field {name!r}.",
                        fix=f"Fields of {key}: {', '.join(FIELDS[key])}.",
                    )
                columns[key][name] = column
        return TableMapping(
            naming=self.naming,
            tables=MappingProxyType(tables),
            columns=MappingProxyType({t: MappingProxyType(c) for t, c in columns.items()}),
            approval=approval,
        )

    def table(self, logical: str) -> str:
        try:
            return self.tables[logical]
        except KeyError:
            raise KeyError(f"unknown logical table {logical!r}; use one of {LOGICAL_TABLES}") from None

    def column(self, logical_table: str, field_name: str) -> str | None:
        columns = self.columns[logical_table]
        if field_name not in columns:
            raise KeyError(f"{logical_table} has no field {field_name!r}; fields: {FIELDS[logical_table]}")
        return columns[field_name]

    def mapped_fields(self, logical_table: str) -> tuple[tuple[str, str], ...]:
        """(field, column) for every field mapped at this site, in query order."""
        columns = self.columns[logical_table]
        return tuple((f, c) for f in FIELDS[logical_table] if (c := columns[f]) is not None)

    def to_overrides(self) -> dict[str, Any]:
        """The `sage.mapping` value that turns this mapping's preset into this mapping."""
        base = TableMapping.preset(self.naming)
        result: dict[str, Any] = {}
        for logical in LOGICAL_TABLES:
            entry: dict[str, Any] = {}
            if self.tables[logical] != base.tables[logical]:
                entry["table"] = self.tables[logical]
            changed = {f: c for f, c in self.columns[logical].items() if c != base.columns[logical][f]}
            if changed:
                entry["columns"] = changed
            if entry:
                result[logical] = entry
        if self.approval != ApprovalRule():
            result["approval"] = {key: list(getattr(self.approval, key)) for key in _APPROVAL_KEYS}
        return result

    @property
    def item_approval_mapped(self) -> bool:
        """True when contract items carry an approval date or status column at this site."""
        columns = self.columns["contract_item"]
        return columns.get("approval_date") is not None or columns.get("status") is not None


def column_sql(table: str, column: str) -> str:
    """A column reference for SQL sent to Sage: double-quoted and qualified by its table.

    Qualified on purpose: SQLite (the stand-in) reads an unknown "Name" as a text literal and
    would return it instead of failing, which would hide a missing column; "Table"."Name"
    always fails when the column does not exist, on any driver.
    """
    return f'"{table}"."{column}"'


def _object_with_keys(value: Any, where: str, allowed: tuple[str, ...], *, shape: str, fix: str) -> None:
    """Refuse a settings value that is not a JSON object, or has keys other than `allowed`."""
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where} must be {shape}.")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ConfigurationError(f"{where}: unknown key(s) {', '.join(unknown)}.", fix=fix)


def _approval_from(value: Any, where: str) -> ApprovalRule:
    _object_with_keys(value, where, _APPROVAL_KEYS, shape="a JSON object",
                      fix="Use unapproved_statuses, approved_statuses and/or unapproved_item_statuses.")
    defaults = {"unapproved_statuses": DEFAULT_UNAPPROVED_STATUSES, "approved_statuses": (),
                "unapproved_item_statuses": DEFAULT_UNAPPROVED_ITEM_STATUSES}
    lists = {}
    for key in _APPROVAL_KEYS:
        raw = value.get(key, defaults[key])
        if not isinstance(raw, Iterable) or isinstance(raw, str) or not all(isinstance(s, str) for s in raw):
            raise ConfigurationError(f"{where}.{key} must be a list of texts.")
        lists[key] = tuple(raw)
    return ApprovalRule(**lists)


def _validate(mapping: TableMapping) -> None:
    for logical in LOGICAL_TABLES:
        where = f"sage.mapping.{logical}"
        table = mapping.tables.get(logical)
        if not isinstance(table, str) or not _SAFE_NAME.match(table):
            raise ConfigurationError(
                f"{where}.table is {table!r}, which is not a usable table name.",
                fix="Use the name exactly as the Sage ODBC driver shows it (letters, digits, _).",
            )
        columns = mapping.columns.get(logical, {})
        for name in FIELDS[logical]:
            column = columns.get(name)
            if column is None:
                if name not in OPTIONAL_FIELDS[logical]:
                    raise ConfigurationError(
                        f"{where}.columns.{name} cannot be empty: the import needs it.",
                        fix="Map it to the Sage column that holds it (check-sage lists the names).",
                    )
                continue
            if not isinstance(column, str) or not _SAFE_NAME.match(column):
                raise ConfigurationError(
                    f"{where}.columns.{name} is {column!r}, which is not a usable column name.",
                    fix="Use the name exactly as the Sage ODBC driver shows it, or null for "
                    "an optional field this site does not have.",
                )
    contract, item = mapping.columns["contract"], mapping.columns["contract_item"]
    if all(c.get(f) is None for c in (contract, item) for f in ("approval_date", "status")):
        raise ConfigurationError(
            "sage.mapping: no approval_date or status is mapped on contract or contract_item, so "
            "the app cannot tell approved contracts from unapproved ones.",
            fix="Map at least one of them to a Sage column (contract_item.approval_date is "
            "Approval_Date in Sage's Contracts module).",
        )
    if contract.get("job") is None and item.get("job") is None:
        raise ConfigurationError(
            "sage.mapping: neither contract.columns.job nor contract_item.columns.job is mapped, "
            "so no contract would belong to a job.",
            fix="Map contract_item.columns.job (Sage picks the job on each contract item).",
        )
