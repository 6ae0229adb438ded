"""The transport names why it retried, over real HTTP against the sandbox, and a watch sees only
its own thread's requests (the window's worker shares the client with nobody it should count)."""

from __future__ import annotations

import threading

from tests.fixtures.sandbox_fixtures import SERVICE_ACCOUNT, client_for

PROJECTS = "GET /rest/v1.1/projects"
CREATE = "POST /rest/v1.0/prime_contract"


class NoSleep:
    def __call__(self, seconds: float) -> None:
        pass


def test_retries_are_counted_by_cause(sandbox):
    client = client_for(sandbox, SERVICE_ACCOUNT, sleep=NoSleep())
    client.me()
    sandbox.faults.fail(PROJECTS, 503, times=1, retry_after=2)
    sandbox.faults.fail(PROJECTS, 429, times=2, skip=1, retry_after=1)
    sandbox.faults.reset_connection(PROJECTS, times=1, skip=3)
    with client.stats.watch() as watch:
        client.projects()
        events, waited = watch.take()
    assert [(e.endpoint, e.cause, e.retried) for e in events] == [
        (PROJECTS, "503", True), (PROJECTS, "429", True), (PROJECTS, "429", True),
        (PROJECTS, "ConnectionError", True)]
    assert waited >= 2 + 1 + 1 and events[0].wait_seconds >= 2
    assert client.stats.snapshot()["retries_by_cause"] == {"503": 1, "429": 2, "ConnectionError": 1}
    assert client.stats.retries == 4
    assert watch.take() == ([], 0.0)  # taken once only
    client.close()


def test_an_expired_token_is_a_renewal_not_a_backoff_retry(sandbox):
    client = client_for(sandbox, SERVICE_ACCOUNT, sleep=NoSleep())
    client.me()
    sandbox.expire_tokens()
    with client.stats.watch() as watch:
        client.projects()
        events, _ = watch.take()
    assert [(e.cause, e.retried) for e in events] == [("token_renewed", True)]
    assert client.stats.retries == 0 and client.stats.retries_by_cause["token_renewed"] == 1
    client.close()


def test_a_post_refused_with_503_is_passed_on_then_resent_once_by_the_client(sandbox):
    client = client_for(sandbox, SERVICE_ACCOUNT, sleep=NoSleep())
    project_id = client.projects()[0].project_id
    sandbox.faults.fail(CREATE, 503, times=1)
    with client.stats.watch() as watch:
        client.create_prime_contract(project_id, {"number": "W-1", "title": "Watched", "origin_id": "w-1"})
        events, _ = watch.take()
    # The transport never resends a POST; the client looks the contract up by origin id, finds
    # nothing, and sends it once more, which is recorded as its own cause.
    assert [(e.endpoint, e.cause, e.retried) for e in events] == [(CREATE, "503", False),
                                                                   (CREATE, "create_resent", True)]
    assert client.stats.retries == 0 and client.stats.retries_by_cause["create_resent"] == 1
    client.close()


def test_a_watch_sees_only_its_own_thread(sandbox):
    client = client_for(sandbox, SERVICE_ACCOUNT, sleep=NoSleep())
    client.me()
    sandbox.faults.fail(PROJECTS, 503, times=3)
    other_done = threading.Event()

    def other_thread() -> None:
        client.projects()  # meets the three 503s while this thread's watch is open
        other_done.set()

    with client.stats.watch() as watch:
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join(timeout=30)
        assert other_done.is_set()
        client.me()
        events, _ = watch.take()
    assert events == []
    assert client.stats.retries_by_cause["503"] == 3
    client.close()
