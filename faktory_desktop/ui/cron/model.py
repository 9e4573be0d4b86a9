"""The Cron table: one row per [[cron]] entry, with its next run and its last result."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt

from faktory_desktop.core.cron.runner import Firing
from faktory_desktop.core.cron.view import CronRow
from faktory_desktop.core.timefmt import now_ns
from faktory_desktop.ui.cron.times import local_text, relative, utc_text
from faktory_desktop.ui.jobs.badges import BADGES_ROLE
from faktory_desktop.ui.jobs.table_page import SORT_ROLE, Index, SummaryTableModel

COLUMNS = ("Schedule", "State", "When", "Type", "Queue", "Custom", "Next run (UTC)",
           "Next run (local)", "Last result")
NEXT_RUN = (6, 7)


def custom_text(custom: dict[str, Any]) -> str:
    return json.dumps(custom, separators=(", ", ": ")) if custom else ""


def result_text(last: Firing | None, short: bool = False) -> str:
    """"2026-01-02 09:00 enqueued <jid>", or "… refused: <error>"; `short`: "01-02 09:00 …"
    without the jid."""
    if last is None:
        return "not run yet"
    at = last.at[5 if short else 0:16].replace("T", " ")
    if last.error:
        return f"{at} refused" if short else f"{at} refused: {last.error}"
    return f"{at} enqueued" if short else f"{at} enqueued {last.jid}"


class CronTableModel(SummaryTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(COLUMNS, parent=parent)
        self.now = now_ns()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return row.next_run.timestamp() if column in NEXT_RUN else self._display(row, column)
        if role == BADGES_ROLE:
            return _badges(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        return None

    def _display(self, row: CronRow, column: int) -> str:
        values = (row.schedule, "paused" if row.paused else "active", row.words, row.jobtype,
                  row.queue, custom_text(row.custom), utc_text(row.next_run, zone=False),
                  f"{local_text(row.next_run)} ({relative(row.next_run, self.now)})",
                  result_text(row.last, short=True))
        return values[column]

    def _tooltip(self, row: CronRow, column: int) -> str | None:
        if column in (2, 5):
            return self._display(row, column) or None
        if column == 0:
            zone = f", in {row.timezone}" if row.timezone else ", in UTC"
            return f"conf.d/{row.file}, entry {row.index}{zone}"
        if column == 8 and row.last is not None:
            return f"{'Enqueue now' if row.last.manual else 'On schedule'}: {result_text(row.last)}"
        return None


def _badges(row: CronRow, column: int) -> list[tuple[str, str]] | None:
    if column == 1:
        return [("paused", "amber")] if row.paused else [("active", "green")]
    return None
