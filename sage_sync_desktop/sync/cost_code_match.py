"""Optional matching of Sage cost codes to the Procore project's budget codes (sync.cost_codes).

With "off" (the default) nothing here runs and lines never carry a `cost_code_id`. With "match"
a line gets the `cost_code_id` of the project's one cost code whose `full_code` equals the
trimmed Sage cost code, but only when the line is created or its Sage cost code changed since
this app last wrote it (from the line's origin_data). A budget code a PM set on a line whose Sage
code did not change is never touched. `origin_id` is not used: the cost codes were not made by
this app, so it cannot know what another tool put there.

A code with no budget code (or with several of the same full_code) never blocks a contract: the
line is sent without a `cost_code_id` and the code is reported. Each project's cost codes are
read once per run, and only when some line needs one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sage_sync_desktop.errors import ProcoreError
from sage_sync_desktop.procore.errors import ProcoreUnreachable, SignInRequired
from sage_sync_desktop.procore.records import LineItem
from sage_sync_desktop.sage.records import SageContractItem
from sage_sync_desktop.sync.line_values import origin_data_of
from sage_sync_desktop.sync.engine_protocols import ProcoreApi

logger = logging.getLogger(__name__)

OFF, MATCH = "off", "match"


@dataclass(frozen=True)
class ProjectCostCodes:
    """One project's budget codes by full code; `error` says why they could not be read."""

    ids_by_code: dict[str, tuple[int, ...]]
    error: str = ""


class CostCodeBook:
    """The cost codes of each project, read on first need and kept for one run."""

    def __init__(self, client: ProcoreApi) -> None:
        self.client = client
        self._projects: dict[int, ProjectCostCodes] = {}

    def codes(self, project_id: int) -> ProjectCostCodes:
        if project_id not in self._projects:
            self._projects[project_id] = self._read(project_id)
        return self._projects[project_id]

    def _read(self, project_id: int) -> ProjectCostCodes:
        try:
            rows = self.client.cost_codes(project_id)
        except (SignInRequired, ProcoreUnreachable):
            raise  # the writes would fail too: let the batch stop as it does for any request
        except ProcoreError as exc:
            logger.warning("Cost codes of project %s could not be read: %s", project_id, exc)
            return ProjectCostCodes({}, error=getattr(exc, "message", str(exc)))
        found: dict[str, list[int]] = {}
        for row in rows:
            if row.full_code:
                found.setdefault(row.full_code, []).append(row.cost_code_id)
        return ProjectCostCodes({code: tuple(ids) for code, ids in found.items()})


@dataclass(frozen=True)
class CostCodeMatch:
    """What matching did for one contract's write: lines given a budget code, codes left out."""

    project_name: str
    matched: int = 0
    # (Sage cost code, why, on a new line) for codes sent without a budget code: a new line is
    # left empty, a line whose Sage code changed keeps whatever budget code it had.
    unmatched: tuple[tuple[str, str, bool], ...] = ()
    read_error: str = ""

    def notes(self) -> tuple[str, ...]:
        where = f"project '{self.project_name}'"
        if self.read_error:
            return (f"Cost codes of {where} could not be read ({self.read_error}); budget codes left as "
                    "they are.",)
        return tuple(f"Cost code {code} {why} in {where}; "
                     f"{'left empty' if created else 'the line keeps the budget code it had'}."
                     for code, why, created in self.unmatched)

    def as_data(self) -> dict[str, Any]:
        """For the history's closing entry."""
        data: dict[str, Any] = {"matched": self.matched,
                                "unmatched": sorted({code for code, _, _ in self.unmatched})}
        if self.read_error:
            data["read_error"] = self.read_error
        return data


def needs_budget_code(item: SageContractItem, procore_line: LineItem | None) -> bool:
    """True for a line about to be created, or whose Sage cost code differs from the one this app
    recorded writing; a line with no record of ours is left to the PM."""
    code = (item.cost_code or "").strip()
    if not code:
        return False
    if procore_line is None:
        return True
    recorded = origin_data_of(procore_line)
    written = recorded.get("written") if recorded else None
    if not isinstance(written, dict):
        return False
    return str(written.get("cost_code") or "").strip() != code


def assign(candidates: list[tuple[dict[str, Any], str, bool]], codes: ProjectCostCodes,
           project_name: str) -> CostCodeMatch:
    """Add `cost_code_id` to each (line payload, Sage cost code, new line) whose code has exactly
    one budget code in the project."""
    if codes.error:
        return CostCodeMatch(project_name, read_error=codes.error)
    matched = 0
    unmatched: set[tuple[str, str, bool]] = set()
    for payload, code, created in candidates:
        code = code.strip()
        ids = codes.ids_by_code.get(code, ())
        if len(ids) == 1:
            payload["cost_code_id"] = ids[0]
            matched += 1
        else:
            why = f"matches {len(ids)} budget codes" if ids else "has no budget code"
            unmatched.add((code, why, created))
    return CostCodeMatch(project_name, matched=matched, unmatched=tuple(sorted(unmatched)))
