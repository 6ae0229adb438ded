"""Which contracts Re-Import and Add to Procore act on, and the sentence that says why not."""

from __future__ import annotations

from sage_sync_desktop.sync import availability
from sage_sync_desktop.sync.records import ContractState, ReasonCode
from tests.gui import records_factory as rf


def test_changes_ready_with_lines_to_import_is_eligible():
    status = rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything())
    result = availability.availability([status])
    assert result.enabled and result.eligible == ("2001",) and result.explanation == ""


def test_synced_with_nothing_new_says_nothing_new_and_how_to_fix():
    status = rf.status("2002", ContractState.SYNCED, diff=rf.unchanged_diff("2002"))
    result = availability.availability([status])
    assert not result.enabled
    assert result.skipped[0][1][0].code is ReasonCode.NOTHING_NEW
    assert result.explanation == f"{result.skipped[0][1][0].message} {result.skipped[0][1][0].fix}"
    assert "Refresh" in result.explanation


def test_each_blocking_rule_is_named_with_its_fix():
    for code in (ReasonCode.UNAPPROVED, ReasonCode.JOB_NOT_SYNCED, ReasonCode.ON_TWO_PROJECTS,
                 ReasonCode.NO_PERMISSION_ERP, ReasonCode.NO_PERMISSION_PRIME_CONTRACTS):
        reason = rf.reason(code)
        status = rf.status("2003", ContractState.NOT_READY, reasons=(reason,),
                           diff=rf.diff_with_everything("2003"), in_procore=True)
        result = availability.availability([status])
        assert not result.enabled
        assert result.explanation == f"{reason.message} {reason.fix}"


def test_bulk_selection_sends_the_eligible_and_lists_the_skipped():
    statuses = [
        rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything("2001")),
        rf.status("2002", ContractState.SYNCED, diff=rf.unchanged_diff("2002")),
        rf.status("2004", ContractState.CHANGES_READY, diff=rf.diff_with_everything("2004")),
    ]
    result = availability.availability(statuses)
    assert result.eligible == ("2001", "2004")
    assert result.explanation.splitlines()[0] == "2 of 3 selected will be sent; 1 contract skipped:"
    assert result.explanation.splitlines()[1].startswith("2002: Procore already matches Sage")


def test_changes_ready_without_a_loaded_diff_waits_for_it():
    status = rf.status("2001", ContractState.CHANGES_READY, diff=None)
    assert availability.availability([status]).enabled is False
    assert availability.availability([status], [rf.diff_with_everything("2001")]).enabled is True


def test_import_is_for_ready_contracts_only():
    ready = rf.status("1001", ContractState.READY_TO_IMPORT)
    synced = rf.status("2002", ContractState.SYNCED, diff=rf.unchanged_diff("2002"))
    assert availability.availability([ready], for_import=True).enabled
    assert not availability.availability([synced], for_import=True).enabled


def test_summary_adds_up_the_selected_diffs():
    summary = availability.summarise([rf.diff_with_everything("2001"), rf.diff_with_everything("2004")])
    assert (summary.added, summary.changed, summary.removed, summary.edited_in_procore) == (2, 4, 2, 2)
    assert str(summary.total_before) == "3480.00" and str(summary.total_after) == "3360.00"
