"""FETCHes answered with the deadline error that the engine still ran when it woke up.

The client got `-ERR the storage engine did not answer…`, so no worker has the job the fetch
script reserved; left alone it would wait in `working` until its reservation expires (30 min by
default) and then count as a failure. Instead it goes back on its queue as soon as the late reply
shows up. The move is the scheduler's script, so it happens only if the reservation is still
there, and never twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from faktory_desktop.core import jsonc
from faktory_desktop.core.waiters import FetchWaiters
from faktory_desktop.storage.store import STORAGE_ERRORS, SortedSet, Store

log = logging.getLogger(__name__)


class LateFetches:
    def __init__(self, store: Store, waiters: FetchWaiters) -> None:
        self.store = store
        self.waiters = waiters
        self._tasks: set[asyncio.Task[None]] = set()

    def put_back(self, reply: Any) -> None:
        """The late reply of a fetch script: (job, reservation member), or None (no job)."""
        if not reply:
            return
        job, member = reply
        queue = str(jsonc.loads(job).get("queue") or "default")
        task = asyncio.get_running_loop().create_task(self._move(member, queue, job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _move(self, member: bytes, queue: str, job: bytes) -> None:
        try:
            moved = await self.store.enqueue_from_set(SortedSet.WORKING, [(member, queue, job)])
        except STORAGE_ERRORS as exc:  # it stays reserved: it runs again when that expires
            log.warning("could not put back a job fetched after the deadline: %s", exc)
            return
        if moved:
            log.info("put a job fetched after the deadline back on queue %s", queue)
            self.waiters.notify(queue)
