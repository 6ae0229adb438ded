"""The sandbox's rate limits (hourly and spike windows) and latency, over real HTTP, in-process
and through the `sandbox` command's options."""

from __future__ import annotations

import email.utils
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sage_sync_desktop.sandbox.rate_limits import DOCUMENTED, RateLimits
from tests.fixtures.sandbox_fixtures import SERVICE_ACCOUNT
from tests.sandbox.raw_http import Answer, call, token_for


def _seconds_to_reset(answer: Answer) -> float:
    """X-Rate-Limit-Reset measured against the answer's own Date header, as Procore advises."""
    date = email.utils.parsedate_to_datetime(answer.headers["Date"]).timestamp()
    return int(answer.headers["X-Rate-Limit-Reset"]) - date


def test_the_spike_window_answers_429_with_retry_after_within_ten_seconds(sandbox):
    sandbox.rate_limiter.configure(RateLimits(hourly=1000, spike=3))
    token = token_for(sandbox, SERVICE_ACCOUNT)  # the token request is the first of the 3
    seen = [call(sandbox, "GET", "/rest/v1.0/me", token=token) for _ in range(3)]
    assert [a.status for a in seen] == [200, 200, 429]
    assert seen[2].body == {"errors": "Rate limit exceeded"}
    assert 1 <= int(seen[2].headers["Retry-After"]) <= 10
    # The headers describe the spike window: its limit, and a reset 10 seconds away or less.
    assert [a.headers["X-Rate-Limit-Limit"] for a in seen] == ["3", "3", "3"]
    assert [a.headers["X-Rate-Limit-Remaining"] for a in seen] == ["1", "0", "0"]
    assert 0 <= _seconds_to_reset(seen[0]) <= 11


def test_the_hourly_window_answers_429_with_retry_after_to_the_hours_end(sandbox):
    sandbox.rate_limiter.configure(RateLimits(hourly=4, spike=100))
    token = token_for(sandbox, SERVICE_ACCOUNT)
    seen = [call(sandbox, "GET", "/rest/v1.0/me", token=token) for _ in range(4)]
    assert [a.status for a in seen] == [200, 200, 200, 429]
    # Fewer left in the hour than in the spike window: the headers switch to the hourly budget.
    assert seen[0].headers["X-Rate-Limit-Limit"] == "4" and _seconds_to_reset(seen[0]) > 3000
    assert 3000 < int(seen[3].headers["Retry-After"]) <= 3600


def test_the_spike_window_is_reported_while_the_hour_has_more_left(sandbox):
    sandbox.rate_limiter.configure(RateLimits(hourly=3600, spike=100))
    answer = call(sandbox, "GET", "/rest/v1.0/me", token=token_for(sandbox, SERVICE_ACCOUNT))
    assert (answer.headers["X-Rate-Limit-Limit"], answer.headers["X-Rate-Limit-Remaining"]) == ("100", "98")
    assert sandbox.rate_limiter.snapshot()["hourly_remaining"] == 3598


def test_failed_calls_count_against_the_budget(sandbox):
    sandbox.rate_limiter.configure(RateLimits(hourly=1000, spike=4))
    failures = [
        call(sandbox, "GET", "/rest/v1.0/me"),  # no token: 401
        call(sandbox, "GET", "/rest/v1.0/no_such_thing"),  # unknown route: 404
        call(sandbox, "GET", "/rest/v1.1/projects", token="nonsense"),
        call(sandbox, "POST", "/oauth/token", company=False, form={"grant_type": "client_credentials",
                                                                   "client_id": "x", "client_secret": "y"}),
    ]
    assert [a.status for a in failures] == [401, 404, 401, 401]
    assert [a.headers["X-Rate-Limit-Remaining"] for a in failures] == ["3", "2", "1", "0"]
    refused = call(sandbox, "GET", "/rest/v1.0/me")
    assert refused.status == 429 and "Retry-After" in refused.headers
    assert sandbox.rate_limiter.snapshot()["refused"] == 1


