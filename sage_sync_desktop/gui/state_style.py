"""How each line and contract state looks: text, colour and icon together, never colour alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from sage_sync_desktop.sync.records import ContractState, ContractStatus, LineDiff, LineState


class LineLook(StrEnum):
    """What a diff line shows; `edited_in_procore` wins over the plain state so it is never missed."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    UNCHANGED = "unchanged"
    PROCORE_ONLY = "procore_only"
    EDITED_IN_PROCORE = "edited_in_procore"  # edited in Procore, and about to be overwritten
    AWAITING_APPROVAL = "awaiting_approval"
    KEPT = "kept"
    BLOCKING = "blocking"  # the line a data rule blocks the contract for
    HELD = "held"  # a line of a blocked contract that is fine but is not sent either

    @classmethod
    def of(cls, line: LineDiff) -> LineLook:
        if line.state is LineState.KEPT:
            return cls.KEPT
        if line.edited_in_procore:
            return cls.EDITED_IN_PROCORE
        return cls(line.state.value)


@dataclass(frozen=True)
class Look:
    text: str
    foreground: str  # dark enough for text on the background (WCAG AA on the tint)
    background: str
    glyph: str  # what the icon draws: plus, minus, delta, check, square, pencil, clock, cross


LINE_LOOKS: dict[LineLook, Look] = {
    LineLook.ADDED: Look("Added", "#1b5e20", "#e3f3e4", "plus"),
    LineLook.CHANGED: Look("Changed", "#7a4b00", "#fff1d6", "delta"),
    LineLook.REMOVED: Look("Removed", "#a31515", "#fbe3e3", "minus"),
    LineLook.UNCHANGED: Look("Unchanged", "#4a4f55", "", "check"),
    LineLook.PROCORE_ONLY: Look("Procore only", "#24527a", "#e4eef7", "square"),
    LineLook.EDITED_IN_PROCORE: Look("Edited in Procore", "#5b2a86", "#efe6f7", "pencil"),
    LineLook.AWAITING_APPROVAL: Look("Awaiting approval in Sage", "#5c4a00", "#f7f1d9", "clock"),
    LineLook.KEPT: Look("Procore edit kept", "#5b2a86", "", "pencil"),
    LineLook.BLOCKING: Look("Blocks the import", "#a31515", "#fbe3e3", "cross"),
    LineLook.HELD: Look("Not sent (blocked)", "#4a4f55", "", "minus"),
}

CONTRACT_LOOKS: dict[ContractState, Look] = {
    ContractState.READY_TO_IMPORT: Look("Ready to import", "#1b5e20", "", "plus"),
    ContractState.SYNCED: Look("Synced", "#4a4f55", "", "check"),
    ContractState.CHANGES_READY: Look("Changes ready", "#7a4b00", "", "delta"),
    ContractState.NOT_READY: Look("Not ready", "#a31515", "", "cross"),
}


# A contract in Ready to Import or Synced that the signed-in user may not write (permission).
NO_PERMISSION_LOOK = Look("no permission", "#6b4e00", "", "minus")


def contract_look(status: ContractStatus) -> Look:
    return NO_PERMISSION_LOOK if status.may_not_write else CONTRACT_LOOKS[status.state]


def blocked_look_of(line: LineDiff, problem: str) -> LineLook:
    """A line of a contract that is blocked: the one that blocks it, or one that only waits."""
    if problem:
        return LineLook.BLOCKING
    if line.state in (LineState.ADDED, LineState.CHANGED, LineState.REMOVED):
        return LineLook.HELD
    return LineLook.of(line)


def line_look(line: LineDiff) -> Look:
    return LINE_LOOKS[LineLook.of(line)]


def brush(colour: str) -> QBrush | None:
    return QBrush(QColor(colour)) if colour else None


@cache
def glyph_icon(glyph: str, colour: str) -> QIcon:
    """A round badge with a white glyph, drawn with lines so it stays sharp at any DPI."""
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(_glyph_pixmap(glyph, colour, size))
    return icon


def _glyph_pixmap(glyph: str, colour: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    pen = QPen(QColor("white"), max(1.5, size / 8))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    s = float(size)

    def p(x: float, y: float) -> QPointF:
        return QPointF(x * s, y * s)

    if glyph in ("plus", "minus"):
        painter.drawLine(p(0.27, 0.5), p(0.73, 0.5))
        if glyph == "plus":
            painter.drawLine(p(0.5, 0.27), p(0.5, 0.73))
    elif glyph == "check":
        painter.drawPolyline([p(0.28, 0.52), p(0.44, 0.68), p(0.73, 0.34)])
    elif glyph == "delta":
        path = QPainterPath(p(0.5, 0.26))
        path.lineTo(p(0.74, 0.70))
        path.lineTo(p(0.26, 0.70))
        path.closeSubpath()
        painter.drawPath(path)
    elif glyph == "square":
        painter.drawRect(QRectF(s * 0.32, s * 0.32, s * 0.36, s * 0.36))
    elif glyph == "pencil":
        painter.drawLine(p(0.32, 0.68), p(0.68, 0.32))
        painter.drawLine(p(0.28, 0.72), p(0.33, 0.72))
    elif glyph == "clock":
        painter.drawEllipse(QRectF(s * 0.26, s * 0.26, s * 0.48, s * 0.48))
        painter.drawPolyline([p(0.5, 0.36), p(0.5, 0.5), p(0.6, 0.58)])
    elif glyph == "cross":
        painter.drawLine(p(0.33, 0.33), p(0.67, 0.67))
        painter.drawLine(p(0.67, 0.33), p(0.33, 0.67))
    painter.end()
    return pixmap

# The Jobs tab's Link column: linked (True) or not (False).
JOB_LINK_LOOKS: dict[bool, Look] = {
    True: Look("Linked", "#1b5e20", "", "check"),
    False: Look("Not linked", "#7a4b00", "", "minus"),
}
