"""Settings: the Sage connection and the Procore sign-in, saved together when OK is pressed."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from sage_sync_desktop.gui.plain_text import PlainLabel
from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.app import connection_checks
from sage_sync_desktop.gui.procore_settings_page import ProcoreSettingsPage
from sage_sync_desktop.gui.sage_settings_page import SageSettingsPage
from sage_sync_desktop.settings import Settings

logger = logging.getLogger(__name__)


class SettingsDialog(QDialog):
    """Two tabs (Sage 300 CRE, Procore); OK validates and writes the settings file."""

    def __init__(self, context: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.resize(680, 560)
        self._context = context
        try:
            self._settings = context.load_settings()
            problem = ""
        except SageSyncError as exc:
            self._settings, problem = Settings(), connection_checks.plain_error(exc)
        self.sage_page = SageSettingsPage(self._settings, context.secrets, self)
        self.procore_page = ProcoreSettingsPage(self._settings, context.secrets, self)
        # The same signed-in state as the window's toolbar (opened from the window).
        snapshot = getattr(getattr(parent, "session", None), "snapshot", None)
        user = getattr(snapshot, "user", None)
        if user is not None:
            self.procore_page.show_signed_in(user.name, user.login, user.company_name)
        tabs = QTabWidget(self)
        tabs.setObjectName("settingsTabs")
        tabs.addTab(self.sage_page, "Sage 300 CRE")
        tabs.addTab(self.procore_page, "Procore")
        self._error = PlainLabel(problem, self)
        self._error.setObjectName("settingsError")
        self._error.setWordWrap(True)
        self._error.setStyleSheet("color: #a31515;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self._error)
        layout.addWidget(buttons)

    def save(self) -> bool:
        """Write the settings; on a bad value show why and keep the dialog open."""
        settings, problem = connection_checks.save_pages(self._context, self._settings, self.sage_page,
                                                       self.procore_page)
        if settings is None:
            self._error.setText(problem)
            return False
        self._settings = settings
        return True

    def done(self, result: int) -> None:
        self.sage_page.shutdown()
        self.procore_page.shutdown()
        super().done(result)

    def _on_buttons_accepted(self) -> None:
        if self.save():
            self.accept()

    @classmethod
    def edit(cls, context: Any, parent: QWidget | None = None) -> bool:
        """Show the dialog; True when new settings were saved. Tests replace this classmethod."""
        return cls(context, parent).exec() == QDialog.DialogCode.Accepted
