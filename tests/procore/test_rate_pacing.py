"""Pacing from X-Rate-Limit-Remaining/Reset, measured against the answer's Date header, over real
HTTP against the sandbox's hourly and spike windows."""

from __future__ import annotations

import time

import pytest

from sage_sync_desktop.sandbox.rate_limits import RateLimits
from tests.fixtures.sandbox_fixtures import SERVICE_ACCOUNT, client_for

PROJECTS = "GET /rest/v1.1/projects"


class RecordingSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.mark.parametrize("skew", [-7200.0, 7200.0], ids=["clock-2h-behind", "clock-2h-ahead"])
def test_pacing_measures_the_reset_against_the_answers_date_not_this_computers_clock(sandbox, skew):
    sandbox.rate_limiter.configure(RateLimits(hourly=1000, spike=6), spike_seconds=30.0)
    sleep = RecordingSleep()
    # This computer's clock is off by two hours; Procore's Date header is right.
    client = client_for(sandbox, SERVICE_ACCOUNT, sleep=sleep, clock=lambda: time.time() + skew)
    for _ in range(5):
        client.projects()  # with the token request: exactly the spike budget of 6
    # Pauses began once 3 were left, each a share of the ~30 s to the reset: never skipped (a
    # clock ahead would see the reset as past) and never the 300 s cap (a clock behind).
    assert len(sleep.calls) == 3 and all(0 < s <= 31 for s in sleep.calls), sleep.calls
    assert sandbox.rate_limiter.snapshot()["refused"] == 0
    client.close()


def test_the_rate_window_tells_the_spike_window_from_the_hourly_one(sandbox):
    client = client_for(sandbox, SERVICE_ACCOUNT)
    sandbox.rate_limiter.configure(RateLimits(hourly=3600, spike=100))
    client.projects()
    spike = client.transport.rate_window()
    assert spike.spike and spike.limit == 100 and 0 < spike.resets_in <= 12
    sandbox.rate_limiter.configure(RateLimits(hourly=50, spike=100))
    client.projects()
    hourly = client.transport.rate_window()
    assert not hourly.spike and hourly.limit == 50 and hourly.remaining == 49 and hourly.resets_in > 3000
    client.close()


def test_a_client_that_keeps_going_past_the_spike_budget_waits_instead_of_meeting_429(sandbox):
    sandbox.rate_limiter.configure(RateLimits(hourly=1000, spike=5), spike_seconds=2.0)
    client = client_for(sandbox, SERVICE_ACCOUNT, sleep=time.sleep)
    started = time.monotonic()
    for _ in range(12):
        client.projects()
    assert sandbox.rate_limiter.snapshot()["refused"] == 0
    assert client.stats.snapshot()["rate_limit_waits"] >= 2
    assert time.monotonic() - started >= 2.0  # 13 requests at 5 per 2 s take at least two resets
    client.close()
