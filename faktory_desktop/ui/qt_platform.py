"""Can Qt open the display? Asked before the QApplication exists, because Qt cannot say no:
when its xcb platform plugin fails to load, or the X display refuses the connection, Qt prints
its own message and aborts the process.

On X11 (Qt's choice on Linux unless the session is Wayland), the answer comes from loading the
xcb plugin with the dynamic loader, as Qt is about to do anyway (so a working setup pays nothing
extra but one connection to the X server), and only when that fails, `ldd` lists every library
it lacks, named by its Debian/Ubuntu package. `python -m faktory_desktop.ui.qt_platform
--packages` prints those packages for `make qt-runtime`.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

XCB_PLUGIN = "libqxcb.so"
# The libraries outside Qt that the xcb plugin (and Qt's XcbQpa library it loads) links, by
# name before ".so", with the Debian/Ubuntu package that ships each (checked on Debian 12 with
# `dpkg -S`; tests/ui/test_qt_platform.py checks that it covers the plugin's X11 libraries).
PACKAGES = {
    "libxcb": "libxcb1", "libxcb-cursor": "libxcb-cursor0", "libxcb-icccm": "libxcb-icccm4",
    "libxcb-image": "libxcb-image0", "libxcb-keysyms": "libxcb-keysyms1",
    "libxcb-randr": "libxcb-randr0", "libxcb-render": "libxcb-render0",
    "libxcb-render-util": "libxcb-render-util0", "libxcb-shape": "libxcb-shape0",
    "libxcb-shm": "libxcb-shm0", "libxcb-sync": "libxcb-sync1", "libxcb-util": "libxcb-util1",
    "libxcb-xfixes": "libxcb-xfixes0", "libxcb-xkb": "libxcb-xkb1",
    "libxkbcommon": "libxkbcommon0", "libxkbcommon-x11": "libxkbcommon-x11-0",
    "libX11": "libx11-6", "libX11-xcb": "libx11-xcb1", "libXau": "libxau6",
    "libXdmcp": "libxdmcp6", "libGL": "libgl1", "libGLX": "libglx0",
    "libGLdispatch": "libglvnd0", "libEGL": "libegl1", "libfontconfig": "libfontconfig1",
    "libfreetype": "libfreetype6", "libglib-2.0": "libglib2.0-0",
    "libgthread-2.0": "libglib2.0-0", "libdbus-1": "libdbus-1-3",
}
_NOT_FOUND = re.compile(r"^\s*(\S+) => not found", re.MULTILINE)
_DLOPEN_MISSING = re.compile(r"(\S+\.so[.\d]*): cannot open shared object file")


def uses_xcb(env: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    """Whether Qt will start with its xcb plugin: on Linux, asked for, or by default outside a
    Wayland session."""
    if not sys.platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    wayland = env.get("XDG_SESSION_TYPE") == "wayland" and bool(env.get("WAYLAND_DISPLAY"))
    return not wayland


def xcb_plugin(env: os._Environ[str] | dict[str, str] = os.environ) -> Path | None:
    """The xcb plugin Qt will load: from QT_QPA_PLATFORM_PLUGIN_PATH, QT_PLUGIN_PATH (which
    PyInstaller's bundle sets), or Qt's own plugin folder."""
    folders = [env.get("QT_QPA_PLATFORM_PLUGIN_PATH", "")]
    folders += [str(Path(p) / "platforms") for p in env.get("QT_PLUGIN_PATH", "").split(os.pathsep)
                if p]
    from PySide6.QtCore import QLibraryInfo  # the app imports it next anyway

    folders.append(str(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
                       / "platforms"))
    for folder in folders:
        if folder and (Path(folder) / XCB_PLUGIN).is_file():
            return Path(folder) / XCB_PLUGIN
    return None


def missing_libraries(plugin: Path) -> list[str]:
    """The shared libraries `plugin` needs that the loader cannot find; [] when it loads."""
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        import shutil  # only on this failure path
        import subprocess

        first = _DLOPEN_MISSING.findall(str(exc))
        ldd = shutil.which("ldd")
        if ldd is None:
            return first or [str(exc)]
        listing = subprocess.run([ldd, str(plugin)], capture_output=True, text=True)
        return unresolved(listing.stdout) or first or [str(exc)]
    return []


def unresolved(ldd_output: str) -> list[str]:
    """The libraries `ldd` reports as "not found"."""
    return sorted(set(_NOT_FOUND.findall(ldd_output)))


def packages_for(libraries: list[str]) -> list[str]:
    """The packages that ship these libraries; a library not in the table is named itself."""
    return sorted({PACKAGES.get(lib.split(".so")[0], lib) for lib in libraries})


def display_refused() -> bool:
    """Whether the X server named by DISPLAY refuses a connection (libxcb is loaded by now)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False  # the plugin loaded without it: nothing to ask here
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(None, None)
    try:
        return bool(xcb.xcb_connection_has_error(connection))
    finally:
        xcb.xcb_disconnect(connection)


def platform_problem(env: os._Environ[str] | dict[str, str] = os.environ) -> str | None:
    """One line saying why Qt cannot open the display, or None when it can (or we can't tell:
    then Qt decides)."""
    if not uses_xcb(env):
        return None
    plugin = xcb_plugin(env)
    if plugin is None:
        return None
    missing = missing_libraries(plugin)
    if missing:
        return ("Qt cannot open the display: its X11 (xcb) plugin needs libraries this system "
                f"lacks ({', '.join(missing)}); install them (Debian, Ubuntu: `sudo apt-get "
                f"install {' '.join(packages_for(missing))}`), or run `faktory-desktop serve`")
    if display_refused():
        return (f"Qt cannot open the display {env.get('DISPLAY', '')!r}: the X server refused "
                "the connection (is it running, and may this user use it?); or run "
                "`faktory-desktop serve`")
    return None


def main(argv: list[str]) -> int:
    """`--packages`: the packages the xcb plugin lacks, on one line (nothing when it loads)."""
    if argv != ["--packages"]:
        print("usage: python -m faktory_desktop.ui.qt_platform --packages", file=sys.stderr)
        return 2
    plugin = xcb_plugin() if sys.platform.startswith("linux") else None
    missing = missing_libraries(plugin) if plugin is not None else []
    if missing:
        print(" ".join(packages_for(missing)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
