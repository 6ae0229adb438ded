"""The line-item diff under the list: every Sage and Procore line of the selected contracts."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from enum import IntEnum

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from sage_sync_desktop.gui.plain_text import plain_tooltip
from sage_sync_desktop.gui.models.record_table_model import RecordTableModel
from sage_sync_desktop.gui import formatting, state_style
from sage_sync_desktop.gui.formatting import ARROW, plural
from sage_sync_desktop.sync import availability, send_preview
from sage_sync_desktop.gui.state_style import LineLook
from sage_sync_desktop.sync.line_item_diff import awaiting_text
from sage_sync_desktop.sync.records import ContractDiff, ContractState, ContractStatus, FieldChange, LineDiff, LineState

_Index = QModelIndex | QPersistentModelIndex


class DiffColumn(IntEnum):
    CONTRACT = 0  # hidden when one contract is selected
    STATE = 1
    ITEM = 2
    DESCRIPTION = 3
    CHANGE = 4
    PROCORE_AMOUNT = 5
    SAGE_AMOUNT = 6


class DiffRole(IntEnum):
    LINE = int(Qt.ItemDataRole.UserRole) + 1
    LOOK = int(Qt.ItemDataRole.UserRole) + 2  # the LineLook value, e.g. "added"


HEADERS = {
    DiffColumn.CONTRACT: "Contract",
    DiffColumn.STATE: "State",
    DiffColumn.ITEM: "Item",
    DiffColumn.DESCRIPTION: "Description",
    DiffColumn.CHANGE: "Change",
    DiffColumn.PROCORE_AMOUNT: "Procore Now",
    DiffColumn.SAGE_AMOUNT: "Procore After",
}
_ORDER = {
    LineLook.ADDED: 0, LineLook.CHANGED: 0, LineLook.REMOVED: 0, LineLook.EDITED_IN_PROCORE: 0,
    LineLook.KEPT: 1, LineLook.PROCORE_ONLY: 1, LineLook.AWAITING_APPROVAL: 1, LineLook.UNCHANGED: 2,
}
_MONEY_FIELDS = {"amount", "unit_cost", "unit_price"}
_FIELD_NAMES = {"unit_cost": "unit cost", "uom": "unit", "cost_code": "cost code"}


def _field_value(change_field: str, value: str) -> str:
    if not value:
        return "(empty)"
    if change_field in _MONEY_FIELDS:
        try:
            return formatting.money(Decimal(value))
        except InvalidOperation:
            return value
    return f"\u201c{value}\u201d"


def change_text(line: LineDiff) -> str:
    """The Change column: old -> new for every changed field, or what happens to the line."""
    def one(change: FieldChange) -> str:
        name = _FIELD_NAMES.get(change.field, change.field)
        return f"{name}: {_field_value(change.field, change.old)} {ARROW} {_field_value(change.field, change.new)}"

    fields = "; ".join(one(c) for c in line.changes)
    if line.state is LineState.KEPT:
        if line.sage_amount is None:
            return "Edited in Procore; kept although no longer in Sage"
        sage = "; ".join(f"{_FIELD_NAMES.get(c.field, c.field)} {_field_value(c.field, c.new)}" for c in line.changes)
        return f"Edited in Procore; Procore's values kept (Sage has {sage})" if sage else "Edited in Procore; kept"
    if line.state is LineState.ADDED:
        text = "New in Sage; will be added"
    elif line.state is LineState.REMOVED:
        text = "No longer in Sage; will be removed from Procore"
    elif line.state is LineState.PROCORE_ONLY:
        text = "Added in Procore; left as it is"
    elif line.state is LineState.CHANGED:
        text = fields or "Changed in Sage"
    elif line.state is LineState.AWAITING_APPROVAL:
        text = f"{awaiting_text(line)} (Sage amount {formatting.money(line.sage_amount)})"
    else:
        text = fields
    if line.edited_in_procore:
        note = "Edited in Procore since the last import"
        text = f"{note}. {text}" if text else note
    return text


class LineDiffModel(RecordTableModel):
    """Lines of the selected contracts' diffs; the Re-Import button is bound to this model.

    Signals:
        diff_changed(): the selected contracts or their diffs were replaced.
    """

    COLUMNS = DiffColumn
    HEADERS = HEADERS

    diff_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._statuses: list[ContractStatus] = []
        self._diffs: list[ContractDiff | None] = []
        self._rows: list[tuple[str, LineDiff]] = []
        # Rows of a contract a data rule blocks: nothing is sent. Row -> the problem with that
        # line ("" for a line that is fine but waits for the contract).
        self._blocked: dict[int, str] = {}

    # --- our API
    def set_contracts(
        self, statuses: Sequence[ContractStatus], diffs: Sequence[ContractDiff | None] | None = None
    ) -> None:
        """Show the given contracts; `diffs` defaults to each status's own diff."""
        self.beginResetModel()
        self._statuses = list(statuses)
        self._diffs = list(diffs) if diffs is not None else [s.diff for s in statuses]
        self._rows = []
        self._blocked = {}
        for status, diff in zip(self._statuses, self._diffs, strict=True):
            if diff is not None:
                # What Re-Import would change comes first; the rest keeps Sage's item order.
                ordered = sorted(enumerate(diff.lines), key=lambda pair: (_ORDER[LineLook.of(pair[1])], pair[0]))
                problems = (availability.blocking_items(status.reasons)
                            if status.state is ContractState.NOT_READY else None)
                if problems is not None:
                    # The line that blocks comes first.
                    ordered.sort(key=lambda pair: pair[1].item_number not in problems)
                for _index, line in ordered:
                    if problems is not None:
                        self._blocked[len(self._rows)] = problems.get(line.item_number, "")
                    self._rows.append((status.number, line))
        self.endResetModel()
        self.diff_changed.emit()

    def set_diff(self, contract_number: str, diff: ContractDiff) -> None:
        """A diff loaded later for one of the shown contracts."""
        numbers = [s.number for s in self._statuses]
        if contract_number in numbers:
            diffs = list(self._diffs)
            diffs[numbers.index(contract_number)] = diff
            self.set_contracts(self._statuses, diffs)

    def clear(self) -> None:
        self.set_contracts([])

    def statuses(self) -> list[ContractStatus]:
        return list(self._statuses)

    def lines_to_import(self) -> int:
        return sum(
            1 for _number, line in self._rows
            if line.state in (LineState.ADDED, LineState.CHANGED, LineState.REMOVED)
        )

    def reimport_availability(self) -> availability.Availability:
        return availability.availability(self._statuses, self._diffs)

    def import_availability(self) -> availability.Availability:
        return availability.availability(self._statuses, self._diffs, for_import=True)

    def overwrite_availability(self) -> availability.Availability:
        return availability.availability(self._statuses, self._diffs, rule=availability.overwrite_reasons)

    def reimport_summary(self, *, overwrite: bool = False) -> send_preview.SendPreview:
        """What Re-Import would send; with `overwrite`, the same contracts with the Procore edits
        kept so far replaced by Sage's values (the write's overwrite_procore_edits)."""
        if not overwrite:
            return self.preview(send_preview.REIMPORT)
        eligible = self.reimport_availability().eligible
        return send_preview.preview(send_preview.OVERWRITE, self._statuses, self._diffs, eligible)

    def preview(self, action: str) -> send_preview.SendPreview:
        """What the button for `action` would send: its confirmation and the totals line."""
        chosen = {
            send_preview.IMPORT: self.import_availability,
            send_preview.REIMPORT: self.reimport_availability,
            send_preview.OVERWRITE: self.overwrite_availability,
        }[action]()
        return send_preview.preview(action, self._statuses, self._diffs, chosen.eligible)

    def header_changes_text(self) -> str:
        """Contract fields (number, title, date, retainage) Re-Import would change, old -> new."""
        parts = []
        for status, diff in zip(self._statuses, self._diffs, strict=True):
            changes = getattr(diff, "header_changes", ()) if diff is not None else ()
            if changes:
                fields = "; ".join(
                    f"{c.field}: {_field_value(c.field, c.old)} {ARROW} {_field_value(c.field, c.new)}"
                    for c in changes
                )
                parts.append(fields if len(self._statuses) == 1 else f"{status.number}: {fields}")
        return ("Contract changes: " + " | ".join(parts)) if parts else ""

    def totals_text(self) -> str:
        """The totals of what the button would send: the same numbers as its confirmation."""
        if not self._statuses:
            return ""
        in_procore = any(s.procore is not None for s in self._statuses)
        action = send_preview.REIMPORT if in_procore else send_preview.IMPORT
        preview = self.preview(action)
        skipped = (f" {plural(len(preview.skipped), 'selected contract')} not counted: "
                   f"{'nothing to send' if in_procore else 'not ready'}.") if preview.skipped else ""
        if not preview.rows:
            diffs = [d for d in self._diffs if d is not None]
            if not diffs:
                return ""
            before = sum((d.procore_total_before for d in diffs), Decimal("0.00"))
            sage = sum((d.sage_total for d in diffs), Decimal("0.00"))
            procore = f"Procore total {formatting.money(before)}; " if in_procore else ""
            return f"{procore}Sage total {formatting.money(sage)}. Nothing to send."
        what = plural(len(preview.rows), "contract")
        if action == send_preview.IMPORT:
            return f"Add to Procore: {what}, Sage total {formatting.money(preview.sage_total)}.{skipped}"
        before, after = preview.total_before, preview.total_after
        change = "no change" if before == after else f"{formatting.money(after - before)} difference"
        return (
            f"Re-Import of {what}: Procore total {formatting.money(before)} {ARROW} {formatting.money(after)} "
            f"({change}); Sage total {formatting.money(preview.sage_total)}.{skipped}"
        )

    # --- Qt overrides
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        number, line = self._rows[index.row()]
        column = DiffColumn(index.column())
        blocked = self._blocked.get(index.row())
        kind = state_style.blocked_look_of(line, blocked) if blocked is not None else state_style.LineLook.of(line)
        look = state_style.LINE_LOOKS[kind]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(number, line, column, look)
            if blocked is not None and column is DiffColumn.CHANGE:
                text = blocked or "Not sent while the contract is blocked (see Blocked Because)"
            if blocked is not None and column is DiffColumn.SAGE_AMOUNT:
                text = formatting.money(line.procore_amount)  # nothing is sent: Procore keeps what it has
            return text if role == Qt.ItemDataRole.DisplayRole else plain_tooltip(text)
        if role == DiffRole.LINE:
            return line
        if role == DiffRole.LOOK:
            return kind.value
        if role == Qt.ItemDataRole.DecorationRole and column is DiffColumn.STATE:
            return state_style.glyph_icon(look.glyph, look.foreground)
        if role == Qt.ItemDataRole.ForegroundRole and column in (DiffColumn.STATE, DiffColumn.CHANGE):
            return state_style.brush(look.foreground)
        if role == Qt.ItemDataRole.BackgroundRole:
            return state_style.brush(look.background)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            DiffColumn.PROCORE_AMOUNT, DiffColumn.SAGE_AMOUNT
        ):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    @staticmethod
    def _text(number: str, line: LineDiff, column: DiffColumn, look: state_style.Look) -> str:
        if column is DiffColumn.CONTRACT:
            return number
        if column is DiffColumn.STATE:
            return look.text
        if column is DiffColumn.ITEM:
            return line.item_number
        if column is DiffColumn.DESCRIPTION:
            return line.description
        if column is DiffColumn.CHANGE:
            return change_text(line)
        if column is DiffColumn.PROCORE_AMOUNT:
            return formatting.money(line.procore_amount)
        return formatting.money(line.amount_after)  # awaiting approval: Procore keeps what it has
