"""Me, companies, projects (v1.0 and v1.1), permissions and the line-item lookups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sage_sync_desktop.sandbox import access_rules
from sage_sync_desktop.sandbox.routing import COMPANY_FOR_SERVICE_ACCOUNTS, Request, Response, Router, fail, paged
from sage_sync_desktop.sandbox.serializers import Shapes
from sage_sync_desktop.sandbox.state_store import SandboxState, now_iso

MAX_PER_PAGE = {"companies": 100, "projects": 300, "lookups": 1000}
_PROJECT_FIELDS = ("name", "project_number", "origin_id", "origin_code", "origin_data", "active")


class ProjectEndpoints:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def register(self, router: Router) -> None:
        router.add("GET", "/rest/v1.0/me", self.me, company=COMPANY_FOR_SERVICE_ACCOUNTS)
        router.add("GET", "/rest/v1.0/companies", self.companies, company=COMPANY_FOR_SERVICE_ACCOUNTS)
        router.add("GET", "/rest/v1.0/projects", self.projects)
        router.add("GET", "/rest/v1.1/projects", self.projects_v11)
        router.add("GET", "/rest/v1.0/projects/{id}", self.project)
        router.add("PATCH", "/rest/v1.0/projects/{id}", self.update_project)
        router.add("GET", "/rest/v1.0/settings/permissions", self.permissions)
        router.add("GET", "/rest/v1.0/cost_codes", self.cost_codes)
        router.add("GET", "/rest/v1.0/line_item_types", self.line_item_types)
        router.add("GET", "/rest/v1.0/companies/{company_id}/uoms", self.uoms)

    def me(self, request: Request) -> Response:
        return Response(200, Shapes(self.state).me(request.user or {}))

    def companies(self, request: Request) -> Response:
        rows = self.state.companies_of((request.user or {})["id"])
        shapes = Shapes(self.state)
        items = [shapes.company(row, mine=row["id"] == request.company_id) for row in rows]
        return paged(request, len(items), lambda o, n: items[o:o + n], max_per_page=MAX_PER_PAGE["companies"])

    # ------------------------------------------------------------------ projects

    def _company_param(self, request: Request) -> int:
        company_id = request.int_arg("company_id", required=True)
        if company_id != request.company_id:
            raise fail(404, f"Company {company_id} not found")
        return company_id

    def _visible_projects(self, request: Request) -> list[dict]:
        company_id = self._company_param(request)
        clauses, params = ["company_id = ?"], [company_id]
        for name, column in (("filters[origin_id]", "origin_id"), ("filters[project_number]", "project_number"),
                             ("filters[name]", "name")):
            value = request.arg(name)
            if value is not None:
                clauses.append(f"{column} = ?" if column != "name" else "name LIKE ?")
                params.append(value if column != "name" else f"%{value}%")
        status = request.arg("filters[by_status]", "Active")
        if status in ("Active", "Inactive"):
            clauses.append("active = ?")
            params.append(1 if status == "Active" else 0)
        if request.arg("filters[synced]") == "true":
            clauses.append("origin_id IS NOT NULL")
        updated = access_rules.updated_range(request)
        if updated:
            clauses.append("updated_at >= ? AND updated_at <= ?")
            params.extend(updated)
        ids = access_rules.int_list(request, "filters[id]")
        if ids:
            clauses.append(f"id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        rows = self.state.all(f"SELECT * FROM projects WHERE {' AND '.join(clauses)} ORDER BY id", tuple(params))
        user_id = (request.user or {})["id"]
        return [row for row in rows if self.state.can_see_project(user_id, row)]

    def projects(self, request: Request) -> Response:
        rows = self._visible_projects(request)
        shapes = Shapes(self.state)
        return paged(request, len(rows), lambda o, n: [shapes.project_list_item(r) for r in rows[o:o + n]],
                     max_per_page=MAX_PER_PAGE["projects"])

    def projects_v11(self, request: Request) -> Response:
        rows = self._visible_projects(request)
        view = request.arg("view", "normal")
        shapes = Shapes(self.state)

        def shape(row: dict):
            if view == "ids":
                return row["id"]
            if view == "compact":
                return {"id": row["id"], "name": row["name"]}
            return shapes.project_list_item(row)

        return paged(request, len(rows), lambda o, n: [shape(r) for r in rows[o:o + n]],
                     max_per_page=MAX_PER_PAGE["projects"])

    def project(self, request: Request) -> Response:
        self._company_param(request)
        project = access_rules.visible_project(self.state, request, request.params["id"])
        return Response(200, Shapes(self.state).project_detail(project))

    def update_project(self, request: Request) -> Response:
        body = request.body_object()
        if body.get("company_id") is not None and body.get("company_id") != request.company_id:
            raise fail(404, f"Company {body.get('company_id')} not found")
        changes = request.body_object("project")
        project = access_rules.visible_project(self.state, request, request.params["id"])
        user_id = (request.user or {})["id"]
        company_id = project["company_id"]
        allowed = any(access_rules.level_at_least(level, "Admin") for level in (
            self.state.access_level(user_id, "Admin", company_id=company_id, project_id=project["id"]),
            self.state.access_level(user_id, "ERP Integrations", company_id=company_id)))
        if not allowed:
            raise fail(403, "You do not have permission to edit this project: Admin on the project's Admin tool "
                            "or on the company's ERP Integrations tool is required.")
        values = {key: changes[key] for key in _PROJECT_FIELDS if key in changes}
        for key in ("origin_id", "origin_code", "origin_data", "project_number"):
            if key in values and values[key] is not None:
                values[key] = str(values[key]) or None
        if "name" in values and not str(values["name"] or "").strip():
            raise fail(422, {"name": ["can't be blank"]})
        origin = values.get("origin_id")
        if origin and self.state.one("SELECT id FROM projects WHERE company_id = ? AND origin_id = ? AND id != ?",
                                     (company_id, origin, project["id"])):
            raise fail(422, {"origin_id": ["has already been taken"]})
        if values:
            if "active" in values:
                values["active"] = int(bool(values["active"]))
            assignments = ", ".join(f"{key} = ?" for key in values)
            self.state.db.execute(f"UPDATE projects SET {assignments}, updated_at = ? WHERE id = ?",
                                  (*values.values(), now_iso(), project["id"]))
        return Response(200, Shapes(self.state).project_detail(self.state.project(project["id"]) or {}))

    # ------------------------------------------------------------------ permissions and lookups

    def permissions(self, request: Request) -> Response:
        project_id = request.int_arg("project_id")
        company_id = request.int_arg("company_id")
        if (project_id is None) == (company_id is None):
            raise fail(400, {"code": "bad_request", "message": "Send exactly one of company_id or project_id."})
        if company_id is not None and company_id != request.company_id:
            raise fail(404, f"Company {company_id} not found")
        if project_id is not None:
            access_rules.visible_project(self.state, request, project_id)
        body = Shapes(self.state).permission_tools((request.user or {})["id"], company_id=request.company_id or 0,
                                                   project_id=project_id)
        return Response(200, body)

    def cost_codes(self, request: Request) -> Response:
        project = access_rules.visible_project(self.state, request, request.int_arg("project_id", required=True))
        rows = self.state.all("SELECT * FROM cost_codes WHERE project_id = ? ORDER BY full_code", (project["id"],))
        return _lookup_page(request, rows, Shapes(self.state).cost_code)

    def line_item_types(self, request: Request) -> Response:
        company_id = request.int_arg("company_id") or request.company_id
        if company_id != request.company_id:
            raise fail(404, f"Company {company_id} not found")
        project_id = request.int_arg("project_id")
        if project_id is not None:
            access_rules.visible_project(self.state, request, project_id)
        rows = self.state.all("SELECT * FROM line_item_types WHERE company_id = ? ORDER BY code", (company_id,))
        return _lookup_page(request, rows, Shapes(self.state).line_item_type_shape)

    def uoms(self, request: Request) -> Response:
        if request.params["company_id"] != request.company_id:
            raise fail(404, f"Company {request.params['company_id']} not found")
        rows = self.state.all("SELECT * FROM uoms WHERE company_id = ? ORDER BY name", (request.company_id,))
        return _lookup_page(request, rows, Shapes(self.state).uom, by_origin=False)


def _lookup_page(request: Request, rows: list, shape: Callable[[Any], dict], *, by_origin: bool = True) -> Response:
    """A page of a lookup list (cost codes, line item types, units), filtered by
    filters[origin_id] where the list has origin ids."""
    origin = request.arg("filters[origin_id]") if by_origin else None
    if origin is not None:
        rows = [row for row in rows if row["origin_id"] == origin]
    return paged(request, len(rows), lambda o, n: [shape(r) for r in rows[o:o + n]],
                 max_per_page=MAX_PER_PAGE["lookups"])
