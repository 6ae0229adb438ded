"""The sandbox's rate limits, as Procore documents them ("Rate Limiting", "Handle Rate Limits").

Two fixed windows per sandbox: an hourly budget (60 minutes) and a spike budget (10 seconds).
Every request counts, failed ones included (a 400, 403 or 404 costs like a success); a request
refused with 429 does not. The `X-Rate-Limit-*` headers describe the window most likely to run
out first (the one with fewer requests left), so they usually describe the spike window until the
hourly budget is nearly spent; a reset 10 seconds away or less is how a client tells them apart.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

HOUR_SECONDS = 3600.0
SPIKE_SECONDS = 10.0


@dataclass(frozen=True)
class RateLimits:
    """Requests allowed per hour and per 10-second spike window."""

    hourly: int
    spike: int

    def __post_init__(self) -> None:
        if self.hourly < 1 or self.spike < 1:
            raise ValueError("rate limits must be at least 1 request per window")

    @classmethod
    def parse(cls, text: str) -> RateLimits:
        """`HOURLY/SPIKE`, e.g. "3600/100"."""
        hourly, slash, spike = text.strip().partition("/")
        try:
            if not slash:
                raise ValueError
            return cls(int(hourly), int(spike))
        except ValueError:
            raise ValueError(f"a rate limit is HOURLY/SPIKE in requests, e.g. 3600/100 (got {text!r})") from None

    def __str__(self) -> str:
        return f"{self.hourly}/{self.spike}"


# Procore's documented example (3,600 per hour, 100 per 10 s): the `sandbox` command's default.
DOCUMENTED = RateLimits(3600, 100)
# For sandboxes started inside tests and the demo: a budget nothing in them comes near, so only a
# test that asks for a limit meets one. Headers are still sent on every answer.
GENEROUS = RateLimits(1_000_000, 100_000)


class _Window:
    def __init__(self, limit: int, seconds: float, now: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.start, self.used = now, 0

    def roll(self, now: float) -> None:
        if now - self.start >= self.seconds:
            self.start, self.used = now, 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def reset_at(self) -> float:
        return self.start + self.seconds


class RateLimiter:
    """The hourly and spike windows of one sandbox; thread-safe."""

    def __init__(self, limits: RateLimits = GENEROUS) -> None:
        self._lock = threading.Lock()
        self.configure(limits)

    def configure(self, limits: RateLimits, *, hourly_seconds: float = HOUR_SECONDS,
                  spike_seconds: float = SPIKE_SECONDS) -> None:
        """New limits with fresh windows (window lengths are changeable for tests only)."""
        now = time.time()
        with self._lock:
            self.limits = limits
            self._hourly = _Window(limits.hourly, hourly_seconds, now)
            self._spike = _Window(limits.spike, spike_seconds, now)
            self.refused = 0

    def spend(self) -> tuple[bool, dict[str, str], float]:
        """Count one request: (allowed, X-Rate-Limit headers, Retry-After seconds when refused)."""
        with self._lock:
            now = time.time()
            windows = (self._spike, self._hourly)
            for window in windows:
                window.roll(now)
            full = [w for w in windows if w.remaining == 0]
            if not full:
                for window in windows:
                    window.used += 1
            else:
                self.refused += 1
            # Fewer left = closer to running out; on a tie the spike window, as Procore reports.
            shown = min(windows, key=lambda w: w.remaining)
            headers = {
                "X-Rate-Limit-Limit": str(shown.limit),
                "X-Rate-Limit-Remaining": str(shown.remaining),
                "X-Rate-Limit-Reset": str(math.ceil(shown.reset_at())),
            }
            wait = max((w.reset_at() - now for w in full), default=0.0)
            return not full, headers, max(0.0, wait)

    def snapshot(self) -> dict:
        with self._lock:
            now = time.time()
            for window in (self._spike, self._hourly):
                window.roll(now)
            return {"hourly": self.limits.hourly, "spike": self.limits.spike,
                    "hourly_remaining": self._hourly.remaining, "spike_remaining": self._spike.remaining,
                    "refused": self.refused}
