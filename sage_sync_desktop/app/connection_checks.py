"""The blocking work behind Settings and the first-run setup (runs on the TaskRunner, no Qt).

Each function takes settings and the secret store as objects and returns plain values for the
page to show, in words a Sage administrator can act on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sage_sync_desktop.errors import ConfigurationError, SageSyncError
from sage_sync_desktop.logging_setup import register_secret
from sage_sync_desktop.app.wiring import build_client_from_settings, build_sign_in
from sage_sync_desktop.procore import oauth, oauth_login
from sage_sync_desktop.procore.permissions import ERP_INTEGRATIONS, PRIME_CONTRACTS, AccessLevel
from sage_sync_desktop.procore.records import SignedInUser
from sage_sync_desktop.sage import odbc_connection
from sage_sync_desktop.sage.sage_reader import SageReader, sage_password_secret
from sage_sync_desktop.sage.schema_probe import SchemaReport, probe_schema
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.sync.procore_snapshot import erp_standing

logger = logging.getLogger(__name__)

PROJECTS_CHECKED = 5  # permission look-ups are one request each; a sample is enough here


def setup_unfinished_because(*, sage_tested: bool, procore_signed_in: bool, later: bool) -> str:
    """Why the first-run set-up cannot finish yet ("" when it can): both connections tested OK,
    or the user chose to set up later. Worded with the buttons on screen."""
    if later:
        return ""
    missing = []
    if not sage_tested:
        missing.append("press Test connection on the Sage 300 CRE page until it finds your data")
    if not procore_signed_in:
        missing.append("press Sign in on the Procore page and choose your company")
    if not missing:
        return ""
    return "To finish: " + "; ".join(missing) + ". Or tick 'Set up later'."


def save_pages(context: Any, settings: Settings, *pages: Any) -> tuple[Settings | None, str]:
    """Apply each settings page to `settings` in turn, validate, and write the file.
    (the saved settings, "") or (None, why in plain words) when a value is refused."""
    try:
        for page in pages:
            settings = page.apply(settings)
        settings.validate("settings")
        context.save_settings(settings)
    except (SageSyncError, ValueError, OSError) as exc:
        return None, plain_error(exc)
    return settings, ""


def odbc_data_sources() -> dict[str, str]:
    """Installed ODBC data sources (name -> driver); the driver manager can be slow to answer."""
    return odbc_connection.list_odbc_data_sources()


def save_sage_password(settings: Settings, secrets: SecretStore, password: str) -> None:
    register_secret(password)
    secrets.set(sage_password_secret(settings.sage), password)


def check_sage_connection(settings: Settings, secrets: SecretStore) -> SchemaReport:
    """Run the schema probe (SageError if Sage is unreachable)."""
    reader = SageReader.from_settings(settings, secrets)
    return probe_schema(reader.connect, reader.mapping)



def describe_schema_report(report: SchemaReport) -> str:
    counts = report.counts

    def count(name: str) -> str:
        value = counts.get(name)
        return "?" if value is None else f"{value:,}"

    if report.ok:
        return (
            f"Connected to {report.source}. Every table and column the app reads is there "
            f"({report.naming} names): {count('jobs')} jobs, {count('contracts')} prime contracts "
            f"with {count('items')} line items, {count('customers')} customers."
        )
    lines = [f"Connected to {report.source}, but {len(report.missing)} of the names the app reads "
             f"({report.naming} names) are missing:"]
    lines += [f"\u2022 {m.message} {m.fix}".strip() for m in report.missing[:8]]
    if len(report.missing) > 8:
        lines.append(f"\u2022 ... and {len(report.missing) - 8} more.")
    if report.preset_fits and report.preset_fits != report.naming:
        lines.append(f"The {report.preset_fits} table names fit this connection: choose them in Table names.")
    if any(m.kind == "column" and m.candidates for m in report.missing):
        lines.append("Choose the column that holds each missing one below; Save keeps the choice in sage.mapping.")
    return "\n".join(lines)


@dataclass(frozen=True)
class SignedIn:
    user_name: str
    login: str
    companies: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Permissions:
    company_name: str
    erp_integrations: AccessLevel
    prime_contracts: tuple[tuple[str, AccessLevel], ...]  # (project label, level), a sample
    erp_tool_present: bool = True  # False: the company has no ERP Integrations tool at all

    def describe(self) -> str:
        levels = {level for _project, level in self.prime_contracts}
        if not self.prime_contracts:
            prime = "no projects to check yet"
        elif len(levels) == 1:
            prime = f"{next(iter(levels)).value} on the {len(self.prime_contracts)} projects checked"
        else:
            prime = "; ".join(f"{level.value} on {project}" for project, level in self.prime_contracts)
        if not self.erp_tool_present:
            erp = (f"This Procore company has no {ERP_INTEGRATIONS} tool (Procore adds it only with an ERP "
                   "connection); sync.erp_integrations_rule decides whether imports wait for it.")
        else:
            erp_need = "" if self.erp_integrations is AccessLevel.ADMIN else (
                " (Re-Import needs Admin; Add to Procore needs Standard)")
            erp = f"ERP Integrations: {self.erp_integrations.value}{erp_need}."
        return f"{erp} Prime Contracts: {prime} (Re-Import needs Admin)."


def store_client_secret(settings: Settings, secrets: SecretStore, client_secret: str) -> None:
    environment = settings.procore_environment()
    register_secret(client_secret)
    secrets.set(oauth.client_secret_name(environment.name, settings.procore.client_id.strip(), environment.api_url),
                client_secret)


def sign_in(settings: Settings, secrets: SecretStore, *, code: str = "", redirect_uri: str = "",
            open_browser: Callable[[str], object] | None = None,
            cancel: threading.Event | None = None) -> SignedIn:
    """Sign in (service account, a pasted code, or the browser) and list the companies.

    With `open_browser` it is the command line's own browser sign-in (procore/oauth_login.py):
    the loopback listener checks `state`, and this runs on the window's worker thread.
    """
    service_account = settings.procore.auth == "client_credentials"
    if service_account and settings.procore.company_id is None:
        # Procore ties a service account to the companies it was installed in and wants the
        # company named on every request, even the company list.
        raise ConfigurationError(
            "A service account needs the Procore company ID.",
            fix="Type the company ID (the number in your Procore company's web address) in Company.",
        )
    auth = build_sign_in(settings, secrets)
    client = build_client_from_settings(
        settings if service_account else settings.with_changes(procore={"company_id": None}), secrets, auth=auth)
    try:
        if isinstance(auth, oauth.ClientCredentialsAuth):
            auth.sign_in()  # asks Procore with the secret now, never trusts a saved token; ends a `logout`
        elif open_browser is not None:
            oauth_login.sign_in_with_browser(auth, settings.procore.redirect_uri, open_browser=open_browser,
                                             cancel=cancel)
        elif code:
            auth.sign_in_with_code(code, redirect_uri or oauth.OOB_REDIRECT_URI)
        companies = tuple((c.company_id, c.name or str(c.company_id)) for c in client.companies() if c.active)
        # Procore answers /me within a company, so ask with the chosen (or first) company.
        known = [company_id for company_id, _name in companies]
        wanted = settings.procore.company_id
        client.company_id = wanted if wanted in known else (known[0] if known else None)
        me = client.me() if client.company_id is not None else SignedInUser(0, "", "")
    finally:
        client.close()
    return SignedIn(me.name or me.login, me.login, companies)


def permissions(settings: Settings, secrets: SecretStore, company_name: str) -> Permissions:
    client = build_client_from_settings(settings, secrets)
    try:
        erp_present, erp = erp_standing(client)
        sample = []
        for project in client.projects()[:PROJECTS_CHECKED]:
            label = " ".join(x for x in (project.project_number, project.name) if x)
            sample.append((label, client.access_level(PRIME_CONTRACTS, project_id=project.project_id)))
    finally:
        client.close()
    return Permissions(company_name, erp, tuple(sample), erp_tool_present=erp_present)


def plain_error(error: object) -> str:
    if isinstance(error, SageSyncError):
        return f"{error.message} {error.fix}".strip()
    return f"{type(error).__name__}: {error}"
