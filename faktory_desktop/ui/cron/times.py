"""A run time as the Cron screen shows it: in UTC (as Faktory Enterprise does) and local."""

from __future__ import annotations

from datetime import datetime

from faktory_desktop.core.timefmt import NS
from faktory_desktop.ui.jobs import humanize


def utc_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def local_text(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


def relative(moment: datetime, now_ns: int) -> str:
    return humanize.ago(int(moment.timestamp() * NS), now_ns)
