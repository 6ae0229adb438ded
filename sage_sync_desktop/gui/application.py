"""The QApplication: names, icon, high-DPI, one instance at a time, and a crash dialog that logs."""

from __future__ import annotations

import getpass
import hashlib
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from sage_sync_desktop import __version__
from sage_sync_desktop.app_info import APP_DISPLAY_NAME, APP_NAME, COMPANY
from sage_sync_desktop.gui.app_icon import app_icon
from sage_sync_desktop.logging_setup import redact

logger = logging.getLogger(__name__)

_ACTIVATE = b"activate\n"


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The one QApplication (reused if it exists, as under pytest-qt)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional Windows scaling (125 %, 150 %) stays exact instead of rounding to whole pixels.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QApplication.setApplicationName(APP_NAME)
    QApplication.setApplicationDisplayName(APP_DISPLAY_NAME)
    QApplication.setOrganizationName(COMPANY)
    QApplication.setApplicationVersion(__version__)
    app = QApplication(list(argv) if argv is not None else [sys.argv[0]])
    app.setWindowIcon(app_icon())
    return app


def instance_key(config_dir: Path) -> str:
    """One name per Windows user and settings folder: a second copy on the same data is refused."""
    digest = hashlib.sha256(f"{getpass.getuser()}|{Path(config_dir).resolve()}".encode()).hexdigest()[:16]
    return f"{APP_NAME}-{digest}"


class SingleInstance(QObject):
    """Makes sure one copy runs per settings folder; a second copy wakes the first and exits.

    Signals:
        activation_requested(): another copy was started; bring the window to the front.
    """

    activation_requested = Signal()

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._key = key
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """True if this is the only copy (and now listening); False if another copy answered."""
        if self._wake_running_copy():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self._key):
            # A copy that crashed leaves its socket file behind on Unix; nobody answered above.
            QLocalServer.removeServer(self._key)
            if not server.listen(self._key):
                logger.warning("single-instance server failed: %s", server.errorString())
                return True
        server.newConnection.connect(self._on_server_new_connection)
        self._server = server
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _wake_running_copy(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self._key)
        if not socket.waitForConnected(500):
            return False
        socket.write(_ACTIVATE)
        socket.waitForBytesWritten(500)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(500)
        return True

    def _on_server_new_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            # The message is one short line sent right after connecting: read it here and let
            # the socket go, so no callback can outlive it.
            if socket.bytesAvailable() or socket.waitForReadyRead(500):
                message = bytes(socket.readAll().data())
            else:
                message = b""
            socket.abort()
            socket.deleteLater()
            if message.startswith(_ACTIVATE.strip()):
                self.activation_requested.emit()


def bring_to_front(window: QWidget) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


class CrashReporter:
    """sys.excepthook: log the traceback (redacted) and tell the user in a dialog."""

    def __init__(self, log_file: Path | None = None, *, interactive: bool = True) -> None:
        self._log_file = log_file
        self._interactive = interactive  # False for --screenshot: nobody is there to click OK
        self._showing = False

    def install(self) -> None:
        sys.excepthook = self

    def __call__(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        text = redact("".join(traceback.format_exception(kind, error, tb)))
        logger.error("unexpected error:\n%s", text)
        app = QApplication.instance()
        if (app is None or not self._interactive or self._showing
                or QThread.currentThread() is not app.thread()):
            # Not the default hook: it would print the traceback unredacted.
            print(text, file=sys.stderr)
            return
        self._showing = True
        try:
            box = QMessageBox(QMessageBox.Icon.Critical, APP_DISPLAY_NAME,
                              "Something went wrong that the app did not expect. Nothing was "
                              "half-sent: anything not confirmed by Procore will show again after "
                              "Refresh.")
            box.setObjectName("crashDialog")
            box.setTextFormat(Qt.TextFormat.PlainText)  # the error text may quote Sage or Procore
            where = f"The details are in the log: {self._log_file}" if self._log_file else ""
            box.setInformativeText(redact(f"{kind.__name__}: {error}\n{where}"))
            box.setDetailedText(text)
            box.exec()
        finally:
            self._showing = False
