"""The Windows release workflow stays consistent with the build script and the installer names."""

from __future__ import annotations

import re
from pathlib import Path

WORKFLOW = Path(__file__).resolve().parents[2] / ".ci" / "windows-release.yml"


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
