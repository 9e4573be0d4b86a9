"""Per-job events for observers such as the metrics: a job fetched, acknowledged or failed, and
the Enterprise features' counters (an expired job, a unique lock taken or denied).

The manager calls these only behind `if self.events:`, so with no listener registered a job pays
one truthiness check. Then FETCH parses the reservation member once and remembers the job's queue,
jobtype and fetch time under that member (the same bytes object ACK and FAIL hand back), so ACK
and FAIL parse nothing; a member fetched before a restart is parsed then. Listeners run on the
server's loop: they must be quick and never block; one that raises is logged and does not disturb
the job.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from faktory_desktop.core import jsonc
from faktory_desktop.core.timefmt import NS, parse_ns

log = logging.getLogger(__name__)


class JobListener(Protocol):
    def job_fetched(self, queue: str, jobtype: str, waited_s: float) -> None:
        """A job left `queue` for a worker `waited_s` after it was enqueued."""

    def job_finished(self, queue: str, jobtype: str, perform_s: float | None) -> None:
        """ACK (`perform_s`: FETCH to ACK) or FAIL (`perform_s` is None)."""

    def feature_count(self, name: str, queue: str, jobtype: str) -> None:
        """One of FEATURE_COUNTERS happened to a job."""


# The Enterprise counters, named as Faktory Enterprise's statsd metrics.
EXPIRED = "jobs.expired"
UNIQUE_LOCK = "uniq.lock"
UNIQUE_DENIED = "uniq.denied"
FEATURE_COUNTERS = (EXPIRED, UNIQUE_LOCK, UNIQUE_DENIED)


Started = tuple[str, str, int]  # queue, jobtype, fetched at (epoch ns)


class JobEvents:
    """The listeners, and the calls the manager (and the Enterprise features) make."""

    def __init__(self) -> None:
        self._listeners: list[JobListener] = []
        # By reservation member, while it runs. ACK, FAIL and the reaper take entries out; only
        # the jobs in progress at a FLUSH stay (a FLUSH forgets their reservations).
        self._started: dict[bytes, Started] = {}

    def __bool__(self) -> bool:
        return bool(self._listeners)

    def add(self, listener: JobListener) -> None:
        self._listeners.append(listener)

    def remove(self, listener: JobListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)
        if not self._listeners:
            self._started.clear()

    def fetched(self, job: dict[str, Any], member: bytes, now: int) -> None:
        """FETCH reserved `job` (as the FETCH parsed it) at `now` (epoch ns); `member` is its
        `working` entry."""
        queue, jobtype = _queue(job), _jobtype(job)
        self._started[member] = (queue, jobtype, now)
        self._each("job_fetched", queue, jobtype, _seconds_since(job.get("enqueued_at"), now))

    def acked(self, member: bytes, now: int) -> None:
        """ACK finished the reservation `member` at `now`."""
        started = self._started.pop(member, None) or _started_from(member)
        if started is not None:
            queue, jobtype, at = started
            self._each("job_finished", queue, jobtype, max(0.0, (now - at) / NS))

    def failed(self, member: bytes) -> None:
        """FAIL, or an expired reservation, ended the reservation `member`."""
        started = self._started.pop(member, None) or _started_from(member)
        if started is not None:
            self._each("job_finished", started[0], started[1], None)

    def count(self, name: str, job: dict[str, Any]) -> None:
        """One of FEATURE_COUNTERS, for `job` (its parsed payload); call it behind `if events:`."""
        self._each("feature_count", name, _queue(job), _jobtype(job))

    def _each(self, method: str, *args: Any) -> None:
        try:
            for listener in self._listeners:
                getattr(listener, method)(*args)
        except Exception:  # a listener's bug must not fail the job's ACK
            log.exception("a job event listener failed")


def _job_of(member: bytes) -> dict[str, Any] | None:
    """The job inside a reservation member, or None if it is not one."""
    try:
        job = jsonc.loads(member).get("job")
    except (jsonc.JSONDecodeError, AttributeError):
        return None
    return job if isinstance(job, dict) else None


def _started_from(member: bytes) -> Started | None:
    """For a reservation fetched before this process started: read it from the member."""
    job = _job_of(member)
    if job is None:
        return None
    try:
        at = _epoch_ns(jsonc.loads(member).get("reserved_at"))
    except (ValueError, TypeError):
        return None
    return _queue(job), _jobtype(job), at


def _queue(job: dict[str, Any]) -> str:
    return str(job.get("queue") or "default")


def _jobtype(job: dict[str, Any]) -> str:
    return str(job.get("jobtype") or "")


def _seconds_since(stamp: Any, now: int) -> float:
    """Seconds from an RFC3339 `stamp` to `now` (epoch ns); 0 when there is none to read."""
    try:
        return max(0.0, (now - _epoch_ns(stamp)) / NS)
    except (ValueError, TypeError):
        return 0.0


_seconds: dict[str, int] = {}  # "2006-01-02T15:04:05" -> epoch seconds, for the last few
_SECONDS_KEPT = 64


def _epoch_ns(stamp: Any) -> int:
    """`parse_ns`, about ten times faster for the UTC stamps this server writes
    (`...:05Z`, `...:05.123456Z`): their second is looked up in a small cache."""
    if not isinstance(stamp, str):
        raise TypeError("not a timestamp")
    if len(stamp) < 20 or stamp[-1] != "Z" or stamp[19] not in ".Z":
        return parse_ns(stamp)
    digits = stamp[20:-1]
    if digits and (not digits.isdigit() or len(digits) > 9):
        return parse_ns(stamp)
    second = _seconds.get(stamp[:19])
    if second is None:
        if len(_seconds) >= _SECONDS_KEPT:
            _seconds.clear()
        second = _seconds[stamp[:19]] = parse_ns(stamp[:19] + "Z") // NS
    return second * NS + (int(digits.ljust(9, "0")) if digits else 0)
