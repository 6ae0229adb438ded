"""The sync engine: the one place that decides what happens. The window and the CLI only ask.

`refresh` (engine_refresh.py) reads Sage and Procore and classifies every contract. Imports and
re-imports then work per contract on data read live right before writing (the contract and its
lines, the user's permissions), never on the refresh's copy alone: the permission rules are the
engine's own, and a contract changed or deleted in Procore since the refresh is seen. One
contract that fails never stops the others; losing Procore or the sign-in stops the batch (every
remaining contract is reported as not attempted). Each contract's retries are watched on the
client's stats (per thread) and end up in its closing history entry; a write run first records
any earlier run that died before finishing (run_recovery.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import partial

from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.procore.errors import ProcoreUnreachable, SignInRequired
from sage_sync_desktop.procore.permissions import AccessLevel
from sage_sync_desktop.procore.records import LineItem, PrimeContract, ProcoreProject
from sage_sync_desktop.sync import cost_code_match, outcomes, request_budget, sov_lock
from sage_sync_desktop.sync.contract_writer import ContractWriter, WriteEffects, count_lines
from sage_sync_desktop.sync.eligibility import (
    DATA_RULES,
    ERP_SKIP_WHEN_ABSENT,
    PRIME_CONTRACTS_TOOL,
    ContractFacts,
    classify,
    permission_reasons,
)
from sage_sync_desktop.sync.engine_refresh import EngineRefresh, Progress
from sage_sync_desktop.sync.history import NewEntry
from sage_sync_desktop.sync.job_links import JobLinker, LinkRefused
from sage_sync_desktop.sync.live_contract import live_contract
from sage_sync_desktop.sync.procore_snapshot import complete_view, erp_standing, job_projects
from sage_sync_desktop.sync.records import ContractOutcome, ContractStatus, JobLinkStatus
from sage_sync_desktop.sync.run_recovery import RunLog
from sage_sync_desktop.sync.write_plan import plan_write

__all__ = ["Progress", "SyncEngine"]

logger = logging.getLogger(__name__)

# Errors that no other contract would survive either.
_BATCH_STOPPERS = (SignInRequired, ProcoreUnreachable)
_PROGRESS_VERBS = {"import": "Adding", "reimport": "Re-importing"}


@dataclass
class _BatchAccess:
    """The permissions read live during one batch, each read once (see _live_access)."""
    levels: dict[tuple[str, int | None], AccessLevel] = field(default_factory=dict)
    erp: tuple[bool, AccessLevel] | None = None  # erp_standing(): (company has the tool, level)


class SyncEngine(EngineRefresh):
    """Refresh (from EngineRefresh), then import, re-import, link and unlink jobs."""

    # ------------------------------------------------------------------ jobs

    def _linker(self) -> JobLinker:
        return JobLinker(self.client, self.history, windows_user=self.windows_user,
                         procore_user=self._procore_login())

    def link_job(self, job_number: str, project_id: int) -> JobLinkStatus | None:
        """The job's new status, or None before the first Refresh (nothing to classify yet)."""
        company = self._company or self.reader.read_company()
        job = company.job(job_number)
        if job is None:
            raise LinkRefused(f"Job {job_number.strip()} does not exist in Sage.",
                              fix="Check the job number (jobs lists them all).")
        with self.writer_lock.held(f"link-job {job_number.strip()}"):
            project = self._linker().link(job, int(project_id))
        self._company = company
        self._update_projects([project])
        return self._job_status(job.number)

    def unlink_job(self, job_number: str) -> JobLinkStatus | None:
        with self.writer_lock.held(f"unlink-job {job_number.strip()}"):
            cleared = self._linker().unlink(job_number)
        self._update_projects(cleared)
        return self._job_status(job_number.strip())

    def _update_projects(self, changed: list[ProcoreProject]) -> None:
        if self._view is None or self._company is None:
            return
        by_id = {project.project_id: project for project in changed}
        projects = tuple(by_id.get(p.project_id, p) for p in self._view.projects)
        view = replace(self._view, projects=projects, job_projects=job_projects(projects))
        self._view = complete_view(self.client, self.cache, view, known_access=self._project_access)
        self._snapshot = self._classify()

    def _job_status(self, job_number: str) -> JobLinkStatus | None:
        if self._snapshot is None:
            return None
        return next((j for j in self._snapshot.jobs if j.job.number == job_number), None)

    # ------------------------------------------------------------------ writing

    def import_contracts(self, numbers: Iterable[str], *, dry_run: bool = False,
                         progress: Progress | None = None,
                         cancel: threading.Event | None = None) -> list[ContractOutcome]:
        return self._write_all("import", numbers, dry_run=dry_run, overwrite=False,
                               progress=progress, cancel=cancel)

    def reimport_contracts(self, numbers: Iterable[str], *, dry_run: bool = False,
                           overwrite_procore_edits: bool = False, progress: Progress | None = None,
                           cancel: threading.Event | None = None) -> list[ContractOutcome]:
        return self._write_all("reimport", numbers, dry_run=dry_run, overwrite=overwrite_procore_edits,
                               progress=progress, cancel=cancel)

    def _write_all(self, action: str, numbers: Iterable[str], *, dry_run: bool, overwrite: bool,
                   progress: Progress | None, cancel: threading.Event | None) -> list[ContractOutcome]:
        if dry_run:  # sends nothing, writes no history: no need to wait for another writer
            return self._write_locked(action, numbers, dry_run=True, overwrite=overwrite, progress=progress,
                                      cancel=cancel)
        wanted = [n.strip() for n in numbers]
        with self.writer_lock.held(f"{action} of {len(wanted)} contract(s)", cancel=cancel,
                                   on_wait=partial(progress, 0) if progress is not None else None), \
                self._countdowns(progress) as progress:
            return self._write_locked(action, wanted, dry_run=False, overwrite=overwrite, progress=progress,
                                      cancel=cancel)

    def _write_locked(self, action: str, numbers: Iterable[str], *, dry_run: bool, overwrite: bool,
                      progress: Progress | None, cancel: threading.Event | None) -> list[ContractOutcome]:
        wanted = [n.strip() for n in numbers]
        snapshot = self._require_snapshot(None, cancel)
        self.budget_notices = []
        if not dry_run:
            self._recover_dead_runs(snapshot, set(wanted))
            found = [s for s in map(snapshot.status, wanted) if s is not None and not s.reasons]
            self._check_budget("import" if action == "import" else "re-import",
                               request_budget.batch_requests(action, found), progress)
        access = _BatchAccess()
        book = cost_code_match.CostCodeBook(self.client) if self.cost_codes == cost_code_match.MATCH else None
        results: list[ContractOutcome] = []
        verb = _PROGRESS_VERBS.get(action, action.capitalize())
        for index, number in enumerate(wanted):
            if progress is not None:
                progress(100 * index // max(len(wanted), 1),
                         f"{verb} contract {number} ({index + 1} of {len(wanted)})")
            # Cancel is looked at here only, between contracts: the contract in hand is always
            # finished (header, lines, approval), so Procore never keeps a half-written one.
            if cancel is not None and cancel.is_set():
                results += [outcomes.skipped(n, action, dry_run, "Cancelled before it started; nothing was sent.",
                                      cancelled=True) for n in wanted[index:]]
                break
            stopped_by: SageSyncError | None = None
            # Only this thread's requests are watched: the window may share the client.
            with self.client.stats.watch() as watch:
                run_log = RunLog(watch)
                try:
                    outcome = self._write_one(action, number, dry_run=dry_run, overwrite=overwrite,
                                              access=access, run_log=run_log, book=book)
                except _BATCH_STOPPERS as exc:
                    outcome = outcomes.failed(number, action, dry_run, exc, kind=outcomes.error_kind(exc))
                    self._record_failure(action, number, exc, run_log)
                    stopped_by = exc
                except SageSyncError as exc:
                    outcome = outcomes.failed(number, action, dry_run, exc, kind="procore")
                    self._record_failure(action, number, exc, run_log)
                except Exception as exc:  # one bad contract must never stop the others
                    logger.exception("Unexpected error during %s of contract %s", action, number)
                    outcome = outcomes.failed(number, action, dry_run,
                                      SageSyncError(f"Unexpected error: {type(exc).__name__}: {exc}"), kind="error")
                    self._record_failure(action, number, exc, run_log)
            results.append(outcome)
            if stopped_by is not None:
                results += [outcomes.skipped(n, action, dry_run, f"Not attempted: {stopped_by.message}",
                                             kind=outcome.error_kind) for n in wanted[index + 1:]]
                break
            logger.info("%s %s: %s", action, number, outcome.message)
            if outcome.error_kind in ("unreachable", "sign_in"):
                results += [outcomes.skipped(n, action, dry_run, "Not attempted: Procore could not be reached "
                                      "or needs a new sign-in.", kind=outcome.error_kind)
                             for n in wanted[index + 1:]]
                break
        if progress is not None:
            progress(100, f"{sum(o.ok for o in results)} of {len(results)} contracts done")
        return results

    def _record_failure(self, action: str, number: str, exc: Exception, run_log: RunLog) -> None:
        try:
            self.history.append(
                NewEntry(action=action, phase="failed", outcome="failed", contract=number,
                         message=getattr(exc, "message", str(exc)), procore_error=getattr(exc, "detail", ""),
                         data=run_log.closing_data()),
                windows_user=self.windows_user, procore_user=self._procore_login(),
            )
        except SageSyncError:
            logger.exception("Could not record the failure of %s in the history", number)

    def _live_access(self, access: _BatchAccess, tool: str, project_id: int | None) -> AccessLevel:
        """The level read live once per batch (company) or per project in the batch; a project's
        level is also remembered for the next refreshes while the app runs."""
        key = (tool, project_id)
        if key not in access.levels:
            access.levels[key] = self.client.access_level(tool, project_id=project_id)
            if tool == PRIME_CONTRACTS_TOOL and project_id is not None:
                self._project_access[project_id] = access.levels[key]
        return access.levels[key]

    def _write_one(self, action: str, number: str, *, dry_run: bool, overwrite: bool,
                   access: _BatchAccess, run_log: RunLog,
                   book: cost_code_match.CostCodeBook | None = None) -> ContractOutcome:
        assert self._snapshot is not None
        status = self._snapshot.status(number)
        if status is None:
            return outcomes.skipped(number, action, dry_run, f"Contract {number} is not in Sage (as of the last refresh).")
        blocking = tuple(r for r in status.reasons if r.code in DATA_RULES)
        if blocking:
            return outcomes.blocked(number, action, dry_run, blocking)
        contract, project = status.contract, status.project
        assert project is not None  # a contract without a linked project is blocked above
        live = live_contract(self.client, action, status, dry_run)
        if isinstance(live, ContractOutcome):
            return live
        home, lines = live
        in_procore = action == "reimport"
        if access.erp is None:
            access.erp = erp_standing(self.client)
        erp_present, erp_level = access.erp
        facts = ContractFacts(
            job_exists=True, linked_project=project, erp_access=erp_level, erp_tool_present=erp_present,
            erp_rule=self.erp_rule,
            prime_contracts_access=self._live_access(access, PRIME_CONTRACTS_TOOL, project.project_id),
        )
        denied = tuple(permission_reasons(contract, facts, in_procore=in_procore))
        if denied:
            return outcomes.blocked(number, action, dry_run, denied)
        # Each history entry of this write says the ERP rule was skipped, and why.
        erp_note = {} if erp_present or self.erp_rule != ERP_SKIP_WHEN_ABSENT else {"erp_integrations_rule": (
            "skipped: the company has no ERP Integrations tool; Admin on the project's Prime Contracts "
            "tool allowed the write (sync.erp_integrations_rule = skip_when_absent)")}
        plan = plan_write(contract, project, home, lines,
                          known_values=self.history.known_line_values(contract.number),
                          overwrite_procore_edits=overwrite, cost_codes=book)
        if plan.is_empty:
            kept = f"; {count_lines(len(plan.kept))} edited in Procore kept" if plan.kept else ""
            hint = (" (to replace them with Sage's values: Overwrite Procore Edits in the window, "
                    "--overwrite-procore-edits on the command line)") if plan.kept else ""
            return ContractOutcome(number, action, True, f"Contract {number}: nothing new to send{kept}{hint}.",
                                   dry_run=dry_run, prime_contract_id=plan.prime_contract_id,
                                   project_id=project.project_id)
        knowledge = sov_lock.SovKnowledge(self.cache)
        if dry_run:
            requests = tuple(r.as_dict() for r in plan.requests())
            planned = ContractOutcome(number, action, True, outcomes.dry_run_message(number, plan, len(requests)),
                                      dry_run=True, requests=requests, prime_contract_id=plan.prime_contract_id,
                                      project_id=project.project_id,
                                      details=(*(f"Item {line.item_number}: kept (edited in Procore)"
                                                 for line in plan.kept),
                                               *(plan.cost_codes.notes() if plan.cost_codes else ())))
            return sov_lock.check_dry_run(planned, home, plan, project, knowledge)
        writer = ContractWriter(self.client, self.history, windows_user=self.windows_user,
                                procore_user=self._procore_login(), run_log=run_log, extra_data=erp_note)
        outcome = writer.execute(plan, action=action)
        sov_lock.learn(knowledge, home, plan, project, writer.effects)
        return self._after_write(outcome, status, home, lines, writer.effects)

    def _after_write(self, outcome: ContractOutcome, status: ContractStatus, home: PrimeContract | None,
                     lines_before: list[LineItem], effects: WriteEffects) -> ContractOutcome:
        """Show the contract as Procore answered the writes, without reading it back; the next
        refresh re-reads its lines (the cached copy is dropped)."""
        header = effects.header or home
        if self._view is None or self._snapshot is None or header is None or status.project is None:
            return outcome
        pc_id, project_id = header.prime_contract_id, status.project.project_id
        lines = effects.lines_after(lines_before)
        self.cache.forget(pc_id)
        contracts = [pc for pc in self._view.prime_contracts.get(project_id, ()) if pc.prime_contract_id != pc_id]
        self._view = replace(self._view, prime_contracts={**self._view.prime_contracts,
                                                          project_id: (*contracts, header.without_lines())},
                             lines={**self._view.lines, pc_id: tuple(lines)})
        self._snapshot = replace(self._snapshot, statuses=tuple(
            classify(s.contract, self._facts(s.contract)) if s.contract is status.contract else s
            for s in self._snapshot.statuses))
        now = self._snapshot.status(status.number)
        if now is not None and outcome.ok and now.diff is not None and now.diff.has_changes:
            counts = now.diff.counts
            note = (f"Procore still differs from Sage: {counts.added} added, {counts.changed} changed, "
                    f"{counts.removed} removed (kept edits or refused lines).")
            outcome = replace(outcome, details=(*outcome.details, note))
        return outcome
