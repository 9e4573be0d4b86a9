"""A clock the test moves by hand, for the server's cron runner, and cron helpers."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from faktory_desktop.core.cron.runner import Firing
from faktory_desktop.server.runtime import ServerThread
from tests.integration.wire import core, run


class ManualClock:
    """Stands still until `set()`; a sleeper wakes once the time it waits for has come."""

    def __init__(self, start: float) -> None:
        self.time = start
        self._lock = threading.Lock()
        self._sleepers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def now(self) -> float:
        return self.time

    async def sleep_until(self, moment: float) -> None:
        while self.time < moment:
            event = asyncio.Event()
            with self._lock:
                self._sleepers.append((asyncio.get_running_loop(), event))
            await event.wait()

    def set(self, moment: float) -> None:
        with self._lock:
            self.time = moment
            sleepers, self._sleepers = self._sleepers, []
        for loop, event in sleepers:
            loop.call_soon_threadsafe(event.set)


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def history(server: ServerThread, index: int = 0) -> list[Firing]:
    cron = core(server).cron
    entry = cron.entries[index]
    return [Firing.decode(r) for r in run(server, cron.store.history(entry.id))]
