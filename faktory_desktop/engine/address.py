"""Where the engine (redis-server / valkey-server) can be reached.

The contract between the engine and storage layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class EngineAddress:
    """How to connect to the engine: a unix socket, or host and port (Windows, external Redis)."""

    unix_path: str | None = None
    host: str | None = None
    port: int | None = None
    password: str | None = None
    username: str | None = None
    db: int = 0
    tls: bool = False

    def __post_init__(self) -> None:
        if (self.unix_path is None) == (self.host is None):
            raise ValueError("an engine address needs exactly one of unix_path or host")

    @property
    def redis_url(self) -> str:
        """A URL that redis-py's `from_url` understands."""
        return self._url(quote(self.password, safe="") if self.password else None)

    @property
    def shown_url(self) -> str:
        """The URL for logs and screens: the password, if any, masked."""
        return self._url("***" if self.password else None)

    def _url(self, quoted_password: str | None) -> str:
        auth = ""
        if quoted_password:
            auth = f"{quote(self.username or '', safe='')}:{quoted_password}@"
        if self.unix_path:
            return f"unix://{auth}{self.unix_path}?db={self.db}"
        scheme = "rediss" if self.tls else "redis"
        return f"{scheme}://{auth}{self.host}:{self.port}/{self.db}"

    @property
    def cli_command(self) -> str:
        """The redis-cli command a user can paste to inspect the data."""
        pw = " -a <password>" if self.password else ""
        if self.unix_path:
            return f"redis-cli -s {self.unix_path}{pw}"
        return f"redis-cli -h {self.host} -p {self.port}{pw} -n {self.db}"
