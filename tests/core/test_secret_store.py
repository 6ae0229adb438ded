from __future__ import annotations

from sage_sync_desktop.secret_store import SAGE_PASSWORD, SecretStore, scoped


def test_secret_round_trip_and_delete_is_idempotent(memory_keyring):
    store = SecretStore()
    name = scoped(SAGE_PASSWORD, "company-a")
    assert store.get(name) is None
    store.set(name, "pw")
    assert store.get(name) == "pw"
    assert ("SageSyncDesktop", "sage-password:company-a") in memory_keyring.values
    store.delete(name)
    store.delete(name)
    assert store.get(name) is None


def test_memory_backend_counts_as_usable(memory_keyring):
    assert SecretStore().is_usable()


def test_demo_memory_store_is_installed_only_without_a_usable_backend(memory_keyring):
    import keyring
    from keyring.backends import fail

    from sage_sync_desktop.secret_store import use_memory_store_for_demo

    assert use_memory_store_for_demo() is False  # the in-memory test backend counts as usable
    keyring.set_keyring(fail.Keyring())
    assert not SecretStore().is_usable()
    assert use_memory_store_for_demo() is True
    store = SecretStore()
    store.set("demo", "throwaway")
    assert store.get("demo") == "throwaway"


def test_keyring_discovery_never_picks_the_demo_memory_store():
    import keyring.backend

    from sage_sync_desktop.secret_store import _DemoMemoryKeyring

    viable = keyring.backend.get_all_keyring()
    assert not any(isinstance(backend, _DemoMemoryKeyring) for backend in viable)
