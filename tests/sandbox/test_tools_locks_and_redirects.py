"""Sandbox fidelity over raw HTTP: a project with its Prime Contracts tool off, a company without
ERP Integrations, the always-200 sync on a locked schedule of values, exact redirect URIs."""

from __future__ import annotations

from sage_sync_desktop.sandbox.contract_endpoints import SOV_LOCKED
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.sandbox.seed import default_seed
from tests.fixtures.sandbox_fixtures import SERVICE_ACCOUNT
from tests.sandbox.raw_http import call, token_for

PROJECT = 5_000_001_001
OTHER_PROJECT = 5_000_001_002
LIST = "/rest/v1.0/prime_contracts"


def _tools(sandbox, token, **params) -> dict[str, str]:
    answer = call(sandbox, "GET", "/rest/v1.0/settings/permissions", token=token, params=params)
    assert answer.status == 200, answer.body
    return {tool["friendly_name"]: tool["user_access_level"]["name"] for tool in answer.body["tools"]}


def _placed_contract(sandbox, project=PROJECT, status="Draft") -> int:
    placed = sandbox.place({"prime_contracts": [{"project_id": project, "origin_id": f"S300:CN:{project}",
                                                 "number": "T-1", "status": status,
                                                 "line_items": [{"origin_id": f"S300:CN:{project}:1",
                                                                 "amount": "10"}]}]})
    return placed["prime_contracts"][0]


def test_a_project_with_prime_contracts_switched_off_answers_403_and_lists_no_such_tool(sandbox):
    token = token_for(sandbox, SERVICE_ACCOUNT)
    contract_id = _placed_contract(sandbox)
    sandbox.set_tool_enabled("Prime Contracts", False, project_id=PROJECT)
    listed = call(sandbox, "GET", LIST, token=token, params={"project_id": PROJECT})
    shown = call(sandbox, "GET", f"/rest/v1.0/prime_contract/{contract_id}", token=token,
                 params={"project_id": PROJECT})
    assert (listed.status, shown.status) == (403, 403)
    assert "Prime Contracts tool is not enabled" in listed.body["errors"]
    assert "Prime Contracts" not in _tools(sandbox, token, project_id=PROJECT)
    assert "Budget" in _tools(sandbox, token, project_id=PROJECT)
    # Other projects are untouched.
    assert call(sandbox, "GET", LIST, token=token, params={"project_id": OTHER_PROJECT}).status == 200
    assert _tools(sandbox, token, project_id=OTHER_PROJECT)["Prime Contracts"] == "Admin"
    sandbox.set_tool_enabled("Prime Contracts", True, project_id=PROJECT)
    assert call(sandbox, "GET", LIST, token=token, params={"project_id": PROJECT}).status == 200


def test_the_prime_contracts_tool_is_switched_over_the_control_api(sandbox):
    token = token_for(sandbox, SERVICE_ACCOUNT)
    off = call(sandbox, "PATCH", f"/_sandbox/projects/{PROJECT}", company=False,
               json_body={"disabled_tools": ["Prime Contracts"]})
    assert off.status == 200 and off.body["disabled_tools"] == ["Prime Contracts"]
    assert call(sandbox, "GET", LIST, token=token, params={"project_id": PROJECT}).status == 403
    on = call(sandbox, "PATCH", f"/_sandbox/projects/{PROJECT}", company=False, json_body={"disabled_tools": []})
    assert on.body["disabled_tools"] == []
    assert call(sandbox, "GET", LIST, token=token, params={"project_id": PROJECT}).status == 200
    bad = call(sandbox, "PATCH", f"/_sandbox/projects/{PROJECT}", company=False,
               json_body={"disabled_tools": "Prime Contracts"})
    assert bad.status == 400


def test_a_seeded_project_can_start_with_prime_contracts_off():
    seed = default_seed()
    seed["projects"][0]["disabled_tools"] = ["Prime Contracts"]
    with ProcoreSandbox(seed=seed) as sb:
        token = token_for(sb, SERVICE_ACCOUNT)
        first, second = seed["projects"][0]["id"], seed["projects"][1]["id"]
        assert call(sb, "GET", LIST, token=token, params={"project_id": first}).status == 403
        assert call(sb, "GET", LIST, token=token, params={"project_id": second}).status == 200


