"""Two writers on one data folder (two command-line runs, or the command line and the window):
the second waits with a message, then goes on or stops with a clear error (exit 2) having sent
nothing. Nothing relies on Procore refusing a repeated origin id."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.cli import main
from sage_sync_desktop.demo.demo_setup import DemoEnvironment, prepare_demo
from tests.fixtures.file_keyring import REPO_ROOT

WRITES = ("POST", "PATCH", "PUT", "DELETE")

_HOLDER = """
import sys, time
from pathlib import Path
from sage_sync_desktop.sync.writer_lock import WriterLock
with WriterLock(Path(sys.argv[1])).held("reimport of 50 contract(s)"):
    print("holding", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def demo(tmp_path) -> Iterator[DemoEnvironment]:
    environment = prepare_demo(tmp_path / "demo")
    settings = settings_module.load(environment.settings_path)
    settings_module.save(settings.with_changes(sync={"lock_wait_seconds": 1}), environment.settings_path)
    try:
        yield environment
    finally:
        environment.stop()


@pytest.fixture
def other_writer(demo) -> Iterator[subprocess.Popen]:
    """Another process of the app, in the middle of a write run from the same data folder."""
    child = subprocess.Popen([sys.executable, "-c", _HOLDER, str(demo.paths.data_dir)], cwd=REPO_ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "holding"
    try:
        yield child
    finally:
        child.kill()
        child.communicate(timeout=30)


def _writes(demo: DemoEnvironment) -> int:
    counts = demo.sandbox.request_counts()["by_endpoint"]
    return sum(v for k, v in counts.items() if k.split(" ")[0] in WRITES and " /rest/" in k)


def _run(demo: DemoEnvironment, capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--app-dir", str(demo.paths.config_dir.parent), "--config", str(demo.settings_path), *args])
    captured = capsys.readouterr()
    return code, captured.err


def test_a_second_import_waits_then_stops_with_a_clear_error_and_sends_nothing(demo, other_writer, capsys) -> None:
    demo.sandbox.reset_counts()
    code, err = _run(demo, capsys, "reimport", demo.roles["changes_ready"])
    assert code == 2, err
    assert f"Another Sage Sync run (process {other_writer.pid}, reimport of 50 contract(s)" in err
    assert "waiting up to 1 s" in err
    assert "is still writing to Procore from this data folder" in err and "nothing was sent" in err
    assert _writes(demo) == 0
    assert [e for e in _history(demo) if e.contract == demo.roles["changes_ready"] and e.action == "reimport"] == []


def test_linking_a_job_waits_for_the_other_writer_too(demo, other_writer, capsys) -> None:
    code, err = _run(demo, capsys, "unlink-job", next(iter(demo.project_ids)))
    assert code == 2 and "is still writing to Procore" in err


def test_the_second_run_goes_on_once_the_first_has_finished(demo, capsys) -> None:
    settings = settings_module.load(demo.settings_path)
    settings_module.save(settings.with_changes(sync={"lock_wait_seconds": 30}), demo.settings_path)
    child = subprocess.Popen([sys.executable, "-c", _HOLDER, str(demo.paths.data_dir)], cwd=REPO_ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "holding"
    # The first run ends (its process is killed, even: the lock dies with it) a second later.
    threading.Timer(1.0, child.kill).start()
    code, err = _run(demo, capsys, "reimport", demo.roles["changes_ready"])
    child.communicate(timeout=30)
    assert code == 0, err
    assert "waiting up to 30 s" in err


def _history(demo: DemoEnvironment) -> list:
    from sage_sync_desktop.sync.history import HistoryStore

    return HistoryStore(demo.paths.history_db).entries()


def test_the_window_engine_shows_the_wait_in_its_progress_and_reports_the_busy_folder(demo, other_writer) -> None:
    from sage_sync_desktop.secret_store import SecretStore
    from sage_sync_desktop.app.wiring import build_engine
    from sage_sync_desktop.sync.writer_lock import DataFolderBusy

    engine = build_engine(settings_module.load(demo.settings_path), demo.paths, SecretStore())  # as the window does
    shown: list[str] = []
    try:
        engine.refresh()
        with pytest.raises(DataFolderBusy, match="still writing to Procore") as caught:
            engine.reimport_contracts([demo.roles["changes_ready"]], progress=lambda _p, text: shown.append(text))
    finally:
        engine.client.close()
    assert caught.value.exit_code == 2
    assert any("is writing to Procore from this data folder; waiting up to 1 s" in text for text in shown)
