"""Fires cron entries on the whole minute, through the normal push path.

Each minute the runner asks every entry whether it fires then, claims that minute in the engine
(so a restart inside the minute never fires it twice), and pushes a fresh job with `Manager.push`,
so uniqueness and expiry apply as to any job. Minutes the server was down for are not caught up.
At start the current minute is considered too: a restart at 12:00:00.5 neither loses nor repeats
the 12:00 firing. Time comes from one injectable `Clock`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from faktory_desktop.core import jsonc
from faktory_desktop.core.clock import Clock
from faktory_desktop.core.cron.entries import CronEntry
from faktory_desktop.core.job import JobError
from faktory_desktop.core.manager import Manager
from faktory_desktop.core.tasks import cancel_and_wait
from faktory_desktop.core.timefmt import NS, format_ns
from faktory_desktop.storage.cron_store import CronStore

log = logging.getLogger(__name__)


class Firing(NamedTuple):
    """One push of an entry's job: when, its jid, and the push error if it was refused."""

    at: str  # RFC3339, UTC
    jid: str
    error: str | None = None
    manual: bool = False  # Enqueue now, from the app

    def encode(self) -> bytes:
        return jsonc.dumps(self._asdict())

    @classmethod
    def decode(cls, data: bytes) -> Firing:
        record: dict[str, Any] = jsonc.loads(data)
        return cls(str(record.get("at", "")), str(record.get("jid", "")), record.get("error"),
                   bool(record.get("manual")))


class UnknownEntry(LookupError):
    def __init__(self, entry_id: str) -> None:
        super().__init__(f"no cron entry {entry_id} (the configuration was reloaded?)")


class CronRunner:
    def __init__(self, manager: Manager, store: CronStore, clock: Clock) -> None:
        self.manager = manager
        self.store = store
        self.clock = clock
        self.entries: tuple[CronEntry, ...] = ()
        self.paused: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def configure(self, entries: Sequence[CronEntry]) -> None:
        self.entries = tuple(entries)

    def entry(self, entry_id: str) -> CronEntry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise UnknownEntry(entry_id)

    async def start(self) -> None:
        self.paused = await self.store.paused()
        self._task = asyncio.create_task(self._run(), name="cron")

    async def stop(self) -> None:
        if self._task:
            await cancel_and_wait(self._task)

    async def _run(self) -> None:
        minute = int(self.clock.now() // 60 * 60)
        while True:
            try:
                await self.tick(minute)
            except Exception as exc:  # noqa: BLE001 - the engine may be restarting
                log.warning("cron could not fire the minute %s: %s", format_ns(minute * NS), exc)
            await self.clock.sleep_until(minute + 60)
            minute = int(self.clock.now() // 60 * 60)  # no catch-up of skipped minutes

    async def tick(self, minute: int) -> int:
        """Fire the entries due at `minute` (epoch seconds) not fired yet; returns how many."""
        moment = datetime.fromtimestamp(minute, UTC)
        fired = 0
        for entry in self.entries:
            if entry.id in self.paused or not entry.schedule.fires_at(moment):
                continue
            if await self.store.claim(entry.id, minute):
                await self._fire(entry, format_ns(minute * NS))
                fired += 1
        return fired

    async def enqueue_now(self, entry_id: str) -> Firing:
        """Push the entry's job now, outside its schedule (the app's Enqueue now)."""
        return await self._fire(self.entry(entry_id), format_ns(int(self.clock.now()) * NS),
                                manual=True)

    async def set_paused(self, entry_id: str, paused: bool) -> None:
        self.entry(entry_id)
        await self.store.set_paused(entry_id, paused)
        if paused:
            self.paused.add(entry_id)
        else:
            self.paused.discard(entry_id)

    async def _fire(self, entry: CronEntry, at: str, manual: bool = False) -> Firing:
        job = entry.new_job()
        error = None
        try:
            await self.manager.push(job)
            log.debug("Cron enqueueing %s/%s", entry.jobtype, job["jid"])
        except Exception as exc:  # noqa: BLE001 - a refused push (e.g. NOTUNIQUE) is history
            # "NOTUNIQUE Job not unique" for a refused unique job, as PUSHB reports it
            error = exc.bulk_text() if isinstance(exc, JobError) else str(exc)
            log.warning("Unable to push periodic job %s: %s", entry.jobtype, error)
        firing = Firing(at, job["jid"], error, manual)
        await self.store.record(entry.id, firing.encode())
        return firing
