"""Render the app icon into resources/icons/ from the drawing code the app itself uses.

    .venv/bin/python build/make_icons.py

Writes faktory-desktop.svg and faktory-desktop-<size>.png (16..512), which installers use (the
.desktop file, .icns and .ico sources). The running app draws its icons itself
(`faktory_desktop.ui.icons`), so nothing here is needed at run time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QRect, QSize  # noqa: E402
from PySide6.QtGui import QGuiApplication, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgGenerator  # noqa: E402

from faktory_desktop.ui.icons import APP_SIZES, app_pixmap, paint_app_icon  # noqa: E402

OUT = ROOT / "resources" / "icons"
NAME = "faktory-desktop"
SVG_SIZE = 512


def write_svg(path: Path) -> None:
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(SVG_SIZE, SVG_SIZE))
    generator.setViewBox(QRect(0, 0, SVG_SIZE, SVG_SIZE))
    generator.setTitle("Faktory Desktop")
    painter = QPainter(generator)
    paint_app_icon(painter, SVG_SIZE)
    painter.end()


def write_pngs(folder: Path) -> list[Path]:
    paths = []
    for size in APP_SIZES:
        path = folder / f"{NAME}-{size}.png"
        if not app_pixmap(size).save(str(path), "PNG", 9):  # 9: smallest files
            raise OSError(f"could not write {path}")
        paths.append(path)
    return paths


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    svg = OUT / f"{NAME}.svg"
    write_svg(svg)
    for path in [svg, *write_pngs(OUT)]:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
