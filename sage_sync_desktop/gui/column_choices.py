"""After Test connection: for each column Sage does not have, a drop-down of that table's actual
columns (best candidates first), so an administrator picks the site's own name instead of
guessing it. The page saves the picks to sage.mapping."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from sage_sync_desktop.gui.plain_text import PlainLabel, plain_tooltip

from sage_sync_desktop.sage.schema_probe import SchemaReport
from sage_sync_desktop.sage.table_mapping import OPTIONAL_FIELDS

NOT_CHOSEN = "Choose the column\u2026"
NONE_HERE = "This site has no such column"
_NO_COLUMN = ""  # item data meaning "map to null"


class ColumnChoices(QWidget):
    """One labelled drop-down per missing column of the last schema report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sageColumnChoices")
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._combos: dict[tuple[str, str], QComboBox] = {}
        # Picks made before the last clear (a new Test connection): kept until the page is saved.
        self._kept: dict[tuple[str, str], str | None] = {}
        self.hide()

    def clear(self) -> None:
        """Drop the drop-downs (before a new test), keeping what was picked in them."""
        self._kept.update(self._picked())
        while self._form.rowCount():
            self._form.removeRow(0)
        self._combos = {}
        self.hide()

    def show_report(self, report: SchemaReport) -> None:
        self.clear()
        for missing in report.missing:
            if missing.kind != "column" or not missing.field or not missing.candidates:
                continue
            combo = QComboBox(self)
            combo.setObjectName(f"columnChoice_{missing.logical_table}_{missing.field}")
            combo.addItem(NOT_CHOSEN, None)
            for column in missing.candidates:
                best = " (closest name)" if column == missing.best_candidate else ""
                combo.addItem(f"{column}{best}", column)
            if missing.field in OPTIONAL_FIELDS[missing.logical_table]:
                combo.addItem(NONE_HERE, _NO_COLUMN)
            combo.setToolTip(plain_tooltip(f"{missing.message} Columns of {missing.table}, likeliest first."))
            label = PlainLabel(f"{missing.logical_table.replace('_', ' ')} {missing.field.replace('_', ' ')} "
                               f"({missing.column} not in {missing.table}):", self)
            label.setWordWrap(True)
            label.setBuddy(combo)
            self._form.addRow(label, combo)
            self._combos[(missing.logical_table, missing.field)] = combo
        self.setVisible(bool(self._combos))

    def _picked(self) -> dict[tuple[str, str], str | None]:
        picked: dict[tuple[str, str], str | None] = {}
        for key, combo in self._combos.items():
            column = combo.currentData()
            if column is not None:
                picked[key] = column or None
        return picked

    def overrides(self) -> dict[str, Any]:
        """Every column picked since the page opened, as sage.mapping entries (null for "no
        such column")."""
        chosen: dict[str, Any] = {}
        for (logical, field), column in (self._kept | self._picked()).items():
            chosen.setdefault(logical, {"columns": {}})["columns"][field] = column
        return chosen
