"""Send one contract's write plan to Procore, recording every step in the history.

A "started" entry (every planned line, before and after) is written before the first request
and a "finished" or "failed" entry after the last, naming each line's result: written,
deleted, rejected (with Procore's words), kept (edited in Procore), not sent, or unknown (the
connection dropped while Procore may have been processing it). Nothing half-written is left
unreported. The closing entry also says what the transport retried for this contract, and the
"started" entry names the process, so a run that died can be told from one still going.
Running the same import again finishes the job without duplicates, because the
plan is always rebuilt from what Procore holds and lines are upserted by origin id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sage_sync_desktop.errors import ProcoreError
from sage_sync_desktop.procore.errors import (
    EDITABLE_SOV_SETTING,
    ProcoreUnreachable,
    RecordLocked,
    SignInRequired,
    ValidationFailed,
    mentions_lock,
)
from sage_sync_desktop.procore.records import LineItem, LineItemSyncResult, PrimeContract
from sage_sync_desktop.sync import history as h
from sage_sync_desktop.sync.history import HistoryStore, NewEntry, line_record
from sage_sync_desktop.sync.line_values import money_text
from sage_sync_desktop.sync.records import ContractOutcome
from sage_sync_desktop.sync.run_recovery import RunLog, process_marker
from sage_sync_desktop.sync.contract_payload import DRAFT
from sage_sync_desktop.sync.write_plan import NEW_CONTRACT, PlannedRequest, WritePlan
from sage_sync_desktop.sync.engine_protocols import ProcoreApi

logger = logging.getLogger(__name__)


@dataclass
class _Run:
    plan: WritePlan
    action: str
    prime_contract_id: int | None
    results: dict[str, tuple[str, str]] = field(default_factory=dict)  # origin id -> (result, error)
    sent: list[dict[str, Any]] = field(default_factory=list)
    approved: bool = False
    header_updated: bool = False
    stop: ProcoreError | None = None
    # What Procore answered: the contract as it now is, lines it returned, lines deleted.
    header: PrimeContract | None = None
    entities: list[LineItem] = field(default_factory=list)
    deleted_ids: set[int] = field(default_factory=set)
    # True once lines were written after the last header answer (its line_items are then old).
    header_lines_stale: bool = False

    def mark(self, origin_ids: tuple[str, ...], result: str, error: str = "") -> None:
        for origin_id in origin_ids:
            self.results[origin_id] = (result, error)

    def count(self, result: str) -> int:
        return sum(1 for value, _ in self.results.values() if value == result)

    def contract_id(self, request: PlannedRequest) -> int:
        """The prime contract a request after the create goes to (a plan without an id creates
        the contract first, so it is known by then)."""
        if self.prime_contract_id is None:
            raise ValueError(f"No prime contract to send '{request.kind}' to: the contract was not created.")
        return self.prime_contract_id


class WriteEffects:
    """What a run changed in Procore, as Procore answered it: lets the engine show the contract
    as it now is without reading it back."""

    def __init__(self, run: _Run) -> None:
        self._run = run

    @property
    def header(self) -> PrimeContract | None:
        return self._run.header

    @property
    def lock_refused(self) -> bool:
        """Procore refused lines because the schedule of values is locked (as an error answer,
        or per line in a sync answer)."""
        run = self._run
        return isinstance(run.stop, RecordLocked) or any(
            result == h.REJECTED and mentions_lock(error) for result, error in run.results.values())

    @property
    def lines_changed(self) -> bool:
        return bool(self._run.count(h.WRITTEN) + self._run.count(h.DELETED))

    def lines_after(self, lines_before: list[LineItem]) -> list[LineItem]:
        """The contract's lines now: from the last header answer when it came after every line
        write, else the lines read before writing with the sync answers and deletions applied."""
        header = self._run.header
        if header is not None and not self._run.header_lines_stale and header.line_items is not None:
            return list(header.line_items)
        by_id = {line.line_item_id: line for line in lines_before if line.line_item_id not in self._run.deleted_ids}
        for entity in self._run.entities:
            by_id[entity.line_item_id] = entity
        return list(by_id.values())


class ContractWriter:
    def __init__(self, client: ProcoreApi, history: HistoryStore, *, windows_user: str, procore_user: str,
                 run_log: RunLog | None = None, extra_data: dict[str, Any] | None = None) -> None:
        self.client = client
        self.extra_data = dict(extra_data or {})  # added to every history entry's data
        self.history = history
        self.windows_user = windows_user
        self.procore_user = procore_user
        self.run_log = run_log or RunLog()

    def _record(self, entry: NewEntry) -> h.HistoryEntry:
        return self.history.append(entry, windows_user=self.windows_user, procore_user=self.procore_user)

    def _entry(self, run: _Run, phase: str, outcome: str, lines: list[dict[str, Any]], message: str = "",
               error: str = "") -> NewEntry:
        plan = run.plan
        data: dict[str, Any] = {"requests": len(run.sent), "sage_total": money_text(plan.diff.sage_total)}
        data.update(process_marker() if phase == "started" else self.run_log.closing_data())
        if plan.cost_codes is not None:
            data["cost_codes"] = plan.cost_codes.as_data()
        data.update(self.extra_data)
        return NewEntry(
            action=run.action, phase=phase, outcome=outcome, contract=plan.contract.number,
            job=plan.contract.job_number, project_id=plan.project.project_id,
            prime_contract_id=run.prime_contract_id, message=message, procore_error=error, lines=lines,
            data=data,
        )

    def _planned_lines(self, plan: WritePlan) -> list[dict[str, Any]]:
        records = [
            line_record(item["origin_id"], self._item(plan, item["origin_id"]), h.PLANNED,
                        before=plan.before.get(item["origin_id"]), after=plan.after.get(item["origin_id"]))
            for item in plan.upserts
        ]
        records += [
            line_record(line.origin_id or "", line.item_number, h.PLANNED,
                        before=plan.before.get(line.origin_id or ""))
            for line in plan.deletes
        ]
        return records

    @staticmethod
    def _item(plan: WritePlan, origin_id: str) -> str:
        line = plan.diff.line(origin_id)
        return line.item_number if line is not None else ""

    def execute(self, plan: WritePlan, *, action: str) -> ContractOutcome:
        """Send the whole plan; `self.effects` then holds what Procore answered (see WriteEffects).

        There is no Cancel in here on purpose: a contract is finished once started (header,
        lines, approval); the engine looks at Cancel only between contracts.
        """
        run = _Run(plan=plan, action=action, prime_contract_id=plan.prime_contract_id)
        self.effects = WriteEffects(run)
        requests = plan.requests()
        try:
            started = self._record(self._entry(run, "started", "started", self._planned_lines(plan),
                                               message=f"{len(requests)} requests planned"))
        except h.HistoryError as exc:
            # The "started" entry comes before the first request: here nothing was sent, truly.
            raise h.HistoryError(f"{exc.message} Nothing was sent to Procore for contract {plan.contract.number}.",
                                 fix=exc.fix) from None
        self.run_log.started(started.seq)
        for index, request in enumerate(requests):
            try:
                self._send(run, request)
            except ProcoreError as exc:
                run.stop = exc
                maybe_sent = isinstance(exc, ProcoreUnreachable) and exc.maybe_sent
                answered = _partial_answer(run, exc)
                rest = tuple(o for o in request.origin_ids if o not in answered)
                run.mark(rest, h.UNKNOWN if maybe_sent else h.NOT_SENT)
                self._mark_rest(run, requests[index + 1:])
                logger.warning("%s of contract %s stopped at %s: %s", action, plan.contract.number,
                               request.kind, exc)
                break
        for line in plan.kept:
            run.results.setdefault(line.origin_id or "", (h.KEPT, ""))
        return self._finish(run)

    @staticmethod
    def _mark_rest(run: _Run, rest: list[PlannedRequest]) -> None:
        for request in rest:
            run.mark(request.origin_ids, h.NOT_SENT)

    def _send(self, run: _Run, request: PlannedRequest) -> None:
        plan = run.plan
        project_id = plan.project.project_id
        body = request.body or {}
        if request.kind == "create":
            created = _create(self.client, plan, body["prime_contract"])
            run.prime_contract_id = created.prime_contract_id
            run.header = created
        elif request.kind in ("update", "approve"):
            if request.kind == "approve" and run.count(h.REJECTED) + run.count(h.UNKNOWN):
                # Approving locks the schedule of values; leave it Draft until every line is in.
                return
            run.header = self.client.update_prime_contract(project_id, run.contract_id(request),
                                                           body["prime_contract"])
            run.header_lines_stale = False
            run.approved = run.approved or request.kind == "approve"
            run.header_updated = run.header_updated or request.kind == "update"
        elif request.kind == "sync_lines":
            result = self.client.sync_line_items(project_id, run.contract_id(request), body["updates"])
            run.entities.extend(result.entities)
            run.header_lines_stale = True
            confirmed = {entity.origin_id for entity in result.entities}
            refused = {error.origin_id: error.text for error in result.errors}
            for origin_id in request.origin_ids:
                if origin_id in refused:
                    run.mark((origin_id,), h.REJECTED, refused[origin_id])
                else:
                    run.mark((origin_id,), h.WRITTEN if origin_id in confirmed else h.UNKNOWN)
        elif request.kind == "delete_line":
            if request.line_id is None:
                raise ValueError(f"No Procore line to delete for {request.origin_ids}.")
            self.client.delete_line_item(project_id, run.contract_id(request), request.line_id)
            run.mark(request.origin_ids, h.DELETED)
            run.deleted_ids.add(request.line_id)
            run.header_lines_stale = True
        run.sent.append(_with_id(request, run.prime_contract_id).as_dict())

    def _finish(self, run: _Run) -> ContractOutcome:
        plan = run.plan
        lines = []
        for origin_id, (line_result, error) in run.results.items():
            after = plan.after.get(origin_id) if line_result in (h.WRITTEN, h.UNKNOWN) else None
            lines.append(line_record(origin_id, self._item(plan, origin_id), line_result,
                                     before=plan.before.get(origin_id), after=after, error=error))
        problems = run.count(h.REJECTED) + run.count(h.UNKNOWN) + run.count(h.NOT_SENT)
        if run.stop is not None:
            phase, outcome = "failed", "failed"
        else:
            phase, outcome = "finished", "partial" if problems else "ok"
        result = self._outcome(run)
        error = (getattr(run.stop, "detail", "") or str(run.stop)) if run.stop is not None else ""
        rejected = "; ".join(f"{self._item(plan, o)}: {e}" for o, (r, e) in run.results.items() if r == h.REJECTED)
        try:
            self._record(self._entry(run, phase, outcome, lines, message=result.message,
                                     error=error or rejected))
        except h.HistoryError as exc:
            return _unrecorded(result, exc)
        return result

    def _outcome(self, run: _Run) -> ContractOutcome:
        plan = run.plan
        number = plan.contract.number
        written, deleted = run.count(h.WRITTEN), run.count(h.DELETED)
        rejected, unknown, not_sent = run.count(h.REJECTED), run.count(h.UNKNOWN), run.count(h.NOT_SENT)
        details = [f"Item {self._item(plan, o)}: {r}{' - ' + e if e else ''}"
                   for o, (r, e) in run.results.items() if r in (h.REJECTED, h.UNKNOWN, h.KEPT)]
        done = f"{count_lines(written)} written, {deleted} deleted"
        if plan.kept:
            done += f", {len(plan.kept)} edited in Procore kept"
        where = f"project '{plan.project.name}'"
        kind = ""
        if isinstance(run.stop, RecordLocked):
            kind = "locked"
            message = (f"Contract {number}: Procore refuses to change the schedule of values of this "
                       f"Approved contract. {done}; {count_lines(not_sent + unknown + rejected)} not written. Turn on "
                       f"'{EDITABLE_SOV_SETTING}' in {where}'s Prime Contracts settings, then Re-Import again.")
            ok = False
        elif run.stop is not None:
            kind = ("sign_in" if isinstance(run.stop, SignInRequired)
                    else "unreachable" if isinstance(run.stop, ProcoreUnreachable) else "procore")
            message = (f"Contract {number}: stopped by Procore ({run.stop.message}) {done}; "
                       f"{count_lines(not_sent)} not sent, {unknown} unconfirmed. "
                       f"{getattr(run.stop, 'fix', '') or 'Run it again to finish; nothing is duplicated.'}")
            ok = False
        elif rejected or unknown:
            kind = "rejected"
            message = (f"Contract {number}: {done}; Procore refused {count_lines(rejected)}"
                       f"{f' and did not confirm {unknown}' if unknown else ''}, so the contract was "
                       "left in Draft. See the details, correct them in Sage and run it again.")
            ok = False
        elif run.action == "import":
            message = (f"Added contract {number} to Procore {where} as prime contract "
                       f"{run.prime_contract_id}: {count_lines(written)}, total {_dollars(plan.diff.sage_total)}"
                       f"{', approved' if run.approved else ''}.")
            ok = True
        else:
            counts = plan.diff.counts
            message = (f"Re-imported contract {number} into {where}: {counts.added} added, "
                       f"{counts.changed} changed, {counts.removed} removed ({done})"
                       f"{'; header updated' if run.header_updated else ''}.")
            ok = True
        if plan.cost_codes is not None:
            details += plan.cost_codes.notes()
            if plan.cost_codes.unmatched or plan.cost_codes.read_error:
                message += " Some cost codes got no budget code (see details)."
        return ContractOutcome(
            contract_number=number, action=run.action, ok=ok, message=message, details=tuple(details),
            requests=tuple(run.sent), prime_contract_id=run.prime_contract_id,
            project_id=plan.project.project_id, error_kind=kind,
        )


def _partial_answer(run: _Run, exc: ProcoreError) -> set[str]:
    """Mark what a sync that stopped part-way answered per item (written, or refused with
    Procore's words: a locked schedule of values comes back this way); the origin ids marked."""
    partial = exc.partial
    if not isinstance(partial, LineItemSyncResult):
        return set()
    run.entities.extend(partial.entities)
    marked: set[str] = set()
    for entity in partial.entities:
        if entity.origin_id:
            run.mark((entity.origin_id,), h.WRITTEN)
            marked.add(entity.origin_id)
    for error in partial.errors:
        if error.origin_id:
            run.mark((error.origin_id,), h.REJECTED, error.text)
            marked.add(error.origin_id)
    return marked


class AlreadyInProcore(ProcoreError):
    """An import found the contract's origin id already taken in Procore: imported since the
    refresh, or held by a project the routine refresh does not list."""


def _create(client: ProcoreApi, plan: WritePlan, fields: dict[str, Any]) -> PrimeContract:
    """Create the Draft contract. A Draft with our origin id that an interrupted import left
    comes back from the client instead, and is finished; anything else stops the import."""
    number, project = plan.contract.number, plan.project
    try:
        created = client.create_prime_contract(project.project_id, fields)
    except ValidationFailed as exc:
        if "origin_id" not in exc.field_errors:
            raise
        raise AlreadyInProcore(
            f"Procore already holds contract {number} outside project '{project.name}' (its origin "
            "id is taken in the company).",
            fix="A routine Refresh lists only projects linked to a Sage job: run a Full refresh "
                "(the window's Full refresh, Shift+F5, or --full-refresh) to see where it is, then delete the extra copy.",
            detail=exc.detail,
        ) from exc
    if created.status not in ("", DRAFT):
        raise AlreadyInProcore(
            f"Contract {number} is already in Procore (prime contract {created.prime_contract_id}, "
            f"{created.status}), added since the last Refresh.",
            fix="Refresh, then use Re-Import to bring its changes.",
        )
    return created


def _unrecorded(result: ContractOutcome, exc: h.HistoryError) -> ContractOutcome:
    """Procore was written but the closing history entry was not: say exactly what was sent.

    The run's "started" entry is in the history without a closing one, so the next run of the
    app (any command, or the window's Refresh) appends a "recovered" entry for it.
    """
    logger.error("Contract %s was written to Procore but the history could not record it: %s",
                 result.contract_number, exc.message, extra={"shown_to_user": True})
    sent = ", ".join(f"{r['method']} {r['path']}" for r in result.requests) or "no request"
    message = (f"{result.message} These {len(result.requests)} requests were sent to Procore, but the history "
               f"could not record the outcome ({exc.message}); the next run of the app records it.")
    return replace(result, ok=False, message=message, details=(*result.details, f"Sent: {sent}"),
                   error_kind="history")


def _dollars(amount: Decimal) -> str:
    """Money as people read it in a message ($30,581,449.81); history data keeps money_text."""
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def count_lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"


def _with_id(request: PlannedRequest, prime_contract_id: int | None) -> PlannedRequest:
    if prime_contract_id is None or NEW_CONTRACT not in request.path:
        return request
    return PlannedRequest(request.kind, request.method, request.path.replace(NEW_CONTRACT, str(prime_contract_id)),
                          request.params, request.body, request.origin_ids, request.line_id)
