"""Control commands sent to the engine (PING, SHUTDOWN) through redis-py, with short timeouts."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from enum import Enum
from pathlib import Path

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import BusyLoadingError, ConnectionError, RedisError, ResponseError

from .address import EngineAddress
from .errors import EngineStartError

log = logging.getLogger("faktory_desktop.engine")

POLL_INTERVAL = 0.02
POLL_INTERVAL_MAX = 0.25
LOG_TAIL_LINES = 20


class Probe(Enum):
    """What a PING found."""

    READY = "ready"
    LOADING = "loading"
    DOWN = "down"


def control_client(address: EngineAddress, timeout: float = 2.0) -> aioredis.Redis:
    """A single-connection-style client for control commands: short timeouts, no retries."""
    return aioredis.Redis.from_url(
        address.redis_url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


async def probe(address: EngineAddress, timeout: float = 1.0) -> tuple[Probe, str]:
    """PING the engine once: READY, LOADING (still reading its data set) or DOWN, and why."""
    if address.unix_path and not os.path.exists(address.unix_path):
        return Probe.DOWN, f"no socket at {address.unix_path} yet"
    client = control_client(address, timeout)
    try:
        await client.ping()
        return Probe.READY, "PONG"
    except BusyLoadingError as exc:
        return Probe.LOADING, str(exc)
    except (TimeoutError, RedisError, OSError) as exc:
        return Probe.DOWN, f"{type(exc).__name__}: {exc}"
    finally:
        await client.aclose()


async def wait_ready(
    address: EngineAddress,
    timeout: float,
    exit_code: Callable[[], int | None] = lambda: None,
    log_path: Path | None = None,
) -> None:
    """Poll PING until the engine answers PONG; raise EngineStartError on timeout or early exit.

    `timeout` bounds the time without any answer: while the engine answers -LOADING it is
    making progress on a large data set, and we keep waiting for as long as that takes.
    `exit_code` reports the child's exit code once it has exited (None while it runs).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    interval, said_loading = POLL_INTERVAL, False
    while True:
        code = exit_code()
        if code is not None:
            raise EngineStartError(_with_tail(f"the engine exited with code {code}", log_path))
        state, why = await probe(address, timeout=min(1.0, timeout))
        if state is Probe.READY:
            return
        if state is Probe.LOADING:
            if not said_loading:
                log.info("waiting for the engine to load the data set")
                said_loading = True
            deadline = loop.time() + timeout
        if loop.time() >= deadline:
            msg = f"the engine did not become ready within {timeout:g}s ({why})"
            raise EngineStartError(_with_tail(msg, log_path))
        await asyncio.sleep(interval)
        interval = min(interval * 1.5, POLL_INTERVAL_MAX)


async def shutdown_save(address: EngineAddress, timeout: float = 10.0) -> bool:
    """Send `SHUTDOWN SAVE`; True if the engine accepted it (it drops the connection)."""
    client = control_client(address, timeout)
    try:
        await client.execute_command("SHUTDOWN", "SAVE")
    except ResponseError as exc:
        log.warning("the engine refused SHUTDOWN SAVE: %s", exc)
        return False
    except (TimeoutError, ConnectionError, OSError):
        return True  # the dropped connection is the reply
    except RedisError as exc:
        log.warning("SHUTDOWN SAVE failed: %s", exc)
        return False
    finally:
        await client.aclose()
    return True


def log_tail(path: Path | None, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of the engine's log file ("" if there is none)."""
    if path is None:
        return ""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            data = f.read()
    except OSError:
        return ""
    return "\n".join(data.decode(errors="replace").splitlines()[-lines:])


def _with_tail(message: str, log_path: Path | None) -> str:
    tail = log_tail(log_path)
    if not tail:
        where = f" ({log_path} is empty or missing)" if log_path else ""
        return message + where
    return f"{message}; last lines of {log_path}:\n{tail}"
