"""Both OAuth flows against the sandbox: browser (loopback), pasted code, client credentials,
refresh-token rotation, a lost refresh answer, and one refresh + retry after a 401."""

from __future__ import annotations

import threading
import time

import keyring.errors
import pytest

from sage_sync_desktop.errors import SecretStoreError
from sage_sync_desktop.procore import environments, oauth, oauth_login
from sage_sync_desktop.procore.errors import SignInRequired
from sage_sync_desktop.procore.http_transport import HttpTransport
from sage_sync_desktop.procore.procore_client import ProcoreClient
from tests.fixtures.sandbox_fixtures import DEMO_USER, SERVICE_ACCOUNT, short_sleep
from tests.procore import browser_double


class Clock:
    """A clock the test moves forward, so token expiry needs no waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def person(sandbox, secret_store):
    """An authorization-code sign-in for the sandbox's app, not yet signed in."""
    app = sandbox.app
    clock = Clock()
    transport = HttpTransport(timeout=5, sleep=short_sleep)
    server = oauth.OAuthServer(transport, sandbox.login_url, app["client_id"], app["client_secret"], clock=clock)
    store = oauth.TokenStore(secret_store, environments.CUSTOM, app["client_id"])
    auth = oauth.AuthorizationCodeAuth(server, store, clock=clock)
    environment = environments.resolve(environments.CUSTOM, api_url=sandbox.url, login_url=sandbox.login_url)
    client = ProcoreClient(environment, company_id=sandbox.company_id, auth=auth, transport=transport)
    yield auth, store, client, clock
    client.close()


def _sign_in_by_browser(auth, redirect_uri: str) -> None:
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        # Like a real browser, in its own thread: the page answers, the user presses Allow.
        threading.Thread(target=browser_double.approve, args=(url,), daemon=True).start()
        return True

    oauth_login.sign_in_with_browser(auth, redirect_uri, open_browser=browser, timeout=20)
    assert "response_type=code" in opened[0] and "state=" in opened[0]


def test_browser_sign_in_through_the_loopback_saves_both_tokens(person, secret_store, loopback_uri):
    auth, store, client, _ = person
    _sign_in_by_browser(auth, loopback_uri)
    saved = store.load()
    assert saved is not None and saved.refresh_token
    assert client.me().login == DEMO_USER


def test_pasted_code_sign_in_uses_the_out_of_band_redirect(person):
    auth, store, client, _ = person
    url = oauth_login.paste_code_url(auth)
    assert "redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in url
    code = browser_double.code_from_page(browser_double.approve(url))
    oauth_login.sign_in_with_pasted_code(auth, code + "\n")
    assert client.me().login == DEMO_USER
    with pytest.raises(SignInRequired) as caught:  # codes are single-use
        oauth_login.sign_in_with_pasted_code(auth, code)
    assert "codes work once" in caught.value.message


def test_denied_approval_is_reported_as_not_approved(person, loopback_uri):
    auth, _, _, _ = person

    def deny(url: str) -> bool:
        threading.Thread(target=browser_double.approve, args=(url,), kwargs={"decision": "deny"}, daemon=True).start()
        return True

    with pytest.raises(SignInRequired) as caught:
        oauth_login.sign_in_with_browser(auth, loopback_uri, open_browser=deny, timeout=20)
    assert "not approved" in caught.value.message


def test_expired_access_token_is_refreshed_and_the_refresh_token_rotates(person, sandbox, loopback_uri):
    auth, store, client, clock = person
    _sign_in_by_browser(auth, loopback_uri)
    first = store.load()
    clock.offset = first.expires_in + 1  # the access token is now expired, locally
    assert client.me().login == DEMO_USER
    second = store.load()
    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    assert sandbox.request_counts()["by_endpoint"]["POST /oauth/token"] == 2
    # The old refresh token was single-use: Procore (the sandbox) refuses it now.
    with pytest.raises(SignInRequired):
        auth.server.refresh(first.refresh_token)


def test_the_new_pair_is_saved_before_it_is_used(person, sandbox, memory_keyring, monkeypatch, loopback_uri):
    auth, store, client, clock = person
    _sign_in_by_browser(auth, loopback_uri)
    clock.offset = store.load().expires_in + 1

    def broken_set(service, username, password):
        raise keyring.errors.KeyringError("credential store locked")

    monkeypatch.setattr(memory_keyring, "set_password", broken_set)
    sandbox.reset_counts()
    with pytest.raises(SecretStoreError):
        client.me()
    # The refreshed token could not be saved, so it was never used for an API call.
    assert sandbox.request_counts()["by_endpoint"] == {"POST /oauth/token": 1}


def test_a_401_triggers_one_refresh_and_one_retry(person, sandbox, loopback_uri):
    auth, store, client, _ = person
    _sign_in_by_browser(auth, loopback_uri)
    before = store.load()
    sandbox.expire_tokens(DEMO_USER)  # expired at Procore, not yet locally
    sandbox.reset_counts()
    assert client.me().login == DEMO_USER
    assert sandbox.request_counts()["by_endpoint"] == {"GET /rest/v1.0/me": 2, "POST /oauth/token": 1}
    assert store.load().refresh_token != before.refresh_token


