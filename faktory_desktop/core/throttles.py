"""Queue throttles (Faktory Enterprise's `[throttles]`): at most N jobs of a queue in progress,
across all workers (`concurrency`) or per worker process (`worker`, keyed by the HELLO wid).

A FETCH naming no throttled queue never comes here (the manager checks `limits` first). One that
does goes through fetch_throttled.lua, which takes a slot and pops the job in one step. The slots
a jid holds are remembered here, so ACK and FAIL, reservation expiry and a reaped worker release
exactly those; a slot nobody releases lapses after the throttle's `timeout` (counted as
reclaimed). The counters are the Enterprise Throttles screen's; they live in memory.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from faktory_desktop.core import jsonc
from faktory_desktop.storage.throttle_store import Gate, ThrottleStore, slots_key

log = logging.getLogger(__name__)

HELD_BACK = b""  # what a throttled FETCH gives when a full throttle held back a queue with jobs

KINDS = ("concurrency", "worker")


class ThrottleConfigError(ValueError):
    """A `[throttles]` entry that cannot be used; the message names the queue and the problem."""


@dataclass(frozen=True)
class Limit:
    queue: str
    kind: str  # "concurrency" (for all workers) or "worker" (per worker process)
    limit: int
    timeout: int  # seconds after which an unreleased slot lapses

    @property
    def described(self) -> str:
        """As Enterprise's Type column: "10 concurrent" or "2 per worker"."""
        unit = "concurrent" if self.kind == "concurrency" else "per worker"
        return f"{self.limit} {unit}"

    def slots(self, wid: str) -> str:
        return slots_key(self.queue, wid if self.kind == "worker" else None)


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a whole number of at least 1, not {value!r}")
    return value


def parse_limit(queue: str, table: Any) -> Limit:
    where = f'conf.d: [throttles] "{queue}"'
    try:
        if not isinstance(table, dict):
            raise ValueError("expected a table such as { concurrency = 4, timeout = 60 }")
        unknown = sorted(set(table) - {*KINDS, "timeout"})
        if unknown:
            raise ValueError(f'unknown key "{unknown[0]}" (known: concurrency, worker, timeout)')
        kinds = [k for k in KINDS if k in table]
        if len(kinds) != 1:
            raise ValueError("give exactly one of concurrency = N or worker = N")
        if "timeout" not in table:
            raise ValueError("every throttle needs a timeout in seconds, after which an "
                             "unreleased slot lapses, e.g. timeout = 60")
        limit = _positive_int(table[kinds[0]], kinds[0])
        return Limit(queue, kinds[0], limit, _positive_int(table["timeout"], "timeout"))
    except ValueError as exc:
        raise ThrottleConfigError(f"{where}: {exc}") from None


def parse_limits(tables: Any) -> dict[str, Limit]:
    if tables is None:
        return {}
    if not isinstance(tables, dict):
        raise ThrottleConfigError("conf.d: throttles must be a table, written [throttles]")
    return {queue: parse_limit(queue, table) for queue, table in tables.items()}


@dataclass
class Counters:
    held: int = 0  # slots granted
    held_s: float = 0.0  # total time slots were held, counted at release
    overage: int = 0  # FETCHes held back by a full throttle while jobs waited
    reclaimed: int = 0  # slots that lapsed after `timeout`


class Hold:
    __slots__ = ("queue", "slots", "wid", "since")

    def __init__(self, queue: str, slots: str, wid: str, since: float) -> None:
        self.queue, self.slots, self.wid, self.since = queue, slots, wid, since


class Throttles:
    def __init__(self, store: ThrottleStore, notify: Callable[[str], None],
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.notify = notify  # wakes FETCHes waiting on a queue whose slot was freed
        self.clock = clock
        self.limits: dict[str, Limit] = {}  # empty: no FETCH comes here
        self.held: dict[str, Hold] = {}  # jid -> the slot it holds
        self.counters: dict[str, Counters] = {}

    def configure(self, limits: Mapping[str, Limit]) -> None:
        self.limits = dict(limits)
        for queue in limits:
            self.counters.setdefault(queue, Counters())

    def applies(self, queues: Sequence[str]) -> bool:
        return not self.limits.keys().isdisjoint(queues)

    async def fetch(self, queues: Sequence[str], wid: str, fetch_args: list[object],
                    pushes: Callable[[Sequence[str]], int],
                    ) -> tuple[bytes, bytes, str] | bytes | None:
        """(job, reservation member, jid) from the first queue with a free slot and a job.

        None when every queue was empty: the manager's usual check for a push that raced in
        applies. HELD_BACK when a full throttle held a queue with jobs back, and no push came
        meanwhile to a queue that had room: then the FETCH waits for a freed slot or a push, and
        does not ask again for each job pushed to the full queue (`pushes` counts them)."""
        while True:
            seen = [pushes((q,)) for q in queues]
            now = self.clock()
            gates = [self._gate(q, wid) for q in queues]
            reply = await self.store.fetch(gates, fetch_args, now)
            self._count(queues, reply.full, reply.reclaimed)
            if reply.job is not None and reply.member is not None:
                jid = str(jsonc.loads(reply.job)["jid"])
                gate = gates[reply.index]
                if gate.slots is not None:
                    self.held[jid] = Hold(gate.queue, gate.slots, wid, now)
                    self.counters[gate.queue].held += 1
                return reply.job, reply.member, jid
            if not reply.full:
                return None
            if all(pushes((q,)) == seen[i] for i, q in enumerate(queues) if i not in reply.full):
                return HELD_BACK

    def _count(self, queues: Sequence[str], full: list[int], reclaimed: list[int]) -> None:
        for i, lapsed in enumerate(reclaimed):
            if lapsed:
                self.counters[queues[i]].reclaimed += lapsed
        for i in full:
            self.counters[queues[i]].overage += 1

    def _gate(self, queue: str, wid: str) -> Gate:
        limit = self.limits.get(queue)
        if limit is None:
            return Gate(queue, None, 0, 0)
        return Gate(queue, limit.slots(wid), limit.limit, limit.timeout)

    def release(self, jid: str) -> None:
        """Free the slot `jid` holds, if any (after its ACK, FAIL or reservation expiry).

        Not awaited: the ZREM goes out in the same write as the ACK's script. If the engine is
        away, the slot lapses after its timeout instead."""
        hold = self.held.pop(jid, None)
        if hold is not None:
            self._free(jid, hold)

    def release_worker(self, wid: str) -> int:
        """Free every slot held by a worker process that was reaped; returns how many."""
        jids = [jid for jid, hold in self.held.items() if hold.wid == wid]
        for jid in jids:
            self._free(jid, self.held.pop(jid))
        return len(jids)

    def _free(self, jid: str, hold: Hold) -> None:
        counters = self.counters.setdefault(hold.queue, Counters())
        counters.held_s += self.clock() - hold.since
        self.store.release(hold.slots, jid).add_done_callback(_log_failure)
        self.notify(hold.queue)

    def clear(self) -> None:
        """The database was flushed: no slot is held any more."""
        self.held.clear()


def _log_failure(done: asyncio.Future[Any]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.debug("a throttle slot was not released (it lapses at its timeout): %s",
                  done.exception())
