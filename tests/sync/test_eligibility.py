from __future__ import annotations

from decimal import Decimal

from sage_sync_desktop.sage.records import DataProblem
from sage_sync_desktop.sync import availability
from sage_sync_desktop.procore.records import PrimeContract
from sage_sync_desktop.sync.eligibility import ContractFacts, ProcoreHolder, classify
from sage_sync_desktop.procore.permissions import AccessLevel
from sage_sync_desktop.sync.records import ContractState, ProjectRef, ReasonCode
from tests.sync.records_builder import contract, hand_made_line, item, procore_line

TOWER = ProjectRef(11, "Tower", "1001")
ANNEX = ProjectRef(12, "Annex", "1002")


def _facts(**overrides) -> ContractFacts:
    values = dict(job_exists=True, linked_project=TOWER, erp_access=AccessLevel.ADMIN,
                  prime_contracts_access=AccessLevel.ADMIN)
    values.update(overrides)
    return ContractFacts(**values)


def _held(sage, lines, project=TOWER, status="Approved", pc_id=76):
    header = {"id": pc_id, "number": sage.number, "title": sage.description, "status": status,
              "contract_date": "2026-01-15", "approval_letter_date": "2026-01-20", "retainage_percent": "10.0",
              "origin_id": "S300:CN:" + sage.number}
    return dict(holders=(ProcoreHolder(project, PrimeContract.from_json(header)),), home_lines=lines)


def _row(pc_id: int) -> PrimeContract:
    return PrimeContract.from_json({"id": pc_id})


def _codes(status) -> list[str]:
    return [reason.code.value for reason in status.reasons]


def test_approved_contract_on_a_linked_job_is_ready_to_import() -> None:
    status = classify(contract(items=[item("010", "5.00")]), _facts())
    assert status.state is ContractState.READY_TO_IMPORT and status.reasons == ()
    assert status.can_import and not status.can_reimport
    assert status.sage_total == Decimal("5.00") and status.procore is None


def test_imported_contract_matching_sage_is_synced_and_reimport_says_nothing_new() -> None:
    sage_item = item("010", "5.00")
    sage = contract(items=[sage_item])
    status = classify(sage, _facts(**_held(sage, [procore_line(sage, sage_item, 1)])))
    assert status.state is ContractState.SYNCED
    assert status.procore.prime_contract_id == 76 and status.procore_total == Decimal("5.00")
    assert [r.code for r in availability.reimport_unavailable_because(status)] == [ReasonCode.NOTHING_NEW]


def test_new_sage_line_makes_changes_ready() -> None:
    first = item("010", "5.00")
    sage = contract(items=[first, item("020", "7.00")])
    status = classify(sage, _facts(**_held(sage, [procore_line(sage, first, 1), hand_made_line(2, "1.0")])))
    assert status.state is ContractState.CHANGES_READY and status.can_reimport
    assert (status.diff.counts.added, status.diff.counts.procore_only) == (1, 1)


def test_draft_contract_left_by_an_interrupted_import_is_changes_ready() -> None:
    sage_item = item("010", "5.00")
    sage = contract(items=[sage_item])
    status = classify(sage, _facts(**_held(sage, [procore_line(sage, sage_item, 1)], status="Draft")))
    assert status.state is ContractState.CHANGES_READY
    assert [(c.field, c.new) for c in status.diff.header_changes] == [("status", "Approved")]


def test_unapproved_contract_is_not_ready() -> None:
    status = classify(contract(approved=False), _facts())
    assert status.state is ContractState.NOT_READY and _codes(status) == ["unapproved"]
    assert "Approve" in status.reasons[0].fix


def test_job_not_linked_missing_or_absent_each_block() -> None:
    assert _codes(classify(contract(), _facts(linked_project=None))) == ["job_not_synced"]
    missing = classify(contract(), _facts(job_exists=False, linked_project=None))
    assert _codes(missing) == ["job_not_synced"] and "does not exist" in missing.reasons[0].message
    no_job = classify(contract(job=None), _facts(linked_project=None))
    assert "has no job" in no_job.reasons[0].message


def test_contract_on_two_projects_names_both() -> None:
    sage = contract()
    holders = (ProcoreHolder(TOWER, _row(1)), ProcoreHolder(ANNEX, _row(2)))
    status = classify(sage, _facts(holders=holders))
    assert status.state is ContractState.NOT_READY and _codes(status) == ["on_two_projects"]
    assert "'Tower'" in status.reasons[0].message and "'Annex'" in status.reasons[0].message
    assert status.procore_projects == (TOWER, ANNEX)


