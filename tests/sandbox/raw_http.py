"""Plain urllib calls to the sandbox, to check its raw answers (status, headers, JSON)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def call(sandbox, method: str, path: str, *, token: str | None = None, company: bool = True,
         params: dict | None = None, json_body: Any = None, form: dict | None = None,
         headers: dict | None = None) -> Answer:
    url = sandbox.url + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    send = dict(headers or {})
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        send["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        send["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        send["Authorization"] = f"Bearer {token}"
    if company:
        send.setdefault("Procore-Company-Id", str(sandbox.company_id))
    request = urllib.request.Request(url, data=data, method=method, headers=send)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, raw, got = answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), dict(error.headers)
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return Answer(status, got, body)


def token_for(sandbox, login: str) -> str:
    user = sandbox.user(login)
    answer = call(sandbox, "POST", "/oauth/token", company=False, form={
        "grant_type": "client_credentials", "client_id": user["client_id"], "client_secret": user["client_secret"]})
    assert answer.status == 200, answer.body
    return answer.body["access_token"]
