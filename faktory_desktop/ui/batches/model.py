"""The batch list's rows: description, created, total, pending, failed, a progress bar and each
callback's state, one row per `BatchSummary`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from faktory_desktop.core import humanize
from faktory_desktop.core.enterprise_api import BatchSummary, Callback
from faktory_desktop.core.timefmt import now_ns
from faktory_desktop.ui.jobs.badges import BADGES_ROLE
from faktory_desktop.ui.jobs.bar import BAR_ROLE
from faktory_desktop.ui.jobs.table_page import ALIGN_RIGHT, SORT_ROLE, Index, SummaryTableModel

COLUMNS = ("Description", "Created", "Total", "Pending", "Failed", "Progress", "Callbacks")
PROGRESS_COLUMN = 5
_NUMERIC = (2, 3, 4)
# BATCH STATUS's complete_st / success_st: "" not fired, "1" enqueued, "2" its job finished.
CALLBACK_STATES = {"": ("not fired", "gray"), "1": ("enqueued", "blue"), "2": ("done", "green")}
CALLBACK_TIPS = {
    "": "Not fired yet: it is pushed when the batch's jobs are all done",
    "1": "Pushed to its queue; waiting for a worker to finish it",
    "2": "Fired and its job was acknowledged",
}


def describe(batch: BatchSummary) -> str:
    return batch.description or "(no description)"


def callback_text(stage: str, callback: Callback) -> str:
    return f"{stage}: {CALLBACK_STATES.get(callback.state, (callback.state, ''))[0]}"


def progress_text(batch: BatchSummary) -> str:
    """ "7 of 10 done", with "open" while jobs may still be added (not committed)."""
    text = f"{batch.done:,} of {batch.total:,} done" if batch.total else "no jobs of its own"
    return text if batch.committed else f"open · {text}"


def fraction(batch: BatchSummary) -> float | None:
    """How far its own jobs are; None without any (a parent of child batches, say)."""
    return batch.done / batch.total if batch.total else None


class BatchTableModel(SummaryTableModel):
    """Rows of BatchSummary, newest first; created times are relative to the last read."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(COLUMNS, numeric=_NUMERIC, parent=parent)
        self.now = now_ns()

    def set_batches(self, batches: list[BatchSummary]) -> bool:
        """Show these batches; True when the set of rows changed."""
        self.now = now_ns()
        return self.replace_rows(batches, key=lambda b: b.bid)

    def row_of(self, bid: str) -> int | None:
        return next((r for r, b in enumerate(self.rows) if b.bid == bid), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        batch, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(batch, column)
        if role == SORT_ROLE:
            return (describe(batch).lower(), batch.created_ns, batch.total, batch.pending,
                    batch.failed, fraction(batch) or 0.0, len(batch.callbacks))[column]
        if role == BAR_ROLE and column == PROGRESS_COLUMN:
            return fraction(batch)
        if role == BADGES_ROLE and column == 6:
            return [(callback_text(stage, cb), CALLBACK_STATES.get(cb.state, ("", "gray"))[1])
                    for stage, cb in batch.callbacks.items()]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(batch, column)
        return None

    def _display(self, batch: BatchSummary, column: int) -> str:
        if column == 6:
            return ", ".join(callback_text(s, cb) for s, cb in batch.callbacks.items())
        values = (describe(batch), humanize.ago(batch.created_ns, self.now), f"{batch.total:,}",
                  f"{batch.pending:,}", f"{batch.failed:,}", progress_text(batch))
        return values[column]

    def _tooltip(self, batch: BatchSummary, column: int) -> str | None:
        if column == 0:
            return f"{describe(batch)}\nbid {batch.bid}"
        if column == 1:
            return humanize.local_time(batch.created_ns)
        if column == 4:
            return "Jobs whose last attempt failed (they may still succeed on a retry)"
        if column == PROGRESS_COLUMN and not batch.committed:
            return "Not committed yet: the client may still add jobs to this batch"
        if column == 6:
            return "\n".join(f"{stage} ({cb.jobtype}): {CALLBACK_TIPS.get(cb.state, cb.state)}"
                             for stage, cb in batch.callbacks.items()) or None
        return None
