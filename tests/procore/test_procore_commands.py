"""`login`, `logout` and `sandbox` from the command line, against the sandbox."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request

import pytest

from sage_sync_desktop.cli import main, procore_commands
from sage_sync_desktop.procore import oauth
from sage_sync_desktop.app.wiring import build_client_from_settings
from sage_sync_desktop.settings import load
from tests.procore import browser_double


def _base_args(tmp_path, sandbox) -> list[str]:
    return ["--app-dir", str(tmp_path / "app"), "login", "--environment", "custom", "--api-url", sandbox.url,
            "--login-url", sandbox.login_url]


def test_login_with_client_credentials_from_stdin(tmp_path, sandbox, secret_store, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(sandbox.client_secret + "\n"))
    code = main([*_base_args(tmp_path, sandbox), "--client-credentials", "--client-secret-stdin",
                 "--client-id", sandbox.client_id, "--company-id", str(sandbox.company_id)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "as Sage Sync Service Account <sage-sync-service@sandbox.example>" in out
    settings_file = tmp_path / "app" / "config" / "settings.json"
    settings = load(settings_file)
    assert (settings.procore.auth, settings.procore.company_id) == ("client_credentials", sandbox.company_id)
    assert secret_store.get(oauth.client_secret_name("custom", sandbox.client_id, sandbox.url)) == sandbox.client_secret
    assert oauth.TokenStore(secret_store, "custom", sandbox.client_id, sandbox.url).load() is not None
    written = settings_file.read_text() + (tmp_path / "app" / "logs" / "sage-sync-desktop.log").read_text()
    assert sandbox.client_secret not in written
    # The saved settings and secret are all build_client_from_settings needs.
    client = build_client_from_settings(settings, secret_store)
    assert client.me().login == "sage-sync-service@sandbox.example"
    client.close()


def test_login_by_pasted_code_then_logout_revokes(tmp_path, sandbox, secret_store, monkeypatch, capsys):
    app = sandbox.app
    url = (f"{sandbox.url}/oauth/authorize?response_type=code&client_id={app['client_id']}"
           "&redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob")
    code = browser_double.code_from_page(browser_double.approve(url))
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{app['client_secret']}\n{code}\n"))
    assert main([*_base_args(tmp_path, sandbox), "--paste-code", "--client-secret-stdin",
                 "--client-id", app["client_id"]]) == 0
    out = capsys.readouterr().out
    assert "urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in out and "as Pat Admin" in out
    tokens = oauth.TokenStore(secret_store, "custom", app["client_id"], sandbox.url).load()
    assert tokens.refresh_token
    assert main(["--app-dir", str(tmp_path / "app"), "logout"]) == 0
    assert oauth.TokenStore(secret_store, "custom", app["client_id"], sandbox.url).load() is None
    assert sandbox.state.token(tokens.access_token)["revoked"] == 1
    assert secret_store.get(oauth.client_secret_name("custom", app["client_id"], sandbox.url)) == app["client_secret"]


def test_login_in_the_browser_with_the_loopback(tmp_path, sandbox, secret_store, monkeypatch, capsys,
                                                loopback_uri):
    app = sandbox.app
    secret_store.set(oauth.client_secret_name("custom", app["client_id"]), app["client_secret"])

    def fake_browser(url: str) -> bool:
        threading.Thread(target=browser_double.approve, args=(url,), daemon=True).start()
        return True

    monkeypatch.setattr(procore_commands.webbrowser, "open", fake_browser)
    assert main([*_base_args(tmp_path, sandbox), "--browser", "--client-id", app["client_id"],
                 "--redirect-uri", loopback_uri, "--timeout", "20"]) == 0
    assert "as Pat Admin" in capsys.readouterr().out


def test_login_without_a_secret_says_how_to_give_one(tmp_path, sandbox, capsys):
    code = main([*_base_args(tmp_path, sandbox), "--client-credentials", "--client-id", "unknown-client",
                 "--company-id", str(sandbox.company_id)])
    err = capsys.readouterr().err
    assert code == 3
    assert "client secret is not in the credential store (Secret Service)" in err and "--client-secret-stdin" in err


def test_sandbox_command_prints_one_json_line_and_stops_on_sigterm(tmp_path):
    state = tmp_path / "sandbox.sqlite3"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "app"), "sandbox",
         "--state", str(state), "--token-ttl", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        info = json.loads(line)
        assert set(info) == {"url", "login_url", "company_id", "client_id", "client_secret", "rate_limit", "latency_ms"}
        with urllib.request.urlopen(info["url"] + "/_sandbox/info", timeout=10) as answer:
            assert json.loads(answer.read())["client_id"] == info["client_id"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert state.exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_service_account_login_without_company_id_says_to_pass_it(tmp_path, sandbox, capsys):
    code = main([*_base_args(tmp_path, sandbox), "--client-credentials", "--client-id", sandbox.client_id])
    assert code == 2
    assert "needs the company ID" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["not json", "[1, 2]"])
def test_sandbox_command_rejects_a_bad_seed_file(tmp_path, capsys, bad):
    seed = tmp_path / "seed.json"
    seed.write_text(bad, encoding="utf-8")
    code = main(["--app-dir", str(tmp_path / "app"), "sandbox", "--seed", str(seed)])
    assert code == 2
    assert "seed" in capsys.readouterr().err
