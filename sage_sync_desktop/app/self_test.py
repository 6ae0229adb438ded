"""The checks behind `--self-test`: does this installation (usually the frozen app) work here?

Each check runs on its own, so one broken part never hides the others; each result says what
worked, what did not and what to do. Qt's check lives in gui/ (the only place that imports
PySide6) and is passed in by the command; cli/self_test_output.py prints and saves the report.
"""

from __future__ import annotations

import json
import logging
import ssl
import struct
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sage_sync_desktop import __version__
from sage_sync_desktop.app_info import APP_NAME
from sage_sync_desktop.logging_setup import register_secret
from sage_sync_desktop.secret_store import SecretStore

logger = logging.getLogger(__name__)

TIMBERLINE_DRIVER = "Timberline Data"
BUILD_INFO_NAME = "build-info.json"

OK, FAIL, NOTE = "OK", "FAIL", "NOTE"
_ODBC_DRIVERS_KEY = r"SOFTWARE\ODBC\ODBCINST.INI\ODBC Drivers"


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # OK, FAIL or NOTE (information that never fails the test)
    detail: str
    fix: str = ""


def build_arch() -> str:
    """The installer architecture this process belongs to: "x64" or "x86"."""
    return "x64" if struct.calcsize("P") == 8 else "x86"


def installer_name(arch: str) -> str:
    return f"{APP_NAME}-{__version__}-{arch}-setup.exe"


def run_checks(secrets: SecretStore, *,
               qt_check: Callable[[], CheckResult | str] | None = None) -> list[CheckResult]:
    """Every check, in report order; `qt_check` first when the caller has one."""
    results: list[CheckResult] = []
    if qt_check is not None:
        results.append(_guarded("Qt", qt_check))
    results.extend(_guarded_many("ODBC", check_odbc))
    results.append(_guarded("Credential store", lambda: check_credential_store(secrets)))
    results.append(_guarded("TLS certificates", check_tls_certificates))
    results.append(_guarded("Sample company", check_sample_company))
    results.append(_guarded("Procore sandbox", check_sandbox))
    return results


def _guarded(name: str, check: Callable[[], CheckResult | str]) -> CheckResult:
    """Run one check; any exception becomes a FAIL line instead of ending the self-test."""
    try:
        outcome = check()
    except Exception as exc:  # noqa: BLE001 - the report must name whatever went wrong
        return _failure(name, exc)
    if isinstance(outcome, CheckResult):
        return outcome
    return CheckResult(name, OK, outcome)


def _guarded_many(name: str, check: Callable[[], list[CheckResult]]) -> list[CheckResult]:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - reported the same way as a single check
        return [_failure(name, exc)]


def _failure(name: str, exc: Exception) -> CheckResult:
    logger.error("self-test %s failed", name, exc_info=exc)
    if isinstance(exc, ModuleNotFoundError):
        return CheckResult(name, FAIL, f"module {exc.name} is not in this build",
                           fix="Rebuild with build_installer.spec, or reinstall.")
    return CheckResult(name, FAIL, f"{type(exc).__name__}: {exc}")


def build_info() -> dict[str, Any]:
    """What build_installer.spec recorded about this freeze; {} when running from source."""
    try:
        text = (resources.files("sage_sync_desktop") / "assets" / BUILD_INFO_NAME).read_text(
            encoding="utf-8")
    except (FileNotFoundError, OSError):
        return {}
    info: dict[str, Any] = json.loads(text)
    return info


