"""A Procore company without the ERP Integrations tool, under sync.erp_integrations_rule
`require` (default) and `skip_when_absent` (sample company over ODBC, sandbox over HTTP)."""

from __future__ import annotations

import json

from sage_sync_desktop.cli import main
from sage_sync_desktop.settings import save
from sage_sync_desktop.sync.records import ContractState, ReasonCode
from sage_sync_desktop.app.wiring import build_engine
from tests.fixtures.sandbox_fixtures import SERVICE_ACCOUNT
from tests.sync.conftest import link_suggested_jobs

ERP = "ERP Integrations"


def _writes(sandbox) -> list[str]:
    return [k for k in sandbox.request_counts()["by_endpoint"] if k.split(" ")[0] != "GET" and "/rest/" in k]


def test_without_the_erp_tool_require_blocks_writes_and_names_what_to_ask_procore(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    env.sandbox.set_tool_enabled(ERP, False)
    snapshot = engine.refresh()
    assert snapshot.user.erp_tool_present is False
    assert "has no ERP Integrations tool" in snapshot.user.erp_tool_note
    ready = [s for s in snapshot.statuses if s.state is ContractState.READY_TO_IMPORT]
    assert ready and not any(s.can_import for s in ready)
    for status in ready:
        erp = [r for r in status.reasons if r.code is ReasonCode.NO_ERP_TOOL]
        assert len(erp) == 1 and "no ERP Integrations tool" in erp[0].message
        assert "Ask Procore" in erp[0].fix and "skip_when_absent" in erp[0].fix
        # Plainly the missing tool, not a missing permission on it.
        assert ReasonCode.NO_PERMISSION_ERP not in {r.code for r in status.reasons}
    env.sandbox.reset_counts()
    outcome = engine.import_contracts([ready[0].number])[0]
    assert outcome.error_kind == "blocked" and outcome.reasons[0].code is ReasonCode.NO_ERP_TOOL
    assert _writes(env.sandbox) == []


def test_skip_when_absent_lets_prime_contracts_admin_write_and_history_says_the_rule_was_skipped(
        make_env, app_paths, secret_store) -> None:
    env = make_env()
    env.sandbox.set_tool_enabled(ERP, False)
    settings = env.settings().with_changes(sync={"erp_integrations_rule": "skip_when_absent"})
    engine = build_engine(settings, app_paths, secret_store)
    try:
        link_suggested_jobs(engine)
        snapshot = engine.snapshot
        assert "skip_when_absent" in snapshot.user.erp_tool_note
        ready = [s for s in snapshot.statuses if s.can_import]
        # Prime Contracts alone gates writes: Standard there still blocks.
        gated = next(s for s in ready if s.project != ready[0].project)
        env.sandbox.set_permission(SERVICE_ACCOUNT, "Prime Contracts", "Standard",
                                   project_id=gated.project.project_id)
        first, second = engine.import_contracts([ready[0].number, gated.number])
        assert first.ok, first.message
        assert second.error_kind == "blocked"
        assert [r.code for r in second.reasons] == [ReasonCode.NO_PERMISSION_PRIME_CONTRACTS]
        entries = engine.history.entries(ready[0].number)
        assert [e.phase for e in entries] == ["started", "finished"]
        assert all(e.data["erp_integrations_rule"].startswith("skipped: the company has no ERP Integrations tool")
                   for e in entries)
    finally:
        engine.client.close()


def test_with_the_erp_tool_present_the_history_records_no_skip(make_env) -> None:
    env = make_env()
    engine = env.engine()
    link_suggested_jobs(engine)
    assert engine.snapshot.user.erp_tool_present and engine.snapshot.user.erp_tool_note == ""
    number = next(s.number for s in engine.snapshot.statuses if s.can_import)
    assert engine.import_contracts([number])[0].ok
    assert all("erp_integrations_rule" not in e.data for e in engine.history.entries(number))


def test_status_says_plainly_that_the_company_has_no_erp_tool(make_env, app_paths, secret_store, tmp_path,
                                                               capsys) -> None:
    env = make_env()
    link_suggested_jobs(env.engine())
    env.sandbox.set_tool_enabled(ERP, False)
    config = tmp_path / "settings.json"
    save(env.settings(), config)
    capsys.readouterr()
    assert main(["--app-dir", str(tmp_path / "app"), "--config", str(config), "status"]) == 0
    out = capsys.readouterr().out
    assert "This Procore company has no ERP Integrations tool" in out and "require" in out
    assert main(["--app-dir", str(tmp_path / "app"), "--config", str(config), "status", "--json"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert "This Procore company has no ERP Integrations tool" in captured.err
    ready = [row for row in rows if row["state"] == "ready_to_import"]
    assert ready and all("no_erp_tool" in [r["code"] for r in row["reasons"]] for row in ready)
