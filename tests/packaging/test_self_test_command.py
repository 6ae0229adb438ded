"""`--self-test` from source: each check against the real parts it checks (pyodbc + unixODBC,
the credential store, the CA bundle, the sample company over the Sage reader, the sandbox over
HTTP). The frozen app runs the same command in test_frozen_app.py."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import keyring
import keyring.backends.fail
import pytest

from sage_sync_desktop.app import self_test
from sage_sync_desktop.cli import self_test_output
from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.app.self_test import FAIL, NOTE, OK, run_checks
from sage_sync_desktop.secret_store import SecretStore


@pytest.fixture
def context(app_paths, secret_store) -> AppContext:
    return AppContext(paths=app_paths, settings_path=app_paths.settings_file, secrets=secret_store)


def _by_name(results):
    return {result.name: result for result in results}


def test_odbc_check_lists_the_installed_drivers_and_looks_for_timberline() -> None:
    results = _by_name(self_test.check_odbc())
    assert results["ODBC"].status == OK
    assert "SQLite3" in results["ODBC"].detail  # the driver installed on this machine
    assert results["Timberline driver"].status == NOTE
    assert "'Timberline Data' is not installed" in results["Timberline driver"].detail


def test_bitness_note_names_the_x86_installer_for_the_32_bit_driver() -> None:
    bitness = _by_name(self_test.check_odbc())["Bitness"]
    arch = self_test.build_arch()
    assert f"({arch}) build" in bitness.detail
    assert "usually 32-bit" in bitness.detail
    assert self_test.installer_name("x86") in bitness.detail
    assert self_test.installer_name("x86").endswith("-x86-setup.exe")


def test_credential_store_check_round_trips_a_value(memory_keyring, secret_store) -> None:
    detail = self_test.check_credential_store(secret_store)
    assert isinstance(detail, str) and "save, read and delete worked" in detail
    assert memory_keyring.values == {}  # the probe entry is gone again


def test_credential_store_check_fails_on_the_fail_backend() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # the autouse fixture restores it
    result = self_test.check_credential_store(SecretStore())
    assert result.status == FAIL
    assert "fail.Keyring" in result.detail


def test_tls_check_finds_the_ca_bundle() -> None:
    detail = self_test.check_tls_certificates()
    assert "cacert.pem present with" in detail


def test_sample_company_check_reads_back_what_it_generated() -> None:
    detail = self_test.check_sample_company()
    assert "generated and read back" in detail
    assert " 0 contracts" not in detail


def test_sandbox_check_gets_a_token_and_lists_the_company() -> None:
    detail = self_test.check_sandbox()
    assert "issued a token and listed 1 company" in detail


def test_a_crashing_check_becomes_a_fail_line_and_the_others_still_run(monkeypatch, secret_store) -> None:
    def broken() -> str:
        raise OSError("disk on fire")

    monkeypatch.setattr(self_test, "check_tls_certificates", broken)
    results = _by_name(run_checks(secret_store))
    assert results["TLS certificates"].status == FAIL
    assert "OSError: disk on fire" in results["TLS certificates"].detail
    assert results["Sample company"].status == OK
    assert results["Procore sandbox"].status == OK


def test_a_missing_module_is_reported_not_raised(monkeypatch, secret_store) -> None:
    monkeypatch.setitem(sys.modules, "sage_sync_desktop.sandbox.server", None)
    result = _by_name(run_checks(secret_store))["Procore sandbox"]
    assert result.status == FAIL
    assert "sage_sync_desktop.sandbox.server" in result.detail


def test_report_is_saved_and_printed_and_exit_code_follows_failures(context, monkeypatch, capsys) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    code = self_test_output.run(SimpleNamespace(), AppContext(
        paths=context.paths, settings_path=context.settings_path, secrets=SecretStore()))
    printed = capsys.readouterr().out
    saved = (context.paths.log_dir / "self-test.txt").read_text(encoding="utf-8")
    assert code == 1
    assert printed == saved
    assert "FAIL  Credential store" in saved
    assert saved.rstrip().splitlines()[-1].startswith("Result: FAILED")


def test_report_without_a_console_still_goes_to_the_log_folder(context, monkeypatch) -> None:
    # The windowed exe on Windows runs with sys.stdout = None.
    monkeypatch.setattr(sys, "stdout", None)
    code = self_test_output.run(SimpleNamespace(), context)
    saved = (context.paths.log_dir / "self-test.txt").read_text(encoding="utf-8")
    assert code in (0, 1)
    assert "OK    Sample company" in saved
    assert ("Result: PASSED" in saved) == (code == 0)


def test_qt_check_starts_qt_and_loads_every_icon_size() -> None:
    detail = self_test_output.check_qt()
    assert "started on the 'offscreen' platform" in detail
    assert "sizes 16, 24, 32, 48, 64, 128, 256" in detail


def test_full_self_test_from_source_passes(context, capsys) -> None:
    code = self_test_output.run(SimpleNamespace(), context)
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert printed.rstrip().splitlines()[-1].startswith("Result: PASSED (6 passed, 0 failed)")


def _bridge_script(tmp_path, body: str):
    script = tmp_path / "sage-sync"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


def test_bridge_check_passes_for_a_bridge_that_answers_with_this_version(tmp_path):
    import sys

    from sage_sync_desktop.app.self_test import OK, check_bridge

    bridge = _bridge_script(tmp_path, f'exec "{sys.executable}" -m sage_sync_desktop "$@"')
    result = check_bridge(bridge)
    assert result.status == OK, result
    assert "0." in result.detail and str(bridge) in result.detail


def test_bridge_check_fails_for_a_bridge_of_another_version(tmp_path):
    from sage_sync_desktop.app.self_test import FAIL, check_bridge

    result = check_bridge(_bridge_script(tmp_path, "echo sage-sync 0.0.1"))
    assert result.status == FAIL
    assert "Reinstall" in result.fix


def test_bridge_check_is_a_note_where_no_bridge_is_bundled():
    from sage_sync_desktop.app.self_test import NOTE, check_bridge

    assert check_bridge().status == NOTE  # not a frozen x64 Windows install
