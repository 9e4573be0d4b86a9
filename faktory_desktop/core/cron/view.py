"""The cron read model for the app: each entry with its next run and last result, and one
entry's next runs and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from faktory_desktop.core.cron.entries import CronEntry
from faktory_desktop.core.cron.expression import describe
from faktory_desktop.core.cron.runner import CronRunner, Firing

NEXT_RUNS = 5


@dataclass(frozen=True)
class CronRow:
    id: str
    schedule: str  # as written
    words: str  # "Every 5 minutes"
    timezone: str | None
    jobtype: str
    queue: str
    args: list[Any]
    retry: int | None
    reserve_for: int | None
    custom: dict[str, Any]
    file: str
    index: int
    paused: bool
    next_run: datetime  # UTC
    last: Firing | None


@dataclass(frozen=True)
class CronDetail:
    row: CronRow
    next_runs: list[datetime]
    history: list[Firing]


def _row(entry: CronEntry, paused: bool, last: Firing | None, now: datetime) -> CronRow:
    job = entry.job
    zone = entry.schedule.zone_name
    return CronRow(
        entry.id, entry.schedule.text, describe(entry.schedule), None if zone == "UTC" else zone,
        entry.jobtype, entry.queue, list(job.get("args", [])), job.get("retry"),
        job.get("reserve_for"), dict(job.get("custom", {})), entry.file, entry.index, paused,
        entry.schedule.next_runs(now, 1)[0], last)


async def cron_rows(runner: CronRunner) -> list[CronRow]:
    entries = runner.entries
    latest = await runner.store.latest(e.id for e in entries)
    now = datetime.fromtimestamp(runner.clock.now(), UTC)
    return [_row(entry, entry.id in runner.paused, Firing.decode(last) if last else None, now)
            for entry, last in zip(entries, latest, strict=True)]


async def cron_detail(runner: CronRunner, entry_id: str) -> CronDetail:
    entry = runner.entry(entry_id)
    history = [Firing.decode(f) for f in await runner.store.history(entry_id)]
    now = datetime.fromtimestamp(runner.clock.now(), UTC)
    row = _row(entry, entry_id in runner.paused, history[0] if history else None, now)
    return CronDetail(row, entry.schedule.next_runs(now, NEXT_RUNS), history)
