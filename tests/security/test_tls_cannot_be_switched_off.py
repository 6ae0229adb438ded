"""The app as a whole refuses a Procore whose certificate it cannot verify, sends it nothing (no
client secret, no token), and offers no setting to switch verification off."""

from __future__ import annotations

import io
import json

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.cli import main
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.procore.errors import ProcoreUnreachable
from sage_sync_desktop.app.wiring import build_client_from_settings
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.settings import Settings
from tests.security.tls_server import SelfSignedHttpsServer

CLIENT_ID = "tls-test-client"
CLIENT_SECRET = "tls-test-secret-never-sent-4d1f"


@pytest.fixture
def untrusted_procore(tmp_path):
    with SelfSignedHttpsServer(tmp_path) as server:
        yield server


def _settings(server: SelfSignedHttpsServer, sage_db) -> Settings:
    return Settings().with_changes(
        sage={"connection_string": f"DRIVER={{SQLite3}};Database={sage_db}"},
        procore={"environment": environments.CUSTOM, "api_url": server.url, "login_url": server.url,
                 "company_id": 1, "client_id": CLIENT_ID, "auth": "client_credentials", "timeout_seconds": 5},
    )


def test_the_client_built_from_settings_refuses_the_server_and_sends_no_secret(
        untrusted_procore, tmp_path, secret_store):
    secret_store.set(oauth.client_secret_name(environments.CUSTOM, CLIENT_ID), CLIENT_SECRET)
    client = build_client_from_settings(_settings(untrusted_procore, tmp_path / "none.db"), secret_store)
    with pytest.raises(ProcoreUnreachable) as refused:
        client.me()
    assert "could not be verified" in refused.value.message
    assert untrusted_procore.requests_seen == []  # the TLS handshake failed before any request


def test_the_status_command_exits_3_and_names_the_certificate_problem(
        untrusted_procore, tmp_path, secret_store, capsys, monkeypatch):
    monkeypatch.setenv("CURL_CA_BUNDLE", "")
    monkeypatch.setenv("PYTHONHTTPSVERIFY", "0")
    sample = generate_sample_company(tmp_path / "sage.db")
    config = tmp_path / "settings.json"
    settings_module.save(_settings(untrusted_procore, sample.path), config)
    secret_store.set(oauth.client_secret_name(environments.CUSTOM, CLIENT_ID), CLIENT_SECRET)
    code = main(["--app-dir", str(tmp_path / "app"), "--config", str(config), "status"])
    err = capsys.readouterr().err
    assert code == 3
    assert "could not be verified" in err and "cannot be turned off" in err
    assert untrusted_procore.requests_seen == []


def test_signing_in_to_an_untrusted_server_sends_it_nothing(untrusted_procore, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(CLIENT_SECRET + "\n"))
    code = main(["--app-dir", str(tmp_path / "app"), "--config", str(tmp_path / "settings.json"),
                 "login", "--client-credentials", "--client-secret-stdin", "--client-id", CLIENT_ID,
                 "--company-id", "1", "--environment", "custom", "--api-url", untrusted_procore.url,
                 "--login-url", untrusted_procore.url])
    assert code == 3
    assert "could not be verified" in capsys.readouterr().err
    assert untrusted_procore.requests_seen == []


@pytest.mark.parametrize("key", ["verify", "verify_ssl", "ssl_verify", "tls_verify", "insecure", "no_verify"])
def test_no_setting_can_switch_verification_off(tmp_path, key, capsys):
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"procore": {"environment": "production", key: False}}), encoding="utf-8")
    code = main(["--app-dir", str(tmp_path / "app"), "--config", str(config), "status"])
    assert code == 2
    assert f"unknown key(s) {key}" in capsys.readouterr().err


@pytest.mark.parametrize("value", [False, "", "0", "false", "none", "off"])
def test_the_ca_bundle_setting_cannot_be_used_to_switch_verification_off(
        untrusted_procore, tmp_path, secret_store, capsys, value):
    """procore.ca_bundle names a CA file to trust; no value of it turns checking off."""
    sample = generate_sample_company(tmp_path / "sage.db")
    config = tmp_path / "settings.json"
    raw = _settings(untrusted_procore, sample.path).to_dict()
    raw["procore"]["ca_bundle"] = value
    config.write_text(json.dumps(raw), encoding="utf-8")
    secret_store.set(oauth.client_secret_name(environments.CUSTOM, CLIENT_ID), CLIENT_SECRET)
    code = main(["--app-dir", str(tmp_path / "app"), "--config", str(config), "status"])
    assert code in (2, 3), capsys.readouterr()
    assert untrusted_procore.requests_seen == []
