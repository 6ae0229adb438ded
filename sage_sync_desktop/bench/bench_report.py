"""The benchmark's figures, its targets met or not, as a printed table and as JSON."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCAN_RATIO_TARGET = 1.5
GUI_STALL_TARGET_MS = 100.0
PEAK_RSS_TARGET_MB = 300.0
# "Far fewer" requests for a second refresh of an unchanged company: at most this share.
INCREMENTAL_SHARE_TARGET = 0.5
REIMPORT_LINES = 500
# Under Procore's rate limits and 100 ms per request (docs/procore-connection.md has the formulas).
INCREMENTAL_SECONDS_TARGET = 60.0
FIRST_ROWS_TARGET_SECONDS = 3.0
REFRESH_SLACK_REQUESTS = 10  # the per-refresh fixed requests, with room to spare
IMPORT_REQUESTS_PER_CONTRACT = 4  # create, lines, approve, the project's permission


def reimport_request_budget(lines: int = REIMPORT_LINES) -> int:
    """At most one line_items/sync per 1000 lines plus three calls around them."""
    return math.ceil(lines / 1000) + 3


@dataclass(frozen=True)
class Target:
    key: str
    description: str
    check: Callable[[dict[str, Any]], bool | None]  # None: not measured in this run


def _number(result: dict[str, Any], key: str) -> float | None:
    value = result.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _at_most(key: str, limit: float) -> Callable[[dict[str, Any]], bool | None]:
    def check(result: dict[str, Any]) -> bool | None:
        value = _number(result, key)
        return None if value is None else value <= limit

    return check


def _below(key: str, limit: float) -> Callable[[dict[str, Any]], bool | None]:
    def check(result: dict[str, Any]) -> bool | None:
        value = _number(result, key)
        return None if value is None else value < limit

    return check


def _incremental_is_cheaper(result: dict[str, Any]) -> bool | None:
    full = _number(result, "full_refresh_requests")
    incremental = _number(result, "incremental_refresh_requests")
    full_s = _number(result, "full_refresh_seconds")
    incremental_s = _number(result, "incremental_refresh_seconds")
    if None in (full, incremental, full_s, incremental_s) or not full:
        return None
    return incremental <= full * INCREMENTAL_SHARE_TARGET and incremental_s < full_s


def _size(result: dict[str, Any], key: str) -> float | None:
    value = (result.get("size") or {}).get(key)
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _refresh_budget(key: str, *, with_contracts: bool) -> Callable[[dict[str, Any]], bool | None]:
    """Requests <= linked projects (+ contracts already in Procore) + the slack."""
    def check(result: dict[str, Any]) -> bool | None:
        value, linked, imported = _number(result, key), _size(result, "linked_projects"), _size(result, "imported")
        if value is None or linked is None or imported is None:
            return None
        return value <= linked + (imported if with_contracts else 0) + REFRESH_SLACK_REQUESTS

    return check


def _import_budget(result: dict[str, Any]) -> bool | None:
    """4 per contract, plus the company's permission checked once for the batch."""
    requests, contracts = _number(result, "bulk_import_requests"), _number(result, "bulk_import_contracts")
    if requests is None or not contracts:
        return None
    return requests <= IMPORT_REQUESTS_PER_CONTRACT * contracts + 1


def _none_rate_limited(result: dict[str, Any]) -> bool | None:
    value = _number(result, "rate_limited_responses")
    return None if value is None else value == 0


TARGETS = (
    Target("scan_ratio", f"Sage read <= {SCAN_RATIO_TARGET}x bare cursor.fetchall()",
           _at_most("scan_ratio", SCAN_RATIO_TARGET)),
    Target("reimport_500_lines_requests",
           f"re-import of {REIMPORT_LINES} changed lines <= {reimport_request_budget()} requests",
           _at_most("reimport_500_lines_requests", reimport_request_budget())),
    Target("incremental_refresh_requests",
           f"second refresh <= {INCREMENTAL_SHARE_TARGET:.0%} of the first's requests and faster",
           _incremental_is_cheaper),
    Target("gui_max_stall_ms", f"longest GUI stall < {GUI_STALL_TARGET_MS:.0f} ms",
           _below("gui_max_stall_ms", GUI_STALL_TARGET_MS)),
    Target("peak_rss_mb", f"peak memory of the scan < {PEAK_RSS_TARGET_MB:.0f} MB",
           _below("peak_rss_mb", PEAK_RSS_TARGET_MB)),
    Target("incremental_refresh_request_budget",
           f"second refresh <= linked projects + {REFRESH_SLACK_REQUESTS} requests",
           _refresh_budget("incremental_refresh_requests", with_contracts=False)),
    Target("full_refresh_request_budget",
           f"first refresh <= linked projects + contracts in Procore + {REFRESH_SLACK_REQUESTS} requests",
           _refresh_budget("full_refresh_requests", with_contracts=True)),
    Target("import_requests_per_contract",
           f"import in a batch <= {IMPORT_REQUESTS_PER_CONTRACT} requests per contract + 1 per batch",
           _import_budget),
    Target("rate_limited_responses", "no 429 (rate limited) answer in the whole bench", _none_rate_limited),
    Target("incremental_refresh_seconds", f"second refresh <= {INCREMENTAL_SECONDS_TARGET:.0f} s",
           _at_most("incremental_refresh_seconds", INCREMENTAL_SECONDS_TARGET)),
    Target("gui_first_rows_seconds", f"window lists Sage's rows within {FIRST_ROWS_TARGET_SECONDS:.0f} s",
           _at_most("gui_first_rows_seconds", FIRST_ROWS_TARGET_SECONDS)),
)


