"""A table page read on a timer while it is on screen, and not at all otherwise (Workers, Cron,
Throttles): the timer, the selected rows, and rows replaced without losing the selection."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtWidgets import QWidget

from faktory_desktop.ui.jobs.feedback import Tasks
from faktory_desktop.ui.jobs.shown_timer import Refresher
from faktory_desktop.ui.jobs.table_page import SummaryTableModel, TablePage


class PolledTablePage(TablePage):
    """Subclasses implement `refresh()`."""

    def __init__(self, title: str, model: SummaryTableModel, empty_text: str, interval_ms: int,
                 parent: QWidget | None = None, stretch_column: int = 0) -> None:
        super().__init__(title, model, empty_text, parent, stretch_column)
        self.model = model
        self.tasks = Tasks()
        self.timer = Refresher(self, interval_ms, self.tasks, self.refresh)

    async def refresh(self) -> None:
        raise NotImplementedError

    def selected(self) -> list[Any]:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.selected_rows()})
        return [self.model.rows[r] for r in rows]

    def current(self) -> Any | None:
        """The one selected row, or None."""
        chosen = self.selected()
        return chosen[0] if len(chosen) == 1 else None

    def replace_keeping_selection(self, rows: Sequence[Any],
                                  key: Callable[[Any], Hashable]) -> None:
        chosen = {key(r) for r in self.selected()}
        if self.model.replace_rows(rows, key):
            self.select_source_rows([i for i, r in enumerate(rows) if key(r) in chosen])
        self.show_table(bool(rows))

    async def after_change(self, text: str) -> None:
        """An edit went through: show the new rows and say what was done."""
        await self.refresh()
        self.message.show_success(text)
