"""`bench`: the figures for scan speed, Procore requests, memory, GUI responsiveness and start-up.

The work is in `sage_sync_desktop.bench`; this module parses the options, prints the table and
writes the JSON. It also hosts the window probe (a hidden option the benchmark runs in a child
process), because only the GUI package and these command modules may import the window.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from pathlib import Path

from sage_sync_desktop.app.context import AppContext

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench", help="measure speed, requests and memory on a large generated company",
        description="Generate a large Sage company (read through the real ODBC path with the SQLite3 "
        "driver) and a local Procore sandbox with half of it imported, then measure the scan, "
        "Procore requests, memory, window responsiveness and start-up. Prints a table; --json "
        "writes the figures.",
    )
    parser.add_argument("--contracts", type=int, default=3000, metavar="N", help="prime contracts (default 3000)")
    parser.add_argument("--items-per-contract", type=int, default=50, metavar="M",
                        help="items per contract (default 50)")
    parser.add_argument("--jobs", type=int, default=500, metavar="J", help="jobs (default 500)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--frozen", type=Path, metavar="PATH",
                        help="the frozen app (folder or executable) for the start-up time "
                        "(default: dist/SageSyncDesktop/ when built)")
    parser.add_argument("--work-dir", type=Path, metavar="DIR",
                        help="keep the generated company and sandbox state in DIR (default: a temporary folder)")
    parser.add_argument("--repeats", type=int, default=3, metavar="R",
                        help="rounds of the Sage read against the bare fetch; the best of each counts (default 3)")
    parser.add_argument("--bulk-import", type=int, default=20, metavar="K",
                        help="also time adding K ready contracts to Procore in one batch (default 20; 0 skips)")
    parser.add_argument("--no-gui", action="store_true", help="skip the window measurement")
    parser.add_argument("--procore-latency-ms", type=int, default=100, metavar="N",
                        help="the Procore sandbox answers each request after N ms, like a request over "
                        "the internet (default 100; 0: the loopback run, without rate limits unless "
                        "--procore-rate-limit is given)")
    parser.add_argument("--procore-rate-limit", type=_rate_limit, metavar="HOURLY/SPIKE",
                        help="the sandbox's rate limits: requests per hour / per 10 s "
                        "(default 3600/100, as Procore documents)")
    parser.add_argument("--window-probe", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, context: AppContext) -> int:
    if args.window_probe:
        return _window_probe(context)
    from sage_sync_desktop.bench import bench_report
    from sage_sync_desktop.demo.bench_company import BenchSize
    from sage_sync_desktop.bench.bench_runner import BenchOptions, run_benchmark

    # Two jobs at least: the generated company keeps its last job unlinked (a Not Ready case).
    for option, value, least in (("--contracts", args.contracts, 1), ("--jobs", args.jobs, 2),
                                 ("--items-per-contract", args.items_per_contract, 1),
                                 ("--repeats", args.repeats, 1), ("--bulk-import", args.bulk_import, 0),
                                 ("--procore-latency-ms", args.procore_latency_ms, 0)):
        if value < least:
            print(f"error: {option} must be at least {least}", file=sys.stderr)
            return 2
    options = BenchOptions(
        size=BenchSize(args.contracts, args.items_per_contract, args.jobs),
        frozen=args.frozen, work_dir=args.work_dir, repeats=args.repeats, gui=not args.no_gui,
        bulk_import=args.bulk_import, procore_latency_ms=args.procore_latency_ms,
        procore_rate_limit=_rate_limit_for(args),
    )
    from sage_sync_desktop.bench.child_process import ChildFailed

    try:
        result = run_benchmark(options, say=lambda message: print(message, flush=True))
    except ChildFailed as exc:
        logger.error("benchmark measurement failed: %s", exc)
        print(f"error: a benchmark measurement failed: {exc}", file=sys.stderr)
        return 1
    print()
    print(bench_report.format_table(result))
    if args.json is not None:
        bench_report.write_json(result, args.json)
        print(f"\nFigures written to {args.json}")
    return 0


def _rate_limit(text: str) -> str:
    from sage_sync_desktop.sandbox.rate_limits import RateLimits

    try:
        return str(RateLimits.parse(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _rate_limit_for(args: argparse.Namespace) -> str:
    """The limits asked for; else Procore's documented ones, or none near for the loopback run."""
    from sage_sync_desktop.bench.bench_runner import DEFAULT_RATE_LIMIT, LOOPBACK_RATE_LIMIT

    if args.procore_rate_limit is not None:
        return str(args.procore_rate_limit)
    return DEFAULT_RATE_LIMIT if args.procore_latency_ms > 0 else LOOPBACK_RATE_LIMIT


def _window_probe(context: AppContext) -> int:
    """Child process of the benchmark: open the window on the bench company and time its load."""
    from sage_sync_desktop.secret_store import MemorySecretStore
    from sage_sync_desktop.bench.child_process import emit, read_payload

    payload = read_payload()
    try:
        from sage_sync_desktop.gui.application import create_application
        from sage_sync_desktop.gui.responsiveness_probe import measure_load_responsiveness
        from sage_sync_desktop.gui.window_startup import build_window

        probe_context = AppContext(paths=context.paths, settings_path=Path(payload["settings_path"]),
                                   secrets=MemorySecretStore(payload.get("secrets", {})))
        app = create_application()
        window = build_window(probe_context)
        window.show()
        app.processEvents()
        measured = measure_load_responsiveness(window)
        window.close()
    except Exception as exc:  # reported to the parent, which prints it
        logger.exception("window probe failed")
        emit({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    first_rows = measured.first_rows_seconds
    emit({
        "gui_max_stall_ms": measured.max_stall_ms,
        "gui_first_rows_seconds": None if math.isnan(first_rows) else first_rows,
        "gui_load_seconds": measured.total_seconds,
        "gui_rows": measured.rows,
        "gui_ticks": measured.ticks,
    })
    return 0
