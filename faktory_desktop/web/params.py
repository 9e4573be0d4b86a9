"""The query parameters pages share, checked as Faktory checks them (spec U-08, U-20)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from faktory_desktop.core.records import JobFilter
from faktory_desktop.web.request import BadRequest

PAGE_SIZE = 25
DEFAULT_DAYS = 30
MAX_DAYS = 180
MAX_PAGE = 1_000_000_000  # beyond any set: keeps the Redis range bounds in a 64-bit integer


def page_number(query: Mapping[str, str]) -> int:
    """`page`, 1-based: absent, "0" and "1" are the first page; anything but an integer >= 0 is
    400 `Invalid parameter`."""
    text = query.get("page", "")
    if text == "":
        return 1
    if not text.isdigit() or int(text) > MAX_PAGE:
        raise BadRequest("Invalid parameter")
    return max(int(text), 1)


def days(query: Mapping[str, str]) -> int:
    """`days` for the history graph: above 180 clamps to 180; not a positive number is 30."""
    text = query.get("days", "")
    if not text.isdigit() or int(text) < 1:
        return DEFAULT_DAYS
    return min(int(text), MAX_DAYS)


def job_filter(query: Mapping[str, str]) -> JobFilter:
    return JobFilter(jobtype=query.get("jobtype", "").strip(), jid=query.get("jid", "").strip(),
                     text=query.get("text", "").strip())


@dataclass(frozen=True)
class Pager:
    """Faktory's pager (U-08): shown only when there is more than one page."""

    page: int
    total: int

    @property
    def last(self) -> int:
        return max((self.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    @property
    def shown(self) -> bool:
        return self.total > PAGE_SIZE
