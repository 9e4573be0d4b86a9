"""INFO: the server's state as one JSON document, in the exact shape Faktory 1.10 answers (P-65)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import psutil

from faktory_desktop import FAKTORY_COMPAT_VERSION
from faktory_desktop.core.manager import Manager
from faktory_desktop.core.scheduler import Scheduler
from faktory_desktop.core.timefmt import format_ns, now_ns
from faktory_desktop.core.workers import WorkerRegistry


@dataclass
class ServerCounters:
    """What the network layer counts, for INFO's `server` section."""

    started_at: float = field(default_factory=time.monotonic)
    connections: int = 0
    command_count: int = 0

    @property
    def uptime_s(self) -> int:
        return int(time.monotonic() - self.started_at)


_process = psutil.Process()


def memory_mb() -> int | None:
    """This process's resident memory in MB; None (unknown) when it cannot be read.

    psutil opens /proc/PID/statm for it: with every file descriptor in use that fails (EMFILE),
    and INFO must still answer.
    """
    try:
        return int(_process.memory_info().rss // (1024 * 1024))
    except (OSError, psutil.Error):
        return None


async def build_info(manager: Manager, scheduler: Scheduler, workers: WorkerRegistry,
                     counters: ServerCounters) -> dict[str, Any]:
    store = manager.store
    names = sorted(await store.known_queues())
    queues = await store.queue_sizes(names)
    sets = await store.set_sizes()
    processed, failures = await store.totals()
    now = now_ns()
    return {
        "now": format_ns(now),
        "server_utc_time": time.strftime("%H:%M:%S UTC", time.gmtime(now // 1_000_000_000)),
        "faktory": {
            "queues": queues,
            "sets": {k: sets[k] for k in ("dead", "retries", "scheduled", "working")},
            "tasks": _tasks(scheduler, sets, len(manager.reservations), workers),
            "total_failures": failures,
            "total_processed": processed,
            "total_enqueued": sum(queues.values()),
            "total_queues": len(queues),
        },
        "server": {
            "description": "Faktory",
            "faktory_version": FAKTORY_COMPAT_VERSION,
            "uptime": counters.uptime_s,
            "connections": counters.connections,
            "command_count": counters.command_count,
            "used_memory_mb": memory_mb(),
        },
    }


def _tasks(scheduler: Scheduler, sets: dict[str, int], busy: int,
           workers: WorkerRegistry) -> dict[str, Any]:
    t = scheduler.tasks
    scanners = {
        name: {"cycles": t[name].cycles, "enqueued": t[name].done, "size": sets[key],
               "wall_time_sec": round(t[name].wall_time_s, 6)}
        for name, key in (("Dead", "dead"), ("Retries", "retries"), ("Scheduled", "scheduled"))
    }
    return {
        "Busy": {"reaped": t["Busy"].done, "size": busy},
        **scanners,
        "Workers": {"reaped": t["Workers"].done, "size": len(workers)},
    }
