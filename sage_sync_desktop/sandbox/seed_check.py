"""Checking a sandbox seed document before anything is written, with errors that name the place.

A seed file is written by hand; a missing name or a typo in a key must come back as one clear
line ("seed.json: projects[2]: "name" is missing") instead of a traceback half-way through
seeding. The format itself is documented in docs/procore-connection.md and in seed.py.
"""

from __future__ import annotations

from typing import Any

from sage_sync_desktop.sandbox.state_store import LEVELS

# key -> (required keys, optional keys) of each object in that list
_SHAPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "companies": (frozenset(), frozenset({"id", "name", "is_active", "disabled_tools"})),
    "apps": (frozenset({"client_id"}), frozenset({"client_secret", "name", "redirect_uris"})),
    "projects": (frozenset({"name"}), frozenset({"id", "company_id", "project_number", "origin_id", "origin_code",
                                                 "active", "always_editable_sov", "disabled_tools"})),
    "users": (frozenset({"login"}), frozenset({"id", "name", "client_id", "client_secret", "company_admin",
                                               "service_account", "demo_login", "projects", "permissions",
                                               "companies"})),
    "cost_codes": (frozenset({"code", "name"}), frozenset({"origin_id", "project_id"})),
    "line_item_types": (frozenset({"code", "name"}), frozenset({"id", "base_type", "origin_id"})),
    "uoms": (frozenset({"name"}), frozenset({"description", "category"})),
    "prime_contracts": (frozenset({"project_id"}), frozenset()),  # other keys are Procore's fields
}
_ID_KEYS = ("id", "company_id", "project_id")
_FLAGS = ("is_active", "active", "always_editable_sov", "company_admin", "service_account", "demo_login")


class SeedError(ValueError):
    """A seed document that cannot be used, with where and why."""


def check_seed(seed: Any, source: str = "the sandbox seed") -> None:
    """Raise SeedError naming the first problem: unknown or missing keys, wrong types, a
    permission level Procore does not have, a project id no project has, no account to sign in."""
    if not isinstance(seed, dict):
        raise SeedError(f"{source} must hold a JSON object with the keys {', '.join(_SHAPES)}")
    unknown = sorted(set(seed) - set(_SHAPES))
    if unknown:
        raise SeedError(f"{source}: unknown key {unknown[0]!r}; the keys are {', '.join(_SHAPES)}")
    for key, (required, optional) in _SHAPES.items():
        items = seed.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise SeedError(f"{source}: {key} must be a list of objects")
        for index, item in enumerate(items):
            _check_item(item, f"{source}: {key}[{index}]", required, optional, open_shape=key == "prime_contracts")
    project_ids = {p["id"] for p in seed.get("projects") or [] if "id" in p}
    for index, user in enumerate(seed.get("users") or []):
        _check_permissions(user.get("permissions"), f"{source}: users[{index}].permissions", project_ids)
        for project_id in user.get("projects") or []:
            _known_project(project_id, project_ids, f"{source}: users[{index}].projects")
    for key in ("cost_codes", "prime_contracts"):
        for index, item in enumerate(seed.get(key) or []):
            if item.get("project_id") is not None:
                _known_project(item["project_id"], project_ids, f"{source}: {key}[{index}].project_id")
    if not any(u.get("service_account") or u.get("company_admin") for u in seed.get("users") or []):
        raise SeedError(f"{source}: users has no service account or company admin, so no one could sign in; "
                        'add a user with "service_account": true (and "company_admin": true for Admin everywhere)')


def _check_item(item: Any, where: str, required: frozenset[str], optional: frozenset[str], *,
                open_shape: bool) -> None:
    if not isinstance(item, dict):
        raise SeedError(f"{where} must be a JSON object")
    missing = sorted(required - set(item))
    if missing:
        raise SeedError(f"{where}: {missing[0]!r} is missing")
    if not open_shape:
        unknown = sorted(set(item) - required - optional)
        if unknown:
            raise SeedError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(required | optional))}")
    for key in _ID_KEYS:
        value = item.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise SeedError(f"{where}: {key!r} must be a positive whole number, not {value!r}")
    for key in _FLAGS:
        if key in item and not isinstance(item[key], bool):
            raise SeedError(f"{where}: {key!r} must be true or false, not {item[key]!r}")
    tools = item.get("disabled_tools")
    if tools is not None and (not isinstance(tools, list) or not all(isinstance(t, str) and t for t in tools)):
        raise SeedError(f"{where}: 'disabled_tools' must be a list of tool names, e.g. [\"Prime Contracts\"]")
    for key in ("name", "login", "client_id", "code"):
        if key in required and (not isinstance(item.get(key), str) or not item[key].strip()):
            raise SeedError(f"{where}: {key!r} must be a non-empty text")


def _check_permissions(permissions: Any, where: str, project_ids: set[int]) -> None:
    if permissions is None:
        return
    if not isinstance(permissions, dict) or set(permissions) - {"company", "projects"}:
        raise SeedError(f'{where} must be {{"company": {{TOOL: LEVEL}}, "projects": {{PROJECT_ID or "*": '
                        "{TOOL: LEVEL}}}")
    tool_maps = [(f"{where}.company", permissions.get("company") or {})]
    projects = permissions.get("projects") or {}
    if not isinstance(projects, dict):
        raise SeedError(f"{where}.projects must map a project id (or \"*\") to {{TOOL: LEVEL}}")
    for key, tools in projects.items():
        if key != "*":
            try:
                project_id = int(key)
            except ValueError:
                raise SeedError(f"{where}.projects: {key!r} is neither a project id nor \"*\"") from None
            _known_project(project_id, project_ids, f"{where}.projects")
        tool_maps.append((f"{where}.projects[{key!r}]", tools))
    for place, tools in tool_maps:
        if not isinstance(tools, dict):
            raise SeedError(f"{place} must map a tool name to a level")
        for tool, level in tools.items():
            if level not in LEVELS:
                raise SeedError(f"{place}: {tool!r} has level {level!r}; the levels are {', '.join(LEVELS)}")


def _known_project(project_id: Any, project_ids: set[int], where: str) -> None:
    try:
        wanted = int(project_id)
    except (TypeError, ValueError):
        raise SeedError(f"{where}: {project_id!r} is not a project id") from None
    if wanted not in project_ids:
        raise SeedError(f"{where}: project {wanted} is not among the seed's projects (give each project its \"id\")")
