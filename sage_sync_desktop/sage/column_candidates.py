"""Which of a table's actual columns most likely holds a field the mapping could not find.

In Sage's legacy (custom) naming mode column names follow each site's own field names, so a
default name can be missing while the data is there under another name. Each actual column is
scored by name similarity with the expected name and known aliases (Sage's screens call the item
amount "Scheduled Value"), and by how well the driver's type fits the field. The score only
ranks; a person (or `check-sage --use-candidates`, which takes only a close match) decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from types import MappingProxyType

# Other names sites or Sage's screens use for a field (besides the preset's own name).
ALIASES: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType({
    ("contract_item", "amount"): ("Scheduled_Value", "Original_Scheduled_Value", "Original_Contract_Total",
                                  "Contract_Amount", "Amount"),
    ("contract_item", "item"): ("Item", "Item_Number", "Contract_Item"),
    ("contract_item", "description"): ("Item_Description", "Desc"),
    ("contract_item", "quantity"): ("Quantity", "Qty", "Units"),
    ("contract_item", "unit_price"): ("Unit_Cost", "Price", "Unit_Price"),
    ("contract_item", "unit"): ("Unit_of_Measure", "UOM", "UM", "Unit"),
    ("contract_item", "status"): ("Item_Status", "Approval_Status"),
    ("contract_item", "approval_date"): ("Date_Approved", "Approved_Date", "Approved"),
    ("contract_item", "job"): ("Job_Number",),
    ("contract", "approval_date"): ("Approval_Date", "Approved_Date", "Approved"),
    ("contract", "contract_date"): ("Date", "Contract_Dt"),
    ("contract", "retainage_percent"): ("Retainage_Pct", "Retention_Percent", "Retainage"),
    ("contract", "customer"): ("AR_Customer", "Customer_Number"),
    ("contract", "description"): ("Contract_Description", "Title"),
    ("job", "customer"): ("Customer", "AR_Customer"),
    ("customer", "name"): ("Customer_Name",),
})

# What the driver's type name says about a column: money/number, date or text fields.
_NUMBER_FIELDS = frozenset({"amount", "quantity", "unit_price", "retainage_percent"})
_DATE_FIELDS = frozenset({"approval_date", "contract_date"})
_NUMBER_TYPES = frozenset({"decimal", "float", "int"})
_DATE_TYPES = frozenset({"date", "datetime"})
# A best candidate must score at least this to be written without a person choosing it.
CLOSE_MATCH = 0.75
_NAME_WEIGHT = 0.8


@dataclass(frozen=True)
class Candidate:
    column: str
    score: float  # 0..1, higher is likelier


def _folded(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def type_name(type_code: object) -> str | None:
    """`str`, `Decimal`, `date`... from a cursor description's type code (a type, or its name
    as the 32-bit bridge sends it); None when the driver gives none (Python's sqlite3)."""
    if type_code is None:
        return None
    name = type_code if isinstance(type_code, str) else getattr(type_code, "__name__", None)
    return name.lower() if isinstance(name, str) else None


def _type_fit(field: str, kind: str | None) -> float:
    if kind is None:
        return 0.5
    if field in _NUMBER_FIELDS:
        return 1.0 if kind in _NUMBER_TYPES else 0.5 if kind == "str" else 0.0
    if field in _DATE_FIELDS:
        return 1.0 if kind in _DATE_TYPES else 0.5 if kind == "str" else 0.0
    return 1.0 if kind == "str" else 0.3


def _name_score(column: str, names: Sequence[str]) -> float:
    folded = _folded(column)
    return max(SequenceMatcher(None, folded, _folded(name)).ratio() for name in names)


def rank(logical: str, field: str, expected: str, columns: Sequence[tuple[str, str | None]],
         taken: Iterable[str] = ()) -> tuple[Candidate, ...]:
    """The table's columns, best first. `columns` is (name, type name); `taken` are columns
    other mapped fields already use (ranked after the rest)."""
    names = (expected, *ALIASES.get((logical, field), ()))
    used = {_folded(c) for c in taken}
    scored = []
    for column, kind in columns:
        score = _NAME_WEIGHT * _name_score(column, names) + (1 - _NAME_WEIGHT) * _type_fit(field, kind)
        scored.append((_folded(column) in used, -score, column, Candidate(column, round(score, 3))))
    return tuple(item[-1] for item in sorted(scored))


def best(candidates: Sequence[Candidate]) -> str | None:
    """The first candidate if it is a close match, else None (nothing is guessed)."""
    if candidates and candidates[0].score >= CLOSE_MATCH:
        return candidates[0].column
    return None
