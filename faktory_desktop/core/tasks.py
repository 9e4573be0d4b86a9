"""Stopping the server's background loops (scheduler, cron, statsd) for sure."""

from __future__ import annotations

import asyncio
from typing import Any

RECANCEL_S = 0.1


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel a background task and wait until it has ended.

    One cancel is not always enough on CPython 3.11: a cancel that lands just as an
    `asyncio.timeout` expires (redis-py's socket timeout on the cold path) comes out of it as a
    TimeoutError, which a housekeeping loop that survives errors logs and moves past. That loop
    would then run on, and a stop awaiting it would hang (seen as a server that never let go of
    its data dir). So the cancel is repeated until the task is done.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=RECANCEL_S)
    if not task.cancelled():
        task.exception()  # retrieved: the loops log their own errors
