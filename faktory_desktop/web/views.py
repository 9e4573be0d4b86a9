"""How a job's fields read on a page: arguments, times, sizes and the keys forms send back.

Everything here returns plain text; the templates escape it (autoescape), so a job's args,
error, backtrace or custom fields always render as text, whatever they hold.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import quote

from faktory_desktop.core import humanize
from faktory_desktop.core.records import JobRecord
from faktory_desktop.core.timefmt import NS

LIST_ARG_CAP = 1024  # characters of each argument on a list page, as Faktory (U-28)
DEFAULT_RETRY = 25


def arguments(args: list[Any], cap: int = LIST_ARG_CAP) -> str:
    """Each argument as JSON, capped at `cap` characters with an ellipsis."""
    parts = []
    for arg in args:
        text = json.dumps(arg, ensure_ascii=False)
        parts.append(text if len(text) <= cap else text[:cap] + "…")
    return ", ".join(parts)


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


def ago(stamp: str | None) -> str:
    """A stored RFC3339 time as "3 min ago" / "in 2 h"; "invalid timestamp" when unparsable."""
    ns = humanize.stamp_ns(stamp)
    if ns is None:
        return humanize.INVALID if stamp else ""
    return humanize.ago(ns)


def ago_score(score: float | None) -> str:
    return humanize.ago(round(score * NS)) if score is not None else ""


def number(n: int) -> str:
    return f"{n:,}"


def segment(text: str) -> str:
    """A URL path segment (a queue name, a key), with every reserved character escaped."""
    return quote(text, safe="")


def bkey(payload: bytes) -> str:
    """A queued job's form key: its exact stored bytes, base64url (spec 7.4)."""
    return base64.urlsafe_b64encode(payload).decode()


def from_bkey(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def info_rows(record: JobRecord) -> list[tuple[str, str]]:
    """The job info table of a detail page (U-28), as (label, text) rows."""
    job = record.job
    rows = [("JID", record.jid), ("Job", record.display_type),
            ("Created At", _when(job.get("created_at")))]
    if job.get("at"):
        rows.append(("Scheduled", _when(job.get("at"))))
    rows.append(("Enqueued", _when(job.get("enqueued_at")) or "Not yet enqueued"))
    if "reserve_for" in job:
        rows.append(("Reserve For", f"{job['reserve_for']} s"))
    custom = job.get("custom") or {}
    if custom:
        rows.append(("Custom", "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}"
                                          for k, v in custom.items())))
    failure = record.failure
    if failure:
        count = int(failure.get("retry_count") or 0)
        retry = job.get("retry", DEFAULT_RETRY)
        remaining = max(int(retry) - count, 0) if isinstance(retry, int) else 0
        rows += [("Retry Count", str(count)), ("Retries Remaining", str(remaining)),
                 ("Originally Failed", _when(failure.get("failed_at"))),
                 ("Next Retry", _when(failure.get("next_at")))]
    return rows


def _when(stamp: Any) -> str:
    return humanize.stamp(str(stamp)) if stamp else ""
