"""What the transport retried, in the history: each contract run's closing entry records the
faults the sandbox served during it, the chain covers those fields, and entries written before
they existed still verify and show nothing extra."""

from __future__ import annotations

import csv
import json
import sqlite3
from types import SimpleNamespace

import pytest

from sage_sync_desktop.sync.history import HistoryStore, NewEntry
from sage_sync_desktop.sync.retry_record import retry_summary
from tests.sync.conftest import link_suggested_jobs
from tests.sync.test_engine_faults import SYNC
from tests.sync.test_sync_cli import run, run_json

CREATE = "POST /rest/v1.0/prime_contract"
SYNC_PATTERN = "PATCH /rest/v1.0/prime_contracts/*/line_items/sync"


@pytest.fixture
def env(make_env) -> SimpleNamespace:
    """The sandbox and an engine with every job linked."""
    built = make_env()
    engine = built.engine()
    link_suggested_jobs(engine)
    return SimpleNamespace(sandbox=built.sandbox, engine=engine)


def _ready(env) -> str:
    return next(s.number for s in env.engine.snapshot.statuses if s.can_import)


def _closing(engine, number: str):
    entries = engine.history.entries(number)
    assert [e.phase for e in entries] == ["started", "finished"]
    return entries


def test_each_503_served_to_a_line_sync_is_in_the_finished_entry(env) -> None:
    number = _ready(env)
    rule = env.sandbox.faults.fail(SYNC_PATTERN, 503, times=2, retry_after=4)
    [outcome] = env.engine.import_contracts([number])
    assert outcome.ok, outcome.message
    started, finished = _closing(env.engine, number)
    assert rule.fired == 2
    assert finished.data["retries"] == {"503": 2} and finished.data["gave_up"] == {}
    assert [(e["endpoint"], e["cause"], e["retried"]) for e in finished.data["retry_events"]] == [(SYNC, "503", True)] * 2
    assert all(e["wait_seconds"] >= 4 for e in finished.data["retry_events"])  # Retry-After honoured
    assert finished.data["retry_wait_seconds"] >= 8
    assert finished.data["started_seq"] == started.seq
    assert "retries" not in started.data and started.data["pid"] > 0  # the run names its process
    assert env.engine.history.verify().ok


def test_a_create_refused_with_500_is_passed_on_by_the_transport_and_resent_by_the_client(env) -> None:
    number = _ready(env)
    env.sandbox.faults.fail(CREATE, 500, times=1)
    [outcome] = env.engine.import_contracts([number])
    assert outcome.ok, outcome.message  # the client looked it up, found nothing, and sent it once more
    _, finished = _closing(env.engine, number)
    assert finished.data["gave_up"] == {"500": 1} and finished.data["retries"] == {"create_resent": 1}
    assert [(e["endpoint"], e["cause"], e["retried"]) for e in finished.data["retry_events"]] == [
        (CREATE, "500", False), (CREATE, "create_resent", True)]
    # The 5 s is the client looking again, a little later, before sending the create once more.
    assert retry_summary(finished.data) == ("Retried 1x create sent again after checking Procore; "
                                            "passed on 1x 500 server error; waited 5.0 s")
    assert env.sandbox.request_counts()["by_endpoint"][CREATE] == 2  # sent twice, created once
    assert len([c for c in env.sandbox.prime_contracts() if c["number"] == number]) == 1


def test_a_create_that_procore_saved_before_failing_is_found_not_resent(env) -> None:
    number = _ready(env)
    env.sandbox.faults.reset_connection(CREATE, times=1, after_processing=True)
    [outcome] = env.engine.import_contracts([number])
    assert outcome.ok, outcome.message
    _, finished = _closing(env.engine, number)
    assert finished.data["gave_up"] == {"ConnectionError": 1} and finished.data["retries"] == {}
    assert env.sandbox.request_counts()["by_endpoint"][CREATE] == 1


def test_a_token_expired_mid_run_is_recorded_as_renewed(env) -> None:
    number = _ready(env)
    assert env.sandbox.expire_tokens() >= 1
    [outcome] = env.engine.import_contracts([number])
    assert outcome.ok, outcome.message
    _, finished = _closing(env.engine, number)
    assert finished.data["retries"] == {"token_renewed": 1}


