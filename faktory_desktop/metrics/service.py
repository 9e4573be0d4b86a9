"""The metrics outputs the settings ask for (statsd, Prometheus), started beside the FWP server.

Neither is needed to run jobs: one that cannot start (a bad `[statsd]` table, a host that does
not resolve, a port in use) logs one line saying it is off, and the server runs without it. A
reload of conf.d (SIGHUP, the app's Reload Configuration) restarts statsd with a changed
`[statsd]`; one that cannot be used leaves the running statsd as it was, with one line.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Any

from faktory_desktop.bind_errors import bind_problem
from faktory_desktop.config import Settings
from faktory_desktop.core.service import CoreService
from faktory_desktop.metrics.prometheus import PrometheusMetrics
from faktory_desktop.metrics.snapshot import Snapshot, take_snapshot
from faktory_desktop.metrics.statsd import StatsdMetrics
from faktory_desktop.metrics.statsd_config import StatsdConfig, StatsdConfigError, statsd_config

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
        self._reloading = asyncio.Lock()

    async def start(self) -> None:
        await self._start_statsd()
        await self._start_prometheus()

    async def stop(self) -> None:
        await self._stop_statsd()
        if self.prometheus is not None:
            self.core.manager.events.remove(self.prometheus)
            await self.prometheus.stop()
            self.prometheus = None

    async def reload_statsd(self, toml: dict[str, Any]) -> None:
        """Put conf.d's `[statsd]` (`toml`: conf.d read again) in force when it changed: the
        new sender is started, then the old one stopped. One that cannot be used is logged and
        the running one (or none) stays. Two reloads at once take turns."""
        async with self._reloading:
            try:
                config = statsd_config(toml, self.env)
                if config == (self.statsd.config if self.statsd else None):
                    return
                metrics = await self._started_statsd(config) if config else None
            except StatsdConfigError as exc:
                kept = "the previous settings stay in force" if self.statsd else "it stays off"
                log.error("statsd not reloaded, %s: %s", kept, exc)
                if self.statsd is None:
                    self._statsd_error = str(exc)
                return
            await self._stop_statsd()
            self._use_statsd(metrics)
            if metrics is None:
                log.info("statsd metrics are off: conf.d has no [statsd] location any more")

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
            self._use_statsd(await self._started_statsd(config) if config else None)
        except StatsdConfigError as exc:
            self._off("statsd", str(exc))

    async def _started_statsd(self, config: StatsdConfig) -> StatsdMetrics:
        """statsd sending to `config`'s address; StatsdConfigError when it cannot."""
        metrics = StatsdMetrics(config, self._snapshot)
        try:
            await metrics.start()
        except (OSError, UnicodeError) as exc:  # UnicodeError: a host name IDNA refuses
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise StatsdConfigError(f'cannot use [statsd] location "{config.location}": '
                                    f"{why}") from None
        return metrics

    def _use_statsd(self, metrics: StatsdMetrics | None) -> None:
        self.statsd, self._statsd_error = metrics, None
        if metrics is not None:
            self.core.manager.events.add(metrics)

    async def _stop_statsd(self) -> None:
        if self.statsd is not None:
            self.core.manager.events.remove(self.statsd)  # hands it the last job events
            await self.statsd.stop()
            self.statsd = None

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
