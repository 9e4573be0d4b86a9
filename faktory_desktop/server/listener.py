"""The FWP listener: accepts connections, tracks their sessions, and shuts down cleanly."""

from __future__ import annotations

import asyncio
import errno
import itertools
import logging
from typing import Any, cast

from mypy_extensions import mypyc_attr

from faktory_desktop.config import Settings
from faktory_desktop.core.service import CoreService
from faktory_desktop.protocol.replies import error
from faktory_desktop.server.fdlimit import ConnectionBudget, unlimited_budget
from faktory_desktop.server.session import HANDSHAKE_TIMEOUT_S, Session
from faktory_desktop.server.tls import server_context
from faktory_desktop.server.trace import ProtocolTrace

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 0.1


@mypyc_attr(native_class=False)
class PortInUse(OSError):
    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"{host}:{port} is already in use (is another Faktory "
                                            f"running?); choose another port with -b HOST:PORT")
        self.host, self.port = host, port


class FaktoryServer:
    def __init__(self, core: CoreService, config: Settings,
                 budget: ConnectionBudget | None = None) -> None:
        self.core = core
        self.config = config
        self.budget = budget or unlimited_budget(config.max_connections)
        self.deadline_error = error(f"the storage engine did not answer within "
                                    f"{config.engine_timeout:g} s, try again")
        self.sessions: set[Session] = set()
        self.stopping = False
        self.trace = ProtocolTrace()
        self.session_numbers = itertools.count(1)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.base_events.Server | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        """The bound port (differs from the configured one when that was 0). Kept from the
        start: once stop() closes the listener, its socket list is empty, and the app may still
        ask while it stops."""
        assert self._port is not None
        return self._port

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        context = server_context(self.config)
        # The handshake deadline (P-12) must also cover the TLS handshake, which runs before the
        # session exists; asyncio's default would hold a silent client for 60 s.
        try:
            self._server = await loop.create_server(
                lambda: Session(self), self.config.host, self.config.port,
                ssl=context, reuse_address=True, backlog=self.budget.backlog,
                ssl_handshake_timeout=HANDSHAKE_TIMEOUT_S if context else None,
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(self.config.host, self.config.port) from None
            raise
        sockets = cast(Any, self._server).sockets  # uvloop: a list, not the typed tuple
        self._port = sockets[0].getsockname()[1]

    def track(self, task: asyncio.Task[Any]) -> None:
        """Keep a strong reference to a session's task until it ends."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Refuse new work, give commands in flight a moment, then close every connection."""
        self.stopping = True
        if self._server:
            self._server.close()
        self.core.manager.waiters.wake_all()
        busy = [session.wait_idle() for session in self.sessions if session.busy]
        if busy:
            await asyncio.wait(busy, timeout=SHUTDOWN_GRACE_S)
        for session in list(self.sessions):
            session.close()
        if self._server:
            await self._server.wait_closed()
