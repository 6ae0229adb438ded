"""The line-item diff model with lines awaiting approval in Sage (never sent)."""

from __future__ import annotations

from decimal import Decimal

from sage_sync_desktop.gui.formatting import DASH
from sage_sync_desktop.gui.models.line_diff_model import DiffColumn, DiffRole, LineDiffModel
from sage_sync_desktop.sync.records import ContractDiff, ContractState, LineState
from tests.gui import records_factory as rf


def _model() -> LineDiffModel:
    lines = (
        rf.line(LineState.UNCHANGED, "1"),
        rf.line(LineState.AWAITING_APPROVAL, "2", sage="700.00", procore=None),
        rf.line(LineState.AWAITING_APPROVAL, "3", sage="900.00", procore="850.00"),
    )
    diff = ContractDiff("2001", lines, Decimal("100.00"), Decimal("950.00"), Decimal("950.00"))
    model = LineDiffModel()
    model.set_contracts([rf.status("2001", ContractState.SYNCED, diff=diff)])
    return model


def test_awaiting_lines_pass_the_model_tester(qtmodeltester):
    qtmodeltester.check(_model())


def test_awaiting_lines_say_so_and_keep_procores_amount_after(qtbot):
    model = _model()
    rows = {model.index(r, DiffColumn.ITEM).data(): r for r in range(model.rowCount())}
    new, kept = rows["2"], rows["3"]
    assert model.index(new, DiffColumn.STATE).data() == "Awaiting approval in Sage"
    assert model.index(new, DiffColumn.STATE).data(DiffRole.LOOK) == "awaiting_approval"
    assert model.index(new, DiffColumn.CHANGE).data() == "Awaiting approval in Sage; not sent (Sage amount $700.00)"
    assert model.index(new, DiffColumn.SAGE_AMOUNT).data() == DASH
    assert model.index(kept, DiffColumn.CHANGE).data().startswith(
        "Awaiting re-approval in Sage; Procore's line left as it is")
    assert model.index(kept, DiffColumn.SAGE_AMOUNT).data() == "$850.00"
    assert model.lines_to_import() == 0
