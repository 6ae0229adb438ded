"""After `logout`, a service account stays signed out until `login` (it could fetch a new token
by itself, and did, silently); and a loopback address that does not answer gets advice about the
local server, not about proxies."""

from __future__ import annotations

import io
import sys

import pytest

from sage_sync_desktop.cli import main
from sage_sync_desktop.procore.errors import SignInRequired
from sage_sync_desktop.procore.errors import unreachable_fix
from sage_sync_desktop.app.wiring import build_client_from_settings
from sage_sync_desktop.settings import load


def _login(tmp_path, sandbox, monkeypatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(sandbox.client_secret + "\n"))
    return main(["--app-dir", str(tmp_path / "app"), "login", "--client-credentials", "--client-secret-stdin",
                 "--environment", "custom", "--api-url", sandbox.url, "--login-url", sandbox.login_url,
                 "--client-id", sandbox.client_id, "--company-id", str(sandbox.company_id)])


def test_a_service_account_stays_signed_out_after_logout_until_login(tmp_path, sandbox, secret_store,
                                                                     monkeypatch, capsys):
    assert _login(tmp_path, sandbox, monkeypatch) == 0
    assert main(["--app-dir", str(tmp_path / "app"), "logout"]) == 0
    settings = load(tmp_path / "app" / "config" / "settings.json")
    client = build_client_from_settings(settings, secret_store)
    tokens_before = len(sandbox.state.all("SELECT * FROM tokens"))
    with pytest.raises(SignInRequired) as caught:
        client.me()
    client.close()
    assert "Signed out of Procore" in caught.value.message and "login --client-credentials" in caught.value.fix
    assert len(sandbox.state.all("SELECT * FROM tokens")) == tokens_before  # no token was fetched

    assert _login(tmp_path, sandbox, monkeypatch) == 0
    client = build_client_from_settings(settings, secret_store)
    assert client.me().login == "sage-sync-service@sandbox.example"
    client.close()


def test_only_a_remote_address_gets_the_proxy_and_port_443_advice():
    remote = unreachable_fix("https://api.procore.com/rest/v1.0/me")
    assert "proxy" in remote and "443" in remote
    for url in ("http://127.0.0.1:8080/rest/v1.0/me", "http://localhost:8080/x"):
        local = unreachable_fix(url, ConnectionRefusedError())
        assert "Nothing is listening" in local and "proxy" not in local and "443" not in local
