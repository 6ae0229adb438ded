"""`projects` lists the company's Procore projects with their linked or suggested job; `status`
keeps its Blocked by column short; a contract not in Procore yet is not called "nothing new"."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from sage_sync_desktop.cli import main
from sage_sync_desktop.cli.sync_output import BLOCKED_BY_WIDTH, blocked_by
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.settings import save
from sage_sync_desktop.demo.demo_setup import sample_sandbox_seed
from sage_sync_desktop.sync.records import ContractState, ContractStatus, Reason, ReasonCode
from tests.sync import records_builder
from tests.sync.conftest import settings_for


@pytest.fixture
def cli_app(sample, secret_store, tmp_path):
    sandbox = ProcoreSandbox(seed=sample_sandbox_seed()).start()
    app = tmp_path / "app"
    save(settings_for(sample, sandbox, secret_store), app / "config" / "settings.json")
    try:
        yield app, sandbox
    finally:
        sandbox.stop()


def _json(capsys, *args: str):
    captured = capsys.readouterr()
    assert not captured.err, captured.err
    return json.loads(captured.out)


def test_projects_lists_every_project_with_its_linked_or_suggested_job(cli_app, capsys):
    app, sandbox = cli_app
    assert main(["--app-dir", str(app), "projects", "--json"]) == 0
    projects = {p["project_id"]: p for p in _json(capsys)}
    assert len(projects) == 12
    assert projects[5100000001] == {"project_id": 5100000001, "project_number": "2401",
                                    "name": "Riverside Medical Office Building", "active": True,
                                    "linked_job": "2401", "linked_job_in_sage": True, "other_origin_id": None,
                                    "suggested_job": None}
    assert projects[5100000006]["linked_job"] is None and projects[5100000006]["suggested_job"] == "2406"
    corporate = projects[5100000012]
    assert corporate["linked_job"] is None and corporate["suggested_job"] is None


def test_projects_reads_no_prime_contracts(cli_app, capsys):
    app, sandbox = cli_app
    sandbox.reset_counts()
    assert main(["--app-dir", str(app), "projects"]) == 0
    by_endpoint = sandbox.request_counts()["by_endpoint"]
    assert not [k for k in by_endpoint if "prime_contract" in k]
    text = capsys.readouterr().out
    assert "link-job 2406 5100000006" in text and "12 projects, 5 linked to a Sage job." in text


def test_projects_names_another_integrations_origin_id_and_a_link_to_a_job_not_in_sage(cli_app, capsys):
    app, sandbox = cli_app
    client_projects = sandbox.state
    with client_projects.lock:
        client_projects.db.execute("UPDATE projects SET origin_id = 'ACME:77' WHERE id = 5100000007")
        client_projects.db.execute("UPDATE projects SET origin_id = 'S300:JOB:9999' WHERE id = 5100000008")
        client_projects.db.commit()
    assert main(["--app-dir", str(app), "projects", "--json"]) == 0
    projects = {p["project_id"]: p for p in _json(capsys)}
    assert projects[5100000007]["other_origin_id"] == "ACME:77" and projects[5100000007]["suggested_job"] is None
    assert projects[5100000008]["linked_job"] == "9999" and projects[5100000008]["linked_job_in_sage"] is False


def test_status_text_keeps_blocked_by_to_one_short_line(cli_app, capsys):
    app, _sandbox = cli_app
    assert main(["--app-dir", str(app), "status", "--view", "not-ready"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0]
    column = header.index("Blocked by")
    assert all(len(line) - column <= BLOCKED_BY_WIDTH for line in lines[2:] if len(line) > column)


def test_blocked_by_lists_every_code_and_cuts_the_words():
    reasons = tuple(Reason(ReasonCode.INVALID_DATA, f"Item {i}: unit of measure 'BAG' is not in Procore. " * 5,
                           "fix") for i in range(20)) + (Reason(ReasonCode.UNAPPROVED, "not approved", "approve"),)
    status = ContractStatus(contract=records_builder.contract(), state=ContractState.NOT_READY, reasons=reasons,
                            project=None, procore=None, diff=None, sage_total=Decimal(0), procore_total=None)
    text = blocked_by(status)
    assert len(text) <= BLOCKED_BY_WIDTH and text.endswith("\u2026")
    assert text.startswith("invalid_data, unapproved: Item 0")


def test_a_contract_not_in_procore_yet_is_not_nothing_new(cli_app, capsys):
    app, _sandbox = cli_app
    assert main(["--app-dir", str(app), "status", "--json"]) == 0
    statuses = _json(capsys)
    ready = [s for s in statuses if s["state"] == ContractState.READY_TO_IMPORT.value]
    assert ready
    for status in ready:
        assert [r["code"] for r in status["reimport_unavailable_because"]] == ["not_in_procore"]
    assert not [s for s in statuses if s["procore"] is None
                and "nothing_new" in [r["code"] for r in s["reimport_unavailable_because"]]]


def test_projects_lists_procore_before_sage_is_set_up_and_says_what_is_missing(cli_app, capsys):
    app, _sandbox = cli_app
    settings_file = app / "config" / "settings.json"
    settings = json.loads(settings_file.read_text())
    settings["sage"]["connection_string"] = ""
    settings_file.write_text(json.dumps(settings))
    assert main(["--app-dir", str(app), "projects", "--json"]) == 0
    captured = capsys.readouterr()
    projects = {p["project_id"]: p for p in json.loads(captured.out)}
    assert len(projects) == 12
    assert projects[5100000001]["linked_job"] == "2401" and projects[5100000001]["linked_job_in_sage"] is None
    assert projects[5100000006]["suggested_job"] is None
    assert "note: Suggested jobs need the Sage connection" in captured.err


def test_projects_still_lists_procore_when_sage_cannot_be_read(cli_app, capsys, tmp_path):
    app, _sandbox = cli_app
    settings_file = app / "config" / "settings.json"
    settings = json.loads(settings_file.read_text())
    missing = tmp_path / "moved-away.db"
    settings["sage"]["connection_string"] = f"DRIVER={{SQLite3}};Database={missing}"
    settings_file.write_text(json.dumps(settings))
    assert main(["--app-dir", str(app), "projects"]) == 0
    captured = capsys.readouterr()
    assert "12 projects, 5 linked to a Sage job." in captured.out
    assert "Suggested jobs need Sage, which could not be read" in captured.err and str(missing) in captured.err
