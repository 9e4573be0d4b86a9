"""FETCH, ACK and FAIL over the wire: reservations, retries and backoff, reservation expiry."""

from __future__ import annotations

import json
import threading
import time

import pytest

from faktory_desktop.core.timefmt import NS, format_ns, parse_ns
from faktory_desktop.storage.store import SortedSet
from tests.conftest import new_jid
from tests.fwp import job
from tests.integration.wire import (
    FETCH_WAIT_S,
    ack,
    compact,
    core,
    entries,
    fail,
    info,
    mutate,
    queue_sizes,
    run,
    seconds_ahead,
    sets,
    timed,
    totals,
)

FAR_FUTURE_NS = 10**6 * NS  # about 11.6 days: beyond any reservation (max one day)


def fetch_json(client, queues: str = "default") -> dict:
    return client.call_json(f"FETCH {queues}")


def reserved(client, server, **fields) -> dict:
    """Push one job and fetch it: it is now reserved."""
    jid = new_jid()
    assert client.push(job(jid, **fields)) == b"+OK\r\n"
    fetched = fetch_json(client, fields.get("queue", "default"))
    assert fetched["jid"] == jid
    return fetched


def not_found(jid: str) -> bytes:
    return b"-ERR Job not found " + jid.encode() + b"\r\n"


def only_entry(server, which: SortedSet) -> tuple[dict, float]:
    [(entry, score)] = entries(server, which)
    return entry, score


def test_fetch_several_queues_returns_bulk_with_retry_key(client):
    # T-05, P-46
    assert client.push(job("12345678901234567890abcd", "Thing", args=[123])) == b"+OK\r\n"
    reply = client.call("FETCH default some other")
    assert reply.startswith(b"$")
    body = reply.split(b"\r\n", 1)[1]
    assert b'"jid":"12345678901234567890abcd"' in body and b'"retry":' in body
    assert int(reply[1:reply.index(b"\r\n")]) == len(body) - 2


def test_fetch_takes_the_job_and_empties_the_queue(client):
    # T-46, L-12: the fetched job is the pushed one, not modified by the reservation
    assert client.push(job("jid-fetch-once", args=["x"])) == b"+OK\r\n"
    first = fetch_json(client)
    assert first["jid"] == "jid-fetch-once" and first["args"] == ["x"]
    assert queue_sizes(client) == {"default": 0}
    assert sets(client)["working"] == 1


def test_fifo_within_one_queue(client):
    # P-44: LPUSH on push, RPOP on fetch
    jids = [f"jid-fifo-{i:04d}" for i in range(5)]
    for jid in jids:
        assert client.push(job(jid)) == b"+OK\r\n"
    assert [fetch_json(client)["jid"] for _ in jids] == jids


def test_fetch_without_queue_is_an_error(client):
    # T-47, P-41
    assert client.call("FETCH") == b"-ERR must call fetch with at least one queue\r\n"
    assert client.call("INFO").startswith(b"$")


def test_fetch_on_empty_queue_waits_two_seconds_then_null(client):
    # T-47, P-44
    reply, elapsed = timed(lambda: client.call("FETCH default"))
    assert reply == b"$-1\r\n"
    assert FETCH_WAIT_S - 0.1 <= elapsed < FETCH_WAIT_S + 1.0, elapsed


def test_fetch_with_trailing_space_waits_then_null(client):
    # P-41: `FETCH ` (pyfaktory with no queues) is one empty queue name: wait, then $-1
    assert client.push(job(new_jid())) == b"+OK\r\n"  # a job elsewhere is not handed out
    reply, elapsed = timed(lambda: client.call(b"FETCH "))
    assert reply == b"$-1\r\n"
    assert FETCH_WAIT_S - 0.1 <= elapsed < FETCH_WAIT_S + 1.0, elapsed
    assert queue_sizes(client) == {"default": 1}


def test_fetch_with_trailing_space_after_a_name_still_fetches(client):
    # P-40: `FETCH default ` is ["default", ""]: the named queue wins at once
    assert client.push(job("jid-trailing-name")) == b"+OK\r\n"
    assert fetch_json(client, "default ")["jid"] == "jid-trailing-name"


