"""The core, assembled: the job lifecycle, the worker registry and the housekeeping tasks.

The FWP server and the desktop UI hold one `CoreService` each call goes through.
"""

from __future__ import annotations

from typing import Any

from faktory_desktop.core.batches import Batches
from faktory_desktop.core.clock import Clock, SystemClock
from faktory_desktop.core.cron.runner import CronRunner
from faktory_desktop.core.features import Features
from faktory_desktop.core.gone import GoneWorkers
from faktory_desktop.core.info import ServerCounters, build_info
from faktory_desktop.core.manager import Manager
from faktory_desktop.core.scheduler import Scheduler
from faktory_desktop.core.tracking import Tracking
from faktory_desktop.core.workers import WorkerRegistry
from faktory_desktop.storage.cron_store import CronStore
from faktory_desktop.storage.store import Store


class CoreService:
    def __init__(self, store: Store, features: Features | None = None,
                 clock: Clock | None = None) -> None:
        self.store = store
        self.manager = Manager(store)
        self.batches = Batches(self.manager)
        self.tracking = Tracking(self.manager)
        self.workers = WorkerRegistry()
        self.scheduler = Scheduler(self.manager, self.workers)
        self.gone = GoneWorkers(self.manager, self.workers)
        self.counters = ServerCounters()
        clock = clock or SystemClock()  # the one clock of cron and throttle timeouts
        self.manager.throttles.clock = clock.now
        self.cron = CronRunner(self.manager, CronStore(store), clock)
        self.configure(features or Features())

    def configure(self, features: Features) -> None:
        """Apply conf.d's cron entries and throttles (at start, and at each reload)."""
        self.features = features
        self.cron.configure(features.cron)
        self.manager.throttles.configure(features.throttles)

    async def start(self) -> None:
        await self.store.open()
        await self.manager.start()
        self.scheduler.start()
        await self.cron.start()

    async def stop(self) -> None:
        await self.cron.stop()
        await self.scheduler.stop()
        self.manager.waiters.wake_all()
        await self.store.close()

    async def info(self) -> dict[str, Any]:
        return await build_info(self.manager, self.scheduler, self.workers, self.counters)
