"""The Windows release workflow stays consistent with the build script and the installer names."""

from __future__ import annotations

import re
from pathlib import Path

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "windows-release.yml"


def _text() -> str:
    return WORKFLOW.read_text(encoding="utf-8")


def test_workflow_builds_both_architectures_with_matching_python() -> None:
    text = _text()
    assert re.search(r"arch: \[x86, x64\]", text)
    assert "architecture: ${{ matrix.arch }}" in text
    assert "runs-on: windows-latest" in text


def test_workflow_signs_with_signtool_from_a_secret_and_never_echoes_the_password() -> None:
    text = _text()
    assert "python resources/build_release.py --sign-with signtool" in text
    assert "SIGN_CERT_SHA1: ${{ steps.certificate.outputs.thumbprint }}" in text
    assert "Import-PfxCertificate" in text
    # The password reaches PowerShell through the environment only.
    assert "$env:SIGN_PFX_PASSWORD" in text
    assert not re.search(r"(/p|-pass)\s+\S*SIGN_PFX_PASSWORD", text)


def test_workflow_uploads_the_installer_named_by_the_build_script() -> None:
    text = _text()
    assert "dist/SageSyncDesktop-*-${{ matrix.arch }}-setup.exe" in text
    assert "actions/upload-artifact@v4" in text
    assert "choco install nsis" in text


def test_x64_installer_is_built_with_the_32_bit_bridge_frozen_by_32_bit_python() -> None:
    text = _text()
    assert "architecture: x86" in text and "update-environment: false" in text
    assert "steps.python32.outputs.python-path" in text
    assert text.count("resources/build_release.py") == text.count("${{ env.BRIDGE_ARGS }}")
    assert "--bridge-dir bridge-dist\\SageSyncDesktop" in text


def test_windows_job_runs_the_checks_and_tests_before_building() -> None:
    text = _text()
    tests_at = text.index("python -m pytest -q")
    assert text.index("python -m ruff check .") < tests_at and text.index("python -m mypy") < tests_at
    assert tests_at < text.index("resources/build_release.py")


def test_each_built_installer_is_installed_silently_self_tested_and_uninstalled() -> None:
    text = _text()
    step = text[text.index("- name: Install silently, self-test the installed app, uninstall silently"):]
    step = step[:step.index("- uses: actions/upload-artifact")]
    assert '-ArgumentList "/S", "/D=$dir" -Wait -PassThru' in step
    assert '& "$dir\\sage-sync.exe" --app-dir $appDir --self-test' in step
    assert 'if ($LASTEXITCODE -ne 0) { throw "installed sage-sync.exe --self-test' in step
    assert '"$dir\\SageSyncDesktop.exe" -ArgumentList "--app-dir", $appDir, "--self-test"' in step
    # In place (_?=) so the job waits for the removal, then checks that nothing is left.
    assert '"$dir\\uninstall.exe" -ArgumentList "/S", "_?=$dir" -Wait -PassThru' in step
    assert "still installed after uninstall" in step and "still present after uninstall" in step
    # The step runs for both architectures (no matrix condition) and before the upload.
    assert "if:" not in step.split("run:")[0]