def test_a_company_seeded_without_erp_integrations_does_not_list_the_tool():
    seed = default_seed()
    seed["companies"][0]["disabled_tools"] = ["ERP Integrations"]
    with ProcoreSandbox(seed=seed) as sb:
        company = sb.company_id
        # Erin is Admin on ERP Integrations in the default seed: with no such tool it is gone.
        for login in (SERVICE_ACCOUNT, "erin.erp@sandbox.example"):
            tools = _tools(sb, token_for(sb, login), company_id=company)
            assert "ERP Integrations" not in tools and "Directory" in tools
        # The ERP path to edit a project's origin id is gone with the tool.
        erin = token_for(sb, "erin.erp@sandbox.example")
        refused = call(sb, "PATCH", f"/rest/v1.0/projects/{PROJECT}", token=erin,
                       json_body={"company_id": company, "project": {"origin_id": "S300:JOB:1"}})
        assert refused.status == 403
        given = call(sb, "PATCH", f"/_sandbox/companies/{company}", company=False, json_body={"disabled_tools": []})
        assert given.body["disabled_tools"] == []
        assert "ERP Integrations" in _tools(sb, token_for(sb, SERVICE_ACCOUNT), company_id=company)


def test_sync_on_a_locked_schedule_of_values_answers_200_with_the_lock_on_every_item(sandbox):
    token = token_for(sandbox, SERVICE_ACCOUNT)
    contract_id = _placed_contract(sandbox, status="Approved")
    updates = [{"origin_id": f"S300:CN:{PROJECT}:1", "amount": "99"}, {"origin_id": "S300:CN:new", "amount": "5"}]
    answer = call(sandbox, "PATCH", f"/rest/v1.0/prime_contracts/{contract_id}/line_items/sync", token=token,
                  params={"project_id": PROJECT}, json_body={"updates": updates})
    assert answer.status == 200
    assert answer.body["entities"] == []
    assert [(e["origin_id"], e["errors"]) for e in answer.body["errors"]] == [
        (u["origin_id"], {"base": [SOV_LOCKED]}) for u in updates]
    assert "Always Editable Schedule of Values" in SOV_LOCKED
    assert [line["amount"] for line in sandbox.line_items(contract_id)] == ["10"]  # nothing changed
    # The project setting unlocks it; single-line writes still answer 422 while locked.
    sandbox.set_always_editable_sov(PROJECT, True)
    again = call(sandbox, "PATCH", f"/rest/v1.0/prime_contracts/{contract_id}/line_items/sync", token=token,
                 params={"project_id": PROJECT}, json_body={"updates": updates})
    assert (len(again.body["entities"]), again.body["errors"]) == (2, [])


def test_a_single_line_write_on_a_locked_contract_is_still_a_422(sandbox):
    token = token_for(sandbox, SERVICE_ACCOUNT)
    contract_id = _placed_contract(sandbox, status="Approved")
    answer = call(sandbox, "POST", f"/rest/v1.0/prime_contracts/{contract_id}/line_items", token=token,
                  params={"project_id": PROJECT}, json_body={"line_item": {"amount": "1"}})
    assert answer.status == 422


def _authorize(sandbox, redirect_uri: str):
    return call(sandbox, "GET", "/oauth/authorize", company=False, params={
        "response_type": "code", "client_id": sandbox.app["client_id"], "redirect_uri": redirect_uri})


def test_only_a_registered_redirect_uri_is_accepted_character_for_character(sandbox):
    assert sandbox.app["redirect_uris"] == ["urn:ietf:wg:oauth:2.0:oob", "http://localhost", "http://localhost:8765"]
    for registered in sandbox.app["redirect_uris"]:
        assert _authorize(sandbox, registered).status == 200
    for unregistered in ("http://localhost:8766", "http://127.0.0.1:8765", "http://localhost:8765/",
                         "http://localhost:8765/callback", "https://localhost:8765", "http://localhost:0"):
        refused = _authorize(sandbox, unregistered)
        assert refused.status == 400 and "not registered" in refused.body, unregistered


def test_a_redirect_uri_registered_over_the_control_api_is_accepted(sandbox):
    assert _authorize(sandbox, "http://localhost:9999").status == 400
    answer = call(sandbox, "PUT", "/_sandbox/app/redirect_uris", company=False,
                  json_body={"redirect_uris": ["http://localhost:9999"]})
    assert answer.body["redirect_uris"] == ["http://localhost:9999"]
    assert _authorize(sandbox, "http://localhost:9999").status == 200
    assert _authorize(sandbox, "http://localhost:8765").status == 400
