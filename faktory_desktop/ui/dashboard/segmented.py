"""A small segmented control: adjacent checkable buttons, exactly one of them on.

The segments paint themselves from palette roles (Highlight for the chosen one), because a
pressed Fusion button is barely distinguishable from a raised one in a dark palette, and a
style sheet would freeze the colours of the palette it was written with.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QEnterEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QHBoxLayout, QWidget

RADIUS = 4.0
Role = QPalette.ColorRole


class Segment(QAbstractButton):
    """One segment; `position` is "first", "middle" or "last" (which corners are round)."""

    def __init__(self, text: str, position: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(text)
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.position = position

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self.text()) + 28, metrics.height() + 10)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.sizeHint()

    def enterEvent(self, event: QEnterEvent) -> None:  # noqa: N802 - Qt's name
        super().enterEvent(event)
        self.update()

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().leaveEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        palette = self.palette()
        checked = self.isChecked()
        fill = Role.Highlight if checked else Role.Midlight if self.underMouse() else Role.Button
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(self.rect())
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        # Round only the outer corners: overhang the clip on the sides that meet a neighbour.
        shape = box.adjusted(0 if self.position == "first" else -2 * RADIUS, 0,
                             0 if self.position == "last" else 2 * RADIUS, 0)
        border = Role.Highlight if self.hasFocus() else Role.Mid
        painter.setPen(QPen(palette.color(border), 1))
        painter.setBrush(palette.color(fill))
        painter.drawRoundedRect(shape, RADIUS, RADIUS)
        if self.position != "last":
            painter.drawLine(box.topRight(), box.bottomRight())
        painter.setPen(palette.color(Role.HighlightedText if checked else Role.ButtonText))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text())


def _position(index: int, count: int) -> str:
    return "first" if index == 0 else "last" if index == count - 1 else "middle"


class Segmented(QWidget):
    """Choices as (label, value) pairs; `changed(value)` fires when the user picks another."""

    changed = Signal(object)

    def __init__(self, choices: Sequence[tuple[str, object]], current: object,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values = [value for _, value in choices]
        self._current = current
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for index, (label, value) in enumerate(choices):
            button = Segment(label, _position(index, len(choices)))
            button.setChecked(value == current)
            self.group.addButton(button, index)
            layout.addWidget(button)
        self.group.idClicked.connect(self._on_clicked)

    @property
    def value(self) -> object:
        return self._values[self.group.checkedId()]

    def button(self, value: object) -> Segment:
        return self.group.button(self._values.index(value))  # type: ignore[return-value]

    def select(self, value: object) -> None:
        """Pick a choice as if clicked (emits `changed` when it differs)."""
        self.button(value).click()

    def _on_clicked(self, index: int) -> None:
        value = self._values[index]
        if value != self._current:
            self._current = value
            self.changed.emit(value)
