"""Who may see and change what in the sandbox, and the list filters shared by the endpoints.

As Procore: 404 (not 403) for a project the user cannot see; 403 for a tool level that is too
low, and 403 for a tool switched off in the project (Procore's troubleshooting page). Levels
rank None < Read Only < Standard < Admin.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sage_sync_desktop.sandbox.routing import Request, fail
from sage_sync_desktop.sandbox.state_store import LEVELS, SandboxState, stamp_text


def visible_project(state: SandboxState, request: Request, project_id: int | None) -> dict:
    if project_id is None:
        raise fail(400, "param is missing or the value is empty: project_id")
    project = state.project(project_id)
    user = request.user or {}
    if (not project or project["company_id"] != request.company_id
            or not state.can_see_project(user.get("id", 0), project)):
        raise fail(404, f"Project {project_id} not found")
    return project


def require_level(state: SandboxState, request: Request, tool: str, needed: str, *,
                  project_id: int | None = None) -> str:
    user = request.user or {}
    assert request.company_id is not None
    if not state.tool_enabled(tool, company_id=request.company_id, project_id=project_id):
        where = "this project" if project_id else "this company"
        raise fail(403, f"The {tool} tool is not enabled in {where}.")
    level = state.access_level(user.get("id", 0), tool, company_id=request.company_id, project_id=project_id)
    if LEVELS.index(level) < LEVELS.index(needed):
        where = "this project's" if project_id else "the company's"
        raise fail(403, f"You do not have permission to do this: {needed} on {where} {tool} tool is required "
                        f"(you have {level}).")
    return level


def level_at_least(level: str, needed: str) -> bool:
    return LEVELS.index(level) >= LEVELS.index(needed)


def updated_range(request: Request, name: str = "filters[updated_at]") -> tuple[str, str] | None:
    """filters[updated_at]=A...B (dates or date-times) as stored-format bounds, inclusive."""
    raw = request.arg(name)
    if not raw:
        return None
    start, _, end = raw.partition("...")
    try:
        low = _bound(start, end_of_day=False) if start else "0000"
        high = _bound(end, end_of_day=True) if end else "9999"
    except ValueError:
        raise fail(400, f"{name} must be a range like 2026-01-01T00:00:00Z...2026-01-31T23:59:59Z") from None
    return low, high


def _bound(text: str, *, end_of_day: bool) -> str:
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        moment = datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
    else:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if end_of_day and moment.microsecond == 0:
            # A bound given to the second covers that whole second.
            moment = moment.replace(microsecond=999999)
    return stamp_text(moment)


def int_list(request: Request, name: str) -> list[int]:
    try:
        return [int(v) for v in request.args(name)]
    except ValueError:
        raise fail(400, f"{name} must be integers") from None
