"""The history as a CSV file for Excel and auditors: one row per entry, lines and retries as JSON.

Text from Sage and Procore is data, never a formula: a cell that starts with `=`, `+`, `-`, `@`,
a tab or a carriage return gets a leading apostrophe (OWASP's rule against CSV injection), so
Excel shows it as text. A cell that is only a number (`-2500.00`, `+5`) is left as it is: a
spreadsheet reads it as that number and nothing else, and amounts stay amounts for the auditor.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

from sage_sync_desktop.sync.history import HistoryEntry, canonical_json

HEADER = ["seq", "at_utc", "action", "phase", "outcome", "windows_user", "procore_user", "contract", "job",
          "project_id", "prime_contract_id", "message", "procore_error", "retries", "not_retried",
          "retry_wait_seconds", "lines", "hash"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: object) -> object:
    """The cell as a spreadsheet should see it: text that could start a formula is quoted."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def write_csv(entries: Sequence[HistoryEntry], path: Path) -> int:
    """UTF-8 with BOM so Excel reads it; returns the number of entries written."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for e in entries:
            # Retry columns stay empty for entries written before retries were recorded.
            row = [e.seq, e.at, e.action, e.phase, e.outcome, e.windows_user, e.procore_user,
                   e.contract or "", e.job or "", e.project_id or "", e.prime_contract_id or "",
                   e.message, e.procore_error,
                   canonical_json(e.data["retries"]) if "retries" in e.data else "",
                   canonical_json(e.data["gave_up"]) if "gave_up" in e.data else "",
                   e.data.get("retry_wait_seconds", ""),
                   canonical_json(list(e.lines)), e.hash]
            writer.writerow([safe_cell(cell) for cell in row])
    return len(entries)
