"""Jobs of a worker process that has gone: a real `faktory` worker, killed by SIGKILL with four
jobs in progress. With `requeue_gone_workers` they are failed at once as WorkerGone; without it
they wait for their reservations to run out, and "Requeue now" puts them back on their queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from faktory_desktop.core.gone import GoneJobs
from faktory_desktop.core.timefmt import NS, now_ns
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.storage.store import SortedSet
from tests.fwp import job
from tests.integration.client_support import (
    core,
    on_loop,
    set_jobs,
    url_for,
    wait_for,
    worker_entry,
)
from tests.integration.wire import queue_sizes, sets

JOBS = 4
# A cdrx `faktory` worker whose jobs note that they started, then never finish.
WORKER = """
import sys, time, faktory
def slow(n):
    with open(sys.argv[2], "a") as f:
        f.write(f"{n}\\n")
    time.sleep(3600)
w = faktory.Worker(faktory=sys.argv[1], queues=["default"], concurrency=4, use_threads=True)
w.register("Slow", slow)
w.run()
"""


@pytest.fixture
def killed_worker(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`kill(server)`: start a worker, let it take the four jobs pushed, then SIGKILL it."""
    started: list[subprocess.Popen[bytes]] = []

    def kill(server: ServerThread, client) -> str:
        for n in range(JOBS):
            assert client.push(job(f"gone-job-{n:04d}", jobtype="Slow", args=[n])) == b"+OK\r\n"
        notes = tmp_path / "started.txt"
        worker = subprocess.Popen([sys.executable, "-c", WORKER, url_for(server), str(notes)])
        started.append(worker)
        wait_for(lambda: notes.exists() and len(notes.read_text().split()) == JOBS, 20,
                 "the worker to start four jobs")
        [wid] = [w.wid for w in on_loop(server, core(server).workers.all)]
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        return wid

    yield kill
    for worker in started:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)


def gone(server: ServerThread) -> GoneJobs:
    return on_loop(server, core(server).gone.summary)


def test_requeue_gone_workers_fails_the_jobs_at_once_as_worker_gone(
        make_server, dial, killed_worker):
    server = make_server(requeue_gone_workers=True)
    client = dial(server)
    killed_worker(server, client)
    wait_for(lambda: sets(client)["retries"] == JOBS, 10, "the four jobs in Retries")
    assert sets(client)["working"] == 0
    retried = set_jobs(server, SortedSet.RETRIES)
    assert {j["failure"]["errtype"] for j in retried} == {"WorkerGone"}
    assert sorted(j["args"][0] for j in retried) == list(range(JOBS))
    assert all(j["failure"]["retry_count"] == 0 for j in retried)


def test_off_by_default_the_jobs_wait_and_requeue_now_puts_them_back(
        server, client, killed_worker):
    assert not server.runtime.settings.requeue_gone_workers
    wid = killed_worker(server, client)
    wait_for(lambda: worker_entry(server, wid) is None, 10, "the worker to leave")
    held = gone(server)
    assert (held.jobs, held.workers) == (JOBS, 1)
    assert 1790 < (held.back_after_ns - now_ns()) / NS <= 1800  # reserve_for's 30 minutes
    assert sets(client)["working"] == JOBS and sets(client)["retries"] == 0
    moved = server.submit(core(server).gone.requeue_now()).result(5)
    assert moved == JOBS
    assert queue_sizes(client) == {"default": JOBS}
    assert sets(client)["working"] == 0 and sets(client)["retries"] == 0
    assert gone(server).jobs == 0


def test_stopping_the_server_fails_no_job_of_a_connected_worker(make_server, dial, caplog):
    server = make_server(requeue_gone_workers=True)
    worker = dial(server, wid="w-still-here")
    assert worker.push(job("stop-job-0001")) == b"+OK\r\n"
    assert worker.call("FETCH default").startswith(b"$")
    server.stop()  # closes the worker's connection, as every other
    # Not even tried: without the engine it would fail, with it the job would be retried.
    assert [r.message for r in caplog.records if r.name == "faktory_desktop.core.gone"] == []
    again = make_server(requeue_gone_workers=True)
    client = dial(again)
    assert sets(client)["working"] == 1 and sets(client)["retries"] == 0
