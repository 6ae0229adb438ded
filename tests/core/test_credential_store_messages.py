"""Credential-store messages name the store of the platform they run on, and on Linux say how to
start one without a desktop session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import keyring
import keyring.backends.fail
import pytest

from sage_sync_desktop.errors import SecretStoreError
from sage_sync_desktop.secret_store import SecretStore, store_fix, store_name
from sage_sync_desktop.settings import Settings, save
from tests.fixtures.file_keyring import REPO_ROOT


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


def _env_without_a_store(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "SAGE_SYNC_TEST_KEYRING_FILE")}
    home = tmp_path / "home"
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_RUNTIME_DIR=str(tmp_path),
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])))
    return env


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Secret Service recipe is for Linux")
def test_the_documented_headless_recipe_gives_the_app_a_working_store(tmp_path):
    for tool in ("dbus-run-session", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install the dbus and gnome-keyring packages (.ci/run does)")
    app = tmp_path / "app"
    save(Settings().with_changes(sage={"connection_string": "DSN=Sage Company"}), app / "config" / "settings.json")
    command = f'"{sys.executable}" -m sage_sync_desktop --app-dir "{app}" set-sage-password --stdin'
    env = _env_without_a_store(tmp_path)

    without = subprocess.run(["sh", "-c", f"printf pw | {command}"], capture_output=True, text=True, env=env,
                             timeout=120)
    assert without.returncode != 0 and "Traceback" not in without.stderr
    assert "credential store (Secret Service)" in without.stderr and "dbus-run-session" in without.stderr

    # The recipe from docs/procore-connection.md, with a command that needs the store inside it.
    script = ('printf "%s" "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null\n'
              f"printf 'S4ge-pw' | {command}\n"
              f'"{sys.executable}" -c "import keyring; print(keyring.get_password(\'SageSyncDesktop\', '
              "'sage-password:sage company'))\"\n")
    within = subprocess.run(["dbus-run-session", "--", "sh", "-c", script], capture_output=True, text=True,
                            env={**env, "KEYRING_PASSWORD": "test-keyring"}, timeout=120)
    assert within.returncode == 0, within.stdout + within.stderr
    assert "Saved the Sage password in the credential store." in within.stdout
    assert within.stdout.strip().splitlines()[-1] == "S4ge-pw"