def test_strict_priority_across_queues(client):
    # T-49, P-44: the first non-empty queue in the FETCH list wins
    assert client.push(job("jid-prio-email", queue="email")) == b"+OK\r\n"
    assert client.push(job("jid-prio-default", queue="default")) == b"+OK\r\n"
    assert client.push(job("jid-prio-critical", queue="critical")) == b"+OK\r\n"
    order = [fetch_json(client, "critical default email")["jid"] for _ in range(3)]
    assert order == ["jid-prio-critical", "jid-prio-default", "jid-prio-email"]


def test_fetch_does_not_create_queues(client):
    # P-48: names in FETCH are not validated and do not create queues
    assert client.push(job("jid-nocreate")) == b"+OK\r\n"
    assert fetch_json(client, "bad!name nosuch default")["jid"] == "jid-nocreate"
    assert queue_sizes(client) == {"default": 0}


def test_blocked_fetch_is_woken_by_a_push_from_another_connection(client, connect):
    # T-50, P-44: a FETCH waiting on an empty queue returns a job pushed 0.5 s later
    pusher = connect()
    jid = new_jid()
    timer = threading.Timer(0.5, lambda: pusher.push(job(jid, queue="wake")))
    timer.start()
    try:
        fetched, elapsed = timed(lambda: fetch_json(client, "other wake"))
    finally:
        timer.join()
    assert fetched["jid"] == jid
    assert 0.4 <= elapsed < 1.5, elapsed


def test_one_push_wakes_one_of_two_blocked_fetches(client, connect):
    # P-44: a job is handed out once; the other waiter gets $-1 at its deadline
    second, pusher = connect(), connect()
    results: dict[str, bytes] = {}
    thread = threading.Thread(target=lambda: results.update(b=second.call("FETCH solo")))
    thread.start()
    timer = threading.Timer(0.3, lambda: pusher.push(job("jid-solo", queue="solo")))
    timer.start()
    results["a"] = client.call("FETCH solo")
    thread.join()
    timer.join()
    replies = sorted(results.values())
    assert replies[0] == b"$-1\r\n" and b'"jid":"jid-solo"' in replies[1]


def test_ack_of_reserved_job_counts_processed(client, server):
    # T-67, P-51
    fetched = reserved(client, server)
    assert info(client)["faktory"]["tasks"]["Busy"]["size"] == 1
    assert ack(client, fetched["jid"]) == b"+OK\r\n"
    assert totals(client) == (1, 0)
    assert sets(client)["working"] == 0
    assert info(client)["faktory"]["tasks"]["Busy"]["size"] == 0
    assert ack(client, fetched["jid"]) == b"+OK\r\n"  # a second ACK: OK, nothing counted
    assert totals(client) == (1, 0)


@pytest.mark.parametrize("jid", ["", "never-fetched-jid"])
def test_ack_of_unknown_jid_is_ok_and_counts_nothing(client, jid):
    # T-67, P-52
    assert ack(client, jid) == b"+OK\r\n"
    assert totals(client) == (0, 0)


def test_ack_accepts_extra_string_fields(client, server):
    # P-50: any object of strings with a jid
    fetched = reserved(client, server)
    line = b"ACK " + compact({"jid": fetched["jid"], "note": "done"})
    assert client.call(line) == b"+OK\r\n"
    assert totals(client) == (1, 0)


@pytest.mark.parametrize(
    "arg",
    [b"{}", b'{"jid":1}', b'{"jid":"jid-x","n":5}', b'["jid"]', b"nope", b'"jid"', b"{"],
)
def test_ack_with_invalid_argument(client, arg):
    # P-50
    assert client.call(b"ACK " + arg) == b"-ERR invalid ACK " + arg + b"\r\n"
    assert client.call("INFO").startswith(b"$")


def test_ack_without_argument_is_an_error_and_connection_usable(client):
    # T-07, P-06 (deliberate difference): Faktory says `-ERR internal error`; the text differs
    assert client.call("ACK") == b"-ERR invalid ACK \r\n"
    assert client.push(job(new_jid())) == b"+OK\r\n"


def test_fail_then_ack_is_ok(client, server):
    # T-06, T-08
    fetched = reserved(client, server)
    reply = fail(client, fetched["jid"], message="Invalid something", errtype="RuntimeError")
    assert reply == b"+OK\r\n"
    assert ack(client, fetched["jid"]) == b"+OK\r\n"
    assert totals(client) == (1, 1)


