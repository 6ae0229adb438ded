"""The committed app icon: every size Windows asks for, in one place (the package's assets)."""

from __future__ import annotations

import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "sage_sync_desktop" / "assets"
SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _ico_entries(data: bytes) -> list[tuple[int, bytes]]:
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1), "not an icon file"
    entries = []
    for index in range(count):
        width, _height, _colours, _reserved, _planes, _bits, size, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index: 22 + 16 * index])
        entries.append((width or 256, data[offset: offset + size]))
    return entries


def test_ico_holds_every_size_windows_uses() -> None:
    entries = _ico_entries((ASSETS / "app-icon.ico").read_bytes())
    assert sorted(width for width, _ in entries) == list(SIZES)


def test_ico_entries_decode_at_their_declared_size() -> None:
    for width, payload in _ico_entries((ASSETS / "app-icon.ico").read_bytes()):
        if payload[:8] == PNG_SIGNATURE:
            assert _png_size(payload) == (width, width)
        else:
            header_size, dib_width, dib_height, _planes, bits = struct.unpack("<IiiHH", payload[:16])
            assert (header_size, dib_width, dib_height, bits) == (40, width, 2 * width, 32)
            mask_stride = ((width + 31) // 32) * 4
            assert len(payload) == 40 + width * width * 4 + mask_stride * width


def test_png_icons_have_their_named_sizes() -> None:
    for size in SIZES:
        assert _png_size((ASSETS / f"app-icon-{size}.png").read_bytes()) == (size, size)


def test_the_icon_lives_only_in_the_package_assets() -> None:
    outside = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "resources").rglob("*")
                     if p.suffix in (".ico", ".svg") or (p.suffix == ".png" and "screenshot" not in p.name))
    assert outside == []


def test_executables_and_installer_take_the_icon_from_the_package_assets() -> None:
    spec = (ROOT / "build_installer.spec").read_text(encoding="utf-8")
    assert 'ICON = PACKAGE / "assets" / "app-icon.ico"' in spec
    build = (ROOT / "resources" / "build_release.py").read_text(encoding="utf-8")
    assert "-DICON={ROOT / 'sage_sync_desktop' / 'assets' / 'app-icon.ico'}" in build
    nsis = (ROOT / "resources" / "installer.nsi").read_text(encoding="utf-8")
    assert '!define ICON "../sage_sync_desktop/assets/app-icon.ico"' in nsis
    assert (ROOT / "resources" / "../sage_sync_desktop/assets/app-icon.ico").is_file()
