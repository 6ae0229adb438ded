"""Signing in proves the secret given now, and credentials of one Procore never serve another."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator

import pytest

from sage_sync_desktop.cli import main
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.app.wiring import build_client_from_settings
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.settings import Settings

SERVICE_LOGIN = "sage-sync-service@sandbox.example"


@pytest.fixture
def second_sandbox() -> Iterator[ProcoreSandbox]:
    sb = ProcoreSandbox().start()
    try:
        yield sb
    finally:
        sb.stop()


def _login(tmp_path, sandbox, secret: str, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
    capsys.readouterr()
    code = main(["--app-dir", str(tmp_path / "app"), "login", "--environment", "custom",
                 "--api-url", sandbox.url, "--login-url", sandbox.login_url, "--client-credentials",
                 "--client-secret-stdin", "--client-id", sandbox.client_id,
                 "--company-id", str(sandbox.company_id)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _settings(sandbox: ProcoreSandbox) -> Settings:
    return Settings().with_changes(procore={
        "environment": environments.CUSTOM, "api_url": sandbox.url, "login_url": sandbox.login_url,
        "company_id": sandbox.company_id, "client_id": sandbox.client_id, "auth": "client_credentials",
        "timeout_seconds": 10})


def test_login_with_a_wrong_client_secret_is_refused_even_with_a_valid_token_saved(
        tmp_path, sandbox, memory_keyring, monkeypatch, capsys) -> None:
    code, out = _login(tmp_path, sandbox, sandbox.client_secret, monkeypatch, capsys)
    assert code == 0, out
    saved = dict(memory_keyring.values)
    code, out = _login(tmp_path, sandbox, "not-the-secret", monkeypatch, capsys)
    assert code == 3, out
    assert "Signed in" not in out
    assert "did not accept the client ID and secret" in out
    # Nothing was saved: the good secret and its token are as they were.
    assert memory_keyring.values == saved
    assert "not-the-secret" not in "".join(memory_keyring.values.values())


def test_two_custom_urls_with_one_client_id_keep_their_own_secret_and_token(
        tmp_path, sandbox, second_sandbox, secret_store, monkeypatch, capsys) -> None:
    assert sandbox.client_id == second_sandbox.client_id  # one client ID, two Procores
    assert sandbox.client_secret != second_sandbox.client_secret
    for sb in (sandbox, second_sandbox):
        code, out = _login(tmp_path, sb, sb.client_secret, monkeypatch, capsys)
        assert code == 0, out
    for sb in (sandbox, second_sandbox):
        client = build_client_from_settings(_settings(sb), secret_store)
        try:
            assert client.me().login == SERVICE_LOGIN
        finally:
            client.close()
    assert sb.request_counts()["by_endpoint"].get("POST /oauth/token") == 1  # its own saved token


def test_a_secret_saved_under_the_old_key_is_found_and_moved_to_the_new_one(sandbox, secret_store) -> None:
    legacy = oauth.client_secret_name(environments.CUSTOM, sandbox.client_id)
    secret_store.set(legacy, sandbox.client_secret)
    client = build_client_from_settings(_settings(sandbox), secret_store)
    try:
        assert client.me().login == SERVICE_LOGIN
    finally:
        client.close()
    assert secret_store.get(legacy) is None
    keyed = oauth.client_secret_name(environments.CUSTOM, sandbox.client_id, sandbox.url)
    assert keyed != legacy and secret_store.get(keyed) == sandbox.client_secret
    assert oauth.TokenStore(secret_store, environments.CUSTOM, sandbox.client_id, sandbox.url).load() is not None
