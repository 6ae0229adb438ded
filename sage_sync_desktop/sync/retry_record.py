"""What the HTTP transport retried while one contract was written, as history entry data.

The closing entry of each import or re-import (finished or failed) carries, in its hashed
`data`: `retries` (resends by cause: "429", "503", "ConnectionError", "ReadTimeout",
"token_renewed", "create_resent" for a create the client sent again after a look-up by origin
id found nothing...), `gave_up` (fault answers the transport passed on without resending: a
POST, or the last attempt), `retry_wait_seconds` (every wait in that contract's window:
Retry-After, backoff, rate-limit pacing) and `retry_events` (each one with its endpoint). Entries
written before this existed simply have none of these keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sage_sync_desktop.procore.request_stats import CREATE_RESENT, TOKEN_RENEWED, RetryWatch

# Enough for any sane run; a storm beyond it is still fully counted in `retries`/`gave_up`.
MAX_EVENTS = 200

_CAUSE_WORDS = {
    TOKEN_RENEWED: "token renewed",
    CREATE_RESENT: "create sent again after checking Procore",
    "429": "429 rate limit",
    "500": "500 server error",
    "502": "502 bad gateway",
    "503": "503 unavailable",
    "504": "504 gateway timeout",
    "ConnectionError": "connection reset",
    "ReadTimeout": "no answer in time",
    "ConnectTimeout": "could not connect in time",
}


def retry_data(watch: RetryWatch | None) -> dict[str, Any]:
    """The data fields for a closing entry (events since the watch was last read)."""
    if watch is None:
        return {}
    events, waited = watch.take()
    retried = Counter(e.cause for e in events if e.retried)
    gave_up = Counter(e.cause for e in events if not e.retried)
    data: dict[str, Any] = {
        "retries": dict(sorted(retried.items())),
        "gave_up": dict(sorted(gave_up.items())),
        "retry_wait_seconds": round(waited, 3),
        "retry_events": [e.as_json() for e in events[:MAX_EVENTS]],
    }
    if len(events) > MAX_EVENTS:
        data["retry_events_dropped"] = len(events) - MAX_EVENTS
    return data


def cause_text(cause: str) -> str:
    return _CAUSE_WORDS.get(cause, cause)


def retry_summary(data: Mapping[str, Any]) -> str:
    """One line for people: "Retried 3x 429 rate limit, 1x 503 unavailable; waited 7.4 s", or ""
    when nothing was retried (or the entry predates retry records)."""
    retries = data.get("retries") or {}
    gave_up = data.get("gave_up") or {}
    waited = float(data.get("retry_wait_seconds") or 0.0)
    parts = []
    if retries:
        parts.append("Retried " + ", ".join(f"{n}x {cause_text(c)}" for c, n in sorted(retries.items())))
    if gave_up:
        parts.append("passed on " + ", ".join(f"{n}x {cause_text(c)}" for c, n in sorted(gave_up.items())))
    if not parts:
        return ""
    if waited:
        parts.append(f"waited {waited:.1f} s")
    return "; ".join(parts)
