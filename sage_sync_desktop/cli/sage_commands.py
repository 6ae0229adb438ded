"""Sage subcommands: check-sage, sample-company, set-sage-password, and the hidden odbc-bridge."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from pathlib import Path
from typing import Any

from sage_sync_desktop.app import connection_checks
from sage_sync_desktop.cli.terminal_text import say
from sage_sync_desktop.errors import ConfigurationError, SageError
from sage_sync_desktop.logging_setup import register_secret
from sage_sync_desktop.sage import connection_string as cs
from sage_sync_desktop.sage import odbc_bridge
from sage_sync_desktop.sage.sage_reader import sage_password_secret
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sage.schema_probe import SchemaReport
from sage_sync_desktop.sage.table_mapping import PRESETS, TableMapping
from sage_sync_desktop.secret_store import store_name

EXIT_OK = 0
EXIT_MISSING_NAMES = 1
EXIT_UNREACHABLE = 3


def register(subparsers: Any) -> None:
    check = subparsers.add_parser(
        "check-sage",
        help="check that every mapped Sage table and column exists; count jobs, contracts, items",
        description="Probes each mapped table with a zero-row SELECT (no catalog calls), names "
        "every missing table or column with what to set, then counts rows. Exit 0: all found; "
        "1: names missing; 2: settings invalid; 3: cannot connect to Sage.",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--use-candidates", action="store_true",
                       help="map each missing column to its best candidate (a close name match) in "
                       "sage.mapping, after showing what will be written; then check again")
    check.set_defaults(handler=check_sage)

    sample = subparsers.add_parser(
        "sample-company",
        help="write a Sage-shaped SQLite sample company (the demo's data, benchmark loads)",
        description="Without sizes: the fixed small company (12 jobs, 20 prime contracts). With "
        "--contracts/--items-per-contract/--jobs: a generated company of that size.",
    )
    sample.add_argument("path", type=Path, help="the .db file to write (an earlier sample there is replaced)")
    sample.add_argument("--seed", type=int, default=1, help="same seed, same rows (default 1)")
    sample.add_argument("--contracts", type=int, help="number of prime contracts")
    sample.add_argument("--items-per-contract", type=int, help="items on each contract")
    sample.add_argument("--jobs", type=int, help="number of jobs")
    sample.add_argument("--naming", choices=PRESETS, default="legacy", help="table names (default legacy)")
    sample.add_argument("--configure", action="store_true",
                        help="also point sage.connection_string and sage.naming at the new file")
    sample.add_argument("--json", action="store_true", help="print what was written as JSON")
    sample.set_defaults(handler=sample_company)

    password = subparsers.add_parser(
        "set-sage-password",
        help="save the Sage user's password in the OS credential store",
        description="Reads the password from a prompt, or from standard input with --stdin "
        f"(never from the command line), and saves it for the configured Sage connection in {store_name()}.",
    )
    password.add_argument("--stdin", action="store_true", help="read the password from standard input")
    password.set_defaults(handler=set_sage_password)

    # Started by the 64-bit app as its 32-bit ODBC bridge; speaks JSON lines on stdin/stdout.
    bridge = subparsers.add_parser(odbc_bridge.BRIDGE_SUBCOMMAND)  # no help=: not listed
    bridge.set_defaults(handler=run_odbc_bridge)


def check_sage(args: argparse.Namespace, context: Any) -> int:
    settings = context.load_settings()
    try:
        report = connection_checks.check_sage_connection(settings, context.secrets)
        if args.use_candidates:
            report = _use_candidates(args, context, settings, report)
    except SageError as exc:
        if args.json:
            _print_json({"ok": False, "error": exc.message, "fix": exc.fix})
        else:
            say(f"Cannot connect to Sage: {exc.message}")
            if exc.fix:
                say(f"  fix: {exc.fix}")
        return EXIT_UNREACHABLE
    if args.json:
        _print_json(report.to_dict())
        return EXIT_OK if report.ok else EXIT_MISSING_NAMES
    _print_report(report)
    return EXIT_OK if report.ok else EXIT_MISSING_NAMES


def _use_candidates(args: argparse.Namespace, context: Any, settings: Any, report: SchemaReport) -> SchemaReport:
    """Write each missing column's close best candidate to sage.mapping, say what was written
    (on standard error with --json, so the JSON stays one document), and probe again."""
    tell = (lambda text: say(text, error=True)) if args.json else say
    overrides = report.candidate_overrides()
    unmatched = [m for m in report.missing if m.kind == "column" and not m.best_candidate]
    if not overrides:
        tell("No missing column has a close candidate; nothing was written to sage.mapping.")
        return report
    current = TableMapping.from_settings(settings.sage)
    mapping = current.with_overrides(overrides)
    tell("Writing to sage.mapping:")
    for logical, entry in overrides.items():
        for field_name, column in entry["columns"].items():
            tell(f"  {logical}.columns.{field_name} = {column}  (was {current.column(logical, field_name)})")
    for name in unmatched:
        tell(f"  {name.logical_table}.columns.{name.field}: no close candidate; choose it yourself.")
    updated = settings.with_changes(sage={"mapping": mapping.to_overrides()})
    context.save_settings(updated)
    tell(f"Settings updated: {context.settings_path}")
    return connection_checks.check_sage_connection(updated, context.secrets)


def _print_report(report: SchemaReport) -> None:
    say(f"Sage: {report.source} (naming: {report.naming})")
    for check in report.tables:
        if not check.found:
            state = "MISSING"
        elif check.missing_columns:
            state = f"found, {len(check.missing_columns)} column(s) missing"
        else:
            state = "ok"
        rows = f", {check.rows:,} rows" if check.rows is not None else ""
        say(f"  {check.logical_table:<14} {check.table:<28} {state}{rows}")
    for name in report.missing:
        say(f"missing {name.kind}: {name.message}")
        say(f"  fix: {name.fix}")
    if report.preset_fits and report.preset_fits != report.naming:
        say(f'The {report.preset_fits} naming preset fits this connection: all four of its tables '
              f'exist. Set sage.naming to "{report.preset_fits}".')
    counts = report.counts
    say("Counts: " + ", ".join(
        f"{counts.get(k) if counts.get(k) is not None else '?'} {k}" for k in ("jobs", "contracts", "items")))
    if report.ok:
        say("All mapped tables and columns were found.")
        return
    say(f"{len(report.missing)} name(s) missing: fix sage.naming / sage.mapping and run check-sage again.")
    if report.candidate_overrides():
        say("  check-sage --use-candidates writes the close candidates to sage.mapping for you.")


def sample_company(args: argparse.Namespace, context: Any) -> int:
    started = time.perf_counter()
    info = generate_sample_company(
        args.path, seed=args.seed, contracts=args.contracts,
        items_per_contract=args.items_per_contract, jobs=args.jobs, naming=args.naming,
    )
    seconds = time.perf_counter() - started
    url = cs.SQLITE_URL_PREFIX + info.path.as_posix().lstrip("/")
    if args.configure:
        settings = context.load_settings(may_create=True)
        context.save_settings(settings.with_changes(sage={"connection_string": url, "naming": info.naming}))
    if args.json:
        _print_json({
            "path": str(info.path), "naming": info.naming, "seed": info.seed,
            "jobs": len(info.job_numbers), "contracts": info.contract_count, "items": info.item_count,
            "seconds": round(seconds, 3), "connection_string": url,
            "odbc_connection_string": f"DRIVER={{SQLite3}};Database={info.path}",
            "unapproved_contracts": list(info.unapproved_contracts),
            "unlinked_job": info.unlinked_job,
            "contracts_on_unlinked_job": list(info.contracts_on_unlinked_job),
            "credit_items": [list(i) for i in info.credit_items],
            "zero_items": [list(i) for i in info.zero_items],
            "awaiting_items": [list(i) for i in info.awaiting_items],
            "several_jobs": {c: list(jobs) for c, jobs in info.several_jobs.items()},
            "configured": bool(args.configure),
            "sandbox_command": "sage-sync-desktop sandbox --seed sample",
        })
        return EXIT_OK
    print(f"Wrote {info.path} in {seconds:.2f} s: {len(info.job_numbers)} jobs, "
          f"{info.contract_count} prime contracts, {info.item_count} items ({info.naming} names).")
    print(f"  contracts with no item approved: {', '.join(info.unapproved_contracts) or 'none'}")
    print(f"  items awaiting approval: {_items(info.awaiting_items)}")
    print("  contracts whose items name several jobs: " + (", ".join(
        f"{c} (jobs {', '.join(jobs)})" for c, jobs in info.several_jobs.items()) or "none"))
    print(f"  job with no Procore project: {info.unlinked_job} "
          f"(contracts {', '.join(info.contracts_on_unlinked_job) or 'none'})")
    print(f"  credit item: {_items(info.credit_items)}; zero item: {_items(info.zero_items)}")
    print(f"Read it with sage.connection_string = {url}")
    print(f"  or over ODBC: DRIVER={{SQLite3}};Database={info.path}")
    if args.configure:
        print(f"Settings updated: {context.settings_path}")
        print("A local Procore sandbox that fits this company: sage-sync-desktop sandbox --seed sample")
        print("  (then sign in with the line it prints; see docs/procore-connection.md)")
    return EXIT_OK


def set_sage_password(args: argparse.Namespace, context: Any) -> int:
    settings = context.load_settings()
    if not settings.sage.connection_string.strip():
        raise ConfigurationError(
            "Set sage.connection_string first: the password is saved for that connection.")
    if cs.sqlite_path(settings.sage.connection_string) is not None:
        raise ConfigurationError("The configured Sage connection is a sample file; it has no password.")
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Sage password: ")
    if not password:
        raise ConfigurationError("No password was given; nothing was saved.")
    register_secret(password)
    name = sage_password_secret(settings.sage)
    context.secrets.set(name, password)
    print("Saved the Sage password in the credential store.")
    return EXIT_OK


def run_odbc_bridge(args: argparse.Namespace, context: Any) -> int:
    odbc_bridge.log_to_stderr_only()
    return odbc_bridge.serve(sys.stdin.buffer, sys.stdout.buffer)


def _items(pairs: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"contract {c} item {i}" for c, i in pairs) or "none"


def _print_json(value: Any) -> None:
    # ASCII-only: a bidi mark or C1 control in a Sage name arrives escaped, never raw.
    print(json.dumps(value, indent=2, ensure_ascii=True, default=str))
