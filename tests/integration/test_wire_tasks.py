"""The housekeeping tasks, triggered now (the clock is stood in for by moving scores)."""

from __future__ import annotations

import time

from faktory_desktop.core.timefmt import NS
from faktory_desktop.storage.store import SortedSet
from tests.conftest import new_jid
from tests.fwp import job
from tests.integration.wire import (
    beat,
    core,
    fail,
    info,
    make_due,
    on_loop,
    queue_sizes,
    raw_entries,
    rescore,
    run_task,
    seconds_ahead,
    sets,
)

LATER = "2099-01-01T00:00:00Z"


def schedule(client, **fields) -> str:
    jid = new_jid()
    assert client.push(job(jid, at=LATER, **fields)) == b"+OK\r\n"
    return jid


def fail_to(client, retry: int) -> str:
    jid = new_jid()
    assert client.push(job(jid, retry=retry)) == b"+OK\r\n"
    assert client.call_json("FETCH default")["jid"] == jid
    assert fail(client, jid) == b"+OK\r\n"
    return jid


def test_due_scheduled_job_is_enqueued(client, server):
    # T-61, L-40: due entry -> its queue, enqueued_at set, INFO task counters move
    jid = schedule(client)
    make_due(server, SortedSet.SCHEDULED)
    assert run_task(server, "Scheduled") == 1
    assert sets(client)["scheduled"] == 0 and queue_sizes(client) == {"default": 1}
    fetched = client.call_json("FETCH default")
    assert fetched["jid"] == jid and fetched["at"] == LATER
    assert abs(seconds_ahead(fetched["enqueued_at"])) < 5
    task = info(client)["faktory"]["tasks"]["Scheduled"]
    assert task["enqueued"] == 1 and task["cycles"] >= 1 and task["size"] == 0


def test_only_due_scheduled_jobs_move(client, server):
    # T-61: of three (now, +5 min, +8 min) only the first moves
    offsets = {schedule(client): -1, schedule(client): 300, schedule(client): 480}
    now = time.time()
    for member, _ in raw_entries(server, SortedSet.SCHEDULED):
        [offset] = [o for jid, o in offsets.items() if f'"jid":"{jid}"'.encode() in member]
        rescore(server, SortedSet.SCHEDULED, member, now + offset)
    due = next(iter(offsets))
    assert run_task(server, "Scheduled") == 1
    assert sets(client)["scheduled"] == 2
    assert client.call_json("FETCH default")["jid"] == due


def test_due_retry_is_enqueued_with_its_failure(client, server):
    # T-62, L-40: retries -> queue, failure kept, enqueued_at refreshed
    jid = fail_to(client, retry=25)
    make_due(server, SortedSet.RETRIES)
    assert run_task(server, "Retries") == 1
    assert sets(client)["retries"] == 0
    fetched = client.call_json("FETCH default")
    assert fetched["jid"] == jid and fetched["failure"]["retry_count"] == 0
    assert abs(seconds_ahead(fetched["enqueued_at"])) < 5
    assert info(client)["faktory"]["tasks"]["Retries"]["enqueued"] == 1


def test_not_yet_due_retry_stays(client, server):
    # L-40: a retry whose next_at is ahead is left alone
    fail_to(client, retry=25)
    assert run_task(server, "Retries") == 0
    assert sets(client)["retries"] == 1


def test_scheduled_job_with_invalid_queue_is_dropped(client, server):
    # P-25, L-40 quirk: accepted at PUSH, lost when the scheduler tries to enqueue it
    schedule(client, queue="bad name!")
    make_due(server, SortedSet.SCHEDULED)
    assert run_task(server, "Scheduled") == 0
    assert sets(client)["scheduled"] == 0 and queue_sizes(client) == {}


def test_dead_purge_removes_only_expired(client, server):
    # T-60, L-41: of two (expiry now, expiry +5 min) the purge removes one
    fail_to(client, retry=-1)
    fail_to(client, retry=-1)
    [(first, _), (second, _)] = raw_entries(server, SortedSet.DEAD)
    rescore(server, SortedSet.DEAD, first, time.time() - 1)
    rescore(server, SortedSet.DEAD, second, time.time() + 300)
    assert run_task(server, "Dead") == 1
    assert sets(client)["dead"] == 1
    assert info(client)["faktory"]["tasks"]["Dead"]["enqueued"] == 1


def test_busy_task_leaves_live_reservations(client, server):
    # T-68: the reaper at the real now finds nothing to expire
    assert client.push(job(new_jid(), reserve_for=60)) == b"+OK\r\n"
    client.call_json("FETCH default")
    assert run_task(server, "Busy") == 0
    assert sets(client)["working"] == 1


def test_silent_worker_is_reaped_and_its_connections_closed(connect, server):
    # T-34, W-06, W-07: cutoff at the last heartbeat keeps it; 60 s of silence removes it
    worker = connect(wid="wid-silent")
    second = connect(wid="wid-silent")
    observer = connect()
    assert beat(worker, "wid-silent") == b"+OK\r\n"
    workers = core(server).workers
    assert on_loop(server, lambda: workers.reap(time.time_ns())) == []
    assert info(observer)["faktory"]["tasks"]["Workers"]["size"] == 1
    reaped = on_loop(server, lambda: workers.reap(time.time_ns() + 61 * NS))
    assert [w.wid for w in reaped] == ["wid-silent"]
    assert worker.closed_by_server() and second.closed_by_server()
    assert beat(observer, "wid-silent") == b"-ERR unknown worker wid-silent\r\n"
    assert info(observer)["faktory"]["tasks"]["Workers"]["size"] == 0
    again = connect(wid="wid-silent")  # W-07: a new HELLO registers it again
    assert beat(again, "wid-silent") == b"+OK\r\n"


def test_workers_task_keeps_beating_workers(connect, server):
    # W-06: the Workers task at the real now reaps nobody who just said HELLO
    worker = connect(wid="wid-alive")
    assert run_task(server, "Workers") == 0
    assert beat(worker, "wid-alive") == b"+OK\r\n"
