"""A re-import whose process is killed (SIGKILL) half-way, then run again: no duplicates, no
false "edited in Procore" flags, Procore equal to Sage."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.app_info import KEYRING_SERVICE
from sage_sync_desktop.procore import environments, oauth
from sage_sync_desktop.secret_store import SecretStore
from sage_sync_desktop.sync.history_chain import key_name
from sage_sync_desktop.sync.records import ContractState
from tests.fixtures.file_keyring import cli_env
from tests.sync.conftest import link_suggested_jobs
from tests.sync.test_engine_faults import BIG, BIG_CONTRACT, SYNC
from tests.sync.test_engine_import import assert_procore_equals_sage

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _wait_for(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.mark.slow
def test_reimport_killed_half_way_and_run_again_leaves_no_duplicates(make_env, app_paths, tmp_path) -> None:
    env = make_env(**BIG)
    engine = env.engine()
    link_suggested_jobs(engine)
    assert engine.import_contracts([BIG_CONTRACT])[0].ok
    items = engine.snapshot.status(BIG_CONTRACT).contract.items
    env.sage_user.change_items(BIG_CONTRACT, {item.number: {"amount": item.amount + 7} for item in items})

    # the child: the console command, its own process, the same app folder and credentials
    settings = env.settings()
    config = tmp_path / "child-settings.json"
    settings_module.save(settings, config)
    keyring_file = tmp_path / "child-keyring.json"
    secret_name = oauth.client_secret_name(environments.CUSTOM, settings.procore.client_id)
    # The child is this Windows user too: the same credential store, the history's key included.
    history_key = key_name(engine.history.path)
    keyring_file.write_text(json.dumps({KEYRING_SERVICE: {secret_name: env.sandbox.client_secret,
                                                          history_key: SecretStore().get(history_key)}}))
    # the second of three chunks is processed, then its answer is held back: kill it there
    env.sandbox.faults.delay(SYNC, 8.0, skip=1, times=1, after_processing=True)
    env.sandbox.reset_counts()
    child = subprocess.Popen(
        [sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(app_paths.config_dir.parent),
         "--config", str(config), "reimport", BIG_CONTRACT],
        env=cli_env(keyring_file), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: env.sandbox.request_counts()["by_endpoint"].get(SYNC, 0) >= 2)
        time.sleep(0.3)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    env.sandbox.faults.clear()

    history = engine.history.entries(BIG_CONTRACT)
    assert (history[-1].action, history[-1].phase) == ("reimport", "started")  # never finished
    status = engine.refresh().status(BIG_CONTRACT)
    assert status.state is ContractState.CHANGES_READY
    assert status.diff.counts.changed == 500  # two chunks landed before the kill
    assert status.diff.counts.edited_in_procore == 0  # the killed run's lines are known as ours

    [outcome] = engine.reimport_contracts([BIG_CONTRACT])
    assert outcome.ok, outcome.message
    killed, recovered, started, finished = engine.history.entries(BIG_CONTRACT)[-4:]
    # The next run of any kind (here the Refresh before the re-run) says the killed run did not
    # finish and what it found; the re-run then does its own.
    assert (killed.phase, recovered.phase, started.phase, finished.phase) == (
        "started", "recovered", "started", "finished")
    assert recovered.data["started_seq"] == killed.seq and recovered.outcome == "partial"
    assert recovered.message.endswith("Procore still differs from Sage (0 lines to add, 500 to change, "
                                      "0 to remove); Re-Import it to finish.")
    origins = Counter(pc["origin_id"] for pc in env.sandbox.prime_contracts())
    assert origins[f"S300:CN:{BIG_CONTRACT}"] == 1
    pc_id = engine.snapshot.status(BIG_CONTRACT).procore.prime_contract_id
    lines = Counter(line["origin_id"] for line in env.sandbox.line_items(pc_id))
    assert len(lines) == 2500 and max(lines.values()) == 1
    assert engine.refresh().status(BIG_CONTRACT).state is ContractState.SYNCED
    assert_procore_equals_sage(engine, BIG_CONTRACT)
