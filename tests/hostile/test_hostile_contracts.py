"""Bad input from Sage: each hostile contract gets a specific reason or a documented lossless
normalisation; every other contract still imports; nothing crashes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sage_sync_desktop.sync import origin_ids
from sage_sync_desktop.sync.records import ContractState
from tests.hostile.hostile_corpus import BLOCKED, IMPORTED, ORPHAN_CONTRACT, TWIN_CONTRACT


@pytest.mark.parametrize("case", BLOCKED, ids=lambda case: case.case_id)
def test_a_hostile_contract_is_blocked_with_its_specific_reason(hostile_run, case):
    status = hostile_run.status(case.number)
    code, words = case.blocked
    assert status.state is ContractState.NOT_READY
    matching = [r for r in status.reasons if r.code.value == code and words in r.message]
    assert matching, [(r.code.value, r.message) for r in status.reasons]
    assert matching[0].fix  # every reason says how to fix it


@pytest.mark.parametrize("case", BLOCKED, ids=lambda case: case.case_id)
def test_a_blocked_contract_is_refused_by_the_engine_and_nothing_reaches_procore(hostile_run, case):
    outcome = hostile_run.outcome(case.number)
    assert outcome.ok is False
    assert outcome.error_kind == "blocked"
    assert outcome.requests == ()
    assert hostile_run.procore_contracts(case.number) == []


@pytest.mark.parametrize("case", IMPORTED, ids=lambda case: case.case_id)
def test_a_normalised_contract_imports_exactly_as_documented(hostile_run, case):
    outcome = hostile_run.outcome(case.number)
    assert outcome.ok, outcome.message
    [placed] = hostile_run.procore_contracts(case.number)
    lines = hostile_run.sandbox.line_items(placed["id"])
    got = [(line["description"] or "", f"{Decimal(str(line['amount'])):.2f}") for line in lines]
    assert got == list(case.imported)
    assert hostile_run.status(case.number, hostile_run.after).state is ContractState.SYNCED


def test_items_whose_contract_is_missing_are_reported_and_skipped(hostile_run):
    orphans = [p for p in hostile_run.sage_problems if p.code == "orphan_item"]
    assert len(orphans) == 1
    assert f"belongs to contract {ORPHAN_CONTRACT}, which does not exist" in orphans[0].message
    assert hostile_run.procore_contracts(ORPHAN_CONTRACT) == []
    assert all(s.number != ORPHAN_CONTRACT for s in hostile_run.before.statuses)


def test_every_clean_contract_still_imports(hostile_run):
    info = hostile_run.info
    clean = [n for n in info.contract_numbers
             if n not in info.unapproved_contracts and n not in info.contracts_on_unlinked_job
             and n not in info.several_jobs]
    assert len(clean) >= 15
    not_synced = {n: hostile_run.status(n, hostile_run.after).state.value for n in clean
                  if hostile_run.status(n, hostile_run.after).state is not ContractState.SYNCED}
    assert not_synced == {}
    for number in clean:
        [placed] = hostile_run.procore_contracts(number)
        assert placed["lines"] == len(hostile_run.status(number).contract.items)


def test_nothing_crashed_every_outcome_is_a_reported_result(hostile_run):
    crashed = [(o.contract_number, o.message) for o in hostile_run.outcomes if o.error_kind == "error"]
    assert crashed == []
    assert all(o.message for o in hostile_run.outcomes)


def test_padded_and_unpadded_forms_of_one_contract_key_block_both(hostile_run):
    twins = [s for s in hostile_run.before.statuses if s.number == TWIN_CONTRACT]
    assert len(twins) == 2
    for status in twins:
        assert status.state is ContractState.NOT_READY
        assert any(r.code.value == "invalid_data" and "twice" in r.message for r in status.reasons)
    assert hostile_run.procore_contracts(TWIN_CONTRACT) == []


def test_hostile_origin_ids_never_reach_procore(hostile_run):
    """No origin id in Procore is anything but one of ours for a clean key."""
    for pc in hostile_run.sandbox.prime_contracts():
        if pc["origin_id"]:
            parsed = origin_ids.parse(pc["origin_id"])
            assert parsed.contract == parsed.contract.strip() and parsed.contract.isprintable()
