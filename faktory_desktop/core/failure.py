"""What happens to a job that failed: its `failure` record, the backoff, and where it goes next.

Faktory's rules (spec L-20..L-23): `retry` 0 discards the job (it still counts as a failure), a
job retries while `retry_count < retry`, and otherwise, or at once for a negative `retry`, it goes
to the dead set, to be purged 180 days later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from faktory_desktop.core import job as jobs
from faktory_desktop.core.timefmt import NS, format_ns
from faktory_desktop.storage.store import SortedSet

MAX_ERRTYPE = 100
MAX_MESSAGE = 1000
MAX_BACKTRACE = 50
DEAD_TTL_NS = 180 * 24 * 3600 * NS
EXPIRED_ERRTYPE = "ReservationExpired"
EXPIRED_MESSAGE = "Faktory job reservation expired"


@dataclass(frozen=True, slots=True)
class FailureReport:
    """What a worker (or the reservation reaper) says about a failed run."""

    errtype: str = "unknown"
    message: str = "unknown"
    backtrace: tuple[str, ...] = ()

    @classmethod
    def cleansed(cls, errtype: Any, message: Any, backtrace: Any) -> FailureReport:
        """Trimmed and truncated as Faktory does (P-57), kept valid UTF-8."""
        lines = tuple(str(line) for line in (backtrace or ())[:MAX_BACKTRACE])
        return cls(_clip(errtype, MAX_ERRTYPE), _clip(message, MAX_MESSAGE), lines)


EXPIRED = FailureReport(EXPIRED_ERRTYPE, EXPIRED_MESSAGE)


@dataclass(frozen=True, slots=True)
class Disposition:
    """Where a failed job goes: a set and its score, or nowhere (target None)."""

    target: SortedSet | None
    score: float
    payload: bytes


def _clip(text: Any, limit: int) -> str:
    text = str(text or "").strip() or "unknown"
    return text.encode()[:limit].decode(errors="ignore")


def retry_delay_seconds(retry_count: int, roll: int | None = None) -> int:
    """Faktory's backoff: count^4 + 15 + rand(0..29) * (count + 1) seconds."""
    roll = random.randrange(30) if roll is None else roll
    return retry_count**4 + 15 + roll * (retry_count + 1)


def record_failure(job: dict[str, Any], report: FailureReport, now_ns: int) -> dict[str, Any]:
    """Create or update the job's `failure` record in place (L-20 step 4)."""
    failure = job.get("failure")
    if not failure:
        failure = {"retry_count": 0, "remaining": job.get("retry", jobs.DEFAULT_RETRY),
                   "failed_at": format_ns(now_ns)}
        job["failure"] = failure
    else:
        failure["retry_count"] = int(failure.get("retry_count", 0)) + 1
        if failure.get("remaining", 0) > 0:
            failure["remaining"] -= 1
    failure["errtype"] = report.errtype
    failure["message"] = report.message
    failure["backtrace"] = list(report.backtrace)
    return failure


def dispose(job: dict[str, Any], report: FailureReport, now_ns: int) -> Disposition:
    """Record the failure and decide: discard, retry later, or dead."""
    failure = record_failure(job, report, now_ns)
    retry = job.get("retry", jobs.DEFAULT_RETRY)
    if retry == 0:
        return Disposition(None, 0.0, b"")
    if failure["retry_count"] < retry:
        next_ns = now_ns + retry_delay_seconds(failure["retry_count"]) * NS
        failure["next_at"] = format_ns(next_ns)
        return Disposition(SortedSet.RETRIES, jobs.score_of(next_ns), jobs.canonical(job))
    return Disposition(SortedSet.DEAD, jobs.score_of(now_ns + DEAD_TTL_NS), jobs.canonical(job))