def test_fail_errors(client):
    # T-57, P-55, P-56
    assert client.call(b"FAIL {}") == b"-ERR missing JID\r\n"
    assert client.call(b'FAIL {"jid":""}') == b"-ERR missing JID\r\n"
    assert fail(client, "unknown-jid-1") == b"-ERR Job not found unknown-jid-1\r\n"
    for arg in (b"[1]", b"{", b"nope", b'{"jid":12345678}', b'{"jid":"j","backtrace":"x"}',
                b'{"jid":"j","errtype":5}', b'{"jid":"j","message":["m"]}',
                b'{"jid":"j","backtrace":[1,2]}'):
        assert client.call(b"FAIL " + arg) == b"-ERR invalid FAIL " + arg + b"\r\n", arg
    assert totals(client) == (0, 0)


def test_fail_without_argument(client):
    # P-06 (deliberate difference): Faktory says `-ERR internal error`
    assert client.call("FAIL") == b"-ERR invalid FAIL \r\n"
    assert client.call("INFO").startswith(b"$")


def test_fail_with_retry_one_retries_then_dies(client, server):
    # T-55, L-20: retry=1 -> retries; the retried run fails -> dead
    fetched = reserved(client, server, retry=1)
    jid = fetched["jid"]
    assert sets(client)["working"] == 1
    assert fail(client, jid, errtype="E1", message="first") == b"+OK\r\n"
    assert sets(client) == {"dead": 0, "retries": 1, "scheduled": 0, "working": 0}
    assert totals(client) == (1, 1)
    assert mutate(client, cmd="requeue", target="retries", filter={"jids": [jid]}) == b"+OK\r\n"
    again = fetch_json(client)
    assert again["jid"] == jid and again["failure"]["retry_count"] == 0
    assert fail(client, jid, errtype="E2", message="second") == b"+OK\r\n"
    assert sets(client) == {"dead": 1, "retries": 0, "scheduled": 0, "working": 0}
    assert totals(client) == (2, 2)
    dead, score = only_entry(server, SortedSet.DEAD)
    assert dead["failure"]["retry_count"] == 1 and dead["failure"]["remaining"] == 0
    assert dead["failure"]["errtype"] == "E2" and dead["failure"]["message"] == "second"
    assert "next_at" in dead["failure"]  # stale next_at stays on dead jobs (§2.4)
    assert abs(score - (time.time() + 180 * 86400)) < 60  # L-22: expiry = now + 180 days


def test_fail_with_retry_zero_discards(client, server):
    # T-56, T-114, L-23: gone, but counted as a failure
    fetched = reserved(client, server, retry=0)
    assert fail(client, fetched["jid"]) == b"+OK\r\n"
    assert sets(client) == {"dead": 0, "retries": 0, "scheduled": 0, "working": 0}
    assert totals(client) == (1, 1)
    assert fail(client, fetched["jid"]) == not_found(fetched["jid"])


def test_fail_with_negative_retry_goes_straight_to_dead(client, server):
    # T-114, L-23: remaining -1, no next_at
    fetched = reserved(client, server, retry=-1)
    assert fail(client, fetched["jid"], errtype="Boom") == b"+OK\r\n"
    assert sets(client)["dead"] == 1 and sets(client)["retries"] == 0
    dead, _score = only_entry(server, SortedSet.DEAD)
    failure = dead["failure"]
    assert failure["retry_count"] == 0 and failure["remaining"] == -1
    assert "next_at" not in failure and failure["errtype"] == "Boom"


def test_first_failure_schedules_retry_with_backoff(client, server):
    # T-114, L-21: retry_count 0, remaining 25, next_at 15..44 s ahead, score = next_at
    fetched = reserved(client, server)
    before = time.time()
    assert fail(client, fetched["jid"], errtype="RuntimeError", message="m",
                backtrace=["a.py:1", "b.py:2"]) == b"+OK\r\n"
    stored, score = only_entry(server, SortedSet.RETRIES)
    failure = stored["failure"]
    assert list(failure) == ["retry_count", "remaining", "failed_at", "next_at", "message",
                             "errtype", "backtrace"]
    assert failure["retry_count"] == 0 and failure["remaining"] == 25
    assert failure["message"] == "m" and failure["errtype"] == "RuntimeError"
    assert failure["backtrace"] == ["a.py:1", "b.py:2"]
    assert abs(seconds_ahead(failure["failed_at"])) < 5
    ahead = seconds_ahead(failure["next_at"])
    assert 15 - 1 <= ahead <= 44 + 1, ahead
    assert 15 - 1 <= score - before <= 44 + 1
    assert list(stored)[:2] == ["retry", "failure"]  # J-20 order: failure after retry


