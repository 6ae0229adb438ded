"""One browser sign-in for the command line and the window: the loopback listener accepts only
the redirect carrying this sign-in's `state`; a forged redirect (another page or program on this
computer sending its own code) is ignored, and the real answer still signs in."""

from __future__ import annotations

import socket
import threading
import urllib.request

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.procore.oauth_login import LoopbackReceiver
from sage_sync_desktop.settings import Settings
from tests.procore import browser_double

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _forge(port: int, query: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/?{query}", timeout=10) as answer:
        return answer.read().decode("utf-8")


def test_the_loopback_ignores_a_redirect_with_another_state_and_waits_for_its_own() -> None:
    port = _free_port()
    with LoopbackReceiver(f"http://localhost:{port}") as receiver:
        assert "did not complete" in _forge(port, "code=ATTACKER&state=guessed")
        assert "did not complete" in _forge(port, "code=ATTACKER")
        assert "did not complete" in _forge(port, "error=access_denied")  # cannot end the sign-in either
        threading.Timer(0.3, _forge, (port, f"code=REAL&state={receiver.state}")).start()
        assert receiver.wait_for_code(timeout=10) == "REAL"
        assert receiver.refused == 3


def test_the_windows_browser_sign_in_checks_state_and_ignores_a_forged_code(qtbot, tmp_path, sandbox,
                                                                               secret_store, loopback_uri) -> None:
    from sage_sync_desktop.gui.settings_dialog import SettingsDialog

    port = int(loopback_uri.rsplit(":", 1)[1])  # registered exactly with the sandbox's app
    context = AppContext(paths=AppPaths.under(tmp_path), settings_path=tmp_path / "settings.json",
                         secrets=secret_store)
    settings_module.save(Settings().with_changes(procore={"redirect_uri": f"http://localhost:{port}"}),
                         context.settings_path)
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    page = dialog.procore_page
    app = sandbox.app
    combo = page.findChild(QComboBox, "procoreEnvironmentCombo")
    combo.setCurrentIndex(combo.findData(environments.CUSTOM))
    page.findChild(QLineEdit, "procoreApiUrl").setText(sandbox.url)
    page.findChild(QLineEdit, "procoreLoginUrl").setText(sandbox.login_url)
    page.findChild(QLineEdit, "procoreClientId").setText(app["client_id"])
    page.findChild(QLineEdit, "procoreClientSecret").setText(app["client_secret"])
    method = page.findChild(QComboBox, "signInMethodCombo")
    method.setCurrentIndex(method.findData("browser"))
    forged: list[str] = []
    opened: list[str] = []

    def browser(url: str) -> bool:
        # Called on the worker thread. Another program races the real answer with its own code.
        opened.append(url)
        forged.append(_forge(port, "code=ATTACKER-CODE&state=not-this-sign-in"))
        threading.Thread(target=browser_double.approve, args=(url,), daemon=True).start()
        return True

    page.open_browser = browser
    qtbot.mouseClick(page.findChild(QPushButton, "signInButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.status_text().startswith(("Signed in as", "Procore", "The answer")), timeout=30_000)
    assert page.status_text().startswith("Signed in as Pat Admin"), page.status_text()
    assert "state=" in opened[0] and f"localhost%3A{port}" in opened[0]
    assert "did not complete" in forged[0]
    tokens = oauth.TokenStore(secret_store, environments.CUSTOM, app["client_id"], sandbox.url).load()
    assert tokens is not None and sandbox.state.token(tokens.access_token)["revoked"] == 0
    page.shutdown()
