"""The ContractOutcome values for contracts the engine did not (fully) write: blocked, skipped,
failed, or only planned in a dry run."""

from __future__ import annotations

from typing import Any

from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.procore.errors import SignInRequired
from sage_sync_desktop.sync.contract_writer import count_lines
from sage_sync_desktop.sync.records import ContractOutcome, Reason


def dry_run_message(number: str, plan: Any, count: int) -> str:
    parts = []
    if plan.creates:
        parts.append("create the prime contract as Draft")
    if plan.header_update:
        parts.append(f"update {', '.join(plan.header_update)}")
    if plan.upserts:
        parts.append(f"upsert {count_lines(len(plan.upserts))}")
    if plan.deletes:
        parts.append(f"delete {count_lines(len(plan.deletes))}")
    if plan.approve:
        parts.append("set it Approved")
    kept = f"; {count_lines(len(plan.kept))} edited in Procore would be kept" if plan.kept else ""
    return f"Dry run, contract {number}: would send {count} requests: {', '.join(parts)}{kept}. Nothing was sent."


def error_kind(exc: Exception) -> str:
    return "sign_in" if isinstance(exc, SignInRequired) else "unreachable"


def skipped(number: str, action: str, dry_run: bool, message: str, *, kind: str = "blocked",
             cancelled: bool = False) -> ContractOutcome:
    return ContractOutcome(number, action, False, message, dry_run=dry_run, cancelled=cancelled,
                           error_kind="cancelled" if cancelled else kind)


def blocked(number: str, action: str, dry_run: bool, reasons: tuple[Reason, ...]) -> ContractOutcome:
    verb = "imported" if action == "import" else "re-imported"
    return ContractOutcome(
        number, action, False, f"Contract {number} was not {verb}: {reasons[0].message}",
        details=tuple(f"{r.code.value}: {r.message} Fix: {r.fix}" for r in reasons),
        dry_run=dry_run, reasons=reasons, error_kind="blocked",
    )


def failed(number: str, action: str, dry_run: bool, exc: SageSyncError, *, kind: str) -> ContractOutcome:
    details = tuple(d for d in (f"Fix: {exc.fix}" if exc.fix else "", exc.detail) if d)
    return ContractOutcome(number, action, False, f"Contract {number}: {exc.message}", details=details,
                           dry_run=dry_run, error_kind=kind)
