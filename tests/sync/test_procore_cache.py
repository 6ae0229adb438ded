from __future__ import annotations

import threading

import pytest

from sage_sync_desktop.errors import CancelledError
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from tests.sync.conftest import link_suggested_jobs


def test_lines_come_back_only_for_the_same_contract_version(tmp_path) -> None:
    cache = ProcoreCache(tmp_path / "cache.sqlite3", scope="https://api.procore.com|7")
    cache.store_lines(11, 76, "2026-01-01T00:00:00Z", [{"id": 1, "amount": "5.0"}])
    assert cache.lines(76, "2026-01-01T00:00:00Z") == [{"id": 1, "amount": "5.0"}]
    assert cache.lines(76, "2026-01-02T00:00:00Z") is None
    again = ProcoreCache(tmp_path / "cache.sqlite3", scope="https://api.procore.com|7")
    assert again.lines(76, "2026-01-01T00:00:00Z") is not None
    other_company = ProcoreCache(tmp_path / "cache.sqlite3", scope="https://api.procore.com|8")
    assert other_company.lines(76, "2026-01-01T00:00:00Z") is None  # another company: wiped


def test_a_damaged_cache_file_is_replaced_not_fatal(tmp_path) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    cache = ProcoreCache(path, scope="x")
    cache.store_lines(1, 2, "t", [])
    assert cache.lines(2, "t") == []


def test_refresh_stops_at_a_safe_point_when_cancelled(engine) -> None:
    link_suggested_jobs(engine)
    before = engine.snapshot
    cancel = threading.Event()

    def progress(percent: int, message: str) -> None:
        if "prime contracts" in message:
            cancel.set()

    with pytest.raises(CancelledError):
        engine.refresh(progress=progress, cancel=cancel)
    assert engine.snapshot is before  # the last complete refresh stays in place


def test_refresh_reports_progress_from_0_to_100(engine) -> None:
    seen: list[int] = []
    engine.refresh(progress=lambda percent, message: seen.append(percent))
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)
