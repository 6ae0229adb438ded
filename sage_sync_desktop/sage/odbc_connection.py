"""Read-only connections to Sage: ODBC (the only module that imports pyodbc) and the demo's sqlite3.

Every statement passes `sql_guard.check_select_only` before it reaches a driver, so nothing but
a single SELECT is ever sent to Sage. Driver errors become `SageError`s whose message says what
to do; passwords never appear in them (the password is registered for log redaction before the
driver sees it, and driver text is redacted before it is kept).
"""

from __future__ import annotations

import logging
import sqlite3
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyodbc

from sage_sync_desktop import __version__
from sage_sync_desktop.app_info import APP_NAME
from sage_sync_desktop.errors import SageError
from sage_sync_desktop.logging_setup import redact, register_secret
from sage_sync_desktop.sage import connection_string as cs
from sage_sync_desktop.sage.sql_guard import check_select_only

logger = logging.getLogger(__name__)

APP_BITS = struct.calcsize("P") * 8
_ODBC_ADMIN_32 = r"C:\Windows\SysWOW64\odbcad32.exe"
_BRIDGE_ADVICE = ('Set sage.odbc_bridge to "auto": the x64 app then reads the 32-bit driver through '
                  "its bundled 32-bit bridge (x86\\sage-sync.exe).")


def list_odbc_drivers() -> list[str]:
    """Drivers this process (with its 32- or 64-bit architecture) can load."""
    try:
        return list(pyodbc.drivers())
    except pyodbc.Error:
        return []


def list_odbc_data_sources() -> dict[str, str]:
    """DSN name -> driver, as this process's architecture sees them."""
    try:
        return dict(pyodbc.dataSources())
    except pyodbc.Error:
        return {}


class DriverUnavailable(SageError):
    """The driver or DSN cannot be loaded by this process (missing, or built for the other
    architecture). With sage.odbc_bridge = "auto" the 64-bit app then tries its 32-bit bridge."""


class ReadOnlyCursor:
    """A driver cursor whose fetch errors come back as SageError."""

    __slots__ = ("_cursor", "_connection", "_sql")

    def __init__(self, cursor: Any, connection: ReadOnlyConnection, sql: str) -> None:
        self._cursor = cursor
        self._connection = connection
        self._sql = sql

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchmany(self, size: int) -> list[Any]:
        try:
            rows: list[Any] = self._cursor.fetchmany(size)
            return rows
        except self._connection.driver_errors as exc:
            raise self._connection.query_error(exc, self._sql) from None

    def fetchall(self) -> list[Any]:
        try:
            rows: list[Any] = self._cursor.fetchall()
            return rows
        except self._connection.driver_errors as exc:
            raise self._connection.query_error(exc, self._sql) from None

    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone()
        except self._connection.driver_errors as exc:
            raise self._connection.query_error(exc, self._sql) from None

    def close(self) -> None:
        try:
            self._cursor.close()
        except self._connection.driver_errors:
            pass  # closing a cursor whose connection already dropped: nothing left to free

    def __enter__(self) -> ReadOnlyCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReadOnlyConnection:
    """A connection that only runs single SELECT statements. Use as a context manager."""

    def __init__(self, raw: Any, *, source: str, driver_errors: tuple[type[BaseException], ...]) -> None:
        self._raw = raw
        #: where the data comes from, safe to show (no password)
        self.source = source
        self.driver_errors = driver_errors

    def execute(self, sql: str, params: Sequence[Any] = ()) -> ReadOnlyCursor:
        check_select_only(sql)
        logger.debug("Sage query (%s): %s", self.source, sql)
        try:
            cursor = self._raw.cursor()
            if params:
                cursor.execute(sql, tuple(params))
            else:
                cursor.execute(sql)
        except self.driver_errors as exc:
            raise self.query_error(exc, sql) from None
        return ReadOnlyCursor(cursor, self, sql)

    def query_error(self, exc: BaseException, sql: str) -> SageError:
        state, text = _error_parts(exc)
        return SageError(
            f"Sage refused a query ({text[:200]}).",
            fix="Run `sage-sync-desktop check-sage` to see which table or column is missing.",
            detail=f"{state} {text} -- {sql}".strip(),
        )

    def close(self) -> None:
        try:
            self._raw.close()
        except self.driver_errors:
            pass  # already closed or dropped by the driver

    def __enter__(self) -> ReadOnlyConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect_odbc(connection_string: str, *, password: str | None, login_timeout: int,
                 user: str | None = None) -> ReadOnlyConnection:
    """Open an ODBC connection with autocommit (the Timberline driver has no transactions).

    `user` is added as UID when the string has none; `password` as PWD. Text columns are
    decoded as cp1252 when the string says CODEPAGE=1252, as Timberline's does.
    """
    register_secret(password)
    check_database_path(connection_string)
    full = cs.with_credentials(connection_string, user=user, password=password)
    shown = cs.redacted(full)
    logger.info("Connecting to Sage over ODBC: %s", shown)
    try:
        raw = pyodbc.connect(full, autocommit=True, timeout=max(0, int(login_timeout)))
    except pyodbc.Error as exc:
        raise _connect_error(exc, connection_string, login_timeout) from None
    if (cs.get(connection_string, "CODEPAGE") or "").strip() == "1252":
        raw.setdecoding(pyodbc.SQL_CHAR, encoding="cp1252")
    return ReadOnlyConnection(raw, source=f"ODBC {_target(connection_string)}", driver_errors=(pyodbc.Error,))


