"""Start-up time of the frozen (PyInstaller) app: launch to the demo window shown.

The app is started with `--demo --screenshot FILE`, which opens the window on the demo company,
saves a picture of it once it is shown and loaded, and exits; the time is measured from the
launch to the picture appearing on disk, so it includes the demo's set-up (sample company and
sandbox), the first Refresh and the short pause the screenshot leaves for the layout to settle.
The frozen app keeps the demo's sandbox secret in the OS credential store, so one must be
available (Windows Credential Manager; on Linux a Secret Service session).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sage_sync_desktop.app_info import GUI_EXE_NAME

logger = logging.getLogger(__name__)

_EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


def find_frozen_app(explicit: Path | None = None) -> Path | None:
    """The frozen executable: the one named, else dist/SageSyncDesktop/ next to the package."""
    candidates = []
    if explicit is not None:
        explicit = Path(explicit)
        candidates += [explicit, explicit / f"{GUI_EXE_NAME}{_EXE_SUFFIX}"]
    repo_root = Path(__file__).resolve().parents[2]
    for root in (Path.cwd(), repo_root):
        candidates.append(root / "dist" / GUI_EXE_NAME / f"{GUI_EXE_NAME}{_EXE_SUFFIX}")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def measure_startup(executable: Path, *, timeout: float = 120.0) -> float:
    """Seconds from launching `executable` on the demo until its window has been shown."""
    with tempfile.TemporaryDirectory(prefix="sage-sync-startup-") as tmp:
        shot = Path(tmp) / "window.png"
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        command = [str(executable), "--app-dir", str(Path(tmp) / "app"), "--demo",
                   "--screenshot", str(shot)]
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        try:
            while not shot.exists():
                if process.poll() is not None and not shot.exists():
                    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
                    raise RuntimeError(
                        f"the frozen app exited with {process.returncode} before showing its "
                        f"window: {stderr.strip()[-500:]}"
                    )
                if time.perf_counter() - started > timeout:
                    raise TimeoutError(f"no window from the frozen app after {timeout:.0f} s")
                time.sleep(0.01)
            elapsed = time.perf_counter() - started
            process.wait(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stderr:
                process.stderr.close()
    return elapsed
