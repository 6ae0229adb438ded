"""The engine's state and its reading half: refresh, classification and what the window and
the CLI ask about the last refresh (status, diff, job links, Procore projects).

`refresh` reads Sage and Procore and classifies every contract; an unchanged contract with
unchanged facts keeps its earlier status (no line is diffed again). SyncEngine (sync_engine.py)
adds the writes on top of this class: imports, re-imports, linking and unlinking jobs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial

from sage_sync_desktop.errors import SageError, SageSyncError
from sage_sync_desktop.procore.permissions import AccessLevel
from sage_sync_desktop.sage.records import SageCompany, SageContract
from sage_sync_desktop.sync import cost_code_match, origin_ids, request_budget, run_recovery
from sage_sync_desktop.sync.eligibility import ERP_REQUIRE, ContractFacts, classify, no_erp_tool_note
from sage_sync_desktop.sync.engine_protocols import ProcoreApi, SageSource
from sage_sync_desktop.sync.history import HistoryStore
from sage_sync_desktop.sync.job_links import job_statuses, project_statuses
from sage_sync_desktop.sync.line_item_diff import compute_diff
from sage_sync_desktop.sync.line_values import LineValues
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from sage_sync_desktop.sync.procore_snapshot import ProcoreView, read_procore
from sage_sync_desktop.sync.records import (
    CompanySnapshot,
    ContractDiff,
    ContractStatus,
    JobLinkStatus,
    ProcoreUser,
    ProjectLinkStatus,
)
from sage_sync_desktop.sync.refresh_reads import read_sage_and_procore
from sage_sync_desktop.sync.writer_lock import WriterLock

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


class EngineRefresh:
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
        return next((c.name for c in companies if c.company_id == self.client.company_id), "")

    def _user(self) -> ProcoreUser:
        assert self._view is not None
        me = self._view.user
        return ProcoreUser(
            user_id=me.user_id, login=me.login, name=me.name,
            company_id=int(self.client.company_id or 0), company_name=self._company_name or "",
            erp_integrations=self._view.erp_access, erp_tool_present=self._view.erp_tool_present,
            erp_tool_note="" if self._view.erp_tool_present else no_erp_tool_note(self.erp_rule),
        )

    def _facts(self, contract: SageContract, known: dict[str, dict[str, list[LineValues]]] | None = None,
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
        return project_statuses(self._company, self.client.projects()), problem

    # ------------------------------------------------------------------ shared with the writes

    def _procore_login(self) -> str:
        """Who is signed in to Procore, for the history (one request when not refreshed yet)."""
        if self._view is not None:
            return self._view.user.label
        if self._login is None:
            self._login = self.client.me().label
        return self._login

    def _recover_dead_runs(self, snapshot: CompanySnapshot, about_to_write: set[str]) -> None:
        """Say in the history which earlier runs died unfinished, and how their contracts stand."""
        try:
            run_recovery.recover(self.history, snapshot, about_to_write=about_to_write,
                                 windows_user=self.windows_user, procore_user=self._procore_login())
        except SageSyncError:
            logger.exception("Could not record the runs that did not finish")



def _keys_by_number(company: SageCompany) -> dict[str, tuple[str, ...]]:
    keys: dict[str, list[str]] = {}
    for contract in company.contracts:
        keys.setdefault(contract.number, []).append(contract.key)
    return {number: tuple(found) for number, found in keys.items()}
