"""The real freeze (build_installer.spec), run once per session, and what CI proves with it on
Linux: the frozen app checks itself, shows the demo window, and makensis + osslsigncode turn the
frozen folder into a signed, verifiable setup.exe."""

from __future__ import annotations

import json
import re
import struct
import sys

import pytest

from sage_sync_desktop import __version__
from tests.packaging.conftest import ARCH, RESOURCES, makensis_command, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

SELF_TEST_LINES = (
    "OK    Qt:",
    "OK    ODBC: pyodbc loaded",
    "Timberline driver:",
    "NOTE  Bitness:",
    "OK    Credential store: keyring.backends.SecretService.Keyring",
    "OK    TLS certificates:",
    "OK    Sample company: generated and read back",
    "OK    Procore sandbox:",
    "Result: PASSED",
)


def _frozen_env(secret_service) -> dict[str, str]:
    return dict(secret_service, QT_QPA_PLATFORM="offscreen")


def test_frozen_console_self_test_passes(frozen_app, secret_service, tmp_path) -> None:
    result = run([frozen_app.console_exe, "--app-dir", tmp_path / "app", "--self-test"],
                 env=_frozen_env(secret_service), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert ", frozen," in result.stdout
    for line in SELF_TEST_LINES:
        assert line in result.stdout, f"{line!r} missing from:\n{result.stdout}"
    saved = (tmp_path / "app" / "logs" / "self-test.txt").read_text(encoding="utf-8")
    assert saved == result.stdout


def test_frozen_windowed_executable_runs_the_self_test_too(frozen_app, secret_service, tmp_path) -> None:
    result = run([frozen_app.gui_exe, "--app-dir", tmp_path / "app", "--self-test"],
                 env=_frozen_env(secret_service), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    saved = (tmp_path / "app" / "logs" / "self-test.txt").read_text(encoding="utf-8")
    assert "Result: PASSED" in saved


def test_frozen_self_test_fails_without_a_credential_store(frozen_app, secret_service, tmp_path) -> None:
    env = _frozen_env(secret_service)
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path}/no-such-bus"
    result = run([frozen_app.console_exe, "--app-dir", tmp_path / "app", "--self-test"], env=env,
                 timeout=300)
    assert result.returncode == 1
    assert "FAIL  Credential store" in result.stdout
    assert "OK    Sample company" in result.stdout  # one failure does not hide the rest
    assert "Result: FAILED" in result.stdout


def test_frozen_app_renders_the_demo_window(frozen_app, secret_service, tmp_path) -> None:
    from PySide6.QtGui import QImage

    shot = tmp_path / "demo.png"
    result = run([frozen_app.gui_exe, "--app-dir", tmp_path / "app", "--demo", "--screenshot", shot],
                 env=_frozen_env(secret_service), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert 800 <= width <= 4000 and 500 <= height <= 3000, (width, height)
    image = QImage(str(shot))
    assert not image.isNull()
    # A real window, not a blank frame: many distinct colours across a grid of samples.
    colours = {image.pixel(x, y) for x in range(0, width, 23) for y in range(0, height, 19)}
    assert len(colours) > 20


def test_frozen_bundle_keeps_only_the_qt_modules_the_app_imports(frozen_app) -> None:
    pyside = frozen_app.folder / "_internal" / "PySide6"
    bundled = {path.name.split(".")[0] for path in pyside.iterdir()
               if path.name.startswith("Qt") and path.suffix in (".so", ".pyd")}
    assert {"QtCore", "QtGui", "QtWidgets"} <= bundled
    assert not bundled & {"QtQml", "QtQuick", "QtWebEngineCore", "QtDesigner", "QtSql", "Qt3DCore"}
    assert not (frozen_app.folder / "_internal" / "tkinter").exists()
    assert not (pyside / "Qt" / "translations").exists()
    assets = frozen_app.folder / "_internal" / "sage_sync_desktop" / "assets"
    assert (assets / "app-icon-256.png").is_file()
    assert (assets / "user-guide.md").read_text(encoding="utf-8").startswith("# User guide")  # Help (F1)


def test_spec_writes_each_executables_version_resource_from_the_package_version(frozen_app) -> None:
    work = frozen_app.work / "build_installer"
    for exe in ("SageSyncDesktop.exe", "sage-sync.exe"):
        text = (work / f"version-{exe.removesuffix('.exe')}.txt").read_text(encoding="utf-8")
        assert f"StringStruct('OriginalFilename', '{exe}')" in text
        assert f"StringStruct('ProductVersion', '{__version__}')" in text


def test_installer_around_the_frozen_folder_is_signed_and_verifies(
        frozen_app, throwaway_certificate, tmp_path) -> None:
    record = tmp_path / "signed.jsonl"
    setup = tmp_path / f"SageSyncDesktop-{__version__}-{ARCH}-setup.exe"
    built = run(makensis_command(frozen_app.folder, setup, sign_tool="osslsigncode"),
                env=throwaway_certificate.signing_env(record), timeout=1200)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert setup.stat().st_size > 20_000_000  # the whole frozen app is inside
    signed = [json.loads(line)["file"] for line in record.read_text().splitlines()]
    assert len(signed) == 2 and signed[1] == str(setup)  # uninstaller first, then setup.exe

    ca = throwaway_certificate.cert_pem
    verified = run(["osslsigncode", "verify", "-in", setup, "-CAfile", ca])
    assert verified.returncode == 0, verified.stdout
    assert "Signature verification: ok" in verified.stdout

    tampered = tmp_path / "tampered-setup.exe"
    data = bytearray(setup.read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered.write_bytes(bytes(data))
    rejected = run(["osslsigncode", "verify", "-in", tampered, "-CAfile", ca])
    assert rejected.returncode != 0
    assert "MISMATCH" in rejected.stdout


def test_build_script_packages_signs_and_verifies_in_one_command(
        frozen_app, throwaway_certificate, secret_service, tmp_path) -> None:
    env = dict(throwaway_certificate.signing_env(), **{
        key: value for key, value in secret_service.items()
        if key in ("DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR",
                   "XDG_CONFIG_HOME")})
    result = run([sys.executable, RESOURCES / "build_release.py", "--skip-freeze",
                  "--dist", frozen_app.dist, "--sign-with", "osslsigncode", "--compressor", "zlib"],
                 env=env, timeout=1500)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "Result: PASSED" in output  # the frozen self-test ran first
    # On Linux the frozen executables are ELF: said, not silently skipped.
    assert re.search(r"sage-sync: not signed - a linux freeze makes ELF", output)
    setup = frozen_app.dist / f"SageSyncDesktop-{__version__}-{ARCH}-setup.exe"
    assert f"{setup.name}: signature verifies" in output
    assert "uninstaller (signed inside makensis): signature verified" in output
    assert "signed WITHOUT a timestamp" in output
    checksum = (setup.parent / f"{setup.name}.sha256").read_text().split()[0]
    assert re.fullmatch(r"[0-9a-f]{64}", checksum) and checksum in output


def test_console_only_build_has_no_qt_and_passes_its_self_test(console_only_app, secret_service,
                                                                tmp_path) -> None:
    internal = console_only_app.folder / "_internal"
    assert not console_only_app.gui_exe.exists()
    assert not (internal / "PySide6").exists()
    assert not (internal / "sage_sync_desktop" / "gui").exists()
    result = run([console_only_app.console_exe, "--app-dir", tmp_path / "app", "--self-test"],
                 env=_frozen_env(secret_service), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert ", frozen, console-only," in result.stdout
    assert "NOTE  Qt: console-only build" in result.stdout
    for line in SELF_TEST_LINES[1:]:
        assert line in result.stdout, f"{line!r} missing from:\n{result.stdout}"


def test_console_only_build_says_it_has_no_window(console_only_app, secret_service, tmp_path) -> None:
    result = run([console_only_app.console_exe, "--app-dir", tmp_path / "app"],
                 env=_frozen_env(secret_service), timeout=120)
    assert result.returncode == 2
    assert "command-line build" in result.stdout + result.stderr
    assert f"SageSyncDesktop-{__version__}-x64-setup.exe" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_x64_build_carries_the_32_bit_bridge_and_the_frozen_bridge_reads_sage(
        frozen_app, console_only_app, secret_service, tmp_path) -> None:
    """--bridge-dir puts the console-only build in x86/; that frozen program serves the reader."""
    import shutil

    from sage_sync_desktop.sage.odbc_bridge import bridge_command, connect_via_bridge
    from sage_sync_desktop.demo.sample_company import generate_sample_company

    dist = tmp_path / "dist"
    shutil.copytree(frozen_app.folder, dist / frozen_app.folder.name, symlinks=True)
    env = {key: value for key, value in secret_service.items()
           if key in ("DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR",
                      "XDG_CONFIG_HOME")}
    result = run([sys.executable, RESOURCES / "build_release.py", "--skip-freeze", "--skip-installer",
                  "--dist", dist, "--bridge-dir", console_only_app.folder], env=env, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "x86/sage-sync: 32-bit ODBC bridge added" in output
    bridge = dist / frozen_app.folder.name / "x86" / console_only_app.console_exe.name
    assert bridge.is_file()

    sample = generate_sample_company(tmp_path / "sage.db")
    with connect_via_bridge(bridge_command(bridge), f"DRIVER={{SQLite3}};Database={sample.path}",
                            password=None, login_timeout=10) as connection:
        rows = connection.execute('SELECT "ACTIVE_CNC_CONTRACT"."Contract" FROM "ACTIVE_CNC_CONTRACT"').fetchall()
    assert sorted(str(row[0]).strip() for row in rows) == sorted(sample.contract_numbers)


def test_bridge_dir_must_be_the_console_only_build(frozen_app, tmp_path) -> None:
    result = run([sys.executable, RESOURCES / "build_release.py", "--skip-freeze", "--skip-installer",
                  "--dist", frozen_app.dist, "--bridge-dir", frozen_app.folder], timeout=300)
    assert result.returncode == 1
    assert "is a full build; the bridge is the console-only x86 build" in result.stderr
