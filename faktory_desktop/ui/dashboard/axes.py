"""Axes for the dashboard's plots: whole-number ticks for counts, seconds before now for the live
graphs, and day labels for history.

The live graphs' x axis counts back from the newest sample ("−30 s", "now") rather than showing
clock times: its range then stays put as the data flows in from the right, so pyqtgraph keeps the
drawn axis instead of measuring and laying out its labels again every second. Under load that
redraw was the GUI's largest cost, and GUI time is time the server thread waits for the GIL.
"""

from __future__ import annotations

import math
from datetime import date

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetrics

DAY_STEPS = (1, 2, 7, 14, 28)
RECENT_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800)  # seconds between labels
MINUS = "\u2212"
EDGE_LABEL_PX = 24  # how far an end label may reach past the plot (it is centred on its tick)


class CountAxis(pg.AxisItem):
    """A left axis for things counted (jobs, workers): no 0.5-worker ticks."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("left", **kwargs)

    def tickValues(self, minVal: float, maxVal: float,  # noqa: N802, N803 - pyqtgraph's names
                   size: float) -> list[tuple[float, list[float]]]:
        levels = [(spacing, [v for v in values if float(v).is_integer()])
                  for spacing, values in super().tickValues(minVal, maxVal, size)
                  if spacing >= 1]
        if levels:
            return levels
        low, high = sorted((minVal, maxVal))
        return [(1.0, [float(v) for v in range(math.ceil(low), math.floor(high) + 1)])]


def label_step(steps: tuple[int, ...], per_unit_px: float, label_px: float) -> int:
    """The smallest step whose labels are at least `label_px` apart (else the largest)."""
    return next((s for s in steps if s * per_unit_px >= label_px), steps[-1])


def ago_label(seconds: float, step: int) -> str:
    """A tick `seconds` before the newest sample: "now", "−45 s", "−10 min"."""
    ago = round(-seconds)
    if ago == 0:
        return "now"
    if step % 60 == 0:
        return f"{MINUS}{ago // 60} min"
    return f"{MINUS}{ago} s"


class RecentAxis(pg.AxisItem):
    """A bottom axis over seconds relative to the newest sample, from -span to 0."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("bottom", **kwargs)
        self.enableAutoSIPrefix(False)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        """Room for the end labels ("−60 s", "now"), centred on the plot's edges.

        pyqtgraph drops a label that does not fit in this rect, and with the grid on it leaves
        no room past the edges (its `hideOverlappingLabels` margin applies only without a grid).
        """
        return super().boundingRect().adjusted(-EDGE_LABEL_PX, 0, EDGE_LABEL_PX, 0)

    def tickValues(self, minVal: float, maxVal: float,  # noqa: N802, N803 - pyqtgraph's names
                   size: float) -> list[tuple[float, list[float]]]:
        low, high = sorted((minVal, maxVal))
        font = self.style["tickFont"] or QFont()
        label_px = QFontMetrics(font).horizontalAdvance(f"{MINUS}10 min") + 16
        step = label_step(RECENT_STEPS, size / max(1e-9, high - low), label_px)
        first = math.ceil(high / step) * step  # anchored on "now", counting back
        return [(float(step), [float(v) for v in range(int(first), int(low) - 1, -step)
                               if low <= v <= high][::-1])]

    def tickStrings(self, values: list[float], scale: float,  # noqa: N802 - pyqtgraph's name
                    spacing: float) -> list[str]:
        return [ago_label(v, int(spacing)) for v in values]


def day_label(day: date, today: date) -> str:
    return "Today" if day == today else f"{day:%b} {day.day}"


class DayAxis(pg.AxisItem):
    """A bottom axis over day indexes 0..n-1 (oldest first), labelled with their dates.

    Labels are spaced in whole days or weeks and anchored on the newest day, so today is always
    labelled however many days fit.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("bottom", **kwargs)
        self.days: list[date] = []
        self.today = date.today()

    def set_days(self, days: list[date]) -> None:
        self.days = days
        self.today = date.today()
        self.picture = None  # labels change even when the range does not
        self.update()

    def tickValues(self, minVal: float, maxVal: float,  # noqa: N802, N803 - pyqtgraph's names
                   size: float) -> list[tuple[float, list[float]]]:
        if not self.days:
            return []
        font = self.style["tickFont"] or QFont()
        label_px = QFontMetrics(font).horizontalAdvance("Sep 30") + 24
        step = label_step(DAY_STEPS, size / max(1e-9, maxVal - minVal), label_px)
        last = len(self.days) - 1
        return [(float(step), [float(i) for i in range(last, -1, -step)][::-1])]

    def tickStrings(self, values: list[float], scale: float,  # noqa: N802 - pyqtgraph's name
                    spacing: float) -> list[str]:
        labels = []
        for value in values:
            i = int(round(value))
            labels.append(day_label(self.days[i], self.today) if 0 <= i < len(self.days) else "")
        return labels
