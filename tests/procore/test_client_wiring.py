"""build_client_from_settings: settings + credential store -> a working client, both flows."""

from __future__ import annotations

import pytest

from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.procore import environments, oauth, oauth_login
from sage_sync_desktop.procore.errors import SignInRequired, ValidationFailed
from sage_sync_desktop.app.wiring import build_client_from_settings
from sage_sync_desktop.settings import Settings
from tests.procore import browser_double


def test_service_account_settings_give_a_signed_in_client_and_reuse_its_token(sandbox_settings, secret_store, sandbox):
    first = build_client_from_settings(sandbox_settings, secret_store)
    assert first.me().login == "sage-sync-service@sandbox.example"
    first.close()
    sandbox.reset_counts()
    second = build_client_from_settings(sandbox_settings, secret_store)
    second.me()
    # The token saved by the first client is still valid: no new token request.
    assert sandbox.request_counts()["by_endpoint"] == {"GET /rest/v1.0/me": 1}
    second.close()


def test_a_person_signs_in_once_and_a_later_client_uses_the_saved_pair(sandbox, secret_store):
    app = sandbox.app
    settings = Settings().with_changes(procore={
        "environment": environments.CUSTOM, "api_url": sandbox.url, "login_url": sandbox.login_url,
        "company_id": sandbox.company_id, "client_id": app["client_id"], "auth": "authorization_code"})
    secret_store.set(oauth.client_secret_name(environments.CUSTOM, app["client_id"]), app["client_secret"])
    client = build_client_from_settings(settings, secret_store)
    with pytest.raises(SignInRequired):
        client.me()
    code = browser_double.code_from_page(browser_double.approve(oauth_login.paste_code_url(client.auth)))
    oauth_login.sign_in_with_pasted_code(client.auth, code)
    client.close()
    later = build_client_from_settings(settings, secret_store)
    assert later.me().login == "pat.admin@sandbox.example"
    later.close()


def test_missing_client_id_is_a_configuration_error(secret_store):
    settings = Settings().with_changes(procore={"client_id": ""})
    with pytest.raises(ConfigurationError) as caught:
        build_client_from_settings(settings, secret_store)
    assert "procore.client_id" in caught.value.message


def test_a_service_account_without_company_gets_a_clear_message(sandbox_settings, secret_store):
    client = build_client_from_settings(sandbox_settings.with_changes(procore={"company_id": None}), secret_store)
    with pytest.raises(ValidationFailed) as caught:
        client.me()
    assert caught.value.message.startswith("Procore needs to know which company")
    with pytest.raises(ConfigurationError):
        client.projects()  # refused before sending: no company chosen
    client.close()
