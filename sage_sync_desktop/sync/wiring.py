"""Build a SyncEngine from the settings: the Sage reader, the Procore client, history and cache."""

from __future__ import annotations

import getpass
import logging
import os

from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.procore.procore_client import build_client_from_settings
from sage_sync_desktop.sage.sage_reader import SageReader
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.sync.history import HistoryStore
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from sage_sync_desktop.sync.sync_engine import SyncEngine

logger = logging.getLogger(__name__)


def windows_user() -> str:
    """DOMAIN\\user on Windows (what an auditor recognises), the login name elsewhere."""
    user = os.environ.get("USERNAME") or ""
    domain = os.environ.get("USERDOMAIN") or ""
    if user and domain:
        return f"{domain}\\{user}"
    try:
        return user or getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def build_engine(settings: Settings, paths: AppPaths, secrets: SecretStore) -> SyncEngine:
    if not settings.sage.connection_string.strip():
        raise ConfigurationError(
            "No Sage 300 CRE connection is set up.",
            fix="Open the app and complete the set-up, or set sage.connection_string in the settings file.",
        )
    if settings.procore.company_id is None:
        raise ConfigurationError(
            "No Procore company is chosen.",
            fix="Sign in and choose the company in Settings (or set procore.company_id).",
        )
    paths.ensure()
    reader = SageReader.from_settings(settings, secrets)
    client = build_client_from_settings(settings, secrets)
    user = windows_user()
    history = HistoryStore(paths.history_db, windows_user=user)
    environment = settings.procore_environment()
    cache = ProcoreCache(paths.procore_cache_db, scope=f"{environment.api_url}|{settings.procore.company_id}")
    return SyncEngine(reader, client, history, windows_user=user, cache=cache,
                      cost_codes=settings.sync.cost_codes)
