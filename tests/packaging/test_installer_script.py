"""resources/installer.nsi: what IT relies on (silent install, Apps & Features entry, upgrade and
uninstall that keep user data), read from the script and proven by compiling it with makensis."""

from __future__ import annotations

import re
import pytest

from sage_sync_desktop import __version__
from tests.packaging.conftest import RESOURCES, makensis_command, run

SCRIPT = RESOURCES / "installer.nsi"


def _code_lines() -> list[str]:
    """The script without comments, with backslash-continued lines joined."""
    text = SCRIPT.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.strip().startswith((";", "#"))]


def _defines() -> dict[str, str]:
    defines = {}
    for line in _code_lines():
        match = re.match(r'!define\s+(\w+)\s+"([^"]*)"', line)
        if match:
            defines.setdefault(match.group(1), match.group(2))
    return defines


def _section(name: str) -> list[str]:
    lines = _code_lines()
    start = lines.index(f'Section "{name}"')
    end = lines.index("SectionEnd", start)
    return lines[start + 1: end]


def _registry_values() -> dict[str, tuple[str, str]]:
    """Value name -> (kind, data) for everything written under the uninstall key."""
    values = {}
    for line in _section("Install"):
        match = re.match(r'WriteReg(Str|DWORD)\s+HKLM\s+"\$\{UNINSTALL_KEY\}"\s+"(\w+)"\s+(.+)$', line)
        if match:
            values[match.group(2)] = (match.group(1), match.group(3).strip())
    return values


def test_apps_and_features_entry_has_every_field_it_shows() -> None:
    assert _defines()["UNINSTALL_KEY"].startswith(
        r"Software\Microsoft\Windows\CurrentVersion\Uninstall" + "\\")
    values = _registry_values()
    for name in ("DisplayName", "DisplayVersion", "Publisher", "DisplayIcon", "InstallLocation",
                 "UninstallString", "QuietUninstallString"):
        assert values[name][0] == "Str", name
    assert "${APP_VERSION}" in values["DisplayVersion"][1]
    assert values["NoModify"] == ("DWORD", "1")
    assert values["NoRepair"] == ("DWORD", "1")
    assert values["EstimatedSize"][0] == "DWORD"


def test_quiet_uninstall_string_runs_the_uninstaller_silently() -> None:
    values = _registry_values()
    assert values["UninstallString"][1] == """'"$INSTDIR\\${UNINSTALLER}"'"""
    assert values["QuietUninstallString"][1] == """'"$INSTDIR\\${UNINSTALLER}" /S'"""
    assert _defines()["UNINSTALLER"] == "uninstall.exe"


def test_every_dialog_has_a_silent_default_so_s_never_waits() -> None:
    boxes = [line for line in _code_lines() if line.startswith("MessageBox")]
    assert boxes, "the script has no MessageBox to check"
    assert [box for box in boxes if "/SD " not in box] == []


def test_install_is_per_machine_under_program_files_for_each_architecture() -> None:
    code = "\n".join(_code_lines())
    assert "RequestExecutionLevel admin" in code
    assert re.search(r'"\$\{ARCH\}" == "x64"\s+!define DEFAULT_DIR "\$PROGRAMFILES64\\', code)
    assert re.search(r'"\$\{ARCH\}" == "x86"\s+!define DEFAULT_DIR "\$PROGRAMFILES32\\', code)
    assert "SetShellVarContext all" in _section("Install")
    assert any(line.startswith("CreateShortCut \"${SHORTCUT}\"") for line in _section("Install"))
    assert _defines()["SHORTCUT"].startswith("$SMPROGRAMS\\")


def test_neither_upgrade_nor_uninstall_touches_user_data() -> None:
    code = "\n".join(_code_lines())
    for user_data in ("$LOCALAPPDATA", "$APPDATA", "$PROFILE", "Credential"):
        assert user_data not in code
    # Only the frozen folder's own parts are removed, never the whole chosen folder.
    assert not re.search(r'RMDir\s+/r\s+"\$INSTDIR"', code)
    assert 'RMDir /r "$INSTDIR\\_internal"' in code
    assert 'RMDir "$INSTDIR"' in _section("Uninstall")
    assert 'DeleteRegKey HKLM "${UNINSTALL_KEY}"' in _section("Uninstall")


def test_installer_and_uninstaller_are_both_signed_through_the_sign_command() -> None:
    code = "\n".join(_code_lines())
    assert re.search(r'!finalize `\$\{SIGN_CMD\} "%1"` = 0', code)
    assert re.search(r'!uninstfinalize `\$\{SIGN_CMD\} "%1"` = 0', code)


