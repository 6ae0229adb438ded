"""Layer rules from STYLE.md, checked on the source so they never rot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sage_sync_desktop"

# External library -> the only modules (relative to the package) allowed to import it.
OWNERS = {
    "PySide6": ("gui/",),
    "pyodbc": ("sage/odbc_connection.py",),
    "requests": ("procore/http_transport.py",),
    "keyring": ("secret_store.py",),
    "platformdirs": ("paths.py",),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_each_external_library_has_one_owner(library: str) -> None:
    allowed = OWNERS[library]
    offenders = []
    for path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        if library in _imports(path) and not any(relative.startswith(a) for a in allowed):
            offenders.append(relative)
    assert offenders == [], f"{library} imported outside {allowed}: {offenders}"


def test_core_never_imports_the_gui_package() -> None:
    offenders = []
    for path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(("gui/", "cli/window_command.py", "cli/self_test_command.py", "cli/bench_command.py")):
            continue
        source = path.read_text(encoding="utf-8")
        if "sage_sync_desktop.gui" in source:
            offenders.append(relative)
    assert offenders == []


def test_no_module_passes_the_size_limit() -> None:
    too_long = {
        path.relative_to(PACKAGE).as_posix(): n
        for path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert too_long == {}
