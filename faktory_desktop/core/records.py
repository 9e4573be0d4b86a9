"""Jobs as the read model shows them: where each lives, and the fields a person looks at.

A `JobRecord` keeps the exact stored bytes next to the decoded job, because every action on it
(retry, kill, delete, save) names the entry by those bytes, so an entry that changed or moved
underneath is never touched by mistake.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from faktory_desktop.core import jsonc
from faktory_desktop.core.timefmt import format_ns
from faktory_desktop.storage.store import SortedSet


class Kind(Enum):
    QUEUE = "queue"
    SCHEDULED = "scheduled"
    RETRIES = "retries"
    DEAD = "dead"
    BUSY = "working"

    @property
    def sorted_set(self) -> SortedSet:
        return SortedSet(self.value)


@dataclass(frozen=True)
class Source:
    """A queue (by name) or one of the sorted sets."""

    kind: Kind
    queue: str = ""

    @classmethod
    def of_queue(cls, name: str) -> Source:
        return cls(Kind.QUEUE, name)

    @property
    def label(self) -> str:
        return self.queue if self.kind is Kind.QUEUE else self.kind.value


SCHEDULED, RETRIES, DEAD, BUSY = (Source(k) for k in (Kind.SCHEDULED, Kind.RETRIES, Kind.DEAD,
                                                      Kind.BUSY))


@dataclass(frozen=True)
class JobRecord:
    """One stored job; for Busy, `reservation` holds the working entry's extra fields."""

    source: Source
    payload: bytes  # the stored bytes: the set member or list element
    job: dict[str, Any]
    score: float | None = None
    reservation: dict[str, Any] | None = None

    @property
    def jid(self) -> str:
        return str(self.job.get("jid", ""))

    @property
    def jobtype(self) -> str:
        return str(self.job.get("jobtype", ""))

    @property
    def display_type(self) -> str:
        """What the job is: ActiveJob's wrapped class when there is one (spec 2.5)."""
        wrapped = (self.job.get("custom") or {}).get("wrapped")
        return str(wrapped) if wrapped else self.jobtype

    @property
    def queue(self) -> str:
        return str(self.job.get("queue") or "default")

    @property
    def args(self) -> list[Any]:
        return list(self.job.get("args") or [])

    @property
    def failure(self) -> dict[str, Any]:
        return dict(self.job.get("failure") or {})

    @property
    def error(self) -> str:
        f = self.failure
        return f"{f.get('errtype', '')}: {f.get('message', '')}" if f else ""

    @property
    def key(self) -> str:
        """Faktory's Web UI key of a set entry: `<RFC3339Nano of the score>|<jid>` (S-02)."""
        if self.score is None:
            return self.jid
        return f"{format_ns(round(self.score * 1e9))}|{self.jid}"


def record_from(source: Source, payload: bytes, score: float | None = None) -> JobRecord | None:
    """Decode a stored entry; None when it is not a job at all."""
    try:
        data = jsonc.loads(payload)
    except jsonc.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    if source.kind is Kind.BUSY:
        job = data.get("job")
        if not isinstance(job, dict):
            return None
        reservation = {k: v for k, v in data.items() if k != "job"}
        return JobRecord(source, payload, job, score, reservation)
    return JobRecord(source, payload, data, score)


@dataclass(frozen=True)
class JobFilter:
    """What to look for: an exact jobtype, a jid, a batch, and/or text in args or the error."""

    jobtype: str = ""
    jid: str = ""
    text: str = ""
    bid: str = ""  # members of this batch (custom.bid)

    @property
    def empty(self) -> bool:
        return not (self.jobtype or self.jid or self.text or self.bid)

    def glob(self) -> str:
        """The narrowest Redis MATCH pattern for a scan; `matches` makes the exact check."""
        if self.jid:
            return f'*"jid":"{_escape_glob(self.jid)}"*'
        if self.jobtype:
            return f'*"jobtype":"{_escape_glob(self.jobtype)}"*'
        return "*"  # text matches case-insensitively, which a Redis glob cannot

    def matches(self, record: JobRecord) -> bool:
        if self.jid and record.jid != self.jid:
            return False
        if self.jobtype and record.jobtype != self.jobtype:
            return False
        if self.bid and (record.job.get("custom") or {}).get("bid") != self.bid:
            return False
        if self.text:
            needle = self.text.lower()
            # The JSON finds numbers and structure (`"id":42`); the strings as decoded find text
            # with quotes or backslashes in it, which JSON escapes.
            parts = [jsonc.dumps(record.args).decode(), *_strings(record.args), record.error]
            return any(needle in part.lower() for part in parts)
        return True


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value, at any depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _escape_glob(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
