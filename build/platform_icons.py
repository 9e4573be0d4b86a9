"""Pack resources/icons/*.png into a Windows .ico and a macOS .icns, with no extra tools.

Both formats can hold PNG data as it is (ICO since Windows Vista, ICNS since macOS 10.7), so
packing is a few struct headers around the PNGs that build/make_icons.py already rendered. That
avoids Pillow (which PyInstaller would otherwise want for converting icons) and `iconutil`
(macOS only), and lets both files be built and checked on any platform.

    .venv/bin/python build/platform_icons.py OUTDIR    # writes OUTDIR/faktory-desktop.{ico,icns}
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
NAME = "faktory-desktop"

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an .ico entry can be
# ICNS PNG element types by pixel size; the @2x types (ic11..ic14) reuse the larger PNGs.
ICNS_TYPES = (
    (b"icp4", 16), (b"ic11", 32), (b"icp5", 32), (b"ic12", 64), (b"icp6", 64),
    (b"ic07", 128), (b"ic13", 256), (b"ic08", 256), (b"ic14", 512), (b"ic09", 512),
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png(size: int, folder: Path = ICONS) -> bytes:
    data = (folder / f"{NAME}-{size}.png").read_bytes()
    if not data.startswith(PNG_MAGIC):
        raise ValueError(f"{NAME}-{size}.png is not a PNG")
    return data


def ico_bytes(folder: Path = ICONS) -> bytes:
    """ICONDIR, one 16-byte ICONDIRENTRY per size, then the PNGs."""
    images = [png(size, folder) for size in ICO_SIZES]
    offset = 6 + 16 * len(images)
    out = [struct.pack("<HHH", 0, 1, len(images))]
    for size, data in zip(ICO_SIZES, images, strict=True):
        side = 0 if size >= 256 else size  # 0 means 256
        out.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        offset += len(data)
    return b"".join(out + images)


def icns_bytes(folder: Path = ICONS) -> bytes:
    """'icns' + total length, then (type, length including its 8-byte header, PNG) elements."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(data)) + data
        for kind, data in ((kind, png(size, folder)) for kind, size in ICNS_TYPES)
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(outdir: Path) -> tuple[Path, Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    ico, icns = outdir / f"{NAME}.ico", outdir / f"{NAME}.icns"
    ico.write_bytes(ico_bytes())
    icns.write_bytes(icns_bytes())
    return ico, icns


if __name__ == "__main__":
    for path in write_icons(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(f"{path}  {path.stat().st_size:,} bytes")
