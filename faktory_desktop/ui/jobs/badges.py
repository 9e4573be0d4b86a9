"""Badges in table cells: small rounded labels (a paused queue, a worker's state, its labels).

A model gives a cell's badges under `BADGES_ROLE` as `[(text, colour name), ...]` next to its
plain DisplayRole text (for copy, sorting and screen readers); `BadgeDelegate` paints them.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from faktory_desktop.ui.jobs.feedback import BADGE_COLORS

BADGES_ROLE = Qt.ItemDataRole.UserRole + 10
Index = QModelIndex | QPersistentModelIndex
CELL_PADDING = 8
_LEFT = 8  # where cell text starts (item padding + the style's text margin)
_GAP = 4
_PAD = 7


def _badge_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * 0.86)
    font.setWeight(QFont.Weight.DemiBold)
    return font


class BadgeDelegate(QStyledItemDelegate):
    """Paints `BADGES_ROLE` badges left to right; other cells are drawn as usual."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        badges = index.data(BADGES_ROLE)
        if not badges:
            super().paint(painter, option, index)
            return
        opt = self.paint_cell(painter, option, index)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._draw(painter, opt.rect, _badge_font(opt.font), badges)  # type: ignore[attr-defined]
        painter.restore()

    def paint_cell(self, painter: QPainter, option: QStyleOptionViewItem,
                   index: Index) -> QStyleOptionViewItem:
        """The cell's background, selection and focus without its text, for a subclass or the
        badges to draw on; returns the cell's style option."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        return opt

    def _draw(self, painter: QPainter, cell, font: QFont, badges: list[tuple[str, str]]) -> None:
        metrics = QFontMetrics(font)
        height = metrics.height() + 4
        x = cell.x() + _LEFT
        y = cell.y() + (cell.height() - height) / 2
        painter.setFont(font)
        for text, color in badges:
            width = metrics.horizontalAdvance(text) + 2 * _PAD
            if x + width > cell.right() - _GAP and x > cell.x() + _LEFT:
                painter.setPen(QColor(BADGE_COLORS["gray"]))
                painter.drawText(QRectF(x, y, 20, height), Qt.AlignmentFlag.AlignVCenter, "…")
                return
            rect = QRectF(x, y, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(BADGE_COLORS.get(color, color)))
            painter.drawRoundedRect(rect, height / 2, height / 2)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            x += width + _GAP

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        hint.setWidth(hint.width() + CELL_PADDING)  # room between columns
        badges = index.data(BADGES_ROLE)
        if not badges:
            return hint
        metrics = QFontMetrics(_badge_font(option.font))  # type: ignore[attr-defined]
        width = sum(metrics.horizontalAdvance(t) + 2 * _PAD + _GAP for t, _ in badges) + 2 * _GAP
        return QSize(max(hint.width(), width), max(hint.height(), metrics.height() + 10))
