"""Settings: defaults, conf.d TOML, environment and flags, resolved once into a frozen dataclass.

Precedence follows Faktory (spec section 6): a flag beats `[faktory]` (`[web]` for `-w`) in
conf.d, which beats the default; the password comes from FAKTORY_PASSWORD (even empty), else
`--password-file`, else `[faktory] password`, else `/etc/faktory/password` outside development;
a value starting with `/` names a file that holds it. Every problem is a `ConfigError` with one
readable line.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import platformdirs

from faktory_desktop.core.features import FeatureError, Features, parse_features

APP_NAME = "faktory-desktop"
DEFAULT_PORT = 7419
DEFAULT_WEB_BINDING = "127.0.0.1:7420"
WEB_OFF = "off"
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
    web_host: str | None = None  # None: no Web UI (the app's default; `serve` turns it on)
    web_port: int = 7420
    web_password: str | None = None
    requeue_gone_workers: bool = False  # fail a gone worker's jobs at once (core/gone.py)
    metrics_binding: tuple[str, int] | None = None  # Prometheus /metrics; None: off
    redis_gateway: tuple[str, int] | None = None  # the engine on TCP; None: off
    engine_timeout: float = 5.0  # the deadline of every wait on the engine (P-05)
    engine_health_limit: float = 15.0  # an engine silent this long is killed and restarted
    toml: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    features: Features = field(default_factory=Features, compare=False, repr=False)

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


def parse_web_binding(text: str) -> tuple[str | None, int]:
    """`-w`: `HOST:PORT`, or `off` (also Faktory's `:0`) for no Web UI; (None, 0) when off."""
    if text.strip().lower() == WEB_OFF:
        return None, 0
    try:
        host, port = parse_binding(text)
    except ConfigError:
        raise ConfigError(f'invalid Web UI binding "{text}": expected HOST:PORT, e.g. '
                          f'{DEFAULT_WEB_BINDING}, or "off"') from None
    return (None, 0) if port == 0 else (host, port)


def resolve_web_password(toml: dict[str, Any], password: str | None) -> str | None:
    """`[web] password` (or a file it names), else the command-port password (spec 6.4)."""
    value = str(toml.get("web", {}).get("password") or "")
    if value.startswith("/"):
        value = _read_password_file(value)
    return value or password
def parse_local_binding(text: str) -> tuple[str, int]:
    """A listener of ours that binds loopback unless told: `PORT` is 127.0.0.1:PORT; `HOST:PORT`
    and `:PORT` (all interfaces) as in `parse_binding`. Port 0 picks a free one."""
    return ("127.0.0.1", int(text)) if text.isdigit() else parse_binding(text)


def _optional_binding(flags: dict[str, Any], flag: str, toml: dict[str, Any],
                      table: str) -> tuple[str, int] | None:
    """The flag's HOST:PORT, else `[table] binding` in conf.d, else None (off)."""
    text = flags.get(flag) or toml.get(table, {}).get("binding")
    if not text:
        return None
    try:
        return parse_local_binding(str(text))
    except ConfigError as exc:
        where = "--" + flag.replace("_", "-") if flags.get(flag) else f"[{table}]"
        raise ConfigError(f"{where}: {exc}") from None



def read_confd(config_dir: Path, replaced: dict[str, str] | None = None,
               ) -> tuple[dict[str, Any], list[str]]:
    """conf.d/*.toml concatenated in name order into one document, as Faktory reads them, and
    the file name of each of its [[cron]] entries. Each file is also parsed on its own first, so
    a syntax error names its file and line. `replaced`: file name -> the text it would have
    (an edit checked before it is written)."""
    replaced = replaced or {}
    confd = config_dir / "conf.d"
    files = sorted({*confd.glob("*.toml"), *(confd / name for name in replaced)})
    texts, cron_files = [], []
    for path in files:
        try:
            text = replaced[path.name] if path.name in replaced else path.read_text()
            cron = tomllib.loads(text).get("cron")
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"conf.d/{path.name}: TOML syntax error: {exc}") from None
        texts.append(text + "\n")
        cron_files += [path.name] * (len(cron) if isinstance(cron, list) else 0)
    try:
        return tomllib.loads("".join(texts)), cron_files
    except tomllib.TOMLDecodeError as exc:
        names = ", ".join(f.name for f in files)
        raise ConfigError(f"unable to parse the configuration in {config_dir}/conf.d ({names}): "
                          f"{exc}") from None


def load_toml(config_dir: Path) -> dict[str, Any]:
    return read_confd(config_dir)[0]


def load_features(config_dir: Path, replaced: dict[str, str] | None = None) -> Features:
    """The cron entries and throttles of conf.d, checked; ConfigError names the problem."""
    return _features(*read_confd(config_dir, replaced))


def load_confd(config_dir: Path) -> tuple[dict[str, Any], Features]:
    """conf.d's document and its checked cron entries and throttles, from one read (a start of
    the app's server, a reload); ConfigError names the problem."""
    document, cron_files = read_confd(config_dir)
    return document, _features(document, cron_files)


def _features(document: dict[str, Any], cron_files: list[str]) -> Features:
    try:
        return parse_features(document, cron_files)
    except FeatureError as exc:
        raise ConfigError(str(exc)) from None


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
    toml, cron_files = read_confd(config_dir)
    features = _features(toml, cron_files)
    binding = flags.get("binding") or toml.get("faktory", {}).get("binding") or "127.0.0.1:7419"
    host, port = parse_binding(binding)
    cert, key = _tls_files(config_dir, flags.get("tls_cert"), flags.get("tls_key"))
    web_host, web_port = parse_web_binding(flags.get("web_binding")
                                           or toml.get("web", {}).get("binding")
                                           or DEFAULT_WEB_BINDING)
    password = resolve_password(environment, toml, flags.get("password_file"), env,
                                flags.get("saved_password"))
    return Settings(
        host=host,
        port=port,
        data_dir=Path(flags.get("data_dir") or default_data_dir()).expanduser(),
        config_dir=config_dir,
        environment=environment,
        log_level=flags.get("log_level") or "info",
        password=password,
        redis_url=flags.get("redis_url") or env.get("REDIS_URL") or None,
        redis_server=flags.get("redis_server") or env.get("FAKTORY_REDIS_SERVER") or None,
        tls_cert=cert,
        tls_key=key,
        max_line=int(flags.get("max_line") or 16 * 1024 * 1024),
        max_connections=int(flags.get("max_connections") or 2000),
        web_host=web_host,
        web_port=web_port,
        web_password=resolve_web_password(toml, password),
        requeue_gone_workers=_requeue_gone_workers(flags, toml),
        metrics_binding=_optional_binding(flags, "metrics", toml, "prometheus"),
        redis_gateway=_optional_binding(flags, "redis_gateway", toml, "redis_gateway"),
        engine_timeout=_seconds(flags, toml, "engine_timeout", "timeout", 5.0),
        engine_health_limit=_seconds(flags, toml, "engine_health_limit", "health_limit", 15.0),
        toml=toml,
        features=features,
    )


def _requeue_gone_workers(flags: dict[str, Any], toml: dict[str, Any]) -> bool:
    """The app's preference when given, else `[faktory] requeue_gone_workers`, else off."""
    given = flags.get("requeue_gone_workers")
    if given is not None:
        return bool(given)
    value = toml.get("faktory", {}).get("requeue_gone_workers", False)
    if not isinstance(value, bool):
        raise ConfigError("[faktory] requeue_gone_workers in conf.d must be true or false, "
                          f"not {value!r}")
    return value
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
