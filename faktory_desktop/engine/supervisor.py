"""`Engine`: runs our own redis-server / valkey-server child, watches it, restarts it, stops it.

Lifecycle: STOPPED -> STARTING -> RUNNING; an unexpected exit goes RUNNING -> RESTARTING ->
RUNNING (or FAILED after too many failed restarts in a row); `stop()` ends in STOPPED.

An engine that a crashed earlier run left behind on the same data dir (found through our
pidfile) is stopped with SHUTDOWN SAVE before ours starts, never adopted: we can only supervise
(await the exit of, restart) a process that is our own child, and the old one may run an older
binary or config. SHUTDOWN SAVE loses no data; the cost is one reload of the data set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import psutil

from .address import EngineAddress
from .binary import engine_version_async, find_engine_binary
from .config import EngineConfig, engine_log_level, ensure_private_dir, plan_config, write_config
from .control import Probe, probe, shutdown_save, wait_ready
from .errors import EngineError, EngineStartError
from .gateway import Gateway, GatewayError, GatewayRequest, resolve_gateway
from .health import DEFAULT_LIMIT, DEFAULT_UNRESPONSIVE_AFTER, watch_health
from .lock import DataDirLock
from .pidfile import PIDFILE_NAME, PidRecord, live_engine_process, read_pidfile, remove_file
from .pidfile import write_pidfile as _write_pidfile
from .process import end_child, end_process, spawn, wait_child, wait_gone
from .state import EngineState, check_transition, notify

log = logging.getLogger("faktory_desktop.engine")

BACKOFF_FIRST = 0.1  # seconds before the first restart; doubles per failed restart
BACKOFF_MAX = 5.0
STABLE_AFTER = 30.0  # an engine up this long has its restart count reset
RESTART_LIMIT = 10  # restarts in a row without STABLE_AFTER of uptime before FAILED
STOP_TIMEOUT = 10.0  # for SHUTDOWN SAVE to finish, before SIGTERM
TERM_TIMEOUT = 5.0  # after SIGTERM, before SIGKILL

StateCallback = Callable[[EngineState], None]


class Engine:
    """Supervises a redis-server / valkey-server child serving `data_dir` (asyncio)."""

    def __init__(
        self,
        data_dir: Path | str,
        binary: str | None = None,
        log_level: str = "info",
        startup_timeout: float = 30.0,
        on_state_change: StateCallback | None = None,
        *,
        die_with_parent: bool = True,
        restart_limit: int = RESTART_LIMIT,
        platform: str = sys.platform,
        gateway: GatewayRequest | None = None,
        health_limit: float = DEFAULT_LIMIT,
        unresponsive_after: float = DEFAULT_UNRESPONSIVE_AFTER,
    ) -> None:
        self._data_dir = Path(data_dir).expanduser().resolve()
        self._binary_arg = binary
        self._log_level = log_level
        engine_log_level(log_level)  # fail early on a bad level
        self._startup_timeout = startup_timeout
        self._on_state_change = on_state_change
        self._die_with_parent = die_with_parent
        self._restart_limit = restart_limit
        self._platform = platform
        self._gateway_request = gateway
        self._gateway_error: str | None = None
        self._health_limit = health_limit
        self._unresponsive_after = min(unresponsive_after, health_limit)
        self._state = EngineState.STOPPED
        self._binary: str | None = None
        self._version: tuple[str, str] | None = None
        self._cfg: EngineConfig | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._dir_lock = DataDirLock(self._data_dir)
        self._lock = asyncio.Lock()
        self._stopping = False
        self._restarts = 0
        self._started_at = 0.0

    # -- properties ---------------------------------------------------------------------------

    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def address(self) -> EngineAddress | None:
        """Where the engine listens (the same across restarts); None before the first start."""
        return self._cfg.address if self._cfg else None

    @property
    def pid(self) -> int | None:
        """The pid of the running child, or None."""
        proc = self._proc
        return proc.pid if proc is not None and proc.returncode is None else None

    @property
    def binary(self) -> str | None:
        return self._binary

    @property
    def version(self) -> tuple[str, str] | None:
        """("redis" | "valkey", "x.y.z") once the binary has been checked."""
        return self._version

    @property
    def gateway(self) -> Gateway | None:
        """The Redis gateway the engine serves (the same across restarts), or None."""
        return self._cfg.gateway if self._cfg else None

    @property
    def gateway_error(self) -> str | None:
        """Why the gateway that was asked for is off, or None."""
        return self._gateway_error

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def log_path(self) -> Path:
        return self._data_dir / "redis.log"

    @property
    def pidfile_path(self) -> Path:
        return self._data_dir / PIDFILE_NAME

    # -- state --------------------------------------------------------------------------------

    def _set_state(self, new: EngineState) -> None:
        if new is self._state:
            return
        check_transition(self._state, new)
        log.debug("engine state %s -> %s", self._state.name, new.name)
        self._state = new
        notify(self._on_state_change, new)

    # -- start --------------------------------------------------------------------------------

    async def start(self) -> EngineAddress:
        """Start the engine (if it is not running) and return its address once it answers."""
        async with self._lock:
            if self._state in (EngineState.RUNNING, EngineState.RESTARTING,
                               EngineState.UNRESPONSIVE):
                assert self._cfg is not None
                return self._cfg.address
            self._set_state(EngineState.STARTING)
            try:
                await self._prepare()
                await self._launch()
            except asyncio.CancelledError:
                self._dir_lock.release()
                self._set_state(EngineState.STOPPED)
                raise
            except Exception:
                self._dir_lock.release()
                self._set_state(EngineState.FAILED)
                raise
            self._restarts = 0
            self._set_state(EngineState.RUNNING)
            self._watch_task = asyncio.create_task(self._watch(), name="faktory-engine-watch")
            assert self._cfg is not None
            return self._cfg.address

    async def _prepare(self) -> None:
        """Find and check the binary, lock the data dir, clear leftovers, write the config."""
        self._binary = await asyncio.to_thread(find_engine_binary, self._binary_arg)
        self._version = await engine_version_async(self._binary)
        try:
            await asyncio.to_thread(self._lock_data_dir)
            await self._clear_leftover()
            gateway = await self._resolve_gateway() if self._cfg is None else self._cfg.gateway
            self._cfg = await asyncio.to_thread(self._write_config, gateway)
        except OSError as exc:
            raise EngineStartError(f"cannot use data dir {self._data_dir}: {exc}") from exc
        await self._refuse_foreign_engine(self._cfg)

    async def _refuse_foreign_engine(self, cfg: EngineConfig) -> None:
        """Refuse to start when our socket already answers though no pidfile names its owner.

        Our engine would unlink that socket and bind its own: two engines on one data dir.
        """
        if cfg.unix_path is None:
            return
        state, _ = await probe(cfg.address, timeout=0.5)
        if state is not Probe.DOWN:
            raise EngineStartError(
                f"an engine we did not start already listens on {cfg.unix_path}: "
                f"stop it (redis-cli -s {cfg.unix_path} shutdown) and start again"
            )

    def _lock_data_dir(self) -> None:
        ensure_private_dir(self._data_dir)
        self._dir_lock.acquire()

    def _write_config(self, gateway: Gateway | None) -> EngineConfig:
        # Planned once per Engine: the address stays the same across restarts.
        cfg = self._cfg or plan_config(self._data_dir, self._log_level, self._platform,
                                         self._version, gateway)
        write_config(cfg)
        return cfg

    async def _resolve_gateway(self) -> Gateway | None:
        """The gateway asked for, or None; a gateway that cannot be has its one line logged,
        and the engine starts without it."""
        request = self._gateway_request
        if request is None:
            return None
        assert self._binary is not None
        try:
            if self._platform == "win32":
                raise GatewayError("not available on Windows, where the engine already "
                                   "listens on TCP (loopback only)")
            return await resolve_gateway(request, self._data_dir, self._binary)
        except GatewayError as exc:
            self._gateway_error = str(exc)
            log.error("the Redis gateway is off: %s; the Faktory server runs without it", exc)
            return None

    async def _clear_leftover(self) -> None:
        """Deal with the engine named in our pidfile: gone (stale file) or left behind (stop it)."""
        record = await asyncio.to_thread(read_pidfile, self.pidfile_path)
        if record is None:
            return
        proc = live_engine_process(record)
        if proc is None:
            log.info("removing stale pidfile %s (pid %d is gone)", self.pidfile_path, record.pid)
        else:
            await self._stop_leftover(proc, record)
        remove_file(self.pidfile_path)
        remove_file(record.address.unix_path)

    async def _stop_leftover(self, proc: psutil.Process, record: PidRecord) -> None:
        log.warning(
            "an engine left behind by an earlier run (pid %d) still serves %s: stopping it",
            record.pid,
            self._data_dir,
        )
        state, _ = await probe(record.address)
        accepted = state is Probe.READY and await shutdown_save(record.address, STOP_TIMEOUT)
        if accepted and await wait_gone(proc, STOP_TIMEOUT):
            return
        if not await end_process(proc, TERM_TIMEOUT):
            raise EngineStartError(
                f"cannot stop the engine left behind on {self._data_dir} (pid {record.pid}): "
                "stop it yourself and start again"
            )

    async def _launch(self) -> None:
        """Spawn the child and wait until it answers PING; on failure nothing is left running."""
        cfg, binary = self._cfg, self._binary
        assert cfg is not None and binary is not None
        proc = await spawn(binary, cfg.conf_path, self._die_with_parent)
        self._proc = proc
        try:
            await asyncio.to_thread(self._write_pidfile, proc.pid, binary, cfg.address)
            exit_code: Callable[[], int | None] = lambda: proc.returncode  # noqa: E731
            await wait_ready(cfg.address, self._startup_timeout, exit_code, cfg.log_path)
        except BaseException:
            await end_child(proc, TERM_TIMEOUT)
            remove_file(self.pidfile_path)
            raise
        self._started_at = asyncio.get_running_loop().time()
        name, version = self._version or ("engine", "?")
        log.info("%s %s running (pid %d) at %s", name, version, proc.pid, cfg.address.shown_url)

    def _write_pidfile(self, pid: int, binary: str, address: EngineAddress) -> None:
        try:
            created = psutil.Process(pid).create_time()
        except psutil.Error:
            created = 0.0  # it already exited; wait_ready will report why
        _write_pidfile(self.pidfile_path, PidRecord(pid, created, binary, address))

    # -- watch and restart --------------------------------------------------------------------

    async def _watch(self) -> None:
        """Await the child's exit; restart it unless we asked it to stop."""
        try:
            while await self._watch_once():
                pass
        except Exception:
            log.exception("the engine watcher failed")
            self._dir_lock.release()
            self._set_state(EngineState.FAILED)

    async def _watch_once(self) -> bool:
        """Wait for one exit and handle it; False when the watcher should end."""
        proc = self._proc
        assert proc is not None
        code = await self._wait_exit(proc)
        if self._stopping:
            return False
        uptime = asyncio.get_running_loop().time() - self._started_at
        if uptime >= STABLE_AFTER:
            self._restarts = 0
        log.warning("the engine (pid %d) exited with code %s after %.1fs", proc.pid, code, uptime)
        self._set_state(EngineState.RESTARTING)
        if await self._restart():
            self._set_state(EngineState.RUNNING)
            return True
        self._dir_lock.release()
        self._set_state(EngineState.FAILED)
        return False

    async def _wait_exit(self, proc: asyncio.subprocess.Process) -> int:
        """Await the child's exit, checking its health meanwhile: one that answers nothing for
        `health_limit` s is treated as crashed, and killed here (then restarted as after a crash).
        """
        assert self._cfg is not None
        health = asyncio.create_task(
            watch_health(self._cfg.address, self._health_limit, self._unresponsive_after,
                         self._on_responding), name="faktory-engine-health")
        exited = asyncio.ensure_future(proc.wait())
        try:
            await asyncio.wait({health, exited}, return_when=asyncio.FIRST_COMPLETED)
            if not exited.done() and (bug := health.exception()) is not None:
                log.error("the engine's health check failed", exc_info=bug)
            elif not exited.done():
                log.error("THE ENGINE (pid %d) HAS ANSWERED NOTHING FOR %.0f s: treating it as "
                          "crashed: killing it (SIGKILL) to restart it; its AOF holds every "
                          "write it acknowledged", proc.pid, health.result())
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            return await exited
        finally:
            health.cancel()
            exited.cancel()
            await asyncio.wait({health})

    def _on_responding(self, responding: bool) -> None:
        """The health check's verdict between an answer and the health limit."""
        if self._stopping:
            return
        if not responding and self._state is EngineState.RUNNING:
            log.warning("the engine (pid %s) has not answered for %g s", self.pid,
                        self._unresponsive_after)
            self._set_state(EngineState.UNRESPONSIVE)
        elif responding and self._state is EngineState.UNRESPONSIVE:
            log.warning("the engine (pid %s) answers again", self.pid)
            self._set_state(EngineState.RUNNING)

    async def _restart(self) -> bool:
        """Relaunch with exponential backoff; False after `restart_limit` failures in a row."""
        while self._restarts < self._restart_limit:
            delay = min(BACKOFF_FIRST * 2**self._restarts, BACKOFF_MAX)
            self._restarts += 1
            log.info("restarting the engine in %.1fs (attempt %d)", delay, self._restarts)
            await asyncio.sleep(delay)
            try:
                await self._launch()
                return True
            except EngineError as exc:
                log.error("engine restart failed: %s", exc)
        log.error("the engine failed %d times in a row; giving up", self._restarts)
        return False

    # -- stop ---------------------------------------------------------------------------------

    async def stop(self) -> None:
        """Stop the engine cleanly (SHUTDOWN SAVE), remove pidfile and socket. Idempotent."""
        async with self._lock:
            if self._state is EngineState.STOPPED:
                return
            self._stopping = True
            # The pidfile and socket are ours only while we hold the data dir lock: after a
            # start refused because another instance holds it, they are that instance's.
            owned = self._dir_lock.held
            try:
                await self._cancel_watch()
                await self._stop_child()
            finally:
                if owned:
                    remove_file(self.pidfile_path)
                    if self._cfg is not None:
                        remove_file(self._cfg.address.unix_path)
                self._dir_lock.release()
                self._proc = None
                self._stopping = False
                self._set_state(EngineState.STOPPED)

    async def _cancel_watch(self) -> None:
        task, self._watch_task = self._watch_task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task])

    async def _stop_child(self) -> None:
        proc, cfg = self._proc, self._cfg
        if proc is None or proc.returncode is not None or cfg is None:
            return
        log.info("stopping the engine (pid %d) with SHUTDOWN SAVE", proc.pid)
        if await shutdown_save(cfg.address, STOP_TIMEOUT) and await wait_child(proc, STOP_TIMEOUT):
            return
        await end_child(proc, TERM_TIMEOUT)

    # -- context manager ----------------------------------------------------------------------

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
