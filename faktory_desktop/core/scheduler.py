"""Periodic housekeeping, as Faktory's task runner does it (spec L-50).

A 1-second ticker runs each task when the wall-clock second is a multiple of its period, so the
five tasks keep Faktory's rhythm: scheduled and retries every 5 s, reservations and worker
heartbeats every 15 s, the dead-set purge every 60 s. Each task's counters feed INFO's `tasks`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from faktory_desktop.core.manager import Manager
from faktory_desktop.core.tasks import cancel_and_wait
from faktory_desktop.core.timefmt import now_ns
from faktory_desktop.core.workers import WorkerRegistry
from faktory_desktop.storage.store import SortedSet

log = logging.getLogger(__name__)


@dataclass
class TaskStats:
    """One task's counters; `done` counts jobs moved, purged or reaped."""

    name: str
    period: int
    run: Callable[[], Awaitable[int]]
    cycles: int = 0
    done: int = 0
    wall_time_s: float = 0.0


class Scheduler:
    def __init__(self, manager: Manager, workers: WorkerRegistry) -> None:
        self.manager = manager
        self.workers = workers
        self.tasks = {
            t.name: t
            for t in (
                TaskStats("Scheduled", 5, lambda: manager.enqueue_due(SortedSet.SCHEDULED)),
                TaskStats("Retries", 5, lambda: manager.enqueue_due(SortedSet.RETRIES)),
                TaskStats("Dead", 60, manager.purge_dead),
                TaskStats("Busy", 15, manager.reap_reservations),
                TaskStats("Workers", 15, self._reap_workers),
            )
        }
        self._runner: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._runner = asyncio.create_task(self._tick(), name="scheduler")

    async def stop(self) -> None:
        if self._runner:
            await cancel_and_wait(self._runner)

    async def run_task(self, name: str) -> int:
        """Run one task now; errors are logged, never raised (the engine may be restarting)."""
        task = self.tasks[name]
        started = time.perf_counter()
        try:
            done = await task.run()
        except Exception as exc:  # noqa: BLE001 - housekeeping must survive engine outages
            log.warning("%s task failed: %s", name, exc)
            done = 0
        task.cycles += 1
        task.done += done
        task.wall_time_s += time.perf_counter() - started
        return done

    async def _reap_workers(self) -> int:
        reaped = self.workers.reap(now_ns())
        for worker in reaped:
            log.info("reaped worker %s, silent for over 60 s", worker.wid)
            self.manager.throttles.release_worker(worker.wid)
        return len(reaped)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(1.0 - time.time() % 1.0)
            second = round(time.time())
            for task in self.tasks.values():
                if second % task.period == 0:
                    await self.run_task(task.name)
