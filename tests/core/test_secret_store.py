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



def test_memory_store_never_touches_the_os_credential_store(memory_keyring):
    from sage_sync_desktop.secret_store import MemorySecretStore

    store = MemorySecretStore({"a": "1"})
    store.set("demo", "throwaway")
    assert store.get("demo") == "throwaway" and store.get("a") == "1"
    store.delete("demo")
    store.delete("demo")
    assert store.get("demo") is None
    assert memory_keyring.values == {}
