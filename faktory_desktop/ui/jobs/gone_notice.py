"""A notice over the Busy screen and the Workers page: jobs reserved by worker processes that
have gone, when their reservations run out, and "Requeue now".

After a worker process dies its jobs stay in progress, counted by the In progress card, until
`reserve_for` runs out; this says so, instead of leaving the numbers to disagree. The notice
reads the core every 2 s while its page is on screen, and is hidden while there are none.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from faktory_desktop.core import humanize
from faktory_desktop.core.gone import GoneJobs
from faktory_desktop.core.timefmt import NS
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.feedback import MessageLine, Tasks, call_api, failure_text

REFRESH_MS = 2000


def gone_text(jobs: int) -> str:
    """ "4 jobs reserved by workers that have gone" """
    return f"{humanize.count(jobs, 'job')} reserved by workers that have gone"


def back_text(gone: GoneJobs) -> str:
    """The notice: how many, and when they return by themselves (HH:MM, with the date when it
    is not today)."""
    moment = time.localtime(gone.back_after_ns // NS)
    same_day = moment[:3] == time.localtime()[:3]
    at = time.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M", moment)
    return f"{gone_text(gone.jobs)}, back in their queues for a retry after {at}"


class GoneNotice(QFrame):
    """Hidden unless some jobs are held by workers that have gone."""

    requeued = Signal(int)  # how many jobs went back on their queues

    def __init__(self, controller: ServerController, host: QWidget, message: MessageLine,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.host = host
        self.message = message  # the host page's message line, for the outcome
        self.tasks = Tasks()
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton("Requeue now")
        self.button.setToolTip("Put these jobs back on their queues now, for another worker")
        self.button.clicked.connect(lambda: self.tasks.spawn(self.requeue()))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        host.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.host and event.type() == QEvent.Type.Show:
            self.timer.start()
            self._tick()
        elif watched is self.host and event.type() == QEvent.Type.Hide:
            self.timer.stop()
        return False

    def _tick(self) -> None:
        if not self.tasks.busy:
            self.tasks.spawn(self.refresh())

    async def refresh(self) -> None:
        if not self.controller.running:
            self.hide()
            return
        try:
            gone = await call_api(self.controller, lambda api: api.gone_jobs())
        except Exception as exc:
            if failure_text(exc) is None:
                raise
            self.hide()
            return
        self.show_gone(gone)

    def show_gone(self, gone: GoneJobs) -> None:
        if gone.jobs:
            self.label.setText(back_text(gone))
        self.setVisible(bool(gone.jobs))

    async def requeue(self) -> None:
        try:
            moved = await call_api(self.controller, lambda api: api.requeue_gone())
        except Exception as exc:
            text = failure_text(exc)
            if text is None:
                raise
            self.message.show_error(text)
            return
        self.message.show_success(f"Put {humanize.count(moved, 'job')} back on their queues.")
        self.requeued.emit(moved)
        await self.refresh()
