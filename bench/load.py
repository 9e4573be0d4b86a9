"""The load itself: producer, consumer and blocked-fetcher connections, run in a worker process.

Producers PUSH jobs as fast as the server answers, consumers `FETCH default` then ACK, and
1 job in 100 is FAILed instead (every job has `"retry":0`, so a failed job is discarded and never
comes back). Blocked fetchers sit in `FETCH idle` on a queue nobody pushes to, for the whole run.
With `LoadPlan.faktory`, the lines are those of Faktory's own `test/load` instead
(`bench.faktory_shape`): five queues, the Go client's job with `retry: 25`, so FAILed jobs go to
the retry set, and a consumer that fetches one of them again (its retry came due during the run)
ACKs it and counts it as `retried`, not as a duplicate.

Each job carries `[seq, push_ns]` as its args, `push_ns` being `time.monotonic_ns()` just before
the PUSH is written; the consumer that fetches it records `now - push_ns`. CLOCK_MONOTONIC is
system-wide, so this works across the producer and consumer processes.

A worker process talks to the orchestrator over a `multiprocessing` pipe:
it connects everything, sends `("ready", None)`, waits for `"go"`, runs, sends `("done", t_end)`
the moment its last job is finished (so the orchestrator can snapshot CPU times at once), then
`("result", LoadResult)` after closing its connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import orjson

from bench import faktory_shape
from bench.fwp_client import FWPClient, FWPError, ReplyError, connect

__all__ = ["LoadPlan", "LoadResult", "new_event_loop", "worker_main"]

BEAT_EVERY_S = 10.0  # Faktory reaps a worker that has not sent BEAT for 60 s
MAX_ERROR_SAMPLES = 10
FAIL_LINE = b',"errtype":"BenchError","message":"deliberate failure (1%)","backtrace":["bench"]}'
BATCH_SIZE = 100
BATCH_NEW = b'BATCH NEW {"success":{"jobtype":"BenchDone","args":[],"queue":"bench-callbacks"}}'


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """What one worker process does."""

    host: str
    port: int
    password: str | None
    push_jobs: int  # jobs this process pushes (split over its producers)
    producers: int
    consume_jobs: int  # jobs this process must finish (split over its consumers as they come)
    consumers: int
    blocked: int
    fail_every: int = 100  # FAIL job seq when seq % fail_every == fail_every - 1; 0: never
    queue: str = "default"
    idle_queue: str = "idle"
    rate: float = 0.0  # total PUSH/s for this process; 0: as fast as possible (closed loop)
    timeout_s: float = 120.0
    name: str = "load"
    enterprise: bool = False  # every job unique_for, tracked, in committed batches of BATCH_SIZE
    faktory: bool = False  # Faktory's test/load lines (bench.faktory_shape); no wid, no BEAT


@dataclass(slots=True)
class LoadResult:
    """What one worker process measured. Times are `time.monotonic_ns()`."""

    name: str
    t_go: int = 0
    t_end: int = 0
    t_push_end: int = 0
    pushed: int = 0
    acked: int = 0
    failed: int = 0
    retried: int = 0  # FAILed jobs fetched again (their retry came due) and ACKed
    duplicates: int = 0
    null_fetches: int = 0
    blocked_fetches: int = 0
    blocked_max_ms: float = 0.0
    blocked_unexpected_jobs: int = 0
    latencies: bytes = b""  # array('q') of push-to-fetch ns
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    timed_out: bool = False
    aborted: bool = False  # every consumer (or producer) connection was lost

    def latency_ns(self) -> array[int]:
        values: array[int] = array("q")
        values.frombytes(self.latencies)
        return values


class _State:
    """Shared by the coroutines of one process."""

    def __init__(self, plan: LoadPlan) -> None:
        self.plan = plan
        self.result = LoadResult(plan.name)
        self.remaining = plan.consume_jobs  # jobs not yet finished (ACK/FAIL answered)
        self.latencies: array[int] = array("q")
        self.seen: set[int] = set()
        self.retrying: set[int] = set()  # seqs FAILed with retries left (faktory lines)
        self.errors: Counter[str] = Counter()
        self.consumed_all = asyncio.Event()
        self.all_lost = asyncio.Event()  # every producer or every consumer connection broke
        self.lost: Counter[str] = Counter()
        self.sizes = {"producer": plan.producers, "consumer": plan.consumers,
                      "blocked": plan.blocked}
        self.stopping = False
        if plan.consume_jobs == 0:
            self.consumed_all.set()

    def error(self, what: str, detail: object) -> None:
        self.errors[what] += 1
        samples = self.result.error_samples
        if len(samples) < MAX_ERROR_SAMPLES:
            samples.append(f"{what}: {detail!r}"[:300])


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when it is installed, else asyncio's default loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _wid(role: str, index: int) -> str:
    return f"bench-{os.getpid()}-{role}{index}-{os.urandom(3).hex()}"


async def _producer(client: FWPClient, state: _State, count: int, interval_ns: int) -> None:
    if state.plan.enterprise:
        await _enterprise_producer(client, state, count)
        return
    call = client.call
    now = time.monotonic_ns
    line = faktory_shape.push_line_maker() if state.plan.faktory else _push_line_maker(state.plan)
    next_due = now()
    for _ in range(count):
        if interval_ns:
            wait_ns = next_due - now()
            if wait_ns > 0:
                await asyncio.sleep(wait_ns / 1e9)
            next_due += interval_ns
        seq = state.result.pushed
        state.result.pushed = seq + 1
        reply = await call(line(seq, now()))
        if reply != b"OK":
            state.error("PUSH", reply)


def _push_line_maker(plan: LoadPlan) -> Callable[[int, int], bytes]:
    """A function of (seq, push_ns) that returns one of our own PUSH lines."""
    urandom = os.urandom
    prefix = b'PUSH {"jid":"%s","jobtype":"BenchJob","queue":"' + plan.queue.encode()
    template = prefix + b'","args":[%d,%d],"retry":0}'

    def line(seq: int, push_ns: int) -> bytes:
        return template % (urandom(8).hex().encode(), seq, push_ns)

    return line


async def _enterprise_producer(client: FWPClient, state: _State, count: int) -> None:
    """The same jobs, each unique for 60 s, tracked, and pushed in batches of BATCH_SIZE
    (BATCH NEW, the pushes, COMMIT); the batches' success callbacks land in a queue of their
    own that nobody fetches."""
    call, urandom, now = client.call, os.urandom, time.monotonic_ns
    prefix = b'PUSH {"jid":"%s","jobtype":"BenchJob","queue":"' + state.plan.queue.encode()
    template = prefix + b'","args":[%d,%d],"retry":0,"custom":{"unique_for":60,"track":1,' \
                        b'"bid":"%s"}}'
    for start in range(0, count, BATCH_SIZE):
        bid = await call(BATCH_NEW)
        if not isinstance(bid, bytes):
            state.error("BATCH NEW", bid)
            raise FWPError("the server refused BATCH NEW")  # ends the run, as a lost connection
        for _ in range(min(BATCH_SIZE, count - start)):
            seq = state.result.pushed
            state.result.pushed = seq + 1
            reply = await call(template % (urandom(8).hex().encode(), seq, now(), bid))
            if reply != b"OK":
                state.error("PUSH", reply)
        reply = await call(b"BATCH COMMIT " + bid)
        if reply != b"OK":
            state.error("BATCH COMMIT", reply)


async def _consumer(client: FWPClient, state: _State) -> None:
    call = client.call
    now = time.monotonic_ns
    loads = orjson.loads
    plan = state.plan
    fetch_line = faktory_shape.fetch_line() if plan.faktory else b"FETCH " + plan.queue.encode()
    fail_line = faktory_shape.fail_line if plan.faktory else _fail_line
    beat_line = b'BEAT {"wid":"' + client.wid.encode() + b'"}'
    beat_every = int(BEAT_EVERY_S * 1e9) if client.wid else 1 << 62
    next_beat = now() + beat_every
    fail_every = plan.fail_every
    latencies, seen, retrying, result = state.latencies, state.seen, state.retrying, state.result
    while state.remaining > 0 and not state.stopping:
        reply = await call(fetch_line)
        if reply is None:
            result.null_fetches += 1
        elif isinstance(reply, ReplyError):
            state.error("FETCH", reply)
            await asyncio.sleep(0.01)
        else:
            t = now()
            job = loads(reply)
            jid = job["jid"].encode()
            args = job["args"]
            seq = args[0]
            retry = seq in retrying  # back from the retry set: its latency is not the server's
            if retry:
                retrying.discard(seq)
            else:
                latencies.append(t - args[1])
                if seq in seen:
                    result.duplicates += 1
            seen.add(seq)
            if not retry and fail_every and seq % fail_every == fail_every - 1:
                reply = await call(fail_line(jid))
                verb = "FAIL"
                result.failed += 1
                if plan.faktory:
                    retrying.add(seq)
            else:
                reply = await call(b'ACK {"jid":"' + jid + b'"}')
                verb = "ACK"
                if retry:
                    result.retried += 1
                else:
                    result.acked += 1
            if reply != b"OK":
                state.error(verb, reply)
            if not retry:
                state.remaining -= 1
            if state.remaining <= 0:
                result.t_end = now()
                state.consumed_all.set()
                return
        if now() > next_beat:
            next_beat = now() + beat_every
            beat = await call(beat_line)
            if beat != b"OK":
                state.error("BEAT", beat)


def _fail_line(jid: bytes) -> bytes:
    return b'FAIL {"jid":"' + jid + b'"' + FAIL_LINE


async def _blocked(client: FWPClient, state: _State) -> None:
    call = client.call
    now = time.monotonic_ns
    fetch_line = b"FETCH " + state.plan.idle_queue.encode()
    beat_line = b'BEAT {"wid":"' + client.wid.encode() + b'"}'
    next_beat = now() + int(BEAT_EVERY_S * 1e9)
    result = state.result
    while not state.stopping:
        t0 = now()
        reply = await call(fetch_line)
        if state.stopping:
            return
        result.blocked_fetches += 1
        result.blocked_max_ms = max(result.blocked_max_ms, (now() - t0) / 1e6)
        if isinstance(reply, ReplyError):
            state.error("FETCH idle", reply)
            await asyncio.sleep(0.1)
        elif reply is not None:
            result.blocked_unexpected_jobs += 1
        if now() > next_beat:
            next_beat = now() + int(BEAT_EVERY_S * 1e9)
            beat = await call(beat_line)
            if beat != b"OK":
                state.error("BEAT", beat)


async def _guard(state: _State, role: str, coro: Any) -> None:
    """Run one connection's loop; a broken connection is recorded, not raised."""
    try:
        await coro
    except (FWPError, OSError) as exc:
        if not state.stopping:
            state.error(f"{role} connection", exc)
            state.lost[role] += 1
            if role != "blocked" and state.lost[role] >= state.sizes[role]:
                state.all_lost.set()


