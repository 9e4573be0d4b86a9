"""Failure records, backoff and where a failed job goes (spec L-20..L-23, P-57)."""

from __future__ import annotations

import pytest

from faktory_desktop.core.failure import FailureReport, dispose, retry_delay_seconds
from faktory_desktop.core.timefmt import NS, format_ns, parse_ns
from faktory_desktop.storage.store import SortedSet

NOW = parse_ns("2026-07-01T10:00:00Z")


@pytest.mark.parametrize(("count", "low", "high"), [
    (0, 15, 44), (1, 16, 74), (2, 31, 118), (3, 96, 212), (4, 271, 416), (5, 640, 814),
    (10, 10015, 10334), (24, 331791, 332516),
])
def test_backoff_bounds_match_faktory_table(count, low, high):
    assert retry_delay_seconds(count, roll=0) == low
    assert retry_delay_seconds(count, roll=29) == high


def test_first_failure_schedules_retry_with_record():
    job = {"jid": "12345678", "jobtype": "A", "args": [], "retry": 25}
    outcome = dispose(job, FailureReport("E", "boom"), NOW)
    failure = job["failure"]
    assert outcome.target is SortedSet.RETRIES
    assert (failure["retry_count"], failure["remaining"]) == (0, 25)
    assert failure["failed_at"] == format_ns(NOW)
    assert 15 <= (parse_ns(failure["next_at"]) - NOW) / NS <= 44
    assert outcome.score == parse_ns(failure["next_at"]) / NS


def test_retry_one_goes_dead_on_second_failure():  # T-55
    job = {"jid": "12345678", "jobtype": "A", "args": [], "retry": 1}
    assert dispose(job, FailureReport(), NOW).target is SortedSet.RETRIES
    later = NOW + 60 * NS
    outcome = dispose(job, FailureReport("E2", "again"), later)
    assert outcome.target is SortedSet.DEAD
    assert job["failure"]["failed_at"] == format_ns(NOW)  # first failure only
    assert job["failure"]["retry_count"] == 1 and job["failure"]["message"] == "again"
    assert outcome.score == pytest.approx((later + 180 * 86400 * NS) / NS)


def test_retry_zero_discards_and_negative_goes_dead():  # L-23
    assert dispose({"jid": "1" * 8, "retry": 0}, FailureReport(), NOW).target is None
    job = {"jid": "1" * 8, "retry": -1}
    assert dispose(job, FailureReport(), NOW).target is SortedSet.DEAD
    assert job["failure"]["remaining"] == -1 and "next_at" not in job["failure"]


def test_report_is_trimmed_truncated_and_defaulted():  # P-57
    report = FailureReport.cleansed("  " + "E" * 150, "", ["l"] * 70)
    assert report.errtype == "E" * 100 and report.message == "unknown"
    assert len(report.backtrace) == 50
    assert FailureReport.cleansed("é" * 60, "x", None).errtype == "é" * 50  # whole characters
