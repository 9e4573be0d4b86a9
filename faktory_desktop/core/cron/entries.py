"""`[[cron]]` entries: checked once when conf.d is read, and turned into a fresh job per firing.

An entry is named by where it is written (file and position), and identified across reloads and
restarts by a digest of what it says, so its history and pause state follow the entry, not its
place in the file.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from faktory_desktop.core import jsonc
from faktory_desktop.core.cron.expression import ExpressionError, Schedule, parse_schedule
from faktory_desktop.core.job import JobError, check_queue_name

ENTRY_KEYS = ("schedule", "timezone", "job")
JOB_KEYS = ("type", "queue", "retry", "args", "reserve_for", "custom")
_KINDS = {str: "a string", int: "an integer", list: "an array", dict: "a table"}


class EntryError(ValueError):
    """A `[[cron]]` entry that cannot be used; the message names the file, entry and problem."""


def random_jid() -> str:
    """16 characters, as Faktory's RandomJid: 12 random bytes in raw URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(12)).decode()


@dataclass(frozen=True)
class CronEntry:
    id: str
    schedule: Schedule
    job: dict[str, Any]  # the canonical template, never changed: each firing copies it
    file: str  # the conf.d file it is written in
    index: int  # its position among that file's [[cron]] entries, from 1
    raw: dict[str, Any] = field(compare=False, repr=False)  # the TOML table as written

    @property
    def jobtype(self) -> str:
        return str(self.job["jobtype"])

    @property
    def queue(self) -> str:
        return str(self.job.get("queue", "default"))

    def new_job(self) -> dict[str, Any]:
        """A fresh job for one firing: a deep copy of the template with a new jid."""
        job = jsonc.loads(jsonc.dumps(self.job))
        job["jid"] = random_jid()
        return job


def _where(file: str, index: int, raw: Any) -> str:
    schedule = raw.get("schedule") if isinstance(raw, dict) else None
    shown = f' (schedule "{schedule}")' if isinstance(schedule, str) else ""
    return f"conf.d/{file}: [[cron]] entry {index}{shown}"


def _check_keys(table: dict[str, Any], allowed: Sequence[str], what: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ValueError(f'unknown key "{unknown[0]}" in {what} (known: {", ".join(allowed)})')


def _job_of(raw: dict[str, Any]) -> dict[str, Any]:
    table = raw.get("job")
    if not isinstance(table, dict):
        raise ValueError("it has no [cron.job] table")
    _check_keys(table, JOB_KEYS, "[cron.job]")
    jobtype = table.get("type")
    if not isinstance(jobtype, str) or not jobtype:
        raise ValueError('[cron.job] needs a "type" (the jobtype)')
    job: dict[str, Any] = {"jobtype": jobtype, "args": table.get("args", [])}
    for key, kind in (("queue", str), ("retry", int), ("args", list), ("reserve_for", int),
                      ("custom", dict)):
        value = table.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise ValueError(f"[cron.job] {key} must be {_KINDS[kind]}, not {value!r}")
        if value is not None:
            job[key] = value
    check_queue_name(job.get("queue", "default"))
    return job


def parse_entry(raw: Any, file: str, index: int) -> CronEntry:
    """One checked entry; EntryError names the file, the entry and the problem."""
    try:
        if not isinstance(raw, dict):
            raise ValueError("an entry is a table: [[cron]] with schedule and [cron.job]")
        _check_keys(raw, ENTRY_KEYS, "[[cron]]")
        text = raw.get("schedule")
        if not isinstance(text, str):
            raise ValueError('it needs a schedule, e.g. schedule = "*/5 * * * *"')
        zone = raw.get("timezone")
        if zone is not None and not isinstance(zone, str):
            raise ValueError('timezone must be a string such as "Europe/Berlin"')
        schedule = parse_schedule(text, zone)
        job = _job_of(raw)
    except (ValueError, ExpressionError, JobError) as exc:
        raise EntryError(f"{_where(file, index, raw)}: {exc}") from None
    return CronEntry("", schedule, job, file, index, raw)


def _digest(entry: CronEntry) -> str:
    what = {"schedule": entry.schedule.fields, "zone": entry.schedule.zone_name, "job": entry.job}
    return hashlib.sha256(jsonc.dumps(what)).hexdigest()[:16]


def parse_entries(tables: Any, files: Sequence[str]) -> tuple[CronEntry, ...]:
    """The document's `cron` array; `files[i]` is the conf.d file that wrote entry i."""
    if tables is None:
        return ()
    if not isinstance(tables, list):
        raise EntryError("conf.d: cron must be an array of tables, written [[cron]]")
    per_file: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    entries = []
    for i, raw in enumerate(tables):
        file = files[i] if i < len(files) else "?"
        per_file[file] += 1
        entry = parse_entry(raw, file, per_file[file])
        digest = _digest(entry)
        seen[digest] += 1  # identical entries are told apart by their order
        ident = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
        entries.append(CronEntry(ident, entry.schedule, entry.job, file, entry.index, raw))
    return tuple(entries)
