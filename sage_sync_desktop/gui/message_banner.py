"""The green or red message at the top of a page, as Procore shows it, with details one click away."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from sage_sync_desktop.gui.plain_text import PlainLabel
from sage_sync_desktop.gui import state_style


class MessageKind(StrEnum):
    SUCCESS = "success"
    ERROR = "error"
    INFO = "info"  # neutral: what the user asked for happened (a Cancel), nothing went wrong


_COLOURS = {
    MessageKind.SUCCESS: ("#1b5e20", "#e3f3e4", "#8cc590", "check"),
    MessageKind.ERROR: ("#a31515", "#fbe3e3", "#e39a9a", "cross"),
    MessageKind.INFO: ("#24527a", "#e4eef7", "#a9c3dc", "square"),
}


class MessageBanner(QFrame):
    """A dismissable message; hidden until something happens. A message may carry one action
    button (e.g. "Open Settings" under a set-up error).

    Signals:
        dismissed(): the user closed the message.
        action_clicked(str): the action button was pressed; its id comes with it.
    """

    dismissed = Signal()
    action_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._kind = MessageKind.SUCCESS
        self._icon = PlainLabel(self)
        self._text = PlainLabel(self)
        self._text.setObjectName("messageText")
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._details_button = QToolButton(self)
        self._details_button.setObjectName("messageDetailsButton")
        self._details_button.setText("Show details")
        self._details_button.setCheckable(True)
        self._details_button.toggled.connect(self._on_details_button_toggled)
        self._action_id = ""
        self._action_button = QToolButton(self)
        self._action_button.setObjectName("messageActionButton")
        self._action_button.clicked.connect(self._on_action_button_clicked)
        self._action_button.hide()
        self._close_button = QToolButton(self)
        self._close_button.setObjectName("messageCloseButton")
        self._close_button.setText("\u00d7")
        self._close_button.setToolTip("Dismiss this message")
        self._close_button.setAccessibleName("Dismiss message")
        self._close_button.clicked.connect(self._on_close_button_clicked)
        self._details = QPlainTextEdit(self)
        self._details.setObjectName("messageDetails")
        self._details.setReadOnly(True)
        self._details.setMaximumHeight(140)
        self._details.hide()

        row = QHBoxLayout()
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self._text, 1)
        row.addWidget(self._action_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self._details_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self._close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addLayout(row)
        layout.addWidget(self._details)
        self.hide()

    @property
    def kind(self) -> MessageKind:
        return self._kind

    def text(self) -> str:
        return self._text.text()

    def details(self) -> str:
        return self._details.toPlainText()

    def action_text(self) -> str:
        """The action button's label, or "" when this message has none."""
        return self._action_button.text() if not self._action_button.isHidden() else ""

    def show_success(self, text: str, details: Sequence[str] = ()) -> None:
        self._show(MessageKind.SUCCESS, text, details)

    def show_error(self, text: str, details: Sequence[str] = (), *,
                   action: tuple[str, str] | None = None) -> None:
        """`action` is (id, label) of a button shown with the message."""
        self._show(MessageKind.ERROR, text, details, action)

    def show_info(self, text: str, details: Sequence[str] = ()) -> None:
        self._show(MessageKind.INFO, text, details)

    def _show(self, kind: MessageKind, text: str, details: Sequence[str],
              action: tuple[str, str] | None = None) -> None:
        self._kind = kind
        foreground, background, border, glyph = _COLOURS[kind]
        self.setProperty("kind", kind.value)
        self.setStyleSheet(
            f"#messageBanner {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
            f" #messageText {{ color: {foreground}; font-weight: 600; }}"
        )
        self._icon.setPixmap(state_style.glyph_icon(glyph, foreground).pixmap(20, 20))
        self._text.setText(text)
        self._details.setPlainText("\n".join(details))
        self._details_button.setVisible(bool(details))
        self._details_button.setChecked(False)
        self._details.hide()
        self._action_id = action[0] if action else ""
        self._action_button.setText(action[1] if action else "")
        self._action_button.setVisible(action is not None)
        self.show()

    def _on_action_button_clicked(self) -> None:
        self.action_clicked.emit(self._action_id)

    def _on_details_button_toggled(self, checked: bool) -> None:
        self._details.setVisible(checked)
        self._details_button.setText("Hide details" if checked else "Show details")

    def _on_close_button_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()
