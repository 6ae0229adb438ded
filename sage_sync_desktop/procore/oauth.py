"""Procore OAuth 2.0: client credentials (service account) and authorization code (a person).

Tokens live only in the OS credential store, as ONE entry holding the access and refresh token
together, so a rotation is saved atomically. Procore's refresh tokens are single-use and rotate:
a refresh retires the old one even when the answer never arrives, so the new pair is written to
the store before it is used, and a refresh whose answer is lost is tried once more with the old
token; if Procore has already retired it, the user is told plainly to sign in again.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from sage_sync_desktop.errors import ConfigurationError, ProcoreError
from sage_sync_desktop.logging_setup import register_secret
from sage_sync_desktop.procore.errors import (
    ErrorContext,
    ProcoreUnreachable,
    ServerError,
    SignInRequired,
    procore_message,
)
from sage_sync_desktop.procore.http_transport import HttpTransport
from sage_sync_desktop.secret_store import (
    PROCORE_CLIENT_SECRET,
    PROCORE_TOKENS,
    SecretStore,
    scoped,
    store_name,
)

logger = logging.getLogger(__name__)

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
_TOKEN_ENDPOINT = "POST /oauth/token"


def credential_scope(environment_name: str, client_id: str, api_url: str = "") -> str:
    """Which Procore the entry belongs to: environment, client ID and API URL.

    The API URL is part of the key so two custom URLs with one client ID keep separate secrets
    and tokens. Without it (entries saved by earlier versions) the key is the legacy one.
    """
    base = f"{environment_name}:{client_id}"
    return f"{base}:{api_url.rstrip('/').lower()}" if api_url else base


def client_secret_name(environment_name: str, client_id: str, api_url: str = "") -> str:
    return scoped(PROCORE_CLIENT_SECRET, credential_scope(environment_name, client_id, api_url))


def tokens_name(environment_name: str, client_id: str, api_url: str = "") -> str:
    return scoped(PROCORE_TOKENS, credential_scope(environment_name, client_id, api_url))


def _read_migrating(secrets: SecretStore, name: str, legacy_name: str) -> str | None:
    """The entry under `name`; an entry left under the legacy key moves there on first read.

    Earlier versions kept one entry per environment + client ID, for the one API URL the
    settings named then, so the first URL to ask after the upgrade is the one it belongs to.
    """
    value = secrets.get(name)
    if value is None and legacy_name != name:
        value = secrets.get(legacy_name)
        if value is not None:
            secrets.set(name, value)
            secrets.delete(legacy_name)
            logger.info("Moved credential entry %s to %s", legacy_name, name)
    return value


def load_client_secret(secrets: SecretStore, environment_name: str, client_id: str, api_url: str) -> str | None:
    return _read_migrating(secrets, client_secret_name(environment_name, client_id, api_url),
                           client_secret_name(environment_name, client_id))


def forget_client_secret(secrets: SecretStore, environment_name: str, client_id: str, api_url: str) -> None:
    secrets.delete(client_secret_name(environment_name, client_id, api_url))
    secrets.delete(client_secret_name(environment_name, client_id))


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str | None
    created_at: int  # Unix seconds, from Procore
    expires_in: int  # seconds

    @property
    def expires_at(self) -> int:
        return self.created_at + self.expires_in

    def expiring(self, now: float) -> bool:
        """True when the token is (nearly) expired; the margin scales with short test lifetimes."""
        margin = min(60.0, self.expires_in * 0.1)
        return now >= self.expires_at - margin

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> TokenSet | None:
        try:
            raw = json.loads(text)
            return cls(str(raw["access_token"]), raw.get("refresh_token"), int(raw["created_at"]),
                       int(raw["expires_in"]))
        except (ValueError, KeyError, TypeError):
            return None

    @classmethod
    def from_response(cls, raw: dict[str, Any], now: float) -> TokenSet:
        try:
            access = raw["access_token"]
            refresh = raw.get("refresh_token") or None
            created = int(raw.get("created_at") or now)
            expires = int(raw.get("expires_in") or 5400)
            if not isinstance(access, str) or not (refresh is None or isinstance(refresh, str)):
                raise TypeError("token is not text")
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            raise SignInRequired("Procore's sign-in answer had no usable access token.") from None
        return cls(access, refresh, created, expires)


class TokenStore:
    """The token pair of one environment + client ID + API URL in the credential store."""

    def __init__(self, secrets: SecretStore, environment_name: str, client_id: str, api_url: str = "") -> None:
        self._secrets = secrets
        self.name = tokens_name(environment_name, client_id, api_url)
        self._legacy_name = tokens_name(environment_name, client_id)

    def load(self) -> TokenSet | None:
        raw = _read_migrating(self._secrets, self.name, self._legacy_name)
        tokens = TokenSet.from_json(raw) if raw else None
        if tokens:
            register_secret(tokens.access_token)
            register_secret(tokens.refresh_token)
        return tokens

    def save(self, tokens: TokenSet) -> None:
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        self._secrets.set(self.name, tokens.to_json())

    def clear(self) -> None:
        self._secrets.delete(self.name)
        self._secrets.delete(self._legacy_name)

    def mark_signed_out(self) -> None:
        """Forget the tokens and remember that the user signed out, so a service account (which
        could fetch a new token by itself) waits for `login` instead of signing itself back in."""
        self._secrets.set(self.name, json.dumps({"signed_out": True}))
        self._secrets.delete(self._legacy_name)

    def signed_out(self) -> bool:
        raw = self._secrets.get(self.name)
        try:
            return bool(raw) and json.loads(raw or "{}").get("signed_out") is True
        except (ValueError, AttributeError):
            return False


class OAuthServer:
    """Procore's /oauth endpoints on the login host."""

    def __init__(self, transport: HttpTransport, login_url: str, client_id: str, client_secret: str,
                 *, clock: Callable[[], float] = time.time) -> None:
        if not client_id:
            raise ConfigurationError(
                "procore.client_id is not set.",
                fix="Enter the client ID of the Procore app (Settings, or `login --client-id`).",
            )
        if not client_secret:
            raise SignInRequired(
                f"The Procore client secret is not in the credential store ({store_name()}).",
                fix="Enter it in Settings, or run `sage-sync-desktop login ... --client-secret-stdin`.",
            )
        register_secret(client_secret)
        self.transport = transport
        self.login_url = login_url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._clock = clock

    def authorize_url(self, redirect_uri: str, state: str = "") -> str:
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri}
        if state:
            query["state"] = state
        return f"{self.login_url}/oauth/authorize?{urlencode(query)}"

    def client_credentials(self) -> TokenSet:
        # Asking again only costs a new token, so a lost answer may simply be retried.
        return self._token({"grant_type": "client_credentials"}, idempotent=True,
                           rejected="Procore did not accept the client ID and secret.")

    def exchange_code(self, code: str, redirect_uri: str) -> TokenSet:
        register_secret(code)
        return self._token(
            {"grant_type": "authorization_code", "code": code.strip(), "redirect_uri": redirect_uri},
            idempotent=False,
            rejected="Procore did not accept the sign-in code (codes work once and expire after "
            "10 minutes).",
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token},
                           idempotent=False,
                           rejected="Your Procore sign-in has expired or was ended.")

    def revoke(self, token: str) -> None:
        """Revokes the access and the refresh token; Procore answers 200 even for unknown ones."""
        self.transport.request(
            "POST", f"{self.login_url}/oauth/revoke", endpoint="POST /oauth/revoke",
            form={"token": token, "client_id": self.client_id, "client_secret": self._client_secret},
            idempotent=True, context=ErrorContext(what="sign-out"),
        )

    def _token(self, form: dict[str, str], *, idempotent: bool, rejected: str) -> TokenSet:
        body = {**form, "client_id": self.client_id, "client_secret": self._client_secret}
        response = self.transport.request(
            "POST", f"{self.login_url}/oauth/token", endpoint=_TOKEN_ENDPOINT, form=body,
            idempotent=idempotent, accept=(400, 401, 403), context=ErrorContext(what="sign-in"),
        )
        if response.status >= 400:
            text, _ = procore_message(response.body)
            fix = ("Check procore.client_id and enter the client secret again."
                   if "client" in text.lower() else
                   "Sign in again: run `sage-sync-desktop login` (or Settings > Sign in to Procore).")
            raise SignInRequired(rejected, fix=fix, detail=f"HTTP {response.status}: {text}")
        tokens = TokenSet.from_response(response.json() or {}, self._clock())
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        return tokens