def check_odbc() -> list[CheckResult]:
    from sage_sync_desktop.sage.odbc_connection import list_odbc_drivers

    drivers = list_odbc_drivers()
    arch = build_arch()
    bits = "64" if arch == "x64" else "32"
    other_arch = "x86" if arch == "x64" else "x64"
    listed = ", ".join(drivers) if drivers else "none"
    results = [CheckResult("ODBC", OK, f"pyodbc loaded; {len(drivers)} {bits}-bit driver(s): {listed}")]
    if TIMBERLINE_DRIVER in drivers:
        results.append(CheckResult(
            "Timberline driver", OK,
            f"'{TIMBERLINE_DRIVER}' is installed as a {bits}-bit driver, usable by this {arch} build",
        ))
    elif TIMBERLINE_DRIVER in _drivers_of_other_bitness() and _bundled_bridge() is not None:
        results.append(CheckResult(
            "Timberline driver", OK,
            f"'{TIMBERLINE_DRIVER}' is a 32-bit driver; this x64 install reads it through its "
            "bundled 32-bit bridge (x86\\sage-sync.exe)",
            fix='Keep "odbc_bridge": "auto" in the sage settings.',
        ))
    elif TIMBERLINE_DRIVER in _drivers_of_other_bitness():
        results.append(CheckResult(
            "Timberline driver", FAIL,
            f"'{TIMBERLINE_DRIVER}' is installed only as a {64 if bits == '32' else 32}-bit driver; "
            f"this {bits}-bit build cannot load it",
            fix=f"Uninstall this build and install {installer_name(other_arch)}.",
        ))
    else:
        results.append(CheckResult(
            "Timberline driver", NOTE,
            f"'{TIMBERLINE_DRIVER}' is not installed on this machine; it is needed only where "
            "the app reads Sage 300 CRE",
        ))
    results.append(check_bridge())
    results.append(CheckResult(
        "Bitness", NOTE,
        f"this is the {bits}-bit ({arch}) build. The Timberline Data ODBC driver is usually "
        "32-bit, and an app can only load drivers of its own bitness: the x64 install reads a "
        "32-bit driver through its bundled 32-bit bridge (sage.odbc_bridge \"auto\"); "
        f"{installer_name('x86')} is the command line alone, 32-bit",
    ))
    return results


def _bundled_bridge() -> Path | None:
    from sage_sync_desktop.sage.odbc_bridge import bundled_bridge

    return bundled_bridge()


def check_bridge(bridge: Path | None = None) -> CheckResult:
    """The 32-bit ODBC bridge shipped in the x64 install answers (x86\\sage-sync.exe --version)."""
    bridge = bridge or _bundled_bridge()
    if bridge is None:
        return CheckResult("32-bit bridge", NOTE, "not part of this build (only the x64 Windows "
                           "install carries one, for 32-bit Timberline drivers)")
    try:
        answer = subprocess.run([str(bridge), "--version"], capture_output=True, text=True,
                                timeout=60, creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult("32-bit bridge", FAIL, f"{bridge} did not start: {exc}",
                           fix="Reinstall Sage Sync Desktop; the x86 folder is incomplete.")
    if answer.returncode != 0 or __version__ not in answer.stdout:
        return CheckResult("32-bit bridge", FAIL,
                           f"{bridge} answered {answer.stdout.strip() or answer.returncode!r}, "
                           f"not version {__version__}",
                           fix="Reinstall Sage Sync Desktop so the bridge matches the app.")
    return CheckResult("32-bit bridge", OK, f"{bridge} {__version__} answers; 32-bit ODBC "
                       'drivers are read through it when sage.odbc_bridge is "auto"')


def _drivers_of_other_bitness() -> list[str]:
    """ODBC drivers registered for the other bitness (Windows keeps two registry views)."""
    if sys.platform != "win32":
        return []
    import winreg

    view = winreg.KEY_WOW64_32KEY if build_arch() == "x64" else winreg.KEY_WOW64_64KEY
    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, _ODBC_DRIVERS_KEY, 0, winreg.KEY_READ | view)
    except OSError:
        return []
    names = []
    with key:
        index = 0
        while True:
            try:
                name, _value, _type = winreg.EnumValue(key, index)
            except OSError:
                break
            names.append(name)
            index += 1
    return names


