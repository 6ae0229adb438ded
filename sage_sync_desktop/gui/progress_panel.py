"""A progress bar with a message and Cancel, shown while engine work runs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from sage_sync_desktop.gui.plain_text import PlainLabel


STOPPING = "Stopping after the current contract\u2026"


class ProgressPanel(QWidget):
    """Shows what the running job reports; Cancel asks it to stop at its next safe point.

    Signals:
        cancel_requested(): the user pressed Cancel.
    """

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressPanel")
        self._bar = QProgressBar(self)
        self._bar.setObjectName("progressBar")
        self._bar.setRange(0, 100)
        self._bar.setTextVisible(True)
        self._message = PlainLabel(self)
        self._message.setObjectName("progressMessage")
        self._cancel = QPushButton("Cancel", self)
        self._cancel.setObjectName("cancelButton")
        self._cancel.setToolTip("Stop after the contract being sent now: it is finished first (lines and "
                                "approval), the ones after it are not sent")
        self._cancel.clicked.connect(self._on_cancel_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._message, 2)
        layout.addWidget(self._bar, 3)
        layout.addWidget(self._cancel)
        self.hide()

    def message(self) -> str:
        return self._message.text()

    def value(self) -> int:
        return self._bar.value()

    def start(self, message: str) -> None:
        self._bar.setValue(0)
        self._message.setText(message)
        self._cancel.setEnabled(True)
        self._cancel.setText("Cancel")
        self.show()

    def set_progress(self, percent: int, message: str) -> None:
        self._bar.setValue(percent)
        if message:
            stopping = not self._cancel.isEnabled()
            self._message.setText(f"{STOPPING} {message}" if stopping else message)

    def stop(self) -> None:
        self.hide()

    def show_stopping(self) -> None:
        """Cancel was asked for: say that the contract in hand is finished first."""
        self._cancel.setEnabled(False)
        self._cancel.setText("Stopping\u2026")
        self._message.setText(f"{STOPPING} {self._message.text()}".strip())

    def _on_cancel_clicked(self) -> None:
        self.show_stopping()
        self.cancel_requested.emit()
