"""Money, dates and names as the window shows them (Qt-free helpers used by the models)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sage_sync_desktop.sync.records import ProjectRef

DASH = "\u2014"
ARROW = "\u2192"


def money(value: Decimal | None) -> str:
    """$1,234.50 and -$12.00; a dash when there is no amount (not in Procore yet)."""
    if value is None:
        return DASH
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def money_sort_key(value: Decimal | None) -> float:
    # A float keeps sorting in C++ (QSortFilterProxyModel compares doubles), which matters with
    # thousands of rows; the precision lost is far below a cent for contract-sized amounts.
    return float(value) if value is not None else float("-inf")


def project_label(project: ProjectRef | None) -> str:
    if project is None:
        return ""
    return f"{project.project_number} {project.name}".strip() if project.project_number else project.name


def timestamp(value: datetime | None) -> str:
    if value is None:
        return "never"
    return value.strftime("%Y-%m-%d %H:%M")


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural_word or word + 's')}"
