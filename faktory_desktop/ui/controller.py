"""Runs the server for the app: start, stop, restart, and calls into its core from the GUI.

The server lives on its own asyncio loop in a worker thread (`ServerThread`), so GUI work never
delays a FETCH. Everything here runs on the GUI thread: waits for the server thread are awaited
through futures on the GUI's qasync loop, never blocked on, and engine events from the server
thread reach the GUI as queued Qt signals.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from faktory_desktop.config import ConfigError, Settings
from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.engine import DataDirInUse, EngineError, EngineNotFound, EngineState
from faktory_desktop.server.listener import PortInUse
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.ui.status import AppState, Problem, ServerStatus

log = logging.getLogger(__name__)
T = TypeVar("T")


class ServerNotRunning(RuntimeError):
    pass


def problem_of(exc: BaseException) -> Problem:
    if isinstance(exc, EngineNotFound):
        return Problem.NO_ENGINE
    if isinstance(exc, PortInUse):
        return Problem.PORT_IN_USE
    if isinstance(exc, DataDirInUse):
        return Problem.DATA_DIR_LOCKED
    if isinstance(exc, ConfigError):
        return Problem.CONFIG
    return Problem.OTHER


async def faktory_answers(settings: Settings, timeout: float = 1.0) -> bool:
    """Whether what holds our port is a Faktory server: it greets with `+HI`."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, settings.port), timeout)
    except (OSError, TimeoutError):
        return False
    try:
        greeting = await asyncio.wait_for(reader.readline(), timeout)
    except (OSError, TimeoutError):
        greeting = b""
    finally:
        writer.close()
    return greeting.startswith(b"+HI ")


class ServerController(QObject):
    statusChanged = Signal(object)  # ServerStatus
    _engineState = Signal(object)  # EngineState, from the server thread

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.status = ServerStatus(AppState.STOPPED)
        self.thread: ServerThread | None = None
        self.api: FaktoryAPI | None = None
        self._engineState.connect(self._on_engine_state)

    @property
    def running(self) -> bool:
        return self.status.state in (AppState.RUNNING, AppState.RESTARTING)

    @property
    def port(self) -> int:
        return self.thread.runtime.port if self.thread and self.running else self.settings.port

    async def start(self) -> bool:
        """Start the server; returns whether it runs. Failures become an ERROR status."""
        if self.thread is not None:
            return self.running
        self._set(ServerStatus(AppState.STARTING))
        thread = ServerThread(self.settings, on_engine_state=self._engineState.emit)
        self.thread = thread
        try:
            await asyncio.wrap_future(thread.launch())
        except (EngineError, OSError, ConfigError) as exc:
            await self._join(thread)
            problem = problem_of(exc)
            if problem is Problem.PORT_IN_USE and await faktory_answers(self.settings):
                problem = Problem.FAKTORY_ON_PORT
            self._set(ServerStatus(AppState.ERROR, problem, str(exc)))
            return False
        except Exception as exc:  # noqa: BLE001 - any startup failure is shown, not raised
            log.exception("the server failed to start")
            await self._join(thread)
            self._set(ServerStatus(AppState.ERROR, Problem.OTHER, str(exc)))
            return False
        assert thread.runtime.core is not None
        self.api = FaktoryAPI(thread.runtime.core)
        self._set(ServerStatus(AppState.RUNNING))
        log.info("listening at %s:%d", self.settings.host, self.port)
        return True

    async def stop(self) -> None:
        thread = self.thread
        if thread is None:
            return
        self.api = None
        await self._join(thread)
        self._set(ServerStatus(AppState.STOPPED))

    async def restart(self) -> bool:
        await self.stop()
        return await self.start()

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a core coroutine on the server's loop and await its result here."""
        thread = self.thread
        if thread is None or not self.running:
            coro.close()
            raise ServerNotRunning("the server is not running")
        return await asyncio.wrap_future(thread.submit(coro))  # type: ignore[arg-type]

    async def _join(self, thread: ServerThread) -> None:
        await asyncio.get_running_loop().run_in_executor(None, thread.stop)
        if self.thread is thread:
            self.thread = None

    def _on_engine_state(self, state: EngineState) -> None:
        if self.status.state not in (AppState.RUNNING, AppState.RESTARTING):
            return
        if state is EngineState.RESTARTING:
            self._set(ServerStatus(AppState.RESTARTING))
        elif state is EngineState.RUNNING:
            self._set(ServerStatus(AppState.RUNNING))
        elif state is EngineState.FAILED:
            self._set(ServerStatus(AppState.ERROR, Problem.ENGINE_FAILED, "the engine failed"))

    def _set(self, status: ServerStatus) -> None:
        if status != self.status:
            self.status = status
            self.statusChanged.emit(status)
