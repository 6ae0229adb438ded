"""The Procore rules the sandbox enforces, checked on its raw HTTP answers."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from sage_sync_desktop.sandbox.rate_limits import RateLimits
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from tests.fixtures.sandbox_fixtures import READ_ONLY_USER, SERVICE_ACCOUNT, STANDARD_USER
from tests.sandbox.raw_http import call, token_for

PROJECT = 5_000_001_001


@pytest.fixture
def token(sandbox) -> str:
    return token_for(sandbox, SERVICE_ACCOUNT)


def _contract(sandbox, token, origin="S300:CN:R", project=PROJECT) -> int:
    answer = call(sandbox, "POST", "/rest/v1.0/prime_contract", token=token,
                  json_body={"project_id": project, "prime_contract": {"number": "R", "origin_id": origin}})
    assert answer.status == 201, answer.body
    return answer.body["id"]


def _sync(sandbox, token, contract_id, updates, project=PROJECT):
    return call(sandbox, "PATCH", f"/rest/v1.0/prime_contracts/{contract_id}/line_items/sync", token=token,
                params={"project_id": project}, json_body={"updates": updates})


def test_procore_company_id_header_is_required(sandbox, token):
    answer = call(sandbox, "GET", "/rest/v1.1/projects", token=token, company=False,
                  params={"company_id": sandbox.company_id})
    assert (answer.status, answer.body) == (400, {"errors": "Missing Procore-Company-Id header!"})
    # A service account needs it even on /me.
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token, company=False).status == 400


def test_bad_and_expired_tokens_get_401(sandbox, token):
    assert call(sandbox, "GET", "/rest/v1.0/me", token="nonsense").status == 401
    assert call(sandbox, "GET", "/rest/v1.0/me").status == 401
    sandbox.expire_tokens()
    expired = call(sandbox, "GET", "/rest/v1.0/me", token=token)
    assert (expired.status, expired.body) == (401, {"errors": "The access token expired"})


def test_short_token_lifetime_is_reported_in_the_token(sandbox):
    sandbox.set_token_ttl(5)
    user = sandbox.user(SERVICE_ACCOUNT)
    answer = call(sandbox, "POST", "/oauth/token", company=False, form={
        "grant_type": "client_credentials", "client_id": user["client_id"], "client_secret": user["client_secret"]})
    assert answer.body["expires_in"] == 5


def test_ids_are_64_bit(sandbox, token):
    contract_id = _contract(sandbox, token)
    lines = _sync(sandbox, token, contract_id, [{"origin_id": "a", "amount": "1"}]).body["entities"]
    assert min(sandbox.company_id, PROJECT, contract_id, lines[0]["id"]) > 2**32


def test_lists_page_with_link_total_and_per_page(sandbox, token):
    answer = call(sandbox, "GET", "/rest/v1.1/projects", token=token,
                  params={"company_id": sandbox.company_id, "per_page": 4, "page": 1})
    assert (answer.headers["Total"], answer.headers["Per-Page"], len(answer.body)) == ("6", "4", 4)
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', answer.headers["Link"]))
    assert set(links) == {"first", "last", "next"} and "page=2" in links["next"]
    last = call(sandbox, "GET", "/rest/v1.1/projects", token=token,
                params={"company_id": sandbox.company_id, "per_page": 4, "page": 2})
    assert len(last.body) == 2 and 'rel="next"' not in last.headers["Link"]
    capped = call(sandbox, "GET", "/rest/v1.1/projects", token=token,
                  params={"company_id": sandbox.company_id, "per_page": 100_000})
    assert capped.headers["Per-Page"] == "300"


def test_rate_limit_headers_on_every_answer_and_429_past_the_budget(sandbox, token):
    sandbox.rate_limiter.configure(RateLimits(hourly=3, spike=100), hourly_seconds=60)
    seen = [call(sandbox, "GET", "/rest/v1.0/me", token=token) for _ in range(4)]
    assert [a.headers["X-Rate-Limit-Remaining"] for a in seen] == ["2", "1", "0", "0"]
    assert [a.status for a in seen] == [200, 200, 200, 429]
    assert 1 <= int(seen[3].headers["Retry-After"]) <= 60
    assert all(a.headers["X-Rate-Limit-Limit"] == "3" and a.headers["X-Rate-Limit-Reset"].isdigit() for a in seen)


def test_sync_refuses_more_than_1000_items(sandbox, token):
    contract_id = _contract(sandbox, token)
    answer = _sync(sandbox, token, contract_id, [{"origin_id": f"x{n}", "amount": "1"} for n in range(1001)])
    assert answer.status == 413
    assert sandbox.line_items(contract_id) == []


def test_sync_answers_200_with_per_item_errors_and_never_deletes(sandbox, token):
    contract_id = _contract(sandbox, token)
    _sync(sandbox, token, contract_id, [{"origin_id": "keep", "amount": "5"}, {"origin_id": "other", "amount": "6"}])
    other_contract = _contract(sandbox, token, origin="S300:CN:OTHER", project=5_000_001_002)
    _sync(sandbox, token, other_contract, [{"origin_id": "taken", "amount": "1"}], project=5_000_001_002)
    answer = _sync(sandbox, token, contract_id, [
        {"origin_id": "keep", "amount": "7.5"},
        {"origin_id": "taken", "amount": "1"},
        {"origin_id": "bad-uom", "amount": "1", "uom": "parsecs"},
        {"origin_id": "bad-amount", "amount": "12,50"},
        {"id": 42, "amount": "1"},
        {"description": "made without an origin id", "amount": "2"},
    ])
    assert answer.status == 200
    assert [e["origin_id"] for e in answer.body["entities"]] == ["keep", None]
    errors = {json.dumps(e.get("origin_id") or e.get("id")): e["errors"] for e in answer.body["errors"]}
    assert errors == {'"taken"': {"origin_id": ["has already been taken"]},
                      '"bad-uom"': {"uom": ["is not included in the company's list of units of measure"]},
                      '"bad-amount"': {"amount": ["is not a number"]},
                      "42": {"id": ["Line item not found"]}}
    stored = {line["origin_id"]: line["amount"] for line in sandbox.line_items(contract_id)}
    assert stored == {"keep": "7.5", "other": "6", None: "2"}  # "other" was not in the call and stays


def test_sync_by_id_can_change_the_origin_id(sandbox, token):
    contract_id = _contract(sandbox, token)
    line_id = _sync(sandbox, token, contract_id, [{"origin_id": "old", "amount": "1"}]).body["entities"][0]["id"]
    answer = _sync(sandbox, token, contract_id, [{"id": line_id, "origin_id": "new"}])
    assert answer.body["entities"][0]["origin_id"] == "new" and answer.body["entities"][0]["amount"] == "1.0"


def test_prime_contract_origin_id_is_unique_per_company(sandbox, token):
    _contract(sandbox, token, origin="dup", project=PROJECT)
    again = call(sandbox, "POST", "/rest/v1.0/prime_contract", token=token, json_body={
        "project_id": 5_000_001_003, "prime_contract": {"number": "R", "origin_id": "dup"}})
    assert (again.status, again.body) == (422, {"errors": {"origin_id": ["has already been taken"]}})


def test_an_approved_contracts_sov_is_locked_unless_always_editable(sandbox, token):
    contract_id = _contract(sandbox, token)
    call(sandbox, "PATCH", f"/rest/v1.0/prime_contract/{contract_id}", token=token,
         json_body={"project_id": PROJECT, "prime_contract": {"status": "Approved"}})
    locked = _sync(sandbox, token, contract_id, [{"origin_id": "late", "amount": "1"}])
    # Sync always answers 200; the lock comes back on the item (see test_tools_locks_and_redirects).
    assert locked.status == 200 and locked.body["entities"] == []
    assert "Always Editable Schedule of Values" in locked.body["errors"][0]["errors"]["base"][0]
    header_edit = call(sandbox, "PATCH", f"/rest/v1.0/prime_contract/{contract_id}", token=token,
                       json_body={"project_id": PROJECT, "prime_contract": {"title": "Renamed"}})
    assert header_edit.status == 200  # only the schedule of values is locked
    call(sandbox, "PATCH", f"/_sandbox/projects/{PROJECT}", company=False, json_body={"always_editable_sov": True})
    assert len(_sync(sandbox, token, contract_id, [{"origin_id": "late", "amount": "1"}]).body["entities"]) == 1


def test_project_level_permissions_are_enforced_on_writes(sandbox):
    standard = token_for(sandbox, STANDARD_USER)
    refused = call(sandbox, "POST", "/rest/v1.0/prime_contract", token=standard,
                   json_body={"project_id": PROJECT, "prime_contract": {"number": "S"}})
    assert refused.status == 403 and "Admin" in refused.body["errors"]
    sandbox.set_permission(STANDARD_USER, "Prime Contracts", "Admin", project_id=PROJECT)
    allowed = call(sandbox, "POST", "/rest/v1.0/prime_contract", token=standard,
                   json_body={"project_id": PROJECT, "prime_contract": {"number": "S"}})
    assert allowed.status == 201


def test_read_only_users_read_but_cannot_link_projects(sandbox):
    reader = token_for(sandbox, READ_ONLY_USER)
    assert call(sandbox, "GET", "/rest/v1.0/prime_contracts", token=reader, params={"project_id": PROJECT}).status == 200
    answer = call(sandbox, "PATCH", f"/rest/v1.0/projects/{PROJECT}", token=reader,
                  json_body={"company_id": sandbox.company_id, "project": {"origin_id": "J"}})
    assert answer.status == 403


def test_projects_filter_by_updated_at_and_origin_id(sandbox, token):
    patched = call(sandbox, "PATCH", f"/rest/v1.0/projects/{PROJECT}", token=token,
                   json_body={"company_id": sandbox.company_id, "project": {"origin_id": "JOB-9"}})
    since = patched.body["updated_at"]
    recent = call(sandbox, "GET", "/rest/v1.0/projects", token=token, params={
        "company_id": sandbox.company_id, "filters[updated_at]": f"{since}...2999-01-01T00:00:00Z"})
    assert [p["id"] for p in recent.body] == [PROJECT]
    by_origin = call(sandbox, "GET", "/rest/v1.1/projects", token=token,
                     params={"company_id": sandbox.company_id, "filters[origin_id]": "JOB-9"})
    assert [p["id"] for p in by_origin.body] == [PROJECT]


def test_state_survives_a_restart(tmp_path):
    state = tmp_path / "sandbox.sqlite3"
    with ProcoreSandbox(state_path=state) as first:
        token = token_for(first, SERVICE_ACCOUNT)
        contract_id = _contract(first, token)
        secret = first.client_secret
    with ProcoreSandbox(state_path=state) as second:
        assert second.client_secret == secret
        assert [pc["id"] for pc in second.prime_contracts(PROJECT)] == [contract_id]


def test_seeding_from_a_json_file(tmp_path):
    seed = {"companies": [{"id": 7_000_000_001, "name": "Seeded Co"}],
            "projects": [{"id": 7_000_000_010, "name": "Only Project", "project_number": "77",
                          "always_editable_sov": True}],
            "users": [{"login": "svc@seeded.example", "company_admin": True, "service_account": True,
                       "client_id": "seeded-client", "client_secret": "seeded-secret"}],
            "prime_contracts": [{"project_id": 7_000_000_010, "origin_id": "twice", "number": "1",
                                 "line_items": [{"origin_id": "l1", "amount": "3"}]},
                                {"project_id": 7_000_000_010, "origin_id": "twice", "number": "2"}]}
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    with ProcoreSandbox(seed=path) as sb:
        assert (sb.company_id, sb.client_id, sb.client_secret) == (7_000_000_001, "seeded-client", "seeded-secret")
        placed = sb.prime_contracts(7_000_000_010)
        assert [(pc["origin_id"], pc["lines"], pc["sov_total"]) for pc in placed] == [("twice", 1, "3"), ("twice", 0, "0")]


def test_concurrent_syncs_lose_nothing_and_duplicate_nothing(sandbox, token):
    contract_id = _contract(sandbox, token)
    failures: list[int] = []

    def worker(n: int) -> None:
        for _round in range(3):  # the same origin ids from every thread, over and over
            answer = _sync(sandbox, token, contract_id, [{"origin_id": f"c{i}", "amount": str(n)} for i in range(50)])
            if answer.status != 200 or answer.body["errors"]:
                failures.append(n)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = sandbox.line_items(contract_id)
    assert failures == [] and len(lines) == 50 and len({line["origin_id"] for line in lines}) == 50


def test_faults_and_counts_are_controllable_over_http(sandbox, token):
    added = call(sandbox, "POST", "/_sandbox/faults", company=False,
                 json_body={"action": "status", "endpoint": "GET /rest/v1.0/me", "status": 503, "times": 1})
    assert added.status == 201
    call(sandbox, "DELETE", "/_sandbox/requests", company=False)
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token).status == 503
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token).status == 200
    counts = call(sandbox, "GET", "/_sandbox/requests", company=False).body
    assert counts == {"total": 2, "by_endpoint": {"GET /rest/v1.0/me": 2}}
    info = call(sandbox, "GET", "/_sandbox/info", company=False).body
    assert info["company_id"] == sandbox.company_id and len(info["users"]) == 6


def test_a_fault_counts_as_fired_only_when_the_client_meets_it(sandbox, token):
    # Two rules that each end the request, on the same call: the client meets one per request,
    # and `fired` says which; a delay on the same request still applies and counts.
    first = sandbox.faults.fail("GET /rest/v1.0/me", 503, times=1)
    second = sandbox.faults.fail("GET /rest/v1.0/me", 500, times=1)
    slow = sandbox.faults.delay("GET /rest/v1.0/me", 0.2, times=1, after_processing=False)
    started = time.monotonic()
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token).status == 503
    assert time.monotonic() - started >= 0.2
    assert (first.fired, second.fired, slow.fired) == (1, 0, 1)
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token).status == 500
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token).status == 200
    assert (first.fired, second.fired, slow.fired) == (1, 1, 1)


def test_line_changes_bump_the_contract_and_nulls_clear_fields(sandbox, token):
    contract_id = _contract(sandbox, token)
    before = sandbox.state.one("SELECT updated_at FROM prime_contracts WHERE id = ?", (contract_id,))["updated_at"]
    first = _sync(sandbox, token, contract_id, [{"origin_id": "q", "quantity": "2", "unit_cost": "3.5", "uom": "EA",
                                                 "amount": "7", "origin_data": '{"wrote": "7"}'}]).body["entities"][0]
    assert (first["quantity"], first["unit_cost"], first["uom"], first["origin_data"]) == ("2.0", "3.5", "EA",
                                                                                          '{"wrote": "7"}')
    after = sandbox.state.one("SELECT updated_at FROM prime_contracts WHERE id = ?", (contract_id,))["updated_at"]
    assert after > before
    cleared = _sync(sandbox, token, contract_id, [{"origin_id": "q", "quantity": None, "unit_cost": None,
                                                   "uom": None}]).body["entities"][0]
    assert (cleared["quantity"], cleared["unit_cost"], cleared["uom"], cleared["amount"]) == (None, None, None, "7.0")


def test_token_endpoint_accepts_multipart_form_data_like_procores_curl_examples(sandbox):
    import urllib.request

    user = sandbox.user(SERVICE_ACCOUNT)
    boundary = "sandbox-boundary-1"
    fields = {"grant_type": "client_credentials", "client_id": user["client_id"], "client_secret": user["client_secret"]}
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items()) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(sandbox.url + "/oauth/token", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        token = json.loads(answer.read())
    assert token["token_type"] == "bearer" and call(sandbox, "GET", "/rest/v1.0/me",
                                                     token=token["access_token"]).status == 200


def test_the_other_http_controls(sandbox):
    added = call(sandbox, "POST", "/_sandbox/users", company=False, json_body={
        "login": "new.person@sandbox.example", "name": "New Person",
        "permissions": {"company": {"ERP Integrations": "Standard"}}})
    assert added.status == 201 and added.body["client_secret"]
    assert call(sandbox, "PUT", "/_sandbox/permissions", company=False, json_body={
        "login": "new.person@sandbox.example", "tool": "Prime Contracts", "level": "Admin",
        "project_id": PROJECT}).status == 200
    assert call(sandbox, "PUT", "/_sandbox/token_ttl", company=False, json_body={"seconds": 30}).status == 200
    token = token_for(sandbox, "new.person@sandbox.example")
    assert call(sandbox, "GET", "/oauth/token/info", token=token, company=False).body["expires_in_seconds"] <= 30
    tools = call(sandbox, "GET", "/rest/v1.0/settings/permissions", token=token, params={"project_id": PROJECT}).body
    assert {t["friendly_name"]: t["user_access_level"]["name"] for t in tools["tools"]}["Prime Contracts"] == "Admin"
    placed = call(sandbox, "POST", "/_sandbox/seed", company=False, json_body={"prime_contracts": [
        {"project_id": PROJECT, "origin_id": "placed", "status": "Approved", "line_items": [{"amount": "2"}]}]})
    assert placed.status == 201 and len(placed.body["prime_contracts"]) == 1
    assert call(sandbox, "POST", "/_sandbox/tokens/expire", company=False, json_body={}).body["expired"] >= 1
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token).status == 401
    assert call(sandbox, "PUT", "/_sandbox/rate_limit", company=False,
                json_body={"hourly": 1, "spike": 1}).status == 200
    info = call(sandbox, "GET", "/_sandbox/info", company=False).body
    assert info["app"]["client_id"] == sandbox.app["client_id"] and info["demo_user"]["login"] == "pat.admin@sandbox.example"
    assert call(sandbox, "POST", "/_sandbox/faults", company=False, json_body={"action": "explode",
                                                                                "endpoint": "*"}).status == 400
