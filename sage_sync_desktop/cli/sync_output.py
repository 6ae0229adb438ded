"""How the sync commands print: JSON for scripts (stable keys), plain text tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sage_sync_desktop.cli.terminal_text import printable, say
from sage_sync_desktop.sync import availability
from sage_sync_desktop.sync.history import HistoryEntry
from sage_sync_desktop.sync.line_item_diff import awaiting_text
from sage_sync_desktop.sync.records import (
    ContractDiff,
    ContractOutcome,
    ContractStatus,
    JobLinkStatus,
    LineDiff,
    ProjectLinkStatus,
)


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01')):f}"


def shown_money(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(Decimal('0.01')):,.2f}"


def write(text: str = "") -> None:
    """Print with control characters and bidi marks escaped (terminal_text)."""
    say(text)


def note(text: str) -> None:
    """A line for the person running the command, on stderr (stdout may be JSON for a script)."""
    stream = sys.stderr
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write(text.encode(encoding, errors="replace").decode(encoding, errors="replace") + "\n")
    stream.flush()


def write_json(data: Any) -> None:
    # ASCII-only JSON is read the same everywhere, whatever the console's code page.
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")


def reason_json(status_or_reasons: Iterable[Any]) -> list[dict[str, str]]:
    return [{"code": r.code.value, "message": r.message, "fix": r.fix} for r in status_or_reasons]


def status_json(status: ContractStatus) -> dict[str, Any]:
    counts = status.diff.counts if status.diff is not None else None
    return {
        "contract": status.number,
        "job": status.contract.job_number,
        "description": status.contract.description,
        "approved": status.contract.approved,
        "state": status.state.value,
        "reasons": reason_json(status.reasons),
        "can_import": status.can_import,
        "can_reimport": status.can_reimport,
        "reimport_unavailable_because": reason_json(availability.reimport_unavailable_because(status)),
        "project": _project_json(status.project),
        "procore": None if status.procore is None else {
            "project_id": status.procore.project.project_id,
            "prime_contract_id": status.procore.prime_contract_id,
        },
        "procore_projects": [_project_json(p) for p in status.procore_projects],
        "diff": {
            "added": counts.added if counts else len(status.contract.items),
            "changed": counts.changed if counts else 0,
            "removed": counts.removed if counts else 0,
            "unchanged": counts.unchanged if counts else 0,
            "procore_only": counts.procore_only if counts else 0,
            "edited_in_procore": counts.edited_in_procore if counts else 0,
            "awaiting_approval": counts.awaiting_approval if counts else len(status.contract.awaiting_items),
            "header_changes": len(status.diff.header_changes) if status.diff else 0,
        },
        "sage_total": money(status.sage_total),
        "procore_total": money(status.procore_total),
    }


def _project_json(project: Any) -> dict[str, Any] | None:
    if project is None:
        return None
    return {"project_id": project.project_id, "name": project.name, "project_number": project.project_number}


def line_json(line: LineDiff) -> dict[str, Any]:
    return {
        "state": line.state.value,
        "origin_id": line.origin_id,
        "item": line.item_number,
        "description": line.description,
        "sage_amount": money(line.sage_amount),
        "procore_amount": money(line.procore_amount),
        "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in line.changes],
        "edited_in_procore": line.edited_in_procore,
        "procore_line_id": line.procore_line_id,
    }


def diff_json(status: ContractStatus, diff: ContractDiff) -> dict[str, Any]:
    counts = diff.counts
    return {
        "contract": diff.contract_number,
        "state": status.state.value,
        "counts": {"added": counts.added, "changed": counts.changed, "removed": counts.removed,
                   "unchanged": counts.unchanged, "procore_only": counts.procore_only,
                   "edited_in_procore": counts.edited_in_procore,
                   "awaiting_approval": counts.awaiting_approval},
        "header_changes": [{"field": c.field, "old": c.old, "new": c.new} for c in diff.header_changes],
        "sage_total": money(diff.sage_total),
        "procore_total_before": money(diff.procore_total_before),
        "procore_total_after": money(diff.procore_total_after),
        "lines": [line_json(line) for line in diff.lines],
    }


def outcome_json(outcome: ContractOutcome) -> dict[str, Any]:
    return {
        "contract": outcome.contract_number,
        "action": outcome.action,
        "ok": outcome.ok,
        "dry_run": outcome.dry_run,
        "cancelled": outcome.cancelled,
        "error_kind": outcome.error_kind,
        "message": outcome.message,
        "details": list(outcome.details),
        "reasons": reason_json(outcome.reasons),
        "project_id": outcome.project_id,
        "prime_contract_id": outcome.prime_contract_id,
        "requests": list(outcome.requests),
    }


def job_json(job: JobLinkStatus) -> dict[str, Any]:
    return {
        "job": job.job.number,
        "description": job.job.description,
        "linked": job.project is not None,
        "project": _project_json(job.project),
        "also_linked": [_project_json(p) for p in job.also_linked],
        "suggestions": [_project_json(p) for p in job.suggestions],
    }


def project_status_json(status: ProjectLinkStatus) -> dict[str, Any]:
    return {
        "project_id": status.project.project_id,
        "project_number": status.project.project_number,
        "name": status.project.name,
        "active": status.active,
        "linked_job": status.linked_job,
        "linked_job_in_sage": status.job_in_sage,
        "other_origin_id": status.other_origin_id or None,
        "suggested_job": status.suggested_job,
    }


_ENTRY_DATA_KEYS = ("started_seq", "retries", "gave_up", "retry_wait_seconds", "retry_events",
                    "retry_events_dropped")


def entry_json(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq, "at": entry.at, "action": entry.action, "phase": entry.phase,
        "outcome": entry.outcome, "windows_user": entry.windows_user, "procore_user": entry.procore_user,
        "contract": entry.contract, "job": entry.job, "project_id": entry.project_id,
        "prime_contract_id": entry.prime_contract_id, "message": entry.message,
        "procore_error": entry.procore_error, "lines": list(entry.lines), "hash": entry.hash,
        # What the transport retried for this contract (absent in entries written before it was
        # recorded); started_seq links a closing or "recovered" entry to its run.
        **{key: entry.data[key] for key in _ENTRY_DATA_KEYS if key in entry.data},
    }


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    # One row per line: a newline inside a cell is escaped too, so data cannot fake a row.
    rows = [[printable(cell, keep_newlines=False) for cell in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    write("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    write("  ".join("-" * w for w in widths))
    for row in rows:
        write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


BLOCKED_BY_WIDTH = 100


def bounded(text: str, width: int) -> str:
    """One line of at most `width` characters, cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def blocked_by(status: ContractStatus) -> str:
    """Every blocking rule's code, then the first one's words, within BLOCKED_BY_WIDTH; the whole
    text (every item named, with the fix) is in `status --json`."""
    if not status.reasons:
        return ""
    codes = ", ".join(dict.fromkeys(r.code.value for r in status.reasons))
    return bounded(f"{codes}: {status.reasons[0].message}", BLOCKED_BY_WIDTH)


