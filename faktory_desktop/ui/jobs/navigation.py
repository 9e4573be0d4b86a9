"""The browser's keyboard commands (named in `keymap.KEYMAP`): a cursor that moves without
selecting, `x` to toggle the row under it, and the actions on the selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel

from faktory_desktop.core.api import Action

if TYPE_CHECKING:
    from faktory_desktop.ui.jobs.filter_bar import FilterBar
    from faktory_desktop.ui.jobs.keymap import KeyHelp
    from faktory_desktop.ui.jobs.model import JobTableModel
    from faktory_desktop.ui.jobs.view import JobTable

_Flag = QItemSelectionModel.SelectionFlag


class Navigation:
    """Mixed into the browser page, which provides these attributes and the two methods."""

    table: JobTable
    model: JobTableModel
    filter_bar: FilterBar
    keys: KeyHelp

    def act(self, action: Action) -> None: ...

    def _emit_for(self, row: int, edit: bool) -> None: ...

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (clamped) without touching the selection."""
        rows = self.model.rowCount()
        if rows == 0:
            return
        index = self.model.index(max(0, min(row, rows - 1)), 0)
        self.table.selectionModel().setCurrentIndex(index, _Flag.NoUpdate)
        self.table.scrollTo(index)

    def _cursor(self) -> int:
        current = self.table.currentIndex()
        return current.row() if current.isValid() else -1

    def next_row(self) -> None:
        self.move_cursor(self._cursor() + 1)

    def previous_row(self) -> None:
        self.move_cursor(max(0, self._cursor() - 1))

    def first_row(self) -> None:
        self.move_cursor(0)

    def last_row(self) -> None:
        self.move_cursor(self.model.rowCount() - 1)

    def toggle_selected(self) -> None:
        if self._cursor() < 0:
            self.move_cursor(0)
        current = self.table.currentIndex()
        if current.isValid():
            self.table.selectionModel().select(current, _Flag.Toggle | _Flag.Rows)

    def clear_selection(self) -> None:
        self.table.selectionModel().clearSelection()

    def open_current(self) -> None:
        self._emit_for(self._cursor(), False)

    def edit_current(self) -> None:
        self._emit_for(self._cursor(), True)

    def retry(self) -> None:
        self.act(Action.RETRY_NOW)

    def requeue(self) -> None:
        self.act(Action.REQUEUE)

    def kill(self) -> None:
        self.act(Action.KILL)

    def delete(self) -> None:
        self.act(Action.DELETE)

    def focus_filter(self) -> None:
        self.filter_bar.text.setFocus()
        self.filter_bar.text.selectAll()

    def show_keys(self) -> None:
        self.keys.popup()