def check_database_path(connection_string: str) -> None:
    """Refuse a file-based database path that does not exist, before the driver sees it: SQLite's
    driver would create an empty file there (and every table would then look missing), and a
    missing Timberline data folder would be reported as a driver or login problem."""
    database = (cs.get(connection_string, "Database") or "").strip()
    if database and not (cs.get(connection_string, "DSN") or "").strip():
        path = Path(database)
        if not path.is_file():
            folder = "its folder exists" if path.parent.is_dir() else f"its folder {path.parent} does not exist either"
            raise SageError(
                f"The Sage database file {path} (Database= in sage.connection_string) does not exist; {folder}.",
                fix="Correct the path after Database= (for Sage's Timberline driver the company data folder "
                "goes in DBQ= instead). Nothing was created.",
            )
    folder_text = (cs.get(connection_string, "DBQ") or "").strip()
    driver = (cs.get(connection_string, "DRIVER") or "").strip().strip("{}")
    # Only once the driver is there: a missing driver is the first thing to fix, and says so.
    if folder_text and driver and driver in list_odbc_drivers():
        folder_path = Path(folder_text)
        if not folder_path.is_dir():
            raise SageError(
                f"The Sage data folder {folder_text} (DBQ= in sage.connection_string) does not exist "
                "or this Windows user cannot open it.",
                fix="Correct DBQ= to the company's data folder (e.g. \\\\SERVER\\TIMBERLINE OFFICE\\Data\\"
                "Company\\) and check this user can open that share.",
            )


