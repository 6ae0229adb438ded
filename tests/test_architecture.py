"""Layer rules from STYLE.md and docs/architecture.md, checked on the source so they never rot."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
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

# The package's parts, lowest first. A part may import only the parts listed for it (and itself);
# everything else is an upward or sideways import. "base" is the package root's small modules.
BASE = frozenset({"__init__", "app_info", "errors", "file_permissions", "logging_setup", "paths", "secret_store"})
# demo/ holds two layers: the sample data and its writers (below app/, whose self-test generates
# a sample company) and the set-ups that run the assembled engine on them (above app/).
SAMPLE_DATA = frozenset({"demo/__init__.py", "demo/sample_company.py", "demo/sample_company_data.py",
                         "demo/sample_editor.py"})
CORE = frozenset({"base", "sage", "procore", "settings", "sync"})
ALLOWED: dict[str, frozenset[str]] = {
    "base": frozenset({"base"}),
    "sage": frozenset({"base"}),
    "procore": frozenset({"base"}),  # never sync or settings: the client is given what it needs
    "settings": frozenset({"base", "procore"}),  # the Procore environments' base URLs
    "sync": frozenset({"base", "sage", "procore", "settings"}),  # never the sandbox stand-in
    "sandbox": frozenset({"base"}),  # stands in for Procore: shares no code with the client side
    "sample_data": frozenset({"base", "sage"}),
    "app": CORE | {"sandbox", "sample_data"},
    "demo": CORE | {"sandbox", "sample_data", "app"},
    "bench": CORE | {"sandbox", "sample_data", "app", "demo"},
    "gui": CORE | {"sample_data", "app", "demo"},  # never cli
    "cli": CORE | {"sandbox", "sample_data", "app", "demo", "bench", "gui"},
    "__main__": frozenset({"base", "cli"}),
}

# Imports that break a rule today, each with the change that removes it. The test below fails
# when one of them is gone, so a fixed rule is enforced from then on: delete its line.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}

MAX_LINES = 400
# Modules still over MAX_LINES, held to the former limit until they are split.
LONG_MODULES: dict[str, int] = {}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _part(relative: str) -> str:
    """The part a module belongs to: its sub-package, or "base"/"settings"/"__main__" at the root."""
    if relative in SAMPLE_DATA:
        return "sample_data"
    if "/" in relative:
        return relative.split("/")[0]
    name = relative.removesuffix(".py")
    return "base" if name in BASE else name


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_names(path: Path, *, top_level_only: bool = False) -> Iterator[str]:
    """Every module name an import statement names; `from x import y` yields x and x.y."""
    nodes = _tree(path).body if top_level_only else ast.walk(_tree(path))
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imported_names(path)}


def _module_file(name: str) -> str | None:
    """The package-relative file of a dotted module name, or None when it names no module."""
    pieces = name.split(".")
    if pieces[0] != "sage_sync_desktop":
        return None
    inner = "/".join(pieces[1:])
    if inner and (PACKAGE / f"{inner}.py").is_file():
        return f"{inner}.py"
    if (PACKAGE / inner / "__init__.py").is_file():
        return f"{inner}/__init__.py" if inner else "__init__.py"
    return None


def _internal_parts(path: Path) -> set[str]:
    """The package parts a module imports, function-level imports included. `from x import y`
    counts as importing y when y is a module, x otherwise."""
    parts = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            files = [_module_file(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            files = [_module_file(f"{node.module}.{alias.name}") or _module_file(node.module)
                     for alias in node.names]
        else:
            continue
        parts.update(_part(file) for file in files if file is not None)
    return parts


def _violations() -> dict[tuple[str, str], str]:
    found = {}
    for path in _modules():
        relative = _relative(path)
        part = _part(relative)
        allowed = ALLOWED.get(part)
        assert allowed is not None, f"{relative}: part {part!r} has no layer rule in ALLOWED"
        for imported in _internal_parts(path) - {part} - allowed:
            found[(relative, imported)] = part
    return found


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_each_external_library_has_one_owner(library: str) -> None:
    allowed = OWNERS[library]
    offenders = []
    for path in _modules():
        relative = _relative(path)
        if library in _imports(path) and not any(relative.startswith(a) for a in allowed):
            offenders.append(relative)
    assert offenders == [], f"{library} imported outside {allowed}: {offenders}"


def test_core_never_imports_the_gui_package() -> None:
    offenders = []
    for path in _modules():
        relative = _relative(path)
        if relative.startswith(("gui/", "cli/window_command.py", "cli/self_test_output.py", "cli/bench_command.py")):
            continue
        source = path.read_text(encoding="utf-8")
        if "sage_sync_desktop.gui" in source:
            offenders.append(relative)
    assert offenders == []


def test_no_part_imports_a_part_above_it() -> None:
    new = {key: part for key, part in _violations().items() if key not in KNOWN_VIOLATIONS}
    assert new == {}, "imports against the layer rules (module, imported part): " + ", ".join(
        f"{module} ({part}) imports {imported}" for (module, imported), part in sorted(new.items()))


def test_every_known_violation_still_exists() -> None:
    """A fixed violation leaves KNOWN_VIOLATIONS, so the rule is enforced from then on."""
    stale = sorted(set(KNOWN_VIOLATIONS) - set(_violations()))
    assert stale == [], f"fixed, now delete from KNOWN_VIOLATIONS: {stale}"


def test_no_import_cycles_between_modules() -> None:
    """Module-level imports only: an import inside a function is a deliberate late binding."""
    graph: dict[str, set[str]] = {}
    names = {".".join(("sage_sync_desktop", *_relative(p).removesuffix(".py").split("/"))): p for p in _modules()}
    names = {name.removesuffix(".__init__"): path for name, path in names.items()}
    for name, path in names.items():
        graph[name] = {imported for imported in _imported_names(path, top_level_only=True)
                       if imported in names and imported != name}
    cycles = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_module_passes_the_size_limit() -> None:
    too_long = {}
    for path in _modules():
        relative = _relative(path)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LONG_MODULES.get(relative, MAX_LINES):
            too_long[relative] = lines
    assert too_long == {}


def test_every_long_module_is_still_long() -> None:
    """A module split below the limit leaves LONG_MODULES, so the limit holds for it from then on."""
    short = sorted(rel for rel in LONG_MODULES
                   if not (PACKAGE / rel).is_file()
                   or len((PACKAGE / rel).read_text(encoding="utf-8").splitlines()) <= MAX_LINES)
    assert short == [], f"now within {MAX_LINES} lines, delete from LONG_MODULES: {short}"


def test_procore_tool_names_are_defined_once_outside_the_sandbox() -> None:
    """The sandbox stands in for Procore and keeps its own copy; the app names each tool once."""
    places = {}
    for path in _modules():
        relative = _relative(path)
        if relative.startswith("sandbox/"):
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Constant) and node.value in ("ERP Integrations", "Prime Contracts"):
                places.setdefault(node.value, []).append(relative)
    assert places == {"ERP Integrations": ["procore/permissions.py"], "Prime Contracts": ["procore/permissions.py"]}


def test_availability_reasons_are_worded_in_one_module() -> None:
    """'Nothing new' and the other reasons that are not blocking rules live in sync/availability.py."""
    offenders = []
    for path in _modules():
        relative = _relative(path)
        for node in ast.walk(_tree(path)):
            if (isinstance(node, ast.Attribute) and node.attr == "NOTHING_NEW"
                    and isinstance(node.value, ast.Name) and node.value.id == "ReasonCode"
                    and relative != "sync/availability.py"):
                offenders.append(relative)
    assert offenders == []


def test_the_procore_client_and_its_sign_in_are_assembled_only_in_app_wiring() -> None:
    """The CLI and the window get the client, its session and its sign-in flow from app/wiring.py
    (the sandbox, Procore's stand-in, has no client at all)."""
    assembled = {"ProcoreClient", "HttpTransport", "OAuthServer", "ClientCredentialsAuth", "AuthorizationCodeAuth"}
    places = set()
    for path in _modules():
        relative = _relative(path)
        if relative.startswith("procore/"):
            continue  # where they are defined (and the client's own default session)
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in assembled:
                    places.add((relative, name))
    assert places == {("app/wiring.py", "HttpTransport"), ("app/wiring.py", "OAuthServer"),
                      ("app/wiring.py", "ClientCredentialsAuth"), ("app/wiring.py", "AuthorizationCodeAuth"),
                      ("app/wiring.py", "ProcoreClient")}
