"""Read a 32-bit ODBC driver from the 64-bit app through a 32-bit child process.

Sage's Timberline Data driver is normally 32-bit and a 64-bit process cannot load it, while the
window (Qt) exists only for 64-bit Windows. So the x64 app starts the bundled 32-bit console
program (`x86\\sage-sync.exe odbc-bridge`), which opens the ODBC connection and answers queries
over its stdin/stdout, one JSON object per line:

    {"op": "connect", "connection_string", "password", "login_timeout", "user"} -> {"ok", "source"}
    {"op": "execute", "sql", "params"} -> {"ok", "description": [[name, type name], ...]}
    {"op": "fetchmany", "n"} -> {"rows": [[value, ...], ...]}
    {"op": "close_cursor"} -> {"ok"};  {"op": "close"} -> {"ok"} and the child exits
    any failure -> {"error": {"class", "message", "fix", "detail"}}  (never a secret)

Values keep their types: Decimal as {"$d": "12.30"}, date {"$date": ...}, datetime {"$dt": ...},
time {"$time": ...}, bytes {"$b": hex}; str, int, float, bool and None as plain JSON. The
password travels only through the child's stdin pipe, never its command line or environment.
Both sides run the read-only guard: nothing but a single SELECT reaches the driver.
"""

from __future__ import annotations

import json
import logging
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from sage_sync_desktop import errors
from sage_sync_desktop.logging_setup import redact, register_secret
from sage_sync_desktop.sage.odbc_connection import APP_BITS, DriverUnavailable, connect_odbc
from sage_sync_desktop.sage.sql_guard import check_select_only

logger = logging.getLogger(__name__)

BRIDGE_SUBCOMMAND = "odbc-bridge"
BRIDGE_EXE_NAME = "sage-sync.exe"
FETCH_ROWS = 2000
# Process start-up plus the driver's own login timeout; then generous time per batch, since a
# slow Timberline data folder can take long for one batch but should never hang for ever.
_START_SECONDS = 30.0
_ANSWER_SECONDS = 600.0
_EOF = object()


def bundled_bridge() -> Path | None:
    """The 32-bit bridge shipped inside the x64 Windows install, if this is that install."""
    if sys.platform != "win32" or APP_BITS != 64 or not getattr(sys, "frozen", False):
        return None
    candidate = Path(sys.executable).resolve().parent / "x86" / BRIDGE_EXE_NAME
    return candidate if candidate.is_file() else None


def bridge_command(executable: str | Path) -> list[str]:
    """The command line that starts a bridge: the program and the hidden subcommand, no secrets."""
    return [str(executable), BRIDGE_SUBCOMMAND]


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": bytes(value).hex()}
    return str(value)  # UUIDs and other driver oddities: their text


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        (tag, raw), = obj.items()
        if tag == "$d":
            return Decimal(raw)
        if tag == "$date":
            return date.fromisoformat(raw)
        if tag == "$dt":
            return datetime.fromisoformat(raw)
        if tag == "$time":
            return time.fromisoformat(raw)
        if tag == "$b":
            return bytes.fromhex(raw)
    return obj


def encode_line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, default=_encode, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"


def decode_line(line: bytes) -> Any:
    return json.loads(line.decode("utf-8", "surrogatepass"), object_hook=_decode)


def _error_answer(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, errors.SageSyncError):
        return {"error": {"class": type(exc).__name__, "message": redact(exc.message),
                          "fix": redact(exc.fix), "detail": redact(exc.detail)}}
    return {"error": {"class": "SageError", "message": f"The 32-bit Sage bridge failed ({type(exc).__name__}).",
                      "fix": "", "detail": redact(str(exc))}}


# ---------------------------------------------------------------------------------------------
# Child side: `sage-sync-desktop odbc-bridge`


def serve(instream: BinaryIO, outstream: BinaryIO) -> int:
    """Answer requests until "close" or end of input. Returns the process exit code."""
    connection = None
    cursor = None

    def answer(message: dict[str, Any]) -> None:
        outstream.write(encode_line(message))
        outstream.flush()

    try:
        for line in instream:
            if not line.strip():
                continue
            try:
                request = decode_line(line)
                op = request.get("op")
                if op == "connect":
                    register_secret(request.get("password"))
                    connection = connect_odbc(
                        request["connection_string"], password=request.get("password"),
                        login_timeout=int(request.get("login_timeout", 15)), user=request.get("user"))
                    answer({"ok": True, "source": connection.source, "bits": APP_BITS})
                elif op == "execute":
                    if connection is None:
                        raise errors.SageError("The bridge has no Sage connection yet.")
                    if cursor is not None:
                        cursor.close()
                        cursor = None
                    cursor = connection.execute(request["sql"], tuple(request.get("params") or ()))
                    description = [[d[0], getattr(d[1], "__name__", None)] for d in cursor.description or ()]
                    answer({"ok": True, "description": description})
                elif op == "fetchmany":
                    if cursor is None:
                        raise errors.SageError("The bridge has no open query.")
                    answer({"rows": [tuple(row) for row in cursor.fetchmany(int(request.get("n", FETCH_ROWS)))]})
                elif op == "close_cursor":
                    if cursor is not None:
                        cursor.close()
                        cursor = None
                    answer({"ok": True})
                elif op == "close":
                    answer({"ok": True})
                    return 0
                else:
                    raise errors.SageError(f"The bridge does not know the request {op!r}.")
            except Exception as exc:  # every failure goes back to the parent as an answer
                answer(_error_answer(exc))
        return 0
    finally:
        if cursor is not None:
            cursor.close()
        if connection is not None:
            connection.close()


