"""Engine fixtures: the sample company read through the real ODBC path (pyodbc + unixODBC + the
SQLite ODBC driver) and a local Procore sandbox seeded with one project per sample job."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.procore.http_transport import HttpTransport
from sage_sync_desktop.app.wiring import build_client_from_settings
from sage_sync_desktop.sage.sage_reader import SageReader
from sage_sync_desktop.demo.sample_company import SampleCompanyInfo, generate_sample_company
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.demo.demo_setup import sandbox_seed
from sage_sync_desktop.sync.history import HistoryStore
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from sage_sync_desktop.demo.sample_editor import SampleEditor
from sage_sync_desktop.sync.sync_engine import SyncEngine
from sage_sync_desktop.app.wiring import build_engine
from tests.fixtures.sandbox_fixtures import short_sleep


@pytest.fixture
def sample(tmp_path) -> SampleCompanyInfo:
    return generate_sample_company(tmp_path / "sage" / "company.db")


@pytest.fixture
def sage_user(sample) -> SampleEditor:
    """The test playing the Sage user: edits the sample file directly, never through the app."""
    return SampleEditor(sample.path, sample.naming)


@pytest.fixture
def sync_sandbox(sample) -> Iterator[ProcoreSandbox]:
    sb = ProcoreSandbox(seed=sandbox_seed(sample)).start()
    try:
        yield sb
    finally:
        sb.stop()


def settings_for(sample: SampleCompanyInfo, sb: ProcoreSandbox, secret_store, *, login: str | None = None) -> Settings:
    user = sb.user(login) if login else sb.service_account()
    settings = Settings().with_changes(
        sage={"connection_string": f"DRIVER={{SQLite3}};Database={sample.path.resolve()}"},
        procore={"environment": environments.CUSTOM, "api_url": sb.url, "login_url": sb.login_url,
                 "company_id": sb.company_id, "client_id": user["client_id"],
                 "auth": "client_credentials", "timeout_seconds": 10},
    )
    secret_store.set(oauth.client_secret_name(environments.CUSTOM, user["client_id"]), user["client_secret"])
    return settings


@pytest.fixture
def sync_settings(sample, sync_sandbox, secret_store) -> Settings:
    return settings_for(sample, sync_sandbox, secret_store)


@pytest.fixture
def engine(sync_settings, app_paths, secret_store) -> Iterator[SyncEngine]:
    built = build_engine(sync_settings, app_paths, secret_store)
    try:
        yield built
    finally:
        built.client.close()


def link_suggested_jobs(engine: SyncEngine) -> list[str]:
    """Link every job that has a suggested project (project number = job number)."""
    linked = []
    for job in engine.refresh().jobs:
        if job.project is None and job.suggestions:
            engine.link_job(job.job.number, job.suggestions[0].project_id)
            linked.append(job.job.number)
    return linked


class SyncEnv:
    """A sample company (over ODBC), a sandbox seeded for it, and engines signed in as anyone."""

    def __init__(self, info: SampleCompanyInfo, sandbox: ProcoreSandbox, app_paths, secret_store) -> None:
        self.info = info
        self.sandbox = sandbox
        self.app_paths = app_paths
        self.secret_store = secret_store
        self.sage_user = SampleEditor(info.path, info.naming)
        self._engines: list[SyncEngine] = []

    def engine(self, login: str | None = None) -> SyncEngine:
        """Built like wiring.build_engine, but the client's retry waits are cut to 50 ms."""
        settings = settings_for(self.info, self.sandbox, self.secret_store, login=login)
        client = build_client_from_settings(settings, self.secret_store,
                                            transport=HttpTransport(timeout=10, sleep=short_sleep))
        built = SyncEngine(SageReader.from_settings(settings, self.secret_store), client,
                           HistoryStore(self.app_paths.history_db, windows_user="TEST\\sage.admin"),
                           windows_user="TEST\\sage.admin",
                           cache=ProcoreCache(self.app_paths.procore_cache_db, scope=f"{self.sandbox.url}|{login}"))
        self._engines.append(built)
        return built

    def settings(self, login: str | None = None) -> Settings:
        return settings_for(self.info, self.sandbox, self.secret_store, login=login)

    def close(self) -> None:
        for built in self._engines:
            built.client.close()
        self.sandbox.stop()


@pytest.fixture
def make_env(tmp_path, app_paths, secret_store) -> Iterator:
    made: list[SyncEnv] = []

    def make(*, always_editable_sov: bool = True, **sizes) -> SyncEnv:
        info = generate_sample_company(tmp_path / f"sage-{len(made)}" / "company.db", **sizes)
        sandbox = ProcoreSandbox(seed=sandbox_seed(info, always_editable_sov=always_editable_sov)).start()
        env = SyncEnv(info, sandbox, app_paths, secret_store)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()
