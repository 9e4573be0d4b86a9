"""Colours for the dashboard: series colours that read on light and dark backgrounds, and
pyqtgraph plots that follow the widget palette instead of pyqtgraph's fixed black canvas.

pyqtgraph is imported only where a plot is styled: the placeholder shown at launch uses the
colours here before the graphs' modules are loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette

if TYPE_CHECKING:
    import pyqtgraph as pg

# Tableau 10: distinct, medium lightness, legible on white and on near-black alike.
SERIES_COLORS = (
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
    "#edc948", "#ff9da7", "#9c755f", "#e15759", "#bab0ac",
)
PROCESSED_COLOR = "#4e79a7"
FAILED_COLOR = "#e15759"
BUSY_COLOR = "#59a14f"


class ColorBook:
    """A colour per name, handed out in order of first appearance and kept while the app runs,
    so a queue keeps its colour in every graph and in the queue list."""

    def __init__(self, colors: tuple[str, ...] = SERIES_COLORS) -> None:
        self._colors = colors
        self._assigned: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        color = self._assigned.get(name)
        if color is None:
            color = self._colors[len(self._assigned) % len(self._colors)]
            self._assigned[name] = color
        return color


def dimmed_text(palette: QPalette) -> QColor:
    """Secondary text: the window text blended halfway toward the window background."""
    fg = palette.color(QPalette.ColorRole.WindowText)
    bg = palette.color(QPalette.ColorRole.Window)
    return QColor((fg.red() + bg.red()) // 2, (fg.green() + bg.green()) // 2,
                  (fg.blue() + bg.blue()) // 2)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def style_plot(plot: pg.PlotWidget, palette: QPalette) -> None:
    """Canvas, axes and grid in the palette's colours (call again when the palette changes)."""
    import pyqtgraph as pg
    plot.setBackground(palette.color(QPalette.ColorRole.Base))
    text = dimmed_text(palette)
    line = palette.color(QPalette.ColorRole.Mid)
    item = plot.getPlotItem()
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(line))
        axis.setTextPen(pg.mkPen(text))
    item.showGrid(x=True, y=True, alpha=0.35 if is_dark(palette) else 0.2)
