"""A progress bar with a message and Cancel, shown while engine work runs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from sage_sync_desktop.gui.plain_text import PlainLabel
from sage_sync_desktop.sync.request_budget import NOTICE_PREFIX


STOPPING = "Stopping after the current contract\u2026"


class ProgressPanel(QWidget):
    """Shows what the running job reports; Cancel asks it to stop at its next safe point. A
    rate-limit notice (the work needs more Procore requests than are left) stays shown on its
    own line until the next job starts.

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
        self._notice = PlainLabel(self)
        self._notice.setObjectName("budgetNotice")
        self._notice.setWordWrap(True)
        self._notice.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._message, 2)
        row.addWidget(self._bar, 3)
        row.addWidget(self._cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self._notice)
        self.hide()

    def message(self) -> str:
        return self._message.text()

    def value(self) -> int:
        return self._bar.value()

    def notice(self) -> str:
        return self._notice.text() if not self._notice.isHidden() else ""

    def start(self, message: str) -> None:
        self._bar.setValue(0)
        self._notice.clear()
        self._notice.hide()
        self._message.setText(message)
        self._cancel.setEnabled(True)
        self._cancel.setText("Cancel")
        self.show()

    def set_progress(self, percent: int, message: str) -> None:
        self._bar.setValue(percent)
        if message.startswith(NOTICE_PREFIX):
            self._notice.setText(message)
            self._notice.show()
        elif message:
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
