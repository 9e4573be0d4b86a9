"""The metrics outputs the settings ask for (statsd, Prometheus), started beside the FWP server.

Neither is needed to run jobs: one that cannot start (a bad `[statsd]` table, a host that does
not resolve, a port in use) logs one line saying it is off, and the server runs without it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from faktory_desktop.bind_errors import bind_problem
from faktory_desktop.config import Settings
from faktory_desktop.core.service import CoreService
from faktory_desktop.metrics.prometheus import PrometheusMetrics
from faktory_desktop.metrics.snapshot import Snapshot, take_snapshot
from faktory_desktop.metrics.statsd import StatsdMetrics
from faktory_desktop.metrics.statsd_config import StatsdConfigError, statsd_config

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MetricsStatus:
    """What the app's Server panel shows: each output's address (None: off) and its error."""

    statsd: str | None = None
    statsd_error: str | None = None  # why it is off, or the last send error
    statsd_error_at: float | None = None  # time.time() of the last send error
    prometheus: str | None = None  # the /metrics URL
    prometheus_error: str | None = None


class MetricsService:
    def __init__(self, settings: Settings, core: CoreService,
                 env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.core = core
        self.env = dict(os.environ) if env is None else env
        self.statsd: StatsdMetrics | None = None
        self.prometheus: PrometheusMetrics | None = None
        self._statsd_error: str | None = None
        self._prometheus_error: str | None = None

    async def start(self) -> None:
        await self._start_statsd()
        await self._start_prometheus()

    async def stop(self) -> None:
        events = self.core.manager.events
        if self.statsd is not None:
            events.remove(self.statsd)
            await self.statsd.stop()
            self.statsd = None
        if self.prometheus is not None:
            events.remove(self.prometheus)
            await self.prometheus.stop()
            self.prometheus = None

    @property
    def status(self) -> MetricsStatus:
        statsd_error, error_at = self._statsd_error, None
        if self.statsd is not None:
            statsd_error, error_at = self.statsd.sender.last_error, self.statsd.sender.last_error_at
        prometheus = None
        if self.prometheus is not None:
            host = self.prometheus.host
            shown = f"[{host}]" if ":" in host else host
            prometheus = f"http://{shown}:{self.prometheus.port}/metrics"
        return MetricsStatus(
            statsd=self.statsd.config.location if self.statsd else None,
            statsd_error=statsd_error,
            statsd_error_at=error_at,
            prometheus=prometheus,
            prometheus_error=self._prometheus_error,
        )

    async def _start_statsd(self) -> None:
        try:
            config = statsd_config(self.settings.toml, self.env)
        except StatsdConfigError as exc:
            self._off("statsd", str(exc))
            return
        if config is None:
            return
        metrics = StatsdMetrics(config, self._snapshot)
        try:
            await metrics.start()
        except (OSError, UnicodeError) as exc:  # UnicodeError: a host name IDNA refuses
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self._off("statsd", f'cannot use [statsd] location "{config.location}": {why}')
            return
        self.statsd = metrics
        self.core.manager.events.add(metrics)

    async def _start_prometheus(self) -> None:
        if self.settings.metrics_binding is None:
            return
        host, port = self.settings.metrics_binding
        metrics = PrometheusMetrics(host, port, self._snapshot)
        try:
            await metrics.start()
        except OSError as exc:
            self._off("Prometheus", bind_problem(host, port, exc))
            return
        if host not in ("127.0.0.1", "::1", "localhost"):
            log.warning("Prometheus /metrics listens on %s, not only on this computer: anyone "
                        "who reaches that address can read the server's numbers", host)
        self.prometheus = metrics
        self.core.manager.events.add(metrics)

    def _off(self, name: str, why: str) -> None:
        log.error("%s metrics are off: %s; the Faktory server runs without them", name, why)
        if name == "statsd":
            self._statsd_error = why
        else:
            self._prometheus_error = why

    async def _snapshot(self, latency_of: tuple[str, ...] | None = None) -> Snapshot:
        """The numbers now; the job events are folded first, so a scrape right after a
        workload counts all of its jobs, as INFO does."""
        self.core.manager.events.fold()
        return await take_snapshot(self.core, latency_of)
