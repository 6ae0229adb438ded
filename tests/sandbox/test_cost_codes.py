"""The sandbox's project cost codes (budget codes) and cost_code_id on prime contract lines."""

from __future__ import annotations

import pytest

from tests.fixtures.sandbox_fixtures import SERVICE_ACCOUNT
from tests.sandbox.raw_http import call, token_for

PROJECT = 5_000_001_001
OTHER_PROJECT = 5_000_001_002


@pytest.fixture
def token(sandbox) -> str:
    return token_for(sandbox, SERVICE_ACCOUNT)


def _contract(sandbox, token) -> int:
    answer = call(sandbox, "POST", "/rest/v1.0/prime_contract", token=token,
                  json_body={"project_id": PROJECT, "prime_contract": {"number": "CC", "origin_id": "S300:CN:CC"}})
    assert answer.status == 201, answer.body
    return answer.body["id"]


def _sync(sandbox, token, contract_id, updates):
    return call(sandbox, "PATCH", f"/rest/v1.0/prime_contracts/{contract_id}/line_items/sync", token=token,
                params={"project_id": PROJECT}, json_body={"updates": updates})


def test_cost_codes_are_listed_per_project_and_paged(sandbox, token):
    added = sandbox.add_cost_code(PROJECT, "31-000", "Earthwork", origin_id="ERP-31")
    first = call(sandbox, "GET", "/rest/v1.0/cost_codes", token=token,
                 params={"project_id": PROJECT, "per_page": 5})
    assert first.status == 200
    assert first.headers["Total"] == "9"  # the 8 seeded codes and the one added here
    assert len(first.body) == 5 and 'rel="next"' in first.headers["Link"]
    second = call(sandbox, "GET", "/rest/v1.0/cost_codes", token=token,
                  params={"project_id": PROJECT, "per_page": 5, "page": 2})
    codes = {row["full_code"]: row["id"] for row in first.body + second.body}
    assert len(codes) == 9 and codes["31-000"] == added
    others = call(sandbox, "GET", "/rest/v1.0/cost_codes", token=token, params={"project_id": OTHER_PROJECT})
    assert "31-000" not in {row["full_code"] for row in others.body}
    assert len(others.body) == 8


def test_cost_codes_honour_the_origin_id_filter(sandbox, token):
    added = sandbox.add_cost_code(PROJECT, "31-000", "Earthwork", origin_id="ERP-31")
    found = call(sandbox, "GET", "/rest/v1.0/cost_codes", token=token,
                 params={"project_id": PROJECT, "filters[origin_id]": "ERP-31"})
    assert [(row["id"], row["full_code"], row["origin_id"]) for row in found.body] == [(added, "31-000", "ERP-31")]


def test_cost_codes_need_a_known_project(sandbox, token):
    assert call(sandbox, "GET", "/rest/v1.0/cost_codes", token=token, params={"project_id": 1}).status == 404
    assert call(sandbox, "GET", "/rest/v1.0/cost_codes", token=token).status == 400


def test_a_synced_line_keeps_its_cost_code_and_shows_it_nested(sandbox, token):
    code_id = sandbox.add_cost_code(PROJECT, "31-000", "Earthwork", origin_id="ERP-31")
    contract = _contract(sandbox, token)
    answer = _sync(sandbox, token, contract, [{"origin_id": "S300:CI:CC:1", "description": "Earthwork",
                                               "amount": "100", "cost_code_id": code_id}])
    assert answer.body["errors"] == []
    lines = call(sandbox, "GET", f"/rest/v1.0/prime_contracts/{contract}/line_items", token=token,
                 params={"project_id": PROJECT}).body
    nested = lines[0]["cost_code"]
    assert (nested["id"], nested["full_code"], nested["name"], nested["origin_id"]) == (
        code_id, "31-000", "Earthwork", "ERP-31")
    # An update that leaves cost_code_id out keeps it, as a PM's budget code must survive.
    _sync(sandbox, token, contract, [{"origin_id": "S300:CI:CC:1", "amount": "120"}])
    assert sandbox.line_items(contract)[0]["cost_code_id"] == code_id


def test_sync_refuses_an_unknown_or_other_projects_cost_code(sandbox, token):
    elsewhere = sandbox.add_cost_code(OTHER_PROJECT, "31-000", "Earthwork")
    contract = _contract(sandbox, token)
    answer = _sync(sandbox, token, contract, [
        {"origin_id": "S300:CI:CC:1", "description": "A", "amount": "1", "cost_code_id": 999},
        {"origin_id": "S300:CI:CC:2", "description": "B", "amount": "2", "cost_code_id": elsewhere},
        {"origin_id": "S300:CI:CC:3", "description": "C", "amount": "3"},
    ])
    assert answer.status == 200
    assert [(e["origin_id"], e["errors"]) for e in answer.body["errors"]] == [
        ("S300:CI:CC:1", {"cost_code_id": ["does not exist"]}),
        ("S300:CI:CC:2", {"cost_code_id": ["does not exist"]}),
    ]
    assert [e["origin_id"] for e in answer.body["entities"]] == ["S300:CI:CC:3"]


def test_add_cost_code_refuses_an_unknown_project(sandbox):
    with pytest.raises(KeyError):
        sandbox.add_cost_code(1, "31-000", "Earthwork")
