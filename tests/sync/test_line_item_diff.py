from __future__ import annotations

from decimal import Decimal

from sage_sync_desktop.sync.line_item_diff import compute_diff
from sage_sync_desktop.sync.line_values import LineValues, line_payload, sage_values
from sage_sync_desktop.sync.records import LineState
from tests.sync.records_builder import contract, hand_made_line, item, item_id, procore_line


def _states(diff) -> dict[str, LineState]:
    return {line.origin_id or line.description: line.state for line in diff.lines}


def test_a_contract_not_yet_loaded_has_every_line_added() -> None:
    sage = contract(items=[item("010", "100.00"), item("020", "250.50")])
    diff = compute_diff(sage, [])
    assert diff.counts.added == 2 and diff.counts.unchanged == 0
    assert diff.sage_total == Decimal("350.50")
    assert diff.procore_total_before == Decimal("0.00")
    assert diff.procore_total_after == Decimal("350.50")
    assert diff.has_changes


def test_lines_written_by_the_app_compare_unchanged_despite_procore_spelling() -> None:
    items = [item("010", "250000.00"), item("020", "12.50", quantity=Decimal("3"), unit_price=Decimal("4.1666"), unit="EA")]
    sage = contract(items=items)
    lines = [procore_line(sage, items[0], 1, amount="250000.0"), procore_line(sage, items[1], 2, quantity="3.0", unit_cost="4.16660")]
    diff = compute_diff(sage, lines)
    assert diff.counts.unchanged == 2
    assert not diff.has_changes


def test_changed_fields_are_named_with_old_and_new_values() -> None:
    old = item("010", "100.00", "Sitework")
    sage = contract(items=[item("010", "120.00", "Sitework and grading", cost_code="01-200")])
    diff = compute_diff(sage, [procore_line(sage, old, 7)])
    line = diff.line(item_id("1001", "010"))
    assert line.state is LineState.CHANGED
    assert {(c.field, c.old, c.new) for c in line.changes} == {
        ("description", "Sitework", "Sitework and grading"),
        ("amount", "100.00", "120.00"),
        ("cost_code", "", "01-200"),
    }
    assert line.procore_line_id == 7
    assert not line.edited_in_procore


def test_removed_lines_are_only_those_of_this_contract() -> None:
    gone = item("030", "75.00")
    sage = contract(items=[item("010", "100.00")])
    other_contract = contract("2002", items=[item("010", "5.00")])
    lines = [
        procore_line(sage, item("010", "100.00"), 1),
        procore_line(sage, gone, 2),
        procore_line(other_contract, other_contract.items[0], 3),
        hand_made_line(4, "500.0"),
        hand_made_line(5, "1.0", origin_id="HH2-LINE-9"),
    ]
    diff = compute_diff(sage, lines)
    states = _states(diff)
    assert states[item_id("1001", "030")] is LineState.REMOVED
    assert states[item_id("2002", "010")] is LineState.PROCORE_ONLY
    assert states["Owner allowance"] is LineState.PROCORE_ONLY
    assert states["HH2-LINE-9"] is LineState.PROCORE_ONLY
    assert diff.counts.removed == 1 and diff.counts.procore_only == 3
    assert diff.procore_total_before == Decimal("681.00")
    # after a re-import: Sage's 100 plus the three lines that are not ours
    assert diff.procore_total_after == Decimal("606.00")


def test_a_line_edited_in_procore_is_flagged_and_kept_in_the_after_total() -> None:
    sage_item = item("010", "100.00")
    sage = contract(items=[sage_item, item("020", "50.00")])
    edited = procore_line(sage, sage_item, 1, amount="90.0")
    diff = compute_diff(sage, [edited])
    line = diff.line(item_id("1001", "010"))
    assert line.state is LineState.KEPT and line.edited_in_procore
    assert line.amount_after == Decimal("90.00")  # "Procore After" shows the kept value
    assert diff.counts.edited_in_procore == 1 and diff.counts.kept == 1
    assert diff.procore_total_after == Decimal("140.00")
    overwritten = compute_diff(sage, [edited], overwrite_procore_edits=True)
    assert overwritten.line(item_id("1001", "010")).state is LineState.CHANGED
    assert overwritten.procore_total_after == Decimal("150.00")


def test_a_kept_procore_edit_is_not_a_change() -> None:
    sage_item = item("010", "100.00")
    sage = contract(items=[sage_item])
    diff = compute_diff(sage, [procore_line(sage, sage_item, 1, amount="90.0")])
    assert (diff.counts.changed, diff.counts.kept) == (0, 1)
    assert not diff.has_changes
    assert compute_diff(sage, [procore_line(sage, sage_item, 1, amount="90.0")],
                        overwrite_procore_edits=True).has_changes


def test_sage_change_without_procore_edit_is_not_flagged() -> None:
    written = item("010", "100.00")
    sage = contract(items=[item("010", "130.00")])
    diff = compute_diff(sage, [procore_line(sage, written, 1)])
    assert diff.line(item_id("1001", "010")).edited_in_procore is False


def test_history_values_count_as_written_when_origin_data_is_gone() -> None:
    sage = contract(items=[item("010", "130.00")])
    line = procore_line(sage, item("010", "100.00"), 1, origin_data=None)
    known = {item_id("1001", "010"): [sage_values(item("010", "80.00"))]}
    diff = compute_diff(sage, [line], known_values=known)
    # Procore holds 100 but the app last wrote 80: someone changed it in Procore.
    assert diff.line(item_id("1001", "010")).edited_in_procore
    no_history = compute_diff(sage, [line])
    assert not no_history.line(item_id("1001", "010")).edited_in_procore


def test_a_line_equal_to_sage_is_never_flagged_edited() -> None:
    sage_item = item("010", "100.00")
    sage = contract(items=[sage_item])
    line = procore_line(sage, sage_item, 1, origin_data=None)
    known = {item_id("1001", "010"): [sage_values(item("010", "80.00"))]}
    # the PM typed Sage's own value: nothing to decide, nothing to flag
    assert compute_diff(sage, [line], known_values=known).counts.edited_in_procore == 0


def test_budget_code_set_by_a_pm_is_neither_a_change_nor_an_edit() -> None:
    sage_item = item("010", "100.00", cost_code="01-100")
    sage = contract(items=[sage_item])
    line = procore_line(sage, sage_item, 1, cost_code={"id": 9, "full_code": "02-999"})
    diff = compute_diff(sage, [line])
    assert diff.counts.unchanged == 1 and diff.counts.edited_in_procore == 0


def test_duplicate_procore_lines_of_one_item_are_removed_not_doubled() -> None:
    sage_item = item("010", "100.00")
    sage = contract(items=[sage_item])
    lines = [procore_line(sage, sage_item, 1), procore_line(sage, sage_item, 2)]
    diff = compute_diff(sage, lines)
    assert diff.counts.unchanged == 1 and diff.counts.removed == 1
    assert diff.procore_total_after == Decimal("100.00")


def test_payload_clears_a_quantity_sage_no_longer_has() -> None:
    sage_item = item("010", "100.00")
    current = LineValues("Item 010", Decimal("100"), quantity=Decimal("4"), unit_cost=Decimal("25"), uom="EA")
    payload = line_payload(contract(items=[sage_item]), sage_item, current)
    assert payload["quantity"] is None and payload["unit_cost"] is None and payload["uom"] is None
    assert payload["amount"] == "100.00"
    assert "quantity" not in line_payload(contract(items=[sage_item]), sage_item)