def test_debian_nsis_is_new_enough_to_sign_the_uninstaller() -> None:
    version = run(["makensis", "-VERSION"]).stdout
    major, minor = map(int, re.search(r"(\d+)\.(\d+)", version).groups())
    assert (major, minor) >= (3, 8), version


@pytest.mark.parametrize("arch", ["x86", "x64"])
def test_script_compiles_for_each_architecture(tiny_program_folder, tmp_path, arch) -> None:
    output = tmp_path / f"setup-{arch}.exe"
    result = run(makensis_command(tiny_program_folder, output, arch=arch))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert output.read_bytes()[:2] == b"MZ"


def test_script_refuses_an_unknown_architecture(tiny_program_folder, tmp_path) -> None:
    result = run(makensis_command(tiny_program_folder, tmp_path / "s.exe", arch="arm64"))
    assert result.returncode != 0
    assert "ARCH must be x86 or x64" in result.stdout + result.stderr


def test_script_names_a_missing_define(tmp_path) -> None:
    command = [part for part in makensis_command(tmp_path, tmp_path / "s.exe")
               if not part.startswith("-DSOURCE_DIR=")]
    result = run(command)
    assert result.returncode != 0
    assert "Define SOURCE_DIR" in result.stdout + result.stderr


def test_installer_packs_the_folder_passed_by_define(tiny_program_folder, tmp_path) -> None:
    # -V4 lists every file packed: the folder named by SOURCE_DIR is what gets installed.
    command = makensis_command(tiny_program_folder, tmp_path / "setup.exe")
    result = run([command[0], "-V4", *command[2:]])
    assert result.returncode == 0, result.stdout[-3000:]
    for name in ("SageSyncDesktop.exe", "sage-sync.exe", "base_library.zip"):
        assert re.search(rf"File: \"{re.escape(name)}\"", result.stdout), name


def _compiled_registry(tiny_folder, tmp_path, *extra: str, arch: str = "x64") -> tuple[dict, str]:
    """The uninstall-key values as makensis resolved them (-V4 echoes every instruction)."""
    command = makensis_command(tiny_folder, tmp_path / "setup.exe", arch=arch)
    result = run([command[0], "-V4", *extra, *command[2:]])
    assert result.returncode == 0, result.stdout[-3000:]
    prefix = "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\SageSyncDesktop\\"
    values = {}
    for line in result.stdout.splitlines():
        match = re.match(r"WriteReg(?:Str|DWORD): (.+?)=(.*)$", line.strip())
        if match and match.group(1).startswith(prefix):
            values[match.group(1)[len(prefix):]] = match.group(2)
    return values, result.stdout


def test_compiled_apps_and_features_entry_carries_the_release_values(tiny_program_folder,
                                                                     tmp_path) -> None:
    values, listing = _compiled_registry(tiny_program_folder, tmp_path)
    assert values["DisplayName"] == "Sage Sync Desktop (x64)"
    assert values["DisplayVersion"] == __version__
    assert values["Publisher"] == "SageSyncDesktop"
    assert values["DisplayIcon"] == "$INSTDIR\\SageSyncDesktop.exe,0"
    assert values["InstallLocation"] == "$INSTDIR"
    assert values["UninstallString"] == '"$INSTDIR\\uninstall.exe"'
    assert values["QuietUninstallString"] == '"$INSTDIR\\uninstall.exe" /S'
    assert values["NoModify"] == "1" and values["NoRepair"] == "1"
    assert 'CreateShortcut: "$SMPROGRAMS\\Sage Sync Desktop.lnk"->"$INSTDIR\\SageSyncDesktop.exe"' in listing
    assert 'InstallDir: "$PROGRAMFILES64\\SageSyncDesktop"' in listing


def test_x86_installer_defaults_to_the_32_bit_program_files(tiny_program_folder, tmp_path) -> None:
    _, listing = _compiled_registry(tiny_program_folder, tmp_path, arch="x86")
    assert 'InstallDir: "$PROGRAMFILES32\\SageSyncDesktop"' in listing


def test_console_only_installer_has_no_shortcut_to_a_missing_window(tiny_program_folder,
                                                                    tmp_path) -> None:
    (tiny_program_folder / "SageSyncDesktop.exe").unlink()
    values, listing = _compiled_registry(tiny_program_folder, tmp_path, "-DCONSOLE_ONLY", arch="x86")
    assert "CreateShortcut" not in listing
    assert values["DisplayIcon"] == "$INSTDIR\\sage-sync.exe,0"
    assert values["DisplayName"] == "Sage Sync Desktop (x86, command line)"
