"""Catches Procore's browser sign-in redirect (http://localhost:<port>/?code=...) on this computer."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QHostAddress, QTcpServer, QTcpSocket

logger = logging.getLogger(__name__)

_PAGE = (
    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n"
    "<html><body style='font-family:sans-serif'><h2>{}</h2>"
    "<p>You can close this browser tab and return to Sage 300 CRE Integration.</p></body></html>"
)


class OAuthRedirectListener(QObject):
    """Listens on 127.0.0.1 for one redirect and hands back the code (or Procore's error).

    Signals:
        code_received(str): the authorization code from the redirect.
        error_received(str): Procore's error text (e.g. the user pressed Deny).
    """

    code_received = Signal(str)
    error_received = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QTcpServer(self)
        self._server.newConnection.connect(self._on_server_new_connection)

    def listen(self, redirect_uri: str) -> bool:
        port = urlsplit(redirect_uri).port or 80
        return self._server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), port)

    def error_string(self) -> str:
        return self._server.errorString()

    def close(self) -> None:
        self._server.close()

    def _on_server_new_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_socket_ready_read(self, socket: QTcpSocket) -> None:
        request = bytes(socket.readAll().data()).decode("latin-1")
        first = request.split("\r\n", 1)[0].split(" ")
        query = parse_qs(urlsplit(first[1]).query) if len(first) > 1 else {}
        if "code" in query:
            socket.write(_PAGE.format("Signed in to Procore").encode())
            socket.disconnectFromHost()
            self.close()
            self.code_received.emit(query["code"][0])
        elif "error" in query:
            text = (query.get("error_description") or query["error"])[0]
            socket.write(_PAGE.format("Procore did not sign you in").encode())
            socket.disconnectFromHost()
            self.close()
            self.error_received.emit(text)
        else:
            # Browsers also ask for /favicon.ico; answer and keep waiting for the redirect.
            socket.write(b"HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n")
            socket.disconnectFromHost()
