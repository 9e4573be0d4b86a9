"""Axes for the dashboard's plots: whole-number ticks for counts, and day labels for history."""

from __future__ import annotations

import math
from datetime import date

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

DAY_STEPS = (1, 2, 7, 14, 28)


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
        per_day = size / max(1e-9, maxVal - minVal)
        step = next((s for s in DAY_STEPS if s * per_day >= label_px), DAY_STEPS[-1])
        last = len(self.days) - 1
        return [(float(step), [float(i) for i in range(last, -1, -step)][::-1])]

    def tickStrings(self, values: list[float], scale: float,  # noqa: N802 - pyqtgraph's name
                    spacing: float) -> list[str]:
        labels = []
        for value in values:
            i = int(round(value))
            labels.append(day_label(self.days[i], self.today) if 0 <= i < len(self.days) else "")
        return labels
