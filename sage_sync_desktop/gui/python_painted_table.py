"""A QTableView whose every paint is one call into Python, not one per visible cell.

Painting asks the (Python) model for every visible cell: index() and multiData(). Entered from
the event loop, each of those calls must first take the GIL, and while a refresh runs Python on
two worker threads each take waits for a worker's switch interval: ~140 waits per repaint of
the contract list, 20-70 ms. Entered through this Python paintEvent, the GUI thread already
holds the GIL for the whole paint (PySide keeps it across super().paintEvent), so the model's
answers are plain function calls; a worker gets the GIL only when it asks while the model's
Python code runs (every switch interval), not at every cell.
"""

from __future__ import annotations

from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QTableView


class PythonPaintedTableView(QTableView):
    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
