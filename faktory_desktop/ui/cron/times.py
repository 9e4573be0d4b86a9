"""A run time as the Cron screen shows it: in UTC (as Faktory Enterprise does) and local."""

from __future__ import annotations

from datetime import datetime

from faktory_desktop.core import humanize
from faktory_desktop.core.timefmt import NS


def utc_text(moment: datetime, zone: bool = True) -> str:
    return moment.strftime("%Y-%m-%d %H:%M" + (" UTC" if zone else ""))


def local_text(moment: datetime) -> str:
    """Local time, with the day unless it is today: "13:45 CET", "Mon 07 Dec 09:00 CET"."""
    local = moment.astimezone()
    day = "" if local.date() == datetime.now().astimezone().date() else "%a %d %b "
    return local.strftime(day + "%H:%M %Z").strip()


def relative(moment: datetime, now_ns: int) -> str:
    return humanize.ago(int(moment.timestamp() * NS), now_ns)
