"""Daily history: processed and failed per day as paired bars, over 7, 30 or 90 days.

Past days do not change, so the span is fetched only when the panel is shown, when the span
changes, when the server (re)starts while it is shown, and every 60 s while it is visible; today's
bar rides the 1 s poll instead (`show_today`, fed by the dashboard), so it grows with the cards.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from faktory_desktop.storage.store import STORAGE_ERRORS
from faktory_desktop.ui.controller import ServerController, ServerNotRunning
from faktory_desktop.ui.dashboard.axes import CountAxis, DayAxis
from faktory_desktop.ui.dashboard.cards import format_count
from faktory_desktop.ui.dashboard.graphs import floor_fraction, make_plot
from faktory_desktop.ui.dashboard.segmented import Segmented
from faktory_desktop.ui.dashboard.theme import FAILED_COLOR, PROCESSED_COLOR, style_plot

log = logging.getLogger(__name__)

SPANS = tuple((f"{n} days", n) for n in (7, 30, 90))
REFRESH_MS = 60_000
BAR = 0.38  # each of a day's two bars, in days; the pair leaves a gap between days

Row = tuple[date, int, int]  # (local date, processed, failed)


NOT_REPORTED = ("Daily history is kept by this app's own server; "
                "the server being watched does not report it.")


class HistoryPanel(QWidget):
    """A header (title, legend, span picker, totals) over a bar graph."""

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.rows: list[Row] = []
        self.picker = Segmented(list(SPANS), 7)
        self.summary = QLabel()
        self.summary.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.axis = DayAxis()
        self.plot = make_plot(self.axis, CountAxis())
        self.processed_bars = pg.BarGraphItem(x=[], height=[], width=BAR, brush=PROCESSED_COLOR,
                                              pen=pg.mkPen(None))
        self.failed_bars = pg.BarGraphItem(x=[], height=[], width=BAR, brush=FAILED_COLOR,
                                           pen=pg.mkPen(None))
        self.plot.addItem(self.processed_bars)
        self.plot.addItem(self.failed_bars)
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer)
        self._timer.start()
        self.picker.changed.connect(lambda _days: self.refresh())
        controller.statusChanged.connect(self._on_status)  # a method: gone with the panel
        inflight = self._inflight  # not self: the slot runs after the widget is gone
        self.destroyed.connect(lambda: [task.cancel() for task in inflight.values()])
        self._build()
        style_plot(self.plot, self.palette())

    @property
    def days(self) -> int:
        return int(self.picker.value)  # type: ignore[call-overload]

    def refresh(self) -> None:
        """Fetch the current span now, unless that same fetch is already under way."""
        attached = self.controller.attached
        self.plot.setVisible(not attached)
        self.picker.setVisible(not attached)
        if attached:
            self.show_history([])
            self.summary.setText(NOT_REPORTED)
            return
        api = self.controller.api
        days = self.days
        if api is None or not self.controller.running or days in self._inflight:
            return
        self._inflight[days] = asyncio.ensure_future(self._fetch(days))

    def today(self) -> tuple[int, int] | None:
        """(processed, failed) for the last day shown, when it is today."""
        if self.rows and self.rows[-1][0] == date.today():
            return self.rows[-1][1], self.rows[-1][2]
        return None

    def show_today(self, row: Row) -> None:
        """Today's counts from the live poll: today's bar grows with the totals between fetches,
        and a new day fetches the span again."""
        if not self.rows or self.rows[-1] == row:
            return
        if self.rows[-1][0] != row[0]:
            self.refresh()
        else:
            self.show_history([*self.rows[:-1], row])

    def show_history(self, rows: list[Row]) -> None:
        self.rows = rows
        x = np.arange(len(rows), dtype=np.float64)
        self.axis.set_days([d for d, _, _ in rows])
        processed = np.array([p for _, p, _ in rows], dtype=np.float64)
        failed = np.array([f for _, _, f in rows], dtype=np.float64)
        self.processed_bars.setOpts(x=x - BAR / 2, height=processed)
        self.failed_bars.setOpts(x=x + BAR / 2, height=failed)
        if len(x):
            self.plot.setXRange(-0.6, x[-1] + 0.6, padding=0)
        top = max(1.0, float(processed.max(initial=0)), float(failed.max(initial=0))) * 1.12
        height = self.plot.getPlotItem().getViewBox().height()
        self.plot.setYRange(-floor_fraction(height) * top, top, padding=0)
        self.summary.setText(
            f"{format_count(int(processed.sum()))} processed · "
            f"{format_count(int(failed.sum()))} failed in the last {len(rows)} days")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            style_plot(self.plot, self.palette())

    async def _fetch(self, days: int) -> None:
        try:
            api = self.controller.api
            if api is None:
                return
            rows = await self.controller.call(api.history(days))
        except ServerNotRunning:
            return  # the banner says why; the next refresh tries again
        except STORAGE_ERRORS:
            return  # the engine is restarting: likewise
        except Exception:
            log.exception("reading the daily history failed")
            return
        finally:
            self._inflight.pop(days, None)
        if days == self.days:
            self.show_history(rows)

    def _on_status(self, _status: object) -> None:
        self._on_timer()

    def _on_timer(self) -> None:
        if self.isVisible():
            self.refresh()

    def _build(self) -> None:
        title = QLabel(
            f"<b>Daily history</b> &nbsp; <span style='color:{PROCESSED_COLOR}'>■</span> processed"
            f" &nbsp; <span style='color:{FAILED_COLOR}'>■</span> failed")
        title.setTextFormat(Qt.TextFormat.RichText)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.picker)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.summary)
        layout.addWidget(self.plot, 1)
        layout.addStretch(0)  # keeps the summary under the title while the plot is hidden