def status_text(statuses: Sequence[ContractStatus]) -> None:
    rows = []
    for s in statuses:
        counts = s.diff.counts if s.diff else None
        diff = f"+{counts.added} ~{counts.changed} -{counts.removed}" if counts else ""
        if counts and counts.edited_in_procore:
            diff += f" !{counts.edited_in_procore}"
        awaiting = counts.awaiting_approval if counts else len(s.contract.awaiting_items)
        if awaiting:
            diff = f"{diff} {awaiting} awaiting approval".strip()
        why = blocked_by(s)
        rows.append([s.number, s.contract.job_number or "", s.state.value, shown_money(s.sage_total),
                     shown_money(s.procore_total), diff, why])
    table(["Contract", "Job", "State", "Sage total", "Procore total", "Diff", "Blocked by"], rows)
    if any(s.reasons for s in statuses):
        write("Every reason in full, with its fix: status --json")


def diff_text(status: ContractStatus, diff: ContractDiff) -> None:
    counts = diff.counts
    write(f"Contract {diff.contract_number} ({status.state.value}): {counts.added} added, {counts.changed} "
          f"changed, {counts.removed} removed, {counts.unchanged} unchanged, {counts.procore_only} "
          f"Procore-only, {counts.edited_in_procore} edited in Procore, {counts.awaiting_approval} "
          "awaiting approval in Sage")
    for change in diff.header_changes:
        write(f"  contract {change.field}: {change.old!r} -> {change.new!r}")
    rows = []
    for line in diff.lines:
        what = "; ".join(f"{c.field}: {c.old!r} -> {c.new!r}" for c in line.changes)
        flag = "EDITED IN PROCORE" if line.edited_in_procore else awaiting_text(line)
        rows.append([line.state.value, line.item_number, line.description[:40], shown_money(line.sage_amount),
                     shown_money(line.procore_amount), " ".join(filter(None, [what, flag]))])
    table(["State", "Item", "Description", "Sage", "Procore", "Changes"], rows)
    write(f"Totals: Sage {shown_money(diff.sage_total)}; Procore now {shown_money(diff.procore_total_before)}, "
          f"after Re-Import {shown_money(diff.procore_total_after)}")


def outcomes_text(outcomes: Sequence[ContractOutcome]) -> None:
    for outcome in outcomes:
        mark = "OK  " if outcome.ok else "FAIL"
        write(f"{mark} {outcome.message}")
        for detail in outcome.details:
            write(f"     {detail}")
        if outcome.dry_run:
            for request in outcome.requests:
                body = request.get("body") or {}
                size = f" ({len(body['updates'])} lines)" if "updates" in body else ""
                write(f"     would send {request['method']} {request['path']}{size}")
    done = sum(o.ok for o in outcomes)
    write(f"{done} of {len(outcomes)} contracts done.")
