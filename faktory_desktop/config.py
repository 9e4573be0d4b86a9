"""Settings: defaults, conf.d TOML, environment and flags, resolved once into a frozen dataclass.

Precedence follows Faktory (spec section 6): a flag beats `[faktory]` in conf.d, which beats the
default; the password comes from FAKTORY_PASSWORD (even empty), else `--password-file`, else
`[faktory] password`, else `/etc/faktory/password` outside development; a value starting with `/`
names a file that holds it. Every problem is a `ConfigError` with one readable line.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import platformdirs

APP_NAME = "faktory-desktop"
DEFAULT_PORT = 7419
ENVIRONMENTS = ("development", "staging", "production")
LOG_LEVELS = ("debug", "info", "warn", "error")
SYSTEM_PASSWORD_FILE = Path("/etc/faktory/password")
TLS_KEY_FILE = "private.key.pem"
TLS_CERT_FILE = "public.cert.pem"
MASK = "********"  # how a password shows where it must not be read


class ConfigError(ValueError):
    """A setting that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    config_dir: Path = field(default_factory=lambda: default_config_dir())
    environment: str = "development"
    log_level: str = "info"
    password: str | None = None
    redis_url: str | None = None
    redis_server: str | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    max_line: int = 16 * 1024 * 1024
    max_connections: int = 2000
    engine_timeout: float = 5.0  # the deadline of every wait on the engine (P-05)
    engine_health_limit: float = 15.0  # an engine silent this long is killed and restarted
    toml: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def client_url(self, port: int | None = None, reveal_password: bool = True) -> str:
        """The FAKTORY_URL a client on this computer uses: loopback for a wildcard bind, the
        password URL-quoted (or masked), tcp+tls:// with TLS. `port`: the bound one, if known."""
        scheme = "tcp+tls" if self.tls_cert else "tcp"
        auth = ""
        if self.password:
            auth = f":{quote(self.password, safe='') if reveal_password else MASK}@"
        return f"{scheme}://{auth}{connect_host(self.host)}:{port or self.port}"


def connect_host(bind_host: str) -> str:
    """The host a client on this computer uses: loopback for a wildcard bind, IPv6 bracketed."""
    if bind_host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if bind_host == "::":
        return "[::1]"
    return f"[{bind_host}]" if ":" in bind_host else bind_host


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "db"


def default_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def parse_binding(text: str) -> tuple[str, int]:
    """`HOST:PORT`, `:PORT` (all interfaces) or `[::1]:PORT`."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f'invalid binding "{text}": expected HOST:PORT, e.g. 127.0.0.1:7419')
    host = host.strip("[]") or "0.0.0.0"
    return host, int(port)


def load_toml(config_dir: Path) -> dict[str, Any]:
    """conf.d/*.toml concatenated in name order into one document, as Faktory reads them."""
    files = sorted((config_dir / "conf.d").glob("*.toml"))
    text = "".join(f.read_text() + "\n" for f in files)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        names = ", ".join(f.name for f in files)
        raise ConfigError(f"unable to parse the configuration in {config_dir}/conf.d ({names}): "
                          f"{exc}") from None


def _read_password_file(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the password file {path}: {exc.strerror}") from None


def resolve_password(environment: str, toml: dict[str, Any], password_file: str | None,
                     env: dict[str, str], saved: str | None = None) -> str | None:
    """The command-port password, or None (spec C-10); `saved` is the app's preference."""
    skip = env.get("FAKTORY_SKIP_PASSWORD", "").lower() in ("1", "true", "yes")
    strict = environment != "development" and not skip
    if "FAKTORY_PASSWORD" in env:
        value = env["FAKTORY_PASSWORD"]
    elif password_file:
        value = _read_password_file(password_file)
    elif saved:
        value = saved
    else:
        value = str(toml.get("faktory", {}).get("password") or "")
        if not value and strict and SYSTEM_PASSWORD_FILE.exists():
            value = str(SYSTEM_PASSWORD_FILE)
    if value.startswith("/"):
        value = _read_password_file(value)
    if not value and strict:
        raise ConfigError("faktory requires a password to be set in staging or production, "
                          "see the Security wiki page (set FAKTORY_PASSWORD or --password-file)")
    return value or None


def _tls_files(config_dir: Path, cert: str | None, key: str | None) -> tuple[Path | None, ...]:
    if bool(cert) != bool(key):
        raise ConfigError("TLS needs both --tls-cert and --tls-key")
    if cert and key:
        pair = (Path(cert), Path(key))
    else:
        pair = (config_dir / TLS_CERT_FILE, config_dir / TLS_KEY_FILE)
        if not all(p.exists() for p in pair):
            return (None, None)
    for path in pair:
        if not path.is_file():
            raise ConfigError(f"TLS file not found: {path}")
    return pair


def build_settings(flags: dict[str, Any], env: dict[str, str] | None = None) -> Settings:
    """Resolve flags (None = not given), environment and conf.d into Settings."""
    env = dict(os.environ) if env is None else env
    environment = flags.get("environment") or env.get("FAKTORY_ENV") or "development"
    if environment not in ENVIRONMENTS:
        raise ConfigError(f'Invalid environment "{environment}": legal values are development, '
                          "staging or production")
    config_dir = Path(flags.get("config_dir") or default_config_dir()).expanduser()
    toml = load_toml(config_dir)
    binding = flags.get("binding") or toml.get("faktory", {}).get("binding") or "127.0.0.1:7419"
    host, port = parse_binding(binding)
    cert, key = _tls_files(config_dir, flags.get("tls_cert"), flags.get("tls_key"))
    return Settings(
        host=host,
        port=port,
        data_dir=Path(flags.get("data_dir") or default_data_dir()).expanduser(),
        config_dir=config_dir,
        environment=environment,
        log_level=flags.get("log_level") or "info",
        password=resolve_password(environment, toml, flags.get("password_file"), env,
                                  flags.get("saved_password")),
        redis_url=flags.get("redis_url") or env.get("REDIS_URL") or None,
        redis_server=flags.get("redis_server") or env.get("FAKTORY_REDIS_SERVER") or None,
        tls_cert=cert,
        tls_key=key,
        max_line=int(flags.get("max_line") or 16 * 1024 * 1024),
        max_connections=int(flags.get("max_connections") or 2000),
        engine_timeout=_seconds(flags, toml, "engine_timeout", "timeout", 5.0),
        engine_health_limit=_seconds(flags, toml, "engine_health_limit", "health_limit", 15.0),
        toml=toml,
    )


def _seconds(flags: dict[str, Any], toml: dict[str, Any], flag: str, key: str,
             default: float) -> float:
    """A positive number of seconds: the flag, else `[engine] <key>` in conf.d, else `default`."""
    value = flags.get(flag)
    if value is None:
        value = toml.get("engine", {}).get(key, default)
    option = "--" + flag.replace("_", "-")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
        raise ConfigError(f"invalid {option} ([engine] {key}) {value!r}: expected seconds, "
                          "a number above 0 and at most 3600")
    return float(value)