def check_credential_store(secrets: SecretStore) -> CheckResult | str:
    backend = secrets.backend_name
    if not secrets.is_usable():
        return CheckResult(
            "Credential store", FAIL, f"no usable keyring backend (found {backend})",
            fix="On Windows, Credential Manager must be available to this user; on Linux, a "
            "Secret Service (e.g. gnome-keyring) must be running.",
        )
    # A real round trip: a backend can be found yet unusable in a frozen app (a missing module).
    name = f"self-test-{uuid.uuid4().hex}"
    probe = f"probe-{uuid.uuid4().hex}"
    register_secret(probe)
    secrets.set(name, probe)
    try:
        read_back = secrets.get(name)
    finally:
        secrets.delete(name)
    if read_back != probe:
        return CheckResult("Credential store", FAIL,
                           f"{backend} did not return the value just saved")
    if secrets.get(name) is not None:
        return CheckResult("Credential store", FAIL, f"{backend} did not delete the test entry")
    return f"{backend}: save, read and delete worked"


def check_tls_certificates() -> CheckResult | str:
    import certifi  # requests verifies Procore's certificate against this bundle

    bundle = Path(certifi.where())
    if not bundle.is_file():
        return CheckResult("TLS certificates", FAIL, f"the CA bundle {bundle} is missing",
                           fix="Reinstall: the bundle ships inside the app.")
    context = ssl.create_default_context(cafile=str(bundle))
    authorities = context.cert_store_stats()["x509_ca"]
    if authorities < 10:
        return CheckResult("TLS certificates", FAIL,
                           f"the CA bundle {bundle} holds only {authorities} certificates")
    system = ssl.create_default_context().cert_store_stats()["x509_ca"]
    return (f"CA bundle {bundle.name} present with {authorities} authorities; "
            f"system store: {system} authorities")


def check_sample_company() -> str:
    from sage_sync_desktop.sage.odbc_connection import connect_sqlite_file
    from sage_sync_desktop.sage.sage_reader import SageReader
    from sage_sync_desktop.demo.sample_company import generate_sample_company
    from sage_sync_desktop.sage.table_mapping import TableMapping

    with tempfile.TemporaryDirectory(prefix="sage-sync-self-test-", ignore_cleanup_errors=True) as tmp:
        database = Path(tmp) / "sample-company.db"
        generate_sample_company(database)
        reader = SageReader(lambda: connect_sqlite_file(database), TableMapping.preset("legacy"))
        company = reader.read_company()
    items = sum(len(contract.items) for contract in company.contracts)
    if not company.contracts or not items:
        raise RuntimeError(f"read back {len(company.contracts)} contracts and {items} items")
    return (f"generated and read back {len(company.jobs)} jobs, {len(company.contracts)} "
            f"contracts, {items} contract items")


def check_sandbox() -> str:
    from sage_sync_desktop.sandbox.server import ProcoreSandbox

    sandbox = ProcoreSandbox()
    sandbox.start()
    try:
        register_secret(sandbox.client_secret)
        base, company_id = sandbox.url.rstrip("/"), sandbox.company_id
        form = urllib.parse.urlencode({
            "grant_type": "client_credentials",
            "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret,
        }).encode()
        token = _http_json(urllib.request.Request(f"{base}/oauth/token", data=form))["access_token"]
        register_secret(token)
        request = urllib.request.Request(f"{base}/rest/v1.0/companies", headers={
            "Authorization": f"Bearer {token}", "Procore-Company-Id": str(company_id)})
        companies = _http_json(request)
    finally:
        sandbox.stop()
    ids = [company.get("id") for company in companies]
    if company_id not in ids:
        raise RuntimeError(f"the sandbox's company {company_id} is not among {ids}")
    host = urllib.parse.urlsplit(base).netloc
    return f"started on {host}, issued a token and listed {len(companies)} company(ies)"


def _http_json(request: urllib.request.Request) -> Any:
    # The sandbox is plain HTTP on 127.0.0.1; this only proves it answers like Procore does.
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - local sandbox
        return json.loads(response.read().decode("utf-8"))
