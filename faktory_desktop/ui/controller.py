"""Runs the server for the app: start, stop, restart, and calls into its core from the GUI.

The server lives on its own asyncio loop in a worker thread (`ServerThread`), so GUI work never
delays a FETCH. Everything here runs on the GUI thread: waits for the server thread are awaited
through futures on the GUI's qasync loop, never blocked on, and engine events from the server
thread reach the GUI as queued Qt signals.

When another Faktory already holds the port, the app can attach to it instead: it then watches
that server over FWP (`RemoteFaktory`, on the GUI loop) and runs no server of its own. The live
views ask `snapshot()` and `pause_all()` and need not know which of the two they are showing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from faktory_desktop.client.fwp import FWPError, PasswordRequired
from faktory_desktop.client.remote import RemoteFaktory, first_line
from faktory_desktop.config import ConfigError, Settings, connect_host, load_confd, load_features
from faktory_desktop.core.api import FaktoryAPI, Snapshot
from faktory_desktop.core.features import Features
from faktory_desktop.core.service import CoreService
from faktory_desktop.engine import DataDirInUse, EngineError, EngineNotFound, EngineState
from faktory_desktop.server.listener import PortInUse
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.ui.status import OWN_SERVER_STATES, AppState, Problem, ServerStatus

log = logging.getLogger(__name__)
T = TypeVar("T")


NOT_RUNNING = "The server is not running; start it and try again."
NOT_OURS = ("This needs the app's own server, and the app is watching another Faktory server. "
            "Choose another port in Settings to run its own beside it.")
NOTHING_TO_LIST = "The server is not running. What it holds is listed here while it runs."
NOT_LISTED = ("The server being watched does not list its jobs and workers over FWP; its own Web "
              "UI does. This app lists them for a server it runs itself.")


class ServerNotRunning(RuntimeError):
    """There is no server of ours to call; the message says so in the user's words."""


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


def failure_detail(exc: BaseException) -> str:
    """The banner's detail line; the command line's advice (`-b HOST:PORT`) does not apply."""
    if isinstance(exc, PortInUse):
        return f"{exc.host}:{exc.port} is already in use."
    return str(exc)


def _attach_failure(exc: BaseException) -> str:
    if isinstance(exc, PasswordRequired):
        return "It asks for a password: set the same password in Settings, then attach again."
    return f"Could not attach to it: {exc}"


async def _configure(core: CoreService, features: Features) -> None:
    core.configure(features)  # on the server's loop, between two of its steps


def dial_host(settings: Settings) -> str:
    """The address to connect to for a server bound where `settings` say (no URL brackets)."""
    return connect_host(settings.host).strip("[]")


async def faktory_answers(settings: Settings) -> bool:
    """Whether what holds our port is a Faktory server: it greets with `+HI`."""
    return (await first_line(dial_host(settings), settings.port)).startswith(b"+HI ")


