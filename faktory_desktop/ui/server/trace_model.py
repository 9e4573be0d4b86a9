"""The protocol trace as a table model: rows appended at the end, the oldest dropped past a cap,
so an update costs what it adds, however long the trace has run."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from faktory_desktop.server.trace import TraceEntry
from faktory_desktop.ui.server.widgets import monospace_font

DEFAULT_CAPACITY = 2000
ARGS_SHOWN = 120
COLUMNS = ("Conn", "Time", "Verb", "Arguments", "Reply", "ms")
CONN, TIME, VERB, ARGS, REPLY, DURATION = range(len(COLUMNS))
ERROR_COLOR = QColor("#d93025")
Index = QModelIndex | QPersistentModelIndex


def clock(stamp: float) -> str:
    """Local wall-clock time with milliseconds."""
    return time.strftime("%H:%M:%S", time.localtime(stamp)) + f".{int(stamp * 1000) % 1000:03d}"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reply_text(reply: str) -> str:
    """A reply on one line: a bulk string shows its payload (a job's JSON), not its length."""
    if reply.startswith("$-1"):
        return "(nil)"
    if reply.startswith("$") and "\r\n" in reply:
        return reply.split("\r\n", 1)[1].replace("\r\n", " ")
    return reply.replace("\r\n", " ")


def cell_text(entry: TraceEntry, column: int) -> str:
    if column == CONN:
        return f"#{entry.connection}"
    if column == TIME:
        return clock(entry.at)
    if column == VERB:
        return entry.verb
    if column == ARGS:
        return truncate(entry.args, ARGS_SHOWN)
    if column == REPLY:
        return reply_text(entry.reply)
    return f"{entry.duration_ms:.2f}"


class TraceModel(QAbstractTableModel):
    def __init__(self, capacity: int = DEFAULT_CAPACITY, parent: Any = None) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self._rows: list[TraceEntry] = []
        self._fixed = monospace_font()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(COLUMNS)

    def entry(self, row: int) -> TraceEntry:
        return self._rows[row]

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (ARGS, REPLY):
            return entry.args if column == ARGS else reply_text(entry.reply)
        if role == Qt.ItemDataRole.ForegroundRole and entry.reply.startswith("-"):
            return ERROR_COLOR if column in (VERB, REPLY) else None
        if role == Qt.ItemDataRole.FontRole and column in (ARGS, REPLY):
            return self._fixed
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (CONN, DURATION):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def append(self, entries: Sequence[TraceEntry]) -> None:
        """Add rows at the end, first dropping the oldest beyond the capacity."""
        entries = list(entries[-self.capacity:])
        if not entries:
            return
        overflow = len(self._rows) + len(entries) - self.capacity
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            del self._rows[:overflow]
            self.endRemoveRows()
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(entries) - 1)
        self._rows.extend(entries)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()
