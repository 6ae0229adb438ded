"""The benchmark's large company: a Sage-shaped database and a Procore sandbox state in which
half of the contracts are already imported (some of them with changes waiting in Sage).
Its Sage file is written by the demo's generator and changed through the sample editor.

The imported contracts are placed straight into the sandbox's state with its seeding API
(1,500 imports over HTTP would only measure the set-up), carrying exactly the header and lines
an import writes: both come from the engine's own write plan. Afterwards the bench changes a
few items in its own generated Sage file, so those contracts show "changes ready".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

from sage_sync_desktop.sage.odbc_connection import connect_sqlite_file
from sage_sync_desktop.sage.records import SageCompany, SageContract
from sage_sync_desktop.sage.sage_reader import SageReader
from sage_sync_desktop.demo.sample_company import SampleCompanyInfo, generate_sample_company, pad
from sage_sync_desktop.sage.table_mapping import TableMapping
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.sync import contract_payload
from sage_sync_desktop.demo.demo_setup import sandbox_seed
from sage_sync_desktop.demo.sample_editor import SampleEditor
from sage_sync_desktop.sync.records import ProjectRef
from sage_sync_desktop.sync.write_plan import plan_write

logger = logging.getLogger(__name__)

NAMING = "legacy"
# The contract whose 500 lines the re-import measurement changes.
BIG_CONTRACT = "9000000"
BIG_CONTRACT_LINES = 500
# Every this-many-th imported contract gets changes in Sage after the import.
PENDING_EVERY = 10


@dataclass(frozen=True)
class BenchSize:
    contracts: int = 3000
    items_per_contract: int = 50
    jobs: int = 500

    @property
    def items(self) -> int:
        return self.contracts * self.items_per_contract


@dataclass(frozen=True)
class BenchCompany:
    sage_db: Path
    sandbox_state: Path
    info: SampleCompanyInfo
    imported: tuple[str, ...]  # contract numbers already in Procore
    pending: tuple[str, ...]  # of those, the ones changed in Sage since
    projects: dict[str, int]  # linked job number -> Procore project id
    item_count: int  # every contract item, the big contract included

    @property
    def connection_string(self) -> str:
        """The real ODBC path: unixODBC (or Windows) + the SQLite ODBC driver."""
        return f"DRIVER={{SQLite3}};Database={self.sage_db}"


def build_company(root: Path, size: BenchSize, *, seed: int = 1) -> BenchCompany:
    """Write the Sage file and the seeded sandbox state under `root`."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    sage_db = root / "sage-company.db"
    info = generate_sample_company(sage_db, seed=seed, contracts=size.contracts,
                                   items_per_contract=size.items_per_contract, jobs=size.jobs,
                                   naming=NAMING)
    mapping = TableMapping.preset(NAMING)
    add_big_contract(sage_db, job=info.linked_jobs[0])
    company = SageReader(partial(connect_sqlite_file, sage_db), mapping).read_company()
    # The demo's seed: one project per linkable job, already linked (origin id = the job's),
    # "Always Editable Schedule of Values" on (re-imports need it), the sample's units.
    seed = sandbox_seed(info, unlinked=False)
    projects = {p["project_number"]: p["id"] for p in seed["projects"] if p["project_number"] in info.linked_jobs}
    imported = _choose_imported(company, info, projects)
    state = root / "sandbox-state.sqlite3"
    state.unlink(missing_ok=True)
    _seed_sandbox(state, company, seed, projects, imported)
    pending = tuple(number for number in imported[::PENDING_EVERY] if number != BIG_CONTRACT)
    SampleEditor(sage_db, NAMING).revise_items([company.contract(number) for number in pending])
    return BenchCompany(sage_db=sage_db, sandbox_state=state, info=info, imported=imported,
                        pending=pending, projects=projects,
                        item_count=info.item_count + BIG_CONTRACT_LINES)


def add_big_contract(sage_db: Path, *, job: str) -> None:
    """One approved contract with BIG_CONTRACT_LINES items, in the benchmark's own Sage file."""
    editor = SampleEditor(sage_db, NAMING)
    key = pad(BIG_CONTRACT)
    contract = {"id": key, "job": pad(job), "description": "Benchmark 500-line contract",
                "customer": editor.job_customer(pad(job)), "status": "Open", "approval_date": "2024-02-01",
                "contract_date": "2024-01-15", "retainage_percent": 10.0}
    items = []
    for n in range(1, BIG_CONTRACT_LINES + 1):
        amount = Decimal(1000 + 37 * n).quantize(Decimal("0.01"))
        items.append({"contract": key, "item": pad(str(n)), "description": f"Schedule line {n}",
                      "amount": str(amount), "quantity": "1", "unit_price": str(amount), "unit": "LS",
                      "cost_code": "01-000", "category": "O", "job": pad(job), "status": "Approved",
                      "approval_date": "2024-02-01"})
    editor.add_rows({"contract": [contract], "contract_item": items})


def _choose_imported(company: SageCompany, info: SampleCompanyInfo,
                     projects: dict[str, int]) -> tuple[str, ...]:
    """Every other importable contract (approved, on a linked job, clean), plus the big one."""
    unapproved = set(info.unapproved_contracts)
    candidates = [c.number for c in company.contracts
                  if c.number not in unapproved and c.job_number in projects and not c.problems
                  and c.number != BIG_CONTRACT]
    wanted = max(0, len(company.contracts) // 2 - 1)
    # Spread over every project: every other candidate first, the rest only to reach half.
    chosen = (candidates[::2] + candidates[1::2])[:wanted]
    return (*sorted(chosen), BIG_CONTRACT)


def _seed_sandbox(state: Path, company: SageCompany, seed: dict, projects: dict[str, int],
                  imported: tuple[str, ...]) -> None:
    placed = []
    for number in imported:
        contract = company.contract(number)
        assert contract is not None
        project = ProjectRef(projects[contract.job_number], contract.job_number or "", contract.job_number or "")
        placed.append(_as_imported(contract, project))
    sandbox = ProcoreSandbox(state_path=state, seed=seed)
    sandbox.start()
    try:
        with sandbox.state.transaction():
            sandbox.place({"prime_contracts": placed})
    finally:
        sandbox.stop()
    logger.info("Seeded the sandbox: %d projects, %d prime contracts already imported",
                len(projects), len(placed))


def _as_imported(contract: SageContract, project: ProjectRef) -> dict:
    """The prime contract as an import leaves it: the engine's create body, approved, its lines."""
    plan = plan_write(contract, project, None, [])
    fields = {**contract_payload.create_fields(contract), **contract_payload.approve_fields()}
    return {"project_id": project.project_id, **fields, "line_items": list(plan.upserts)}

