"""The Procore REST calls the import needs, over HttpTransport. Works unchanged against
api.procore.com and the local sandbox.

Every answer the app reads comes back as the typed, frozen records of records.py (a record that
cannot be read is a BadAnswer naming the endpoint); request bodies stay plain JSON objects.

Lists are read at the largest page size each endpoint allows. A prime contract create (POST) is
never blindly retried: after an ambiguous failure it first looks the contract up by origin_id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sage_sync_desktop.errors import ConfigurationError, ProcoreError
from sage_sync_desktop.procore import answer_checks
from sage_sync_desktop.procore.environments import ProcoreEnvironment
from sage_sync_desktop.procore.errors import (
    ErrorContext,
    ProcoreUnreachable,
    ServerError,
    ValidationFailed,
    locked_error,
    mentions_lock,
)
from sage_sync_desktop.procore.permissions import PRIME_CONTRACTS, AccessLevel
from sage_sync_desktop.procore.records import (
    CostCode,
    LineItem,
    LineItemSyncResult,
    PrimeContract,
    ProcoreCompany,
    ProcoreDataError,
    ProcoreProject,
    SignedInUser,
    SyncItemError,
    UnitOfMeasure,
    tool_permissions,
)
from sage_sync_desktop.procore.http_transport import Authorizer, HttpTransport
from sage_sync_desktop.procore.request_stats import CREATE_RESENT, RequestStats

logger = logging.getLogger(__name__)

# Largest page each list endpoint serves (procore-api.md section 6.1; v1.1 projects max 300).
PER_PAGE = {
    "companies": 100,
    "projects": 300,
    "prime_contracts": 1000,
    "line_items": 1000,
    "cost_codes": 1000,
    "uoms": 1000,
}
SYNC_CHUNK = 1000  # Procore's limit per .../sync call
AMBIGUOUS_CREATE_RECHECK_SECONDS = 5.0
Json = dict[str, Any]
Record = TypeVar("Record")


class ProcoreClient:
    def __init__(self, environment: ProcoreEnvironment, *, company_id: int | None, auth: Authorizer,
                 timeout: float = 30.0, transport: HttpTransport | None = None) -> None:
        self.environment = environment
        self.company_id = company_id
        self.auth = auth
        self.transport = transport or HttpTransport(timeout=timeout)
        self._api = environment.api_url.rstrip("/")
        self._user_login: str | None = None

    @property
    def stats(self) -> RequestStats:
        return self.transport.stats

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> ProcoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _headers(self, *, company_required: bool = True) -> dict[str, str]:
        if self.company_id is None:
            if company_required:
                raise ConfigurationError(
                    "No Procore company is chosen.",
                    fix="Choose the company in Settings (or set procore.company_id).",
                )
            return {}
        return {"Procore-Company-Id": str(self.company_id)}

    def _context(self, what: str, tool: str | None = None, level: str | None = None) -> ErrorContext:
        return ErrorContext(what=what, tool=tool, level_needed=level, user=self._user_login,
                            company_id=self.company_id)

    def _call(self, method: str, template: str, *, path: str | None = None, params: Json | None = None,
              json: Any = None, context: ErrorContext, idempotent: bool | None = None,
              accept: tuple[int, ...] = (), company_required: bool = True) -> Any:
        endpoint = f"{method} {template}"
        response = self.transport.request(
            method, self._api + (path or template), endpoint=endpoint, params=params,
            json=json, headers=self._headers(company_required=company_required), auth=self.auth,
            context=context, idempotent=idempotent, accept=accept,
        )
        if response.status in accept:
            return None
        return _checked(endpoint, response.json())

    def _list(self, template: str, parse: Callable[[Mapping[str, Any]], Record], *, path: str | None = None,
              params: Json, per_page: int, context: ErrorContext, company_required: bool = True) -> list[Record]:
        endpoint = f"GET {template}"
        items = answer_checks.check_list(endpoint, self.transport.get_all(
            self._api + (path or template), endpoint=endpoint, params=params,
            per_page=per_page, headers=self._headers(company_required=company_required),
            auth=self.auth, context=context,
        ))
        return [_parsed(endpoint, parse, item) for item in items]

    # ------------------------------------------------------------------ who and where

    def me(self) -> SignedInUser:
        params = {"company_id": self.company_id} if self.company_id is not None else None
        me = _parsed("GET /rest/v1.0/me", SignedInUser.from_json,
                     self._call("GET", "/rest/v1.0/me", params=params, context=self._context("user lookup"),
                                company_required=False))
        self._user_login = me.label or self._user_login
        return me

    def companies(self) -> list[ProcoreCompany]:
        return self._list("/rest/v1.0/companies", ProcoreCompany.from_json, params={},
                          per_page=PER_PAGE["companies"], context=self._context("company list"),
                          company_required=False)

    def projects(self, *, origin_id: str | None = None, project_number: str | None = None,
                 updated_since: datetime | None = None) -> list[ProcoreProject]:
        params: dict[str, Any] = {"company_id": self._company()}
        if origin_id is not None:
            params["filters[origin_id]"] = origin_id
        if project_number is not None:
            params["filters[project_number]"] = project_number
        if updated_since is not None:
            params["filters[updated_at]"] = updated_range(updated_since)
        return self._list("/rest/v1.1/projects", ProcoreProject.from_json, params=params,
                          per_page=PER_PAGE["projects"], context=self._context("project list"))

    def project(self, project_id: int) -> ProcoreProject:
        return _parsed("GET /rest/v1.0/projects/{id}", ProcoreProject.from_json,
                       self._call("GET", "/rest/v1.0/projects/{id}", path=f"/rest/v1.0/projects/{project_id}",
                                  params={"company_id": self._company()},
                                  context=self._context(f"project {project_id}")))

    def set_project_origin(self, project_id: int, *, origin_id: str | None,
                           origin_code: str | None) -> ProcoreProject:
        body = {"company_id": self._company(),
                "project": {"origin_id": origin_id, "origin_code": origin_code}}
        # Setting the same two values twice gives the same result, so a lost answer may be retried.
        return _parsed("PATCH /rest/v1.0/projects/{id}", ProcoreProject.from_json,
                       self._call("PATCH", "/rest/v1.0/projects/{id}", path=f"/rest/v1.0/projects/{project_id}",
                                  json=body, idempotent=True,
                                  context=self._context(f"project {project_id}", "Admin", "Admin")))

    def permissions(self, *, project_id: int | None = None) -> dict[str, AccessLevel]:
        """{tool friendly name: the signed-in user's level} for the company, or for one project."""
        params = {"project_id": project_id} if project_id is not None else {"company_id": self._company()}
        what = f"permissions of project {project_id}" if project_id is not None else "company permissions"
        body = self._call("GET", "/rest/v1.0/settings/permissions", params=params,
                          context=self._context(what))
        return {permission.tool: permission.level for permission in tool_permissions(body)}

    def access_level(self, tool_friendly_name: str, *, project_id: int | None = None) -> AccessLevel:
        levels = self.permissions(project_id=project_id)
        wanted = tool_friendly_name.strip().lower()
        return next((lvl for name, lvl in levels.items() if name.lower() == wanted), AccessLevel.NONE)

    # ------------------------------------------------------------------ prime contracts

    def prime_contracts(self, project_id: int, *, updated_since: datetime | None = None) -> list[PrimeContract]:
        params: dict[str, Any] = {"project_id": project_id}
        if updated_since is not None:
            params["filters[updated_at]"] = updated_range(updated_since)
        return self._list("/rest/v1.0/prime_contracts", PrimeContract.from_json, params=params,
                          per_page=PER_PAGE["prime_contracts"],
                          context=self._context(f"project {project_id}", PRIME_CONTRACTS, "Read Only"))

    def prime_contract(self, project_id: int, prime_contract_id: int) -> PrimeContract:
        """One contract as Procore shows it, with its lines."""
        return _parsed("GET /rest/v1.0/prime_contract/{id}", PrimeContract.from_json,
                       self._call("GET", "/rest/v1.0/prime_contract/{id}",
                                  path=f"/rest/v1.0/prime_contract/{prime_contract_id}",
                                  params={"project_id": project_id},
                                  context=self._context(f"prime contract {prime_contract_id} in project {project_id}",
                                                        PRIME_CONTRACTS, "Read Only")))

    def find_prime_contracts(self, project_id: int, origin_id: str) -> list[PrimeContract]:
        """The project's prime contracts carrying `origin_id` (the list has no origin filter)."""
        return [pc for pc in self.prime_contracts(project_id) if pc.origin_id == origin_id]

    def create_prime_contract(self, project_id: int, fields: Json) -> PrimeContract:
        origin_id = fields.get("origin_id")
        title = fields.get("number") or fields.get("title") or origin_id or "new"
        context = self._context(f"prime contract '{title}'", PRIME_CONTRACTS, "Admin")
        body = {"project_id": project_id, "prime_contract": fields}
        attempt = 0
        while True:
            attempt += 1
            try:
                return _parsed("POST /rest/v1.0/prime_contract", PrimeContract.from_json,
                               self._call("POST", "/rest/v1.0/prime_contract", json=body, idempotent=False,
                                          context=context))
            except (ProcoreUnreachable, ServerError) as exc:
                if not origin_id:
                    raise
                existing = self._existing_after_failure(project_id, origin_id)
                if existing is None and attempt == 1:
                    # Procore may still be finishing the first request: look once more, a little later.
                    self.transport.pause(AMBIGUOUS_CREATE_RECHECK_SECONDS)
                    existing = self._existing_after_failure(project_id, origin_id)
                if existing is not None:
                    logger.info("Create of %s failed ambiguously but it exists: id %s", origin_id,
                                existing.prime_contract_id)
                    return existing
                if attempt == 2:
                    raise
                logger.warning("Create of %s failed (%s) and it is not in Procore; retrying once",
                               origin_id, type(exc).__name__)
                self.transport.stats.record_retry(CREATE_RESENT, "POST /rest/v1.0/prime_contract")
            except ValidationFailed as exc:
                # An earlier attempt (killed process, lost answer) may have created it already.
                if origin_id and "origin_id" in exc.field_errors:
                    existing = self._existing_after_failure(project_id, origin_id)
                    if existing is not None:
                        return existing
                raise

    def _existing_after_failure(self, project_id: int, origin_id: str) -> PrimeContract | None:
        matches = self.find_prime_contracts(project_id, origin_id)
        if not matches:
            return None
        return self.prime_contract(project_id, matches[0].prime_contract_id)

    def update_prime_contract(self, project_id: int, prime_contract_id: int, fields: Json) -> PrimeContract:
        body = {"project_id": project_id, "prime_contract": fields}
        # A PATCH of the same values is idempotent, so lost answers may be retried.
        return _parsed("PATCH /rest/v1.0/prime_contract/{id}", PrimeContract.from_json,
                       self._call("PATCH", "/rest/v1.0/prime_contract/{id}",
                                  path=f"/rest/v1.0/prime_contract/{prime_contract_id}", json=body,
                                  idempotent=True,
                                  context=self._context(f"prime contract {prime_contract_id}", PRIME_CONTRACTS,
                                                        "Admin")))

    # ------------------------------------------------------------------ line items

    def line_items(self, project_id: int, prime_contract_id: int, *,
                   updated_since: datetime | None = None) -> list[LineItem]:
        params: dict[str, Any] = {"project_id": project_id}
        if updated_since is not None:
            params["filters[updated_at]"] = updated_range(updated_since)
        template = "/rest/v1.0/prime_contracts/{prime_contract_id}/line_items"
        return self._list(template, LineItem.from_json, path=f"/rest/v1.0/prime_contracts/{prime_contract_id}/line_items",
                          params=params, per_page=PER_PAGE["line_items"],
                          context=self._context(f"prime contract {prime_contract_id} in project {project_id}",
                                                PRIME_CONTRACTS, "Read Only"))

    def sync_line_items(self, project_id: int, prime_contract_id: int,
                        updates: list[Json]) -> LineItemSyncResult:
        """Upsert lines in chunks of at most 1000. On a failed chunk the error carries `.partial`.

        Procore answers sync with 200 even for an Approved contract's locked schedule of values,
        naming the lock on each item: that is raised as RecordLocked (never taken as success).
        """
        template = "/rest/v1.0/prime_contracts/{prime_contract_id}/line_items/sync"
        path = f"/rest/v1.0/prime_contracts/{prime_contract_id}/line_items/sync"
        endpoint = f"PATCH {template}"
        entities: list[LineItem] = []
        errors: list[SyncItemError] = []
        requests = 0
        for chunk in _chunks(updates, SYNC_CHUNK):
            # Items matched by id or origin_id upsert to the same result when sent twice.
            idempotent = all(item.get("id") or item.get("origin_id") for item in chunk)
            try:
                requests += 1
                body = self._call("PATCH", template, path=path, params={"project_id": project_id},
                                  json={"updates": chunk}, idempotent=idempotent,
                                  context=self._context(f"prime contract {prime_contract_id}",
                                                        PRIME_CONTRACTS, "Admin"))
            except ProcoreError as exc:
                exc.partial = LineItemSyncResult(tuple(entities), tuple(errors), requests)
                raise
            entities.extend(_parsed(endpoint, LineItem.from_json, entity)
                            for entity in (body or {}).get("entities") or [])
            chunk_errors = [SyncItemError.from_json(e) for e in (body or {}).get("errors") or []
                            if isinstance(e, dict)]
            errors.extend(chunk_errors)
            locked = [error.text for error in chunk_errors if mentions_lock(error.text)]
            if locked:
                stop = locked_error(f"prime contract {prime_contract_id}",
                                    f"line_items/sync answered 200 with {len(locked)} items refused: {locked[0]}")
                stop.partial = LineItemSyncResult(tuple(entities), tuple(errors), requests)
                raise stop
        return LineItemSyncResult(tuple(entities), tuple(errors), requests)

    def delete_line_item(self, project_id: int, prime_contract_id: int, line_item_id: int) -> None:
        """Delete one line; a line that is already gone (404) counts as deleted."""
        self._call("DELETE", "/rest/v1.0/prime_contracts/{prime_contract_id}/line_items/{id}",
                   path=f"/rest/v1.0/prime_contracts/{prime_contract_id}/line_items/{line_item_id}",
                   params={"project_id": project_id}, accept=(404,),
                   context=self._context(f"line item {line_item_id}", PRIME_CONTRACTS, "Admin"))

    # ------------------------------------------------------------------ lookups

    def cost_codes(self, project_id: int) -> list[CostCode]:
        """The project's cost codes (budget codes), every page."""
        return self._list("/rest/v1.0/cost_codes", CostCode.from_json, params={"project_id": project_id},
                          per_page=PER_PAGE["cost_codes"],
                          context=self._context(f"cost codes of project {project_id}"))

    def uoms(self) -> list[UnitOfMeasure]:
        company = self._company()
        return self._list("/rest/v1.0/companies/{company_id}/uoms", UnitOfMeasure.from_json,
                          path=f"/rest/v1.0/companies/{company}/uoms", params={},
                          per_page=PER_PAGE["uoms"], context=self._context("units of measure"))

    def _company(self) -> int:
        self._headers()  # raises the clear "no company chosen" error
        assert self.company_id is not None
        return self.company_id


def _checked(endpoint: str, body: Any) -> Any:
    """The answer, once it has the shape this endpoint returns (else BadAnswer naming it)."""
    if endpoint.startswith("DELETE"):
        return body  # nothing in it is read
    if endpoint.endswith("/sync"):
        return answer_checks.check_sync_answer(endpoint, body)
    if "/settings/permissions" in endpoint:
        return answer_checks.check_permissions(endpoint, body)
    return answer_checks.check_object(endpoint, body)


def updated_range(since: datetime) -> str:
    """Procore's filters[updated_at] range from `since` to a day from now (UTC)."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    until = datetime.now(UTC) + timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return f"{since.astimezone(UTC).strftime(fmt)}...{until.strftime(fmt)}"


def _parsed(endpoint: str, parse: Callable[[Mapping[str, Any]], Record], raw: Any) -> Record:
    """`raw` (already checked as JSON of the right shape) as a record; a record that cannot be
    read is a BadAnswer naming the endpoint, like any other answer the app cannot use."""
    if not isinstance(raw, Mapping):
        raise answer_checks.BadAnswer(endpoint, f"an object was expected, it sent {type(raw).__name__}")
    try:
        return parse(raw)
    except ProcoreDataError as exc:
        raise answer_checks.BadAnswer(endpoint, exc.message.rstrip(".")) from None


def _chunks(items: list[Json], size: int) -> Iterable[list[Json]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
