"""`--self-test`: does this installation (usually the frozen app) work on this machine?

The checks are app/self_test.py's, plus Qt's from gui/. Exit 0 when every check passed, 1
otherwise. The report is printed (the console `sage-sync.exe`) and always saved to the log
folder too, because the windowed `SageSyncDesktop.exe` has no console and sys.stdout is None there.
"""

from __future__ import annotations

import logging
import platform
import struct
import sys
from pathlib import Path

from sage_sync_desktop import __version__
from sage_sync_desktop.app.self_test import (
    FAIL,
    NOTE,
    OK,
    CheckResult,
    build_arch,
    build_info,
    installer_name,
    run_checks,
)
from sage_sync_desktop.app_info import APP_DISPLAY_NAME
from sage_sync_desktop.logging_setup import redact

logger = logging.getLogger(__name__)

REPORT_FILE_NAME = "self-test.txt"


def run(args, context) -> int:
    results = run_checks(context.secrets, qt_check=check_qt)
    report_path = context.paths.log_dir / REPORT_FILE_NAME
    text = format_report(results, report_path)
    try:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        text += f"\n(could not save the report to {report_path}: {exc.strerror})\n"
    _emit(text)
    failed = [result.name for result in results if result.status == FAIL]
    logger.info("self-test %s%s", "failed: " if failed else "passed", ", ".join(failed))
    return 1 if failed else 0


def format_report(results: list[CheckResult], report_path: Path) -> str:
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    if build_info().get("flavour") == "console-only":
        frozen += ", console-only"
    lines = [
        f"{APP_DISPLAY_NAME} {__version__} self-test",
        f"  build: {struct.calcsize('P') * 8}-bit ({build_arch()}), {frozen}, "
        f"Python {platform.python_version()}, {platform.platform()}",
    ]
    for result in results:
        lines.append(f"  {result.status:<5} {result.name}: {result.detail}")
        if result.fix:
            lines.append(f"        fix: {result.fix}")
    failed = sum(result.status == FAIL for result in results)
    passed = sum(result.status == OK for result in results)
    verdict = "FAILED" if failed else "PASSED"
    lines.append(f"Result: {verdict} ({passed} passed, {failed} failed). Report saved to {report_path}")
    return redact("\n".join(lines)) + "\n"


def _emit(text: str) -> None:
    # The windowed exe on Windows has no console: sys.stdout is None there.
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError, UnicodeEncodeError):
        logger.warning("could not print the self-test report; it is in the log folder")


def check_qt() -> CheckResult | str:
    if build_info().get("flavour") == "console-only":
        # Qt 6 has no 32-bit Windows build; this build is meant to have no window.
        return CheckResult("Qt", NOTE, "console-only build: no window in this build (Qt has no "
                           f"32-bit Windows version); the window is in {installer_name('x64')}")
    # The Qt half lives in gui/ (the only place allowed to import PySide6).
    from sage_sync_desktop.gui.qt_self_check import check_qt_offscreen

    return check_qt_offscreen()
