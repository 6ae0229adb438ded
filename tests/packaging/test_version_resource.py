"""The Windows version resource is generated from the package version, never typed by hand."""

from __future__ import annotations

import ast

import pytest
from version_resource import dotted_four_part, four_part_version, render_version_info

from sage_sync_desktop import __version__


def _calls(text: str, function: str) -> list[ast.Call]:
    tree = ast.parse(text)
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function]


def _string_table(text: str) -> dict[str, str]:
    return {ast.literal_eval(call.args[0]): ast.literal_eval(call.args[1])
            for call in _calls(text, "StringStruct")}


def _expected_numbers(version: str) -> tuple[int, ...]:
    numbers = tuple(int(part) for part in version.split("+")[0].split(".") if part.isdigit())
    return numbers + (0,) * (4 - len(numbers))


def test_version_resource_carries_the_package_version() -> None:
    text = render_version_info(__version__, exe_file_name="sage-sync.exe",
                               description="Sage Sync Desktop (command line)",
                               product_name="Sage Sync Desktop", company="SageSyncDesktop")
    (fixed,) = _calls(text, "FixedFileInfo")
    keywords = {keyword.arg: ast.literal_eval(keyword.value) for keyword in fixed.keywords}
    assert keywords["filevers"] == _expected_numbers(__version__)
    assert keywords["prodvers"] == keywords["filevers"]
    strings = _string_table(text)
    assert strings["FileVersion"] == __version__
    assert strings["ProductVersion"] == __version__
    assert strings["OriginalFilename"] == "sage-sync.exe"
    assert strings["InternalName"] == "sage-sync"
    assert strings["FileDescription"] == "Sage Sync Desktop (command line)"


def test_version_resource_quotes_names_safely() -> None:
    text = render_version_info("1.0", exe_file_name="a.exe", description="It's \"quoted\"",
                               product_name="P", company="O'Brien & Sons")
    strings = _string_table(text)
    assert strings["FileDescription"] == "It's \"quoted\""
    assert strings["CompanyName"] == "O'Brien & Sons"


@pytest.mark.parametrize(("version", "expected"), [
    ("0.1.0", (0, 1, 0, 0)),
    ("1.2", (1, 2, 0, 0)),
    ("1.2.3.4", (1, 2, 3, 4)),
    ("1.2.3rc1", (1, 2, 3, 0)),
    ("2.0.1.dev3+g1a2b3c", (2, 0, 1, 0)),
])
def test_four_part_version_keeps_only_release_numbers(version, expected) -> None:
    assert four_part_version(version) == expected


@pytest.mark.parametrize("version", ["dev", "1.2.3.4.5", "70000.1"])
def test_four_part_version_refuses_what_windows_cannot_store(version) -> None:
    with pytest.raises(ValueError, match=version.split(".")[0]):
        four_part_version(version)


def test_nsis_version_is_dotted_four_part() -> None:
    assert dotted_four_part("0.1.0") == "0.1.0.0"
