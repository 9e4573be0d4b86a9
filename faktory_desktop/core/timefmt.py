"""Timestamps as Faktory writes and reads them: RFC3339 with nanoseconds, in UTC.

Faktory (Go) writes `2006-01-02T15:04:05.999999999Z`, with trailing zeros of the fraction trimmed
and no dot for whole seconds, and accepts any RFC3339 offset and fraction length.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime

NS = 1_000_000_000

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)

_prefix_cache: tuple[int, str] = (-1, "")


def now_ns() -> int:
    return time.time_ns()


def _second_prefix(seconds: int) -> str:
    global _prefix_cache
    cached_second, prefix = _prefix_cache
    if cached_second != seconds:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _prefix_cache = (seconds, prefix)
    return prefix


def fraction(ns: int) -> str:
    """The fractional part as RFC3339Nano prints it: "" or ".123", trailing zeros trimmed."""
    frac = ns % NS
    return f".{frac:09d}".rstrip("0") if frac else ""


def format_ns(ns: int) -> str:
    """RFC3339Nano in UTC for epoch nanoseconds; the formatted second is cached (hot path)."""
    return _second_prefix(ns // NS) + fraction(ns) + "Z"


def parse_ns(text: str) -> int:
    """Epoch nanoseconds of an RFC3339 timestamp; ValueError names what is wrong."""
    m = _RFC3339.fullmatch(text)
    if not m:
        raise ValueError(f'cannot parse "{text}" as RFC3339 (e.g. 2006-01-02T15:04:05Z)')
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    frac, zone = m.group(7), m.group(8)
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ValueError(f'"{text}": {exc}') from None
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    nanos = int((frac[1:] + "000000000")[:9]) if frac else 0
    return seconds * NS + nanos


def local_date(ns: int) -> str:
    """The server's local date, YYYY-MM-DD, as Faktory's daily counters use it."""
    return time.strftime("%Y-%m-%d", time.localtime(ns // NS))


def to_datetime(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / NS, tz=UTC)
