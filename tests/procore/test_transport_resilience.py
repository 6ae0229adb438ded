"""Paging, rate limits, retries and the never-duplicated create, over real HTTP with faults."""

from __future__ import annotations

import socket
import time
import urllib.parse

import pytest

from sage_sync_desktop.procore.errors import ProcoreUnreachable, RateLimited, ServerError
from sage_sync_desktop.procore.http_transport import RetryPolicy
from sage_sync_desktop.sandbox.rate_limits import RateLimits
from tests.fixtures.sandbox_fixtures import SERVICE_ACCOUNT, client_for

PROJECTS = "GET /rest/v1.1/projects"
CREATE = "POST /rest/v1.0/prime_contract"


class RecordingSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def test_paging_follows_link_headers_across_several_pages(procore_client, sandbox):
    headers = {"Procore-Company-Id": str(sandbox.company_id)}
    sandbox.reset_counts()
    projects = procore_client.transport.get_all(
        f"{sandbox.url}/rest/v1.1/projects", endpoint=PROJECTS, params={"company_id": sandbox.company_id},
        per_page=2, headers=headers, auth=procore_client.auth)
    assert len(projects) == 6 and len({p["id"] for p in projects}) == 6
    assert sandbox.request_counts()["by_endpoint"][PROJECTS] == 3


def test_line_items_beyond_one_page_are_all_read(procore_client, sandbox):
    project_id = procore_client.projects()[0].project_id
    sandbox.place({"prime_contracts": [{"project_id": project_id, "origin_id": "big", "number": "B",
                                        "line_items": [{"origin_id": f"big:{n}", "amount": "1"} for n in range(2345)]}]})
    contract_id = sandbox.prime_contracts(project_id)[0]["id"]
    sandbox.reset_counts()
    lines = procore_client.line_items(project_id, contract_id)
    assert len(lines) == 2345 and len({line.line_item_id for line in lines}) == 2345
    key = "GET /rest/v1.0/prime_contracts/{prime_contract_id}/line_items"
    assert sandbox.request_counts()["by_endpoint"][key] == 3  # per_page 1000: 1000 + 1000 + 345


def test_a_429_waits_for_retry_after_then_succeeds(sandbox):
    sleep = RecordingSleep()
    client = client_for(sandbox, SERVICE_ACCOUNT, sleep=sleep)
    client.me()
    sandbox.faults.fail(PROJECTS, 429, times=1, retry_after=7)
    assert len(client.projects()) == 6
    assert any(7 <= s < 8.5 for s in sleep.calls), sleep.calls
    assert client.stats.snapshot()["rate_limit_waits"] >= 1
    client.close()


def test_a_503_is_retried_for_a_read(procore_client, sandbox):
    sandbox.faults.fail(PROJECTS, 503, times=2)
    assert len(procore_client.projects()) == 6
    assert sandbox.request_counts()["by_endpoint"][PROJECTS] == 3
    assert procore_client.stats.snapshot()["retries"] == 2


def test_a_connection_reset_is_retried_for_a_read(procore_client, sandbox):
    sandbox.faults.reset_connection(PROJECTS)
    assert len(procore_client.projects()) == 6


def test_endless_429_ends_in_rate_limited(sandbox):
    sleep = RecordingSleep()
    client = client_for(sandbox, SERVICE_ACCOUNT, sleep=sleep)
    client.transport.policy = RetryPolicy(max_attempts=4)
    client.me()
    sandbox.faults.fail(PROJECTS, 429, times=None, retry_after=2)
    with pytest.raises(RateLimited) as caught:
        client.projects()
    assert "limiting how fast" in caught.value.message
    assert len(sleep.calls) == 3
    client.close()


def test_the_client_slows_down_before_the_budget_runs_out(sandbox):
    sandbox.rate_limiter.configure(RateLimits(hourly=6, spike=1000), hourly_seconds=30.0)
    sleep = RecordingSleep()
    client = client_for(sandbox, SERVICE_ACCOUNT, sleep=sleep)
    for _ in range(5):
        client.projects()  # with the token request: exactly the budget of 6
    # Pauses began once 3 requests were left, each a share of the time to the reset.
    assert len(sleep.calls) == 3 and all(0 < s <= 30 for s in sleep.calls)
    assert client.stats.snapshot()["rate_limit_waits"] == 3
    assert sandbox.request_counts()["by_endpoint"][PROJECTS] == 5  # never refused
    client.close()


