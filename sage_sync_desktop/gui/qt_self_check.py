"""Qt's part of `--self-test`: Qt starts without a display and the bundled app icon loads."""

from __future__ import annotations

import os

from PySide6.QtCore import QLibraryInfo, QSize, qVersion
from PySide6.QtWidgets import QApplication

from sage_sync_desktop.gui.app_icon import ICON_SIZES, load_asset_icon


def check_qt_offscreen() -> str:
    """One line on what worked; RuntimeError in plain words when Qt or the icon fails.

    Unlike the window (which falls back to a drawn icon so a broken install still opens), this
    check fails when any packaged icon size is missing: that is a broken bundle.
    """
    # The self-test must work over RDP, in a scheduled task and in CI alike.
    if QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication.instance() or QApplication(["sage-sync-self-test"])
    icon, loaded = load_asset_icon()
    missing = [size for size in ICON_SIZES if size not in loaded]
    if missing or icon.pixmap(QSize(32, 32)).isNull():
        raise RuntimeError(
            "the bundled app icon did not load (sage_sync_desktop/assets/app-icon-"
            f"{', '.join(map(str, missing or ICON_SIZES))}.png)"
        )
    plugins = os.path.join(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath), "platforms")
    try:
        platforms = sorted(name.split(".")[0].removeprefix("lib").removeprefix("q") for name in os.listdir(plugins))
    except OSError:
        platforms = []
    return (
        f"Qt {qVersion()} started on the '{app.platformName()}' platform; app icon loaded "
        f"(sizes {', '.join(map(str, loaded))}); platform plugins: {', '.join(platforms) or 'none found'}"
    )
