"""The bench command end to end at a tiny size: its JSON carries every figure as a number.

Timing values are not asserted (targets are shown by the bench run itself, never by tests);
what is checked is that each figure was really measured and is consistent with the company.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sage_sync_desktop.bench import bench_report
from sage_sync_desktop.bench.bench_runner import REQUIRED_KEYS

pytestmark = pytest.mark.slow

NUMBERS = (int, float)


def _run_bench(tmp_path: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "app"), "bench",
               "--contracts", "12", "--items-per-contract", "3", "--jobs", "4", "--repeats", "1", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=280,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


@pytest.fixture(scope="module")
def tiny_bench(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict]:
    tmp_path = tmp_path_factory.mktemp("bench")
    out = tmp_path / "figures.json"
    done = _run_bench(tmp_path, "--json", str(out), "--frozen", str(tmp_path / "no-such-app"))
    assert done.returncode == 0, done.stderr[-2000:]
    return done, json.loads(out.read_text(encoding="utf-8"))


def test_every_required_figure_is_a_number_except_startup_without_a_frozen_app(tiny_bench):
    _, figures = tiny_bench
    missing = [key for key in REQUIRED_KEYS if key not in figures]
    assert missing == []
    not_numbers = {key: figures[key] for key in REQUIRED_KEYS
                   if key != "startup_seconds" and not isinstance(figures[key], NUMBERS)}
    assert not_numbers == {}
    assert figures["startup_seconds"] is None
    assert any("no frozen app" in note for note in figures["notes"])


def test_the_figures_describe_the_company_that_was_built(tiny_bench):
    _, figures = tiny_bench
    # 12 generated contracts plus the 500-line contract the re-import measurement uses.
    assert figures["contracts_scanned"] == 13
    assert figures["items_scanned"] == 12 * 3 + 500
    assert figures["size"]["imported"] == 6
    assert figures["reimport_500_lines_changed"] == 500
    assert figures["reimport_500_lines_ok"] is True
    assert figures["reimport_500_lines_state_after"] == "synced"
    assert figures["reimport_500_lines_one_per_line_requests"] >= 500
    assert 0 < figures["reimport_500_lines_requests"] < figures["reimport_500_lines_one_per_line_requests"]
    # The batch import runs before the re-import; every ready contract it took was added.
    assert figures["bulk_import_contracts"] >= 3
    assert figures["bulk_import_ok"] == figures["bulk_import_contracts"]
    assert figures["bulk_import_requests"] >= 4 * figures["bulk_import_contracts"]


def test_the_ratio_and_refresh_counts_are_consistent(tiny_bench):
    _, figures = tiny_bench
    assert figures["bare_fetch_seconds"] > 0 and figures["sage_read_seconds"] > 0
    assert figures["scan_ratio"] == pytest.approx(figures["sage_read_seconds"] / figures["bare_fetch_seconds"])
    assert figures["full_refresh_requests"] > 0
    assert figures["incremental_refresh_requests"] < figures["full_refresh_requests"]
    assert figures["incremental_states_unchanged"] is True
    assert figures["gui_rows"] == 13
    assert figures["peak_rss_mb"] > 10


def test_by_default_procore_answers_after_100_ms_within_its_documented_rate_limits(tiny_bench):
    done, figures = tiny_bench
    assert figures["procore"] == {"latency_ms": 100, "rate_limit": "3600/100"}
    assert "100 ms per request" in done.stdout
    # every request really waited: the first refresh cannot be faster than its requests x 100 ms
    assert figures["full_refresh_seconds"] >= 0.1 * figures["full_refresh_requests"]
    assert figures["rate_limited_responses"] == 0
    assert figures["hourly_budget_share_incremental"] == pytest.approx(figures["incremental_refresh_requests"] / 3600)


def test_the_request_counts_follow_the_formulas(tiny_bench):
    _, figures = tiny_bench
    linked, imported = figures["size"]["linked_projects"], figures["size"]["imported"]
    assert figures["incremental_refresh_requests"] <= linked + 10
    assert figures["full_refresh_requests"] <= linked + imported + 10
    assert figures["import_requests_per_contract"] == figures["bulk_import_requests_per_contract"]
    assert figures["bulk_import_requests"] <= 4 * figures["bulk_import_contracts"] + 1


@pytest.mark.parametrize("option", [("--procore-latency-ms", "-1"), ("--procore-rate-limit", "3600"),
                                    ("--procore-rate-limit", "0/100")])
def test_a_bad_procore_condition_is_a_usage_error(tmp_path, option):
    done = _run_bench(tmp_path, *option)
    assert done.returncode == 2 and option[0] in done.stderr


def test_the_table_reports_each_target_and_the_machine(tiny_bench):
    done, figures = tiny_bench
    assert set(figures["targets"].values()) <= {"met", "not met", "not measured"}
    assert len(figures["targets"]) == len(bench_report.TARGETS) == 11
    assert figures["machine"]["cpu_count"] >= 1 and figures["machine"]["python"]
    assert "Targets:" in done.stdout and "Machine:" in done.stdout


def test_without_the_sqlite_odbc_driver_the_bench_says_so_and_exits_3(tmp_path):
    empty = tmp_path / "odbc"
    empty.mkdir()
    (empty / "odbcinst.ini").write_text("", encoding="utf-8")
    (empty / "odbc.ini").write_text("", encoding="utf-8")
    done = _run_bench(tmp_path, env={"ODBCSYSINI": str(empty), "ODBCINSTINI": "odbcinst.ini",
                                     "ODBCINI": str(empty / "odbc.ini")})
    assert done.returncode == 3
    assert "SQLite3" in done.stderr and "not installed" in done.stderr
