"""When the history cannot be written after Procore was (disk full), the app says what it sent,
never "Nothing was sent"; the next run of any kind writes the missing entry as "recovered"."""

from __future__ import annotations

import sqlite3


from sage_sync_desktop.cli import main
from sage_sync_desktop.demo.demo_setup import DemoEnvironment
from sage_sync_desktop.sync.history import HistoryStore

# The disk fills up between the "started" entry and the closing one. SQLite's own words.
_DISK_FULL = """CREATE TRIGGER disk_full BEFORE INSERT ON entries WHEN NEW.phase IN ('finished', 'failed')
BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;"""


def _run(demo: DemoEnvironment, capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--app-dir", str(demo.paths.config_dir.parent), "--config", str(demo.settings_path), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _disk(demo: DemoEnvironment, sql: str) -> None:
    with sqlite3.connect(demo.paths.history_db) as db:
        db.executescript(sql)
    db.close()


def test_a_history_write_failing_after_procore_was_written_reports_what_was_sent(demo, capsys) -> None:
    number = demo.roles["changes_ready"]
    _disk(demo, _DISK_FULL)
    demo.sandbox.reset_counts()
    code, out = _run(demo, capsys, "reimport", number)
    assert code == 1
    assert "Nothing was sent" not in out
    assert f"Re-imported contract {number}" in out
    assert "requests were sent to Procore, but the history could not record the outcome" in out
    assert "database or disk is full" in out
    assert "Sent: PATCH /rest/v1.0/prime_contracts/" in out  # the requests themselves, in the details
    writes = {k: v for k, v in demo.sandbox.request_counts()["by_endpoint"].items() if k.startswith("PATCH")}
    assert writes  # Procore really was written
    entries = HistoryStore(demo.paths.history_db).entries(number)
    assert entries[-1].phase == "started"  # the closing entry is what the disk refused

    _disk(demo, "DROP TRIGGER disk_full;")  # space freed; the next run, of any kind
    code, out = _run(demo, capsys, "status")
    assert code in (0, 1), out
    entries = HistoryStore(demo.paths.history_db).entries(number)
    assert [e.phase for e in entries[-2:]] == ["started", "recovered"]
    assert entries[-1].data["started_seq"] == entries[-2].seq
    assert "Procore now matches Sage" in entries[-1].message
    assert HistoryStore(demo.paths.history_db).verify().ok


def test_a_history_write_failing_before_anything_was_sent_says_nothing_was_sent(demo, capsys) -> None:
    number = demo.roles["changes_ready"]
    _disk(demo, _DISK_FULL.replace("('finished', 'failed')", "('started')"))
    demo.sandbox.reset_counts()
    code, out = _run(demo, capsys, "reimport", number)
    assert code == 1
    assert f"Nothing was sent to Procore for contract {number}" in out
    assert not [k for k in demo.sandbox.request_counts()["by_endpoint"] if k.startswith(("PATCH", "POST /rest"))]
