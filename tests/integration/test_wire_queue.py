"""QUEUE PAUSE/RESUME/REMOVE/LATENCY and FLUSH over the wire, and how FETCH sees paused queues."""

from __future__ import annotations

import json
import threading

import pytest

from faktory_desktop.storage import keys
from faktory_desktop.storage.store import REGISTERED_FOR_S
from tests.conftest import new_jid
from tests.fwp import job
from tests.integration.wire import (
    FETCH_WAIT_S,
    core,
    info,
    queue_sizes,
    run,
    sets,
    timed,
    totals,
)


def push_to(client, *queues: str) -> list[str]:
    jids = []
    for queue in queues:
        jid = new_jid()
        assert client.push(job(jid, queue=queue)) == b"+OK\r\n"
        jids.append(jid)
    return jids


def paused_fetch_order(client, queues: str) -> str:
    return client.call_json(f"FETCH {queues}")["jid"]


def test_remove_unknown_queue_is_ok(client):
    # T-03, P-83
    assert client.call("QUEUE REMOVE frobnoz") == b"+OK\r\n"


def test_remove_default_and_flush_and_end(client):
    # T-11
    push_to(client, "default")
    assert client.call("QUEUE REMOVE default") == b"+OK\r\n"
    assert client.call("FLUSH") == b"+OK\r\n"
    client.send(b"END")
    assert client.closed_by_server()


def test_queue_subcommands_from_go_test(client):
    # T-13: the sequence of server_test.go
    push_to(client, "default")
    assert client.call("QUEUE PAUSE *") == b"+OK\r\n"
    assert client.call("QUEUE UNPAUSE *") == b"-ERR no such QUEUE subcommand: UNPAUSE\r\n"
    for line in ("QUEUE RESUME *", "QUEUE REMOVE foo", "QUEUE REMOVE *", "QUEUE PAUSE default",
                 "QUEUE RESUME default"):
        assert client.call(line) == b"+OK\r\n", line


def test_queue_subcommand_is_case_insensitive_but_verb_is_not(client):
    # P-80, P-04
    push_to(client, "default")
    assert client.call("QUEUE pause default") == b"+OK\r\n"
    assert client.call("QUEUE Resume default") == b"+OK\r\n"
    assert client.call("queue pause default") == b"-ERR unknown command queue\r\n"
    assert client.call("QUEUE frob x") == b"-ERR no such QUEUE subcommand: FROB\r\n"


def test_queue_without_subcommand_or_names(client):
    # P-86 (deliberate difference): Faktory answers `-ERR internal error`; we explain
    assert client.call("QUEUE") == (
        b"-ERR QUEUE needs a subcommand: PAUSE, RESUME, REMOVE or LATENCY\r\n"
    )
    for sub in ("PAUSE", "RESUME", "REMOVE"):
        assert client.call(f"QUEUE {sub}") == (
            f"-ERR QUEUE {sub} needs queue names, or * for all queues\r\n".encode()
        )
    assert client.call("INFO").startswith(b"$")


def test_latency_rules(client):
    # T-14, P-85
    assert client.call("QUEUE LATENCY *") == b"-ERR QUEUE LATENCY does not support wildcards\r\n"
    assert client.call("QUEUE LATENCY default") == b'$13\r\n{"default":0}\r\n'
    push_to(client, "default")
    latency = client.call_json("QUEUE LATENCY default foo")
    assert list(latency) == ["default", "foo"] and latency["foo"] == 0
    assert isinstance(latency["default"], float) and 0 < latency["default"] < 1.0


def test_latency_measures_the_oldest_job(client):
    # P-85: now - enqueued_at of the job at the tail (the next to be fetched)
    line = b'PUSH {"jid":"jid-old-one","jobtype":"T","args":[],"at":"2020-01-01T00:00:00Z"}'
    assert client.call(line) == b"+OK\r\n"  # at in the past: enqueued now
    push_to(client, "default")
    assert client.call_json("QUEUE LATENCY default")["default"] < 5


def test_pause_skips_queue_and_resume_restores(client):
    # T-48, P-43, P-81, P-82
    default_jid, email_jid = push_to(client, "default", "email")
    assert client.call("QUEUE PAUSE default") == b"+OK\r\n"
    assert paused_fetch_order(client, "default email") == email_jid
    assert client.call("QUEUE RESUME default") == b"+OK\r\n"
    assert paused_fetch_order(client, "default email") == default_jid


def test_pause_of_unknown_queue_is_ignored(client):
    # P-81: only known queues are paused; a queue created later is not paused
    assert client.call("QUEUE PAUSE later") == b"+OK\r\n"
    [jid] = push_to(client, "later")
    assert paused_fetch_order(client, "later") == jid


def test_pause_star_pauses_every_known_queue(client):
    # P-84
    push_to(client, "a1", "b1")
    [c1] = push_to(client, "c1")
    assert client.call("QUEUE PAUSE *") == b"+OK\r\n"
    assert client.call("QUEUE RESUME c1") == b"+OK\r\n"
    assert paused_fetch_order(client, "a1 b1 c1") == c1


def test_fetch_on_only_paused_queues_waits_then_null(client):
    # P-43: nothing left to fetch from: wait 2 s, $-1, the job stays queued
    push_to(client, "default")
    assert client.call("QUEUE PAUSE default") == b"+OK\r\n"
    reply, elapsed = timed(lambda: client.call("FETCH default"))
    assert reply == b"$-1\r\n"
    assert FETCH_WAIT_S - 0.1 <= elapsed < FETCH_WAIT_S + 1.0, elapsed
    assert queue_sizes(client) == {"default": 1}


