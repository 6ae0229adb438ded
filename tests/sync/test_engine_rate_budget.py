"""Refreshes and batches against the sandbox's rate limits: they slow down instead of meeting
429s, and say beforehand when they need more requests than are left (engine and CLI)."""

from __future__ import annotations

import json

from sage_sync_desktop.cli import main
from sage_sync_desktop.sandbox.rate_limits import RateLimits
from sage_sync_desktop.settings import save
from sage_sync_desktop.sync.request_budget import NOTICE_PREFIX
from sage_sync_desktop.app.wiring import build_engine
from tests.sync.conftest import link_suggested_jobs


def _real_engine(env, app_paths, secret_store):
    """Wired as the app wires it: the transport really waits."""
    return build_engine(env.settings(), app_paths, secret_store)


class Recorder:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, percent: int, message: str) -> None:
        self.messages.append(message)


def test_a_refresh_short_of_budget_says_so_first_then_slows_down_without_a_429(make_env, app_paths,
                                                                              secret_store) -> None:
    env = make_env()
    engine = _real_engine(env, app_paths, secret_store)
    try:
        link_suggested_jobs(engine)
        # 10 requests per 3-second window: fewer than a refresh of the sample needs.
        env.sandbox.rate_limiter.configure(RateLimits(hourly=10, spike=1000), hourly_seconds=3.0)
        progress = Recorder()
        engine.refresh(progress=progress)
        notices = [m for m in progress.messages if m.startswith(NOTICE_PREFIX)]
        assert notices, progress.messages
        first_list = next(i for i, m in enumerate(progress.messages) if m.startswith("Reading prime contracts of"))
        assert progress.messages.index(notices[0]) < first_list  # said before the work
        notice = engine.budget_notices[0]
        assert notice.work == "refresh" and notice.needed > notice.remaining and notice.limit == 10
        assert f"needs about {notice.needed} Procore requests" in notices[0] and "expect about" in notices[0]
        assert notice.expected_seconds > 0
        assert env.sandbox.rate_limiter.snapshot()["refused"] == 0  # slowed down instead
        assert engine.client.stats.snapshot()["rate_limit_waits"] >= 1
    finally:
        engine.client.close()


def test_a_refresh_within_budget_says_nothing(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    progress = Recorder()
    engine.refresh(progress=progress)
    assert engine.budget_notices == [] and not [m for m in progress.messages if m.startswith(NOTICE_PREFIX)]


def test_a_batch_short_of_budget_says_so_before_the_first_contract(make_env, app_paths, secret_store) -> None:
    env = make_env()
    engine = _real_engine(env, app_paths, secret_store)
    try:
        link_suggested_jobs(engine)
        ready = [s.number for s in engine.snapshot.statuses if s.can_import][:3]
        env.sandbox.rate_limiter.configure(RateLimits(hourly=8, spike=1000), hourly_seconds=3.0)
        engine.client.me()  # the last answer before the batch reports the new budget
        progress = Recorder()
        outcomes = engine.import_contracts(ready, progress=progress)
        assert all(o.ok for o in outcomes), [o.message for o in outcomes]
        notice = engine.budget_notices[0]
        assert notice.work == "import" and notice.needed >= 3 * 3 and notice.needed > notice.remaining
        first_contract = next(i for i, m in enumerate(progress.messages) if m.startswith("Adding contract"))
        assert progress.messages[first_contract - 1].startswith(NOTICE_PREFIX)
        assert env.sandbox.rate_limiter.snapshot()["refused"] == 0
    finally:
        engine.client.close()


def test_the_command_line_says_it_on_stderr_and_as_json_with_json(make_env, tmp_path, capsys) -> None:
    env = make_env()
    link_suggested_jobs(env.engine())
    config = tmp_path / "settings.json"
    save(env.settings(), config)
    env.sandbox.rate_limiter.configure(RateLimits(hourly=6, spike=1000), hourly_seconds=2.0)
    capsys.readouterr()
    assert main(["--app-dir", str(tmp_path / "app"), "--config", str(config), "status"]) == 0
    err = capsys.readouterr().err
    assert "This refresh needs about" in err and "Procore requests" in err
    env.sandbox.rate_limiter.configure(RateLimits(hourly=6, spike=1000), hourly_seconds=2.0)
    assert main(["--app-dir", str(tmp_path / "app"), "--config", str(config), "status", "--json"]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)  # stdout stays the status list
    budget = [json.loads(line)["request_budget"] for line in captured.err.splitlines()
              if line.startswith('{"request_budget"')]
    assert budget and budget[0]["work"] == "refresh" and budget[0]["needed"] > budget[0]["remaining"]
    assert {"limit", "window", "resets_in_seconds", "expected_seconds", "message"} <= set(budget[0])
    assert env.sandbox.rate_limiter.snapshot()["refused"] == 0
