"""The Throttles table, with Faktory Enterprise's columns."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from faktory_desktop.core import humanize
from faktory_desktop.ui.jobs.table_page import ALIGN_RIGHT, SORT_ROLE, Index, SummaryTableModel

COLUMNS = ("Queue", "Size", "Type", "Taken", "Free", "Held count", "Held time", "Overage",
           "Reclaimed")
_NUMERIC = (1, 3, 4, 5, 6, 7, 8)
TIPS = {
    3: "Slots in use now (blank for a per-worker throttle: each worker has its own)",
    5: "Slots granted since the server started",
    6: "Total time slots were held, counted when each was released",
    7: "FETCHes held back because every slot was taken while jobs waited",
    8: "Slots that nobody released and that lapsed after the throttle's timeout",
}


def _blank(value: int | None) -> str:
    return "" if value is None else str(value)


class ThrottleTableModel(SummaryTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(COLUMNS, numeric=_NUMERIC, parent=parent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        values = (row.queue, row.size, row.limit, row.taken, row.free, row.held, row.held_s,
                  row.overage, row.reclaimed)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 2:
                return row.described
            if column == 6:
                return humanize.span(row.held_s) if row.held else ""
            return str(values[column]) if column != 3 and column != 4 else _blank(values[column])
        if role == SORT_ROLE:
            return -1 if values[column] is None else values[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 2:
                return f"{row.described}; a slot not released lapses after {row.timeout} s"
            return TIPS.get(column)
        return None
