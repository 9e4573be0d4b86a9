"""One client connection: an asyncio Protocol that feeds the sans-IO `FWPConnection`.

Bytes go to the protocol layer; the events it returns are handled here: `Identified` registers the
worker and answers `+OK`, each `Request` is queued and answered strictly in order (one command at a
time, as FWP requires), `Closed` writes its last word and drops the transport. A client that
pipelines faster than we answer is paused at `MAX_QUEUED` commands, and we stop executing while
the transport's write buffer is full, so no buffer grows without bound.

How a command runs. The hot verbs (`INLINE_VERBS`) do not get an `asyncio.Task`: their coroutine
is started right here, inside `data_received`, and stepped by hand (`_step`) each time the future
it waits on (a Redis reply, a FETCH wake-up) is done. That is what a Task does, minus its cost
(creating and registering a Task per command was ~5% of the server's time) and minus one loop
iteration of latency; and since every connection's command reaches the multiplexer in the same
loop turn, the engine gets them in one write. A coroutine stepped this way has no "current task",
so only handlers whose awaits are plain futures may run inline; everything else (redis-py's cold
path uses `asyncio.timeout`, PUSHB uses `gather`) runs in a real Task, as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Final

from faktory_desktop.core import jsonc
from faktory_desktop.core.job import JobError
from faktory_desktop.core.manager import JobNotFound
from faktory_desktop.core.mutate import MutateError
from faktory_desktop.core.timefmt import now_ns
from faktory_desktop.core.workers import UnknownWorker, Worker
from faktory_desktop.protocol import Closed, Command, FWPConnection, Identified, Request
from faktory_desktop.protocol.replies import OK, error
from faktory_desktop.server.commands import HANDLERS, CommandError, unknown_command
from faktory_desktop.storage.cold import ENGINE_TIMEOUTS
from faktory_desktop.storage.multiplexer import ReplyError
from faktory_desktop.storage.store import ENGINE_UNREACHABLE

if TYPE_CHECKING:
    from faktory_desktop.core.service import CoreService
    from faktory_desktop.server.listener import FaktoryServer

log = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT_S: Final = 2.0
MAX_QUEUED: Final = 64
CLIENT_ERRORS: Final = (CommandError, JobNotFound, MutateError, UnknownWorker)  # JobError: own code
# Verbs whose handlers only ever await asyncio futures (multiplexer replies, FETCH waits,
# asyncio.sleep), never anything that needs `asyncio.current_task()`: these run inline.
INLINE_VERBS: Final = frozenset({"PUSH", "FETCH", "ACK", "FAIL", "BEAT", "END"})

Reply = bytes | None


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
        self._loop = asyncio.get_running_loop()
        self._busy = False  # a command is executing (inline or in `_task`)
        self._coro: Coroutine[Any, Any, Reply] | None = None  # an inline command, suspended
        self._awaiting: asyncio.Future[Any] | None = None  # what `_coro` waits for
        self._cancelled = False  # the connection is gone: `_coro` gets CancelledError
        self._task: asyncio.Task[Reply] | None = None  # a command that runs as a Task
        self._idle: asyncio.Future[None] | None = None  # for `wait_idle`
        self._handshake_timer: asyncio.TimerHandle | None = None
        self._writing_paused = False
        self._reading_paused = False
        self._last_word: Closed | None = None  # a close waiting for earlier commands' replies

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sessions = self.server.sessions
        if len(sessions) >= self.server.budget.max_sockets:  # the open-file limit: see fdlimit
            self._finish(error(f"too many connections: {len(sessions) + 1}"))
            return
        sessions.add(self)
        transport.write(self.fwp.greeting())  # type: ignore[attr-defined]
        self._handshake_timer = self._loop.call_later(HANDSHAKE_TIMEOUT_S, self._handshake_expired)

    def data_received(self, data: bytes) -> None:
        for event in self.fwp.receive_data(data):
            if type(event) is Request:
                self._queue.append(event.command)
            elif isinstance(event, Identified):
                self._identify(event)
                if not self.identified:
                    return  # refused (connection cap): nothing pipelined behind HELLO runs
            elif isinstance(event, Closed):
                if self._queue or self._busy:
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
        self._queue.clear()
        if self._task is not None:
            self._task.cancel()
        elif self._coro is not None:
            # As Task.cancel() does: cancel what the command waits for; its wake-up then throws
            # CancelledError into the coroutine, so its `finally`/`except BaseException` blocks
            # run (a FETCH leaves the waiters, an ACK puts its reservation back).
            self._cancelled = True
            if self._awaiting is not None:
                self._awaiting.cancel()
        self._resume_writing_now()

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._resume_writing_now()

    # -- the registry's view of a connection ----------------------------------------------------

    def close(self) -> None:
        """Drop the connection (a reaped worker, server shutdown)."""
        self._finish(None)

    @property
    def busy(self) -> bool:
        """A command is executing."""
        return self._busy

    def wait_idle(self) -> asyncio.Future[None]:
        """A future done when no command is executing (the shutdown grace period uses it)."""
        if not self._busy:
            fut: asyncio.Future[None] = self._loop.create_future()
            fut.set_result(None)
            return fut
        if self._idle is None:
            self._idle = self._loop.create_future()
        return self._idle

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

    def _resume_writing_now(self) -> None:
        self._writing_paused = False
        if not self._busy:
            self._run_next()

    # -- running commands, one at a time and in order -------------------------------------------

    def _run_queue(self) -> None:
        if len(self._queue) >= MAX_QUEUED and not self._reading_paused and self.transport:
            self._reading_paused = True
            self.transport.pause_reading()
        if not self._busy:
            self._run_next()

    def _run_next(self) -> None:
        """Start queued commands in order until one has to wait; its completion calls us again.

        Commands that finish without waiting (BEAT, most errors) are answered in this loop; so a
        pipelined burst costs no loop iteration per command. Nothing starts while the transport's
        write buffer is full (`pause_writing`).
        """
        queue = self._queue
        while queue and not self._busy and not self._writing_paused:
            command = queue.popleft()
            self._busy = True
            coro = self._traced(command) if self.server.trace.enabled else self._dispatch(command)
            if command.verb in INLINE_VERBS:
                self._coro = coro
                self._step(None)
            else:
                self._task = task = self._loop.create_task(self._bounded(coro))
                task.add_done_callback(self._task_done)
                self.server.track(task)
        if self._busy:
            return
        if self._reading_paused and len(queue) < MAX_QUEUED // 2 and self.transport:
            self._reading_paused = False
            self.transport.resume_reading()
        if self._last_word is not None and not queue:
            self._finish(self._last_word.reply)

    def _step(self, exc: BaseException | None) -> None:
        """Advance the inline command's coroutine by one step, as `asyncio.Task` does."""
        coro = self._coro
        assert coro is not None
        try:
            awaited = coro.send(None) if exc is None else coro.throw(exc)
        except StopIteration as done:
            self._command_done(done.value)
        except asyncio.CancelledError:
            self._command_done(None, cancelled=True)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # _dispatch answers every Exception; this would be a bug here
            log.exception("internal error in a command's runner")
            self._command_done(None)
        else:
            # A coroutine awaiting an asyncio future yields that future with this flag set (the
            # protocol Task relies on); `await asyncio.sleep(0)` yields None.
            if awaited is None:
                self._awaiting = None
                self._loop.call_soon(self._wake, None)
                return
            if not getattr(awaited, "_asyncio_future_blocking", False):  # a bug: see INLINE_VERBS
                coro.close()
                log.error("an inline command awaited %r, not an asyncio future", awaited)
                self._command_done(error("internal error"))
                return
            awaited._asyncio_future_blocking = False
            self._awaiting = awaited
            awaited.add_done_callback(self._wake)

    def _wake(self, fut: asyncio.Future[Any] | None) -> None:
        """The future the inline command awaited is done: resume it, then run what follows.

        A resumed `await future` reads the future's result itself (or raises its exception, or
        CancelledError), so a plain send(None) resumes it correctly in every case.
        """
        self._awaiting = None
        if self._coro is None:
            return
        self._step(asyncio.CancelledError() if self._cancelled else None)
        if not self._busy:
            self._run_next()

    def _task_done(self, task: asyncio.Task[Reply]) -> None:
        if task.cancelled():
            self._command_done(None, cancelled=True)
            return
        exc = task.exception()
        if exc is not None:  # _dispatch answers every Exception; this would be a bug here
            log.error("internal error in a command's task", exc_info=exc)
        self._command_done(None if exc is not None else task.result())
        if not self._busy:
            self._run_next()

    def _command_done(self, reply: Reply, cancelled: bool = False) -> None:
        """Write the reply of the command that just finished (None: close the connection)."""
        self._busy = False
        self._coro = self._task = None
        if self._idle is not None:
            if not self._idle.done():
                self._idle.set_result(None)
            self._idle = None  # the next command gets a fresh one
        if cancelled:
            self._queue.clear()  # the connection is gone
        elif reply is None:
            self._finish(None)
        else:
            self._write(reply)

    async def _bounded(self, coro: Coroutine[Any, Any, Reply]) -> Reply:
        """A command run as a Task (the cold verbs: INFO, QUEUE, MUTATE...), bounded as a whole
        by the engine deadline, as Faktory bounds each command's Redis work (P-05). It also
        covers the wait for one of the cold pool's connections. The inline verbs are bounded by
        the multiplexer's deadline instead, at no cost per command."""
        try:
            async with asyncio.timeout(self.server.config.engine_timeout):
                return await coro
        except TimeoutError:
            return self.server.deadline_error

    async def _traced(self, command: Command) -> Reply:
        """`_dispatch`, recorded in the protocol trace (only while the app shows it)."""
        started = time.perf_counter()
        reply = await self._dispatch(command)
        self.server.trace.record(self.number, command.verb, command.args, reply, started)
        return reply

    async def _dispatch(self, command: Command) -> Reply:
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
        except JobError as refused:  # each clause its own name: mypyc types one name once
            return error(str(refused), refused.code)
        except CLIENT_ERRORS as bad_request:
            return error(str(bad_request))
        except ENGINE_TIMEOUTS:
            return self.server.deadline_error  # P-05; the command may still run (at-least-once)
        except ENGINE_UNREACHABLE as unreachable:
            # the hot path (multiplexer) or the cold one (redis-py: INFO, QUEUE, MUTATE) while
            # the engine restarts: the same retryable answer, and no traceback in the log
            return error(f"the storage engine is unavailable, try again: {unreachable}")
        except ReplyError as engine_error:
            return error(f"storage engine error: {engine_error}")
        except Exception:
            log.exception("internal error while handling %s", command.verb)
            return error("internal error")

    def log_flush(self) -> None:
        log.info("database flushed by a client (%s)", self.wid or "a producer")
