"""Rotating log file in the platform log folder, with secrets redacted before anything is written."""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import threading
from pathlib import Path

from sage_sync_desktop.file_permissions import create_private_file, make_private_dir

# Patterns whose value part is replaced by "***". Keys are matched case-insensitively.
_KEY_VALUE = re.compile(
    r"(?i)\b(pwd|password|passwd|client_secret|secret|access_token|refresh_token|code|token)"
    r"(\s*[=:]\s*\"?)([^;&\s\",}]+)"
)
_JSON_FIELD = re.compile(
    r"(?i)(\"(?:pwd|password|client_secret|access_token|refresh_token|token|code)\"\s*:\s*\")([^\"]*)(\")"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)([A-Za-z0-9._~+/=-]+)")

_known_secrets: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value so it is redacted wherever it appears, whatever its context."""
    if value and len(value) >= 4:
        with _known_lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    """The text with passwords, tokens and secrets replaced by ***."""
    text = _BEARER.sub(r"\1***", text)
    text = _JSON_FIELD.sub(r"\1***\3", text)
    text = _KEY_VALUE.sub(r"\1\2***", text)
    with _known_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time, never to a stream that was since closed."""

    @property  # type: ignore[override]
    def stream(self):  # noqa: D401 - logging's attribute
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass  # logging.StreamHandler.__init__ assigns it; the current stderr is used instead


_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(log_file: Path, *, level: int = logging.INFO, console: bool = False,
                      console_level: int = logging.WARNING) -> None:
    """Send the app's logs to a rotating file (5 x 2 MB), redacted; optionally to stderr too
    (warnings and errors, or everything from `console_level` up: `-v` shows DEBUG lines)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_sage_sync", False):
            root.removeHandler(handler)
            handler.close()
    make_private_dir(log_file.parent)
    create_private_file(log_file)
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(RedactingFormatter(_FORMAT))
    file_handler._sage_sync = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if console:
        stream = _CurrentStderrHandler()
        stream.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
        stream.setLevel(console_level)
        # Errors the command line already printed in plain words go to the file only.
        stream.addFilter(lambda record: not getattr(record, "shown_to_user", False))
        stream._sage_sync = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    root.setLevel(level)
    # urllib3 logs full URLs at DEBUG; keep it quiet unless asked.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