class ServerController(QObject):
    statusChanged = Signal(object)  # ServerStatus
    _engineState = Signal(object)  # EngineState, from the server thread

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.status = ServerStatus(AppState.STOPPED)
        self.server_thread: ServerThread | None = None
        self.api: FaktoryAPI | None = None
        self.remote: RemoteFaktory | None = None  # the server watched while attached
        self._launched: Future[None] | None = None  # launched, and not yet awaited by start()
        self._engineState.connect(self._on_engine_state)

    @property
    def running(self) -> bool:
        """Whether this app's own server runs (attached to another one does not count)."""
        return self.status.state in OWN_SERVER_STATES

    @property
    def attached(self) -> bool:
        return self.remote is not None

    @property
    def port(self) -> int:
        thread = self.server_thread
        return thread.runtime.port if thread and self.running else self.settings.port

    @property
    def web_ui_url(self) -> str:
        """Where a browser opens a Web UI: this app's while its server serves one, else the
        watched server's; "" when there is none."""
        thread = self.server_thread
        if self.running and thread is not None and thread.runtime.web is not None:
            return thread.runtime.web.url
        return self.status.web_ui

    def launch(self) -> None:
        """Start the server thread without waiting for it; `start()` then awaits it.

        The app calls this before it imports and builds its window, so the engine starts and
        the port opens while the GUI loads (no event loop is needed yet).
        """
        if self.server_thread is not None:
            return
        self._detach()
        self._set(ServerStatus(AppState.STARTING))
        try:  # conf.d may have been edited since: its cron entries and throttles, read again
            features = load_features(self.settings.config_dir)  # a few small files
        except ConfigError as exc:
            self._set(ServerStatus(AppState.ERROR, Problem.CONFIG, str(exc)))
            return
        self.settings = replace(self.settings, features=features)
        self.server_thread = ServerThread(self.settings, on_engine_state=self._engineState.emit)
        self._launched = self.server_thread.launch()

    async def start(self) -> bool:
        """Start the server; returns whether it runs. Failures become an ERROR status."""
        if self.server_thread is not None and self._launched is None:
            return self.running
        self.launch()
        if self.server_thread is None:
            return False  # conf.d did not load: the status says why
        launched, self._launched = self._launched, None
        thread = self.server_thread
        assert launched is not None and thread is not None
        try:
            await asyncio.wrap_future(launched)
        except (EngineError, OSError, ConfigError) as exc:
            await self._join(thread)
            problem = problem_of(exc)
            if problem is Problem.PORT_IN_USE and await faktory_answers(self.settings):
                problem = Problem.FAKTORY_ON_PORT
            self._set(ServerStatus(AppState.ERROR, problem, failure_detail(exc)))
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
        """Stop the server (or stop watching the one attached to)."""
        if self._detach():
            self._set(ServerStatus(AppState.STOPPED))
        thread = self.server_thread
        if thread is None:
            return
        self.api = None
        await self._join(thread)
        self._set(ServerStatus(AppState.STOPPED))

    async def restart(self) -> bool:
        await self.stop()
        return await self.start()

    async def attach(self) -> bool:
        """Watch the Faktory server that holds our port, instead of running our own."""
        if self.server_thread is not None or self.remote is not None:
            return self.attached
        try:
            remote, _ = await self._connect_remote()
        except (FWPError, OSError, TimeoutError) as exc:
            detail = _attach_failure(exc)
        else:
            self.remote = remote
            self._set(ServerStatus(AppState.ATTACHED, detail=self.watched_text(),
                                   web_ui=remote.web_ui or ""))
            log.info("attached to the Faktory server at %s", self.watched_text())
            return True
        self._set(ServerStatus(AppState.ERROR, Problem.FAKTORY_ON_PORT, detail))
        return False

    def watched_text(self) -> str:
        """ "Faktory 1.9.1 at 127.0.0.1:7419" for the server attached to."""
        remote = self.remote
        if remote is None:
            return ""
        version = f"Faktory {remote.server.version}" if remote.server else "Faktory"
        return f"{version} at {remote.host}:{remote.port}"

    async def snapshot(self) -> Snapshot:
        """The numbers of the server shown: our own, or the one attached to.

        Raises ServerNotRunning when there is neither (or the watched one just went away).
        """
        remote = self.remote
        if remote is None:
            if self.api is None:
                raise self.not_running()
            return await self.call(self.api.snapshot())
        try:
            return await remote.snapshot()
        except (FWPError, OSError):
            return await self._reattach(remote)

    async def _reattach(self, lost: RemoteFaktory) -> Snapshot:
        """The watched server's connection broke: try once more on a new one (the server may
        just have restarted); if that fails too, the banner says it is gone."""
        if self.remote is not lost:
            raise self.not_running()  # stopped watching meanwhile
        lost.close()
        try:
            replacement, snap = await self._connect_remote()
        except (FWPError, OSError, TimeoutError) as exc:
            if self.remote is lost:
                self.remote = None
                self._set(ServerStatus(AppState.ERROR, Problem.WATCH_LOST, str(exc)))
            raise ServerNotRunning(str(exc)) from exc
        if self.remote is not lost:  # stopped watching while this reconnected
            replacement.close()
            raise self.not_running()
        self.remote = replacement
        return snap

    async def pause_all(self, paused: bool) -> None:
        """Pause (or resume) every queue of the server shown, as `QUEUE PAUSE *` does."""
        if self.remote is not None:
            try:
                await (self.remote.pause_all() if paused else self.remote.resume_all())
            except (FWPError, OSError) as exc:
                raise ServerNotRunning(str(exc)) from exc
            return
        if self.api is None:
            raise self.not_running()
        await self.call(self.api.pause(["*"]) if paused else self.api.resume(["*"]))

    async def reload_configuration(self) -> Features:
        """Re-read conf.d's cron entries, throttles and `[statsd]`, as SIGHUP does; ConfigError
        when a file is bad (then the running configuration stays). Also used for the next
        start."""
        toml, features = await asyncio.to_thread(load_confd, self.settings.config_dir)
        self.settings = replace(self.settings, features=features, toml=toml)
        thread = self.server_thread
        if thread is not None and self.running:
            await self.call(thread.runtime.apply_confd(toml, features))
        return features

    async def edit_configuration(self, edit: Callable[[Path], Features]) -> Features:
        """Write an edit to conf.d (`edit(config_dir)`, checked before it is written) and put
        it in force at once in the running server, or at the next start."""
        features = await asyncio.to_thread(edit, self.settings.config_dir)
        await self._apply(features)
        return features

    async def _apply(self, features: Features) -> None:
        self.settings = replace(self.settings, features=features)
        thread = self.server_thread
        if thread is not None and self.running and thread.runtime.core is not None:
            await self.call(_configure(thread.runtime.core, features))

    def unavailable_text(self) -> str:
        """Why the job screens have nothing to list (while `running` is False)."""
        return NOT_LISTED if self.attached else NOTHING_TO_LIST

    def not_running(self) -> ServerNotRunning:
        return ServerNotRunning(NOT_OURS if self.attached else NOT_RUNNING)

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a core coroutine on the server's loop and await its result here."""
        thread = self.server_thread
        if thread is None or not self.running:
            coro.close()
            raise self.not_running()
        return await asyncio.wrap_future(thread.submit(coro))  # type: ignore[arg-type]

    async def _connect_remote(self) -> tuple[RemoteFaktory, Snapshot]:
        """A connection to the Faktory on our port, and its first snapshot: it answers INFO, not
        just the greeting."""
        settings = self.settings
        remote = await RemoteFaktory.connect(dial_host(settings), settings.port, settings.password)
        try:
            return remote, await remote.snapshot()
        except BaseException:
            remote.close()
            raise

    def _detach(self) -> bool:
        """Stop watching the attached server, if any; whether there was one."""
        remote, self.remote = self.remote, None
        if remote is not None:
            remote.close()
        return remote is not None

    async def _join(self, thread: ServerThread) -> None:
        await asyncio.get_running_loop().run_in_executor(None, thread.stop)
        if self.server_thread is thread:
            self.server_thread = None

    def _on_engine_state(self, state: EngineState) -> None:
        if self.status.state not in OWN_SERVER_STATES:
            return
        if state is EngineState.RESTARTING:
            self._set(ServerStatus(AppState.RESTARTING))
        elif state is EngineState.UNRESPONSIVE:
            self._set(ServerStatus(AppState.NOT_RESPONDING))
        elif state is EngineState.RUNNING:
            self._set(ServerStatus(AppState.RUNNING))
        elif state is EngineState.FAILED:
            self._set(ServerStatus(AppState.ERROR, Problem.ENGINE_FAILED, "the engine failed"))

    def _set(self, status: ServerStatus) -> None:
        if status != self.status:
            self.status = status
            self.statusChanged.emit(status)
