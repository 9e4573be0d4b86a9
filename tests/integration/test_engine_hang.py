"""An engine that stops answering: SIGSTOP on our redis/valkey child, as a hung engine would be.

Every command waiting on it must get the deadline error within the deadline (P-05: Faktory answers
within 3 to 6 s), with the connection still usable; after SIGCONT the server serves again and
nothing answered +OK is lost or doubled. An engine silent for longer than the health limit is
killed and restarted by the supervisor, and its AOF (written before each reply) keeps every
acknowledged job.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from faktory_desktop.engine import EngineState
from faktory_desktop.server.runtime import ServerThread
from tests.fwp import RawClient, job
from tests.integration.client_support import (
    connect_raw,
    no_thread_left_behind,
    queue_jobs,
    wait_for,
)
from tests.integration.test_engine_faults import engine_ready, working_jids

OK = b"+OK\r\n"
DEADLINE_ERROR = b"-ERR the storage engine did not answer within 5 s, try again\r\n"

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def hermetic() -> Iterator[None]:
    with no_thread_left_behind():
        yield


@pytest.fixture
def server(make_server: Any) -> ServerThread:
    # The health check stays out of the way here: this test is about the command deadline.
    return make_server(engine_health_limit=120.0)


def timed(client: RawClient, line: str) -> tuple[bytes, float]:
    started = time.monotonic()
    reply = client.call(line)
    return reply, time.monotonic() - started


def all_jids(server: ServerThread) -> Counter[str]:
    """Every jid the server holds, queued or reserved, with how many times it is there."""
    return Counter([j["jid"] for j in queue_jobs(server)] + working_jids(server))


def test_a_stopped_engine_gets_every_waiting_command_the_deadline_error(server, port):
    with connect_raw(port) as producer:
        acknowledged = [f"before-stop-{n}" for n in range(20)]
        # One job done first, so the engine has the fetch script cached, as it has in practice.
        assert producer.push(job("warm-up-1", args=[])) == OK
        assert producer.call_json("FETCH default")["jid"] == "warm-up-1"
        assert producer.call('ACK {"jid":"warm-up-1"}') == OK
        for jid in acknowledged:
            assert producer.push(job(jid, args=[])) == OK
    lines = {"push-1": f"PUSH {json.dumps(job('during-stop-1', args=[]))}",
             "push-2": f"PUSH {json.dumps(job('during-stop-2', args=[]))}",
             "fetch": "FETCH default", "info-1": "INFO", "info-2": "INFO"}
    clients = {name: connect_raw(port, **({"wid": "hang-worker"} if name == "fetch" else {}))
               for name in lines}
    replies: dict[str, tuple[bytes, float]] = {}

    def send(name: str) -> None:
        replies[name] = timed(clients[name], lines[name])

    pid = server.runtime.engine.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        threads = [threading.Thread(target=send, args=(name,)) for name in lines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)
        for name, (reply, took) in sorted(replies.items()):
            print(f"{name}: {reply!r} after {took:.2f} s")
        assert {name: reply for name, (reply, _) in replies.items()} == \
            dict.fromkeys(lines, DEADLINE_ERROR)
        assert all(4.9 <= took < 6.0 for _, took in replies.values()), replies

        # The connection stays usable, and while the engine still says nothing a new command
        # is refused at once instead of waiting another deadline.
        reply, took = timed(clients["push-1"], f"PUSH {json.dumps(job('during-stop-3'))}")
        assert reply == DEADLINE_ERROR and took < 1.0, (reply, took)
    finally:
        os.kill(pid, signal.SIGCONT)

    try:
        # Served again on the same connections, and nothing answered +OK is lost or doubled.
        wait_for(lambda: clients["push-2"].push(job("after-cont-1", args=[])) == OK,
                 timeout=5, what="PUSH to be served again")
        assert clients["info-1"].call_json("INFO")["faktory"]["total_queues"] == 1
    finally:
        for client in clients.values():
            client.close()
    # The FETCH's script ran when the engine woke up, but its worker got the error: the job it
    # reserved is put back on the queue at once, not left until its reservation expires.
    wait_for(lambda: working_jids(server) == [], timeout=5, what="the late FETCH's job put back")
    held = all_jids(server)
    served = acknowledged + ["after-cont-1"]
    assert {jid: held[jid] for jid in served} == dict.fromkeys(served, 1)
    # The PUSHes answered with the deadline error ran when the engine woke up: a client that
    # retried them would have queued them twice (at-least-once, docs/compatibility.md).
    assert all(held[jid] <= 1 for jid in ("during-stop-1", "during-stop-2", "during-stop-3"))
    assert server.runtime.engine.state is EngineState.RUNNING


def test_an_engine_silent_past_the_health_limit_is_restarted_losing_nothing_acknowledged(
    make_server,
):
    server = make_server(engine_timeout=1.0, engine_health_limit=3.0)
    engine, port = server.runtime.engine, server.runtime.port
    with connect_raw(port) as producer:
        acknowledged = [f"acked-{n:03d}" for n in range(200)]
        for jid in acknowledged:
            assert producer.push(job(jid, args=[])) == OK
        stopped = engine.pid
        assert stopped is not None
        os.kill(stopped, signal.SIGSTOP)
        started = time.monotonic()
        try:
            reply = producer.push(job("while-stopped", args=[]))
            assert reply == b"-ERR the storage engine did not answer within 1 s, try again\r\n"
            wait_for(lambda: engine.state is EngineState.UNRESPONSIVE, timeout=3,
                     what="the engine to be reported not responding")
            wait_for(lambda: engine.pid not in (None, stopped) and engine_ready(server),
                     timeout=20, what="the silent engine to be killed and restarted")
        finally:
            with contextlib.suppress(ProcessLookupError):  # gone, once it was killed
                os.kill(stopped, signal.SIGCONT)
        restarted_after = time.monotonic() - started
        print(f"restarted {restarted_after:.1f} s after SIGSTOP (health limit 3 s)")
        assert 3.0 <= restarted_after < 15.0
        wait_for(lambda: producer.push(job("after-restart", args=[])) == OK, timeout=10,
                 what="PUSH to be served by the new engine")
    held = all_jids(server)
    assert {jid: held[jid] for jid in acknowledged + ["after-restart"]} == \
        dict.fromkeys(acknowledged + ["after-restart"], 1)
    assert held["while-stopped"] <= 1
    assert engine.state is EngineState.RUNNING
