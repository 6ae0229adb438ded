"""sync.cost_codes end to end: the sample company over ODBC, the sandbox over HTTP.

"off" (the default) never asks for cost codes and never sends a cost_code_id; "match" gives new
lines, and lines whose Sage cost code changed, the project's budget code of the same full code.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from sage_sync_desktop.procore.records import LineItem
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.sync_engine import SyncEngine
from sage_sync_desktop.app.wiring import build_engine
from tests.sync.conftest import link_suggested_jobs

COST_CODES = "GET /rest/v1.0/cost_codes"


@pytest.fixture
def match_engine(sync_settings, app_paths, secret_store) -> Iterator[SyncEngine]:
    built = build_engine(sync_settings.with_changes(sync={"cost_codes": "match"}), app_paths, secret_store)
    try:
        yield built
    finally:
        built.client.close()


def _ready_pair(engine: SyncEngine) -> tuple[str, str]:
    """Two importable contracts of one job (one project)."""
    link_suggested_jobs(engine)
    by_project: dict[int, list[str]] = {}
    for status in engine.snapshot.statuses:
        if status.can_import:
            by_project.setdefault(status.project.project_id, []).append(status.number)
    return next(tuple(numbers[:2]) for numbers in by_project.values() if len(numbers) >= 2)


def _project_codes(sandbox, project_id: int) -> dict[str, int]:
    rows = sandbox.state.all("SELECT id, full_code FROM cost_codes WHERE project_id = ?", (project_id,))
    return {row["full_code"]: row["id"] for row in rows}


def _lines_by_item(engine: SyncEngine, number: str) -> dict[str, LineItem]:
    status = engine.refresh().status(number)
    lines = engine.client.line_items(status.procore.project.project_id, status.procore.prime_contract_id)
    return {origin_ids.parse(line.origin_id).item: line for line in lines}


def test_off_asks_for_no_cost_codes_and_sends_no_cost_code_id(engine, sync_sandbox) -> None:
    first, second = _ready_pair(engine)
    sync_sandbox.reset_counts()
    outcomes = engine.import_contracts([first, second])
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    assert COST_CODES not in sync_sandbox.request_counts()["by_endpoint"]
    sent = [item for o in outcomes for r in o.requests for item in (r["body"] or {}).get("updates", [])]
    assert sent and not any("cost_code_id" in item for item in sent)
    for number in (first, second):
        assert all(line.cost_code_id is None for line in _lines_by_item(engine, number).values())


def test_match_gives_matched_lines_their_budget_code_and_reports_the_rest(match_engine, sync_sandbox) -> None:
    first, second = _ready_pair(match_engine)
    project = match_engine.snapshot.status(first).project
    codes = _project_codes(sync_sandbox, project.project_id)
    sync_sandbox.reset_counts()
    outcomes = match_engine.import_contracts([first, second])
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    # Read once for the project, although two contracts were written.
    assert sync_sandbox.request_counts()["by_endpoint"][COST_CODES] == 1
    for outcome in outcomes:
        items = {item.number.strip(): item.cost_code.strip()
                 for item in match_engine.snapshot.status(outcome.contract_number).contract.items}
        lines = _lines_by_item(match_engine, outcome.contract_number)
        assert set(lines) == set(items)
        matched = {n for n, code in items.items() if code in codes}
        assert matched and matched != set(items)  # the sample has both kinds
        for number, code in items.items():
            got = lines[number].cost_code_id
            assert got == codes.get(code), (number, code)
            if code in codes:
                assert lines[number].cost_code == code
        missing = sorted({code for code in items.values() if code not in codes})
        note = f"Cost code {missing[0]} has no budget code in project '{project.name}'; left empty."
        assert note in outcome.details
        assert "Some cost codes got no budget code" in outcome.message
        closing = match_engine.history.entries(outcome.contract_number)[-1]
        assert closing.phase == "finished"
        assert closing.data["cost_codes"] == {"matched": sum(code in codes for code in items.values()),
                                              "unmatched": missing}


def test_a_budget_code_set_by_a_pm_survives_a_reimport(match_engine, sync_sandbox, sage_user) -> None:
    number, _ = _ready_pair(match_engine)
    assert match_engine.import_contracts([number])[0].ok
    status = match_engine.snapshot.status(number)
    project_id, pc_id = status.procore.project.project_id, status.procore.prime_contract_id
    lines = _lines_by_item(match_engine, number)
    # A line the import matched: re-matching it would put the import's code back.
    item = next(n for n, line in lines.items() if line.cost_code_id is not None)
    pm_code = sync_sandbox.add_cost_code(project_id, "99-100", "PM's own budget code")
    answer = match_engine.client.sync_line_items(project_id, pc_id, [{"id": lines[item].line_item_id,
                                                                      "cost_code_id": pm_code}])
    assert answer.errors == ()
    sage_user.change_item(number, item, amount=Decimal("4321.00"))
    match_engine.refresh()
    sync_sandbox.reset_counts()
    [outcome] = match_engine.reimport_contracts([number])
    assert outcome.ok and "1 changed" in outcome.message, outcome.message
    after = _lines_by_item(match_engine, number)[item]
    assert (after.amount, after.cost_code_id) == (Decimal("4321.00"), pm_code)
    # No line needed a budget code, so none was read.
    assert COST_CODES not in sync_sandbox.request_counts()["by_endpoint"]


def test_a_changed_sage_cost_code_is_matched_again(match_engine, sync_sandbox, sage_user) -> None:
    number, _ = _ready_pair(match_engine)
    assert match_engine.import_contracts([number])[0].ok
    project = match_engine.snapshot.status(number).project
    codes = _project_codes(sync_sandbox, project.project_id)
    lines = _lines_by_item(match_engine, number)
    empty = [n for n, line in lines.items() if line.cost_code_id is None]
    to_matched, to_unknown = empty[0], next(n for n, line in lines.items() if line.cost_code_id is not None)
    had = lines[to_unknown].cost_code_id
    sage_user.change_item(number, to_matched, cost_code="03-300")
    sage_user.change_item(number, to_unknown, cost_code="77-777")
    match_engine.refresh()
    [outcome] = match_engine.reimport_contracts([number])
    assert outcome.ok, outcome.message
    after = _lines_by_item(match_engine, number)
    assert after[to_matched].cost_code_id == codes["03-300"]
    # No budget code for the new Sage code: the line is not blocked and keeps what it had.
    assert after[to_unknown].cost_code_id == had
    assert (f"Cost code 77-777 has no budget code in project '{project.name}'; the line keeps the budget "
            "code it had.") in outcome.details
    assert match_engine.refresh().status(number).diff.has_changes is False


def test_a_dry_run_with_match_shows_the_cost_code_ids_it_would_send(match_engine, sync_sandbox) -> None:
    number, _ = _ready_pair(match_engine)
    codes = _project_codes(sync_sandbox, match_engine.snapshot.status(number).project.project_id)
    [outcome] = match_engine.import_contracts([number], dry_run=True)
    sent = [item for r in outcome.requests for item in (r["body"] or {}).get("updates", [])]
    assert sorted({item["cost_code_id"] for item in sent if "cost_code_id" in item}) == sorted(
        {codes[i.cost_code.strip()] for i in match_engine.snapshot.status(number).contract.items
         if i.cost_code.strip() in codes})
    assert any(d.startswith("Cost code ") for d in outcome.details)
    assert sync_sandbox.prime_contracts(match_engine.snapshot.status(number).project.project_id) == []
