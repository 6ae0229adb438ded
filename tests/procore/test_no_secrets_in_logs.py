"""After sign-ins, refreshes, errors and retries logged at DEBUG, the log holds no token or secret."""

from __future__ import annotations

import logging
import threading

import pytest

from sage_sync_desktop.logging_setup import configure_logging
from sage_sync_desktop.procore import environments, oauth, oauth_login
from sage_sync_desktop.procore.errors import PermissionDenied
from sage_sync_desktop.procore.http_transport import HttpTransport
from sage_sync_desktop.procore.procore_client import ProcoreClient
from tests.fixtures.sandbox_fixtures import READ_ONLY_USER, SERVICE_ACCOUNT, client_for, registered_loopback
from tests.procore import browser_double


@pytest.fixture
def debug_log(tmp_path):
    log_file = tmp_path / "logs" / "app.log"
    configure_logging(log_file, level=logging.DEBUG)
    yield log_file
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_sage_sync", False):
            root.removeHandler(handler)
            handler.close()


def test_the_debug_log_never_holds_a_token_or_secret(sandbox, secret_store, debug_log):
    service = client_for(sandbox, SERVICE_ACCOUNT)
    service.me()
    sandbox.faults.fail("GET /rest/v1.1/projects", 503, times=1)
    service.projects()
    reader = client_for(sandbox, READ_ONLY_USER)
    with pytest.raises(PermissionDenied):
        reader.create_prime_contract(5_000_001_001, {"number": "x", "origin_id": "x"})
    app = sandbox.app
    transport = HttpTransport(timeout=5)
    auth = oauth.AuthorizationCodeAuth(
        oauth.OAuthServer(transport, sandbox.login_url, app["client_id"], app["client_secret"]),
        oauth.TokenStore(secret_store, environments.CUSTOM, app["client_id"]))

    def browser(url: str) -> bool:
        threading.Thread(target=browser_double.approve, args=(url,), daemon=True).start()
        return True

    oauth_login.sign_in_with_browser(auth, registered_loopback(sandbox), open_browser=browser, timeout=20)
    person = ProcoreClient(environments.resolve(environments.CUSTOM, api_url=sandbox.url, login_url=sandbox.url),
                           company_id=sandbox.company_id, auth=auth, transport=transport)
    sandbox.expire_tokens()
    person.me()  # 401 -> refresh -> retry
    logging.getLogger("sage_sync_desktop").debug("Authorization: Bearer %s", auth.tokens.access_token)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = debug_log.read_text(encoding="utf-8")
    secrets = [sandbox.client_secret, app["client_secret"], auth.tokens.access_token, auth.tokens.refresh_token,
               service.auth.tokens.access_token, reader.auth.tokens.access_token]
    secrets += [row["access_token"] for row in sandbox.state.all("SELECT access_token FROM tokens")]
    assert "Retrying GET /rest/v1.1/projects" in text  # the log did record the work
    assert [s for s in secrets if s and s in text] == []
