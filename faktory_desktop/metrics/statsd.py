"""statsd / DogStatsD metrics, with Faktory Enterprise's names, types and tags.

Per job (a `JobListener`): `jobs.count` and `jobs.failed` counters and the `jobs.perform` timing
(ms, FETCH to ACK), tagged `queue:` and `jobtype:`, and the feature counters (`jobs.expired`,
`uniq.lock`, `uniq.denied`). Every 30 s: INFO's numbers as gauges, `enqueued.<queue>` and
`queue.size`, `latency.<queue>` and `queue.latency` (ms) for the `queueLatency` queues, and
`ops.redis.rtt_us`.

A job only adds to a counter and appends its run time to a list, in memory. Counters are summed
per tag set, and every 100 ms a task of its own formats the lines and sends them through
`UdpSender`, which never blocks.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable

from faktory_desktop.core.tasks import cancel_and_wait
from faktory_desktop.metrics.snapshot import Snapshot
from faktory_desktop.metrics.statsd_config import StatsdConfig
from faktory_desktop.metrics.udp import UdpSender

log = logging.getLogger(__name__)

FLUSH_EVERY_S = 0.1
GAUGES_EVERY_S = 30.0
MAX_PENDING = 100_000  # run times kept per tag set between flushes; beyond, dropped
_TAG_UNSAFE = str.maketrans({",": "_", "|": "_", "#": "_", "\n": "_", "\r": "_"})
_NAME_UNSAFE = str.maketrans({":": "_", "|": "_", "@": "_", "#": "_", "\n": "_", "\r": "_"})

SnapshotSource = Callable[[tuple[str, ...]], Awaitable[Snapshot]]


class StatsdMetrics:
    def __init__(self, config: StatsdConfig, snapshot: SnapshotSource) -> None:
        self.config = config
        self.sender = UdpSender(config.host, config.port, config.buffer_size)
        self._ns = config.namespace
        self._tags = ",".join(t.translate(_TAG_UNSAFE) for t in config.tags)
        self._snapshot = snapshot
        self._counts: Counter[tuple[str, str, str]] = Counter()  # (name, queue, jobtype)
        self._timings: dict[tuple[str, str], list[float]] = {}  # jobs.perform s, by tag set
        self._lines: list[str] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Resolve the address and start sending; OSError when the host cannot be resolved."""
        await self.sender.open()
        await self._guarded(self._send_gauges)  # the first round: the server as it starts
        self._tasks = [asyncio.create_task(self._every(FLUSH_EVERY_S, self._flush)),
                       asyncio.create_task(self._every(GAUGES_EVERY_S, self._send_gauges))]
        log.info("Sending statsd metrics to %s with namespace %s", self.config.location,
                 self._ns or "(none)")

    async def stop(self) -> None:
        for task in self._tasks:
            await cancel_and_wait(task)
        self._tasks = []
        await self._flush()
        self.sender.close()

    # -- per job (JobListener), on the job's path: memory only ----------------------------------

    def job_fetched(self, queue: str, jobtype: str, waited_s: float) -> None:
        """statsd has no per-job latency metric (the queues' latency gauges cover it)."""

    def job_finished(self, queue: str, jobtype: str, perform_s: float | None) -> None:
        self._counts["jobs.count", queue, jobtype] += 1
        if perform_s is None:
            self._counts["jobs.failed", queue, jobtype] += 1
            return
        timings = self._timings.get((queue, jobtype))
        if timings is None:
            timings = self._timings[queue, jobtype] = []
        if len(timings) < MAX_PENDING:
            timings.append(perform_s)

    def feature_count(self, name: str, queue: str, jobtype: str) -> None:
        self._counts[name, queue, jobtype] += 1

    # -- sending --------------------------------------------------------------------------------

    def _line(self, name: str, value: str, kind: str, tags: str = "") -> str:
        return f"{self._ns}{name}:{value}|{kind}{self._tag_suffix(tags)}"

    def _tag_suffix(self, tags: str) -> str:
        """`|#` and the global tags, then `tags`; "" when there are none."""
        joined = f"{self._tags},{tags}" if self._tags and tags else self._tags or tags
        return f"|#{joined}" if joined else ""

    async def _flush(self) -> None:
        counts, self._counts = self._counts, Counter()
        timings, self._timings = self._timings, {}
        lines, self._lines = self._lines, []
        lines += [self._line(name, str(n), "c", _job_tags(queue, jobtype))
                  for (name, queue, jobtype), n in counts.items()]
        head = f"{self._ns}jobs.perform:"
        for (queue, jobtype), values in timings.items():
            tail = "|ms" + self._tag_suffix(_job_tags(queue, jobtype))
            lines += [f"{head}{v * 1000:.3f}{tail}" for v in values]
        if lines:
            self.sender.send(lines)

    async def _send_gauges(self) -> None:
        snap = await self._snapshot(self.config.queue_latency)
        self._lines += self.gauge_lines(snap)

    def gauge_lines(self, snap: Snapshot) -> list[str]:
        lines = [self._line(name, str(value), "g") for name, value in snap.totals.items()]
        for queue, size in snap.queues.items():
            lines.append(self._line(f"enqueued.{queue.translate(_NAME_UNSAFE)}", str(size), "g"))
            lines.append(self._line("queue.size", str(size), "g", _queue_tag(queue)))
        for queue, seconds in snap.latencies.items():
            ms = f"{seconds * 1000:.0f}"
            lines.append(self._line(f"latency.{queue.translate(_NAME_UNSAFE)}", ms, "g"))
            lines.append(self._line("queue.latency", ms, "g", _queue_tag(queue)))
        lines.append(self._line("ops.redis.rtt_us", f"{snap.redis_rtt_us:.0f}", "g"))
        return lines

    @staticmethod
    async def _every(period: float, action: Callable[[], Awaitable[None]]) -> None:
        """Run `action` every `period` seconds; log what it raises and go on."""
        while True:
            await asyncio.sleep(period)
            await StatsdMetrics._guarded(action)

    @staticmethod
    async def _guarded(action: Callable[[], Awaitable[None]]) -> None:
        try:
            await action()
        except Exception as exc:  # the engine away for a moment: try again next time
            log.warning("statsd: %s failed: %s", action.__name__.strip("_"), exc)


def _queue_tag(queue: str) -> str:
    return "queue:" + queue.translate(_TAG_UNSAFE)


def _job_tags(queue: str, jobtype: str) -> str:
    return f"queue:{queue.translate(_TAG_UNSAFE)},jobtype:{jobtype.translate(_TAG_UNSAFE)}"
