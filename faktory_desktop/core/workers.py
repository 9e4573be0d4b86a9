"""The worker-process registry: who is connected, their heartbeats, and quiet/terminate.

Like Faktory's, it lives in memory only (spec W-01): a restart forgets every worker, and workers
re-register with their next HELLO. A process appears when a HELLO carries a `wid`, shares its entry
with later connections of the same wid, and disappears when its last connection closes or when it
has not sent a BEAT for 60 s (then its connections are closed too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from faktory_desktop.core.timefmt import NS

HEARTBEAT_TIMEOUT_NS = 60 * NS


class WorkerState(Enum):
    """Forward only: running -> quiet -> terminate (W-03)."""

    RUNNING = "running"
    QUIET = "quiet"
    TERMINATE = "terminate"

    def advanced_to(self, other: WorkerState) -> WorkerState:
        order = list(WorkerState)
        return other if order.index(other) > order.index(self) else self


class Connection(Protocol):
    """What the registry needs of a client connection: a way to drop it."""

    def close(self) -> None: ...


class UnknownWorker(LookupError):
    def __init__(self, wid: str) -> None:
        super().__init__(f"unknown worker {wid}")


@dataclass(eq=False)
class Worker:
    wid: str
    hostname: str
    pid: int
    labels: tuple[str, ...]
    started_ns: int
    last_beat_ns: int
    rss_kb: int = 0
    state: WorkerState = WorkerState.RUNNING
    connections: set[Connection] = field(default_factory=set)


class WorkerRegistry:
    def __init__(self) -> None:
        self._workers: dict[str, Worker] = {}
        self.reaped_total = 0
        # Told of each worker process that leaves (last connection closed, or reaped).
        self.on_gone: Callable[[Worker], None] | None = None

    def __len__(self) -> int:
        return len(self._workers)

    def all(self) -> list[Worker]:
        return sorted(self._workers.values(), key=lambda w: w.wid)

    def get(self, wid: str) -> Worker | None:
        return self._workers.get(wid)

    def register(self, wid: str, hostname: str, pid: int, labels: tuple[str, ...], rss_kb: int,
                 conn: Connection, now_ns: int) -> Worker:
        """A HELLO with a wid: the first one creates the entry, later ones attach to it."""
        worker = self._workers.get(wid)
        if worker is None:
            worker = Worker(wid, hostname, pid, labels, now_ns, now_ns, rss_kb)
            self._workers[wid] = worker
        worker.connections.add(conn)
        return worker

    def disconnect(self, wid: str, conn: Connection) -> None:
        worker = self._workers.get(wid)
        if worker is None:
            return
        worker.connections.discard(conn)
        if not worker.connections:
            del self._workers[wid]
            if self.on_gone is not None:
                self.on_gone(worker)

    def beat(self, wid: str, rss_kb: int, current_state: str | None, now_ns: int) -> Worker:
        worker = self._workers.get(wid)
        if worker is None:
            raise UnknownWorker(wid)
        worker.rss_kb = rss_kb
        worker.last_beat_ns = now_ns
        if current_state:
            self.signal(worker, WorkerState(current_state))
        return worker

    def signal(self, worker: Worker, state: WorkerState) -> None:
        worker.state = worker.state.advanced_to(state)

    def signal_all(self, state: WorkerState) -> None:
        for worker in self._workers.values():
            self.signal(worker, state)

    def reap(self, now_ns: int, timeout_ns: int = HEARTBEAT_TIMEOUT_NS) -> list[Worker]:
        """Drop workers silent for longer than `timeout_ns` and close their connections."""
        stale = [w for w in self._workers.values() if now_ns - w.last_beat_ns > timeout_ns]
        for worker in stale:
            del self._workers[worker.wid]
            for conn in list(worker.connections):
                conn.close()
            if self.on_gone is not None:
                self.on_gone(worker)
        self.reaped_total += len(stale)
        return stale
