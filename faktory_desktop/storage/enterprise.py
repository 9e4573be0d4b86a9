"""Enterprise data in Redis: unique locks, batches, tracking records and their counters.

A job with Enterprise fields goes through these scripts instead of the plain push/ack/fail ones;
each is one Lua script, so a lock and its push, or a batch's counts and the callback they fire,
change together or not at all. They share `lua/ent_lib.lua` (the lock, the tracking record and
batch accounting), prepended here.
Replies that name queues which received a callback job let the core wake their waiting fetches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from faktory_desktop.storage import keys

if TYPE_CHECKING:
    from faktory_desktop.storage.store import SortedSet, Store

UNCOMMITTED_TTL_S = 30 * 60  # an uncommitted batch expires (Faktory Enterprise's 30 minutes)
TRACK_TTL_S = 30 * 60  # a tracking record lives this long after its last change

_SCRIPTS = ("push_ent", "fetched_ent", "ack_ent", "fail_ent", "batch_new", "batch_commit",
            "batch_delete")


class JobFeatures(NamedTuple):
    """The storage-level view of a job's Enterprise fields (keys are derived here)."""

    jid: str
    unique: str | None  # lock digest
    track: bool
    bid: str | None
    callback_of: str | None

    @property
    def lock_key(self) -> str:
        return keys.unique_lock(self.unique) if self.unique else ""

    @property
    def track_key(self) -> str:
        return keys.track(self.jid) if self.track else ""


