"""Seeding the sandbox from a small JSON document (or the built-in default).

Shape (every key optional; ids may be omitted and are then allocated above 2**32):
  companies:  [{id, name, disabled_tools: ["ERP Integrations"]}]  (a tool the company does not have)
  apps:       [{client_id, client_secret, name, redirect_uris: [...]}]   (authorization-code apps)
  projects:   [{id, company_id, name, project_number, origin_id, origin_code, active, always_editable_sov,
                disabled_tools: ["Prime Contracts"]}]  (tools switched off in that project)
  users:      [{id, login, name, client_id, client_secret, company_admin, service_account, demo_login,
                projects: [ids], permissions: {"company": {"ERP Integrations": "Admin"},
                                               "projects": {"<project id>" | "*": {"Prime Contracts": "Admin"}}}}]
  cost_codes: [{code, name, origin_id, project_id}]  (no project_id = on every project)
  line_item_types: [{code, name, base_type, origin_id}];  uoms: [{name, description, category}]
  prime_contracts: [{id, project_id, origin_id, number, title, status, ..., line_items: [{...}]}]
Prime contracts and lines are placed directly, skipping Procore's rules on purpose. Client
secrets not given are generated at random when the state is first seeded. A seed file is checked
first (seed_check.py), so a mistake is named instead of failing half-way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sage_sync_desktop.sandbox.contract_store import ContractStore
from sage_sync_desktop.sandbox.seed_check import SeedError, check_seed
from sage_sync_desktop.sandbox.state_store import SandboxState, new_secret

DEFAULT_APP_ID = "sage-sync-desktop-sandbox-app"
DEFAULT_REDIRECTS = ["urn:ietf:wg:oauth:2.0:oob", "http://localhost", "http://localhost:8765"]


def default_seed() -> dict[str, Any]:
    """One company, six projects, a service account with Admin everywhere and people at each level."""
    company = 5_000_000_101
    projects = [
        (5_000_001_001, "Riverside Medical Office Building", "1001"),
        (5_000_001_002, "Harbor View Apartments", "1002"),
        (5_000_001_003, "Westfield Elementary School Addition", "1003"),
        (5_000_001_004, "Downtown Transit Center", "1004"),
        (5_000_001_005, "Oak Street Retail Remodel", "1005"),
        (5_000_001_006, "North Campus Parking Structure", "1006"),
    ]
    return {
        "companies": [{"id": company, "name": "Sandbox Builders, Inc."}],
        "apps": [{"client_id": DEFAULT_APP_ID, "name": "Sage Sync Desktop", "redirect_uris": DEFAULT_REDIRECTS}],
        "projects": [{"id": pid, "company_id": company, "name": name, "project_number": number}
                     for pid, name, number in projects],
        "users": [
            {"id": 5_000_000_201, "login": "sage-sync-service@sandbox.example", "name": "Sage Sync Service Account",
             "company_admin": True, "service_account": True},
            {"id": 5_000_000_202, "login": "pat.admin@sandbox.example", "name": "Pat Admin",
             "company_admin": True, "demo_login": True},
            {"id": 5_000_000_203, "login": "erin.erp@sandbox.example", "name": "Erin ERP-Admin",
             "permissions": {"company": {"ERP Integrations": "Admin"}, "projects": {"*": {"Prime Contracts": "Standard"}}}},
            {"id": 5_000_000_204, "login": "sam.standard@sandbox.example", "name": "Sam Standard",
             "permissions": {"company": {"ERP Integrations": "Standard"},
                             "projects": {"*": {"Prime Contracts": "Standard"}}}},
            {"id": 5_000_000_205, "login": "rita.readonly@sandbox.example", "name": "Rita Read-Only",
             "permissions": {"company": {"ERP Integrations": "Read Only"},
                             "projects": {"*": {"Prime Contracts": "Read Only"}}}},
            {"id": 5_000_000_206, "login": "nora.none@sandbox.example", "name": "Nora None",
             "permissions": {"company": {"ERP Integrations": "None"},
                             "projects": {str(projects[0][0]): {"Prime Contracts": "None"}}}},
        ],
        "cost_codes": [{"code": code, "name": name} for code, name in (
            ("01-100", "General Conditions"), ("02-200", "Sitework"), ("03-300", "Concrete"),
            ("05-500", "Metals"), ("06-100", "Rough Carpentry"), ("09-900", "Painting"),
            ("15-400", "Plumbing"), ("16-100", "Electrical"))],
        "line_item_types": [{"code": code, "name": name, "base_type": base} for code, name, base in (
            ("L", "Labor", "other"), ("M", "Materials", "materials"), ("S", "Subcontract", "commitment"),
            ("E", "Equipment", "equipment"), ("O", "Other", "other"))],
        "uoms": [{"name": name, "description": text, "category": category} for name, text, category in (
            ("LS", "Lump Sum", "Other"), ("EA", "Each", "Quantity"), ("CY", "Cubic Yard", "Volume"),
            ("SF", "Square Foot", "Area"), ("LF", "Linear Foot", "Length"), ("HR", "Hour", "Time"),
            ("TON", "Ton", "Weight"), ("MO", "Month", "Time"))],
    }


def load_seed(seed: dict | str | Path | None) -> dict[str, Any]:
    if seed is None:
        return default_seed()
    if isinstance(seed, dict):
        return seed
    path = Path(seed)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"cannot read the sandbox seed {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise SeedError(f"the sandbox seed {path} is not valid JSON (line {exc.lineno})") from None
    check_seed(data, f"the sandbox seed {path}")
    return data


def apply_seed(state: SandboxState, seed: dict[str, Any]) -> None:
    """Write a seed into an empty state, in one transaction."""
    with state.transaction():
        company_ids = []
        for company in seed.get("companies") or [{"name": "Sandbox Builders, Inc."}]:
            cid = state.reserve_id(company.get("id"))
            state.db.execute("INSERT INTO companies (id, name, is_active) VALUES (?, ?, ?)",
                             (cid, company.get("name", "Sandbox company"), int(company.get("is_active", True))))
            for tool in _tool_names(company):
                state.set_tool_enabled(tool, False, company_id=cid)
            company_ids.append(cid)
        first_company = company_ids[0]
        for app in seed.get("apps") or []:
            state.db.execute("INSERT INTO apps VALUES (?, ?, ?, ?)", (
                app["client_id"], app.get("client_secret") or new_secret(), app.get("name", app["client_id"]),
                " ".join(app.get("redirect_uris") or DEFAULT_REDIRECTS)))
        project_ids = []
        for project in seed.get("projects") or []:
            row = _add_project(state, project, first_company)
            project_ids.append((row["id"], row["company_id"]))
        for user in seed.get("users") or []:
            add_seeded_user(state, user, company_ids, project_ids)
        _seed_lookups(state, seed, company_ids, project_ids)
        place(state, {"prime_contracts": seed.get("prime_contracts") or []}, default_company=first_company)


def _add_project(state: SandboxState, project: dict, default_company: int) -> dict:
    """A project from its seed JSON object (the keys documented at the top of this module)."""
    row = state.add_project(
        company_id=project.get("company_id", default_company), name=project["name"],
        project_number=project.get("project_number"), origin_id=project.get("origin_id"),
        origin_code=project.get("origin_code"), active=project.get("active", True),
        always_editable_sov=project.get("always_editable_sov", False), project_id=project.get("id"))
    for tool in _tool_names(project):
        state.set_tool_enabled(tool, False, company_id=row["company_id"], project_id=row["id"])
    return row


def _tool_names(item: dict) -> list[str]:
    tools = item.get("disabled_tools") or []
    if not isinstance(tools, list) or not all(isinstance(tool, str) and tool for tool in tools):
        raise ValueError(f"disabled_tools of {item.get('name') or item.get('id')} must be a list of tool names")
    return tools


def place(state: SandboxState, data: dict, *, default_company: int) -> dict[str, list[int]]:
    """Place projects and prime contracts (with their lines) directly, skipping Procore's rules."""
    placed: dict[str, list[int]] = {"projects": [], "prime_contracts": []}
    with state.transaction():
        for project in data.get("projects") or []:
            placed["projects"].append(_add_project(state, project, default_company)["id"])
        store = ContractStore(state)
        for contract in data.get("prime_contracts") or []:
            project = state.project(int(contract["project_id"]))
            if project is None:
                raise ValueError(f"prime contract {contract.get('origin_id')} names unknown project "
                                 f"{contract['project_id']}")
            fields = {k: v for k, v in contract.items() if k not in ("id", "project_id", "line_items")}
            placed["prime_contracts"].append(store.place_contract(
                company_id=project["company_id"], project_id=project["id"], fields=fields,
                lines=contract.get("line_items") or [], contract_id=contract.get("id")))
    return placed


