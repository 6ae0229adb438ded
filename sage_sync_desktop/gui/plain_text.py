"""Text from Sage and Procore shown as text, never as HTML.

Qt renders a label or a tooltip as rich text whenever the text *looks* like HTML
(`Qt.mightBeRichText`), so a description such as `<img width=20000 height=20000>` would be laid
out as a 20,000-pixel image (46 s and 6.6 GB in one test) and `<a href=...>` as a fake link.
Every label in the window is a `PlainLabel`; every tooltip that may hold data goes through
`plain_tooltip`, which escapes it in exactly the cases Qt would read it as HTML.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt  # mightBeRichText lives in QtGui's Qt namespace
from PySide6.QtWidgets import QLabel, QWidget


class PlainLabel(QLabel):
    """A QLabel whose text is always plain text."""

    def __init__(self, text: str | QWidget | None = "", parent: QWidget | None = None) -> None:
        if isinstance(text, QWidget) or text is None:  # QLabel(parent), as QLabel allows
            text, parent = "", text
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)


def plain_tooltip(text: str) -> str:
    """The tooltip as Qt should show it: literally, line breaks and spaces kept."""
    if not text or not GuiQt.mightBeRichText(text):
        return text  # Qt shows it as plain text already
    escaped = html.escape(text).replace("\n", "<br>")
    return f"<p style='white-space:pre-wrap'>{escaped}</p>"
