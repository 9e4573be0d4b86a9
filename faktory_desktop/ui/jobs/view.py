"""The job browser's table view: fixed row heights (a million rows cost nothing to lay out),
columns sized from the column data, a header that shows the time order but cannot sort (only
time order is offered on a large set), and a cursor row the keys move without selecting (the
model tints it: a Python item delegate would cost more per cell than the whole `data()`). Only
a bar column (Busy's Progress, a few rows) is painted by a Python delegate.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QWidget,
)

from faktory_desktop.ui.jobs.bar import BarDelegate
from faktory_desktop.ui.jobs.columns import Column

Index = QModelIndex | QPersistentModelIndex


class JobTable(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars = BarDelegate(self)  # only for bar columns: other cells need no Python delegate
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionsClickable(False)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def apply_columns(self, columns: list[Column]) -> None:
        for section, column in enumerate(columns):
            self.horizontalHeader().resizeSection(section, column.width)
            plain = self.itemDelegate()
            self.setItemDelegateForColumn(section, self._bars if column.bar else plain)

    def show_order(self, column: int, ascending: bool) -> None:
        order = Qt.SortOrder.AscendingOrder if ascending else Qt.SortOrder.DescendingOrder
        self.horizontalHeader().setSortIndicator(column, order)

    def visible_rows(self) -> tuple[int, int] | None:
        """The first and last rows on screen; None while the table is not shown."""
        if not self.isVisible():
            return None
        first = max(0, self.rowAt(0))
        last = self.rowAt(self.viewport().height() - 1)
        if last < 0:
            last = first + self.viewport().height() // self.verticalHeader().defaultSectionSize()
        return first, last

    def currentChanged(self, current: Index, previous: Index) -> None:  # noqa: N802 - Qt's name
        super().currentChanged(current, previous)
        model = self.model()
        if hasattr(model, "cursor_row") and current.row() != previous.row():
            model.cursor_row = current.row()
            self.viewport().update()  # the cursor tint spans the row
