"""Permission rules hold when the engine is called directly, without the window: a refused
import or re-import sends no write to Procore and changes nothing there."""

from __future__ import annotations

import pytest

from sage_sync_desktop.sync.records import ReasonCode
from tests.fixtures.sandbox_fixtures import ERP_ADMIN, READ_ONLY_USER, STANDARD_USER
from tests.security.conftest import IN_PROCORE, NOT_IN_PROCORE

WRITE_METHODS = ("POST ", "PATCH ", "PUT ", "DELETE ")
ERP_STANDARD_PC_ADMIN = "stan.erp-standard@sandbox.example"


def _writes(sandbox) -> dict[str, int]:
    counts = sandbox.request_counts()["by_endpoint"]
    return {endpoint: n for endpoint, n in counts.items()
            if endpoint.startswith(WRITE_METHODS) and "/oauth/" not in endpoint}


def _procore_lines(company, number: str) -> list[tuple]:
    [placed] = [pc for pc in company.sandbox.prime_contracts() if pc["number"] == number]
    return [(line["id"], line["description"], line["amount"]) for line in company.sandbox.line_items(placed["id"])]


def _codes(outcome) -> set[str]:
    return {reason.code.value for reason in outcome.reasons}


@pytest.fixture
def erp_standard_user(secured_company) -> str:
    secured_company.sandbox.add_user({
        "login": ERP_STANDARD_PC_ADMIN, "name": "Stan Standard-ERP",
        "permissions": {"company": {"ERP Integrations": "Standard"},
                        "projects": {"*": {"Prime Contracts": "Admin"}}}})
    return ERP_STANDARD_PC_ADMIN


@pytest.mark.parametrize(("login", "expected"), [
    (STANDARD_USER, {ReasonCode.NO_PERMISSION_ERP.value}),
    (ERP_ADMIN, {ReasonCode.NO_PERMISSION_PRIME_CONTRACTS.value}),
    (READ_ONLY_USER, {ReasonCode.NO_PERMISSION_ERP.value}),
], ids=["standard_on_erp", "erp_admin_without_prime_contracts_admin", "read_only"])
def test_a_user_without_both_admin_levels_cannot_reimport(secured_company, engine_as, login, expected):
    engine = engine_as(login)
    engine.refresh()
    before = _procore_lines(secured_company, IN_PROCORE)
    secured_company.sandbox.reset_counts()
    [outcome] = engine.reimport_contracts([IN_PROCORE], overwrite_procore_edits=True)
    assert outcome.ok is False and outcome.error_kind == "blocked"
    assert expected <= _codes(outcome)
    assert _writes(secured_company.sandbox) == {}
    assert _procore_lines(secured_company, IN_PROCORE) == before


def test_standard_on_erp_integrations_may_import_but_not_reimport(secured_company, engine_as, erp_standard_user):
    engine = engine_as(erp_standard_user)
    engine.refresh()
    [imported] = engine.import_contracts([NOT_IN_PROCORE])
    assert imported.ok, imported.message
    secured_company.sandbox.reset_counts()
    [refused] = engine.reimport_contracts([IN_PROCORE])
    assert refused.ok is False
    assert ReasonCode.NO_PERMISSION_ERP.value in _codes(refused)
    assert "Admin" in refused.reasons[0].message and refused.reasons[0].fix
    assert _writes(secured_company.sandbox) == {}


def test_read_only_on_erp_integrations_cannot_import(secured_company, engine_as):
    engine = engine_as(READ_ONLY_USER)
    engine.refresh()
    secured_company.sandbox.reset_counts()
    [outcome] = engine.import_contracts([NOT_IN_PROCORE])
    assert outcome.ok is False
    assert ReasonCode.NO_PERMISSION_ERP.value in _codes(outcome)
    assert _writes(secured_company.sandbox) == {}
    assert [pc for pc in secured_company.sandbox.prime_contracts() if pc["number"] == NOT_IN_PROCORE] == []


def test_permission_taken_away_after_the_refresh_is_seen_before_writing(secured_company, engine_as,
                                                                       erp_standard_user):
    """The engine reads permissions live before it writes, not from the refresh's copy."""
    secured_company.sandbox.set_permission(erp_standard_user, "ERP Integrations", "Admin")
    engine = engine_as(erp_standard_user)
    status = engine.refresh().status(IN_PROCORE)
    assert status.can_reimport  # allowed when the window was filled
    project = secured_company.project_of[status.contract.job_number]
    secured_company.sandbox.set_permission(erp_standard_user, "Prime Contracts", "Read Only", project_id=project)
    before = _procore_lines(secured_company, IN_PROCORE)
    secured_company.sandbox.reset_counts()
    [outcome] = engine.reimport_contracts([IN_PROCORE])
    assert outcome.ok is False
    assert ReasonCode.NO_PERMISSION_PRIME_CONTRACTS.value in _codes(outcome)
    assert _writes(secured_company.sandbox) == {}
    assert _procore_lines(secured_company, IN_PROCORE) == before


def test_the_same_reimport_goes_through_with_both_admin_levels(secured_company, engine_as, erp_standard_user):
    """The refusals above are about permissions, not about the contract."""
    secured_company.sandbox.set_permission(erp_standard_user, "ERP Integrations", "Admin")
    engine = engine_as(erp_standard_user)
    engine.refresh()
    [outcome] = engine.reimport_contracts([IN_PROCORE])
    assert outcome.ok, outcome.message
    assert _writes(secured_company.sandbox)
