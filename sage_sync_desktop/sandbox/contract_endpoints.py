"""Prime contracts and their line items (v1.0 paths; note the singular /prime_contract on
create, show, update and delete, procore-api.md section 4.1).

Reading needs Read Only on the project's Prime Contracts tool, writing needs Admin; with the
tool switched off in the project every call answers 403. The schedule of values of an Approved
contract is locked unless the project has "always editable schedule of values" on: single-line
writes answer 422, while line_items/sync, which "will always return an HTTP status of 200"
(Procore's "Using Sync Actions"), reports the lock on every item in `errors`. line_items/sync
takes at most 1000 items (413 above).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sage_sync_desktop.sandbox import access_rules
from sage_sync_desktop.sandbox.contract_store import ContractStore, clean_contract_fields
from sage_sync_desktop.sandbox.routing import Request, Response, Router, fail, paged
from sage_sync_desktop.sandbox.serializers import Shapes
from sage_sync_desktop.sandbox.state_store import SandboxState

TOOL = "Prime Contracts"
MAX_PER_PAGE = 1000
SYNC_LIMIT = 1000
SOV_LOCKED = ("The Schedule of Values of an Approved prime contract is locked. Turn on 'Enable Always "
              "Editable Schedule of Values' in the project's Prime Contracts settings to edit it.")


class ContractEndpoints:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.store = ContractStore(state)

    def register(self, router: Router) -> None:
        router.add("GET", "/rest/v1.0/prime_contracts", self.list_contracts)
        router.add("GET", "/rest/v1.0/prime_contract", self.first_contract)
        router.add("POST", "/rest/v1.0/prime_contract", self.create_contract)
        router.add("GET", "/rest/v1.0/prime_contract/{id}", self.show_contract)
        router.add("PATCH", "/rest/v1.0/prime_contract/{id}", self.update_contract)
        router.add("DELETE", "/rest/v1.0/prime_contract/{id}", self.delete_contract)
        base = "/rest/v1.0/prime_contracts/{prime_contract_id}/line_items"
        router.add("GET", base, self.list_lines)
        router.add("POST", base, self.create_line)
        router.add("PATCH", base + "/sync", self.sync_lines)
        router.add("GET", base + "/{id}", self.show_line)
        router.add("PATCH", base + "/{id}", self.update_line)
        router.add("DELETE", base + "/{id}", self.delete_line)

    # ------------------------------------------------------------------ helpers

    def _project(self, request: Request, project_id: int | None, needed: str) -> dict:
        project = access_rules.visible_project(self.state, request, project_id)
        access_rules.require_level(self.state, request, TOOL, needed, project_id=project["id"])
        return project

    def _contract(self, project: dict, contract_id: int) -> dict:
        contract = self.store.get(contract_id)
        if not contract or contract["project_id"] != project["id"]:
            raise fail(404, f"Prime Contract {contract_id} not found")
        return contract

    def _detail(self, contract: dict) -> dict:
        return Shapes(self.state).prime_contract_detail(contract, self.store.lines(contract["id"]))

    def _body_project_id(self, request: Request) -> int | None:
        body = request.body_object()
        value = body.get("project_id", request.arg("project_id"))
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            raise fail(400, "project_id must be an integer") from None

    def _check_sov(self, project: dict, contract: dict) -> None:
        if self.store.sov_locked(contract, project):
            raise fail(422, SOV_LOCKED)

    # ------------------------------------------------------------------ prime contracts

    def list_contracts(self, request: Request) -> Response:
        project = self._project(request, request.int_arg("project_id", required=True), "Read Only")
        return self._filtered_page(request, partial(self.store.list, project["id"]),
                                   Shapes(self.state).prime_contract_list_item)

    @staticmethod
    def _filtered_page(request: Request, query: Callable[..., Any], shape: Callable[[Any], dict]) -> Response:
        """One page of `query`'s rows under the request's filters[updated_at] and filters[id];
        `query(updated=, ids=, count=True)` counts, `query(updated=, ids=, offset=, limit=)` reads."""
        updated = access_rules.updated_range(request)
        ids = access_rules.int_list(request, "filters[id]")
        total = query(updated=updated, ids=ids, count=True)

        def fetch(offset: int, limit: int) -> list:
            return [shape(row) for row in query(updated=updated, ids=ids, offset=offset, limit=limit)]

        return paged(request, total, fetch, max_per_page=MAX_PER_PAGE)

    def first_contract(self, request: Request) -> Response:
        project = self._project(request, request.int_arg("project_id", required=True), "Read Only")
        rows = self.store.list(project["id"], updated=None, ids=[], limit=1)
        if not rows:
            raise fail(404, "Prime Contract not found")
        return Response(200, self._detail(rows[0]))

    def create_contract(self, request: Request) -> Response:
        project = self._project(request, self._body_project_id(request), "Admin")
        fields = request.body_object("prime_contract")
        values, errors = clean_contract_fields(fields, creating=True)
        if self.store.origin_taken(project["company_id"], values.get("origin_id"), table="prime_contracts"):
            errors["origin_id"] = ["has already been taken"]
        if errors:
            raise fail(422, errors)
        contract = self.store.create(company_id=project["company_id"], project_id=project["id"], values=values,
                                     created_by=(request.user or {}).get("id"))
        return Response(201, self._detail(contract))

    def show_contract(self, request: Request) -> Response:
        project = self._project(request, request.int_arg("project_id", required=True), "Read Only")
        return Response(200, self._detail(self._contract(project, request.params["id"])))

    def update_contract(self, request: Request) -> Response:
        project = self._project(request, self._body_project_id(request), "Admin")
        contract = self._contract(project, request.params["id"])
        values, errors = clean_contract_fields(request.body_object("prime_contract"), creating=False)
        if "origin_id" in values and self.store.origin_taken(project["company_id"], values["origin_id"],
                                                             table="prime_contracts", except_id=contract["id"]):
            errors["origin_id"] = ["has already been taken"]
        if errors:
            raise fail(422, errors)
        return Response(200, self._detail(self.store.update(contract, values)))

    def delete_contract(self, request: Request) -> Response:
        project = self._project(request, request.int_arg("project_id", required=True), "Admin")
        contract = self._contract(project, request.params["id"])
        self.store.delete(contract["id"])
        return Response(200, {})

    # ------------------------------------------------------------------ line items

    def list_lines(self, request: Request) -> Response:
        project = self._project(request, request.int_arg("project_id", required=True), "Read Only")
        contract = self._contract(project, request.params["prime_contract_id"])
        return self._filtered_page(request, partial(self.store.lines, contract["id"]), Shapes(self.state).line_item)

    def show_line(self, request: Request) -> Response:
        project = self._project(request, request.int_arg("project_id", required=True), "Read Only")
        contract = self._contract(project, request.params["prime_contract_id"])
        line = self.store.line(contract["id"], request.params["id"])
        if not line:
            raise fail(404, f"Line Item {request.params['id']} not found")
        return Response(200, Shapes(self.state).line_item(line))

    def _writable(self, request: Request) -> tuple[dict, dict]:
        project_id = request.int_arg("project_id") or self._body_project_id(request)
        project = self._project(request, project_id, "Admin")
        contract = self._contract(project, request.params["prime_contract_id"])
        self._check_sov(project, contract)
        return project, contract

    def create_line(self, request: Request) -> Response:
        _, contract = self._writable(request)
        item = request.body_object("line_item")
        if item.get("origin_id") and self.store.origin_taken(contract["company_id"], str(item["origin_id"]),
                                                             table="line_items"):
            raise fail(422, {"origin_id": ["has already been taken"]})
        row, problems = self.store.save_line(contract, item, None)
        if problems:
            raise fail(422, problems)
        self.store.recompute_total(contract["id"])
        return Response(201, Shapes(self.state).line_item(row))

    def update_line(self, request: Request) -> Response:
        _, contract = self._writable(request)
        line = self.store.line(contract["id"], request.params["id"])
        if not line:
            raise fail(404, f"Line Item {request.params['id']} not found")
        row, problems = self.store.save_line(contract, request.body_object("line_item"), line)
        if problems:
            raise fail(422, problems)
        self.store.recompute_total(contract["id"])
        return Response(200, Shapes(self.state).line_item(row))

    def delete_line(self, request: Request) -> Response:
        _, contract = self._writable(request)
        if not self.store.delete_line(contract, request.params["id"]):
            raise fail(404, f"Line Item {request.params['id']} not found")
        return Response(200, {})

    def sync_lines(self, request: Request) -> Response:
        project = self._project(request, request.int_arg("project_id", required=True), "Admin")
        contract = self._contract(project, request.params["prime_contract_id"])
        updates = request.body_object().get("updates")
        if not isinstance(updates, list):
            raise fail(400, "param is missing or the value is empty: updates")
        if len(updates) > SYNC_LIMIT:
            raise fail(413, f"Too many items: at most {SYNC_LIMIT} per sync request, got {len(updates)}.")
        if self.store.sov_locked(contract, project):
            refused = [{**item, "errors": {"base": [SOV_LOCKED]}} if isinstance(item, dict)
                       else {"item": item, "errors": {"base": [SOV_LOCKED]}} for item in updates]
            return Response(200, {"entities": [], "errors": refused})
        entities, errors = self.store.sync(contract, updates)
        shapes = Shapes(self.state)
        return Response(200, {"entities": [shapes.line_item(row) for row in entities], "errors": errors})
