"""An FWP client connection on an asyncio Protocol: pipelined commands, replies in order.

FWP replies are RESP (`+OK`, `-ERR ...`, `$n` bulk, `$-1` null), so hiredis parses them. Each
connection keeps a FIFO of futures, one per command written; `call` writes one line and returns
the future of its reply. The greeting (`+HI {...}`) is the first reply and is awaited by
`connect`, which also completes HELLO, answering the password challenge when there is one.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections import deque
from typing import Any

import hiredis
import orjson

from faktory_desktop.protocol.auth import password_hash

__all__ = ["FWPClient", "FWPError", "PasswordRequired", "ReplyError", "connect"]

ReplyError = hiredis.ReplyError
Reply = bytes | None | hiredis.ReplyError


class FWPError(Exception):
    """The server refused the handshake, or the connection broke."""


class PasswordRequired(FWPError):
    """The server asks for a password and none was given."""


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
                  labels: tuple[str, ...] = (), timeout: float = 10.0) -> FWPClient:
    """Open a connection, read the greeting and complete HELLO (as a worker when `wid` is set).

    Raises FWPError (PasswordRequired when the server wants a password and none was given),
    OSError when nothing accepts the connection, TimeoutError when the server does not answer.
    """
    loop = asyncio.get_running_loop()
    client = FWPClient()
    greeting_fut = client._expect_greeting()
    await asyncio.wait_for(loop.create_connection(lambda: client, host, port), timeout)
    try:
        await _handshake(client, greeting_fut, wid, password, labels, timeout)
    except BaseException:
        client.close()
        raise
    return client


async def _handshake(client: FWPClient, greeting_fut: asyncio.Future[Reply], wid: str | None,
                     password: str | None, labels: tuple[str, ...], timeout: float) -> None:
    greeting = await asyncio.wait_for(greeting_fut, timeout)
    if not isinstance(greeting, bytes) or not greeting.startswith(b"HI "):
        raise FWPError(f"not a Faktory server: it greeted with {greeting!r}")
    server = orjson.loads(greeting[3:])
    hello: dict[str, Any] = {"v": 2, "hostname": socket.gethostname(), "pid": os.getpid()}
    if wid is not None:
        client.wid = wid
        hello.update(wid=wid, labels=list(labels))
    if "s" in server:
        if password is None:
            raise PasswordRequired("the server requires a password")
        hello["pwdhash"] = password_hash(password, server["s"], int(server.get("i", 1)))
    reply = await asyncio.wait_for(client.call(b"HELLO " + orjson.dumps(hello)), timeout)
    if reply != b"OK":
        raise FWPError(f"the server refused HELLO: {_text(reply)}")


def _text(reply: Reply) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return str(reply)
