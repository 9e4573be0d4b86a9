"""Prometheus metrics with the official `prometheus-client`: `GET /metrics` on a port of its own.

The same numbers as statsd: per job (a `JobListener`) counters of jobs and failures and the
feature counters, labelled `queue` and `jobtype`, and histograms of run time (FETCH to ACK) and of
push-to-fetch latency; at each scrape, INFO's numbers, each queue's size and latency and the
engine's round trip, read then (so a scrape always matches INFO).

The endpoint is a small asyncio server on the server's own loop: reading the numbers awaits the
engine like any other client, and `generate_latest` formats a few hundred lines. No thread, and
nothing waits on a slow scraper (each connection is its own task with a read timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from faktory_desktop.core.event_fold import Folded
from faktory_desktop.metrics.job_collector import JobCollector
from faktory_desktop.metrics.snapshot import Snapshot

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 10.0
_COUNTERS = ("processed", "failures")  # INFO's ever-growing totals; the rest are gauges

SnapshotSource = Callable[[], Awaitable[Snapshot]]


class PrometheusMetrics:
    def __init__(self, host: str, port: int, snapshot: SnapshotSource) -> None:
        self.host = host
        self.port = port
        self.registry = CollectorRegistry(auto_describe=True)
        self._state = _InfoCollector()
        self._jobs = JobCollector()
        self.registry.register(self._state)
        self.registry.register(self._jobs)
        self._snapshot = snapshot
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        """Listen; OSError (the port in use, an address not ours) goes to the caller."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("Prometheus metrics at http://%s:%d/metrics", _url_host(self.host), self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            self._server = None

    # -- JobListener ----------------------------------------------------------------------------

    wants_latency = True  # the push-to-fetch histogram

    def fold(self, jobs: Folded) -> None:
        self._jobs.fold(jobs)

    # -- HTTP -----------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, kind, body = await self._respond(reader)
            head = (f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a client that went away or never finished its request
        finally:
            writer.close()

    async def _respond(self, reader: asyncio.StreamReader) -> tuple[str, str, bytes]:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
        method, _, rest = head.partition(b" ")
        path = rest.split(b" ", 1)[0].split(b"?", 1)[0]
        if method != b"GET":
            return "405 Method Not Allowed", "text/plain", b"GET only\n"
        if path != b"/metrics":
            return "404 Not Found", "text/plain", b"Faktory Desktop: see /metrics\n"
        try:
            self._state.snapshot = await self._snapshot()
        except Exception as exc:  # the engine away: say so, as a scrape error
            log.warning("Prometheus: cannot read the server's numbers: %s", exc)
            return "503 Service Unavailable", "text/plain", f"{exc}\n".encode()
        return "200 OK", CONTENT_TYPE_LATEST, generate_latest(self.registry)


class _InfoCollector(Collector):
    """INFO's numbers as of the last scrape's snapshot."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None

    def collect(self) -> Iterator[Metric]:
        snap = self.snapshot
        if snap is None:
            return
        for name, value in snap.totals.items():
            family = CounterMetricFamily if name in _COUNTERS else GaugeMetricFamily
            yield family(f"faktory_{name}", f"INFO: {name}", value=value)
        size = GaugeMetricFamily("faktory_queue_size", "Jobs in the queue", labels=["queue"])
        for queue, n in snap.queues.items():
            size.add_metric([queue], n)
        yield size
        latency = GaugeMetricFamily("faktory_queue_latency_seconds",
                                    "Age of the oldest job in the queue", labels=["queue"])
        for queue, seconds in snap.latencies.items():
            latency.add_metric([queue], seconds)
        yield latency
        yield GaugeMetricFamily("faktory_redis_rtt_seconds", "Round trip to the engine",
                                value=snap.redis_rtt_us / 1e6)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