def evaluate_targets(result: dict[str, Any]) -> dict[str, str]:
    """{key: "met" | "not met" | "not measured"} for every target."""
    verdicts = {}
    for target in TARGETS:
        outcome = target.check(result)
        verdicts[target.key] = "not measured" if outcome is None else ("met" if outcome else "not met")
    return verdicts


# (key, label, unit) in the order the table prints them.
ROWS = (
    ("sage_read_seconds", "Sage read (reader, ODBC)", "s"),
    ("bare_fetch_seconds", "Bare cursor.fetchall() of the same rows", "s"),
    ("scan_ratio", "Sage read / bare fetch", "x"),
    ("scan_seconds", "Scan: Sage + Procore + classification", "s"),
    ("full_refresh_seconds", "Full refresh", "s"),
    ("full_refresh_requests", "Full refresh, Procore requests", ""),
    ("incremental_refresh_seconds", "Second refresh (unchanged)", "s"),
    ("incremental_refresh_requests", "Second refresh, Procore requests", ""),
    ("reimport_500_lines_requests", f"Re-import of {REIMPORT_LINES} changed lines, requests", ""),
    ("reimport_500_lines_one_per_line_requests", "  the same at one request per line", ""),
    ("reimport_500_lines_seconds", f"Re-import of {REIMPORT_LINES} changed lines", "s"),
    ("bulk_import_seconds_per_contract", "Import in one batch, per contract", "s"),
    ("import_requests_per_contract", "Import in one batch, requests per contract", ""),
    ("rate_limited_responses", "Rate-limited (429) answers, whole bench", ""),
    ("hourly_budget_share_incremental", "Second refresh, share of the hourly limit", "%"),
    ("gui_first_rows_seconds", "Window: first rows visible", "s"),
    ("gui_max_stall_ms", "Window: longest event-loop stall", "ms"),
    ("peak_rss_mb", "Peak resident memory of the scan", "MB"),
    ("startup_seconds", "Frozen app: launch to window shown", "s"),
)


def _format_value(value: Any, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "%" and isinstance(value, (int, float)):
        text = f"{value * 100:.1f}"  # a share, printed as a percentage
    elif isinstance(value, float):
        text = f"{value:.3f}" if unit in ("s", "x") else f"{value:.1f}"
    else:
        text = str(value)
    return f"{text} {unit}".rstrip()


def format_table(result: dict[str, Any]) -> str:
    verdicts = evaluate_targets(result)
    lines = []
    size = result.get("size", {})
    if size:
        lines.append(
            f"Company: {size.get('contracts')} contracts x {size.get('items_per_contract')} items "
            f"= {size.get('items')} items, {size.get('jobs')} jobs; "
            f"{size.get('imported')} already in Procore ({size.get('pending_changes')} with changes)"
        )
    procore = result.get("procore", {})
    if procore:
        lines.append(f"Procore sandbox: {procore.get('latency_ms')} ms per request, rate limits "
                     f"{procore.get('rate_limit')} (per hour/per 10 s; hourly window fresh per measurement)")
    machine = result.get("machine", {})
    if machine:
        lines.append(
            f"Machine: {machine.get('cpu_count')} x {machine.get('cpu_model')}, "
            f"Python {machine.get('python')}, {machine.get('platform')}"
        )
    width = max(len(label) for _, label, _ in ROWS)
    lines.append("")
    for key, label, unit in ROWS:
        verdict = verdicts.get(key, "")
        suffix = f"  [{verdict}]" if verdict and verdict != "not measured" else ""
        lines.append(f"{label:<{width}}  {_format_value(result.get(key), unit):>12}{suffix}")
    lines.append("")
    lines.append("Targets:")
    for target in TARGETS:
        lines.append(f"  {verdicts[target.key]:>12}  {target.description}")
    for note in result.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


def write_json(result: dict[str, Any], path: Path) -> None:
    """Write atomically so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
