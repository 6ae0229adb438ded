"""ProcoreSandbox: a real HTTP server on 127.0.0.1 that answers like Procore's REST API.

Every request passes, in order: request counter, faults "before", rate-limit budget, bearer
token, Procore-Company-Id, the endpoint (under the state lock, in one transaction), faults
"after", the configured latency. Rate-limit headers go on every /rest and /oauth/token answer,
and every such request counts against the budget, unknown routes and failures included.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sage_sync_desktop.sandbox import seed as seed_module
from sage_sync_desktop.sandbox.contract_endpoints import ContractEndpoints
from sage_sync_desktop.sandbox.contract_store import ContractStore
from sage_sync_desktop.sandbox.control_endpoints import ControlEndpoints, user_view
from sage_sync_desktop.sandbox.faults import FaultPlan, FaultRule, RequestCounter
from sage_sync_desktop.sandbox.http_io import drop_connection, error_response, parse_request, write_response
from sage_sync_desktop.sandbox.oauth_endpoints import OAuthEndpoints
from sage_sync_desktop.sandbox.project_endpoints import ProjectEndpoints
from sage_sync_desktop.sandbox.rate_limits import GENEROUS, RateLimiter, RateLimits
from sage_sync_desktop.sandbox.routing import (
    COMPANY_FOR_SERVICE_ACCOUNTS,
    COMPANY_NOT_NEEDED,
    COMPANY_REQUIRED,
    ApiError,
    Request,
    Response,
    Route,
    Router,
    fail,
)
from sage_sync_desktop.sandbox.state_store import SandboxState

logger = logging.getLogger(__name__)


class ProcoreSandbox:
    """Start with `start()` (or `with ProcoreSandbox() as sb:`); `url` is the API and login base.

    `rate_limit` defaults to a budget no test or demo comes near; the `sandbox` command passes
    Procore's documented 3600/100. `latency_ms` delays every API and sign-in answer.
    """

    def __init__(self, *, state_path: Path | None = None, seed: dict | str | Path | None = None, port: int = 0,
                 host: str = "127.0.0.1", token_ttl: int | None = None,
                 rate_limit: RateLimits = GENEROUS, latency_ms: int = 0, fault_seed: int = 0) -> None:
        self.state_path = Path(state_path) if state_path else None
        self._seed = seed
        self._port = port
        self._host = host
        self._token_ttl = token_ttl
        self.faults = FaultPlan(fault_seed)
        self.rate_limiter = RateLimiter(rate_limit)
        if latency_ms < 0:
            raise ValueError("the latency must be 0 ms or more")
        self.latency_seconds = latency_ms / 1000
        self.counter = RequestCounter()
        self.state: SandboxState | None = None  # type: ignore[assignment]
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.router = Router()

    # ------------------------------------------------------------------ life cycle

    def start(self) -> ProcoreSandbox:
        try:
            self.state = SandboxState(self.state_path)
        except (sqlite3.Error, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ValueError(f"cannot open the sandbox state file {self.state_path} ({reason})") from None
        with self.state.lock:
            if self.state.is_empty():
                seed_module.apply_seed(self.state, seed_module.load_seed(self._seed))
            elif self._seed is not None:
                logger.info("Sandbox state %s already holds data; the seed is not applied again", self.state_path)
            if self._token_ttl is not None:
                self.state.set_token_ttl(self._token_ttl)
        self._stopping.clear()
        self.router = Router()
        for endpoints in (OAuthEndpoints(self.state), ProjectEndpoints(self.state),
                          ContractEndpoints(self.state), ControlEndpoints(self)):
            endpoints.register(self.router)
        self._server = _Server((self._host, self._port), _Handler)
        self._server.sandbox = self
        # A short poll keeps stop() quick (tests start and stop a sandbox per test).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="procore-sandbox", daemon=True)
        self._thread.start()
        logger.info("Procore sandbox listening on %s", self.url)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self.state is not None:
            self.state.close()

    def __enter__(self) -> ProcoreSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ what scripts and tests need

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def login_url(self) -> str:
        return self.url

    @property
    def company_id(self) -> int:
        return self._state.one("SELECT id FROM companies ORDER BY id LIMIT 1")["id"]

    def service_account(self) -> dict:
        """The seeded service account (Admin on every tool)."""
        marked = self._state.meta("service_account_user")
        user = self._state.user(int(marked)) if marked else None
        user = user or self._state.one("SELECT u.* FROM users u JOIN company_users cu ON cu.user_id = u.id "
                                       "WHERE cu.is_admin = 1 ORDER BY u.id LIMIT 1")
        if user is None:
            raise RuntimeError("the sandbox seed has no company admin to act as service account")
        return user

    @property
    def client_id(self) -> str:
        return self.service_account()["client_id"]

    @property
    def client_secret(self) -> str:
        return self.service_account()["client_secret"]

    @property
    def app(self) -> dict:
        """The authorization-code app registration: client_id, client_secret, redirect_uris."""
        row = self._state.one("SELECT * FROM apps ORDER BY rowid LIMIT 1")
        if row is None:
            raise RuntimeError("the sandbox seed has no app for the authorization-code flow")
        return {**row, "redirect_uris": row["redirect_uris"].split()}

    def set_redirect_uris(self, uris: list[str]) -> None:
        """Register exactly these redirect URIs for the authorization-code app."""
        client_id = self.app["client_id"]
        with self._state.transaction():
            self._state.db.execute("UPDATE apps SET redirect_uris = ? WHERE client_id = ?", (" ".join(uris), client_id))

    def register_redirect_uri(self, uri: str) -> None:
        """Add one redirect URI to the app's registered ones (as an admin does in Procore)."""
        registered = self.app["redirect_uris"]
        if uri not in registered:
            self.set_redirect_uris([*registered, uri])

    @property
    def demo_user(self) -> dict | None:
        user = self._state.demo_user()
        return user_view(user) if user else None

    def info(self) -> dict[str, Any]:
        return {"url": self.url, "login_url": self.login_url, "company_id": self.company_id,
                "client_id": self.client_id, "client_secret": self.client_secret,
                "rate_limit": str(self.rate_limiter.limits), "latency_ms": round(self.latency_seconds * 1000)}

    def users(self) -> list[dict]:
        return [user_view(u) for u in self._state.users()]

    def user(self, login: str) -> dict:
        user = self._state.user_by_login(login)
        if user is None:
            raise KeyError(f"no sandbox user {login}")
        return user_view(user)

    def request_counts(self) -> dict:
        return self.counter.snapshot()

    def reset_counts(self) -> None:
        self.counter.reset()

    def add_user(self, spec: dict) -> dict:
        with self._state.lock:
            companies = [row["id"] for row in self._state.all("SELECT id FROM companies ORDER BY id")]
            projects = [(row["id"], row["company_id"]) for row in self._state.all("SELECT id, company_id FROM projects")]
            return user_view(seed_module.add_seeded_user(self._state, spec, companies, projects))

    def set_permission(self, login: str, tool: str, level: str, *, project_id: int | None = None) -> None:
        with self._state.lock:
            user = self._state.user_by_login(login)
            if user is None:
                raise KeyError(f"no sandbox user {login}")
            company_id = self._state.project(project_id)["company_id"] if project_id else self.company_id
            self._state.set_permission(user["id"], tool, level, company_id=company_id, project_id=project_id)

    def set_always_editable_sov(self, project_id: int, enabled: bool = True) -> None:
        self._state.set_always_editable_sov(project_id, enabled)

    def set_tool_enabled(self, tool: str, enabled: bool, *, project_id: int | None = None) -> None:
        """Switch a project's tool (e.g. Prime Contracts) on or off, or, without project_id, give
        the company a tool or take it away (e.g. ERP Integrations)."""
        with self._state.lock:
            company_id = self._state.project(project_id)["company_id"] if project_id else self.company_id
            self._state.set_tool_enabled(tool, enabled, company_id=company_id, project_id=project_id)

    def set_token_ttl(self, seconds: int) -> None:
        self._state.set_token_ttl(seconds)

    def expire_tokens(self, login: str | None = None) -> int:
        user = self._state.user_by_login(login) if login else None
        return self._state.expire_tokens(user["id"] if user else None)

    def add_cost_code(self, project_id: int, code: str, name: str, *, origin_id: str | None = None) -> int:
        """A budget code in one project (full_code = `code`), as a PM would add it; its id."""
        with self._state.lock:
            project = self._state.project(project_id)
            if project is None:
                raise KeyError(f"no sandbox project {project_id}")
            return self._state.add_cost_code(company_id=project["company_id"], project_id=project_id,
                                             code=code, name=name, origin_id=origin_id)

    def place(self, data: dict) -> dict:
        """Place projects and prime contracts (with lines) directly, skipping Procore's rules."""
        with self._state.lock:
            return seed_module.place(self._state, data, default_company=self.company_id)

    def prime_contracts(self, project_id: int | None = None) -> list[dict]:
        """Stored prime contracts (for assertions): id, project_id, origin_id, status, number, lines."""
        sql = ("SELECT pc.id, pc.project_id, pc.origin_id, pc.status, pc.sov_total, pc.data, "
               "(SELECT COUNT(*) FROM line_items li WHERE li.prime_contract_id = pc.id) AS lines FROM prime_contracts pc")
        rows = self._state.all(sql + (" WHERE pc.project_id = ?" if project_id else "") + " ORDER BY pc.id",
                               (project_id,) if project_id else ())
        return [{**{k: v for k, v in row.items() if k != "data"}, "number": json.loads(row["data"]).get("number")}
                for row in rows]

    def line_items(self, prime_contract_id: int) -> list[dict]:
        return ContractStore(self._state).lines(prime_contract_id)

    @property
    def _state(self) -> SandboxState:
        if self.state is None:
            raise RuntimeError("the sandbox is not started")
        return self.state

    # ------------------------------------------------------------------ serving

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        request = parse_request(handler, self.url)
        api = request.path.startswith(("/rest/", "/oauth/token"))
        route: Route | None
        try:
            route, request.params = self.router.match(request.method, request.path)
            request.endpoint = route.endpoint
        except ApiError as exc:
            route, request.endpoint = None, f"{request.method} {request.path}"
            unknown = exc
        if not request.path.startswith("/_sandbox/"):
            self.counter.record(request.endpoint)
        if route is None:
            # A wrong path costs a request at Procore too.
            self._answer(handler, request, self._metered(api, lambda: error_response(unknown)))
            return
        for rule in self.faults.take(request.endpoint, request.path, "before"):
            if self._apply_fault(handler, request, rule, processed=False):
                return
        response = self._metered(api, lambda: self._dispatch(route, request))
        for rule in self.faults.take(request.endpoint, request.path, "after"):
            if rule.action == "status":
                response = self._fault_response(rule)
            elif self._apply_fault(handler, request, rule, processed=True):
                return
        self._answer(handler, request, response)

    def _metered(self, api: bool, answer: Callable[[], Response]) -> Response:
        """The answer, if the rate-limit budget allows it (API requests only), with its headers."""
        if not api:
            return answer()
        allowed, rate_headers, retry_after = self.rate_limiter.spend()
        if allowed:
            response = answer()
        else:
            response = Response(429, {"errors": "Rate limit exceeded"},
                                {"Retry-After": str(max(1, math.ceil(retry_after)))})
        response.headers.update(rate_headers)
        return response

    def _answer(self, handler: BaseHTTPRequestHandler, request: Request, response: Response) -> None:
        if self.latency_seconds and not request.path.startswith("/_sandbox/"):
            self._stopping.wait(self.latency_seconds)
        write_response(handler, response)

    def _dispatch(self, route: Route, request: Request) -> Response:
        try:
            with self._state.lock:
                if route.auth:
                    self._authenticate(request)
                if route.auth and route.company != COMPANY_NOT_NEEDED:
                    self._company(request, route)
                with self._state.transaction():
                    return route.handler(request)
        except ApiError as exc:
            return error_response(exc)
        except Exception:  # a sandbox bug must still answer, like Procore's 500
            logger.exception("Sandbox error on %s %s", request.method, request.path)
            return Response(500, {"errors": "Internal Server Error"})

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        token = self._state.token(value.strip()) if scheme.lower() == "bearer" and value else None
        challenge = {"WWW-Authenticate": 'Bearer realm="Doorkeeper", error="invalid_token"'}
        if token is None or token["revoked"]:
            raise ApiError(401, {"errors": "The access token is invalid"}, challenge)
        if time.time() >= token["created_at"] + token["expires_in"]:
            raise ApiError(401, {"errors": "The access token expired"}, challenge)
        request.token = token
        request.user = self._state.user(token["user_id"])

    def _company(self, request: Request, route: Route) -> None:
        value = request.headers.get("procore-company-id", "").strip()
        token = request.token or {}
        needed = route.company == COMPANY_REQUIRED or (
            route.company == COMPANY_FOR_SERVICE_ACCOUNTS and token.get("grant_type") == "client_credentials")
        if not value:
            if needed:
                raise fail(400, "Missing Procore-Company-Id header!")
            return
        try:
            company_id = int(value)
        except ValueError:
            raise fail(400, "Procore-Company-Id must be a company id") from None
        if self._state.company(company_id) is None or self._state.membership(company_id, token["user_id"]) is None:
            raise fail(403, "App is not connected to this company" if token.get("grant_type") == "client_credentials"
                       else "You do not have access to this company")
        request.company_id = company_id

    def _apply_fault(self, handler: BaseHTTPRequestHandler, request: Request, rule: FaultRule, *,
                     processed: bool) -> bool:
        """Apply one fault; True when the connection is finished (nothing more to write)."""
        if rule.action == "delay":
            self._stopping.wait(rule.seconds)
            return False
        if rule.action == "reset":
            drop_connection(handler)
            return True
        self._answer(handler, request, self._fault_response(rule))
        return True

    @staticmethod
    def _fault_response(rule: FaultRule) -> Response:
        headers = {"Retry-After": str(int(rule.retry_after))} if rule.retry_after is not None else {}
        messages = {429: "Rate limit exceeded", 503: "Service Unavailable", 500: "Internal Server Error"}
        return Response(rule.status, {"errors": messages.get(rule.status, "Injected fault")}, headers)

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ProcoreSandbox/1.0"
    # Headers and body go out in separate writes; with Nagle on, each keep-alive answer would
    # wait ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        self.server.sandbox.serve(self)  # type: ignore[attr-defined]

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        logger.debug("sandbox: " + format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: ProcoreSandbox
