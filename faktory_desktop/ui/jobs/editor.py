"""Edit a stored job in place, save and enqueue it now, or push a duplicate.

Saving goes through `FaktoryAPI.save`, which swaps the stored bytes atomically: the job keeps its
queue position or its set and score (a scheduled job moves to its new `at`). Only the fields the
user changed are written; everything else stays byte for byte. If the job left its place since
the dialog opened (fetched, retried, deleted), the API refuses and nothing is saved.

In a queue, a job's `queue` field is read-only here: the save replaces the entry inside the same
list, so a new queue name would not move it.
"""

from __future__ import annotations

import html
import secrets
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from faktory_desktop.core import humanize
from faktory_desktop.core.records import JobRecord, Kind
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.feedback import MessageLine, Tasks, call_api, failure_text
from faktory_desktop.ui.jobs.job_form import JobForm

ENQUEUABLE = (Kind.SCHEDULED, Kind.RETRIES, Kind.DEAD)
_FRESH_ONLY = ("failure", "enqueued_at", "created_at")  # a duplicate is a new job


def new_jid() -> str:
    """A jid as Faktory's Go client makes one: 12 random bytes, base64url."""
    return secrets.token_urlsafe(12)


def duplicate_of(job: dict[str, Any], jid: str | None = None) -> dict[str, Any]:
    """A copy to push as a new job: a new jid, no failure history, fresh timestamps."""
    copy = {k: v for k, v in job.items() if k not in _FRESH_ONLY}
    copy["jid"] = jid or new_jid()
    return copy


def _nothing_saved(text: str) -> str:
    if "no longer" in text:
        return (f"Nothing was saved: {text}; it was fetched, retried or deleted meanwhile. "
                "Reopen it from its new place to edit it.")
    return text


class JobEditorDialog(QDialog):
    """Non-modal; open with `show()` or `open()`. Closes itself after a successful save."""

    saved = Signal(object)  # the saved JobRecord (new stored bytes, same place)
    pushed = Signal(str)  # the jid of a pushed duplicate

    def __init__(self, controller: ServerController, record: JobRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.record = record
        self.tasks = Tasks()
        self._busy = False
        kind = record.source.kind
        self.setWindowTitle(f"Edit {record.display_type} {record.jid}")
        self.resize(680, 600)
        self.form = JobForm(show_at=kind is Kind.SCHEDULED)
        self.form.base = dict(record.job)
        self.form.original = record.job
        self.form.load(record.job)
        if kind is Kind.QUEUE:
            self.form.queue.setReadOnly(True)
            self.form.queue.setToolTip("A job waiting in a queue stays in that queue; to move "
                                       "it, duplicate it to another queue and delete this one.")
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addWidget(self._heading(record))
        layout.addWidget(self._intro(record))
        layout.addWidget(self.form, 1)
        layout.addWidget(self.message)
        layout.addLayout(self._buttons(kind))
        self.form.validityChanged.connect(lambda _valid: self._update_buttons())
        self._update_buttons()
        self.tasks.spawn(self.form.load_queue_names(self.controller))

    def _heading(self, record: JobRecord) -> QLabel:
        label = QLabel(f"Edit {record.display_type}")
        font = QFont(label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setWeight(QFont.Weight.DemiBold)
        label.setFont(font)
        return label

    def _intro(self, record: JobRecord) -> QLabel:
        where = humanize.place(record.source)
        if record.source.kind is Kind.BUSY:
            keeps = "It is being worked on, so it cannot be edited; you can push a duplicate."
        elif record.source.kind is Kind.SCHEDULED:
            keeps = "Saving keeps it scheduled; a new run-at time reschedules it."
        else:
            keeps = f"Saving keeps it in {html.escape(where)}, at its place."
        label = QLabel(f"<code>{html.escape(record.jid)}</code> in {html.escape(where)}. {keeps}")
        label.setWordWrap(True)
        return label

    def _buttons(self, kind: Kind) -> QHBoxLayout:
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.setToolTip("Push a copy of the job as shown, with a new jid")
        self.cancel_button = QPushButton("Cancel")
        self.enqueue_button = QPushButton("Save and enqueue now")
        self.enqueue_button.setVisible(kind in ENQUEUABLE)
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.duplicate_button.clicked.connect(lambda: self.tasks.spawn(self.duplicate()))
        self.cancel_button.clicked.connect(self.reject)
        self.enqueue_button.clicked.connect(lambda: self.tasks.spawn(self.save(enqueue=True)))
        self.save_button.clicked.connect(lambda: self.tasks.spawn(self.save()))
        row = QHBoxLayout()
        row.addWidget(self.duplicate_button)
        row.addStretch(1)
        for button in (self.cancel_button, self.enqueue_button, self.save_button):
            row.addWidget(button)
        return row

    def _update_buttons(self) -> None:
        editable = self.record.source.kind is not Kind.BUSY
        ok = self.form.valid and not self._busy
        self.save_button.setEnabled(ok and editable)
        self.enqueue_button.setEnabled(ok and editable)
        self.duplicate_button.setEnabled(ok)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    async def save(self, enqueue: bool = False) -> JobRecord | None:
        """Save the edit (and enqueue the job now); the saved record, or None if nothing was."""
        if not self.form.valid or self._busy:
            return None
        edited = self.form.job()
        self._set_busy(True)
        try:
            saved = await call_api(self.controller, lambda api: api.save(self.record, edited))
        except Exception as exc:
            self._report(exc, _nothing_saved)
            return None
        self.record = saved
        self.saved.emit(saved)
        if enqueue and not await self._enqueue(saved):
            return saved
        self.accept()
        return saved

    async def _enqueue(self, saved: JobRecord) -> bool:
        try:
            moved = await call_api(self.controller, lambda api: api.retry_now([saved]))
        except Exception as exc:
            self._report(exc, lambda t: f"Saved, but not enqueued: {t}")
            return False
        if not moved:
            self.message.show_error("Saved, but not enqueued: the job had already left "
                                    f"{humanize.place(saved.source)}.")
            self._set_busy(False)
            return False
        return True

    async def duplicate(self) -> str | None:
        """Push a copy of the job as the form shows it, with a new jid; returns that jid."""
        if not self.form.valid or self._busy:
            return None
        copy = duplicate_of(self.form.job())
        self._set_busy(True)
        try:
            prepared = await call_api(self.controller, lambda api: api.push(copy))
        except Exception as exc:
            self._report(exc, lambda t: f"The copy was not pushed: {t}")
            return None
        self._set_busy(False)
        where = (f"scheduled for {humanize.when(prepared.at_ns)}" if prepared.at_ns
                 else f"enqueued on queue {prepared.queue}")
        self.message.show_success(f"Pushed a copy as {prepared.jid}, {where}.")
        self.pushed.emit(prepared.jid)
        return prepared.jid

    def _report(self, exc: Exception, wording: Any) -> None:
        text = failure_text(exc)
        if text is None:
            self._set_busy(False)
            raise exc
        self.message.show_error(wording(text))
        self._set_busy(False)