def test_a_create_that_times_out_after_procore_saved_it_is_not_duplicated(sandbox):
    client = client_for(sandbox, SERVICE_ACCOUNT, timeout=1.0)
    project_id = client.projects()[0].project_id
    sandbox.faults.delay(CREATE, 2.5, times=1, after_processing=True)
    created = client.create_prime_contract(project_id, {"number": "PC-9", "origin_id": "S300:CN:9"})
    assert created.origin_id == "S300:CN:9"
    stored = [pc for pc in sandbox.prime_contracts(project_id) if pc["origin_id"] == "S300:CN:9"]
    assert len(stored) == 1 and stored[0]["id"] == created.prime_contract_id
    assert sandbox.request_counts()["by_endpoint"][CREATE] == 1  # looked up, never sent again
    client.close()


def test_a_create_still_in_progress_when_the_client_gives_up_is_not_duplicated(sandbox):
    client = client_for(sandbox, SERVICE_ACCOUNT, timeout=1.0)
    project_id = client.projects()[0].project_id
    # Procore is slow to even start on the first request: the client's lookups find nothing and
    # it sends the create again; when the first one finally runs, origin_id is already taken.
    sandbox.faults.delay(CREATE, 2.0, times=1, after_processing=False)
    created = client.create_prime_contract(project_id, {"number": "PC-14", "origin_id": "S300:CN:14"})
    deadline = time.monotonic() + 5
    while sandbox.request_counts()["by_endpoint"][CREATE] < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # let the slow first request finish on the server
    stored = [pc for pc in sandbox.prime_contracts(project_id) if pc["origin_id"] == "S300:CN:14"]
    assert [pc["id"] for pc in stored] == [created.prime_contract_id]
    assert client.stats.snapshot()["waited_seconds"] >= 5.0  # it did look again, later, before re-sending
    client.close()


def test_a_create_refused_before_saving_is_sent_once_more(procore_client, sandbox):
    project_id = procore_client.projects()[0].project_id
    sandbox.faults.fail(CREATE, 503, times=1)
    created = procore_client.create_prime_contract(project_id, {"number": "PC-10", "origin_id": "S300:CN:10"})
    assert [pc["id"] for pc in sandbox.prime_contracts(project_id)] == [created.prime_contract_id]
    assert sandbox.request_counts()["by_endpoint"][CREATE] == 2


def test_a_create_whose_connection_drops_after_saving_is_found_not_repeated(procore_client, sandbox):
    project_id = procore_client.projects()[0].project_id
    sandbox.faults.reset_connection(CREATE, after_processing=True)
    created = procore_client.create_prime_contract(project_id, {"number": "PC-11", "origin_id": "S300:CN:11"})
    assert [pc["id"] for pc in sandbox.prime_contracts(project_id)] == [created.prime_contract_id]
    assert sandbox.request_counts()["by_endpoint"][CREATE] == 1


def test_a_create_failing_twice_gives_up_with_a_server_error(procore_client, sandbox):
    project_id = procore_client.projects()[0].project_id
    sandbox.faults.fail(CREATE, 500, times=2)
    with pytest.raises(ServerError) as caught:
        procore_client.create_prime_contract(project_id, {"number": "PC-12", "origin_id": "S300:CN:12"})
    assert "never duplicates" in caught.value.fix
    assert sandbox.prime_contracts(project_id) == []
    assert sandbox.request_counts()["by_endpoint"][CREATE] == 2


def test_a_create_without_origin_id_is_never_retried(procore_client, sandbox):
    project_id = procore_client.projects()[0].project_id
    sandbox.faults.fail(CREATE, 500, times=1)
    with pytest.raises(ServerError):
        procore_client.create_prime_contract(project_id, {"number": "PC-13"})
    assert sandbox.request_counts()["by_endpoint"][CREATE] == 1


def test_a_closed_port_is_reported_as_unreachable(sandbox):
    client = client_for(sandbox, SERVICE_ACCOUNT, timeout=2.0)
    port = urllib.parse.urlsplit(sandbox.url).port
    sandbox.stop()
    # Hold the port, bound but never listening, so no other server started meanwhile on this
    # busy machine can take it: a connection to it is refused, as to any closed port.
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past the old connections' TIME_WAIT
        holder.bind(("127.0.0.1", port))
        with pytest.raises(ProcoreUnreachable) as caught:
            client.me()
    assert caught.value.exit_code == 3
    # A loopback address: the advice names the stopped local server, not proxies or firewalls.
    assert "did not answer" in caught.value.message and "Nothing is listening" in caught.value.fix
    assert "proxy" not in caught.value.fix and "443" not in caught.value.fix
    client.close()