def test_a_lost_refresh_answer_after_procore_retired_the_token_asks_to_sign_in_again(person, sandbox, loopback_uri):
    auth, store, client, clock = person
    _sign_in_by_browser(auth, loopback_uri)
    clock.offset = store.load().expires_in + 1
    sandbox.faults.reset_connection("POST /oauth/token", after_processing=True)
    with pytest.raises(SignInRequired) as caught:
        client.me()
    assert "dropped while your sign-in was being renewed" in caught.value.message
    assert "login" in caught.value.fix
    assert store.load() is None  # the dead pair is forgotten, not retried forever


def test_a_refresh_lost_before_it_reached_procore_is_retried_once(person, sandbox, loopback_uri):
    auth, store, client, clock = person
    _sign_in_by_browser(auth, loopback_uri)
    first = store.load()
    clock.offset = first.expires_in + 1
    sandbox.faults.reset_connection("POST /oauth/token", after_processing=False)
    assert client.me().login == DEMO_USER
    assert store.load().refresh_token not in (None, first.refresh_token)


def test_client_credentials_get_a_new_token_after_a_401_and_have_no_refresh_token(make_client_for, sandbox):
    client = make_client_for(SERVICE_ACCOUNT)
    client.me()
    assert client.auth.tokens.refresh_token is None
    sandbox.expire_tokens()
    sandbox.reset_counts()
    assert client.me().login == SERVICE_ACCOUNT
    assert sandbox.request_counts()["by_endpoint"] == {"GET /rest/v1.0/me": 2, "POST /oauth/token": 1}


def test_client_credentials_lost_token_answer_is_simply_asked_again(make_client_for, sandbox):
    client = make_client_for(SERVICE_ACCOUNT)
    sandbox.faults.reset_connection("POST /oauth/token", after_processing=True)
    assert client.me().login == SERVICE_ACCOUNT
    assert sandbox.request_counts()["by_endpoint"]["POST /oauth/token"] == 2


def test_sign_out_revokes_the_tokens_at_procore(person, sandbox, loopback_uri):
    auth, store, client, _ = person
    _sign_in_by_browser(auth, loopback_uri)
    tokens = store.load()
    auth.sign_out()
    assert store.load() is None
    with pytest.raises(SignInRequired):
        auth.server.refresh(tokens.refresh_token)
    assert sandbox.state.token(tokens.access_token)["revoked"] == 1


def test_not_signed_in_says_so(person):
    _, _, client, _ = person
    with pytest.raises(SignInRequired) as caught:
        client.me()
    assert caught.value.message == "You are not signed in to Procore yet."
    assert caught.value.exit_code == 3


def test_wrong_client_secret_names_the_client_credentials(sandbox):
    transport = HttpTransport(timeout=5)
    server = oauth.OAuthServer(transport, sandbox.login_url, sandbox.client_id, "not-the-secret")
    with pytest.raises(SignInRequired) as caught:
        oauth.ClientCredentialsAuth(server, None).authorization()
    assert caught.value.message == "Procore did not accept the client ID and secret."
    assert "not-the-secret" not in str(caught.value) + caught.value.detail


def test_loopback_port_zero_listens_on_a_free_port_of_127_0_0_1():
    with oauth_login.LoopbackReceiver("http://localhost:0") as first, \
            oauth_login.LoopbackReceiver("http://localhost:0") as second:
        ports = {int(r.redirect_uri.rsplit(":", 1)[1]) for r in (first, second)}
        assert len(ports) == 2 and 80 not in ports
        assert first.redirect_uri.startswith("http://localhost:")


def test_a_non_loopback_redirect_is_refused_for_the_browser_flow():
    from sage_sync_desktop.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as caught:
        oauth_login.LoopbackReceiver("https://example.com/callback")
    assert "not a loopback address" in caught.value.message


def test_a_token_refused_again_right_after_renewal_gets_one_more_renewal(make_client_for, sandbox):
    client = make_client_for(SERVICE_ACCOUNT)
    client.me()
    sandbox.reset_counts()
    sandbox.faults.fail("GET /rest/v1.0/me", 401, times=2)
    assert client.me().login == SERVICE_ACCOUNT
    assert sandbox.request_counts()["by_endpoint"] == {"GET /rest/v1.0/me": 3, "POST /oauth/token": 2}


def test_renewals_are_bounded_when_procore_keeps_refusing(make_client_for, sandbox):
    client = make_client_for(SERVICE_ACCOUNT)
    client.me()
    sandbox.reset_counts()
    sandbox.faults.fail("GET /rest/v1.0/me", 401, times=None)
    with pytest.raises(SignInRequired) as caught:
        client.me()
    assert caught.value.message == "Procore did not accept the saved sign-in (it expired or was revoked)."
    assert sandbox.request_counts()["by_endpoint"] == {"GET /rest/v1.0/me": 3, "POST /oauth/token": 2}
