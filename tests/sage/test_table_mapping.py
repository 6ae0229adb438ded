"""Logical fields -> Sage names: presets and per-site overrides from settings."""

from __future__ import annotations

import pytest

from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.sage.table_mapping import ApprovalRule, TableMapping
from sage_sync_desktop.settings import SageSettings


def test_legacy_preset_uses_the_split_and_typed_table_names():
    mapping = TableMapping.preset("legacy")
    assert [mapping.table(t) for t in ("job", "customer", "contract", "contract_item")] == [
        "MASTER_JCM_JOB_1", "MASTER_ARM_CUSTOMER", "ACTIVE_CNC_CONTRACT", "ACTIVE_CNC_CONTRACT_ITEM"]


def test_standard_preset_uses_the_double_underscore_names():
    mapping = TableMapping.preset("standard")
    assert [mapping.table(t) for t in ("job", "customer", "contract", "contract_item")] == [
        "JCM_MASTER__JOB", "ARM_MASTER__CUSTOMER", "CNC_ACTIVE__CONTRACT", "CNC_ACTIVE__CONTRACT_ITEM"]


def test_columns_of_the_preset():
    mapping = TableMapping.preset("legacy")
    assert mapping.column("contract", "id") == "Contract"
    assert mapping.column("contract", "approval_date") == "Date_Approved"
    assert mapping.column("contract_item", "item") == "Contract_Item"
    assert mapping.column("contract_item", "amount") == "Original_Contract_Total"
    assert mapping.column("job", "customer") == "AR_Customer"


def test_unknown_preset_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="naming preset"):
        TableMapping.preset("dictionary")


def test_site_override_replaces_table_and_column_names():
    sage = SageSettings(naming="standard", mapping={
        "contract": {"table": "CNC_ACTIVE__CONTRACT_1", "columns": {"approval_date": "Approved_Date"}},
        "contract_item": {"columns": {"amount": "Revised_Contract_Amount"}},
    })
    mapping = TableMapping.from_settings(sage)
    assert mapping.table("contract") == "CNC_ACTIVE__CONTRACT_1"
    assert mapping.column("contract", "approval_date") == "Approved_Date"
    assert mapping.column("contract_item", "amount") == "Revised_Contract_Amount"
    assert mapping.table("job") == "JCM_MASTER__JOB"  # untouched names keep the preset


def test_optional_field_may_be_mapped_to_none_and_is_left_out_of_the_query():
    mapping = TableMapping.preset("legacy").with_overrides(
        {"contract_item": {"columns": {"quantity": None, "unit_price": None, "unit": None,
                                       "cost_code": None, "category": None}},
         "contract": {"columns": {"retainage_percent": None, "status": None}}})
    assert mapping.column("contract_item", "quantity") is None
    assert [f for f, _ in mapping.mapped_fields("contract_item")] == [
        "contract", "item", "description", "amount", "job", "status", "approval_date"]


def test_required_field_cannot_be_mapped_to_none():
    with pytest.raises(ConfigurationError, match="amount cannot be empty"):
        TableMapping.preset("legacy").with_overrides({"contract_item": {"columns": {"amount": None}}})


def test_approval_needs_a_date_or_a_status_column_on_the_contract_or_its_items():
    with pytest.raises(ConfigurationError, match="approved"):
        TableMapping.preset("legacy").with_overrides(
            {"contract": {"columns": {"approval_date": None, "status": None}},
             "contract_item": {"columns": {"approval_date": None, "status": None}}})
    # Items alone are enough: approval lives on contract items in Sage's Contracts module.
    items_only = TableMapping.preset("legacy").with_overrides(
        {"contract": {"columns": {"approval_date": None, "status": None}}})
    assert items_only.item_approval_mapped


def test_the_header_job_may_be_null_but_not_together_with_the_item_job():
    mapping = TableMapping.preset("standard").with_overrides({"contract": {"columns": {"job": None}}})
    assert mapping.column("contract", "job") is None
    with pytest.raises(ConfigurationError, match="no contract would belong to a job"):
        TableMapping.preset("legacy").with_overrides(
            {"contract": {"columns": {"job": None}}, "contract_item": {"columns": {"job": None}}})


def test_item_approval_defaults_and_overrides():
    preset = TableMapping.preset("legacy")
    assert (preset.column("contract_item", "status"), preset.column("contract_item", "approval_date"),
            preset.column("contract_item", "job")) == ("Status", "Approval_Date", "Job")
    assert preset.approval.unapproved_item_statuses == ("Proposed",)
    assert not preset.approval.item_status_approves("  PROPOSED ")
    assert preset.approval.item_status_approves("Approved")
    custom = preset.with_overrides({"approval": {"unapproved_item_statuses": ["Proposed", "On hold"]}})
    assert not custom.approval.item_status_approves("on hold")
    assert TableMapping.preset("legacy").with_overrides(custom.to_overrides()) == custom


@pytest.mark.parametrize("overrides,words", [
    ({"contracts": {}}, "unknown table"),
    ({"contract": {"columns": {"approved": "X"}}}, "unknown field"),
    ({"contract": {"tables": "X"}}, "unknown key"),
    ({"contract": {"table": 'X"; DROP TABLE y; --'}}, "not a usable table name"),
    ({"contract": {"columns": {"description": 'Description" FROM x; --'}}}, "not a usable column name"),
    ({"approval": {"unapproved_statuses": "Pending"}}, "list of texts"),
    ({"approval": {"unapproved_item_statuses": [1]}}, "list of texts"),
])
def test_bad_overrides_are_refused_with_a_clear_message(overrides, words):
    with pytest.raises(ConfigurationError, match=words):
        TableMapping.preset("legacy").with_overrides(overrides)


def test_overrides_round_trip_through_to_overrides():
    overrides = {"contract": {"table": "CNC_X", "columns": {"status": None}},
                 "approval": {"unapproved_statuses": ["Open"], "approved_statuses": ["Approved"]}}
    mapping = TableMapping.preset("legacy").with_overrides(overrides)
    assert TableMapping.preset("legacy").with_overrides(mapping.to_overrides()) == mapping


def test_approval_needs_the_date_when_the_date_column_is_mapped():
    rule = ApprovalRule()
    assert rule.is_approved(approval_date_mapped=True, approval_date=None,
                            status_mapped=True, status="Approved") is False


def test_approval_refuses_an_unapproved_status_even_with_a_date():
    from datetime import date

    rule = ApprovalRule()
    assert rule.is_approved(approval_date_mapped=True, approval_date=date(2024, 1, 2),
                            status_mapped=True, status="  pending ") is False


def test_approval_with_an_approved_status_list_needs_one_of_them():
    rule = ApprovalRule(unapproved_statuses=(), approved_statuses=("Approved", "Closed"))
    assert rule.is_approved(approval_date_mapped=False, approval_date=None,
                            status_mapped=True, status="APPROVED") is True
    assert rule.is_approved(approval_date_mapped=False, approval_date=None,
                            status_mapped=True, status="Open") is False
