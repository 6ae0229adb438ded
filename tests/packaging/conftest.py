"""Fixtures for the packaging tests: the real freeze, a throwaway code-signing certificate,
a real Secret Service for the frozen app's credential-store check, and makensis runs."""

from __future__ import annotations

import os
import secrets
import shutil
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
# resources/ holds build scripts, not a package; the tests import them the way the build does.
if str(RESOURCES) not in sys.path:
    sys.path.insert(0, str(RESOURCES))

from sage_sync_desktop import __version__  # noqa: E402
from sage_sync_desktop.app_info import CONSOLE_EXE_NAME, GUI_EXE_NAME  # noqa: E402

EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
ARCH = "x64" if struct.calcsize("P") == 8 else "x86"


@dataclass(frozen=True)
class FrozenApp:
    dist: Path
    work: Path
    folder: Path
    gui_exe: Path
    console_exe: Path
    freeze_seconds: float


@dataclass(frozen=True)
class Certificate:
    cert_pem: Path
    key_pem: Path
    pfx: Path
    password: str

    def signing_env(self, record: Path | None = None) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SIGN_", "SIGNTOOL_"))}
        env.update(SIGN_PFX_PATH=str(self.pfx), SIGN_PFX_PASSWORD=self.password,
                   SIGN_CA_FILE=str(self.cert_pem))
        if record is not None:
            env["SIGN_RECORD"] = str(record)
        return env


def run(command: list[str], *, env: dict[str, str] | None = None, timeout: float = 600,
        cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in command], env=env, cwd=cwd, capture_output=True,
                          text=True, errors="replace", timeout=timeout, check=False)


@pytest.fixture(scope="session")
def throwaway_certificate(tmp_path_factory) -> Certificate:
    """A self-signed code-signing certificate made for this run and thrown away after it."""
    folder = tmp_path_factory.mktemp("cert")
    cert, key, pfx = folder / "cert.pem", folder / "key.pem", folder / "signer.pfx"
    password = secrets.token_urlsafe(12)
    made = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=Sage Sync Desktop throwaway test signer",
                "-addext", "extendedKeyUsage=codeSigning",
                "-keyout", key, "-out", cert])
    assert made.returncode == 0, made.stderr
    exported = run(["openssl", "pkcs12", "-export", "-inkey", key, "-in", cert, "-out", pfx,
                    "-passout", "env:PFX_PASSWORD"], env=dict(os.environ, PFX_PASSWORD=password))
    assert exported.returncode == 0, exported.stderr
    return Certificate(cert, key, pfx, password)


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory):
    """A private D-Bus session with gnome-keyring's Secret Service: the Linux credential store
    the frozen app's keyring uses (on Windows it is Credential Manager)."""
    for tool in ("dbus-daemon", "dbus-send", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install the dbus and gnome-keyring packages "
                        "(.ci/run's APT_PACKAGES does)")
    home = tmp_path_factory.mktemp("keyring-home")
    (home / "run").mkdir(mode=0o700)
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "data"),
               XDG_RUNTIME_DIR=str(home / "run"), XDG_CONFIG_HOME=str(home / "config"))
    env.pop("PYTHON_KEYRING_BACKEND", None)
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    keyring_daemon = None
    try:
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        # --unlock creates and unlocks the login keyring with the password read from stdin.
        keyring_daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            text=True, env=env)
        keyring_daemon.stdin.write("throwaway-keyring-password")
        keyring_daemon.stdin.close()
        _wait_for_bus_name(env, "org.freedesktop.secrets")
        yield env
    finally:
        for process in (keyring_daemon, bus):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)


def _wait_for_bus_name(env: dict[str, str], name: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                      "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
                      f"string:{name}"], env=env, timeout=10)
        if "boolean true" in answer.stdout:
            return
        time.sleep(0.1)
    pytest.fail(f"{name} did not appear on the test D-Bus session within {timeout:.0f} s")


def _freeze(base: Path, **extra_env: str) -> FrozenApp:
    dist, work = base / "dist", base / "build"
    started = time.perf_counter()
    result = run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level",
                  "WARN", "--distpath", dist, "--workpath", work, ROOT / "build_installer.spec"],
                 cwd=ROOT, timeout=1500, env=dict(os.environ, **extra_env))
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-5000:]
    folder = dist / GUI_EXE_NAME
    return FrozenApp(dist, work, folder, folder / f"{GUI_EXE_NAME}{EXE_SUFFIX}",
                     folder / f"{CONSOLE_EXE_NAME}{EXE_SUFFIX}", elapsed)


@pytest.fixture(scope="session")
def frozen_app(tmp_path_factory) -> FrozenApp:
    """The real freeze with build_installer.spec, once per session (tens of seconds to minutes)."""
    return _freeze(tmp_path_factory.mktemp("freeze"), SAGE_SYNC_CONSOLE_ONLY="0")


@pytest.fixture(scope="session")
def console_only_app(tmp_path_factory) -> FrozenApp:
    """The Qt-free build that 32-bit Windows Python produces, forced here on Linux."""
    return _freeze(tmp_path_factory.mktemp("freeze-console"), SAGE_SYNC_CONSOLE_ONLY="1")


def makensis_command(source_dir: Path, output: Path, *, arch: str = ARCH,
                     sign_tool: str | None = None) -> list[str]:
    from version_resource import dotted_four_part

    command = ["makensis", "-V2", f"-DAPP_VERSION={__version__}",
               f"-DVERSION_QUAD={dotted_four_part(__version__)}", f"-DARCH={arch}",
               f"-DSOURCE_DIR={source_dir}", f"-DOUTPUT_FILE={output}", "-DCOMPRESSOR=zlib"]
    if sign_tool:
        command.append(f'-DSIGN_CMD="{sys.executable}" "{RESOURCES / "code_signing.py"}" '
                       f"sign --tool {sign_tool}")
    return command + [str(RESOURCES / "installer.nsi")]


@pytest.fixture
def tiny_program_folder(tmp_path) -> Path:
    """A stand-in for the frozen folder, for the fast installer checks (the slow ones use the
    real freeze)."""
    folder = tmp_path / GUI_EXE_NAME
    (folder / "_internal").mkdir(parents=True)
    for name in (GUI_EXE_NAME, CONSOLE_EXE_NAME):
        (folder / f"{name}.exe").write_bytes(b"placeholder " + name.encode())
    (folder / "_internal" / "base_library.zip").write_bytes(b"x" * 4096)
    return folder
