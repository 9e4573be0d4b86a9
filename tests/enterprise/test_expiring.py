"""Expiring jobs over the wire (faktory-enterprise.md §2): dropped at FETCH, counted."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from tests.enterprise.ent import custom_job, fetch, rfc3339
from tests.integration.wire import core, queue_sizes, run, totals


def expired_count(server) -> int:
    return run(server, core(server).store.ent.counters())[0]


@pytest.mark.parametrize("stamp", [
    rfc3339(-5),  # +00:00 offset, microseconds
    rfc3339(-5, timezone(timedelta(hours=-7))),  # Go: local time with an offset
    rfc3339(-5).replace("+00:00", "Z"),
    "2001-02-03T04:05:06.123456789Z",  # Rust: nanoseconds
    "2001-02-03T04:05:06Z",  # Ruby: seconds
], ids=["offset", "go-local", "z", "nanoseconds", "seconds"])  # ids without the clock: see xdist
def test_an_expired_job_is_dropped_and_the_fetch_goes_on(client, server, stamp):
    client.push(custom_job({"expires_at": stamp}, args=["old"]))
    fresh = custom_job({}, args=["fresh"])
    client.push(fresh)
    assert fetch(client)["jid"] == fresh["jid"]
    assert queue_sizes(client) == {"default": 0}
    assert expired_count(server) == 1
    assert totals(client) == (0, 0)  # neither processed nor failed


def test_a_job_not_yet_expired_runs(client):
    job = custom_job({"expires_at": rfc3339(60)})
    client.push(job)
    assert fetch(client)["jid"] == job["jid"]


def test_expires_in_becomes_expires_at(client, server):
    client.push(custom_job({"expires_in": 60}, args=["in"]))
    job = fetch(client)
    assert "expires_in" not in job["custom"]
    assert job["custom"]["expires_at"] > rfc3339(50).replace("+00:00", "Z")
    client.push(custom_job({"expires_in": 0}, args=["gone"]))
    assert fetch(client) is None
    assert expired_count(server) == 1


def test_only_expired_jobs_leave_nothing_to_fetch(client):
    client.push(custom_job({"expires_at": rfc3339(-1)}))
    assert fetch(client) is None


@pytest.mark.parametrize(("custom", "expected"), [
    ({"expires_at": "tomorrow"}, b"-ERR custom.expires_at: cannot parse"),
    ({"expires_at": 5}, b"-ERR custom.expires_at must be an RFC 3339"),
    ({"expires_in": "soon"}, b"-ERR custom.expires_in must be a number of seconds"),
])
def test_bad_expiry_fields_name_the_field(client, custom, expected):
    assert client.push(custom_job(custom)).startswith(expected)
