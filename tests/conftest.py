"""Fixtures every test may use: isolated app folders and an in-memory credential store."""

from __future__ import annotations

import os

# Before anything can create a QApplication: GUI tests run offscreen, with no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import keyring.backend
import pytest

from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.secret_store import SecretStore

pytest_plugins = ["tests.fixtures.sandbox_fixtures", "tests.fixtures.sage_fixtures"]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A dict-backed keyring so no test touches a real credential store."""

    priority = 1  # type: ignore[assignment]
    viable = False  # installed explicitly below; never chosen by keyring's discovery

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.values:
            raise keyring.errors.PasswordDeleteError(username)
        del self.values[(service, username)]


@pytest.fixture(autouse=True)
def memory_keyring() -> MemoryKeyring:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def app_paths(tmp_path) -> AppPaths:
    paths = AppPaths.under(tmp_path / "app")
    paths.ensure()
    return paths


@pytest.fixture
def secret_store(memory_keyring) -> SecretStore:
    return SecretStore()


@pytest.fixture
def demo(tmp_path):
    """The demo company: a sample Sage file and a local Procore sandbox, stopped afterwards."""
    from sage_sync_desktop.demo.demo_setup import prepare_demo

    environment = prepare_demo(tmp_path / "demo")
    try:
        yield environment
    finally:
        environment.stop()
