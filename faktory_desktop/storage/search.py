"""Reading every entry of a sorted set or a queue in large chunks, for searches over all of them.

Measured with 1,000,000 retries (docs/benchmarks.md): `ZSCAN ... COUNT 100` took 5.7 s, most of it
in 10,000 round trips and the per-entry work around them. Read by rank in chunks of 10,000, the
members alone cost the client 0.3 s of CPU and with their scores 0.8 s (a double parsed per
entry); the engine spends about 0.4 s. Matching in the engine instead (a Lua script over each
chunk) measured slower: the engine turns every member into a Lua string first, about 1.5 us each,
before a single byte is compared. So a search reads members without scores, matches a whole chunk
at a time in the client (`core/chunk_match.py`), and asks the engine for the scores of the
matches only. The next chunk is requested before the caller works on the current one, so the
engine and the client work at the same time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from faktory_desktop.storage import keys
from faktory_desktop.storage.store import SortedSet, Store

CHUNK = 10_000
WATCH_ATTEMPTS = 3

Fetch = Callable[[list[bytes], int], Awaitable[list[bytes]]]  # (previous chunk, entries read)


async def set_chunks(store: Store, zset: SortedSet, size: int = CHUNK
                     ) -> AsyncGenerator[list[bytes], None]:
    """Every member of a sorted set in score order, `size` at a time.

    Each chunk starts after the last member of the one before, found again by its rank, so
    entries leaving the front meanwhile (due retries moving to their queues) make the scan skip
    nothing; if that member has gone too, the scan goes on from the count read so far. The rank
    and the range are read under WATCH, so no change falls between the two (a set that changes
    faster than that, Busy under load, is read without it after a few tries).
    """
    cold, key = store.cold, zset.value

    async def after(previous: list[bytes], read: int) -> list[bytes]:
        if not previous:
            return cast(list[bytes], await cold.zrange(key, 0, size - 1))
        async with cold.pipeline(transaction=True) as pipe:
            for _attempt in range(WATCH_ATTEMPTS):
                try:
                    await pipe.watch(key)
                    start = await _start_after(pipe, key, previous[-1], read)
                    pipe.multi()
                    pipe.zrange(key, start, start + size - 1)
                    (chunk,) = await pipe.execute()
                    return cast(list[bytes], chunk)
                except WatchError:
                    continue  # changed between the rank and the range: read them again
        # A set that changes all the time (Busy, under load): without WATCH, and exact unless a
        # change falls between these two commands.
        start = await _start_after(cold, key, previous[-1], read)
        return cast(list[bytes], await cold.zrange(key, start, start + size - 1))

    async for chunk in _read_ahead(after, size):
        yield chunk


async def queue_chunks(store: Store, queue: str, size: int = CHUNK
                       ) -> AsyncGenerator[list[bytes], None]:
    """Every job of a queue from its head (the newest), `size` at a time."""
    cold, key = store.cold, keys.queue(queue)

    async def after(_previous: list[bytes], read: int) -> list[bytes]:
        return cast(list[bytes], await cold.lrange(key, read, read + size - 1))

    async for chunk in _read_ahead(after, size):
        yield chunk


async def _start_after(client: Redis | Pipeline, key: str, member: bytes, read: int) -> int:
    """The rank after `member`'s, or `read` if it has left the set."""
    rank = await client.zrank(key, member)
    return read if rank is None else cast(int, rank) + 1


async def scores(store: Store, zset: SortedSet, members: list[bytes]) -> list[float | None]:
    """The members' scores (None for one no longer in the set), in one round trip."""
    if not members:
        return []
    found = await store.cold.zmscore(zset.value, cast(list[str], members))  # bytes do too
    return [None if s is None else float(s) for s in found]


async def _read_ahead(fetch: Fetch, size: int) -> AsyncGenerator[list[bytes], None]:
    """Chunks from `fetch` until a short one, each requested before the one before is used."""
    pending: asyncio.Future[list[bytes]] | None = asyncio.ensure_future(fetch([], 0))
    read = 0
    try:
        while pending is not None:
            chunk = await pending
            read += len(chunk)
            pending = asyncio.ensure_future(fetch(chunk, read)) if len(chunk) == size else None
            if chunk:
                yield chunk
    finally:
        if pending is not None:
            pending.cancel()
