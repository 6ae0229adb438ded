"""The Prime Contracts list model (with its views and text filter) and the line-item diff model."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt

from sage_sync_desktop.gui.models.contract_views import ContractView, view_counts
from sage_sync_desktop.gui.models.contract_list_model import Column, ContractListModel
from sage_sync_desktop.gui.models.line_diff_model import DiffColumn, DiffRole, LineDiffModel
from sage_sync_desktop.sync.records import ContractState, ReasonCode
from tests.gui import records_factory as rf


def _statuses():
    return [
        rf.status("1001", ContractState.READY_TO_IMPORT),
        rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything("2001")),
        rf.status("2002", ContractState.SYNCED, diff=rf.unchanged_diff("2002")),
        rf.status("3001", ContractState.NOT_READY, reasons=(rf.reason(ReasonCode.UNAPPROVED),)),
    ]


def test_contract_list_model_passes_the_model_tester(qtmodeltester):
    model = ContractListModel()
    model.set_statuses(_statuses())
    qtmodeltester.check(model)


def test_contract_list_model_in_a_view_passes_the_model_tester(qtmodeltester):
    model = ContractListModel()
    model.set_statuses(_statuses())
    model.set_view(ContractView.SYNCED)
    qtmodeltester.check(model)


def test_a_painted_cell_gets_every_role_in_one_call_with_the_values_data_gives(qapp):
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

    model = ContractListModel()
    model.set_statuses(_statuses())
    delegate = QStyledItemDelegate()
    money = QStyleOptionViewItem()
    delegate.initStyleOption(money, model.index(1, Column.SAGE_TOTAL))  # Qt asks through multiData
    assert money.text == "$1,000.00"
    assert money.displayAlignment == Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    index = model.index(1, Column.STATUS)
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, index)
    assert option.text == index.data() and option.text.startswith("Changes ready")
    assert not option.icon.isNull()  # the status column's badge
    assert option.palette.text().color().name() == index.data(Qt.ItemDataRole.ForegroundRole).color().name()


def test_line_diff_model_passes_the_model_tester(qtmodeltester):
    model = LineDiffModel()
    model.set_contracts([rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything())])
    qtmodeltester.check(model)


def test_column_zero_gives_the_trimmed_contract_number_under_user_role():
    model = ContractListModel()
    model.set_statuses(_statuses())
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole) == "1001"
    assert model.status_at(0).contract.key == "  1001"


def test_headers_are_the_columns_procore_shows():
    model = ContractListModel()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == ["Contract", "Description", "Job", "Procore Project", "Sage Total", "Procore Total", "Status"]


def test_money_is_shown_with_dollars_and_a_dash_when_not_in_procore():
    model = ContractListModel()
    model.set_statuses(_statuses())
    assert model.index(0, Column.SAGE_TOTAL).data() == "$1,000.00"
    assert model.index(0, Column.PROCORE_TOTAL).data() == "\u2014"


def test_synced_view_holds_synced_and_changes_ready_contracts():
    model = ContractListModel()
    model.set_statuses(_statuses())
    model.set_view(ContractView.SYNCED)
    numbers = sorted(model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(model.rowCount()))
    assert numbers == ["2001", "2002"]
    statuses = {model.index(r, 0).data(Qt.ItemDataRole.UserRole): model.index(r, Column.STATUS).data()
                for r in range(model.rowCount())}
    assert statuses["2001"].startswith("Changes ready")
    assert statuses["2002"] == "Synced"


def test_view_counts_count_each_contract_once():
    assert view_counts(_statuses()) == {ContractView.READY: 1, ContractView.SYNCED: 2, ContractView.NOT_READY: 1}


def test_text_filter_matches_every_word_in_any_column():
    model = ContractListModel()
    model.set_statuses(_statuses())
    model.set_view(ContractView.SYNCED)
    model.set_filter_text("CONTRACT 2002")
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["2002"]
    model.set_filter_text("synced 2001")  # 2001's status is "Changes ready": not every word matches
    assert model.rowCount() == 0
    model.set_filter_text("nonexistent")
    assert model.rowCount() == 0
    model.set_filter_text("")
    assert model.rowCount() == 2


def test_sorting_by_total_sorts_numerically_not_as_text():
    base = rf.status("1001", ContractState.READY_TO_IMPORT)
    statuses = [
        replace(base, sage_total=Decimal(v), contract=replace(base.contract, number=str(i)))
        for i, v in enumerate(("900.00", "10000.00", "1200.00"))
    ]
    model = ContractListModel()
    model.set_statuses(statuses)
    model.sort(Column.SAGE_TOTAL, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, Column.SAGE_TOTAL).data() for r in range(3)] == ["$900.00", "$1,200.00", "$10,000.00"]


def test_not_ready_rows_say_why_they_are_blocked():
    model = ContractListModel()
    model.set_statuses(_statuses())
    assert model.index(3, Column.BLOCKED_BECAUSE).data() == "The contract is not approved in Sage."


def test_every_line_state_is_told_by_text_icon_and_colour():
    model = LineDiffModel()
    model.set_contracts([rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything())])
    texts = [model.index(r, DiffColumn.STATE).data() for r in range(model.rowCount())]
    # What Re-Import would change comes first, then Procore-only lines, then unchanged ones.
    assert texts == ["Added", "Changed", "Removed", "Edited in Procore", "Procore only", "Unchanged"]
    for r in range(model.rowCount()):
        assert not model.index(r, DiffColumn.STATE).data(Qt.ItemDataRole.DecorationRole).isNull()
        assert model.index(r, DiffColumn.STATE).data(Qt.ItemDataRole.ForegroundRole) is not None
    colours = {model.index(r, DiffColumn.STATE).data(Qt.ItemDataRole.ForegroundRole).color().name()
               for r in range(model.rowCount())}
    assert len(colours) == 6
    assert model.index(3, 0).data(DiffRole.LOOK) == "edited_in_procore"


def test_changed_lines_show_old_and_new_values():
    model = LineDiffModel()
    model.set_contracts([rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything())])
    assert model.index(1, DiffColumn.CHANGE).data() == "amount: $1,000.00 \u2192 $1,200.00"
    assert "\u201cPaint\u201d \u2192 \u201cPaint walls\u201d" in model.index(3, DiffColumn.CHANGE).data()


def test_totals_show_before_and_after():
    model = LineDiffModel()
    model.set_contracts([rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything())])
    assert model.totals_text().startswith("Re-Import of 1 contract: Procore total $1,740.00 \u2192 $1,680.00")
    assert model.lines_to_import() == 4


def test_totals_count_only_what_the_button_sends_and_agree_with_the_confirmation():
    model = LineDiffModel()
    synced = rf.status("2002", ContractState.SYNCED, diff=rf.unchanged_diff("2002"))
    model.set_contracts([rf.status("2001", ContractState.CHANGES_READY, diff=rf.diff_with_everything()), synced])
    preview = model.reimport_summary()
    assert preview.contracts == ("2001",) and preview.skipped == ("2002",)
    assert model.totals_text() == ("Re-Import of 1 contract: Procore total $1,740.00 \u2192 $1,680.00 "
                                   "(-$60.00 difference); Sage total $1,630.00. "
                                   "1 selected contract not counted: nothing to send.")
    assert (preview.total_before, preview.total_after) == (Decimal("1740.00"), Decimal("1680.00"))


def test_sorting_keeps_the_model_consistent_for_the_model_tester(qtmodeltester):
    model = ContractListModel()
    model.set_statuses(_statuses())
    model.set_view(ContractView.SYNCED)
    qtmodeltester.check(model)
    model.sort(Column.SAGE_TOTAL, Qt.SortOrder.DescendingOrder)
    model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)
    model.set_filter_text("ready")
    assert model.rowCount() == 1
    assert model.index(0, Column.STATUS).data().startswith("Changes ready")


def test_contract_field_changes_are_listed_with_old_and_new_values():
    from dataclasses import replace as _replace

    from sage_sync_desktop.sync.records import FieldChange
    diff = _replace(rf.unchanged_diff("2002"), header_changes=(FieldChange("title", "Old name", "New name"),))
    model = LineDiffModel()
    model.set_contracts([rf.status("2002", ContractState.CHANGES_READY, diff=diff)])
    assert model.header_changes_text() == "Contract changes: title: \u201cOld name\u201d \u2192 \u201cNew name\u201d"


def test_provisional_rows_from_sage_pass_the_model_tester_and_show_in_every_view(qtmodeltester):
    from sage_sync_desktop.gui.models.contract_list_model import CHECKING_PROCORE, prepare_provisional_rows
    model = ContractListModel()
    model.set_rows(prepare_provisional_rows([rf.contract("1001"), rf.contract("1002", amounts=("5.00",))]))
    qtmodeltester.check(model)
    assert model.provisional
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole) == "1001"
    assert model.index(1, Column.STATUS).data() == CHECKING_PROCORE
    assert model.statuses() == []
    for view in ContractView:
        model.set_view(view)
        assert model.rowCount() == 2
