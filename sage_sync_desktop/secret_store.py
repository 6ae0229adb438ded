"""The only module that talks to the OS credential store (Windows Credential Manager, the macOS
Keychain, or the Secret Service on Linux).

keyring picks its backend itself, so `PYTHON_KEYRING_BACKEND` works on headless servers and in
tests. There is no plaintext fallback: with no usable backend the app says so and stops, naming
this platform's store and how to make it available.
"""

from __future__ import annotations

import logging
import sys

import keyring
import keyring.errors

from sage_sync_desktop.app_info import KEYRING_SERVICE
from sage_sync_desktop.errors import SecretStoreError

logger = logging.getLogger(__name__)

# Names of the secrets, as stored under KEYRING_SERVICE.
SAGE_PASSWORD = "sage-password"
PROCORE_CLIENT_SECRET = "procore-client-secret"
PROCORE_TOKENS = "procore-tokens"


def store_name(platform: str | None = None) -> str:
    """This platform's credential store, as its users know it."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return "Windows Credential Manager"
    if platform == "darwin":
        return "macOS Keychain"
    return "Secret Service"


def store_fix(platform: str | None = None) -> str:
    """How to make this platform's credential store available to the app."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return "Check that Credential Manager is available for this Windows user."
    if platform == "darwin":
        return "Check that the login keychain is unlocked for this user."
    return ("Start a Secret Service in this session: on a desktop, log in to GNOME or KDE; on a server "
            "or over SSH, run the command inside `dbus-run-session -- sh -c 'printf PASSWORD | "
            "gnome-keyring-daemon --unlock --components=secrets >/dev/null; sage-sync-desktop ...'` "
            "(packages dbus and gnome-keyring; see docs/procore-connection.md).")


def scoped(name: str, scope: str) -> str:
    """A secret name for one Sage connection or one Procore environment+client."""
    return f"{name}:{scope}" if scope else name


class SecretStore:
    """Get, set and delete named secrets. Values are never logged."""

    def __init__(self, service: str = KEYRING_SERVICE) -> None:
        self._service = service

    @property
    def backend_name(self) -> str:
        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def is_usable(self) -> bool:
        """False for keyring's fail backend (no credential store on this machine)."""
        backend = keyring.get_keyring()
        return "fail" not in type(backend).__module__ and getattr(backend, "priority", 1) > 0

    def get(self, name: str) -> str | None:
        try:
            return keyring.get_password(self._service, name)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(
                f"Cannot read '{name}' from the credential store ({store_name()}).",
                fix=store_fix(),
                detail=type(exc).__name__,
            ) from None

    def set(self, name: str, value: str) -> None:
        try:
            keyring.set_password(self._service, name, value)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(
                f"Cannot save '{name}' in the credential store ({store_name()}).",
                fix=store_fix(),
                detail=type(exc).__name__,
            ) from None
        logger.info("Saved secret %s in %s", name, self.backend_name)

    def delete(self, name: str) -> None:
        try:
            keyring.delete_password(self._service, name)
        except keyring.errors.PasswordDeleteError:
            pass  # already absent: deleting is idempotent
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(
                f"Cannot delete '{name}' from the credential store ({store_name()}).",
                fix=store_fix(),
                detail=type(exc).__name__,
            ) from None


class MemorySecretStore(SecretStore):
    """Secrets held in this process only, for throwaway sandbox accounts (demo, benchmark, tests).

    Never used for real connections: those must survive a restart, so they live in the OS store.
    """

    def __init__(self, values: dict[str, str] | None = None) -> None:
        super().__init__()
        self.values: dict[str, str] = dict(values or {})

    @property
    def backend_name(self) -> str:
        return "in-memory (throwaway sandbox account)"

    def is_usable(self) -> bool:
        return True

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)
