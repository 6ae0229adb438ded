"""Sage records and Procore line dicts built directly, for tests that need neither side running."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sage_sync_desktop.sage.records import DataProblem, SageContract, SageContractItem
from sage_sync_desktop.procore.records import LineItem
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.line_values import line_payload


def item(number: str, amount: str, description: str = "", **extra) -> SageContractItem:
    return SageContractItem(
        contract_key=extra.pop("contract_key", "  1001"),
        key=extra.pop("key", number.rjust(10)),
        number=number,
        description=description or f"Item {number}",
        amount=Decimal(amount),
        **extra,
    )


def contract(number: str = "1001", items=(), *, approved: bool = True, job: str | None = "  1001",
             problems: tuple[DataProblem, ...] = (), description: str = "Tower owner contract",
             retainage: str | None = "10") -> SageContract:
    return SageContract(
        key=number.rjust(10),
        number=number,
        job_key=job,
        description=description,
        customer_key="C1",
        status="Open",
        approved=approved,
        approval_date=date(2026, 1, 20) if approved else None,
        contract_date=date(2026, 1, 15),
        retainage_percent=Decimal(retainage) if retainage is not None else None,
        items=tuple(items),
        problems=problems,
    )


def procore_line(contract_record: SageContract, sage_item: SageContractItem, line_id: int, **overrides) -> LineItem:
    """A line as Procore returns it after this app wrote it (amounts as Procore spells them)."""
    payload = line_payload(contract_record, sage_item)
    line = {
        "id": line_id,
        "origin_id": payload["origin_id"],
        "origin_data": payload["origin_data"],
        "description": payload["description"],
        "amount": str(Decimal(payload["amount"]).normalize()) if "." in payload["amount"] else payload["amount"] + ".0",
        "quantity": payload.get("quantity"),
        "unit_cost": payload.get("unit_cost"),
        "uom": payload.get("uom"),
        "cost_code": None,
    }
    line.update(overrides)
    return LineItem.from_json(line)


def hand_made_line(line_id: int, amount: str, description: str = "Owner allowance", origin_id=None) -> LineItem:
    return LineItem.from_json({"id": line_id, "origin_id": origin_id, "origin_data": None, "description": description,
                               "amount": amount, "quantity": None, "unit_cost": None, "uom": None,
                               "cost_code": {"id": 5, "full_code": "01-100"}})


def item_id(contract_number: str, item_number: str) -> str:
    return origin_ids.item_origin_id(contract_number, item_number)
