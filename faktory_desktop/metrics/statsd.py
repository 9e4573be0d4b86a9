"""statsd / DogStatsD metrics, with Faktory Enterprise's names, types and tags.

Per job (a `JobListener`): `jobs.count` and `jobs.failed` counters and the `jobs.perform` timing
(ms, FETCH to ACK), tagged `queue:` and `jobtype:`, and the feature counters (`jobs.expired`,
`uniq.lock`, `uniq.denied`). Every 30 s: INFO's numbers as gauges, `enqueued.<queue>` and
`queue.size`, `latency.<queue>` and `queue.latency` (ms) for the `queueLatency` queues, and
`ops.redis.rtt_us`.

Nothing happens on the job's path: the job events' fold (`core.events`, every 100 ms) hands over
the jobs tallied by queue and jobtype, and they are formatted and sent then, through
`UdpSender`, which never blocks. The gauges are sent when read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from faktory_desktop.core.event_fold import Folded
from faktory_desktop.core.tasks import cancel_and_wait
from faktory_desktop.metrics.snapshot import Snapshot
from faktory_desktop.metrics.statsd_config import StatsdConfig
from faktory_desktop.metrics.udp import UdpSender

log = logging.getLogger(__name__)

GAUGES_EVERY_S = 30.0
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
        self._gauges: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Resolve the address and start sending; OSError when the host cannot be resolved."""
        await self.sender.open()
        await self._guarded(self._send_gauges)  # the first round: the server as it starts
        self._gauges = asyncio.create_task(self._every(GAUGES_EVERY_S, self._send_gauges))
        log.info("Sending statsd metrics to %s with namespace %s", self.config.location,
                 self._ns or "(none)")

    async def stop(self) -> None:
        """Stop sending; the job events were folded for the last time when it was removed."""
        if self._gauges is not None:
            await cancel_and_wait(self._gauges)
            self._gauges = None
        self.sender.close()

    # -- per job (JobListener) ------------------------------------------------------------------

    wants_latency = False  # statsd's latency is the queues' gauges, read from the engine

    def fold(self, jobs: Folded) -> None:
        """`jobs.count` and `jobs.failed` per tag set, a `jobs.perform` line per ACKed job, and
        the feature counters: sent at once."""
        lines: list[str] = []
        head = f"{self._ns}jobs."
        for (queue, jobtype), tally in jobs.finished.items():
            tags = self._tag_suffix(_job_tags(queue, jobtype))
            lines.append(f"{head}count:{len(tally.perform) + tally.failed}|c{tags}")
            if tally.failed:
                lines.append(f"{head}failed:{tally.failed}|c{tags}")
            lines += [f"{head}perform:{v * 1000:.3f}|ms{tags}" for v in tally.perform]
        lines += [self._line(name, str(n), "c", _job_tags(queue, jobtype))
                  for (name, queue, jobtype), n in jobs.features.items()]
        if lines:
            self.sender.send(lines)

    # -- sending --------------------------------------------------------------------------------

    def _line(self, name: str, value: str, kind: str, tags: str = "") -> str:
        return f"{self._ns}{name}:{value}|{kind}{self._tag_suffix(tags)}"

    def _tag_suffix(self, tags: str) -> str:
        """`|#` and the global tags, then `tags`; "" when there are none."""
        joined = f"{self._tags},{tags}" if self._tags and tags else self._tags or tags
        return f"|#{joined}" if joined else ""

    async def _send_gauges(self) -> None:
        snap = await self._snapshot(self.config.queue_latency)
        self.sender.send(self.gauge_lines(snap))

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
