"""Plays the user's browser on the sandbox's /oauth/authorize page, over real HTTP (urllib)."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_CODE = re.compile(r'<code id="code">([^<]+)</code>')


def approve(authorize_url: str, *, decision: str = "allow", login: str | None = None) -> str:
    """Open the authorize page and press Allow (or Deny); follows redirects like a browser.

    Returns the final page's text (the loopback's "signed in" page, or the sandbox's code page).
    """
    page = urllib.request.urlopen(authorize_url, timeout=10).read().decode("utf-8")
    fields = dict(_HIDDEN.findall(page))
    fields["decision"] = decision
    if login:
        fields["login"] = login
    parts = urllib.parse.urlsplit(authorize_url)
    action = f"{parts.scheme}://{parts.netloc}/oauth/authorize"
    data = urllib.parse.urlencode({k: _unescape(v) for k, v in fields.items()}).encode()
    with urllib.request.urlopen(urllib.request.Request(action, data=data), timeout=10) as answer:
        return answer.read().decode("utf-8")


def code_from_page(page: str) -> str:
    found = _CODE.search(page)
    assert found, "the sandbox's out-of-band page shows no code"
    return found.group(1)


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)
