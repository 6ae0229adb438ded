"""The sync commands end to end: the demo environment (sample company + seeded sandbox) and
`sage-sync-desktop` run in-process, JSON output asserted."""

from __future__ import annotations

import json
import sqlite3


from sage_sync_desktop.cli import main
from sage_sync_desktop.demo.demo_setup import DemoEnvironment

WRITES = ("POST", "PATCH", "PUT", "DELETE")


def run(demo: DemoEnvironment, capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--app-dir", str(demo.paths.config_dir.parent), "--config", str(demo.settings_path), *args])
    return code, capsys.readouterr().out


def run_json(demo, capsys, *args: str) -> tuple[int, object]:
    code, output = run(demo, capsys, *args, "--json")
    return code, json.loads(output)


def _writes(demo: DemoEnvironment) -> dict[str, int]:
    counts = demo.sandbox.request_counts()["by_endpoint"]
    # Signing in (POST /oauth/token) changes nothing in Procore; writes are to /rest/ data.
    return {k: v for k, v in counts.items() if k.split(" ")[0] in WRITES and " /rest/" in k}


def test_status_json_has_one_object_per_contract_with_state_reasons_and_totals(demo, capsys) -> None:
    # --full-refresh: also reads each linked project's Prime Contracts permission (no_permission)
    code, rows = run_json(demo, capsys, "status", "--full-refresh")
    assert code == 0
    assert sorted(r["contract"] for r in rows) == sorted(demo.sample.contract_numbers)
    by_number = {r["contract"]: r for r in rows}
    roles = demo.roles
    assert by_number[roles["synced"]]["state"] == "synced"
    assert by_number[roles["synced"]]["reimport_unavailable_because"][0]["code"] == "nothing_new"
    assert by_number[roles["changes_ready"]]["state"] == "changes_ready"
    assert {k: by_number[roles["changes_ready"]]["diff"][k] for k in ("added", "changed", "removed")} == \
        {"added": 2, "changed": 1, "removed": 1}
    assert by_number[roles["synced_with_procore_line"]]["diff"]["procore_only"] == 1
    assert by_number[roles["edited_in_procore"]]["diff"]["edited_in_procore"] == 1
    codes = {n: [reason["code"] for reason in r["reasons"]] for n, r in by_number.items()}
    assert codes[roles["on_two_projects"]] == ["on_two_projects"]
    assert codes[roles["invalid_data"]] == ["invalid_data"]
    assert codes[roles["no_permission"]] == ["no_permission_prime_contracts"]
    for number in demo.sample.unapproved_contracts:
        assert codes[number] == ["unapproved"]
    for number in demo.sample.contracts_on_unlinked_job:
        assert codes[number] == ["job_not_synced"]
    synced = by_number[roles["synced"]]
    assert synced["procore"]["prime_contract_id"] > 0 and synced["procore"]["project_id"] > 0
    assert by_number[roles["on_two_projects"]]["procore"] is None
    assert len(by_number[roles["on_two_projects"]]["procore_projects"]) == 2
    for row in rows:
        assert row["sage_total"].count(".") == 1 and len(row["sage_total"].split(".")[1]) == 2
        assert set(row["reasons"][0]) == {"code", "message", "fix"} if row["reasons"] else True
    assert synced["sage_total"] == synced["procore_total"]


def test_status_view_ready_lists_only_contracts_ready_to_import(demo, capsys) -> None:
    code, rows = run_json(demo, capsys, "status", "--view", "ready")
    assert code == 0 and rows
    assert {r["state"] for r in rows} == {"ready_to_import"}
    assert all(r["procore"] is None for r in rows)
    # a routine refresh reads no project permission: nothing greyed yet (import checks it live)
    assert all(r["can_import"] for r in rows)
    # a full refresh does: the no-permission project's other contract is ready but greyed
    code, rows = run_json(demo, capsys, "status", "--view", "ready", "--full-refresh")
    greyed = {r["contract"]: [x["code"] for x in r["reasons"]] for r in rows if not r["can_import"]}
    assert list(greyed.values()) == [["no_permission_prime_contracts"]]


def test_diff_json_lists_the_lines(demo, capsys) -> None:
    code, diff = run_json(demo, capsys, "diff", demo.roles["changes_ready"])
    assert code == 0
    states = [line["state"] for line in diff["lines"]]
    assert states.count("added") == 2 and states.count("removed") == 1 and states.count("changed") == 1
    changed = next(line for line in diff["lines"] if line["state"] == "changed")
    assert [c["field"] for c in changed["changes"]] == ["amount"]
    assert changed["origin_id"].startswith(f"S300:CN:{demo.roles['changes_ready']}:ITEM:")
    assert diff["sage_total"] == diff["procore_total_after"]


def test_unknown_contract_is_a_usage_error(demo, capsys) -> None:
    code, _ = run(demo, capsys, "diff", "NO-SUCH")
    assert code == 2


def test_dry_run_import_shows_the_requests_and_sends_no_write(demo, capsys) -> None:
    demo.sandbox.reset_counts()
    code, outcomes = run_json(demo, capsys, "import", "--all-ready", "--dry-run")
    assert code == 1 and outcomes  # one is greyed for this user (see the ready view test)
    assert _writes(demo) == {}
    for outcome in outcomes:
        if outcome["reasons"]:
            assert outcome["requests"] == []
            continue
        assert outcome["dry_run"] and outcome["ok"]
        methods = [(r["method"], r["path"].split("/")[-1]) for r in outcome["requests"]]
        assert methods[0] == ("POST", "prime_contract") and methods[-1][0] == "PATCH"
        sync = [r for r in outcome["requests"] if r["path"].endswith("/line_items/sync")]
        assert sum(len(r["body"]["updates"]) for r in sync) > 0
        assert outcome["requests"][-1]["body"]["prime_contract"]["status"] == "Approved"
    code, rows = run_json(demo, capsys, "status", "--view", "ready")
    assert len(rows) == len(outcomes)  # still ready: nothing happened


def test_import_all_ready_then_everything_ready_is_synced(demo, capsys) -> None:
    _, ready = run_json(demo, capsys, "status", "--view", "ready")
    code, outcomes = run_json(demo, capsys, "import", "--all-ready")
    assert {o["contract"] for o in outcomes} == {r["contract"] for r in ready}
    failed = [o for o in outcomes if not o["ok"]]
    # the one the user may not import is reported, not attempted, and the exit code says so
    assert code == 1 and [o["reasons"][0]["code"] for o in failed] == ["no_permission_prime_contracts"]
    assert failed[0]["requests"] == []
    _, rows = run_json(demo, capsys, "status")
    states = {r["contract"]: r["state"] for r in rows}
    assert all(states[r["contract"]] == "synced" for r in ready if r["contract"] != failed[0]["contract"])


def test_reimport_all_reports_blocked_contracts_and_exits_1(demo, capsys) -> None:
    code, outcomes = run_json(demo, capsys, "reimport", "--all")
    assert code == 1
    by_number = {o["contract"]: o for o in outcomes}
    assert by_number[demo.roles["changes_ready"]]["ok"]
    assert by_number[demo.roles["no_permission"]]["reasons"][0]["code"] == "no_permission_prime_contracts"
    assert by_number[demo.roles["on_two_projects"]]["error_kind"] == "blocked"
    # Its only difference is a Procore edit kept: Synced, so --all has nothing to send for it.
    assert demo.roles["edited_in_procore"] not in by_number
    _, rows = run_json(demo, capsys, "status")
    states = {r["contract"]: r["state"] for r in rows}
    assert states[demo.roles["changes_ready"]] == "synced"
    assert states[demo.roles["edited_in_procore"]] == "synced"


def test_overwrite_procore_edits_replaces_the_edited_line(demo, capsys) -> None:
    number = demo.roles["edited_in_procore"]
    code, [outcome] = run_json(demo, capsys, "reimport", number, "--overwrite-procore-edits")
    assert code == 0 and outcome["ok"] and "1 line written" in outcome["message"]
    _, diff = run_json(demo, capsys, "diff", number)
    assert diff["counts"]["edited_in_procore"] == 0 and diff["counts"]["changed"] == 0


def test_demo_history_holds_the_set_up_links_and_imports(demo, capsys) -> None:
    code, history = run_json(demo, capsys, "history")
    assert code == 0
    links = [e["job"] for e in history if e["action"] == "link_job" and e["outcome"] == "ok"]
    assert sorted(links) == sorted(demo.sample.linked_jobs)
    imports = [e for e in history if e["action"] == "import" and e["phase"] == "finished"]
    assert {e["contract"] for e in imports} == {demo.roles[r] for r in (
        "synced", "synced_with_procore_line", "changes_ready", "edited_in_procore", "no_permission",
        "awaiting_reapproval")}
    login = demo.sandbox.service_account()["login"]
    assert all(e["windows_user"] and e["procore_user"] == login for e in history)


def test_jobs_link_and_unlink(demo, capsys) -> None:
    _, earlier = run_json(demo, capsys, "history")
    code, jobs = run_json(demo, capsys, "jobs")
    assert code == 0
    by_job = {j["job"]: j for j in jobs}
    assert by_job[demo.sample.unlinked_job]["linked"] is False
    linked_job = demo.sample.linked_jobs[0]
    project_id = by_job[linked_job]["project"]["project_id"]
    # a project already linked to another job is refused
    code, _ = run(demo, capsys, "link-job", demo.sample.unlinked_job, str(project_id))
    assert code == 1
    code, unlinked_now = run_json(demo, capsys, "unlink-job", linked_job)
    assert code == 0 and (unlinked_now["job"], unlinked_now["linked"], unlinked_now["project"]) == (
        linked_job, False, None)
    _, jobs = run_json(demo, capsys, "jobs")
    unlinked = {j["job"]: j for j in jobs}[linked_job]
    assert unlinked["linked"] is False and unlinked["suggestions"][0]["project_id"] == project_id
    _, rows = run_json(demo, capsys, "status")
    for row in rows:
        if row["job"] == linked_job:
            assert "job_not_synced" in [r["code"] for r in row["reasons"]]
    code, linked_now = run_json(demo, capsys, "link-job", linked_job, str(project_id))
    assert code == 0 and linked_now["linked"] is True and linked_now["project"]["project_id"] == project_id
    _, history = run_json(demo, capsys, "history")
    assert [(e["action"], e["job"], e["outcome"]) for e in history[len(earlier):]] == [
        ("link_job", demo.sample.unlinked_job, "failed"),  # the refusal is recorded too
        ("unlink_job", linked_job, "ok"),
        ("link_job", linked_job, "ok"),
    ]


def test_history_verify_csv_and_tamper(demo, capsys, tmp_path) -> None:
    _, before = run_json(demo, capsys, "history")
    run(demo, capsys, "import", _ready(demo, capsys)[0])
    code, text = run(demo, capsys, "history", "--verify")
    assert code == 0 and f"intact: {len(before) + 2} entries" in text
    csv_file = tmp_path / "history.csv"
    assert run(demo, capsys, "history", "--csv", str(csv_file))[0] == 0
    assert len(csv_file.read_text(encoding="utf-8-sig").splitlines()) >= 3
    db = sqlite3.connect(demo.paths.history_db)
    db.executescript("DROP TRIGGER entries_no_update; UPDATE entries SET outcome = 'ok', message = 'x' WHERE seq = 1;")
    db.close()
    code, result = run_json(demo, capsys, "history", "--verify")
    assert code == 1 and result["ok"] is False and result["first_bad_entry"] == 1


def _ready(demo, capsys) -> list[str]:
    _, rows = run_json(demo, capsys, "status", "--view", "ready")
    return [r["contract"] for r in rows]


def test_procore_unreachable_exits_3(demo, capsys) -> None:
    demo.sandbox.stop()
    code, _ = run(demo, capsys, "status")
    assert code == 3


def test_status_json_and_diff_show_items_awaiting_approval_in_sage(demo, capsys) -> None:
    code, rows = run_json(demo, capsys, "status")
    assert code == 0
    by_number = {r["contract"]: r for r in rows}
    awaiting_contract = demo.sample.awaiting_items[0][0]
    assert by_number[awaiting_contract]["diff"]["awaiting_approval"] == len(demo.sample.awaiting_items)
    assert by_number[demo.roles["awaiting_reapproval"]]["diff"]["awaiting_approval"] == 1
    assert by_number[demo.roles["awaiting_reapproval"]]["state"] == "synced"
    (several, jobs), = demo.sample.several_jobs.items()
    assert [r["code"] for r in by_number[several]["reasons"]] == ["several_jobs"]
    code, text = run(demo, capsys, "diff", demo.roles["awaiting_reapproval"])
    assert code == 0
    assert "Awaiting re-approval in Sage; Procore's line left as it is" in text
    code, data = run_json(demo, capsys, "diff", awaiting_contract)
    assert [line["item"] for line in data["lines"] if line["state"] == "awaiting_approval"] == \
        [item for _, item in demo.sample.awaiting_items]
