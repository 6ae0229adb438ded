"""What the sync engine hands to its two faces (window and command line): frozen values, no Qt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from sage_sync_desktop.procore.permissions import AccessLevel
from sage_sync_desktop.sage.records import SageContract, SageJob


class ContractState(StrEnum):
    READY_TO_IMPORT = "ready_to_import"  # approved, job linked, not in Procore yet
    SYNCED = "synced"  # in Procore, nothing new
    CHANGES_READY = "changes_ready"  # in Procore, Sage has new, changed or removed lines
    NOT_READY = "not_ready"  # a blocking rule applies


class ReasonCode(StrEnum):
    UNAPPROVED = "unapproved"
    JOB_NOT_SYNCED = "job_not_synced"
    ON_TWO_PROJECTS = "on_two_projects"
    NO_PERMISSION_ERP = "no_permission_erp"
    # The company has no ERP Integrations tool at all and sync.erp_integrations_rule is "require".
    NO_ERP_TOOL = "no_erp_tool"
    NO_PERMISSION_PRIME_CONTRACTS = "no_permission_prime_contracts"
    INVALID_DATA = "invalid_data"
    # Procore holds the contract in one project, but its job is linked to another.
    IN_OTHER_PROJECT = "in_other_project"
    # The contract's items (or its header and items) name more than one Sage job.
    SEVERAL_JOBS = "several_jobs"
    # Procore would not let the refresh read the contract's project or lines (403, 404, 5xx).
    PROCORE_UNREADABLE = "procore_unreadable"
    # Not blocking rules: why Re-Import is greyed out for a synced contract (nothing new), or for
    # one that is not in Procore yet (Add to Procore comes first).
    NOTHING_NEW = "nothing_new"
    NOT_IN_PROCORE = "not_in_procore"


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    message: str  # what blocks it, in plain words
    fix: str  # how to fix it


class LineState(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    UNCHANGED = "unchanged"
    PROCORE_ONLY = "procore_only"
    # A Sage item not approved in Sage: never sent. With a Procore line (`procore_amount` set) it
    # went back to Proposed after an import: the line is left as Procore has it.
    AWAITING_APPROVAL = "awaiting_approval"
    # "Procore edit kept": a line of this contract edited in Procore since this app wrote it,
    # which Re-Import leaves as Procore has it (unless overwriting is asked for). Not a change.
    KEPT = "kept"


@dataclass(frozen=True, slots=True)  # one per line of every contract in Procore
class FieldChange:
    field: str  # description, amount, quantity, unit_cost, uom, cost_code
    old: str  # as shown: amounts as "1234.50", empty string for none
    new: str


@dataclass(frozen=True, slots=True)  # one per line of every contract in Procore
class LineDiff:
    state: LineState
    origin_id: str | None
    item_number: str  # Sage item number (trimmed), or "" for a Procore-only line
    description: str
    sage_amount: Decimal | None
    procore_amount: Decimal | None
    changes: tuple[FieldChange, ...] = ()
    # A Sage-origin line whose Procore values differ from what this app last wrote.
    edited_in_procore: bool = False
    procore_line_id: int | None = None

    @property
    def amount_after(self) -> Decimal | None:
        """The line's amount in Procore after a Re-Import (None: the line is deleted)."""
        if self.state in (LineState.KEPT, LineState.PROCORE_ONLY, LineState.AWAITING_APPROVAL):
            return self.procore_amount
        if self.state is LineState.REMOVED:
            return None
        return self.sage_amount


@dataclass(frozen=True)
class DiffCounts:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    procore_only: int = 0
    edited_in_procore: int = 0
    awaiting_approval: int = 0
    kept: int = 0  # Procore edits kept (LineState.KEPT): not changes


@dataclass(frozen=True)
class ContractDiff:
    contract_number: str
    lines: tuple[LineDiff, ...]
    sage_total: Decimal
    procore_total_before: Decimal
    procore_total_after: Decimal
    # Contract header fields (number, title, date, retainage) that differ from Sage.
    header_changes: tuple[FieldChange, ...] = ()

    @property
    def counts(self) -> DiffCounts:
        by_state = {state: 0 for state in LineState}
        for line in self.lines:
            by_state[line.state] += 1
        return DiffCounts(
            added=by_state[LineState.ADDED],
            changed=by_state[LineState.CHANGED],
            removed=by_state[LineState.REMOVED],
            unchanged=by_state[LineState.UNCHANGED],
            procore_only=by_state[LineState.PROCORE_ONLY],
            edited_in_procore=sum(1 for line in self.lines if line.edited_in_procore),
            awaiting_approval=by_state[LineState.AWAITING_APPROVAL],
            kept=by_state[LineState.KEPT],
        )

    @property
    def has_changes(self) -> bool:
        """What Re-Import would send; Procore edits kept are not changes."""
        counts = self.counts
        return bool(counts.added or counts.changed or counts.removed or self.header_changes)

    @cached_property
    def _by_origin(self) -> dict[str, LineDiff]:
        found: dict[str, LineDiff] = {}
        for line in self.lines:
            if line.origin_id is not None:
                found.setdefault(line.origin_id, line)
        return found

    def line(self, origin_id: str) -> LineDiff | None:
        return self._by_origin.get(origin_id)


