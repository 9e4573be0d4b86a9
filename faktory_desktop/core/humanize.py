"""Numbers and times as people read them: durations, "3 min ago", local times, RSS, places.

Job timestamps are RFC3339 strings in UTC; they are shown in local time next to a relative time,
with the stored text kept for the tooltip. An unparsable one reads "invalid timestamp", as in
Faktory's Web UI (U-30).
"""

from __future__ import annotations

import time

from faktory_desktop.core.records import Kind, Source
from faktory_desktop.core.timefmt import NS, now_ns, parse_ns

INVALID = "invalid timestamp"
_SET_TITLES = {
    Kind.SCHEDULED: "Scheduled", Kind.RETRIES: "Retries", Kind.DEAD: "Dead",
    Kind.BUSY: "Busy (in progress)",
}


def span(seconds: float) -> str:
    """A duration, coarse: "0 s", "< 1 s", "45 s", "3 min", "2 h 5 min", "3 d 4 h"."""
    if seconds <= 0:
        return "0 s"
    if seconds < 1:
        return "< 1 s"
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86400:
        hours, minutes = divmod(whole // 60, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(whole // 3600, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def ago(ns: int, now: int | None = None) -> str:
    """Relative to now: "just now", "3 min ago", "in 2 h"."""
    delta = ((now_ns() if now is None else now) - ns) / NS
    if abs(delta) < 1:
        return "just now"
    text = span(abs(delta)).split(" ", 2)
    coarse = " ".join(text[:2])  # "2 h 5 min" -> "2 h": relative times need no precision
    return f"{coarse} ago" if delta > 0 else f"in {coarse}"


def local_time(ns: int) -> str:
    """Local wall-clock time with the zone: "2024-05-01 14:03:22 CEST"."""
    return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(ns // NS)).strip()


def when(ns: int, now: int | None = None) -> str:
    """Local time and relative time together: "2024-05-01 14:03:22 CEST (3 min ago)"."""
    return f"{local_time(ns)} ({ago(ns, now)})"


def stamp(text: str | None, now: int | None = None) -> str:
    """A stored RFC3339 timestamp shown as `when`; "" when absent, INVALID when unparsable."""
    if not text:
        return ""
    try:
        return when(parse_ns(text), now)
    except ValueError:
        return INVALID


def stamp_ns(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return parse_ns(text)
    except ValueError:
        return None


def rss(kb: int) -> str:
    """Faktory's Busy page rule (U-21): `N KB` below 100000, `x.y MB` below 10^7, else GB."""
    if kb < 100_000:
        return f"{kb} KB"
    if kb < 10_000_000:
        return f"{kb / 1024:.1f} MB"
    return f"{kb / (1024 * 1024):.1f} GB"


def place(source: Source) -> str:
    """Where a job is: "queue default", "Retries", "Scheduled", "Dead", "Busy (in progress)"."""
    if source.kind is Kind.QUEUE:
        return f"queue {source.queue}"
    return _SET_TITLES[source.kind]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 job", "1,234 jobs"."""
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}"
