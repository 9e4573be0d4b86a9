"""Cron expressions: standard 5-field, with lists, ranges, steps and names, plus @-shortcuts.

The arithmetic is cronsim's (the cron evaluator of Healthchecks.io: DST gaps and overlaps handled
as cronie does). We check the field count ourselves, because cronsim also accepts a sixth field,
and map the shortcuts it lacks. A schedule is evaluated in UTC, as Faktory Enterprise does, or in
an entry's own `timezone` (our extension).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

SHORTCUTS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
MINUTE = timedelta(minutes=1)


class ExpressionError(ValueError):
    """A schedule or timezone that cannot be used; the message says what is wrong."""


def parse_zone(name: str | None) -> tzinfo:
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ExpressionError(f'unknown timezone "{name}" (expected Area/City, '
                              'e.g. "Europe/Berlin")') from None


@dataclass(frozen=True)
class Schedule:
    text: str  # as written
    fields: str  # the 5 fields it stands for
    zone: tzinfo

    @property
    def zone_name(self) -> str:
        return "UTC" if self.zone is UTC else str(self.zone)

    def runs_after(self, moment: datetime) -> Iterator[datetime]:
        """Every run strictly after `moment`, in UTC."""
        for run in CronSim(self.fields, moment.astimezone(self.zone)):
            yield run.astimezone(UTC)

    def next_runs(self, moment: datetime, count: int) -> list[datetime]:
        return list(islice(self.runs_after(moment), count))

    def fires_at(self, minute: datetime) -> bool:
        """Whether a run falls on this whole minute (UTC)."""
        return next(self.runs_after(minute - MINUTE)) == minute


def parse_schedule(text: str, zone_name: str | None = None) -> Schedule:
    """A Schedule, or ExpressionError naming the problem."""
    zone = parse_zone(zone_name)
    stripped = " ".join(text.split())
    fields = SHORTCUTS.get(stripped.lower(), stripped)
    if fields.startswith("@"):
        raise ExpressionError(f'unknown shortcut "{stripped}" (known: {", ".join(SHORTCUTS)})')
    count = len(fields.split())
    if count != 5:
        fields_word = "field" if count == 1 else "fields"
        raise ExpressionError(f'"{stripped}" has {count} {fields_word}; a schedule has 5: '
                              "minute hour day-of-month month day-of-week")
    try:
        CronSim(fields, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        raise ExpressionError(f'"{stripped}": {str(exc).lower()}') from None
    return Schedule(text, fields, zone)


def describe(schedule: Schedule) -> str:
    """The schedule in words, e.g. "Every 5 minutes" or "At 09:00, Monday through Friday"."""
    from cron_descriptor import Options, get_description  # only the UI's read model needs it

    options = Options()
    options.use_24hour_time_format = True
    words = get_description(schedule.fields, options)
    return words if schedule.zone is UTC else f"{words} ({schedule.zone_name})"