@dataclass(frozen=True)
class ProjectRef:
    project_id: int
    name: str
    project_number: str = ""


@dataclass(frozen=True)
class ProcoreLink:
    project: ProjectRef
    prime_contract_id: int


@dataclass(frozen=True)
class ContractStatus:
    contract: SageContract
    state: ContractState
    reasons: tuple[Reason, ...]  # every blocking rule that applies (empty when none)
    project: ProjectRef | None  # the Procore project of the contract's linked job
    procore: ProcoreLink | None  # the prime contract in Procore, when imported
    diff: ContractDiff | None
    sage_total: Decimal
    procore_total: Decimal | None
    # Projects holding a prime contract with this contract's origin id (two or more: blocked).
    procore_projects: tuple[ProjectRef, ...] = ()

    @property
    def number(self) -> str:
        return self.contract.number

    @property
    def may_not_write(self) -> bool:
        """Ready to Import or Synced, but a permission rule keeps the signed-in user from writing it."""
        return self.state is not ContractState.NOT_READY and bool(self.reasons)

    @property
    def can_import(self) -> bool:
        return self.state is ContractState.READY_TO_IMPORT and not self.reasons

    @property
    def can_reimport(self) -> bool:
        return self.state is ContractState.CHANGES_READY and not self.reasons


@dataclass(frozen=True)
class ProjectLinkStatus:
    """One Procore project of the company, as `projects` lists it."""

    project: ProjectRef
    active: bool
    linked_job: str | None  # the Sage job linked to it (its origin id), if any
    job_in_sage: bool | None  # the linked job exists in Sage (None: Sage was not read)
    other_origin_id: str = ""  # another integration's origin id: not linkable by this app
    suggested_job: str | None = None  # a free Sage job whose number is the project number


@dataclass(frozen=True)
class JobLinkStatus:
    job: SageJob
    project: ProjectRef | None  # linked Procore project
    suggestions: tuple[ProjectRef, ...] = ()  # suggested matches when not linked
    # Further projects carrying this job's origin id (a conflict to resolve by unlinking).
    also_linked: tuple[ProjectRef, ...] = ()


@dataclass(frozen=True)
class ProcoreUser:
    user_id: int
    login: str
    name: str
    company_id: int
    company_name: str
    erp_integrations: AccessLevel  # company level
    # False when the company has no ERP Integrations tool (not merely no permission on it).
    erp_tool_present: bool = True
    # Then: what that means under sync.erp_integrations_rule, in words ("" when present).
    erp_tool_note: str = ""


@dataclass(frozen=True)
class CompanySnapshot:
    """One Refresh: Sage and Procore read, every contract classified."""

    statuses: tuple[ContractStatus, ...]
    jobs: tuple[JobLinkStatus, ...]
    user: ProcoreUser
    sage_read_at: datetime
    procore_read_at: datetime
    procore_requests: int = 0

    def status(self, contract_number: str) -> ContractStatus | None:
        wanted = contract_number.strip()
        return next((s for s in self.statuses if s.number == wanted), None)


@dataclass(frozen=True)
class ContractOutcome:
    """The result of importing or re-importing one contract."""

    contract_number: str
    action: str  # "import" or "reimport"
    ok: bool
    message: str  # one line for the green or red message
    details: tuple[str, ...] = ()  # one click away: per-line results, Procore's own text
    dry_run: bool = False
    # What was (or, in a dry run, would be) sent: one entry per request.
    requests: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    cancelled: bool = False
    prime_contract_id: int | None = None
    project_id: int | None = None
    # Blocking rules that stopped it before anything was sent.
    reasons: tuple[Reason, ...] = ()
    # Why it is not ok: "blocked", "rejected", "locked", "procore", "unreachable", "sign_in",
    # "cancelled", "error"; "" when ok.
    error_kind: str = ""
