"""The job lifecycle: push, fetch, ack and fail, queue pause, and the moves the scheduler makes.

This is the one place that carries out what a command means; the FWP server and the desktop UI
both call it, so a wire command and a button can never disagree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from faktory_desktop.core import job as jobs
from faktory_desktop.core import jsonc
from faktory_desktop.core.failure import EXPIRED, FailureReport, dispose
from faktory_desktop.core.late_fetch import LateFetches
from faktory_desktop.core.reservations import Reservations, parse_member
from faktory_desktop.core.timefmt import NS, fraction, local_date, now_ns, parse_ns, second_prefix
from faktory_desktop.core.waiters import FetchWaiters
from faktory_desktop.storage.store import SortedSet, Store

log = logging.getLogger(__name__)

FETCH_WAIT_S = 2.0
MOVE_BATCH = 100
REAP_BATCH = 10


class JobNotFound(LookupError):
    def __init__(self, jid: str) -> None:
        super().__init__(f"Job not found {jid}")


class Manager:
    """Faktory's job lifecycle on top of a `Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.waiters = FetchWaiters()
        self.reservations = Reservations()
        self.late_fetches = LateFetches(store, self.waiters)
        self.paused: set[str] = set()
        # Set by start(); saves asyncio.get_running_loop()'s getpid() call on every FETCH.
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Load what must be in memory: paused queues, and reservations in progress (L-13)."""
        self._loop = asyncio.get_running_loop()
        self.paused = await self.store.paused_queues()
        loaded = self.reservations.load(await self.store.all_members(SortedSet.WORKING))
        if loaded:
            log.info("reloaded %d jobs in progress", loaded)

    # -- push ---------------------------------------------------------------------------------

    async def push(self, data: bytes | dict[str, Any]) -> jobs.PreparedJob:
        """Validate, normalize and store one job; raises JobError with Faktory's message."""
        now = now_ns()
        job = jobs.prepare(data, now)
        if job.at_ns is not None:
            await self.store.schedule(jobs.score_of(job.at_ns), job.payload)
        else:
            await self.store.push(job.queue, job.payload)
            self.waiters.notify(job.queue)
        return job

    async def push_bulk(self, data: bytes) -> dict[str, str]:
        """PUSHB: push each job; returns {jid: error} for those that failed (P-30..P-32)."""
        try:
            batch = jsonc.loads(data)
        except jsonc.JSONDecodeError as exc:
            raise jobs.JobError(f"invalid JSON: {exc}") from None
        if not isinstance(batch, list):
            raise jobs.JobError("invalid JSON: PUSHB takes an array of jobs")
        for item in batch:  # Faktory decodes the whole array first: a type error fails it all
            jobs.parse_job(item if isinstance(item, dict) else jsonc.dumps(item))
        pending = [self._push_one(item) for item in batch]
        errors: dict[str, str] = {}
        for item, error in zip(batch, await asyncio.gather(*pending), strict=True):
            if error is not None:
                jid = item.get("jid", "") if isinstance(item, dict) else ""
                errors[str(jid)] = error
        return errors

    async def _push_one(self, item: Any) -> str | None:
        try:
            await self.push(item if isinstance(item, dict) else jsonc.dumps(item))
        except jobs.JobError as exc:
            return str(exc)
        return None

    # -- fetch, ack, fail ---------------------------------------------------------------------

    async def fetch(self, queues: Sequence[str], wid: str, wid_json: bytes,
                    wait_s: float = FETCH_WAIT_S) -> bytes | None:
        """The first job in `queues` priority order, reserved for `wid`; None after `wait_s`."""
        loop = self._loop or asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while True:
            active = [q for q in queues if q not in self.paused] if self.paused else queues
            seen = self.waiters.push_count(active)
            if active:
                job = await self._fetch_once(active, wid, wid_json)
                if job is not None:
                    return job
                if self.waiters.push_count(active) != seen:
                    continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await self.waiters.wait(active or list(queues), remaining)

    async def _fetch_once(self, queues: Sequence[str], wid: str, wid_json: bytes) -> bytes | None:
        now = now_ns()
        now_s, frac = now // NS, fraction(now)
        reserved_at = second_prefix(now_s) + frac + "Z"  # format_ns(now), without a 2nd fraction()
        expires_at = second_prefix(now_s + jobs.DEFAULT_RESERVE_FOR) + frac + "Z"
        reply = await self.store.fetch(queues, wid_json, now_s, frac, reserved_at, expires_at,
                                       self.late_fetches.put_back)
        if reply is None:
            return None
        job, member = reply
        self.reservations.add(jsonc.loads(job)["jid"], wid, member)
        return job

    async def ack(self, jid: str) -> bool:
        """Finish a job. An unknown jid is not an error (P-52); returns whether it was reserved."""
        reservation = self.reservations.pop(jid)
        if reservation is None:
            log.debug("no such job to acknowledge: %s", jid)
            return False
        try:
            return await self.store.ack(reservation.member, local_date(now_ns()))
        except BaseException:
            # The engine is away (-ERR to the client): keep the job ACKable for the retry, or it
            # would stay in `working` and run again when its reservation expires. A retry of an
            # ACK that did run before the engine went away finds no member: counted once.
            self.reservations.restore(reservation)
            raise

    async def fail(self, jid: str, report: FailureReport) -> None:
        reservation = self.reservations.pop(jid)
        if reservation is None:
            raise JobNotFound(jid)
        try:
            await self._fail_member(reservation.member, report)
        except BaseException:
            self.reservations.restore(reservation)  # as in ack(): the client may retry
            raise

    async def _fail_member(self, member: bytes, report: FailureReport) -> bool:
        parsed = parse_member(member)
        if parsed is None:
            return await self.store.ack(member, local_date(now_ns()))  # unreadable: just drop it
        now = now_ns()
        outcome = dispose(parsed[2], report, now)
        return await self.store.fail(
            member, local_date(now), outcome.target, outcome.score, outcome.payload
        )

    # -- queues -------------------------------------------------------------------------------

    async def _named(self, names: Sequence[str]) -> list[str]:
        """The known queues among `names`; `*` first means all of them (P-84)."""
        known = await self.store.known_queues()
        if names and names[0] == "*":
            return sorted(known)
        return [n for n in names if n in known]

    async def pause(self, names: Sequence[str]) -> None:
        targets = await self._named(names)
        await self.store.pause(targets)
        self.paused.update(targets)

    async def resume(self, names: Sequence[str]) -> None:
        targets = await self._named(names)
        await self.store.resume(targets)
        self.paused.difference_update(targets)
        self.waiters.wake_all()

    async def remove_queues(self, names: Sequence[str]) -> None:
        targets = await self._named(names)
        await self.store.remove_queues(targets)
        self.paused.difference_update(targets)

    async def latency(self, names: Sequence[str]) -> dict[str, float]:
        """Seconds since the oldest job of each queue was enqueued; 0 when empty (P-85)."""
        oldest = await self.store.oldest_jobs(list(names))
        now = now_ns()
        return {name: _age_seconds(job, now) for name, job in oldest.items()}

    async def flush(self) -> None:
        """Empty the database. In-memory state that mirrors it goes too (unlike Faktory, P-91)."""
        await self.store.flush()
        self.reservations.clear()
        self.paused.clear()

    # -- scheduled work -----------------------------------------------------------------------

    async def enqueue_due(self, source: SortedSet, now: int | None = None) -> int:
        """Move due entries of `scheduled` or `retries` onto their queues (L-40)."""
        now = now_ns() if now is None else now
        moved = 0
        while True:
            due = await self.store.due(source, jobs.score_of(now), MOVE_BATCH)
            moved += await self.enqueue_members(source, due, now)
            if len(due) < MOVE_BATCH:
                return moved

    async def enqueue_members(self, source: SortedSet, members: Iterable[bytes], now: int) -> int:
        """Put these entries of a set on their queues, with a fresh enqueued_at."""
        moves, lost = [], []
        for member in members:
            try:
                queue, payload = jobs.reenqueue(member, now)
            except jobs.JobError as exc:
                log.warning("dropping an unreadable %s entry: %s", source.value, exc)
                lost.append(member)
                continue
            moves.append((member, queue, payload))
        await self.store.remove(source, lost)
        queues = await self.store.enqueue_from_set(source, moves)
        for queue in queues:
            self.waiters.notify(queue)
        return len(queues)

    async def purge_dead(self, now: int | None = None) -> int:
        """Drop up to one batch of dead jobs whose 180 days are over (L-41)."""
        now = now_ns() if now is None else now
        expired = await self.store.due(SortedSet.DEAD, jobs.score_of(now), MOVE_BATCH)
        return await self.store.remove(SortedSet.DEAD, expired)

    async def reap_reservations(self, now: int | None = None) -> int:
        """Fail jobs whose reservation expired, as ReservationExpired (L-30)."""
        now = now_ns() if now is None else now
        reaped = 0
        while True:
            expired = await self.store.due(SortedSet.WORKING, jobs.score_of(now), REAP_BATCH)
            for member in expired:
                parsed = parse_member(member)
                if parsed is not None:
                    self.reservations.forget_member(parsed[0], member)
                reaped += await self._fail_member(member, EXPIRED)
            if len(expired) < REAP_BATCH:
                return reaped


def _age_seconds(job: bytes | None, now: int) -> float:
    if job is None:
        return 0
    try:
        enqueued = jsonc.loads(job).get("enqueued_at")
        return max(0.0, (now - parse_ns(enqueued)) / NS) if enqueued else 0
    except (jsonc.JSONDecodeError, ValueError, AttributeError, TypeError):
        return 0
