"""Each Procore error type, provoked for real against the sandbox, reads as something a Sage
administrator can act on, keeps Procore's own words in `.detail` and never carries a token."""

from __future__ import annotations

import pytest

from sage_sync_desktop.errors import ProcoreError
from sage_sync_desktop.procore.errors import (
    EDITABLE_SOV_SETTING,
    NotFound,
    PermissionDenied,
    ProcoreUnreachable,
    RateLimited,
    RecordLocked,
    ServerError,
    SignInRequired,
    ValidationFailed,
    procore_message,
)
from sage_sync_desktop.procore.http_transport import RetryPolicy
from tests.fixtures.sandbox_fixtures import NO_ACCESS_USER, READ_ONLY_USER, SERVICE_ACCOUNT


def _no_token_in(exc: ProcoreError, client) -> None:
    token = client.auth.tokens.access_token if client.auth.tokens else None
    if token:
        assert token not in f"{exc.message} {exc.fix} {exc.detail}"


def _approved_contract(client, sandbox, *, lines: int = 2) -> tuple[int, int]:
    project_id = client.projects()[0].project_id
    contract = client.create_prime_contract(project_id, {"number": "PC-A", "origin_id": "S300:CN:A"})
    client.sync_line_items(project_id, contract.prime_contract_id,
                           [{"origin_id": f"S300:CN:A:{n}", "amount": "10"} for n in range(lines)])
    client.update_prime_contract(project_id, contract.prime_contract_id, {"status": "Approved", "executed": True})
    return project_id, contract.prime_contract_id


def test_record_locked_names_the_procore_setting_and_the_setting_unlocks_it(procore_client, sandbox):
    project_id, contract_id = _approved_contract(procore_client, sandbox)
    with pytest.raises(RecordLocked) as caught:
        procore_client.sync_line_items(project_id, contract_id, [{"origin_id": "S300:CN:A:9", "amount": "5"}])
    assert EDITABLE_SOV_SETTING in caught.value.fix and "Prime Contracts" in caught.value.fix
    assert "Approved" in caught.value.message
    # Sync answers 200 with the lock on each item; the client raises it, never returns it as done.
    assert "answered 200" in caught.value.detail and "locked" in caught.value.detail
    assert caught.value.partial.entities == ()  # nothing went through
    assert [e.origin_id for e in caught.value.partial.errors] == ["S300:CN:A:9"]
    _no_token_in(caught.value, procore_client)
    sandbox.set_always_editable_sov(project_id, True)
    result = procore_client.sync_line_items(project_id, contract_id, [{"origin_id": "S300:CN:A:9", "amount": "5"}])
    assert len(result.entities) == 1


def test_deleting_a_line_of_an_approved_contract_is_locked_too(procore_client, sandbox):
    project_id, contract_id = _approved_contract(procore_client, sandbox)
    line_id = procore_client.line_items(project_id, contract_id)[0].line_item_id
    with pytest.raises(RecordLocked):
        procore_client.delete_line_item(project_id, contract_id, line_id)


def test_permission_denied_names_the_tool_and_the_level(make_client_for, sandbox):
    client = make_client_for(READ_ONLY_USER)
    me = client.me()
    project_id = client.projects()[0].project_id
    with pytest.raises(PermissionDenied) as caught:
        client.create_prime_contract(project_id, {"number": "N", "origin_id": "S300:CN:N"})
    assert caught.value.tool == "Prime Contracts"
    assert caught.value.message.startswith(f"{me.login} does not have Admin permission")
    assert "Ask a Procore administrator" in caught.value.fix
    assert "Read Only" in caught.value.detail  # Procore's own words: what the user has
    _no_token_in(caught.value, client)


def test_not_found_says_not_visible_to_the_user(make_client_for):
    client = make_client_for(NO_ACCESS_USER)
    client.me()
    with pytest.raises(NotFound) as caught:
        client.prime_contracts(5_000_001_004)
    assert caught.value.message == (
        "The project 5000001004 was not found or is not visible to nora.none@sandbox.example.")
    assert "Directory" in caught.value.fix


