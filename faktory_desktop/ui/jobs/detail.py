"""One job, all of it: what it is, where it is, how it failed, its custom fields, its JSON.

Laid out after Faktory's job info table (U-28) and error table (U-25): times in local time with
a relative time beside them, the stored text in the tooltip. The actions (retry now, delete) go
through the API, which names the entry by its stored bytes; when the job has moved meanwhile,
the dialog says so and changes nothing.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.core import humanize, jsonc
from faktory_desktop.core.enterprise import has_features
from faktory_desktop.core.records import JobRecord, Kind
from faktory_desktop.ui.confirm import confirm
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.enterprise_box import EnterpriseBox
from faktory_desktop.ui.jobs.feedback import MessageLine, Tasks, call_api, failure_text, tone
from faktory_desktop.ui.jobs.json_view import JsonView, compact, monospace_font, pretty

DEFAULT_RESERVE_S = 1800
BACKTRACE_LINES = 12  # shown at once; more scroll
RETRYABLE = (Kind.SCHEDULED, Kind.RETRIES, Kind.DEAD)


def _value(text: str, mono: bool = False, tooltip: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if mono:
        label.setFont(monospace_font())
    if tooltip:
        label.setToolTip(tooltip)
    return label


def _form(title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
    box = QGroupBox(title)
    form = QFormLayout(box)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
    form.setHorizontalSpacing(14)
    for caption, widget in rows:
        form.addRow(caption, widget)
    return box


def _time_row(caption: str, text: str | None, missing: str = "") -> tuple[str, QWidget] | None:
    if not text:
        return (caption, _value(missing)) if missing else None
    return caption, _value(humanize.stamp(text), tooltip=text)


def retry_policy(job: dict[str, Any]) -> str:
    retry = job.get("retry", 25)
    if retry == 0:
        return "0: a failure discards the job"
    if retry < 0:
        return f"{retry}: a failure sends the job straight to Dead"
    return f"{retry} retries" if retry != 1 else "1 retry"


def reserve_text(job: dict[str, Any]) -> str:
    seconds = job.get("reserve_for") or 0
    if not seconds:
        return f"{humanize.span(DEFAULT_RESERVE_S)} (the default)"
    return f"{humanize.span(seconds)} ({seconds:,} s)"


def summary_rows(record: JobRecord) -> list[tuple[str, QWidget]]:
    job = record.job
    kind = "" if record.display_type == record.jobtype else f"  (wrapped by {record.jobtype})"
    rows: list[tuple[str, QWidget] | None] = [
        ("JID", _value(record.jid, mono=True)),
        ("Job", _value(record.display_type + kind)),
        ("Arguments", _value(_shorten(compact(record.args), 600), mono=True)),
        ("Where", _value(humanize.place(record.source))),
        ("Queue", _value(record.queue)),
        _time_row("Created", job.get("created_at")),
        _time_row("Scheduled for", job.get("at")),
        _time_row("Enqueued", job.get("enqueued_at"), missing="Not yet enqueued"),
        ("Retry", _value(retry_policy(job))),
        ("Reserve for", _value(reserve_text(job))),
    ]
    return [r for r in rows if r is not None]


def failure_rows(record: JobRecord) -> list[tuple[str, QWidget]]:
    f = record.failure
    rows: list[tuple[str, QWidget] | None] = [
        ("Error class", _value(str(f.get("errtype") or "(none)"), mono=True)),
        ("Message", _value(str(f.get("message") or "(none)"))),
        ("Retry count", _value(str(f.get("retry_count", 0)))),
        ("Retries remaining", _value(str(f.get("remaining", 0)))),
        _time_row("Originally failed", f.get("failed_at")),
        _time_row("Next retry", f.get("next_at"),
                  missing="None: the job is dead" if record.source.kind is Kind.DEAD else ""),
    ]
    return [r for r in rows if r is not None]


def reservation_rows(record: JobRecord) -> list[tuple[str, QWidget]]:
    res = record.reservation or {}
    rows: list[tuple[str, QWidget] | None] = [
        ("Worker", _value(str(res.get("wid", "")), mono=True)),
        _time_row("Reserved", res.get("reserved_at")),
        _time_row("Expires", res.get("expiry")),
    ]
    return [r for r in rows if r is not None]


def custom_rows(record: JobRecord) -> list[tuple[str, QWidget]]:
    custom = record.job.get("custom") or {}
    return [(f"{key}", _value(v if isinstance(v, str) else compact(v), mono=not isinstance(v, str)))
            for key, v in custom.items()]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _backtrace(record: JobRecord) -> QPlainTextEdit:
    view = QPlainTextEdit("\n".join(str(line) for line in record.failure.get("backtrace") or []))
    view.setReadOnly(True)
    view.setFont(monospace_font())
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    view.setPlaceholderText("The worker sent no backtrace.")
    lines = min(max(view.blockCount(), 2), BACKTRACE_LINES)
    view.setFixedHeight(view.fontMetrics().lineSpacing() * lines + 16)
    return view


def full_payload(record: JobRecord) -> Any:
    """The stored entry decoded: the job, or for Busy the reservation around it."""
    try:
        return jsonc.loads(record.payload)
    except jsonc.JSONDecodeError:
        return record.job


class JobDetailDialog(QDialog):
    """Non-modal; open with `show()` or `open()`, never `exec()`."""

    editRequested = Signal(object)  # JobRecord: the app opens the editor
    jobsChanged = Signal()  # retried or deleted here: job lists should reload
    batchRequested = Signal(str)  # a bid: the app shows that batch

    def __init__(self, controller: ServerController, record: JobRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.record = record
        self.tasks = Tasks()
        self.resize(820, 680)
        self.title = QLabel()
        self.subtitle = QLabel()
        self.tabs = QTabWidget()
        self.json_view = JsonView()
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(self._buttons())
        self.set_record(record)

    def set_record(self, record: JobRecord) -> None:
        """Show `record` (e.g. the saved copy after an edit)."""
        self.record = record
        self.setWindowTitle(f"{record.display_type} {record.jid}")
        self._set_header(record)
        self.json_view.set_json(full_payload(record))
        current = self.tabs.currentIndex()
        old = self.tabs.widget(0) if self.tabs.count() else None
        self.tabs.clear()
        if old is not None and old is not self.json_view:
            old.deleteLater()
        self.tabs.addTab(self._overview(record), "Overview")
        self.tabs.addTab(self.json_view, "JSON")
        self.tabs.setCurrentIndex(max(current, 0))
        self._enable_actions(True)

    def _set_header(self, record: JobRecord) -> None:
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.title.setText(record.display_type)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        place = html.escape(humanize.place(record.source))
        text = f"<code>{html.escape(record.jid)}</code> · {place}"
        if record.error:
            red = tone("red", self.palette()).name()
            error = html.escape(_shorten(record.error, 300))
            text += f"<br><span style='color:{red}'>{error}</span>"
        self.subtitle.setText(text)
        self.subtitle.setWordWrap(True)

    def _overview(self, record: JobRecord) -> QScrollArea:
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(_form("Job", summary_rows(record)))
        if record.failure:
            failure = _form("Failure", failure_rows(record))
            failure.layout().addRow("Backtrace", _backtrace(record))  # type: ignore[union-attr]
            column.addWidget(failure)
        if record.reservation:
            column.addWidget(_form("In progress", reservation_rows(record)))
        self.ent_box: EnterpriseBox | None = None  # a plain job has no Enterprise state
        if has_features(record.job.get("custom")):
            self.ent_box = EnterpriseBox(self.controller, record, self.message)
            self.ent_box.batchRequested.connect(self.batchRequested)
            column.addWidget(self.ent_box)
        if record.job.get("custom"):
            column.addWidget(_form("Custom fields", custom_rows(record)))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        return scroll

    def _buttons(self) -> QHBoxLayout:
        self.copy_button = QPushButton("Copy as JSON")
        self.edit_button = QPushButton("Edit…")
        self.retry_button = QPushButton("Retry now")
        self.delete_button = QPushButton("Delete…")
        close = QPushButton("Close")
        self.copy_button.clicked.connect(self.copy_json)
        self.edit_button.clicked.connect(lambda: self.editRequested.emit(self.record))
        self.retry_button.clicked.connect(lambda: self.tasks.spawn(self.retry_now()))
        self.delete_button.clicked.connect(lambda: self.tasks.spawn(self.delete()))
        close.clicked.connect(self.close)
        row = QHBoxLayout()
        for button in (self.copy_button, self.edit_button, self.retry_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        return row

    def _enable_actions(self, present: bool) -> None:
        kind = self.record.source.kind
        self.retry_button.setText("Add to queue" if kind is Kind.SCHEDULED else "Retry now")
        self.retry_button.setVisible(kind in RETRYABLE)
        self.edit_button.setVisible(kind is not Kind.BUSY)
        self.delete_button.setVisible(kind is not Kind.BUSY)
        for button in (self.retry_button, self.edit_button, self.delete_button):
            button.setEnabled(present)

    def copy_json(self) -> None:
        QGuiApplication.clipboard().setText(pretty(full_payload(self.record)))
        self.message.show_success("Copied the job's JSON to the clipboard.")

    async def retry_now(self) -> int:
        """Enqueue this set entry now; returns 1, or 0 when it was no longer there."""
        moved = await self._act(lambda api: api.retry_now([self.record]))
        if moved:
            self.message.show_success(f"Enqueued on queue {self.record.queue}.")
        return moved or 0

    async def delete(self) -> int:
        where = humanize.place(self.record.source)
        if not await confirm(self, "Delete this job?",
                             f"{self.record.display_type} {self.record.jid} is deleted from "
                             f"{where}. This cannot be undone.", destructive=True,
                             accept_text="Delete"):
            return 0
        deleted = await self._act(lambda api: api.delete([self.record]))
        if deleted:
            self.message.show_success(f"Deleted from {where}.")
        return deleted or 0

    async def _act(self, make: Any) -> int | None:
        self._enable_actions(False)
        try:
            done = await call_api(self.controller, make)
        except Exception as exc:
            text = failure_text(exc)
            if text is None:
                raise
            self.message.show_error(text)
            self._enable_actions(True)
            return None
        if not done:
            self.message.show_error(
                f"Nothing was done: the job is no longer in {humanize.place(self.record.source)} "
                "(it was retried, deleted or changed meanwhile).")
        self.jobsChanged.emit()
        return done
