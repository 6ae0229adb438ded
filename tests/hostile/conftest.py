"""One hostile company, read through the real ODBC path and imported once into a local sandbox;
the tests then look at what happened to each case."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import keyring
import pytest

from sage_sync_desktop.secret_store import MemorySecretStore
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.demo.sample_company import SampleCompanyInfo, generate_sample_company
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.demo.demo_setup import sandbox_seed
from sage_sync_desktop.sync.records import CompanySnapshot, ContractOutcome
from sage_sync_desktop.app.wiring import build_engine
from tests.conftest import MemoryKeyring
from tests.hostile.hostile_corpus import write_corpus


@dataclass
class HostileRun:
    info: SampleCompanyInfo
    sandbox: ProcoreSandbox
    before: CompanySnapshot
    outcomes: list[ContractOutcome]
    after: CompanySnapshot
    sage_problems: tuple  # company-level problems (rows that belong to no contract)

    def status(self, number: str, snapshot: CompanySnapshot | None = None):
        found = [s for s in (snapshot or self.before).statuses if s.number == number]
        assert len(found) == 1, f"{number!r}: {len(found)} statuses"
        return found[0]

    def outcome(self, number: str) -> ContractOutcome:
        found = [o for o in self.outcomes if o.contract_number == number]
        assert found, f"no outcome for {number!r}"
        return found[0]

    def procore_contracts(self, number: str) -> list[dict]:
        return [pc for pc in self.sandbox.prime_contracts() if pc["number"] == number]


def odbc_settings(info: SampleCompanyInfo, sb: ProcoreSandbox, *, codepage: bool = False) -> tuple[Settings, dict]:
    user = sb.service_account()
    extra = ";CODEPAGE=1252" if codepage else ""
    settings = Settings().with_changes(
        sage={"connection_string": f"DRIVER={{SQLite3}};Database={info.path.resolve()}{extra}"},
        procore={"environment": environments.CUSTOM, "api_url": sb.url, "login_url": sb.login_url,
                 "company_id": sb.company_id, "client_id": user["client_id"], "auth": "client_credentials",
                 "timeout_seconds": 10},
    )
    return settings, {oauth.client_secret_name(environments.CUSTOM, user["client_id"]): user["client_secret"]}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Iterator[HostileRun]:
    root = tmp_path_factory.mktemp("hostile")
    info = generate_sample_company(root / "sage-company.db")
    write_corpus(info.path)
    sb = ProcoreSandbox(seed=sandbox_seed(info, unlinked=False)).start()
    settings, secrets = odbc_settings(info, sb)
    # Module-wide: the history keeps its chain key in the credential store, so this engine needs
    # one for the whole module (the per-test in-memory keyring is not set up yet here).
    previous_keyring = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    engine = build_engine(settings, AppPaths.under(root / "app"), MemorySecretStore(secrets))
    try:
        before = engine.refresh()
        company = engine.reader.read_company()
        outcomes = engine.import_contracts([status.number for status in before.statuses])
        after = engine.refresh()
        yield HostileRun(info, sb, before, outcomes, after, company.problems)
    finally:
        engine.client.close()
        sb.stop()
        keyring.set_keyring(previous_keyring)
