"""A credential store that lives only in memory, for the benchmark's throwaway sandbox account.

The benchmark signs in to its own local sandbox with a made-up service account; keeping that
secret in memory means a benchmark run never writes to the user's Windows credential store.
It is handed to measurement processes on their standard input.
"""

from __future__ import annotations

from sage_sync_desktop.secret_store import SecretStore


class InMemorySecretStore(SecretStore):
    def __init__(self, values: dict[str, str] | None = None) -> None:
        super().__init__()
        self.values: dict[str, str] = dict(values or {})

    @property
    def backend_name(self) -> str:
        return "in-memory (benchmark)"

    def is_usable(self) -> bool:
        return True

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)