def test_validation_failed_keeps_procores_field_errors(procore_client):
    project_id = procore_client.projects()[0].project_id
    with pytest.raises(ValidationFailed) as caught:
        procore_client.create_prime_contract(project_id, {"number": "V", "status": "Signed", "origin_id": "V"})
    assert caught.value.status == 422
    assert "status" in caught.value.field_errors
    assert "status is not included in the list" in caught.value.message
    assert "422" in caught.value.detail


def test_a_duplicate_origin_id_in_another_project_is_refused(procore_client):
    projects = procore_client.projects()
    procore_client.create_prime_contract(projects[0].project_id, {"number": "D", "origin_id": "S300:CN:D"})
    with pytest.raises(ValidationFailed) as caught:
        procore_client.create_prime_contract(projects[1].project_id, {"number": "D", "origin_id": "S300:CN:D"})
    assert caught.value.field_errors == {"origin_id": ["has already been taken"]}


def test_a_duplicate_origin_id_in_the_same_project_returns_the_existing_contract(procore_client, sandbox):
    project_id = procore_client.projects()[0].project_id
    first = procore_client.create_prime_contract(project_id, {"number": "E", "origin_id": "S300:CN:E"})
    again = procore_client.create_prime_contract(project_id, {"number": "E", "origin_id": "S300:CN:E"})
    assert again.prime_contract_id == first.prime_contract_id and len(sandbox.prime_contracts(project_id)) == 1


def test_server_error_and_rate_limited_and_unreachable_messages(make_client_for, sandbox):
    client = make_client_for(SERVICE_ACCOUNT)
    client.transport.policy = RetryPolicy(max_attempts=2)
    client.me()
    sandbox.faults.fail("GET /rest/v1.1/projects", 502, times=2)
    with pytest.raises(ServerError) as server_error:
        client.projects()
    assert server_error.value.status == 502 and "Try again in a few minutes" in server_error.value.fix
    sandbox.faults.fail("GET /rest/v1.1/projects", 429, times=2, retry_after=1)
    with pytest.raises(RateLimited) as limited:
        client.projects()
    assert "ask Procore to raise" in limited.value.fix
    sandbox.faults.reset_connection("GET /rest/v1.1/projects", times=2)
    with pytest.raises(ProcoreUnreachable) as unreachable:
        client.projects()
    # The sandbox is on this machine: the advice is about it, not about proxies or port 443.
    assert unreachable.value.exit_code == 3 and "still running" in unreachable.value.fix
    assert "proxy" not in unreachable.value.fix and "port 443" not in unreachable.value.fix


def test_sign_in_required_is_exit_code_3_and_tells_the_command(make_client_for, sandbox):
    client = make_client_for(SERVICE_ACCOUNT)
    client.me()
    with sandbox.state.lock:  # the service account's secret was rotated in Procore
        sandbox.state.db.execute("UPDATE users SET client_secret = 'rotated' WHERE login = ?", (SERVICE_ACCOUNT,))
    sandbox.expire_tokens()
    with pytest.raises(SignInRequired) as caught:
        client.me()
    assert caught.value.exit_code == 3
    assert caught.value.message == "Procore did not accept the client ID and secret."
    assert caught.value.fix == "Check procore.client_id and enter the client secret again."


def test_procore_message_reads_every_error_body_shape():
    assert procore_message(b'{"errors": "Missing Procore-Company-Id header!"}')[0] == "Missing Procore-Company-Id header!"
    text, fields = procore_message(b'{"errors": {"uom": ["is not valid"]}}')
    assert (text, fields) == ("uom is not valid", {"uom": ["is not valid"]})
    assert procore_message(b'{"error": {"code": "BAD_REQUEST", "message": "Bad Request"}}')[0] == "Bad Request"
    assert procore_message(b'{"error": "invalid_grant", "error_description": "nope"}')[0] == "invalid_grant; nope"
    assert procore_message(b"<html>proxy</html>")[0] == "<html>proxy</html>"
    assert "***" in procore_message(b'{"message": "bad access_token=abcdef123456"}')[0]
