"""Procore's answers parsed into typed records: over real HTTP against the sandbox, and refused
clearly when a field is missing or of another kind."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sage_sync_desktop.procore.permissions import ERP_INTEGRATIONS, PRIME_CONTRACTS, AccessLevel
from sage_sync_desktop.procore.records import (
    HEADER_FIELDS,
    LineItem,
    PrimeContract,
    ProcoreDataError,
    ProcoreProject,
    SyncItemError,
    ToolPermission,
    tool_permissions,
)
from tests.fixtures.sandbox_fixtures import ERP_ADMIN, SERVICE_ACCOUNT
from tests.sandbox.raw_http import call, token_for


def _contract_with_lines(client) -> tuple[int, PrimeContract]:
    project_id = client.projects()[0].project_id
    created = client.create_prime_contract(project_id, {
        "number": "PC-7", "title": "Owner contract", "status": "Draft", "origin_id": "S300:CN:7",
        "retainage_percent": "5.0"})
    client.sync_line_items(project_id, created.prime_contract_id, [
        {"origin_id": "S300:CI:7:1", "description": "Sitework", "amount": "1234.56", "quantity": "3",
         "unit_cost": "411.52", "uom": "LS"},
        {"origin_id": "S300:CI:7:2", "description": "Credit", "amount": "-100.10"},
    ])
    return project_id, created


def test_the_client_answers_projects_as_project_records(procore_client, sandbox):
    projects = procore_client.projects()
    assert all(isinstance(p, ProcoreProject) for p in projects)
    raw = call(sandbox, "GET", "/rest/v1.1/projects", token=token_for(sandbox, SERVICE_ACCOUNT),
               params={"company_id": sandbox.company_id}).body
    assert projects == [ProcoreProject.from_json(p) for p in raw]
    assert all(isinstance(p.project_id, int) and p.name for p in projects)
    linked = procore_client.set_project_origin(projects[1].project_id, origin_id="SAGE-JOB-1002", origin_code="1002")
    assert (linked.project_id, linked.origin_id, linked.origin_code, linked.active) == (
        projects[1].project_id, "SAGE-JOB-1002", "1002", True)
    assert procore_client.project(projects[1].project_id) == linked


def test_a_prime_contract_keeps_its_money_as_decimal(procore_client):
    project_id, created = _contract_with_lines(procore_client)
    listed = procore_client.prime_contracts(project_id)
    contract = next(pc for pc in listed if pc.prime_contract_id == created.prime_contract_id)
    assert (contract.number, contract.title, contract.status, contract.origin_id) == (
        "PC-7", "Owner contract", "Draft", "S300:CN:7")
    assert contract.grand_total == Decimal("1134.46") and isinstance(contract.grand_total, Decimal)
    assert contract.retainage_percent == Decimal("5.0") and contract.updated_at
    assert contract.line_items is None  # a list row carries no lines
    assert contract.fields_present == frozenset(HEADER_FIELDS)


def test_a_shown_prime_contract_carries_its_lines_and_their_total(procore_client):
    project_id, created = _contract_with_lines(procore_client)
    shown = procore_client.prime_contract(project_id, created.prime_contract_id)
    assert shown.line_items_total == Decimal("1134.46")
    assert sorted(line.origin_id for line in shown.line_items) == ["S300:CI:7:1", "S300:CI:7:2"]
    assert shown.line_items == tuple(procore_client.line_items(project_id, created.prime_contract_id))
    assert shown.without_lines().line_items is None and shown.without_lines().number == "PC-7"


def test_line_items_parse_amounts_quantities_and_units_exactly(procore_client):
    project_id, created = _contract_with_lines(procore_client)
    lines = {line.origin_id: line for line in procore_client.line_items(project_id, created.prime_contract_id)}
    first, credit = lines["S300:CI:7:1"], lines["S300:CI:7:2"]
    assert (first.description, first.amount, first.quantity, first.unit_cost, first.uom) == (
        "Sitework", Decimal("1234.56"), Decimal("3"), Decimal("411.52"), "LS")
    assert (credit.amount, credit.quantity, credit.unit_cost) == (Decimal("-100.1"), None, None)
    assert all(isinstance(line.line_item_id, int) for line in lines.values())


def test_a_line_item_reads_back_what_it_writes_for_the_cache():
    line = LineItem.from_json({"id": 7, "origin_id": "S300:CI:1:2", "origin_data": '{"app":"x"}',
                               "description": "Steel", "amount": "1250.5", "quantity": "2.50",
                               "unit_cost": None, "uom": "EA", "cost_code": {"id": 3, "full_code": "05-100"},
                               "updated_at": "2026-12-01T10:00:00Z", "company": {"id": 1}})
    assert (line.cost_code, line.cost_code_id, line.quantity) == ("05-100", 3, Decimal("2.50"))
    assert LineItem.from_json(line.to_json()) == line


def test_a_contract_row_without_a_header_field_does_not_claim_it_empty():
    row = PrimeContract.from_json({"id": 9, "number": "C-1", "status": "Approved"})
    assert row.fields_present == frozenset({"number"})
    assert (row.header_value("number"), row.header_value("contract_date"), row.retainage_percent) == ("C-1", "", None)
    with pytest.raises(KeyError):
        row.header_value("grand_total")  # not a header field this app compares


def test_a_sync_answer_becomes_written_lines_and_refused_items(procore_client):
    project_id, created = _contract_with_lines(procore_client)
    result = procore_client.sync_line_items(project_id, created.prime_contract_id, [
        {"origin_id": "S300:CI:7:3", "description": "Paving", "amount": "10"},
        {"origin_id": "S300:CI:7:4", "description": "Bad unit", "amount": "1", "uom": "NOPE"},
    ])
    assert [(line.origin_id, line.amount) for line in result.entities] == [("S300:CI:7:3", Decimal("10"))]
    assert [error.origin_id for error in result.errors] == ["S300:CI:7:4"]
    assert "uom" in result.errors[0].text and isinstance(result.errors[0], SyncItemError)


def test_tool_permissions_name_each_tool_and_level(sandbox):
    token = token_for(sandbox, ERP_ADMIN)
    company = call(sandbox, "GET", "/rest/v1.0/settings/permissions", token=token,
                   params={"company_id": sandbox.company_id})
    levels = {p.tool: p.level for p in tool_permissions(company.body)}
    assert levels[ERP_INTEGRATIONS] is AccessLevel.ADMIN
    project_id = call(sandbox, "GET", "/rest/v1.0/projects", token=token,
                      params={"company_id": sandbox.company_id}).body[0]["id"]
    project = call(sandbox, "GET", "/rest/v1.0/settings/permissions", token=token,
                   params={"project_id": project_id})
    assert {p.tool: p.level for p in tool_permissions(project.body)}[PRIME_CONTRACTS] is AccessLevel.STANDARD


def test_the_client_reads_permissions_through_the_records(make_client_for):
    client = make_client_for(ERP_ADMIN)
    project_id = client.projects()[0].project_id
    assert client.permissions()[ERP_INTEGRATIONS] is AccessLevel.ADMIN
    assert client.permissions(project_id=project_id)[PRIME_CONTRACTS] is AccessLevel.STANDARD


def test_access_levels_are_read_in_any_case_and_an_unknown_one_grants_nothing():
    assert ToolPermission.from_json({"friendly_name": "Prime Contracts",
                                     "user_access_level": {"name": "admin"}}).level is AccessLevel.ADMIN
    assert ToolPermission.from_json({"name": "budget", "user_access_level": {"name": "Owner"}}) == ToolPermission(
        "budget", AccessLevel.NONE)
    assert tool_permissions(None) == () and tool_permissions({"tools": None}) == ()


@pytest.mark.parametrize(("record", "raw", "words"), [
    (ProcoreProject, {"name": "No id"}, "project without a numeric id"),
    (PrimeContract, {"id": True}, "prime contract without a numeric id"),
    (LineItem, {"id": 5, "amount": "12,50"}, "line item whose amount is not a number"),
    (LineItem, {"id": 5, "amount": 1, "quantity": "NaN"}, "line item whose quantity is not a number"),
    (LineItem, {"id": 5, "amount": {"value": 1}}, "line item whose amount is not a number"),
])
def test_a_record_procore_cannot_have_sent_is_refused_naming_the_field(record, raw, words):
    with pytest.raises(ProcoreDataError) as caught:
        record.from_json(raw)
    assert words in caught.value.message
