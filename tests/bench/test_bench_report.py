"""The benchmark's verdicts follow its figures (the figures themselves come from the bench run)."""

from __future__ import annotations

import json

from sage_sync_desktop.bench import bench_report


def _result(**overrides):
    result = {
        "scan_ratio": 1.2,
        "reimport_500_lines_requests": 4,
        "full_refresh_requests": 1000,
        "full_refresh_seconds": 10.0,
        "incremental_refresh_requests": 100,
        "incremental_refresh_seconds": 2.0,
        "gui_max_stall_ms": 40.0,
        "peak_rss_mb": 200.0,
    }
    result.update(overrides)
    return result


def test_every_target_is_met_by_figures_inside_the_limits():
    verdicts = bench_report.evaluate_targets(_result())
    assert set(verdicts.values()) == {"met"}


def test_a_figure_past_its_limit_is_reported_not_met():
    verdicts = bench_report.evaluate_targets(
        _result(scan_ratio=1.51, reimport_500_lines_requests=5, peak_rss_mb=300.0,
                gui_max_stall_ms=100.0)
    )
    assert verdicts["scan_ratio"] == "not met"
    assert verdicts["reimport_500_lines_requests"] == "not met"
    assert verdicts["peak_rss_mb"] == "not met"
    assert verdicts["gui_max_stall_ms"] == "not met"


def test_an_incremental_refresh_that_is_not_cheaper_is_not_met():
    slower = bench_report.evaluate_targets(_result(incremental_refresh_seconds=11.0))
    busier = bench_report.evaluate_targets(_result(incremental_refresh_requests=600))
    assert slower["incremental_refresh_requests"] == "not met"
    assert busier["incremental_refresh_requests"] == "not met"


def test_a_figure_missing_from_the_run_is_not_measured_rather_than_met():
    verdicts = bench_report.evaluate_targets(_result(gui_max_stall_ms=None, peak_rss_mb="n/a"))
    assert verdicts["gui_max_stall_ms"] == "not measured"
    assert verdicts["peak_rss_mb"] == "not measured"


def test_the_reimport_budget_is_one_sync_per_thousand_lines_plus_three():
    assert bench_report.reimport_request_budget(500) == 4
    assert bench_report.reimport_request_budget(1000) == 4
    assert bench_report.reimport_request_budget(1001) == 5


def test_the_table_shows_each_figure_and_its_verdict(tmp_path):
    table = bench_report.format_table(_result(scan_ratio=2.0, startup_seconds=None))
    ratio_line = next(line for line in table.splitlines() if line.startswith("Sage read / bare"))
    assert "2.000 x" in ratio_line and "[not met]" in ratio_line
    startup_line = next(line for line in table.splitlines() if "launch to window" in line)
    assert "n/a" in startup_line


def test_the_json_file_round_trips(tmp_path):
    path = tmp_path / "out" / "bench.json"
    bench_report.write_json(_result(), path)
    assert json.loads(path.read_text(encoding="utf-8"))["scan_ratio"] == 1.2
