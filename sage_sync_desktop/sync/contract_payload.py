"""The prime contract header this app writes, and how Procore's copy differs from Sage's.

The title is the Sage description (the contract number when that is blank). The Sage approval
date becomes Procore's approval letter date. A contract is created as Draft and set Approved
once its lines are in, because Procore blocks schedule-of-values edits on Approved contracts by
default; so a Draft contract carrying our origin id is an interrupted import, and the header
diff reports "status Draft -> Approved" to finish it. Any other Procore status (Complete,
Terminated, ...) is the PM's business and is never changed.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from sage_sync_desktop.procore.records import PrimeContract
from sage_sync_desktop.sage.records import SageContract
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.line_values import ORIGIN_DATA_APP, number_text, to_decimal
from sage_sync_desktop.sync.records import FieldChange

DRAFT = "Draft"
APPROVED = "Approved"
# Procore does not publish these limits; 255 is the usual string column size.
MAX_TITLE_LENGTH = 255
MAX_NUMBER_LENGTH = 255


def title_of(contract: SageContract) -> str:
    return contract.description.strip() or contract.number


def _date_text(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _retainage_text(value: Decimal | None) -> str:
    return number_text(value) if value is not None else ""


def header_fields(contract: SageContract) -> dict[str, Any]:
    """The fields compared and written on every import and re-import."""
    fields: dict[str, Any] = {
        "number": contract.number,
        "title": title_of(contract),
    }
    if contract.contract_date is not None:
        fields["contract_date"] = _date_text(contract.contract_date)
    if contract.approval_date is not None:
        fields["approval_letter_date"] = _date_text(contract.approval_date)
    if contract.retainage_percent is not None:
        fields["retainage_percent"] = _retainage_text(contract.retainage_percent)
    return fields


def create_fields(contract: SageContract) -> dict[str, Any]:
    """The body of the Draft prime contract made by an import."""
    job = contract.job_number or ""
    return {
        **header_fields(contract),
        "status": DRAFT,
        "accounting_method": "amount",
        "description": f"Imported from Sage 300 CRE: contract {contract.number}, job {job}.",
        "origin_id": origin_ids.contract_origin_id(contract.number),
        "origin_data": json.dumps(
            {"app": ORIGIN_DATA_APP, "v": 1, "contract": contract.number, "job": job},
            sort_keys=True,
            separators=(",", ":"),
        ),
    }


def approve_fields() -> dict[str, Any]:
    return {"status": APPROVED, "executed": True}


def _same(name: str, procore_value: str | Decimal | None, sage_value: str) -> bool:
    if name == "retainage_percent":
        return to_decimal(procore_value) == to_decimal(sage_value)
    if name.endswith("_date"):
        return str(procore_value or "")[:10] == sage_value
    return str(procore_value or "").strip() == sage_value.strip()


def header_changes(contract: SageContract, procore_contract: PrimeContract) -> tuple[FieldChange, ...]:
    """Header fields where Procore differs from Sage, plus Draft -> Approved when unfinished."""
    changes = []
    for name, wanted in header_fields(contract).items():
        if name not in procore_contract.fields_present:
            continue  # a list row without this field: nothing to compare, nothing to change
        current = procore_contract.header_value(name)
        if not _same(name, current, str(wanted)):
            text = "" if current is None else str(current)
            shown = text[:10] if name.endswith("_date") else text
            changes.append(FieldChange(name, shown, str(wanted)))
    if contract.approved and procore_contract.status == DRAFT:
        changes.append(FieldChange("status", DRAFT, APPROVED))
    return tuple(changes)


def update_fields(changes: tuple[FieldChange, ...], contract: SageContract) -> dict[str, Any]:
    """The PATCH body for the header changes other than the status."""
    wanted = header_fields(contract)
    return {change.field: wanted[change.field] for change in changes if change.field in wanted}
