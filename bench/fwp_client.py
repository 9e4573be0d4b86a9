"""A minimal FWP client on an asyncio Protocol, built for load: no client library, no checks.

FWP replies are RESP (`+OK`, `-ERR ...`, `$n` bulk, `$-1` null), so hiredis parses them. Each
connection keeps a FIFO of futures, one per command written; `call` writes one line and awaits
its reply. The greeting (`+HI {...}`) is the first reply and is awaited by `connect`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
from collections import deque
from typing import Any

import hiredis
import orjson

__all__ = ["FWPClient", "FWPError", "ReplyError", "connect", "info_sync", "password_hash"]

ReplyError = hiredis.ReplyError
Reply = bytes | None | hiredis.ReplyError


class FWPError(Exception):
    """The server refused the handshake, or the connection broke."""


def password_hash(password: str, salt: str, iterations: int) -> str:
    """Faktory's pwdhash: SHA-256 of password+salt, rehashed `iterations` times in all."""
    digest = hashlib.sha256((password + salt).encode()).digest()
    for _ in range(1, iterations):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


class FWPClient(asyncio.Protocol):
    """One FWP connection. Use `connect()` to make one; then `await call(b"VERB args")`."""

    def __init__(self) -> None:
        self._reader = hiredis.Reader()
        self._waiters: deque[asyncio.Future[Reply]] = deque()
        self.transport: asyncio.Transport | None = None
        self.wid = ""
        self.closed = False
        self.lost: BaseException | None = None

    # -- asyncio.Protocol -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        reader = self._reader
        reader.feed(data)
        waiters = self._waiters
        while (reply := reader.gets()) is not False:
            if waiters:
                fut = waiters.popleft()
                if not fut.done():
                    fut.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        error = FWPError(f"connection closed by the server ({exc or 'EOF'})")
        self.lost = error
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_exception(error)

    # -- commands ---------------------------------------------------------------------------

    def call(self, line: bytes) -> asyncio.Future[Reply]:
        """Send one command line (without CRLF); the future resolves to its reply."""
        fut: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        if self.closed or self.transport is None:
            fut.set_exception(self.lost or FWPError("connection is closed"))
            return fut
        self._waiters.append(fut)
        self.transport.write(line + b"\r\n")
        return fut

    def _expect_greeting(self) -> asyncio.Future[Reply]:
        fut: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        return fut

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


async def connect(host: str, port: int, *, wid: str | None = None, password: str | None = None,
                  labels: tuple[str, ...] = ("bench",), timeout: float = 10.0) -> FWPClient:
    """Open a connection, read the greeting and complete HELLO (as a worker when `wid` is set)."""
    loop = asyncio.get_running_loop()
    client = FWPClient()
    greeting_fut = client._expect_greeting()
    await asyncio.wait_for(loop.create_connection(lambda: client, host, port), timeout)
    greeting = await asyncio.wait_for(greeting_fut, timeout)
    if not isinstance(greeting, bytes) or not greeting.startswith(b"HI "):
        client.close()
        raise FWPError(f"unexpected greeting: {greeting!r}")
    server = orjson.loads(greeting[3:])
    hello: dict[str, Any] = {"v": 2, "hostname": socket.gethostname(), "pid": os.getpid()}
    if wid is not None:
        client.wid = wid
        hello.update(wid=wid, labels=list(labels))
    if "s" in server:
        if password is None:
            client.close()
            raise FWPError("the server requires a password (use --password)")
        hello["pwdhash"] = password_hash(password, server["s"], int(server.get("i", 1)))
    reply = await asyncio.wait_for(client.call(b"HELLO " + orjson.dumps(hello)), timeout)
    if reply != b"OK":
        client.close()
        raise FWPError(f"HELLO refused: {reply!r}")
    return client


def info_sync(host: str, port: int, password: str | None = None,
              timeout: float = 10.0) -> dict[str, Any]:
    """A blocking `INFO` on a fresh connection (after the run, to cross-check the counts)."""
    reader = hiredis.Reader()
    with socket.create_connection((host, port), timeout=timeout) as sock:

        def reply() -> Reply:
            while (item := reader.gets()) is False:
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("the server closed the connection")
                reader.feed(data)
            return item

        greeting = reply()
        if not isinstance(greeting, bytes) or not greeting.startswith(b"HI "):
            raise ValueError(f"unexpected greeting {greeting!r}")
        hello: dict[str, Any] = {"v": 2}
        server = orjson.loads(greeting[3:])
        if "s" in server and password is not None:
            hello["pwdhash"] = password_hash(password, server["s"], int(server.get("i", 1)))
        sock.sendall(b"HELLO " + orjson.dumps(hello) + b"\r\n")
        if reply() != b"OK":
            raise ValueError("HELLO refused")
        sock.sendall(b"INFO\r\nEND\r\n")
        info = reply()
        if not isinstance(info, bytes):
            raise ValueError(f"INFO failed: {info!r}")
        data = orjson.loads(info)
        return data if isinstance(data, dict) else {}
