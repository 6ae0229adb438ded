"""`sandbox --seed sample` fits the sample Sage company; seed files are checked with clear errors;
the documentation's example ids exist in it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sandbox.seed import default_seed, load_seed
from sage_sync_desktop.sandbox.seed_check import SeedError, check_seed
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.demo import demo_setup
from sage_sync_desktop.sync import origin_ids
from tests.fixtures.file_keyring import REPO_ROOT, cli_env


@pytest.fixture(scope="module")
def sample_info(tmp_path_factory):
    return generate_sample_company(tmp_path_factory.mktemp("sample") / "s.db")


@pytest.fixture(scope="module")
def seed():
    return demo_setup.sample_sandbox_seed()


def test_every_linkable_sample_job_has_a_project_with_its_number(seed, sample_info):
    numbers = [p["project_number"] for p in seed["projects"]]
    assert set(sample_info.linked_jobs) <= set(numbers)
    assert sample_info.unlinked_job not in numbers


def test_some_projects_start_linked_and_the_rest_are_left_for_link_job(seed, sample_info):
    linked = {p["project_number"] for p in seed["projects"] if p.get("origin_id")}
    assert linked and linked < set(sample_info.linked_jobs)
    for project in seed["projects"]:
        if project.get("origin_id"):
            assert project["origin_id"] == origin_ids.job_origin_id(project["project_number"])


def test_the_seed_has_every_unit_of_measure_the_sample_company_uses(seed, sample_info):
    company = demo_setup.read_sample(sample_info.path, sample_info.naming)
    used = {item.unit for contract in company.contracts for item in contract.items if item.unit}
    assert used, "the sample uses units"
    assert used <= {u["name"] for u in seed["uoms"]}


def test_one_linked_project_locks_an_approved_schedule_of_values_and_the_others_do_not(seed):
    linked = [p for p in seed["projects"] if p.get("origin_id")]
    locked = [p for p in linked if not p.get("always_editable_sov")]
    assert [p["id"] for p in locked] == [5100000003]
    assert any(p.get("always_editable_sov") for p in linked)


def test_the_sample_seed_passes_its_own_check(seed):
    check_seed(seed)


@pytest.mark.parametrize(("seed_text", "message"), [
    ('[1, 2]', "must hold a JSON object"),
    ('{"project": []}', "unknown key 'project'"),
    ('{"projects": [{"project_number": "1"}]}', "projects[0]: 'name' is missing"),
    ('{"projects": [{"name": "A", "id": "12"}]}', "projects[0]: 'id' must be a positive whole number"),
    ('{"projects": [{"name": "A", "always_editable_sov": "yes"}]}', "'always_editable_sov' must be true or false"),
    ('{"users": [{"name": "No Login"}]}', "users[0]: 'login' is missing"),
    ('{"users": [{"login": "a@x", "service_account": true, "permissions": {"company": {"ERP": "Owner"}}}]}',
     "'ERP' has level 'Owner'"),
    ('{"projects": [{"name": "A", "id": 7}], "users": [{"login": "a@x", "company_admin": true, '
     '"projects": [8]}]}', "project 8 is not among the seed's projects"),
    ('{"projects": [{"name": "A"}], "users": [{"login": "a@x"}]}', "no service account or company admin"),
    ('{"projects": [{"name": "A"}]', "not valid JSON"),
])
def test_a_bad_seed_file_is_named_with_the_place_of_the_problem(tmp_path, seed_text, message):
    path = tmp_path / "seed.json"
    path.write_text(seed_text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)):
        load_seed(path)


def test_an_incomplete_seed_file_stops_the_sandbox_command_with_a_clear_error(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"projects": [{"name": "A"}]}), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "app"),
                           "sandbox", "--seed", str(path)], capture_output=True, text=True,
                          env=cli_env(tmp_path / "k.json"), timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "no service account or company admin" in done.stderr and "docs/procore-connection.md" in done.stderr


def test_the_default_seed_written_to_a_file_loads_again(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(default_seed()), encoding="utf-8")
    with ProcoreSandbox(seed=path) as sandbox:
        assert sandbox.service_account()["login"] == "sage-sync-service@sandbox.example"


def test_seed_errors_are_value_errors_for_the_sandbox_command():
    assert issubclass(SeedError, ValueError)


def _doc(name: str) -> str:
    return (REPO_ROOT / "docs" / name).read_text(encoding="utf-8")


def test_the_documentation_examples_use_ids_the_sample_sandbox_has(seed, sample_info):
    with ProcoreSandbox(seed=seed) as sandbox:
        info = sandbox.info()
        project_ids = {p["id"] for p in seed["projects"]}
        text = _doc("command-line.md") + _doc("procore-connection.md") + (REPO_ROOT / "README.md").read_text()
        for job, project in re.findall(r"link-job (\S+) (\d{6,})", text):
            assert int(project) in project_ids, f"link-job {job} {project}"
            assert job in sample_info.job_numbers
        for example in re.findall(r'\{"url": "http://127\.0\.0\.1:\d+".*\}', text):
            shown = json.loads(example.replace('"..."', '""'))
            assert shown["company_id"] == info["company_id"] and shown["client_id"] == info["client_id"]
        for contract in re.findall(r"(?:diff|import|reimport|--contract) (\d{6})\b", text):
            assert contract in sample_info.contract_numbers, contract


def test_the_stray_readme_sentence_is_gone_and_the_synopsis_has_full_refresh():
    assert "Text for the README." not in _doc("procore-connection.md")
    synopsis = _doc("command-line.md").split("```")[1]
    for command in ("status", "diff", "import", "reimport", "jobs"):
        line = next(line for line in synopsis.splitlines() if f"] {command} " in line)
        assert "[--full-refresh]" in line, line
    assert "projects [--json]" in synopsis


def test_testing_doc_says_which_python_runs_the_tests():
    text = _doc("testing.md")
    assert ".venv/bin/python -m pytest tests/" in text


def test_sandbox_seed_sample_and_the_sample_company_say_so_in_their_help():
    import sage_sync_desktop.cli as cli

    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "sample" in sub.choices["sandbox"].format_help()
    assert Path(REPO_ROOT / "docs" / "procore-connection.md").read_text().count("--seed sample") >= 2


@pytest.mark.parametrize("state_text", [None, "not a SQLite file"])
def test_a_state_file_that_cannot_be_used_stops_the_sandbox_command_with_a_clear_error(tmp_path, state_text):
    if state_text:
        state = tmp_path / "state.db"
        state.write_text(state_text, encoding="utf-8")
    else:  # its "folder" is a file, so it cannot be made
        (tmp_path / "a-file").write_text("x", encoding="utf-8")
        state = tmp_path / "a-file" / "state.db"
    done = subprocess.run([sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "app"),
                           "sandbox", "--state", str(state)], capture_output=True, text=True,
                          env=cli_env(tmp_path / "k.json"), timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"Cannot open the sandbox state file {state}" in done.stderr and "--state" in done.stderr


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--port", "99999", "a port is a whole number from 1 to 65535"),
    ("--token-ttl", "-5", "the token lifetime is a whole number of seconds"),
])
def test_sandbox_options_out_of_range_are_usage_errors(tmp_path, option, value, words):
    done = subprocess.run([sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "app"),
                           "sandbox", option, value], capture_output=True, text=True,
                          env=cli_env(tmp_path / "k.json"), timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr and words in done.stderr
