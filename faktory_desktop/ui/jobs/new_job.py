"""Push a new job by hand, and keep the last few (job type, args, queue) as templates.

The job goes through `FaktoryAPI.push`, exactly as a client's PUSH would, with a jid made like
the Go client's. Templates live in QSettings under `jobs/recentTemplates`, newest first.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.core import humanize
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.editor import new_jid
from faktory_desktop.ui.jobs.feedback import MessageLine, Tasks, call_api, failure_text
from faktory_desktop.ui.jobs.job_form import JobForm
from faktory_desktop.ui.jobs.json_view import compact, parse

RECENT_KEY = "jobs/recentTemplates"
MAX_TEMPLATES = 10


@dataclass(frozen=True)
class Template:
    jobtype: str
    args: str  # compact JSON
    queue: str

    @property
    def label(self) -> str:
        args = self.args if len(self.args) <= 60 else self.args[:59] + "…"
        return f"{self.jobtype} {args}  →  {self.queue}"


def load_templates(store: QSettings | None = None) -> list[Template]:
    """The remembered templates, newest first; unreadable entries are skipped."""
    raw = (store or QSettings()).value(RECENT_KEY, "[]")
    try:
        items = json.loads(str(raw))
    except ValueError:
        return []
    templates = []
    for item in items if isinstance(items, list) else []:
        try:
            templates.append(Template(str(item["jobtype"]), str(item["args"]),
                                      str(item["queue"])))
        except (KeyError, TypeError):
            continue
    return templates


def remember_template(template: Template, store: QSettings | None = None) -> list[Template]:
    """Put `template` first (once) and keep the newest MAX_TEMPLATES."""
    store = store or QSettings()
    kept = [t for t in load_templates(store) if t != template]
    templates = [template, *kept][:MAX_TEMPLATES]
    store.setValue(RECENT_KEY, json.dumps([asdict(t) for t in templates]))
    store.sync()
    return templates


class NewJobDialog(QDialog):
    """Non-modal; stays open after a push so several jobs can be pushed in a row."""

    pushed = Signal(str)  # the new job's jid

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.tasks = Tasks()
        self.setWindowTitle("New job")
        self.resize(640, 560)
        self.templates = QComboBox()
        self.templates.setPlaceholderText("Start from a recent job…")
        self.templates.activated.connect(self.use_template)
        self.form = JobForm(show_at=True)
        self.form.empty_at_hint = "Not scheduled: the job is enqueued at once."
        self.form.load({"queue": "default", "args": [], "retry": 25})
        self.message = MessageLine()
        top = QFormLayout()
        top.addRow("Template", self.templates)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.message)
        layout.addLayout(self._buttons())
        self.form.validityChanged.connect(self.push_button.setEnabled)
        self.push_button.setEnabled(self.form.valid)
        self._fill_templates(load_templates())
        self.tasks.spawn(self.form.load_queue_names(self.controller))

    def _buttons(self) -> QHBoxLayout:
        self.push_button = QPushButton("Push")
        self.push_button.setDefault(True)
        self.push_button.clicked.connect(lambda: self.tasks.spawn(self.push()))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        row.addWidget(self.push_button)
        return row

    def _fill_templates(self, templates: list[Template]) -> None:
        self._templates = templates
        self.templates.clear()
        for template in templates:
            self.templates.addItem(template.label)
        self.templates.setCurrentIndex(-1)
        self.templates.setEnabled(bool(templates))
        if not templates:
            self.templates.setPlaceholderText("No recent jobs yet")

    def use_template(self, index: int) -> None:
        """Fill the job type, args and queue from a remembered template."""
        template = self._templates[index]
        args, error = parse(template.args)
        self.form.jobtype.setText(template.jobtype)
        self.form.queue.setText(template.queue)
        self.form.args.setPlainText(json.dumps(args, indent=2) if error is None else template.args)

    async def push(self) -> str | None:
        """Push the job the form describes; its jid, or None when it was refused."""
        if not self.form.valid:
            return None
        job: dict[str, Any] = {**self.form.job(), "jid": new_jid()}
        self.push_button.setEnabled(False)
        try:
            prepared = await call_api(self.controller, lambda api: api.push(job))
        except Exception as exc:
            text = failure_text(exc)
            if text is None:
                raise
            self.message.show_error(f"The job was not pushed: {text}")
            return None
        finally:
            self.push_button.setEnabled(self.form.valid)
        where = (f"scheduled for {humanize.when(prepared.at_ns)}" if prepared.at_ns
                 else f"enqueued on queue {prepared.queue}")
        self.message.show_success(f"Pushed job {prepared.jid}, {where}.")
        template = Template(job["jobtype"], compact(job.get("args", [])), prepared.queue)
        self._fill_templates(remember_template(template))
        self.pushed.emit(prepared.jid)
        return prepared.jid
