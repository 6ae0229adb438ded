from __future__ import annotations

import json
import sqlite3
import threading
from decimal import Decimal

import pytest

from sage_sync_desktop.errors import CancelledError
from sage_sync_desktop.procore.records import LineItem
from sage_sync_desktop.sync.procore_cache import ProcoreCache
from tests.sync.conftest import link_suggested_jobs


def test_lines_come_back_only_for_the_same_contract_version(tmp_path) -> None:
    cache = ProcoreCache(tmp_path / "cache.sqlite3", scope="https://api.procore.com|7")
    line = LineItem.from_json({"id": 1, "amount": "5.0", "origin_id": "S300:CI:7:1", "quantity": "2",
                               "cost_code": {"id": 4, "full_code": "02-200"}, "origin_data": '{"app":"x"}'})
    cache.store_lines(11, 76, "2026-01-01T00:00:00Z", [line])
    assert cache.lines(76, "2026-01-01T00:00:00Z") == (line,)
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
    assert cache.lines(2, "t") == ()


def test_lines_cached_by_an_earlier_version_still_read_and_unreadable_ones_are_read_again(tmp_path) -> None:
    path = tmp_path / "cache.sqlite3"
    cache = ProcoreCache(path, scope="x")
    # Before typed records the cache held Procore's own line objects, trimmed to a few keys.
    old = [{"id": 3, "origin_id": "S300:CI:1:1", "amount": "250000.0", "cost_code": {"full_code": "01-100"},
            "cost_code_id": 9, "updated_at": "2026-01-01T00:00:00Z"}]
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO contract_lines VALUES (?, ?, ?, ?)", (5, 1, "t", json.dumps(old)))
        db.execute("INSERT INTO contract_lines VALUES (?, ?, ?, ?)", (6, 1, "t", json.dumps([{"amount": "1"}])))
        db.execute("INSERT INTO contract_lines VALUES (?, ?, ?, ?)", (7, 1, "t", "[{not json"))
    [line] = cache.lines(5, "t")
    assert (line.line_item_id, line.amount, line.cost_code, line.cost_code_id) == (3, Decimal("250000.0"), "01-100", 9)
    assert cache.lines(6, "t") is None  # a line without an id: read from Procore again
    assert cache.lines(7, "t") is None


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
