"""Reading requests from and writing answers to http.server handlers, for the sandbox."""

from __future__ import annotations

import email.parser
import email.policy
import json
import socket
import struct
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sage_sync_desktop.sandbox.routing import ApiError, Request, Response


def parse_request(handler: BaseHTTPRequestHandler, base_url: str) -> Request:
    split = urlsplit(handler.path)
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    content_type = handler.headers.get("Content-Type", "")
    body: Any = None
    if raw:
        if "application/x-www-form-urlencoded" in content_type:
            body = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        elif "multipart/form-data" in content_type:
            body = multipart_fields(content_type, raw)  # Procore's docs use `curl -F` for tokens
        else:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None  # endpoints then answer 400 "must be a JSON object"
    headers = {name.lower(): value for name, value in handler.headers.items()}
    return Request(handler.command, split.path.rstrip("/") or "/",
                   parse_qs(split.query, keep_blank_values=True), headers, body, base_url)


def write_response(handler: BaseHTTPRequestHandler, response: Response) -> None:
    payload = response.encoded()
    try:
        handler.send_response(response.status)
        headers = {"Content-Type": response.content_type, **response.headers}
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True  # the client gave up (e.g. its timeout); nothing to do


def multipart_fields(content_type: str, raw: bytes) -> dict[str, str]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[str(name)] = part.get_content() if part.get_content_maintype() == "text" else \
                (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return fields


def error_response(exc: ApiError) -> Response:
    content_type = exc.headers.pop("Content-Type", None)
    if content_type:
        return Response(exc.status, exc.body, exc.headers, content_type=content_type)
    return Response(exc.status, exc.body, exc.headers)


def drop_connection(handler: BaseHTTPRequestHandler) -> None:
    handler.close_connection = True
    try:
        # SO_LINGER 0: close with a TCP reset, not a polite FIN.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
    except OSError:
        pass
