"""Fill resources/version_info.txt.in from the package version, for each frozen executable.

Used by build_installer.spec (and tested by tests/packaging/test_version_resource.py). Kept apart
from the spec so the version arithmetic can be tested without running a freeze.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).resolve().parent / "version_info.txt.in"

_RELEASE = re.compile(r"^\s*v?(\d+(?:\.\d+)*)")


def four_part_version(version: str) -> tuple[int, int, int, int]:
    """The PEP 440 release numbers as Windows' a.b.c.d: "1.2" -> (1, 2, 0, 0).

    Pre-release and local parts ("1.2.3rc1", "1.2.3+g1a2b") are dropped: Windows file versions are
    four 16-bit numbers and nothing else.
    """
    match = _RELEASE.match(version)
    if not match:
        raise ValueError(f"version {version!r} does not start with release numbers like 1.2.3")
    numbers = [int(part) for part in match.group(1).split(".")]
    if len(numbers) > 4:
        raise ValueError(f"version {version!r} has more than four release numbers")
    if any(number > 0xFFFF for number in numbers):
        raise ValueError(f"version {version!r} has a number above 65535, which Windows cannot store")
    numbers += [0] * (4 - len(numbers))
    return numbers[0], numbers[1], numbers[2], numbers[3]


def dotted_four_part(version: str) -> str:
    """"0.1.0" -> "0.1.0.0", the form NSIS' VIProductVersion requires."""
    return ".".join(str(number) for number in four_part_version(version))


def render_version_info(
    version: str,
    *,
    exe_file_name: str,
    description: str,
    product_name: str,
    company: str,
) -> str:
    """The version file text for one executable (PyInstaller's VSVersionInfo format)."""
    internal_name = exe_file_name.rsplit(".", 1)[0]
    values = {
        "file_version_tuple": repr(four_part_version(version)),
        "version": repr(version),
        "company": repr(company),
        "description": repr(description),
        "internal_name": repr(internal_name),
        "copyright": repr(f"Copyright (C) {company}"),
        "original_filename": exe_file_name,
        "original_filename_literal": repr(exe_file_name),
        "product_name": repr(product_name),
    }
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def write_version_info(path: Path, version: str, **fields: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_version_info(version, **fields), encoding="utf-8")
    return path
