"""RequestStats: how many Procore requests were sent (total and per endpoint template), retried
and waited for. The benchmark and the engine read it; thread-safe."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestStats:
    """Requests sent (each attempt counts), per "METHOD /path-template", plus waits and retries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.by_endpoint: Counter[str] = Counter()
        self.retries = 0
        self.rate_limit_waits = 0
        self.waited_seconds = 0.0

    def record(self, endpoint: str) -> None:
        with self._lock:
            self.total += 1
            self.by_endpoint[endpoint] += 1

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def record_wait(self, seconds: float, *, rate_limit: bool) -> None:
        with self._lock:
            self.waited_seconds += seconds
            if rate_limit:
                self.rate_limit_waits += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "by_endpoint": dict(self.by_endpoint),
                "retries": self.retries,
                "rate_limit_waits": self.rate_limit_waits,
                "waited_seconds": round(self.waited_seconds, 3),
            }

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_endpoint.clear()
            self.retries = 0
            self.rate_limit_waits = 0
            self.waited_seconds = 0.0
