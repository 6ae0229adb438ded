"""docs/configuration.md against settings.py: every key documented, nothing documented that is not a key."""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from typing import Any

from sage_sync_desktop.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
_ROW = re.compile(r"^\|(?P<keys>[^|]*)\|(?P<default>[^|]*)\|")


def _defaults() -> dict[str, Any]:
    """Every settings key as `section.key` (or `key` at the top level) with its default value."""
    keys: dict[str, Any] = {}
    top = Settings()
    for section in fields(Settings):
        value = getattr(top, section.name)
        if is_dataclass(value):
            for item in fields(value):
                keys[f"{section.name}.{item.name}"] = getattr(value, item.name)
        else:
            keys[section.name] = value
    return keys


def _documented() -> dict[str, str]:
    """Each key named in the first column of the doc's key table, with its Default cell."""
    documented: dict[str, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        names = re.findall(r"`([^`]+)`", match["keys"])
        for name in names:
            documented[name] = match["default"].strip()
    return documented


def test_every_settings_key_is_documented() -> None:
    assert sorted(set(_defaults()) - set(_documented())) == []


def test_every_documented_key_is_a_settings_key() -> None:
    assert sorted(set(_documented()) - set(_defaults())) == []


def test_documented_defaults_equal_the_code_defaults() -> None:
    """Where the Default cell is a JSON value (`"auto"`, `15`, `{}`, `null`), it is the default."""
    wrong = {}
    checked = 0
    for name, cell in _documented().items():
        literal = re.fullmatch(r"`(.*)`", cell)
        if not literal or name not in _defaults():
            continue  # described in words ("Procore production")
        checked += 1
        if json.loads(literal[1]) != _defaults()[name]:
            wrong[name] = (cell, _defaults()[name])
    assert wrong == {}
    assert checked >= len(_defaults()) // 2, "too few defaults written as JSON to check"


def test_the_checker_reads_the_table_rows_it_should() -> None:
    documented = _documented()
    assert documented["sage.connection_string"] == '`""`'
    assert "procore.login_url" in documented  # two keys in one row
    assert not any(name.startswith(("Key", "---")) for name in documented)
    assert all(default is not MISSING for default in _defaults().values())
