"""What a new user meets at the edges of the command line: no tracebacks (a pager that stops
reading, Ctrl+D at a prompt), a mistyped --config named as such, and -v showing DEBUG lines."""

from __future__ import annotations

import json
import subprocess
import sys

from sage_sync_desktop.cli import main
from sage_sync_desktop.settings import Settings, save
from tests.fixtures.file_keyring import cli_env


def _cli(tmp_path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(tmp_path / "app"), *args]


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    # `... | head` closes the pipe; here it is closed before the command writes its first line.
    process = subprocess.Popen(_cli(tmp_path, "sample-company", str(tmp_path / "s.db"), "--json"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(tmp_path / "k.json"))
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr and "Exception ignored" not in stderr


def test_ctrl_d_at_the_password_prompt_is_an_answer_not_a_traceback(tmp_path):
    app = tmp_path / "app"
    save(Settings().with_changes(sage={"connection_string": r"DRIVER={Timberline Data};DBQ=C:\Data\Co\;UID=u"}),
         app / "config" / "settings.json")
    # A new session has no terminal, so the prompt reads standard input, which is at its end.
    done = subprocess.run(_cli(tmp_path, "set-sage-password"), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=cli_env(tmp_path / "k.json"), timeout=60, start_new_session=True)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2
    assert "standard input ended" in done.stderr and "nothing was changed" in done.stderr


def test_a_config_file_that_does_not_exist_is_named_as_such(tmp_path, capsys):
    missing = tmp_path / "typo" / "settings.json"
    assert main(["--app-dir", str(tmp_path / "app"), "--config", str(missing), "check-sage"]) == 2
    err = capsys.readouterr().err
    assert f"The settings file given with --config does not exist: {missing}" in err
    assert "no connection" not in err.lower()


def test_login_may_create_the_config_file_it_is_given(tmp_path, sandbox, capsys, monkeypatch):
    import io

    config = tmp_path / "new-settings.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO(sandbox.client_secret + "\n"))
    assert main(["--app-dir", str(tmp_path / "app"), "--config", str(config), "login", "--client-credentials",
                 "--client-secret-stdin", "--environment", "custom", "--api-url", sandbox.url, "--login-url",
                 sandbox.login_url, "--client-id", sandbox.client_id, "--company-id", str(sandbox.company_id)]) == 0
    assert json.loads(config.read_text())["procore"]["client_id"] == sandbox.client_id


def test_verbose_shows_debug_lines_on_standard_error_and_in_the_log(tmp_path):
    info = subprocess.run(_cli(tmp_path, "-v", "sample-company", str(tmp_path / "s.db"), "--configure"),
                          capture_output=True, text=True, env=cli_env(tmp_path / "k.json"), timeout=60)
    assert info.returncode == 0, info.stderr
    check = subprocess.run(_cli(tmp_path, "-v", "check-sage"), capture_output=True, text=True,
                           env=cli_env(tmp_path / "k.json"), timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    debug = [line for line in check.stderr.splitlines() if line.startswith("DEBUG ")]
    assert any("Sage query" in line for line in debug), check.stderr
    log = (tmp_path / "app" / "logs" / "sage-sync-desktop.log").read_text(encoding="utf-8")
    assert " DEBUG " in log
    quiet = subprocess.run(_cli(tmp_path, "check-sage"), capture_output=True, text=True,
                           env=cli_env(tmp_path / "k.json"), timeout=60)
    assert "DEBUG" not in quiet.stderr


def test_a_history_export_to_a_folder_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main(["--app-dir", str(tmp_path / "app"), "history", "--csv", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"Cannot write the CSV file {tmp_path}" in err and "Is a directory" in err
