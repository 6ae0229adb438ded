"""The short setup on first start: Sage connection, then Procore sign-in and company."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget, QWizard, QWizardPage

from sage_sync_desktop.app import connection_checks
from sage_sync_desktop.gui.plain_text import PlainLabel
from sage_sync_desktop.gui.app_icon import app_icon
from sage_sync_desktop.gui.procore_settings_page import ProcoreSettingsPage
from sage_sync_desktop.gui.sage_settings_page import SageSettingsPage
from sage_sync_desktop.settings import Settings

WELCOME = (
    "This app imports prime contracts from Sage 300 CRE into Procore, one way, and keeps them "
    "current with Re-Import. It reads Sage on this computer (never writes to it) and sends to "
    "Procore only what you confirm.\n\n"
    "You need: the Sage data source or company data folder and a Sage user; a Procore app's "
    "client ID and secret; and Admin (or Standard for a first import) on your company's ERP "
    "Integrations tool."
)


class _FinishPage(QWizardPage):
    """The last page: Finish is enabled only when `can_finish()` says so."""

    def __init__(self, can_finish: Callable[[], bool]) -> None:
        super().__init__()
        self._can_finish = can_finish

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return self._can_finish()


def _page(title: str, subtitle: str, content: QWidget, page: QWizardPage | None = None) -> QWizardPage:
    page = page or QWizardPage()
    page.setTitle(title)
    page.setSubTitle(subtitle)
    layout = QVBoxLayout(page)
    layout.addWidget(content)
    return page


class FirstRunWizard(QWizard):
    """Welcome, Sage 300 CRE, Procore; Finish saves the settings file."""

    def __init__(self, context: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.setWindowTitle("Set up Sage 300 CRE Integration")
        self.setWindowIcon(app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.resize(720, 600)
        self._context = context
        self._settings = Settings()
        welcome = PlainLabel(WELCOME)
        welcome.setWordWrap(True)
        self.sage_page = SageSettingsPage(self._settings, context.secrets)
        self.procore_page = ProcoreSettingsPage(self._settings, context.secrets)
        self.addPage(_page("Welcome", "Three short steps.", welcome))
        self.addPage(_page("Sage 300 CRE", "Where your Sage data is and how to log in.", self.sage_page))
        self._finish_page = _FinishPage(lambda: not self.unfinished_because())
        self.addPage(_page("Procore", "Sign in and choose your company.", self.procore_page, self._finish_page))
        self._later = QCheckBox("Set up later (save what is filled in; the window offers Settings again)")
        self._later.setObjectName("setUpLaterCheck")
        self._checks = PlainLabel()
        self._checks.setObjectName("setupChecks")
        self._checks.setWordWrap(True)
        self._checks.setStyleSheet("color: #5f4b00;")
        self._error = PlainLabel()
        self._error.setObjectName("settingsError")
        self._error.setWordWrap(True)
        for widget in (self._checks, self._later, self._error):
            self.procore_page.layout().addWidget(widget)
        self.sage_page.connection_checked.connect(self._on_check_changed)
        self.procore_page.sign_in_checked.connect(self._on_check_changed)
        self._later.toggled.connect(self._on_check_changed)
        self._on_check_changed()

    def unfinished_because(self) -> str:
        return connection_checks.setup_unfinished_because(
            sage_tested=self.sage_page.tested_ok, procore_signed_in=self.procore_page.signed_in,
            later=self._later.isChecked())

    def _on_check_changed(self, _value: object = None) -> None:
        self._checks.setText(self.unfinished_because())
        self._finish_page.completeChanged.emit()

    def save(self) -> bool:
        settings, problem = connection_checks.save_pages(self._context, self._settings, self.sage_page,
                                                       self.procore_page)
        if settings is None:
            self._error.setText(problem)
            return False
        return True

    def accept(self) -> None:
        if self.unfinished_because():  # Finish is greyed then; Enter must not get round it
            return
        if self.save():
            super().accept()

    def done(self, result: int) -> None:
        self.sage_page.shutdown()
        self.procore_page.shutdown()
        super().done(result)

    @classmethod
    def run(cls, context: Any, parent: QWidget | None = None) -> bool:
        """Show the setup; True when settings were saved. Tests replace this classmethod."""
        return cls(context, parent).exec() == QWizard.DialogCode.Accepted
