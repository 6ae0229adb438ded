"""Procore's answers as typed, frozen records: project, prime contract, line item, tool permission,
the signed-in user, company, cost code, unit of measure and the items a line sync refused.

Parsed from the JSON the REST API returns (field names as in Procore's OAS), keeping only what
this app reads; money and quantities become Decimal, never float. A value of the wrong kind is
refused with ProcoreDataError naming the record and the field, so a changed API is seen at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sage_sync_desktop.errors import ProcoreError
from sage_sync_desktop.procore.errors import sync_error_text
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


def _id_if_any(raw: Mapping[str, Any], key: str) -> int | None:
    """An id where one is only informative (who is signed in, which line a refusal names)."""
    value = raw.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value)


def _optional_text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return None if value in (None, "") else str(value)


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


@dataclass(frozen=True, slots=True)
class ProcoreProject:
    project_id: int
    name: str
    project_number: str
    origin_id: str | None  # the Sage job it is linked to, as this app wrote it
    active: bool
    origin_code: str | None = None  # the job number beside the link, as this app wrote it

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ProcoreProject:
        return cls(
            project_id=_id(raw, "id", "project"),
            name=_text(raw, "name") or _text(raw, "display_name"),
            project_number=_text(raw, "project_number"),
            origin_id=_optional_text(raw, "origin_id"),
            active=bool(raw.get("active", True)),
            origin_code=_optional_text(raw, "origin_code"),
        )


# Header fields of a prime contract this app compares with Sage and writes (contract_payload).
HEADER_FIELDS = ("number", "title", "contract_date", "approval_letter_date", "retainage_percent")


@dataclass(frozen=True, slots=True)  # tens of thousands in a refresh
class LineItem:
    """One schedule-of-values line of a prime contract, with the fields this app reads."""

    line_item_id: int
    origin_id: str | None  # the Sage contract item, for lines this app wrote
    origin_data: str | None  # this app's record of what it wrote (JSON text), or another's
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
        elif isinstance(code, str):
            full_code = code
        cost_code_id = _optional_id(raw, "cost_code_id", "line item")
        if cost_code_id is None and isinstance(code, Mapping) and code.get("id") not in (None, ""):
            cost_code_id = _id(code, "id", "line item's cost code")
        return cls(
            line_item_id=_id(raw, "id", "line item"),
            origin_id=_optional_text(raw, "origin_id"),
            origin_data=_optional_text(raw, "origin_data"),
            description=_text(raw, "description"),
            amount=_decimal(raw, "amount", "line item") or Decimal("0"),
            quantity=_decimal(raw, "quantity", "line item"),
            unit_cost=_decimal(raw, "unit_cost", "line item"),
            uom=_text(raw, "uom"),
            cost_code=full_code,
            cost_code_id=cost_code_id,
            updated_at=_text(raw, "updated_at"),
        )

    def to_json(self) -> dict[str, Any]:
        """The line in Procore's own shape (what from_json reads back), for the local cache."""
        return {
            "id": self.line_item_id, "origin_id": self.origin_id, "origin_data": self.origin_data,
            "description": self.description, "amount": str(self.amount),
            "quantity": None if self.quantity is None else str(self.quantity),
            "unit_cost": None if self.unit_cost is None else str(self.unit_cost), "uom": self.uom,
            "cost_code": {"full_code": self.cost_code} if self.cost_code else None,
            "cost_code_id": self.cost_code_id, "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class PrimeContract:
    """A prime contract as a list row or a shown contract (which also carries its lines)."""

    prime_contract_id: int
    number: str
    title: str
    status: str  # "Draft", "Approved", ...; "" when the answer does not say
    executed: bool
    origin_id: str | None  # the Sage contract, as this app wrote it
    updated_at: str
    contract_date: str  # as Procore sent it ("" for none)
    approval_letter_date: str
    retainage_percent: Decimal | None
    grand_total: Decimal | None
    revised_contract_amount: Decimal | None = None
    original_contract_amount: Decimal | None = None
    line_items_total: Decimal | None = None  # a shown contract's total of its lines
    line_items: tuple[LineItem, ...] | None = None  # a shown contract's lines; None in list rows
    # Which HEADER_FIELDS the answer carried: a field it left out is not compared, not "empty".
    fields_present: frozenset[str] = frozenset(HEADER_FIELDS)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PrimeContract:
        what = "prime contract"
        lines = raw.get("line_items")
        if lines is not None and not isinstance(lines, list):
            raise ProcoreDataError(f"Procore sent a {what} whose line_items is not a list.")
        return cls(
            prime_contract_id=_id(raw, "id", what),
            number=_text(raw, "number"),
            title=_text(raw, "title"),
            status=_text(raw, "status"),
            executed=bool(raw.get("executed", False)),
            origin_id=_optional_text(raw, "origin_id"),
            updated_at=_text(raw, "updated_at"),
            contract_date=_text(raw, "contract_date"),
            approval_letter_date=_text(raw, "approval_letter_date"),
            retainage_percent=_decimal(raw, "retainage_percent", what),
            grand_total=_decimal(raw, "grand_total", what),
            revised_contract_amount=_decimal(raw, "revised_contract_amount", what),
            original_contract_amount=_decimal(raw, "original_contract_amount", what),
            line_items_total=_decimal(raw, "line_items_total", what),
            line_items=None if lines is None else tuple(
                LineItem.from_json(line) for line in lines if isinstance(line, Mapping)),
            fields_present=frozenset(name for name in HEADER_FIELDS if name in raw),
        )

    def header_value(self, name: str) -> str | Decimal | None:
        """One of HEADER_FIELDS by its API name."""
        if name not in HEADER_FIELDS:
            raise KeyError(name)
        value: str | Decimal | None = getattr(self, name)
        return value

    def without_lines(self) -> PrimeContract:
        return replace(self, line_items=None, line_items_total=None)


@dataclass(frozen=True)
class SyncItemError:
    """One item Procore refused in a line_items/sync answer, with Procore's words."""

    origin_id: str | None
    line_item_id: int | None
    text: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> SyncItemError:
        return cls(origin_id=_optional_text(raw, "origin_id"), line_item_id=_id_if_any(raw, "id"),
                   text=sync_error_text(raw))


@dataclass(frozen=True)
class LineItemSyncResult:
    """What line_items/sync answered over one or more chunks: lines written, items refused."""

    entities: tuple[LineItem, ...]
    errors: tuple[SyncItemError, ...]
    requests: int = 0


@dataclass(frozen=True)
class SignedInUser:
    """/me: who the token belongs to."""

    user_id: int
    login: str
    name: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> SignedInUser:
        return cls(user_id=_id_if_any(raw, "id") or 0, login=_text(raw, "login"), name=_text(raw, "name"))

    @property
    def label(self) -> str:
        """The login, else the name ("" when Procore sent neither)."""
        return self.login or self.name


@dataclass(frozen=True)
class ProcoreCompany:
    company_id: int
    name: str
    active: bool

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ProcoreCompany:
        return cls(company_id=_id(raw, "id", "company"), name=_text(raw, "name"),
                   active=bool(raw.get("is_active", True)))


@dataclass(frozen=True)
class CostCode:
    """One of a project's cost codes (budget codes)."""

    cost_code_id: int
    full_code: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CostCode:
        return cls(cost_code_id=_id(raw, "id", "cost code"), full_code=_text(raw, "full_code").strip())


@dataclass(frozen=True)
class UnitOfMeasure:
    name: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> UnitOfMeasure:
        return cls(name=_text(raw, "name"))


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
