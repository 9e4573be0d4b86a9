"""The read model of the Enterprise features: batches, a job's lock, expiry and tracking.

Part of `FaktoryAPI` (as `api.ent`), kept apart so each file holds one concern. Like the rest of
the read model, every read is paged or bounded, and every action goes through the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faktory_desktop.core import enterprise
from faktory_desktop.core.batches import STAGES, status_of
from faktory_desktop.core.records import JobFilter, JobRecord, Kind, Source
from faktory_desktop.core.timefmt import parse_ns
from faktory_desktop.core.tracking import record_of

if TYPE_CHECKING:
    from faktory_desktop.core.api import FaktoryAPI

BATCH_JOBS_SHOWN = 1000  # a batch's detail lists at most this many of its jobs


@dataclass(frozen=True)
class Callback:
    jobtype: str
    state: str  # "" not fired, "1" enqueued, "2" finished (BATCH STATUS's complete_st/success_st)


@dataclass(frozen=True)
class BatchSummary:
    bid: str
    description: str
    created_ns: int
    total: int
    pending: int
    failed: int
    committed: bool
    parent_bid: str | None
    callbacks: dict[str, Callback]  # by stage: "complete", "success" (only those defined)

    @property
    def done(self) -> int:
        return self.total - self.pending


@dataclass(frozen=True)
class BatchDetail:
    batch: BatchSummary
    parent: BatchSummary | None
    children: list[BatchSummary]
    jobs: list[JobRecord]  # wherever they are: queues, scheduled, retries, dead, busy
    jobs_truncated: bool


@dataclass(frozen=True)
class JobExtras:
    """A job's Enterprise state, for its detail view."""

    unique_for: float | None
    lock_holder: str | None  # the jid holding the job's lock, while held
    lock_left_s: float | None
    expires_at_ns: int | None
    bid: str | None
    callback_of: str | None
    track: dict[str, Any] | None  # the TRACK GET record, when the job is tracked


class EnterpriseReads:
    def __init__(self, api: FaktoryAPI) -> None:
        self.api = api
        self.core = api.core
        self.store = api.store.ent

    # -- batches --------------------------------------------------------------------------------

    async def batches(self, offset: int, limit: int) -> tuple[int, list[BatchSummary]]:
        """(how many batches, a page of them, newest first)."""
        total, ids = await self.store.batch_ids(offset, limit)
        return total, [b for b in [await self._summary(bid) for bid in ids] if b is not None]

    async def batch(self, bid: str) -> BatchDetail | None:
        summary = await self._summary(bid)
        if summary is None:
            return None
        parent = await self._summary(summary.parent_bid) if summary.parent_bid else None
        _total, recent = await self.store.batch_ids(0, 10_000)
        children = [s for s in [await self._summary(b) for b in recent if b != bid]
                    if s is not None and s.parent_bid == bid]
        jobs = await self._jobs_of(bid, BATCH_JOBS_SHOWN + 1)
        return BatchDetail(summary, parent, children, jobs[:BATCH_JOBS_SHOWN],
                           len(jobs) > BATCH_JOBS_SHOWN)

    async def delete_batch(self, bid: str) -> bool:
        """Forget the batch (its jobs stay where they are); a parent stops waiting for it."""
        return await self.core.batches.delete(bid)

    async def retry_batch(self, bid: str) -> int:
        """Put the batch's jobs waiting in scheduled, retries or dead on their queues now."""
        waiting = [r for r in await self._jobs_of(bid, None)
                   if r.source.kind in (Kind.SCHEDULED, Kind.RETRIES, Kind.DEAD)]
        return await self.api.retry_now(waiting)

    async def _summary(self, bid: str) -> BatchSummary | None:
        fields = await self.store.batch(bid)
        if fields is None:
            return None
        status = status_of(bid, fields)
        callbacks = {
            stage: Callback(fields[f"{stage}_type"], fields.get(f"{stage}_st", ""))
            for stage in STAGES if f"{stage}_type" in fields
        }
        return BatchSummary(
            bid, status["description"], _ns(status["created_at"]), status["total"],
            status["pending"], status["failed"], fields.get("committed") == "1",
            status.get("parent_bid"), callbacks,
        )

    async def _jobs_of(self, bid: str, limit: int | None) -> list[JobRecord]:
        flt = JobFilter(bid=bid)
        sources = [Source(k) for k in (Kind.BUSY, Kind.RETRIES, Kind.SCHEDULED, Kind.DEAD)]
        sources += [Source.of_queue(q) for q in sorted(await self.api.store.known_queues())]
        found: list[JobRecord] = []
        for source in sources:
            async with aclosing(self.api.search(source, flt)) as records:
                async for record in records:
                    found.append(record)
                    if limit is not None and len(found) >= limit:
                        return found
        return found

    # -- one job --------------------------------------------------------------------------------

    async def job_extras(self, record: JobRecord) -> JobExtras | None:
        """The job's lock, expiry, batch and tracking; None for a plain job."""
        ent = enterprise.features(record.job)
        if ent is None:
            return None
        lock = await self.store.lock(ent.unique) if ent.unique else None
        track = await self.core.tracking.get(record.jid) if ent.track else None
        return JobExtras(
            ent.unique_for or None, lock[0] if lock else None, lock[1] if lock else None,
            ent.expires_at_ns, ent.bid, ent.callback_of, track,
        )

    async def release_lock(self, record: JobRecord) -> bool:
        """Free the job's unique lock now, so an identical job can be pushed."""
        ent = enterprise.features(record.job)
        if ent is None or ent.unique is None:
            return False
        return await self.store.lock_release(ent.unique)

    async def progress(self, jids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The tracking records of these jobs (Busy's progress column), by jid, in TRACK GET's
        shape."""
        records = await self.store.track_many(jids)
        return {jid: record_of(jid, r) for jid, r in zip(jids, records, strict=True)
                if r is not None}

    async def counters(self) -> tuple[int, int]:
        """(jobs expired at FETCH, pushes refused as not unique), since the data began."""
        return await self.store.counters()


def _ns(stamp: str) -> int:
    try:
        return parse_ns(stamp)
    except ValueError:
        return 0
