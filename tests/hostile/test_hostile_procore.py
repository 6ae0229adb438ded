"""Hostile answers from "Procore" (a local server in front of the sandbox): odd JSON, endless
paging and a long Retry-After each end in one clear, typed error naming the endpoint, written to
the log file, never a traceback; a trickled body is cut off at the timeout; a long wait counts
down."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.cli import main
from sage_sync_desktop.demo.demo_setup import DemoEnvironment, prepare_demo
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.procore.errors import ProcoreUnreachable
from sage_sync_desktop.procore.http_transport import HttpTransport, RetryPolicy
from sage_sync_desktop.secret_store import SecretStore
from tests.hostile.hostile_procore import REQUEST_PATH, HostileProcore

PROJECTS = "/rest/v1.1/projects"
PRIME_CONTRACTS = "/rest/v1.0/prime_contracts"
LINE_ITEMS = "/rest/v1.0/prime_contracts/*/line_items"


def _edit_first(key: str, value: object):
    def spoil(status, headers, body):
        items = json.loads(body)
        items[0][key] = value
        return status, headers, json.dumps(items).encode()
    return spoil


def _raw_first_amount(text: str):
    def spoil(status, headers, body):
        items = json.loads(body)
        items[0]["amount"] = "@@"
        return status, headers, json.dumps(items).replace('"@@"', text).encode()
    return spoil


def _listed_twice(status, headers, body):
    items = json.loads(body)
    return status, headers, json.dumps([items[0], *items]).encode()


def _nested_too_deep(status, headers, body):
    items = json.loads(body)
    items[0]["description"] = "@@"
    return status, headers, json.dumps(items).replace('"@@"', "[" * 100_000 + "]" * 100_000).encode()


def _link_back_to_itself(status, headers, body):
    headers = {k: v for k, v in headers.items() if k.lower() != "total"}
    return status, {**headers, "Link": f'<{headers[REQUEST_PATH]}>; rel="next"'}, body


def _more_pages_than_total(status, headers, body):
    return status, {**headers, "Total": "1", "Link": f'<{PROJECTS}?page=2&per_page=300>; rel="next"'}, body


def _tools_spoiled(status, headers, body):
    answer = json.loads(body)
    answer["tools"] = ["Prime Contracts", *answer.get("tools", [])]
    return status, headers, json.dumps(answer).encode()


def _retry_after_an_hour(status, headers, body):
    return 429, {"Retry-After": "3600", "Content-Type": "application/json"}, b'{"errors": "slow down"}'


CASES = {
    # case: (method, path, spoiler, words in the error)
    "wrong_type": ("GET", PROJECTS, _edit_first("name", ["not", "text"]), "'name' is a list, not text"),
    "null_id": ("GET", PRIME_CONTRACTS, _edit_first("id", None), "has the id null"),
    "nested": ("GET", LINE_ITEMS, _edit_first("description", json.loads("[" * 40 + "]" * 40)),
               "nested more than 32 levels deep"),
    "nested_to_recursion": ("GET", LINE_ITEMS, _nested_too_deep, "nested too deeply"),
    "nan_amount": ("GET", LINE_ITEMS, _raw_first_amount("NaN"), "holds the number NaN"),
    "huge_amount": ("GET", LINE_ITEMS, _raw_first_amount("1e308"), "beyond any amount Procore stores"),
    "infinite_amount": ("GET", LINE_ITEMS, _raw_first_amount("1e999"), "too large to be an amount"),
    "line_listed_twice": ("GET", LINE_ITEMS, _listed_twice, "lists the item with id"),
    # Passes the JSON checks but not the typed record (procore/records.py).
    "retainage_not_a_number": ("GET", PRIME_CONTRACTS, _edit_first("retainage_percent", "ten percent"),
                               "a prime contract whose retainage_percent is not a number ('ten percent')"),
    "permission_tool_not_an_object": ("GET", "/rest/v1.0/settings/permissions", _tools_spoiled,
                                      "an object was expected, it sent text"),
    "link_repeats_a_page": ("GET", PROJECTS, _link_back_to_itself, "leads back to a page already read"),
    "more_pages_than_total": ("GET", PROJECTS, _more_pages_than_total, "but its Total of 1 items fits in 1 pages"),
}


@pytest.fixture
def hostile(tmp_path, secret_store) -> Iterator[tuple[DemoEnvironment, HostileProcore]]:
    demo = prepare_demo(tmp_path / "demo")
    proxy = HostileProcore(demo.sandbox.url)
    settings = settings_module.load(demo.settings_path)
    settings = settings.with_changes(procore={"environment": environments.CUSTOM, "api_url": proxy.url,
                                              "timeout_seconds": 5})
    settings_module.save(settings, demo.settings_path)
    # Under the name without the API URL: found (and moved to the proxy's name) on first read.
    secret_store.set(oauth.client_secret_name(environments.CUSTOM, demo.sandbox.client_id),
                     demo.sandbox.client_secret)
    try:
        yield demo, proxy
    finally:
        proxy.stop()
        demo.stop()


def _status(demo: DemoEnvironment, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--app-dir", str(demo.paths.config_dir.parent), "--config", str(demo.settings_path),
                 "status", "--full-refresh"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("case", list(CASES))
def test_an_odd_answer_ends_in_one_typed_error_naming_the_endpoint_and_logged(hostile, capsys, case) -> None:
    demo, proxy = hostile
    method, path, spoiler, words = CASES[case]
    rule = proxy.spoil(method, path, spoiler)
    code, out = _status(demo, capsys)
    assert rule.hits >= 1
    assert code == 1, out
    endpoint = f"{method} {path.replace('*', '{prime_contract_id}')}"
    assert f"error: Procore's answer to {endpoint} is not what the app expects" in out
    assert words in out
    assert "Traceback" not in out
    log = demo.paths.log_file.read_text(encoding="utf-8")
    assert f"Unexpected answer from Procore to {endpoint}: " in log and words in log
    assert "Traceback" not in log


def test_a_retry_after_beyond_the_cap_gives_up_at_once_with_a_message(hostile, capsys) -> None:
    demo, proxy = hostile
    proxy.spoil("GET", PROJECTS, _retry_after_an_hour)
    started = time.monotonic()
    code, out = _status(demo, capsys)
    assert time.monotonic() - started < 30
    assert code == 1, out
    assert f"Procore asked the app to wait 3600 seconds before GET {PROJECTS}" in out
    assert "Try again after" in out and "Traceback" not in out


class _Trickle(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps([{"id": n} for n in range(30)]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body:
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.05)  # the whole body takes about 15 s

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def test_the_timeout_bounds_the_whole_request_even_when_the_body_trickles() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    transport = HttpTransport(timeout=1.5, policy=RetryPolicy(max_attempts=1))
    started = time.monotonic()
    try:
        with pytest.raises(ProcoreUnreachable, match=r"did not answer within 1\.5 seconds"):
            transport.request("GET", f"http://127.0.0.1:{server.server_address[1]}/rest/v1.0/x",
                              endpoint="GET /rest/v1.0/x")
    finally:
        transport.close()
        server.shutdown()
    assert time.monotonic() - started < 3.0


def test_a_wait_over_five_seconds_counts_down_to_the_listener(hostile) -> None:
    demo, proxy = hostile
    answered = {"n": 0}

    def once_429(status, headers, body):
        answered["n"] += 1
        if answered["n"] == 1:
            return 429, {"Retry-After": "7", "Content-Type": "application/json"}, b'{"errors": "slow down"}'
        return status, headers, body

    proxy.spoil("GET", PROJECTS, once_429)
    slept: list[float] = []
    heard: list[tuple[int, str]] = []
    settings = settings_module.load(demo.settings_path)
    from sage_sync_desktop.app.wiring import build_client_from_settings

    client = build_client_from_settings(settings, SecretStore(), transport=HttpTransport(timeout=5, sleep=slept.append))
    try:
        with client.transport.waits.reported_to(lambda left, why: heard.append((left, why))):
            assert client.projects()
    finally:
        client.close()
    seconds = [left for left, _why in heard]
    assert seconds[0] >= 7 and seconds[-1] == 1
    assert seconds == list(range(seconds[0], 0, -1))  # one tick a second, down to 1
    assert all("429" in why for _left, why in heard)
    assert abs(sum(slept) - (seconds[0] - 1 + slept[0])) < 1e-6
