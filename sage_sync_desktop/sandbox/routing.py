"""Requests, responses, routes and paging for the sandbox, independent of http.server."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

DEFAULT_PER_PAGE = 100


class ApiError(Exception):
    """An answer other than success, raised from anywhere inside a handler."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def fail(status: int, message: Any) -> ApiError:
    """Procore's v1 error body: {"errors": "text"} or {"errors": {"field": ["text"]}}."""
    return ApiError(status, {"errors": message})


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str) and not self.content_type.startswith("application/json"):
            return self.body.encode("utf-8")
        return json.dumps(self.body, default=_json_default, separators=(",", ":")).encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: Any
    base_url: str
    params: dict[str, int] = field(default_factory=dict)
    endpoint: str = ""
    user: dict | None = None
    token: dict | None = None
    company_id: int | None = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name) or self.query.get(name + "[]")
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        values = list(self.query.get(name, [])) + list(self.query.get(name + "[]", []))
        out: list[str] = []
        for value in values:
            out.extend(part for part in value.split(",") if part)
        return out

    def int_arg(self, name: str, *, required: bool = False) -> int | None:
        value = self.arg(name)
        if value in (None, ""):
            if required:
                raise fail(400, f"param is missing or the value is empty: {name}")
            return None
        try:
            return int(value)
        except ValueError:
            raise fail(400, f"{name} must be an integer") from None

    def body_object(self, key: str | None = None) -> dict:
        body = self.body if isinstance(self.body, dict) else None
        if body is None:
            raise fail(400, "The request body must be a JSON object.")
        if key is None:
            return body
        value = body.get(key)
        if not isinstance(value, dict):
            raise fail(400, f"param is missing or the value is empty: {key}")
        return value


Handler = Callable[[Request], Response]

# Which requests must carry Procore-Company-Id: always, only for service accounts, or never.
COMPANY_REQUIRED = "required"
COMPANY_FOR_SERVICE_ACCOUNTS = "service_accounts"
COMPANY_NOT_NEEDED = "none"


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    auth: bool
    company: str
    regex: re.Pattern[str]

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.template}"


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True,
            company: str = COMPANY_REQUIRED) -> None:
        # Placeholders only match digits, so ".../line_items/sync" never matches ".../{id}".
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>\\d+)", re.escape(template))
        self.routes.append(Route(method, template, handler, auth, company, re.compile(f"^{pattern}$")))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, int]]:
        allowed = False
        for route in self.routes:
            found = route.regex.match(path)
            if found:
                if route.method == method:
                    return route, {k: int(v) for k, v in found.groupdict().items()}
                allowed = True
        if allowed:
            raise fail(405, f"{method} is not allowed on {path}")
        raise fail(404, f"No route matches {method} {path}")


def paged(request: Request, total: int, fetch: Callable[[int, int], list], *, max_per_page: int) -> Response:
    """One page of a list with Procore's Link, Total and Per-Page headers (page is 1-based)."""
    try:
        page = max(1, int(request.arg("page") or 1))
        per_page = int(request.arg("per_page") or DEFAULT_PER_PAGE)
    except ValueError:
        raise fail(400, "page and per_page must be integers") from None
    per_page = max(1, min(per_page, max_per_page))
    items = fetch((page - 1) * per_page, per_page) if total else []
    last = max(1, -(-total // per_page))
    links = {"first": 1, "last": last}
    if page > 1:
        links["prev"] = min(page - 1, last)
    if page < last:
        links["next"] = page + 1
    header = ", ".join(f'<{_page_url(request, n, per_page)}>; rel="{rel}"' for rel, n in links.items())
    return Response(200, items, {"Link": header, "Total": str(total), "Per-Page": str(per_page)})


def _page_url(request: Request, page: int, per_page: int) -> str:
    query = [(k, v) for k, values in request.query.items() if k not in ("page", "per_page") for v in values]
    query += [("page", str(page)), ("per_page", str(per_page))]
    return f"{request.base_url}{request.path}?{urlencode(query)}"
