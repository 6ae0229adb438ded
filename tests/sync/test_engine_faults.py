"""Interrupted and refused writes: finished by running again, never duplicated, always reported."""

from __future__ import annotations

import math
import threading
from collections import Counter
from decimal import Decimal

from sage_sync_desktop.procore.errors import EDITABLE_SOV_SETTING
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.records import ContractState
from tests.sync.conftest import link_suggested_jobs
from tests.sync.test_engine_import import assert_procore_equals_sage

SYNC = "PATCH /rest/v1.0/prime_contracts/{prime_contract_id}/line_items/sync"
BIG = {"contracts": 1, "items_per_contract": 2500, "jobs": 2}
BIG_CONTRACT = "1000000"


def _no_duplicates(sandbox) -> None:
    origins = Counter(pc["origin_id"] for pc in sandbox.prime_contracts() if pc["origin_id"])
    assert [o for o, n in origins.items() if n > 1] == []
    for pc in sandbox.prime_contracts():
        lines = Counter(line["origin_id"] for line in sandbox.line_items(pc["id"]) if line["origin_id"])
        assert [o for o, n in lines.items() if n > 1] == []


def test_import_cut_off_mid_sync_is_finished_by_running_it_again(make_env) -> None:
    env = make_env(**BIG)
    engine = env.engine()
    link_suggested_jobs(engine)
    # from the second of three chunks on, Procore processes each request but the answer never
    # arrives (the client's own retries included): the network is gone
    env.sandbox.faults.reset_connection(SYNC, skip=1, times=None, after_processing=True)
    [first] = engine.import_contracts([BIG_CONTRACT])
    assert not first.ok and first.error_kind == "unreachable"
    env.sandbox.faults.clear()
    entries = engine.history.entries(BIG_CONTRACT)
    assert [(e.phase, e.outcome) for e in entries] == [("started", "started"), ("failed", "failed")]
    results = Counter(line["result"] for line in entries[-1].lines)
    assert results["written"] == 1000 and results["unknown"] + results["not_sent"] == 1500

    status = engine.refresh().status(BIG_CONTRACT)
    assert status.state is ContractState.CHANGES_READY  # left Draft, lines missing
    assert status.diff.counts.edited_in_procore == 0  # the unconfirmed chunk is still ours
    [second] = engine.import_contracts([BIG_CONTRACT])
    assert second.ok, second.message
    _no_duplicates(env.sandbox)
    assert engine.refresh().status(BIG_CONTRACT).state is ContractState.SYNCED
    assert_procore_equals_sage(engine, BIG_CONTRACT)