def test_resume_wakes_a_fetch_blocked_on_paused_queue(client, connect):
    # P-43 (deliberate difference): Faktory's FETCH on only-paused queues sleeps its 2 s and
    # answers $-1 even if the queue is resumed meanwhile; ours hands out the job at once
    [jid] = push_to(client, "default")
    assert client.call("QUEUE PAUSE default") == b"+OK\r\n"
    admin = connect()
    timer = threading.Timer(0.3, lambda: admin.call("QUEUE RESUME default"))
    timer.start()
    try:
        fetched, elapsed = timed(lambda: client.call_json("FETCH default"))
    finally:
        timer.join()
    assert fetched["jid"] == jid and elapsed < 1.5


def test_push_to_paused_queue_is_kept(client):
    # P-43: pausing stops fetching, not pushing
    push_to(client, "default")
    assert client.call("QUEUE PAUSE default") == b"+OK\r\n"
    push_to(client, "default")
    assert queue_sizes(client) == {"default": 2}


def test_remove_deletes_jobs_and_forgets_the_queue(client):
    # P-83
    push_to(client, "gone", "gone", "kept")
    assert client.call("QUEUE PAUSE gone") == b"+OK\r\n"
    assert client.call("QUEUE REMOVE gone nothere") == b"+OK\r\n"
    assert queue_sizes(client) == {"kept": 1}
    [jid] = push_to(client, "gone")  # a new queue of that name is not paused any more
    assert paused_fetch_order(client, "gone") == jid


def test_a_queue_pushed_again_after_remove_or_flush_is_listed_again(client):
    # P-65/P-83/P-90: the server pushes to a queue it has registered with a bare LPUSH; REMOVE
    # and FLUSH must make it register the name again, or INFO would stop listing the queue
    push_to(client, "again", "again")
    assert client.call("QUEUE REMOVE again") == b"+OK\r\n"
    push_to(client, "again")
    assert queue_sizes(client) == {"again": 1}
    assert client.call("FLUSH") == b"+OK\r\n"
    push_to(client, "again")
    assert queue_sizes(client) == {"again": 1}


def test_remove_star_removes_every_queue(client):
    # P-84
    push_to(client, "r1", "r2")
    assert client.call("QUEUE REMOVE *") == b"+OK\r\n"
    assert queue_sizes(client) == {}
    assert info(client)["faktory"]["total_queues"] == 0


def test_paused_queues_persist_across_restart(make_server, dial):
    # §3.11: paused names live in Redis and are loaded at boot
    first = make_server()
    client = dial(first)
    [paused_jid, other_jid] = push_to(client, "p1", "p2")
    assert client.call("QUEUE PAUSE p1") == b"+OK\r\n"
    first.stop()
    second = dial(make_server())
    assert paused_fetch_order(second, "p1 p2") == other_jid
    assert second.call("QUEUE RESUME p1") == b"+OK\r\n"
    assert paused_fetch_order(second, "p1 p2") == paused_jid


def test_flush_empties_everything(client, server):
    # P-90, P-91 (deliberate difference): Faktory keeps its in-memory queue list, paused list and
    # reservations after FLUSH; ours forgets them, so INFO shows no queues and nothing stays paused
    push_to(client, "default", "default", "other")
    assert client.call_json("FETCH default")["queue"] == "default"
    assert client.call("QUEUE PAUSE other") == b"+OK\r\n"
    line = b'PUSH {"jid":"jid-flush-sched","jobtype":"T","args":[],"at":"2099-01-01T00:00:00Z"}'
    assert client.call(line) == b"+OK\r\n"
    assert client.call("FLUSH") == b"+OK\r\n"
    faktory = info(client)["faktory"]
    assert faktory["queues"] == {} and faktory["total_queues"] == 0
    assert sets(client) == {"dead": 0, "retries": 0, "scheduled": 0, "working": 0}
    assert totals(client) == (0, 0)
    assert faktory["tasks"]["Busy"]["size"] == 0
    [jid] = push_to(client, "other")
    assert paused_fetch_order(client, "other") == jid


def test_flush_after_fetch_then_ack_is_ok(client):
    # P-52 after FLUSH: the reservation is gone, ACK still answers +OK and counts nothing
    [jid] = push_to(client, "default")
    assert client.call_json("FETCH default")["jid"] == jid
    assert client.call("FLUSH") == b"+OK\r\n"
    assert client.call(b"ACK " + json.dumps({"jid": jid}).encode()) == b"+OK\r\n"
    assert totals(client) == (0, 0)


@pytest.mark.parametrize("line", ["QUEUE PAUSE default extra", "QUEUE  PAUSE  default"])
def test_queue_names_split_on_spaces(client, line):
    # P-81: names are space-separated; unknown ones are ignored
    [jid] = push_to(client, "default")
    push_to(client, "q2")
    assert client.call(line) == b"+OK\r\n"
    assert paused_fetch_order(client, "default q2") != jid


def test_a_queue_name_removed_behind_the_servers_back_returns_within_a_second(server, client):
    """Pushes trust their queue is in `queues` for REGISTERED_FOR_S, then check it again; so
    a name removed by another program on the same Redis (redis-cli, a second server) comes back
    with the next push after that, instead of staying out of INFO."""
    store = core(server).store
    now = [1_000.0]
    store.clock = lambda: now[0]
    assert client.push(job(new_jid(), queue="mail")) == b"+OK\r\n"
    run(server, store.cold.srem(keys.QUEUES, "mail"))  # as another program would
    assert client.push(job(new_jid(), queue="mail")) == b"+OK\r\n"
    assert "mail" not in info(client)["faktory"]["queues"]  # trusted, for now
    now[0] += REGISTERED_FOR_S
    assert client.push(job(new_jid(), queue="mail")) == b"+OK\r\n"
    assert info(client)["faktory"]["queues"]["mail"] == 3
