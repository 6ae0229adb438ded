"""Synced jobs: a Sage job linked to a Procore project through the project's origin id.

The link lives in Procore (origin_id `S300:JOB:<job>`, origin_code the job number), so every
installation of the app sees the same links. Linking refuses a project that is already linked
to another job, or that carries another integration's origin id (Procore allows one
integration per object's origin id), and a job already linked elsewhere; all of it is checked
live, just before writing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.procore.records import ProcoreProject
from sage_sync_desktop.sage.records import SageCompany, SageJob
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.history import HistoryStore, NewEntry
from sage_sync_desktop.sync.procore_snapshot import ProcoreView, linked_job, project_ref
from sage_sync_desktop.sync.records import JobLinkStatus, ProjectLinkStatus, ProjectRef
from sage_sync_desktop.sync.engine_protocols import ProcoreApi

logger = logging.getLogger(__name__)


class LinkRefused(SageSyncError):
    """A link or unlink that would break another link; nothing was changed."""

    exit_code = 1


def _name(project: ProcoreProject) -> str:
    ref = project_ref(project)
    number = f" ({ref.project_number})" if ref.project_number else ""
    return f"'{ref.name}'{number}, id {ref.project_id}"


def suggestions(job: SageJob, projects: Iterable[ProcoreProject]) -> tuple[ProjectRef, ...]:
    """Free projects whose project number is the job number."""
    wanted = job.number.strip().lower()
    return tuple(
        project_ref(project)
        for project in projects
        if project.project_number.strip().lower() == wanted and not project.origin_id
    )


def job_statuses(company: SageCompany, view: ProcoreView) -> tuple[JobLinkStatus, ...]:
    statuses = []
    for job in company.jobs:
        linked = view.job_projects.get(job.number, ())
        statuses.append(
            JobLinkStatus(
                job=job,
                project=linked[0] if linked else None,
                suggestions=() if linked else suggestions(job, view.projects),
                also_linked=tuple(linked[1:]),
            )
        )
    return tuple(statuses)


def project_statuses(company: SageCompany | None,
                     projects: Iterable[ProcoreProject]) -> tuple[ProjectLinkStatus, ...]:
    """Every Procore project with its linked job, or the Sage job it would suggest (the same
    match as the Jobs view, seen from the project: a free project whose number is the number of
    a job not linked anywhere). Without the Sage company (not set up, or not readable) the links
    are still shown; suggestions and whether a linked job is in Sage are then unknown (None)."""
    projects = list(projects)
    jobs = {job.number.strip().lower(): job.number for job in company.jobs} if company is not None else {}
    linked = {job for job in (linked_job(p) for p in projects) if job is not None}
    statuses = []
    for project in projects:
        job = linked_job(project)
        origin = project.origin_id or ""
        number = project.project_number.strip().lower()
        suggested = jobs.get(number) if not origin and number else None
        statuses.append(ProjectLinkStatus(
            project=project_ref(project), active=project.active, linked_job=job,
            job_in_sage=None if company is None else (job is not None and company.job(job) is not None),
            other_origin_id=origin if origin and job is None else "",
            suggested_job=suggested if suggested is not None and suggested not in linked else None,
        ))
    return tuple(sorted(statuses, key=lambda s: (s.project.project_number, s.project.name, s.project.project_id)))


class JobLinker:
    def __init__(self, client: ProcoreApi, history: HistoryStore, *, windows_user: str,
                 procore_user: str = "") -> None:
        self.client = client
        self.history = history
        self.windows_user = windows_user
        self.procore_user = procore_user

    def _record(self, action: str, outcome: str, job: str, project_id: int | None, message: str,
                error: str = "") -> None:
        self.history.append(
            NewEntry(action=action, phase="finished" if outcome == "ok" else "failed", outcome=outcome,
                     job=job, project_id=project_id, message=message, procore_error=error),
            windows_user=self.windows_user, procore_user=self.procore_user,
        )

    def link(self, job: SageJob, project_id: int) -> ProcoreProject:
        """Link the job to the project; returns the project as Procore now holds it."""
        wanted = origin_ids.job_origin_id(job.number)
        try:
            project = self.client.project(project_id)
            current = project.origin_id
            if current == wanted:
                logger.info("Job %s is already linked to project %s", job.number, project_id)
                return project
            if current:
                other = linked_job(project)
                if other is not None:
                    raise LinkRefused(
                        f"Project {_name(project)} is already linked to Sage job {other}.",
                        fix=f"Unlink job {other} first (unlink-job {other}), or pick another project.",
                    )
                raise LinkRefused(
                    f"Project {_name(project)} already carries another integration's origin id "
                    f"({current}); Procore allows one integration per project.",
                    fix="Pick another project, or remove the other integration's link in Procore first.",
                )
            elsewhere = [p for p in self.client.projects(origin_id=wanted) if p.project_id != project_id]
            if elsewhere:
                raise LinkRefused(
                    f"Job {job.number} is already linked to project {_name(elsewhere[0])}.",
                    fix=f"Unlink job {job.number} first (unlink-job {job.number}).",
                )
            updated = self.client.set_project_origin(project_id, origin_id=wanted, origin_code=job.number)
        except SageSyncError as exc:
            self._record("link_job", "failed", job.number, project_id, exc.message, exc.detail)
            raise
        linked = _as_answered(project, updated)
        self._record("link_job", "ok", job.number, project_id,
                     f"Linked job {job.number} to project {_name(linked)}.")
        return linked

    def unlink(self, job_number: str) -> list[ProcoreProject]:
        """Clear the link from every project carrying the job's origin id; returns them."""
        job_number = job_number.strip()
        wanted = origin_ids.job_origin_id(job_number)
        cleared = []
        try:
            for project in self.client.projects(origin_id=wanted):
                if project.origin_id != wanted:
                    continue  # a server that ignores the filter
                updated = self.client.set_project_origin(project.project_id, origin_id=None, origin_code=None)
                cleared.append(_as_answered(project, updated))
                self._record("unlink_job", "ok", job_number, project.project_id,
                             f"Unlinked job {job_number} from project {_name(project)}.")
        except SageSyncError as exc:
            self._record("unlink_job", "failed", job_number, None, exc.message, exc.detail)
            raise
        if not cleared:
            raise LinkRefused(f"Job {job_number} is not linked to any Procore project.",
                              fix="Nothing to unlink; see the jobs list (jobs).")
        return cleared


def _as_answered(before: ProcoreProject, after: ProcoreProject) -> ProcoreProject:
    """The project as Procore answered the change, its name and number kept from before when
    the answer leaves them out."""
    return replace(after, name=after.name or before.name,
                   project_number=after.project_number or before.project_number)
