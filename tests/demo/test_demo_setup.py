"""The demo set-up keeps its throwaway sandbox secret where the caller says."""

from __future__ import annotations

import keyring
from keyring.backends import fail

from sage_sync_desktop.secret_store import MemorySecretStore
from sage_sync_desktop.demo.demo_setup import prepare_demo


def test_demo_runs_with_no_os_credential_store_when_given_a_memory_store(tmp_path):
    keyring.set_keyring(fail.Keyring())  # a machine without a credential store (the autouse fixture restores it)
    secrets = MemorySecretStore()
    demo = prepare_demo(tmp_path / "demo", secrets=secrets)
    try:
        assert any(value == demo.sandbox.client_secret for value in secrets.values.values())
        assert demo.settings_path.is_file()
        assert demo.sandbox.client_secret not in demo.settings_path.read_text()
    finally:
        demo.stop()
