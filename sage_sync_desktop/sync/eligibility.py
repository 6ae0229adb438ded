"""One state per contract and every blocking rule that applies, each with a code, words and a fix.

Rules about the contract itself (unapproved, several jobs, job not synced, on two projects, in
another project, invalid data) put it in Not Ready. Permission rules are about the signed-in user, not
the contract: the contract keeps its place (Ready to Import, Synced) and its buttons are greyed
with the reason; the engine checks the same rules again right before it writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sage_sync_desktop.procore import permissions
from sage_sync_desktop.procore.permissions import AccessLevel
from sage_sync_desktop.procore.records import LineItem, PrimeContract
from sage_sync_desktop.sage.records import SageContract
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.contract_payload import (
    MAX_NUMBER_LENGTH,
    MAX_TITLE_LENGTH,
    header_changes,
    title_of,
)
from sage_sync_desktop.sync.line_item_diff import compute_diff
from sage_sync_desktop.sync.line_values import LineValues
from sage_sync_desktop.sync.records import (
    ContractState,
    ContractStatus,
    ProcoreLink,
    ProjectRef,
    Reason,
    ReasonCode,
)

# Procore publishes no limits for these; the values are what this app accepts so that a
# value is never cut or rounded on the way in.
MAX_LINE_DESCRIPTION_LENGTH = 255
MAX_UOM_LENGTH = 40
MAX_AMOUNT = Decimal("9999999999999.99")  # 13 digits before the point, to the cent
MAX_INVALID_DATA_REASONS = 10
# Procore's tool names are defined in procore/permissions.py; the engine knows them by these.
ERP_TOOL = permissions.ERP_INTEGRATIONS
PRIME_CONTRACTS_TOOL = permissions.PRIME_CONTRACTS

ERP_REQUIRE, ERP_SKIP_WHEN_ABSENT = "require", "skip_when_absent"  # sync.erp_integrations_rule
# Rules that put a contract in Not Ready: its own data, or Procore's data about it unreadable.
DATA_RULES = frozenset(
    {
        ReasonCode.UNAPPROVED,
        ReasonCode.SEVERAL_JOBS,
        ReasonCode.JOB_NOT_SYNCED,
        ReasonCode.ON_TWO_PROJECTS,
        ReasonCode.IN_OTHER_PROJECT,
        ReasonCode.INVALID_DATA,
        ReasonCode.PROCORE_UNREADABLE,
    }
)


@dataclass(frozen=True)
class ProcoreHolder:
    """A Procore prime contract carrying this contract's origin id."""

    project: ProjectRef
    prime_contract: PrimeContract

    @property
    def prime_contract_id(self) -> int:
        return self.prime_contract.prime_contract_id


@dataclass(frozen=True)
class ContractFacts:
    """What is known about one contract's place in Procore, gathered by the refresh."""

    job_exists: bool
    linked_project: ProjectRef | None
    holders: tuple[ProcoreHolder, ...] = ()
    # Lines of the holder in the linked project (None when there is no such holder).
    home_lines: Sequence[LineItem] | None = None
    erp_access: AccessLevel = AccessLevel.NONE
    # Access on the linked project's Prime Contracts tool (None when not read yet: a routine
    # refresh reads none; the engine reads it live before writing and remembers it).
    prime_contracts_access: AccessLevel | None = None
    known_values: Mapping[str, Sequence[LineValues]] = field(default_factory=dict)
    # Other projects also linked to the contract's job (the link is then ambiguous).
    also_linked: tuple[ProjectRef, ...] = ()
    # The company's units of measure in Procore (None when they could not be read).
    known_uoms: frozenset[str] | None = None
    # Sage keys of every contract with this trimmed number (two or more: padded twins).
    same_number_keys: tuple[str, ...] = ()
    # Why Procore's side could not be read (the linked project's contracts, or the lines).
    procore_problems: tuple[Reason, ...] = ()
    # False when the company has no ERP Integrations tool; the setting says what follows.
    erp_tool_present: bool = True
    erp_rule: str = ERP_REQUIRE
    # No home, but Procore holds copies elsewhere: the lines of the first one (None: not read).
    held_lines: Sequence[LineItem] | None = None

    @property
    def home(self) -> ProcoreHolder | None:
        if self.linked_project is None or len(self.holders) != 1:
            return None
        holder = self.holders[0]
        return holder if holder.project.project_id == self.linked_project.project_id else None


