"""TLS verification is always on and cannot be switched off, not even through the environment."""

from __future__ import annotations

import inspect
import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.procore.errors import ProcoreUnreachable
from sage_sync_desktop.procore.http_transport import HttpTransport


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, format, *args) -> None:  # noqa: A002
        pass


@pytest.fixture
def self_signed_server(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed, so no self-signed certificate can be made")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", str(key),
                    "-out", str(cert), "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    server = HTTPServer(("127.0.0.1", 0), _Ok)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()


def test_the_transport_offers_no_way_to_turn_verification_off():
    assert "verify" not in inspect.signature(HttpTransport).parameters
    for bad in (False, "", "  "):
        with pytest.raises(ConfigurationError):
            HttpTransport(ca_bundle=bad)  # type: ignore[arg-type]
    assert HttpTransport().verify.endswith(".pem")


def test_an_untrusted_certificate_is_refused_even_with_the_environment_tricks(self_signed_server, monkeypatch):
    url, _ = self_signed_server
    monkeypatch.setenv("CURL_CA_BUNDLE", "")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "")
    monkeypatch.setenv("PYTHONHTTPSVERIFY", "0")
    transport = HttpTransport(timeout=5)
    with pytest.raises(ProcoreUnreachable) as caught:
        transport.request("GET", url + "/rest/v1.0/me", endpoint="GET /rest/v1.0/me")
    assert "could not be verified" in caught.value.message
    assert "cannot be turned off" in caught.value.fix
    assert transport.stats.total == 1  # a TLS failure is not retried


def test_the_same_server_is_accepted_when_its_certificate_is_trusted(self_signed_server):
    url, cert = self_signed_server
    transport = HttpTransport(timeout=5, ca_bundle=str(cert))
    assert transport.request("GET", url + "/x", endpoint="GET /x").json() == []


def test_plain_http_is_refused_except_to_this_machine():
    transport = HttpTransport(timeout=5)
    with pytest.raises(ConfigurationError) as caught:
        transport.request("GET", "http://api.procore.com/rest/v1.0/me", endpoint="GET /rest/v1.0/me")
    assert "only https is allowed" in caught.value.message
    assert transport.stats.total == 0


def test_the_ca_bundle_setting_reaches_the_client_built_from_settings(tmp_path, secret_store):
    from sage_sync_desktop.procore import oauth
    from sage_sync_desktop.app.wiring import build_client_from_settings
    from sage_sync_desktop.settings import Settings

    secret_store.set(oauth.client_secret_name("production", "app-1"), "not-a-real-secret")

    bundle = tmp_path / "corporate-root.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = Settings().with_changes(procore={"company_id": 1, "client_id": "app-1", "ca_bundle": str(bundle)})
    assert build_client_from_settings(settings, secret_store).transport.verify == str(bundle)
    default = build_client_from_settings(Settings().with_changes(procore={"company_id": 1, "client_id": "app-1"}),
                                         secret_store)
    assert default.transport.verify.endswith(".pem") and default.transport.verify != str(bundle)


def test_a_ca_bundle_that_is_not_a_file_is_a_clear_settings_error(tmp_path):
    with pytest.raises(ConfigurationError) as caught:
        HttpTransport(ca_bundle=str(tmp_path / "off"))
    assert "procore.ca_bundle" in caught.value.message
    assert "cannot be turned off" in caught.value.fix
