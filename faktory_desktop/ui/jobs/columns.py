"""What each job browser shows, as data: one list of columns per kind of queue or set.

A column reads one value from a `JobRecord`: text, a count, or a moment (epoch nanoseconds),
which the table shows relative to now ("3 min ago") with the local time in the tooltip. Each
kind names its time column (`SORT_COLUMN`): the one the rows are ordered by.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from faktory_desktop.core import enterprise, jsonc
from faktory_desktop.core.failure import DEAD_TTL_NS
from faktory_desktop.core.humanize import stamp_ns
from faktory_desktop.core.records import JobRecord, Kind

ARGS_SHOWN = 160
ARGS_TIP = 2000


@dataclass(frozen=True)
class Moment:
    """A point in time to show relative to now; `ns` None means unknown or unparsable."""

    ns: int | None


@dataclass(frozen=True)
class Tracked:
    """A tracked job's progress cell: its TRACK record changes while the job runs, so the model
    shows it from its own `progress` (by jid), read apart for the rows on screen."""

    jid: str


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[JobRecord], Any]  # str, int or Moment
    width: int
    mono: bool = False
    tip: str = ""  # the header's tooltip
    bar: bool = False  # drawn as a progress bar (the model gives BAR_ROLE)


def _score(record: JobRecord) -> Moment:
    return Moment(round(record.score * 1e9) if record.score is not None else None)


def _died(record: JobRecord) -> Moment:
    """A dead job's score is its expiry: death + 180 days."""
    return Moment(round(record.score * 1e9) - DEAD_TTL_NS if record.score is not None else None)


def _field(name: str) -> Callable[[JobRecord], Moment]:
    return lambda record: Moment(stamp_ns(record.job.get(name)))


def _reserved(name: str) -> Callable[[JobRecord], Moment]:
    return lambda record: Moment(stamp_ns((record.reservation or {}).get(name)))


def _failed_at(record: JobRecord) -> Moment:
    return Moment(stamp_ns(record.failure.get("failed_at")))


def _retries(record: JobRecord) -> int | str:
    failure = record.failure
    return int(failure.get("retry_count") or 0) if failure else ""


def _tracked(record: JobRecord) -> Tracked | str:
    ent = enterprise.features(record.job)
    return Tracked(record.jid) if ent is not None and ent.track else ""


def args_text(record: JobRecord, limit: int = ARGS_SHOWN) -> str:
    """The arguments as compact JSON, cut at `limit` characters."""
    text = jsonc.dumps(record.args).decode()
    return text if len(text) <= limit else text[: limit - 1] + "…"


JOB = Column("Job", lambda r: r.display_type, 160)
ARGS = Column("Arguments", args_text, 250, mono=True)
QUEUE = Column("Queue", lambda r: r.queue, 80)
JID = Column("JID", lambda r: r.jid, 190, mono=True)
ERROR = Column("Error", lambda r: r.error, 320)
RETRIES = Column("Retried", _retries, 64, tip="How many times the job was retried (retry_count)")
CREATED = Column("Created", _field("created_at"), 100)

COLUMNS: dict[Kind, list[Column]] = {
    Kind.QUEUE: [
        Column("Enqueued", _field("enqueued_at"), 100), JOB, ARGS, JID, CREATED, RETRIES, ERROR,
    ],
    Kind.SCHEDULED: [
        Column("When", _score, 100, tip="When the job goes onto its queue"), JOB, ARGS, QUEUE,
        JID, CREATED,
    ],
    Kind.RETRIES: [
        Column("Next retry", _score, 100), RETRIES, JOB, ARGS, QUEUE, ERROR, JID,
        Column("First failed", _failed_at, 100), CREATED,
    ],
    Kind.DEAD: [
        Column("Died", _died, 100, tip="Dead jobs are deleted 180 days after they died"),
        RETRIES, JOB, ARGS, QUEUE, ERROR, JID, CREATED,
    ],
    Kind.BUSY: [
        Column("Worker", lambda r: str((r.reservation or {}).get("wid", "")), 150, mono=True),
        JID, QUEUE, JOB,
        Column("Progress", _tracked, 200, tip="What a tracked job (custom.track = 1) last "
               "reported with TRACK SET: percent and description", bar=True),
        ARGS, Column("Started", _reserved("reserved_at"), 100),
        Column("Expires", _score, 100, tip="When the reservation runs out and the job fails"),
    ],
}  # fmt: skip

# The column the rows are ordered by (a queue: by position, which is enqueue order).
SORT_COLUMN: dict[Kind, int] = {
    Kind.QUEUE: 0, Kind.SCHEDULED: 0, Kind.RETRIES: 0, Kind.DEAD: 0, Kind.BUSY: 7,
}


def row_values(columns: list[Column], record: JobRecord) -> list[Any]:
    """Each column's value for one record, computed once when its page arrives."""
    return [column.value(record) for column in columns]
