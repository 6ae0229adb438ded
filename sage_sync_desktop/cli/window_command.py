"""No subcommand: open the window (`--demo` on the sample company, `--screenshot FILE` to save a PNG)."""

from __future__ import annotations

import argparse
import logging

from sage_sync_desktop.cli.context import CliContext

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace, context: CliContext) -> int:
    if args.screenshot is not None and not args.demo:
        print("error: --screenshot needs --demo (it pictures the sample company)")
        return 2
    # The engine is imported before Qt: once PySide6 is loaded its import hook reads the source
    # of every module imported after it, which made the first refresh slower to start.
    import sage_sync_desktop.sync.demo_setup  # noqa: F401
    import sage_sync_desktop.sync.wiring  # noqa: F401

    # The GUI is imported here so commands that never open the window never load Qt.
    from sage_sync_desktop.gui import window_startup

    return window_startup.open_window(
        context,
        demo=bool(args.demo),
        screenshot=args.screenshot,
    )
