"""The application icon, loaded from the package's assets (made by the packaging build)."""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources

from PySide6.QtGui import QIcon, QPixmap

from sage_sync_desktop.gui import state_style

logger = logging.getLogger(__name__)

_SIZES = (16, 24, 32, 48, 64, 128, 256)


@cache
def app_icon() -> QIcon:
    icon = QIcon()
    assets = resources.files("sage_sync_desktop") / "assets"
    for size in _SIZES:
        resource = assets / f"app-icon-{size}.png"
        try:
            data = resource.read_bytes()
        except (FileNotFoundError, OSError):
            continue
        pixmap = QPixmap()
        if pixmap.loadFromData(data, "PNG"):
            icon.addPixmap(pixmap)
    if icon.isNull():
        # A broken install must still open; the log says what is missing.
        logger.warning("application icon not found in %s", assets)
        return state_style.glyph_icon("delta", "#f47e42")
    return icon
