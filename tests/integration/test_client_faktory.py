"""Full job lifecycles through the PyPI `faktory` client (cdrx, 1.0.0) against our server.

The client's quirks (spec 1.8): its HELLO has no `v` and it hashes the password once, so it can
only log in thanks to the v<2 single-iteration rule (P-14); it sends `wid` only from a Worker; its
BEAT is `{"wid"}` and it looks for "quiet"/"terminate" in the reply text (P-63).

Its `Worker.run()` is driven on a daemon thread with a thread executor, a BEAT every 0.2 s (the
`send_heartbeat_every` attribute, 15 s by default) and is stopped at the end of every test.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import faktory
import pytest

from faktory_desktop.core.workers import WorkerState
from faktory_desktop.storage.store import SortedSet
from tests.integration.client_support import (
    ThreadedWorker,
    faktory_stats,
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

PASSWORD = "s3cret-pa55"
BEAT_EVERY_S = 0.2


pytestmark = pytest.mark.usefixtures("hermetic")


class CdrxWorker(ThreadedWorker):
    """A `faktory.Worker` running its blocking `run()` loop on a daemon thread."""

    thread_name = "cdrx-worker"

    def __init__(self, url: str, concurrency: int = 2) -> None:
        super().__init__(f"cdrx-{uuid.uuid4().hex[:12]}")
        # Worker() installs a SIGTERM handler, so it must be built on the main thread.
        self.worker = faktory.Worker(faktory=url, queues=["default"], concurrency=concurrency,
                                     use_threads=True, worker_id=self.wid)
        self.worker.send_heartbeat_every = BEAT_EVERY_S

    def register(self, name: str, func: Callable[..., Any]) -> None:
        self.worker.register(name, func)

    def loop(self) -> None:
        self.worker.run()

    def join(self, timeout: float = 10.0) -> None:
        self.join_thread(timeout)
        if self.worker._executor is not None:
            self.worker._executor.shutdown(wait=True)
        assert self.error is None, self.error

    def stop(self) -> None:
        """Graceful local shutdown (what its Ctrl-C does): finish, report, disconnect."""
        if self.thread.is_alive():
            self.worker.disconnect(wait=5)  # only sets flags; the run loop does the rest
        self.join()


@pytest.fixture
def cdrx_worker() -> Iterator[Callable[..., CdrxWorker]]:
    yield from worker_factory(CdrxWorker)


def test_push_and_work_with_a_password_server_via_single_iteration_hash(make_server, cdrx_worker):
    # P-14 v<2 rule: cdrx sends no "v" and one SHA-256; P-15 HELLO with wid registers (W-02).
    server = make_server(password=PASSWORD)
    url = url_for(server, PASSWORD)
    done: dict[str, list[Any]] = {}
    all_done = threading.Event()

    def add(a: int, b: int, jid_tag: str) -> int:
        done[jid_tag] = [a, b]
        if len(done) == 3:
            all_done.set()
        return a + b

    with faktory.connection(url) as client:
        jids = [uuid.uuid4().hex for _ in range(3)]
        for n, jid in enumerate(jids):
            assert client.queue("add", args=[n, 10, jid], jid=jid) is True
    assert [j["jid"] for j in reversed(queue_jobs(server))] == jids

    worker = cdrx_worker(url)
    worker.register("add", add)
    worker.start(server)
    entry = worker_entry(server, worker.wid)
    assert entry.labels == ("python",) and entry.state is WorkerState.RUNNING

    assert all_done.wait(10)
    assert done == {jid: [n, 10] for n, jid in enumerate(jids)}
    # ACKs go out on the worker's next tick (P-51): processed counts them, nothing stays reserved.
    # INFO is several reads, not a snapshot: wait until the counter and the set agree.
    stats = wait_for(lambda: settled(faktory_stats(server.runtime.port, PASSWORD), 3),
                     what="3 ACKs")
    assert stats["total_failures"] == 0
    assert stats["queues"]["default"] == 0
    worker.stop()
    wait_for(lambda: worker_entry(server, worker.wid) is None, what="worker to leave (W-06a)")


def test_wrong_password_is_refused_with_authentication_error(make_server):
    # P-14: mismatch -> "-ERR Invalid password" and close; cdrx maps it to its auth error.
    server = make_server(password=PASSWORD)
    client = faktory.Client(url_for(server, "not-the-password"))
    with pytest.raises(faktory.FaktoryAuthenticationError):
        client.connect()


def test_raising_job_is_failed_into_retries_with_error_class_and_message(server, cdrx_worker):
    # L-20/L-21: first FAIL -> failure{retry_count 0, remaining = retry}, retries set, next_at.
    url = url_for(server)
    ran = threading.Event()

    def explode(n: int) -> None:
        ran.set()
        raise ValueError(f"boom {n}")

    with faktory.connection(url) as client:
        assert client.queue("explode", args=[42], jid="jid-explode-1", retry=5)
        assert client.queue("no_such_task", args=[], jid="jid-unknown-1", retry=3)

    worker = cdrx_worker(url)
    worker.register("explode", explode)
    worker.start(server)
    assert ran.wait(10)
    wait_for(lambda: faktory_stats(server.runtime.port)["sets"]["retries"] == 2,
             what="both jobs in retries")
    worker.stop()

    retries = {job["jid"]: job for job in set_jobs(server, SortedSet.RETRIES)}
    failure = retries["jid-explode-1"]["failure"]
    assert failure["errtype"] == "ValueError" and failure["message"] == "boom 42"
    assert failure["retry_count"] == 0 and failure["remaining"] == 5 and "next_at" in failure
    assert retries["jid-explode-1"]["args"] == [42]
    # An unregistered jobtype is FAILed by the client itself.
    unknown = retries["jid-unknown-1"]["failure"]
    assert unknown["errtype"] == "ValueError" and "not a registered task" in unknown["message"]
    stats = faktory_stats(server.runtime.port)
    assert stats["total_failures"] == 2 and stats["total_processed"] == 2  # L-60
    assert stats["sets"]["working"] == 0 and stats["sets"]["dead"] == 0


def test_retry_zero_is_discarded_and_retry_minus_one_goes_to_dead(server, cdrx_worker):
    # L-23: retry 0 -> gone (still counted as a failure); retry -1 -> dead, remaining -1.
    url = url_for(server)
    with faktory.connection(url) as client:
        assert client.queue("explode", args=[0], jid="jid-retry-zero", retry=0)
        assert client.queue("explode", args=[-1], jid="jid-retry-minus-one", retry=-1)

    def explode(n: int) -> None:
        raise RuntimeError(f"retry {n}")

    worker = cdrx_worker(url)
    worker.register("explode", explode)
    worker.start(server)
    wait_for(lambda: faktory_stats(server.runtime.port)["total_failures"] == 2, what="2 FAILs")
    worker.stop()

    dead = set_jobs(server, SortedSet.DEAD)
    assert [job["jid"] for job in dead] == ["jid-retry-minus-one"]
    failure = dead[0]["failure"]
    assert failure["errtype"] == "RuntimeError" and failure["message"] == "retry -1"
    assert failure["remaining"] == -1 and "next_at" not in failure
    stats = faktory_stats(server.runtime.port)
    assert stats["sets"] == {"dead": 1, "retries": 0, "scheduled": 0, "working": 0}
    assert stats["queues"]["default"] == 0  # the retry-0 job is nowhere


def test_quiet_from_the_ui_reaches_the_worker_on_its_next_beat_and_it_stops_fetching(
    server, cdrx_worker
):
    # W-03/W-04: the UI quiets a process; P-63 the next BEAT answers {"state":"quiet"}; the
    # client stops fetching (and P-42 would starve it anyway). Then Stop -> it disconnects.
    url = url_for(server)
    ran: list[int] = []
    worker = cdrx_worker(url)
    worker.register("record", ran.append)
    worker.start(server)

    signal_worker(server, worker.wid, WorkerState.QUIET)
    wait_for(lambda: worker.worker.is_quiet, what="the BEAT reply to quiet the client")
    assert not worker.worker.is_disconnecting

    with faktory.connection(url) as client:
        assert client.queue("record", args=[1], jid="jid-after-quiet")
    # Two more BEATs (the worker keeps ticking) and the job is still waiting in its queue.
    entry = worker_entry(server, worker.wid)
    beat = entry.last_beat_ns
    wait_for(lambda: worker_entry(server, worker.wid).last_beat_ns > beat, what="a BEAT")
    beat = worker_entry(server, worker.wid).last_beat_ns
    wait_for(lambda: worker_entry(server, worker.wid).last_beat_ns > beat, what="another BEAT")
    assert ran == []
    assert [j["jid"] for j in queue_jobs(server)] == ["jid-after-quiet"]
    assert worker_entry(server, worker.wid).state is WorkerState.QUIET

    signal_worker(server, worker.wid, WorkerState.TERMINATE)
    worker.join()  # the terminate BEAT reply makes run() disconnect and return
    wait_for(lambda: worker_entry(server, worker.wid) is None, what="the worker to leave")
    assert [j["jid"] for j in queue_jobs(server)] == ["jid-after-quiet"]


def test_stop_all_lets_the_in_flight_job_finish_and_ack_before_disconnecting(
    server, cdrx_worker
):
    # W-09: terminate -> stop fetching, finish in-flight work and report it, then leave.
    url = url_for(server)
    started, release = threading.Event(), threading.Event()

    def slow(n: int) -> int:
        started.set()
        assert release.wait(10)
        return n

    with faktory.connection(url) as client:
        assert client.queue("slow", args=[7], jid="jid-in-flight")
    worker = cdrx_worker(url)
    worker.register("slow", slow)
    worker.start(server)
    assert started.wait(10)

    signal_all(server, WorkerState.TERMINATE)
    wait_for(lambda: worker.worker.is_disconnecting, what="the terminate BEAT reply")
    assert worker.thread.is_alive()  # still waiting for its job
    release.set()
    worker.join()

    stats = faktory_stats(server.runtime.port)
    assert stats["total_processed"] == 1 and stats["total_failures"] == 0
    assert stats["sets"]["working"] == 0
    wait_for(lambda: worker_entry(server, worker.wid) is None, what="the worker to leave")
