"""The demo: the sample Sage company, a local Procore sandbox and settings, seeded so that every
view of the window has something to show.

Everything happens locally in about a second: the sample company is read through Python's
sqlite3 (no ODBC driver needed), the engine itself links the jobs and imports some contracts
into the sandbox (so the History tab has real entries), a PM's edits are made in Procore, and
the demo plays the Sage user on its own sample file to create changes. Only the contract "on
two projects" is placed directly, since Procore's rules and this app never allow it. Roles
(which contract shows what) are in `DemoEnvironment.roles`:

- synced: imported, nothing new (Re-Import greyed, "nothing new");
- synced_with_procore_line: imported, plus a line added by hand in Procore (never touched);
- changes_ready: imported, then Sage gained two items, changed one and lost one;
- edited_in_procore: imported, then a PM changed a line's amount in Procore (flagged);
- no_permission: imported and changed in Sage, but the signed-in user has only Standard on
  that project's Prime Contracts tool (Re-Import needs Admin);
- on_two_projects: a prime contract with its origin id sits in two linked projects;
- invalid_data: an item's unit of measure does not exist in Procore;
- awaiting_reapproval: imported, then one of its items went back to Proposed in Sage (its
  Procore line is kept, shown as awaiting re-approval);
- plus the sample's own roles: contracts with no item approved, a contract with items awaiting
  approval, a contract whose items name two jobs, a contract on a job with no project, and the
  rest ready to import.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.logging_setup import register_secret
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.procore.permissions import PRIME_CONTRACTS
from sage_sync_desktop.sage.odbc_connection import connect_sqlite_file
from sage_sync_desktop.sage.records import SageCompany, SageContract
from sage_sync_desktop.sage.sage_reader import SageReader
from sage_sync_desktop.demo.sample_company import SampleCompanyInfo, generate_sample_company
from sage_sync_desktop.sage.table_mapping import TableMapping
from sage_sync_desktop.sandbox.seed import default_seed
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.secret_store import MemorySecretStore, SecretStore
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.sync import contract_payload, origin_ids
from sage_sync_desktop.sync.line_values import line_payload
from sage_sync_desktop.demo.sample_editor import SampleEditor
from sage_sync_desktop.app.wiring import build_engine

logger = logging.getLogger(__name__)

FIRST_PROJECT_ID = 5_100_000_001
# Units a Sage company commonly uses beyond the sandbox's default list.
EXTRA_UOMS = (("SQ", "Square (100 SF)"), ("SY", "Square Yard"), ("TN", "Ton"))
UNKNOWN_UOM = "BAG"  # not in Procore's list: the demo's invalid-data contract
ROLES = ("synced", "synced_with_procore_line", "changes_ready", "edited_in_procore", "no_permission",
         "on_two_projects", "invalid_data", "awaiting_reapproval")
# Roles the demo imports through the engine before it plays the Sage user.
IMPORTED_ROLES = ("synced", "synced_with_procore_line", "changes_ready", "edited_in_procore", "no_permission",
                  "awaiting_reapproval")
# `sandbox --seed sample`: how many of the sample's jobs start linked, and which one (by position
# among the linkable jobs) keeps Procore's default of a locked schedule of values once Approved.
SAMPLE_SEED_NAME = "sample"
SAMPLE_PRELINKED_JOBS = 5
SAMPLE_LOCKED_SOV_JOB_INDEX = 2


@dataclass
class DemoEnvironment:
    root: Path
    paths: AppPaths
    settings_path: Path
    sandbox: ProcoreSandbox
    sample: SampleCompanyInfo
    roles: dict[str, str] = field(default_factory=dict)  # role -> contract number
    project_ids: dict[str, int] = field(default_factory=dict)  # job number -> project id

    def stop(self) -> None:
        self.sandbox.stop()


def read_sample(path: Path, naming: str = "legacy") -> SageCompany:
    """The sample company through Python's sqlite3 (the demo needs no ODBC driver)."""
    return SageReader(partial(connect_sqlite_file, path), TableMapping.preset(naming)).read_company()


def sandbox_seed(info: SampleCompanyInfo, *, unlinked: bool = True,
                 always_editable_sov: bool = True) -> dict[str, Any]:
    """The sandbox's default seed with one project per linkable sample job (project number = job
    number, so the Jobs tab suggests the match), and the sample's units of measure.

    unlinked=False links every project to its job already (origin id set), as the demo does.
    The projects allow editing an Approved contract's schedule of values (Procore's "Enable
    Always Editable Schedule of Values"), so re-imports work; tests turn it off where needed.
    """
    seed = default_seed()
    company_id = seed["companies"][0]["id"]
    projects = []
    for index, job in enumerate(info.linked_jobs):
        project: dict[str, Any] = {"id": FIRST_PROJECT_ID + index, "company_id": company_id,
                                   "name": info.job_descriptions.get(job, f"Job {job}"), "project_number": job,
                                   "always_editable_sov": always_editable_sov}
        if not unlinked:
            project.update(origin_id=origin_ids.job_origin_id(job), origin_code=job)
        projects.append(project)
    projects.append({"id": FIRST_PROJECT_ID + len(projects), "company_id": company_id,
                     "name": "Corporate Office Refresh (not in Sage)", "project_number": "CORP-01"})
    seed["projects"] = projects
    first = str(projects[0]["id"])
    for user in seed["users"]:
        per_project = (user.get("permissions") or {}).get("projects") or {}
        for key in [k for k in per_project if k != "*"]:
            per_project[first] = per_project.pop(key)
    seed["uoms"] = [*seed["uoms"], *({"name": n, "description": d, "category": "Other"} for n, d in EXTRA_UOMS)]
    return seed


