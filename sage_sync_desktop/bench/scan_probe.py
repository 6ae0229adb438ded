"""The scan, in a process of its own: a full Refresh of the large company (Sage read over ODBC,
Procore read, every contract classified), then a second Refresh of the unchanged company.

Run as `python -m sage_sync_desktop.bench.scan_probe` with a JSON payload on stdin:
{"settings_path", "app_dir", "secrets": {name: value}, "sandbox_url"}. It reports the times,
the requests the sandbox served for each refresh, and the process's peak resident memory after
the full scan (its own high-water mark, so nothing else on the machine is counted).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.secret_store import MemorySecretStore
from sage_sync_desktop.bench.child_process import child_main
from sage_sync_desktop.bench.memory_probe import peak_rss_mb
from sage_sync_desktop.bench.sandbox_process import control
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.app.wiring import build_engine


class TimedReader:
    """The engine's Sage reader, with the time of each whole-company read noted."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self.seconds: list[float] = []

    def read_company(self, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._reader.read_company(**kwargs)
        finally:
            self.seconds.append(time.perf_counter() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


def _served(url: str) -> int:
    return int(control(url, "GET", "/_sandbox/requests")["total"])


def measure(settings_path: Path, app_dir: Path, secrets: dict[str, str], sandbox_url: str) -> dict[str, Any]:
    settings = settings_module.load(Path(settings_path))
    engine = build_engine(settings, AppPaths.under(Path(app_dir)), MemorySecretStore(secrets))
    reader = TimedReader(engine.reader)
    engine.reader = reader
    rss_before = peak_rss_mb()

    served_before = _served(sandbox_url)
    started = time.perf_counter()
    snapshot = engine.refresh()
    full_seconds = time.perf_counter() - started
    full_requests = _served(sandbox_url) - served_before
    peak = peak_rss_mb()
    states = Counter(status.state.value for status in snapshot.statuses)
    items = sum(len(s.contract.items) + len(s.contract.awaiting_items) for s in snapshot.statuses)

    served_before = _served(sandbox_url)
    started = time.perf_counter()
    second = engine.refresh()
    incremental_seconds = time.perf_counter() - started
    incremental_requests = _served(sandbox_url) - served_before
    second_states = Counter(status.state.value for status in second.statuses)
    engine.client.close()
    return {
        "scan_seconds": full_seconds,
        "scan_sage_read_seconds": reader.seconds[0],
        "scan_procore_and_classify_seconds": full_seconds - reader.seconds[0],
        "full_refresh_seconds": full_seconds,
        "full_refresh_requests": full_requests,
        "full_refresh_client_requests": snapshot.procore_requests,
        "incremental_refresh_seconds": incremental_seconds,
        "incremental_refresh_requests": incremental_requests,
        "incremental_refresh_client_requests": second.procore_requests,
        "incremental_states_unchanged": dict(second_states) == dict(states),
        "peak_rss_mb": peak,
        "rss_before_scan_mb": rss_before,
        "contracts_scanned": len(snapshot.statuses),
        "items_scanned": items,
        "states": dict(states),
    }


def main() -> None:
    child_main(lambda payload: measure(Path(payload["settings_path"]), Path(payload["app_dir"]),
                                       payload.get("secrets", {}), payload["sandbox_url"]))


if __name__ == "__main__":
    main()
