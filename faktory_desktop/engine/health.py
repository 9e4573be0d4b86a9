"""The engine's health check: a PING each second on a connection of its own.

An engine can stop answering without exiting: stopped (SIGSTOP, a debugger), swapped out, or
stuck. The server's own commands then fail at their deadline, but nothing would ever bring the
engine back. So the supervisor runs `watch_health` beside its wait for the child's exit: any
answer, even an error such as -LOADING or -BUSY, counts as alive; after `unresponsive_after`
seconds without one the engine is reported not responding, and after `limit` seconds
`watch_health` returns, and the supervisor treats the engine as crashed (kill, restart).
Nothing acknowledged is lost by that: the engine writes its AOF before it replies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from .address import EngineAddress
from .control import control_client

log = logging.getLogger("faktory_desktop.engine")

INTERVAL = 1.0  # seconds between PINGs, and how long one waits for its answer
DEFAULT_LIMIT = 15.0
DEFAULT_UNRESPONSIVE_AFTER = 5.0

Responding = Callable[[bool], None]


async def watch_health(address: EngineAddress, limit: float, unresponsive_after: float,
                       on_responding: Responding, interval: float = INTERVAL) -> float:
    """PING until the engine has answered nothing for `limit` s; returns that silence in s.

    `on_responding(False)` is called once the silence reaches `unresponsive_after`, and
    `on_responding(True)` when an answer comes after that.
    """
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    client = control_client(address, min(interval, limit))
    last_answer, reported_silent = loop.time(), False
    try:
        while True:
            started = loop.time()
            answered = await _answers(client)
            if task is not None and task.cancelling():
                # A cancel that lands as redis-py's read timeout expires comes out of its
                # asyncio.timeout as a TimeoutError (CPython 3.11), which _answers swallows.
                raise asyncio.CancelledError
            if answered:
                last_answer = loop.time()
                if reported_silent:
                    reported_silent = False
                    on_responding(True)
            silent = loop.time() - last_answer
            if silent >= limit:
                return silent
            if silent >= unresponsive_after and not reported_silent:
                reported_silent = True
                on_responding(False)
            await asyncio.sleep(max(0.0, started + interval - loop.time()))
    finally:
        await client.aclose()


async def _answers(client: Redis) -> bool:
    """One PING: whether the engine answered it at all (an error reply is an answer)."""
    try:
        await client.ping()
    except ResponseError:  # -LOADING, -BUSY: busy, but alive
        return True
    except (TimeoutError, RedisError, OSError) as exc:
        log.debug("the engine did not answer a health check: %s", exc)
        return False
    return True
