"""A batch of 50 contracts, a local Procore sandbox, and the checks every fault scenario ends
with: Procore equals Sage line for line, nothing is duplicated, Procore-only lines are untouched,
and the history tells what failed.

The Sage side is a generated company read through the real ODBC path; the engine is built from
the same parts as `sync.wiring.build_engine`, except that its HTTP transport shortens the waits
it is asked for (Retry-After, backoff) and records them, so 429 storms cost milliseconds while
the test still sees that every requested wait was honoured in full.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sage_sync_desktop.app_info import KEYRING_SERVICE
from sage_sync_desktop.secret_store import MemorySecretStore, SecretStore
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.procore.http_transport import HttpTransport
from sage_sync_desktop.app.wiring import build_client_from_settings
from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.sage.records import SageCompany
from sage_sync_desktop.sage.sage_reader import SageReader
from sage_sync_desktop.demo.sample_company import SampleCompanyInfo, generate_sample_company
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.demo.demo_setup import placed_contract, read_sample, sandbox_seed
from sage_sync_desktop.procore.request_stats import APP_CAUSES
from sage_sync_desktop.sync.history import HistoryStore
from sage_sync_desktop.sync.history_chain import key_name
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from sage_sync_desktop.demo.sample_editor import SampleEditor
from sage_sync_desktop.sync.sync_engine import SyncEngine
from tests.fixtures.file_keyring import cli_env

BATCH_SIZE = 50
CONTRACTS, ITEMS_PER_CONTRACT, JOBS = 60, 6, 10
WINDOWS_USER = "FAULTS\\tester"


class RecordedSleep:
    """Stands in for time.sleep in the transport: notes each wait asked for, sleeps 5 ms at most."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        time.sleep(min(seconds, 0.005))


