"""Full job lifecycles through the PyPI `pyfaktory` client (0.2.13) against our server.

The client's quirks (spec 1.8): JSON with spaces after `:` and `,` everywhere except MUTATE
(compact, P-70); it hashes the password `i` times and sends `v: 2`; it reads a BEAT state change
only as a bulk string (P-63) and then BEATs back with `current_state`.

`Consumer.run()` is driven on a daemon thread. Its pebble ProcessPool is swapped for pebble's
ThreadPool (same `schedule()` API): forking this process would copy the server living in it, and
job functions here signal the test through threading.Events. The BEAT period is the client's
`beat_period` argument (15 s by default), 0.2 s here.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pebble
import pyfaktory
import pytest
from pyfaktory.util.enums import State

from faktory_desktop.core.workers import WorkerState
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.storage.store import SortedSet
from tests.integration.client_support import (
    ThreadedWorker,
    drop_pyfaktory_sigterm_handler,
    hermetic,  # noqa: F401 - the fixture, used through pytestmark
    queue_jobs,
    set_jobs,
    settled,
    signal_all,
    signal_worker,
    url_for,
    wait_for,
    worker_entry,
    worker_factory,
)

drop_pyfaktory_sigterm_handler()

PASSWORD = "another-s3cret"
BEAT_PERIOD_S = 0.2


pytestmark = pytest.mark.usefixtures("hermetic")


class PyConsumer(ThreadedWorker):
    """A pyfaktory consumer client plus `Consumer.run()` on a daemon thread."""

    thread_name = "pyfaktory-consumer"

    def __init__(self, url: str, concurrency: int = 2) -> None:
        super().__init__(f"pyf-{uuid.uuid4().hex[:12]}")
        self.client = pyfaktory.Client(faktory_url=url, role="consumer", worker_id=self.wid,
                                       beat_period=BEAT_PERIOD_S, timeout=10)
        self.consumer = pyfaktory.Consumer(client=self.client, queues=["default"],
                                           priority="strict", concurrency=concurrency)
        self.consumer.pool = pebble.ThreadPool(max_workers=concurrency)
        self.stopped = False

    def register(self, name: str, fn: Callable[..., Any]) -> None:
        self.consumer.register(name, fn)

    def loop(self) -> None:
        self.consumer.run()

    def start(self, server: ServerThread) -> None:
        self.client.connect()  # HELLO; starts the client's heartbeat thread
        super().start(server)

    def join(self, timeout: float = 10.0) -> None:
        """Wait for run() to return, then END the connection as a program would."""
        self.join_thread(timeout)
        if not self.stopped:
            self.stopped = True
            self.client.disconnect()
            self.client.heartbeat_thread.join(timeout)
            assert not self.client.heartbeat_thread.is_alive()
        assert self.error is None, self.error

    def stop(self) -> None:
        """Local shutdown: the state its own terminate path sets, then the run loop ends."""
        if self.client.state in (State.IDENTIFIED, State.QUIET):
            self.client._set_state(State.TERMINATING)
        self.join()


@pytest.fixture
def py_consumer() -> Iterator[Callable[..., PyConsumer]]:
    yield from worker_factory(PyConsumer)


@pytest.fixture
def producer() -> Iterator[Callable[[str], pyfaktory.Client]]:
    clients: list[pyfaktory.Client] = []

    def make(url: str) -> pyfaktory.Client:
        client = pyfaktory.Client(faktory_url=url, role="producer", timeout=10)
        client.connect()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.disconnect()


def push(client: pyfaktory.Client, jobtype: str, args: list[Any], **fields: Any) -> str:
    job = pyfaktory.Job(jobtype=jobtype, args=args, **fields)
    assert pyfaktory.Producer(client=client).push(job) is True
    return job.jid


def test_push_and_consume_with_a_password_server(make_server, producer, py_consumer):
    # P-14: pyfaktory hashes i times with v 2; P-15 HELLO with wid registers (W-02).
    server = make_server(password=PASSWORD)
    url = url_for(server, PASSWORD)
    results: dict[int, int] = {}
    all_done = threading.Event()

    def square(n: int) -> int:
        results[n] = n * n
        if len(results) == 4:
            all_done.set()
        return n * n

    client = producer(url)
    jids = [push(client, "square", [n]) for n in range(4)]
    assert [j["jid"] for j in reversed(queue_jobs(server))] == jids

    consumer = py_consumer(url)
    consumer.register("square", square)
    consumer.start(server)
    entry = worker_entry(server, consumer.wid)
    assert entry.labels == ("python",) and entry.state is WorkerState.RUNNING

    assert all_done.wait(10)
    assert results == {0: 0, 1: 1, 2: 4, 3: 9}
    # INFO is several reads, not a snapshot: wait until the counter and the set agree.
    stats = wait_for(lambda: settled(client.info()["faktory"], 4), what="4 ACKs")
    assert stats["total_failures"] == 0
    assert stats["queues"]["default"] == 0
    consumer.stop()
    wait_for(lambda: worker_entry(server, consumer.wid) is None, what="worker to leave (W-06a)")


def test_wrong_or_missing_password_is_refused(make_server):
    # P-14: "-ERR Invalid password" then close; the client raises on the error reply.
    server = make_server(password=PASSWORD)
    wrong = pyfaktory.Client(faktory_url=url_for(server, "wrong"), role="producer", timeout=10)
    with pytest.raises(pyfaktory.FaktroyWorkProtocolError, match="Invalid password"):
        wrong.connect()
    wrong.sock.close()
    missing = pyfaktory.Client(faktory_url=url_for(server), role="producer", timeout=10)
    with pytest.raises(ValueError, match="Password required"):
        missing.connect()
    missing.sock.close()


def test_raising_job_goes_to_retries_and_a_mutate_requeue_runs_it_again(
    server, producer, py_consumer
):
    # L-20/L-21: FAIL -> retries with errtype/message/backtrace (P-57); P-72 requeue via MUTATE
    # (pyfaktory's compact JSON, P-70) puts it back and the second run is ACKed.
    url = url_for(server)
    attempts: list[int] = []
    second_run = threading.Event()

    def flaky(n: int) -> int:
        attempts.append(n)
        if len(attempts) == 1:
            raise KeyError(f"missing {n}")
        second_run.set()
        return n

    client = producer(url)
    jid = push(client, "flaky", [5], retry=3)
    consumer = py_consumer(url)
    consumer.register("flaky", flaky)
    consumer.start(server)
    wait_for(lambda: client.info()["faktory"]["sets"]["retries"] == 1, what="the job in retries")

    [job] = set_jobs(server, SortedSet.RETRIES)
    failure = job["failure"]
    assert job["jid"] == jid and job["retry"] == 3
    assert failure["errtype"] == "KeyError" and failure["message"] == "'missing 5'"
    assert failure["retry_count"] == 0 and failure["remaining"] == 3 and "next_at" in failure
    assert failure["backtrace"] and any("flaky" in line for line in failure["backtrace"])

    requeue = pyfaktory.MutateOperation(
        cmd="requeue", target="retries",
        filter=pyfaktory.JobFilter(jids=[jid], regexp=None, jobtype=None))
    assert client.mutate(requeue) is True
    assert second_run.wait(10)
    stats = wait_for(lambda: settled(client.info()["faktory"], 2), what="the second run's ACK")
    assert stats["total_failures"] == 1 and stats["sets"]["retries"] == 0
    assert attempts == [5, 5]


def test_retry_zero_is_discarded_and_retry_minus_one_goes_to_dead(server, producer, py_consumer):
    # L-23: retry 0 -> gone (still a failure); retry -1 -> dead, remaining -1, no next_at.
    url = url_for(server)

    def explode(tag: str) -> None:
        raise RuntimeError(f"explode {tag}")

    client = producer(url)
    push(client, "explode", ["zero"], jid="jid-py-retry-zero", retry=0)
    push(client, "explode", ["minus"], jid="jid-py-retry-minus-one", retry=-1)
    consumer = py_consumer(url)
    consumer.register("explode", explode)
    consumer.start(server)
    wait_for(lambda: client.info()["faktory"]["total_failures"] == 2, what="2 FAILs")

    dead = set_jobs(server, SortedSet.DEAD)
    assert [job["jid"] for job in dead] == ["jid-py-retry-minus-one"]
    failure = dead[0]["failure"]
    assert failure["errtype"] == "RuntimeError" and failure["message"] == "explode minus"
    assert failure["remaining"] == -1 and "next_at" not in failure
    stats = client.info()["faktory"]
    assert stats["sets"] == {"dead": 1, "retries": 0, "scheduled": 0, "working": 0}
    assert stats["queues"]["default"] == 0 and stats["total_processed"] == 2


def test_quiet_from_the_ui_reaches_the_consumer_on_its_next_beat_and_it_stops_fetching(
    server, producer, py_consumer
):
    # W-04 + P-63: the BEAT reply {"state":"quiet"} moves the client to QUIET; it stops
    # fetching and keeps BEATing with current_state quiet. Then Stop -> run() returns.
    url = url_for(server)
    ran: list[int] = []
    consumer = py_consumer(url)
    consumer.register("record", ran.append)
    consumer.start(server)

    signal_worker(server, consumer.wid, WorkerState.QUIET)
    wait_for(lambda: consumer.client.state is State.QUIET, what="the quiet BEAT reply")

    client = producer(url)
    jid = push(client, "record", [1])
    beat = worker_entry(server, consumer.wid).last_beat_ns
    wait_for(lambda: worker_entry(server, consumer.wid).last_beat_ns > beat, what="a BEAT")
    beat = worker_entry(server, consumer.wid).last_beat_ns
    wait_for(lambda: worker_entry(server, consumer.wid).last_beat_ns > beat, what="another BEAT")
    assert ran == []
    assert [j["jid"] for j in queue_jobs(server)] == [jid]
    assert worker_entry(server, consumer.wid).state is WorkerState.QUIET
    assert consumer.thread.is_alive()

    signal_worker(server, consumer.wid, WorkerState.TERMINATE)
    wait_for(lambda: consumer.client.state is State.TERMINATING, what="the terminate reply")
    consumer.join()
    wait_for(lambda: worker_entry(server, consumer.wid) is None, what="the worker to leave")
    assert [j["jid"] for j in queue_jobs(server)] == [jid]


def test_stop_all_lets_the_in_flight_job_finish_and_ack(server, producer, py_consumer):
    # W-09: terminate -> no more FETCH, the running job finishes and is ACKed, run() returns.
    url = url_for(server)
    started, release = threading.Event(), threading.Event()

    def slow(n: int) -> int:
        started.set()
        assert release.wait(10)
        return n

    client = producer(url)
    push(client, "slow", [3])
    consumer = py_consumer(url)
    consumer.register("slow", slow)
    consumer.start(server)
    assert started.wait(10)

    signal_all(server, WorkerState.TERMINATE)
    wait_for(lambda: consumer.client.state is State.TERMINATING, what="the terminate reply")
    assert consumer.thread.is_alive()  # the pool waits for the job (grace period)
    release.set()
    consumer.join()

    stats = client.info()["faktory"]
    assert stats["total_processed"] == 1 and stats["total_failures"] == 0
    assert stats["sets"]["working"] == 0


def test_batch_api_end_to_end(make_server, producer, py_consumer):
    # pyfaktory's batch API: BATCH NEW with a callback that has no jid, jobs joined with
    # custom.bid, COMMIT; the worker runs the jobs, then the success callback.
    server = make_server()
    url = url_for(server)
    ran: list[str] = []
    finished = threading.Event()

    def work(n: int) -> None:
        ran.append(f"work {n}")

    def done(*args: Any) -> None:
        ran.append("done")
        finished.set()

    client = producer(url)
    maker = pyfaktory.Producer(client=client)
    batch = pyfaktory.Batch(parent_bid=None, description="three jobs",
                            success=pyfaktory.TargetJob(jobtype="done", args=[]), complete=None)
    reply = maker.batch_new(batch)  # pyfaktory hands back the raw bulk reply, as from Enterprise
    bid = reply.split("\r\n")[-1]
    assert reply == f"${len(bid)}\r\n{bid}" and bid.startswith("b-")
    for n in range(3):
        push(client, "work", [n], custom={"bid": bid})
    assert maker.batch_commit(bid) is True
    status = _bulk_json(client._batch_status(bid))
    assert (status["total"], status["pending"], status["success_st"]) == (3, 3, "")

    consumer = py_consumer(url)
    consumer.register("work", work)
    consumer.register("done", done)
    consumer.start(server)
    assert finished.wait(10)
    assert sorted(ran[:3]) == ["work 0", "work 1", "work 2"] and ran[3] == "done"
    def acked() -> dict[str, Any] | None:
        status = _bulk_json(client._batch_status(bid))
        return status if status["success_st"] == "2" else None

    status = wait_for(acked, what="the callback's ACK")
    assert (status["total"], status["pending"], status["failed"]) == (3, 0, 0)
    consumer.stop()


def _bulk_json(reply: str) -> Any:
    """The JSON of a raw bulk reply as pyfaktory returns it (`$N\\r\\n{...}`)."""
    return json.loads(reply.split("\r\n", 1)[1])
