"""Typed Procore errors whose messages a Sage administrator can act on.

Procore's own words go into `.detail` (for the log), never a token: the transport only hands
response bodies here, and `redact` runs over them as a second line of defence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sage_sync_desktop.errors import ProcoreError
from sage_sync_desktop.logging_setup import redact

_SIGN_IN_FIX = (
    "Sign in again: run `sage-sync-desktop login` (or Settings > Sign in to Procore in the window)."
)
EDITABLE_SOV_SETTING = "Enable Always Editable Schedule of Values"


class SignInRequired(ProcoreError):
    """No usable Procore sign-in: never signed in, expired, revoked or lost during a refresh."""

    exit_code = 3

    def __init__(self, message: str = "", *, fix: str = _SIGN_IN_FIX, detail: str = "") -> None:
        super().__init__(message or "Procore needs you to sign in again.", fix=fix, detail=detail)


class ProcoreUnreachable(ProcoreError):
    """Procore could not be reached (network, proxy, TLS)."""

    exit_code = 3

    def __init__(self, message: str, *, fix: str = "", detail: str = "", maybe_sent: bool = False) -> None:
        super().__init__(message, fix=fix, detail=detail)
        # True when the request may have reached Procore before the connection failed.
        self.maybe_sent = maybe_sent


class PermissionDenied(ProcoreError):
    """403: the signed-in user lacks a tool permission (or the app is not installed)."""

    def __init__(self, message: str, *, fix: str = "", detail: str = "", tool: str | None = None) -> None:
        super().__init__(message, fix=fix, detail=detail)
        self.tool = tool


class NotFound(ProcoreError):
    """404: the object does not exist or is not visible to the signed-in user."""


class RecordLocked(ProcoreError):
    """The schedule of values of an Approved prime contract is locked: a 422 on a single-line
    write, or per-item errors in a line_items/sync answer (which is always 200)."""


def locked_error(what: str, detail: str) -> RecordLocked:
    return RecordLocked(
        f"Procore refuses to change the schedule of values of the Approved {what}.",
        fix=f"In Procore, open the project's Prime Contracts tool > Configure Settings and turn "
        f"on '{EDITABLE_SOV_SETTING}', then run the Re-Import again.",
        detail=detail,
    )


class ValidationFailed(ProcoreError):
    """Another 4xx: Procore refused the data. `.field_errors` holds Procore's per-field messages."""

    def __init__(self, message: str, *, fix: str = "", detail: str = "",
                 status: int = 0, field_errors: dict[str, Any] | None = None) -> None:
        super().__init__(message, fix=fix, detail=detail)
        self.status = status
        self.field_errors = field_errors or {}


class RateLimited(ProcoreError):
    """429 that did not clear within the waiting the app allows itself."""

    def __init__(self, message: str, *, fix: str = "", detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, fix=fix, detail=detail)
        self.retry_after = retry_after


class ServerError(ProcoreError):
    """5xx from Procore that did not clear (or a create that must not be retried blindly)."""

    def __init__(self, message: str, *, fix: str = "", detail: str = "", status: int = 500) -> None:
        super().__init__(message, fix=fix, detail=detail)
        self.status = status


@dataclass(frozen=True)
class ErrorContext:
    """What the caller knows, so an error can name the tool, the object and the user."""

    what: str = "request"  # "prime contract 'PC-1001'", "project 123"
    tool: str | None = None  # "Prime Contracts", "ERP Integrations"
    level_needed: str | None = None  # "Admin", "Standard"
    user: str | None = None  # login of the signed-in user, when known
    company_id: int | None = None


def procore_message(body: bytes | str | None) -> tuple[str, dict[str, Any]]:
    """Procore's own text from an error body, and its per-field errors when it sent any."""
    if not body:
        return "", {}
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return redact(text.strip()[:500]), {}
    fields: dict[str, Any] = {}
    parts: list[str] = []
    if isinstance(data, dict):
        for key in ("errors", "error", "message", "error_description", "reason"):
            value = data.get(key)
            if isinstance(value, dict):
                if "message" in value:  # v2 shape {"error": {"code", "message"}}
                    parts.append(str(value["message"]))
                else:
                    fields.update(value)
                    parts.extend(f"{k} {', '.join(map(str, v if isinstance(v, list) else [v]))}"
                                 for k, v in value.items())
            elif isinstance(value, list):
                parts.extend(str(v) for v in value)
            elif value:
                parts.append(str(value))
    elif isinstance(data, list):
        parts.extend(str(v) for v in data)
    unique = list(dict.fromkeys(p for p in parts if p))
    return redact("; ".join(unique)[:1000]), fields


