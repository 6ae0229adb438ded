"""ProcoreClient.cost_codes over real HTTP against the sandbox: every page, one project only."""

from __future__ import annotations

PROJECT = 5_000_001_001
OTHER_PROJECT = 5_000_001_002


def test_cost_codes_reads_every_page_of_one_project(sandbox, procore_client):
    for n in range(995):  # with the 8 seeded codes: 1003, more than one page of 1000
        sandbox.add_cost_code(PROJECT, f"90-{n:04d}", f"Code {n}")
    sandbox.add_cost_code(OTHER_PROJECT, "99-999", "Elsewhere")
    sandbox.reset_counts()
    codes = procore_client.cost_codes(PROJECT)
    assert len(codes) == 1003
    assert len({row.cost_code_id for row in codes}) == 1003
    assert "99-999" not in {row.full_code for row in codes}
    assert {"02-200", "90-0994"} <= {row.full_code for row in codes}
    assert sandbox.request_counts()["by_endpoint"]["GET /rest/v1.0/cost_codes"] == 2
    assert procore_client.stats.by_endpoint["GET /rest/v1.0/cost_codes"] == 2
