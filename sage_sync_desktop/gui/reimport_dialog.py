"""The confirmation before a Re-Import: what will change, and what to do with lines edited in Procore."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QVBoxLayout,
    QWidget,
)

from sage_sync_desktop.gui.plain_text import PlainLabel
from sage_sync_desktop.gui.confirm_send_dialog import MIN_WIDTH, contract_table, fill_contract_table
from sage_sync_desktop.gui.formatting import ARROW, money, plural
from sage_sync_desktop.sync.send_preview import SendPreview

ReimportSummary = SendPreview


@dataclass(frozen=True)
class ReimportDecision:
    overwrite_procore_edits: bool


def summary_text(summary: ReimportSummary) -> str:
    what = (
        f"contract {summary.contracts[0]}"
        if len(summary.contracts) == 1
        else plural(len(summary.contracts), "contract")
    )
    return (
        f"Re-Import {what} into Procore: {summary.added} new, {summary.changed} changed, "
        f"{summary.removed} removed {'line' if summary.added + summary.changed + summary.removed == 1 else 'lines'}.\n"
        f"Procore total {money(summary.total_before)} {ARROW} {money(summary.total_after)}."
    )


class ReimportDialog(QDialog):
    """Asks once, with the numbers, before anything is sent; the edited-lines question is separate.

    `summary` is the Re-Import that keeps Procore's edits, `overwriting` the same contracts with
    those edits replaced by Sage's values (send_preview's OVERWRITE figures): the table, the line
    counts and the "after" total follow the overwrite box.
    """

    def __init__(self, summary: ReimportSummary, parent: QWidget | None = None, *,
                 overwriting: ReimportSummary) -> None:
        super().__init__(parent)
        if overwriting.contracts != summary.contracts:
            raise ValueError("the overwriting summary must cover the same contracts")
        self._keeping_summary = summary
        self._overwriting_summary = overwriting
        self.setObjectName("reimportDialog")
        self.setWindowTitle("Re-Import into Procore")
        self.setMinimumWidth(MIN_WIDTH)
        self._summary = PlainLabel(summary_text(summary), self)
        self._summary.setObjectName("reimportSummary")
        self._summary.setWordWrap(True)
        self._overwrite = QCheckBox(self)
        self._overwrite.setObjectName("overwriteProcoreEdits")
        self._overwrite.setChecked(False)
        self._overwrite.toggled.connect(self._on_overwrite_toggled)
        edited = summary.edited_in_procore
        self._has_edited_lines = edited > 0
        self._overwrite.setText(
            f"Overwrite {plural(edited, 'line')} edited in Procore with Sage's values"
        )
        self._edited_note = PlainLabel(self)
        self._edited_note.setObjectName("editedInProcoreNote")
        self._edited_note.setWordWrap(True)
        self._edited_note.setText(
            f"{plural(edited, 'line was', 'lines were')} changed in Procore since the last import. "
            "Leave the box clear to keep Procore's values for those lines."
        )
        self._overwrite.setVisible(edited > 0)
        self._edited_note.setVisible(edited > 0)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Re-Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._table = contract_table(summary, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self._table)
        layout.addWidget(self._summary)
        layout.addWidget(self._edited_note)
        layout.addWidget(self._overwrite)
        layout.addWidget(buttons)

    def summary(self) -> str:
        return self._summary.text()

    def chosen_summary(self) -> ReimportSummary:
        """What the Re-Import will do with the box as it is now."""
        return self._overwriting_summary if self.decision().overwrite_procore_edits else self._keeping_summary

    def decision(self) -> ReimportDecision:
        return ReimportDecision(
            overwrite_procore_edits=self._has_edited_lines and self._overwrite.isChecked()
        )

    def _on_overwrite_toggled(self, _checked: bool) -> None:
        chosen = self.chosen_summary()
        self._summary.setText(summary_text(chosen))
        fill_contract_table(self._table, chosen)

    @classmethod
    def ask(cls, summary: ReimportSummary, parent: QWidget | None = None, *,
            overwriting: ReimportSummary) -> ReimportDecision | None:
        """The user's decision, or None for Cancel. Tests replace this classmethod."""
        dialog = cls(summary, parent, overwriting=overwriting)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.decision()
