"""Table columns that share the room there is: fixed ones keep their width, flexible ones split
the rest by weight, never below their minimum (at 1024x640 nothing important is cut off)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView


class ColumnFitter(QObject):
    """Refits `view`'s columns whenever its viewport is resized. `flexible` maps a column to
    (weight, minimum width); columns in neither mapping keep the width they have."""

    def __init__(self, view: QTableView, fixed: Mapping[int, int], flexible: Mapping[int, tuple[int, int]]) -> None:
        super().__init__(view)
        self._view = view
        self._fixed = dict(fixed)
        self._flexible = dict(flexible)
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        for column in (*self._fixed, *self._flexible):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        view.viewport().installEventFilter(self)
        self.fit()

    def fit(self) -> None:
        view, header = self._view, self._view.horizontalHeader()
        for column, width in self._fixed.items():
            if not view.isColumnHidden(column):
                header.resizeSection(column, width)
        shown = {c: wm for c, wm in self._flexible.items() if not view.isColumnHidden(c)}
        used = sum(header.sectionSize(c) for c in range(header.count())
                   if not view.isColumnHidden(c) and c not in shown)
        for column, width in share(max(0, view.viewport().width() - used), shown).items():
            header.resizeSection(column, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False


def share(room: int, columns: Mapping[int, tuple[int, int]]) -> dict[int, int]:
    """Split `room` by weight; a column whose share is below its minimum gets the minimum and
    the others share what is left (when even the minimums do not fit, they overflow)."""
    widths: dict[int, int] = {}
    pending = dict(columns)
    while pending:
        total = sum(weight for weight, _minimum in pending.values()) or 1
        short = {c: m for c, (w, m) in pending.items() if room * w // total < m}
        if not short:
            for column, (weight, _minimum) in pending.items():
                widths[column] = room * weight // total
            break
        for column, minimum in short.items():
            widths[column] = minimum
            room = max(0, room - minimum)
            del pending[column]
    return widths
