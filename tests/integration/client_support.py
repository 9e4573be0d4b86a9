"""Helpers for the integration tests that drive real clients against a real server.

Everything here waits by polling a condition against a deadline, never by a fixed sleep.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

from faktory_desktop.core.workers import Worker, WorkerState
from faktory_desktop.protocol.auth import password_hash
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.storage.store import SortedSet
from tests.fwp import RawClient

POLL_S = 0.02
SERVER_THREADS = ("faktory-server", "uvloop_", "asyncio_")  # a server thread and its executor


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Poll `predicate` until it returns something truthy (returned); fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(POLL_S)


def on_loop(server: ServerThread, fn: Callable[..., Any], *args: Any, timeout: float = 5.0) -> Any:
    """Call a plain function on the server's event loop (where the core's state lives)."""

    async def call() -> Any:
        return fn(*args)

    return server.submit(call()).result(timeout)


def core(server: ServerThread) -> Any:
    assert server.runtime.core is not None
    return server.runtime.core


def worker_entry(server: ServerThread, wid: str) -> Worker | None:
    return on_loop(server, core(server).workers.get, wid)


def signal_worker(server: ServerThread, wid: str, state: WorkerState) -> None:
    """What the Web UI's Quiet / Stop button for one process does (W-04)."""

    def signal_it() -> None:
        workers = core(server).workers
        worker = workers.get(wid)
        assert worker is not None, f"worker {wid} is not registered"
        workers.signal(worker, state)

    on_loop(server, signal_it)


def signal_all(server: ServerThread, state: WorkerState) -> None:
    """The Web UI's "Quiet all" / "Stop all" buttons."""
    on_loop(server, core(server).workers.signal_all, state)


def set_jobs(server: ServerThread, which: SortedSet) -> list[dict[str, Any]]:
    """The jobs in `retries`, `scheduled` or `dead`, decoded."""
    members = server.submit(core(server).store.all_members(which)).result(5)
    return [json.loads(m) for m in members]


def queue_jobs(server: ServerThread, queue: str = "default") -> list[dict[str, Any]]:
    members = server.submit(core(server).store.queue_range(queue, 0, -1)).result(5)
    return [json.loads(m) for m in members]


def connect_raw(port: int, password: str | None = None, **fields: Any) -> RawClient:
    """A RawClient that has said HELLO, answering the password challenge if there is one."""
    client = RawClient("127.0.0.1", port)
    hi = json.loads(client.greeting[len(b"+HI "):])
    if "s" in hi:
        assert password is not None, "the server wants a password"
        fields["pwdhash"] = password_hash(password, hi["s"], hi["i"])
    reply = client.hello(**fields)
    assert reply == b"+OK\r\n", reply
    return client


def info(port: int, password: str | None = None) -> dict[str, Any]:
    with connect_raw(port, password) as client:
        return client.call_json("INFO")


def faktory_stats(port: int, password: str | None = None) -> dict[str, Any]:
    return info(port, password)["faktory"]


def settled(stats: dict[str, Any], processed: int) -> dict[str, Any] | None:
    """`stats` (INFO's "faktory" part) once `processed` jobs are done and none is reserved."""
    done = stats["total_processed"] == processed and stats["sets"]["working"] == 0
    return stats if done else None


def drop_pyfaktory_sigterm_handler() -> None:
    """Importing `pyfaktory` (its consumer module) installs a SIGTERM handler that raises
    KeyboardInterrupt, for the whole test process; put the default back."""
    if getattr(signal.getsignal(signal.SIGTERM), "__module__", "") == "pyfaktory.consumer":
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def sigterm_restored() -> Iterator[None]:
    """Both PyPI clients install a SIGTERM handler in the test process; put ours back."""
    previous = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def no_thread_left_behind(timeout: float = 10.0) -> Iterator[None]:
    """Fail if threads started inside the block (other than a server's own, which its fixture
    stops) are still alive `timeout` s after it."""
    before = set(threading.enumerate())
    yield

    def extra() -> set[threading.Thread]:
        return {t for t in threading.enumerate()
                if t not in before and t.is_alive() and not t.name.startswith(SERVER_THREADS)}

    deadline = time.monotonic() + timeout
    while extra() and time.monotonic() < deadline:
        time.sleep(POLL_S)
    left = extra()
    assert not left, f"threads left behind: {sorted(t.name for t in left)}"


class ThreadedWorker:
    """A client library's blocking worker loop (`loop()`, which subclasses give) on a daemon
    thread; the test waits for its HELLO, and `stop()` ends it with the library's own shutdown."""

    thread_name = "client-worker"

    def __init__(self, wid: str) -> None:
        self.wid = wid
        self.thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self.error: BaseException | None = None

    def loop(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        try:
            self.loop()
        except SystemExit:
            pass  # both libraries' run() end with sys.exit(1)
        except BaseException as exc:
            self.error = exc

    def start(self, server: ServerThread) -> None:
        self.thread.start()
        wait_for(lambda: worker_entry(server, self.wid), what=f"{self.wid} to say HELLO")

    def join_thread(self, timeout: float) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"the {self.thread_name} thread did not stop"


W = TypeVar("W", bound=ThreadedWorker)


def worker_factory(kind: Callable[[str, int], W]) -> Iterator[Callable[..., W]]:
    """A fixture's body: `make(url, concurrency=2)` builds workers; those started are stopped."""
    workers: list[W] = []

    def make(url: str, concurrency: int = 2) -> W:
        workers.append(kind(url, concurrency))
        return workers[-1]

    yield make
    for worker in workers:
        if worker.thread.ident is not None:
            worker.stop()


def url_for(server: ServerThread, password: str | None = None) -> str:
    """FAKTORY_URL for a test server, with the password when there is one."""
    auth = f":{password}@" if password else ""
    return f"tcp://{auth}127.0.0.1:{server.runtime.port}"


@pytest.fixture
def hermetic() -> Iterator[None]:
    """No worker thread outlives its test; a client's SIGTERM handler does not stay."""
    with sigterm_restored(), no_thread_left_behind():
        yield
