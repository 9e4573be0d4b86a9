"""Before any QApplication: can Qt's X11 (xcb) platform plugin load, and does the display
answer? When not, the app says so in one line, naming the packages to install, and exits 1 where
Qt would abort. A copy of the real plugin whose one dependency is renamed to a library that
exists nowhere stands for a system that lacks it, on any machine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from faktory_desktop.ui import qt_platform
from faktory_desktop.ui.qt_platform import (
    PACKAGES,
    missing_libraries,
    packages_for,
    uses_xcb,
    xcb_plugin,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is Linux's")
X11_LIBRARY = re.compile(r"^\s*(lib(?:xcb|X|xkb|GL|EGL)\S*) =>", re.MULTILINE)
ABSENT = b"libxcb-icccm.so.9"  # same length as the real name: the ELF needs no other change


def real_plugin() -> Path:
    plugin = xcb_plugin({})
    assert plugin is not None, "PySide6 has no xcb plugin"
    return plugin


@pytest.fixture
def broken_plugins(tmp_path: Path) -> Path:
    """A plugin folder whose libqxcb.so needs libxcb-icccm.so.9 instead of .so.4; its RUNPATH
    ($ORIGIN/../../lib) still finds Qt's own libraries through a link."""
    plugin = real_plugin()
    folder = tmp_path / "plugins" / "platforms"
    folder.mkdir(parents=True)
    (tmp_path / "lib").symlink_to(plugin.parents[2] / "lib")
    data = plugin.read_bytes()
    assert data.count(b"libxcb-icccm.so.4\0") == 1
    (folder / plugin.name).write_bytes(data.replace(b"libxcb-icccm.so.4\0", ABSENT + b"\0"))
    return folder


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QT_", "WAYLAND_", "XDG_SESSION"))}
    return {**env, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"), **extra}


def run_app(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "faktory_desktop", "-b", "127.0.0.1:0", "-d",
                           str(tmp_path / "db")], capture_output=True, text=True, timeout=60,
                          env=env, cwd=tmp_path)


def test_every_x11_library_the_plugin_links_has_its_package():
    listing = subprocess.run(["ldd", str(real_plugin())], capture_output=True, text=True).stdout
    linked = set(X11_LIBRARY.findall(listing))
    assert {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"} <= linked
    assert {lib for lib in linked if lib.split(".so")[0] not in PACKAGES} == set()


def test_missing_libraries_are_named_with_their_packages(broken_plugins):
    missing = missing_libraries(broken_plugins / "libqxcb.so")
    assert ABSENT.decode() in missing
    assert "libxcb-icccm4" in packages_for(missing)
    assert packages_for(["libxcb-keysyms.so.1", "libxcb-cursor.so.0", "libweird.so.3"]) == [
        "libweird.so.3", "libxcb-cursor0", "libxcb-keysyms1"]


def test_the_app_exits_1_with_one_line_when_the_plugin_cannot_load(tmp_path, broken_plugins):
    result = run_app(tmp_path, app_env(tmp_path, DISPLAY=":0",
                                       QT_QPA_PLATFORM_PLUGIN_PATH=str(broken_plugins)))
    assert result.returncode == 1, result.stderr  # Qt alone aborts: -6
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("faktory-desktop: Qt cannot open the display: its X11 (xcb) "
                               "plugin needs libraries this system lacks (")
    assert ABSENT.decode() in lines[0] and "apt-get install " in lines[0]
    assert "libxcb-icccm4" in lines[0] and "faktory-desktop serve" in lines[0]


def test_the_app_exits_1_with_one_line_when_the_display_refuses(tmp_path):
    if missing_libraries(real_plugin()):
        pytest.skip("this system lacks the xcb plugin's libraries (make qt-runtime installs them)")
    display = next(n for n in range(4242, 4342) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    result = run_app(tmp_path, app_env(tmp_path, DISPLAY=f":{display}"))
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == (
        f"faktory-desktop: Qt cannot open the display ':{display}': the X server refused the "
        "connection (is it running, and may this user use it?); or run `faktory-desktop serve`")


@pytest.mark.parametrize(("env", "xcb"), [
    ({}, True),
    ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"QT_QPA_PLATFORM": "offscreen"}, False),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, False),
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, True),
])
def test_only_an_xcb_start_is_probed(env, xcb):
    assert uses_xcb(env) is xcb


def test_packages_for_make_qt_runtime(broken_plugins, capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", str(broken_plugins))
    assert qt_platform.main(["--packages"]) == 0
    assert "libxcb-icccm4" in capsys.readouterr().out.split()
