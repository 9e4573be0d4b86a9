"""A progress bar painted in a table cell (a batch's progress, a tracked job's): the model gives
`BAR_ROLE` as a fraction (0..1) and the cell's DisplayRole text is drawn on the bar, cut with "…"
when it is longer. Other cells are drawn as `BadgeDelegate` draws them.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionProgressBar, QStyleOptionViewItem

from faktory_desktop.ui.jobs.badges import BadgeDelegate

BAR_ROLE = Qt.ItemDataRole.UserRole + 20
Index = QModelIndex | QPersistentModelIndex
_MARGIN = 4


class BarDelegate(BadgeDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        fraction = index.data(BAR_ROLE)
        if fraction is None:
            super().paint(painter, option, index)
            return
        opt = self.paint_cell(painter, option, index)
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        bar = QStyleOptionProgressBar()
        bar.rect = opt.rect.adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN)  # type: ignore[attr-defined]
        bar.minimum, bar.maximum = 0, 1000  # type: ignore[attr-defined]
        bar.progress = round(max(0.0, min(1.0, float(fraction))) * 1000)  # type: ignore[attr-defined]
        room = bar.rect.width() - 2 * _MARGIN  # type: ignore[attr-defined]
        bar.text = opt.fontMetrics.elidedText(  # type: ignore[attr-defined]
            str(index.data() or ""), Qt.TextElideMode.ElideRight, room)
        bar.textVisible = True  # type: ignore[attr-defined]
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter  # type: ignore[attr-defined]
        bar.state = opt.state | QStyle.StateFlag.State_Horizontal  # type: ignore[attr-defined]
        bar.palette = opt.palette  # type: ignore[attr-defined]
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)
