"""INFO and BEAT over the wire, and the worker states the Web UI and BEAT drive."""

from __future__ import annotations

import re
import threading

import pytest

from faktory_desktop.core.workers import WorkerState
from tests.conftest import new_jid
from tests.fwp import job
from tests.integration.wire import (
    FETCH_WAIT_S,
    ack,
    beat,
    core,
    fail,
    info,
    signal_worker,
    timed,
    wait_until,
)

QUIET = b'$17\r\n{"state":"quiet"}\r\n'
TERMINATE = b'$21\r\n{"state":"terminate"}\r\n'
RFC3339NANO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")


def test_info_has_faktorys_shape(client):
    # T-09, P-65: exactly four top-level keys, in order, with the documented members
    reply = client.call("INFO")
    assert reply.startswith(b"$") and reply.endswith(b"\r\n")
    data = info(client)
    assert list(data) == ["now", "server_utc_time", "faktory", "server"]
    assert RFC3339NANO.fullmatch(data["now"]) and not re.search(r"\.\d*0Z$", data["now"])
    assert re.fullmatch(r"\d\d:\d\d:\d\d UTC", data["server_utc_time"])
    faktory = data["faktory"]
    assert list(faktory) == ["queues", "sets", "tasks", "total_failures", "total_processed",
                             "total_enqueued", "total_queues"]
    assert list(faktory["sets"]) == ["dead", "retries", "scheduled", "working"]
    tasks = faktory["tasks"]
    assert list(tasks) == ["Busy", "Dead", "Retries", "Scheduled", "Workers"]
    assert set(tasks["Busy"]) == {"reaped", "size"} == set(tasks["Workers"])
    for name in ("Dead", "Retries", "Scheduled"):
        assert set(tasks[name]) == {"cycles", "enqueued", "size", "wall_time_sec"}
        assert isinstance(tasks[name]["wall_time_sec"], float)
    server = data["server"]
    assert list(server) == ["description", "faktory_version", "uptime", "connections",
                            "command_count", "used_memory_mb"]
    assert server["description"] == "Faktory" and server["faktory_version"] == "1.10.0"
    assert all(isinstance(server[k], int) for k in ("uptime", "connections", "command_count",
                                                    "used_memory_mb"))


def test_info_counts_queues_and_totals(client):
    # P-65: every known queue (also empty), total_enqueued = sum, processed = ACKs + FAILs
    for queue in ("default", "default", "mail", "gone"):
        assert client.push(job(new_jid(), queue=queue)) == b"+OK\r\n"
    done = client.call_json("FETCH gone")["jid"]
    assert ack(client, done) == b"+OK\r\n"
    failed = client.call_json("FETCH mail")["jid"]
    assert fail(client, failed) == b"+OK\r\n"
    faktory = info(client)["faktory"]
    assert faktory["queues"] == {"default": 2, "gone": 0, "mail": 0}
    assert faktory["total_enqueued"] == 2 and faktory["total_queues"] == 3
    assert (faktory["total_processed"], faktory["total_failures"]) == (2, 1)
    assert faktory["sets"]["retries"] == 1


def test_info_counts_identified_connections_and_commands(client, connect):
    # P-65: connections = identified connections now; command_count grows per command
    connect(hello=False)  # not identified: not counted
    other = connect()
    first = info(client)["server"]
    assert first["connections"] == 2
    other.send(b"END")
    assert other.closed_by_server()
    assert wait_until(lambda: info(client)["server"]["connections"] == 1)
    before = info(client)["server"]["command_count"]
    client.call("CMD x")
    assert info(client)["server"]["command_count"] == before + 2  # unknown verbs count too


def test_beat_of_own_wid_is_ok(connect):
    # T-10, P-62, P-63
    worker = connect(wid="wid-beat", hostname="h", pid=42, labels=["golang"])
    assert beat(worker, "wid-beat") == b"+OK\r\n"
    assert beat(worker, "wid-beat", rss_kb=2048) == b"+OK\r\n"


def test_beat_stores_rss(connect, server):
    # P-62: rss_kb stored (shown on the Busy page); missing means 0
    worker = connect(wid="wid-rss", rss_kb=10)
    assert beat(worker, "wid-rss", rss_kb=4096) == b"+OK\r\n"
    assert core(server).workers.get("wid-rss").rss_kb == 4096
    assert beat(worker, "wid-rss") == b"+OK\r\n"
    assert core(server).workers.get("wid-rss").rss_kb == 0


def test_beat_for_unknown_worker_fails_and_does_not_register(client):
    # T-32, P-61
    assert beat(client, "wid-stranger") == b"-ERR unknown worker wid-stranger\r\n"
    assert beat(client, "wid-stranger") == b"-ERR unknown worker wid-stranger\r\n"
    assert info(client)["faktory"]["tasks"]["Workers"]["size"] == 0


