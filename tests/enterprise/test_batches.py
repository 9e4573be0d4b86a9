"""Batches over the wire (faktory-enterprise.md §4): commands, accounting, callbacks."""

from __future__ import annotations

import threading

import pytest

from faktory_desktop.storage.store import SortedSet
from tests.enterprise.ent import batch_new, callback, custom_job, fetch, status
from tests.integration.wire import ack, compact, core, fail, make_due, run, run_task

CB = "callbacks"


def push_in(client, bid, n=1, **extra):
    jobs = [custom_job({"bid": bid}, **extra) for _ in range(n)]
    for j in jobs:
        assert client.push(j) == b"+OK\r\n"
    return jobs


def counts(client, bid):
    s = status(client, bid)
    return s["total"], s["pending"], s["failed"], s["complete_st"], s["success_st"]


def test_new_open_commit_status_reply_types(client):
    bid = batch_new(client, description="Images", success=callback("Done"))
    assert bid.startswith("b-") and len(bid) == 16
    assert client.call(f"BATCH OPEN {bid}") == b"$%d\r\n%b\r\n" % (len(bid), bid.encode())
    assert client.call(f"BATCH COMMIT {bid}") == b"+OK\r\n"
    s = status(client, bid)
    assert set(s) == {"bid", "description", "created_at", "total", "pending", "failed",
                      "complete_st", "success_st"}  # no parent_bid for a root batch
    assert s["description"] == "Images" and s["bid"] == bid


@pytest.mark.parametrize("sub", ["OPEN", "COMMIT", "STATUS"])
def test_unknown_bid_is_no_such_batch(client, sub):
    assert client.call(f"BATCH {sub} b-nope") == b"-ERR No such batch b-nope\r\n"


def test_push_into_an_unknown_batch_is_refused(client):
    assert client.push(custom_job({"bid": "b-missing"})) == b"-ERR No such batch b-missing\r\n"


def test_all_acked_fires_success_only_after_commit(client):
    bid = batch_new(client, success=callback("Done"))
    jobs = push_in(client, bid, 3)
    for _ in jobs:
        ack(client, fetch(client)["jid"])
    assert counts(client, bid) == (3, 0, 0, "", "")
    assert fetch(client, CB) is None  # nothing fired before COMMIT
    assert client.call(f"BATCH COMMIT {bid}") == b"+OK\r\n"
    assert counts(client, bid)[4] == "1"  # at once, no waiting
    cb = fetch(client, CB)
    assert cb["jobtype"] == "Done" and cb["custom"] == {"_bid": bid} and len(cb["jid"]) >= 8
    ack(client, cb["jid"])
    assert counts(client, bid)[4] == "2"


def test_empty_batch_fires_complete_then_success_after_complete_is_acked(client):
    bid = batch_new(client, complete=callback("C"), success=callback("S"))
    client.call(f"BATCH COMMIT {bid}")
    assert counts(client, bid)[3:] == ("1", "")
    first = fetch(client, CB)
    assert first["jobtype"] == "C"
    assert fetch(client, CB) is None  # success waits for the complete callback's ACK
    ack(client, first["jid"])
    assert counts(client, bid)[3:] == ("2", "1")
    second = fetch(client, CB)
    assert second["jobtype"] == "S"
    fail(client, second["jid"], errtype="E", message="callback failed")
    assert counts(client, bid)[3:] == ("2", "1")  # a failed callback stays enqueued


def test_fail_then_retry_then_ack(client, server):
    bid = batch_new(client, complete=callback("C"), success=callback("S"))
    (job,) = push_in(client, bid)
    client.call(f"BATCH COMMIT {bid}")
    fetch(client)
    fail(client, job["jid"], errtype="E", message="m")
    assert counts(client, bid) == (1, 1, 1, "1", "")  # complete: every job ran once
    ack(client, fetch(client, CB)["jid"])
    make_due(server, SortedSet.RETRIES)
    run_task(server, "Retries")
    retried = fetch(client)
    assert retried["jid"] == job["jid"]
    ack(client, retried["jid"])
    assert counts(client, bid) == (1, 0, 0, "2", "1")
    assert fetch(client, CB)["jobtype"] == "S"


def test_fail_to_death_completes_but_never_succeeds(client):
    bid = batch_new(client, complete=callback("C"), success=callback("S"))
    (job,) = push_in(client, bid, retry=0)
    (dying,) = push_in(client, bid, retry=-1)
    client.call(f"BATCH COMMIT {bid}")
    for _ in range(2):
        got = fetch(client)
        fail(client, got["jid"], errtype="E", message="m")
    assert counts(client, bid) == (2, 2, 2, "1", "")
    ack(client, fetch(client, CB)["jid"])
    assert counts(client, bid)[3:] == ("2", "")
    assert fetch(client, CB) is None


def test_reservation_expiry_counts_as_a_failure(client, server):
    bid = batch_new(client, complete=callback("C"))
    push_in(client, bid)
    client.call(f"BATCH COMMIT {bid}")
    fetch(client)
    make_due(server, SortedSet.WORKING)
    assert run(server, core(server).manager.reap_reservations()) == 1
    assert counts(client, bid) == (1, 1, 1, "1", "")
    assert fetch(client, CB)["jobtype"] == "C"