def log_to_stderr_only() -> None:
    """In the child, leave the log file to the parent app: warnings go to stderr, which the
    parent keeps and writes to its own log if the bridge fails."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)
            handler.close()


# ---------------------------------------------------------------------------------------------
# Parent side


class BridgeCursor:
    """The cursor of a query running in the bridge child."""

    def __init__(self, connection: BridgeConnection, sql: str, description: list[list[Any]]) -> None:
        self._connection = connection
        self._sql = sql
        self._open = True
        self.description = tuple((name, type_name, None, None, None, None, True)
                                 for name, type_name in description)

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        answer = self._connection.request({"op": "fetchmany", "n": int(size)})
        return [tuple(row) for row in answer["rows"]]

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        while batch := self.fetchmany(FETCH_ROWS):
            rows.extend(batch)
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        batch = self.fetchmany(1)
        return batch[0] if batch else None

    def close(self) -> None:
        if self._open and self._connection.alive:
            self._open = False
            try:
                self._connection.request({"op": "close_cursor"})
            except errors.SageError:
                pass  # the bridge is gone; nothing left to close

    def __enter__(self) -> BridgeCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BridgeConnection:
    """A ReadOnlyConnection whose driver runs in a 32-bit child process."""

    def __init__(self, command: Sequence[str]) -> None:
        self._stderr = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(
                list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                # No console window flashing up when the windowed app starts the console bridge.
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError as exc:
            self._stderr.close()
            raise errors.SageError(
                f"Cannot start the 32-bit Sage bridge {command[0]}.",
                fix="Reinstall Sage Sync Desktop (the x64 installer ships it in the x86 folder), or "
                "check sage.odbc_bridge.",
                detail=str(exc),
            ) from None
        self._answers: queue.Queue[Any] = queue.Queue()
        self._reader = threading.Thread(target=self._read_answers, name="sage-bridge-reader", daemon=True)
        self._reader.start()
        self.source = "ODBC through the 32-bit bridge"

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def _read_answers(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        for line in stdout:
            self._answers.put(line)
        self._answers.put(_EOF)

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            return redact(self._stderr.read()[-2000:].decode("utf-8", "replace"))
        except (OSError, ValueError):
            return ""

    def request(self, message: dict[str, Any], *, timeout: float = _ANSWER_SECONDS) -> dict[str, Any]:
        if not self.alive:
            raise self._died()
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(encode_line(message))
            self._process.stdin.flush()
        except OSError:
            raise self._died() from None
        try:
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            self._process.kill()
            raise errors.SageError(
                f"The 32-bit Sage bridge did not answer within {int(timeout)} seconds; it was stopped.",
                fix="Check that the Sage server is reachable, then try again.",
                detail=self._stderr_tail(),
            ) from None
        if line is _EOF:
            raise self._died()
        answer: dict[str, Any] = decode_line(line)
        if "error" in answer:
            raise _rebuild_error(answer["error"])
        return answer

    def _died(self) -> errors.SageError:
        try:
            code = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        tail = self._stderr_tail()
        logger.error("The Sage bridge stopped (exit code %s): %s", code, tail)
        return errors.SageError(
            f"The 32-bit Sage bridge stopped unexpectedly (exit code {code}); the read was abandoned "
            "and nothing was changed.",
            fix="Try again; if it keeps happening, run `x86\\sage-sync.exe check-sage` to see the driver's "
            "own error.",
            detail=tail,
        )

    def connect(self, connection_string: str, *, password: str | None, login_timeout: int,
                user: str | None) -> BridgeConnection:
        register_secret(password)
        answer = self.request({"op": "connect", "connection_string": connection_string,
                               "password": password, "login_timeout": login_timeout, "user": user},
                              timeout=_START_SECONDS + max(0, login_timeout))
        self.source = f"{answer.get('source', 'ODBC')} (through the {answer.get('bits', 32)}-bit bridge)"
        return self

    def execute(self, sql: str, params: Sequence[Any] = ()) -> BridgeCursor:
        check_select_only(sql)
        answer = self.request({"op": "execute", "sql": sql, "params": list(params)})
        return BridgeCursor(self, sql, answer.get("description", []))

    def close(self) -> None:
        if self.alive:
            try:
                self.request({"op": "close"}, timeout=10)
            except errors.SageError:
                pass  # already failing; it is stopped below
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()

    def __enter__(self) -> BridgeConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_ERROR_CLASSES: dict[str, type[errors.SageError]] = {
    "SageReadOnlyViolation": errors.SageReadOnlyViolation,
    "DriverUnavailable": DriverUnavailable,
}


def _rebuild_error(raw: dict[str, Any]) -> errors.SageError:
    cls = _ERROR_CLASSES.get(raw.get("class", ""), errors.SageError)
    return cls(raw.get("message") or "The 32-bit Sage bridge reported an error.",
               fix=raw.get("fix") or "", detail=raw.get("detail") or "")


def connect_via_bridge(command: Sequence[str], connection_string: str, *, password: str | None,
                       login_timeout: int, user: str | None = None) -> BridgeConnection:
    """Start the bridge (`command` is its argv, without secrets) and open the ODBC connection in it."""
    bridge = BridgeConnection(command)
    try:
        return bridge.connect(connection_string, password=password, login_timeout=login_timeout, user=user)
    except BaseException:
        bridge.close()
        raise
