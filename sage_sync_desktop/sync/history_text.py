"""A history entry's line records in words, for the History tab's details pane (no JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

RESULT_WORDS = {
    "planned": "to be sent",
    "written": "written",
    "deleted": "deleted",
    "rejected": "refused by Procore",
    "not_sent": "not sent",
    "unknown": "sent, answer lost",
    "kept": "kept (edited in Procore)",
}
_FIELDS = (("description", "description"), ("amount", "amount"), ("quantity", "quantity"),
           ("unit_cost", "unit cost"), ("uom", "unit"), ("cost_code", "cost code"), ("category", "category"))
_MONEY = {"amount", "unit_cost"}


def _value(name: str, raw: object) -> str:
    text = "" if raw is None else str(raw)
    if not text:
        return "(empty)"
    if name in _MONEY:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return text
        return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"
    return text if name == "quantity" else f"\u201c{text}\u201d"


def describe_line(record: Mapping[str, Any]) -> str:
    """'Item 2: written: amount $1,000.00 → $1,200.00' (every field that differs, or the new values)."""
    item = record.get("item") or record.get("origin_id") or "?"
    result = RESULT_WORDS.get(str(record.get("result")), str(record.get("result") or ""))
    before = record.get("before") if isinstance(record.get("before"), Mapping) else None
    after = record.get("after") if isinstance(record.get("after"), Mapping) else None
    parts = []
    for name, label in _FIELDS:
        old = before.get(name) if before else None
        new = after.get(name) if after else None
        if before and after:
            if str(old or "") != str(new or ""):
                parts.append(f"{label} {_value(name, old)} \u2192 {_value(name, new)}")
        elif after and new not in (None, ""):
            parts.append(f"{label} {_value(name, new)}")
        elif before and name in ("description", "amount") and old not in (None, ""):
            parts.append(f"{label} was {_value(name, old)}")
    text = f"Item {item}: {result}"
    if parts:
        text += ": " + "; ".join(parts)
    if record.get("error"):
        text += f" (Procore said: {record['error']})"
    return text
