"""No subcommand: open the window (`--demo` on the sample company, `--screenshot FILE` to save a PNG)."""

from __future__ import annotations

import argparse
import logging

from sage_sync_desktop import __version__
from sage_sync_desktop.app.context import AppContext

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace, context: AppContext) -> int:
    if args.screenshot is not None and not args.demo:
        print("error: --screenshot needs --demo (it pictures the sample company)")
        return 2
    # The window's first-run setup writes a missing --config file, so it is not an error here.
    context.explicit_settings = False
    # The engine is imported before Qt: once PySide6 is loaded its import hook reads the source
    # of every module imported after it, which made the first refresh slower to start.
    import netrc  # noqa: F401  (requests imports it on the first request, from the worker)

    import sage_sync_desktop.demo.demo_setup  # noqa: F401
    import sage_sync_desktop.app.wiring  # noqa: F401

    # The GUI is imported here so commands that never open the window never load Qt.
    try:
        from sage_sync_desktop.gui import window_startup
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith(("sage_sync_desktop.gui", "PySide6", "shiboken6")):
            raise
        # The 32-bit console build has no window: Qt 6 has no 32-bit Windows version.
        print(
            "This is the command-line build of Sage Sync Desktop (no window: Qt has no 32-bit "
            "Windows version). Run `sage-sync --help` for the commands, or install "
            f"SageSyncDesktop-{__version__}-x64-setup.exe for the window."
        )
        return 2

    return window_startup.open_window(
        context,
        demo=bool(args.demo),
        screenshot=args.screenshot,
    )
