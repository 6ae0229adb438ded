"""Under the list: the selected contracts' line-item diff, totals, and the two action buttons.

Re-Import is bound to the diff model: every time the model changes, the button is enabled only
when the shown diff has lines to import and no rule blocks the contract; otherwise it is greyed
out and the tooltip and the visible `reimportReason` line say why and how to fix it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sage_sync_desktop.gui.plain_text import PlainLabel, plain_tooltip
from sage_sync_desktop.gui.column_fit import ColumnFitter
from sage_sync_desktop.gui.formatting import plural
from sage_sync_desktop.gui.models.contract_views import ContractView
from sage_sync_desktop.gui.models.line_diff_model import DiffColumn, LineDiffModel
from sage_sync_desktop.gui.python_painted_table import PythonPaintedTableView
from sage_sync_desktop.gui.static_header import serve_header_from_copy
from sage_sync_desktop.sync.availability import NOTHING_SELECTED, Availability

# Procore's primary action colour; the disabled look stays the platform's grey.
PRIMARY_BUTTON_STYLE = (
    "QPushButton { padding: 5px 16px; }"
    " QPushButton:enabled { background: #d9480f; color: white; border: 1px solid #b93c0c;"
    " border-radius: 3px; }"
    " QPushButton:enabled:hover { background: #b93c0c; }"
    " QPushButton:enabled:focus { border: 2px solid #1c4f82; }"
)
BUSY_REASON = "Working: wait for the current job to finish (or press Cancel)."


class DiffPanel(QWidget):
    """Line-item diff of the selection with Add to Procore and Re-Import.

    Signals:
        import_clicked(list): contract numbers Add to Procore should send.
        reimport_clicked(list): contract numbers Re-Import should send.
        overwrite_clicked(list): contract numbers whose kept Procore edits should be overwritten.
    """

    import_clicked = Signal(list)
    reimport_clicked = Signal(list)
    overwrite_clicked = Signal(list)

    def __init__(self, model: LineDiffModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._view = ContractView.READY
        self._busy = False
        self._import = Availability((), (), NOTHING_SELECTED)
        self._reimport = Availability((), (), NOTHING_SELECTED)
        self._overwrite = Availability((), (), NOTHING_SELECTED)

        self._heading = PlainLabel("Line items", self)
        self._heading.setObjectName("lineItemHeading")
        self._heading.setStyleSheet("font-weight: 600;")
        # A long contract description must never make the window wider than the screen.
        self._heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._add_button = QPushButton("&Add to Procore", self)
        self._add_button.setObjectName("addToProcoreButton")
        self._add_button.clicked.connect(self._on_add_button_clicked)
        self._reimport_button = QPushButton("&Re-Import", self)
        self._reimport_button.setObjectName("reimportButton")
        self._reimport_button.clicked.connect(self._on_reimport_button_clicked)
        # Procore edits are kept by default; replacing them is its own, explicit action.
        self._overwrite_button = QPushButton("&Overwrite Procore Edits\u2026", self)
        self._overwrite_button.setObjectName("overwriteProcoreEditsButton")
        self._overwrite_button.clicked.connect(self._on_overwrite_button_clicked)
        for button in (self._add_button, self._reimport_button):
            button.setStyleSheet(PRIMARY_BUTTON_STYLE)
            # Room for the longest label ("Add to Procore (999)"), so a count never clips it.
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance("Add to Procore (999)") + 40)
        self._reason = PlainLabel(self)
        self._reason.setObjectName("reimportReason")
        self._reason.setWordWrap(True)
        self._reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._reason.setStyleSheet("color: #5f4b00;")
        self._table = PythonPaintedTableView(self)
        self._table.setObjectName("lineItemDiff")
        self._table.setModel(model)
        serve_header_from_copy(self._table)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.verticalHeader().hide()
        self._table.setWordWrap(False)
        self._table.setAccessibleName("Line items: what Re-Import would change")
        self._table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._fitter = ColumnFitter(
            self._table,
            {DiffColumn.CONTRACT: 80, DiffColumn.STATE: 150, DiffColumn.ITEM: 60,
             DiffColumn.PROCORE_AMOUNT: 110, DiffColumn.SAGE_AMOUNT: 120},
            {DiffColumn.DESCRIPTION: (2, 120), DiffColumn.CHANGE: (3, 180)})
        self._totals = PlainLabel(self)
        self._totals.setObjectName("diffTotals")
        self._header_changes = PlainLabel(self)
        self._header_changes.setObjectName("contractHeaderChanges")
        self._header_changes.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self._heading, 1)
        # Links into Procore's own pages of the selected contract and its project (the tab fills
        # them in: it knows the configured Procore environment).
        self.contract_link = QPushButton(self)
        self.contract_link.setObjectName("openContractInProcore")
        self.project_link = QPushButton(self)
        self.project_link.setObjectName("openProjectInProcore")
        for link in (self.contract_link, self.project_link):
            link.setFlat(True)
            link.setCursor(Qt.CursorShape.PointingHandCursor)
            link.setStyleSheet("QPushButton { color: #1c4f82; text-decoration: underline; border: none; "
                               "padding: 0 4px; }")
            link.hide()
            top.addWidget(link)
        top.addWidget(self._overwrite_button)
        top.addWidget(self._add_button)
        top.addWidget(self._reimport_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self._reason)
        layout.addWidget(self._header_changes)
        layout.addWidget(self._table, 1)
        layout.addWidget(self._totals)
        self.setTabOrder(self._overwrite_button, self._add_button)
        self.setTabOrder(self._add_button, self._reimport_button)
        self.setTabOrder(self._reimport_button, self._table)
        # Tab leaves the table for the next area; arrows move within it.
        self._table.setTabKeyNavigation(False)

        model.diff_changed.connect(self._on_model_diff_changed)
        self._on_model_diff_changed()

    # --- our API
    def set_view(self, view: ContractView) -> None:
        self._view = view
        self._update_buttons()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def reimport_availability(self) -> Availability:
        return self._reimport

    def table(self) -> QTableView:
        return self._table

    # --- slots
    def _on_model_diff_changed(self) -> None:
        statuses = self._model.statuses()
        self._table.setColumnHidden(DiffColumn.CONTRACT, len(statuses) < 2)
        self._fitter.fit()
        if not statuses:
            self._heading.setText("Line items")
        elif len(statuses) == 1:
            self._heading.setText(f"Line items of contract {statuses[0].number}: {statuses[0].contract.description}")
        else:
            self._heading.setText(f"Line items of {plural(len(statuses), 'selected contract')}")
        self._totals.setText(self._model.totals_text())
        header_changes = self._model.header_changes_text()
        self._header_changes.setText(header_changes)
        self._header_changes.setVisible(bool(header_changes))
        self._import = self._model.import_availability()
        self._reimport = self._model.reimport_availability()
        self._overwrite = self._model.overwrite_availability()
        self._update_buttons()

    def _on_add_button_clicked(self) -> None:
        if self._import.enabled and not self._busy:
            self.import_clicked.emit(list(self._import.eligible))

    def _on_reimport_button_clicked(self) -> None:
        if self._reimport.enabled and not self._busy:
            self.reimport_clicked.emit(list(self._reimport.eligible))

    def _on_overwrite_button_clicked(self) -> None:
        if self._overwrite.enabled and not self._busy:
            self.overwrite_clicked.emit(list(self._overwrite.eligible))

    def _update_buttons(self) -> None:
        # Shown only when a selected contract has Procore edits kept (rare, and never by surprise).
        self._overwrite_button.setVisible(self._view is ContractView.SYNCED and self._overwrite.enabled)
        self._overwrite_button.setEnabled(not self._busy)
        self._overwrite_button.setToolTip(
            BUSY_REASON if self._busy else
            f"Replace the Procore edits kept in {', '.join(self._overwrite.eligible)} with Sage's values")
        self._add_button.setVisible(self._view is not ContractView.SYNCED)
        self._reimport_button.setVisible(self._view is not ContractView.READY)
        self._set_button(self._add_button, self._import, "Add to Procore")
        self._set_button(self._reimport_button, self._reimport, "Re-Import")
        shown = self._reimport if self._view is not ContractView.READY else self._import
        reason = BUSY_REASON if self._busy else shown.explanation
        self._reason.setText(reason)
        self._reason.setVisible(bool(reason))

    def _set_button(self, button: QPushButton, availability: Availability, label: str) -> None:
        count = len(availability.eligible)
        button.setText(f"&{label}" if count <= 1 else f"&{label} ({count})")
        button.setEnabled(availability.enabled and not self._busy)
        if self._busy:
            button.setToolTip(BUSY_REASON)
        elif availability.explanation:
            button.setToolTip(plain_tooltip(availability.explanation))
        else:
            button.setToolTip(plain_tooltip(f"{label}: {', '.join(availability.eligible)}"))
