"""The fields of a job, as the editor and the New job dialog show them, checked as you type.

`JobForm` reads its widgets into job fields and checks the result with the core's own checks
(`core.job`: parse_job, validate, check_queue_name; the API's `at` rule), so the message shown
is the one a save or a PUSH would give. JSON fields report the exact parse error with its line
and column, and the editor underlines the spot.

`apply_fields` writes only the fields that differ from the original job, so a save leaves every
other field exactly as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.core import humanize
from faktory_desktop.core import job as jobs
from faktory_desktop.core.timefmt import NS, format_ns, now_ns
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.feedback import MessageLine, call_api, failure_text
from faktory_desktop.ui.jobs.json_view import JsonEdit, ParseError, compact, parse, pretty

FIELDS = ("jobtype", "queue", "args", "at", "retry", "reserve_for", "custom")
INT32 = (-(2**31), 2**31 - 1)
AT_PRESETS = (("In 1 minute", 60), ("In 10 minutes", 600), ("In 1 hour", 3600),
              ("In 1 day", 86400))
_INVALID_STYLE = "border: 1px solid #d93025; border-radius: 3px;"


@dataclass(frozen=True)
class FieldError:
    field: str | None  # the form field at fault, if one is
    message: str
    position: ParseError | None = None

    def __str__(self) -> str:
        return self.message


def original_value(job: dict[str, Any], field: str) -> Any:
    """A stored job's value of a form field, with the form's notion of "empty"."""
    defaults: dict[str, Any] = {"retry": jobs.DEFAULT_RETRY, "reserve_for": 0, "custom": {},
                                "at": "", "jobtype": "", "queue": "default", "args": None}
    value = job.get(field)
    return defaults[field] if value in (None, "") else value


def apply_fields(base: dict[str, Any], values: dict[str, Any],
                 original: dict[str, Any] | None = None) -> dict[str, Any]:
    """`base` with the form's values; with `original`, only the values that changed."""
    job = dict(base)
    for field, value in values.items():
        if original is not None and compact(value) == compact(original_value(original, field)):
            continue
        if value in (None, "", {}) or (field == "reserve_for" and value == 0):
            job.pop(field, None)
        else:
            job[field] = value
    return job


def job_error(job: dict[str, Any]) -> FieldError | None:
    """The core's verdict on a job, as the API's `save` gives it; None when it is valid."""
    try:
        jobs.validate_edit(job)
    except jobs.JobError as exc:
        return FieldError(_field_of(str(exc)), str(exc))
    except (TypeError, ValueError) as exc:  # e.g. an integer too big for JSON storage
        return FieldError(None, f"this job cannot be stored: {exc}")
    return None


def _field_of(message: str) -> str | None:
    for needle, field in (("jobtype", "jobtype"), ("queue", "queue"), ("args", "args"),
                          ("reserved", "reserve_for"), ("reserve_for", "reserve_for"),
                          ("'at'", "at"), ("custom", "custom"), ("retry", "retry")):
        if needle in message:
            return field
    return None


