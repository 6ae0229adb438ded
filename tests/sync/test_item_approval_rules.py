"""Item approval and jobs on items, end to end: the sample company read over real ODBC on both
naming presets (and with no header job column mapped), a local Procore sandbox over real HTTP,
the engine's rules, and the `status --json` / `diff` output."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from sage_sync_desktop.cli import sync_output
from sage_sync_desktop.demo.sample_company import SampleCompanyInfo, generate_sample_company
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.procore.records import LineItem
from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.demo.demo_setup import sandbox_seed
from sage_sync_desktop.sync.records import ContractState, LineState
from sage_sync_desktop.demo.sample_editor import SampleEditor
from sage_sync_desktop.sync.sync_engine import SyncEngine
from sage_sync_desktop.app.wiring import build_engine
from tests.sync.conftest import link_suggested_jobs, settings_for

SITES = [("legacy", {}), ("standard", {}), ("legacy", {"contract": {"columns": {"job": None}}}),
         ("standard", {"contract": {"columns": {"job": None}}})]
SITE_IDS = ["legacy", "standard", "legacy-no-header-job", "standard-no-header-job"]


@pytest.fixture(params=SITES, ids=SITE_IDS)
def site(request, tmp_path, app_paths, secret_store) -> Iterator[tuple[SyncEngine, SampleCompanyInfo]]:
    naming, mapping = request.param
    info = generate_sample_company(tmp_path / "sage" / "company.db", naming=naming)
    sandbox = ProcoreSandbox(seed=sandbox_seed(info)).start()
    settings = settings_for(info, sandbox, secret_store).with_changes(sage={"naming": naming, "mapping": mapping})
    engine = build_engine(settings, app_paths, secret_store)
    try:
        link_suggested_jobs(engine)
        yield engine, info
    finally:
        engine.client.close()
        sandbox.stop()


def _procore_lines(engine: SyncEngine, number: str) -> dict[str, LineItem]:
    status = engine.snapshot.status(number)
    lines = engine.client.line_items(status.procore.project.project_id, status.procore.prime_contract_id)
    return {line.origin_id: line for line in lines}


def test_awaiting_items_show_in_the_diff_and_are_never_sent(site) -> None:
    engine, info = site
    number = info.awaiting_items[0][0]
    awaiting = [item for c, item in info.awaiting_items if c == number]
    status = engine.snapshot.status(number)
    assert status.state is ContractState.READY_TO_IMPORT and status.can_import
    assert sync_output.status_json(status)["diff"]["awaiting_approval"] == len(awaiting)
    diff = engine.diff(number)
    shown = [line for line in diff.lines if line.state is LineState.AWAITING_APPROVAL]
    assert [line.item_number for line in shown] == awaiting
    assert all(sync_output.line_json(line)["state"] == "awaiting_approval" for line in shown)

    [outcome] = engine.import_contracts([number])
    assert outcome.ok, outcome.message
    sent = _procore_lines(engine, number)
    assert set(sent) == {origin_ids.item_origin_id(number, i.number) for i in status.contract.items}
    assert not {origin_ids.item_origin_id(number, item) for item in awaiting} & set(sent)
    after = engine.refresh().status(number)
    assert after.state is ContractState.SYNCED
    assert after.diff.counts.awaiting_approval == len(awaiting)


def test_a_contract_with_no_approved_item_is_blocked_unapproved(site) -> None:
    engine, info = site
    for number in info.unapproved_contracts:
        status = engine.snapshot.status(number)
        assert [r.code.value for r in status.reasons] == ["unapproved"]
        assert "no item is approved" in status.reasons[0].message
        assert status.state is ContractState.NOT_READY
    outcomes = engine.import_contracts(list(info.unapproved_contracts))
    assert [o.error_kind for o in outcomes] == ["blocked"] * len(outcomes)


def test_a_contract_whose_items_name_two_jobs_is_blocked_several_jobs_naming_them(site) -> None:
    engine, info = site
    (number, jobs), = info.several_jobs.items()
    status = engine.snapshot.status(number)
    assert [r.code.value for r in status.reasons] == ["several_jobs"]
    assert all(job in status.reasons[0].message for job in jobs)
    assert status.state is ContractState.NOT_READY
    [outcome] = engine.import_contracts([number])
    assert outcome.error_kind == "blocked"
    assert engine.client.prime_contracts(engine.snapshot.status("240701").project.project_id) == []


def test_an_item_back_to_proposed_after_import_is_kept_in_procore_and_awaits_re_approval(site) -> None:
    engine, info = site
    number = "240101"
    assert engine.import_contracts([number])[0].ok
    items = [i.number for i in engine.snapshot.status(number).contract.items]
    editor = SampleEditor(info.path, info.naming)
    editor.unapprove_item(number, items[1])
    status = engine.refresh().status(number)
    assert status.state is ContractState.SYNCED  # nothing to send: Procore keeps the line
    origin_id = origin_ids.item_origin_id(number, items[1])
    line = status.diff.line(origin_id)
    assert line.state is LineState.AWAITING_APPROVAL and line.procore_amount is not None
    assert "re-approval" in sync_output.awaiting_text(line)
    assert status.diff.procore_total_after == status.diff.procore_total_before

    editor.add_item(number, "95", "Change Order 7 – Added Scope", "1234.56")
    changed = engine.refresh().status(number)
    counts = changed.diff.counts
    assert (counts.added, counts.removed, counts.awaiting_approval) == (1, 0, 1)
    [outcome] = engine.reimport_contracts([number])
    assert outcome.ok, outcome.message
    kept = _procore_lines(engine, number)
    assert origin_id in kept  # never removed
    assert kept[origin_id].amount == line.procore_amount


def test_status_json_and_diff_text_show_awaiting_lines(site, capsys) -> None:
    engine, info = site
    number = info.awaiting_items[0][0]
    status = engine.snapshot.status(number)
    data = json.loads(json.dumps(sync_output.diff_json(status, engine.diff(number))))
    assert data["counts"]["awaiting_approval"] == len(info.awaiting_items)
    sync_output.diff_text(status, engine.diff(number))
    out = capsys.readouterr().out
    assert "awaiting approval in Sage" in out
    assert out.count("Awaiting approval in Sage; not sent") == len(info.awaiting_items)
