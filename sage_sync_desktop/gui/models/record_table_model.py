"""The shape every table in the window shares: one record per row, columns from an IntEnum.

Every call Qt makes into a Python model must take the GIL, and while a refresh runs Python on
worker threads each take can wait for a worker's switch interval. So the base answers a painted
cell with two calls instead of about twenty: `index` without Qt's rowCount/columnCount check,
and `multiData` with every role the delegate asks for at once (each model's data() stays the
one place that says what a cell holds).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
)

_Index = QModelIndex | QPersistentModelIndex


class RecordTableModel(QAbstractTableModel):
    """Flat, read-only table over `self._rows`; subclasses give COLUMNS, HEADERS and data()."""

    COLUMNS: ClassVar[type[IntEnum]]
    HEADERS: ClassVar[Mapping[Any, str]]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def _header_data(self, column: IntEnum, role: int) -> object:
        """Header roles beyond the label (alignment...); none by default."""
        return None

    # --- Qt overrides
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:
        if parent.isValid() or not (0 <= row < len(self._rows) and 0 <= column < len(self.COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def multiData(self, index: _Index, span: QModelRoleDataSpan) -> None:
        for role_data in span:
            value = self.data(index, role_data.role())
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        column = self.COLUMNS(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[column]
        return self._header_data(column, role)
