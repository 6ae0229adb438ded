"""Transport details against a scripted local HTTP server: paging without Link, pacing from the
rate-limit headers, Retry-After as an HTTP date, a Link pointing elsewhere, the User-Agent."""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from sage_sync_desktop import app_info
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.procore.http_transport import HttpTransport, parse_link_header

Script = Callable[[str, dict], tuple[int, dict, object]]


class ScriptedServer:
    """Answers each GET with script(path, query) -> (status, headers, json body); records requests."""

    def __init__(self, script: Script) -> None:
        self.seen: list[tuple[str, dict, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                outer.seen.append((parts.path, query, dict(self.headers)))
                status, headers, body = script(parts.path, query)
                raw = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format, *args) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def scripted():
    servers: list[ScriptedServer] = []

    def start(script: Script) -> ScriptedServer:
        server = ScriptedServer(script)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_paging_falls_back_to_page_numbers_when_link_is_missing(scripted):
    items = list(range(7))

    def script(path, query):
        page, per = int(query["page"]), int(query["per_page"])
        return 200, {"Total": "7"}, items[(page - 1) * per:page * per]

    server = scripted(script)
    got = HttpTransport(timeout=5).get_all(server.url + "/list", endpoint="GET /list", per_page=3)
    assert got == items and [q["page"] for _, q, _ in server.seen] == ["1", "2", "3"]


def test_a_next_link_to_another_host_is_not_followed(scripted):
    def script(path, query):
        if query.get("page") == "1":
            return 200, {"Link": '<https://elsewhere.example/list?page=2>; rel="next"'}, [1]
        return 200, {}, [2]

    server = scripted(script)
    got = HttpTransport(timeout=5).get_all(server.url + "/list", endpoint="GET /list", per_page=1)
    assert got == [1, 2] and all(path == "/list" for path, _, _ in server.seen)


def test_the_client_paces_itself_when_few_requests_remain():
    sleeps: list[float] = []
    now = 1_000_000.0
    transport = HttpTransport(timeout=5, sleep=sleeps.append, clock=lambda: now)
    transport._note_rate_headers({"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "1",
                                  "X-Rate-Limit-Reset": str(int(now + 10))})
    transport._pace()
    assert sleeps == [5.0]  # 10 s left for 1 request + this one
    transport._note_rate_headers({"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "50",
                                  "X-Rate-Limit-Reset": str(int(now + 10))})
    transport._pace()
    assert sleeps == [5.0]  # plenty left: no pause


def test_retry_after_as_an_http_date_is_honoured(scripted):
    sleeps: list[float] = []
    calls = {"n": 0}

    def script(path, query):
        calls["n"] += 1
        if calls["n"] == 1:
            when = email.utils.formatdate(time.time() + 30, usegmt=True)
            return 429, {"Retry-After": when}, {"errors": "slow down"}
        return 200, {}, {"ok": True}

    server = scripted(script)
    transport = HttpTransport(timeout=5, sleep=sleeps.append, random=lambda: 0.0)
    assert transport.request("GET", server.url + "/x", endpoint="GET /x").json() == {"ok": True}
    assert len(sleeps) == 1 and 28 <= sleeps[0] <= 31


def test_every_request_carries_the_user_agent_and_the_timeout_is_applied(scripted):
    server = scripted(lambda path, query: (200, {}, []))
    transport = HttpTransport(timeout=5)
    transport.request("GET", server.url + "/x", endpoint="GET /x", headers={"Procore-Company-Id": "7"})
    headers = server.seen[0][2]
    assert headers["User-Agent"] == app_info.USER_AGENT and app_info.USER_AGENT.startswith("SageSyncDesktop/")
    assert headers["Procore-Company-Id"] == "7"
    with pytest.raises(ConfigurationError):
        HttpTransport(timeout=0)


def test_link_header_parsing():
    links = parse_link_header('<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last"')
    assert links == {"next": "https://a/x?page=2", "last": "https://a/x?page=9"}