def sample_sandbox_seed() -> dict[str, Any]:
    """The seed of `sandbox --seed sample`: a Procore company that fits the sample Sage company.

    One project per linkable sample job (project number = job number, ids from 5100000001 in job
    order), the first SAMPLE_PRELINKED_JOBS already linked and the rest left for `link-job`
    (the Jobs view suggests them), a project that is not in Sage, the units of measure the sample
    uses, and the schedule-of-values setting per project: "Enable Always Editable Schedule of
    Values" on everywhere except one linked project, which keeps Procore's default (an Approved
    contract's lines are locked there).
    """
    with tempfile.TemporaryDirectory() as folder:
        info = generate_sample_company(Path(folder) / "sample.db")
    seed = sandbox_seed(info)
    prelinked = set(info.linked_jobs[:SAMPLE_PRELINKED_JOBS])
    locked = info.linked_jobs[SAMPLE_LOCKED_SOV_JOB_INDEX]
    for project in seed["projects"]:
        job = project.get("project_number")
        if job in prelinked:
            project.update(origin_id=origin_ids.job_origin_id(job), origin_code=job)
        if job == locked:
            project["always_editable_sov"] = False
    return seed


def placed_contract(contract: SageContract, project_id: int, *, extra_lines: list[dict] | None = None,
                    status: str = contract_payload.APPROVED) -> dict[str, Any]:
    """A prime contract as an earlier import by this app would have left it in Procore."""
    fields = {**contract_payload.create_fields(contract), "status": status,
              "executed": status == contract_payload.APPROVED}
    lines = [line_payload(contract, item) for item in contract.items]
    return {"project_id": project_id, **fields, "line_items": [*lines, *(extra_lines or [])]}


def _choose_roles(company: SageCompany, info: SampleCompanyInfo) -> dict[str, SageContract]:
    """One contract per role, each on a different job, from approved contracts on linkable jobs
    (leaving the sample's awaiting-approval and several-jobs contracts to show their own state)."""
    chosen: dict[str, SageContract] = {}
    used_jobs: set[str] = set()
    candidates = [c for c in company.contracts
                  if c.approved and c.job_number in info.linked_jobs and not c.problems and len(c.items) >= 3
                  and not c.awaiting_items and len(c.jobs) == 1]
    for role in ROLES:
        pick = next((c for c in candidates if c.job_number not in used_jobs), None)
        if pick is None:
            break
        chosen[role] = pick
        used_jobs.add(pick.job_number or "")
    return chosen


def prepare_demo(root: Path, *, secrets: SecretStore | None = None) -> DemoEnvironment:
    """Sample company + running sandbox + settings under `root`; the caller calls `.stop()`.

    The sandbox's made-up client secret goes to `secrets` (the OS credential store by default;
    the window passes a MemorySecretStore so a demo leaves nothing in Credential Manager).
    """
    secrets = secrets if secrets is not None else SecretStore()
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    paths = AppPaths.under(root / "app")
    paths.ensure()
    sample_path = root / "sage-sample-company.db"
    sample_path.unlink(missing_ok=True)
    info = generate_sample_company(sample_path)
    company = read_sample(sample_path, info.naming)
    roles = _choose_roles(company, info)

    seed = sandbox_seed(info)
    project_of = {p["project_number"]: p["id"] for p in seed["projects"]}
    if "on_two_projects" in roles:
        # Procore's rules (and this app) never let this happen; the seed places it directly.
        # The copy sits in another linked project: a routine refresh lists only linked projects
        # (a copy in an unlinked one is found by a full refresh).
        contract = roles["on_two_projects"]
        other = project_of[next(job for job in info.linked_jobs if job != contract.job_number)]
        seed["prime_contracts"] = [placed_contract(contract, project_of[contract.job_number or ""]),
                                   placed_contract(contract, other)]
    sandbox = ProcoreSandbox(seed=seed).start()
    try:
        settings_path = _write_settings(paths, sandbox, sample_path, secrets)
        _link_and_import(paths, settings_path, secrets, sandbox, info, roles, project_of)
        _play_sage_user(SampleEditor(sample_path, info.naming), roles)
    except BaseException:
        sandbox.stop()
        raise
    logger.info("Demo ready under %s: sandbox %s, roles %s", root, sandbox.url,
                {role: c.number for role, c in roles.items()})
    return DemoEnvironment(root=root, paths=paths, settings_path=settings_path, sandbox=sandbox, sample=info,
                           roles={role: c.number for role, c in roles.items()},
                           project_ids={job: pid for job, pid in project_of.items() if job in info.linked_jobs})


