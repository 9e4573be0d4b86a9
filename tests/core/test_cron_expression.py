"""Cron expressions against a table of next runs, in UTC and across DST in a timezone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from faktory_desktop.core.cron.expression import ExpressionError, describe, parse_schedule


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def runs(expr: str, after: str, count: int = 3, zone: str | None = None) -> list[str]:
    schedule = parse_schedule(expr, zone)
    return [r.strftime("%Y-%m-%d %H:%M") for r in schedule.next_runs(utc(after), count)]


@pytest.mark.parametrize(("expr", "after", "expected"), [
    ("*/5 * * * *", "2026-01-01 00:00", ["2026-01-01 00:05", "2026-01-01 00:10",
                                         "2026-01-01 00:15"]),
    ("12 * * * *", "2026-01-01 00:30", ["2026-01-01 01:12", "2026-01-01 02:12",
                                        "2026-01-01 03:12"]),
    ("30 */6 * * *", "2026-01-01 00:00", ["2026-01-01 00:30", "2026-01-01 06:30",
                                          "2026-01-01 12:30"]),
    ("0 9 * * MON-FRI", "2026-01-02 10:00", ["2026-01-05 09:00", "2026-01-06 09:00",
                                             "2026-01-07 09:00"]),  # Fri after 9: next Mon
    ("0 9 * * 1,3,5", "2026-01-01 00:00", ["2026-01-02 09:00", "2026-01-05 09:00",
                                           "2026-01-07 09:00"]),
    ("0 0 1 jan,jul *", "2026-01-01 00:00", ["2026-07-01 00:00", "2027-01-01 00:00",
                                             "2027-07-01 00:00"]),
    ("15 10-12 * * *", "2026-01-01 11:00", ["2026-01-01 11:15", "2026-01-01 12:15",
                                            "2026-01-02 10:15"]),
    ("0 0 29 2 *", "2026-01-01 00:00", ["2028-02-29 00:00", "2032-02-29 00:00",
                                        "2036-02-29 00:00"]),
    ("@hourly", "2026-01-01 00:00", ["2026-01-01 01:00", "2026-01-01 02:00",
                                     "2026-01-01 03:00"]),
    ("@daily", "2026-01-01 00:00", ["2026-01-02 00:00", "2026-01-03 00:00",
                                    "2026-01-04 00:00"]),
    ("@weekly", "2026-01-01 00:00", ["2026-01-04 00:00", "2026-01-11 00:00",
                                     "2026-01-18 00:00"]),  # Sundays
    ("@monthly", "2026-01-15 00:00", ["2026-02-01 00:00", "2026-03-01 00:00",
                                      "2026-04-01 00:00"]),
    ("@yearly", "2026-01-01 00:00", ["2027-01-01 00:00", "2028-01-01 00:00",
                                     "2029-01-01 00:00"]),
])  # fmt: skip
def test_next_runs_in_utc(expr, after, expected):
    assert runs(expr, after) == expected


def test_a_timezone_shifts_the_runs_to_utc():
    # 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer
    assert runs("0 9 * * *", "2026-03-27 12:00", 3, "Europe/Berlin") == [
        "2026-03-28 08:00", "2026-03-29 07:00", "2026-03-30 07:00"]


def test_spring_forward_runs_a_skipped_time_once_at_the_jump():
    # 02:30 does not exist in Berlin on 2026-03-29 (02:00 -> 03:00): it runs at 03:00 local
    assert runs("30 2 * * *", "2026-03-28 12:00", 3, "Europe/Berlin") == [
        "2026-03-29 01:00", "2026-03-30 00:30", "2026-03-31 00:30"]


def test_fall_back_runs_a_daily_job_once():
    # 02:30 happens twice in Berlin on 2026-10-25; a daily job runs at the first one only
    assert runs("30 2 * * *", "2026-10-24 12:00", 3, "Europe/Berlin") == [
        "2026-10-25 00:30", "2026-10-26 01:30", "2026-10-27 01:30"]


def test_fall_back_runs_a_half_hourly_job_in_both_hours():
    assert runs("*/30 * * * *", "2026-10-24 23:45", 6, "Europe/Berlin") == [
        "2026-10-25 00:00", "2026-10-25 00:30", "2026-10-25 01:00", "2026-10-25 01:30",
        "2026-10-25 02:00", "2026-10-25 02:30"]


def test_fires_at_only_its_own_minutes():
    schedule = parse_schedule("*/5 * * * *")
    assert schedule.fires_at(utc("2026-01-01 00:05"))
    assert not schedule.fires_at(utc("2026-01-01 00:06"))


@pytest.mark.parametrize(("expr", "message"), [
    ("* * * *", "has 4 fields; a schedule has 5"),
    ("* * * * * *", "has 6 fields"),
    ("61 * * * *", "bad minute"),
    ("* * * * funday", "bad day-of-week"),
    ("@every 5m", 'unknown shortcut "@every 5m"'),
    ("", "has 0 fields"),
])  # fmt: skip
def test_bad_expressions_name_the_problem(expr, message):
    with pytest.raises(ExpressionError, match=message):
        parse_schedule(expr)


def test_an_unknown_timezone_is_named():
    with pytest.raises(ExpressionError, match='unknown timezone "Mars/Olympus"'):
        parse_schedule("* * * * *", "Mars/Olympus")


@pytest.mark.parametrize(("expr", "words"), [
    ("*/5 * * * *", "Every 5 minutes"),
    ("0 9 * * 1-5", "At 09:00, Monday through Friday"),
    ("@hourly", "Every hour"),
])  # fmt: skip
def test_describe(expr, words):
    assert describe(parse_schedule(expr)) == words
