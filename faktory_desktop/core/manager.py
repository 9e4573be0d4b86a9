"""The job lifecycle: push, fetch, ack and fail, queue pause, and the moves the scheduler makes.

This is the one place that carries out what a command means; the FWP server and the desktop UI
both call it, so a wire command and a button can never disagree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any, Final

from mypy_extensions import mypyc_attr

from faktory_desktop.core import enterprise, jsonc
from faktory_desktop.core import job as jobs
from faktory_desktop.core.events import EXPIRED as EXPIRED_EVENT
from faktory_desktop.core.events import UNIQUE_DENIED, UNIQUE_LOCK, JobEvents
from faktory_desktop.core.failure import EXPIRED, FailureReport, dispose
from faktory_desktop.core.late_fetch import LateFetches
from faktory_desktop.core.reservations import Reservation, Reservations, parse_member
from faktory_desktop.core.throttles import Throttles
from faktory_desktop.core.timefmt import (
    NS,
    format_ns,
    fraction,
    local_date,
    now_ns,
    parse_ns,
    second_prefix,
)
from faktory_desktop.core.waiters import FetchWaiters
from faktory_desktop.storage.enterprise import JobFeatures
from faktory_desktop.storage.store import SortedSet, Store
from faktory_desktop.storage.throttle_store import ThrottleStore

log = logging.getLogger(__name__)

FETCH_WAIT_S: Final = 2.0
MOVE_BATCH: Final = 100
REAP_BATCH: Final = 10


@mypyc_attr(native_class=False)
class JobNotFound(LookupError):
    def __init__(self, jid: str) -> None:
        super().__init__(f"Job not found {jid}")


@mypyc_attr(native_class=False)
class NotUnique(jobs.JobError):
    """A unique job whose lock another job holds: `-NOTUNIQUE Job not unique`, as Enterprise."""

    code = "NOTUNIQUE"

    def __init__(self) -> None:
        super().__init__("Job not unique")


@mypyc_attr(native_class=False)
class NoSuchBatch(jobs.JobError):
    """`-ERR No such batch <bid>`: Enterprise's text, which clients match (capital N)."""

    def __init__(self, bid: str) -> None:
        super().__init__(f"No such batch {bid}")



