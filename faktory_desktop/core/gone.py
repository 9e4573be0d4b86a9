"""Jobs reserved by worker processes that have gone, and what to do with them.

A worker process leaves the registry when its last connection closes (a crash or SIGKILL closes
them at once) or when its heartbeat is reaped after 60 s of silence. Its reservations stay in
`working` until `reserve_for` runs out (30 minutes by default), as in Faktory. With
`requeue_gone_workers` on, they are failed as soon as the worker leaves, with errtype WorkerGone,
so they retry as an expired reservation would. "Requeue now" puts them back on their queues.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from faktory_desktop.core import jsonc
from faktory_desktop.core.failure import FailureReport
from faktory_desktop.core.job import JobError, reenqueue
from faktory_desktop.core.manager import Manager
from faktory_desktop.core.reservations import Reservation, parse_member
from faktory_desktop.core.timefmt import now_ns, parse_ns
from faktory_desktop.core.workers import Worker, WorkerRegistry
from faktory_desktop.storage.store import SortedSet

log = logging.getLogger(__name__)

WORKER_GONE = FailureReport("WorkerGone", "the worker process that held this job has gone")


@dataclass(frozen=True)
class GoneJobs:
    """Jobs held by workers that have gone; `back_after_ns`: when the last reservation runs out
    (0 when there are none), after which the reaper fails them and they retry."""

    jobs: int
    workers: int
    back_after_ns: int


class GoneWorkers:
    def __init__(self, manager: Manager, workers: WorkerRegistry) -> None:
        self.manager = manager
        self.workers = workers
        self._tasks: set[asyncio.Task[int]] = set()

    def requeue_when_gone(self, enabled: bool) -> None:
        """The `requeue_gone_workers` setting: fail a leaving worker's jobs at once."""
        self.workers.on_gone = self._on_gone if enabled else None

    def reservations(self) -> list[Reservation]:
        """Reservations whose worker process is no longer registered (a fetch without a wid
        names no process, so it never counts as gone)."""
        registered = self.workers.get
        return [r for r in self.manager.reservations if r.wid and registered(r.wid) is None]

    def summary(self) -> GoneJobs:
        held = self.reservations()
        return GoneJobs(len(held), len({r.wid for r in held}),
                        max((_expiry_ns(r.member) for r in held), default=0))

    async def fail(self, wid: str) -> int:
        """Fail the jobs `wid` still holds, as WorkerGone, unless it has come back since."""
        if self.workers.get(wid) is not None:
            return 0
        held = [r for r in self.reservations() if r.wid == wid]
        failed = await self.manager.fail_reservations(held, WORKER_GONE)
        if failed:
            log.info("worker %s has gone: failed its %d jobs in progress as WorkerGone", wid,
                     failed)
        return failed

    async def requeue_now(self) -> int:
        """Put every job held by a gone worker back on its queue, with a fresh enqueued_at."""
        now = now_ns()
        moves = []
        for reservation in self.reservations():
            parsed = parse_member(reservation.member)
            if parsed is None:
                continue
            try:
                queue, payload = reenqueue(jsonc.dumps(parsed[2]), now)
            except JobError:
                continue  # its reservation runs out as usual, and the reaper deals with it
            moves.append((reservation.member, queue, payload))
            self.manager.reservations.forget_member(reservation.jid, reservation.member)
        queues = await self.manager.store.enqueue_from_set(SortedSet.WORKING, moves)
        for queue in queues:
            self.manager.waiters.notify(queue)
        return len(queues)

    def _on_gone(self, worker: Worker) -> None:
        task = asyncio.get_running_loop().create_task(self._fail_logged(worker.wid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fail_logged(self, wid: str) -> int:
        try:
            return await self.fail(wid)
        except Exception as exc:  # noqa: BLE001 - the engine may be restarting; expiry remains
            log.warning("could not fail the jobs of gone worker %s: %s", wid, exc)
            return 0


def _expiry_ns(member: bytes) -> int:
    try:
        return parse_ns(jsonc.loads(member)["expires_at"])
    except (jsonc.JSONDecodeError, KeyError, TypeError, ValueError):
        return 0
