"""What an import or re-import will send, decided from data read live just before writing.

The plan is built the same way for a dry run and a real run, and a real run sends exactly the
plan's requests in order; so a dry run shows exactly what would be sent.

Order: create the contract as Draft (only when no contract with its origin id exists), correct
header fields, upsert lines through `line_items/sync` in chunks of at most 1000, delete lines
whose Sage item is gone, then set the contract Approved (only when it is still Draft: a status
set by a PM, such as Complete, is never changed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sage_sync_desktop.procore.records import LineItem, PrimeContract
from sage_sync_desktop.sage.records import SageContract
from sage_sync_desktop.sync import contract_payload, cost_code_match
from sage_sync_desktop.sync.cost_code_match import CostCodeBook, CostCodeMatch
from sage_sync_desktop.sync.line_item_diff import compute_diff, keyed_items
from sage_sync_desktop.sync.line_values import LineValues, line_payload, procore_values, sage_values
from sage_sync_desktop.sync.records import ContractDiff, LineDiff, LineState, ProjectRef

SYNC_CHUNK = 1000  # Procore's limit per line_items/sync call
NEW_CONTRACT = "{new prime contract id}"


@dataclass(frozen=True)
class PlannedRequest:
    kind: str  # create, update, sync_lines, delete_line, approve
    method: str
    path: str
    params: dict[str, Any]
    body: dict[str, Any] | None
    origin_ids: tuple[str, ...] = ()
    line_id: int | None = None  # delete_line: the Procore line

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "params": dict(self.params), "body": self.body}


@dataclass(frozen=True)
class WritePlan:
    contract: SageContract
    project: ProjectRef
    prime_contract_id: int | None  # None: the contract is created first
    diff: ContractDiff
    header_update: dict[str, Any]
    upserts: tuple[dict[str, Any], ...]
    deletes: tuple[LineDiff, ...]
    approve: bool
    kept: tuple[LineDiff, ...]  # lines edited in Procore that stay as they are
    before: dict[str, LineValues] = field(default_factory=dict)  # Procore values by origin id
    after: dict[str, LineValues] = field(default_factory=dict)  # Sage values by origin id
    cost_codes: CostCodeMatch | None = None  # None: sync.cost_codes is off or no line needed one

    @property
    def creates(self) -> bool:
        return self.prime_contract_id is None

    @property
    def is_empty(self) -> bool:
        return not (self.creates or self.header_update or self.upserts or self.deletes or self.approve)

    def requests(self, prime_contract_id: int | None = None) -> list[PlannedRequest]:
        pc = prime_contract_id or self.prime_contract_id
        pc_text = str(pc) if pc is not None else NEW_CONTRACT
        project = self.project.project_id
        planned: list[PlannedRequest] = []
        if self.creates:
            planned.append(PlannedRequest(
                "create", "POST", "/rest/v1.0/prime_contract", {},
                {"project_id": project, "prime_contract": contract_payload.create_fields(self.contract)},
            ))
        if self.header_update:
            planned.append(PlannedRequest(
                "update", "PATCH", f"/rest/v1.0/prime_contract/{pc_text}", {},
                {"project_id": project, "prime_contract": dict(self.header_update)},
            ))
        for start in range(0, len(self.upserts), SYNC_CHUNK):
            chunk = list(self.upserts[start:start + SYNC_CHUNK])
            planned.append(PlannedRequest(
                "sync_lines", "PATCH", f"/rest/v1.0/prime_contracts/{pc_text}/line_items/sync",
                {"project_id": project}, {"updates": chunk},
                origin_ids=tuple(item["origin_id"] for item in chunk),
            ))
        for line in self.deletes:
            planned.append(PlannedRequest(
                "delete_line", "DELETE",
                f"/rest/v1.0/prime_contracts/{pc_text}/line_items/{line.procore_line_id}",
                {"project_id": project}, None,
                origin_ids=(line.origin_id,) if line.origin_id else (), line_id=line.procore_line_id,
            ))
        if self.approve:
            planned.append(PlannedRequest(
                "approve", "PATCH", f"/rest/v1.0/prime_contract/{pc_text}", {},
                {"project_id": project, "prime_contract": contract_payload.approve_fields()},
            ))
        return planned


def plan_write(
    contract: SageContract,
    project: ProjectRef,
    procore_contract: PrimeContract | None,
    procore_lines: Sequence[LineItem],
    *,
    known_values: dict[str, list[LineValues]] | None = None,
    overwrite_procore_edits: bool = False,
    cost_codes: CostCodeBook | None = None,
) -> WritePlan:
    """The requests that make Procore's copy equal Sage's, leaving hand-made lines alone.
    With `cost_codes` (sync.cost_codes = "match") new lines and lines whose Sage cost code
    changed also carry the project's matching budget code."""
    header_changes = (
        contract_payload.header_changes(contract, procore_contract) if procore_contract else ()
    )
    diff = compute_diff(
        contract,
        procore_lines,
        known_values=known_values,
        overwrite_procore_edits=overwrite_procore_edits,
        header_changes=header_changes,
    )
    items = keyed_items(contract)
    by_origin = {line.origin_id: line for line in procore_lines if line.origin_id}
    upserts, deletes, kept = [], [], []
    needing_codes: list[tuple[dict[str, Any], str, bool]] = []  # (line payload, Sage cost code, new line)
    before: dict[str, LineValues] = {}
    after: dict[str, LineValues] = {}
    for line in diff.lines:
        if line.origin_id is None:
            continue  # a line made by hand in Procore: never planned (it has no Sage item)
        if line.origin_id in by_origin and line.state is not LineState.PROCORE_ONLY:
            before[line.origin_id] = procore_values(by_origin[line.origin_id])
        if line.state is LineState.KEPT:
            kept.append(line)
            continue
        if line.state in (LineState.ADDED, LineState.CHANGED):
            item = items[line.origin_id]
            payload = line_payload(contract, item, before.get(line.origin_id))
            upserts.append(payload)
            after[line.origin_id] = sage_values(item)
            existing = by_origin.get(line.origin_id)
            if cost_codes is not None and cost_code_match.needs_budget_code(item, existing):
                needing_codes.append((payload, item.cost_code, existing is None))
        elif line.state is LineState.REMOVED and line.procore_line_id is not None:
            deletes.append(line)
    if procore_contract is None:
        header_update: dict[str, Any] = {}
        approve = contract.approved
    else:
        header_update = contract_payload.update_fields(header_changes, contract)
        approve = any(change.field == "status" for change in header_changes)
    matching = (cost_code_match.assign(needing_codes, cost_codes.codes(project.project_id), project.name)
                if cost_codes is not None and needing_codes else None)
    return WritePlan(
        contract=contract,
        project=project,
        prime_contract_id=procore_contract.prime_contract_id if procore_contract else None,
        diff=diff,
        header_update=header_update,
        upserts=tuple(upserts),
        deletes=tuple(deletes),
        approve=approve,
        kept=tuple(kept),
        before=before,
        after=after,
        cost_codes=matching,
    )
