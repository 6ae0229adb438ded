"""Engine records for model and widget tests: real frozen values, built the way the engine builds them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sage_sync_desktop.procore.permissions import AccessLevel
from sage_sync_desktop.sage.records import SageContract, SageContractItem, SageJob
from sage_sync_desktop.sync.records import (
    CompanySnapshot,
    ContractDiff,
    ContractState,
    ContractStatus,
    FieldChange,
    JobLinkStatus,
    LineDiff,
    LineState,
    ProcoreLink,
    ProcoreUser,
    ProjectRef,
    Reason,
    ReasonCode,
)

PROJECT = ProjectRef(101, "Riverside Clinic", "RC-01")
OTHER_PROJECT = ProjectRef(102, "Harbour Offices", "HO-02")


def contract(number: str, *, approved: bool = True, job: str = "1001", amounts=("1000.00",)) -> SageContract:
    items = tuple(
        SageContractItem(
            contract_key=f"  {number}",
            key=f"{i:>10}",
            number=str(i),
            description=f"Item {i}",
            amount=Decimal(a),
        )
        for i, a in enumerate(amounts, start=1)
    )
    return SageContract(
        key=f"  {number}",
        number=number,
        job_key=f" {job}",
        description=f"Contract {number}",
        customer_key="C1",
        status="Open",
        approved=approved,
        approval_date=None,
        contract_date=None,
        retainage_percent=None,
        items=items,
    )


def line(state: LineState, item: str, *, sage: str | None = "100.00", procore: str | None = "100.00",
         changes=(), edited: bool = False) -> LineDiff:
    return LineDiff(
        state=state,
        origin_id=None if state is LineState.PROCORE_ONLY else f"origin-{item}",
        item_number=item,
        description=f"Line {item}",
        sage_amount=Decimal(sage) if sage is not None else None,
        procore_amount=Decimal(procore) if procore is not None else None,
        changes=tuple(changes),
        edited_in_procore=edited,
    )


def diff_with_everything(number: str = "2001") -> ContractDiff:
    lines = (
        line(LineState.ADDED, "1", sage="250.00", procore=None),
        line(LineState.CHANGED, "2", sage="1200.00", procore="1000.00",
             changes=(FieldChange("amount", "1000.00", "1200.00"),)),
        line(LineState.REMOVED, "3", sage=None, procore="300.00"),
        line(LineState.UNCHANGED, "4"),
        line(LineState.PROCORE_ONLY, "", sage=None, procore="50.00"),
        line(LineState.CHANGED, "6", sage="80.00", procore="90.00", edited=True,
             changes=(FieldChange("description", "Paint", "Paint walls"),)),
    )
    return ContractDiff(number, lines, Decimal("1630.00"), Decimal("1740.00"), Decimal("1680.00"))


def unchanged_diff(number: str) -> ContractDiff:
    return ContractDiff(number, (line(LineState.UNCHANGED, "1"),), Decimal("100.00"),
                        Decimal("100.00"), Decimal("100.00"))


def status(number: str, state: ContractState, *, reasons=(), diff=None, projects=(),
           in_procore: bool | None = None) -> ContractStatus:
    sage = contract(number, approved=not any(r.code is ReasonCode.UNAPPROVED for r in reasons))
    in_procore = state in (ContractState.SYNCED, ContractState.CHANGES_READY) if in_procore is None else in_procore
    return ContractStatus(
        contract=sage,
        state=state,
        reasons=tuple(reasons),
        project=PROJECT,
        procore=ProcoreLink(PROJECT, 9000 + int(number)) if in_procore else None,
        diff=diff,
        sage_total=sage.total,
        procore_total=Decimal("1740.00") if in_procore else None,
        procore_projects=tuple(projects),
    )


def reason(code: ReasonCode) -> Reason:
    text = {
        ReasonCode.UNAPPROVED: ("The contract is not approved in Sage.", "Approve it in Sage, then Refresh."),
        ReasonCode.JOB_NOT_SYNCED: ("Job 1001 is not linked to a Procore project.", "Link it on the Jobs tab."),
        ReasonCode.ON_TWO_PROJECTS: (
            "The contract was added to two Procore projects: RC-01 Riverside Clinic, HO-02 Harbour Offices.",
            "Delete the copy on the wrong project in Procore, then Refresh.",
        ),
        ReasonCode.NO_PERMISSION_ERP: (
            "You have Standard on the company ERP Integrations tool; Re-Import needs Admin.",
            "Ask a Procore company admin to give you Admin on ERP Integrations.",
        ),
        ReasonCode.NO_PERMISSION_PRIME_CONTRACTS: (
            "You have Standard on Prime Contracts in RC-01 Riverside Clinic; Re-Import needs Admin.",
            "Ask the project admin for Admin on the project's Prime Contracts tool.",
        ),
    }[code]
    return Reason(code, *text)


def snapshot(statuses, jobs=()) -> CompanySnapshot:
    user = ProcoreUser(7, "admin@example.com", "Alex Admin", 1, "Example Builders", AccessLevel.ADMIN)
    now = datetime(2026, 3, 2, 9, 30)
    return CompanySnapshot(tuple(statuses), tuple(jobs), user, now, now)


def job_link(number: str, *, linked: bool, suggestions=()) -> JobLinkStatus:
    job = SageJob(f" {number}", number, f"Job {number}", "In progress", "C1")
    return JobLinkStatus(job, PROJECT if linked else None, tuple(suggestions))
