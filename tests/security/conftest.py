"""A small company with one contract already in Procore and changed in Sage since, and engines
signed in as sandbox users at different permission levels."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.demo.sample_company import SampleCompanyInfo, generate_sample_company
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.demo.demo_setup import placed_contract, read_sample, sandbox_seed
from sage_sync_desktop.demo.sample_editor import SampleEditor
from sage_sync_desktop.sync.sync_engine import SyncEngine
from sage_sync_desktop.app.wiring import build_engine

IN_PROCORE = "240101"  # imported earlier, one item changed in Sage since
NOT_IN_PROCORE = "240102"  # ready to import (same job)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class SecuredCompany:
    info: SampleCompanyInfo
    sandbox: ProcoreSandbox
    project_of: dict[str, int]


@pytest.fixture
def secured_company(tmp_path) -> Iterator[SecuredCompany]:
    info = generate_sample_company(tmp_path / "sage" / "company.db")
    company = read_sample(info.path)
    seed = sandbox_seed(info, unlinked=False)
    project_of = {p["project_number"]: p["id"] for p in seed["projects"]}
    contract = company.contract(IN_PROCORE)
    seed["prime_contracts"] = [placed_contract(contract, project_of[contract.job_number])]
    SampleEditor(info.path, info.naming).change_item(
        IN_PROCORE, contract.items[0].number, amount=contract.items[0].amount + Decimal("100.00"))
    sb = ProcoreSandbox(seed=seed).start()
    try:
        yield SecuredCompany(info, sb, project_of)
    finally:
        sb.stop()


def settings_as(company: SecuredCompany, login: str, secret_store) -> Settings:
    user = company.sandbox.user(login)
    secret_store.set(oauth.client_secret_name(environments.CUSTOM, user["client_id"]), user["client_secret"])
    return Settings().with_changes(
        sage={"connection_string": f"DRIVER={{SQLite3}};Database={company.info.path.resolve()}"},
        procore={"environment": environments.CUSTOM, "api_url": company.sandbox.url,
                 "login_url": company.sandbox.login_url, "company_id": company.sandbox.company_id,
                 "client_id": user["client_id"], "auth": "client_credentials", "timeout_seconds": 10},
    )


@pytest.fixture
def engine_as(secured_company, secret_store, tmp_path) -> Iterator[Callable[[str], SyncEngine]]:
    made: list[SyncEngine] = []

    def build(login: str) -> SyncEngine:
        from sage_sync_desktop.paths import AppPaths

        engine = build_engine(settings_as(secured_company, login, secret_store),
                              AppPaths.under(tmp_path / "app" / login.split("@")[0]), secret_store)
        made.append(engine)
        return engine

    yield build
    for engine in made:
        engine.client.close()
