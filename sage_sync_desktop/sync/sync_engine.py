"""The sync engine: the one place that decides what happens. The window and the CLI only ask.

`refresh` reads Sage and Procore and classifies every contract. Imports and re-imports then
work per contract on data read live right before writing (the contract and its lines, the
user's permissions), never on the refresh's copy alone: the permission rules are the engine's
own, and a contract changed or deleted in Procore since the refresh is seen. One contract that
fails never stops the others; losing Procore or the sign-in stops the batch (every remaining
contract is reported as not attempted). Each contract's retries are watched on the client's
stats (per thread) and end up in its closing history entry; a write run first records any
earlier run that died before finishing (run_recovery.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from dataclasses import replace
from datetime import UTC, datetime

from sage_sync_desktop.errors import SageError, SageSyncError
from sage_sync_desktop.procore.errors import ProcoreUnreachable, SignInRequired
from sage_sync_desktop.procore.permissions import AccessLevel
from sage_sync_desktop.procore.records import ProcoreProject
from sage_sync_desktop.sage.records import SageCompany, SageContract
from sage_sync_desktop.sync import cost_code_match, origin_ids, outcomes, request_budget, run_recovery, sov_lock
from sage_sync_desktop.sync.contract_writer import ContractWriter, WriteEffects, count_lines
from sage_sync_desktop.sync.eligibility import (
    DATA_RULES,
    ERP_REQUIRE,
    ERP_SKIP_WHEN_ABSENT,
    PRIME_CONTRACTS_TOOL,
    ContractFacts,
    classify,
    no_erp_tool_note,
    permission_reasons,
)
from sage_sync_desktop.sync.history import HistoryStore, NewEntry
from sage_sync_desktop.sync.job_links import JobLinker, LinkRefused, job_statuses, project_statuses
from sage_sync_desktop.sync.live_contract import live_contract
from sage_sync_desktop.sync.line_item_diff import compute_diff
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from sage_sync_desktop.sync.procore_snapshot import (
    ProcoreView,
    compact_lines,
    complete_view,
    erp_standing,
    job_projects,
    read_procore,
)
from sage_sync_desktop.sync.refresh_reads import read_sage_and_procore
from sage_sync_desktop.sync.run_recovery import RunLog
from sage_sync_desktop.sync.records import (
    CompanySnapshot,
    ContractDiff,
    ContractOutcome,
    ContractStatus,
    JobLinkStatus,
    ProcoreUser,
    ProjectLinkStatus,
)
from sage_sync_desktop.sync.write_plan import plan_write
from sage_sync_desktop.sync.writer_lock import WriterLock
from sage_sync_desktop.sync.engine_protocols import ProcoreApi, SageSource

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
# Errors that no other contract would survive either.
_BATCH_STOPPERS = (SignInRequired, ProcoreUnreachable)
_PROGRESS_VERBS = {"import": "Adding", "reimport": "Re-importing"}


class SyncEngine:
    def __init__(self, reader: SageSource, client: ProcoreApi, history: HistoryStore, *, windows_user: str,
                 cache: ProcoreCache | None = None, cost_codes: str = cost_code_match.OFF,
                 lock_wait_seconds: float = 60.0, erp_rule: str = ERP_REQUIRE) -> None:
        self.reader = reader
        # One writer per data folder across processes (the CLI and the window): see writer_lock.py.
        self.writer_lock = WriterLock(history.path.parent, wait_seconds=lock_wait_seconds)
        self.cost_codes = cost_codes  # settings sync.cost_codes: "off" or "match"
        self.erp_rule = erp_rule  # settings sync.erp_integrations_rule
        self.client = client
        self.history = history
        self.windows_user = windows_user
        scope = f"{getattr(client.environment, 'api_url', '')}|{client.company_id}"
        self.cache = cache or ProcoreCache(None, scope=scope)
        self._company: SageCompany | None = None
        self._view: ProcoreView | None = None
        self._snapshot: CompanySnapshot | None = None
        self._company_name: str | None = None
        self._login: str | None = None
        # Prime Contracts level per project, as last read live (before a write, or by a full
        # refresh): kept while the app runs so a routine refresh reads no permission at all.
        self._project_access: dict[int, AccessLevel] = {}
        # Rate-limit notices of the last refresh or batch; `budget_listener` hears each at once.
        self.budget_notices: list[request_budget.BudgetNotice] = []
        self.budget_listener: Callable[[request_budget.BudgetNotice], None] | None = None
        # Each contract's inputs and status at the last classification (see _classify_one).
        self._classified: dict[str, tuple[SageContract, ContractFacts, ContractStatus]] = {}

    # ------------------------------------------------------------------ reading

    @property
    def snapshot(self) -> CompanySnapshot | None:
        return self._snapshot

    def refresh(self, *, progress: Progress | None = None, cancel: threading.Event | None = None,
                full: bool = False) -> CompanySnapshot:
        """Read Sage and Procore and classify every contract. `full` also lists the prime
        contracts of unlinked projects, ignores the line cache and re-reads the Prime Contracts
        permission of every linked project (see procore_snapshot)."""
        with self._countdowns(progress) as progress:
            return self._refresh(progress=progress, cancel=cancel, full=full)

    @contextmanager
    def _countdowns(self, progress: Progress | None) -> Iterator[Progress | None]:
        """A wait Procore asks for (over 5 s) counts down in the progress line of this job."""
        transport = getattr(self.client, "transport", None)
        if progress is None or transport is None:
            yield progress
            return
        shown = progress
        last = [0]

        def tracked(percent: int, message: str) -> None:
            last[0] = percent
            shown(percent, message)

        def countdown(left: int, why: str) -> None:
            shown(last[0], f"{why}: waiting {left} s\u2026")

        with transport.waits.reported_to(countdown):
            yield tracked

    def _refresh(self, *, progress: Progress | None, cancel: threading.Event | None,
                 full: bool) -> CompanySnapshot:
        if full:
            self.cache.keep_only(set())
        before = self.client.stats.total
        self.budget_notices = []
        company, sage_read_at, view = read_sage_and_procore(
            self.reader.read_company,
            partial(read_procore, self.client, self.cache, known_access=self._project_access, full=full,
                    budget=lambda needed: self._check_budget("refresh", needed, None)),
            progress=progress, cancel=cancel)
        if self._company_name is None:
            self._company_name = self._find_company_name()
        self._company, self._view = company, view
        self._snapshot = self._classify(sage_read_at, requests=self.client.stats.total - before)
        # Any run, not only the next write, records the runs that died or could not close their
        # history entry: the audit trail catches up as soon as the app is used again.
        self._recover_dead_runs(self._snapshot, set())
        if progress is not None:
            progress(100, f"{len(self._snapshot.statuses)} contracts read")
        return self._snapshot

    def _check_budget(self, work: str, needed: int, progress: Progress | None) -> str | None:
        """Say before the work goes on when it needs more requests than the rate limit has left:
        the progress message (also given to `progress`, when there is one), or None."""
        rate_window = getattr(getattr(self.client, "transport", None), "rate_window", None)
        notice = request_budget.check(work, needed, rate_window() if rate_window else None)
        if notice is None:
            return None
        logger.warning("%s", notice.message)
        self.budget_notices.append(notice)
        if self.budget_listener is not None:
            self.budget_listener(notice)
        message = request_budget.NOTICE_PREFIX + notice.message
        if progress is not None:
            progress(0, message)
        return message

    def _find_company_name(self) -> str:
        try:
            companies = self.client.companies()
        except SageSyncError as exc:
            logger.info("Company name not available: %s", exc)
            return ""
        return next((str(c.get("name") or "") for c in companies if c.get("id") == self.client.company_id), "")

    def _user(self) -> ProcoreUser:
        assert self._view is not None
        me = self._view.user
        return ProcoreUser(
            user_id=int(me.get("id") or 0), login=str(me.get("login") or ""), name=str(me.get("name") or ""),
            company_id=int(self.client.company_id or 0), company_name=self._company_name or "",
            erp_integrations=self._view.erp_access, erp_tool_present=self._view.erp_tool_present,
            erp_tool_note="" if self._view.erp_tool_present else no_erp_tool_note(self.erp_rule),
        )

    def _facts(self, contract: SageContract, known: dict[str, dict] | None = None,
               keys_by_number: dict[str, tuple[str, ...]] | None = None) -> ContractFacts:
        assert self._company is not None and self._view is not None
        view = self._view
        job = self._company.job(contract.job_key) if contract.job_key else None
        linked = view.job_projects.get(job.number, ()) if job is not None else ()
        try:
            holders = view.holders(contract.number)
        except origin_ids.OriginIdError:
            holders = ()
        problem = view.project_problems.get(linked[0].project_id) if linked else None
        facts = ContractFacts(
            job_exists=job is not None,
            procore_problems=(problem,) if problem is not None else (),
            linked_project=linked[0] if linked else None,
            also_linked=tuple(linked[1:]),
            holders=holders,
            erp_access=view.erp_access, erp_tool_present=view.erp_tool_present, erp_rule=self.erp_rule,
            prime_contracts_access=self._project_access.get(linked[0].project_id) if linked else None,
            known_uoms=view.uoms,
            same_number_keys=(keys_by_number or _keys_by_number(self._company)).get(contract.number, ()),
        )
        home = facts.home
        held = view.lines.get(holders[0].prime_contract_id) if home is None and holders else None
        if home is None and held is None:
            return facts
        known_values = (known.get(contract.number, {}) if known is not None
                        else self.history.known_line_values(contract.number))
        if home is None:
            return replace(facts, held_lines=held, known_values=known_values)
        unread = view.line_problems.get(home.prime_contract_id)
        return replace(facts, home_lines=view.lines.get(home.prime_contract_id, ()), known_values=known_values,
                       procore_problems=(*facts.procore_problems, *((unread,) if unread else ())))

    def _classify(self, sage_read_at: datetime | None = None, requests: int | None = None) -> CompanySnapshot:
        assert self._company is not None and self._view is not None
        previous = self._snapshot
        known = self.history.known_line_values_by_contract()
        keys = _keys_by_number(self._company)
        memo: dict[str, tuple[SageContract, ContractFacts, ContractStatus]] = {}
        statuses = tuple(self._classify_one(c, self._facts(c, known, keys), memo) for c in self._company.contracts)
        self._classified = memo
        return CompanySnapshot(
            statuses=statuses,
            jobs=job_statuses(self._company, self._view),
            user=self._user(),
            sage_read_at=sage_read_at or (previous.sage_read_at if previous else datetime.now(UTC)),
            procore_read_at=self._view.read_at,
            procore_requests=requests if requests is not None else (previous.procore_requests if previous else 0),
        )

    def _classify_one(self, contract: SageContract, facts: ContractFacts,
                      memo: dict[str, tuple[SageContract, ContractFacts, ContractStatus]]) -> ContractStatus:
        """classify() is a function of the contract and its facts alone, so when both equal the
        last refresh's the status is reused: an unchanged refresh diffs no line again."""
        earlier = self._classified.get(contract.key)
        if earlier is not None and earlier[0] == contract and earlier[1] == facts:
            status = earlier[2]
        else:
            status = classify(contract, facts)
        memo[contract.key] = (contract, facts, status)  # the current facts: old lines are let go
        return status

    def _require_snapshot(self, progress: Progress | None, cancel: threading.Event | None) -> CompanySnapshot:
        return self._snapshot or self.refresh(progress=progress, cancel=cancel)

    def status(self, contract_number: str) -> ContractStatus | None:
        return self._snapshot.status(contract_number) if self._snapshot else None

    def diff(self, contract_number: str) -> ContractDiff:
        """The line diff from the last refresh (all lines added for a contract not in Procore)."""
        snapshot = self._require_snapshot(None, None)
        status = snapshot.status(contract_number)
        if status is None:
            raise SageSyncError(f"Contract {contract_number.strip()} is not in Sage.",
                                fix="Check the contract number (status lists them all).")
        return status.diff or compute_diff(status.contract, [])

    def job_links(self) -> tuple[JobLinkStatus, ...]:
        return self._require_snapshot(None, None).jobs

    def procore_projects(self) -> tuple[tuple[ProjectLinkStatus, ...], SageError | None]:
        """The company's Procore projects with their linked or suggested Sage job: one project
        list from Procore (no contracts read) and the Sage jobs. When Sage cannot be read the
        projects are still listed (without suggestions) and the error comes back with them."""
        problem: SageError | None = None
        try:
            self._company = self._company or self.reader.read_company()
        except SageError as exc:
            problem = exc
        return project_statuses(self._company, map(ProcoreProject.from_json, self.client.projects())), problem

    # ------------------------------------------------------------------ jobs

    def _procore_login(self) -> str:
        """Who is signed in to Procore, for the history (one request when not refreshed yet)."""
        if self._view is not None:
            return str(self._view.user.get("login") or self._view.user.get("name") or "")
        if self._login is None:
            me = self.client.me()
            self._login = str(me.get("login") or me.get("name") or "")
        return self._login

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
                                   on_wait=(lambda text: progress(0, text)) if progress is not None else None), \
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
        access: dict[tuple[str, int | None], AccessLevel] = {}
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

    def _recover_dead_runs(self, snapshot: CompanySnapshot, about_to_write: set[str]) -> None:
        """Say in the history which earlier runs died unfinished, and how their contracts stand."""
        try:
            run_recovery.recover(self.history, snapshot, about_to_write=about_to_write,
                                 windows_user=self.windows_user, procore_user=self._procore_login())
        except SageSyncError:
            logger.exception("Could not record the runs that did not finish")

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

    def _live_access(self, access: dict, tool: str, project_id: int | None) -> AccessLevel:
        """The level read live once per batch (company) or per project in the batch; a project's
        level is also remembered for the next refreshes while the app runs."""
        key = (tool, project_id)
        if key not in access:
            access[key] = self.client.access_level(tool, project_id=project_id)
            if tool == PRIME_CONTRACTS_TOOL and project_id is not None:
                self._project_access[project_id] = access[key]
        return access[key]

    def _write_one(self, action: str, number: str, *, dry_run: bool, overwrite: bool,
                   access: dict, run_log: RunLog,
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
        if "erp" not in access:
            access["erp"] = erp_standing(self.client)
        erp_present, erp_level = access["erp"]
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

    def _after_write(self, outcome: ContractOutcome, status: ContractStatus, home: dict | None,
                     lines_before: list[dict], effects: WriteEffects) -> ContractOutcome:
        """Show the contract as Procore answered the writes, without reading it back; the next
        refresh re-reads its lines (the cached copy is dropped)."""
        header = effects.header or home
        if self._view is None or self._snapshot is None or header is None or status.project is None:
            return outcome
        pc_id, project_id = int(header["id"]), status.project.project_id
        lines = effects.lines_after(lines_before)
        self.cache.forget(pc_id)
        header = {k: v for k, v in header.items() if k != "line_items"}
        contracts = [pc for pc in self._view.prime_contracts.get(project_id, ()) if pc.get("id") != pc_id]
        self._view = replace(self._view, prime_contracts={**self._view.prime_contracts,
                                                          project_id: (*contracts, header)},
                             lines={**self._view.lines, pc_id: tuple(compact_lines(lines))})
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


def _keys_by_number(company: SageCompany) -> dict[str, tuple[str, ...]]:
    keys: dict[str, list[str]] = {}
    for contract in company.contracts:
        keys.setdefault(contract.number, []).append(contract.key)
    return {number: tuple(found) for number, found in keys.items()}