class JobForm(QWidget):
    """Job fields with live validation; `validityChanged(bool)` follows every edit."""

    validityChanged = Signal(bool)

    def __init__(self, show_at: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.base: dict[str, Any] = {"jid": "new-job-jid"}
        self.original: dict[str, Any] | None = None
        self.error: FieldError | None = None
        self.empty_at_hint = "Not scheduled."
        self._build_widgets()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for caption, widget in self._rows():
            self.form.addRow(caption, widget)
        self.form.setRowVisible(self.at_row, show_at)
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form, 1)
        layout.addWidget(self.message)
        self._connect()
        self.revalidate()

    def _build_widgets(self) -> None:
        self.jobtype = QLineEdit()
        self.jobtype.setPlaceholderText("e.g. SendWelcomeEmail")
        self.queue = QLineEdit()
        self.queue.setPlaceholderText("default")
        self.args = JsonEdit()
        self.args.setToolTip('A JSON array, e.g. [42, "two", {"three": 3}]')
        self.args.set_visible_lines(5)
        self.at = QLineEdit()
        self.at.setPlaceholderText("empty: not scheduled · RFC3339, e.g. 2030-01-02T15:04:05Z")
        self.at_hint = QLabel()
        self.retry = QSpinBox()
        self.retry.setRange(*INT32)
        self.retry.setToolTip("How many times a failure is retried; 0 discards the job on "
                              "failure, a negative number sends it straight to Dead")
        self.reserve_for = QSpinBox()
        self.reserve_for.setRange(0, INT32[1])
        self.reserve_for.setSuffix(" s")
        self.reserve_for.setSpecialValueText("default (1800 s)")
        self.reserve_for.setToolTip("How long a worker may hold the job before it is retried; "
                                    "at most 86400 s (one day)")
        self.custom = JsonEdit()
        self.custom.setPlaceholderText('empty for none · a JSON object, e.g. {"locale": "en"}')
        self.custom.set_visible_lines(3)
        self.custom.setMaximumHeight(self.custom.minimumHeight() * 2)

    def _rows(self) -> list[tuple[str, QWidget]]:
        at_row = QWidget()
        line = QHBoxLayout(at_row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.at, 1)
        line.addWidget(self._at_menu_button())
        at_box = QWidget()
        column = QVBoxLayout(at_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(at_row)
        column.addWidget(self.at_hint)
        self.at_row = at_box
        numbers = QWidget()
        row = QHBoxLayout(numbers)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.retry, 1)
        row.addWidget(QLabel("Reserve for"))
        row.addWidget(self.reserve_for, 1)
        return [("Job type", self.jobtype), ("Queue", self.queue), ("Arguments", self.args),
                ("Run at", at_box), ("Retry", numbers), ("Custom", self.custom)]

    def _at_menu_button(self) -> QPushButton:
        button = QPushButton("Preset")
        button.setToolTip("Fill in a time from now, or clear it")
        menu = QMenu(button)
        for text, seconds in AT_PRESETS:
            menu.addAction(text, partial(self.set_at_from_now, seconds))
        menu.addSeparator()
        menu.addAction("Not scheduled", self.at.clear)
        button.setMenu(menu)
        return button

    def set_at_from_now(self, seconds: int) -> None:
        self.at.setText(format_ns(now_ns() + seconds * NS))

    def _connect(self) -> None:
        for edit in (self.jobtype, self.queue, self.at):
            edit.textChanged.connect(self.revalidate)
        for text in (self.args, self.custom):
            text.textChanged.connect(self.revalidate)
        for spin in (self.retry, self.reserve_for):
            spin.valueChanged.connect(self.revalidate)

    async def load_queue_names(self, controller: ServerController) -> None:
        """Offer the server's queue names for completion; a stopped server offers none."""
        try:
            queues = await call_api(controller, lambda api: api.queues())
        except Exception as exc:
            if failure_text(exc) is None:
                raise
            return
        self.set_queue_names([q.name for q in queues])

    def set_queue_names(self, names: list[str]) -> None:
        self.queue.setCompleter(QCompleter(sorted(names), self.queue))

    def load(self, job: dict[str, Any]) -> None:
        """Fill the fields from a job."""
        self.jobtype.setText(str(job.get("jobtype", "")))
        self.queue.setText(str(job.get("queue") or "default"))
        self.args.setPlainText(pretty(job.get("args", [])))
        self.at.setText(str(job.get("at", "")))
        self.retry.setValue(int(original_value(job, "retry")))
        self.reserve_for.setValue(int(job.get("reserve_for") or 0))
        custom = job.get("custom") or {}
        self.custom.setPlainText(pretty(custom) if custom else "")
        self.revalidate()

    def values(self) -> tuple[dict[str, Any], FieldError | None]:
        """The fields as job values, and the first JSON error among them."""
        args, args_error = parse(self.args.toPlainText()) if self.args.toPlainText().strip() \
            else (None, None)
        custom_text = self.custom.toPlainText().strip()
        custom, custom_error = parse(custom_text) if custom_text else ({}, None)
        values = {"jobtype": self.jobtype.text(), "queue": self.queue.text().strip() or "default",
                  "args": args, "at": self.at.text().strip(), "retry": self.retry.value(),
                  "reserve_for": self.reserve_for.value(), "custom": custom}
        if args_error is not None:
            return values, FieldError("args", f"args: {args_error}", args_error)
        if custom_error is not None:
            return values, FieldError("custom", f"custom: {custom_error}", custom_error)
        return values, None

    def job(self) -> dict[str, Any]:
        """The job the form describes: `base` with the form's (changed) values."""
        values, _ = self.values()
        return apply_fields(self.base, values, self.original)

    def revalidate(self) -> None:
        values, error = self.values()
        if error is None:
            error = job_error(apply_fields(self.base, values, self.original))
        self._update_at_hint(values["at"])
        self.show_error(error)

    def show_error(self, error: FieldError | None) -> None:
        was_valid = self.error is None
        self.error = error
        if error is None:
            self.message.clear()
        else:
            self.message.show_error(str(error))
        widgets = {"jobtype": self.jobtype, "queue": self.queue, "args": self.args,
                   "at": self.at, "reserve_for": self.reserve_for, "custom": self.custom}
        for field, widget in widgets.items():
            widget.setStyleSheet(_INVALID_STYLE if error and error.field == field else "")
        self.args.mark_error(error.position if error and error.field == "args" else None)
        self.custom.mark_error(error.position if error and error.field == "custom" else None)
        if was_valid != (error is None):
            self.validityChanged.emit(error is None)

    @property
    def valid(self) -> bool:
        return self.error is None

    def _update_at_hint(self, at: str) -> None:
        if not at:
            self.at_hint.setText(self.empty_at_hint)
            return
        ns = humanize.stamp_ns(at)
        if ns is None:
            self.at_hint.setText("")
            return
        due = " (already due: it is enqueued at once)" if ns <= now_ns() else ""
        self.at_hint.setText(f"{humanize.when(ns)}{due}")
