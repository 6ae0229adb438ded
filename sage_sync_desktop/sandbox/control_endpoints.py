"""/_sandbox/*: the test and benchmark controls, for a sandbox running in another process.

  GET    /_sandbox/info                 the start-up JSON plus users, the auth-code app, the demo user
  GET    /_sandbox/requests             {"total", "by_endpoint"};  DELETE resets the counts
  GET    /_sandbox/faults               the rules;  POST adds one;  DELETE clears them
         POST body: {"action": "status"|"reset"|"delay", "endpoint": "POST /rest/v1.0/prime_contract",
                     "status": 503, "seconds": 2.5, "times": 1, "skip": 0, "probability": 1.0,
                     "retry_after": 1, "after_processing": false}
  GET    /_sandbox/rate_limit           {"hourly", "spike", "hourly_remaining", "spike_remaining",
                                         "refused"} (requests answered 429 by the budget)
  PUT    /_sandbox/rate_limit           {"hourly": 3600, "spike": 100} (fresh windows)
  PUT    /_sandbox/latency              {"ms": 100}
  PUT    /_sandbox/token_ttl            {"seconds": 5}
  POST   /_sandbox/tokens/expire        {"login": "..."} (or {} for everyone)
  POST   /_sandbox/users                a seed user object -> the user with its client credentials
  PUT    /_sandbox/permissions          {"login", "tool", "level", "project_id"?}
  PATCH  /_sandbox/projects/{id}        {"always_editable_sov": true, "disabled_tools": ["Prime Contracts"]}
  PUT    /_sandbox/app/redirect_uris    {"redirect_uris": [...]} (the auth-code app's registered URIs)
  PATCH  /_sandbox/companies/{id}       {"disabled_tools": ["ERP Integrations"]} (the tools it lacks)
  POST   /_sandbox/seed                 {"projects": [...], "prime_contracts": [...]} placed directly
These need no token: the sandbox only listens on 127.0.0.1 and holds only made-up data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sage_sync_desktop.sandbox import seed as seed_module
from sage_sync_desktop.sandbox.faults import FaultRule
from sage_sync_desktop.sandbox.rate_limits import RateLimits
from sage_sync_desktop.sandbox.routing import COMPANY_NOT_NEEDED, Request, Response, Router, fail
from sage_sync_desktop.sandbox.state_store import LEVELS

if TYPE_CHECKING:
    from sage_sync_desktop.sandbox.server import ProcoreSandbox


class ControlEndpoints:
    def __init__(self, sandbox: ProcoreSandbox) -> None:
        self.sandbox = sandbox

    def register(self, router: Router) -> None:
        for method, path, handler in (
            ("GET", "/_sandbox/info", self.info),
            ("GET", "/_sandbox/requests", self.counts),
            ("DELETE", "/_sandbox/requests", self.reset_counts),
            ("GET", "/_sandbox/faults", self.faults),
            ("POST", "/_sandbox/faults", self.add_fault),
            ("DELETE", "/_sandbox/faults", self.clear_faults),
            ("GET", "/_sandbox/rate_limit", self.rate_limit),
            ("PUT", "/_sandbox/rate_limit", self.set_rate_limit),
            ("PUT", "/_sandbox/latency", self.set_latency),
            ("PUT", "/_sandbox/token_ttl", self.token_ttl),
            ("POST", "/_sandbox/tokens/expire", self.expire_tokens),
            ("POST", "/_sandbox/users", self.add_user),
            ("PUT", "/_sandbox/permissions", self.set_permission),
            ("PATCH", "/_sandbox/projects/{id}", self.project_settings),
            ("PATCH", "/_sandbox/companies/{id}", self.company_settings),
            ("PUT", "/_sandbox/app/redirect_uris", self.redirect_uris),
            ("POST", "/_sandbox/seed", self.place),
        ):
            router.add(method, path, handler, auth=False, company=COMPANY_NOT_NEEDED)

    def info(self, request: Request) -> Response:
        app = self.sandbox.app
        return Response(200, {**self.sandbox.info(), "users": self.sandbox.users(),
                              "app": {k: app[k] for k in ("client_id", "client_secret", "redirect_uris")},
                              "demo_user": self.sandbox.demo_user})

    def counts(self, request: Request) -> Response:
        return Response(200, self.sandbox.request_counts())

    def reset_counts(self, request: Request) -> Response:
        self.sandbox.reset_counts()
        return Response(200, {})

    def faults(self, request: Request) -> Response:
        return Response(200, {"rules": self.sandbox.faults.rules()})

    def add_fault(self, request: Request) -> Response:
        body = request.body_object()
        try:
            rule = FaultRule(
                endpoint=str(body["endpoint"]), action=str(body.get("action", "status")),
                status=int(body.get("status", 500)), seconds=float(body.get("seconds", 0)),
                phase="after" if body.get("after_processing", body.get("action") == "delay") else "before",
                times=None if body.get("times", 1) is None else int(body.get("times", 1)),
                skip=int(body.get("skip", 0)), probability=float(body.get("probability", 1.0)),
                retry_after=None if body.get("retry_after") is None else float(body["retry_after"]))
            self.sandbox.faults.add(rule)
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(400, f"bad fault rule: {exc}") from None
        return Response(201, rule.to_dict())

    def clear_faults(self, request: Request) -> Response:
        self.sandbox.faults.clear()
        return Response(200, {})

    def rate_limit(self, request: Request) -> Response:
        return Response(200, self.sandbox.rate_limiter.snapshot())

    def set_rate_limit(self, request: Request) -> Response:
        body = request.body_object()
        try:
            limits = RateLimits(int(body["hourly"]), int(body["spike"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(400, f"a rate limit is {{\"hourly\": N, \"spike\": N}}, both at least 1 ({exc})") from None
        self.sandbox.rate_limiter.configure(limits)
        return Response(200, self.sandbox.rate_limiter.snapshot())

    def set_latency(self, request: Request) -> Response:
        try:
            ms = int(request.body_object()["ms"])
            if ms < 0:
                raise ValueError("below 0")
        except (KeyError, TypeError, ValueError) as exc:
            raise fail(400, f"latency is {{\"ms\": N}} with N >= 0 ({exc})") from None
        self.sandbox.latency_seconds = ms / 1000
        return Response(200, {"ms": ms})

    def token_ttl(self, request: Request) -> Response:
        self.sandbox.state.set_token_ttl(int(request.body_object()["seconds"]))
        return Response(200, {})

    def expire_tokens(self, request: Request) -> Response:
        login = (request.body if isinstance(request.body, dict) else {}).get("login")
        user = self.sandbox.state.user_by_login(login) if login else None
        if login and not user:
            raise fail(404, f"no user {login}")
        count = self.sandbox.state.expire_tokens(user["id"] if user else None)
        return Response(200, {"expired": count})

    def add_user(self, request: Request) -> Response:
        body = request.body_object()
        if "login" not in body:
            raise fail(400, "login is required")
        if self.sandbox.state.user_by_login(body["login"]):
            raise fail(422, {"login": ["has already been taken"]})
        user = self.sandbox.add_user(body)
        return Response(201, user_view(user))

    def set_permission(self, request: Request) -> Response:
        body = request.body_object()
        user = self.sandbox.state.user_by_login(str(body.get("login", "")))
        if not user:
            raise fail(404, f"no user {body.get('login')}")
        if body.get("level") not in LEVELS:
            raise fail(400, f"level must be one of {', '.join(LEVELS)}")
        self.sandbox.set_permission(user["login"], str(body["tool"]), body["level"], project_id=body.get("project_id"))
        return Response(200, {})

    def project_settings(self, request: Request) -> Response:
        project = self.sandbox.state.project(request.params["id"])
        if not project:
            raise fail(404, f"no project {request.params['id']}")
        body = request.body_object()
        if "always_editable_sov" in body:
            self.sandbox.state.set_always_editable_sov(project["id"], bool(body["always_editable_sov"]))
        if "disabled_tools" in body:
            self._set_disabled_tools(body["disabled_tools"], company_id=project["company_id"],
                                     project_id=project["id"])
        project = self.sandbox.state.project(project["id"]) or project
        return Response(200, {"id": project["id"], "always_editable_sov": bool(project["always_editable_sov"]),
                              "disabled_tools": self.sandbox.state.disabled_tools(
                                  company_id=project["company_id"], project_id=project["id"])})

    def redirect_uris(self, request: Request) -> Response:
        uris = request.body_object().get("redirect_uris")
        if not isinstance(uris, list) or not all(isinstance(uri, str) and uri and " " not in uri for uri in uris):
            raise fail(400, "redirect_uris must be a list of URIs")
        self.sandbox.set_redirect_uris(uris)
        return Response(200, {"redirect_uris": self.sandbox.app["redirect_uris"]})

    def company_settings(self, request: Request) -> Response:
        company = self.sandbox.state.company(request.params["id"])
        if not company:
            raise fail(404, f"no company {request.params['id']}")
        body = request.body_object()
        if "disabled_tools" in body:
            self._set_disabled_tools(body["disabled_tools"], company_id=company["id"], project_id=None)
        return Response(200, {"id": company["id"],
                              "disabled_tools": self.sandbox.state.disabled_tools(company_id=company["id"])})

    def _set_disabled_tools(self, tools: object, *, company_id: int, project_id: int | None) -> None:
        """The scope's disabled tools become exactly `tools`."""
        if not isinstance(tools, list) or not all(isinstance(tool, str) and tool for tool in tools):
            raise fail(400, "disabled_tools must be a list of tool names, e.g. [\"Prime Contracts\"]")
        state = self.sandbox.state
        with state.transaction():
            for tool in set(state.disabled_tools(company_id=company_id, project_id=project_id)) - set(tools):
                state.set_tool_enabled(tool, True, company_id=company_id, project_id=project_id)
            for tool in tools:
                state.set_tool_enabled(tool, False, company_id=company_id, project_id=project_id)

    def place(self, request: Request) -> Response:
        try:
            placed = seed_module.place(self.sandbox.state, request.body_object(),
                                       default_company=self.sandbox.company_id)
        except (KeyError, ValueError) as exc:
            raise fail(400, f"cannot place that data: {exc}") from None
        return Response(201, placed)

def user_view(user: dict) -> dict:
    return {key: user[key] for key in ("id", "login", "name", "client_id", "client_secret")}