class Manager:
    """Faktory's job lifecycle on top of a `Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.waiters = FetchWaiters()
        self.reservations = Reservations()
        self.late_fetches = LateFetches(store, self.waiters)
        self.paused: set[str] = set()
        self.events = JobEvents()  # metrics listen here; with none, each hook is one check
        self.throttles = Throttles(ThrottleStore(store), self.waiters.notify)
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
        if job.ent is not None:
            await self._push_enterprise(job, job.ent, now)
        elif job.at_ns is not None:
            await self.store.schedule(jobs.score_of(job.at_ns), job.payload)
        else:
            await self.store.push(job.queue, job.payload)
            self.waiters.notify(job.queue)
        return job

    async def _push_enterprise(self, job: jobs.PreparedJob, ent: enterprise.EntJob,
                               now: int) -> None:
        """Push with the unique lock, batch count and tracking record in the same step."""
        delay = max(0, (job.at_ns or now) - now)  # a scheduled job stays unique until it runs
        lock_ms = int((ent.unique_for * NS + delay) // 1_000_000) if ent.unique else 0
        score = None if job.at_ns is None else jobs.score_of(job.at_ns)
        status = await self.store.ent.push(
            _features(job.jid, ent), job.queue, job.payload, score, lock_ms, format_ns(now)
        )
        if self.events and ent.unique and status in ("OK", "NOTUNIQUE"):
            counter = UNIQUE_LOCK if status == "OK" else UNIQUE_DENIED
            self.events.count(counter, job.payload)
        if status == "NOTUNIQUE":
            raise NotUnique()
        if status == "NOBATCH":
            raise NoSuchBatch(ent.bid or "")
        if score is None:
            self.waiters.notify(job.queue)

    async def push_bulk(self, data: bytes) -> dict[str, str]:
        """PUSHB: push each job; returns {jid: error} for those that failed (P-30..P-32)."""
        try:
            batch = jsonc.loads(data)
        except jsonc.JSONDecodeError as exc:
            batch = jobs.loads_after_error(data, exc)
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
            return exc.bulk_text()
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
                if job:
                    return job
                if job is None and self.waiters.push_count(active) != seen:  # b"": throttled
                    continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await self.waiters.wait(active or list(queues), remaining)

    async def _fetch_once(self, queues: Sequence[str], wid: str, wid_json: bytes) -> bytes | None:
        while True:  # a job dropped as expired is passed over: the next one is fetched at once
            now = now_ns()
            reply = await self._pop(queues, wid, wid_json, now)
            if not isinstance(reply, tuple):
                return reply  # None, or HELD_BACK (b"") by a throttle
            job, member = reply
            parsed = jsonc.loads(job)
            ent = enterprise.features(parsed) if "custom" in parsed else None
            if ent is not None and await self._start_enterprise(parsed, ent, member, now):
                if self.throttles.held:
                    self.throttles.release(parsed["jid"])
                continue
            self.reservations.add(parsed["jid"], wid, member, ent)
            if self.events:
                self.events.fetched(parsed, member, now)
            return job

    async def _pop(self, queues: Sequence[str], wid: str, wid_json: bytes,
                   now: int) -> tuple[bytes, bytes] | bytes | None:
        """(job, reservation member) of the first job in queue order, reserved now; None when
        the queues are empty; HELD_BACK when a throttle held a non-empty queue back."""
        now_s, frac = now // NS, fraction(now)
        reserved_at = second_prefix(now_s) + frac + "Z"  # format_ns(now) without fraction()
        expires_at = second_prefix(now_s + jobs.DEFAULT_RESERVE_FOR) + frac + "Z"
        if self.throttles.limits and self.throttles.applies(queues):
            args = [now_s, frac, wid_json, reserved_at, expires_at]
            held = await self.throttles.fetch(queues, wid, args, self.waiters.push_count)
            return held[:2] if isinstance(held, tuple) else held
        return await self.store.fetch(queues, wid_json, now_s, frac, reserved_at, expires_at,
                                      self.late_fetches.put_back)

    async def _start_enterprise(self, job: dict[str, Any], ent: enterprise.EntJob,
                                member: bytes, now: int) -> bool:
        """A fetched job starts (lock until start released, tracked as working), or is dropped
        because it expired; True when dropped."""
        expired = ent.expires_at_ns is not None and ent.expires_at_ns <= now
        release = ent.unique is not None and ent.unique_until == enterprise.UNTIL_START
        if not (expired or release or ent.track):
            return False  # a batch member, or a job unique until success: nothing at FETCH
        self.notify(await self.store.ent.fetched(
            _features(job["jid"], ent), member, format_ns(now), expired, release
        ))
        if expired:
            log.debug("JID %s: job expired", job["jid"])
            if self.events:
                self.events.count(EXPIRED_EVENT, job)
        return expired

    async def ack(self, jid: str) -> bool:
        """Finish a job. An unknown jid is not an error (P-52); returns whether it was reserved."""
        reservation = self.reservations.pop(jid)
        if reservation is None:
            log.debug("no such job to acknowledge: %s", jid)
            return False
        if self.throttles.held:
            self.throttles.release(jid)
        try:
            if reservation.ent is not None:
                acked = await self._ack_enterprise(jid, reservation.ent, reservation.member)
            else:
                acked = await self.store.ack(reservation.member, local_date(now_ns()))
        except BaseException:
            # The engine is away (-ERR to the client): keep the job ACKable for the retry, or it
            # would stay in `working` and run again when its reservation expires. A retry of an
            # ACK that did run before the engine went away finds no member: counted once.
            self.reservations.restore(reservation)
            raise
        if self.events:
            self.events.acked(reservation.member, now_ns())
        return acked

    async def _ack_enterprise(self, jid: str, ent: enterprise.EntJob, member: bytes) -> bool:
        now = now_ns()
        release = ent.unique_until == enterprise.UNTIL_SUCCESS
        done, queues = await self.store.ent.ack(
            _features(jid, ent), member, local_date(now), format_ns(now), release
        )
        self.notify(queues)
        return done

    async def fail(self, jid: str, report: FailureReport) -> None:
        reservation = self.reservations.pop(jid)
        if reservation is None:
            raise JobNotFound(jid)
        if self.throttles.held:
            self.throttles.release(jid)
        try:
            await self._fail_member(reservation.member, report)
        except BaseException:
            self.reservations.restore(reservation)  # as in ack(): the client may retry
            raise
        if self.events:
            self.events.failed(reservation.member)

    async def _fail_member(self, member: bytes, report: FailureReport) -> bool:
        parsed = parse_member(member)
        if parsed is None:
            return await self.store.ack(member, local_date(now_ns()))  # unreadable: just drop it
        now = now_ns()
        outcome = dispose(parsed[2], report, now)
        ent = enterprise.features(parsed[2]) if "custom" in parsed[2] else None
        if ent is not None:
            done, queues = await self.store.ent.fail(
                _features(parsed[0], ent), member, local_date(now), format_ns(now),
                outcome.target, outcome.score, outcome.payload,
            )
            self.notify(queues)
            return done
        return await self.store.fail(
            member, local_date(now), outcome.target, outcome.score, outcome.payload
        )

    def notify(self, queues: Iterable[str]) -> None:
        """Wake fetches waiting on queues that received a job (batch callbacks)."""
        for queue in queues:
            self.waiters.notify(queue)

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

    async def latency(self, names: Sequence[str]) -> dict[str, float | int]:
        """Seconds since the oldest job of each queue was enqueued; 0 when empty (P-85)."""
        oldest = await self.store.oldest_jobs(list(names))
        now = now_ns()
        return {name: _age_seconds(job, now) for name, job in oldest.items()}

    async def flush(self) -> None:
        """Empty the database. In-memory state that mirrors it goes too (unlike Faktory, P-91)."""
        await self.store.flush()
        self.reservations.clear()
        self.paused.clear()
        self.throttles.clear()

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
                    self.throttles.release(parsed[0])
                reaped += await self._fail_member(member, EXPIRED)
                if self.events:
                    self.events.failed(member)
            if len(expired) < REAP_BATCH:
                return reaped

    async def fail_reservations(self, held: Iterable[Reservation], report: FailureReport) -> int:
        """Fail these jobs in progress now, as their reservations' expiry would."""
        failed = 0
        for reservation in held:
            self.reservations.forget_member(reservation.jid, reservation.member)
            if self.throttles.held:
                self.throttles.release(reservation.jid)
            failed += await self._fail_member(reservation.member, report)
        return failed


def _features(jid: str, ent: enterprise.EntJob) -> JobFeatures:
    return JobFeatures(jid, ent.unique, ent.track, ent.bid, ent.callback_of)


def _age_seconds(job: bytes | None, now: int) -> float | int:
    """0, not 0.0, for an empty queue: Faktory's answer (a `float` stays a float compiled)."""
    if job is None:
        return 0
    try:
        enqueued = jsonc.loads(job).get("enqueued_at")
        return max(0.0, (now - parse_ns(enqueued)) / NS) if enqueued else 0
    except (jsonc.JSONDecodeError, ValueError, AttributeError, TypeError):
        return 0
