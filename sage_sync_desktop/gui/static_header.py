"""Column headers read from a C++ copy of the model's headers, never from the Python model.

A header repaints with every model reset and every column resize, asking headerData for six
or so roles per section: each one a call into Python, which while a refresh runs Python on
worker threads first has to win the GIL back (a few dozen waits per repaint). The headers of
our tables never change, so the tables on screen while a refresh runs (the contract list and
the line diff) give their header view a QStandardItemModel holding a copy. Sorting is not
affected: a click on the header still sorts the table's own model.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView

_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.ForegroundRole,
)


def serve_header_from_copy(view: QTableView) -> QStandardItemModel:
    """Call right after view.setModel() and before sections are hidden, sized or sorted."""
    model = view.model()
    copy = QStandardItemModel(0, model.columnCount(), view)
    copy.setObjectName(f"{view.objectName()}Header")
    horizontal = Qt.Orientation.Horizontal
    for column in range(model.columnCount()):
        for role in _ROLES:
            value = model.headerData(column, horizontal, role)
            if value is not None:
                copy.setHeaderData(column, horizontal, value, role)
    view.horizontalHeader().setModel(copy)
    return copy
