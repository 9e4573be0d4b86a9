"""The Redis store: every read and write of Faktory's data, in Faktory 1.10's key layout.

Two connections, for two kinds of work:
- the hot path (push, fetch, ack, fail, the scheduler's moves) goes through one pipelined hiredis
  `Multiplexer`; each state change is a single Lua script, so it is atomic and one round trip;
- cold paths (INFO, MUTATE scans, the UI's paged reads) use redis-py on their own connections, so a
  long scan never queues behind, or in front of, a FETCH.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from enum import StrEnum
from importlib import resources
from time import monotonic
from typing import Any, Final, cast

import redis.asyncio as aioredis
import redis.exceptions as redis_errors

from faktory_desktop.engine.address import EngineAddress
from faktory_desktop.storage import keys
from faktory_desktop.storage.cold import cold_client
from faktory_desktop.storage.enterprise import EntStore
from faktory_desktop.storage.multiplexer import (
    DEFAULT_DEADLINE,
    EngineUnavailable,
    LateReply,
    Multiplexer,
    ReplyError,
)

SCAN_COUNT: Final = 100
REGISTERED_FOR_S: Final = 1.0  # how long a push trusts that its queue is still in `queues`

# What a storage call raises when the engine cannot be reached (down, restarting): on either
# connection, the hot path's or redis-py's. A command can be retried once it is back.
ENGINE_UNREACHABLE: Final[tuple[type[Exception], ...]] = (
    EngineUnavailable, redis_errors.ConnectionError, redis_errors.TimeoutError,
)

# What a storage call raises while the engine is down or restarting: callers that can wait for
# the next try (polls, the UI) catch these and nothing else.
STORAGE_ERRORS: Final[tuple[type[Exception], ...]] = (
    EngineUnavailable, ReplyError, aioredis.RedisError, ConnectionError, OSError,
)


class SortedSet(StrEnum):
    """Faktory's sorted sets, by the names its protocol and UI use."""

    SCHEDULED = keys.SCHEDULED
    RETRIES = keys.RETRIES
    DEAD = keys.DEAD
    WORKING = keys.WORKING


def _load_script(name: str) -> str:
    return resources.files("faktory_desktop.storage").joinpath("lua", name).read_text()


