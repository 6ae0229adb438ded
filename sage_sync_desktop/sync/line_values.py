"""One schedule-of-values line as comparable values, from either side, and what is sent to Procore.

Procore answers money as strings such as "250000.0" (procore.records parses them to Decimal) and
leaves quantity, unit cost and unit of measure empty when they were never set; both sides are
brought to the same normal form here so the diff compares values, not spellings.

Cost code and category: Procore's line takes a `cost_code_id` from the project's own budget code
list, which PMs fill in after an import; by default this app never writes it (the opt-in setting
sync.cost_codes = "match" adds it to new lines and to lines whose Sage cost code changed, see
cost_code_match.py; it is never compared here). The Sage cost code and
category travel in the line's `origin_data` together with every value this app wrote, so a
change of cost code in Sage is still seen, a budget code set by a PM in Procore is not an edit,
and "what this app last wrote" survives even when the local history is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sage_sync_desktop.procore.records import LineItem
from sage_sync_desktop.sage.records import SageContract, SageContractItem
from sage_sync_desktop.sync import origin_ids

CENT = Decimal("0.01")
ORIGIN_DATA_APP = "sage-sync-desktop"
# The fields this app writes and therefore checks for edits made in Procore.
WRITTEN_FIELDS = ("description", "amount", "quantity", "unit_cost", "uom")
# Every field the diff compares (cost code and category only through origin_data, see above).
COMPARED_FIELDS = (*WRITTEN_FIELDS, "cost_code", "category")


def to_decimal(value: Any) -> Decimal | None:
    """A Decimal from what Procore or the history holds; None for empty or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def to_cents(value: Any) -> Decimal:
    number = to_decimal(value)
    return (number if number is not None else Decimal(0)).quantize(CENT)


def lines_total(lines: Iterable[LineItem]) -> Decimal:
    """The total of Procore lines in cents."""
    return sum((to_cents(line.amount) for line in lines), Decimal("0.00"))


def money_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(CENT):f}"


def number_text(value: Decimal | None) -> str:
    """A quantity or unit cost without trailing zeros ("1200", "12.5"); "" for none."""
    if value is None:
        return ""
    normal = value.normalize()
    text = f"{normal:f}"
    return text if text != "-0" else "0"


@dataclass(frozen=True, slots=True)  # several per line in a refresh
class LineValues:
    """One line in normal form. Quantity and unit cost of zero count as not set."""

    description: str
    amount: Decimal
    quantity: Decimal | None = None
    unit_cost: Decimal | None = None
    uom: str = ""
    cost_code: str = ""
    category: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "description", (self.description or "").strip())
        object.__setattr__(self, "amount", to_cents(self.amount))
        for name in ("quantity", "unit_cost"):
            number = to_decimal(getattr(self, name))
            object.__setattr__(self, name, None if number is None or number == 0 else number)
        for name in ("uom", "cost_code", "category"):
            object.__setattr__(self, name, (getattr(self, name) or "").strip())

    def text(self, field: str) -> str:
        value = getattr(self, field)
        if field == "amount":
            return money_text(value)
        if field in ("quantity", "unit_cost"):
            return number_text(value)
        return str(value)

    def as_json(self) -> dict[str, str]:
        return {name: self.text(name) for name in COMPARED_FIELDS}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> LineValues:
        return cls(
            description=str(raw.get("description") or ""),
            amount=to_cents(raw.get("amount")),
            quantity=to_decimal(raw.get("quantity")),
            unit_cost=to_decimal(raw.get("unit_cost")),
            uom=str(raw.get("uom") or ""),
            cost_code=str(raw.get("cost_code") or ""),
            category=str(raw.get("category") or ""),
        )

    def written_part(self) -> tuple[object, ...]:
        """The values Procore shows and a PM can edit."""
        return tuple(getattr(self, name) for name in WRITTEN_FIELDS)

    def differences(self, other: LineValues) -> list[str]:
        return [name for name in COMPARED_FIELDS if getattr(self, name) != getattr(other, name)]


def sage_values(item: SageContractItem) -> LineValues:
    return LineValues(
        description=item.description,
        amount=item.amount,
        quantity=item.quantity,
        unit_cost=item.unit_price,
        uom=item.unit,
        cost_code=item.cost_code,
        category=item.category,
    )


def origin_data_of(line: LineItem) -> dict[str, Any] | None:
    """This app's record inside a Procore line's origin_data, or None."""
    raw = line.origin_data
    if raw is None or not raw.startswith("{"):
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if isinstance(data, dict) and data.get("app") == ORIGIN_DATA_APP:
        return data
    return None


def procore_values(line: LineItem) -> LineValues:
    """A Procore line in normal form."""
    return procore_and_recorded(line)[0]


def procore_and_recorded(line: LineItem) -> tuple[LineValues, dict[str, Any] | None]:
    """The line in normal form, and the raw values this app recorded writing into it
    (origin_data "written"; LineValues.from_json makes them comparable), reading origin_data once."""
    recorded = origin_data_of(line)
    written = recorded.get("written") if recorded else None
    if isinstance(written, dict):
        cost_code = str(written.get("cost_code") or "")
        category = str(written.get("category") or "")
    else:
        cost_code, category = line.cost_code, ""
    current = LineValues(
        description=line.description,
        amount=line.amount,
        quantity=line.quantity,
        unit_cost=line.unit_cost,
        uom=line.uom,
        cost_code=cost_code,
        category=category,
    )
    return current, (written if isinstance(written, dict) else None)


def line_payload(
    contract: SageContract, item: SageContractItem, current: LineValues | None = None
) -> dict[str, Any]:
    """One entry of `line_items/sync` `updates`: upserted by origin_id.

    Quantity, unit cost and unit of measure are only sent when set, except that a value Procore
    holds (`current`) which Sage no longer has is cleared with null; otherwise the line would
    stay different from Sage forever.
    """
    values = sage_values(item)
    payload: dict[str, Any] = {
        "origin_id": origin_ids.item_origin_id(contract.number, item.number),
        "description": values.description,
        "amount": money_text(values.amount),
    }
    if values.quantity is not None:
        payload["quantity"] = number_text(values.quantity)
    if values.unit_cost is not None:
        payload["unit_cost"] = number_text(values.unit_cost)
    if values.uom:
        payload["uom"] = values.uom
    if current is not None:
        for name in ("quantity", "unit_cost", "uom"):
            if name not in payload and getattr(current, name):
                payload[name] = None
    payload["origin_data"] = json.dumps(
        {
            "app": ORIGIN_DATA_APP,
            "v": 1,
            "contract": contract.number,
            "item": item.number,
            "written": values.as_json(),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return payload
