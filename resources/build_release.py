"""One command for a release build: freeze, self-test, sign, installer, verify.

    python resources/build_release.py [--sign-with osslsigncode|signtool] [--skip-installer]

1. freeze with build_installer.spec into dist/SageSyncDesktop (one folder, two executables);
2. run `sage-sync --self-test` from that folder; a failing self-test stops the build;
3. sign the executables in the folder (Windows PE files only: a Linux freeze makes ELF files,
   which Authenticode cannot sign; the script says so);
4. build dist/SageSyncDesktop-<version>-<arch>-setup.exe with makensis; NSIS signs the uninstaller
   (!uninstfinalize) and the finished installer (!finalize) through code_signing.py;
5. verify every signature and print a summary with sizes, times and the installer's SHA-256.

The architecture (x86 or x64) is the bitness of the Python running this script, which PyInstaller
freezes: build the x86 installer with 32-bit Python. The certificate comes from environment
variables (see `python resources/code_signing.py --help`), never from the repository.
Exit 0 when everything asked for was done and verified, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
ROOT = RESOURCES.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(RESOURCES))

from code_signing import SigningError, is_windows_pe, sign, verify  # noqa: E402
from version_resource import dotted_four_part  # noqa: E402

from sage_sync_desktop import __version__  # noqa: E402
from sage_sync_desktop.app_info import APP_NAME, COMPANY, CONSOLE_EXE_NAME, GUI_EXE_NAME  # noqa: E402

EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
# The x64 install carries the x86 console build here; sage/odbc_bridge.bundled_bridge() looks for it.
BRIDGE_FOLDER = "x86"
MIN_NSIS_FOR_SIGNING = (3, 8)  # !uninstfinalize


class BuildError(Exception):
    pass


def build_arch() -> str:
    return "x64" if struct.calcsize("P") == 8 else "x86"


def installer_file_name(version: str, arch: str) -> str:
    return f"{APP_NAME}-{version}-{arch}-setup.exe"


def folder_size(folder: Path) -> int:
    # A Linux freeze links shared libraries into _internal/ (symlinks): count each file once.
    return sum(path.stat().st_size for path in folder.rglob("*")
               if path.is_file() and not path.is_symlink())


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def step(message: str) -> None:
    print(f"\n== {message}", flush=True)


def freeze(dist: Path, work: Path) -> tuple[Path, float]:
    step("Freezing with PyInstaller (build_installer.spec)")
    started = time.perf_counter()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(ROOT / "build_installer.spec")]
    if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
        raise BuildError("PyInstaller failed (see its output above)")
    elapsed = time.perf_counter() - started
    folder = dist / GUI_EXE_NAME
    print(f"frozen in {elapsed:.0f} s: {folder} ({megabytes(folder_size(folder))})")
    return folder, elapsed


def self_test(folder: Path) -> None:
    step("Self-test of the frozen console executable")
    console = folder / f"{CONSOLE_EXE_NAME}{EXE_SUFFIX}"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryDirectory(prefix="sage-sync-self-test-") as app_dir:
        # --app-dir keeps the build machine's own settings and history out of it.
        result = subprocess.run([str(console), "--app-dir", app_dir, "--self-test"], env=env,
                                capture_output=True, text=True, errors="replace", timeout=300,
                                check=False)
    print(result.stdout.rstrip())
    if result.returncode != 0:
        print(result.stderr.rstrip()[-3000:], file=sys.stderr)
        raise BuildError(f"the frozen self-test failed (exit {result.returncode}); "
                         "nothing is signed or packaged from a build that does not work")


def sign_executables(folder: Path, tool: str | None) -> list[str]:
    step("Signing the executables in the frozen folder")
    notes = []
    for path in executables(folder, include_missing=True):
        if not path.exists():
            notes.append(f"{path.name}: not in this console-only build")
        elif not is_windows_pe(path):
            notes.append(f"{path.name}: not signed - a {sys.platform} freeze makes ELF/Mach-O "
                         "executables, and Authenticode signs only Windows PE files")
        elif tool is None:
            notes.append(f"{path.name}: NOT signed (no --sign-with)")
        else:
            sign(path, tool)
            notes.append(f"{path.name}: signed and verified ({tool})")
        print(notes[-1])
    return notes


def executables(folder: Path, *, include_missing: bool = False) -> list[Path]:
    """The programs to sign: the two executables and, in an x64 build, the bundled x86 bridge."""
    paths = [folder / f"{name}{EXE_SUFFIX}" for name in (GUI_EXE_NAME, CONSOLE_EXE_NAME)]
    bridge = folder / BRIDGE_FOLDER / f"{CONSOLE_EXE_NAME}{EXE_SUFFIX}"
    if bridge.exists():
        paths.append(bridge)
    return [path for path in paths if include_missing or path.exists()]


def add_bridge(folder: Path, bridge_dir: Path) -> str:
    """Put the 32-bit console build in <folder>/x86, where the x64 app looks for its ODBC bridge.

    The Timberline Data driver is usually 32-bit and a 64-bit process cannot load it; the app
    then runs the SELECTs in this 32-bit child (sage.odbc_bridge "auto").
    """
    step(f"Adding the 32-bit ODBC bridge from {bridge_dir}")
    exe = bridge_dir / f"{CONSOLE_EXE_NAME}{EXE_SUFFIX}"
    if not exe.is_file():
        raise BuildError(f"--bridge-dir: {bridge_dir} holds no {exe.name} (pass the frozen folder "
                         "of the x86 console-only build)")
    if (bridge_dir / f"{GUI_EXE_NAME}{EXE_SUFFIX}").exists():
        raise BuildError(f"--bridge-dir: {bridge_dir} is a full build; the bridge is the "
                         "console-only x86 build")
    target = folder / BRIDGE_FOLDER
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(bridge_dir, target)
    return f"{BRIDGE_FOLDER}/{exe.name}: 32-bit ODBC bridge added ({megabytes(folder_size(target))})"


def is_console_only(folder: Path) -> bool:
    """The Qt-free build (32-bit Python cannot install PySide6): no windowed executable."""
    return not (folder / f"{GUI_EXE_NAME}{EXE_SUFFIX}").exists()


def find_makensis() -> str:
    found = shutil.which("makensis")
    if found:
        return found
    default = Path(os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)")) / "NSIS" / "makensis.exe"
    if default.is_file():
        return str(default)
    raise BuildError("makensis not found: install NSIS 3.08 or later (Windows: choco install nsis; "
                     "Debian/Ubuntu: apt-get install nsis)")


def nsis_version(makensis: str) -> tuple[int, int]:
    output = subprocess.run([makensis, "-VERSION"], capture_output=True, text=True,
                            check=False).stdout
    match = re.search(r"(\d+)\.(\d+)", output)
    if not match:
        raise BuildError(f"cannot read the NSIS version from {output!r}")
    return int(match.group(1)), int(match.group(2))


def build_installer(folder: Path, dist: Path, tool: str | None,
                    compressor: str = "lzma") -> tuple[Path, float]:
    step("Building the installer (makensis resources/installer.nsi)")
    makensis = find_makensis()
    version = nsis_version(makensis)
    if tool and version < MIN_NSIS_FOR_SIGNING:
        raise BuildError(f"NSIS {version[0]}.{version[1]:02d} cannot sign the uninstaller; "
                         "signed builds need NSIS 3.08 or later (!uninstfinalize)")
    output = dist / installer_file_name(__version__, build_arch())
    output.unlink(missing_ok=True)
    command = [
        makensis, "-V2",
        f"-DAPP_VERSION={__version__}",
        f"-DVERSION_QUAD={dotted_four_part(__version__)}",
        f"-DARCH={build_arch()}",
        f"-DPUBLISHER={COMPANY}",
        f"-DSOURCE_DIR={folder}",
        f"-DOUTPUT_FILE={output}",
        f"-DICON={ROOT / 'sage_sync_desktop' / 'assets' / 'app-icon.ico'}",
        f"-DCOMPRESSOR={compressor}",
    ]
    if is_console_only(folder):
        command.append("-DCONSOLE_ONLY")
    if tool:
        # NSIS appends the file to sign; code_signing.py reads the certificate from the environment.
        command.append(f'-DSIGN_CMD="{sys.executable}" "{RESOURCES / "code_signing.py"}" sign --tool {tool}')
    command.append(str(RESOURCES / "installer.nsi"))
    started = time.perf_counter()
    if subprocess.run(command, cwd=RESOURCES, check=False).returncode != 0 or not output.is_file():
        raise BuildError("makensis failed (see its output above)")
    elapsed = time.perf_counter() - started
    print(f"built {output.name} in {elapsed:.0f} s ({megabytes(output.stat().st_size)})")
    return output, elapsed


def verify_all(paths: list[Path], tool: str, record_file: Path) -> list[str]:
    step("Verifying every signature")
    lines = []
    for path in paths:
        if is_windows_pe(path):
            verify(path, tool)
            lines.append(f"{path.name}: signature verifies")
            print(lines[-1])
    # The uninstaller was a temporary file when NSIS signed it; code_signing.py verified it then.
    records = [json.loads(line) for line in record_file.read_text(encoding="utf-8").splitlines()
               if line.strip()] if record_file.exists() else []
    named = {str(path) for path in paths}
    uninstallers = [record for record in records if record["file"] not in named]
    for record in uninstallers:
        lines.append(f"uninstaller (signed inside makensis): signature verified, sha256 "
                     f"{record['sha256'][:16]}...")
        print(lines[-1])
    if any(not record["timestamped"] for record in records):
        print("WARNING: signed WITHOUT a timestamp (SIGN_TIMESTAMP_URL not set): these signatures "
              "stop being valid when the certificate expires. Set SIGN_TIMESTAMP_URL for releases.")
    return lines


def write_checksum(installer: Path) -> str:
    import hashlib

    digest = hashlib.sha256(installer.read_bytes()).hexdigest()
    installer.with_name(installer.name + ".sha256").write_text(f"{digest}  {installer.name}\n",
                                                               encoding="utf-8")
    return digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sign-with", choices=("osslsigncode", "signtool"),
                        help="sign with this tool (certificate from the environment); "
                        "without it the build is unsigned")
    parser.add_argument("--skip-installer", action="store_true",
                        help="stop after freezing, self-testing and signing the executables")
    parser.add_argument("--skip-freeze", action="store_true",
                        help="package the frozen folder already in --dist (still self-tested)")
    parser.add_argument("--compressor", choices=("lzma", "zlib"), default="lzma",
                        help="installer compression: lzma (release, default) or zlib (faster, "
                        "for CI checks of the installer script)")
    parser.add_argument("--bridge-dir", type=Path,
                        help="x64 build: the frozen folder of the x86 console-only build, shipped "
                        "as x86\\ so the 64-bit app can read a 32-bit Timberline driver")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build",
                        help="PyInstaller's work folder")
    args = parser.parse_args(argv)
    tool = args.sign_with
    print(f"{APP_NAME} {__version__}, {build_arch()} build (Python {sys.version.split()[0]}, "
          f"{struct.calcsize('P') * 8}-bit) on {sys.platform}")
    if importlib.util.find_spec("PySide6") is None or os.environ.get("SAGE_SYNC_CONSOLE_ONLY") == "1":
        print("NOTE: console-only build (no PySide6 for this Python): sage-sync only, no window.")
    if tool and not os.environ.get("SIGN_TIMESTAMP_URL"):
        print("NOTE: SIGN_TIMESTAMP_URL is not set: signing without an RFC 3161 timestamp.")
    with tempfile.TemporaryDirectory(prefix="sign-record-") as tmp:
        record_file = Path(tmp) / "signed.jsonl"
        os.environ["SIGN_RECORD"] = str(record_file)
        try:
            if args.skip_freeze:
                folder, freeze_seconds = args.dist.resolve() / GUI_EXE_NAME, None
                if not (folder / f"{CONSOLE_EXE_NAME}{EXE_SUFFIX}").is_file():
                    raise BuildError(f"--skip-freeze: no frozen app in {folder}")
            else:
                folder, freeze_seconds = freeze(args.dist.resolve(), args.work.resolve())
            bridge_note = add_bridge(folder, args.bridge_dir.resolve()) if args.bridge_dir else None
            self_test(folder)
            summary = sign_executables(folder, tool)
            if bridge_note:
                summary.insert(0, bridge_note)
            installer = None
            if not args.skip_installer:
                installer, nsis_seconds = build_installer(folder, args.dist.resolve(), tool,
                                                          args.compressor)
                summary.append(f"{installer.name}: {megabytes(installer.stat().st_size)}, built in "
                               f"{nsis_seconds:.0f} s, sha256 {write_checksum(installer)}")
                if not tool:
                    summary.append(f"{installer.name}: NOT signed (no --sign-with)")
            if tool:
                targets = executables(folder)
                summary += verify_all(targets + ([installer] if installer else []), tool, record_file)
        except (BuildError, SigningError) as exc:
            print(f"\nBUILD FAILED: {exc}", file=sys.stderr)
            return 1
    step("Summary")
    frozen_in = "reused" if freeze_seconds is None else f"{freeze_seconds:.0f} s"
    print(f"freeze: {frozen_in}; frozen folder {folder} = {megabytes(folder_size(folder))}")
    for line in summary:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
