"""The read model, after Sidekiq's api.rb: everything the UI shows, and every action it takes.

Reads are paged (a page is one LRANGE or ZRANGE), searches scan in batches and report progress,
and nothing loads a whole queue or set. Actions go through the same core calls and atomic scripts
as the wire commands, naming each entry by its exact stored bytes, so an entry that changed or
moved underneath is left alone and counted as skipped.

All methods are coroutines for the server's event loop; a GUI on another thread calls them through
`ServerThread.submit`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from faktory_desktop.core import job as jobs
from faktory_desktop.core import mutate
from faktory_desktop.core.failure import DEAD_TTL_NS
from faktory_desktop.core.records import JobFilter, JobRecord, Kind, Source, record_from
from faktory_desktop.core.service import CoreService
from faktory_desktop.core.timefmt import now_ns, parse_ns
from faktory_desktop.core.workers import Worker, WorkerState

SCAN_PAGE = 500
Progress = Callable[[int, int], None]  # (entries scanned, matches so far)


@dataclass(frozen=True)
class Stats:
    processed: int
    failed: int
    enqueued: int
    scheduled: int
    retries: int
    dead: int
    busy: int
    connections: int
    workers: int


@dataclass(frozen=True)
class QueueSummary:
    name: str
    size: int
    latency_s: float
    paused: bool


@dataclass(frozen=True)
class Snapshot:
    """What the dashboard shows each second; its cost grows with the number of queues only."""

    stats: Stats
    queues: list[QueueSummary]
    busy_workers: int


@dataclass(frozen=True)
class Page:
    records: list[JobRecord]
    total: int
    offset: int


@dataclass(frozen=True)
class WorkerSummary:
    wid: str
    hostname: str
    pid: int
    labels: tuple[str, ...]
    started_ns: int
    last_beat_ns: int
    state: WorkerState
    rss_kb: int
    connections: int
    busy: int


class FaktoryAPI:
    def __init__(self, core: CoreService) -> None:
        self.core = core
        self.store = core.store
        self.manager = core.manager

    # -- overview -------------------------------------------------------------------------------

    async def stats(self) -> Stats:
        store = self.store
        sizes = await store.set_sizes()
        queues = await store.queue_sizes(sorted(await store.known_queues()))
        processed, failed = await store.totals()
        return Stats(processed, failed, sum(queues.values()), sizes["scheduled"], sizes["retries"],
                     sizes["dead"], sizes["working"], self.core.counters.connections,
                     len(self.core.workers))

    async def snapshot(self) -> Snapshot:
        stats = await self.stats()
        queues = await self.queues()
        busy = sum(1 for n in self.manager.reservations.busy_by_worker().values() if n)
        return Snapshot(stats, queues, busy)

    async def history(self, days: int) -> list[tuple[date, int, int]]:
        """(local date, processed, failed) for the last `days` days, oldest first."""
        today = date.today()
        dates = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
        counts = await self.store.history([d.isoformat() for d in dates])
        return [(d, p, f) for d, (p, f) in zip(dates, counts, strict=True)]

    async def queues(self) -> list[QueueSummary]:
        names = sorted(await self.store.known_queues())
        sizes = await self.store.queue_sizes(names)
        latency = await self.manager.latency(names)
        paused = self.manager.paused
        return [QueueSummary(n, sizes[n], latency[n], n in paused) for n in names]

    async def workers(self) -> list[WorkerSummary]:
        busy = self.manager.reservations.busy_by_worker()
        return [_summary(w, busy[w.wid]) for w in self.core.workers.all()]

    # -- browsing -------------------------------------------------------------------------------

    async def size(self, source: Source) -> int:
        if source.kind is Kind.QUEUE:
            return (await self.store.queue_sizes([source.queue]))[source.queue]
        return await self.store.set_size(source.kind.sorted_set)

    async def page(self, source: Source, offset: int, limit: int) -> Page:
        """Entries [offset, offset + limit): a queue newest first, a set by ascending score."""
        total = await self.size(source)
        stop = offset + limit - 1
        if source.kind is Kind.QUEUE:
            raw = [(p, None) for p in await self.store.queue_range(source.queue, offset, stop)]
        else:
            raw = await self.store.range(source.kind.sorted_set, offset, stop)
        records = [r for p, s in raw if (r := record_from(source, p, s)) is not None]
        return Page(records, total, offset)

    async def search(self, source: Source, flt: JobFilter,
                     progress: Progress | None = None) -> AsyncIterator[JobRecord]:
        """Every entry matching `flt`, scanned in batches; `progress` hears how far it got."""
        scanned = found = 0
        async for payload, score in self._scan(source, flt):
            scanned += 1
            record = record_from(source, payload, score)
            if record is not None and flt.matches(record):
                found += 1
                yield record
            if progress and scanned % SCAN_PAGE == 0:
                progress(scanned, found)
        if progress:
            progress(scanned, found)

    async def _scan(self, source: Source, flt: JobFilter) -> AsyncIterator[tuple[bytes, Any]]:
        if source.kind is not Kind.QUEUE:
            async for item in self.store.scan(source.kind.sorted_set, flt.glob()):
                yield item
            return
        offset = 0
        while page := await self.store.queue_range(source.queue, offset, offset + SCAN_PAGE - 1):
            for payload in page:
                yield payload, None
            offset += len(page)

    async def find_job(self, jid: str) -> JobRecord | None:
        """A job by jid, wherever it is: the sets first, then each queue."""
        flt = JobFilter(jid=jid)
        sources = [Source(k) for k in (Kind.RETRIES, Kind.DEAD, Kind.SCHEDULED, Kind.BUSY)]
        sources += [Source.of_queue(q) for q in sorted(await self.store.known_queues())]
        for source in sources:
            async for record in self.search(source, flt):
                return record
        return None

    # -- actions on entries ---------------------------------------------------------------------

    async def retry_now(self, records: Sequence[JobRecord]) -> int:
        """Put set entries on their queues now, with a fresh enqueued_at; returns how many."""
        moved = 0
        for source, group in _by_source(records):
            if source.kind in (Kind.QUEUE, Kind.BUSY):
                continue
            members = [r.payload for r in group]
            moved += await self.manager.enqueue_members(source.kind.sorted_set, members, now_ns())
        return moved

    async def kill(self, records: Sequence[JobRecord]) -> int:
        """Move set entries to the dead set, to expire in 180 days."""
        killed = 0
        for source, group in _by_source(records):
            if source.kind in (Kind.SCHEDULED, Kind.RETRIES):
                killed += await mutate.kill(self.manager, source.kind.sorted_set,
                                            [r.payload for r in group])
        return killed

    async def delete(self, records: Sequence[JobRecord]) -> int:
        deleted = 0
        for source, group in _by_source(records):
            if source.kind is Kind.QUEUE:
                for record in group:
                    deleted += await self.store.remove_from_queue(source.queue, record.payload)
            elif source.kind is not Kind.BUSY:
                deleted += await self.store.remove(source.kind.sorted_set,
                                                   [r.payload for r in group])
        return deleted

    async def save(self, record: JobRecord, edited: dict[str, Any]) -> JobRecord:
        """Replace a job inside its queue or set with an edited copy; raises JobError if invalid.

        The job keeps its place: a queue position, or its set's score (a scheduled job moves to
        its new `at`). If the original is gone (fetched, retried), nothing is written.
        """
        payload = _validated(edited)
        source = record.source
        if source.kind is Kind.QUEUE:
            if not await self.store.replace_in_queue(source.queue, record.payload, payload):
                raise jobs.JobError("the job is no longer in its queue")
            return JobRecord(source, payload, jobs.parse_job(payload))
        if source.kind is Kind.BUSY:
            raise jobs.JobError("a job in progress cannot be edited")
        score = _score_after_edit(record, edited)
        sset = source.kind.sorted_set
        if not await self.store.move(sset, sset, record.payload, score, payload):
            raise jobs.JobError(f"the job is no longer in {source.label}")
        return JobRecord(source, payload, jobs.parse_job(payload), score)

    async def push(self, job: dict[str, Any]) -> jobs.PreparedJob:
        """A new job, exactly as PUSH would take it."""
        return await self.manager.push(job)

    # -- queues and workers -----------------------------------------------------------------------

    async def pause(self, names: Sequence[str]) -> None:
        await self.manager.pause(names)

    async def resume(self, names: Sequence[str]) -> None:
        await self.manager.resume(names)

    async def clear_queue(self, name: str) -> None:
        """Delete a queue's jobs and forget it, as Faktory's Web UI "Clear" does."""
        await self.manager.remove_queues([name])

    async def clear_set(self, source: Source) -> None:
        await self.store.clear(source.kind.sorted_set)

    async def signal_workers(self, state: WorkerState, wid: str | None = None) -> None:
        """Quiet or terminate one worker, or all of them when `wid` is None."""
        registry = self.core.workers
        if wid is None:
            registry.signal_all(state)
        elif (worker := registry.get(wid)) is not None:
            registry.signal(worker, state)


def _summary(worker: Worker, busy: int) -> WorkerSummary:
    return WorkerSummary(worker.wid, worker.hostname, worker.pid, worker.labels,
                         worker.started_ns, worker.last_beat_ns, worker.state, worker.rss_kb,
                         len(worker.connections), busy)


def _by_source(records: Sequence[JobRecord]) -> list[tuple[Source, list[JobRecord]]]:
    groups: dict[Source, list[JobRecord]] = {}
    for record in records:
        groups.setdefault(record.source, []).append(record)
    return list(groups.items())


def _validated(edited: dict[str, Any]) -> bytes:
    job = jobs.parse_job(edited)
    jobs.validate(job)
    jobs.check_queue_name(job.get("queue") or "default")
    if job.get("at"):
        try:
            parse_ns(job["at"])
        except ValueError as exc:
            raise jobs.JobError(f"invalid timestamp for 'at': {exc}") from None
    return jobs.canonical(job)


def _score_after_edit(record: JobRecord, edited: dict[str, Any]) -> float:
    if record.source.kind is Kind.SCHEDULED and edited.get("at"):
        return jobs.score_of(parse_ns(edited["at"]))
    if record.score is not None:
        return record.score
    return jobs.score_of(now_ns() + DEAD_TTL_NS)
