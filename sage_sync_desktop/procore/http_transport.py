"""The only module that imports requests: one Session, timeouts, TLS, paging, rate limits, retries.

- TLS verification is always on. `verify` is always a CA bundle path (certifi's unless one is
  given), so neither a caller nor an environment variable (REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE)
  can switch it off; plain http is refused except to this machine (the local sandbox).
- Rate limits: X-Rate-Limit-Limit/Remaining/Reset are read on every answer; when few requests
  remain the transport spreads the rest over the time to the reset. The reset is measured
  against the answer's Date header, not this computer's clock (Procore's "Handle Rate Limits":
  a server clock that is off must not make the app run into the limit). The headers describe
  Procore's 10-second spike window or, once nearly spent, the hourly one; a reset 10 s away or
  less is the spike window. 429 (and 503) wait for Retry-After, else the reset time, else
  capped exponential backoff with full jitter.
- Connection errors and 5xx are retried only for idempotent calls (GET, DELETE, PATCH sync by
  origin_id). A POST is never retried here: its caller decides after looking the object up.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random as random_module
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
import requests.certs
from requests.structures import CaseInsensitiveDict

from sage_sync_desktop import app_info
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.procore.answer_checks import BadAnswer, parse_json
from sage_sync_desktop.procore import waits
from sage_sync_desktop.procore.body_reader import AnswerCutOff, read_within
from sage_sync_desktop.procore.paging import PageGuard, more_by_total, parse_link_header, same_origin
from sage_sync_desktop.procore.errors import (
    LOOPBACK_HOSTS,
    ErrorContext,
    ProcoreUnreachable,
    SignInRequired,
    error_for_status,
    unreachable_fix,
)
from sage_sync_desktop.procore.waits import WaitReporter
from sage_sync_desktop.procore.rate_pacing import RatePacer, RateWindow, int_header
from sage_sync_desktop.procore.request_stats import TOKEN_RENEWED, RequestStats

logger = logging.getLogger(__name__)

_RETRYABLE_5XX = {500, 502, 503, 504}


class Authorizer(Protocol):
    """What the transport needs from an OAuth flow (see oauth.py)."""

    def authorization(self) -> str:
        """The Authorization header value for the next request ("Bearer ...")."""

    def refresh_after_unauthorized(self, rejected: str) -> None:
        """A 401 came back for `rejected`: get a new token (once) or raise SignInRequired."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    endpoint: str = ""

    def json(self) -> Any:
        """The body as JSON, refused (BadAnswer naming the endpoint) when it is not sane JSON."""
        if not self.body:
            return None
        return parse_json(self.body, self.endpoint or self.url)


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    # Longest single wait for a rate-limit reset or Retry-After before giving up.
    max_wait: float = 300.0
    # Start pacing when this share of the window (or fewer than 3 requests) is left.
    low_remaining_share: float = 0.1
    statuses: frozenset[int] = field(default_factory=lambda: frozenset(_RETRYABLE_5XX))
    # Renewals of the token within one request (each after a 401 on a different token).
    max_token_renewals: int = 2


