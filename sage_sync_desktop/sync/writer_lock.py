"""One writer per data folder: two command-line runs, or the command line and the window, never
write to Procore and the history from one data folder at the same time.

An operating-system lock on `writer.lock` in the data folder, held while an import, re-import,
link or unlink runs. The lock dies with its process (a killed run never leaves the folder locked).
The second writer waits, saying who holds it, and gives up after `wait_seconds` with a clear
error (exit code 2). Nothing relies on Procore refusing a repeated origin id.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sage_sync_desktop.errors import SageSyncError

logger = logging.getLogger(__name__)

LOCK_FILE = "writer.lock"
# Windows locks byte ranges, and a locked byte cannot be read by others: lock one far past the
# holder's note at the start of the file, so the waiting process can still say who holds it.
_WINDOWS_LOCK_OFFSET = 1 << 20


class DataFolderBusy(SageSyncError):
    """Another process is writing from this data folder."""

    exit_code = 2


class WriterLock:
    def __init__(self, data_dir: Path, *, wait_seconds: float = 60.0, poll_seconds: float = 0.25) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds

    @contextmanager
    def held(self, what: str, *, on_wait: Callable[[str], None] | None = None,
             cancel: threading.Event | None = None) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            self._acquire(fd, on_wait, cancel)
            try:
                _write_note(fd, {"pid": os.getpid(), "what": what,
                                 "since": datetime.now(UTC).isoformat(timespec="seconds")})
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)

    def _acquire(self, fd: int, on_wait: Callable[[str], None] | None,
                 cancel: threading.Event | None) -> None:
        if _try_lock(fd):
            return
        holder = self.holder()
        message = (f"Another Sage Sync run ({holder}) is writing to Procore from this data folder; "
                   f"waiting up to {self.wait_seconds:g} s for it to finish.")
        logger.warning("%s", message)
        if on_wait is not None:
            on_wait(message)
        deadline = time.monotonic() + self.wait_seconds
        while time.monotonic() < deadline:
            if cancel is not None and cancel.wait(self.poll_seconds):
                break
            if cancel is None:
                time.sleep(self.poll_seconds)
            if _try_lock(fd):
                logger.info("The other run finished; going on")
                return
        raise DataFolderBusy(
            f"Another Sage Sync run ({self.holder()}) is still writing to Procore from this data folder "
            f"{self.path.parent}; nothing was sent.",
            fix="Wait for it to finish (or close the other window), then run this again.",
        )

    def holder(self) -> str:
        try:
            with open(self.path, encoding="utf-8") as handle:
                note = json.loads(handle.read(4096) or "{}")
            return f"process {int(note['pid'])}, {str(note['what'])[:60]}, since {str(note['since'])[:25]}"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process"


def _write_note(fd: int, note: dict[str, object]) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    data = json.dumps(note).encode("utf-8")
    os.write(fd, data + b" " * max(0, 256 - len(data)))


if sys.platform == "win32":  # pragma: no cover - Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
