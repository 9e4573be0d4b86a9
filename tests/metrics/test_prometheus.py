"""Prometheus: scrape a real server's /metrics and parse it with prometheus_client's parser."""

from __future__ import annotations

import logging
import socket
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from prometheus_client.parser import text_string_to_metric_families

from faktory_desktop.server.runtime import ServerThread
from tests.conftest import new_jid
from tests.fwp import RawClient, job
from tests.metrics.test_statsd import run_jobs

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(server: ServerThread) -> Samples:
    status = server.runtime.metrics.status
    assert status.prometheus is not None
    with urllib.request.urlopen(status.prometheus, timeout=10) as reply:
        assert reply.headers["Content-Type"].startswith("text/plain; version=")
        text = reply.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_match_info_after_a_known_workload(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient]) -> None:
    server = make_server(metrics_binding=("127.0.0.1", 0))
    worker = dial(server, wid="w1")
    run_jobs(worker, "Hello", acks=4, fails=2)
    for _ in range(3):
        assert worker.push(job(new_jid(), queue="later")) == b"+OK\r\n"
    samples = scrape(server)
    info = worker.call_json("INFO")["faktory"]

    assert samples["faktory_processed_total", ()] == info["total_processed"] == 6  # FAIL too
    assert samples["faktory_failures_total", ()] == info["total_failures"] == 2
    assert samples["faktory_enqueued", ()] == info["total_enqueued"] == 3
    assert samples["faktory_retries", ()] == info["sets"]["retries"] == 2
    assert samples["faktory_queue_size", (("queue", "later"),)] == 3
    assert samples["faktory_queue_latency_seconds", (("queue", "later"),)] >= 0
    assert samples["faktory_redis_rtt_seconds", ()] > 0

    hello = (("jobtype", "Hello"), ("queue", "default"))
    assert samples["faktory_jobs_total", hello] == 6
    assert samples["faktory_jobs_failed_total", hello] == 2
    assert samples["faktory_job_perform_seconds_count", hello] == 4
    every = tuple(sorted((*hello, ("le", "+Inf"))))
    assert samples["faktory_job_perform_seconds_bucket", every] == 4
    latency = (("queue", "default"),)
    assert samples["faktory_job_latency_seconds_count", latency] == 6


def test_prometheus_is_off_by_default_and_other_paths_are_404(
        make_server: Callable[..., ServerThread]) -> None:
    default = make_server()
    assert default.runtime.metrics.status.prometheus is None
    default.stop()
    server = make_server(metrics_binding=("127.0.0.1", 0))
    url = server.runtime.metrics.status.prometheus
    assert url is not None and url.startswith("http://127.0.0.1:")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url.replace("/metrics", "/other"), timeout=10)
    assert err.value.code == 404


def test_a_port_in_use_is_one_line_and_the_server_starts_without_metrics(
        make_server: Callable[..., ServerThread], dial: Callable[..., RawClient],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="faktory_desktop")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = make_server(metrics_binding=("127.0.0.1", port))
    assert dial(server).push(job(new_jid())) == b"+OK\r\n"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [f"Prometheus metrics are off: 127.0.0.1:{port} is already in use; "
                      "the Faktory server runs without them"]
    assert server.runtime.metrics.status.prometheus_error == f"127.0.0.1:{port} is already in use"