def test_nested_parent_waits_for_the_child_callbacks(client):
    parent = batch_new(client, description="parent", success=callback("P"))
    push_in(client, parent)
    child = batch_new(client, description="child", parent_bid=parent, success=callback("K"))
    push_in(client, child, 2)
    assert status(client, child)["parent_bid"] == parent
    client.call(f"BATCH COMMIT {child}")
    client.call(f"BATCH COMMIT {parent}")
    for _ in range(3):
        ack(client, fetch(client)["jid"])
    assert counts(client, parent) == (1, 0, 0, "", "")  # child's success callback not run yet
    assert counts(client, child)[4] == "1"
    child_cb = fetch(client, CB)
    assert child_cb["jobtype"] == "K"
    assert fetch(client, CB) is None
    ack(client, child_cb["jid"])
    assert counts(client, parent)[4] == "1"
    assert fetch(client, CB)["jobtype"] == "P"


def test_an_empty_child_fires_at_once_inside_a_committed_parent(client):
    parent = batch_new(client, success=callback("P"))
    push_in(client, parent)
    client.call(f"BATCH COMMIT {parent}")
    child = batch_new(client, parent_bid=parent, complete=callback("K"))
    client.call(f"BATCH COMMIT {child}")
    assert counts(client, child)[3] == "1"


def test_reopen_after_commit_counts_new_jobs_and_never_refires(client):
    bid = batch_new(client, complete=callback("C"))
    client.call(f"BATCH COMMIT {bid}")
    assert counts(client, bid)[3] == "1"
    assert client.call(f"BATCH OPEN {bid}").startswith(b"$")
    push_in(client, bid, 2)
    assert client.call(f"BATCH COMMIT {bid}") == b"+OK\r\n"
    assert counts(client, bid) == (2, 2, 0, "1", "")
    fetch(client, CB)
    assert fetch(client, CB) is None  # fired once only


def test_pushb_jobs_join_the_batch(client):
    bid = batch_new(client, success=callback("S"))
    jobs = [custom_job({"bid": bid}) for _ in range(3)]
    assert client.call_json(b"PUSHB " + compact(jobs)) == {}
    assert counts(client, bid)[:2] == (3, 3)


def test_racing_acks_fire_the_callback_exactly_once(connect):
    producer = connect()
    bid = batch_new(producer, success=callback("S"))
    jobs = push_in(producer, bid, 20)
    producer.call(f"BATCH COMMIT {bid}")
    workers = [connect() for _ in jobs]
    fetched = [fetch(w)["jid"] for w in workers]
    start = threading.Barrier(len(workers))

    def finish(worker, jid):
        start.wait()
        ack(worker, jid)

    pairs = zip(workers, fetched, strict=True)
    threads = [threading.Thread(target=finish, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counts(producer, bid) == (20, 0, 0, "", "1")
    assert fetch(producer, CB) is not None and fetch(producer, CB) is None


@pytest.mark.parametrize(("line", "expected"), [
    (b"BATCH NEW {", b"-ERR invalid BATCH NEW JSON"),
    (b"BATCH NEW []", b"-ERR BATCH NEW takes a JSON object"),
    (b'BATCH NEW {"bid":"b-x","success":{"jobtype":"S","args":[]}}', b"-ERR BATCH NEW: bid must"),
    (b'BATCH NEW {"description":"no callback"}', b"-ERR BATCH NEW needs a success or complete"),
    (b'BATCH NEW {"success":{"args":[]}}', b"-ERR BATCH NEW: invalid success callback: jobs must"),
    (b'BATCH NEW {"parent_bid":"b-gone","success":{"jobtype":"S"}}', b"-ERR No such batch b-gone"),
    (b"BATCH", b"-ERR BATCH needs a subcommand"),
    (b"BATCH FROB x", b"-ERR no such BATCH subcommand: FROB"),
    (b"BATCH COMMIT", b"-ERR BATCH COMMIT needs a batch id"),
])
def test_bad_batch_requests_get_clear_errors(client, line, expected):
    assert client.call(line).startswith(expected)
    assert client.call("INFO").startswith(b"$")  # still healthy


def test_nulls_mean_absent(client):
    reply = client.call(b'BATCH NEW {"description":null,"parent_bid":null,"complete":null,'
                        b'"success":{"jobtype":"S","args":[]}}')
    assert reply.startswith(b"$")


@pytest.mark.parametrize("line", ["BATCH STATUS b-x", 'TRACK GET x'])
def test_enterprise_commands_before_hello_close_the_connection(dial, server, client, line):
    raw = dial(server, hello=False)  # as any command before HELLO (P-11): closed, no reply
    assert raw.call(line) == b""
    assert raw.closed_by_server()
    assert client.call("INFO").startswith(b"$")


def test_callback_jobs_are_not_members(client):
    bid = batch_new(client, success=callback("S"))
    client.call(f"BATCH COMMIT {bid}")
    cb = fetch(client, CB)
    assert "bid" not in cb["custom"] and cb["custom"]["_bid"] == bid


def test_an_uncommitted_batch_lives_30_minutes_a_committed_one_7_days(client, server):
    bid = batch_new(client, success=callback("S"))
    ttl = run(server, core(server).store.cold.ttl(f"batch:{bid}"))
    assert 1790 <= ttl <= 1800
    push_in(client, bid)
    client.call(f"BATCH COMMIT {bid}")
    ttl = run(server, core(server).store.cold.ttl(f"batch:{bid}"))
    assert 7 * 86400 - 10 <= ttl <= 7 * 86400
