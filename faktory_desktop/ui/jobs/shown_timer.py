"""A timer that runs only while its page is on screen: a page that reads every few seconds reads
nothing while hidden, and reads at once when it is shown again."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from faktory_desktop.ui.jobs.feedback import Tasks


class ShownTimer(QTimer):
    """Calls `tick` every `interval_ms` while `page` is shown, and once each time it is shown."""

    def __init__(self, page: QWidget, interval_ms: int, tick: Callable[[], None]) -> None:
        super().__init__(page)
        self.setInterval(interval_ms)
        self.timeout.connect(tick)
        self._tick = tick
        page.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Show:
            self.start()
            self._tick()
        elif event.type() == QEvent.Type.Hide:
            self.stop()
        return False


class Refresher(ShownTimer):
    """Runs `refresh()` in `tasks` every `interval_ms` while `page` is shown; a tick while a read
    (or an action of the page) is still under way is skipped, so reads never pile up."""

    def __init__(self, page: QWidget, interval_ms: int, tasks: Tasks,
                 refresh: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        super().__init__(page, interval_ms, self.tick)
        self.tasks, self.refresh = tasks, refresh

    def tick(self) -> None:
        if not self.tasks.busy:
            self.tasks.spawn(self.refresh())
