"""What a refresh, an import batch and a re-import cost in Procore requests, counted by the
sandbox over real HTTP and checked against the formulas in docs/procore-connection.md:
P projects, P_L linked to a Sage job, C our prime contracts in linked projects."""

from __future__ import annotations

import math

from sage_sync_desktop.demo.demo_setup import placed_contract
from sage_sync_desktop.sync.records import ContractState, ReasonCode
from tests.sync.conftest import link_suggested_jobs

LISTS = "GET /rest/v1.0/prime_contracts"
LINES = "GET /rest/v1.0/prime_contracts/{prime_contract_id}/line_items"
PERMISSIONS = "GET /rest/v1.0/settings/permissions"
PROJECTS_PER_PAGE = 300
# me, the company permissions (ERP Integrations), units of measure
FIXED = 3


def _imported_env(make_env):
    """The sample company with every suggested job linked and every ready contract imported."""
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    outcomes = engine.import_contracts([s.number for s in engine.snapshot.statuses if s.can_import])
    assert outcomes and all(o.ok for o in outcomes)
    return env, engine


def _sizes(engine) -> tuple[int, int, int]:
    """(P, P_L, C) as the last refresh saw them."""
    snapshot = engine.snapshot
    projects = len(engine.client.projects())
    linked = len({j.project.project_id for j in snapshot.jobs if j.project is not None})
    ours = sum(1 for s in snapshot.statuses if s.procore is not None)
    return projects, linked, ours


def test_an_unchanged_refresh_costs_the_linked_projects_and_three_requests(make_env) -> None:
    env, engine = _imported_env(make_env)
    engine.refresh()
    projects, linked, _ = _sizes(engine)
    assert linked < projects  # the sample has a project no Sage job is linked to
    env.sandbox.reset_counts()
    snapshot = engine.refresh()
    served = env.sandbox.request_counts()
    assert served["total"] == FIXED + math.ceil(projects / PROJECTS_PER_PAGE) + linked
    assert served["total"] <= linked + 10
    assert served["by_endpoint"][LISTS] == linked
    assert LINES not in served["by_endpoint"]
    assert served["by_endpoint"][PERMISSIONS] == 1  # the company's, never a project's
    assert snapshot.procore_requests == served["total"]


def test_a_cold_first_refresh_costs_linked_projects_plus_contracts_in_procore(make_env) -> None:
    env, engine = _imported_env(make_env)
    projects, linked, ours = _sizes(engine)
    cold = env.engine()  # a new app run: nothing cached, a new sign-in
    cold.cache.keep_only(set())
    env.sandbox.reset_counts()
    cold.refresh()
    served = env.sandbox.request_counts()
    once_per_run = served["by_endpoint"].get("POST /oauth/token", 0) + served["by_endpoint"]["GET /rest/v1.0/companies"]
    assert once_per_run <= 2  # a sign-in when no token is kept, and the company's name
    assert served["total"] - once_per_run == FIXED + math.ceil(projects / PROJECTS_PER_PAGE) + linked + ours
    assert served["total"] <= linked + ours + 10
    assert served["by_endpoint"][LINES] == ours


def test_a_full_refresh_finds_a_copy_in_an_unlinked_project_that_a_routine_one_does_not_list(make_env) -> None:
    env, engine = _imported_env(make_env)
    status = next(s for s in engine.refresh().statuses if s.state is ContractState.SYNCED)
    linked_ids = {j.project.project_id for j in engine.snapshot.jobs if j.project is not None}
    unlinked = next(p for p in engine.client.projects() if p.project_id not in linked_ids)
    env.sandbox.place({"prime_contracts": [placed_contract(status.contract, unlinked.project_id)]})

    # routine: the unlinked project's contracts are not listed, so the copy is not seen
    assert engine.refresh().status(status.number).state is ContractState.SYNCED

    projects, linked, ours = _sizes(engine)
    env.sandbox.reset_counts()
    full = engine.refresh(full=True)
    blocked = full.status(status.number)
    assert [r.code for r in blocked.reasons] == [ReasonCode.ON_TWO_PROJECTS]
    assert unlinked.name in blocked.reasons[0].message
    served = env.sandbox.request_counts()
    # every project listed, every line list re-read, every linked project's permission read
    assert served["by_endpoint"][LISTS] == projects
    assert served["by_endpoint"][LINES] == ours
    assert served["by_endpoint"][PERMISSIONS] == 1 + linked
    assert served["total"] == FIXED + math.ceil(projects / PROJECTS_PER_PAGE) + projects + linked + ours


def test_an_import_batch_costs_four_requests_per_contract_and_one_company_check(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    ready = [s for s in engine.refresh().statuses if s.can_import]
    in_projects = {s.project.project_id for s in ready}
    assert len(ready) > len(in_projects) > 1
    env.sandbox.reset_counts()
    outcomes = engine.import_contracts([s.number for s in ready])
    assert all(o.ok for o in outcomes)
    served = env.sandbox.request_counts()
    # per contract: create, line sync, approve; per project in the batch: its Prime Contracts
    # permission, live; per batch: the company's ERP Integrations permission
    assert served["total"] == 3 * len(ready) + len(in_projects) + 1
    assert served["by_endpoint"][PERMISSIONS] == len(in_projects) + 1
    assert served["total"] / len(ready) <= 4.0
    assert LISTS not in served["by_endpoint"]  # Procore's unique origin id is the live check


def test_a_permission_read_before_a_write_greys_the_next_routine_refresh(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    project_id = engine.snapshot.status(number).project.project_id
    env.sandbox.set_permission(env.sandbox.service_account()["login"], "Prime Contracts", "Standard",
                               project_id=project_id)
    assert engine.refresh().status(number).can_import  # not read by a routine refresh
    [outcome] = engine.import_contracts([number])
    assert outcome.error_kind == "blocked"
    assert [r.code for r in outcome.reasons] == [ReasonCode.NO_PERMISSION_PRIME_CONTRACTS]
    env.sandbox.reset_counts()
    status = engine.refresh().status(number)
    assert not status.can_import
    assert [r.code for r in status.reasons] == [ReasonCode.NO_PERMISSION_PRIME_CONTRACTS]
    assert env.sandbox.request_counts()["by_endpoint"][PERMISSIONS] == 1  # remembered, not read


def test_an_import_meeting_a_copy_outside_the_linked_projects_says_to_run_a_full_refresh(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    status = next(s for s in engine.snapshot.statuses if s.can_import)
    linked_ids = {j.project.project_id for j in engine.snapshot.jobs if j.project is not None}
    unlinked = next(p for p in engine.client.projects() if p.project_id not in linked_ids)
    env.sandbox.place({"prime_contracts": [placed_contract(status.contract, unlinked.project_id)]})
    assert engine.refresh().status(status.number).can_import
    [outcome] = engine.import_contracts([status.number])
    assert not outcome.ok and "Full refresh" in outcome.message
    assert len([pc for pc in env.sandbox.prime_contracts() if pc["origin_id"] ==
                placed_contract(status.contract, 0)["origin_id"]]) == 1