def test_contract_held_in_another_project_than_its_jobs_is_blocked() -> None:
    status = classify(contract(), _facts(holders=(ProcoreHolder(ANNEX, _row(2)),)))
    assert _codes(status) == ["in_other_project"] and status.state is ContractState.NOT_READY


def test_import_needs_standard_on_erp_integrations() -> None:
    status = classify(contract(), _facts(erp_access=AccessLevel.READ_ONLY))
    assert _codes(status) == ["no_permission_erp"] and "Standard" in status.reasons[0].message
    # a permission problem is about the user: the contract stays in Ready to Import, greyed
    assert status.state is ContractState.READY_TO_IMPORT and not status.can_import
    assert classify(contract(), _facts(erp_access=AccessLevel.STANDARD)).can_import


def test_import_through_the_api_needs_admin_on_the_projects_prime_contracts() -> None:
    status = classify(contract(), _facts(prime_contracts_access=AccessLevel.STANDARD))
    assert _codes(status) == ["no_permission_prime_contracts"]
    assert status.reasons[0].message.startswith("To import you need Admin")
    assert status.state is ContractState.READY_TO_IMPORT and not status.can_import


def test_reimport_needs_admin_on_erp_and_on_the_projects_prime_contracts() -> None:
    sage = contract(items=[item("010", "5.00")])
    held = _held(sage, [])
    status = classify(sage, _facts(erp_access=AccessLevel.STANDARD,
                                   prime_contracts_access=AccessLevel.STANDARD, **held))
    assert _codes(status) == ["no_permission_erp", "no_permission_prime_contracts"]
    assert status.state is ContractState.CHANGES_READY and not status.can_reimport
    assert "'Tower'" in status.reasons[1].message


def test_every_applicable_rule_is_reported_at_once() -> None:
    sage = contract(approved=False, problems=(DataProblem("bad_amount", "JCT_CONTRACT_ITEM row 3: Amount is 'abc'."),))
    holders = (ProcoreHolder(TOWER, _row(1)), ProcoreHolder(ANNEX, _row(2)))
    status = classify(sage, _facts(holders=holders, erp_access=AccessLevel.READ_ONLY,
                                   prime_contracts_access=AccessLevel.READ_ONLY))
    assert _codes(status) == ["unapproved", "on_two_projects", "invalid_data",
                              "no_permission_erp", "no_permission_prime_contracts"]


def test_invalid_data_names_the_line_and_the_reason() -> None:
    sage = contract(items=[
        item("010", "5.00", "x" * 300),
        item("020", "99999999999999.00"),
        item("030", "1.005"),
        item("040", "1.00", key="040"),
        item("040", "2.00", key="       040"),
        item("   ", "2.00"),
    ])
    status = classify(sage, _facts())
    messages = [r.message for r in status.reasons]
    assert all(r.code is ReasonCode.INVALID_DATA for r in status.reasons)
    assert any(m.startswith("Item 010: the description is 300 characters") for m in messages)
    assert any(m.startswith("Item 020: the amount 99999999999999.00 is beyond") for m in messages)
    assert any(m.startswith("Item 030: the amount 1.005 has fractions of a cent") for m in messages)
    assert any(m.startswith("Item 040: two items have this number") for m in messages)
    assert any("blank" in m for m in messages)
    assert status.state is ContractState.NOT_READY


def test_many_bad_lines_are_summarised_after_ten() -> None:
    sage = contract(items=[item(f"{n:03}", "1.00", "y" * 256) for n in range(25)])
    status = classify(sage, _facts())
    assert len(status.reasons) == 10 and "16 more" in status.reasons[-1].message


def test_job_linked_to_two_projects_blocks_with_both_named() -> None:
    status = classify(contract(), _facts(also_linked=(ANNEX,)))
    assert _codes(status) == ["job_not_synced"]
    assert "'Tower'" in status.reasons[0].message and "'Annex'" in status.reasons[0].message


def test_unit_of_measure_unknown_to_procore_is_invalid_data() -> None:
    sage = contract(items=[item("010", "5.00", unit="SQ"), item("020", "5.00", unit="EA")])
    status = classify(sage, _facts(known_uoms=frozenset({"EA", "LS"})))
    assert _codes(status) == ["invalid_data"]
    assert status.reasons[0].message.startswith("Item 010: the unit of measure 'SQ' is not in Procore's list")
    assert classify(sage, _facts(known_uoms=None)).can_import  # list unreadable: not checked


def test_padded_and_unpadded_twins_of_one_contract_both_block() -> None:
    status = classify(contract(), _facts(same_number_keys=("      1001", "1001")))
    assert _codes(status) == ["invalid_data"] and "appears twice" in status.reasons[0].message
    assert status.state is ContractState.NOT_READY
