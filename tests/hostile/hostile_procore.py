"""A hostile "Procore" on 127.0.0.1: forwards every call to the local sandbox and spoils the
answers a test chooses (odd JSON, endless paging, long Retry-After, a trickled body)."""

from __future__ import annotations

import fnmatch
import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# (status, headers, body) -> (status, headers, body); headers are a plain dict, holding the
# request's path and query under REQUEST_PATH.
REQUEST_PATH = "X-Hostile-Request-Path"
Spoiler = Callable[[int, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


@dataclass
class Rule:
    method: str
    path: str  # fnmatch pattern over the path, query excluded
    spoil: Spoiler
    trickle_seconds: float = 0.0  # pause between the body's bytes
    hits: int = 0


class HostileProcore:
    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.rules: list[Rule] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                upstream = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "accept-encoding")}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                status, answer_headers, data = answer.status, dict(answer.getheaders()), answer.read()
                upstream.close()
                rule = proxy.rule_for(self.command, self.path.split("?")[0])
                if rule is not None:
                    rule.hits += 1
                    answer_headers[REQUEST_PATH] = self.path  # what was asked, for spoilers that need it
                    status, answer_headers, data = rule.spoil(status, answer_headers, data)
                answer_headers.pop(REQUEST_PATH, None)
                for name in ("Content-Length", "Transfer-Encoding", "Connection", "content-length"):
                    answer_headers.pop(name, None)
                self.send_response(status)
                for name, value in answer_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if rule is not None and rule.trickle_seconds:
                    for byte in data:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(rule.trickle_seconds)
                else:
                    self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _forward  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def spoil(self, method: str, path: str, spoil: Spoiler, *, trickle_seconds: float = 0.0) -> Rule:
        rule = Rule(method, path, spoil, trickle_seconds)
        self.rules.append(rule)
        return rule

    def rule_for(self, method: str, path: str) -> Rule | None:
        return next((r for r in self.rules if r.method == method and fnmatch.fnmatch(path, r.path)), None)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
