"""What a confirmation tells before contracts are sent, and what the totals under the list say.

One computation for both, so the totals on screen always agree with the confirmation: only the
contracts the button will send are counted; the others are named as skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sage_sync_desktop.sync.records import ContractDiff, ContractStatus, LineState

ZERO = Decimal("0.00")
IMPORT = "import"
REIMPORT = "reimport"
OVERWRITE = "overwrite"  # a re-import that replaces the Procore edits kept so far


@dataclass(frozen=True)
class PreviewRow:
    number: str
    description: str
    project: str
    sage_total: Decimal
    procore_before: Decimal | None  # None: not in Procore yet
    procore_after: Decimal
    added: int = 0
    changed: int = 0
    removed: int = 0
    edited_in_procore: int = 0  # kept, or overwritten when the action is OVERWRITE


@dataclass(frozen=True)
class SendPreview:
    action: str
    rows: tuple[PreviewRow, ...]
    skipped: tuple[str, ...] = ()  # selected contracts the action leaves out

    @property
    def contracts(self) -> tuple[str, ...]:
        return tuple(row.number for row in self.rows)

    def _sum(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def added(self) -> int:
        return self._sum("added")

    @property
    def changed(self) -> int:
        return self._sum("changed")

    @property
    def removed(self) -> int:
        return self._sum("removed")

    @property
    def edited_in_procore(self) -> int:
        return self._sum("edited_in_procore")

    @property
    def total_before(self) -> Decimal:
        return sum((row.procore_before or ZERO for row in self.rows), ZERO)

    @property
    def total_after(self) -> Decimal:
        return sum((row.procore_after for row in self.rows), ZERO)

    @property
    def sage_total(self) -> Decimal:
        return sum((row.sage_total for row in self.rows), ZERO)


def _project(status: ContractStatus | None) -> str:
    if status is None:
        return ""
    project = status.procore.project if status.procore is not None else status.project
    if project is None:
        return ""
    return f"{project.project_number} {project.name}".strip() if project.project_number else project.name


def _after_overwrite(diff: ContractDiff) -> Decimal:
    """Procore's total once the kept Procore edits are replaced by Sage's values."""
    after = diff.procore_total_after
    for line in diff.lines:
        if line.state is LineState.KEPT:
            after += (line.sage_amount or ZERO) - (line.procore_amount or ZERO)
    return after


def row_for(action: str, status: ContractStatus | None, diff: ContractDiff) -> PreviewRow:
    counts = diff.counts
    in_procore = status is not None and status.procore is not None
    after = _after_overwrite(diff) if action == OVERWRITE else diff.procore_total_after
    changed = counts.changed + (counts.kept if action == OVERWRITE else 0)
    return PreviewRow(
        number=diff.contract_number,
        description=status.contract.description if status is not None else "",
        project=_project(status),
        sage_total=diff.sage_total,
        procore_before=diff.procore_total_before if in_procore else None,
        procore_after=after,
        added=counts.added,
        changed=changed,
        removed=counts.removed,
        edited_in_procore=counts.edited_in_procore,
    )


def preview(action: str, statuses: Sequence[ContractStatus], diffs: Sequence[ContractDiff | None],
            eligible: Sequence[str]) -> SendPreview:
    """The rows of the `eligible` contracts among the selected `statuses` (diffs line up with them)."""
    wanted = set(eligible)
    rows = []
    for status, diff in zip(statuses, diffs, strict=True):
        if status.number in wanted and diff is not None:
            rows.append(row_for(action, status, diff))
        elif status.number in wanted:  # a contract not in Procore whose diff is not loaded yet
            rows.append(PreviewRow(status.number, status.contract.description, _project(status),
                                   status.sage_total, None, status.sage_total,
                                   added=len(status.contract.items)))
    skipped = tuple(s.number for s in statuses if s.number not in wanted)
    return SendPreview(action, tuple(rows), skipped)


def from_diffs(diffs: Sequence[ContractDiff], action: str = REIMPORT) -> SendPreview:
    """A preview of diffs alone (no statuses at hand): every diff is treated as in Procore."""
    rows = tuple(
        PreviewRow(d.contract_number, "", "", d.sage_total, d.procore_total_before, d.procore_total_after,
                   d.counts.added, d.counts.changed, d.counts.removed, d.counts.edited_in_procore)
        for d in diffs
    )
    return SendPreview(action, rows)
