"""Once a second, one snapshot of the server for every view that shows live numbers.

One poll serves them all (dashboard, tray tooltip, window title), so the cost per second is one
call into the core, whose cost grows with the number of queues, never with their sizes (or,
attached to another server, one INFO and one QUEUE LATENCY over FWP).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject, QTimer, Signal

from faktory_desktop.core.api import Snapshot
from faktory_desktop.storage.store import STORAGE_ERRORS
from faktory_desktop.ui.controller import ServerController, ServerNotRunning

log = logging.getLogger(__name__)
POLL_ERRORS: tuple[type[Exception], ...] = (ServerNotRunning, *STORAGE_ERRORS)


class Poller(QObject):
    snapshot = Signal(object)  # core.api.Snapshot

    def __init__(self, controller: ServerController, interval_ms: int = 1000,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.latest: Snapshot | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._pending: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._timer.start()
        self._tick()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        if self._pending is None or self._pending.done():
            self._pending = asyncio.ensure_future(self._poll())

    async def _poll(self) -> None:
        if not self.controller.status.live:
            return
        try:
            snap = await self.controller.snapshot()
        except POLL_ERRORS:
            return  # the status banner says why; the next tick tries again
        except Exception:
            log.exception("polling the server failed")
            return
        self.latest = snap
        self.snapshot.emit(snap)
