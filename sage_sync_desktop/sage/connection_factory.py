"""How the app reaches Sage over ODBC for given settings: directly, or through the 32-bit bridge.

`sage.odbc_bridge`: "" loads the driver in this process; "auto" does too, and when the driver
or DSN is unavailable to this (64-bit) process falls back to the bridge bundled with the x64
install (x86\\sage-sync.exe); a path is accepted only when it is that installed bridge.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from sage_sync_desktop import secret_store
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.sage import connection_string as cs
from sage_sync_desktop.sage import odbc_bridge
from sage_sync_desktop.sage.odbc_bridge import bridge_command, connect_via_bridge
from sage_sync_desktop.sage.odbc_connection import DriverUnavailable, connect_odbc

logger = logging.getLogger(__name__)


def sage_password_secret(sage_settings: Any) -> str:
    """The credential-store name of the password for this Sage connection (and user)."""
    return secret_store.scoped(
        secret_store.SAGE_PASSWORD,
        cs.scope(sage_settings.connection_string, sage_settings.user),
    )


def only_the_bundled_bridge(value: str) -> Path:
    """The bridge a settings path names, if it is the one installed with this app; else an error.

    The bridge receives the Sage password, so the settings file must not be a way to run any
    other program with it.
    """
    bundled = odbc_bridge.bundled_bridge()
    try:
        named = Path(value).resolve()
    except (OSError, RuntimeError, ValueError):
        named = None
    if bundled is not None and named is not None and named == bundled.resolve():
        return bundled
    raise ConfigurationError(
        f"sage.odbc_bridge names {value!r}, which is not the 32-bit bridge installed with this app; "
        "the app starts no other program with the Sage password.",
        fix='Set sage.odbc_bridge to "auto" (the installed bridge when the driver needs it) or "" '
        f"(never), or to the installed {odbc_bridge.BRIDGE_EXE_NAME} in the app's x86 folder.",
    )


def connect_per_settings(sage: Any, conn_str: str, secrets: secret_store.SecretStore,
                         secret_name: str) -> Any:
    """Direct ODBC, or through the 32-bit bridge as sage.odbc_bridge says ("" / "auto" / a path)."""
    password = secrets.get(secret_name)
    user = sage.user or None
    timeout = sage.login_timeout_seconds
    bridge = (getattr(sage, "odbc_bridge", "") or "").strip()
    if bridge and bridge.lower() != "auto":
        return connect_via_bridge(bridge_command(only_the_bundled_bridge(bridge)), conn_str, password=password,
                                  login_timeout=timeout, user=user)
    try:
        return connect_odbc(conn_str, password=password, login_timeout=timeout, user=user)
    except DriverUnavailable as exc:
        if not bridge:
            raise
        bundled = odbc_bridge.bundled_bridge()
        if bundled is None and not getattr(sys, "frozen", False):
            raise  # running from source: there is no installed bridge to point at
        if bundled is None:
            raise DriverUnavailable(
                exc.message,
                fix=f"sage.odbc_bridge is \"auto\" but no 32-bit bridge ({odbc_bridge.BRIDGE_EXE_NAME} in "
                "the x86 folder) is installed next to this app: reinstall it with the x64 installer. "
                + exc.fix,
                detail=exc.detail,
            ) from None
        logger.info("%s Reading Sage through the 32-bit bridge %s.", exc.message, bundled)
        return connect_via_bridge(bridge_command(bundled), conn_str, password=password,
                                  login_timeout=timeout, user=user)
