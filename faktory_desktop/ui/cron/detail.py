"""One periodic job: what it pushes, its next five runs, and its last 100 firings."""

from __future__ import annotations

import json

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.core.cron.view import CronDetail, CronRow
from faktory_desktop.core.timefmt import now_ns
from faktory_desktop.ui.conf_page import FAILED, attempt
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.cron.model import custom_text
from faktory_desktop.ui.cron.times import local_text, relative, utc_text
from faktory_desktop.ui.jobs.feedback import MessageLine, Tasks, call_api

HISTORY_COLUMNS = ("Enqueued at (UTC)", "JID", "Result")


class CronDetailDialog(QDialog):
    changed = Signal()  # enqueued or paused from here

    def __init__(self, controller: ServerController, row: CronRow,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Periodic job · {row.jobtype}")
        self.resize(720, 620)
        self.controller = controller
        self.row = row
        self.tasks = Tasks()
        self.fields = QFormLayout()
        self.runs = QLabel()
        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.message = MessageLine()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.enqueue_button = buttons.addButton("Enqueue Now",
                                                QDialogButtonBox.ButtonRole.ActionRole)
        self.enqueue_button.clicked.connect(lambda: self.tasks.spawn(self.enqueue_now()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.fields)
        layout.addWidget(_heading("Next runs"))
        layout.addWidget(self.runs)
        layout.addWidget(_heading("History (the last 100, newest first)"))
        layout.addWidget(self.history, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.tasks.spawn(self.refresh())

    async def refresh(self) -> None:
        detail = await attempt(self.message, call_api(
            self.controller, lambda api: api.cron_detail(self.row.id)))
        if detail is not FAILED:
            self.show_detail(detail)

    def show_detail(self, detail: CronDetail) -> None:
        row = detail.row
        while self.fields.rowCount():
            self.fields.removeRow(0)
        for label, value in (
            ("Schedule", f"{row.schedule}  ({row.words})"),
            ("Time zone", row.timezone or "UTC"),
            ("Type", row.jobtype), ("Queue", row.queue),
            ("Args", json.dumps(row.args)),
            ("Retry", "25 (the default)" if row.retry is None else str(row.retry)),
            ("Reserve for", "1800 s (the default)" if row.reserve_for is None
             else f"{row.reserve_for} s"),
            ("Custom", custom_text(row.custom)),
            ("State", "paused" if row.paused else "active"),
            ("Written in", f"conf.d/{row.file}, entry {row.index}"),
        ):
            text = QLabel(value)
            text.setWordWrap(True)
            self.fields.addRow(f"{label}:", text)
        now = now_ns()
        self.runs.setText("\n".join(f"{utc_text(r)}   ·   {local_text(r)}   ({relative(r, now)})"
                                    for r in detail.next_runs))
        self.history.setRowCount(len(detail.history))
        for i, firing in enumerate(detail.history):
            result = f"refused: {firing.error}" if firing.error else "enqueued"
            if firing.manual:
                result += " (Enqueue now)"
            for column, value in enumerate((firing.at, firing.jid, result)):
                self.history.setItem(i, column, QTableWidgetItem(value))

    async def enqueue_now(self) -> None:
        firing = await attempt(self.message, call_api(
            self.controller, lambda api: api.cron_enqueue_now(self.row.id)))
        if firing is FAILED:
            return
        await self.refresh()
        self.changed.emit()
        if firing.error:
            self.message.show_error(f"Refused: {firing.error}")
        else:
            self.message.show_success(f"Enqueued {firing.jid}.")


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setContentsMargins(0, 8, 0, 0)
    return label
