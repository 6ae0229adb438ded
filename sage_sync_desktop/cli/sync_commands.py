"""Headless sync commands (for scripts and Windows Task Scheduler): status, diff, import,
reimport, jobs, projects, link-job, unlink-job, history.

Exit codes: 0 all asked work done; 1 some contracts blocked or failed (each reported);
2 usage or configuration error; 3 Sage or Procore unreachable or sign-in needed.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from functools import partial

from sage_sync_desktop.cli import sync_output as out
from sage_sync_desktop.cli.terminal_text import say
from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.sync import availability
from sage_sync_desktop.sync.history import HistoryStore
from sage_sync_desktop.sync.job_links import project_statuses
from sage_sync_desktop.sync.retry_record import retry_summary
from sage_sync_desktop.sync.records import ContractOutcome, ContractState
from sage_sync_desktop.sync.request_budget import BudgetNotice
from sage_sync_desktop.sync.sync_engine import SyncEngine
from sage_sync_desktop.app.wiring import build_client_from_settings, build_engine

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
VIEWS = {
    "ready": (ContractState.READY_TO_IMPORT,),
    "synced": (ContractState.SYNCED, ContractState.CHANGES_READY),
    "not-ready": (ContractState.NOT_READY,),
    "all": tuple(ContractState),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    status = subparsers.add_parser("status", help="every Sage contract with its state and what blocks it",
                                   description="Read Sage and Procore and list each contract's state "
                                   "(ready_to_import, synced, changes_ready, not_ready) and every rule "
                                   "that blocks it.")
    status.add_argument("--view", choices=tuple(VIEWS), default="all",
                        help="ready = Ready to Import; synced = Synced (with or without changes); "
                        "not-ready = Not Ready; all (default)")
    _json_and_refresh(status)
    status.set_defaults(handler=run_status)

    diff = subparsers.add_parser("diff", help="line-by-line difference of one contract, Sage against Procore")
    diff.add_argument("contract", metavar="CONTRACT")
    _json_and_refresh(diff)
    diff.set_defaults(handler=run_diff)

    imp = subparsers.add_parser("import", help="add contracts to Procore (Draft, lines, then Approved)")
    which = imp.add_mutually_exclusive_group(required=True)
    which.add_argument("contracts", nargs="*", metavar="CONTRACT", default=[])
    which.add_argument("--all-ready", action="store_true", help="every contract in Ready to Import")
    imp.add_argument("--dry-run", action="store_true", help="show exactly what would be sent; send nothing")
    _json_and_refresh(imp)
    imp.set_defaults(handler=run_import)

    re = subparsers.add_parser("reimport", help="bring Sage's new, changed and removed lines into Procore")
    which = re.add_mutually_exclusive_group(required=True)
    which.add_argument("contracts", nargs="*", metavar="CONTRACT", default=[])
    which.add_argument("--all", action="store_true",
                       help="every synced contract with changes (blocked ones are reported, exit 1)")
    re.add_argument("--dry-run", action="store_true", help="show exactly what would be sent; send nothing")
    re.add_argument("--overwrite-procore-edits", action="store_true",
                    help="also replace lines someone edited in Procore since this app wrote them")
    _json_and_refresh(re)
    re.set_defaults(handler=run_reimport)

    jobs = subparsers.add_parser("jobs", help="Sage jobs, their linked Procore projects and suggestions")
    _json_and_refresh(jobs)
    jobs.set_defaults(handler=run_jobs)

    projects = subparsers.add_parser(
        "projects", help="the company's Procore projects with their linked or suggested Sage job",
        description="Lists every Procore project of the company: id, project number, name, the Sage job "
        "linked to it, or the job `link-job JOB PROJECT_ID` would link (same project number).")
    projects.add_argument("--json", action="store_true", help="print JSON for scripts")
    projects.set_defaults(handler=run_projects)

    link = subparsers.add_parser("link-job", help="link a Sage job to a Procore project (sets its origin id)")
    link.add_argument("job", metavar="JOB")
    link.add_argument("project_id", metavar="PROJECT_ID", type=int)
    link.add_argument("--json", action="store_true", help="print the job's link as JSON (as jobs --json)")
    link.set_defaults(handler=run_link)

    unlink = subparsers.add_parser("unlink-job", help="remove a Sage job's link to its Procore project")
    unlink.add_argument("job", metavar="JOB")
    unlink.add_argument("--json", action="store_true", help="print the job's link as JSON (as jobs --json)")
    unlink.set_defaults(handler=run_unlink)

    history = subparsers.add_parser("history", help="the audit history of imports, re-imports and links")
    history.add_argument("--contract", metavar="CONTRACT", help="only this contract's entries")
    history.add_argument("--csv", metavar="FILE", help="export the entries to a CSV file")
    history.add_argument("--verify", action="store_true",
                         help="check the hash chain; exit 1 when an entry was changed, deleted or moved")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(handler=run_history)


def _json_and_refresh(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("--full-refresh", action="store_true",
                        help="re-read every contract's lines from Procore instead of using the local cache")


def _engine(context: AppContext) -> SyncEngine:
    return build_engine(context.load_settings(), context.paths, context.secrets)


def _refreshed(context: AppContext, args: argparse.Namespace) -> SyncEngine:
    engine = _engine(context)
    engine.budget_listener = partial(_say_budget, as_json=getattr(args, "json", False))
    engine.refresh(full=getattr(args, "full_refresh", False))
    return engine


def _say_budget(notice: BudgetNotice, *, as_json: bool) -> None:
    """A rate-limit notice, before the work it is about: on stderr (one JSON line with --json)."""
    out.note(json.dumps({"request_budget": notice.as_json()}) if as_json else notice.message)


def run_status(args: argparse.Namespace, context: AppContext) -> int:
    engine = _refreshed(context, args)
    states = VIEWS[args.view]
    statuses = [s for s in engine.snapshot.statuses if s.state in states]
    snap = engine.snapshot
    if args.json:
        out.write_json([out.status_json(s) for s in statuses])
        if snap.user.erp_tool_note:
            out.note(snap.user.erp_tool_note)
    else:
        out.status_text(statuses)
        out.write(f"{len(statuses)} contracts; Procore read with {snap.procore_requests} requests as "
                  f"{snap.user.login or snap.user.name}.")
        if snap.user.erp_tool_note:
            out.write(snap.user.erp_tool_note)
    return EXIT_OK


def run_diff(args: argparse.Namespace, context: AppContext) -> int:
    engine = _refreshed(context, args)
    status = engine.snapshot.status(args.contract)
    if status is None:
        raise ConfigurationError(f"Contract {args.contract.strip()} is not in Sage.",
                                 fix="Run `status` to list the contracts.")
    diff = engine.diff(status.number)
    if args.json:
        out.write_json(out.diff_json(status, diff))
    else:
        out.diff_text(status, diff)
    return EXIT_OK


def _unknown(engine: SyncEngine, numbers: Sequence[str]) -> None:
    missing = [n for n in numbers if engine.snapshot.status(n) is None]
    if missing:
        raise ConfigurationError(f"Not in Sage: {', '.join(missing)}.", fix="Run `status` to list the contracts.")


def run_import(args: argparse.Namespace, context: AppContext) -> int:
    engine = _refreshed(context, args)
    if args.all_ready:
        numbers = availability.import_candidates(engine.snapshot.statuses)
    else:
        _unknown(engine, args.contracts)
        numbers = args.contracts
    if not numbers:
        return _nothing(args, "No contract is ready to import.")
    return _report(args, engine.import_contracts(numbers, dry_run=args.dry_run))


def run_reimport(args: argparse.Namespace, context: AppContext) -> int:
    engine = _refreshed(context, args)
    if args.all:
        numbers = availability.reimport_candidates(engine.snapshot.statuses, overwrite=args.overwrite_procore_edits)
    else:
        _unknown(engine, args.contracts)
        numbers = args.contracts
    if not numbers:
        return _nothing(args, "No synced contract has changes to re-import.")
    outcomes = engine.reimport_contracts(numbers, dry_run=args.dry_run,
                                         overwrite_procore_edits=args.overwrite_procore_edits)
    return _report(args, outcomes)


def _nothing(args: argparse.Namespace, message: str) -> int:
    if args.json:
        out.write_json([])
    else:
        out.write(message)
    return EXIT_OK


def _report(args: argparse.Namespace, outcomes: list[ContractOutcome]) -> int:
    if args.json:
        out.write_json([out.outcome_json(o) for o in outcomes])
    else:
        out.outcomes_text(outcomes)
    return exit_code(outcomes)


def exit_code(outcomes: Sequence[ContractOutcome]) -> int:
    if any(o.error_kind in ("unreachable", "sign_in") for o in outcomes):
        return EXIT_UNREACHABLE
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_SOME_FAILED


def run_jobs(args: argparse.Namespace, context: AppContext) -> int:
    engine = _refreshed(context, args)
    jobs = engine.snapshot.jobs
    if args.json:
        out.write_json([out.job_json(j) for j in jobs])
        return EXIT_OK
    rows = []
    for job in jobs:
        project = f"{job.project.name} (id {job.project.project_id})" if job.project else "not linked"
        if job.also_linked:
            project += " AND " + ", ".join(f"{p.name} (id {p.project_id})" for p in job.also_linked)
        hint = ", ".join(f"{p.name} (id {p.project_id})" for p in job.suggestions)
        rows.append([job.job.number, job.job.description, project, hint])
    out.table(["Job", "Description", "Procore project", "Suggested (link-job JOB PROJECT_ID)"], rows)
    return EXIT_OK


def run_projects(args: argparse.Namespace, context: AppContext) -> int:
    settings = context.load_settings()
    if settings.sage.connection_string.strip():
        projects, problem = _engine(context).procore_projects()
        note = (f"Suggested jobs need Sage, which could not be read: {problem.message}" if problem else "")
    else:
        # Procore's side alone (an administrator looking before Sage is set up).
        if settings.procore.company_id is None:
            raise ConfigurationError("No Procore company is chosen.",
                                     fix="Sign in with `login` (it saves the company) or set procore.company_id.")
        client = build_client_from_settings(settings, context.secrets)
        try:
            projects = project_statuses(None, client.projects())
        finally:
            client.close()
        note = "Suggested jobs need the Sage connection (sage.connection_string is not set)."
    if note:
        logger.warning("%s", note, extra={"shown_to_user": True})
        say(f"note: {note}", error=True)  # may quote Sage's own error text: escaped
    if args.json:
        out.write_json([out.project_status_json(p) for p in projects])
        return EXIT_OK
    rows = []
    for p in projects:
        if p.linked_job:
            job = p.linked_job + (" (not in Sage)" if p.job_in_sage is False else "")
        else:
            job = f"other integration ({p.other_origin_id})" if p.other_origin_id else ""
        suggested = f"link-job {p.suggested_job} {p.project.project_id}" if p.suggested_job else ""
        rows.append([p.project.project_id, p.project.project_number, p.project.name + ("" if p.active else " (inactive)"),
                     job, suggested])
    out.table(["Project id", "Number", "Name", "Linked job", "Suggested"], rows)
    linked = sum(1 for p in projects if p.linked_job)
    out.write(f"{len(projects)} projects, {linked} linked to a Sage job.")
    return EXIT_OK


def run_link(args: argparse.Namespace, context: AppContext) -> int:
    # The JSON is the job's whole status (as jobs --json), which needs a Refresh first.
    engine = _refreshed(context, args) if args.json else _engine(context)
    job = engine.link_job(args.job, args.project_id)
    if args.json:
        out.write_json(out.job_json(job))
    else:
        out.write(f"Linked job {args.job.strip()} to Procore project {args.project_id}.")
    return EXIT_OK


def run_unlink(args: argparse.Namespace, context: AppContext) -> int:
    engine = _refreshed(context, args) if args.json else _engine(context)
    job = engine.unlink_job(args.job)
    if args.json:
        # None: the job is not (or no longer) in Sage; its link was still removed from Procore.
        out.write_json(out.job_json(job) if job is not None else
                       {"job": args.job.strip(), "linked": False, "project": None})
    else:
        out.write(f"Unlinked job {args.job.strip()}.")
    return EXIT_OK


def run_history(args: argparse.Namespace, context: AppContext) -> int:
    history = HistoryStore(context.paths.history_db)
    if args.verify:
        check = history.verify()
        if args.json:
            out.write_json({"ok": check.ok, "entries": check.entries, "first_bad_entry": check.first_bad_seq,
                            "problem": check.problem, "keyed": check.keyed})
        elif check.ok:
            keyed = "" if check.keyed else " (not keyed: this machine has no credential store)"
            out.write(f"History intact: {check.entries} entries, hash chain verified{keyed}.")
        else:
            out.write(f"HISTORY TAMPERED: {check.problem} (first bad entry: {check.first_bad_seq})")
        return EXIT_OK if check.ok else EXIT_SOME_FAILED
    if args.csv:
        try:
            count = history.export_csv(args.csv, contract=args.contract)
        except OSError as exc:
            raise ConfigurationError(f"Cannot write the CSV file {args.csv}: {exc.strerror or exc}.",
                                     fix="Give a file name in a folder you can write to.") from None
        out.write(f"Wrote {count} entries to {args.csv}.")
        return EXIT_OK
    entries = history.entries(args.contract)
    if args.json:
        out.write_json([out.entry_json(e) for e in entries])
        return EXIT_OK
    out.table(["#", "When (UTC)", "Action", "Phase", "Outcome", "Windows user", "Procore user", "Contract/Job",
               "Message", "Retried"],
              [[e.seq, e.at, e.action, e.phase, e.outcome, e.windows_user, e.procore_user,
                e.contract or e.job or "", out.bounded(e.message, 80), retry_summary(e.data)] for e in entries])
    return EXIT_OK