@dataclass
class FaultWorld:
    root: Path
    info: SampleCompanyInfo
    sandbox: ProcoreSandbox
    batch: tuple[str, ...]
    project_of: dict[str, int]
    settings: Settings
    secret_values: dict[str, str]
    procore_only: dict[int, dict] = field(default_factory=dict)  # line id -> its row as planted

    @property
    def paths(self) -> AppPaths:
        return AppPaths.under(self.root / "app")

    def engine(self, *, timeout: float = 5.0, sleep: RecordedSleep | None = None) -> SyncEngine:
        secrets = MemorySecretStore(self.secret_values)
        transport = HttpTransport(timeout=timeout, sleep=sleep or RecordedSleep())
        paths = self.paths
        paths.ensure()
        cache = ProcoreCache(paths.procore_cache_db,
                             scope=f"{self.settings.procore.api_url}|{self.settings.procore.company_id}")
        return SyncEngine(SageReader.from_settings(self.settings, secrets),
                          build_client_from_settings(self.settings, secrets, transport=transport),
                          HistoryStore(paths.history_db, windows_user=WINDOWS_USER),
                          windows_user=WINDOWS_USER, cache=cache)

    def sage(self) -> SageCompany:
        return read_sample(self.info.path, self.info.naming)

    def history(self) -> HistoryStore:
        return HistoryStore(self.paths.history_db, windows_user=WINDOWS_USER)

    # ------------------------------------------------------------------ the app as a process

    def write_cli_setup(self) -> Path:
        """Settings file and credential store for `sage-sync-desktop` runs in child processes."""
        settings_module.save(self.settings, self.paths.settings_file)
        store = self.root / "credential-store.json"
        # The children are this Windows user too: the same credential store, the history's key included.
        self.history()  # makes the key if no engine made it yet
        history_key = key_name(self.paths.history_db)
        values = {**self.secret_values, history_key: SecretStore().get(history_key)}
        store.write_text(json.dumps({KEYRING_SERVICE: values}), encoding="utf-8")
        return store

    def cli(self, *args: str) -> subprocess.Popen:
        store = self.root / "credential-store.json"
        return subprocess.Popen(
            [sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(self.root / "app"), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(store))

    # ------------------------------------------------------------------ set-up helpers

    def imported_then_changed(self) -> None:
        """The batch as an earlier import left it (placed directly: the set-up is not under test),
        Procore-only lines added by a PM, then the Sage user's changes: ready for a re-import."""
        self.place_batch_as_imported()
        engine = self.engine()
        try:
            self.plant_procore_only_lines(engine)
        finally:
            engine.client.close()
        self.change_sage()

    def place_batch_as_imported(self) -> None:
        """The batch in Procore as an earlier import by this app left it (the demo's placement)."""
        company = self.sage()
        placed = [placed_contract(company.contract(n), self.project_of[company.contract(n).job_number])
                  for n in self.batch]
        with self.sandbox.state.transaction():
            self.sandbox.place({"prime_contracts": placed})

    def plant_procore_only_lines(self, engine: SyncEngine, every: int = 5) -> None:
        """Lines a PM typed in Procore (no origin id) on every `every`-th imported contract."""
        for index, number in enumerate(self.batch[::every]):
            [pc] = self.prime_contracts(number)
            result = engine.client.sync_line_items(pc["project_id"], pc["id"], [
                {"description": f"Owner allowance typed in Procore #{index}", "amount": f"{1000 + index}.25"}])
            [entity] = result.entities
            self.procore_only[entity.line_item_id] = self._line_row(pc["id"], entity.line_item_id)

    def _line_row(self, prime_contract_id: int, line_id: int) -> dict:
        return next(row for row in self.sandbox.line_items(prime_contract_id) if row["id"] == line_id)

    def change_sage(self) -> int:
        """The Sage user edits every batch contract: one item changed, one added, one removed."""
        editor = SampleEditor(self.info.path, self.info.naming)
        company = self.sage()
        for number in self.batch:
            contract = company.contract(number)
            editor.change_item(number, contract.items[1].number, amount=contract.items[1].amount + Decimal("75.10"))
            editor.add_item(number, "90", f"Change order for {number}", "4321.09")
            editor.delete_item(number, contract.items[-1].number)
        return len(self.batch) * 3

    def prime_contracts(self, number: str) -> list[dict]:
        wanted = origin_ids.contract_origin_id(number)
        return [pc for pc in self.sandbox.prime_contracts() if pc["origin_id"] == wanted]


def build_world(root: Path, seed: int) -> FaultWorld:
    info = generate_sample_company(root / "sage" / "company.db", seed=seed, contracts=CONTRACTS,
                                   items_per_contract=ITEMS_PER_CONTRACT, jobs=JOBS)
    seed_data = sandbox_seed(info, unlinked=False)
    project_of = {p["project_number"]: p["id"] for p in seed_data["projects"]}
    sb = ProcoreSandbox(seed=seed_data, fault_seed=seed).start()
    user = sb.service_account()
    settings = Settings().with_changes(
        sage={"connection_string": f"DRIVER={{SQLite3}};Database={info.path.resolve()}"},
        procore={"environment": environments.CUSTOM, "api_url": sb.url, "login_url": sb.login_url,
                 "company_id": sb.company_id, "client_id": user["client_id"], "auth": "client_credentials",
                 "timeout_seconds": 5},
    )
    secrets = {oauth.client_secret_name(environments.CUSTOM, user["client_id"]): user["client_secret"]}
    company = read_sample(info.path, info.naming)
    eligible = [c.number for c in company.contracts
                if c.approved and c.job_number in info.linked_jobs and not c.problems]
    assert len(eligible) >= BATCH_SIZE
    return FaultWorld(root, info, sb, tuple(eligible[:BATCH_SIZE]), project_of, settings, secrets)


# ---------------------------------------------------------------------- the checks


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _optional(value: Any) -> Decimal | None:
    """Quantity and unit cost: zero counts as not set (line_values documents this)."""
    number = _decimal(value)
    return None if number is None or number == 0 else number


def assert_procore_equals_sage(world: FaultWorld) -> int:
    """Every batch contract once in Procore, in its job's project, Approved, its lines equal to
    the Sage items (one line per item, no duplicates), Procore-only lines untouched. Returns the
    number of lines compared."""
    company = world.sage()
    compared = 0
    by_origin = Counter(pc["origin_id"] for pc in world.sandbox.prime_contracts() if pc["origin_id"])
    duplicated = {origin: n for origin, n in by_origin.items() if n > 1}
    assert duplicated == {}, f"duplicate prime contracts: {duplicated}"
    batch = set(world.batch)
    for pc in world.sandbox.prime_contracts():
        parsed = origin_ids.try_parse(pc["origin_id"])
        assert parsed is not None and parsed.contract in batch, f"unexpected prime contract {pc}"
    for number in world.batch:
        contract = company.contract(number)
        [pc] = world.prime_contracts(number)
        assert pc["project_id"] == world.project_of[contract.job_number]
        assert pc["status"] == "Approved", f"{number} left {pc['status']}"
        lines = world.sandbox.line_items(pc["id"])
        ours = [line for line in lines if line["origin_id"]]
        line_origins = Counter(line["origin_id"] for line in ours)
        assert [o for o, n in line_origins.items() if n > 1] == [], f"{number}: duplicate lines"
        expected = {origin_ids.item_origin_id(number, item.number): item for item in contract.items}
        assert set(line_origins) == set(expected), f"{number}: lines differ from the Sage items"
        for line in ours:
            item = expected[line["origin_id"]]
            got = (line["description"] or "", _decimal(line["amount"]), _optional(line["quantity"]),
                   _optional(line["unit_cost"]), line["uom"] or "")
            want = (item.description, item.amount, _optional(item.quantity), _optional(item.unit_price),
                    item.unit)
            assert got == want, f"{number} item {item.number}: Procore {got} != Sage {want}"
            compared += 1
        planted = {line["id"]: line for line in lines if not line["origin_id"]}
        for line_id, row in planted.items():
            assert world.procore_only.get(line_id) == row, f"{number}: Procore-only line {line_id} touched"
    still_there = {line_id for line_id in world.procore_only
                   if any(line_id == row["id"] for number in world.batch
                          for pc in world.prime_contracts(number) for row in world.sandbox.line_items(pc["id"]))}
    assert still_there == set(world.procore_only), "a Procore-only line was deleted"
    return compared


def history_failures(world: FaultWorld) -> dict[str, list[str]]:
    """Per contract, what the history says went wrong: failed entries and runs that never finished.
    Also checks the chain is intact and that every batch contract's last run finished ok, or was
    cut off by the kill (then it is listed as never finished)."""
    store = world.history()
    check = store.verify()
    assert check.ok, check.problem
    failures: dict[str, list[str]] = {}
    open_runs: dict[str, int] = {}
    last: dict[str, Any] = {}
    for entry in store.entries():
        if entry.action not in ("import", "reimport") or entry.contract is None:
            continue
        number = entry.contract
        if entry.phase == "started":
            if number in open_runs:
                failures.setdefault(number, []).append(f"run {open_runs[number]} never finished")
            open_runs[number] = entry.seq
        elif entry.phase == "recovered":
            # A later run found this run dead and said so: it never finished.
            started = entry.data["started_seq"]
            failures.setdefault(number, []).append(f"run {started} never finished (recovered)")
            if open_runs.get(number) == started:
                open_runs.pop(number)
        else:
            open_runs.pop(number, None)
            if entry.phase == "failed":
                failures.setdefault(number, []).append(entry.procore_error or entry.message)
        last[number] = entry
    for number, seq in open_runs.items():
        # Killed after Procore had everything but before the "finished" entry: the history
        # still says the run never finished, which is what happened.
        failures.setdefault(number, []).append(f"run {seq} never finished")
    for number in world.batch:
        entry = last.get(number)
        assert entry is not None, f"{number}: nothing in the history"
        # A run killed after Procore had everything is closed by a "recovered" entry saying so.
        assert (entry.phase, entry.outcome) in (("finished", "ok"), ("recovered", "ok")) or number in open_runs, \
            f"{number}: last history entry {entry.phase}/{entry.outcome}"
    return failures


def recorded_write_faults(world: FaultWorld) -> tuple[Counter, Counter]:
    """From the history: the failed write attempts its closing entries record, by cause (token
    renewals aside), and the resends by cause (all endpoints). Checks each entry's counts against its own event list."""
    writes: Counter = Counter()
    retried: Counter = Counter()
    for entry in world.history().entries():
        if entry.phase not in ("finished", "failed") or "retries" not in entry.data:
            assert entry.phase not in ("finished", "failed") or entry.action not in ("import", "reimport"), \
                f"entry {entry.seq} closes a run but records no retries"
            continue
        events = entry.data["retry_events"]
        assert "retry_events_dropped" not in entry.data
        assert entry.data["retries"] == dict(Counter(e["cause"] for e in events if e["retried"]))
        assert entry.data["gave_up"] == dict(Counter(e["cause"] for e in events if not e["retried"]))
        assert entry.data["retry_wait_seconds"] >= round(sum(e["wait_seconds"] for e in events), 3) - 0.01
        # A token renewal answers an expired token, and a create sent again after a look-up is
        # the client's own doing: neither is a fault rule of the sandbox.
        writes.update(e["cause"] for e in events
                      if not e["endpoint"].startswith("GET ") and e["cause"] not in APP_CAUSES)
        retried.update(entry.data["retries"])
    return writes, retried