def _reason(code: ReasonCode, message: str, fix: str) -> Reason:
    return Reason(code, message, fix)


def _project_name(project: ProjectRef) -> str:
    number = f" ({project.project_number})" if project.project_number else ""
    return f"'{project.name}'{number}, id {project.project_id}"


def approval_reasons(contract: SageContract) -> list[Reason]:
    """Unapproved: no item approved in Sage, or the header's own approval rule fails."""
    if contract.approved:
        return []
    if contract.no_item_approved:
        count = len(contract.awaiting_items)
        header = "" if contract.header_approved else "; the contract itself is not approved either"
        return [_reason(
            ReasonCode.UNAPPROVED,
            f"Contract {contract.number}: no item is approved in Sage "
            f"({'its item is' if count == 1 else f'all {count} items are'} awaiting approval{header}).",
            "Approve the contract's items in Sage 300 CRE (Contracts), then Refresh.",
        )]
    return [_reason(
        ReasonCode.UNAPPROVED,
        f"Contract {contract.number} is not approved in Sage.",
        "Approve the contract in Sage 300 CRE (Contracts), then Refresh.",
    )]


def several_jobs_reasons(contract: SageContract) -> list[Reason]:
    """A Procore prime contract belongs to one project, so one Sage job per contract."""
    if len(contract.jobs) < 2:
        return []
    return [_reason(
        ReasonCode.SEVERAL_JOBS,
        f"Contract {contract.number} names more than one job in Sage: {', '.join(contract.jobs)}.",
        "Give every item of the contract the same job in Sage (Contracts, contract items), or "
        "split the contract per job, then Refresh.",
    )]


def job_reasons(contract: SageContract, facts: ContractFacts) -> list[Reason]:
    job = contract.job_number
    if not job:
        return [
            _reason(
                ReasonCode.JOB_NOT_SYNCED,
                f"Contract {contract.number} has no job in Sage.",
                "Give the contract its job in Sage (Contracts), then Refresh.",
            )
        ]
    if not facts.job_exists:
        return [
            _reason(
                ReasonCode.JOB_NOT_SYNCED,
                f"Contract {contract.number} names job {job}, which does not exist in Sage.",
                "Correct the contract's job in Sage, then Refresh.",
            )
        ]
    if facts.linked_project is not None and facts.also_linked:
        names = "; ".join(_project_name(p) for p in (facts.linked_project, *facts.also_linked))
        return [
            _reason(
                ReasonCode.JOB_NOT_SYNCED,
                f"Job {job} is linked to more than one Procore project: {names}.",
                f"Unlink job {job} (unlink-job {job}) and link it again to the right project.",
            )
        ]
    if facts.linked_project is None:
        return [
            _reason(
                ReasonCode.JOB_NOT_SYNCED,
                f"Job {job} is not linked to a Procore project.",
                f"Link job {job} to its Procore project on the Jobs tab "
                f"(command line: link-job {job} PROJECT_ID).",
            )
        ]
    return []


def placement_reasons(contract: SageContract, facts: ContractFacts) -> list[Reason]:
    holders = facts.holders
    if len(holders) >= 2:
        names = "; ".join(
            f"{_project_name(h.project)} (prime contract {h.prime_contract_id})" for h in holders
        )
        return [
            _reason(
                ReasonCode.ON_TWO_PROJECTS,
                f"Procore holds contract {contract.number} in {len(holders)} places: {names}.",
                "Delete the extra prime contracts in Procore so that only the one in the job's "
                "project remains, then Refresh.",
            )
        ]
    if holders and facts.linked_project is not None and facts.home is None:
        holder = holders[0]
        return [
            _reason(
                ReasonCode.IN_OTHER_PROJECT,
                f"Procore holds contract {contract.number} in project "
                f"{_project_name(holder.project)}, but job {contract.job_number} is linked to "
                f"project {_project_name(facts.linked_project)}.",
                f"Link job {contract.job_number} to the project that holds the contract, or "
                "delete that prime contract in Procore, then Refresh.",
            )
        ]
    return []


