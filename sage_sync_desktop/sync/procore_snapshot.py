"""Read what the sync needs from Procore in as few requests as the API allows, and count them.

A routine refresh (P projects, P_L of them linked to a Sage job, C_L of our prime contracts in
linked projects, L lines):
- `me`, the company permissions (ERP Integrations) and units of measure: 3 requests;
- every visible project: ceil(P / 300) requests (a project's origin id is its link to a job);
- the prime contracts of each **linked** project: P_L requests (one per 1000 contracts);
- the lines of our prime contracts in linked projects: ceil(lines / 1000) per contract, but only
  for contracts whose `updated_at` (or total) moved since the cached read; an unchanged
  company's refresh reads no lines at all.
No per-project permission is read: the Prime Contracts level of a project is read live right
before a contract in it is written (engine), and remembered while the app runs (`known_access`)
so the next refreshes grey what the user may not write.

Copies of our contracts in **unlinked** projects are therefore not seen by a routine refresh.
A full refresh (`full=True`) lists the prime contracts of every project (P requests instead of
P_L), so "on two projects" sees every copy in the company, re-reads every line list and the
Prime Contracts permission of every linked project (P_L more).

A project whose prime contracts Procore will not list (403, 404, a 5xx that outlasts the
retries), or a contract whose lines it will not list, does not stop the refresh: the view keeps
why (`project_problems`, `line_problems`) and only that project's or contract's contracts are
blocked with it (procore_read_problems.py).

Projects and contract lists are always read whole rather than with `filters[updated_at]`: at
these page sizes the filter would not save a single request, and a whole list also shows what
was deleted in Procore (a duplicate contract removed to fix "on two projects" is seen at once).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import UTC, datetime
from decimal import Decimal

from sage_sync_desktop.errors import CancelledError, ProcoreError
from sage_sync_desktop.procore.permissions import AccessLevel
from sage_sync_desktop.procore.records import LineItem, PrimeContract, ProcoreProject, SignedInUser
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.eligibility import ERP_TOOL, PRIME_CONTRACTS_TOOL, ProcoreHolder
from sage_sync_desktop.sync.line_values import lines_total
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from sage_sync_desktop.sync.procore_read_problems import PER_ITEM_ERRORS, unreadable_lines, unreadable_project
from sage_sync_desktop.sync.records import ProjectRef, Reason
from sage_sync_desktop.sync.engine_protocols import ProcoreApi

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class ProcoreView:
    """Procore as the sync sees it after one refresh."""

    user: SignedInUser
    erp_access: AccessLevel
    projects: tuple[ProcoreProject, ...]
    prime_contracts: dict[int, tuple[PrimeContract, ...]]  # by project id, listed projects only
    lines: dict[int, tuple[LineItem, ...]]  # by prime contract id (ours, linked projects)
    prime_contracts_access: dict[int, AccessLevel]  # by project id
    read_at: datetime
    requests: int = 0
    contracts_read: int = 0  # contracts whose lines came from Procore rather than the cache
    job_projects: dict[str, tuple[ProjectRef, ...]] = field(default_factory=dict)
    uoms: frozenset[str] | None = None  # the company's units of measure, None when unreadable
    full: bool = False  # every project's contracts listed (a full refresh), not only linked ones
    project_problems: dict[int, Reason] = field(default_factory=dict)  # by project id
    erp_tool_present: bool = True  # False: the company has no ERP Integrations tool at all
    line_problems: dict[int, Reason] = field(default_factory=dict)  # by prime contract id

    def project(self, project_id: int) -> ProcoreProject | None:
        return next((p for p in self.projects if p.project_id == project_id), None)

    @cached_property
    def _holders_by_origin(self) -> dict[str, tuple[ProcoreHolder, ...]]:
        found: dict[str, list[ProcoreHolder]] = {}
        for project in self.projects:
            for prime_contract in self.prime_contracts.get(project.project_id, ()):
                origin_id = prime_contract.origin_id
                if origin_id:
                    found.setdefault(origin_id, []).append(ProcoreHolder(project_ref(project), prime_contract))
        return {origin_id: tuple(holders) for origin_id, holders in found.items()}

    def holders(self, contract_number: str) -> tuple[ProcoreHolder, ...]:
        """Every prime contract in the company carrying this contract's origin id."""
        return self._holders_by_origin.get(origin_ids.contract_origin_id(contract_number), ())


def project_ref(project: ProcoreProject) -> ProjectRef:
    return ProjectRef(project_id=project.project_id, name=project.name, project_number=project.project_number)


