"""The contract and its lines as Procore holds them right before an import or re-import writes.

Decisions to write are never made on the refresh's copy alone: a contract deleted, duplicated
or changed in Procore since the refresh is seen here. A re-import costs one request (the
contract shown with its lines). An import of a contract the refresh did not find costs none:
Procore keeps origin ids unique in the company, so the create itself is the live check. A
Draft left by an interrupted import is finished: shown like a re-import when the refresh saw
it, else it comes back from the create (the client looks it up when Procore says the origin id
is taken); a contract imported by someone since the refresh stops the create (contract_writer).
A dry run sends no create, so it lists the project's contracts instead (one request) and tells
what the create would meet.
"""

from __future__ import annotations

from sage_sync_desktop.procore.errors import NotFound, PermissionDenied
from sage_sync_desktop.procore.records import LineItem, PrimeContract
from sage_sync_desktop.sync import origin_ids, outcomes
from sage_sync_desktop.sync.contract_payload import DRAFT
from sage_sync_desktop.sync.line_values import lines_total, to_cents
from sage_sync_desktop.sync.records import ContractOutcome, ContractStatus
from sage_sync_desktop.sync.engine_protocols import ProcoreApi


def live_contract(client: ProcoreApi, action: str, status: ContractStatus,
                  dry_run: bool) -> tuple[PrimeContract | None, list[LineItem]] | ContractOutcome:
    """The contract and its lines as Procore holds them now (one request for a re-import:
    the contract with its lines), or the outcome that stops here."""
    number, project = status.number, status.project
    assert project is not None
    wanted = origin_ids.contract_origin_id(number)
    gone = outcomes.skipped(number, action, dry_run,
                            f"Contract {number} is not in project '{project.name}' in Procore (deleted "
                            "there?). Refresh, then Add it to Procore again.", kind="blocked")
    if status.procore is not None:
        try:
            shown = client.prime_contract(project.project_id, status.procore.prime_contract_id)
        except NotFound:
            return gone
        if shown.origin_id != wanted:
            return gone
        if action == "import" and shown.status != DRAFT:
            return outcomes.skipped(number, action, dry_run,
                                    f"Contract {number} is already in Procore (prime contract {shown.prime_contract_id}); "
                                    "use Re-Import to bring its changes.", kind="blocked")
        return shown, lines_of_shown(client, project.project_id, shown)
    if action == "import" and not dry_run:
        return None, []  # the create is the live check: Procore's origin id is unique
    # A dry run sends no create, so it looks for what the create would meet (one request): a
    # Draft left by a cut-off import is finished, anything else stops the real run.
    try:
        live = [pc for pc in client.prime_contracts(project.project_id) if pc.origin_id == wanted]
    except PermissionDenied:
        if action != "import":
            raise
        return None, []  # the permission check that follows names what is missing, as in the real run
    if action == "import":
        if not live:
            return None, []
        if live[0].status != DRAFT:
            return outcomes.skipped(number, action, dry_run,
                                    f"Contract {number} is already in Procore (prime contract {live[0].prime_contract_id}); "
                                    "use Re-Import to bring its changes.", kind="blocked")
    if len(live) > 1:
        return outcomes.skipped(number, action, dry_run,
                                f"Procore holds contract {number} {len(live)} times in project "
                                f"'{project.name}' (prime contracts "
                                f"{', '.join(str(pc.prime_contract_id) for pc in live)}); delete the extras.",
                                kind="blocked")
    if not live:
        return gone
    return live[0], client.line_items(project.project_id, live[0].prime_contract_id)


def lines_of_shown(client: ProcoreApi, project_id: int, shown: PrimeContract) -> list[LineItem]:
    """The lines inside a shown contract, when their total proves they are all there;
    otherwise the line list (a server that pages or trims them costs one more request)."""
    lines = shown.line_items
    total = shown.line_items_total if shown.line_items_total is not None else shown.grand_total
    if lines is not None and total is not None and to_cents(total) == lines_total(lines):
        return list(lines)
    return client.line_items(project_id, shown.prime_contract_id)
