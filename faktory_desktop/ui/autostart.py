"""Open the app at login: one small file or registry value per platform, written or removed.

- Linux (and other XDG desktops): `$XDG_CONFIG_HOME/autostart/faktory-desktop.desktop`
  (`~/.config/autostart/` by default), per the freedesktop Desktop Application Autostart spec.
- macOS: a LaunchAgent, `~/Library/LaunchAgents/<label>.plist`, with RunAtLoad. launchd reads it
  at the next login; it is not loaded now (that would open a second copy of the app). The newer
  SMAppService API needs a signed app bundle and Objective-C, which a Python app cannot reach.
- Windows: the `HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run` value.

The command is the frozen executable when the app is bundled (PyInstaller sets `sys.frozen`),
the AppImage file itself when it runs from one (its runtime sets `$APPIMAGE`; the executable
lives in a mount that is gone once the app quits), else this Python running
`-m faktory_desktop`. Modelled on vorta's autostart.py.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath

APP_NAME = "Faktory Desktop"
DESKTOP_FILE = "faktory-desktop.desktop"
LAUNCH_AGENT_LABEL = "io.github.faktory-desktop"
WINDOWS_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


# -- the command ----------------------------------------------------------------------------------

def launch_argv(frozen: bool | None = None, executable: str | None = None,
                environ: Mapping[str, str] = os.environ) -> list[str]:
    """The program and arguments that open the app."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if frozen and environ.get("APPIMAGE"):
        return [environ["APPIMAGE"]]
    executable = executable or sys.executable
    return [executable] if frozen else [executable, "-m", "faktory_desktop"]


def windows_command(frozen: bool | None = None, executable: str | None = None) -> str:
    """The Run value: quoted as Windows parses command lines; pythonw.exe (no console window)
    when it sits next to python.exe."""
    argv = launch_argv(frozen, executable)
    exe = PureWindowsPath(argv[0])
    if len(argv) > 1 and exe.name.lower() == "python.exe":
        pythonw = exe.with_name("pythonw.exe")
        if os.path.exists(str(pythonw)):
            argv[0] = str(pythonw)
    return subprocess.list2cmdline(argv)


def _desktop_quote(arg: str) -> str:
    """Quote one Exec argument per the Desktop Entry spec (and escape % field codes)."""
    arg = arg.replace("%", "%%")
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


# -- Linux ---------------------------------------------------------------------------------------

def xdg_autostart_path(home: Path | None = None,
                       env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/autostart/…` when that is set (and absolute), else `~/.config/…`."""
    env = os.environ if env is None else env
    config = env.get("XDG_CONFIG_HOME", "")
    base = Path(config) if config and os.path.isabs(config) else (home or Path.home()) / ".config"
    return base / "autostart" / DESKTOP_FILE


def desktop_entry(argv: list[str]) -> str:
    exec_line = " ".join(_desktop_quote(arg) for arg in argv)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_NAME}\n"
        "Comment=Faktory background-job server\n"
        f"Exec={exec_line}\n"
        "Icon=faktory-desktop\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


# -- macOS ---------------------------------------------------------------------------------------

def launch_agent_path(home: Path | None = None) -> Path:
    return (home or Path.home()) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def mac_program_arguments(argv: list[str]) -> list[str]:
    """Inside an .app bundle, open the bundle through LaunchServices (a proper app launch, with
    its Dock icon and single instance); otherwise run the command itself."""
    exe = Path(argv[0])
    if len(argv) == 1 and exe.parent.name == "MacOS" and exe.parent.parent.name == "Contents":
        bundle = exe.parent.parent.parent
        if bundle.suffix == ".app":
            return ["/usr/bin/open", "-a", str(bundle)]
    return argv


def launch_agent_plist(argv: list[str]) -> bytes:
    return plistlib.dumps({
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": mac_program_arguments(argv),
        "RunAtLoad": True,
        "KeepAlive": False,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    })


# -- Windows -------------------------------------------------------------------------------------

if sys.platform == "win32":  # winreg exists only there (mypy checks this branch on Windows)
    import winreg

    def _windows_set(enabled: bool) -> None:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY, 0,
                            winreg.KEY_SET_VALUE) as key:
            if enabled:
                winreg.SetValueEx(key, APP_NAME, 0, winreg.REG_SZ, windows_command())
            else:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, APP_NAME)

    def _windows_enabled() -> bool:
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY) as key:
                winreg.QueryValueEx(key, APP_NAME)
        except FileNotFoundError:
            return False
        return True

else:

    def _windows_set(enabled: bool) -> None:
        raise OSError("the Windows registry is only available on Windows")

    def _windows_enabled() -> bool:
        return False


# -- the API -------------------------------------------------------------------------------------

def autostart_file(home: Path | None = None, platform: str = sys.platform) -> Path | None:
    """The file that opens the app at login, or None where it is a registry value (Windows)."""
    if platform == "win32":
        return None
    if platform == "darwin":
        return launch_agent_path(home)
    return xdg_autostart_path(home)


def set_launch_at_login(enabled: bool, home: Path | None = None,
                        platform: str = sys.platform) -> None:
    """Open (or stop opening) the app at login. Raises OSError when that cannot be written."""
    if platform == "win32":
        _windows_set(enabled)
        return
    path = autostart_file(home, platform)
    assert path is not None
    if not enabled:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if platform == "darwin":
        path.write_bytes(launch_agent_plist(launch_argv()))
    else:
        path.write_text(desktop_entry(launch_argv()), encoding="utf-8")


def launch_at_login_enabled(home: Path | None = None, platform: str = sys.platform) -> bool:
    if platform == "win32":
        return _windows_enabled()
    path = autostart_file(home, platform)
    return path is not None and path.is_file()