def linked_job(project: ProcoreProject) -> str | None:
    """The Sage job a project is linked to, from its origin id."""
    parsed = origin_ids.try_parse(project.origin_id)
    return parsed.job if parsed is not None and parsed.kind == "job" else None


def job_projects(projects: tuple[ProcoreProject, ...]) -> dict[str, tuple[ProjectRef, ...]]:
    links: dict[str, list[ProjectRef]] = {}
    for project in projects:
        job = linked_job(project)
        if job is not None:
            links.setdefault(job, []).append(project_ref(project))
    return {job: tuple(refs) for job, refs in links.items()}


def _is_ours(prime_contract: PrimeContract) -> bool:
    parsed = origin_ids.try_parse(prime_contract.origin_id)
    return parsed is not None and parsed.kind == "contract"


# The snapshot and the cache keep each line as a LineItem (only the fields the diff, the edit
# check and the writer read): a line as the API returns it also carries nested company, project,
# holder, type and currency objects, and 75,000 of those kept whole cost ~180 MB.


def _cached_lines(cache: ProcoreCache, prime_contract: PrimeContract) -> tuple[LineItem, ...] | None:
    stamp = prime_contract.updated_at
    if not stamp:
        return None
    lines = cache.lines(prime_contract.prime_contract_id, stamp)
    if lines is None:
        return None
    # A second guard for servers that do not touch the contract when its lines change: the
    # contract's own total must still equal the cached lines' total.
    for total in (prime_contract.grand_total, prime_contract.revised_contract_amount,
                  prime_contract.original_contract_amount):
        if total is not None:
            return lines if total.quantize(Decimal("0.01")) == lines_total(lines) else None
    return lines


def read_procore(
    client: ProcoreApi,
    cache: ProcoreCache,
    *,
    known_access: dict[int, AccessLevel] | None = None,
    full: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    budget: Callable[[int], str | None] | None = None,
) -> ProcoreView:
    """One refresh of everything the sync needs; raises CancelledError between requests.

    `known_access` holds the Prime Contracts levels known so far (project id -> level); a full
    refresh reads them for every linked project and updates it in place. `budget(n)` hears how
    many more requests the refresh needs, before they are sent; a message it returns (the
    requests exceed the rate limit's budget) is shown as progress."""
    started = client.stats.total
    step = _stepper(progress, cancel)
    step(0, "Reading the Procore user and permissions")
    user = client.me()
    erp_tool_present, erp_access = erp_standing(client)
    step(4, "Reading Procore units of measure")
    uoms = _read_uoms(client)
    step(5, "Reading Procore projects")
    projects = tuple(client.projects())
    links = job_projects(projects)
    view = ProcoreView(
        user=user, erp_access=erp_access, projects=projects, prime_contracts={},
        lines={}, prime_contracts_access={}, read_at=datetime.now(UTC),
        job_projects=links, uoms=uoms, full=full, erp_tool_present=erp_tool_present,
    )
    if budget is not None:
        # The contract lists (and, in a full refresh, the linked projects' permissions); the
        # line lists are known only once the contracts are listed (complete_view).
        linked = len(_linked_ids(view))
        notice = budget((len(projects) + linked) if full else linked)
        if notice:
            step(6, notice)
    if full and known_access is not None:
        known_access.clear()
        for project_id in sorted(_linked_ids(view)):
            step(8, "Reading Prime Contracts permissions")
            try:
                known_access[project_id] = client.access_level(PRIME_CONTRACTS_TOOL, project_id=project_id)
            except PER_ITEM_ERRORS as exc:  # left unknown: the write reads it live first
                logger.warning("Permissions of project %s not readable: %s", project_id, exc)
    listed = projects if full else tuple(p for p in projects if p.project_id in _linked_ids(view))
    view = _list_contracts(client, view, listed, step)
    view = complete_view(client, cache, view, known_access=known_access, step=step, requests_before=started,
                         budget=budget)
    cache.keep_only(set(view.lines))
    step(100, "Procore read")
    logger.info("Procore %srefresh: %d requests, %d projects (%d listed), %d of our contracts, %d line lists read",
                "full " if full else "", view.requests, len(projects), len(view.prime_contracts),
                len(view.lines), view.contracts_read)
    return view


def _linked_ids(view: ProcoreView) -> set[int]:
    return {ref.project_id for refs in view.job_projects.values() for ref in refs}