class HttpTransport:
    """Sends requests for the Procore client and the OAuth flows. Thread-safe."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        ca_bundle: str | os.PathLike[str] | None = None,
        user_agent: str = app_info.USER_AGENT,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        random: Callable[[], float] = random_module.random,
    ) -> None:
        if timeout is None or timeout <= 0:
            raise ConfigurationError("The Procore timeout must be a positive number of seconds.")
        if ca_bundle is not None and (isinstance(ca_bundle, bool) or not str(ca_bundle).strip()):
            # Refuses False and "" so this argument can never switch certificate checking off.
            raise ConfigurationError("ca_bundle must be the path of a CA certificate bundle.")
        if ca_bundle is not None and not os.path.isfile(ca_bundle):
            # requests would fail every call with an OSError; say which setting is wrong instead.
            raise ConfigurationError(
                f"procore.ca_bundle is {str(ca_bundle)!r}, which is not a CA bundle file (PEM).",
                fix="Name the .pem file holding your network's root certificate, or remove the "
                "key to use the certificates that come with the app. Checking cannot be turned off.",
            )
        self.timeout = float(timeout)
        self._verify: str = str(ca_bundle) if ca_bundle is not None else requests.certs.where()  # type: ignore[attr-defined]  # missing from types-requests
        self.policy = policy or RetryPolicy()
        self.stats = RequestStats()
        self.waits = WaitReporter()  # a countdown for long waits, to the thread's listener
        self._sleep = sleep
        self._clock = clock
        self._random = random
        self._pacer = RatePacer(clock)
        self._session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})

    @property
    def verify(self) -> str:
        """The CA bundle every request is verified against (never False)."""
        return self._verify

    def close(self) -> None:
        self._session.close()

    def pause(self, seconds: float) -> None:
        """Wait (with the injectable sleep, so tests stay fast); counted in the stats."""
        self.stats.record_wait(seconds, rate_limit=False)
        self._sleep(seconds)

    # ------------------------------------------------------------------ requests

    def request(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        auth: Authorizer | None = None,
        context: ErrorContext | None = None,
        accept: tuple[int, ...] = (),
    ) -> HttpResponse:
        """Send one call; retry what is safe; raise a typed ProcoreError for any error answer.

        `endpoint` is "METHOD /path/{template}" for the stats. `accept` lists error statuses the
        caller handles itself (e.g. 404 on a delete).
        """
        method = method.upper()
        _refuse_plain_http(url)
        if idempotent is None:
            idempotent = method in {"GET", "HEAD", "DELETE", "PUT"}
        context = context or ErrorContext()
        attempt = 0
        rejected_tokens: set[str] = set()
        while True:
            attempt += 1
            self._pace(endpoint)
            send_headers = dict(headers or {})
            authorization = auth.authorization() if auth is not None else None
            if authorization:
                send_headers["Authorization"] = authorization
            self.stats.record(endpoint)
            try:
                # The timeout bounds the whole request, body included: a server trickling its
                # answer a byte at a time is cut off at the deadline (see body_reader.py).
                deadline = time.monotonic() + self.timeout
                raw = self._session.request(
                    method, url, params=params, json=json, data=form, headers=send_headers,
                    timeout=self.timeout, verify=self._verify, allow_redirects=False, stream=True,
                )
                body = read_within(raw, deadline)
            except requests.exceptions.SSLError as exc:
                raise ProcoreUnreachable(
                    f"The secure connection to {_host(url)} could not be verified "
                    "(TLS certificate problem).",
                    fix="Check the server's date and time. If your network inspects HTTPS, its "
                    "root certificate must be trusted; certificate checking cannot be turned off.",
                    detail=type(exc).__name__,
                ) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, AnswerCutOff) as exc:
                maybe_sent = not isinstance(exc, requests.exceptions.ConnectTimeout)
                if idempotent and attempt < self.policy.max_attempts:
                    self._retry_wait(attempt, None, endpoint, why=type(exc).__name__)
                    continue
                self.stats.record_given_up(type(exc).__name__, endpoint)
                timed_out = isinstance(exc, requests.exceptions.Timeout) or getattr(exc, "timed_out", False)
                raise ProcoreUnreachable(
                    f"Procore at {_host(url)} did not answer"
                    + (f" within {self.timeout:g} seconds." if timed_out else "."),
                    fix=unreachable_fix(url, exc),
                    detail=f"{method} {endpoint}: {type(exc).__name__}",
                    maybe_sent=maybe_sent,
                ) from None
            response = HttpResponse(raw.status_code, CaseInsensitiveDict(raw.headers), body, raw.url, endpoint)
            logger.debug("%s -> %s", endpoint, raw.status_code)
            self._note_rate_headers(response.headers)
            status = response.status
            if (status == 401 and auth is not None and authorization not in rejected_tokens
                    and len(rejected_tokens) < self.policy.max_token_renewals):
                # One renewal and one retry per refused token; a token renewed a moment ago that
                # expires again before use gets one more, within a small bound.
                rejected_tokens.add(authorization or "")
                auth.refresh_after_unauthorized(authorization or "")
                self.stats.record_retry(TOKEN_RENEWED, endpoint)
                continue
            if status == 429 and attempt < self.policy.max_attempts:
                wait = self._server_wait(response.headers)
                if wait is None or wait <= self.policy.max_wait:
                    self._retry_wait(attempt, wait, endpoint, why="429", rate_limit=True)
                    continue
            if status in self.policy.statuses and idempotent and attempt < self.policy.max_attempts:
                wait = self._server_wait(response.headers) if status == 503 else None
                if wait is None or wait <= self.policy.max_wait:
                    self._retry_wait(attempt, wait, endpoint, why=str(status), rate_limit=status == 503)
                    continue
            if status in (429, 503) and status not in accept:
                wait = self._server_wait(response.headers)
                if wait is not None and wait > self.policy.max_wait:
                    self.stats.record_given_up(str(status), endpoint)
                    raise waits.too_long(endpoint, wait, self.policy.max_wait, self._clock())
            if status >= 400 and status not in accept:
                if status == 429 or status in self.policy.statuses:
                    self.stats.record_given_up(str(status), endpoint)
                if status == 401 and auth is None:
                    raise SignInRequired(detail=f"{endpoint}: HTTP 401")
                raise error_for_status(status, response.body, context)
            if 300 <= status < 400:
                raise ProcoreUnreachable(
                    f"Procore at {_host(url)} answered with a redirect ({status}).",
                    fix="Check the Procore environment and URLs in the settings.",
                    detail=response.headers.get("Location", ""),
                )
            return response

    def get_all(
        self,
        url: str,
        *,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        per_page: int,
        headers: Mapping[str, str] | None = None,
        auth: Authorizer | None = None,
        context: ErrorContext | None = None,
    ) -> list[Any]:
        """Every page of a list endpoint, following Link rel="next" (per_page at the maximum)."""
        items: list[Any] = []
        query: dict[str, Any] | None = {**(params or {}), "page": 1, "per_page": per_page}
        next_url = url
        page = 1
        pages = PageGuard(endpoint)
        while True:
            response = self.request("GET", next_url, endpoint=endpoint, params=query, headers=headers,
                                    auth=auth, context=context)
            batch = response.json()
            if not isinstance(batch, list):
                raise BadAnswer(endpoint, f"a list was expected, it sent {type(batch).__name__}")
            items.extend(batch)
            pages.read(response.url, len(batch))
            page += 1
            link = parse_link_header(response.headers.get("Link", "")).get("next")
            if not batch:
                return items
            if link:
                pages.check_next(urljoin(url, link), page, int_header(response.headers, "Total"))
            if link and same_origin(link, url):
                next_url, query = urljoin(url, link), None
            elif link or more_by_total(int_header(response.headers, "Total"), len(items), len(batch), per_page):
                # No usable Link (missing, or pointing elsewhere: never send the token there),
                # but there is more: ask for the next page by number.
                next_url, query = url, {**(params or {}), "page": page, "per_page": per_page}
            else:
                return items

    # ------------------------------------------------------------------ rate limits

    def _note_rate_headers(self, headers: Mapping[str, str]) -> None:
        self._pacer.note(headers)

    def rate_window(self) -> RateWindow | None:
        """What the last answer said about the rate limit (None before any answer with it)."""
        return self._pacer.window()

    def _pace(self, endpoint: str = "the next request") -> None:
        """Slow down before the window runs out instead of hitting 429."""
        pause = self._pacer.next_pause(self.policy.low_remaining_share)
        if pause is None:
            return
        delay, until_reset, exhausted = pause
        if exhausted and until_reset > self.policy.max_wait:
            raise waits.too_long(endpoint, until_reset, self.policy.max_wait, self._clock())
        delay = min(delay, self.policy.max_wait)
        self.stats.record_wait(delay, rate_limit=True)
        self.waits.sleep(self._sleep, delay, "Procore's rate limit")

    def _server_wait(self, headers: Mapping[str, str]) -> float | None:
        """Seconds the server asked us to wait: Retry-After, else the rate-limit reset."""
        retry_after = headers.get("Retry-After")
        if retry_after:
            retry_after = retry_after.strip()
            if retry_after.isdigit():
                return float(retry_after)
            try:
                when = email.utils.parsedate_to_datetime(retry_after)
                return max(0.0, when.timestamp() - self._pacer.server_now(headers))
            except (TypeError, ValueError):
                pass
        reset = int_header(headers, "X-Rate-Limit-Reset")
        if reset is not None:
            return max(0.0, reset - self._pacer.server_now(headers))
        return None

    def _retry_wait(self, attempt: int, server_wait: float | None, endpoint: str, *, why: str,
                    rate_limit: bool = False) -> None:
        backoff = min(self.policy.backoff_cap, self.policy.backoff_base * 2 ** (attempt - 1))
        if server_wait is not None:
            # Honour the server, plus a little jitter so parallel clients do not stampede.
            delay = server_wait + self._random() * min(1.0, backoff)
        else:
            delay = self._random() * backoff  # full jitter
        logger.info("Retrying %s after %s (attempt %d), waiting %.2f s", endpoint, why, attempt, delay)
        self.stats.record_retry(why, endpoint, delay)
        self.stats.record_wait(delay, rate_limit=rate_limit)
        self.waits.sleep(self._sleep, delay, f"Procore answered {why}" if why.isdigit() else f"Retrying after {why}")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _refuse_plain_http(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS:
        return  # the local sandbox on this machine; nothing leaves it
    raise ConfigurationError(
        f"Refusing to send Procore requests to {parts.scheme}://{parts.netloc}: only https is allowed.",
        fix="Use an https:// address for Procore (plain http is only allowed to this machine).",
    )
