"""A dry run checks what the real run checks before writing (locks, units, permissions): when it is
green, the real run is not refused for a reason known beforehand."""

from __future__ import annotations

import pytest

from sage_sync_desktop.sync import contract_payload, sov_lock
from sage_sync_desktop.demo.demo_setup import UNKNOWN_UOM
from tests.fixtures.sandbox_fixtures import ERP_ADMIN
from tests.sync.conftest import link_suggested_jobs

CONTRACT = "240101"


@pytest.fixture
def imported(make_env):
    """A contract imported (so Approved) into a project that keeps Procore's default: locked lines."""
    env = make_env(always_editable_sov=False)
    engine = env.engine()
    link_suggested_jobs(engine)
    assert engine.import_contracts([CONTRACT])[0].ok
    item = engine.snapshot.status(CONTRACT).contract.items[0]
    env.sage_user.change_item(CONTRACT, item.number, amount=item.amount + 100)
    engine.refresh()
    return env, engine


def test_a_dry_run_in_a_project_not_seen_yet_passes_with_a_warning_naming_the_setting(imported):
    env, engine = imported
    [dry] = engine.reimport_contracts([CONTRACT], dry_run=True)
    assert dry.ok
    assert "Enable Always Editable Schedule of Values" in dry.details[0] and "Warning" in dry.details[0]


def test_after_procore_refused_the_dry_run_fails_before_sending_anything(imported):
    env, engine = imported
    [real] = engine.reimport_contracts([CONTRACT])
    assert not real.ok and real.error_kind == "locked"
    engine.refresh()
    env.sandbox.reset_counts()
    [dry] = engine.reimport_contracts([CONTRACT], dry_run=True)
    writes = {k: v for k, v in env.sandbox.request_counts()["by_endpoint"].items()
              if not k.startswith("GET") and "/rest/" in k}
    assert writes == {}
    assert not dry.ok and dry.dry_run and dry.error_kind == "locked"
    assert "would be refused" in dry.message and "Enable Always Editable Schedule of Values" in dry.message
    assert dry.requests, "the dry run still lists what it would send"


def test_once_the_setting_is_on_the_real_run_works_and_the_dry_run_is_clean_again(imported):
    env, engine = imported
    assert not engine.reimport_contracts([CONTRACT])[0].ok
    project_id = engine.snapshot.status(CONTRACT).project.project_id
    env.sandbox.set_always_editable_sov(project_id, True)
    engine.refresh()
    assert engine.reimport_contracts([CONTRACT])[0].ok  # the real run always tries
    assert sov_lock.SovKnowledge(engine.cache).get(project_id)[0] == sov_lock.EDITABLE
    item = engine.snapshot.status(CONTRACT).contract.items[1]
    env.sage_user.change_item(CONTRACT, item.number, amount=item.amount + 7)
    engine.refresh()
    [dry] = engine.reimport_contracts([CONTRACT], dry_run=True)
    assert dry.ok and not dry.details


def test_a_draft_import_is_never_held_up_by_the_lock(make_env):
    env = make_env(always_editable_sov=False)
    engine = env.engine()
    link_suggested_jobs(engine)
    [dry] = engine.import_contracts([CONTRACT], dry_run=True)
    assert dry.ok and not any("Always Editable" in d for d in dry.details)


def test_a_unit_of_measure_procore_lacks_fails_the_dry_run_as_it_fails_the_real_run(make_env):
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    item = engine.snapshot.status(CONTRACT).contract.items[-1]
    env.sage_user.change_item(CONTRACT, item.number, unit=UNKNOWN_UOM)
    engine.refresh()
    [dry] = engine.import_contracts([CONTRACT], dry_run=True)
    [real] = engine.import_contracts([CONTRACT])
    assert not dry.ok and not real.ok
    assert [r.code.value for r in dry.reasons] == [r.code.value for r in real.reasons] == ["invalid_data"]
    assert UNKNOWN_UOM in dry.reasons[0].message


def test_a_missing_permission_fails_the_dry_run_as_it_fails_the_real_run(make_env):
    env = make_env()
    link_suggested_jobs(env.engine())
    engine = env.engine(ERP_ADMIN)  # Standard on Prime Contracts: imports need Admin
    engine.refresh()
    [dry] = engine.import_contracts([CONTRACT], dry_run=True)
    [real] = engine.import_contracts([CONTRACT])
    assert not dry.ok and not real.ok
    assert [r.code.value for r in dry.reasons] == [r.code.value for r in real.reasons] \
        == ["no_permission_prime_contracts"]


def test_a_dry_import_of_a_contract_someone_approved_in_procore_since_the_refresh_fails_like_the_real_one(make_env):
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    other = env.engine()
    other.refresh()
    assert other.import_contracts([CONTRACT])[0].ok  # another copy of the app, after our refresh
    [dry] = engine.import_contracts([CONTRACT], dry_run=True)
    [real] = engine.import_contracts([CONTRACT])
    assert not dry.ok and not real.ok
    assert "already in Procore" in dry.message and "already in Procore" in real.message


def test_a_dry_import_of_a_draft_left_by_a_cut_off_import_plans_to_finish_it(make_env):
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    status = engine.snapshot.status(CONTRACT)
    env.sandbox.place({"prime_contracts": [
        {"project_id": status.project.project_id, **contract_payload.create_fields(status.contract),
         "status": contract_payload.DRAFT}]})
    [dry] = engine.import_contracts([CONTRACT], dry_run=True)
    assert dry.ok and "POST" not in [r["method"] for r in dry.requests], dry.requests
    [real] = engine.import_contracts([CONTRACT])
    assert real.ok and len(env.sandbox.prime_contracts(status.project.project_id)) == 1


def test_prime_contracts_switched_off_since_the_refresh_fails_the_dry_run_as_it_fails_the_real_run(make_env):
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    env.sandbox.set_tool_enabled("Prime Contracts", False,
                                 project_id=engine.snapshot.status(CONTRACT).project.project_id)
    [dry] = engine.import_contracts([CONTRACT], dry_run=True)
    [real] = engine.import_contracts([CONTRACT])
    assert not dry.ok and not real.ok
    assert [r.code.value for r in dry.reasons] == [r.code.value for r in real.reasons] \
        == ["no_permission_prime_contracts"]