def _list_contracts(client: ProcoreApi, view: ProcoreView, projects: tuple[ProcoreProject, ...],
                    step: Callable[[int, str], None]) -> ProcoreView:
    """The view with the prime contracts of `projects` listed (one request each); a project
    Procore will not list gets its reason in `project_problems` instead."""
    prime_contracts = dict(view.prime_contracts)
    problems = dict(view.project_problems)
    for index, project in enumerate(projects):
        step(10 + 40 * index // max(len(projects), 1), f"Reading prime contracts of {project.name}")
        try:
            prime_contracts[project.project_id] = tuple(client.prime_contracts(project.project_id))
        except PER_ITEM_ERRORS as exc:
            logger.warning("Prime contracts of project %s not readable: %s", project.project_id, exc)
            problems[project.project_id] = unreadable_project(client, project, exc)
            prime_contracts[project.project_id] = ()
    return replace(view, prime_contracts=prime_contracts, project_problems=problems)


def complete_view(
    client: ProcoreApi,
    cache: ProcoreCache,
    view: ProcoreView,
    *,
    known_access: dict[int, AccessLevel] | None = None,
    step: Callable[[int, str], None] | None = None,
    requests_before: int | None = None,
    budget: Callable[[int], str | None] | None = None,
) -> ProcoreView:
    """Add what is missing for linked projects: the prime contracts of a project linked since
    the read, the Prime Contracts levels known so far, and the lines of our contracts in them
    (from the cache when the contract has not changed)."""
    started = client.stats.total if requests_before is None else requests_before
    step = step or (lambda percent, message: None)
    linked_ids = _linked_ids(view)
    unlisted = tuple(p for p in view.projects if p.project_id in linked_ids - set(view.prime_contracts))
    view = _list_contracts(client, view, unlisted, step)
    ours_in_linked = [
        (project_id, pc)
        for project_id, contracts in view.prime_contracts.items()
        if project_id in linked_ids
        for pc in contracts
        if _is_ours(pc)
    ]
    access = {k: v for k, v in (known_access or {}).items() if k in linked_ids}
    lines: dict[int, tuple[LineItem, ...]] = {}
    line_problems: dict[int, Reason] = {}
    read = 0
    from_cache = {pc.prime_contract_id: _cached_lines(cache, pc) for _, pc in ours_in_linked}
    to_read = sum(1 for found in from_cache.values() if found is None)
    if budget is not None and to_read:
        notice = budget(to_read)  # known only now: on a cold cache, one line list per contract of ours
        if notice:
            step(55, notice)
    for index, (project_id, prime_contract) in enumerate(ours_in_linked):
        pc_id = prime_contract.prime_contract_id
        cached = from_cache[pc_id]
        if cached is None:
            step(55 + 45 * index // max(len(ours_in_linked), 1),
                 f"Reading lines of prime contract {prime_contract.number or pc_id}")
            try:
                cached = tuple(client.line_items(project_id, pc_id))
            except PER_ITEM_ERRORS as exc:
                logger.warning("Lines of prime contract %s not readable: %s", pc_id, exc)
                line_problems[pc_id] = unreadable_lines(view.project(project_id) or ProcoreProject(project_id, "", "", None, True),
                                                        prime_contract, exc)
                continue
            cache.store_lines(project_id, pc_id, prime_contract.updated_at, cached)
            read += 1
        lines[pc_id] = cached
    return replace(
        view,
        lines=lines,
        line_problems=line_problems,
        prime_contracts_access=access,
        requests=view.requests + client.stats.total - started,
        contracts_read=view.contracts_read + read,
    )


def erp_standing(client: ProcoreApi) -> tuple[bool, AccessLevel]:
    """(does the company have the ERP Integrations tool, the user's level on it): one request.
    A company without the tool does not list it among its tools at all."""
    levels = client.permissions()
    wanted = ERP_TOOL.lower()
    level = next((lvl for name, lvl in levels.items() if name.strip().lower() == wanted), None)
    return level is not None, level or AccessLevel.NONE


def _read_uoms(client: ProcoreApi) -> frozenset[str] | None:
    """The unit names Procore accepts on lines; None when the list cannot be read (the lines'
    own errors then name any unit Procore refuses)."""
    try:
        return frozenset(unit.name for unit in client.uoms())
    except ProcoreError as exc:
        logger.info("Units of measure not readable (%s); not checked before import", exc)
        return None


def _stepper(progress: Progress | None, cancel: threading.Event | None) -> Callable[[int, str], None]:
    def step(percent: int, message: str) -> None:
        if cancel is not None and cancel.is_set():
            raise CancelledError("Refresh cancelled; nothing was changed.")
        if progress is not None:
            progress(percent, message)

    return step
