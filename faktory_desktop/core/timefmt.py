"""Timestamps as Faktory writes and reads them: RFC3339 with nanoseconds, in UTC.

Faktory (Go) writes `2006-01-02T15:04:05.999999999Z`, with trailing zeros of the fraction trimmed
and no dot for whole seconds, and accepts any RFC3339 offset and fraction length.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime
from typing import Final

NS: Final = 1_000_000_000

_RFC3339: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)

# A few recent seconds, formatted: `now` and `now + 1800 s` (FETCH's default expiry) are both hot.
_prefixes: Final[dict[int, str]] = {}
_PREFIXES_KEPT: Final = 8


def now_ns() -> int:
    return time.time_ns()


def second_prefix(seconds: int) -> str:
    """``2006-01-02T15:04:05`` for epoch seconds (UTC), cached: the hot path formats few seconds."""
    prefix = _prefixes.get(seconds)
    if prefix is None:
        if len(_prefixes) >= _PREFIXES_KEPT:
            _prefixes.clear()
        prefix = _prefixes[seconds] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return prefix


def fraction(ns: int) -> str:
    """The fractional part as RFC3339Nano prints it: "" or ".123", trailing zeros trimmed."""
    frac = ns % NS
    # str(NS + frac)[1:] is frac zero-padded to 9 digits; cheaper than a format spec (hot path)
    return "." + str(NS + frac)[1:].rstrip("0") if frac else ""


def format_ns(ns: int) -> str:
    """RFC3339Nano in UTC for epoch nanoseconds; the formatted second is cached (hot path)."""
    return second_prefix(ns // NS) + fraction(ns) + "Z"


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


_date_cache: tuple[int, str] = (-1, "")


def local_date(ns: int) -> str:
    """The server's local date, YYYY-MM-DD, as Faktory's daily counters use it.

    Cached per second: every ACK and FAIL asks, and localtime() + strftime() cost ~1 µs.
    """
    global _date_cache
    seconds = ns // NS
    cached_second, date = _date_cache
    if cached_second != seconds:
        date = time.strftime("%Y-%m-%d", time.localtime(seconds))
        _date_cache = (seconds, date)
    return date


def to_datetime(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / NS, tz=UTC)
