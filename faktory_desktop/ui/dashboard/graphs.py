"""Live graphs: a titled pyqtgraph plot over seconds-before-now, with one curve per series.

Curves are created once per series name and then only fed with `setData`; a series that
disappears (a removed queue) has its curve removed. The x range is the chosen window ending at
the newest sample (x = 0), so data flows in from the right while the axes stay still; the y range
starts at zero and rises in "nice" steps to fit the visible curves. A range that does not change
lets pyqtgraph keep both axes as drawn, and the axes are cached as pixmaps, so a tick repaints
little more than the curves. Mouse panning and zooming are off: the view is live.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from faktory_desktop.ui.dashboard.axes import EDGE_LABEL_PX, CountAxis, RecentAxis
from faktory_desktop.ui.dashboard.series import Window
from faktory_desktop.ui.dashboard.theme import style_plot

AXIS_WIDTH = 52  # the same left-axis width everywhere keeps stacked plots aligned
FLOOR_PX = 8  # the y range starts this far below zero: a line at zero clears the axis, and the
#               "0" label fits (pyqtgraph drops labels that would stick out of the plot)
NICE_TOPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
HEADROOM = 1.05  # the highest value stays at least this far below the top


def nice_top(value: float) -> float:
    """The smallest "nice" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^n) >= value, min 1.

    A y range that only moves in these steps stays the same for most ticks, and its top label
    is a round number.
    """
    if not value > 1.0:
        return 1.0
    scale = 10.0 ** math.floor(math.log10(value))
    return scale * next(n for n in NICE_TOPS if n * scale >= value * (1 - 1e-12))


def floor_fraction(height: float) -> float:
    """How far below zero the y range starts, as a fraction of the range above zero."""
    return FLOOR_PX / height if height > 4 * FLOOR_PX else 0.04


def make_plot(bottom: pg.AxisItem, left: pg.AxisItem | None = None) -> pg.PlotWidget:
    """A quiet plot: no mouse interaction, no context menu, no auto-range button."""
    axes = {"bottom": bottom} if left is None else {"bottom": bottom, "left": left}
    plot = pg.PlotWidget(axisItems=axes)
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMinimumHeight(150)
    item = plot.getPlotItem()
    left = item.getAxis("left")
    left.setWidth(AXIS_WIDTH)
    left.enableAutoSIPrefix(False)
    item.getViewBox().setDefaultPadding(0.0)
    for axis in (left, item.getAxis("bottom")):
        # Drawn once into a pixmap, and again only when its range or size changes.
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return plot


class LiveGraph(QWidget):
    """A title (rich text allowed) over a time plot whose curves are keyed by series name."""

    def __init__(self, title: str, color_of: Callable[[str], str], counts: bool = False,
                 parent: QWidget | None = None) -> None:
        """`counts`: the values are whole things (jobs, workers), so are the y ticks."""
        super().__init__(parent)
        self._color_of = color_of
        self.title = QLabel(title)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.plot = make_plot(RecentAxis(), CountAxis() if counts else None)
        # Room on the right for the "now" label, which is centred on the plot's right edge.
        self.plot.getPlotItem().layout.setContentsMargins(1, 1, EDGE_LABEL_PX // 2 + 2, 1)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._hidden: set[str] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        style_plot(self.plot, self.palette())

    def show_window(self, window: Window, span: float) -> None:
        """Plot `window` (the newest `span` seconds): one setData per curve, nothing rebuilt."""
        self._sync_curves(window.series)
        # Seconds before the newest sample; a new array, as the window views the ring buffers.
        ago = np.asarray(window.times) - (window.end or 0.0)
        for name, values in window.series.items():
            self.curves[name].setData(ago, np.array(values))
        top = nice_top(self._highest(window) * HEADROOM)
        view = self.plot.getPlotItem().getViewBox()
        view.setRange(xRange=(-span, 0), yRange=(-floor_fraction(view.height()) * top, top),
                      padding=0)

    def set_visible(self, name: str, visible: bool) -> None:
        """Show or hide one series (kept hidden across its removal and return)."""
        if visible:
            self._hidden.discard(name)
        else:
            self._hidden.add(name)
        curve = self.curves.get(name)
        if curve is not None:
            curve.setVisible(visible)

    def is_shown(self, name: str) -> bool:
        curve = self.curves.get(name)
        return curve is not None and curve.isVisible()

    def x_range(self) -> tuple[float, float]:
        low, high = self.plot.getPlotItem().getViewBox().viewRange()[0]
        return float(low), float(high)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            style_plot(self.plot, self.palette())

    def _sync_curves(self, names: Iterable[str]) -> None:
        wanted = set(names)
        for gone in self.curves.keys() - wanted:
            self.plot.removeItem(self.curves.pop(gone))
        for name in sorted(wanted - self.curves.keys()):
            self.curves[name] = self._new_curve(name)

    def _new_curve(self, name: str) -> pg.PlotDataItem:
        pen = pg.mkPen(self._color_of(name), width=2)
        curve = self.plot.plot(name=name, pen=pen, connect="finite")
        curve.setClipToView(True)
        curve.setDownsampling(auto=True, method="peak")
        curve.setVisible(name not in self._hidden)
        return curve

    def _highest(self, window: Window) -> float:
        """The highest value of the visible curves in the window (0 when there is none)."""
        top = 0.0
        for name, values in window.series.items():
            if name not in self._hidden and len(values) and not np.isnan(values).all():
                top = max(top, float(np.nanmax(values)))
        return top