class _TokenAuth(ABC):
    """Shared part of both flows: hand out a valid bearer token, renew it when needed."""

    def __init__(self, server: OAuthServer, store: TokenStore | None,
                 clock: Callable[[], float] = time.time) -> None:
        self.server = server
        self.store = store
        self._clock = clock
        self._lock = threading.RLock()
        self._tokens: TokenSet | None = store.load() if store else None

    @property
    def tokens(self) -> TokenSet | None:
        return self._tokens

    def authorization(self) -> str:
        with self._lock:
            if self._tokens is None or self._tokens.expiring(self._clock()):
                self._renew()
            assert self._tokens is not None
            return f"Bearer {self._tokens.access_token}"

    def refresh_after_unauthorized(self, rejected: str) -> None:
        with self._lock:
            current = f"Bearer {self._tokens.access_token}" if self._tokens else ""
            if current and current != rejected:
                return  # another thread renewed it meanwhile; retry with the new one
            self._renew(after_401=True)

    def sign_out(self) -> None:
        """Revoke at Procore (best effort) and forget the tokens."""
        with self._lock:
            tokens = self._tokens
            self._tokens = None
            if self.store:
                self.store.clear()
        if tokens:
            try:
                self.server.revoke(tokens.refresh_token or tokens.access_token)
            except ProcoreError as exc:
                logger.warning("Could not revoke the Procore token (forgotten anyway): %s", exc)

    def _use(self, tokens: TokenSet) -> None:
        if self.store:
            self.store.save(tokens)  # saved before first use: a crash now loses nothing
        self._tokens = tokens

    @abstractmethod
    def _renew(self, *, after_401: bool = False) -> None:
        """Get a new token pair and `_use` it, or raise SignInRequired."""


