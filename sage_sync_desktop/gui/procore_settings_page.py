"""Settings page for Procore: environment, app credentials, sign-in, company, and your permissions."""

from __future__ import annotations

import logging
import threading
import webbrowser
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sage_sync_desktop.gui.plain_text import PlainLabel
from sage_sync_desktop.errors import SageSyncError
from sage_sync_desktop.secret_store import store_name
from sage_sync_desktop.app import connection_checks
from sage_sync_desktop.gui.task_runner import TaskRunner
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.app.wiring import build_client_from_settings
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.settings import Settings

logger = logging.getLogger(__name__)

BROWSER, CODE, SERVICE = "browser", "code", "service"
METHOD_LABELS = {
    BROWSER: "Sign in with my Procore account in the browser",
    CODE: "Paste a sign-in code (when the browser cannot reach this computer)",
    SERVICE: "Service account (client credentials; for unattended use)",
}


class ProcoreSettingsPage(QWidget):
    """Which Procore, which app, who is signed in, which company, and what they may do.

    Signals:
        sign_in_checked(bool): a sign-in worked (True) or failed (False).
    """

    sign_in_checked = Signal(bool)

    def __init__(self, settings: Settings, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("procoreSettingsPage")
        self._settings = settings
        self._secrets = secrets
        self._signed_in = False
        self._runner = TaskRunner(self)
        self._runner.succeeded.connect(self._on_runner_succeeded)
        self._runner.failed.connect(self._on_runner_failed)
        self._runner.progress_changed.connect(self._on_runner_progress_changed)
        # Opens Procore's sign-in page; called on the worker thread, so never a Qt call.
        self.open_browser: Callable[[str], object] = webbrowser.open

        self._environment = QComboBox(self)
        self._environment.setObjectName("procoreEnvironmentCombo")
        for env in environments.ENVIRONMENTS.values():
            self._environment.addItem(env.label, env.name)
        self._environment.addItem("Custom URL", environments.CUSTOM)
        self._environment.currentIndexChanged.connect(self._on_environment_changed)
        self._api_url = QLineEdit(self)
        self._api_url.setObjectName("procoreApiUrl")
        self._login_url = QLineEdit(self)
        self._login_url.setObjectName("procoreLoginUrl")
        self._client_id = QLineEdit(self)
        self._client_id.setObjectName("procoreClientId")
        self._client_secret = QLineEdit(self)
        self._client_secret.setObjectName("procoreClientSecret")
        self._client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self._method = QComboBox(self)
        self._method.setObjectName("signInMethodCombo")
        for key, label in METHOD_LABELS.items():
            self._method.addItem(label, key)
        self._method.currentIndexChanged.connect(self._on_method_changed)
        self._open_page = QPushButton("Open the sign-in page", self)
        self._open_page.setObjectName("openSignInPageButton")
        self._open_page.clicked.connect(self._on_open_page_clicked)
        self._code = QLineEdit(self)
        self._code.setObjectName("signInCode")
        self._code.setPlaceholderText("The code Procore shows after you sign in")
        self._sign_in = QPushButton("&Sign in", self)
        self._sign_in.setObjectName("signInButton")
        self._sign_in.clicked.connect(self._on_sign_in_clicked)
        self._status = PlainLabel("Not signed in.", self)
        self._status.setObjectName("signInStatus")
        self._status.setWordWrap(True)
        self._company = QComboBox(self)
        self._company.setObjectName("procoreCompanyCombo")
        self._company.setEditable(True)
        self._company.lineEdit().setPlaceholderText("Sign in to list your companies, or type the company ID")
        self._company.activated.connect(self._on_company_activated)
        self._permissions = PlainLabel(self)
        self._permissions.setObjectName("procorePermissions")
        self._permissions.setWordWrap(True)

        code_row = QHBoxLayout()
        code_row.addWidget(self._open_page)
        code_row.addWidget(self._code, 1)
        form = QFormLayout()
        form.addRow("Environment:", self._environment)
        form.addRow("API URL:", self._api_url)
        form.addRow("Login URL:", self._login_url)
        form.addRow("Client ID:", self._client_id)
        form.addRow("Client secret:", self._client_secret)
        form.addRow("Sign in with:", self._method)
        form.addRow("Sign-in code:", code_row)
        form.addRow("", self._sign_in)
        form.addRow("Company:", self._company)
        self._form = form
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._status)
        layout.addWidget(self._permissions)
        layout.addStretch(1)
        self._load(settings)

    # --- our API
    def apply(self, settings: Settings) -> Settings:
        """Settings with this page's values; a typed client secret goes to the credential store."""
        name = self._environment.currentData()
        changes: dict[str, object] = {
            "environment": name,
            "client_id": self._client_id.text().strip(),
            "auth": "client_credentials" if self._method.currentData() == SERVICE else "authorization_code",
        }
        if name == environments.CUSTOM:
            changes["api_url"] = self._api_url.text().strip()
            changes["login_url"] = self._login_url.text().strip()
        else:
            env = environments.ENVIRONMENTS[name]
            changes["api_url"], changes["login_url"] = env.api_url, env.login_url
        company_id = self.company_id()
        if company_id is not None:
            changes["company_id"] = company_id
        updated = settings.with_changes(procore=changes)
        if self._client_secret.text() and updated.procore.client_id:
            connection_checks.store_client_secret(updated, self._secrets, self._client_secret.text())
        return updated

    def company_id(self) -> int | None:
        """The chosen company, or the ID typed in (service accounts need it before signing in)."""
        data = self._company.currentData()
        if data is not None and self._company.currentText() == self._company.itemText(self._company.currentIndex()):
            return int(data)
        typed = self._company.currentText().strip()
        return int(typed) if typed.isdigit() else None

    def status_text(self) -> str:
        return self._status.text()

    @property
    def signed_in(self) -> bool:
        """True once a sign-in worked here, or the window was already signed in (set-up checks)."""
        return self._signed_in

    def show_signed_in(self, name: str, login: str, company: str) -> None:
        """The window's own sign-in, so this page and the toolbar say the same."""
        self._signed_in = True
        self._status.setText(f"Signed in as {name} ({login}) \u00b7 {company}" if company
                             else f"Signed in as {name} ({login}).")
        self.sign_in_checked.emit(True)

    def shutdown(self) -> None:
        self._runner.shutdown()  # cancels a browser sign-in still waiting: its listener closes

    # --- internals
    def _load(self, settings: Settings) -> None:
        procore = settings.procore
        self._environment.setCurrentIndex(max(0, self._environment.findData(procore.environment)))
        self._api_url.setText(procore.api_url)
        self._login_url.setText(procore.login_url)
        self._client_id.setText(procore.client_id)
        self._method.setCurrentIndex(self._method.findData(SERVICE if procore.auth == "client_credentials" else BROWSER))
        if procore.client_id:
            try:
                env = settings.procore_environment()
                if oauth.load_client_secret(self._secrets, env.name, procore.client_id, env.api_url):
                    self._client_secret.setPlaceholderText(f"Saved in {store_name()} (type to replace)")
            except SageSyncError as exc:
                self._status.setText(connection_checks.plain_error(exc))
        if procore.company_id is not None:
            self._company.addItem(f"Company {procore.company_id}", procore.company_id)
        self._on_environment_changed()
        self._on_method_changed()

    def _start(self, label: str, work: object, message: str) -> None:
        self._sign_in.setEnabled(False)
        self._status.setText(message)
        self._runner.start(label, work)  # type: ignore[arg-type]

    def _current(self) -> Settings | None:
        try:
            settings = self.apply(self._settings)
            settings.procore_environment()
            return settings
        except SageSyncError as exc:
            self._status.setText(connection_checks.plain_error(exc))
            return None

    # --- slots
    def _on_environment_changed(self, _index: int = 0) -> None:
        custom = self._environment.currentData() == environments.CUSTOM
        self._api_url.setEnabled(custom)
        self._login_url.setEnabled(custom)
        if not custom:
            env = environments.ENVIRONMENTS[self._environment.currentData()]
            self._api_url.setText(env.api_url)
            self._login_url.setText(env.login_url)

    def _on_method_changed(self, _index: int = 0) -> None:
        code = self._method.currentData() == CODE
        self._open_page.setEnabled(code)
        self._code.setEnabled(code)

    def _on_open_page_clicked(self) -> None:
        settings = self._current()
        if settings is not None:
            self._open_authorize_page(settings, oauth.OOB_REDIRECT_URI)

    def _open_authorize_page(self, settings: Settings, redirect_uri: str) -> None:
        try:
            client = build_client_from_settings(settings, self._secrets)
            url = client.auth.server.authorize_url(redirect_uri)  # type: ignore[attr-defined]
            client.close()
        except SageSyncError as exc:
            self._status.setText(connection_checks.plain_error(exc))
            return
        if not QDesktopServices.openUrl(QUrl(url)):
            self._status.setText(f"Open this address in a browser to sign in: {url}")

    def _on_sign_in_clicked(self) -> None:
        settings = self._current()
        if settings is None:
            return
        method = self._method.currentData()
        if method == SERVICE:
            self._start("sign_in", partial(_sign_in_work, settings, self._secrets, "", ""), "Signing in\u2026")
        elif method == CODE:
            code = self._code.text().strip()
            if not code:
                self._status.setText("Open the sign-in page, sign in, then paste the code Procore shows.")
                return
            self._start("sign_in", partial(_sign_in_work, settings, self._secrets, code, oauth.OOB_REDIRECT_URI),
                        "Signing in\u2026")
        else:
            # The command line's browser sign-in, on the worker thread: it listens on the loopback
            # redirect, opens the page and accepts only the answer carrying this sign-in's state.
            self._start("sign_in", partial(_browser_sign_in_work, settings, self._secrets, self.open_browser),
                        "Waiting for you to sign in to Procore in the browser\u2026")

    def _on_company_activated(self, _index: int) -> None:
        settings = self._current()
        if settings is not None and settings.procore.company_id is not None:
            self._permissions.setText("Checking your permissions\u2026")
            self._runner.start("permissions", partial(_permissions_work, settings, self._secrets,
                                                      self._company.currentText()))

    def _on_runner_succeeded(self, label: str, result: object) -> None:
        self._sign_in.setEnabled(True)
        if label == "sign_in" and isinstance(result, connection_checks.SignedIn):
            self._status.setText(f"Signed in as {result.user_name} ({result.login}).")
            self._signed_in = bool(result.companies)
            self.sign_in_checked.emit(self._signed_in)
            chosen = self.company_id()
            self._company.clear()
            for company_id, name in result.companies:
                self._company.addItem(name, company_id)
            index = self._company.findData(chosen)
            self._company.setCurrentIndex(index if index >= 0 else 0)
            if self._company.count():
                self._on_company_activated(self._company.currentIndex())
            else:
                self._permissions.setText("This Procore user belongs to no active company.")
        elif label == "permissions" and isinstance(result, connection_checks.Permissions):
            self._permissions.setText(result.describe())

    def _on_runner_progress_changed(self, _percent: int, message: str) -> None:
        self._status.setText(message)

    def _on_runner_failed(self, label: str, error: object) -> None:
        self._sign_in.setEnabled(True)
        if label != "permissions":
            self._signed_in = False
            self.sign_in_checked.emit(False)
        target = self._permissions if label == "permissions" else self._status
        target.setText(connection_checks.plain_error(error))


def _sign_in_work(settings: Settings, secrets: SecretStore, code: str, redirect_uri: str,
                  *, progress: object, cancel: object) -> connection_checks.SignedIn:
    return connection_checks.sign_in(settings, secrets, code=code, redirect_uri=redirect_uri)


def _browser_sign_in_work(settings: Settings, secrets: SecretStore, open_browser: Callable[[str], object],
                          *, progress: Callable[[int, str], None], cancel: threading.Event) -> connection_checks.SignedIn:
    def opener(url: str) -> object:
        opened = open_browser(url)
        if not opened:
            progress(0, f"Open this address in a browser to sign in: {url}")
        return opened

    return connection_checks.sign_in(settings, secrets, open_browser=opener, cancel=cancel)


def _permissions_work(settings: Settings, secrets: SecretStore, company_name: str,
                      *, progress: object, cancel: object) -> connection_checks.Permissions:
    return connection_checks.permissions(settings, secrets, company_name)
