"""The whole server, assembled and run: engine, store, core, FWP listener and Web UI.

`FaktoryRuntime` starts the layers bottom-up and stops them top-down. It is driven from code, with
no display: `faktory-desktop serve` runs it on the main thread, and the desktop app runs it in a
`ServerThread` so GUI work never delays a FETCH.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from faktory_desktop.config import Settings, load_confd
from faktory_desktop.core.api import FaktoryAPI
from faktory_desktop.core.clock import Clock
from faktory_desktop.core.features import Features
from faktory_desktop.core.service import CoreService
from faktory_desktop.engine import Engine, EngineState, ExternalEngine
from faktory_desktop.metrics.service import MetricsService
from faktory_desktop.server.fdlimit import fit_open_file_limit
from faktory_desktop.server.gateway_settings import announce_gateway, gateway_request
from faktory_desktop.server.listener import FaktoryServer
from faktory_desktop.storage.store import Store

if TYPE_CHECKING:
    from faktory_desktop.web.server import WebServer

log = logging.getLogger(__name__)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (+18 to 28% throughput here), else asyncio's default."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class FaktoryRuntime:
    def __init__(self, settings: Settings,
                 on_engine_state: Callable[[EngineState], None] | None = None,
                 clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.engine: Engine | ExternalEngine
        if settings.redis_url:
            self.engine = ExternalEngine(settings.redis_url, on_state_change=on_engine_state)
        else:
            self.engine = Engine(settings.data_dir, binary=settings.redis_server,
                                 log_level=settings.log_level, on_state_change=on_engine_state,
                                 gateway=gateway_request(settings),
                                 health_limit=settings.engine_health_limit,
                                 unresponsive_after=settings.engine_timeout)
        self.core: CoreService | None = None
        self.server: FaktoryServer | None = None
        self.web: WebServer | None = None
        self.metrics: MetricsService | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    async def start(self) -> None:
        """Start every layer; on failure, stop what was started and re-raise."""
        budget = fit_open_file_limit(self.settings.max_connections)
        self.settings = replace(self.settings, max_connections=budget.max_connections)
        try:
            address = await self.engine.start()
            gateway = self.engine.gateway if isinstance(self.engine, Engine) else None
            announce_gateway(self.settings, gateway)
            self.core = CoreService(Store(address, self.settings.engine_timeout),
                                    self.settings.features, self.clock)
            self.core.gone.requeue_when_gone(self.settings.requeue_gone_workers)
            await self.core.start()
            self.server = FaktoryServer(self.core, self.settings, budget)
            await self.server.start()
            self.metrics = MetricsService(self.settings, self.core)
            await self.metrics.start()
        except BaseException:
            await self.stop()
            raise
        if self.settings.web_host is not None:
            await self._start_web()

    async def _start_web(self) -> None:
        """The Web UI, when configured; if it cannot start, FWP still serves.

        aiohttp and Jinja2 take about 0.2 s to import, so they are imported only when the Web UI
        is on: the app, where it is off by default, does not pay for them at launch. (Importing
        them on a thread instead made a SIGTERM right after start hang now and then.)
        """
        assert self.core is not None
        from faktory_desktop.web.request import WebContext
        from faktory_desktop.web.server import WebServer, WebStartError

        ctx = WebContext(self.core, FaktoryAPI(self.core), self.settings,
                         f"{self.settings.host}:{self.port}", self.engine.address)
        web = WebServer(ctx)
        try:
            await web.start()
        except WebStartError as exc:
            log.error("%s", exc)
            return
        self.web = web

    async def stop(self) -> None:
        if self.web:
            await self.web.stop()
            self.web = None
        if self.core:  # stopping closes every connection: no worker has gone for that
            self.core.gone.requeue_when_gone(False)
        if self.server:
            await self.server.stop()
        if self.metrics:
            await self.metrics.stop()
        if self.core:
            await self.core.stop()
        await self.engine.stop()

    async def reload(self) -> None:
        """Re-read conf.d's cron entries, throttles and `[statsd]` (SIGHUP). On a ConfigError
        nothing changes and the old configuration keeps running."""
        toml, features = await asyncio.to_thread(load_confd, self.settings.config_dir)
        await self.apply_confd(toml, features)
        log.info("configuration reloaded: %d cron entries, %d throttles", len(features.cron),
                 len(features.throttles))

    async def apply_confd(self, toml: dict[str, Any], features: Features) -> None:
        """Put conf.d as read again (`toml`, its checked `features`) in force: cron, throttles,
        and statsd when its `[statsd]` changed (the app's Reload Configuration too)."""
        self.settings = replace(self.settings, features=features, toml=toml)  # a start to come
        if self.core is not None:
            self.core.configure(features)
        if self.metrics is not None:
            await self.metrics.reload_statsd(toml)

    async def run_until(self, should_exit: asyncio.Event) -> None:
        await self.start()
        try:
            await should_exit.wait()
        finally:
            await self.stop()


class ServerThread:
    """Runs a FaktoryRuntime on its own event loop in a worker thread (for a GUI process)."""

    def __init__(self, settings: Settings, on_stopped: Callable[[], None] | None = None,
                 on_engine_state: Callable[[EngineState], None] | None = None,
                 clock: Clock | None = None) -> None:
        self.runtime = FaktoryRuntime(settings, on_engine_state, clock)
        self.loop = new_event_loop()
        self._exit: asyncio.Event | None = None
        self._started: Future[None] = Future()
        self._on_stopped = on_stopped
        self._thread = threading.Thread(target=self._run, name="faktory-server", daemon=True)

    def launch(self) -> Future[None]:
        """Start the thread; the future resolves once the server accepts connections."""
        self._thread.start()
        return self._started

    def started(self) -> Future[None]:
        """Resolves once the server accepts connections (or with what startup raised)."""
        return self._started

    def start(self, timeout: float = 60.0) -> None:
        """Start and wait until the server accepts connections; raises what startup raised."""
        self.launch().result(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        if self._exit is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self._exit.set)
        self._thread.join(timeout)

    def submit(self, coro: object) -> Future[object]:
        """Run a coroutine on the server's loop from another thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._main())
        finally:
            self.loop.close()
            if self._on_stopped:
                self._on_stopped()

    async def _main(self) -> None:
        self._exit = asyncio.Event()
        try:
            await self.runtime.start()
        except BaseException as exc:
            self._started.set_exception(exc)
            return
        self._started.set_result(None)
        try:
            await self._exit.wait()
        finally:
            await self.runtime.stop()