def error_for_status(status: int, body: bytes | None, context: ErrorContext) -> ProcoreError:
    """The typed error for a non-2xx answer Procore gave, worded for a Sage administrator."""
    text, fields = procore_message(body)
    detail = f"HTTP {status}: {text}" if text else f"HTTP {status}"
    user = context.user or "the signed-in Procore user"
    if status == 401:
        return SignInRequired(
            "Procore did not accept the saved sign-in (it expired or was revoked).", detail=detail
        )
    if status == 403:
        if "not connected" in text.lower() or "not installed" in text.lower():
            return PermissionDenied(
                f"The app is not installed in Procore company {context.company_id or ''}".rstrip() + ".",
                fix="Ask a Procore company administrator to install the app (App Management) "
                "and to add its service account to the projects it needs.",
                detail=detail, tool=context.tool,
            )
        if context.tool:
            level = context.level_needed or "the needed"
            return PermissionDenied(
                f"{user} does not have {level} permission on the Procore {context.tool} tool "
                f"for this {context.what}.",
                fix=f"Ask a Procore administrator to give {user} {level} on {context.tool} "
                "(Company or Project Directory > permissions).",
                detail=detail, tool=context.tool,
            )
        return PermissionDenied(
            f"Procore refused the {context.what}: {user} lacks a permission it needs.",
            fix="Ask a Procore administrator to check this user's tool permissions.",
            detail=detail,
        )
    if status == 404:
        return NotFound(
            f"The {context.what} was not found or is not visible to {user}.",
            fix=f"Check in Procore that it still exists and that {user} is in that project's "
            "Directory (service accounts: the project is one of its permitted projects).",
            detail=detail,
        )
    if status == 422 and mentions_lock(text):
        return locked_error(context.what, detail)
    if status == 429:
        return RateLimited(
            "Procore is limiting how fast this app may send requests, and the limit did not reset "
            "in the time the app waits.",
            fix="Wait a few minutes and try again. If it keeps happening, ask Procore to raise "
            "the app's rate limit.",
            detail=detail,
        )
    if status >= 500:
        return ServerError(
            f"Procore had a server problem (HTTP {status}) with the {context.what}.",
            fix="Try again in a few minutes; running the same import again never duplicates.",
            detail=detail, status=status,
        )
    if "procore-company-id" in text.lower():
        return ValidationFailed(
            "Procore needs to know which company to work in (a service account always does).",
            fix="Choose the company in Settings, or pass --company-id to `sage-sync-desktop login`.",
            detail=detail, status=status,
        )
    summary = f": {text}" if text else ""
    return ValidationFailed(
        f"Procore refused the {context.what}{summary}",
        fix="Correct the data in Sage (or the setting named) and try again.",
        detail=detail, status=status, field_errors=fields,
    )


def mentions_lock(text: str) -> bool:
    """True for Procore's words about a locked schedule of values."""
    lowered = text.lower()
    return "schedule of values" in lowered or "locked" in lowered or "always editable" in lowered


def sync_error_text(error: Mapping[str, Any]) -> str:
    """Procore's words for one refused sync item: {"errors": {"field": ["text"]}} or a string."""
    messages = error.get("errors")
    if isinstance(messages, dict):
        return "; ".join(
            f"{name}: {', '.join(map(str, value if isinstance(value, list) else [value]))}"
            for name, value in messages.items()
        )
    return str(messages or error.get("message") or "refused")


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def unreachable_fix(url: str, exc: BaseException | None = None) -> str:
    """What to check when `url` did not answer: the local server for this machine's addresses,
    the network (proxy, firewall, port 443) for Procore's."""
    parts = urlsplit(url)
    if (parts.hostname or "") in LOOPBACK_HOSTS:
        # This machine: no proxy, firewall or port 443 is involved.
        where = f"{parts.scheme}://{parts.netloc}"
        if _refused(exc):
            return (f"Nothing is listening at {where} on this machine. Start the local sandbox "
                    "(`sage-sync-desktop sandbox`), or set procore.api_url and procore.login_url to the "
                    "address it printed (its port changes on each start unless you pass --port).")
        return (f"The server at {where} on this machine dropped the connection or did not answer; check "
                "that it (the local sandbox) is still running, then try again.")
    return ("Check this server's internet connection, proxy and firewall (HTTPS to Procore, port 443), "
            "then try again.")


def _refused(exc: BaseException | None) -> bool:
    """True when the connection was refused (nothing listening), however requests wrapped it."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ConnectionRefusedError):
            return True
        nested = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = getattr(exc, "reason", None) or nested or exc.__cause__ or exc.__context__
    return False
