"""Reading a Procore list page by page: Link headers, Total, and the guard against endless paging.

No network here: the transport (http_transport.py) fetches, this decides what comes next.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from sage_sync_desktop.procore.answer_checks import BadAnswer

_LINK_PART = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";]+)"?')


def parse_link_header(value: str) -> dict[str, str]:
    """{"next": url, "last": url, ...} from a Link header."""
    return {rel.strip(): url for url, rel in _LINK_PART.findall(value or "")}


def more_by_total(total: int | None, have: int, got: int, per_page: int) -> bool:
    """True when the Total header says more items exist than have been read."""
    return total is not None and have < total and got > 0 and got <= per_page


def same_origin(link: str, base: str) -> bool:
    target, origin = urlsplit(urljoin(base, link)), urlsplit(base)
    return (target.scheme, target.netloc) == (origin.scheme, origin.netloc)


class PageGuard:
    """Stops a list whose `Link: next` goes round in circles or past what `Total` announced."""

    MAX_PAGES = 10_000

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.seen: set[str] = set()
        self.page_size = 0
        self.pages = 0

    def read(self, url: str, count: int) -> None:
        self.seen.add(page_key(url))
        self.page_size = max(self.page_size, count)
        self.pages += 1

    def check_next(self, next_url: str, next_page: int, total: int | None) -> None:
        if page_key(next_url) in self.seen:
            raise BadAnswer(self.endpoint, f"its next-page link leads back to a page already read ({next_url})")
        if total is not None and self.page_size and next_page > max(1, math.ceil(total / self.page_size)):
            raise BadAnswer(self.endpoint, f"it offers page {next_page}, but its Total of {total} items "
                            f"fits in {max(1, math.ceil(total / self.page_size))} pages of {self.page_size}")
        if self.pages >= self.MAX_PAGES:
            raise BadAnswer(self.endpoint, f"it keeps offering more pages after {self.pages}")


def page_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}?{urlencode(sorted(parse_qsl(parts.query)))}"
