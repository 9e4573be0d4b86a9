"""Job tracking over the wire (faktory-enterprise.md §5): TRACK SET/GET through every state."""

from __future__ import annotations

import time

import pytest

from faktory_desktop.storage.store import SortedSet
from tests.enterprise.ent import custom_job, fetch, rfc3339, track_get
from tests.integration.wire import ack, compact, core, entries, fail, make_due, run

UNKNOWN = b'{"jid":"nobody-knows","state":"unknown","updated_at":""}'


def track_set(client, **update) -> bytes:
    return client.call(b"TRACK SET " + compact(update))


def test_unknown_jid_gives_the_exact_unknown_record(client):
    reply = client.call("TRACK GET nobody-knows")
    assert reply == b"$%d\r\n%b\r\n" % (len(UNKNOWN), UNKNOWN)


def test_states_through_a_life_that_succeeds(client):
    job = custom_job({"track": 1})
    client.push(job)
    assert track_get(client, job["jid"])["state"] == "enqueued"
    assert track_set(client, jid=job["jid"], percent=2, desc="Starting...") == b"+OK\r\n"
    record = track_get(client, job["jid"])
    assert (record["state"], record["percent"], record["desc"]) == ("enqueued", 2, "Starting...")
    fetch(client)
    assert track_get(client, job["jid"])["state"] == "working"
    track_set(client, jid=job["jid"], percent=50)  # desc left out: it keeps its value
    ack(client, job["jid"])
    record = track_get(client, job["jid"])
    assert record["state"] == "success" and record["percent"] == 50
    assert record["desc"] == "Starting..." and record["updated_at"].endswith("Z")
    assert list(record) == ["jid", "percent", "desc", "state", "updated_at"]
    assert track_set(client, jid=job["jid"], percent=100, desc="Updated") == b"+OK\r\n"
    assert track_get(client, job["jid"])["percent"] == 100  # still settable after success


def test_failed_then_dead(client, server):
    job = custom_job({"track": 1}, retry=1)
    client.push(job)
    fetch(client)
    fail(client, job["jid"], errtype="E", message="m")
    assert track_get(client, job["jid"])["state"] == "failed"
    make_due(server, SortedSet.RETRIES)
    run(server, core(server).manager.enqueue_due(SortedSet.RETRIES))
    fetch(client)
    fail(client, job["jid"], errtype="E", message="m")
    assert track_get(client, job["jid"])["state"] == "dead"


def test_untracked_jobs_leave_no_record(client):
    job = custom_job({"unique_for": 60})
    client.push(job)
    fetch(client)
    assert track_get(client, job["jid"])["state"] == "unknown"


def test_records_live_thirty_minutes_after_the_last_change(client, server):
    job = custom_job({"track": 1})
    client.push(job)
    ttl = run(server, core(server).store.cold.ttl(f"track:{job['jid']}"))
    assert 1790 <= ttl <= 1800


def test_reserve_until_extends_but_never_shortens(client, server):
    job = custom_job({"track": 1})
    client.push(job)
    fetch(client)
    (_, before), = entries(server, SortedSet.WORKING)
    assert track_set(client, jid=job["jid"], reserve_until=rfc3339(60)) == b"+OK\r\n"
    assert entries(server, SortedSet.WORKING)[0][1] == before  # sooner than 30 min: unchanged
    assert track_set(client, jid=job["jid"], reserve_until=rfc3339(7200)) == b"+OK\r\n"
    (_, after), = entries(server, SortedSet.WORKING)
    assert abs(after - (time.time() + 7200)) < 5
    ack(client, job["jid"])  # the extended reservation is still the one ACK removes
    assert entries(server, SortedSet.WORKING) == []


def test_reserve_until_on_a_job_not_reserved_is_ok(client):
    job = custom_job({"track": 1})
    client.push(job)
    assert track_set(client, jid=job["jid"], reserve_until=rfc3339(60)) == b"+OK\r\n"


def test_nulls_mean_absent(client):
    job = custom_job({"track": 1})
    client.push(job)
    reply = track_set(client, jid=job["jid"], percent=None, desc=None, reserve_until=None)
    assert reply == b"+OK\r\n"
    assert "percent" not in track_get(client, job["jid"])


@pytest.mark.parametrize(("line", "expected"), [
    (b"TRACK SET {", b"-ERR invalid TRACK SET JSON"),
    (b"TRACK SET []", b"-ERR TRACK SET takes a JSON object"),
    (b'TRACK SET {"percent":5}', b"-ERR TRACK SET needs a jid"),
    (b'TRACK SET {"jid":"j","percent":101}', b"-ERR TRACK SET: percent must be an integer"),
    (b'TRACK SET {"jid":"j","desc":5}', b"-ERR TRACK SET: desc must be a string"),
    (b'TRACK SET {"jid":"j","reserve_until":"soon"}', b"-ERR TRACK SET: reserve_until"),
    (b"TRACK GET", b"-ERR TRACK GET needs a jid"),
    (b"TRACK", b"-ERR TRACK needs a subcommand"),
    (b"TRACK DROP x", b"-ERR no such TRACK subcommand: DROP"),
])
def test_bad_track_requests_get_clear_errors(client, line, expected):
    assert client.call(line).startswith(expected)
    assert client.call("INFO").startswith(b"$")
