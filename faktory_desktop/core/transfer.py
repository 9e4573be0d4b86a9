"""Work over many entries at once: the scan's cheap prefilter, bulk deletion from a queue, and
JSON Lines export and import.

JSONL holds one job per line, exactly as stored (a set's member, a queue's element), so an export
can be grepped, fed to `jq`, or pushed by any client, and importing it back writes the same
bytes. Sets keep no score in the file: it comes back from the job itself (`at` for Scheduled,
`failure.next_at` for Retries; the dead get a fresh 180 days). A queue's export lists its jobs
newest first, as the browser shows them, and importing pushes them back in the same order.

Everything here is Qt-free and runs on the server's loop, through `FaktoryAPI`.
"""

from __future__ import annotations

import heapq
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faktory_desktop.core import job as jobs
from faktory_desktop.core import jsonc, mutate
from faktory_desktop.core.failure import DEAD_TTL_NS
from faktory_desktop.core.records import JobFilter, JobRecord, Kind, Source, record_from
from faktory_desktop.core.timefmt import format_ns, now_ns, parse_ns

if TYPE_CHECKING:
    from faktory_desktop.core.api import Cancel, FaktoryAPI, Progress

SCAN_PAGE = 500
IMPORT_BATCH = 500
MAX_REJECTS_KEPT = 10_000
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_.@/+-]+(?: +[A-Za-z0-9_.@/+-]+)*")


@dataclass(frozen=True)
class Matches:
    """A search's outcome: how many matched, and the first `limit` of them in time order."""

    records: list[JobRecord]
    count: int
    complete: bool  # False when cancelled before the scan ended


@dataclass(frozen=True)
class BulkResult:
    """A bulk action's outcome; `matched - done` entries changed or moved underneath."""

    matched: int
    done: int
    complete: bool


@dataclass(frozen=True)
class Rejected:
    line: int  # 1-based
    reason: str


@dataclass
class ImportReport:
    added: int = 0
    rejected: list[Rejected] = field(default_factory=list)  # the first MAX_REJECTS_KEPT
    rejected_total: int = 0
    complete: bool = True

    def reject(self, line: int, reason: str) -> None:
        self.rejected_total += 1
        if len(self.rejected) < MAX_REJECTS_KEPT:
            self.rejected.append(Rejected(line, reason))


def _stopped(cancel: Cancel | None) -> bool:
    return cancel is not None and cancel.is_set()


# -- scanning -------------------------------------------------------------------------------------

def prefilter(flt: JobFilter) -> Callable[[bytes], bool]:
    """A bytes test that keeps every entry `flt.matches` accepts, before any JSON is decoded.

    jid and jobtype are MUTATE's substring tests (`"jid":"<jid>"`, spec P-73) on the compact
    JSON. Text is tested too when JSON escaping cannot hide it: ASCII letters, digits and a few
    marks, in an ASCII entry (case-folding elsewhere in Unicode could make an ASCII match).
    """
    needles, text = prefilter_needles(flt)

    def keep(payload: bytes) -> bool:
        if not all(needle in payload for needle in needles):
            return False
        return not text or not payload.isascii() or text in payload.lower()

    return keep


def prefilter_needles(flt: JobFilter) -> tuple[list[bytes], bytes]:
    """What `prefilter` looks for: the exact jid/jobtype/bid substrings, and the lowercased text
    (empty when JSON escaping could hide it, or when there is none)."""
    needles = [b'"%s":%s' % (key.encode(), jsonc.dumps(value))
               for key, value in (("jid", flt.jid), ("jobtype", flt.jobtype), ("bid", flt.bid))
               if value]
    text = flt.text.lower().encode() if _PLAIN_TEXT.fullmatch(flt.text) else b""
    return needles, text


def keep_first(heap: list[tuple[float, int, JobRecord]], limit: int, key: float, seq: int,
               record: JobRecord) -> None:
    """Keep the `limit` smallest (key, seq) in `heap`, stored negated (a max-heap)."""
    item = (-key, -seq, record)
    if len(heap) < limit:
        heapq.heappush(heap, item)
    elif limit > 0 and item > heap[0]:
        heapq.heapreplace(heap, item)


async def delete_from_queue(api: FaktoryAPI, source: Source, flt: JobFilter,
                            progress: Progress | None, cancel: Cancel | None) -> BulkResult:
    """LREM each matching job by its exact bytes, page by page from the head; the next page
    starts where the removals left the one before."""
    keep, offset, matched, done = prefilter(flt), 0, 0, 0
    while not _stopped(cancel):
        page = await api.store.queue_range(source.queue, offset, offset + SCAN_PAGE - 1)
        if not page:
            return BulkResult(matched, done, True)
        hits = [p for p in page if keep(p) and _matches(flt, source, p)]
        removed = 0
        for payload in hits:
            removed += await api.store.remove_from_queue(source.queue, payload)
        matched, done = matched + len(hits), done + removed
        offset += len(page) - removed
        if progress:
            progress(matched, done)
    return BulkResult(matched, done, False)