def test_retries_are_counted_per_contract_not_carried_over(env) -> None:
    numbers = [s.number for s in env.engine.snapshot.statuses if s.can_import][:2]
    env.sandbox.faults.reset_connection(SYNC_PATTERN, times=1)
    assert all(o.ok for o in env.engine.import_contracts(numbers))
    first = env.engine.history.entries(numbers[0])[-1]
    second = env.engine.history.entries(numbers[1])[-1]
    assert first.data["retries"] == {"ConnectionError": 1}
    assert second.data["retries"] == {} and second.data["retry_events"] == []


# ---------------------------------------------------------------------- the chain


@pytest.fixture
def store(app_paths) -> HistoryStore:
    return HistoryStore(app_paths.history_db, windows_user="CORP\\sage.admin", procore_user="pm@example.com")


RETRIED = {"retries": {"429": 3, "ConnectionError": 1}, "gave_up": {}, "retry_wait_seconds": 7.5,
           "retry_events": [{"endpoint": "PATCH /x", "cause": "429", "retried": True, "wait_seconds": 2.5}] * 3
           + [{"endpoint": "DELETE /y", "cause": "ConnectionError", "retried": True, "wait_seconds": 0.0}]}


def _old_and_new(store: HistoryStore) -> None:
    store.append(NewEntry("import", "started", "started", contract="1001"))
    store.append(NewEntry("import", "finished", "ok", contract="1001", message="written, no retry fields"))
    store.append(NewEntry("reimport", "finished", "ok", contract="1002", message="retried",
                          data={"started_seq": 0, **RETRIED}))


def test_entries_with_and_without_retry_fields_verify_in_one_chain(store) -> None:
    _old_and_new(store)
    check = store.verify()
    assert check.ok and check.entries == 3
    old, new = store.entries()[1:]
    assert retry_summary(old.data) == ""
    assert retry_summary(new.data) == "Retried 3x 429 rate limit, 1x connection reset; waited 7.5 s"


def test_changing_a_recorded_retry_count_breaks_the_chain_at_that_entry(store) -> None:
    _old_and_new(store)
    with sqlite3.connect(store.path) as connection:
        connection.execute("DROP TRIGGER entries_no_update")
        data = json.loads(connection.execute("SELECT data_json FROM entries WHERE seq = 3").fetchone()[0])
        data["retries"]["429"] = 0
        connection.execute("UPDATE entries SET data_json = ? WHERE seq = 3", (json.dumps(data),))
    check = store.verify()
    assert not check.ok and check.first_bad_seq == 3


def test_csv_export_has_retry_columns_empty_for_older_entries(store, tmp_path) -> None:
    _old_and_new(store)
    target = tmp_path / "history.csv"
    store.export_csv(target)
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert [r["retries"] for r in rows] == ["", "", '{"429":3,"ConnectionError":1}']
    assert [r["retry_wait_seconds"] for r in rows] == ["", "", "7.5"]
    assert rows[2]["not_retried"] == "{}"


def test_history_command_shows_the_retries_in_text_json_and_csv(demo, capsys, tmp_path) -> None:  # noqa: F811
    _, rows = run_json(demo, capsys, "status", "--view", "ready")
    number = rows[0]["contract"]
    demo.sandbox.faults.fail(SYNC_PATTERN, 503, times=1)
    assert run(demo, capsys, "import", number)[0] == 0
    _, entries = run_json(demo, capsys, "history", "--contract", number)
    started, finished = entries
    assert finished["retries"] == {"503": 1} and finished["started_seq"] == started["seq"]
    assert finished["retry_events"][0]["endpoint"] == SYNC and "retries" not in started
    code, text = run(demo, capsys, "history", "--contract", number)
    assert code == 0 and "Retried 1x 503 unavailable" in text.splitlines()[-1]
    target = tmp_path / "h.csv"
    run(demo, capsys, "history", "--contract", number, "--csv", str(target))
    assert [r["retries"] for r in csv.DictReader(target.open(encoding="utf-8-sig"))] == ["", '{"503":1}']
