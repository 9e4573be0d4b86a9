"""The app's saved preferences (QSettings), and how they combine with command-line flags.

A flag given on the command line wins over the saved preference for that run only; the saved
preference is not changed by it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import Enum
from typing import Any

from PySide6.QtCore import QSettings

from faktory_desktop.config import DEFAULT_PORT, WEB_OFF, Settings, build_settings

DEFAULT_WEB_PORT = 7420
DEFAULT_GATEWAY = "127.0.0.1:7421"  # beside Faktory's 7419 (FWP) and 7420 (Web UI)


class Theme(Enum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass
class Preferences:
    bind_host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    password: str = ""
    data_dir: str = ""  # empty: the platform default
    redis_server: str = ""  # empty: the bundled engine, or one on the PATH
    redis_url: str = ""  # empty: the app runs its own engine
    web_ui: bool = False  # serve the Web UI beside the app (off: a port nobody asked for)
    web_port: int = DEFAULT_WEB_PORT
    requeue_gone_workers: bool = True  # on in the app, where workers restart all the time
    redis_gateway_on: bool = False
    redis_gateway: str = DEFAULT_GATEWAY  # where the gateway listens when on
    start_at_launch: bool = True
    launch_at_login: bool = False
    theme: str = Theme.SYSTEM.value
    notifications: bool = True
    tray_hint_shown: bool = False

    @classmethod
    def load(cls, store: QSettings | None = None) -> Preferences:
        store = store or QSettings()
        prefs = cls()
        for f in fields(cls):
            default = getattr(prefs, f.name)
            value = store.value(f.name, default)
            setattr(prefs, f.name, _coerce(value, default))
        return prefs

    def save(self, store: QSettings | None = None) -> None:
        store = store or QSettings()
        for f in fields(self):
            store.setValue(f.name, getattr(self, f.name))
        store.sync()

    def as_flags(self) -> dict[str, Any]:
        """These preferences in the shape of command-line flags (see config.build_settings)."""
        flags: dict[str, Any] = {"binding": f"{self.bind_host}:{self.port}",
                                 "web_binding": f"{self.bind_host}:{self.web_port}"
                                 if self.web_ui else WEB_OFF,
                                 "requeue_gone_workers": self.requeue_gone_workers}
        if self.data_dir:
            flags["data_dir"] = self.data_dir
        if self.password:
            flags["saved_password"] = self.password
        if self.redis_server:
            flags["redis_server"] = self.redis_server
        if self.redis_url:
            flags["redis_url"] = self.redis_url
        if self.redis_gateway_on:
            flags["redis_gateway"] = self.redis_gateway
        return flags


def merged_flags(prefs: Preferences, cli_flags: dict[str, Any]) -> dict[str, Any]:
    """Saved preferences, overridden by every flag actually given on the command line."""
    given = {k: v for k, v in cli_flags.items() if v is not None}
    return {**prefs.as_flags(), **given}


def settings_for_app(cli_flags: dict[str, Any], prefs: Preferences) -> Settings:
    """Saved preferences, overridden for this run by the flags actually given."""
    return build_settings(merged_flags(prefs, cli_flags))


def _coerce(value: Any, default: Any) -> Any:
    """QSettings hands back strings on some platforms; restore the default's type."""
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
    if isinstance(default, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            return default
    return str(value) if value is not None else default
