"""Procore's answers parsed into typed records: over real HTTP against the sandbox, and refused
clearly when a field is missing or of another kind."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sage_sync_desktop.procore.permissions import ERP_INTEGRATIONS, PRIME_CONTRACTS, AccessLevel
from sage_sync_desktop.procore.records import (
    LineItem,
    PrimeContract,
    ProcoreDataError,
    ProcoreProject,
    ToolPermission,
    tool_permissions,
)
from tests.fixtures.sandbox_fixtures import ERP_ADMIN
from tests.sandbox.raw_http import call, token_for


def _contract_with_lines(client) -> tuple[int, dict]:
    project_id = client.projects()[0]["id"]
    created = client.create_prime_contract(project_id, {
        "number": "PC-7", "title": "Owner contract", "status": "Draft", "origin_id": "S300:CN:7"})
    client.sync_line_items(project_id, created["id"], [
        {"origin_id": "S300:CI:7:1", "description": "Sitework", "amount": "1234.56", "quantity": "3",
         "unit_cost": "411.52", "uom": "LS"},
        {"origin_id": "S300:CI:7:2", "description": "Credit", "amount": "-100.10"},
    ])
    return project_id, created


def test_projects_from_the_api_become_project_records(procore_client):
    raw = procore_client.projects()
    projects = [ProcoreProject.from_json(p) for p in raw]
    assert [p.project_id for p in projects] == [p["id"] for p in raw]
    assert all(isinstance(p.project_id, int) and p.name for p in projects)
    linked = procore_client.set_project_origin(raw[1]["id"], origin_id="SAGE-JOB-1002", origin_code="1002")
    record = ProcoreProject.from_json(linked)
    assert (record.project_id, record.origin_id, record.active) == (raw[1]["id"], "SAGE-JOB-1002", True)


def test_a_prime_contract_keeps_its_money_as_decimal(procore_client):
    project_id, created = _contract_with_lines(procore_client)
    listed = [PrimeContract.from_json(pc) for pc in procore_client.prime_contracts(project_id)]
    contract = next(pc for pc in listed if pc.prime_contract_id == created["id"])
    assert (contract.number, contract.title, contract.status, contract.origin_id) == (
        "PC-7", "Owner contract", "Draft", "S300:CN:7")
    assert contract.grand_total == Decimal("1134.46") and isinstance(contract.grand_total, Decimal)
    assert contract.updated_at


def test_line_items_parse_amounts_quantities_and_units_exactly(procore_client):
    project_id, created = _contract_with_lines(procore_client)
    lines = {line.origin_id: line for line in
             (LineItem.from_json(raw) for raw in procore_client.line_items(project_id, created["id"]))}
    first, credit = lines["S300:CI:7:1"], lines["S300:CI:7:2"]
    assert (first.description, first.amount, first.quantity, first.unit_cost, first.uom) == (
        "Sitework", Decimal("1234.56"), Decimal("3"), Decimal("411.52"), "LS")
    assert (credit.amount, credit.quantity, credit.unit_cost) == (Decimal("-100.1"), None, None)
    assert all(isinstance(line.line_item_id, int) for line in lines.values())


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
    project_id = client.projects()[0]["id"]
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
