"""After full runs with known secret values, no file the app wrote (settings, logs, history,
cache, exports) and nothing it printed contains a secret or a token.

The app runs as it does for a scheduled task: one process per command, with debug logging on,
through sign-in, set-up, imports, a token expiring mid-run, a Procore error, re-imports, the
history export and sign-out. The credential store is a file in the test folder (the stand-in
for Windows Credential Manager); it is where the secrets belong, so it is left out of the scan
and checked to hold them. The sandbox keeps its state in memory.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.paths import AppPaths
from sage_sync_desktop.demo.sample_company import generate_sample_company
from sage_sync_desktop.sandbox.server import ProcoreSandbox
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.demo.demo_setup import read_sample, sandbox_seed
from sage_sync_desktop.demo.sample_editor import SampleEditor
from tests.fixtures.file_keyring import cli_env, stored_values

pytestmark = pytest.mark.slow

CLIENT_ID = "known-client-id-for-the-scan"
CLIENT_SECRET = "Kn0wn-Procore-Client-Secret-7f3a9c"
SAGE_PASSWORD = "Kn0wn-Sage-Pa55word-b41e"
SYNC_ENDPOINT = "PATCH /rest/v1.0/prime_contracts/*/line_items/sync"


class AppRun:
    """Runs `sage-sync-desktop` commands in child processes and keeps everything they print."""

    def __init__(self, root: Path) -> None:
        self.app_dir = root / "app"
        self.keyring_file = root / "credential-store.json"
        self.printed: list[str] = []

    def __call__(self, *args: str, stdin: str | None = None, expect: tuple[int, ...] = (0,)) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(self.app_dir), "-v", *args],
            input=stdin, capture_output=True, text=True, timeout=180, env=cli_env(self.keyring_file))
        self.printed += [done.stdout, done.stderr]
        assert done.returncode in expect, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def written_files(self) -> list[Path]:
        return [path for path in self.app_dir.rglob("*") if path.is_file()]


def _leaks(texts: dict[str, bytes], secrets: list[str]) -> list[tuple[str, str]]:
    return [(where, secret[:6] + "...") for where, data in texts.items() for secret in secrets
            if secret.encode("utf-8") in data]


@pytest.fixture
def company_and_sandbox(tmp_path):
    info = generate_sample_company(tmp_path / "sage" / "company.db")
    seed = sandbox_seed(info)  # projects not linked yet: the run links jobs itself
    service = next(user for user in seed["users"] if user.get("service_account"))
    service.update(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with ProcoreSandbox(seed=seed) as sb:
        yield info, sb, {p["project_number"]: p["id"] for p in seed["projects"]}


def test_a_full_command_line_run_writes_and_prints_no_secret(tmp_path, company_and_sandbox):
    info, sb, project_of = company_and_sandbox
    run = AppRun(tmp_path)
    settings_module.save(
        Settings().with_changes(sage={"connection_string": f"DRIVER={{SQLite3}};Database={info.path};UID=sageadmin"}),
        AppPaths.under(run.app_dir).settings_file)

    run("login", "--client-credentials", "--client-secret-stdin", "--client-id", CLIENT_ID,
        "--company-id", str(sb.company_id), "--environment", "custom", "--api-url", sb.url,
        "--login-url", sb.login_url, stdin=CLIENT_SECRET + "\n")
    run("set-sage-password", "--stdin", stdin=SAGE_PASSWORD + "\n")
    run("check-sage")
    for job in ("2401", "2403", "2405"):
        run("link-job", job, str(project_of[job]))
    run("status", "--json")
    run("import", "--all-ready", expect=(0, 1))

    company = read_sample(info.path)
    editor = SampleEditor(info.path, info.naming)
    first = company.contract("240101")
    editor.change_item("240101", first.items[0].number, amount=first.items[0].amount + Decimal("10.00"))
    editor.add_item("240301", "90", "Change Order 1", "1500.00")
    sb.expire_tokens()  # the access token runs out between two runs
    run("reimport", "--all", expect=(0, 1))

    editor.add_item("240501", "91", "Change Order 2", "2500.00")
    sb.faults.fail(SYNC_ENDPOINT, 500, times=1)  # Procore fails once: an error path is logged
    run("reimport", "--all", expect=(0, 1))
    run("reimport", "--all", expect=(0, 1))
    run("history", "--csv", str(run.app_dir / "history-export.csv"))
    run("history", "--verify")
    run("logout")

    tokens = [value for row in sb.state.all("SELECT access_token, refresh_token FROM tokens")
              for value in row.values() if value]
    secrets = [CLIENT_SECRET, SAGE_PASSWORD, *tokens]
    assert len(tokens) >= 2  # at least one token was replaced mid-run

    files = {str(path.relative_to(run.app_dir)): path.read_bytes() for path in run.written_files()}
    printed = {f"output {i}": text.encode("utf-8") for i, text in enumerate(run.printed)}
    assert _leaks(files, secrets) == []
    assert _leaks(printed, secrets) == []

    # The scan looked at the real thing: logs with debug detail, the history, the export.
    names = set(files)
    assert {"config/settings.json", "data/history.sqlite3", "history-export.csv"} <= names
    log = files["logs/sage-sync-desktop.log"].decode("utf-8")
    assert "Connecting to Sage over ODBC" in log and "PWD=***" in log
    assert "Retrying PATCH" in log  # the Procore error was met and logged
    assert log.count("Saved secret procore-tokens") >= 2  # a new token mid-run was saved
    # ...and the secrets were in use, kept where they belong.
    kept = stored_values(run.keyring_file)
    assert SAGE_PASSWORD in kept and CLIENT_SECRET in kept


def test_the_demo_window_writes_and_prints_no_secret(tmp_path):
    run = AppRun(tmp_path)
    run("--demo", "--screenshot", str(run.app_dir / "window.png"))
    assert (run.app_dir / "window.png").stat().st_size > 10_000
    secrets = [value for value in stored_values(run.keyring_file) if len(value) >= 8]
    assert secrets  # the demo's sandbox secret and its tokens went to the credential store
    files = {str(path.relative_to(run.app_dir)): path.read_bytes() for path in run.written_files()}
    printed = {f"output {i}": text.encode("utf-8") for i, text in enumerate(run.printed)}
    assert _leaks(files, secrets) == []
    assert _leaks(printed, secrets) == []
    assert any(name.endswith("history.sqlite3") for name in files)
