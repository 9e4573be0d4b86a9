"""`[statsd]` in conf.d, as Faktory Enterprise reads it, or `DD_DOGSTATSD_URL`.

```toml
[statsd]
location = "127.0.0.1:8125"     # required; or DD_DOGSTATSD_URL=udp://host:8125
namespace = "faktory."          # prefix of every metric name
tags = ["env:production"]       # DogStatsD tags added to every metric
bufferSize = 15                 # metrics per UDP packet (a packet also leaves every 100 ms)
queueLatency = ["critical", "default"]   # queues whose latency is sent
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

DEFAULT_NAMESPACE = "faktory."
DEFAULT_BUFFER_SIZE = 15
ENV_URL = "DD_DOGSTATSD_URL"


class StatsdConfigError(ValueError):
    """A `[statsd]` setting that cannot be used; one line for the user."""


@dataclass(frozen=True)
class StatsdConfig:
    host: str
    port: int
    namespace: str = DEFAULT_NAMESPACE
    tags: tuple[str, ...] = ()
    buffer_size: int = DEFAULT_BUFFER_SIZE
    queue_latency: tuple[str, ...] = ()

    @property
    def location(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def statsd_config(toml: dict[str, Any], env: dict[str, str]) -> StatsdConfig | None:
    """The statsd settings, or None when neither `[statsd] location` nor DD_DOGSTATSD_URL is set."""
    table = toml.get("statsd", {})
    if not isinstance(table, dict):
        raise StatsdConfigError("[statsd] must be a table")
    location = table.get("location")
    if location is None and env.get(ENV_URL):
        location = _from_url(env[ENV_URL])
    if location is None:
        return None
    host, port = _location(location)
    return StatsdConfig(
        host=host,
        port=port,
        namespace=_namespace(table.get("namespace", DEFAULT_NAMESPACE)),
        tags=_strings(table.get("tags", []), "tags"),
        buffer_size=_buffer_size(table.get("bufferSize", DEFAULT_BUFFER_SIZE)),
        queue_latency=_strings(table.get("queueLatency", []), "queueLatency"),
    )


def _from_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "udp" or not parts.netloc:
        raise StatsdConfigError(f'{ENV_URL}="{url}" is not supported: expected udp://HOST:PORT')
    return parts.netloc


def _location(value: Any) -> tuple[str, int]:
    text = str(value)
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not isinstance(value, str) or not sep or not host or not port.isdigit() \
            or not 0 < int(port) <= 65535:
        raise StatsdConfigError(f'[statsd] location "{text}" is not HOST:PORT, '
                                "e.g. 127.0.0.1:8125")
    return host, int(port)


def _namespace(value: Any) -> str:
    """The prefix as given; a dot is added when it does not end in one ("app" -> "app.")."""
    if not isinstance(value, str):
        raise StatsdConfigError("[statsd] namespace must be a string")
    return value if not value or value.endswith(".") else value + "."


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StatsdConfigError(f"[statsd] {key} must be a list of strings")
    return tuple(value)


def _buffer_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise StatsdConfigError(f"[statsd] bufferSize must be a number from 1 to 1000, "
                                f"not {value!r}")
    return value