@pytest.mark.parametrize("arg", [b"", b"{", b"[]", b'"wid"', b'{"wid":5}',
                                 b'{"wid":"w","rss_kb":"1"}', b'{"wid":"w","rss_kb":1.5}',
                                 b'{"wid":"w","current_state":7}',
                                 b'{"wid":"w","current_state":"bogus"}'])
def test_beat_with_invalid_argument(client, arg):
    # P-60; an unknown current_state is refused (deliberate: Faktory ignores it)
    assert client.call(b"BEAT " + arg) == b"-ERR invalid BEAT " + arg + b"\r\n"


def test_beat_state_moves_forward_only(connect):
    # T-33, T-31, W-03, P-63: quiet, "" keeps quiet, terminate, quiet cannot come back
    worker = connect(wid="wid-states")
    assert beat(worker, "wid-states", current_state="quiet") == QUIET
    assert beat(worker, "wid-states", current_state="") == QUIET
    assert beat(worker, "wid-states") == QUIET
    assert beat(worker, "wid-states", current_state="terminate") == TERMINATE
    assert beat(worker, "wid-states", current_state="quiet") == TERMINATE


def test_beat_with_running_state_never_moves_back(connect):
    # P-62, W-03: "running" is accepted and never un-quiets a worker
    worker = connect(wid="wid-running")
    assert beat(worker, "wid-running", current_state="running") == b"+OK\r\n"
    assert beat(worker, "wid-running", current_state="quiet") == QUIET
    assert beat(worker, "wid-running", current_state="running") == QUIET


def test_web_ui_quiet_then_stop(connect, server):
    # T-31, T-113, W-04: the Web UI signals; BEAT reports it as a bulk string
    worker = connect(wid="wid-ui")
    signal_worker(server, "wid-ui", WorkerState.QUIET)
    assert beat(worker, "wid-ui") == QUIET
    signal_worker(server, "wid-ui", WorkerState.TERMINATE)
    assert beat(worker, "wid-ui") == TERMINATE
    signal_worker(server, "wid-ui", WorkerState.QUIET)  # cannot go back
    assert beat(worker, "wid-ui") == TERMINATE


def test_quiet_worker_fetch_gets_nothing_after_two_seconds(connect, server):
    # T-113, P-42: a quiet worker's FETCH waits 2 s and answers $-1, the job stays for others.
    # W-08 (deliberate difference): Faktory quiets only the connection whose HELLO created the
    # worker entry; ours quiets every connection of that wid, so `extra` gets $-1 too.
    worker = connect(wid="wid-quiet")
    extra, bare = connect(wid="wid-quiet"), connect(wid="wid-quiet")
    assert worker.push(job("jid-for-others")) == b"+OK\r\n"
    signal_worker(server, "wid-quiet", WorkerState.QUIET)
    assert beat(worker, "wid-quiet") == QUIET
    replies: dict[str, bytes] = {}
    threads = [threading.Thread(target=lambda: replies.update(extra=extra.call("FETCH default"))),
               # P-42 comes before P-41: a quiet worker's bare FETCH is $-1, not an error
               threading.Thread(target=lambda: replies.update(bare=bare.call("FETCH")))]
    for thread in threads:
        thread.start()
    reply, elapsed = timed(lambda: worker.call("FETCH default"))
    for thread in threads:
        thread.join()
    assert reply == b"$-1\r\n" and replies == {"extra": b"$-1\r\n", "bare": b"$-1\r\n"}
    assert FETCH_WAIT_S - 0.1 <= elapsed < FETCH_WAIT_S + 1.0, elapsed
    # P-96: a quiet worker may still ACK, PUSH and INFO
    assert ack(worker, "jid-unknown-1") == b"+OK\r\n"
    assert worker.push(job(new_jid())) == b"+OK\r\n"
    producer = connect()
    assert producer.call_json("FETCH default")["jid"] == "jid-for-others"


def test_same_wid_connections_share_one_worker(connect, server):
    # W-02, W-06: later connections attach; the worker goes when its last connection closes
    first = connect(wid="wid-shared")
    second = connect(wid="wid-shared")
    observer = connect()
    assert info(observer)["faktory"]["tasks"]["Workers"]["size"] == 1
    first.send(b"END")
    assert first.closed_by_server()
    assert beat(second, "wid-shared") == b"+OK\r\n"
    second.send(b"END")
    assert second.closed_by_server()
    assert wait_until(lambda: beat(observer, "wid-shared") == b"-ERR unknown worker wid-shared\r\n")
    assert info(observer)["faktory"]["tasks"]["Workers"]["size"] == 0