def data_reasons(contract: SageContract, known_uoms: frozenset[str] | None = None,
                 same_number_keys: tuple[str, ...] = ()) -> list[Reason]:
    """Sage's own data problems and values Procore cannot take as they are."""
    problems: list[str] = [f"Sage data: {problem.message}" for problem in contract.problems]
    reported = any(problem.code == "duplicate_contract" for problem in contract.problems)
    if len(same_number_keys) > 1 and not reported:
        keys = " and ".join(repr(key) for key in same_number_keys)
        problems.append(
            f"Contract {contract.number} appears twice in Sage ({keys}) once spaces are trimmed; "
            "both would be the same Procore contract, so neither is imported until one is corrected."
        )
    try:
        origin_ids.contract_origin_id(contract.number)
    except origin_ids.OriginIdError as exc:
        problems.append(f"Contract number: {exc}")
    if len(contract.number) > MAX_NUMBER_LENGTH:
        problems.append(f"The contract number is longer than {MAX_NUMBER_LENGTH} characters.")
    if len(title_of(contract)) > MAX_TITLE_LENGTH:
        problems.append(f"The contract description is longer than {MAX_TITLE_LENGTH} characters.")
    seen: dict[str, str] = {}
    for item in contract.items:
        label = f"Item {item.number.strip() or repr(item.key)}"
        try:
            key = origin_ids.item_origin_id(contract.number, item.number)
        except origin_ids.OriginIdError as exc:
            problems.append(f"{label}: {exc}")
            continue
        if key in seen:
            problems.append(
                f"{label}: two items have this number once spaces are trimmed "
                f"({seen[key]!r} and {item.key!r}); Procore could keep only one."
            )
        seen.setdefault(key, item.key)
        problems.extend(f"{label}: {text}" for text in _value_problems(item))
        unit = (item.unit or "").strip()
        if unit and known_uoms is not None and unit not in known_uoms:
            problems.append(
                f"{label}: the unit of measure '{unit}' is not in Procore's list of units of "
                "measure for this company (add it in Procore's Company Admin > Units of Measure, "
                "or correct the item in Sage)."
            )
    return [
        _reason(
            ReasonCode.INVALID_DATA,
            text,
            "Correct it in Sage (Contracts, contract items), then Refresh.",
        )
        for text in _capped(problems)
    ]


def _value_problems(item: Any) -> list[str]:
    found = []
    description = (item.description or "").strip()
    if len(description) > MAX_LINE_DESCRIPTION_LENGTH:
        found.append(
            f"the description is {len(description)} characters long; Procore takes at most "
            f"{MAX_LINE_DESCRIPTION_LENGTH} and this app never cuts text."
        )
    for name, value in (("amount", item.amount), ("quantity", item.quantity), ("unit price", item.unit_price)):
        if value is not None and (not value.is_finite() or abs(value) > MAX_AMOUNT):
            found.append(f"the {name} {value} is beyond what Procore accepts (at most {MAX_AMOUNT}).")
    if item.amount is not None and item.amount.is_finite() and item.amount != item.amount.quantize(Decimal("0.01")):
        found.append(f"the amount {item.amount} has fractions of a cent.")
    if len((item.unit or "").strip()) > MAX_UOM_LENGTH:
        found.append(f"the unit of measure is longer than {MAX_UOM_LENGTH} characters.")
    return found


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_INVALID_DATA_REASONS:
        return problems
    shown = problems[: MAX_INVALID_DATA_REASONS - 1]
    return [*shown, f"... and {len(problems) - len(shown)} more problems in this contract."]


