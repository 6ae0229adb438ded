"""Waiting when Procore asks for it: a cap on how long, and a countdown the window can show.

A `Retry-After` (or a rate-limit reset) beyond the cap is not waited out in silence: the request
gives up with a message saying how long Procore asked for and when to try again. A wait longer
than COUNTDOWN_FROM seconds is slept a second at a time, telling whoever listens on this thread
(the engine's progress line in the window) how many seconds are left.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sage_sync_desktop.procore.errors import RateLimited

COUNTDOWN_FROM = 5.0

Listener = Callable[[int, str], None]  # (whole seconds left, why)


def too_long(endpoint: str, seconds: float, cap: float, now: float) -> RateLimited:
    until = datetime.fromtimestamp(now + seconds, UTC).strftime("%H:%M UTC")
    return RateLimited(
        f"Procore asked the app to wait {seconds:.0f} seconds before {endpoint}, longer than the "
        f"{cap:.0f} seconds it waits; it stopped instead.",
        fix=f"Try again after {until}. If this keeps happening, ask Procore to raise the app's rate limit.",
        detail=f"{endpoint}: asked to wait {seconds:.1f} s", retry_after=seconds,
    )


class WaitReporter:
    """Per-thread listener for waits, so the window hears only its own job's waits."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def reported_to(self, listener: Listener) -> Iterator[None]:
        previous = getattr(self._local, "listener", None)
        self._local.listener = listener
        try:
            yield
        finally:
            self._local.listener = previous

    def sleep(self, sleep: Callable[[float], None], seconds: float, why: str) -> None:
        listener: Listener | None = getattr(self._local, "listener", None)
        if listener is None or seconds <= COUNTDOWN_FROM:
            sleep(seconds)
            return
        left = seconds
        while left > 0:
            listener(math.ceil(left), why)
            step = min(1.0, left - math.floor(left) or 1.0)  # whole seconds left after each step
            sleep(step)
            left -= step
