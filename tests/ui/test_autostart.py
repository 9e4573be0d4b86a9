"""Launch at login: the XDG autostart entry for real, the LaunchAgent plist and the Windows Run
command by rendering."""

from __future__ import annotations

import configparser
import plistlib
import sys
from pathlib import Path

from faktory_desktop.ui import autostart
from faktory_desktop.ui.autostart import (
    desktop_entry,
    launch_agent_plist,
    launch_argv,
    launch_at_login_enabled,
    set_launch_at_login,
    windows_command,
)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def read_desktop(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser["Desktop Entry"]


def test_linux_entry_is_created_and_removed_in_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "config" / "autostart" / "faktory-desktop.desktop"
    assert not launch_at_login_enabled(platform="linux")
    set_launch_at_login(True, platform="linux")
    assert path.is_file() and launch_at_login_enabled(platform="linux")
    entry = read_desktop(path)
    assert entry["Type"] == "Application" and entry["Name"] == "Faktory Desktop"
    assert entry["Exec"].endswith(" -m faktory_desktop")
    set_launch_at_login(False, platform="linux")
    assert not path.exists() and not launch_at_login_enabled(platform="linux")
    set_launch_at_login(False, platform="linux")  # already off: no error


def test_linux_entry_defaults_to_home_config(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    set_launch_at_login(True, home=tmp_path, platform="linux")
    assert (tmp_path / ".config" / "autostart" / "faktory-desktop.desktop").is_file()
    assert launch_at_login_enabled(home=tmp_path, platform="linux")


def test_exec_line_quotes_paths_with_spaces():
    entry = desktop_entry(["/opt/My Apps/python3", "-m", "faktory_desktop"])
    assert 'Exec="/opt/My Apps/python3" -m faktory_desktop\n' in entry
    assert 'Exec="/a/\\$b 100%%"' in desktop_entry(["/a/$b 100%"])


def test_command_is_the_frozen_executable_when_bundled(monkeypatch):
    assert launch_argv(frozen=False, executable="/usr/bin/python3") == [
        "/usr/bin/python3", "-m", "faktory_desktop"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/faktory-desktop/faktory-desktop")
    assert launch_argv() == ["/opt/faktory-desktop/faktory-desktop"]


def test_command_is_the_appimage_file_when_run_from_one():
    """Not the executable inside the AppImage's mount, which is gone after the app quits."""
    mounted = "/tmp/.mount_FaktoryXyz/usr/bin/faktory-desktop"
    image = {"APPIMAGE": "/home/dev/Apps/Faktory_Desktop-x86_64.AppImage"}
    assert launch_argv(frozen=True, executable=mounted, environ=image) == [image["APPIMAGE"]]
    assert launch_argv(frozen=True, executable=mounted, environ={}) == [mounted]
    assert launch_argv(frozen=False, executable="/usr/bin/python3", environ=image)[1:] == [
        "-m", "faktory_desktop"]


def test_macos_launch_agent_plist():
    plist = plistlib.loads(launch_agent_plist(["/usr/local/bin/python3", "-m",
                                               "faktory_desktop"]))
    assert plist["Label"] == autostart.LAUNCH_AGENT_LABEL
    assert plist["ProgramArguments"] == ["/usr/local/bin/python3", "-m", "faktory_desktop"]
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] is False
    bundled = plistlib.loads(launch_agent_plist(
        ["/Applications/Faktory Desktop.app/Contents/MacOS/Faktory Desktop"]))
    assert bundled["ProgramArguments"] == ["/usr/bin/open", "-a",
                                           "/Applications/Faktory Desktop.app"]


def test_macos_launch_agent_file_is_written_and_removed(tmp_path):
    path = tmp_path / "Library" / "LaunchAgents" / f"{autostart.LAUNCH_AGENT_LABEL}.plist"
    set_launch_at_login(True, home=tmp_path, platform="darwin")
    assert plistlib.loads(path.read_bytes())["RunAtLoad"] is True
    assert launch_at_login_enabled(home=tmp_path, platform="darwin")
    set_launch_at_login(False, home=tmp_path, platform="darwin")
    assert not path.exists()


def test_windows_run_command():
    exe = r"C:\Program Files\Faktory Desktop\Faktory Desktop.exe"
    assert windows_command(frozen=True, executable=exe) == f'"{exe}"'
    assert windows_command(frozen=False, executable=r"C:\Python311\python.exe") == (
        r"C:\Python311\python.exe -m faktory_desktop")
    assert windows_command(frozen=False, executable=r"C:\My Python\python.exe") == (
        r'"C:\My Python\python.exe" -m faktory_desktop')


def test_installed_desktop_file():
    entry = read_desktop(RESOURCES / "faktory-desktop.desktop")
    assert entry["Name"] == "Faktory Desktop" and entry["Exec"] == "faktory-desktop"
    assert entry["Icon"] == "faktory-desktop" and entry["Categories"] == "Development;"