class EntStore:
    """The Enterprise half of the store; it shares the `Store`'s two engine connections."""

    def __init__(self, store: Store, load: Any) -> None:
        self._mux = store.mux
        self._cold = store.cold
        lib = load("ent_lib.lua")
        self._sha = {
            name: self._mux.register_script(lib + "\n" + load(f"{name}.lua")) for name in _SCRIPTS
        }

    # -- the job's path ---------------------------------------------------------------------

    async def push(
        self, job: JobFeatures, queue: str, payload: bytes, score: float | None,
        lock_ttl_ms: int, now: str,
    ) -> str:
        """Store the job with its lock, batch count and tracking record: 'OK', 'NOTUNIQUE' or
        'NOBATCH' (its batch does not exist)."""
        target = keys.SCHEDULED if score is not None else keys.queue(queue)
        keys_ = [
            keys.QUEUES, target, job.lock_key, keys.batch(job.bid) if job.bid else "",
            job.track_key, keys.NOT_UNIQUE, keys.batch_jobs(job.bid) if job.bid else "",
        ]
        args = [queue, payload, "" if score is None else score, job.jid, lock_ttl_ms, now,
                TRACK_TTL_S]
        reply = await self._mux.evalsha(self._sha["push_ent"], keys_, args)
        return cast(bytes, reply).decode()

    async def fetched(
        self, job: JobFeatures, member: bytes, now: str, expired: bool, release_lock: bool
    ) -> list[str]:
        """A reserved job starts (its lock released if asked, tracked as working) or, expired, is
        dropped; returns the queues that received callback jobs."""
        keys_ = [keys.WORKING, keys.EXPIRED, job.lock_key if release_lock else "", job.track_key]
        args = [member, job.jid, now, "1" if expired else "", TRACK_TTL_S, job.bid or ""]
        return _queues(await self._mux.evalsha(self._sha["fetched_ent"], keys_, args))

    async def ack(
        self, job: JobFeatures, member: bytes, date: str, now: str, release_lock: bool
    ) -> tuple[bool, list[str]]:
        keys_ = [keys.WORKING, keys.PROCESSED, keys.processed_on(date),
                 job.lock_key if release_lock else "", job.track_key]
        args = [member, job.jid, now, TRACK_TTL_S, job.bid or "", job.callback_of or ""]
        reply = await self._mux.evalsha(self._sha["ack_ent"], keys_, args)
        return bool(reply[0]), _queues(reply[1:])

    async def fail(
        self, job: JobFeatures, member: bytes, date: str, now: str,
        target: SortedSet | None, score: float, payload: bytes,
    ) -> tuple[bool, list[str]]:
        keys_ = [keys.WORKING, keys.PROCESSED, keys.FAILURES, keys.processed_on(date),
                 keys.failures_on(date), job.track_key, target.value if target else ""]
        state = "failed" if target is not None and target.value == keys.RETRIES else "dead"
        args = [member, score, payload, job.jid, now, state, TRACK_TTL_S, job.bid or ""]
        reply = await self._mux.evalsha(self._sha["fail_ent"], keys_, args)
        return bool(reply[0]), _queues(reply[1:])

    async def extend_reservation(self, member: bytes, score: float) -> bool:
        """Move a reservation's expiry later, never sooner; False if it is not reserved."""
        return bool(await self._cold.zadd(keys.WORKING, {member: score}, xx=True, gt=True,
                                          ch=True))

    # -- batches --------------------------------------------------------------------------------

    async def batch_new(
        self, bid: str, parent: str | None, created_score: float, fields: dict[str, Any]
    ) -> bool:
        """Create a batch; False if its parent does not exist."""
        keys_ = [keys.batch(bid), keys.BATCHES, keys.batch(parent) if parent else ""]
        pairs = [part for item in fields.items() for part in item]
        reply = await self._mux.evalsha(
            self._sha["batch_new"], keys_, [UNCOMMITTED_TTL_S, created_score, bid, *pairs]
        )
        return cast(bytes, reply) == b"OK"

    async def batch_exists(self, bid: str) -> bool:
        return bool(await self._cold.exists(keys.batch(bid)))

    async def batch_commit(self, bid: str, now: str) -> tuple[bool, list[str]]:
        reply = await self._mux.evalsha(self._sha["batch_commit"], [], [bid, now])
        return bool(reply[0]), _queues(reply[1:])

    async def batch_delete(self, bid: str, now: str) -> tuple[bool, list[str]]:
        reply = await self._mux.evalsha(self._sha["batch_delete"], [keys.BATCHES], [bid, now])
        return bool(reply[0]), _queues(reply[1:])

    async def batch(self, bid: str) -> dict[str, str] | None:
        return _hash(await self._cold.hgetall(keys.batch(bid)))  # type: ignore[misc]

    async def batch_ids(self, offset: int, limit: int) -> tuple[int, list[str]]:
        """(how many batches, ids of a page, newest first). Ids whose batch expired are dropped
        from the index as they are met."""
        total = await self._cold.zcard(keys.BATCHES)
        ids = _texts(await self._cold.zrange(keys.BATCHES, offset, offset + limit - 1, desc=True))
        live = await self._exist(keys.batch(b) for b in ids)
        gone = [b for b, alive in zip(ids, live, strict=True) if not alive]
        if gone:
            await self._cold.zrem(keys.BATCHES, *gone)
        return total - len(gone), [b for b in ids if b not in gone]

    async def batch_job_ids(self, bid: str) -> set[str]:
        return set(_texts(await self._cold.smembers(keys.batch_jobs(bid))))  # type: ignore[misc]

    async def batch_failed_ids(self, bid: str) -> set[str]:
        return set(_texts(await self._cold.smembers(keys.batch_failed(bid))))  # type: ignore[misc]

    async def _exist(self, names: Any) -> list[bool]:
        async with self._cold.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.exists(name)
            return [bool(n) for n in await pipe.execute()]

    # -- tracking -------------------------------------------------------------------------------

    async def track_get(self, jid: str) -> dict[str, str] | None:
        return _hash(await self._cold.hgetall(keys.track(jid)))  # type: ignore[misc]

    async def track_many(self, jids: Sequence[str]) -> list[dict[str, str] | None]:
        async with self._cold.pipeline(transaction=False) as pipe:
            for jid in jids:
                pipe.hgetall(keys.track(jid))
            replies = await pipe.execute()
        return [_hash(r) for r in replies]

    async def track_set(self, jid: str, fields: dict[str, Any], state_if_new: str) -> None:
        """Update a record's fields (those not given keep their value) and its TTL."""
        name = keys.track(jid)
        async with self._cold.pipeline(transaction=True) as pipe:
            pipe.hsetnx(name, "state", state_if_new)
            for field, value in fields.items():
                pipe.hset(name, field, value)
            pipe.expire(name, TRACK_TTL_S)
            await pipe.execute()

    # -- unique locks ---------------------------------------------------------------------------

    async def lock(self, digest: str) -> tuple[str, float] | None:
        """(the jid holding the lock, seconds left) or None when free."""
        async with self._cold.pipeline(transaction=False) as pipe:
            pipe.get(keys.unique_lock(digest))
            pipe.pttl(keys.unique_lock(digest))
            holder, pttl = await pipe.execute()
        return (holder.decode(), max(pttl, 0) / 1000) if holder else None

    async def lock_release(self, digest: str) -> bool:
        return bool(await self._cold.delete(keys.unique_lock(digest)))

    # -- counters ------------------------------------------------------------------------------

    async def counters(self) -> tuple[int, int]:
        """(jobs expired at FETCH, pushes refused as not unique)."""
        expired, denied = await self._cold.mget(keys.EXPIRED, keys.NOT_UNIQUE)
        return int(expired or 0), int(denied or 0)


def _queues(names: Any) -> list[str]:
    return [n.decode() for n in names] if names else []


def _texts(replies: Any) -> list[str]:
    """redis-py's bytes replies (the cold client does not decode), as text."""
    return [r.decode() for r in replies]


def _hash(reply: Any) -> dict[str, str] | None:
    """A HGETALL reply as text; None for a missing key (an empty hash)."""
    return {k.decode(): v.decode() for k, v in reply.items()} if reply else None
