"""One batch in full, under the list: its numbers and callbacks, its parent and children (links
that show that batch), and its jobs wherever they are now (a queue, Scheduled, Retries, Dead or
Busy). Double-clicking a job opens its detail."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.core import humanize
from faktory_desktop.core.enterprise_api import BATCH_JOBS_SHOWN, BatchDetail, BatchSummary
from faktory_desktop.core.records import JobRecord
from faktory_desktop.ui.batches.model import callback_text, describe, progress_text
from faktory_desktop.ui.jobs.columns import args_text
from faktory_desktop.ui.jobs.json_view import monospace_font
from faktory_desktop.ui.jobs.table_page import plain_rows

JOB_COLUMNS = ("Where", "Job", "JID", "Arguments", "Error")
PICK_TEXT = "Select a batch to see its jobs, its parent and its children."


def batch_link(batch: BatchSummary) -> str:
    return f"<a href='{html.escape(batch.bid)}'>{html.escape(describe(batch))}</a>"


def _link_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    return label


class BatchDetailPane(QWidget):
    """`batchRequested(bid)`: show that batch (a parent or child link). `jobOpened(record)`."""

    batchRequested = Signal(str)
    jobOpened = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: BatchDetail | None = None
        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.bid = QLabel()
        self.bid.setFont(monospace_font())
        self.bid.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.created, self.counts, self.callbacks = QLabel(), QLabel(), QLabel()
        self.parent_link = _link_label()
        self.children_links = _link_label()
        for label in (self.parent_link, self.children_links):
            label.linkActivated.connect(self.batchRequested.emit)
        self.jobs_caption = QLabel()
        self.jobs = self._make_jobs_table()
        self.placeholder = QLabel(PICK_TEXT)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self._body())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _make_jobs_table(self) -> QTableWidget:
        table = QTableWidget(0, len(JOB_COLUMNS))
        table.setHorizontalHeaderLabels(JOB_COLUMNS)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        plain_rows(table, 10).setStretchLastSection(True)
        table.cellDoubleClicked.connect(self._open_row)
        return table

    def _body(self) -> QWidget:
        body = QWidget()
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.addRow("Created", self.created)
        form.addRow("Jobs", self.counts)
        form.addRow("Callbacks", self.callbacks)
        form.addRow("Parent", self.parent_link)
        form.addRow("Children", self.children_links)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 6, 0, 0)
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(self.title)
        heading.addWidget(self.bid)
        layout.addLayout(heading)
        layout.addLayout(form)
        layout.addWidget(self.jobs_caption)
        layout.addWidget(self.jobs, 1)
        return body

    def show_detail(self, detail: BatchDetail | None) -> None:
        """Show this batch (None: nothing selected, or it is gone)."""
        self.detail = detail
        if detail is None:
            self.stack.setCurrentIndex(0)
            return
        batch = detail.batch
        self.title.setText(describe(batch))
        self.bid.setText(batch.bid)
        self.created.setText(humanize.when(batch.created_ns) if batch.created_ns else "unknown")
        self.counts.setText(f"{progress_text(batch)} · {batch.pending:,} pending · "
                            f"{batch.failed:,} failed")
        self.callbacks.setText(" · ".join(f"{callback_text(stage, cb)} ({cb.jobtype})"
                                          for stage, cb in batch.callbacks.items()))
        self.parent_link.setText(batch_link(detail.parent) if detail.parent else
                                 "None: a top-level batch")
        self.children_links.setText(", ".join(batch_link(c) for c in detail.children) or "None")
        self._show_jobs(detail.jobs)
        shown = humanize.count(len(detail.jobs), "job")
        self.jobs_caption.setText(
            f"<b>Jobs</b> ({shown} waiting, working or failed; finished ones are not kept"
            + (f"; the first {BATCH_JOBS_SHOWN:,} are shown)" if detail.jobs_truncated else ")"))
        self.stack.setCurrentIndex(1)

    def _show_jobs(self, records: list[JobRecord]) -> None:
        self.jobs.setRowCount(len(records))
        mono = monospace_font()
        for row, record in enumerate(records):
            values = (humanize.place(record.source), record.display_type, record.jid,
                      args_text(record), record.error)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column in (2, 3):
                    item.setFont(mono)
                item.setData(Qt.ItemDataRole.UserRole, record)
                self.jobs.setItem(row, column, item)

    def _open_row(self, row: int, _column: int) -> None:
        item = self.jobs.item(row, 0)
        if item is not None:
            self.jobOpened.emit(item.data(Qt.ItemDataRole.UserRole))

