"""One client connection: an asyncio Protocol that feeds the sans-IO `FWPConnection`.

Bytes go to the protocol layer; the events it returns are handled here: `Identified` registers the
worker and answers `+OK`, each `Request` is queued and answered strictly in order (one command at a
time, as FWP requires), `Closed` writes its last word and drops the transport. A client that
pipelines faster than we answer is paused at `MAX_QUEUED` commands, and we stop executing while
the transport's write buffer is full, so no buffer grows without bound.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import TYPE_CHECKING

from redis.exceptions import ConnectionError as ColdConnectionError
from redis.exceptions import TimeoutError as ColdTimeoutError

from faktory_desktop.core import jsonc
from faktory_desktop.core.job import JobError
from faktory_desktop.core.manager import JobNotFound
from faktory_desktop.core.mutate import MutateError
from faktory_desktop.core.timefmt import now_ns
from faktory_desktop.core.workers import UnknownWorker, Worker
from faktory_desktop.protocol import Closed, Command, FWPConnection, Identified, Request
from faktory_desktop.protocol.replies import OK, error
from faktory_desktop.server.commands import HANDLERS, CommandError, unknown_command
from faktory_desktop.storage.multiplexer import EngineUnavailable, ReplyError

if TYPE_CHECKING:
    from faktory_desktop.core.service import CoreService
    from faktory_desktop.server.listener import FaktoryServer

log = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT_S = 2.0
MAX_QUEUED = 64
CLIENT_ERRORS = (CommandError, JobError, JobNotFound, MutateError, UnknownWorker)


class Session(asyncio.Protocol):
    def __init__(self, server: FaktoryServer) -> None:
        self.server = server
        self.number = next(server.session_numbers)
        self.core: CoreService = server.core
        self.fwp = FWPConnection(server.config.password, server.config.max_line)
        self.transport: asyncio.Transport | None = None
        self.wid = ""
        self.wid_json = b'""'
        self.worker: Worker | None = None
        self.identified = False
        self.command: Command | None = None  # the command being executed
        self._queue: deque[Command] = deque()
        self._runner: asyncio.Task[None] | None = None
        self._handshake_timer: asyncio.TimerHandle | None = None
        self._can_write = asyncio.Event()
        self._can_write.set()
        self._reading_paused = False
        self._last_word: Closed | None = None  # a close waiting for earlier commands' replies

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.server.sessions.add(self)
        transport.write(self.fwp.greeting())  # type: ignore[attr-defined]
        loop = asyncio.get_running_loop()
        self._handshake_timer = loop.call_later(HANDSHAKE_TIMEOUT_S, self._handshake_expired)

    def data_received(self, data: bytes) -> None:
        for event in self.fwp.receive_data(data):
            if isinstance(event, Request):
                self._queue.append(event.command)
            elif isinstance(event, Identified):
                self._identify(event)
                if not self.identified:
                    return  # refused (connection cap): nothing pipelined behind HELLO runs
            elif isinstance(event, Closed):
                if self._queue or (self._runner and not self._runner.done()):
                    self._last_word = event  # answer the commands before it first
                    self._run_queue()
                else:
                    self._finish(event.reply)
                return
        if self._queue:
            self._run_queue()

    def eof_received(self) -> bool:
        self.fwp.receive_eof()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.sessions.discard(self)
        if self._handshake_timer:
            self._handshake_timer.cancel()
        if self.identified:
            self.core.counters.connections -= 1
        if self.wid:
            self.core.workers.disconnect(self.wid, self)
        if self._runner and not self._runner.done():
            self._runner.cancel()
        self._can_write.set()

    def pause_writing(self) -> None:
        self._can_write.clear()

    def resume_writing(self) -> None:
        self._can_write.set()

    # -- the registry's view of a connection ----------------------------------------------------

    def close(self) -> None:
        """Drop the connection (a reaped worker, server shutdown)."""
        self._finish(None)

    # -- internals ------------------------------------------------------------------------------

    def _identify(self, event: Identified) -> None:
        if self._handshake_timer:
            self._handshake_timer.cancel()
        counters = self.core.counters
        if counters.connections >= self.server.config.max_connections:
            self._finish(error(f"too many connections: {counters.connections + 1}"))
            return
        counters.connections += 1
        self.identified = True
        hello = event.hello
        if hello.wid:
            self.wid, self.wid_json = hello.wid, jsonc.dumps(hello.wid)
            self.worker = self.core.workers.register(
                hello.wid, hello.hostname, hello.pid, hello.labels, hello.rss_kb, self, now_ns()
            )
        self._write(OK)

    def _handshake_expired(self) -> None:
        if not self.identified:
            log.debug("no HELLO within %.0f s; closing", HANDSHAKE_TIMEOUT_S)
            self._finish(None)

    def _finish(self, reply: bytes | None) -> None:
        self.fwp.close()
        self._queue.clear()
        if self.transport and not self.transport.is_closing():
            if reply:
                self.transport.write(reply)
            self.transport.close()

    def _write(self, data: bytes) -> None:
        if self.transport and not self.transport.is_closing():
            self.transport.write(data)

    def _run_queue(self) -> None:
        if len(self._queue) >= MAX_QUEUED and not self._reading_paused and self.transport:
            self._reading_paused = True
            self.transport.pause_reading()
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain())
            self.server.track(self._runner)

    async def _drain(self) -> None:
        while self._queue:
            command = self._queue.popleft()
            reply = await self._execute(command)
            if reply is None:
                self._finish(None)
                return
            await self._can_write.wait()
            self._write(reply)
            if self._reading_paused and len(self._queue) < MAX_QUEUED // 2 and self.transport:
                self._reading_paused = False
                self.transport.resume_reading()
        if self._last_word is not None:
            self._finish(self._last_word.reply)

    async def _execute(self, command: Command) -> bytes | None:
        trace = self.server.trace
        if not trace.enabled:
            return await self._dispatch(command)
        started = time.perf_counter()
        reply = await self._dispatch(command)
        trace.record(self.number, command.verb, command.args, reply, started)
        return reply

    async def _dispatch(self, command: Command) -> bytes | None:
        self.core.counters.command_count += 1
        if self.server.stopping:
            self._finish(error("shutdown in progress"))  # P-17
            return None
        handler = HANDLERS.get(command.verb)
        if handler is None:
            return unknown_command(command.verb)
        self.command = command
        try:
            return await handler(self, command.args)
        except CLIENT_ERRORS as exc:
            return error(str(exc))
        except (EngineUnavailable, ColdConnectionError, ColdTimeoutError) as exc:
            # the hot path (multiplexer) or the cold one (redis-py: INFO, QUEUE, MUTATE) while
            # the engine restarts: the same retryable answer, and no traceback in the log
            return error(f"the storage engine is unavailable, try again: {exc}")
        except ReplyError as exc:
            return error(f"storage engine error: {exc}")
        except Exception:
            log.exception("internal error while handling %s", command.verb)
            return error("internal error")

    def log_flush(self) -> None:
        log.info("database flushed by a client (%s)", self.wid or "a producer")
