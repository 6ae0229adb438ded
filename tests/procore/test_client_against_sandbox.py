"""The Procore client over real HTTP against the local sandbox: the calls the import needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sage_sync_desktop.procore.errors import NotFound, PermissionDenied
from sage_sync_desktop.procore.permissions import AccessLevel
from tests.fixtures.sandbox_fixtures import (
    ERP_ADMIN,
    NO_ACCESS_USER,
    READ_ONLY_USER,
    SERVICE_ACCOUNT,
    STANDARD_USER,
)


def _lines(prefix: str, count: int, amount: str = "100.25") -> list[dict]:
    return [{"origin_id": f"{prefix}:{n:05d}", "description": f"Item {n}", "amount": amount} for n in range(count)]


def test_me_and_companies_name_the_service_account_and_its_company(procore_client, sandbox):
    me = procore_client.me()
    assert me.login == SERVICE_ACCOUNT
    assert [c.company_id for c in procore_client.companies()] == [sandbox.company_id]
    assert sandbox.company_id > 2**32


def test_projects_filter_by_origin_id_and_project_number(procore_client):
    projects = procore_client.projects()
    assert len(projects) == 6
    target = projects[2]
    linked = procore_client.set_project_origin(target.project_id, origin_id="SAGE-JOB-1003", origin_code="1003")
    assert (linked.origin_id, linked.origin_code) == ("SAGE-JOB-1003", "1003")
    assert [p.project_id for p in procore_client.projects(origin_id="SAGE-JOB-1003")] == [target.project_id]
    assert [p.project_id for p in procore_client.projects(project_number="1005")] == [projects[4].project_id]
    assert procore_client.projects(origin_id="nothing-has-this") == []


def test_create_prime_contract_then_show_it_with_its_origin(procore_client):
    project_id = procore_client.projects()[0].project_id
    created = procore_client.create_prime_contract(project_id, {
        "number": "PC-1001", "title": "Owner contract", "status": "Draft", "origin_id": "S300:CN:1001",
        "origin_data": '{"sage":"1001"}', "retainage_percent": "10.0", "contract_date": "2026-01-15"})
    assert created.prime_contract_id > 2**32
    shown = procore_client.prime_contract(project_id, created.prime_contract_id)
    assert (shown.number, shown.status, shown.origin_id) == ("PC-1001", "Draft", "S300:CN:1001")
    assert shown.grand_total == Decimal("0") and shown.line_items == ()
    assert (shown.retainage_percent, shown.contract_date) == (Decimal("10.0"), "2026-01-15")


def test_sync_of_2500_lines_goes_out_in_three_requests_and_totals_follow(procore_client, sandbox):
    project_id = procore_client.projects()[0].project_id
    contract = procore_client.create_prime_contract(project_id, {"number": "PC-2", "origin_id": "S300:CN:2"})
    sandbox.reset_counts()
    result = procore_client.sync_line_items(project_id, contract.prime_contract_id, _lines("S300:CN:2", 2500))
    sync_key = "PATCH /rest/v1.0/prime_contracts/{prime_contract_id}/line_items/sync"
    assert sandbox.request_counts()["by_endpoint"][sync_key] == 3
    assert (len(result.entities), result.errors, result.requests) == (2500, (), 3)
    listed = procore_client.line_items(project_id, contract.prime_contract_id)
    assert len(listed) == 2500
    header = procore_client.prime_contract(project_id, contract.prime_contract_id)
    assert header.grand_total == Decimal("100.25") * 2500
    assert header.revised_contract_amount == Decimal("250625.00")


def test_sync_twice_updates_by_origin_id_and_never_duplicates(procore_client):
    project_id = procore_client.projects()[0].project_id
    contract = procore_client.create_prime_contract(project_id, {"number": "PC-3", "origin_id": "S300:CN:3"})
    procore_client.sync_line_items(project_id, contract.prime_contract_id, _lines("S300:CN:3", 5))
    again = procore_client.sync_line_items(project_id, contract.prime_contract_id, _lines("S300:CN:3", 5, amount="7.00"))
    lines = procore_client.line_items(project_id, contract.prime_contract_id)
    assert len(lines) == 5 and len(again.entities) == 5
    assert {line.amount for line in lines} == {Decimal("7.00")}


def test_line_items_are_filtered_by_updated_at(procore_client):
    project_id = procore_client.projects()[0].project_id
    contract = procore_client.create_prime_contract(project_id, {"number": "PC-4", "origin_id": "S300:CN:4"})
    procore_client.sync_line_items(project_id, contract.prime_contract_id, _lines("S300:CN:4", 3))
    future = datetime.now(UTC) + timedelta(hours=2)
    assert procore_client.line_items(project_id, contract.prime_contract_id, updated_since=future) == []
    past = datetime.now(UTC) - timedelta(hours=2)
    assert len(procore_client.line_items(project_id, contract.prime_contract_id, updated_since=past)) == 3
    assert procore_client.prime_contracts(project_id, updated_since=future) == []


def test_delete_line_item_twice_is_quietly_done(procore_client):
    project_id = procore_client.projects()[0].project_id
    contract = procore_client.create_prime_contract(project_id, {"number": "PC-5", "origin_id": "S300:CN:5"})
    result = procore_client.sync_line_items(project_id, contract.prime_contract_id, _lines("S300:CN:5", 2))
    line_id = result.entities[0].line_item_id
    procore_client.delete_line_item(project_id, contract.prime_contract_id, line_id)
    procore_client.delete_line_item(project_id, contract.prime_contract_id, line_id)  # already gone: no error
    assert [line.line_item_id for line in procore_client.line_items(project_id, contract.prime_contract_id)] == [result.entities[1].line_item_id]


@pytest.mark.parametrize(("login", "erp", "prime"), [
    (SERVICE_ACCOUNT, AccessLevel.ADMIN, AccessLevel.ADMIN),
    (ERP_ADMIN, AccessLevel.ADMIN, AccessLevel.STANDARD),
    (STANDARD_USER, AccessLevel.STANDARD, AccessLevel.STANDARD),
    (READ_ONLY_USER, AccessLevel.READ_ONLY, AccessLevel.READ_ONLY),
])
def test_permission_read_out_per_user(make_client_for, login, erp, prime):
    client = make_client_for(login)
    project_id = client.projects()[0].project_id
    assert client.access_level("ERP Integrations") is erp
    assert client.access_level("Prime Contracts", project_id=project_id) is prime


def test_a_user_without_access_reads_none_and_cannot_see_other_projects(make_client_for, sandbox):
    client = make_client_for(NO_ACCESS_USER)
    assert client.access_level("ERP Integrations") is AccessLevel.NONE
    visible = client.projects()
    assert len(visible) == 1
    assert client.access_level("Prime Contracts", project_id=visible[0].project_id) is AccessLevel.NONE
    with pytest.raises(NotFound) as caught:
        client.project(5_000_001_002)
    assert "not visible to" in caught.value.message


def test_writes_need_admin_on_prime_contracts(make_client_for):
    client = make_client_for(STANDARD_USER)
    project_id = client.projects()[0].project_id
    with pytest.raises(PermissionDenied) as caught:
        client.create_prime_contract(project_id, {"number": "X", "origin_id": "S300:CN:X"})
    assert caught.value.tool == "Prime Contracts"
    assert "Admin permission on the Procore Prime Contracts tool" in caught.value.message
    assert "403" in caught.value.detail
