"""Add or change a queue's throttle; written to conf.d where [throttles] is (else
conf.d/throttles.toml), checked against all of conf.d first, in force at once."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from faktory_desktop.confd_edit import save_throttle
from faktory_desktop.core.job import valid_queue_name
from faktory_desktop.core.throttle_view import ThrottleRow
from faktory_desktop.ui.conf_page import FAILED, attempt, save_cancel
from faktory_desktop.ui.controller import ServerController
from faktory_desktop.ui.jobs.feedback import MessageLine, Tasks

KINDS = (("concurrency", "at most N at once, across all workers"),
         ("worker", "at most N at once per worker process"))


def _spin(value: int, maximum: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(1, maximum)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin


class ThrottleDialog(QDialog):
    saved = Signal(str)

    def __init__(self, controller: ServerController, row: ThrottleRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.tasks = Tasks()
        self.setWindowTitle("Change throttle" if row else "New throttle")
        self.queue = QLineEdit(row.queue if row else "")
        self.queue.setPlaceholderText("the queue to throttle")
        self.queue.setReadOnly(row is not None)
        self.kind = QComboBox()
        for kind, text in KINDS:
            self.kind.addItem(f"{kind}: {text}", kind)
        self.kind.setCurrentIndex(1 if row and row.kind == "worker" else 0)
        self.limit = _spin(row.limit if row else 4, 100_000)
        self.timeout = _spin(row.timeout if row else 60, 86_400, " s")
        self.timeout.setToolTip("A slot that is not released (a lost worker) lapses after this")
        self.message = MessageLine()
        form = QFormLayout()
        form.addRow("Queue:", self.queue)
        form.addRow("Limit:", self.kind)
        form.addRow("N:", self.limit)
        form.addRow("Timeout:", self.timeout)
        buttons = save_cancel(self, self.tasks, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    async def save(self) -> bool:
        queue = self.queue.text().strip()
        if not valid_queue_name(queue):
            self.message.show_error("A queue name is letters, digits, '.', '_' and '-'.")
            return False
        kind, limit, timeout = self.kind.currentData(), self.limit.value(), self.timeout.value()
        done = await attempt(self.message, self.controller.edit_configuration(
            lambda config_dir: save_throttle(config_dir, queue, kind, limit, timeout)))
        if done is FAILED:
            return False
        self.saved.emit(f"Throttled {queue}: {done.throttles[queue].described}, "
                        f"timeout {timeout} s; in force now.")
        self.accept()
        return True