class Store:
    """Faktory's data in one Redis database."""

    def __init__(self, address: EngineAddress, deadline: float = DEFAULT_DEADLINE) -> None:
        self.address = address
        self.mux = Multiplexer(address, deadline)
        self.cold = cold_client(address, deadline)
        self._sha = {
            name: self.mux.register_script(_load_script(f"{name}.lua"))
            for name in ("push", "fetch", "ack", "fail", "enqueue_from_set", "move_between_sets")
        }
        self._replace_in_list = self.cold.register_script(_load_script("replace_in_list.lua"))
        self.ent = EntStore(self, _load_script)
        self._registered: set[str] = set()  # see push()
        self._registered_epoch = (-1, -1, -1)
        self._queue_resets = 0
        self.clock = monotonic  # for REGISTERED_FOR_S

    async def open(self, timeout: float = 10.0) -> None:
        await self.mux.connect(timeout)

    async def close(self) -> None:
        await self.mux.close()
        await self.cold.aclose()

    # -- hot path ---------------------------------------------------------------------------

    async def push(self, queue: str, payload: bytes) -> None:
        """LPUSH the job; the first push of a queue also adds its name to `queues` (a script).

        Later pushes to a queue this process registered are a plain LPUSH, which costs the engine
        about a third of the script. What was registered is forgotten by this class's own removals
        from `queues` (`flush`, `remove_queues`), by a new connection to the engine (which may
        have restarted with other data), and every REGISTERED_FOR_S seconds, so a name removed by
        anyone else (redis-cli, a second server on a shared Redis) is back within that time.
        """
        known = self._registered_queues()
        if queue in known:
            await self.mux.execute("LPUSH", keys.queue(queue), payload)
            return
        queue_keys = [keys.QUEUES, keys.queue(queue)]
        await self.mux.evalsha(self._sha["push"], queue_keys, [queue, payload])
        known.add(queue)  # a no-op on a stale set, if a reset came meanwhile

    def _registered_queues(self) -> set[str]:
        """Queues known to be in `queues`, valid for this engine connection and reset count."""
        epoch = (self.mux.connections, self._queue_resets,
                 int(self.clock() // REGISTERED_FOR_S))
        if epoch != self._registered_epoch:
            self._registered, self._registered_epoch = set(), epoch
        return self._registered

    def _forget_queues(self) -> None:
        """`queues` may lose members: called before and after such a change, so that a push whose
        script ran on either side of it cannot leave a stale name behind."""
        self._queue_resets += 1

    async def schedule(self, score: float, payload: bytes) -> None:
        await self.mux.execute("ZADD", keys.SCHEDULED, score, payload)

    async def fetch(
        self, queues: Sequence[str], wid_json: bytes, now_s: int, frac: str,
        reserved_at: str, default_expires_at: str, on_late: LateReply | None = None,
    ) -> tuple[bytes, bytes] | None:
        """Pop the first job in queue order and reserve it: (job, reservation member) or None.

        `frac` is now's fraction as RFC3339Nano prints it ("" or ".25"); `reserved_at` is now and
        `default_expires_at` now + 1800 s (the reservation of a job without reserve_for), both
        formatted: the script formats an expiry itself only for a job with its own reserve_for.
        `on_late` gets the reply of a fetch that failed at the deadline yet ran later.
        """
        queue_keys = [keys.queue(q) for q in queues]
        args = [now_s, frac, wid_json, reserved_at, default_expires_at]
        reply = await self.mux.evalsha(self._sha["fetch"], [keys.WORKING, *queue_keys], args,
                                       on_late)
        return (reply[0], reply[1]) if reply else None

    async def ack(self, member: bytes, date: str) -> bool:
        keys_ = [keys.WORKING, keys.PROCESSED, keys.processed_on(date)]
        return bool(await self.mux.evalsha(self._sha["ack"], keys_, [member]))

    async def fail(
        self, member: bytes, date: str, target: SortedSet | None, score: float, payload: bytes
    ) -> bool:
        """Drop a reservation, count the failure and file the job; False if it was gone."""
        keys_ = [keys.WORKING, keys.PROCESSED, keys.FAILURES]
        keys_ += [keys.processed_on(date), keys.failures_on(date)]
        if target is not None:
            keys_.append(target.value)
        return bool(await self.mux.evalsha(self._sha["fail"], keys_, [member, score, payload]))

    async def enqueue_from_set(
        self, source: SortedSet, moves: Sequence[tuple[bytes, str, bytes]]
    ) -> list[str]:
        """Move (member, queue, job) entries to their queues; returns the queues that got a job."""
        if not moves:
            return []
        keys_ = [source.value, keys.QUEUES, *(keys.queue(q) for _, q, _ in moves)]
        args = [part for move in moves for part in move]
        moved = await self.mux.evalsha(self._sha["enqueue_from_set"], keys_, args)
        return [q.decode() for q in moved]

    async def move(
        self, source: SortedSet, target: SortedSet, member: bytes, score: float, new: bytes
    ) -> bool:
        """Move one entry between sets (or replace it in place); False if it was gone."""
        keys_ = [source.value, target.value]
        args = [member, score, new]
        return bool(await self.mux.evalsha(self._sha["move_between_sets"], keys_, args))

    # -- sorted sets --------------------------------------------------------------------------

    async def due(self, source: SortedSet, max_score: float, limit: int) -> list[bytes]:
        return _bytes(await self.cold.zrangebyscore(source.value, "-inf", max_score, start=0,
                                                    num=limit))

    async def remove(self, source: SortedSet, members: Iterable[bytes]) -> int:
        members = list(members)
        return await self.cold.zrem(source.value, *members) if members else 0

    async def clear(self, source: SortedSet) -> None:
        await self.cold.unlink(source.value)

    async def add(self, target: SortedSet, score: float, member: bytes) -> None:
        await self.cold.zadd(target.value, {member: score})

    async def set_size(self, source: SortedSet) -> int:
        return await self.cold.zcard(source.value)

    async def set_sizes(self) -> dict[str, int]:
        async with self.cold.pipeline(transaction=False) as pipe:
            for s in SortedSet:
                pipe.zcard(s.value)
            sizes = await pipe.execute()
        return {s.value: n for s, n in zip(SortedSet, sizes, strict=True)}

    def scan(self, source: SortedSet, match: str = "*") -> AsyncIterator[tuple[bytes, float]]:
        """Every (member, score) of a set whose member matches a glob, in ZSCAN batches."""
        return self.cold.zscan_iter(source.value, match=match, count=SCAN_COUNT)

    async def by_score(self, source: SortedSet, score: float) -> list[bytes]:
        return _bytes(await self.cold.zrangebyscore(source.value, score, score))

    async def between(
        self, source: SortedSet, low: float, high: float
    ) -> list[tuple[bytes, float]]:
        """(member, score) of the entries scored low..high inclusive."""
        entries = await self.cold.zrangebyscore(source.value, low, high, withscores=True)
        return cast(list[tuple[bytes, float]], entries)

    async def range(
        self, source: SortedSet, start: int, stop: int, desc: bool = False
    ) -> list[tuple[bytes, float]]:
        entries = await self.cold.zrange(source.value, start, stop, desc=desc, withscores=True)
        return cast(list[tuple[bytes, float]], entries)

    async def all_members(self, source: SortedSet) -> list[bytes]:
        return _bytes(await self.cold.zrange(source.value, 0, -1))

    # -- queues -----------------------------------------------------------------------------

    async def known_queues(self) -> set[str]:
        return {q.decode() for q in cast(set[bytes], await self.cold.smembers(keys.QUEUES))}

    async def paused_queues(self) -> set[str]:
        return {q.decode() for q in cast(set[bytes], await self.cold.smembers(keys.PAUSED))}

    async def pause(self, names: Iterable[str]) -> None:
        names = list(names)
        if names:
            await self.cold.sadd(keys.PAUSED, *names)

    async def resume(self, names: Iterable[str]) -> None:
        names = list(names)
        if names:
            await self.cold.srem(keys.PAUSED, *names)

    async def remove_queues(self, names: Iterable[str]) -> None:
        """Forget queues and delete their jobs, all in one transaction."""
        names = list(names)
        if not names:
            return
        self._forget_queues()
        try:
            async with self.cold.pipeline(transaction=True) as pipe:
                pipe.unlink(*(keys.queue(n) for n in names))
                pipe.srem(keys.QUEUES, *names)
                pipe.srem(keys.PAUSED, *names)
                await pipe.execute()
        finally:
            self._forget_queues()

    async def empty_queue(self, name: str) -> int:
        """Delete a queue's jobs, keeping the queue known (and paused if it was)."""
        async with self.cold.pipeline(transaction=True) as pipe:
            pipe.llen(keys.queue(name))
            pipe.unlink(keys.queue(name))
            size, _ = await pipe.execute()
        return int(size)

    async def queue_sizes(self, names: Sequence[str]) -> dict[str, int]:
        async with self.cold.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.llen(keys.queue(name))
            sizes = await pipe.execute()
        return dict(zip(names, sizes, strict=True))

    async def oldest_jobs(self, names: Sequence[str]) -> dict[str, bytes | None]:
        """The job at the tail (the next to be fetched) of each queue."""
        async with self.cold.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.lindex(keys.queue(name), -1)
            jobs = await pipe.execute()
        return dict(zip(names, jobs, strict=True))

    async def queue_range(self, name: str, start: int, stop: int) -> list[bytes]:
        """Jobs by position from the head (newest first), LRANGE-style inclusive bounds."""
        return _bytes(await self.cold.lrange(keys.queue(name), start, stop))

    async def remove_from_queue(self, name: str, payload: bytes) -> int:
        return await self.cold.lrem(keys.queue(name), 1, payload)  # type: ignore[arg-type]

    async def replace_in_queue(self, name: str, old: bytes, new: bytes) -> bool:
        """Swap one job's bytes in place (an edit), keeping its position."""
        return bool(await self._replace_in_list(keys=[keys.queue(name)], args=[old, new]))

    # -- counters and admin -------------------------------------------------------------------

    async def totals(self) -> tuple[int, int]:
        processed, failures = await self.cold.mget(keys.PROCESSED, keys.FAILURES)
        return int(processed or 0), int(failures or 0)

    async def totals_and_day(self, date: str) -> tuple[int, int, int, int]:
        """(processed, failed) in total, then on `date`, in one read so the four agree."""
        names = (keys.PROCESSED, keys.FAILURES, keys.processed_on(date), keys.failures_on(date))
        processed, failed, on_day, failed_on_day = (int(v or 0) for v in
                                                    await self.cold.mget(names))
        return processed, failed, on_day, failed_on_day

    async def history(self, dates: Sequence[str]) -> list[tuple[int, int]]:
        """(processed, failed) per local date."""
        if not dates:
            return []
        names = [keys.processed_on(d) for d in dates] + [keys.failures_on(d) for d in dates]
        values = [int(v or 0) for v in await self.cold.mget(names)]
        return list(zip(values[: len(dates)], values[len(dates) :], strict=True))

    async def flush(self) -> None:
        self._forget_queues()
        try:
            await self.cold.flushdb()
        finally:
            self._forget_queues()

    async def engine_info(self, section: str | None = None) -> dict[str, Any]:
        return await self.cold.info(section) if section else await self.cold.info()

    async def ping(self) -> bool:
        return bool(await self.cold.ping())


def _bytes(replies: Any) -> list[bytes]:
    """redis-py's replies, typed as what they are here: bytes (the cold client does not decode)."""
    return cast(list[bytes], replies)
