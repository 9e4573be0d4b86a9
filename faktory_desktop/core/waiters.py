"""FETCH's 2-second block, done in-process instead of with one BRPOP connection per waiter.

Each queue keeps a FIFO of waiting fetches and a count of the jobs pushed to it. A fetch that
found nothing compares the counts with those it saw before asking Redis: if a push raced in, it
asks again at once; otherwise it waits until a push to one of its queues wakes it or its time is
up. A push wakes one waiter per job, and the woken fetch reruns the ordered fetch script, so strict
queue priority holds. Idle workers cost no Redis connection at all.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence


class FetchWaiters:
    def __init__(self) -> None:
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {}
        self._pushes: dict[str, int] = {}

    def push_count(self, queues: Sequence[str]) -> int:
        pushes = self._pushes
        if len(queues) == 1:  # the usual FETCH; spares the generator
            return pushes.get(queues[0], 0)
        return sum(pushes.get(q, 0) for q in queues)

    def notify(self, queue: str, jobs: int = 1) -> None:
        """Jobs arrived in `queue`: wake as many waiters."""
        self._pushes[queue] = self._pushes.get(queue, 0) + jobs
        waiting = self._waiting.get(queue)
        while waiting and jobs:
            fut = waiting.popleft()
            if not fut.done():
                fut.set_result(None)
                jobs -= 1

    def wake_all(self) -> None:
        """Everyone asks again (a queue was resumed, or the server is stopping)."""
        for waiting in self._waiting.values():
            for fut in waiting:
                if not fut.done():
                    fut.set_result(None)
            waiting.clear()

    async def wait(self, queues: Sequence[str], timeout: float) -> None:
        """Return when a job may have arrived in one of `queues`, or after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        for q in queues:
            self._waiting.setdefault(q, deque()).append(fut)
        timer = loop.call_later(timeout, _resolve, fut)
        try:
            await fut
        finally:
            timer.cancel()
            for q in queues:
                waiting = self._waiting.get(q)
                if waiting and fut in waiting:
                    waiting.remove(fut)


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
