"""Queue throttles over the wire: limits hold under contention, slots come back on every path."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from faktory_desktop.core import jsonc
from faktory_desktop.core.features import parse_features
from faktory_desktop.core.timefmt import NS, now_ns
from tests.conftest import new_jid
from tests.fwp import RawClient, job
from tests.integration.wire import ack, core, fail, on_loop, run, run_task, wait_until

THROTTLES = {"api": {"concurrency": 3, "timeout": 60}, "bulk": {"worker": 2, "timeout": 60}}


@pytest.fixture
def server(make_server):
    return make_server(features=parse_features({"throttles": THROTTLES}, []))


def push_jobs(client: RawClient, queue: str, count: int) -> list[str]:
    jids = [new_jid() for _ in range(count)]
    for jid in jids:
        assert client.push(job(jid, queue=queue)) == b"+OK\r\n"
    return jids


def fetch_now(server, queues: list[str], wid: str = "") -> dict[str, Any] | None:
    """One FETCH that does not wait: the job, or None when nothing may be taken now."""
    found = run(server, core(server).manager.fetch(queues, wid, jsonc.dumps(wid), wait_s=0))
    return None if found is None else jsonc.loads(found)


def throttles(server):
    return core(server).manager.throttles


def test_twenty_workers_never_exceed_concurrency(server, connect):
    jids = push_jobs(connect(), "api", 30)
    running, peak, done = 0, 0, []
    lock = threading.Lock()

    def work(n: int) -> None:
        nonlocal running, peak
        client = connect(wid=f"w{n}")
        while len(done) < len(jids):
            reply = client.call("FETCH api")
            if reply.startswith(b"$-1"):
                continue
            fetched = jsonc.loads(reply.split(b"\r\n", 1)[1])
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.01)
            with lock:
                running -= 1
                done.append(fetched["jid"])
            assert ack(client, fetched["jid"]) == b"+OK\r\n"

    threads = [threading.Thread(target=work, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(done) == sorted(jids)
    assert peak == 3
    assert throttles(server).counters["api"].held == 30
    assert throttles(server).counters["api"].overage > 0


def test_worker_limit_is_per_worker_process(server, connect):
    push_jobs(connect(), "bulk", 6)
    for wid in ("a", "b"):
        assert fetch_now(server, ["bulk"], wid) and fetch_now(server, ["bulk"], wid)
        assert fetch_now(server, ["bulk"], wid) is None
    assert fetch_now(server, ["bulk"], "c") is not None


def test_other_queues_in_the_fetch_are_still_served(server, connect):
    client = connect()
    push_jobs(client, "api", 4)
    [other] = push_jobs(client, "default", 1)
    for _ in range(3):
        assert client.call_json("FETCH api default")["queue"] == "api"
    assert client.call_json("FETCH api default")["jid"] == other  # api is full: skipped


def test_an_unthrottled_fetch_takes_no_slot(server, connect):
    client = connect()
    push_jobs(client, "default", 1)
    client.call_json("FETCH default")
    assert throttles(server).held == {}


def fill_api(server, client: RawClient) -> list[dict[str, Any]]:
    push_jobs(client, "api", 4)
    taken = [fetch_now(server, ["api"], "w1") for _ in range(3)]
    assert all(taken) and fetch_now(server, ["api"], "w1") is None
    return taken  # type: ignore[return-value]


def test_ack_frees_the_slot(server, connect):
    client = connect()
    taken = fill_api(server, client)
    assert ack(client, taken[0]["jid"]) == b"+OK\r\n"
    assert fetch_now(server, ["api"]) is not None
    assert throttles(server).counters["api"].held_s > 0


def test_fail_frees_the_slot(server, connect):
    client = connect()
    taken = fill_api(server, client)
    assert fail(client, taken[0]["jid"], errtype="E", message="m") == b"+OK\r\n"
    assert fetch_now(server, ["api"]) is not None


def test_reservation_expiry_frees_the_slot(server, connect):
    fill_api(server, connect())
    reaped = run(server, core(server).manager.reap_reservations(now_ns() + 3600 * NS))
    assert reaped == 3
    assert fetch_now(server, ["api"]) is not None


def test_a_reaped_worker_frees_its_slots(server, connect):
    connect(wid="w1")  # registers the worker that holds the slots
    fill_api(server, connect())
    worker = core(server).workers.get("w1")
    on_loop(server, setattr, worker, "last_beat_ns", 0)  # silent since 1970
    assert run_task(server, "Workers") == 1
    assert fetch_now(server, ["api"]) is not None


def test_timeout_reclaims_an_orphaned_slot(server, connect):
    fill_api(server, connect())
    throttles(server).clock = lambda: time.time() + 61  # past the 60 s timeout
    assert fetch_now(server, ["api"]) is not None
    assert throttles(server).counters["api"].reclaimed == 3


def test_a_fetch_waiting_on_a_full_queue_wakes_when_a_slot_frees(server, connect):
    client = connect()
    taken = fill_api(server, client)
    waiter = connect()
    waiter.send(b"FETCH api")
    waiting = core(server).manager.waiters._waiting
    assert wait_until(lambda: bool(waiting.get("api")))  # the FETCH is parked
    started = time.monotonic()
    assert ack(client, taken[0]["jid"]) == b"+OK\r\n"
    assert waiter.read_reply().startswith(b"$")
    assert time.monotonic() - started < 1.5  # woken, not timed out at 2 s


def test_a_fetch_held_back_by_a_full_queue_takes_a_job_pushed_to_another(server, connect):
    client = connect()
    fill_api(server, client)
    waiter = connect()
    waiter.send(b"FETCH api default")
    waiting = core(server).manager.waiters._waiting
    assert wait_until(lambda: bool(waiting.get("default")))  # parked, api being full
    started = time.monotonic()
    [other] = push_jobs(client, "default", 1)
    assert json.loads(waiter.read_reply().split(b"\r\n", 1)[1])["jid"] == other
    assert time.monotonic() - started < 1.5
