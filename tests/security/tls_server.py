"""An HTTPS server on 127.0.0.1 with a self-signed certificate made by openssl for the test.

It answers every request like Procore would if it were trusted, so a client that skipped
certificate verification would get a 200 and a token; a verifying client must refuse it.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    cert = directory / "cert.pem"
    key = directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.server.requests_seen.append((self.command, self.path))  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.startswith("/oauth/token"):
            body = {"access_token": "tls-test-token", "token_type": "bearer",
                    "expires_in": 5400, "created_at": 1_700_000_000}
        elif "/me" in self.path:
            body = {"id": 1, "login": "spy@example.com", "name": "Spy"}
        elif "/companies" in self.path:
            body = [{"id": 1, "name": "Spy Co", "is_active": True}]
        else:
            body = []
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        pass


class SelfSignedHttpsServer:
    """Context manager: `.url` is https://127.0.0.1:<port>; `.requests_seen` lists what got through."""

    def __init__(self, directory: Path) -> None:
        self.cert, self.key = make_self_signed_cert(directory)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.requests_seen = []  # type: ignore[attr-defined]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def requests_seen(self) -> list[tuple[str, str]]:
        return self._server.requests_seen  # type: ignore[attr-defined]

    def __enter__(self) -> SelfSignedHttpsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
