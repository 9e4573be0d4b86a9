"""The Throttles screen's read model: Faktory Enterprise's columns, per throttled queue."""

from __future__ import annotations

from dataclasses import dataclass

from faktory_desktop.core.throttles import Throttles
from faktory_desktop.storage.store import Store


@dataclass(frozen=True)
class ThrottleRow:
    queue: str
    size: int
    kind: str  # "concurrency" or "worker"
    limit: int
    timeout: int
    described: str  # "4 concurrent", "2 per worker"
    taken: int | None  # None for a per-worker throttle (as Enterprise leaves it blank)
    free: int | None
    held: int
    held_s: float
    overage: int
    reclaimed: int


async def throttle_rows(throttles: Throttles, store: Store) -> list[ThrottleRow]:
    limits = sorted(throttles.limits.values(), key=lambda limit: limit.queue)
    sizes = await store.queue_sizes([limit.queue for limit in limits])
    concurrent = [limit for limit in limits if limit.kind == "concurrency"]
    taken = dict(zip((c.queue for c in concurrent),
                     await throttles.store.taken([c.slots("") for c in concurrent],
                                                 throttles.clock()), strict=True))
    rows = []
    for limit in limits:
        counters = throttles.counters[limit.queue]
        used = taken.get(limit.queue)
        rows.append(ThrottleRow(
            limit.queue, sizes[limit.queue], limit.kind, limit.limit, limit.timeout,
            limit.described, used, None if used is None else max(0, limit.limit - used),
            counters.held, counters.held_s, counters.overage, counters.reclaimed))
    return rows
