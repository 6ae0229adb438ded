"""Text from Sage and Procore is shown as text in the window: never laid out as HTML.

A 78-character description holding an image of 20,000 x 20,000 pixels and a link took the
window 46 s and 6.6 GB when labels and tooltips rendered it as rich text.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QToolTip

from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.gui.models.contract_views import ContractView
from sage_sync_desktop.gui.models.line_diff_model import LineDiffModel
from sage_sync_desktop.sage.table_mapping import TableMapping
from sage_sync_desktop.gui.window_startup import build_window
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.demo.demo_setup import prepare_demo, read_sample
from sage_sync_desktop.demo.sample_editor import SampleEditor

pytestmark = [pytest.mark.slow, pytest.mark.qt_log_ignore(r"^This plugin does not support (propagateSizeHints|raise)\(\)$")]

BOMB = '<img width=20000 height=20000 src=x><a href="https://evil.example/pay">Pay</a>'


@pytest.fixture
def hostile_window(qtbot, tmp_path):
    assert len(BOMB) == 78
    demo = prepare_demo(tmp_path / "demo")
    contract = demo.roles["changes_ready"]
    company = read_sample(demo.sample.path, demo.sample.naming)
    editor = SampleEditor(demo.sample.path, demo.sample.naming)
    for item in company.contract(contract).items[:2]:
        editor.change_item(contract, item.number, description=BOMB)
    mapping = TableMapping.preset(demo.sample.naming)
    with sqlite3.connect(demo.sample.path) as db:  # the contract's own description too (the heading)
        db.execute(f'UPDATE "{mapping.table("contract")}" SET "{mapping.column("contract", "description")}" = ? '
                   f'WHERE TRIM("{mapping.column("contract", "id")}") = ?', (BOMB, contract))
    db.close()
    context = AppContext(paths=demo.paths, settings_path=demo.settings_path, secrets=SecretStore())
    window = build_window(context)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        window.refresh()
    try:
        yield window, contract
    finally:
        window.session.shutdown()
        demo.stop()


def _tooltips(model) -> list[str]:
    return [str(model.index(row, column).data(Qt.ItemDataRole.ToolTipRole) or "")
            for row in range(model.rowCount()) for column in range(model.columnCount())]


def test_every_label_is_plain_text_and_tooltips_with_markup_are_escaped(hostile_window, qtbot) -> None:
    window, contract = hostile_window
    labels = window.findChildren(QLabel)
    assert labels
    assert [label.objectName() or label.text() for label in labels
            if label.textFormat() != Qt.TextFormat.PlainText] == []
    window.prime_contracts_tab.set_view(ContractView.SYNCED)
    assert window.prime_contracts_tab.select_contracts([contract]) == 1
    diff_model = window.prime_contracts_tab.findChild(LineDiffModel)
    tips = [tip for tip in _tooltips(diff_model) if "20000" in tip]
    assert tips, "the hostile description is in the diff"
    for tip in tips:
        # Either Qt reads it as plain text, or it is escaped so the markup shows literally.
        assert "<img" not in tip and "&lt;img width=20000" in tip


def test_the_image_bomb_description_renders_fast_as_literal_text(hostile_window, qtbot) -> None:
    window, contract = hostile_window
    started = time.perf_counter()
    window.prime_contracts_tab.set_view(ContractView.SYNCED)
    assert window.prime_contracts_tab.select_contracts([contract]) == 1
    diff_model = window.prime_contracts_tab.findChild(LineDiffModel)
    tip = next(tip for tip in _tooltips(diff_model) if "20000" in tip)
    QToolTip.showText(window.geometry().center(), tip, window)
    window.grab()
    QApplication.processEvents()
    elapsed = time.perf_counter() - started
    QToolTip.hideText()
    assert elapsed < 10.0, f"showing the contract took {elapsed:.1f} s"
    heading = window.findChild(QLabel, "lineItemHeading")
    assert heading.text().endswith(BOMB)  # shown literally, markup and all
    assert heading.textFormat() == Qt.TextFormat.PlainText
    assert heading.sizeHint().height() < 200 and window.prime_contracts_tab.sizeHint().width() < 5000


def test_no_widget_code_builds_a_label_that_could_render_rich_text() -> None:
    """Every label is a PlainLabel: a plain QLabel(...) anywhere in gui/ would render HTML again."""
    from pathlib import Path

    import sage_sync_desktop.gui as gui

    root = Path(gui.__file__).parent
    offenders = [f"{path.relative_to(root)}:{number}"
                 for path in root.rglob("*.py") if path.name != "plain_text.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "QLabel(" in line and "PlainLabel(" not in line]
    assert offenders == []
