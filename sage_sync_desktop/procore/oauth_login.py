"""Signing a person in with the authorization-code flow: browser + loopback, or a pasted code.

The one implementation for the command line and the window (which runs it on its worker thread).
The loopback listener binds 127.0.0.1 only and waits for exactly one redirect carrying our
`state` (a random value): a redirect with any other state, from another page or program on this
computer, is answered with the "did not complete" page and ignored, so it can neither inject a
code nor end the sign-in. Then it closes.
"""

from __future__ import annotations

import logging
import secrets
import threading
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit, urlunsplit

from sage_sync_desktop.errors import CancelledError, ConfigurationError
from sage_sync_desktop.procore.errors import SignInRequired
from sage_sync_desktop.procore.oauth import OOB_REDIRECT_URI, AuthorizationCodeAuth, TokenSet

logger = logging.getLogger(__name__)

_DONE_PAGE = (b"<!doctype html><html><head><meta charset='utf-8'><title>Sage Sync Desktop</title></head>"
              b"<body><h1>Signed in to Procore</h1><p>You can close this tab and return to Sage Sync Desktop.</p>"
              b"</body></html>")
_FAILED_PAGE = (b"<!doctype html><html><head><meta charset='utf-8'><title>Sage Sync Desktop</title></head>"
                b"<body><h1>Procore sign-in did not complete</h1><p>Return to Sage Sync Desktop for details.</p>"
                b"</body></html>")


class LoopbackReceiver:
    """Listens on 127.0.0.1 for Procore's redirect to http://localhost:<port>/?code=...&state=..."""

    def __init__(self, redirect_uri: str) -> None:
        parts = urlsplit(redirect_uri)
        if parts.scheme != "http" or parts.hostname not in ("localhost", "127.0.0.1"):
            raise ConfigurationError(
                f"The redirect URI {redirect_uri} is not a loopback address.",
                fix="Use http://localhost:<port> (registered in the Procore app) or paste the code instead.",
            )
        self._parts = parts
        self.state = secrets.token_urlsafe(16)
        self.refused = 0  # redirects ignored for a wrong or missing state
        self._result: dict[str, str] = {}
        self._received = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                if "code" not in query and "error" not in query:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                ours = secrets.compare_digest(query.get("state", ""), receiver.state)
                page = _DONE_PAGE if ours and "code" in query else _FAILED_PAGE
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                if not ours:
                    receiver.refused += 1
                    logger.warning("Ignored a sign-in redirect that did not carry this sign-in's state")
                    return
                if not receiver._received.is_set():
                    receiver._result = query
                    receiver._received.set()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                logger.debug("loopback: " + format, *args)

        try:
            # Port 0 picks a free port; no port at all is http://localhost, i.e. 80 (Procore's default).
            self._server = HTTPServer(("127.0.0.1", 80 if parts.port is None else parts.port), Handler)
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot listen on {redirect_uri} for Procore's answer: {exc.strerror}.",
                fix="Close the program using that port, or choose another redirect URI (also registered "
                "in the Procore app), or sign in with a pasted code.",
            ) from None
        port = self._server.server_address[1]
        netloc = f"{parts.hostname}:{port}" if (parts.port is not None) else parts.hostname
        self.redirect_uri = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        self._thread = threading.Thread(target=self._server.serve_forever, name="oauth-loopback", daemon=True)
        self._thread.start()

    def wait_for_code(self, *, timeout: float = 300.0, cancel: threading.Event | None = None) -> str:
        waited = 0.0
        while not self._received.wait(0.2):
            waited += 0.2
            if cancel is not None and cancel.is_set():
                raise CancelledError("Procore sign-in was cancelled.")
            if waited >= timeout:
                raise SignInRequired(
                    f"No answer from the Procore sign-in page within {int(timeout)} seconds.",
                    fix="Run the sign-in again and approve the app in the browser window that opens.",
                )
        result = self._result
        if result.get("error"):
            raise SignInRequired(f"Procore sign-in was not approved ({result['error']}).",
                                 fix="Run the sign-in again and choose Allow.")
        if result.get("state") != self.state:
            raise SignInRequired("The answer from the Procore sign-in page did not match this sign-in.",
                                 fix="Run the sign-in again from this computer.")
        return result["code"]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sign_in_with_browser(auth: AuthorizationCodeAuth, redirect_uri: str, *,
                         open_browser: Callable[[str], object] = webbrowser.open,
                         timeout: float = 300.0, cancel: threading.Event | None = None) -> TokenSet:
    """Open Procore's authorize page and wait for the code on the loopback redirect."""
    with LoopbackReceiver(redirect_uri) as receiver:
        url = auth.server.authorize_url(receiver.redirect_uri, receiver.state)
        logger.info("Opening the Procore sign-in page")
        open_browser(url)
        code = receiver.wait_for_code(timeout=timeout, cancel=cancel)
        return auth.sign_in_with_code(code, receiver.redirect_uri)


def paste_code_url(auth: AuthorizationCodeAuth) -> str:
    """The authorize URL whose page shows a code to paste (redirect urn:ietf:wg:oauth:2.0:oob)."""
    return auth.server.authorize_url(OOB_REDIRECT_URI)


def sign_in_with_pasted_code(auth: AuthorizationCodeAuth, code: str) -> TokenSet:
    code = code.strip()
    if not code:
        raise SignInRequired("No sign-in code was entered.", fix="Paste the code Procore shows after you allow the app.")
    return auth.sign_in_with_code(code, OOB_REDIRECT_URI)
