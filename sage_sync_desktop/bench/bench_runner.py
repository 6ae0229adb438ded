"""`sage-sync-desktop bench`: build the large company, measure everything in one run, report.

Order of the measurements (each in its own process where memory or the GUI matter):
1. Sage read against a bare `cursor.fetchall()` of the same rows (fetch_probe, own process);
2. a full Refresh and a second one of the unchanged company, peak memory (scan_probe, own process);
3. the window loading the large company, offscreen (the bench command's window probe, own process);
4. a re-import of one contract with 500 changed lines (here);
5. the frozen app's start-up on the demo, when a frozen build is found.
The Procore sandbox runs in its own process throughout and counts the requests it serves. It
answers after `procore_latency_ms` (default 100 ms, like a request over the internet) and keeps
Procore's rate limits (`procore_rate_limit`, default 3600/100: an hourly and a 10-second spike
window). The spike window holds throughout; the hourly one starts afresh before each of
measurements 2, 3 and 4, as if each ran in an hour of its own (the whole bench sends more than
one hour's budget, which no site would do in one hour). Every 429 met is counted.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.bench import bench_report
from sage_sync_desktop.demo.bench_company import NAMING, BenchCompany, BenchSize, build_company
from sage_sync_desktop.secret_store import MemorySecretStore
from sage_sync_desktop.bench.child_process import ChildFailed, run_child
from sage_sync_desktop.bench.machine_info import machine_info
from sage_sync_desktop.bench.reimport_probe import measure_bulk_import, measure_reimport
from sage_sync_desktop.bench.sandbox_process import SandboxProcess
from sage_sync_desktop.bench.startup_probe import find_frozen_app, measure_startup
from sage_sync_desktop.errors import SageError
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.sage.odbc_connection import list_odbc_drivers
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.app.wiring import build_engine

logger = logging.getLogger(__name__)

ODBC_DRIVER = "SQLite3"
REQUIRED_KEYS = (
    "scan_seconds", "bare_fetch_seconds", "scan_ratio", "full_refresh_requests",
    "incremental_refresh_requests", "reimport_500_lines_requests", "gui_max_stall_ms",
    "gui_first_rows_seconds", "peak_rss_mb", "startup_seconds", "full_refresh_seconds",
    "incremental_refresh_seconds", "import_requests_per_contract", "rate_limited_responses",
    "hourly_budget_share_incremental",
)
# Procore's documented example limits, and the latency of a request over the internet.
DEFAULT_RATE_LIMIT = "3600/100"
DEFAULT_LATENCY_MS = 100
# What the loopback run (latency 0) keeps unless told otherwise: no limit it comes near.
LOOPBACK_RATE_LIMIT = "1000000/100000"
# The window probe runs as this command with a hidden option (see cli/bench_command.py).
WINDOW_PROBE_OPTION = "--window-probe"


@dataclass(frozen=True)
class BenchOptions:
    size: BenchSize = BenchSize()
    frozen: Path | None = None
    work_dir: Path | None = None  # kept afterwards when given; a temporary folder otherwise
    repeats: int = 3
    gui: bool = True
    seed: int = 1
    child_timeout: float = 1800.0
    bulk_import: int = 20  # contracts added to Procore in one batch (0: skip)
    procore_latency_ms: int = DEFAULT_LATENCY_MS
    procore_rate_limit: str = DEFAULT_RATE_LIMIT  # HOURLY/SPIKE


class OdbcDriverMissing(SageError):
    """The SQLite ODBC driver the benchmark reads through is not installed."""


def require_odbc_driver() -> None:
    drivers = list_odbc_drivers()
    if ODBC_DRIVER not in drivers:
        raise OdbcDriverMissing(
            f"The benchmark reads Sage through the ODBC driver '{ODBC_DRIVER}', which is not "
            f"installed (ODBC drivers found: {', '.join(drivers) or 'none'}).",
            fix="Debian/Ubuntu: sudo apt-get install unixodbc libsqliteodbc. Windows: install the "
            "SQLite ODBC driver (sqliteodbc) and register it as SQLite3.",
        )


def write_bench_settings(company: BenchCompany, sandbox_info: dict[str, Any], path: Path) -> dict[str, str]:
    """The settings the app would have for this company; returns the secrets they need."""
    settings = Settings().with_changes(
        sage={"connection_string": company.connection_string, "naming": NAMING},
        procore={"environment": environments.CUSTOM, "api_url": sandbox_info["url"],
                 "login_url": sandbox_info["login_url"], "company_id": int(sandbox_info["company_id"]),
                 "client_id": sandbox_info["client_id"], "auth": "client_credentials",
                 "timeout_seconds": 60},
    )
    settings_module.save(settings, path)
    name = oauth.client_secret_name(environments.CUSTOM, sandbox_info["client_id"], sandbox_info["url"])
    return {name: sandbox_info["client_secret"]}


def _note_failure(result: dict[str, Any], what: str, exc: Exception, say: Callable[[str], None]) -> None:
    message = f"{what} not measured: {exc}"
    result["notes"].append(message)
    say(message)


def run_benchmark(options: BenchOptions, *, say: Callable[[str], None] = print) -> dict[str, Any]:
    require_odbc_driver()
    size = options.size
    result: dict[str, Any] = {key: None for key in REQUIRED_KEYS}
    result.update({
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "size": {**asdict(size), "items": size.items},
        "odbc_driver": ODBC_DRIVER,
        "procore": {"latency_ms": options.procore_latency_ms, "rate_limit": options.procore_rate_limit},
        "notes": [],
    })
    keep = options.work_dir is not None
    work = Path(options.work_dir) if keep else Path(tempfile.mkdtemp(prefix="sage-sync-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        _measure_all(options, work, result, say)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    result["targets"] = bench_report.evaluate_targets(result)
    return result


def _measure_all(options: BenchOptions, work: Path, result: dict[str, Any], say: Callable[[str], None]) -> None:
    size = options.size
    say(f"Building the company: {size.contracts:,} contracts x {size.items_per_contract} items, "
        f"{size.jobs} jobs ...")
    started = time.perf_counter()
    company = build_company(work / "data", size, seed=options.seed)
    result["setup_seconds"] = time.perf_counter() - started
    result["size"].update(items=company.item_count, imported=len(company.imported),
                          pending_changes=len(company.pending), linked_projects=len(company.projects))
    result["rate_limited_responses"] = 0

    def fresh_hour(sandbox: SandboxProcess) -> None:
        result["rate_limited_responses"] += sandbox.fresh_rate_windows()

    with SandboxProcess(company.sandbox_state, work / "sandbox-app", rate_limit=options.procore_rate_limit,
                        latency_ms=options.procore_latency_ms) as sandbox:
        scan_app = work / "app"
        settings_path = AppPaths.under(scan_app).settings_file
        secrets = write_bench_settings(company, sandbox.info, settings_path)

        say("Sage read vs bare cursor.fetchall() ...")
        fetch = run_child(["-m", "sage_sync_desktop.bench.fetch_probe"],
                          {"connection_string": company.connection_string, "naming": NAMING,
                           "repeats": options.repeats}, timeout=options.child_timeout)
        result.update(fetch)

        say("Full refresh, then a second refresh of the unchanged company ...")
        fresh_hour(sandbox)
        scan = run_child(["-m", "sage_sync_desktop.bench.scan_probe"],
                         {"settings_path": str(settings_path), "app_dir": str(scan_app),
                          "secrets": secrets, "sandbox_url": sandbox.url}, timeout=options.child_timeout)
        result.update(scan)
        hourly = int(options.procore_rate_limit.split("/")[0])
        result["hourly_budget_share_incremental"] = scan["incremental_refresh_requests"] / hourly

        if options.gui:
            say("Window loading the company (offscreen) ...")
            fresh_hour(sandbox)
            try:
                gui_app = work / "gui-app"
                AppPaths.under(gui_app).ensure()
                gui = run_child(
                    ["-m", "sage_sync_desktop", "--app-dir", str(gui_app), "bench", WINDOW_PROBE_OPTION],
                    {"settings_path": str(settings_path), "secrets": secrets},
                    timeout=options.child_timeout, env={"QT_QPA_PLATFORM": "offscreen"})
                result.update(gui)
            except ChildFailed as exc:
                _note_failure(result, "GUI responsiveness", exc, say)
        else:
            result["notes"].append("GUI responsiveness not measured (--no-gui).")

        settings = settings_module.load(settings_path)
        engine = build_engine(settings, AppPaths.under(scan_app), MemorySecretStore(secrets))
        fresh_hour(sandbox)
        try:
            if options.bulk_import:
                say(f"Import of {options.bulk_import} ready contracts in one batch ...")
                result.update(measure_bulk_import(engine, sandbox, options.bulk_import))
                result["import_requests_per_contract"] = result["bulk_import_requests_per_contract"]
            say("Re-import of one contract with 500 changed lines ...")
            result.update(measure_reimport(engine, company, sandbox))
        finally:
            engine.client.close()
        fresh_hour(sandbox)

    frozen = find_frozen_app(options.frozen)
    if frozen is None:
        result["notes"].append("startup_seconds: no frozen app found (dist/SageSyncDesktop/ or --frozen PATH).")
    else:
        say(f"Start-up of the frozen app {frozen} on the demo ...")
        try:
            # The first launch also warms the disk cache; the best of the runs is reported.
            runs = [measure_startup(frozen) for _ in range(options.repeats)]
            result["startup_seconds"] = min(runs)
            result["startup_all_seconds"] = runs
            result["frozen_app"] = str(frozen)
        except (RuntimeError, TimeoutError, OSError) as exc:
            _note_failure(result, "start-up", exc, say)
