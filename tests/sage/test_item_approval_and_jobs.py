"""Approval and the job on each contract item, read through real ODBC on both naming presets.

Sage's Contracts module records approval per contract item (Proposed, then Approved with an
Approval_Date) and picks the job per item; these tests drive the sample company's own rows and
edits made as a Sage user would make them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sage.table_mapping import TableMapping
from sage_sync_desktop.demo.sample_editor import SampleEditor
from tests.fixtures.sage_fixtures import change_sample, odbc_reader_for

NO_HEADER_JOB = {"contract": {"columns": {"job": None}}}


@pytest.fixture(params=["legacy", "standard"])
def naming(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def info(tmp_path, naming):
    return generate_sample_company(tmp_path / f"sage-{naming}.db", naming=naming)


def _read(info, overrides=None):
    mapping = TableMapping.preset(info.naming).with_overrides(overrides or {})
    return odbc_reader_for(info.path, mapping=mapping).read_company()


def _sql(info, statement, params=()):
    change_sample(info.path, statement, params, naming=info.naming)


def test_items_awaiting_approval_are_held_apart_and_left_out_of_the_total(info):
    company = _read(info)
    (contract_number, _), *_ = info.awaiting_items
    contract = company.contract(contract_number)
    awaiting = [item for c, item in info.awaiting_items if c == contract_number]
    assert [i.number for i in contract.awaiting_items] == awaiting
    assert not set(awaiting) & {i.number for i in contract.items}
    assert contract.approved and contract.items
    assert contract.total == sum((i.amount for i in contract.items), Decimal("0.00"))


def test_a_contract_whose_items_are_all_proposed_is_not_approved(info):
    company = _read(info)
    for number in info.unapproved_contracts:
        contract = company.contract(number)
        assert contract.items == () and contract.awaiting_items
        assert contract.no_item_approved and not contract.approved


def test_a_proposed_item_with_an_approval_date_still_awaits_approval_case_and_padding_ignored(info):
    SampleEditor(info.path, info.naming).change_item("240101", "3", status="  PROPOSED ")
    contract = _read(info).contract("240101")
    assert [i.number for i in contract.awaiting_items] == ["3"]
    assert "3" not in [i.number for i in contract.items]


def test_an_approved_status_without_an_approval_date_awaits_approval(info):
    SampleEditor(info.path, info.naming).change_item("240101", "4", approval_date="1900-01-01")
    assert [i.number for i in _read(info).contract("240101").awaiting_items] == ["4"]


def test_with_the_item_status_unmapped_only_the_approval_date_decides(info):
    SampleEditor(info.path, info.naming).change_item("240101", "3", status="Proposed")
    contract = _read(info, {"contract_item": {"columns": {"status": None}}}).contract("240101")
    assert "3" in [i.number for i in contract.items] and contract.awaiting_items == ()


def test_unapproved_item_statuses_can_be_set_per_site(info):
    SampleEditor(info.path, info.naming).change_item("240101", "2", status="On Hold")
    contract = _read(info, {"approval": {"unapproved_item_statuses": ["Proposed", "on hold"]}}).contract("240101")
    assert [i.number for i in contract.awaiting_items] == ["2"]


def test_the_header_rule_still_holds_where_both_are_mapped(info):
    SampleEditor(info.path, info.naming).set_approved("240201", None)
    contract = _read(info).contract("240201")
    assert contract.items and contract.awaiting_items == ()
    assert contract.header_approved is False and contract.approved is False


def test_an_item_back_to_proposed_moves_to_awaiting(info):
    SampleEditor(info.path, info.naming).unapprove_item("240301", "2")
    contract = _read(info).contract("240301")
    assert [i.number for i in contract.awaiting_items] == ["2"]
    assert contract.approved


def test_items_on_two_jobs_name_both_the_header_job_first(info):
    company = _read(info)
    (number, jobs), = info.several_jobs.items()
    assert company.contract(number).jobs == jobs
    assert company.contract("240101").jobs == ("2401",)


@pytest.mark.parametrize("overrides", [{}, NO_HEADER_JOB], ids=["header job", "no header job"])
def test_an_item_on_another_job_than_the_header_names_both(info, overrides):
    SampleEditor(info.path, info.naming).change_item("240101", "1", job="      2405")
    assert _read(info, overrides).contract("240101").jobs == ("2401", "2405")


def test_without_a_header_job_column_the_contract_takes_its_items_job(info):
    _sql(info, 'UPDATE "{contract}" SET "Job" = NULL')  # the column is not read at all below
    company = _read(info, NO_HEADER_JOB)
    contract = company.contract("240101")
    assert (contract.job_key, contract.job_number, contract.jobs) == ("      2401", "2401", ("2401",))
    assert contract.problems == ()
    (number, jobs), = info.several_jobs.items()
    several = company.contract(number)
    assert several.jobs == tuple(sorted(jobs)) and several.job_key is None
    assert company.contract(info.contracts_on_unlinked_job[0]).job_number == info.unlinked_job


def test_without_a_header_job_column_a_contract_whose_items_name_no_job_is_flagged(info):
    SampleEditor(info.path, info.naming).change_items(
        "240201", {str(n): {"job": None} for n in range(1, 40)})
    contract = _read(info, NO_HEADER_JOB).contract("240201")
    problem, = contract.problems
    assert problem.code == "missing_job" and "none of its items names a job" in problem.message
    assert contract.job_key is None


def test_without_a_header_job_column_an_unknown_item_job_is_flagged(info):
    SampleEditor(info.path, info.naming).change_items(
        "240201", {str(n): {"job": "      7777"} for n in range(1, 40)})
    contract = _read(info, NO_HEADER_JOB).contract("240201")
    problem, = contract.problems
    assert problem.code == "unknown_job" and "7777" in problem.message


def test_a_site_without_a_header_job_column_reads_without_it(info):
    """The stand-in for a site whose contract table has no Job column: the column is dropped."""
    _sql(info, 'ALTER TABLE "{contract}" DROP COLUMN "Job"')
    company = _read(info, NO_HEADER_JOB)
    assert company.contract("240101").job_number == "2401"
