"""Engine faults seen from FWP clients: kill -9 under load, clean stop, a second server.

The engine (our redis/valkey child) is killed with SIGKILL while two producers PUSH and two
consumers FETCH and ACK over raw FWP. Clients must get `-ERR` replies during the gap (never a
dropped connection or a crashed server), the supervisor restarts the engine, the server reconnects
by itself, and afterwards every job whose PUSH was answered `+OK` is accounted for: ACKed, still
queued, or reserved in `working`. The engine config uses AOF with `appendfsync everysec`: a
kill -9 of the engine alone loses nothing that reached the kernel (only an OS crash or power loss
can cost the last second), so the expected loss is zero and the test says so exactly.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

from faktory_desktop.engine import EngineStartError, EngineState
from faktory_desktop.engine.control import Probe, probe
from faktory_desktop.server.runtime import ServerThread
from faktory_desktop.storage.store import SortedSet
from tests.fwp import job
from tests.integration.client_support import (
    connect_raw,
    core,
    no_thread_left_behind,
    queue_jobs,
    wait_for,
)

OK = b"+OK\r\n"
UNAVAILABLE = b"-ERR the storage engine is unavailable"
PRODUCERS, JOBS_PER_PRODUCER = 2, 1000
CONSUMERS = 2
KILL_AFTER_PUSHES = 250  # per the first producer: the kill lands mid-stream
BACKOFF_S = 0.005  # a client's pause before retrying a command that got -ERR


@pytest.fixture(autouse=True)
def hermetic() -> Iterator[None]:
    with no_thread_left_behind():
        yield


@dataclass
class Ledger:
    """What the clients saw, filled in by their threads (list.append is atomic)."""

    pushed_ok: list[str] = field(default_factory=list)
    push_errors: list[str] = field(default_factory=list)  # jids with at least one -ERR PUSH
    fetched: list[str] = field(default_factory=list)
    acked_ok: list[str] = field(default_factory=list)
    ack_given_up: list[str] = field(default_factory=list)
    errors: list[bytes] = field(default_factory=list)
    crashes: list[BaseException] = field(default_factory=list)


def run_guarded(ledger: Ledger, fn: Any, *args: Any) -> threading.Thread:
    def target() -> None:
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            ledger.crashes.append(exc)

    thread = threading.Thread(target=target, name=f"fault-{fn.__name__}", daemon=True)
    thread.start()
    return thread


def produce(port: int, ledger: Ledger, index: int, kill_now: threading.Event) -> None:
    """PUSH JOBS_PER_PRODUCER jobs; a PUSH answered -ERR is retried (same jid) after a pause."""
    deadline = time.monotonic() + 30
    with connect_raw(port) as client:
        for n in range(JOBS_PER_PRODUCER):
            jid = f"fault-{index}-{n:05d}"
            while (reply := client.push(job(jid, "FaultJob", args=[index, n]))) != OK:
                assert reply.startswith(b"-ERR "), reply
                ledger.errors.append(reply)
                ledger.push_errors.append(jid)
                assert time.monotonic() < deadline, "the server never recovered"
                time.sleep(BACKOFF_S)
            ledger.pushed_ok.append(jid)
            if index == 0 and n + 1 == KILL_AFTER_PUSHES:
                kill_now.set()


def consume(port: int, ledger: Ledger, index: int, stop: threading.Event) -> None:
    """FETCH and ACK until told to stop; an ACK answered -ERR is retried until +OK."""
    with connect_raw(port, wid=f"fault-consumer-{index}") as client:
        while not stop.is_set():
            reply = client.call("FETCH default")
            if reply.startswith(b"-"):
                ledger.errors.append(reply)
                time.sleep(BACKOFF_S)
                continue
            if reply.startswith(b"$-1"):
                continue
            jid = json.loads(reply.split(b"\r\n", 1)[1])["jid"]
            ledger.fetched.append(jid)
            deadline = time.monotonic() + 20
            while (ack := client.call(f'ACK {{"jid":"{jid}"}}')) != OK:
                assert ack.startswith(b"-ERR "), ack
                ledger.errors.append(ack)
                if time.monotonic() > deadline:
                    ledger.ack_given_up.append(jid)
                    break
                time.sleep(BACKOFF_S)
            else:
                ledger.acked_ok.append(jid)


def engine_ready(server: ServerThread) -> bool:
    engine = server.runtime.engine
    if engine.state is not EngineState.RUNNING or engine.address is None:
        return False
    state, _ = server.submit(probe(engine.address)).result(5)
    return state is Probe.READY


def store_call(server: ServerThread, coro: Any) -> Any:
    return server.submit(coro).result(10)


def working_jids(server: ServerThread) -> list[str]:
    members = store_call(server, core(server).store.all_members(SortedSet.WORKING))
    return [json.loads(m)["job"]["jid"] for m in members]


def engine_processes(data_dir: Path, unix_path: str | None) -> list[psutil.Process]:
    """Processes whose command line names our data dir or socket (redis and valkey retitle
    themselves "<binary> unixsocket:<path>"), or that hold our engine socket open."""
    needles = [str(data_dir)] + ([unix_path] if unix_path else [])
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        if proc.pid == os.getpid():
            continue
        try:
            cmdline = " ".join(proc.info["cmdline"] or ())
            holds_socket = unix_path is not None and any(
                conn.laddr == unix_path for conn in proc.net_connections(kind="unix"))
        except psutil.Error:
            continue
        if holds_socket or any(needle in cmdline for needle in needles):
            found.append(proc)
    return found


def test_kill_9_of_the_engine_under_load_loses_no_acknowledged_push(server, port):
    # S-14 (ours restarts instead of crashing), P-05/P-06 -ERR not a crash, L-13 reservations
    # survive, S-05 fetch+reserve is one script so nothing is lost between BRPOP and ZADD.
    engine = server.runtime.engine
    killed_pid = engine.pid
    assert killed_pid is not None
    ledger = Ledger()
    kill_now, stop_consumers = threading.Event(), threading.Event()
    producers = [run_guarded(ledger, produce, port, ledger, i, kill_now) for i in range(PRODUCERS)]
    consumers = [run_guarded(ledger, consume, port, ledger, i, stop_consumers)
                 for i in range(CONSUMERS)]
    try:
        assert kill_now.wait(15), ledger.crashes
        os.kill(killed_pid, signal.SIGKILL)
        killed_at = len(ledger.pushed_ok), len(ledger.acked_ok)

        wait_for(lambda: engine.pid not in (None, killed_pid) and engine_ready(server),
                 timeout=15, what="the engine to be restarted")
        assert not psutil.pid_exists(killed_pid) or \
            psutil.Process(killed_pid).status() == psutil.STATUS_ZOMBIE
        for thread in producers:
            thread.join(30)
            assert not thread.is_alive(), "a producer is stuck"
        assert not ledger.crashes, ledger.crashes
        # Drain: the consumers empty the queue, then stop (FETCH returns within 2 s).
        wait_for(lambda: store_call(server, core(server).store.queue_sizes(["default"]))
                 ["default"] == 0, timeout=30, what="the consumers to drain the queue")
    finally:
        stop_consumers.set()
        for thread in consumers:
            thread.join(10)
    assert not any(t.is_alive() for t in consumers), "a consumer is stuck"
    assert not ledger.crashes, ledger.crashes
    assert server._thread.is_alive()  # the server never went down

    # The gap was seen, and only as "engine unavailable" errors, never "internal error".
    assert ledger.errors, "no client saw the engine gap: the kill came too late"
    assert all(e.startswith(UNAVAILABLE) for e in ledger.errors), set(ledger.errors)
    assert killed_at[0] < PRODUCERS * JOBS_PER_PRODUCER, "the kill came after the last PUSH"

    pushed, acked = set(ledger.pushed_ok), Counter(ledger.acked_ok)
    queued = {j["jid"] for j in queue_jobs(server)}
    reserved = set(working_jids(server))
    lost = pushed - set(acked) - queued - reserved
    print(f"kill -9 at {killed_at[0]} pushes/{killed_at[1]} acks; -ERR replies {len(ledger.errors)}"
          f" (PUSH {len(ledger.push_errors)}); pushed +OK {len(pushed)}, acked {len(acked)}, "
          f"queued {len(queued)}, reserved {len(reserved)}, lost {len(lost)}")
    assert len(pushed) == PRODUCERS * JOBS_PER_PRODUCER
    assert not lost, f"{len(lost)} jobs answered +OK were lost: {sorted(lost)[:10]}"
    assert not ledger.ack_given_up
    # A job reaches a consumer twice only if one of its PUSHes was answered -ERR yet ran.
    twice = {jid for jid, n in Counter(ledger.fetched).items() if n > 1}
    assert twice <= set(ledger.push_errors), sorted(twice - set(ledger.push_errors))[:10]
    # Every ACK answered +OK finished exactly one reservation: `processed` counts each once, and
    # no ACKed job is left reserved (it would run again when its reservation expires).
    processed, failures = store_call(server, core(server).store.totals())
    assert (processed, failures) == (len(ledger.acked_ok), 0)
    assert not reserved & set(acked), sorted(reserved & set(acked))[:10]
    # Jobs still reserved are only those whose FETCH reply was lost with the connection.
    assert reserved <= pushed | set(ledger.push_errors)

    # And the server keeps working normally.
    with connect_raw(port) as client:
        assert client.push(job("after-the-kill-1", args=[])) == OK
        assert client.call_json("FETCH default")["jid"] == "after-the-kill-1"
        assert client.call('ACK {"jid":"after-the-kill-1"}') == OK


def test_ack_and_fail_refused_during_the_gap_can_be_retried_and_count_once(server, port):
    # P-51/L-20 across an engine restart: a refused ACK/FAIL must leave the job ACKable, or the
    # retry's "+OK" (P-52, unknown jid) would leave it reserved, to run again on expiry (L-30).
    engine, store = server.runtime.engine, core(server).store
    with connect_raw(port) as producer, connect_raw(port, wid="gap-worker") as worker:
        for jid in ("gap-ack-0001", "gap-fail-0001"):
            assert producer.push(job(jid, args=[], retry=3)) == OK
            assert worker.call_json("FETCH default")["jid"] == jid

        killed = engine.pid
        assert killed is not None
        os.kill(killed, signal.SIGKILL)
        wait_for(lambda: not store.mux.connected, timeout=5, what="the multiplexer to notice")
        # The engine restarts after a backoff of 0.1 s at least: these land in the gap.
        assert worker.call('ACK {"jid":"gap-ack-0001"}').startswith(UNAVAILABLE)
        fail = '{"jid":"gap-fail-0001","errtype":"Oops","message":"gap"}'
        assert worker.call(f"FAIL {fail}").startswith(UNAVAILABLE)
        assert producer.call("INFO").startswith(UNAVAILABLE)  # the redis-py path too

        wait_for(lambda: engine.pid not in (None, killed) and engine_ready(server),
                 timeout=15, what="the engine to be restarted")

        def retried(line: str) -> bool:
            reply = worker.call(line)
            assert reply == OK or reply.startswith(UNAVAILABLE), reply
            return reply == OK

        wait_for(lambda: retried('ACK {"jid":"gap-ack-0001"}'), what="the ACK to go through")
        wait_for(lambda: retried(f"FAIL {fail}"), what="the FAIL to go through")
        # Retrying again changes nothing: the ACK is a no-op, the FAIL is now unknown (P-56).
        assert worker.call('ACK {"jid":"gap-ack-0001"}') == OK
        assert worker.call(f"FAIL {fail}") == b"-ERR Job not found gap-fail-0001\r\n"

    assert working_jids(server) == []
    assert store_call(server, store.totals()) == (2, 1)  # L-60: processed counts ACK + FAIL
    retries = store_call(server, store.all_members(SortedSet.RETRIES))
    assert [json.loads(m)["jid"] for m in retries] == ["gap-fail-0001"]
    assert json.loads(retries[0])["failure"]["errtype"] == "Oops"


def test_stopping_the_server_leaves_no_engine_process(make_server, settings):
    server = make_server()
    engine = server.runtime.engine
    pid, data_dir = engine.pid, engine.data_dir
    unix_path = engine.address.unix_path if engine.address else None
    assert pid is not None and psutil.pid_exists(pid)
    assert [p.pid for p in engine_processes(data_dir, unix_path)] == [pid]

    server.stop()
    assert engine.state is EngineState.STOPPED
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert engine_processes(data_dir, unix_path) == []
    assert unix_path is None or not os.path.exists(unix_path)
    assert not (data_dir / "engine.pid").exists()


def test_a_second_server_on_the_same_data_dir_is_refused_while_the_first_runs(
    make_server, settings
):
    first = make_server()
    engine = first.runtime.engine
    pidfile = engine.data_dir / "engine.pid"
    record = pidfile.read_text()

    with pytest.raises(EngineStartError, match="is in use by another Faktory Desktop"):
        make_server()

    # Still exactly one engine, still ours, and its pidfile untouched by the failed start.
    unix_path = engine.address.unix_path if engine.address else None
    assert [p.pid for p in engine_processes(engine.data_dir, unix_path)] == [engine.pid]
    assert pidfile.read_text() == record
    assert engine.state is EngineState.RUNNING
    with connect_raw(first.runtime.port) as client:
        assert client.push(job("still-served-1", args=[])) == OK
        assert client.call_json("FETCH default")["jid"] == "still-served-1"
