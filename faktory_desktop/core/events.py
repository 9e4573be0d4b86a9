"""Per-job events for observers such as the metrics: a job fetched, acknowledged or failed, and
the Enterprise features' counters (an expired job, a unique lock taken or denied).

The manager calls these only behind `if self.events:`, so with no listener registered a job pays
one truthiness check. Each call parses what it needs (the job, or the reservation member that
holds it) only then. Listeners run on the server's loop: they must be quick and never block; one
that raises is logged and does not disturb the job.
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


class JobEvents:
    """The listeners, and the calls the manager (and the Enterprise features) make."""

    def __init__(self) -> None:
        self._listeners: list[JobListener] = []

    def __bool__(self) -> bool:
        return bool(self._listeners)

    def add(self, listener: JobListener) -> None:
        self._listeners.append(listener)

    def remove(self, listener: JobListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def fetched(self, job: bytes, now: int) -> None:
        """FETCH handed out `job` (its stored bytes) at `now` (epoch ns)."""
        data = _loads(job)
        if data is None:
            return
        waited = _seconds_since(data.get("enqueued_at"), now)
        self._each("job_fetched", _queue(data), _jobtype(data), waited)

    def acked(self, member: bytes, now: int) -> None:
        """ACK finished the reservation `member` (the `working` entry) at `now`."""
        record = _loads(member)
        if record is None:
            return
        job = record.get("job") or {}
        perform = _seconds_since(record.get("reserved_at"), now)
        self._each("job_finished", _queue(job), _jobtype(job), perform)

    def failed(self, member: bytes) -> None:
        """FAIL, or an expired reservation, ended the reservation `member`."""
        record = _loads(member)
        if record is None:
            return
        job = record.get("job") or {}
        self._each("job_finished", _queue(job), _jobtype(job), None)

    def count(self, name: str, job: dict[str, Any]) -> None:
        """One of FEATURE_COUNTERS, for `job` (its parsed payload); call it behind `if events:`."""
        self._each("feature_count", name, _queue(job), _jobtype(job))

    def _each(self, method: str, *args: Any) -> None:
        for listener in self._listeners:
            try:
                getattr(listener, method)(*args)
            except Exception:
                log.exception("a job event listener failed")


def _loads(data: bytes) -> dict[str, Any] | None:
    try:
        value = jsonc.loads(data)
    except jsonc.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _queue(job: dict[str, Any]) -> str:
    return str(job.get("queue") or "default")


def _jobtype(job: dict[str, Any]) -> str:
    return str(job.get("jobtype") or "")


def _seconds_since(stamp: Any, now: int) -> float:
    """Seconds from an RFC3339 `stamp` to `now` (epoch ns); 0 when there is none to read."""
    if not isinstance(stamp, str):
        return 0.0
    try:
        return max(0.0, (now - parse_ns(stamp)) / NS)
    except ValueError:
        return 0.0