def test_a_refused_request_costs_nothing_and_the_window_reopens(sandbox):
    sandbox.rate_limiter.configure(RateLimits(hourly=1000, spike=2), spike_seconds=1.0)
    token = token_for(sandbox, SERVICE_ACCOUNT)
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token).status == 200
    assert [call(sandbox, "GET", "/rest/v1.0/me", token=token).status for _ in range(3)] == [429, 429, 429]
    time.sleep(1.1)
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token).status == 200
    assert sandbox.rate_limiter.snapshot()["hourly_remaining"] == 1000 - 3


def test_the_control_api_sets_and_reports_the_limits_and_the_latency(sandbox):
    set_limits = call(sandbox, "PUT", "/_sandbox/rate_limit", company=False, json_body={"hourly": 600, "spike": 25})
    assert set_limits.status == 200 and (set_limits.body["hourly"], set_limits.body["spike"]) == (600, 25)
    answer = call(sandbox, "GET", "/rest/v1.0/me")
    assert (answer.headers["X-Rate-Limit-Limit"], answer.headers["X-Rate-Limit-Remaining"]) == ("25", "24")
    bad = call(sandbox, "PUT", "/_sandbox/rate_limit", company=False, json_body={"hourly": 0, "spike": 25})
    assert bad.status == 400
    assert call(sandbox, "PUT", "/_sandbox/latency", company=False, json_body={"ms": -5}).status == 400
    assert call(sandbox, "PUT", "/_sandbox/latency", company=False, json_body={"ms": 300}).status == 200
    started = time.monotonic()
    assert call(sandbox, "GET", "/rest/v1.0/me").status == 401
    assert time.monotonic() - started >= 0.3
    assert call(sandbox, "GET", "/_sandbox/rate_limit", company=False).body["spike_remaining"] == 23


def test_latency_delays_api_answers_but_not_the_controls(sandbox):
    sandbox.latency_seconds = 0.25
    token = token_for(sandbox, SERVICE_ACCOUNT)
    started = time.monotonic()
    assert call(sandbox, "GET", "/rest/v1.0/me", token=token).status == 200
    assert time.monotonic() - started >= 0.25
    started = time.monotonic()
    call(sandbox, "GET", "/_sandbox/requests", company=False)
    assert time.monotonic() - started < 0.2


def test_rate_limits_are_written_hourly_slash_spike():
    assert RateLimits.parse(" 600/25 ") == RateLimits(600, 25) and str(DOCUMENTED) == "3600/100"
    for bad in ("3600", "3600/", "a/b", "0/10", "100/-1"):
        with pytest.raises(ValueError):
            RateLimits.parse(bad)


# ---------------------------------------------------------------------- the `sandbox` command

@contextmanager
def _sandbox_command(tmp_path, *options: str) -> Iterator[dict]:
    process = subprocess.Popen([sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "app"),
                                "sandbox", *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        yield json.loads(line)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


class _Remote:
    def __init__(self, info: dict) -> None:
        self.url, self.company_id = info["url"], info["company_id"]


def test_the_sandbox_command_defaults_to_procores_documented_limits(tmp_path):
    with _sandbox_command(tmp_path) as info:
        assert (info["rate_limit"], info["latency_ms"]) == ("3600/100", 0)
        remote = _Remote(info)
        statuses = [call(remote, "GET", "/rest/v1.0/me").status for _ in range(101)]
    assert statuses == [401] * 100 + [429]  # failed calls spend the spike window too


def test_the_sandbox_command_takes_rate_limit_and_latency(tmp_path):
    with _sandbox_command(tmp_path, "--rate-limit", "50/2", "--latency-ms", "200") as info:
        assert (info["rate_limit"], info["latency_ms"]) == ("50/2", 200)
        remote = _Remote(info)
        started = time.monotonic()
        statuses = [call(remote, "GET", "/rest/v1.0/me").status for _ in range(3)]
        elapsed = time.monotonic() - started
    assert statuses == [401, 401, 429] and elapsed >= 0.6


def test_the_sandbox_command_refuses_a_malformed_rate_limit(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "app"),
                           "sandbox", "--rate-limit", "lots"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "HOURLY/SPIKE" in done.stderr and "3600/100" in done.stderr
