"""Authenticode signing with osslsigncode and a throwaway certificate, on a small installer built
from the real installer.nsi (fast); the same checks around the real freeze are in
test_frozen_app.py."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest
from code_signing import SigningError, is_windows_pe, sign, verify

from tests.packaging.conftest import makensis_command, run


@pytest.fixture
def signed_setup(tiny_program_folder, tmp_path, throwaway_certificate):
    record = tmp_path / "signed.jsonl"
    setup = tmp_path / "setup.exe"
    result = run(makensis_command(tiny_program_folder, setup, sign_tool="osslsigncode"),
                 env=throwaway_certificate.signing_env(record))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return setup, record


@pytest.fixture
def signing_env(monkeypatch, throwaway_certificate):
    for key in list(os.environ):
        if key.startswith("SIGN_"):
            monkeypatch.delenv(key)
    for key, value in throwaway_certificate.signing_env().items():
        if key.startswith("SIGN_"):
            monkeypatch.setenv(key, value)
    return throwaway_certificate


def test_makensis_signs_the_installer_and_its_uninstaller(signed_setup, throwaway_certificate) -> None:
    setup, record = signed_setup
    entries = [json.loads(line) for line in record.read_text().splitlines()]
    # First the uninstaller (a temporary file inside makensis), then the finished setup.exe.
    assert len(entries) == 2
    assert entries[0]["file"] != str(setup) and entries[0]["verified"] is True
    assert entries[1]["file"] == str(setup) and entries[1]["verified"] is True
    verified = run(["osslsigncode", "verify", "-in", setup, "-CAfile", throwaway_certificate.cert_pem])
    assert verified.returncode == 0, verified.stdout
    assert "Signature verification: ok" in verified.stdout


def test_a_tampered_installer_fails_verification(signed_setup, tmp_path, signing_env) -> None:
    setup, _ = signed_setup
    tampered = tmp_path / "tampered.exe"
    data = bytearray(setup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))
    verify(setup, "osslsigncode")
    with pytest.raises(SigningError, match="does not verify"):
        verify(tampered, "osslsigncode")


def test_a_self_signed_certificate_is_not_trusted_without_its_ca(signed_setup, monkeypatch) -> None:
    setup, _ = signed_setup
    monkeypatch.delenv("SIGN_CA_FILE", raising=False)
    with pytest.raises(SigningError, match="does not verify"):
        verify(setup, "osslsigncode")


def test_sign_with_pem_certificate_and_key(tiny_program_folder, tmp_path, signing_env,
                                           monkeypatch) -> None:
    setup = tmp_path / "setup.exe"
    assert run(makensis_command(tiny_program_folder, setup)).returncode == 0
    monkeypatch.delenv("SIGN_PFX_PATH")
    monkeypatch.setenv("SIGN_CERT", str(signing_env.cert_pem))
    monkeypatch.setenv("SIGN_KEY", str(signing_env.key_pem))
    record = sign(setup, "osslsigncode")
    assert record.verified and not record.timestamped
    assert "Signature verification: ok" in verify(setup, "osslsigncode")


def test_an_unsigned_installer_does_not_verify(tiny_program_folder, tmp_path, signing_env) -> None:
    setup = tmp_path / "setup.exe"
    assert run(makensis_command(tiny_program_folder, setup)).returncode == 0
    with pytest.raises(SigningError):
        verify(setup, "osslsigncode")


def test_signing_without_a_certificate_names_the_variables(tiny_program_folder, tmp_path,
                                                           monkeypatch) -> None:
    for key in list(os.environ):
        if key.startswith("SIGN_"):
            monkeypatch.delenv(key)
    setup = tmp_path / "setup.exe"
    assert run(makensis_command(tiny_program_folder, setup)).returncode == 0
    with pytest.raises(SigningError) as caught:
        sign(setup, "osslsigncode")
    assert "SIGN_PFX_PATH" in str(caught.value) and "SIGN_CERT" in str(caught.value)


def test_linux_executables_are_not_taken_for_windows_ones(tmp_path, signing_env) -> None:
    elf = shutil.which("osslsigncode")
    assert not is_windows_pe(elf)
    assert not is_windows_pe(sys.executable)
    with pytest.raises(SigningError, match="not a Windows PE file"):
        sign(elf, "osslsigncode")


def test_a_signing_failure_stops_the_installer_build(tiny_program_folder, tmp_path,
                                                                  throwaway_certificate) -> None:
    env = throwaway_certificate.signing_env()
    env["SIGN_PFX_PASSWORD"] = "wrong-password"
    setup = tmp_path / "setup.exe"
    result = run(makensis_command(tiny_program_folder, setup, sign_tool="osslsigncode"), env=env)
    # !uninstfinalize ... = 0 makes makensis fail instead of shipping an unsigned uninstaller.
    assert result.returncode != 0
    assert "osslsigncode could not sign" in result.stdout + result.stderr
