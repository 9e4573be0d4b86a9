"""`ExternalEngine`: a Redis/Valkey server someone else runs (`--redis-url` / `REDIS_URL`).

It has the same async interface as `Engine` but starts no child and never stops the server.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from .address import EngineAddress
from .control import wait_ready
from .errors import EngineError
from .state import EngineState, check_transition, notify

_URL_FORMS = "expected redis://[user:pass@]host:port/db, rediss://… or unix:///path?db=N"


def _redact(url: str) -> str:
    """`url` with any password replaced by ***, for messages."""
    return re.sub(r"(//[^/@]*?:)[^/@]*@", r"\1***@", url)


def _db(parts: SplitResult) -> int:
    """The db number: `?db=N`, else the path `/N` of a redis:// URL, else 0."""
    query = parse_qs(parts.query)
    text = query["db"][-1] if "db" in query else ""
    if not text and parts.scheme != "unix":
        text = parts.path.strip("/")
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(f"db must be a number, not {text!r}")
    return int(text)


def _credentials(parts: SplitResult) -> tuple[str | None, str | None]:
    """(username, password) from the URL's user info, or the `password` query parameter."""
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    query = parse_qs(parts.query)
    if password is None and "password" in query:
        password = query["password"][-1]
    return username, password


def parse_engine_url(url: str) -> EngineAddress:
    """Parse a redis://, rediss:// or unix:// URL; raise EngineError (one line) if it is bad."""
    try:
        parts = urlsplit(url.strip())
        username, password = _credentials(parts)
        db = _db(parts)
        if parts.scheme == "unix":
            if not parts.path:
                raise ValueError("a unix:// URL needs a socket path")
            return EngineAddress(unix_path=parts.path, password=password, username=username, db=db)
        if parts.scheme not in ("redis", "rediss"):
            raise ValueError(f"unknown scheme {parts.scheme!r}" if parts.scheme else "no scheme")
        if not parts.hostname:
            raise ValueError("no host")
        return EngineAddress(
            host=parts.hostname,
            port=parts.port or 6379,
            password=password,
            username=username,
            db=db,
            tls=parts.scheme == "rediss",
        )
    except ValueError as exc:
        raise EngineError(f"bad Redis URL {_redact(url)!r}: {exc}; {_URL_FORMS}") from None


class ExternalEngine:
    """An engine we only connect to: `start()` checks it answers PING, `stop()` leaves it be."""

    def __init__(
        self,
        url: str,
        on_state_change: Callable[[EngineState], None] | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        self._address = parse_engine_url(url)
        self._on_state_change = on_state_change
        self._connect_timeout = connect_timeout
        self._state = EngineState.STOPPED
        self._lock = asyncio.Lock()

    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def address(self) -> EngineAddress:
        return self._address

    @property
    def pid(self) -> int | None:
        return None

    @property
    def binary(self) -> str | None:
        return None

    @property
    def version(self) -> tuple[str, str] | None:
        return None

    @property
    def data_dir(self) -> Path | None:
        return None

    @property
    def log_path(self) -> Path | None:
        return None

    def _set_state(self, new: EngineState) -> None:
        if new is self._state:
            return
        check_transition(self._state, new)
        self._state = new
        notify(self._on_state_change, new)

    async def start(self) -> EngineAddress:
        """Wait until the server answers PING (it may still be loading) and return its address."""
        async with self._lock:
            if self._state is EngineState.RUNNING:
                return self._address
            self._set_state(EngineState.STARTING)
            try:
                await wait_ready(self._address, self._connect_timeout)
            except EngineError as exc:
                self._set_state(EngineState.FAILED)
                where = _redact(self._address.redis_url)
                raise type(exc)(f"cannot reach Redis at {where}: {exc}") from None
            except BaseException:
                self._set_state(EngineState.FAILED)
                raise
            self._set_state(EngineState.RUNNING)
            return self._address

    async def stop(self) -> None:
        """Forget the server; it keeps running. Idempotent."""
        async with self._lock:
            self._set_state(EngineState.STOPPED)

    async def __aenter__(self) -> ExternalEngine:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
