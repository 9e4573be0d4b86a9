"""The engine's configuration file, which we write ourselves at every start.

`plan_config` decides how the engine listens (a private unix socket on POSIX; 127.0.0.1 on a
free port with a random password on Windows, where asyncio has no unix sockets),
`render_config` turns that into redis.conf text (a pure function), `write_config` writes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import socket
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .address import EngineAddress
from .errors import EngineError

if TYPE_CHECKING:
    from .gateway import Gateway

CONF_NAME = "redis.conf"
LOG_NAME = "redis.log"
RDB_NAME = "faktory.rdb"
SOCKET_PATH_MAX = 100  # sun_path is 104 bytes on macOS, 108 on Linux
_LOG_LEVELS = {
    "debug": "verbose",
    "verbose": "verbose",
    "info": "notice",
    "notice": "notice",
    "warn": "warning",
    "warning": "warning",
    "error": "warning",
    "critical": "warning",
}


@dataclass(frozen=True)
class EngineConfig:
    """Everything that goes into redis.conf."""

    data_dir: Path
    unix_path: str | None = None
    port: int = 0
    password: str | None = None
    log_level: str = "notice"
    # Redis >= 7 and Valkey: exit on SIGTERM even when the final save fails (a data dir deleted
    # under a crashed app), instead of lingering as an orphan. Redis 6.2 lacks the setting.
    force_shutdown: bool = False
    gateway: Gateway | None = None  # also listen on TCP, with a password (unix socket only)

    @property
    def conf_path(self) -> Path:
        return self.data_dir / CONF_NAME

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_NAME

    @property
    def address(self) -> EngineAddress:
        """Where clients reach the engine this config describes."""
        if self.unix_path is not None:
            password = self.gateway.password if self.gateway else None
            return EngineAddress(unix_path=self.unix_path, password=password)
        return EngineAddress(host="127.0.0.1", port=self.port, password=self.password)


def engine_log_level(level: str) -> str:
    """Map a Python-style level name ("info") onto a redis loglevel ("notice")."""
    try:
        return _LOG_LEVELS[level.lower()]
    except KeyError:
        raise EngineError(
            f"unknown log level {level!r}: use debug, info, warning or error"
        ) from None


def plan_config(
    data_dir: Path, log_level: str = "info", platform: str = sys.platform,
    version: tuple[str, str] | None = None, gateway: Gateway | None = None,
) -> EngineConfig:
    """Choose the listening side of the config for `platform` (a `sys.platform` value), and the
    settings that depend on the engine's `version` (name, version). The `gateway` is for POSIX
    (on Windows the engine already listens on TCP, loopback only)."""
    level = engine_log_level(log_level)
    force = supports_forced_shutdown(version)
    if platform == "win32":
        return EngineConfig(data_dir, port=free_port(), password=secrets.token_urlsafe(32),
                            log_level=level, force_shutdown=force)
    return EngineConfig(data_dir, unix_path=socket_path_for(data_dir), log_level=level,
                        force_shutdown=force, gateway=gateway)


def supports_forced_shutdown(version: tuple[str, str] | None) -> bool:
    """`shutdown-on-sigterm` exists in Valkey and in Redis 7.0 and later."""
    if version is None:
        return False
    name, number = version
    major = number.split(".")[0]
    return name == "valkey" or (major.isdigit() and int(major) >= 7)


def socket_path_for(
    data_dir: Path, env: dict[str, str] | None = None, uid: int | None = None
) -> str:
    """A short per-user socket path, unique to `data_dir`.

    `$XDG_RUNTIME_DIR/faktory-desktop/<hash8>.sock` when XDG_RUNTIME_DIR is set, else (or if
    that is too long for sun_path) `/tmp/faktory-desktop-<uid>/<hash8>.sock`.
    """
    env = dict(os.environ) if env is None else env
    uid = os.getuid() if uid is None else uid
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:8]
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime:
        path = os.path.join(runtime, "faktory-desktop", f"{digest}.sock")
        if len(path.encode()) < SOCKET_PATH_MAX:
            return path
    return f"/tmp/faktory-desktop-{uid}/{digest}.sock"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _quote(value: str | Path) -> str:
    """Quote a value for redis.conf (its parser understands C-style double-quoted strings)."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _gateway_lines(gw: Gateway | None) -> list[str]:
    """TCP off, or the gateway: its port (TLS only when it has a certificate) and password."""
    if gw is None:
        return ["port 0"]
    if gw.tls_cert is not None and gw.tls_key is not None:
        listen = ["port 0", f"tls-port {gw.port}", f"tls-cert-file {_quote(gw.tls_cert)}",
                  f"tls-key-file {_quote(gw.tls_key)}", "tls-auth-clients no"]
    else:
        listen = [f"port {gw.port}"]
    return [*listen, f"bind {gw.host}", f"requirepass {_quote(gw.password)}"]


def _listen_lines(cfg: EngineConfig) -> list[str]:
    if cfg.unix_path is not None:
        return [*_gateway_lines(cfg.gateway), f"unixsocket {_quote(cfg.unix_path)}",
                "unixsocketperm 700"]
    if not cfg.port or not cfg.password:
        raise EngineError("a TCP engine config needs a port and a password")
    return [f"port {cfg.port}", "bind 127.0.0.1", f"requirepass {_quote(cfg.password)}"]


def render_config(cfg: EngineConfig) -> str:
    """The text of redis.conf for `cfg`."""
    lines = [
        "# Written by Faktory Desktop at every start: edits here are lost.",
        *_listen_lines(cfg),
        "protected-mode yes",
        f"dir {_quote(cfg.data_dir)}",
        "daemonize no",
        "timeout 0",
        "maxmemory-policy noeviction",
        "appendonly yes",
        "appendfsync everysec",
        "save 120 1",
        "save 30 5",
        f"dbfilename {RDB_NAME}",
        "stop-writes-on-bgsave-error yes",
        f"logfile {_quote(cfg.log_path)}",
        f"loglevel {cfg.log_level}",
        "slowlog-log-slower-than 10000",
        "slowlog-max-len 128",
    ]
    if cfg.force_shutdown:
        lines += ["shutdown-on-sigterm force", "shutdown-on-sigint force"]
    return "\n".join(lines) + "\n"


def ensure_private_dir(path: Path) -> None:
    """Create `path` mode 0700, or check that an existing one is a directory owned by us.

    An existing directory owned by us is tightened to 0700; one owned by someone else (or a
    symlink, or not a directory) is refused.
    """
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise EngineError(f"{path} is not a directory")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise EngineError(f"{path} is owned by uid {st.st_uid}, not by us: refusing to use it")
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(path, 0o700)


def write_private_file(path: Path, text: str) -> None:
    """Write `text` to `path` (mode 0600) atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_config(cfg: EngineConfig) -> Path:
    """Create the data and socket directories (0700) and write redis.conf (0600)."""
    ensure_private_dir(cfg.data_dir)
    if cfg.unix_path is not None:
        ensure_private_dir(Path(cfg.unix_path).parent)
    write_private_file(cfg.conf_path, render_config(cfg))
    return cfg.conf_path
