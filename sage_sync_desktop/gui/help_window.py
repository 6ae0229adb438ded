"""Help (F1): the user guide shown inside the app, with Procore's own page on the same workflow."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from sage_sync_desktop.app_info import APP_DISPLAY_NAME

logger = logging.getLogger(__name__)

PROCORE_SYNC_PAGE = ("https://support.procore.com/integrations/sage-300-cre/tutorials/"
                     "sync-a-sage-300-cre-prime-contract-with-procore")
PROCORE_SYNC_TITLE = "Sync a Sage 300 CRE Prime Contract with Procore (Procore Support)"
GUIDE_NAME = "user-guide.md"


def user_guide_text() -> str | None:
    """docs/user-guide.md: packaged next to the icons in the installed app, or from the source tree."""
    packaged = resources.files("sage_sync_desktop") / "assets" / GUIDE_NAME
    candidates = [packaged, Path(__file__).resolve().parents[2] / "docs" / GUIDE_NAME]
    for candidate in candidates:
        try:
            return candidate.read_text(encoding="utf-8")
        except OSError:
            continue
    logger.warning("the user guide was not found in the package or the source tree")
    return None


class HelpWindow(QDialog):
    """The user guide, rendered from its Markdown; links open in the browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpWindow")
        self.setWindowTitle(f"{APP_DISPLAY_NAME} Help")
        self.resize(820, 640)
        procore = QPushButton(f"Procore's own page: {PROCORE_SYNC_TITLE}", self)
        procore.setObjectName("procoreHelpLink")
        procore.setToolTip(PROCORE_SYNC_PAGE)
        procore.clicked.connect(lambda: QDesktopServices.openUrl(QUrl(PROCORE_SYNC_PAGE)))
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("userGuide")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_browser_anchor_clicked)
        text = user_guide_text()
        if text is None:
            self.browser.setPlainText("The user guide is not installed with this copy of the app. "
                                      "It is docs/user-guide.md in the source.")
        else:
            self.browser.setMarkdown(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(procore)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)

    def _on_browser_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)
        elif url.hasFragment():
            self.browser.scrollToAnchor(url.fragment())