async def _connect_all(plan: LoadPlan) -> tuple[list[FWPClient], list[FWPClient],
                                                   list[FWPClient]]:
    async def one(role: str, index: int) -> FWPClient:
        worker = role == "blocked" or (role == "consumer" and not plan.faktory)
        wid = _wid(role, index) if worker else None
        return await connect(plan.host, plan.port, wid=wid, password=plan.password,
                             labels=("bench",))

    sem = asyncio.Semaphore(32)

    async def limited(role: str, index: int) -> FWPClient:
        async with sem:
            return await one(role, index)

    producers = [limited("producer", i) for i in range(plan.producers)]
    consumers = [limited("consumer", i) for i in range(plan.consumers)]
    blocked = [limited("blocked", i) for i in range(plan.blocked)]
    clients = await asyncio.gather(*producers, *consumers, *blocked)
    p, c = plan.producers, plan.consumers
    return list(clients[:p]), list(clients[p:p + c]), list(clients[p + c:])


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def _run(plan: LoadPlan, pipe: Connection) -> None:
    state = _State(plan)
    result = state.result
    loop = asyncio.get_running_loop()
    try:
        producers, consumers, blocked = await _connect_all(plan)
    except (TimeoutError, FWPError, OSError) as exc:
        pipe.send(("error", f"could not connect: {exc!r}"))
        return
    everyone = producers + consumers + blocked
    blocked_tasks = [asyncio.create_task(_guard(state, "blocked", _blocked(c, state)))
                     for c in blocked]
    pipe.send(("ready", None))
    message = await loop.run_in_executor(None, pipe.recv)
    if message != "go":
        state.stopping = True
        for client in everyone:
            client.close()
        return
    result.t_go = time.monotonic_ns()
    interval_ns = int(1e9 * len(producers) / plan.rate) if plan.rate > 0 and producers else 0
    push_tasks = [asyncio.create_task(_guard(state, "producer", _producer(c, state, n,
                                                                          interval_ns)))
                  for c, n in zip(producers, _split(plan.push_jobs, len(producers) or 1),
                                  strict=False)]
    consume_tasks = [asyncio.create_task(_guard(state, "consumer", _consumer(c, state)))
                     for c in consumers]

    async def pushes_done() -> None:
        if push_tasks:
            await asyncio.gather(*push_tasks)
        result.t_push_end = time.monotonic_ns()

    async def finished() -> None:
        await pushes_done()
        await state.consumed_all.wait()

    waiters = [asyncio.create_task(finished()), asyncio.create_task(state.all_lost.wait())]
    done, _ = await asyncio.wait(waiters, timeout=plan.timeout_s,
                                 return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    if not done:
        result.timed_out = True
    elif waiters[0] not in done:
        result.aborted = True
    if not result.t_end:
        stopped_early = result.timed_out or result.aborted
        result.t_end = time.monotonic_ns() if stopped_early else result.t_push_end
    pipe.send(("done", result.t_end))

    state.stopping = True
    for client in everyone:
        client.close()
    tasks = push_tasks + consume_tasks + blocked_tasks
    await asyncio.wait(tasks, timeout=5.0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    result.latencies = state.latencies.tobytes()
    result.errors = dict(state.errors)
    pipe.send(("result", result))


def worker_main(plan: LoadPlan, pipe: Connection) -> None:
    """Entry point of a load process (multiprocessing target)."""
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_run(plan, pipe))
    except Exception as exc:  # report instead of dying silently
        with contextlib.suppress(OSError):
            pipe.send(("error", f"load process failed: {exc!r}"))
    finally:
        loop.close()
