"""One long-lived, pipelined Redis connection for the hot path, written on hiredis.

Every command in flight shares a single socket: requests are packed (`resp.py`), written in one
coalesced write per event-loop tick, and answered in order, so a FIFO of futures matches each reply
to its caller. `../shared/performance.md` measured this at about 2.3x a redis-py pool on this
server's hot path.

The connection reconnects by itself (the engine may be restarting): while it is down, commands
fail fast with `EngineUnavailable`, and commands in flight when it dropped fail with it too. Their
callers turn that into a `-ERR` reply, never a crash. Scripts are called by SHA and reloaded on
NOSCRIPT, which is what a freshly restarted engine answers.

Deadline. An engine that stops answering (stopped, swapping, stuck) must not hold commands
forever: once the oldest command in flight has waited `deadline` seconds, every command in flight
fails with `EngineTimeout`, and new ones fail at once with it, until the engine answers again. This
costs nothing per command: one timer (`_watch_deadline`, every `deadline / 20` s) looks at which
future heads the FIFO; if the same one is still there a deadline after it was first seen there,
the engine has answered nothing meanwhile. The failed futures stay in the FIFO, so the replies
the engine sends when it wakes up still line up (and are dropped).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import Callable
from typing import Any, Final

import hiredis
from mypy_extensions import mypyc_attr

from faktory_desktop.engine.address import EngineAddress
from faktory_desktop.storage.resp import pack_command

log = logging.getLogger(__name__)

MAX_IN_FLIGHT: Final = 10_000
RECONNECT_DELAYS = (0.05, 0.1, 0.2, 0.5, 1.0)  # not Final: mypyc leaves a Final float tuple unset
DEFAULT_DEADLINE: Final = 5.0
# Compiled, resp.pack_command beats hiredis (a sprintf per argument); as plain Python it does not
PACK_HERE: Final = not __file__.endswith(".py")
DEADLINE_CHECKS: Final = 20  # looks at the FIFO's head per deadline: errors come at most 10% late


@mypyc_attr(native_class=False)
class EngineUnavailable(ConnectionError):
    """The engine cannot be reached right now; the command was not (or may not have been) run."""


@mypyc_attr(native_class=False)
class EngineTimeout(EngineUnavailable):
    """The engine answered nothing within the deadline; the command may still run when it does."""


@mypyc_attr(native_class=False)
class ReplyError(Exception):
    """Redis answered with an error reply."""


LateReply = Callable[[Any], None]


class _RedisProtocol(asyncio.Protocol):
    """Feeds replies into the FIFO of waiting futures."""

    def __init__(self, owner: Multiplexer) -> None:
        self.owner = owner
        self.reader = hiredis.Reader(replyError=ReplyError, notEnoughData=False)
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        reader = self.reader
        reader.feed(data)
        pending = self.owner._pending
        while (reply := reader.gets()) is not False:
            fut = pending.popleft()
            if fut.done():  # failed at the deadline (or cancelled): the reply comes too late
                self.owner._late_reply(fut, reply)
                continue
            if isinstance(reply, ReplyError):
                fut.set_exception(reply)
            else:
                fut.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
        self.owner._connection_lost(self)


class Multiplexer:
    """A pipelined connection: `await mux.execute("LPUSH", key, value)`."""

    def __init__(self, address: EngineAddress, deadline: float = DEFAULT_DEADLINE) -> None:
        self.address = address
        self.deadline = deadline
        self._pending: deque[asyncio.Future[Any]] = deque()
        self._protocol: _RedisProtocol | None = None
        self._outbox: list[bytes] = []
        self._flush_scheduled = False
        self._scripts: dict[str, str] = {}  # sha -> source
        self._closing = False
        self._connected = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        # Set by connect(). Cached because asyncio.get_running_loop() costs a getpid() system
        # call per command on CPython 3.11.
        self._loop: asyncio.AbstractEventLoop | None = None
        self.connections = 0  # how many times a connection became ready (1 + reconnects)
        self.stalled = False  # the engine let a command wait past the deadline, and still does
        self._head: asyncio.Future[Any] | None = None  # the FIFO's head at the last check
        self._head_since = 0.0  # when that head was first seen there
        self._deadline_timer: asyncio.TimerHandle | None = None
        self._late: dict[asyncio.Future[Any], LateReply] = {}  # see evalsha's on_late

    async def connect(self, timeout: float = 10.0) -> None:
        """Connect now (raising if that fails within `timeout`), then keep reconnecting."""
        self._loop = asyncio.get_running_loop()
        await asyncio.wait_for(self._open(), timeout)
        self._supervisor = asyncio.create_task(self._supervise(), name="redis-multiplexer")
        self._watch_deadline()

    @property
    def connected(self) -> bool:
        return self._protocol is not None

    async def wait_connected(self, timeout: float) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def close(self) -> None:
        self._closing = True
        if self._supervisor:
            self._supervisor.cancel()
        if self._deadline_timer:
            self._deadline_timer.cancel()
        if self._protocol and self._protocol.transport:
            self._protocol.transport.close()
        self._fail_pending(EngineUnavailable("connection closed"))

    def execute(self, *args: Any) -> asyncio.Future[Any]:
        """Queue one command; the returned future holds its reply."""
        return self._enqueue(args, ready=self._connected.is_set())

    def _enqueue(self, args: tuple[Any, ...], ready: bool) -> asyncio.Future[Any]:
        """Queue a command; only the handshake sends on a connection that is not ready yet."""
        loop = self._loop or asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        if self._protocol is None or not ready:
            fut.set_exception(self._timeout_error() if self.stalled else
                              EngineUnavailable("the engine is not connected (restarting?)"))
            return fut
        if len(self._pending) >= MAX_IN_FLIGHT:
            fut.set_exception(EngineUnavailable("too many Redis commands in flight"))
            return fut
        self._pending.append(fut)
        self._outbox.append(pack_command(args) if PACK_HERE else hiredis.pack_command(args))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return fut

    def register_script(self, source: str) -> str:
        """Remember a Lua script; returns its SHA for `evalsha`."""
        sha = hashlib.sha1(source.encode()).hexdigest()
        self._scripts[sha] = source
        return sha

    async def evalsha(self, sha: str, keys: list[Any], args: list[Any],
                      on_late: LateReply | None = None) -> Any:
        """Run a registered script. `on_late(reply)` is called if the script fails at the deadline
        and the engine still runs it (and answers) later."""
        fut = self.execute("EVALSHA", sha, len(keys), *keys, *args)
        try:
            return await fut
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        except EngineTimeout:
            if on_late is not None:
                self._late[fut] = on_late
            raise
        return await self.execute("EVAL", self._scripts[sha], len(keys), *keys, *args)

    def _late_reply(self, fut: asyncio.Future[Any], reply: Any) -> None:
        """A reply for a command that already failed (or was cancelled): the engine answers."""
        if self.stalled:
            self._unstall()  # now, not at the next check: `on_late` handlers may need the engine
        handler = self._late.pop(fut, None)
        if handler is None or isinstance(reply, ReplyError):
            return
        try:
            handler(reply)
        except Exception:
            log.exception("handling a late reply failed")

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._protocol is None or self._protocol.transport is None:
            return
        data = b"".join(self._outbox)
        self._outbox.clear()
        self._protocol.transport.write(data)

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        addr = self.address
        factory = lambda: _RedisProtocol(self)  # noqa: E731
        if addr.unix_path:
            _, proto = await loop.create_unix_connection(factory, addr.unix_path)
        else:
            ssl = True if addr.tls else None
            assert addr.host is not None and addr.port is not None  # a TCP address has both
            _, proto = await loop.create_connection(factory, addr.host, addr.port, ssl=ssl)
        self._protocol = proto
        try:
            await self._handshake()
        except Exception:
            if proto.transport:
                proto.transport.close()
            self._protocol = None
            raise
        self.connections += 1
        self.stalled = False
        self._connected.set()

    async def _handshake(self) -> None:
        addr = self.address
        if addr.password:
            auth = (addr.username, addr.password) if addr.username else (addr.password,)
            await self._enqueue(("AUTH", *auth), ready=True)
        if addr.db:
            await self._enqueue(("SELECT", addr.db), ready=True)
        # A restarted engine accepts connections while it still answers -LOADING: not ready yet
        # (raises ReplyError; the supervisor retries). Until the PONG, execute() refuses
        # commands as EngineUnavailable, so no caller sees a LOADING error.
        await self._enqueue(("PING",), ready=True)

    def _connection_lost(self, proto: _RedisProtocol) -> None:
        if self._protocol is proto:
            self._protocol = None
            self.stalled = False  # the commands fail as "unavailable" until it reconnects
            self._late.clear()  # their replies will never come
            self._connected.clear()
            self._outbox.clear()
        self._fail_pending(EngineUnavailable("lost the connection to the engine"))

    # -- the deadline -----------------------------------------------------------------------

    def _watch_deadline(self) -> None:
        """The periodic check: has the FIFO's head waited a whole deadline? (see the docstring)"""
        loop = self._loop
        assert loop is not None
        if self._closing:
            return
        self._deadline_timer = loop.call_later(self.deadline / DEADLINE_CHECKS,
                                               self._watch_deadline)
        head = self._pending[0] if self._pending else None
        now = loop.time()
        if head is not self._head:  # the engine answered something (or nothing was waiting)
            self._head, self._head_since = head, now
            if self.stalled:
                self._unstall()
        elif head is not None and not self.stalled and now - self._head_since >= self.deadline:
            self._stall()

    def _stall(self) -> None:
        """Fail what waits on the engine, and refuse new commands until it answers again."""
        log.warning("the engine answered nothing for %g s: failing %d commands in flight",
                    self.deadline, len(self._pending))
        self.stalled = True
        if self._protocol is not None:
            self._connected.clear()
        exc = self._timeout_error()
        for fut in self._pending:  # they stay queued, to match the replies still to come
            if not fut.done():
                fut.set_exception(exc)

    def _unstall(self) -> None:
        log.warning("the engine answers again")
        self.stalled = False
        if self._protocol is not None:
            self._connected.set()

    def _timeout_error(self) -> EngineTimeout:
        return EngineTimeout(f"the storage engine did not answer within {self.deadline:g} s")

    def _fail_pending(self, exc: Exception) -> None:
        while self._pending:
            fut = self._pending.popleft()
            if not fut.done():
                fut.set_exception(exc)

    async def _supervise(self) -> None:
        attempt = 0
        while not self._closing:
            proto = self._protocol
            if proto is not None:
                await proto.closed
                attempt = 0
                if self._closing:
                    return
                log.warning("lost the connection to the engine; reconnecting")
            await asyncio.sleep(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
            attempt += 1
            try:
                await asyncio.wait_for(self._open(), 5.0)
                log.info("reconnected to the engine")
            except (TimeoutError, OSError, ReplyError, EngineUnavailable) as exc:
                log.debug("reconnect failed: %s", exc)
