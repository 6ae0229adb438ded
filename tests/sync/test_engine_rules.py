"""Every blocking rule end to end (sample company over ODBC, sandbox over HTTP), each with its code."""

from __future__ import annotations

from sage_sync_desktop.sync import contract_payload, origin_ids
from sage_sync_desktop.demo.demo_setup import UNKNOWN_UOM, placed_contract
from sage_sync_desktop.sync.records import ContractState
from tests.fixtures.sandbox_fixtures import READ_ONLY_USER, SERVICE_ACCOUNT
from tests.sync.conftest import link_suggested_jobs


def _codes(status) -> list[str]:
    return [reason.code.value for reason in status.reasons]


def _writes(sandbox) -> dict[str, int]:
    return {k: v for k, v in sandbox.request_counts()["by_endpoint"].items()
            if not k.startswith("GET") and "/rest/" in k}


def test_sample_rules_unapproved_and_job_not_synced(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    snapshot = engine.snapshot
    for number in env.info.unapproved_contracts:
        assert _codes(snapshot.status(number)) == ["unapproved"]
    for number in env.info.contracts_on_unlinked_job:
        status = snapshot.status(number)
        assert _codes(status) == ["job_not_synced"] and status.state is ContractState.NOT_READY
        assert f"link-job {env.info.unlinked_job}" in status.reasons[0].fix
    env.sandbox.reset_counts()
    outcomes = engine.import_contracts([*env.info.unapproved_contracts, *env.info.contracts_on_unlinked_job])
    assert [o.error_kind for o in outcomes] == ["blocked"] * len(outcomes)
    assert _writes(env.sandbox) == {}


def test_contract_on_two_projects_names_both_and_is_never_written(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    status = engine.snapshot.status(number)
    other = next(j.project for j in engine.snapshot.jobs if j.project and j.project != status.project)
    env.sandbox.place({"prime_contracts": [placed_contract(status.contract, status.project.project_id),
                                           placed_contract(status.contract, other.project_id)]})
    blocked = engine.refresh().status(number)
    assert _codes(blocked) == ["on_two_projects"] and blocked.state is ContractState.NOT_READY
    assert status.project.name in blocked.reasons[0].message and other.name in blocked.reasons[0].message
    env.sandbox.reset_counts()
    assert engine.reimport_contracts([number])[0].error_kind == "blocked"
    assert _writes(env.sandbox) == {}


def test_contract_held_in_another_project_than_its_jobs(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    status = engine.snapshot.status(number)
    other = next(j.project for j in engine.snapshot.jobs if j.project and j.project != status.project)
    env.sandbox.place({"prime_contracts": [placed_contract(status.contract, other.project_id)]})
    assert _codes(engine.refresh().status(number)) == ["in_other_project"]


def test_unit_of_measure_procore_lacks_is_invalid_data_naming_the_item(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    status = next(s for s in engine.snapshot.statuses if s.can_import)
    item = status.contract.items[0]
    env.sage_user.change_item(status.number, item.number, unit=UNKNOWN_UOM)
    blocked = engine.refresh().status(status.number)
    assert _codes(blocked) == ["invalid_data"]
    assert blocked.reasons[0].message.startswith(f"Item {item.number.strip()}: the unit of measure '{UNKNOWN_UOM}'")


def test_read_only_user_may_not_import(make_env) -> None:
    env = make_env()
    link_suggested_jobs(env.engine())
    engine = env.engine(READ_ONLY_USER)
    status = next(s for s in engine.refresh().statuses if s.state is ContractState.READY_TO_IMPORT)
    # A routine refresh reads no per-project permission (it is read live before any write)...
    assert _codes(status) == ["no_permission_erp"]
    assert "Standard" in status.reasons[0].message and "Read Only" in status.reasons[0].message
    # ...a full refresh reads it for every linked project.
    status = engine.refresh(full=True).status(status.number)
    assert set(_codes(status)) == {"no_permission_erp", "no_permission_prime_contracts"}


def test_permission_lost_after_the_refresh_is_enforced_before_writing(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    project_id = engine.snapshot.status(number).project.project_id
    assert engine.snapshot.status(number).can_import  # the window would show the button enabled
    env.sandbox.set_permission(SERVICE_ACCOUNT, "Prime Contracts", "Read Only", project_id=project_id)
    env.sandbox.set_permission(SERVICE_ACCOUNT, "ERP Integrations", "Read Only")
    env.sandbox.reset_counts()
    [outcome] = engine.import_contracts([number])
    assert not outcome.ok and outcome.error_kind == "blocked"
    assert [r.code.value for r in outcome.reasons] == ["no_permission_erp", "no_permission_prime_contracts"]
    assert _writes(env.sandbox) == {}
    wanted = origin_ids.contract_origin_id(number)
    assert [pc for pc in env.sandbox.prime_contracts() if pc["origin_id"] == wanted] == []


def test_interrupted_import_left_in_draft_is_finished_by_import(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    status = next(s for s in engine.snapshot.statuses if s.can_import)
    draft = placed_contract(status.contract, status.project.project_id, status=contract_payload.DRAFT)
    draft["line_items"] = draft["line_items"][:1]  # died after the first lines
    env.sandbox.place({"prime_contracts": [draft]})
    halfway = engine.refresh().status(status.number)
    assert halfway.state is ContractState.CHANGES_READY
    assert [(c.field, c.new) for c in halfway.diff.header_changes] == [("status", "Approved")]
    [outcome] = engine.import_contracts([status.number])
    assert outcome.ok, outcome.message
    done = engine.refresh().status(status.number)
    assert done.state is ContractState.SYNCED
    header = engine.client.prime_contract(done.procore.project.project_id, done.procore.prime_contract_id)
    assert header.status == "Approved"
