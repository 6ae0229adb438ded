"""/oauth/* of the sandbox: token (client credentials, authorization code, refresh), authorize,
revoke and token info, following procore-api.md section 1.

Refresh tokens are single-use: the first use retires them, whatever happens to the answer.
The authorize page signs in the configured demo user (a button, no password). Only a redirect
URI registered for the app, character for character, is accepted: Procore supports no dynamic
redirect URIs, so http://localhost:8765 does not cover another port, a path or 127.0.0.1. The
default seed registers the out-of-band URI, http://localhost and http://localhost:8765 (the
app's default procore.redirect_uri).
"""

from __future__ import annotations

import html
import time
from urllib.parse import urlencode

from sage_sync_desktop.sandbox.routing import COMPANY_NOT_NEEDED, ApiError, Request, Response, Router
from sage_sync_desktop.sandbox.state_store import SandboxState, new_secret

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = 600
_INVALID_GRANT = ("The provided authorization grant is invalid, expired, revoked, does not match the "
                  "redirection URI used in the authorization request, or was issued to another client.")


def _oauth_error(status: int, error: str, description: str) -> ApiError:
    return ApiError(status, {"error": error, "error_description": description})


class OAuthEndpoints:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def register(self, router: Router) -> None:
        router.add("POST", "/oauth/token", self.token, auth=False, company=COMPANY_NOT_NEEDED)
        router.add("GET", "/oauth/authorize", self.authorize_page, auth=False, company=COMPANY_NOT_NEEDED)
        router.add("POST", "/oauth/authorize", self.authorize_decision, auth=False, company=COMPANY_NOT_NEEDED)
        router.add("GET", "/oauth/authorize/native", self.native_code_page, auth=False, company=COMPANY_NOT_NEEDED)
        router.add("POST", "/oauth/revoke", self.revoke, auth=False, company=COMPANY_NOT_NEEDED)
        router.add("GET", "/oauth/token/info", self.token_info, auth=True, company=COMPANY_NOT_NEEDED)

    # ------------------------------------------------------------------ token

    def token(self, request: Request) -> Response:
        form = _fields(request)
        grant = form.get("grant_type", "")
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if grant == "client_credentials":
            user = self.state.user_by_client(client_id)
            if not user or user["client_secret"] != secret:
                raise _oauth_error(401, "invalid_client", "Client authentication failed due to unknown client, "
                                   "no client authentication included, or unsupported authentication method.")
            # Procore's documented client-credentials answer carries no refresh token.
            return self._token_answer(self.state.issue_token(
                user_id=user["id"], client_id=client_id, grant_type=grant, with_refresh=False))
        if grant in ("authorization_code", "refresh_token"):
            app = self.state.app(client_id)
            if not app or app["client_secret"] != secret:
                raise _oauth_error(401, "invalid_client", "Client authentication failed due to unknown client, "
                                   "no client authentication included, or unsupported authentication method.")
            if grant == "authorization_code":
                user_id = self._use_code(form.get("code", ""), client_id, form.get("redirect_uri", ""))
            else:
                user_id = self._use_refresh_token(form.get("refresh_token", ""), client_id)
            return self._token_answer(self.state.issue_token(
                user_id=user_id, client_id=client_id, grant_type=grant, with_refresh=True))
        raise _oauth_error(400, "unsupported_grant_type",
                           "The authorization grant type is not supported by the authorization server.")

    def _use_code(self, code: str, client_id: str, redirect_uri: str) -> int:
        row = self.state.one("SELECT * FROM auth_codes WHERE code = ?", (code,))
        if (not row or row["used"] or row["client_id"] != client_id or row["redirect_uri"] != redirect_uri
                or time.time() - row["created_at"] > CODE_LIFETIME):
            raise _oauth_error(400, "invalid_grant", _INVALID_GRANT)
        self.state.db.execute("UPDATE auth_codes SET used = 1 WHERE code = ?", (code,))
        return row["user_id"]

    def _use_refresh_token(self, refresh_token: str, client_id: str) -> int:
        row = self.state.one("SELECT * FROM tokens WHERE refresh_token = ?", (refresh_token,)) if refresh_token else None
        if not row or row["refresh_used"] or row["revoked"] or row["client_id"] != client_id:
            raise _oauth_error(400, "invalid_grant", _INVALID_GRANT)
        # Retired now, even if the answer below never reaches the client.
        self.state.db.execute("UPDATE tokens SET refresh_used = 1 WHERE refresh_token = ?", (refresh_token,))
        return row["user_id"]

    @staticmethod
    def _token_answer(token: dict) -> Response:
        body = {"access_token": token["access_token"], "token_type": "bearer", "expires_in": token["expires_in"],
                "created_at": token["created_at"]}
        if token["refresh_token"]:
            body["refresh_token"] = token["refresh_token"]
        return Response(200, body, {"Cache-Control": "no-store"})

    # ------------------------------------------------------------------ authorize

    def _check_authorize(self, client_id: str, redirect_uri: str) -> dict:
        app = self.state.app(client_id)
        if not app:
            raise ApiError(400, _page("Unknown client", "The client_id is not a registered application."),
                           {"Content-Type": "text/html; charset=utf-8"})
        if not _redirect_allowed(redirect_uri, app["redirect_uris"].split()):
            raise ApiError(400, _page("Invalid redirect", "The redirect_uri is not registered for this app."),
                           {"Content-Type": "text/html; charset=utf-8"})
        return app

    def authorize_page(self, request: Request) -> Response:
        client_id, redirect_uri = request.arg("client_id", "") or "", request.arg("redirect_uri", "") or ""
        if request.arg("response_type") != "code":
            raise _oauth_error(400, "unsupported_response_type", "response_type must be code")
        app = self._check_authorize(client_id, redirect_uri)
        user = self.state.demo_user()
        if not user:
            return _html(400, _page("No demo user", "The sandbox seed names no demo_login user."))
        hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v or "")}">' for k, v in (
            ("client_id", client_id), ("redirect_uri", redirect_uri), ("state", request.arg("state", "")),
            ("login", user["login"])))
        body = (f"<p><b>{html.escape(app['name'])}</b> would like to use your Procore account.</p>"
                f"<p>Signed in to the sandbox as <b>{html.escape(user['name'])}</b> "
                f"({html.escape(user['login'])}).</p>"
                f'<form method="post" action="/oauth/authorize">{hidden}'
                '<button id="approve" name="decision" value="allow">Allow</button> '
                '<button id="deny" name="decision" value="deny">Deny</button></form>')
        return _html(200, _page("Authorize application", body))

    def authorize_decision(self, request: Request) -> Response:
        form = _fields(request)
        client_id, redirect_uri, state = form.get("client_id", ""), form.get("redirect_uri", ""), form.get("state", "")
        self._check_authorize(client_id, redirect_uri)
        extra = {"state": state} if state else {}
        if form.get("decision") != "allow":
            if redirect_uri == OOB:
                return _html(200, _page("Access denied", "You denied access."))
            return _redirect(redirect_uri, {"error": "access_denied", **extra})
        user = self.state.user_by_login(form.get("login", "")) or self.state.demo_user()
        code = new_secret(24)
        self.state.db.execute("INSERT INTO auth_codes (code, client_id, user_id, redirect_uri, created_at) "
                              "VALUES (?, ?, ?, ?, ?)", (code, client_id, user["id"], redirect_uri, int(time.time())))
        if redirect_uri == OOB:
            return _redirect(f"{request.base_url}/oauth/authorize/native", {"code": code})
        return _redirect(redirect_uri, {"code": code, **extra})

    def native_code_page(self, request: Request) -> Response:
        code = html.escape(request.arg("code", "") or "")
        return _html(200, _page("Authorization code",
                                f'<p>Copy this code into the application:</p><p><code id="code">{code}</code></p>'))

    # ------------------------------------------------------------------ revoke, info

    def revoke(self, request: Request) -> Response:
        form = _fields(request)
        token = form.get("token", "")
        # Both tokens of the pair go, and the answer is 200 even for an unknown token (as Procore).
        self.state.db.execute("UPDATE tokens SET revoked = 1, refresh_used = 1 WHERE access_token = ? "
                              "OR refresh_token = ?", (token, token))
        return Response(200, {})

    def token_info(self, request: Request) -> Response:
        token = request.token or {}
        remaining = token["created_at"] + token["expires_in"] - int(time.time())
        return Response(200, {"resource_owner_id": token["user_id"], "scopes": [], "expires_in_seconds": remaining,
                              "application": {"uid": token["client_id"]}, "created_at": token["created_at"]})


def _fields(request: Request) -> dict[str, str]:
    """Form fields from a JSON, urlencoded or query-string body (Procore accepts all three)."""
    if isinstance(request.body, dict):
        return {k: "" if v is None else str(v) for k, v in request.body.items()}
    return {k: v[0] for k, v in request.query.items()}


def _redirect_allowed(uri: str, registered: list[str]) -> bool:
    return uri in registered


def _redirect(uri: str, query: dict[str, str]) -> Response:
    separator = "&" if "?" in uri else "?"
    return Response(302, b"", {"Location": f"{uri}{separator}{urlencode(query)}"}, content_type="text/plain")


def _html(status: int, text: str) -> Response:
    return Response(status, text, content_type="text/html; charset=utf-8")


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)} - Procore sandbox"
            f"</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")
