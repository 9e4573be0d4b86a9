"""Unique jobs over the wire (faktory-enterprise.md §3): the lock, its reply, its lifetime."""

from __future__ import annotations

import threading
import time

from faktory_desktop.core.enterprise import unique_digest
from faktory_desktop.storage.store import SortedSet
from tests.enterprise.ent import custom_job, fetch, rfc3339
from tests.integration.wire import ack, compact, core, fail, queue_sizes, run

NOT_UNIQUE = b"-NOTUNIQUE Job not unique\r\n"


def test_duplicate_push_is_refused_with_notunique(client):
    first = custom_job({"unique_for": 60}, args=[1, {"a": 1, "b": 2}])
    assert client.push(first) == b"+OK\r\n"
    again = custom_job({"unique_for": 60}, args=[1, {"b": 2, "a": 1}])  # map order differs
    assert client.push(again) == NOT_UNIQUE
    assert queue_sizes(client) == {"default": 1}


def test_other_args_queue_or_type_are_not_duplicates(client):
    assert client.push(custom_job({"unique_for": 60}, args=[1])) == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 60}, args=[2])) == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 60}, args=[1], queue="other")) == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 60}, "Other", args=[1])) == b"+OK\r\n"


def test_a_job_without_unique_for_bypasses_the_lock(client):
    # rs-ent ent_unique_job_bypass_unique_lock: A locked, B without unique_for passes, C refused
    assert client.push(custom_job({"unique_for": 60}, args=["x"])) == b"+OK\r\n"
    assert client.push(custom_job({}, args=["x"])) == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 60}, args=["x"])) == NOT_UNIQUE
    assert queue_sizes(client) == {"default": 2}


def test_lock_released_at_ack_by_default(client):
    pushed = custom_job({"unique_for": 60}, args=["s"])
    client.push(pushed)
    got = fetch(client)
    assert client.push(custom_job({"unique_for": 60}, args=["s"])) == NOT_UNIQUE  # still running
    assert ack(client, got["jid"]) == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 60}, args=["s"])) == b"+OK\r\n"


def test_fail_does_not_release_and_the_retry_is_not_blocked(client, server):
    pushed = custom_job({"unique_for": 60}, args=["r"])
    client.push(pushed)
    fetch(client)
    assert fail(client, pushed["jid"], errtype="E", message="m") == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 60}, args=["r"])) == NOT_UNIQUE
    run(server, core(server).manager.enqueue_members(
        *_retry_entry(server)))  # the retry comes back through the scheduler, not through PUSH
    again = fetch(client)
    assert again["jid"] == pushed["jid"]
    assert ack(client, again["jid"]) == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 60}, args=["r"])) == b"+OK\r\n"


def _retry_entry(server):
    members = [m for m, _ in run(server, core(server).store.range(SortedSet.RETRIES, 0, -1))]
    return SortedSet.RETRIES, members, time.time_ns()


def test_until_start_releases_at_fetch(client):
    client.push(custom_job({"unique_for": 60, "unique_until": "start"}, args=["st"]))
    assert client.push(custom_job({"unique_for": 60, "unique_until": "start"}, args=["st"])) \
        == NOT_UNIQUE
    fetch(client)
    assert client.push(custom_job({"unique_for": 60, "unique_until": "start"}, args=["st"])) \
        == b"+OK\r\n"


def test_lock_expires_after_unique_for(client):
    client.push(custom_job({"unique_for": 0.3}, args=["ttl"]))
    assert client.push(custom_job({"unique_for": 0.3}, args=["ttl"])) == NOT_UNIQUE
    deadline = time.monotonic() + 5
    while client.push(custom_job({"unique_for": 0.3}, args=["ttl"])) == NOT_UNIQUE:
        assert time.monotonic() < deadline, "the lock never expired"
        time.sleep(0.05)


def test_scheduled_job_keeps_its_lock_until_at_plus_unique_for(client, server):
    client.push(custom_job({"unique_for": 1}, args=["at"], at=rfc3339(3600)))
    digest = unique_digest("SomeJob", ["at"], "default")
    _holder, left = run(server, core(server).store.ent.lock(digest))
    assert 3599 < left <= 3601
    assert client.push(custom_job({"unique_for": 1}, args=["at"])) == NOT_UNIQUE


def test_pushb_reports_the_duplicate_in_its_error_map(client):
    a = custom_job({"unique_for": 60}, args=["b"])
    b = custom_job({"unique_for": 60}, args=["b"])
    reply = client.call_json(b"PUSHB " + compact([a, b]))
    assert reply == {b["jid"]: "NOTUNIQUE Job not unique"} or reply == {
        a["jid"]: "NOTUNIQUE Job not unique"}
    assert queue_sizes(client) == {"default": 1}


def test_flush_clears_locks(client):
    client.push(custom_job({"unique_for": 60}, args=["f"]))
    assert client.call("FLUSH") == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 60}, args=["f"])) == b"+OK\r\n"


def test_racing_pushes_from_20_connections_exactly_one_wins(connect):
    clients = [connect() for _ in range(20)]
    replies: list[bytes] = []
    start = threading.Barrier(20)

    def push(c):
        start.wait()
        replies.append(c.push(custom_job({"unique_for": 60}, args=["race"])))

    threads = [threading.Thread(target=push, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert replies.count(b"+OK\r\n") == 1
    assert replies.count(NOT_UNIQUE) == 19
    assert queue_sizes(clients[0]) == {"default": 1}


def test_bad_unique_fields_name_the_field(client):
    reply = client.push(custom_job({"unique_for": "ten minutes"}))
    assert reply.startswith(b"-ERR custom.unique_for must be a number of seconds"), reply
    reply = client.push(custom_job({"unique_for": 60, "unique_until": "finish"}))
    assert reply.startswith(b'-ERR custom.unique_until must be "success" or "start"'), reply
    assert client.call("INFO").startswith(b"$")  # the connection stays usable


def test_numeric_string_unique_for_is_accepted(client):
    # Rails sends an ActiveSupport::Duration as "600"
    assert client.push(custom_job({"unique_for": "600"}, args=["rails"])) == b"+OK\r\n"
    assert client.push(custom_job({"unique_for": 600}, args=["rails"])) == NOT_UNIQUE
