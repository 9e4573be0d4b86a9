"""The server's wall clock for cron, one object that tests can replace to drive firing."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Epoch seconds."""

    async def sleep_until(self, moment: float) -> None:
        """Return at `moment` (epoch seconds) or soon after."""


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep_until(self, moment: float) -> None:
        # asyncio sleeps on the monotonic clock: re-check the wall clock, which may have moved
        while (left := moment - time.time()) > 0:
            await asyncio.sleep(left)