def _link_and_import(paths: AppPaths, settings_path: Path, secrets: SecretStore, sandbox: ProcoreSandbox,
                     info: SampleCompanyInfo,
                     roles: dict[str, SageContract], project_of: dict[str, int]) -> None:
    """What an administrator would have done before: link the jobs and import some contracts,
    through the engine itself (so the History tab has real entries); then a PM's changes in
    Procore and one lost permission."""
    engine = build_engine(settings_module.load(settings_path), paths, secrets)
    try:
        for job in info.linked_jobs:
            engine.link_job(job, project_of[job])
        engine.refresh()
        wanted = [roles[r].number for r in IMPORTED_ROLES if r in roles]
        for outcome in engine.import_contracts(wanted):
            if not outcome.ok:
                raise RuntimeError(f"demo set-up: {outcome.message}")
        client = engine.client
        if "synced_with_procore_line" in roles:
            status = engine.snapshot.status(roles["synced_with_procore_line"].number)
            client.sync_line_items(status.procore.project.project_id, status.procore.prime_contract_id,
                                   [{"description": "Owner-directed allowance (added in Procore)",
                                     "amount": "15000.00"}])
        if "edited_in_procore" in roles:
            status = engine.snapshot.status(roles["edited_in_procore"].number)
            item = status.contract.items[0]
            # a PM changes an amount in Procore: the line's origin_data stays as this app wrote it
            client.sync_line_items(status.procore.project.project_id, status.procore.prime_contract_id,
                                   [{"origin_id": origin_ids.item_origin_id(status.number, item.number),
                                     "amount": f"{item.amount + Decimal('1250.00'):.2f}"}])
    finally:
        engine.client.close()
    if "no_permission" in roles:
        project_id = project_of[roles["no_permission"].job_number or ""]
        sandbox.set_permission(sandbox.service_account()["login"], PRIME_CONTRACTS, "Standard",
                               project_id=project_id)


def _play_sage_user(editor: SampleEditor, roles: dict[str, SageContract]) -> None:
    if "changes_ready" in roles:
        contract = roles["changes_ready"]
        items = [item.number for item in contract.items]
        editor.add_item(contract.number, "90", "Change Order 1 – Added Canopy", "48500.00")
        editor.add_item(contract.number, "91", "Change Order 2 – Upgraded Finishes", "12750.00")
        editor.change_item(contract.number, items[1], amount=Decimal(str(contract.items[1].amount)) + 5000)
        editor.delete_item(contract.number, items[-1])
    if "no_permission" in roles:
        contract = roles["no_permission"]
        editor.add_item(contract.number, "90", "Change Order 1 – Owner Requested Scope", "22000.00")
    if "invalid_data" in roles:
        contract = roles["invalid_data"]
        editor.change_item(contract.number, contract.items[-1].number, unit=UNKNOWN_UOM)
    if "awaiting_reapproval" in roles:
        contract = roles["awaiting_reapproval"]
        editor.unapprove_item(contract.number, contract.items[1].number)


def _write_settings(paths: AppPaths, sandbox: ProcoreSandbox, sample_path: Path, secrets: SecretStore) -> Path:
    settings = Settings().with_changes(
        sage={"connection_string": f"sqlite:///{sample_path.resolve().as_posix()}"},
        procore={"environment": environments.CUSTOM, "api_url": sandbox.url, "login_url": sandbox.login_url,
                 "company_id": sandbox.company_id, "client_id": sandbox.client_id,
                 "auth": "client_credentials", "timeout_seconds": 15},
    )
    register_secret(sandbox.client_secret)
    secrets.set(oauth.client_secret_name(environments.CUSTOM, sandbox.client_id, sandbox.url), sandbox.client_secret)
    settings_module.save(settings, paths.settings_file)
    return paths.settings_file


def start_demo(context: AppContext, stack: ExitStack) -> AppContext:
    """Prepare the demo under the context's cache folder; the context the window then opens on.
    `stack` stops the sandbox (and, for the default folders, removes the demo) on exit."""
    root = Path(tempfile.mkdtemp(prefix="demo-", dir=context.paths.cache_dir))
    if context.paths == AppPaths.default():
        # Registered first, so it runs last: the demo's company, sandbox and history go with it,
        # instead of piling up in the user's cache. With --app-dir they stay there to look at.
        stack.callback(shutil.rmtree, root, ignore_errors=True)
    logger.info("demo: sample company and local Procore sandbox under %s", root)
    # Without an OS credential store (a fresh Linux desktop, CI) the sandbox's made-up secret is
    # kept in memory; a real credential store is used as it is.
    secrets = context.secrets if context.secrets.is_usable() else MemorySecretStore()
    demo = prepare_demo(root, secrets=secrets)
    stack.callback(demo.stop)
    return AppContext(paths=demo.paths, settings_path=demo.settings_path, secrets=secrets)
