"""The server's numbers at one moment, as both metrics outputs report them: INFO's totals, each
queue's size and latency, and the engine's round trip."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from faktory_desktop.core.service import CoreService


@dataclass(frozen=True)
class Snapshot:
    totals: dict[str, int]  # name -> value, the metric names of TOTALS
    queues: dict[str, int]  # queue -> size
    latencies: dict[str, float]  # queue -> seconds since its oldest job was enqueued
    redis_rtt_us: float


# INFO's numbers, named as the statsd gauges: processed, failures, the sets, the rest.
TOTALS = ("processed", "failures", "enqueued", "queues", "scheduled", "retries", "dead",
          "working", "busy", "workers", "connections")


async def take_snapshot(core: CoreService, latency_of: Iterable[str] | None = None) -> Snapshot:
    """INFO and the round trip; the latency of the queues in `latency_of` (None: all queues)."""
    started = time.perf_counter()
    await core.store.ping()
    rtt_us = (time.perf_counter() - started) * 1e6
    info = await core.info()
    faktory = info["faktory"]
    sets, tasks = faktory["sets"], faktory["tasks"]
    totals = {
        "processed": faktory["total_processed"],
        "failures": faktory["total_failures"],
        "enqueued": faktory["total_enqueued"],
        "queues": faktory["total_queues"],
        "scheduled": sets["scheduled"],
        "retries": sets["retries"],
        "dead": sets["dead"],
        "working": sets["working"],
        "busy": tasks["Busy"]["size"],
        "workers": tasks["Workers"]["size"],
        "connections": info["server"]["connections"],
    }
    queues: dict[str, int] = faktory["queues"]
    wanted = list(queues) if latency_of is None else list(latency_of)
    latencies = await core.manager.latency(wanted) if wanted else {}
    return Snapshot(totals, queues, latencies, rtt_us)