def connect_sqlite_file(path: Path) -> ReadOnlyConnection:
    """Open a Sage-shaped SQLite file read-only with Python's sqlite3 (the demo: no driver needed)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise SageError(
            f"The Sage sample database {path} does not exist.",
            fix="Create it with `sage-sync-desktop sample-company PATH` or fix sage.connection_string.",
        )
    try:
        raw = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        raw.execute("PRAGMA query_only = ON")  # a second lock behind the guard
    except sqlite3.Error as exc:
        raise SageError(f"Cannot open the Sage sample database {path}.", detail=str(exc)) from None
    return ReadOnlyConnection(raw, source=f"SQLite file {path}", driver_errors=(sqlite3.Error,))


def _error_parts(exc: BaseException) -> tuple[str, str]:
    args: tuple[Any, ...] = getattr(exc, "args", ())
    if len(args) >= 2 and isinstance(args[0], str):
        return args[0], redact(str(args[1]))
    return "", redact(str(exc))


def _target(connection_string: str) -> str:
    dsn = cs.get(connection_string, "DSN")
    if dsn:
        return f"DSN {dsn}"
    driver = cs.get(connection_string, "DRIVER") or "?"
    where = cs.get(connection_string, "DBQ") or cs.get(connection_string, "Database") or ""
    return f"driver {driver}" + (f", {where}" if where else "")


def _other_installer() -> str:
    """The installer of the other build, named as packaging names it."""
    return f"{APP_NAME}-{__version__}-{'x86' if APP_BITS == 64 else 'x64'}-setup.exe"


def _connect_error(exc: pyodbc.Error, connection_string: str, login_timeout: int) -> SageError:
    state, text = _error_parts(exc)
    lower = text.lower()
    detail = f"{state} {text}".strip()
    dsn = cs.get(connection_string, "DSN")
    driver = cs.get(connection_string, "DRIVER") or cs.TIMBERLINE_DRIVER
    folder = cs.get(connection_string, "DBQ") or cs.get(connection_string, "Database") or ""
    if state == "IM014" or "architecture mismatch" in lower:
        if APP_BITS == 64:
            fix = (f"Sage's Timberline Data driver is normally 32-bit. {_BRIDGE_ADVICE} Or install the "
                   f"32-bit (x86) build ({_other_installer()}), which has no window.")
        else:
            fix = (f"Install the 64-bit (x64) build of Sage Sync Desktop ({_other_installer()}), or "
                   "make the DSN in the 32-bit ODBC administrator for a 32-bit driver.")
        return DriverUnavailable(
            f"Architecture mismatch: this is the {APP_BITS}-bit build of Sage Sync Desktop and "
            f"the ODBC driver behind {'DSN ' + dsn if dsn else driver} is not.",
            fix=fix,
            detail=detail,
        )
    if state == "IM002" or "can't open lib" in lower or ("not found" in lower and (
            "driver" in lower or "data source" in lower)):
        seen = ", ".join(list_odbc_drivers()) or "none"
        what = f"The ODBC data source {dsn!r}" if dsn else f"The ODBC driver {driver!r}"
        if APP_BITS == 64:
            fix = (f"Sage's Timberline Data driver is normally 32-bit, so a 64-bit program cannot "
                   f"see it or a DSN made in the 32-bit ODBC administrator ({_ODBC_ADMIN_32}). "
                   f"{_BRIDGE_ADVICE} Or install the 32-bit (x86) build ({_other_installer()}), "
                   "which has no window.")
        else:
            fix = ("Install the Sage 300 CRE workstation (it installs the Timberline Data driver) "
                   "and check the DSN name in the 32-bit ODBC administrator.")
        return DriverUnavailable(
            f"{what} is not installed for {APP_BITS}-bit programs (drivers this {APP_BITS}-bit "
            f"app can see: {seen}).",
            fix=fix,
            detail=detail,
        )
    if state.startswith("28") or any(w in lower for w in (
            "invalid account", "password", "login failed", "authentication", "not authorized")):
        return SageError(
            "Sage refused the sign-in (user name or password).",
            fix="Check the Sage user (UID / sage.user) and the password saved in the app; the "
            "user needs a Sage role that allows ODBC (Security Administration, e.g. "
            "'ODBC Service User'). Sage user names and passwords are case-sensitive.",
            detail=detail,
        )
    if state in ("HYT00", "HYT01") or "timeout" in lower or "timed out" in lower:
        return SageError(
            f"Sage did not answer within {login_timeout} seconds.",
            fix="Check that the Sage server and its database services are running, or raise "
            "sage.login_timeout_seconds.",
            detail=detail,
        )
    if any(w in lower for w in ("path", "folder", "directory", "unable to open", "connect failed",
                                "cannot open", "no such file", "does not exist")):
        return SageError(
            f"The Sage data folder {folder!r} cannot be opened.",
            fix="Check DBQ in sage.connection_string: it must be the company's data folder "
            r"(e.g. \\SERVER\TIMBERLINE OFFICE\Data\Company\) and this Windows user must be "
            "able to open it.",
            detail=detail,
        )
    return SageError(
        f"Cannot connect to Sage ({text[:200]}).",
        fix="Check sage.connection_string and that Sage 300 CRE is reachable from this machine.",
        detail=detail,
    )
