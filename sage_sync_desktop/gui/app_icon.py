"""The application icon, loaded from the package's assets (made by the packaging build)."""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources

from PySide6.QtGui import QIcon, QPixmap

from sage_sync_desktop.gui import state_style

logger = logging.getLogger(__name__)

# PNGs only: Qt reads them without the QtSvg module, which the frozen app leaves out.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def load_asset_icon() -> tuple[QIcon, tuple[int, ...]]:
    """The multi-size icon from the packaged PNGs and the sizes that actually loaded."""
    icon = QIcon()
    loaded = []
    assets = resources.files("sage_sync_desktop") / "assets"
    for size in ICON_SIZES:
        try:
            data = (assets / f"app-icon-{size}.png").read_bytes()
        except OSError:
            continue
        pixmap = QPixmap()
        if pixmap.loadFromData(data, "PNG"):
            icon.addPixmap(pixmap)
            loaded.append(size)
    return icon, tuple(loaded)


@cache
def app_icon() -> QIcon:
    icon, _sizes = load_asset_icon()
    if icon.isNull():
        # A broken install must still open; the log says what is missing.
        logger.warning("application icon not found in the package's assets")
        return state_style.glyph_icon("delta", "#f47e42")
    return icon
