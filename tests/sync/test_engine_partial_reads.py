"""One project or one contract Procore will not let a Refresh read never aborts it: only its own
contracts are blocked, with the cause and the fix (sample company over ODBC, sandbox over HTTP)."""

from __future__ import annotations

import pytest

from sage_sync_desktop.sync.records import ContractState, ReasonCode
from tests.sync.conftest import link_suggested_jobs

LIST = "GET /rest/v1.0/prime_contracts"
LINES = "GET /rest/v1.0/prime_contracts/{prime_contract_id}/line_items"


def _states(snapshot, except_project: int | None = None) -> dict[str, ContractState]:
    return {s.number: s.state for s in snapshot.statuses
            if except_project is None or s.project is None or s.project.project_id != except_project}


def _unreadable(snapshot) -> dict[str, str]:
    return {s.number: r.message for s in snapshot.statuses for r in s.reasons
            if r.code is ReasonCode.PROCORE_UNREADABLE}


def _linked_projects(snapshot) -> list[int]:
    return sorted({s.project.project_id for s in snapshot.statuses if s.project is not None})


def test_a_project_with_prime_contracts_disabled_blocks_only_its_contracts(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    imported = next(s for s in engine.snapshot.statuses if s.can_import)
    assert engine.import_contracts([imported.number])[0].ok
    before = engine.refresh()
    off = next(p for p in _linked_projects(before) if p != imported.project.project_id)
    env.sandbox.set_tool_enabled("Prime Contracts", False, project_id=off)
    after = engine.refresh()
    in_off = {s.number for s in after.statuses if s.project is not None and s.project.project_id == off}
    assert in_off and set(_unreadable(after)) == in_off
    for number in in_off:
        status = after.status(number)
        assert status.state is ContractState.NOT_READY
        [reason] = [r for r in status.reasons if r.code is ReasonCode.PROCORE_UNREADABLE]
        assert reason.message.startswith("The Prime Contracts tool is disabled in project '")
        assert f"id {off}" in reason.message and "Admin tool" in reason.fix and "Refresh" in reason.fix
        # No misleading "you need Admin, you have None" on top of it.
        assert ReasonCode.NO_PERMISSION_PRIME_CONTRACTS not in {r.code for r in status.reasons}
    assert _states(after, except_project=off) == _states(before, except_project=off)
    assert after.status(imported.number).state is ContractState.SYNCED
    env.sandbox.reset_counts()
    outcome = engine.import_contracts([sorted(in_off)[0]])[0]
    assert outcome.error_kind == "blocked" and outcome.reasons[0].code is ReasonCode.PROCORE_UNREADABLE
    assert not [k for k in env.sandbox.request_counts()["by_endpoint"] if not k.startswith("GET")]
    env.sandbox.set_tool_enabled("Prime Contracts", True, project_id=off)
    assert _unreadable(engine.refresh()) == {}


@pytest.mark.parametrize(("status", "skip", "times", "words"), [
    # The refresh lists projects in order; the third one fails all 6 tries of the transport.
    (503, 2, 6, ("server problem (HTTP 503)", "id {failed}")),
    (404, 1, 1, ("answered 404",)),
], ids=["a 5xx that outlasts the retries", "a 404"])
def test_one_project_procore_will_not_list_blocks_only_that_project(make_env, status, skip, times, words) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    before = engine.snapshot
    projects = [p.project_id for p in engine.client.projects()]
    env.sandbox.faults.fail(LIST, status, skip=skip, times=times)
    after = engine.refresh()
    failed = projects[skip]
    blocked = _unreadable(after)
    expected = {s.number for s in after.statuses if s.project is not None and s.project.project_id == failed}
    assert set(blocked) == expected
    assert all(word.format(failed=failed) in text for text in blocked.values() for word in words)
    assert _states(after, except_project=failed) == _states(before, except_project=failed)


def test_one_contract_whose_lines_cannot_be_read_is_blocked_alone(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    numbers = [s.number for s in engine.snapshot.statuses if s.can_import][:3]
    assert all(o.ok for o in engine.import_contracts(numbers))
    env.sandbox.faults.fail(LINES, 500, times=6)  # the first line list read fails every try
    after = engine.refresh(full=True)
    blocked = _unreadable(after)
    assert len(blocked) == 1
    [(number, text)] = blocked.items()
    assert number in numbers and "reading the lines of prime contract" in text
    status = after.status(number)
    assert status.state is ContractState.NOT_READY and status.diff is None and status.procore is not None
    assert all(after.status(n).state is ContractState.SYNCED for n in numbers if n != number)
    assert _unreadable(engine.refresh()) == {}  # read again once Procore answers
