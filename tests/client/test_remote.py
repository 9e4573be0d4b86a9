"""Watching a Faktory server over FWP (the app's attach mode), against a real server."""

from __future__ import annotations

import math

import pytest

from faktory_desktop.client.fwp import FWPError, PasswordRequired
from faktory_desktop.client.remote import RemoteFaktory, find_web_ui, snapshot_from_info
from tests.fwp import http_server, job


async def test_snapshot_reads_totals_sizes_and_latency(server, connect):
    client = connect()
    for n in range(3):
        assert client.push(job(f"remote-job-{n}", queue="mail")) == b"+OK\r\n"
    assert client.push(job("remote-critical", queue="critical")) == b"+OK\r\n"
    fetched = client.call_json("FETCH critical")
    client.call(f'ACK {{"jid":"{fetched["jid"]}"}}')
    remote = await RemoteFaktory.connect("127.0.0.1", server.runtime.port, None)
    try:
        snap = await remote.snapshot()
    finally:
        remote.close()
    assert snap.stats.processed == 1 and snap.stats.enqueued == 3
    assert snap.stats.connections >= 2  # the raw client and this one
    sizes = {q.name: q.size for q in snap.queues}
    assert sizes == {"critical": 0, "mail": 3}
    latency = {q.name: q.latency_s for q in snap.queues}
    assert latency["mail"] >= 0 and latency["critical"] == 0
    assert all(q.paused is None for q in snap.queues)  # FWP does not say
    assert snap.busy_workers is None
    assert remote.server is not None and remote.server.version


async def test_pause_all_and_resume_all_reach_the_server(server, connect):
    assert connect().push(job("job-to-pause", queue="mail")) == b"+OK\r\n"
    remote = await RemoteFaktory.connect("127.0.0.1", server.runtime.port, None)
    try:
        await remote.pause_all()
        assert server.runtime.core.manager.paused == {"mail"}
        await remote.resume_all()
        assert server.runtime.core.manager.paused == set()
    finally:
        remote.close()


async def test_a_password_is_needed_and_checked(make_server):
    locked = make_server(password="s3cret")
    port = locked.runtime.port
    with pytest.raises(PasswordRequired):
        await RemoteFaktory.connect("127.0.0.1", port, None)
    with pytest.raises(FWPError, match="refused HELLO"):
        await RemoteFaktory.connect("127.0.0.1", port, "wrong")
    remote = await RemoteFaktory.connect("127.0.0.1", port, "s3cret")
    try:
        assert (await remote.snapshot()).stats.processed == 0
    finally:
        remote.close()


async def test_a_server_that_goes_away_is_an_fwp_error(make_server):
    doomed = make_server()
    remote = await RemoteFaktory.connect("127.0.0.1", doomed.runtime.port, None)
    await remote.snapshot()
    doomed.stop()
    with pytest.raises(FWPError):
        await remote.snapshot()
    assert remote.closed


async def test_nothing_listening_is_an_os_error(make_server):
    gone = make_server()
    port = gone.runtime.port
    gone.stop()
    with pytest.raises(OSError):
        await RemoteFaktory.connect("127.0.0.1", port, None)


def test_a_server_without_queue_latency_leaves_latency_unknown():
    info = {"faktory": {"queues": {"b": 2, "a": 0}, "sets": {"working": 1, "dead": 4},
                        "tasks": {"Workers": {"size": 3}},
                        "total_processed": 10, "total_failures": 2, "total_enqueued": 2},
            "server": {"connections": 5}}
    snap = snapshot_from_info(info, None)
    assert [q.name for q in snap.queues] == ["a", "b"]
    assert all(math.isnan(q.latency_s) for q in snap.queues)
    stats = snap.stats
    assert (stats.processed, stats.failed, stats.busy, stats.dead, stats.workers,
            stats.connections) == (10, 2, 1, 4, 3, 5)


@pytest.fixture
def http_port():
    with http_server() as port:
        yield port


async def test_the_web_ui_is_found_where_http_answers(http_port, server, make_server, tmp_path):
    assert await find_web_ui("127.0.0.1", http_port) == f"http://127.0.0.1:{http_port}/"
    assert await find_web_ui("127.0.0.1", server.runtime.port) is None  # FWP, not HTTP
    gone = make_server(data_dir=tmp_path / "gone")
    closed_port = gone.runtime.port
    gone.stop()
    assert await find_web_ui("127.0.0.1", closed_port) is None