def test_second_failure_keeps_failed_at_and_bumps_count(client, server):
    # T-115, L-20, L-21: failed_at of the first failure stays; next_at 16..74 s ahead
    fetched = reserved(client, server)
    jid = fetched["jid"]
    assert fail(client, jid, errtype="E1", message="one", backtrace=["x"]) == b"+OK\r\n"
    first, _ = only_entry(server, SortedSet.RETRIES)
    assert mutate(client, cmd="requeue", target="retries", filter={"jids": [jid]}) == b"+OK\r\n"
    assert fetch_json(client)["jid"] == jid
    assert fail(client, jid, errtype="E2", message="two") == b"+OK\r\n"
    second, _ = only_entry(server, SortedSet.RETRIES)
    failure = second["failure"]
    assert failure["failed_at"] == first["failure"]["failed_at"]
    assert failure["retry_count"] == 1 and failure["remaining"] == 24
    assert failure["errtype"] == "E2" and failure["message"] == "two"
    assert "backtrace" not in failure  # overwritten with the (empty) new one
    ahead = seconds_ahead(failure["next_at"])
    assert 16 - 1 <= ahead <= 74 + 1, ahead


def test_failure_text_is_cleansed(client, server):
    # P-57: trimmed, empty -> unknown, errtype <= 100 bytes, message <= 1000, backtrace <= 50
    fetched = reserved(client, server)
    assert fail(client, fetched["jid"], errtype="  " + "E" * 150, message=" \t ",
                backtrace=[f"line {i}" for i in range(60)]) == b"+OK\r\n"
    failure = only_entry(server, SortedSet.RETRIES)[0]["failure"]
    assert failure["errtype"] == "E" * 100 and failure["message"] == "unknown"
    assert failure["backtrace"] == [f"line {i}" for i in range(50)]


def test_failure_defaults_and_message_limit(client, server):
    # P-57: absent errtype/message become "unknown"; a long message is cut at 1000 bytes
    fetched = reserved(client, server)
    assert fail(client, fetched["jid"], message="  " + "m" * 1500 + "  ") == b"+OK\r\n"
    failure = only_entry(server, SortedSet.RETRIES)[0]["failure"]
    assert failure["errtype"] == "unknown" and failure["message"] == "m" * 1000
    assert "backtrace" not in failure


def test_failure_message_cut_keeps_valid_utf8(client, server):
    # P-57 (deliberate difference): Faktory slices bytes and may split a UTF-8 sequence; we drop
    # the partial character, so the message stays valid text (999 bytes here)
    fetched = reserved(client, server)
    assert fail(client, fetched["jid"], message="a" + "\u00e9" * 600) == b"+OK\r\n"
    failure = only_entry(server, SortedSet.RETRIES)[0]["failure"]
    assert failure["message"] == "a" + "\u00e9" * 499


def test_fail_of_another_connections_job(client, connect, server):
    # P-96: reservations are by jid, any connection may ACK or FAIL them
    fetched = reserved(client, server)
    other = connect(wid="wid-other")
    assert fail(other, fetched["jid"]) == b"+OK\r\n"
    assert totals(client) == (1, 1)


@pytest.mark.parametrize(
    ("reserve_for", "expected"),
    [(None, 1800), (0, 1800), (20, 60), (50, 60), (59, 60), (61, 61), (86400, 86400), (-5, 60)],
)
def test_reservation_timeout_is_clamped(client, server, reserve_for, expected):
    # T-66, L-10: 0 -> 1800, < 60 -> 60 (also negative), up to one day
    fields = {} if reserve_for is None else {"reserve_for": reserve_for}
    before = time.time()
    fetched = reserved(client, server, **fields)
    record, score = only_entry(server, SortedSet.WORKING)
    assert record["job"]["jid"] == fetched["jid"] and record["wid"] == ""
    assert list(record) == ["job", "reserved_at", "expires_at", "wid"]  # L-11
    assert expected - 2 <= score - before <= expected + 2, score - before
    assert abs(seconds_ahead(record["expires_at"]) - expected) < 3