class ClientCredentialsAuth(_TokenAuth):
    """A Procore service account: a new token whenever the old one expires or is refused."""

    def _renew(self, *, after_401: bool = False) -> None:
        if self.store is not None and self.store.signed_out():
            raise SignInRequired(
                "Signed out of Procore (`logout`): the service account does not sign in again by itself.",
                fix="Run `sage-sync-desktop login --client-credentials ...` to sign in again.",
            )
        self._use(self.server.client_credentials())

    def sign_in(self) -> TokenSet:
        """An explicit sign-in (`login`): asks Procore with this client secret now, whatever token
        is saved. A wrong secret is refused (SignInRequired) and nothing is saved or cleared; on
        success it also ends an earlier sign-out."""
        tokens = self.server.client_credentials()
        with self._lock:
            if self.store is not None and self.store.signed_out():
                self.store.clear()
            self._use(tokens)
        return tokens


class AuthorizationCodeAuth(_TokenAuth):
    """A person signed in through the browser (or a pasted code); refresh tokens rotate."""

    def sign_in_with_code(self, code: str, redirect_uri: str) -> TokenSet:
        tokens = self.server.exchange_code(code, redirect_uri)
        with self._lock:
            self._use(tokens)
        return tokens

    def _renew(self, *, after_401: bool = False) -> None:
        stored = self.store.load() if self.store else None
        if stored and self._tokens and stored != self._tokens and not stored.expiring(self._clock()):
            # Another process (window or scheduled task) already rotated the pair: use theirs.
            self._tokens = stored
            return
        tokens = stored or self._tokens
        if tokens is None or not tokens.refresh_token:
            raise SignInRequired(
                "You are not signed in to Procore yet." if tokens is None
                else "Your Procore sign-in has expired."
            )
        try:
            fresh = self.server.refresh(tokens.refresh_token)
        except (ProcoreUnreachable, ServerError) as first:
            # The answer was lost. Procore may or may not have retired the old refresh token;
            # one more try with it tells which.
            logger.warning("Procore token refresh got no answer (%s); trying once more", first.detail)
            try:
                fresh = self.server.refresh(tokens.refresh_token)
            except SignInRequired as exc:
                self._forget()
                raise SignInRequired(
                    "The connection to Procore dropped while your sign-in was being renewed, and "
                    "Procore has already retired the old sign-in.",
                    detail=exc.detail,
                ) from None
        except SignInRequired:
            self._forget()
            raise
        self._use(fresh)

    def _forget(self) -> None:
        self._tokens = None
        if self.store:
            self.store.clear()
