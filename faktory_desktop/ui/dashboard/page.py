"""The Dashboard page: totals, live graphs over a chosen window, and the daily history.

Each Poller snapshot (1/s) is recorded into fixed-size ring buffers whether or not the page is
on screen, so switching to it shows the last hour at once; the drawing itself (cards, one
`setData` per curve) happens only while the page is on screen (visible, in a window that is not
minimized), and again when it is shown.
Until the first snapshot, and whenever the server is not running, a placeholder stands in for
the graphs so nobody reads empty axes as "no traffic".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.core.api import Snapshot
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.dashboard.cards import CardsRow
from faktory_desktop.ui.dashboard.enterprise_counts import EnterpriseCounts
from faktory_desktop.ui.dashboard.graphs import LiveGraph
from faktory_desktop.ui.dashboard.history import HistoryPanel
from faktory_desktop.ui.dashboard.placeholder import Placeholder
from faktory_desktop.ui.dashboard.queues import QueueList
from faktory_desktop.ui.dashboard.segmented import Segmented
from faktory_desktop.ui.dashboard.series import LiveSeries, QueuePoint
from faktory_desktop.ui.dashboard.theme import (
    BUSY_COLOR,
    FAILED_COLOR,
    PROCESSED_COLOR,
    ColorBook,
)
from faktory_desktop.ui.jobs.gone_notice import gone_text
from faktory_desktop.ui.poller import Poller
from faktory_desktop.ui.status import ServerStatus

WINDOWS = (("1 min", 60), ("10 min", 600), ("1 h", 3600))
BUSY_TITLE = "<b>Busy processes</b>"
NOT_SAID = " (not reported by the server being watched)"


def _key(color: str) -> str:
    return f"<span style='color:{color}'>■</span>"


class DashboardPage(QWidget):
    """Totals, live graphs and daily history, fed by `poller.snapshot`."""

    def __init__(self, controller: ServerController, poller: Poller,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.clock: Callable[[], float] = time.time  # sample times (Unix, for the date axes)
        self.series = LiveSeries()
        self.colors = ColorBook()
        self.latest: Snapshot | None = None
        self.cards = CardsRow()
        self.ent_counts = EnterpriseCounts(controller)
        self.throughput = LiveGraph(
            f"<b>Jobs per second</b> &nbsp; {_key(PROCESSED_COLOR)} processed"
            f" &nbsp; {_key(FAILED_COLOR)} failed",
            {"processed": PROCESSED_COLOR, "failed": FAILED_COLOR}.__getitem__)
        self.busy = LiveGraph(BUSY_TITLE, lambda _name: BUSY_COLOR, counts=True)
        self.sizes = LiveGraph("<b>Queue size</b> (jobs)", self.colors.__getitem__, counts=True)
        self.latency = LiveGraph("<b>Queue latency</b> (s)", self.colors.__getitem__)
        self.throughput.setToolTip("Jobs acknowledged and failed per second")
        self.busy.setToolTip("Connected worker processes holding at least one job (the In progress "
                            "card counts jobs)")
        self.sizes.setToolTip("Jobs waiting in each queue")
        self.latency.setToolTip("Age of the oldest job waiting in each queue, in seconds")
        self.queue_list = QueueList(self.colors.__getitem__)
        self.window_picker = Segmented(WINDOWS, WINDOWS[0][1])
        self.history = HistoryPanel(controller)
        self.placeholder = Placeholder()
        self.stack = QStackedWidget()
        self._build()
        self.queue_list.toggled.connect(self._on_queue_toggled)
        self.window_picker.changed.connect(lambda _seconds: self.redraw())
        controller.statusChanged.connect(self._on_status)
        poller.snapshot.connect(self.on_snapshot)
        self._on_status(controller.status)
        if poller.latest is not None and controller.running:
            self.on_snapshot(poller.latest)

    @property
    def window_seconds(self) -> int:
        return int(self.window_picker.value)  # type: ignore[call-overload]

    def set_window(self, seconds: int) -> None:
        self.window_picker.select(seconds)

    def on_snapshot(self, snap: Snapshot) -> None:
        """Record one poll; draw it only if the page is on screen."""
        if not self.controller.status.live:
            return  # a poll that finished after the server stopped
        stats = snap.stats
        self.series.record(self.clock(), stats.processed, stats.failed, snap.busy_workers,
                           [QueuePoint(q.name, q.size, q.latency_s) for q in snap.queues])
        first = self.latest is None
        self.latest = snap
        if first:
            self.stack.setCurrentIndex(1)
        if self.on_screen():
            self.redraw()

    def on_screen(self) -> bool:
        """Shown, in a window that is not minimized: drawing for anything else is wasted (the
        next snapshot after the window comes back draws it, within a second)."""
        return self.isVisible() and not self.window().isMinimized()

    def redraw(self) -> None:
        """Cards and every live curve from the recorded series; nothing is rebuilt."""
        if self.latest is None:
            return
        self.cards.show_stats(self.latest.stats)
        self._show_busy_title()
        if self.latest.today is not None:
            self.history.show_today(self.latest.today)
        self.queue_list.sync(self.series.sizes.names)
        span = self.window_seconds
        self.throughput.show_window(self.series.rates.window(span), span)
        self.busy.show_window(self.series.busy.window(span), span)
        self.sizes.show_window(self.series.sizes.window(span), span)
        self.latency.show_window(self.series.latency.window(span), span)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.redraw()

    def _on_status(self, status: ServerStatus) -> None:
        self.placeholder.show_status(status)
        self._show_busy_title()
        if status.live:
            return
        if self.latest is not None:
            self.series.gap(self.clock())
            self.latest = None
        self.stack.setCurrentIndex(0)

    def _show_busy_title(self) -> None:
        """What the busy graph counts, and the jobs in progress that no process holds."""
        note = NOT_SAID if self.controller.attached else ""
        gone = self.latest.gone_jobs if self.latest is not None else 0
        if gone:
            note = f" · {gone_text(gone)}"
        self.busy.title.setText(BUSY_TITLE + note)

    def _on_queue_toggled(self, name: str, shown: bool) -> None:
        self.sizes.set_visible(name, shown)
        self.latency.set_visible(name, shown)
        if self.on_screen():
            self.redraw()  # the y range fits the queues shown

    def _build(self) -> None:
        live_header = QHBoxLayout()
        live_header.addWidget(QLabel("<b>Live</b>"))
        live_header.addStretch(1)
        live_header.addWidget(QLabel("Show the last"))
        live_header.addWidget(self.window_picker)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.throughput, 3)
        top.addWidget(self.busy, 2)
        bottom = QHBoxLayout()
        bottom.setSpacing(16)
        bottom.addWidget(self.sizes, 1)
        bottom.addWidget(self.latency, 1)
        queues = QVBoxLayout()
        queues.setSpacing(4)
        queues.addWidget(QLabel("<b>Queues</b>"))
        queues.addWidget(self.queue_list, 1)
        bottom.addLayout(queues)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(self.cards)
        layout.addWidget(self.ent_counts)
        layout.addLayout(live_header)
        layout.addLayout(top, 1)
        layout.addLayout(bottom, 1)
        layout.addWidget(self.history, 1)
        content.setMinimumHeight(700)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(scroll)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
