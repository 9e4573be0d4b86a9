"""The queue list beside the queue graphs: one checkable row per queue, in its line colour.

It doubles as the legend of the queue-size and latency graphs. Unchecking a queue hides its
lines; the choice is remembered by name, so a queue that is removed and comes back stays hidden.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

CHECKED = Qt.CheckState.Checked
UNCHECKED = Qt.CheckState.Unchecked


def swatch(color: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class QueueList(QListWidget):
    """`toggled(name, shown)` fires when the user checks or unchecks a queue."""

    toggled = Signal(str, bool)

    def __init__(self, color_of: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color_of = color_of
        self._items: dict[str, QListWidgetItem] = {}
        self._hidden: set[str] = set()
        self.setFixedWidth(150)
        self.setToolTip("Check a queue to show its lines in the queue graphs")
        self.itemChanged.connect(self._on_item_changed)

    def names(self) -> list[str]:
        return list(self._items)

    def sync(self, names: Iterable[str]) -> None:
        """Rows for exactly these queues, sorted; untouched when nothing changed (the usual)."""
        wanted = sorted(names)
        if wanted == list(self._items):
            return
        self.blockSignals(True)
        try:
            for gone in self._items.keys() - set(wanted):
                self.takeItem(self.row(self._items.pop(gone)))
            rows = list(self._items)  # still sorted: rows are only ever inserted in order
            for name in wanted:
                if name not in self._items:
                    row = bisect.bisect_left(rows, name)
                    rows.insert(row, name)
                    self._items[name] = self._new_item(name)
                    self.insertItem(row, self._items[name])
            self._items = {name: self._items[name] for name in rows}
        finally:
            self.blockSignals(False)

    def set_shown(self, name: str, shown: bool) -> None:
        """Check or uncheck a queue, as the user would (emits `toggled`)."""
        self._items[name].setCheckState(CHECKED if shown else UNCHECKED)

    def is_shown(self, name: str) -> bool:
        return name not in self._hidden

    def _new_item(self, name: str) -> QListWidgetItem:
        item = QListWidgetItem(swatch(self._color_of(name)), name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(UNCHECKED if name in self._hidden else CHECKED)
        item.setToolTip(name)
        return item

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        name = item.text()
        shown = item.checkState() == CHECKED
        if shown == self.is_shown(name):
            return
        if shown:
            self._hidden.discard(name)
        else:
            self._hidden.add(name)
        self.toggled.emit(name, shown)