@pytest.mark.parametrize("reserve_for", [None, 1800, 120])
def test_reservation_times_and_score_agree_exactly(client, server, reserve_for):
    # L-11: reserved_at, expires_at and the score are the same instant plus the reservation,
    # to the nanosecond, whether the expiry was formatted by the server (the default 1800 s)
    # or by the fetch script (a job's own reserve_for)
    fields = {} if reserve_for is None else {"reserve_for": reserve_for}
    reserved(client, server, **fields)
    record, score = only_entry(server, SortedSet.WORKING)
    reserved_ns, expires_ns = parse_ns(record["reserved_at"]), parse_ns(record["expires_at"])
    assert expires_ns - reserved_ns == (reserve_for or 1800) * NS
    assert record["expires_at"] == format_ns(expires_ns)  # RFC3339Nano, as Faktory writes it
    assert score == expires_ns / NS


def test_reservation_records_the_worker_id(connect, server):
    # L-11: the reservation carries the fetching connection's wid
    worker = connect(wid="wid-reserver")
    assert worker.push(job("jid-reserved-by")) == b"+OK\r\n"
    assert fetch_json(worker)["jid"] == "jid-reserved-by"
    record, _score = only_entry(server, SortedSet.WORKING)
    assert record["wid"] == "wid-reserver"


def test_expired_reservation_goes_to_retries(client, server):
    # L-30, T-68, §2.4: the reaper fails it as ReservationExpired
    fetched = reserved(client, server, reserve_for=60)
    manager = core(server).manager
    assert run(server, manager.reap_reservations(now=time.time_ns() + 10 * NS)) == 0
    assert sets(client)["working"] == 1
    assert run(server, manager.reap_reservations(now=time.time_ns() + FAR_FUTURE_NS)) == 1
    assert sets(client)["working"] == 0
    stored, _score = only_entry(server, SortedSet.RETRIES)
    failure = stored["failure"]
    assert stored["jid"] == fetched["jid"]
    assert failure["errtype"] == "ReservationExpired"
    assert failure["message"] == "Faktory job reservation expired"
    assert failure["retry_count"] == 0 and "backtrace" not in failure
    assert totals(client) == (1, 1)  # L-60: an expiry counts as processed and failed
    assert info(client)["faktory"]["tasks"]["Busy"]["size"] == 0
    # the worker's late answers: ACK is fine and counts nothing, FAIL no longer finds the job
    assert ack(client, fetched["jid"]) == b"+OK\r\n"
    assert fail(client, fetched["jid"]) == not_found(fetched["jid"])
    assert totals(client) == (1, 1)


def test_expired_reservation_of_retry_zero_job_is_discarded(client, server):
    # L-30: the expiry follows the retry rules
    reserved(client, server, retry=0)
    manager = core(server).manager
    assert run(server, manager.reap_reservations(now=time.time_ns() + FAR_FUTURE_NS)) == 1
    assert sets(client) == {"dead": 0, "retries": 0, "scheduled": 0, "working": 0}
    assert totals(client) == (1, 1)


def test_reservations_survive_a_restart(make_server, dial):
    # T-65, L-13: a new server on the same data reloads the reservation; ACK still works
    first = make_server()
    client = dial(first)
    assert client.push(job("jid-restart")) == b"+OK\r\n"
    assert fetch_json(client)["jid"] == "jid-restart"
    first.stop()
    assert client.closed_by_server()
    second = make_server()
    again = dial(second)
    assert sets(again)["working"] == 1
    assert info(again)["faktory"]["tasks"]["Busy"]["size"] == 1
    assert ack(again, "jid-restart") == b"+OK\r\n"
    assert totals(again) == (1, 0)


def test_fetched_job_bytes_match_the_stored_job(client, server):
    # P-46, L-12: FETCH returns the stored (normalized) job exactly as the reservation holds it
    assert client.call(b'PUSH {"jid": "jid-bytes-1", "jobtype": "B", "args": [1]}') == b"+OK\r\n"
    reply = client.call("FETCH default")
    body = reply.split(b"\r\n", 1)[1][:-2]
    [(member, _score)] = run(server, core(server).store.range(SortedSet.WORKING, 0, -1))
    assert json.loads(member)["job"] == json.loads(body)
    assert member.startswith(b'{"job":' + body + b',"reserved_at":"')
