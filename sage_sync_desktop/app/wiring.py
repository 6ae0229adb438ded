"""Build the Procore client and the SyncEngine from the settings: the Sage reader, the client
(its sign-in flow and secrets from the credential store), history and cache."""

from __future__ import annotations

import getpass
import logging
import os

from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.procore import oauth
from sage_sync_desktop.procore.http_transport import HttpTransport
from sage_sync_desktop.procore.procore_client import ProcoreClient
from sage_sync_desktop.sage.sage_reader import SageReader
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.sync.engine_protocols import ProcoreApi, SageSource
from sage_sync_desktop.sync.history import HistoryStore
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from sage_sync_desktop.sync.sync_engine import SyncEngine

logger = logging.getLogger(__name__)


def windows_user() -> str:
    """DOMAIN\\user on Windows (what an auditor recognises), the login name elsewhere."""
    user = os.environ.get("USERNAME") or ""
    domain = os.environ.get("USERDOMAIN") or ""
    if user and domain:
        return f"{domain}\\{user}"
    try:
        return user or getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


SignInFlow = oauth.ClientCredentialsAuth | oauth.AuthorizationCodeAuth


def build_transport(settings: Settings) -> HttpTransport:
    """The HTTP session every Procore request goes through (timeout, company CA bundle)."""
    return HttpTransport(timeout=settings.procore.timeout_seconds, ca_bundle=settings.procore.ca_bundle or None)


def build_sign_in(settings: Settings, secrets: SecretStore, *, transport: HttpTransport | None = None,
                  client_secret: str | None = None) -> SignInFlow:
    """The configured sign-in flow with its saved tokens. `client_secret`, one just typed in and
    not saved yet, is used instead of the one in the credential store."""
    environment = settings.procore_environment()
    client_id = settings.procore.client_id.strip()
    secret = client_secret or (
        oauth.load_client_secret(secrets, environment.name, client_id, environment.api_url) if client_id else None)
    server = oauth.OAuthServer(transport or build_transport(settings), environment.login_url, client_id,
                               secret or "")
    store = oauth.TokenStore(secrets, environment.name, client_id, environment.api_url)
    if settings.procore.auth == "client_credentials":
        return oauth.ClientCredentialsAuth(server, store)
    return oauth.AuthorizationCodeAuth(server, store)


def build_client_from_settings(settings: Settings, secrets: SecretStore, *,
                               transport: HttpTransport | None = None,
                               auth: SignInFlow | None = None) -> ProcoreClient:
    """A client for the configured environment, company and sign-in flow (secrets from keyring);
    `auth` is a flow from build_sign_in that the caller signs in itself."""
    auth = auth or build_sign_in(settings, secrets, transport=transport)
    return ProcoreClient(settings.procore_environment(), company_id=settings.procore.company_id, auth=auth,
                         transport=auth.server.transport)


def build_engine(settings: Settings, paths: AppPaths, secrets: SecretStore) -> SyncEngine:
    if not settings.sage.connection_string.strip():
        raise ConfigurationError(
            "No Sage 300 CRE connection is set up.",
            fix="Open the app and complete the set-up, or set sage.connection_string in the settings file.",
        )
    if settings.procore.company_id is None:
        raise ConfigurationError(
            "No Procore company is chosen.",
            fix="Sign in and choose the company in Settings (or set procore.company_id).",
        )
    paths.ensure()
    # Annotated with the engine's Protocols, so mypy checks that the real reader and client fit.
    reader: SageSource = SageReader.from_settings(settings, secrets)
    client: ProcoreApi = build_client_from_settings(settings, secrets)
    user = windows_user()
    history = HistoryStore(paths.history_db, windows_user=user)
    environment = settings.procore_environment()
    cache = ProcoreCache(paths.procore_cache_db, scope=f"{environment.api_url}|{settings.procore.company_id}")
    return SyncEngine(reader, client, history, windows_user=user, cache=cache,
                      cost_codes=settings.sync.cost_codes, lock_wait_seconds=settings.sync.lock_wait_seconds,
                      erp_rule=settings.sync.erp_integrations_rule)