def add_seeded_user(state: SandboxState, user: dict, company_ids: list[int],
                    project_ids: list[tuple[int, int]]) -> dict:
    companies = user.get("companies") or company_ids
    row = state.add_user(login=user["login"], name=user.get("name", user["login"]), company_ids=companies,
                         company_admin=bool(user.get("company_admin")), client_id=user.get("client_id"),
                         client_secret=user.get("client_secret"), user_id=user.get("id"),
                         demo_login=bool(user.get("demo_login")))
    if user.get("service_account"):
        state.set_meta("service_account_user", row["id"])
    permissions = user.get("permissions") or {}
    for tool, level in (permissions.get("company") or {}).items():
        for company_id in companies:
            state.set_permission(row["id"], tool, level, company_id=company_id)
    for key, tools in (permissions.get("projects") or {}).items():
        targets = project_ids if key == "*" else [(int(key), _company_of(state, int(key)))]
        for project_id, company_id in targets:
            for tool, level in tools.items():
                state.set_permission(row["id"], tool, level, company_id=company_id, project_id=project_id)
    for project_id in user.get("projects") or []:
        state.add_project_member(int(project_id), row["id"])
    return row


def _company_of(state: SandboxState, project_id: int) -> int:
    project = state.project(project_id)
    if project is None:
        raise ValueError(f"seeded permission names unknown project {project_id}")
    return project["company_id"]


def _seed_lookups(state: SandboxState, seed: dict, company_ids: list[int], project_ids: list[tuple[int, int]]) -> None:
    for company_id in company_ids:
        for item in seed.get("line_item_types") or []:
            state.add_line_item_type(company_id=company_id, code=item["code"], name=item["name"],
                                     base_type=item.get("base_type", "other"), origin_id=item.get("origin_id"),
                                     type_id=item.get("id") if len(company_ids) == 1 else None)
        for item in seed.get("uoms") or []:
            state.add_uom(company_id=company_id, name=item["name"], description=item.get("description", item["name"]),
                          category=item.get("category", "Other"))
    for item in seed.get("cost_codes") or []:
        targets = [(int(item["project_id"]), _company_of(state, int(item["project_id"])))] \
            if item.get("project_id") else project_ids
        for project_id, company_id in targets:
            state.add_cost_code(company_id=company_id, project_id=project_id, code=item["code"], name=item["name"],
                                origin_id=item.get("origin_id"))
