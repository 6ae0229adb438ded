"""RequestStats: how many Procore requests were sent (total and per endpoint template), retried
and waited for. The benchmark and the engine read it; thread-safe.

Besides the totals, a caller can `watch()` its own thread: every retry, every fault answer the
transport gave up on, and every wait made by that thread while the watch is open is collected
there. The engine watches each contract it writes, so the history can say what the transport
retried for that contract even while another thread shares the client.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# Cause of a retry after Procore refused an expired token (the token was renewed, then resent).
TOKEN_RENEWED = "token_renewed"
# Cause of a create sent once more by the client after a failed attempt, once a look-up by
# origin id showed Procore did not have it (the transport itself never resends a POST).
CREATE_RESENT = "create_resent"
# Causes that are the app's own doing, not a fault answer from Procore.
APP_CAUSES = frozenset({TOKEN_RENEWED, CREATE_RESENT})


@dataclass(frozen=True)
class RetryEvent:
    """One failed attempt: its endpoint template, why ("503", "429", "ConnectionError",
    "token_renewed"...), whether the transport sent it again, and the wait before it did."""

    endpoint: str
    cause: str
    retried: bool
    wait_seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "cause": self.cause, "retried": self.retried,
                "wait_seconds": round(self.wait_seconds, 3)}


class RetryWatch:
    """What one thread's requests met while the watch was open (see RequestStats.watch)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[RetryEvent] = []
        self._waited = 0.0

    def _add(self, event: RetryEvent) -> None:
        with self._lock:
            self._events.append(event)

    def _wait(self, seconds: float) -> None:
        with self._lock:
            self._waited += seconds

    def take(self) -> tuple[list[RetryEvent], float]:
        """The events and seconds waited since the last take (so nothing is reported twice)."""
        with self._lock:
            events, waited = self._events, self._waited
            self._events, self._waited = [], 0.0
        return events, waited


class RequestStats:
    """Requests sent (each attempt counts), per "METHOD /path-template", plus waits and retries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.by_endpoint: Counter[str] = Counter()
        self.retries = 0  # resent after a wait (429, 5xx, connection errors); not APP_CAUSES
        self.retries_by_cause: Counter[str] = Counter()  # every resend, APP_CAUSES included
        self.rate_limit_waits = 0
        self.waited_seconds = 0.0
        self._watches: dict[int, list[RetryWatch]] = {}

    def record(self, endpoint: str) -> None:
        with self._lock:
            self.total += 1
            self.by_endpoint[endpoint] += 1

    def record_retry(self, cause: str = "other", endpoint: str = "", wait_seconds: float = 0.0) -> None:
        """A request is about to be sent again because of `cause` (after `wait_seconds`)."""
        event = RetryEvent(endpoint, cause, True, wait_seconds)
        with self._lock:
            if cause not in APP_CAUSES:
                self.retries += 1
            self.retries_by_cause[cause] += 1
            watches = list(self._watches.get(threading.get_ident(), ()))
        for watch in watches:
            watch._add(event)

    def record_given_up(self, cause: str, endpoint: str) -> None:
        """A fault answer (429, 5xx, connection error) passed on to the caller, not resent here:
        a POST, or the last attempt."""
        event = RetryEvent(endpoint, cause, False)
        with self._lock:
            watches = list(self._watches.get(threading.get_ident(), ()))
        for watch in watches:
            watch._add(event)

    def record_wait(self, seconds: float, *, rate_limit: bool) -> None:
        with self._lock:
            self.waited_seconds += seconds
            if rate_limit:
                self.rate_limit_waits += 1
            watches = list(self._watches.get(threading.get_ident(), ()))
        for watch in watches:
            watch._wait(seconds)

    @contextmanager
    def watch(self) -> Iterator[RetryWatch]:
        """Collect the retries, give-ups and waits of the calling thread until the block ends."""
        watch = RetryWatch()
        thread = threading.get_ident()
        with self._lock:
            self._watches.setdefault(thread, []).append(watch)
        try:
            yield watch
        finally:
            with self._lock:
                watches = self._watches.get(thread, [])
                if watch in watches:
                    watches.remove(watch)
                if not watches:
                    self._watches.pop(thread, None)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "by_endpoint": dict(self.by_endpoint),
                "retries": self.retries,
                "retries_by_cause": dict(self.retries_by_cause),
                "rate_limit_waits": self.rate_limit_waits,
                "waited_seconds": round(self.waited_seconds, 3),
            }

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_endpoint.clear()
            self.retries = 0
            self.retries_by_cause.clear()
            self.rate_limit_waits = 0
            self.waited_seconds = 0.0
