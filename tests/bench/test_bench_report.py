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
        "size": {"linked_projects": 95, "imported": 900},
        "bulk_import_requests": 81,
        "bulk_import_contracts": 20,
        "rate_limited_responses": 0,
        "gui_first_rows_seconds": 1.0,
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


def test_the_request_budgets_follow_linked_projects_and_contracts_in_procore():
    # linked projects + 10 for the second refresh; + the 900 contracts in Procore for the first
    inside = bench_report.evaluate_targets(_result(incremental_refresh_requests=105, full_refresh_requests=1005))
    assert inside["incremental_refresh_request_budget"] == inside["full_refresh_request_budget"] == "met"
    past = bench_report.evaluate_targets(_result(incremental_refresh_requests=106, full_refresh_requests=1006))
    assert past["incremental_refresh_request_budget"] == past["full_refresh_request_budget"] == "not met"


def test_an_import_batch_may_cost_four_per_contract_plus_one():
    assert bench_report.evaluate_targets(_result(bulk_import_requests=81))["import_requests_per_contract"] == "met"
    assert bench_report.evaluate_targets(_result(bulk_import_requests=82))["import_requests_per_contract"] == "not met"


def test_real_conditions_targets_one_429_slow_refresh_or_slow_first_rows_is_not_met():
    verdicts = bench_report.evaluate_targets(
        _result(rate_limited_responses=1, incremental_refresh_seconds=60.5, full_refresh_seconds=200.0,
                gui_first_rows_seconds=3.2))
    assert verdicts["rate_limited_responses"] == "not met"
    assert verdicts["incremental_refresh_seconds"] == "not met"
    assert verdicts["gui_first_rows_seconds"] == "not met"


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
