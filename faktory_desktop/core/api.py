"""The read model, after Sidekiq's api.rb: everything the UI shows, and every action it takes.

Reads are paged (a page is one LRANGE or ZRANGE), searches scan in batches and report progress,
and nothing loads a whole queue or set. Actions go through the same core calls and atomic scripts
as the wire commands, naming each entry by its exact stored bytes, so an entry that changed or
moved underneath is left alone and counted as skipped.

All methods are coroutines for the server's event loop; a GUI on another thread calls them through
`ServerThread.submit`.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from faktory_desktop.core import job as jobs
from faktory_desktop.core import mutate, transfer
from faktory_desktop.core.chunk_match import chunk_prefilter
from faktory_desktop.core.cron.runner import Firing
from faktory_desktop.core.cron.view import CronDetail, CronRow, cron_detail, cron_rows
from faktory_desktop.core.enterprise_api import EnterpriseReads
from faktory_desktop.core.failure import DEAD_TTL_NS
from faktory_desktop.core.gone import GoneJobs
from faktory_desktop.core.records import JobFilter, JobRecord, Kind, Source, record_from
from faktory_desktop.core.service import CoreService
from faktory_desktop.core.throttle_view import ThrottleRow, throttle_rows
from faktory_desktop.core.timefmt import now_ns, parse_ns
from faktory_desktop.core.transfer import BulkResult, Matches
from faktory_desktop.core.workers import Worker, WorkerState
from faktory_desktop.storage import search

ACT_BATCH = 100
NEAR_PAGE = 500  # queue_entry looks this far around where a job was listed before scanning
Progress = Callable[[int, int], None]  # (entries scanned, matches so far)
Cancel = threading.Event  # set from any thread; long scans and bulk actions stop at the next batch


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
    latency_s: float  # NaN when the server does not say (an attached server without LATENCY)
    paused: bool | None  # None when the server does not say (an attached server)


@dataclass(frozen=True)
class Snapshot:
    """What the dashboard shows each second; its cost grows with the number of queues only."""

    stats: Stats
    queues: list[QueueSummary]
    busy_workers: int | None  # None when the server does not say (an attached server)
    # (local date, processed, failed) for today, so the daily history keeps up with the totals
    today: tuple[date, int, int] | None = None
    gone_jobs: int = 0  # of stats.busy, jobs reserved by worker processes that have gone


@dataclass(frozen=True)
class Page:
    records: list[JobRecord]
    total: int
    offset: int


class Action(Enum):
    RETRY_NOW = "retry now"  # onto its queue with a fresh enqueued_at (Web UI's Retry Now)
    REQUEUE = "requeue"  # onto its queue unchanged (MUTATE requeue)
    KILL = "kill"  # to the dead set (MUTATE kill)
    DELETE = "delete"  # gone (MUTATE discard; LREM for a queue)


ACTIONS: dict[Kind, tuple[Action, ...]] = {
    Kind.QUEUE: (Action.DELETE,),
    Kind.SCHEDULED: (Action.RETRY_NOW, Action.REQUEUE, Action.KILL, Action.DELETE),
    Kind.RETRIES: (Action.RETRY_NOW, Action.REQUEUE, Action.KILL, Action.DELETE),
    Kind.DEAD: (Action.RETRY_NOW, Action.REQUEUE, Action.DELETE),
    Kind.BUSY: (),
}


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
        self.ent = EnterpriseReads(self)  # batches, locks, expiry and tracking
        self.search_chunk = search.CHUNK  # entries read per round trip by a search

    # -- overview -------------------------------------------------------------------------------

    async def stats(self) -> Stats:
        return (await self._stats_and_today())[0]

    async def _stats_and_today(self) -> tuple[Stats, tuple[date, int, int]]:
        """The totals, and today's (local date, processed, failed) read with them, so the daily
        history's today agrees with the cards."""
        store = self.store
        sizes = await store.set_sizes()
        queues = await store.queue_sizes(sorted(await store.known_queues()))
        today = date.today()
        processed, failed, processed_today, failed_today = await store.totals_and_day(
            today.isoformat())
        stats = Stats(processed, failed, sum(queues.values()), sizes["scheduled"],
                      sizes["retries"], sizes["dead"], sizes["working"],
                      self.core.counters.connections, len(self.core.workers))
        return stats, (today, processed_today, failed_today)

    async def snapshot(self) -> Snapshot:
        stats, today = await self._stats_and_today()
        queues = await self.queues()
        registered = self.core.workers.get
        busy = sum(1 for wid, n in self.manager.reservations.busy_by_worker().items()
                   if n and registered(wid) is not None)
        return Snapshot(stats, queues, busy, today, len(self.core.gone.reservations()))

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

    async def page(self, source: Source, offset: int, limit: int, reverse: bool = False) -> Page:
        """Entries [offset, offset + limit): a queue newest first, a set by ascending score;
        `reverse` counts from the other end (a queue oldest first, a set by descending score)."""
        total = await self.size(source)
        stop = offset + limit - 1
        raw: Sequence[tuple[bytes, float | None]]
        if source.kind is Kind.QUEUE and reverse:
            tail = await self.store.queue_range(source.queue, -1 - stop, -1 - offset)
            raw = [(p, None) for p in reversed(tail)]
        elif source.kind is Kind.QUEUE:
            raw = [(p, None) for p in await self.store.queue_range(source.queue, offset, stop)]
        else:
            raw = await self.store.range(source.kind.sorted_set, offset, stop, desc=reverse)
        records = [r for p, s in raw if (r := record_from(source, p, s)) is not None]
        return Page(records, total, offset)

    async def search(self, source: Source, flt: JobFilter, progress: Progress | None = None,
                     cancel: Cancel | None = None) -> AsyncGenerator[JobRecord, None]:
        """Every entry matching `flt`, read and prefiltered a chunk at a time (10,000 entries:
        `storage/search.py` says why); `progress` hears how far it got after each chunk, and a
        set `cancel` ends the scan there."""
        scanned = found = 0
        keep = chunk_prefilter(flt)
        async with aclosing(self._chunks(source)) as chunks:
            async for chunk in chunks:
                scanned += len(chunk)
                for payload, score in await self._scored(source, [chunk[i] for i in keep(chunk)]):
                    if (record := record_from(source, payload, score)) is not None \
                            and flt.matches(record):
                        found += 1
                        yield record
                if progress:
                    progress(scanned, found)
                if cancel is not None and cancel.is_set():
                    return
        if progress and not scanned:
            progress(0, 0)

    async def find_matches(self, source: Source, flt: JobFilter, limit: int,
                           progress: Progress | None = None, cancel: Cancel | None = None,
                           reverse: bool = False) -> Matches:
        """Count the entries matching `flt`, keeping the first `limit` in time order (as `page`
        orders them): a filtered view never holds more than `limit` jobs, whatever matches."""
        heap: list[tuple[float, int, JobRecord]] = []
        count = 0
        async with aclosing(self.search(source, flt, progress, cancel)) as found:
            async for record in found:
                count += 1
                place = record.score if record.score is not None else count  # a queue: position
                transfer.keep_first(heap, limit, -place if reverse else place, count, record)
        records = [record for *_, record in sorted(heap, reverse=True)]
        return Matches(records, count, not (cancel is not None and cancel.is_set()))

    def _chunks(self, source: Source) -> AsyncGenerator[list[bytes], None]:
        if source.kind is Kind.QUEUE:
            return search.queue_chunks(self.store, source.queue, self.search_chunk)
        return search.set_chunks(self.store, source.kind.sorted_set, self.search_chunk)

    async def _scored(self, source: Source, payloads: list[bytes]
                      ) -> list[tuple[bytes, float | None]]:
        """Entries with their scores (a set's; None in a queue). One that left its set since
        the chunk was read is dropped."""
        if source.kind is Kind.QUEUE:
            return [(p, None) for p in payloads]
        found = await search.scores(self.store, source.kind.sorted_set, payloads)
        return [(p, s) for p, s in zip(payloads, found, strict=True) if s is not None]

    async def entry(self, source: Source, key: str) -> JobRecord | None:
        """A set's entry by its Web UI key (`<time>|<jid>`, see `JobRecord.key`): one read of
        the entries at that time, within a microsecond, as the key's time is rounded."""
        stamp, _, jid = key.partition("|")
        try:
            score = parse_ns(stamp) / 1e9
        except ValueError:
            return None
        for payload, found in await self.store.between(source.kind.sorted_set, score - 1e-6,
                                                       score + 1e-6):
            record = record_from(source, payload, found)
            if record is not None and record.jid == jid:
                return record
        return None

    async def queue_entry(self, name: str, jid: str, near: int) -> JobRecord | None:
        """A queued job by jid: first in the page around position `near` (where it was listed),
        else anywhere in the queue."""
        source = Source.of_queue(name)
        start = max(near - NEAR_PAGE // 2, 0)
        for payload in await self.store.queue_range(name, start, start + NEAR_PAGE - 1):
            record = record_from(source, payload)
            if record is not None and record.jid == jid:
                return record
        async with aclosing(self.search(source, JobFilter(jid=jid))) as found:
            async for record in found:
                return record
        return None

    async def find_job(self, jid: str) -> JobRecord | None:
        """A job by jid, wherever it is: the sets first, then each queue."""
        flt = JobFilter(jid=jid)
        sources = [Source(k) for k in (Kind.RETRIES, Kind.DEAD, Kind.SCHEDULED, Kind.BUSY)]
        sources += [Source.of_queue(q) for q in sorted(await self.store.known_queues())]
        for source in sources:
            async with aclosing(self.search(source, flt)) as found:
                async for record in found:
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

    async def requeue(self, records: Sequence[JobRecord]) -> int:
        """Put set entries back on their queues unchanged, as MUTATE requeue does."""
        moved = 0
        for source, group in _by_source(records):
            if source.kind in (Kind.SCHEDULED, Kind.RETRIES, Kind.DEAD):
                moved += await mutate.requeue(self.manager, source.kind.sorted_set,
                                              [r.payload for r in group])
        return moved

    async def act(self, action: Action, records: Sequence[JobRecord]) -> int:
        """One action on these entries; returns how many it touched (the rest had moved)."""
        methods = {Action.RETRY_NOW: self.retry_now, Action.REQUEUE: self.requeue,
                   Action.KILL: self.kill, Action.DELETE: self.delete}
        return await methods[action](records)

    async def act_on_matches(self, action: Action, source: Source, flt: JobFilter,
                             progress: Progress | None = None,
                             cancel: Cancel | None = None) -> BulkResult:
        """`action` on every entry matching `flt`, in batches of exact entries, so nothing that
        does not match is touched; `progress` hears (matched, done); `cancel` stops between
        batches. A set's matches come from one ZSCAN, which removing entries does not disturb."""
        if action not in ACTIONS[source.kind]:
            raise ValueError(f"{action.value} does not apply to {source.label}")
        if flt.empty and action is Action.DELETE:
            return await transfer.delete_everything(self, source)
        if source.kind is Kind.QUEUE:
            return await transfer.delete_from_queue(self, source, flt, progress, cancel)
        matched = done = 0
        batch: list[JobRecord] = []
        async with aclosing(self.search(source, flt, cancel=cancel)) as found:
            async for record in found:
                batch.append(record)
                if len(batch) == ACT_BATCH:
                    matched, done = matched + len(batch), done + await self.act(action, batch)
                    batch.clear()
                    if progress:
                        progress(matched, done)
        stopped = cancel is not None and cancel.is_set()
        if batch and not stopped:
            matched, done = matched + len(batch), done + await self.act(action, batch)
        return BulkResult(matched, done, not stopped)

    async def insert(self, source: Source, entries: Sequence[tuple[float | None, bytes]]) -> int:
        """Add validated entries (an import): pushed onto a queue in order, or added to a set
        at their scores. Returns how many were added."""
        if source.kind is Kind.QUEUE:
            for _score, payload in entries:
                await self.store.push(source.queue, payload)
            if entries:
                self.manager.waiters.notify(source.queue)
        elif source.kind is not Kind.BUSY:
            for score, payload in entries:
                await self.store.add(source.kind.sorted_set, score or 0.0, payload)
        else:
            return 0
        return len(entries)

    async def save(self, record: JobRecord, edited: dict[str, Any]) -> JobRecord:
        """Replace a job inside its queue or set with an edited copy; raises JobError if invalid.

        The job keeps its place: a queue position, or its set's score (a scheduled job moves to
        its new `at`). If the original is gone (fetched, retried), nothing is written.
        """
        payload = jobs.validate_edit(edited)
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

    async def gone_jobs(self) -> GoneJobs:
        """Jobs reserved by worker processes that have gone (see core/gone.py)."""
        return self.core.gone.summary()

    async def requeue_gone(self) -> int:
        """Put the jobs of gone workers back on their queues now; returns how many."""
        return await self.core.gone.requeue_now()

    # -- queue management -------------------------------------------------------------------------

    async def empty_queue(self, name: str) -> int:
        """Delete a queue's jobs but keep the queue: still known, still paused if it was (the
        desktop's "Clear"; `clear_queue` is the Web UI's, which forgets it). Returns how many."""
        return await self.store.empty_queue(name)

    # -- cron and throttles ---------------------------------------------------------------------

    async def cron_rows(self) -> list[CronRow]:
        return await cron_rows(self.core.cron)

    async def cron_detail(self, entry_id: str) -> CronDetail:
        return await cron_detail(self.core.cron, entry_id)

    async def cron_enqueue_now(self, entry_id: str) -> Firing:
        return await self.core.cron.enqueue_now(entry_id)

    async def cron_set_paused(self, entry_id: str, paused: bool) -> None:
        await self.core.cron.set_paused(entry_id, paused)

    async def throttle_rows(self) -> list[ThrottleRow]:
        return await throttle_rows(self.manager.throttles, self.store)


def _summary(worker: Worker, busy: int) -> WorkerSummary:
    return WorkerSummary(worker.wid, worker.hostname, worker.pid, worker.labels,
                         worker.started_ns, worker.last_beat_ns, worker.state, worker.rss_kb,
                         len(worker.connections), busy)


def _by_source(records: Sequence[JobRecord]) -> list[tuple[Source, list[JobRecord]]]:
    groups: dict[Source, list[JobRecord]] = {}
    for record in records:
        groups.setdefault(record.source, []).append(record)
    return list(groups.items())


def _score_after_edit(record: JobRecord, edited: dict[str, Any]) -> float:
    if record.source.kind is Kind.SCHEDULED and edited.get("at"):
        return jobs.score_of(parse_ns(edited["at"]))
    if record.score is not None:
        return record.score
    return jobs.score_of(now_ns() + DEAD_TTL_NS)
