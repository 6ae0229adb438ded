"""The first hour, as one scripted command-line walk: `sandbox --seed sample` and a fresh sample
company, then create, check, sign in, projects, link, status, diff, dry run, import, change in
Sage, dry run and re-import, history, logout. Every step is the real command in a child process
(the credential store is the test's file keyring); nothing is called in-process.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sage_sync_desktop.demo.sample_editor import SampleEditor
from tests.fixtures.file_keyring import cli_env

EDITABLE_JOB, EDITABLE_PROJECT = "2406", 5100000006  # left unlinked by the seed: the walk links it
LOCKED_PROJECT = 5100000003  # job 2403, Procore's default: an Approved contract's lines are locked
EDITABLE_CONTRACT, LOCKED_CONTRACT = "240601", "240301"


class Walk:
    def __init__(self, tmp_path: Path) -> None:
        self.app = tmp_path / "app"
        self.env = cli_env(tmp_path / "keyring.json")
        self.cwd = tmp_path

    def run(self, *args: str, stdin: str = "", expect: int = 0) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(self.app), *args],
                              input=stdin, capture_output=True, text=True, env=self.env, cwd=self.cwd,
                              timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == expect, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def json(self, *args: str, expect: int = 0) -> object:
        return json.loads(self.run(*args, "--json", expect=expect).stdout)


@pytest.fixture
def seeded_sandbox(tmp_path):
    walk = Walk(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "sb"),
                                "sandbox", "--seed", "sample"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=walk.env)
    try:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        yield walk, json.loads(line)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_the_first_hour_walk_from_a_fresh_sample_company_to_logout(seeded_sandbox, tmp_path):
    walk, info = seeded_sandbox
    sample = tmp_path / "sage-sample.db"

    # create and check
    created = walk.run("sample-company", str(sample), "--configure")
    assert "sandbox --seed sample" in created.stdout
    assert walk.json("check-sage")["ok"] is True

    # sign in with the line the sandbox printed
    signed_in = walk.run("login", "--client-credentials", "--client-secret-stdin", "--environment", "custom",
                         "--api-url", info["url"], "--login-url", info["login_url"], "--client-id", info["client_id"],
                         "--company-id", str(info["company_id"]), stdin=info["client_secret"] + "\n")
    assert "Signed in to Procore" in signed_in.stdout

    # projects: every linkable job has its project; some linked, the rest suggested
    projects = {p["project_id"]: p for p in walk.json("projects")}
    assert projects[EDITABLE_PROJECT]["linked_job"] is None
    assert projects[EDITABLE_PROJECT]["suggested_job"] == EDITABLE_JOB
    assert projects[LOCKED_PROJECT]["linked_job"] == "2403"
    assert "link-job 2406 5100000006" in walk.run("projects").stdout

    # link, then status: nothing is blocked for want of a unit of measure
    walk.run("link-job", EDITABLE_JOB, str(EDITABLE_PROJECT))
    statuses = {s["contract"]: s for s in walk.json("status")}
    assert statuses[EDITABLE_CONTRACT]["state"] == "ready_to_import"
    assert not [s for s in statuses.values() if any(r["code"] == "invalid_data" for r in s["reasons"])]
    assert [r["code"] for r in statuses[EDITABLE_CONTRACT]["reimport_unavailable_because"]] == ["not_in_procore"]
    status_text = walk.run("status").stdout
    blocked_by_width = max(len(line) for line in status_text.splitlines())
    assert blocked_by_width < 250

    # diff, read by a pager that stops early: no traceback (checked in run), quiet exit
    diff = subprocess.run(f'"{sys.executable}" -m sage_sync_desktop --app-dir "{walk.app}" diff {EDITABLE_CONTRACT}'
                          " | head -n 1", shell=True, capture_output=True, text=True, env=walk.env, timeout=120)
    assert diff.stdout.startswith(f"Contract {EDITABLE_CONTRACT}") and "Traceback" not in diff.stderr

    # dry run, then the import itself
    [planned] = walk.json("import", EDITABLE_CONTRACT, LOCKED_CONTRACT, "--dry-run")[:1]
    assert planned["ok"] and planned["dry_run"]
    imported = walk.json("import", EDITABLE_CONTRACT, LOCKED_CONTRACT)
    assert [o["ok"] for o in imported] == [True, True]

    # the Sage user changes both contracts
    editor = SampleEditor(sample, "legacy")
    editor.add_item(EDITABLE_CONTRACT, "90", "Change Order 1 - Added Canopy", "48500.00")
    editor.add_item(LOCKED_CONTRACT, "90", "Change Order 1 - Added Canopy", "12500.00")

    # dry run: the locked project cannot be known yet, and says so
    dry = {o["contract"]: o for o in walk.json("reimport", EDITABLE_CONTRACT, LOCKED_CONTRACT, "--dry-run")}
    assert dry[LOCKED_CONTRACT]["ok"] and "Enable Always Editable" in dry[LOCKED_CONTRACT]["details"][0]

    # re-import: the editable project takes it, the locked one refuses (exit 1)
    real = {o["contract"]: o for o in walk.json("reimport", EDITABLE_CONTRACT, LOCKED_CONTRACT, expect=1)}
    assert real[EDITABLE_CONTRACT]["ok"]
    assert not real[LOCKED_CONTRACT]["ok"] and real[LOCKED_CONTRACT]["error_kind"] == "locked"

    # now the dry run predicts the refusal before anything is sent, and the editable one is clean
    editor.add_item(EDITABLE_CONTRACT, "91", "Change Order 2 - Upgraded Finishes", "12750.00")
    dry = {o["contract"]: o for o in walk.json("reimport", EDITABLE_CONTRACT, LOCKED_CONTRACT, "--dry-run",
                                              expect=1)}
    assert not dry[LOCKED_CONTRACT]["ok"] and dry[LOCKED_CONTRACT]["error_kind"] == "locked"
    assert dry[EDITABLE_CONTRACT]["ok"] and not dry[EDITABLE_CONTRACT]["details"]
    assert walk.json("reimport", EDITABLE_CONTRACT)[0]["ok"]

    # history names the Procore user in its text listing
    history = walk.run("history").stdout
    assert "Procore user" in history.splitlines()[0]
    assert "sage-sync-service@sandbox.example" in history

    # logout: the service account does not sign itself back in
    walk.run("logout")
    after = walk.run("status", expect=3)
    assert "Signed out of Procore" in after.stderr
