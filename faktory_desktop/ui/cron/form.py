"""New or edit a periodic job. The schedule is checked as it is typed and its next runs shown;
Save writes conf.d (cron.toml for a new entry, the entry's own file otherwise), checked against
all of conf.d first, and puts it in force at once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.confd_edit import CRON_FILE, CronEdit, save_cron
from faktory_desktop.core.cron.entries import CronEntry
from faktory_desktop.core.cron.expression import ExpressionError, describe, parse_schedule
from faktory_desktop.core.cron.view import CronRow
from faktory_desktop.ui.conf_page import FAILED, attempt, save_cancel
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.cron.times import local_text, utc_text
from faktory_desktop.ui.jobs.feedback import MessageLine, Tasks, call_api, tone

SHOWN_RUNS = 5


@cache
def zone_names() -> list[str]:
    return ["UTC", *sorted(z for z in available_timezones() if "/" in z)]


class FormError(ValueError):
    """A field that cannot be saved; the message names it."""


def _optional_int(text: str, name: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise FormError(f"{name} must be a whole number, or empty") from None


def _json(text: str, kind: type, name: str, example: str) -> Any:
    text = text.strip()
    if not text:
        return kind()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormError(f"{name} is not valid JSON: {exc.msg} (e.g. {example})") from None
    if not isinstance(value, kind):
        raise FormError(f"{name} must be a JSON {'array' if kind is list else 'object'}, "
                        f"e.g. {example}")
    return value


class CronEntryDialog(QDialog):
    saved = Signal(str)  # what was done, for the page's message line

    def __init__(self, controller: ServerController, row: CronRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.row = row
        self.tasks = Tasks()
        where = f"conf.d/{row.file}" if row else f"conf.d/{CRON_FILE}"
        self.setWindowTitle(f"{'Edit' if row else 'New'} periodic job · {where}")
        self.resize(620, 560)
        self.schedule = QLineEdit(row.schedule if row else "*/5 * * * *")
        self.schedule.setPlaceholderText("minute hour day-of-month month day-of-week, or @daily")
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(zone_names())
        self.timezone.setCurrentText(row.timezone if row and row.timezone else "UTC")
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.jobtype = QLineEdit(row.jobtype if row else "")
        self.jobtype.setPlaceholderText("the jobtype, e.g. ReportJob")
        self.queue = QLineEdit(row.queue if row else "")
        self.queue.setPlaceholderText("default")
        self.retry = QLineEdit("" if row is None or row.retry is None else str(row.retry))
        self.retry.setPlaceholderText("25 (the default)")
        self.args = QLineEdit(json.dumps(row.args) if row and row.args else "")
        self.args.setPlaceholderText('[] or e.g. ["daily", 1]')
        self.reserve_for = QLineEdit(
            "" if row is None or row.reserve_for is None else str(row.reserve_for))
        self.reserve_for.setPlaceholderText("1800 s (the default)")
        self.custom = QPlainTextEdit(json.dumps(row.custom, indent=2) if row and row.custom
                                     else "")
        self.custom.setPlaceholderText('e.g. {"unique_for": 65, "expires_in": 60}')
        self.custom.setFixedHeight(90)
        self.message = MessageLine()
        self._layout()
        self.schedule.textChanged.connect(self.check_schedule)
        self.timezone.currentTextChanged.connect(self.check_schedule)
        self.check_schedule()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow("Schedule:", self.schedule)
        form.addRow("Time zone:", self.timezone)
        form.addRow("", self.preview)
        form.addRow("Type:", self.jobtype)
        form.addRow("Queue:", self.queue)
        form.addRow("Args:", self.args)
        form.addRow("Retry:", self.retry)
        form.addRow("Reserve for (s):", self.reserve_for)
        form.addRow("Custom:", self.custom)
        buttons = save_cancel(self, self.tasks, self.save)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def _zone(self) -> str | None:
        zone = self.timezone.currentText().strip()
        return None if zone in ("", "UTC") else zone

    def check_schedule(self) -> bool:
        """Show the schedule in words and its next runs, or what is wrong with it."""
        try:
            schedule = parse_schedule(self.schedule.text(), self._zone())
        except ExpressionError as exc:
            self.preview.setText(str(exc))
            self.preview.setStyleSheet(f"color: {tone('red', self.palette()).name()};")
            self.save_button.setEnabled(False)
            return False
        runs = schedule.next_runs(datetime.now(UTC), SHOWN_RUNS)
        lines = [describe(schedule) + ". Next runs:"]
        lines += [f"{utc_text(r)}  ·  {local_text(r)}" for r in runs]
        self.preview.setText("\n".join(lines))
        self.preview.setStyleSheet("")
        self.save_button.setEnabled(True)
        return True

    def edit(self) -> CronEdit:
        """The form as an entry; FormError names a field that cannot be saved."""
        jobtype = self.jobtype.text().strip()
        if not jobtype:
            raise FormError("Type is required: the jobtype a worker runs")
        return CronEdit(
            schedule=self.schedule.text().strip(), jobtype=jobtype, timezone=self._zone(),
            queue=self.queue.text().strip() or None,
            retry=_optional_int(self.retry.text(), "Retry"),
            args=_json(self.args.text(), list, "Args", '["daily", 1]'),
            reserve_for=_optional_int(self.reserve_for.text(), "Reserve for"),
            custom=_json(self.custom.toPlainText(), dict, "Custom", '{"unique_for": 65}'))

    async def save(self) -> bool:
        if not self.check_schedule():
            return False
        try:
            edit = self.edit()
        except FormError as exc:
            self.message.show_error(str(exc))
            return False
        where = (self.row.file, self.row.index) if self.row else None
        done = await attempt(self.message, self.controller.edit_configuration(
            lambda config_dir: save_cron(config_dir, edit, where)))
        if done is FAILED:
            return False
        if self.row is not None and self.row.paused and where is not None:
            await self._keep_paused(done.cron, where)
        file = self.row.file if self.row else CRON_FILE
        self.saved.emit(f"Saved {edit.jobtype} ({edit.schedule}) to conf.d/{file}; "
                        "it is in force now.")
        self.accept()
        return True

    async def _keep_paused(self, entries: Sequence[CronEntry], where: tuple[str, int]) -> None:
        """An edited entry is a new entry (its id is a digest of what it says): pause it too."""
        entry_id = next((e.id for e in entries if (e.file, e.index) == where), "")
        if entry_id:
            await attempt(self.message, call_api(
                self.controller, lambda api: api.cron_set_paused(entry_id, True)))
