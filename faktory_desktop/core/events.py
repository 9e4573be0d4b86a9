"""Per-job events for observers such as the metrics: a job fetched, acknowledged or failed, and
the Enterprise features' counters (an expired job, a unique lock taken or denied).

The manager calls these only behind `if self.events:`, so with no listener registered a job pays
one truthiness check. With listeners, a hook only appends one tuple of what the manager already
holds (the parsed job, its reservation member, the time) to a list: nothing is read or formatted
on the job's path. Every FOLD_EVERY_S a timer on the server's loop folds that list
(`event_fold`) and hands the result to each listener. The listeners must be quick and never
block; one that raises is logged and disturbs neither the jobs nor the other listeners.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from faktory_desktop.core.event_fold import (
    ACKED,
    FAILED,
    FETCHED,
    Event,
    Folded,
    Started,
    fold_events,
)

log = logging.getLogger(__name__)

FOLD_EVERY_S = 0.1


class JobListener(Protocol):
    # Whether it reads `Folded.latency`; when no listener does, `enqueued_at` is never parsed.
    wants_latency: bool

    def fold(self, jobs: Folded) -> None:
        """The jobs since the last fold (every FOLD_EVERY_S, and when one is asked for)."""


# The Enterprise counters, named as Faktory Enterprise's statsd metrics.
EXPIRED = "jobs.expired"
UNIQUE_LOCK = "uniq.lock"
UNIQUE_DENIED = "uniq.denied"
FEATURE_COUNTERS = (EXPIRED, UNIQUE_LOCK, UNIQUE_DENIED)


class JobEvents:
    """The listeners, the calls the manager (and the Enterprise features) make, and the fold."""

    def __init__(self) -> None:
        self._listeners: list[JobListener] = []
        self._pending: list[Event] = []
        # By reservation member, while it runs. Folded ACKs, FAILs and reaps take entries out;
        # only the jobs in progress at a FLUSH stay (a FLUSH forgets their reservations).
        self._started: dict[bytes, Started] = {}
        self._timer: asyncio.TimerHandle | None = None

    def __bool__(self) -> bool:
        return bool(self._listeners)

    def add(self, listener: JobListener) -> None:
        """Register `listener`; call on the server's loop, where the fold timer runs."""
        self._listeners.append(listener)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FOLD_EVERY_S, self._tick)

    def remove(self, listener: JobListener) -> None:
        """Unregister `listener`, after handing it the events so far."""
        self.fold()
        if listener in self._listeners:
            self._listeners.remove(listener)
        if not self._listeners:
            self._started.clear()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    # -- the hooks, on the job's path: one append each -------------------------------------------

    def fetched(self, job: dict[str, Any], member: bytes, now: int) -> None:
        """FETCH reserved `job` (as the FETCH parsed it) at `now` (epoch ns); `member` is its
        `working` entry (the same bytes object ACK and FAIL hand back)."""
        self._pending.append((FETCHED, member, now, job))

    def acked(self, member: bytes, now: int) -> None:
        """ACK finished the reservation `member` at `now`."""
        self._pending.append((ACKED, member, now, None))

    def failed(self, member: bytes) -> None:
        """FAIL, or an expired reservation, ended the reservation `member`."""
        self._pending.append((FAILED, member, 0, None))

    def count(self, name: str, job: dict[str, Any] | bytes) -> None:
        """One of FEATURE_COUNTERS, for `job` (its payload, parsed or not)."""
        self._pending.append((name, b"", 0, job))

    # -- the fold, off the job's path -----------------------------------------------------------

    def fold(self) -> None:
        """Hand the events since the last fold to every listener, read once for all of them.
        Also called before a snapshot of the numbers, so that it includes every job so far."""
        pending, self._pending = self._pending, []
        if not pending or not self._listeners:
            return
        with_latency = any(listener.wants_latency for listener in self._listeners)
        jobs = fold_events(pending, self._started, with_latency)
        for listener in self._listeners:
            try:
                listener.fold(jobs)
            except Exception:  # a listener's bug must not stop the others, or the timer
                log.exception("a job event listener failed")

    def _tick(self) -> None:
        try:
            self.fold()
        finally:
            self._timer = (asyncio.get_running_loop().call_later(FOLD_EVERY_S, self._tick)
                           if self._listeners else None)
