"""The confirmation before contracts are sent: every contract with its totals, then the sum.

Add to Procore and Overwrite Procore Edits ask with ConfirmSendDialog; Re-Import asks with
ReimportDialog (reimport_dialog.py), which shows the same contract table.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sage_sync_desktop.gui.formatting import ARROW, money, plural
from sage_sync_desktop.gui.plain_text import PlainLabel
from sage_sync_desktop.sync.send_preview import IMPORT, OVERWRITE, SendPreview

_HEADERS = ("Contract", "Description", "Procore Project", "Lines", "Sage Total", "Procore Now", "Procore After")
_MONEY_COLUMNS = (4, 5, 6)
MIN_WIDTH = 760  # the amounts never wrap (the old dialog was 254 px wide)


def lines_text(added: int, changed: int, removed: int) -> str:
    parts = [f"{n} {word}" for n, word in ((added, "new"), (changed, "changed"), (removed, "removed")) if n]
    return ", ".join(parts) or "no line changes"


def contract_table(preview: SendPreview, parent: QWidget) -> QTableWidget:
    """One row per contract that will be sent (plain text cells)."""
    table = QTableWidget(len(preview.rows), len(_HEADERS), parent)
    table.setObjectName("confirmContracts")
    table.setHorizontalHeaderLabels(list(_HEADERS))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    fill_contract_table(table, preview)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.setMaximumHeight(60 + 28 * min(len(preview.rows), 10))
    return table


def fill_contract_table(table: QTableWidget, preview: SendPreview) -> None:
    """(Re)writes the rows, e.g. when the Re-Import dialog's overwrite box changes the figures."""
    table.setRowCount(len(preview.rows))
    for row, item in enumerate(preview.rows):
        texts = (item.number, item.description, item.project,
                 lines_text(item.added, item.changed, item.removed),
                 money(item.sage_total), money(item.procore_before), money(item.procore_after))
        for column, text in enumerate(texts):
            cell = QTableWidgetItem(text)
            if column in _MONEY_COLUMNS:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, column, cell)


def totals_text(preview: SendPreview) -> str:
    what = plural(len(preview.rows), "contract")
    if preview.action == IMPORT:
        text = f"{what}, {lines_text(preview.added, 0, 0)} lines, Sage total {money(preview.sage_total)}."
    else:
        text = (f"{what}: {lines_text(preview.added, preview.changed, preview.removed)} lines. "
                f"Procore total {money(preview.total_before)} {ARROW} {money(preview.total_after)}.")
    if preview.skipped:
        text += f" Not sent: {', '.join(preview.skipped[:5])}{' and more' if len(preview.skipped) > 5 else ''}."
    return text


_TEXTS = {
    IMPORT: ("Add to Procore", "Add these contracts to Procore?", "Add to Procore"),
    OVERWRITE: ("Overwrite Procore Edits", "Replace the Procore edits kept so far with Sage's values?",
                "Overwrite"),
}


class ConfirmSendDialog(QDialog):
    """Asks once, with every contract and the totals, before anything is sent."""

    def __init__(self, preview: SendPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confirmSendDialog")
        title, question, button = _TEXTS.get(preview.action, _TEXTS[IMPORT])
        self.setWindowTitle(title)
        self.setMinimumWidth(MIN_WIDTH)
        heading = PlainLabel(question, self)
        heading.setStyleSheet("font-weight: 600;")
        self._totals = PlainLabel(totals_text(preview), self)
        self._totals.setObjectName("confirmTotals")
        self._totals.setWordWrap(True)
        note = PlainLabel(self)
        note.setWordWrap(True)
        if preview.action == OVERWRITE:
            note.setText(f"{plural(preview.edited_in_procore, 'line was', 'lines were')} edited in Procore "
                         "since the last import; Procore's values are replaced by Sage's.")
        else:
            note.setText("Each contract is created as Draft, its lines are added, then it is set Approved.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(button)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(contract_table(preview, self))
        layout.addWidget(self._totals)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def totals(self) -> str:
        return self._totals.text()

    @classmethod
    def ask(cls, preview: SendPreview, parent: QWidget | None = None) -> bool:
        """True to send. Tests replace this classmethod."""
        return cls(preview, parent).exec() == QDialog.DialogCode.Accepted
