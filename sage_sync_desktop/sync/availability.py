"""Whether Add to Procore (import) or Re-Import can run for given contracts, and why not.

The one place for availability, its reasons and the candidates of a batch: the window's buttons
and reason line, `status --json`'s reimport_unavailable_because and `import --all-ready` /
`reimport --all` all ask here. The blocking rules themselves are eligibility.py's
(ContractStatus.state and .reasons); this module adds what is not a rule ("nothing new",
"already in Procore") and chooses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sage_sync_desktop.sync import send_preview
from sage_sync_desktop.sync.records import (
    ContractDiff,
    ContractState,
    ContractStatus,
    Reason,
    ReasonCode,
)

NOTHING_NEW = Reason(
    ReasonCode.NOTHING_NEW,
    "Procore already matches Sage: no new, changed or removed lines.",
    "Change the contract in Sage, then Refresh.",
)
NOT_IN_PROCORE_YET = Reason(
    ReasonCode.NOT_IN_PROCORE,
    "This contract is not in Procore yet.",
    "Use Add to Procore (Import) first.",
)
ALREADY_IN_PROCORE = Reason(
    ReasonCode.NOTHING_NEW,
    "This contract is already in Procore.",
    "Use Re-Import in the Synced view to send Sage's changes.",
)
NOTHING_SELECTED = "Select a contract to see its lines and what Re-Import would send."


DIFF_LOADING = Reason(
    ReasonCode.NOTHING_NEW,
    "The line-by-line comparison for this contract is still loading.",
    "Wait a moment; the button turns on when the comparison shows lines to import.",
)


def reimport_unavailable_because(status: ContractStatus) -> tuple[Reason, ...]:
    """Why Re-Import is greyed out, from the refresh alone: the blocking rules, or that nothing
    is new (or the contract is not in Procore yet); empty when it can run."""
    if status.can_reimport:
        return ()
    if status.reasons:
        return status.reasons
    if status.state is ContractState.SYNCED:
        return (NOTHING_NEW,)
    return (NOT_IN_PROCORE_YET,)


def reimport_reasons(status: ContractStatus, diff: ContractDiff | None = None) -> tuple[Reason, ...]:
    """Empty when Re-Import can run; otherwise every rule that blocks it (or 'nothing new'), also
    judging by a diff loaded since the refresh."""
    if status.reasons:
        return tuple(status.reasons)
    diff = diff or status.diff
    if status.state is ContractState.CHANGES_READY:
        if diff is None:
            return (DIFF_LOADING,)
        return () if diff.has_changes else (NOTHING_NEW,)
    return reimport_unavailable_because(status) or (NOTHING_NEW,)


NO_KEPT_EDITS = Reason(
    ReasonCode.NOTHING_NEW,
    "No line of this contract was edited in Procore since the last import.",
    "Nothing to overwrite.",
)


def overwrite_reasons(status: ContractStatus, diff: ContractDiff | None = None) -> tuple[Reason, ...]:
    """Empty when the contract has Procore edits kept that Overwrite Procore Edits may replace."""
    if status.reasons:
        return tuple(status.reasons)
    diff = diff or status.diff
    if status.procore is None or diff is None or not diff.counts.kept:
        return (NO_KEPT_EDITS,)
    return ()


def import_reasons(status: ContractStatus, diff: ContractDiff | None = None) -> tuple[Reason, ...]:
    if status.reasons:
        return tuple(status.reasons)
    if status.state is ContractState.READY_TO_IMPORT:
        return ()
    return (ALREADY_IN_PROCORE,)


def import_candidates(statuses: Sequence[ContractStatus]) -> list[str]:
    """What `import --all-ready` sends: every contract in Ready to Import."""
    return [s.number for s in statuses if s.state is ContractState.READY_TO_IMPORT]


def reimport_candidates(statuses: Sequence[ContractStatus], *, overwrite: bool = False) -> list[str]:
    """What `reimport --all` sends: synced contracts with changes, plus contracts in Procore that
    a rule now blocks (so a scheduled run reports them instead of passing over them in silence);
    with `overwrite`, also synced contracts whose only differences are Procore edits kept."""
    return [s.number for s in statuses
            if s.state is ContractState.CHANGES_READY
            or (overwrite and s.state is ContractState.SYNCED and s.diff is not None and s.diff.counts.kept)
            or (s.state is ContractState.NOT_READY and (s.procore is not None or s.procore_projects))]


@dataclass(frozen=True)
class Availability:
    """What a button shows: enabled, which contracts it acts on, and the sentence saying why not."""

    eligible: tuple[str, ...]
    skipped: tuple[tuple[str, tuple[Reason, ...]], ...]
    explanation: str  # empty when every selected contract is eligible

    @property
    def enabled(self) -> bool:
        return bool(self.eligible)


def _describe(reasons: Sequence[Reason]) -> str:
    return " ".join(f"{r.message} {r.fix}".strip() for r in reasons)


def availability(
    statuses: Sequence[ContractStatus],
    diffs: Sequence[ContractDiff | None] = (),
    *,
    for_import: bool = False,
    rule: Callable[[ContractStatus, ContractDiff | None], tuple[Reason, ...]] | None = None,
) -> Availability:
    """Availability for the selected contracts; `diffs` line up with `statuses` when known."""
    if not statuses:
        return Availability((), (), NOTHING_SELECTED)
    rule = rule or (import_reasons if for_import else reimport_reasons)
    eligible: list[str] = []
    skipped: list[tuple[str, tuple[Reason, ...]]] = []
    for i, status in enumerate(statuses):
        reasons = rule(status, diffs[i] if i < len(diffs) else None)
        if reasons:
            skipped.append((status.number, reasons))
        else:
            eligible.append(status.number)
    if not skipped:
        explanation = ""
    elif len(statuses) == 1:
        explanation = _describe(skipped[0][1])
    else:
        lines = [f"{number}: {_describe(reasons)}" for number, reasons in skipped[:5]]
        if len(skipped) > 5:
            lines.append(f"... and {len(skipped) - 5} more.")
        head = (
            f"{len(eligible)} of {len(statuses)} selected will be sent; "
            f"{len(skipped)} contract{'' if len(skipped) == 1 else 's'} skipped:"
            if eligible
            else f"None of the {len(statuses)} selected contracts can be sent:"
        )
        explanation = "\n".join([head, *lines])
    return Availability(tuple(eligible), tuple(skipped), explanation)


ReimportSummary = send_preview.SendPreview


def summarise(diffs: Sequence[ContractDiff]) -> send_preview.SendPreview:
    return send_preview.from_diffs(diffs)


def blocking_items(reasons: Sequence[Reason]) -> dict[str, str]:
    """Item number -> the data problem that blocks the contract because of that item (the
    messages eligibility.data_reasons writes as "Item N: ...")."""
    found: dict[str, str] = {}
    for reason in reasons:
        if reason.code is ReasonCode.INVALID_DATA and reason.message.startswith("Item "):
            item, _, problem = reason.message[len("Item "):].partition(": ")
            if problem:
                found.setdefault(item, problem)
    return found
