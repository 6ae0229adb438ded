"""Credential-store messages name the store of the platform they run on, and on Linux say how to
start one without a desktop session."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest

from sage_sync_desktop.errors import SecretStoreError
from sage_sync_desktop.secret_store import SecretStore, store_fix, store_name


@pytest.mark.parametrize(("platform", "name"), [
    ("win32", "Windows Credential Manager"),
    ("darwin", "macOS Keychain"),
    ("linux", "Secret Service"),
])
def test_the_store_is_named_as_each_platform_calls_it(platform, name):
    assert store_name(platform) == name


def test_only_windows_advice_mentions_credential_manager():
    assert "Credential Manager" in store_fix("win32")
    assert "Credential Manager" not in store_fix("linux") and "Credential Manager" not in store_fix("darwin")


def test_the_linux_advice_is_a_headless_recipe():
    fix = store_fix("linux")
    assert "dbus-run-session" in fix and "gnome-keyring-daemon --unlock --components=secrets" in fix


@pytest.mark.parametrize("operation", ["get", "set", "delete"])
def test_without_a_store_every_operation_names_this_platforms_store(operation):
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        store = SecretStore()
        with pytest.raises(SecretStoreError) as caught:
            if operation == "set":
                store.set("procore-client-secret:x", "value")
            else:
                getattr(store, operation)("procore-client-secret:x")
    finally:
        keyring.set_keyring(previous)
    error = caught.value
    assert f"credential store ({store_name()})" in error.message
    assert "Windows" not in error.message and error.fix == store_fix()


def test_login_help_names_this_platforms_store():
    from sage_sync_desktop.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert store_name() in " ".join(sub.choices["login"].format_help().split())
