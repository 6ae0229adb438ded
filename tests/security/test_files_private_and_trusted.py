"""Settings are not a code path: only the installed ODBC bridge may be run with the Sage password,
settings and history files that other users may write are refused, and every file and folder the
app creates is private to the user whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from sage_sync_desktop import settings as settings_module
from sage_sync_desktop.cli import main
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.sage.sage_reader import SageReader, sage_password_secret
from sage_sync_desktop.settings import Settings
from sage_sync_desktop.sync.history import HistoryStore, NewEntry
from tests.fixtures.file_keyring import cli_env
from tests.fixtures.sage_fixtures import odbc_connection_string_for

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX mode bits")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_bridge_path_other_than_the_installed_bridge_is_refused_and_never_run(
        sample_company, secret_store, tmp_path) -> None:
    ran = tmp_path / "the-program-ran"
    program = tmp_path / "not-the-bridge"
    program.write_text(f'#!/bin/sh\ncat > "{ran}"\n')  # would capture the password from the pipe
    program.chmod(0o700)
    settings = Settings().with_changes(sage={
        "connection_string": odbc_connection_string_for(sample_company.path), "odbc_bridge": str(program)})
    secret_store.set(sage_password_secret(settings.sage), "s3cret-sage-pw")
    reader = SageReader.from_settings(settings, secret_store)
    with pytest.raises(ConfigurationError, match="not the 32-bit bridge installed with this app") as caught:
        reader.connect()
    assert caught.value.exit_code == 2
    assert not ran.exists()


@posix_only
@pytest.mark.parametrize("mode", [0o666, 0o620], ids=["everyone", "group"])
def test_a_settings_file_other_users_may_write_is_refused_with_a_clear_error(app_paths, capsys, mode) -> None:
    settings_module.save(Settings(), app_paths.settings_file)
    os.chmod(app_paths.settings_file, mode)
    code = main(["--app-dir", str(app_paths.config_dir.parent), "status"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"settings file {app_paths.settings_file} cannot be trusted" in err
    assert "chmod go-w" in err


@posix_only
def test_a_settings_file_in_a_folder_other_users_may_write_is_refused(tmp_path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    settings_module.save(Settings(), folder / "settings.json")
    os.chmod(folder, 0o777)
    with pytest.raises(ConfigurationError, match="folder holding it"):
        settings_module.load(folder / "settings.json")
    os.chmod(folder, 0o1777)  # sticky, like /tmp: others cannot replace the file
    assert settings_module.load(folder / "settings.json") == Settings()


@posix_only
def test_a_history_other_users_may_write_is_refused(app_paths, capsys) -> None:
    HistoryStore(app_paths.history_db).append(NewEntry("import", "finished", "ok", contract="C1"))
    os.chmod(app_paths.history_db, 0o646)
    with pytest.raises(ConfigurationError, match=r"history .* cannot be trusted"):
        HistoryStore(app_paths.history_db)
    assert main(["--app-dir", str(app_paths.config_dir.parent), "history", "--verify"]) == 2


@posix_only
def test_files_and_folders_the_app_creates_are_private_whatever_the_umask(tmp_path) -> None:
    root = tmp_path / "app"
    keyring_file = tmp_path / "keyring.json"
    # A whole run of the command with the most permissive umask: folders, log, history, cache.
    result = subprocess.run([sys.executable, "-m", "sage_sync_desktop", "--app-dir", str(root), "history"],
                            env=cli_env(keyring_file), capture_output=True, text=True, timeout=120,
                            preexec_fn=lambda: os.umask(0))
    assert result.returncode == 0, result.stderr
    old = os.umask(0)
    try:  # the library on its own, too
        settings_module.save(Settings(), root / "config" / "settings.json")
        store = HistoryStore(root / "data" / "history.sqlite3")
        store.append(NewEntry("import", "finished", "ok", contract="C1"))
    finally:
        os.umask(old)
    created = [root, *root.rglob("*")]
    assert {p.name for p in created} >= {"config", "data", "logs", "cache", "settings.json", "history.sqlite3",
                                        "history.sqlite3.head", "sage-sync-desktop.log"}
    loose = {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in created
             if _mode(p) & 0o077}
    assert loose == {}


def test_the_windows_access_list_check_refuses_writers_other_than_the_owner_and_the_system() -> None:
    from sage_sync_desktop.file_permissions import Ace, untrusted_writers

    owner, users, everyone = "S-1-5-21-1-2-3-1001", "S-1-5-32-545", "S-1-1-0"
    read_execute, modify, full = 0x1200A9, 0x1301BF, 0x1F01FF
    private = [Ace(0, 0, full, owner), Ace(0, 0, full, "S-1-5-18"), Ace(0, 0, full, "S-1-5-32-544"),
               Ace(0, 0, read_execute, users)]
    assert untrusted_writers(private, owner) == []
    assert untrusted_writers([*private, Ace(0, 0, modify, users)], owner) == [users]
    assert untrusted_writers([*private, Ace(0, 0, 0x10000000, everyone)], owner) == [everyone]  # GENERIC_ALL
    assert untrusted_writers([*private, Ace(0, 0x8, full, everyone)], owner) == []  # inherit-only
    assert untrusted_writers([*private, Ace(1, 0, full, everyone)], owner) == []  # a deny entry
    assert untrusted_writers(None, owner) == ["Everyone (the file has no access list)"]  # NULL DACL
    # An elevated admin's file is owned by Administrators; the user's own full control is still theirs.
    assert untrusted_writers([*private, Ace(0, 0, full, "S-1-5-21-1-2-3-1002")], "S-1-5-32-544",
                             me="S-1-5-21-1-2-3-1002") == [owner]
    # A folder: "create files" (ProgramData's default for Users) cannot replace ours; delete-child can.
    create_files = 0x2 | 0x4
    assert untrusted_writers([*private, Ace(0, 0, read_execute | create_files, users)], owner, folder=True) == []
    assert untrusted_writers([*private, Ace(0, 0, modify | 0x40, users)], owner, folder=True) == [users]


@pytest.mark.skipif(sys.platform != "win32", reason="reads a real Windows access list")
def test_a_file_in_the_users_profile_passes_the_windows_access_list_check(tmp_path) -> None:
    from sage_sync_desktop.file_permissions import refuse_if_others_may_write

    path = tmp_path / "settings.json"
    settings_module.save(Settings(), path)
    refuse_if_others_may_write(path, "settings file")
