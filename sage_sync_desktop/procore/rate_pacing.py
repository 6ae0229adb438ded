"""Procore's rate-limit headers, remembered between answers, and the pause they call for.

Procore reports one window per answer (`X-Rate-Limit-Limit/Remaining/Reset`): its 10-second
spike window, or the hourly one once that is nearly spent. The reset is a Unix time on Procore's
clock, so it is measured against the answer's Date header and kept on this computer's clock:
a local clock that is off neither skips the pacing nor waits far too long ("Handle Rate Limits").
"""

from __future__ import annotations

import email.utils
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)

SPIKE_WINDOW_SECONDS = 10.0


@dataclass(frozen=True)
class RateWindow:
    """The rate-limit window Procore's last answer described, as of now."""

    limit: int
    remaining: int
    resets_in: float  # seconds from now

    @property
    def spike(self) -> bool:
        """True for the 10-second spike window, False for the hourly one. Date and Reset are
        whole seconds (Date rounded down, Reset up), so a fresh spike window can look 12 s long."""
        return self.resets_in <= SPIKE_WINDOW_SECONDS + 2


@dataclass
class _Seen:
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None  # on this computer's clock


class RatePacer:
    """The last reported window; thread-safe."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._seen = _Seen()

    def server_now(self, headers: Mapping[str, str]) -> float:
        """The answer's Date header as a Unix time; this computer's clock when it has none."""
        try:
            return email.utils.parsedate_to_datetime(headers.get("Date") or "").timestamp()
        except (TypeError, ValueError, IndexError):
            return self._clock()

    def note(self, headers: Mapping[str, str]) -> None:
        remaining = int_header(headers, "X-Rate-Limit-Remaining")
        if remaining is None:
            return
        reset = int_header(headers, "X-Rate-Limit-Reset")
        reset_at = None if reset is None else self._clock() + (reset - self.server_now(headers))
        with self._lock:
            self._seen = _Seen(int_header(headers, "X-Rate-Limit-Limit"), remaining, reset_at)

    def window(self) -> RateWindow | None:
        with self._lock:
            seen = self._seen
        if seen.remaining is None or seen.reset_at is None:
            return None
        resets_in = seen.reset_at - self._clock()
        if resets_in <= 0:
            return None  # that window is over; the next answer describes a fresh one
        return RateWindow(seen.limit or seen.remaining, seen.remaining, resets_in)

    def next_pause(self, low_share: float) -> tuple[float, float, bool] | None:
        """(seconds to wait, seconds to the reset, nothing left) before the next request, or None
        when there is no need: once few are left (this share of the limit, or 3) the rest are
        spread over the time to the reset; none left waits for the reset."""
        with self._lock:
            seen = self._seen
            if seen.remaining is None or seen.reset_at is None:
                return None
            if seen.remaining > max(3, int((seen.limit or 0) * low_share)):
                return None
            until_reset = seen.reset_at - self._clock()
            if until_reset <= 0:
                return None
            # Count the request about to go out so consecutive calls keep spreading out.
            self._seen = _Seen(seen.limit, seen.remaining - 1, seen.reset_at)
        exhausted = seen.remaining <= 0
        delay = until_reset if exhausted else until_reset / (seen.remaining + 1)
        logger.info("Procore rate limit: %s left, pausing %.2f s", seen.remaining, delay)
        return delay, until_reset, exhausted


def int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None
