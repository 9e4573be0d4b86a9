"""Helpers for the wire-level conformance tests (`test_wire_*.py`).

Everything goes over raw FWP except where Faktory's own tests reach into the server too: reading a
sorted set's entries (the Web UI's view), moving a score (standing in for the clock), running a
housekeeping task now, and signalling a worker as the Web UI would.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from faktory_desktop.core.timefmt import NS, parse_ns
from faktory_desktop.core.workers import WorkerState
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.storage.store import SortedSet
from tests.fwp import RawClient

HI_PATTERN = re.compile(rb'\+HI \{"v":2,"i":(\d+),"s":"([0-9a-f]+)"\}\r\n')
FETCH_WAIT_S = 2.0


def pwdhash(password: str, salt: str, iterations: int) -> str:
    """P-14, computed independently of the server's code: SHA-256 applied `iterations` times."""
    digest = hashlib.sha256((password + salt).encode()).digest()
    for _ in range(iterations - 1):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


def challenge(greeting: bytes) -> tuple[int, str]:
    """(iterations, salt) from a password-protected server's HI line."""
    match = HI_PATTERN.fullmatch(greeting)
    assert match, greeting
    return int(match.group(1)), match.group(2).decode()


def hello_line(**fields: Any) -> bytes:
    return b"HELLO " + compact(fields)


def compact(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def info(client: RawClient) -> dict[str, Any]:
    return client.call_json("INFO")


def queue_sizes(client: RawClient) -> dict[str, int]:
    return info(client)["faktory"]["queues"]


def sets(client: RawClient) -> dict[str, int]:
    return info(client)["faktory"]["sets"]


def totals(client: RawClient) -> tuple[int, int]:
    faktory = info(client)["faktory"]
    return faktory["total_processed"], faktory["total_failures"]


def ack(client: RawClient, jid: str) -> bytes:
    return client.call(b"ACK " + compact({"jid": jid}))


def fail(client: RawClient, jid: str, **fields: Any) -> bytes:
    return client.call(b"FAIL " + compact({"jid": jid, **fields}))


def mutate(client: RawClient, **op: Any) -> bytes:
    return client.call(b"MUTATE " + compact(op))


def beat(client: RawClient, wid: str, **fields: Any) -> bytes:
    return client.call(b"BEAT " + compact({"wid": wid, **fields}))


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = fn()
    return result, time.monotonic() - started


def on_loop(server: ServerThread, fn: Callable[..., Any], *args: Any) -> Any:
    """Run a plain function on the server's event loop thread and return its result."""

    async def call() -> Any:
        return fn(*args)

    return server.submit(call()).result(10)


def run(server: ServerThread, coro: Any) -> Any:
    """Await a core coroutine on the server's loop."""
    return server.submit(coro).result(30)


def core(server: ServerThread) -> Any:
    return server.runtime.core


def entries(server: ServerThread, which: SortedSet) -> list[tuple[dict[str, Any], float]]:
    """A sorted set's (job or reservation, score) pairs, lowest score first."""
    pairs = run(server, core(server).store.range(which, 0, -1))
    return [(json.loads(member), score) for member, score in pairs]


def raw_entries(server: ServerThread, which: SortedSet) -> list[tuple[bytes, float]]:
    return run(server, core(server).store.range(which, 0, -1))


def rescore(server: ServerThread, which: SortedSet, member: bytes, score: float) -> None:
    """Move an entry's score (stands in for the clock moving on)."""
    run(server, core(server).store.add(which, score, member))


def make_due(server: ServerThread, which: SortedSet) -> None:
    """Make every entry of a set due now."""
    past = time.time() - 1
    for member, _score in raw_entries(server, which):
        rescore(server, which, member, past)


def run_task(server: ServerThread, name: str) -> int:
    return run(server, core(server).scheduler.run_task(name))


def signal_worker(server: ServerThread, wid: str, state: WorkerState) -> None:
    """What the Web UI's Quiet / Stop buttons do."""
    workers = core(server).workers
    on_loop(server, lambda: workers.signal(workers.get(wid), state))


def seconds_ahead(timestamp: str) -> float:
    return (parse_ns(timestamp) - time.time_ns()) / NS


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll server-internal state that has no wire event of its own (e.g. a disconnect)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()
