"""statsd / DogStatsD: the exact lines a real UDP listener receives, and a dead statsd host."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from faktory_desktop.server.runtime import ServerThread
from tests.conftest import new_jid
from tests.fwp import RawClient, job
from tests.metrics.statsd_listener import StatsdListener


@pytest.fixture
def listener() -> Iterator[StatsdListener]:
    udp = StatsdListener()
    yield udp
    udp.close()


def statsd_table(port: int, **extra: object) -> dict[str, object]:
    return {"statsd": {"location": f"127.0.0.1:{port}", **extra}}


def run_jobs(worker: RawClient, jobtype: str, acks: int, fails: int) -> None:
    """Push acks + fails jobs of `jobtype` on `default`, fetch them all, ACK or FAIL each."""
    for _ in range(acks + fails):
        assert worker.push(job(new_jid(), jobtype)) == b"+OK\r\n"
    for n in range(acks + fails):
        jid = worker.call_json("FETCH default")["jid"]
        if n < acks:
            assert worker.call(f'ACK {{"jid":"{jid}"}}') == b"+OK\r\n"
        else:
            reply = worker.call(f'FAIL {{"jid":"{jid}","errtype":"E","message":"no"}}')
            assert reply == b"+OK\r\n"


def test_statsd_lines_have_enterprise_names_types_and_tags(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient],
        listener: StatsdListener) -> None:
    # A queue with jobs at startup, so that the first round of gauges reports it.
    first = make_server()
    for _ in range(3):
        assert dial(first).push(job(new_jid(), queue="waiting")) == b"+OK\r\n"
    first.stop()

    server = make_server(toml=statsd_table(listener.port, namespace="fd", tags=["env:test"],
                                           queueLatency=["waiting"]))
    run_jobs(dial(server, wid="w1"), "Hello", acks=2, fails=1)
    listener.receive_until(lambda _: listener.total("fd.jobs.count") >= 3
                           and bool(listener.named("fd.ops.redis.rtt_us")))

    job_tags = ("env:test", "queue:default", "jobtype:Hello")
    counts = listener.named("fd.jobs.count")
    assert {(m.kind, m.tags) for m in counts} == {("c", job_tags)}
    assert listener.total("fd.jobs.count") == 3
    failed = listener.named("fd.jobs.failed")
    assert [(m.value, m.kind, m.tags) for m in failed] == [(1, "c", job_tags)]
    perform = listener.named("fd.jobs.perform")
    assert len(perform) == 2 and all(m.kind == "ms" and m.tags == job_tags for m in perform)
    assert all(0 <= m.value < 60_000 for m in perform)

    gauges = {(m.name, m.tags): m for m in listener.metrics if m.kind == "g"}
    assert gauges["fd.enqueued.waiting", ("env:test",)].value == 3
    assert gauges["fd.queue.size", ("env:test", "queue:waiting")].value == 3
    assert gauges["fd.latency.waiting", ("env:test",)].value >= 0
    assert ("fd.queue.latency", ("env:test", "queue:waiting")) in gauges
    for name in ("processed", "failures", "enqueued", "scheduled", "retries", "dead",
                 "working", "busy", "workers", "connections"):
        assert ("fd." + name, ("env:test",)) in gauges, name
    assert gauges["fd.enqueued", ("env:test",)].value == 3
    assert ("fd.latency.default", ("env:test",)) not in gauges  # not in queueLatency
    assert gauges["fd.ops.redis.rtt_us", ("env:test",)].value > 0
    assert all(len(packet) <= 15 for packet in listener.packets)  # bufferSize's default


def test_buffer_size_caps_the_metrics_per_packet(
        make_server: Callable[..., ServerThread], listener: StatsdListener) -> None:
    make_server(toml=statsd_table(listener.port, bufferSize=2))
    listener.receive_until(lambda metrics: bool(listener.named("faktory.ops.redis.rtt_us")))
    assert len(listener.metrics) > 2 and all(len(p) <= 2 for p in listener.packets)
    assert listener.named("faktory.processed")[0].tags == ()  # the default namespace, no tags


def test_dd_dogstatsd_url_is_read_when_conf_d_has_no_statsd(
        make_server: Callable[..., ServerThread], listener: StatsdListener,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_DOGSTATSD_URL", f"udp://127.0.0.1:{listener.port}")
    make_server()
    listener.receive_until(lambda metrics: bool(listener.named("faktory.processed")))


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_dead_statsd_host_leaves_jobs_running_and_its_error_is_shown(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient]) -> None:
    server = make_server(toml=statsd_table(closed_udp_port()))
    worker = dial(server, wid="w1")
    deadline = time.monotonic() + 15
    # Each round's lines leave within 100 ms; the ICMP reply to one fails the next send.
    while server.runtime.metrics.status.statsd_error is None:
        assert time.monotonic() < deadline, "the send error was never recorded"
        run_jobs(worker, "Dead", acks=5, fails=0)
    assert server.runtime.metrics.status.statsd_error == "Connection refused"
    run_jobs(worker, "Dead", acks=5, fails=1)
    info = worker.call_json("INFO")
    assert info["faktory"]["total_failures"] == 1


@pytest.mark.parametrize(("table", "expected"), [
    ({"location": "nohost"}, '[statsd] location "nohost" is not HOST:PORT'),
    ({"location": "no-such-host.invalid:8125"}, 'cannot use [statsd] location '
                                                '"no-such-host.invalid:8125"'),
    ({"location": "127.0.0.1:8125", "bufferSize": 0}, "[statsd] bufferSize must be"),
])
def test_a_bad_statsd_table_is_one_line_and_the_server_starts_without_it(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient],
        caplog: pytest.LogCaptureFixture, table: dict[str, object], expected: str) -> None:
    caplog.set_level(logging.INFO, logger="faktory_desktop")
    server = make_server(toml={"statsd": table})
    assert dial(server).push(job(new_jid())) == b"+OK\r\n"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and expected in errors[0], errors
    assert errors[0].startswith("statsd metrics are off: ")
    assert errors[0].endswith("; the Faktory server runs without them")
    assert expected in (server.runtime.metrics.status.statsd_error or "")


def test_a_job_fetched_before_a_restart_is_counted_at_its_ack(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient],
        listener: StatsdListener) -> None:
    first = make_server()
    worker = dial(first, wid="w1")
    assert worker.push(job(new_jid(), "Long")) == b"+OK\r\n"
    jid = worker.call_json("FETCH default")["jid"]
    first.stop()
    server = make_server(toml=statsd_table(listener.port))
    assert dial(server, wid="w1").call(f'ACK {{"jid":"{jid}"}}') == b"+OK\r\n"
    listener.receive_until(lambda _: bool(listener.named("faktory.jobs.perform")))
    tags = ("queue:default", "jobtype:Long")
    [perform] = listener.named("faktory.jobs.perform")
    assert perform.tags == tags and perform.value >= 0
    assert listener.total("faktory.jobs.count", *tags) == 1
