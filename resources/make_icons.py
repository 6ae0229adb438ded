"""Draw the app icon once and write every format the build and the window need.

Run from the repository root: `python resources/make_icons.py`. The outputs are committed, so a
build never needs this script; rerun it only when the drawing changes.

Writes the one copy of the icon, in the package's assets (the window loads it at runtime; the
PyInstaller spec and the NSIS script use the .ico for the executables and the installer):
  sage_sync_desktop/assets/app-icon-<size>.png, app-icon.svg, app-icon.ico

The .ico is assembled here rather than by Qt's ICO writer because Qt writes one image per file;
Windows wants every size in one file, with classic DIB entries below 256 px (what Explorer,
the taskbar and NSIS read everywhere) and a PNG entry at 256 px.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPen, QPolygonF
from PySide6.QtSvg import QSvgGenerator

ROOT = Path(__file__).resolve().parent.parent
ASSET_DIR = ROOT / "sage_sync_desktop" / "assets"
SIZES = (16, 24, 32, 48, 64, 128, 256)
CANVAS = 256.0

SLATE_TOP = QColor("#2E4A5E")
SLATE_BOTTOM = QColor("#1E2B36")
SHEET = QColor("#FFFFFF")
LEDGER_GREEN = QColor("#2E9E44")  # Sage's side: the ledger being read
PROCORE_ORANGE = QColor("#F47E42")  # Procore's side: where the lines go


def paint_icon(painter: QPainter, size: float) -> None:
    """A ledger sheet with an arrow leaving it: Sage lines going one way, to Procore."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / CANVAS, size / CANVAS)
    gradient = QLinearGradient(0, 0, 0, CANVAS)
    gradient.setColorAt(0.0, SLATE_TOP)
    gradient.setColorAt(1.0, SLATE_BOTTOM)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(gradient))
    painter.drawRoundedRect(QRectF(8, 8, 240, 240), 44, 44)

    painter.setBrush(SHEET)
    painter.drawRoundedRect(QRectF(40, 48, 104, 160), 12, 12)
    # Below 32 px the ledger lines would blur into grey; two thick ones still read as "a list".
    rows = (96, 150) if size < 32 else (84, 114, 144, 174)
    thickness = 22 if size < 32 else 12
    painter.setPen(QPen(LEDGER_GREEN, thickness, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    for y in rows:
        painter.drawLine(QPointF(62, y), QPointF(122, y))

    arrow = QPolygonF([
        QPointF(108, 108), QPointF(170, 108), QPointF(170, 72), QPointF(236, 128),
        QPointF(170, 184), QPointF(170, 148), QPointF(108, 148),
    ])
    # A slate outline separates the arrow from the sheet it overlaps, even at 16 px.
    painter.setPen(QPen(SLATE_BOTTOM, 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                        Qt.PenJoinStyle.RoundJoin))
    painter.setBrush(PROCORE_ORANGE)
    painter.drawPolygon(arrow)


def render_png(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    paint_icon(painter, float(size))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data)


def dib_bytes(image: QImage) -> bytes:
    """An ICO entry in the classic form: BITMAPINFOHEADER, BGRA rows bottom-up, an AND mask."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    width, height = image.width(), image.height()
    stride = width * 4
    pixels = bytes(image.constBits())  # ARGB32 is B,G,R,A in memory on little-endian machines
    rows = [pixels[y * image.bytesPerLine(): y * image.bytesPerLine() + stride] for y in range(height)]
    xor = b"".join(reversed(rows))
    mask_stride = ((width + 31) // 32) * 4
    and_mask = bytes(mask_stride * height)  # all zero: the alpha channel decides transparency
    header = struct.pack("<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, len(xor) + len(and_mask),
                         0, 0, 0, 0)
    return header + xor + and_mask


def ico_bytes(images: dict[int, QImage]) -> bytes:
    entries = []
    for size, image in sorted(images.items()):
        payload = png_bytes(image) if size >= 256 else dib_bytes(image)
        entries.append((size, payload))
    offset = 6 + 16 * len(entries)
    directory = struct.pack("<HHH", 0, 1, len(entries))
    blobs = b""
    for size, payload in entries:
        dimension = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        directory += struct.pack("<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(payload), offset)
        offset += len(payload)
        blobs += payload
    return directory + blobs


def write_svg(path: Path) -> None:
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(256, 256))
    generator.setViewBox(QRectF(0, 0, CANVAS, CANVAS))
    generator.setTitle("Sage Sync Desktop")
    generator.setDescription("Sage Sync Desktop application icon")
    painter = QPainter(generator)
    paint_icon(painter, CANVAS)
    painter.end()


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ASSET_DIR.mkdir(parents=True, exist_ok=True)
    images = {size: render_png(size) for size in SIZES}
    for size, image in images.items():
        (ASSET_DIR / f"app-icon-{size}.png").write_bytes(png_bytes(image))
    (ASSET_DIR / "app-icon.ico").write_bytes(ico_bytes(images))
    write_svg(ASSET_DIR / "app-icon.svg")
    del app
    print(f"wrote {len(SIZES)} PNG sizes, app-icon.ico and app-icon.svg to {ASSET_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