def permission_reasons(contract: SageContract, facts: ContractFacts, *, in_procore: bool) -> list[Reason]:
    reasons = []
    needed = AccessLevel.ADMIN if in_procore else AccessLevel.STANDARD
    action = "re-import" if in_procore else "import"
    if not facts.erp_tool_present:
        if facts.erp_rule != ERP_SKIP_WHEN_ABSENT:
            reasons.append(no_erp_tool_reason())
    elif facts.erp_access.rank < needed.rank:
        reasons.append(
            _reason(
                ReasonCode.NO_PERMISSION_ERP,
                f"To {action} a prime contract you need {needed.value} on the company's "
                f"{ERP_TOOL} tool; you have {facts.erp_access.value}.",
                f"Ask a Procore company admin to give you {needed.value} on {ERP_TOOL} "
                "(Company Directory, permission template), then Refresh.",
            )
        )
    # This app writes through Procore's REST API as the signed-in user, and Procore lets only
    # Admins of a project's Prime Contracts tool create or edit its prime contracts; so the
    # first import needs it too, not only the re-import Procore's own connector documents.
    # Not read yet: nothing to grey; the write reads it live first and stops if it is short.
    # (An unreadable project already says why, e.g. the tool is switched off there.)
    if (facts.linked_project is not None and facts.prime_contracts_access is not None
            and not facts.procore_problems):
        level = facts.prime_contracts_access
        if level.rank < AccessLevel.ADMIN.rank:
            reasons.append(
                _reason(
                    ReasonCode.NO_PERMISSION_PRIME_CONTRACTS,
                    f"To {action} you need Admin on the {PRIME_CONTRACTS_TOOL} tool of project "
                    f"{_project_name(facts.linked_project)}; you have {level.value}.",
                    f"Ask a Procore admin to give you Admin on {PRIME_CONTRACTS_TOOL} in that "
                    "project's Directory, then Refresh.",
                )
            )
    return reasons


def no_erp_tool_note(rule: str) -> str:
    """What a company without the ERP Integrations tool means, for the window and `status`."""
    follows = (f"Admin on each project's {PRIME_CONTRACTS_TOOL} tool alone allows imports, and each history "
               "entry records that the ERP rule was skipped (sync.erp_integrations_rule = skip_when_absent)."
               if rule == ERP_SKIP_WHEN_ABSENT else
               "Imports and re-imports are blocked until Procore enables it (sync.erp_integrations_rule = "
               "require; set it to skip_when_absent to rely on the Prime Contracts tool alone).")
    return (f"This Procore company has no {ERP_TOOL} tool (Procore adds it only to a company with an ERP "
            f"connection). {follows}")


def no_erp_tool_reason() -> Reason:
    return _reason(
        ReasonCode.NO_ERP_TOOL,
        f"This Procore company has no {ERP_TOOL} tool (Procore adds it only to a company with an ERP "
        "connection), and sync.erp_integrations_rule is 'require', so nothing is written.",
        f"Ask Procore (support or your account manager) to enable the {ERP_TOOL} tool for the company, "
        f"or set sync.erp_integrations_rule to '{ERP_SKIP_WHEN_ABSENT}' so that Admin on each project's "
        f"{PRIME_CONTRACTS_TOOL} tool alone allows imports; then Refresh.",
    )


def classify(contract: SageContract, facts: ContractFacts) -> ContractStatus:
    """The contract's state, every rule that blocks it, its link and its diff."""
    reasons: list[Reason] = approval_reasons(contract)
    several = several_jobs_reasons(contract)
    # With several jobs, "which job is linked" has no single answer: that reason says it all.
    reasons += several or job_reasons(contract, facts)
    reasons += placement_reasons(contract, facts)
    reasons += data_reasons(contract, facts.known_uoms, facts.same_number_keys)
    reasons += facts.procore_problems
    home = facts.home
    reasons += permission_reasons(contract, facts, in_procore=home is not None or bool(facts.holders))

    diff = None
    procore_total = None
    # Against the home copy; a blocked contract Procore holds elsewhere (twice, in another
    # project) against its first copy, so the window shows what Procore holds, not all new.
    holder = home or (facts.holders[0] if facts.holders and facts.held_lines is not None else None)
    if holder is not None and not facts.procore_problems:
        lines = (facts.home_lines if home is not None else facts.held_lines) or ()
        diff = compute_diff(contract, lines, known_values=facts.known_values,
                            header_changes=header_changes(contract, holder.prime_contract))
        procore_total = diff.procore_total_before

    if any(reason.code in DATA_RULES for reason in reasons):
        state = ContractState.NOT_READY
    elif home is None:
        state = ContractState.READY_TO_IMPORT
    elif diff is not None and diff.has_changes:
        state = ContractState.CHANGES_READY
    else:
        state = ContractState.SYNCED

    return ContractStatus(
        contract=contract,
        state=state,
        reasons=tuple(reasons),
        project=facts.linked_project,
        procore=ProcoreLink(home.project, home.prime_contract_id) if home is not None else None,
        diff=diff,
        sage_total=contract.total,
        procore_total=procore_total,
        procore_projects=tuple(holder.project for holder in facts.holders),
    )