async def delete_everything(api: FaktoryAPI, source: Source) -> BulkResult:
    """Delete with no filter: the whole queue (which stays known) or set, at once, as MUTATE
    discard without a filter does."""
    if source.kind is Kind.QUEUE:
        size = await api.empty_queue(source.queue)
    else:
        operation = mutate.Operation("discard", source.kind.sorted_set)
        size = await mutate.mutate(api.manager, operation)
    return BulkResult(size, size, True)


def _matches(flt: JobFilter, source: Source, payload: bytes) -> bool:
    record = record_from(source, payload)
    return record is not None and flt.matches(record)


# -- export ---------------------------------------------------------------------------------------

def export_line(record: JobRecord) -> bytes:
    """A job as one JSONL line: the stored bytes (for Busy, the job inside the reservation)."""
    if record.source.kind is Kind.BUSY:
        return jsonc.dumps(record.job) + b"\n"
    return record.payload + b"\n"


async def export_jsonl(api: FaktoryAPI, source: Source, flt: JobFilter, path: Path,
                       progress: Progress | None = None, cancel: Cancel | None = None) -> int:
    """Write every job of `source` matching `flt` to `path`; returns how many. The file appears
    only once complete: a cancelled export leaves nothing behind, and returns -1."""
    partial = path.with_name(path.name + ".part")
    written = 0
    try:
        with partial.open("wb") as out:
            async with aclosing(api.search(source, flt, progress, cancel)) as found:
                async for record in found:
                    out.write(export_line(record))
                    written += 1
        if _stopped(cancel):
            partial.unlink()
            return -1
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written


# -- import ---------------------------------------------------------------------------------------

def parse_line(line: bytes, source: Source, now: int) -> tuple[float | None, bytes]:
    """Validate one line for `source`: (score for a set, canonical job). Raises JobError."""
    job = jobs.parse_job(line)
    jobs.validate(job)
    job.setdefault("created_at", format_ns(now))
    if source.kind is Kind.QUEUE:
        job["queue"] = source.queue
        job.setdefault("enqueued_at", format_ns(now))
    jobs.check_queue_name(job.get("queue") or "default")
    return _score(job, source, now), jobs.canonical(job)


def _score(job: dict[str, Any], source: Source, now: int) -> float | None:
    if source.kind is Kind.SCHEDULED:
        return jobs.score_of(_time(job.get("at"), "a scheduled job needs an 'at' time"))
    if source.kind is Kind.RETRIES:
        failure = job.get("failure") or {}
        return jobs.score_of(_time(failure.get("next_at"), "a retry needs failure.next_at"))
    if source.kind is Kind.DEAD:
        return jobs.score_of(now + DEAD_TTL_NS)
    return None


def _time(value: Any, missing: str) -> int:
    if not value or not isinstance(value, str):
        raise jobs.JobError(missing)
    try:
        return parse_ns(value)
    except ValueError as exc:
        raise jobs.JobError(f"invalid timestamp: {exc}") from None


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for each non-blank line of a file."""
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield number, line.strip()


async def import_jsonl(api: FaktoryAPI, source: Source, lines: Iterable[tuple[int, bytes]],
                       progress: Progress | None = None,
                       cancel: Cancel | None = None) -> ImportReport:
    """Validate each line and add the good ones to `source`; the report names every rejected
    line and why. A queue takes its jobs in reverse file order, so an export comes back as it
    was. A cancelled import stops reading: the lines read so far are added."""
    if source.kind is Kind.BUSY:
        raise ValueError("jobs in progress cannot be imported")
    report, now = ImportReport(), now_ns()
    batch: list[tuple[float | None, bytes]] = []
    held: list[tuple[float | None, bytes]] = []
    for number, line in lines:
        try:
            batch.append(parse_line(line, source, now))
        except jobs.JobError as exc:
            report.reject(number, str(exc))
        if len(batch) == IMPORT_BATCH:
            await _flush(api, source, batch, held, report, progress, number)
            if _stopped(cancel):
                report.complete = False
                break
    await _flush(api, source, batch, held, report, progress, 0)
    if held:
        report.added += await api.insert(source, held[::-1])
    return report


async def _flush(api: FaktoryAPI, source: Source, batch: list[tuple[float | None, bytes]],
                 held: list[tuple[float | None, bytes]], report: ImportReport,
                 progress: Progress | None, number: int) -> None:
    """Add a batch to a set now; a queue's batches wait for the end, to be pushed reversed."""
    if source.kind is Kind.QUEUE:
        held.extend(batch)
    else:
        report.added += await api.insert(source, batch)
    batch.clear()
    if progress and number:
        progress(number, report.added + len(held))
