"""Procore's answers as typed, frozen records: project, prime contract, line item, tool permission.

Parsed from the JSON the REST API returns (field names as in Procore's OAS), keeping only what
this app reads; money and quantities become Decimal, never float. A value of the wrong kind is
refused with ProcoreDataError naming the record and the field, so a changed API is seen at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sage_sync_desktop.errors import ProcoreError
from sage_sync_desktop.procore.permissions import AccessLevel


class ProcoreDataError(ProcoreError):
    """Procore answered with a record this app cannot read (a field missing or of another kind)."""


def _id(raw: Mapping[str, Any], key: str, what: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise ProcoreDataError(f"Procore sent a {what} without a numeric {key} ({value!r}).")
    return int(value)


def _optional_id(raw: Mapping[str, Any], key: str, what: str) -> int | None:
    return None if raw.get(key) in (None, "") else _id(raw, key, what)


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value)


def _decimal(raw: Mapping[str, Any], key: str, what: str) -> Decimal | None:
    """Procore sends amounts as strings ("1000.0") or numbers; None when absent or empty."""
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ProcoreDataError(f"Procore sent a {what} whose {key} is not a number ({value!r}).")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ProcoreDataError(f"Procore sent a {what} whose {key} is not a number ({value!r}).") from None
    if not number.is_finite():
        raise ProcoreDataError(f"Procore sent a {what} whose {key} is not a number ({value!r}).")
    return number


@dataclass(frozen=True)
class ProcoreProject:
    project_id: int
    name: str
    project_number: str
    origin_id: str | None  # the Sage job it is linked to, as this app wrote it
    active: bool

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ProcoreProject:
        return cls(
            project_id=_id(raw, "id", "project"),
            name=_text(raw, "name") or _text(raw, "display_name"),
            project_number=_text(raw, "project_number"),
            origin_id=raw.get("origin_id") or None,
            active=bool(raw.get("active", True)),
        )


@dataclass(frozen=True)
class PrimeContract:
    prime_contract_id: int
    number: str
    title: str
    status: str  # "Draft", "Approved", ...
    executed: bool
    origin_id: str | None  # the Sage contract, as this app wrote it
    updated_at: str
    grand_total: Decimal | None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PrimeContract:
        return cls(
            prime_contract_id=_id(raw, "id", "prime contract"),
            number=_text(raw, "number"),
            title=_text(raw, "title"),
            status=_text(raw, "status"),
            executed=bool(raw.get("executed", False)),
            origin_id=raw.get("origin_id") or None,
            updated_at=_text(raw, "updated_at"),
            grand_total=_decimal(raw, "grand_total", "prime contract"),
        )


@dataclass(frozen=True)
class LineItem:
    line_item_id: int
    origin_id: str | None  # the Sage contract item, for lines this app wrote
    description: str
    amount: Decimal
    quantity: Decimal | None
    unit_cost: Decimal | None
    uom: str
    cost_code: str  # the budget code's full code, "" when none
    cost_code_id: int | None
    updated_at: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> LineItem:
        code = raw.get("cost_code")
        full_code = ""
        if isinstance(code, Mapping):
            full_code = _text(code, "full_code") or _text(code, "code")
        cost_code_id = _optional_id(raw, "cost_code_id", "line item")
        if cost_code_id is None and isinstance(code, Mapping) and code.get("id") not in (None, ""):
            cost_code_id = _id(code, "id", "line item's cost code")
        return cls(
            line_item_id=_id(raw, "id", "line item"),
            origin_id=raw.get("origin_id") or None,
            description=_text(raw, "description"),
            amount=_decimal(raw, "amount", "line item") or Decimal("0"),
            quantity=_decimal(raw, "quantity", "line item"),
            unit_cost=_decimal(raw, "unit_cost", "line item"),
            uom=_text(raw, "uom"),
            cost_code=full_code,
            cost_code_id=cost_code_id,
            updated_at=_text(raw, "updated_at"),
        )


@dataclass(frozen=True)
class ToolPermission:
    """The signed-in user's level on one company or project tool."""

    tool: str  # Procore's friendly name, e.g. "Prime Contracts"
    level: AccessLevel

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ToolPermission:
        access = raw.get("user_access_level")
        level = access.get("name") if isinstance(access, Mapping) else None
        return cls(tool=_text(raw, "friendly_name") or _text(raw, "name"),
                   level=AccessLevel.from_name(str(level or "None")))


def tool_permissions(body: Mapping[str, Any] | None) -> tuple[ToolPermission, ...]:
    """Every tool in a /settings/permissions answer ({"tools": [...]}); a tool that is switched off
    or absent is not listed there at all."""
    tools = (body or {}).get("tools") or []
    return tuple(ToolPermission.from_json(tool) for tool in tools if isinstance(tool, Mapping))
