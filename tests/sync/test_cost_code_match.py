"""The matching rule itself: exact full code after trimming, one budget code or none."""

from __future__ import annotations

import json

from sage_sync_desktop.procore.records import LineItem
from sage_sync_desktop.sync.cost_code_match import ProjectCostCodes, assign, needs_budget_code
from tests.sync.records_builder import item


def test_a_code_is_matched_on_its_trimmed_full_code_only_when_it_is_unique():
    codes = ProjectCostCodes({"02-200": (11,), "03-300": (21, 22)})
    payloads = [{}, {}, {}, {}]
    result = assign([(payloads[0], " 02-200 ", True), (payloads[1], "03-300", True),
                     (payloads[2], "01-000", True), (payloads[3], "01-000", False)], codes, "Harbor View")
    assert [p.get("cost_code_id") for p in payloads] == [11, None, None, None]
    assert result.matched == 1
    assert result.notes() == (
        "Cost code 01-000 has no budget code in project 'Harbor View'; the line keeps the budget code it had.",
        "Cost code 01-000 has no budget code in project 'Harbor View'; left empty.",
        "Cost code 03-300 matches 2 budget codes in project 'Harbor View'; left empty.",
    )
    assert result.as_data() == {"matched": 1, "unmatched": ["01-000", "03-300"]}


def test_unreadable_cost_codes_match_nothing_and_say_why():
    payload: dict = {}
    result = assign([(payload, "02-200", True)], ProjectCostCodes({}, error="no access"), "P")
    assert payload == {} and result.read_error == "no access"
    assert result.notes() == ("Cost codes of project 'P' could not be read (no access); budget codes left as they are.",)


def _line(cost_code: str | None) -> LineItem:
    written = {"cost_code": cost_code} if cost_code is not None else None
    data = {"app": "sage-sync-desktop", "v": 1, "written": written} if written else {"app": "other"}
    return LineItem.from_json({"id": 1, "origin_data": json.dumps(data)})


def test_only_new_lines_and_changed_sage_codes_need_a_budget_code():
    sage = item("010", "100.00", cost_code="02-200")
    assert needs_budget_code(sage, None)
    assert needs_budget_code(sage, _line("01-000"))
    assert not needs_budget_code(sage, _line("02-200"))
    assert not needs_budget_code(sage, _line(None))  # not written by this app: left to the PM
    assert not needs_budget_code(item("010", "100.00", cost_code=""), None)
