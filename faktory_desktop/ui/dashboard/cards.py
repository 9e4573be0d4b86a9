"""The totals row: one card per number (processed, failed, enqueued, ...), big and plain.

Cards draw with palette roles only (Base background, WindowText value, dimmed caption), so they
read in light and dark themes alike and follow a theme change while the app runs.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from faktory_desktop.core.api import Stats
from faktory_desktop.ui.dashboard.theme import dimmed_text

# (Stats field, caption, tooltip)
CARDS: tuple[tuple[str, str, str], ...] = (
    ("processed", "Processed", "Jobs acknowledged since the data folder was created"),
    ("failed", "Failed", "Job failures reported by workers since the data folder was created"),
    ("enqueued", "Enqueued", "Jobs waiting in all queues"),
    ("scheduled", "Scheduled", "Jobs scheduled to run later"),
    ("retries", "Retries", "Failed jobs waiting for their next retry"),
    ("dead", "Dead", "Jobs that used up their retries"),
    ("busy", "In progress", "Jobs reserved by workers right now, counting those whose worker "
     "process has gone (the Busy screen lists them)"),
    ("connections", "Connections", "Client connections open now"),
)


def format_count(n: int) -> str:
    return f"{n:,}"


class StatCard(QFrame):
    """A big number over a small caption."""

    def __init__(self, caption: str, tooltip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = QLabel("–")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setWeight(QFont.Weight.DemiBold)
        self.value.setFont(font)
        self.caption = QLabel(caption.upper())
        small = QFont(self.caption.font())
        small.setPointSizeF(small.pointSizeF() * 0.8)
        small.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
        self.caption.setFont(small)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setToolTip(tooltip)
        # Ignored: the row decides how many cards fit on a line, not the cards' text widths.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self._restyle()

    def set_value(self, n: int) -> None:
        self.value.setText(format_count(n))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()

    def _restyle(self) -> None:
        palette = self.caption.palette()
        palette.setColor(QPalette.ColorRole.WindowText, dimmed_text(self.palette()))
        self.caption.setPalette(palette)


class CardsRow(QWidget):
    """All the cards, in Faktory's order: one row of eight, or two of four when it is narrow."""

    SPACING = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards: dict[str, StatCard] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(self.SPACING)
        self._columns = 0
        for key, caption, tooltip in CARDS:
            self.cards[key] = StatCard(caption, tooltip)
        self._arrange(len(CARDS))

    def show_stats(self, stats: Stats) -> None:
        for key, card in self.cards.items():
            card.set_value(getattr(stats, key))
        self._reflow()

    def text(self, key: str) -> str:
        return self.cards[key].value.text()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        widest = max(card.sizeHint().width() for card in self.cards.values())
        one_row = len(CARDS) * (widest + self.SPACING) - self.SPACING
        self._arrange(len(CARDS) if self.width() >= one_row else len(CARDS) // 2)

    def _arrange(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for card in self.cards.values():
            self._grid.removeWidget(card)
        for index, card in enumerate(self.cards.values()):
            self._grid.addWidget(card, index // columns, index % columns)
        for column in range(len(CARDS)):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)
