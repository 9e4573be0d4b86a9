"""Throttle slots in the engine: a ZSET per throttled queue (per queue and worker for `worker`
limits), member = the jid holding the slot, score = when the slot lapses (its `timeout`).

The throttled FETCH is fetch.lua itself, wrapped as a function and called once per queue by
fetch_throttled.lua, so a throttled queue is popped and reserved exactly as any other, and the
slot is taken in the same script.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from faktory_desktop.storage import keys
from faktory_desktop.storage.store import Store

SLOTS_PREFIX = "throttle:"


def slots_key(queue: str, wid: str | None) -> str:
    """The slot set of a `concurrency` throttle (wid None) or of one worker under `worker`."""
    return f"{SLOTS_PREFIX}{queue}" if wid is None else f"{SLOTS_PREFIX}{queue}:w:{wid}"


def _script() -> str:
    lua = resources.files("faktory_desktop.storage").joinpath("lua")
    fetch = lua.joinpath("fetch.lua").read_text()
    throttled = lua.joinpath("fetch_throttled.lua").read_text()
    return f"local function fetch_one(KEYS, ARGV)\n{fetch}\nend\n{throttled}"


@dataclass(frozen=True)
class Gate:
    """One queue of a FETCH: its slot set and limit (0 and no slots when unthrottled)."""

    queue: str
    slots: str | None
    limit: int
    timeout: int


@dataclass(frozen=True)
class ThrottledFetch:
    job: bytes | None
    member: bytes | None
    index: int  # of the gate the job came from, from 0; -1 for none
    full: list[int]  # gates held back with jobs waiting
    reclaimed: list[int]  # slots lapsed per gate


class ThrottleStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._sha = store.mux.register_script(_script())

    async def fetch(self, gates: Sequence[Gate], fetch_args: list[object],
                    now: float) -> ThrottledFetch:
        """fetch.lua's pop-and-reserve over `gates` in order, skipping those with no free slot."""
        lists = [keys.queue(g.queue) for g in gates]
        slot_sets = [g.slots or keys.queue(g.queue) for g in gates]
        limits = [v for g in gates for v in (g.limit, g.timeout)]
        args = [*fetch_args, repr(now), *limits, len(fetch_args)]
        reply = await self.store.mux.evalsha(self._sha, [keys.WORKING, *lists, *slot_sets], args)
        job, member, index, full, reclaimed = reply
        return ThrottledFetch(job, member, int(index) - 1, [int(i) - 1 for i in full],
                              [int(r) for r in reclaimed])

    def release(self, slots: str, jid: str) -> asyncio.Future[Any]:
        """Queue the ZREM of one slot; the future holds the reply."""
        return self.store.mux.execute("ZREM", slots, jid)

    async def taken(self, slots: Sequence[str], now: float) -> list[int]:
        """Slots held and not lapsed, per slot set."""
        async with self.store.cold.pipeline(transaction=False) as pipe:
            for key in slots:
                pipe.zcount(key, f"({now!r}", "+inf")
            return [int(n) for n in await pipe.execute()]