def test_create_answer_lost_does_not_duplicate_the_contract(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    env.sandbox.faults.reset_connection("POST /rest/v1.0/prime_contract", times=1, after_processing=True)
    engine.import_contracts([number])
    engine.import_contracts([number])
    _no_duplicates(env.sandbox)
    assert engine.refresh().status(number).state is ContractState.SYNCED


def test_reimport_of_an_approved_contract_stops_naming_the_procore_setting(make_env) -> None:
    env = make_env(always_editable_sov=False)
    engine = env.engine()
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    assert engine.import_contracts([number])[0].ok
    env.sage_user.add_item(number, "95", "Added scope", "100.00")
    engine.refresh()
    [outcome] = engine.reimport_contracts([number])
    assert not outcome.ok and outcome.error_kind == "locked"
    assert EDITABLE_SOV_SETTING in outcome.message and "1 line not written" in outcome.message
    last = engine.history.entries(number)[-1]
    # Procore's sync answered 200 and refused the item naming the lock: recorded as refused, a failure.
    assert last.outcome == "failed" and [line["result"] for line in last.lines] == ["rejected"]
    assert "locked" in last.procore_error.lower() and "locked" in last.lines[0]["error"].lower()
    status = engine.refresh().status(number)
    assert status.state is ContractState.CHANGES_READY  # nothing pretended
    env.sandbox.set_always_editable_sov(status.procore.project.project_id, True)
    assert engine.reimport_contracts([number])[0].ok
    assert_procore_equals_sage(engine, number)


def test_procore_only_line_survives_every_reimport(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    engine.import_contracts([number])
    status = engine.snapshot.status(number)
    pc = status.procore.prime_contract_id
    project = status.procore.project.project_id
    hand = engine.client.sync_line_items(project, pc, [{"description": "Allowance added by the PM",
                                                        "amount": "5000.00"}]).entities[0]
    items = [item.number for item in status.contract.items]
    for step in range(3):
        env.sage_user.add_item(number, f"9{step}", f"Change {step}", "10.00")
        env.sage_user.delete_item(number, items[step])
        engine.refresh()
        assert engine.snapshot.status(number).diff.counts.procore_only == 1
        assert engine.reimport_contracts([number])[0].ok
        kept = [line for line in env.sandbox.line_items(pc) if line["id"] == hand.line_item_id]
        assert len(kept) == 1 and Decimal(kept[0]["amount"]) == Decimal("5000.00") and not kept[0]["origin_id"]
    assert_procore_equals_sage(engine, number)


def test_line_edited_in_procore_is_flagged_and_kept_unless_overwrite_is_confirmed(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    engine.import_contracts([number])
    status = engine.snapshot.status(number)
    first, second = status.contract.items[0], status.contract.items[1]
    edited_id = origin_ids.item_origin_id(number, first.number)
    # a PM changes the amount in Procore (origin_data untouched, as the Procore UI does)
    engine.client.sync_line_items(status.procore.project.project_id, status.procore.prime_contract_id,
                                  [{"origin_id": edited_id, "amount": "1.00"}])
    env.sage_user.change_item(number, second.number, description="Changed in Sage")
    flagged = engine.refresh().status(number)
    assert flagged.diff.line(edited_id).edited_in_procore and flagged.diff.counts.edited_in_procore == 1
    [kept] = engine.reimport_contracts([number])
    assert kept.ok and "1 edited in Procore kept" in kept.message
    procore = {line.origin_id: line for line in engine.client.line_items(
        status.procore.project.project_id, status.procore.prime_contract_id)}
    assert procore[edited_id].amount == Decimal("1.00")
    assert procore[origin_ids.item_origin_id(number, second.number)].description == "Changed in Sage"
    assert engine.refresh().status(number).diff.line(edited_id).edited_in_procore
    [overwritten] = engine.reimport_contracts([number], overwrite_procore_edits=True)
    assert overwritten.ok
    assert engine.refresh().status(number).state is ContractState.SYNCED
    assert_procore_equals_sage(engine, number)


def test_dry_run_reimport_sends_nothing_and_lists_every_request(make_env) -> None:
    env = make_env(**BIG)
    engine = env.engine()
    link_suggested_jobs(engine)
    assert engine.import_contracts([BIG_CONTRACT])[0].ok
    items = engine.snapshot.status(BIG_CONTRACT).contract.items[:1500]
    env.sage_user.change_items(BIG_CONTRACT, {item.number: {"amount": item.amount + 1} for item in items})
    engine.refresh()
    env.sandbox.reset_counts()
    [outcome] = engine.reimport_contracts([BIG_CONTRACT], dry_run=True)
    writes = {k: v for k, v in env.sandbox.request_counts()["by_endpoint"].items()
              if not k.startswith("GET") and "/rest/" in k}
    assert writes == {}
    assert outcome.ok and outcome.dry_run
    assert [len(r["body"]["updates"]) for r in outcome.requests] == [1000, 500]
    assert engine.refresh().status(BIG_CONTRACT).diff.counts.changed == 1500


def test_reimport_of_500_changed_lines_costs_a_handful_of_requests(make_env) -> None:
    env = make_env(contracts=1, items_per_contract=600, jobs=2)
    engine = env.engine()
    link_suggested_jobs(engine)
    assert engine.import_contracts([BIG_CONTRACT])[0].ok
    items = engine.snapshot.status(BIG_CONTRACT).contract.items[:500]
    env.sage_user.change_items(BIG_CONTRACT, {item.number: {"amount": item.amount + 3} for item in items})
    assert engine.refresh().status(BIG_CONTRACT).diff.counts.changed == 500
    before = engine.client.stats.snapshot()
    [outcome] = engine.reimport_contracts([BIG_CONTRACT])
    after = engine.client.stats.snapshot()
    assert outcome.ok
    writes = {k: after["by_endpoint"].get(k, 0) - before["by_endpoint"].get(k, 0)
              for k in after["by_endpoint"] if not k.startswith("GET")}
    writes = {k: v for k, v in writes.items() if v}
    assert writes == {SYNC: math.ceil(500 / 1000)}
    # before writing, live: the contract with its lines (one show) and the two permissions
    assert after["total"] - before["total"] == math.ceil(500 / 1000) + 3
    assert engine.snapshot.status(BIG_CONTRACT).state is ContractState.SYNCED  # no read-back
    assert engine.refresh().status(BIG_CONTRACT).state is ContractState.SYNCED


def test_second_refresh_of_an_unchanged_company_reads_no_lines(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    engine.import_contracts([s.number for s in engine.snapshot.statuses if s.can_import])
    engine.refresh(full=True)
    full = engine.snapshot.procore_requests
    second = engine.refresh()
    lines_endpoint = "GET /rest/v1.0/prime_contracts/{prime_contract_id}/line_items"
    before = engine.client.stats.snapshot()["by_endpoint"].get(lines_endpoint, 0)
    third = engine.refresh()
    assert engine.client.stats.snapshot()["by_endpoint"].get(lines_endpoint, 0) == before
    assert third.procore_requests == second.procore_requests < full
    synced = sum(1 for s in third.statuses if s.procore is not None)
    projects = len(engine.client.projects())
    # saved: every line list, the unlinked projects' contract lists and the linked projects'
    # permissions (P - P_L + P_L), which only a full refresh reads
    assert full - third.procore_requests == synced + projects
    assert [s.state for s in third.statuses] == [s.state for s in engine.refresh(full=True).statuses]


def test_cancel_during_a_contract_finishes_it_approved_and_stops_before_the_next(make_env) -> None:
    env = make_env(contracts=6, items_per_contract=2500, jobs=3)
    engine = env.engine()
    link_suggested_jobs(engine)
    ready = [s.number for s in engine.snapshot.statuses if s.can_import][:2]
    assert len(ready) == 2
    cancel = threading.Event()
    original = engine.client.sync_line_items

    def sync_then_cancel(*args, **kwargs):
        result = original(*args, **kwargs)
        cancel.set()  # the user presses Cancel while the first chunk of the first contract is on its way
        return result

    engine.client.sync_line_items = sync_then_cancel
    env.sandbox.reset_counts()
    said = []
    first, second = engine.import_contracts(ready, cancel=cancel, progress=lambda _p, message: said.append(message))
    assert said[0] == f"Adding contract {ready[0]} (1 of 2)"
    engine.client.sync_line_items = original
    assert first.ok and not first.cancelled, first.message
    assert second.cancelled and not second.ok and "nothing was sent" in second.message
    assert env.sandbox.request_counts()["by_endpoint"][SYNC] == 3  # every chunk of the first one
    stored = {pc["origin_id"]: pc for pc in env.sandbox.prime_contracts()}
    assert stored[origin_ids.contract_origin_id(ready[0])]["status"] == "Approved"
    assert stored[origin_ids.contract_origin_id(ready[0])]["lines"] == 2500
    assert origin_ids.contract_origin_id(ready[1]) not in stored
    assert engine.history.entries(ready[0])[-1].outcome == "ok"
    engine.refresh()
    assert_procore_equals_sage(engine, ready[0])


def test_one_refused_contract_never_stops_the_others(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    ready = [s.number for s in engine.snapshot.statuses if s.can_import][:3]
    env.sandbox.faults.fail("POST /rest/v1.0/prime_contract", 422, times=1)
    outcomes = engine.import_contracts(ready)
    assert [o.ok for o in outcomes] == [False, True, True]
    assert outcomes[0].error_kind == "procore" and "Procore refused" in outcomes[0].message
    assert engine.history.entries(ready[0])[-1].outcome == "failed"
    assert engine.import_contracts(ready[:1])[0].ok  # and it goes through once Procore accepts it


def test_procore_gone_stops_the_batch_and_names_every_contract_not_attempted(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    ready = [s.number for s in engine.snapshot.statuses if s.can_import][:3]
    env.sandbox.faults.reset_connection("*", times=None)
    outcomes = engine.import_contracts(ready)
    assert [o.error_kind for o in outcomes] == ["unreachable"] * 3
    assert [o.message.split(":")[0] for o in outcomes[1:]] == ["Not attempted"] * 2
    env.sandbox.faults.clear()
    env.sandbox.reset_counts()
    cancel = threading.Event()
    cancel.set()
    cancelled = engine.import_contracts(ready, cancel=cancel)
    assert [o.cancelled for o in cancelled] == [True] * 3
    assert env.sandbox.request_counts()["total"] == 0
