"""A line under the cards counting what the Enterprise features turned away: jobs dropped at
FETCH because they had expired, and pushes refused because an identical unique job was there.

Both are totals since the data folder was created (`api.ent.counters()`, one MGET), read every
5 s while the dashboard is on screen, and only for the app's own server: a watched one does not
report them over FWP.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from faktory_desktop.core.humanize import count
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.dashboard.theme import dimmed_text
from faktory_desktop.ui.jobs.feedback import FAILED, Tasks, call_reported
from faktory_desktop.ui.jobs.shown_timer import Refresher
from faktory_desktop.ui.status import ServerStatus

REFRESH_MS = 5000
TIP = ("Expired: jobs whose custom.expires_at had passed when a worker fetched them; they were "
       "dropped, counted neither as processed nor as failed.\nRefused as duplicates: pushes "
       "answered NOTUNIQUE because an identical job (custom.unique_for) held its lock.")


def counts_text(expired: int, not_unique: int) -> str:
    return (f"{count(expired, 'expired job')} dropped at fetch · "
            f"{count(not_unique, 'duplicate push', 'duplicate pushes')} refused (unique jobs)")


class EnterpriseCounts(QWidget):
    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.tasks = Tasks()
        self.label = QLabel()
        self.setToolTip(TIP)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 0, 0, 0)
        layout.addWidget(self.label)
        self._restyle()
        self.timer = Refresher(self, REFRESH_MS, self.tasks, self.refresh)
        controller.statusChanged.connect(self._on_status)

    def text(self) -> str:
        return self.label.text()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()

    def _restyle(self) -> None:
        palette = self.label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, dimmed_text(self.palette()))
        self.label.setPalette(palette)

    def _on_status(self, _status: ServerStatus) -> None:
        if self.isVisible():
            self.timer.tick()

    async def refresh(self) -> None:
        if not self.controller.running:
            self.label.setText("")
            return
        counters = await call_reported(self.controller, lambda api: api.ent.counters(), None)
        if counters is not FAILED:
            self.label.setText(counts_text(*counters))
