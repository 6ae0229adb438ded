"""End to end: the sample company over ODBC, the sandbox over HTTP, the engine in between."""

from __future__ import annotations

from decimal import Decimal

from sage_sync_desktop.procore.records import LineItem
from sage_sync_desktop.sync import availability, origin_ids
from sage_sync_desktop.sync.line_values import procore_values, sage_values
from sage_sync_desktop.sync.records import ContractState
from tests.sync.conftest import link_suggested_jobs


def _procore_lines(engine, status) -> list[LineItem]:
    return engine.client.line_items(status.procore.project.project_id, status.procore.prime_contract_id)


def assert_procore_equals_sage(engine, number: str) -> None:
    status = engine.snapshot.status(number)
    lines = {line.origin_id: line for line in _procore_lines(engine, status) if line.origin_id}
    expected = {origin_ids.item_origin_id(number, item.number): item for item in status.contract.items}
    assert set(lines) == set(expected)
    for origin_id, item in expected.items():
        assert procore_values(lines[origin_id]).written_part() == sage_values(item).written_part(), origin_id


def test_linking_suggested_jobs_makes_approved_contracts_ready(engine, sample) -> None:
    linked = link_suggested_jobs(engine)
    assert sorted(linked) == sorted(sample.linked_jobs)
    snapshot = engine.snapshot
    ready = {s.number for s in snapshot.statuses if s.state is ContractState.READY_TO_IMPORT}
    expected = (set(sample.contract_numbers) - set(sample.unapproved_contracts)
                - set(sample.contracts_on_unlinked_job) - set(sample.several_jobs))
    assert ready == expected
    project = engine.client.project(snapshot.jobs[0].project.project_id)
    assert project.origin_id == origin_ids.job_origin_id(snapshot.jobs[0].job.number)


def test_import_then_sage_changes_then_reimport_leaves_procore_equal_to_sage(engine, sage_user) -> None:
    link_suggested_jobs(engine)
    ready = [s.number for s in engine.snapshot.statuses if s.can_import]
    outcomes = engine.import_contracts(ready)
    assert [o.contract_number for o in outcomes if not o.ok] == []
    snapshot = engine.refresh()
    assert {s.number: s.state for s in snapshot.statuses if s.number in ready} == {n: ContractState.SYNCED for n in ready}
    for number in ready:
        assert_procore_equals_sage(engine, number)
        assert engine.client.prime_contract(snapshot.status(number).procore.project.project_id,
                                            snapshot.status(number).procore.prime_contract_id).status == "Approved"

    target = snapshot.status(ready[0])
    items = [item.number for item in target.contract.items]
    sage_user.add_item(target.number, "95", "Change Order 7 – Added Scope", "1234.56")
    sage_user.change_item(target.number, items[0], amount=Decimal("777.00"), description="Revised scope")
    sage_user.delete_item(target.number, items[-1])
    changed = engine.refresh().status(target.number)
    assert changed.state is ContractState.CHANGES_READY and changed.can_reimport
    counts = changed.diff.counts
    assert (counts.added, counts.changed, counts.removed) == (1, 1, 1)
    assert counts.unchanged == len(items) - 2
    fields = {c.field for c in changed.diff.line(origin_ids.item_origin_id(target.number, items[0])).changes}
    assert fields == {"amount", "description"}

    [outcome] = engine.reimport_contracts([target.number])
    assert outcome.ok, outcome.message
    assert "1 added, 1 changed, 1 removed" in outcome.message
    assert engine.snapshot.status(target.number).state is ContractState.SYNCED
    assert engine.refresh().status(target.number).state is ContractState.SYNCED
    assert_procore_equals_sage(engine, target.number)
    history = engine.history.entries(target.number)
    assert [(e.action, e.phase) for e in history][-2:] == [("reimport", "started"), ("reimport", "finished")]
    finished = history[-1]
    results = sorted(line["result"] for line in finished.lines)
    assert results == ["deleted", "written", "written"]


def test_reimport_is_refused_when_nothing_changed(engine) -> None:
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    assert engine.import_contracts([number])[0].ok
    status = engine.refresh().status(number)
    assert status.state is ContractState.SYNCED and not status.can_reimport
    assert availability.reimport_unavailable_because(status)[0].code.value == "nothing_new"
    engine.client.stats.reset()
    [outcome] = engine.reimport_contracts([number])
    assert outcome.ok and "nothing new" in outcome.message
    writes = [k for k in engine.client.stats.by_endpoint if not k.startswith("GET")]
    assert writes == []


def test_import_twice_never_duplicates_the_contract(engine, sync_sandbox) -> None:
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    assert engine.import_contracts([number])[0].ok
    [again] = engine.import_contracts([number])
    assert not again.ok and "already in Procore" in again.message
    wanted = origin_ids.contract_origin_id(number)
    assert len([pc for pc in sync_sandbox.prime_contracts() if pc["origin_id"] == wanted]) == 1
