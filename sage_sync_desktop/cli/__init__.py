"""The `sage-sync-desktop` command: argument parsing and wiring, nothing else.

Each role has its own module with `register(subparsers)`; a subcommand sets `handler`, a function
`(args, context) -> int` that returns the process exit code:
0 all asked work done; 1 some contracts blocked or failed; 2 usage or configuration error;
3 Sage or Procore unreachable or sign-in needed.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sage_sync_desktop import __version__
from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.cli.terminal_text import say
from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.logging_setup import configure_logging
from sage_sync_desktop.paths import AppPaths

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

# Modules that add subcommands, each with register(subparsers).
_COMMAND_MODULES = (
    "sage_sync_desktop.cli.sage_commands",
    "sage_sync_desktop.cli.procore_commands",
    "sage_sync_desktop.cli.sync_commands",
    "sage_sync_desktop.cli.bench_command",
)


def _program_name() -> str:
    """The name the user typed (`sage-sync` for the frozen console exe), for help and errors."""
    stem = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    return stem if stem and stem not in ("__main__", "-c") else "sage-sync-desktop"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_program_name(),
        description="Import Sage 300 CRE prime contracts into Procore. "
        "With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config", metavar="PATH", type=Path,
        help="settings file to use instead of the one in the user's config folder",
    )
    parser.add_argument(
        "--app-dir", metavar="DIR", type=Path, default=os.environ.get("SAGE_SYNC_APP_DIR") or None,
        help="keep settings, history, cache and logs under DIR (portable use, tests); "
        "also SAGE_SYNC_APP_DIR",
    )
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log debug detail (also shown on standard error for commands)")
    parser.add_argument("--demo", action="store_true",
                        help="open the window on the built-in sample company and local Procore sandbox")
    parser.add_argument("--screenshot", metavar="FILE", type=lambda text: Path(text).absolute(),
                        help="with the window: load, save a PNG of it to FILE and exit")
    parser.add_argument("--self-test", action="store_true",
                        help="check that this installation works and exit 0 or 1")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in _COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Everything the app creates (logs, rotated logs, SQLite journals, exports) is private to the
    # user, whatever umask it was started with; restored after, for callers in the same process.
    previous = os.umask(0o077)
    try:
        return _main(argv)
    finally:
        os.umask(previous)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = AppPaths.under(args.app_dir) if args.app_dir else AppPaths.default()
    context = AppContext(paths=paths, settings_path=args.config or paths.settings_file,
                         explicit_settings=args.config is not None)
    try:
        paths.ensure()
        configure_logging(
            paths.log_file,
            level=logging.DEBUG if args.verbose else logging.INFO,
            console=args.command is not None,
            console_level=logging.DEBUG if args.verbose else logging.WARNING,
        )
    except OSError as exc:
        print(f"error: cannot create the app's folders: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logger.debug("sage-sync-desktop %s, command %s, settings %s, data folder %s", __version__,
                 args.command or "(window)", context.settings_path, paths.data_dir)
    try:
        if args.self_test:
            from sage_sync_desktop.cli import self_test_output

            return self_test_output.run(args, context)
        if args.command is None:
            from sage_sync_desktop.cli import window_command

            return window_command.run(args, context)
        return int(args.handler(args, context))
    except SageSyncError as exc:
        logger.error("%s: %s", type(exc).__name__, exc, extra={"shown_to_user": True})
        if exc.detail:
            logger.info("detail: %s", exc.detail)
        say(f"error: {exc.message}", error=True)
        if exc.fix:
            say(f"  fix: {exc.fix}", error=True)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_SOME_FAILED
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, and keep Python from complaining
        # about the unflushed output on the way out.
        _silence_stdout()
        return EXIT_SOME_FAILED
    except EOFError:
        print("error: standard input ended before the answer was given (Ctrl+D?); nothing was changed.",
              file=sys.stderr)
        return EXIT_USAGE


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
