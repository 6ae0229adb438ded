"""Before a refresh or a batch: does it need more Procore requests than the rate limit has left?

Procore reports one window at a time (`X-Rate-Limit-*`): its 10-second spike window, or the
hourly one once that is nearly spent. When the work needs more requests than the reported
window has left, the app says so before it starts, with the number of requests and the time it
should take while the transport paces itself (it waits for each reset instead of meeting 429s).
The window shows it in the progress panel; the command line prints it on stderr (as a JSON line
with --json).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sage_sync_desktop.sync.records import ContractStatus

# Progress messages starting with this are budget notices: the progress panel keeps them shown.
NOTICE_PREFIX = "Procore request budget: "
SPIKE_SECONDS = 10.0
HOUR_SECONDS = 3600.0


@dataclass(frozen=True)
class BudgetNotice:
    work: str  # "refresh", "import", "re-import"
    needed: int
    remaining: int
    limit: int
    window: str  # "10-second" or "hourly"
    resets_in: float
    expected_seconds: float

    @property
    def message(self) -> str:
        return (f"This {self.work} needs about {self.needed} Procore requests, more than the {self.remaining} "
                f"left in Procore's {self.window} rate limit ({self.limit} per "
                f"{'10 seconds' if self.window == '10-second' else 'hour'}, resets in "
                f"{duration(self.resets_in)}). It slows down to stay within the limit: expect about "
                f"{duration(self.expected_seconds)}.")

    def as_json(self) -> dict[str, Any]:
        return {"work": self.work, "needed": self.needed, "remaining": self.remaining, "limit": self.limit,
                "window": self.window, "resets_in_seconds": round(self.resets_in, 1),
                "expected_seconds": round(self.expected_seconds, 1), "message": self.message}


def check(work: str, needed: int, window: Any) -> BudgetNotice | None:
    """A notice when `needed` requests exceed what the last reported window has left (`window`
    is the transport's RateWindow, or None when no answer has reported one yet)."""
    if window is None or needed <= window.remaining:
        return None
    length = SPIKE_SECONDS if window.spike else HOUR_SECONDS
    limit = max(1, window.limit)
    # The rest waits for the reset, then goes at most `limit` per window.
    more_windows = math.ceil((needed - window.remaining) / limit)
    expected = window.resets_in + (more_windows - 1) * length
    return BudgetNotice(work, needed, window.remaining, limit, "10-second" if window.spike else "hourly",
                        window.resets_in, expected)


def batch_requests(action: str, statuses: list[ContractStatus]) -> int:
    """About how many requests importing or re-importing these contracts sends: once per batch
    the company's permissions, at most once per project its Prime Contracts permission, and per
    contract the writes its diff calls for (a re-import first shows the contract live; an
    import's create is its own live check)."""
    projects = {s.project.project_id for s in statuses if s.project is not None}
    total = 1 + len(projects)
    for status in statuses:
        diff = status.diff
        if action == "import":
            lines = len(status.contract.items)
            total += 1 + math.ceil(lines / 1000) + 1  # create, sync, approve
            continue
        counts = diff.counts if diff is not None else None
        upserts = (counts.added + counts.changed) if counts else 0
        total += 1 + math.ceil(upserts / 1000) + (counts.removed if counts else 0)
        total += 1 if diff is not None and diff.header_changes else 0
    return total


def duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} min"
    hours, minutes = divmod(math.ceil(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min"
